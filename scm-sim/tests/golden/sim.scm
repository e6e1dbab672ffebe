# The simulation verbs.
sim time
sim advance 500ms
sim time
sim advance 1.5s
sim advance 2m
sim time
sim advance 5x
sim advance
sim advance -1s
sim time extra
sim bogus
sim
bogus command
run other.scm
# Behaviours.
sim behavior Fax
sim behavior Fax start-time=2s accept=stop,pause_continue crash=after:10s exit-code=5
sim behavior Fax
sim behavior Fax hang=sometimes
sim behavior Fax start-time
sim behavior Fax default
sim behavior Fax
sim behavior
# Events and trace of one service start, and a crash.
sim behavior Fax start-time=2s crash=after:10s
sc start Fax
sim advance 2s
sc query Fax
sim advance 10s
sc query Fax
sim events --service Fax
sim events --since 131s
sim events --since soon
sim trace --service Fax
sim trace --service Fax --format json
sim trace --service Fax --format mermaid
sim trace --format xml
sim trace --colour red
sim violations
# Crashing a running service, and one that does not run.
sc start Fax
sim crash Fax
sim crash Fax
sim crash Nope
sim crash
# A registry change takes effect at the next boot.
reg add HKLM\SYSTEM\CurrentControlSet\Services\Spooler /v Start /t REG_DWORD /d 4 /f
sc qc Spooler
sc query Spooler
sim boot
sim time
sc qc Spooler
sc query Spooler
sc start Spooler
sim boot extra
