# A guided tour of scm-sim: the built-in Windows 10 machine, driven with sc.exe's syntax.
# Run it with:
#     cargo run -p scm-sim -- run examples/tour.scm
# Every line is what you would type after `scm-sim`; each is echoed as `> line`.

# --- 1. Boot -------------------------------------------------------------------------------
# The machine booted before the first line: the auto-start services run (delayed ones wait
# for their 120 s delay). Virtual time is measured from boot.
sim time
sc query Spooler
sc qc Spooler
tasklist /svc /fi "SERVICES eq Spooler"

# --- 2. Start, pause, continue -----------------------------------------------------------------
# Fax is a stopped, demand-start service with no Rust code behind it: it runs a scripted
# program. Make it take 3 s to start (a new checkpoint every second) and accept PAUSE.
sim behavior Fax start-time=3s pause-time=1s accept=stop,pause_continue,shutdown
# sc start prints the status right after StartService returns: START_PENDING.
sc start Fax
sim advance 1500ms
sc query Fax
sim advance 2s
sc query Fax
# PAUSE and CONTINUE are accepted: each takes 1 s of PAUSE_PENDING / CONTINUE_PENDING.
sc pause Fax
sim advance 1s
sc query Fax
sc continue Fax
sim advance 1s
sc queryex Fax
# Spooler does not accept PAUSE: 1052.
sc pause Spooler

# --- 3. A timeout ----------------------------------------------------------------------------
# MSDTC's process will never connect to the SCM. StartService waits for the pipe timeout
# (30 s of virtual time, a few microseconds of real time) and fails with 1053.
sim behavior MSDTC hang=connect
sim time
sc start MSDTC
sim time
sc query MSDTC

# --- 4. What the machine recorded -------------------------------------------------------------
# The event log since the tour began (7036 state changes, 7009 + 7000 for the timeout).
sim events --since 9s
# The trace of Fax: every API call, control, handler result and status report.
sim trace --service Fax
# The same as a Mermaid sequence diagram (paste it into any Mermaid renderer).
sim trace --service MSDTC --format mermaid
