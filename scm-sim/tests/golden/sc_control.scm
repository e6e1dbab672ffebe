# options: --image empty
# Starting and controlling scripted services on an empty machine.
sc create Svc binPath= C:\svc\svc.exe
sc start Svc
sc query Svc
sc start Svc
sc queryex Svc
sc pause Svc
sc continue Svc
sc interrogate Svc
sc control Svc paramchange
sc control Svc netbindadd
sc control Svc 200
sc stop Svc
sc stop Svc
sc query Svc
sc interrogate Svc
sc start Nope
sc stop Nope
# A service that starts slowly, accepts pause and takes time to stop.
sim behavior Svc start-time=3s stop-time=2s pause-time=1s accept=stop,pause_continue,shutdown,paramchange,netbindchange
sc start Svc arg1 "second arg"
sc pause Svc
sc stop Svc
sim advance 3s
sc query Svc
sc pause Svc
sc query Svc
sim advance 1s
sc query Svc
sc continue Svc
sim advance 1s
sc control Svc paramchange
sc control Svc netbindremove
sc control Svc netbindenable
sc control Svc netbinddisable
sc control Svc 128
sc control Svc 255
sc stop Svc
sc stop Svc
sc pause Svc
sim advance 2s
sc query Svc
# Exit codes reported with STOPPED.
sim behavior Svc default exit-code=1066 specific-exit-code=42
sc start Svc
sc stop Svc
sc query Svc
# Disabled services do not start.
sc config Svc start= disabled
sc start Svc
sc config Svc start= demand
# Dependencies: Child depends on Svc; starting Child starts Svc; stopping Svc is refused.
sim behavior Svc default
sc create Child binPath= C:\svc\child.exe depend= Svc
sc start Child
sc query Svc
sc stop Svc
sc enumdepend Svc
sc stop Child
sc stop Svc
# A process that never connects: StartService fails after the 30 s pipe timeout.
sc create Stuck binPath= C:\svc\stuck.exe
sim behavior Stuck hang=connect
sim time
sc start Stuck
sim time
sc query Stuck
# A handler that never returns: ControlService fails with 1053 after 30 s.
sc create Deaf binPath= C:\svc\deaf.exe
sc start Deaf
sim behavior Deaf hang=handler
sc stop Deaf
sc stop Deaf
sc start Deaf
sim time
sc stop Deaf
sim time
