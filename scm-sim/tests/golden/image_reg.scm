# options: --image image.reg --seed 7
# A machine made from a .reg file: Web (auto-start) depends on Db (demand-start), so the boot
# starts Db first.
sc query state= all
sc qc Web
tasklist /svc
sim events
