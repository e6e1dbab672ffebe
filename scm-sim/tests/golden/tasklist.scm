# tasklist /svc on the built-in machine after boot.
tasklist /svc
tasklist /svc /fi "SERVICES eq Spooler"
tasklist /svc /fi "IMAGENAME eq lsass.exe"
tasklist /svc /fi "PID eq 4"
tasklist /svc /fi "SERVICES eq Nope"
tasklist /svc /fi "COLOR eq blue"
tasklist /bogus
tasklist
