# Queries on the built-in Windows 10 machine.
sc query Spooler
sc queryex Spooler
sc query wuauserv
sc query w32time
sc queryex BITS
sc query Nope
sc queryex Nope
sc query a\b
sc qc Spooler
sc qc Spooler 8192
sc qc usosvc
sc qc BITS
sc qc Nope
sc qdescription Spooler
sc qdescription Nope
sc qfailure Spooler
sc qfailure Nope
sc qfailureflag Spooler
sc qfailureflag Nope
sc qsidtype Spooler
sc qsidtype Nope
sc qprivs Spooler
sc qprivs Nope
sc qtriggerinfo Spooler
sc qtriggerinfo w32time
sc qtriggerinfo Nope
sc enumdepend EventSystem
sc enumdepend Spooler
sc enumdepend Nope
sc getdisplayname Spooler
sc getdisplayname spooler
sc getdisplayname Nope
sc getkeyname "Print Spooler"
sc getkeyname "print spooler"
sc getkeyname "No Such Service"
# Enumerations, narrowed by group so the transcript stays short.
sc query group= SpoolerGroup
sc queryex group= SpoolerGroup state= all
sc query group= NoSuchGroup
sc query type= driver state= all group= NDIS
sc query type= driver group= PNP_TDI
