# options: --image empty
# Creating, configuring and deleting services on an empty machine.
sc create Alpha binPath= C:\svc\alpha.exe
sc qc Alpha
sc create Beta binPath= "C:\Program Files\Beta\beta.exe" type= share start= auto error= severe DisplayName= "Beta Service" depend= Alpha obj= "NT AUTHORITY\LocalService" password= secret
sc qc Beta
sc create Gamma binPath= C:\svc\gamma.exe type= own type= interact start= delayed-auto group= Gammas tag= yes
sc qc Gamma
sc create Delta binPath= C:\svc\delta.exe start= delayed-auto
sc qc Delta
# Failures of create.
sc create Alpha binPath= C:\svc\alpha.exe
sc create Epsilon binPath= C:\svc\e.exe DisplayName= Alpha
sc create a\b binPath= C:\svc\x.exe
sc create Zeta binPath= C:\svc\z.exe type= interact obj= .\someone
sc create Eta
sc create Eta binPath= C:\svc\eta.exe type= bogus
sc create Eta binPath= C:\svc\eta.exe start=auto
sc create Eta binPath= C:\svc\eta.exe start=
# config.
sc config Alpha start= auto error= ignore DisplayName= "Alpha Service" depend= Delta/+Gammas binPath= "C:\svc\alpha.exe -service"
sc qc Alpha
sc config Alpha depend= /
sc config Delta start= auto
sc qc Delta
sc config Alpha start= sometimes
sc config Alpha depend= Alpha
sc config Alpha DisplayName= Beta
sc config Nope start= auto
sc config Alpha type= interact obj= .\someone
# Descriptions, failure actions, SID type, privileges, triggers.
sc description Alpha "The first service of the alphabet."
sc qdescription Alpha
sc description Alpha ""
sc qdescription Alpha
sc description Nope "x"
sc failure Alpha reset= 86400 actions= restart/60000/restart/60000/run/1000 command= "C:\fix.cmd" reboot= "Rebooting now"
sc qfailure Alpha
sc failure Alpha reset= INFINITE actions= reboot/5000
sc qfailure Alpha
sc failure Alpha reset= 0 actions= ""
sc qfailure Alpha
sc failure Alpha reset= 60
sc failure Nope reset= 60 actions= ""
sc failure Alpha actions= restart/x
sc failure Alpha reset= soon actions= restart/1
sc failureflag Alpha 1
sc qfailureflag Alpha
sc failureflag Alpha 0
sc qfailureflag Alpha
sc failureflag Alpha 2
sc failureflag Nope 1
sc sidtype Alpha restricted
sc qsidtype Alpha
sc sidtype Alpha unrestricted
sc qsidtype Alpha
sc sidtype Alpha none
sc qsidtype Alpha
sc sidtype Alpha sometimes
sc sidtype Nope none
sc privs Alpha SeChangeNotifyPrivilege/SeImpersonatePrivilege
sc qprivs Alpha
sc qprivs Beta
sc privs Nope SeTcbPrivilege
sc qtriggerinfo Alpha
sc triggerinfo Alpha start/networkon stop/networkoff start/domainjoin stop/domainleave start/machinepolicy start/userpolicy
sc qtriggerinfo Alpha
sc triggerinfo Alpha start/device/53f56307-b6bf-11d0-94f2-00a0c91efb8b/USB\VID_1234 start/custom/22222222-3333-4444-5555-666666666666/0102ABCD stop/strcustom/22222222-3333-4444-5555-666666666666/hello start/portopen/1234;tcp;C:\svc\alpha.exe;Alpha start/namedpipe/AlphaPipe start/rpcinterface/11111111-2222-3333-4444-555555555555
sc qtriggerinfo Alpha
sc triggerinfo Alpha delete
sc qtriggerinfo Alpha
sc triggerinfo Alpha delete
sc triggerinfo Alpha start/sometimes
sc triggerinfo Alpha stop/networkon
sc triggerinfo Nope delete
# Names, dependents.
sc getdisplayname Beta
sc getkeyname "Beta Service"
sc enumdepend Alpha
sc enumdepend Beta
# Enumerations.
sc query
sc query state= all
sc queryex type= service state= inactive
sc query state= all type= own
sc query state= all group= ""
sc query state= all group= Gammas
sc query state= all ri= 3
# delete: a stopped service goes at once; a running one is marked for deletion.
sc delete Delta
sc query Delta
sc delete Delta
sc start Gamma
sc delete Gamma
sc delete Gamma
sc query Gamma
sc config Gamma start= demand
sc stop Gamma
sc query Gamma
