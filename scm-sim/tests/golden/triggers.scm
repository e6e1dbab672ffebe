# Trigger events on the built-in machine: configuration as sc prints it, events raised with
# sim trigger, the actions services take, low-memory mode.
sc qtriggerinfo AJRouter
sc qtriggerinfo wuauserv
sc query AJRouter
sim trigger namedpipe ProtectedPrefix\LocalService\MSAJPipe
sc query AJRouter
sim trigger namedpipe SomeOtherPipe
# A service of our own, triggered by a device arrival and a custom ETW event.
sc create Gadget binPath= C:\gadget.exe
sc triggerinfo Gadget start/device/53f56307-b6bf-11d0-94f2-00a0c91efb8b/USBSTOR\GenDisk stop/custom/11111111-2222-3333-4444-555555555555/ABCD
sc qtriggerinfo Gadget
sim trigger device 53f56307-b6bf-11d0-94f2-00a0c91efb8b PCI\VEN_1234
sim trigger device 53f56307-b6bf-11d0-94f2-00a0c91efb8b usbstor\gendisk
sc query Gadget
sim trigger custom 11111111-2222-3333-4444-555555555555 ABCD
sim advance 1s
sc query Gadget
sim lowmemory on
sim trigger device 53f56307-b6bf-11d0-94f2-00a0c91efb8b USBSTOR\GenDisk
sc query Gadget
sim lowmemory off
sim trigger fly
