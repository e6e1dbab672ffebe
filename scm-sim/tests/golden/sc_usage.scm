# sc with no arguments, with missing arguments, with unknown and not-yet-simulated commands.
sc
sc start
sc stop
sc pause
sc continue
sc interrogate
sc control
sc control Spooler
sc control Spooler 99
sc control Spooler bogus
sc qc
sc qc Spooler notanumber
sc qdescription
sc qfailure
sc qfailureflag
sc qsidtype
sc qprivs
sc qtriggerinfo
sc enumdepend
sc getdisplayname
sc getkeyname
sc create
sc config
sc config Spooler
sc description
sc description Spooler
sc failure
sc failure Spooler
sc failureflag Spooler
sc sidtype Spooler
sc privs Spooler
sc triggerinfo
sc triggerinfo Spooler
sc delete
sc query type= bogus
sc query state=
sc query bufsize= big
sc bogus
sc qprotection Spooler
sc sdshow Spooler
sc querylock
# Commands are case-insensitive; a \\server prefix reaches the simulated machine.
SC QUERY Spooler
sc \\localhost GetDisplayName spooler
