# reg.exe on the built-in machine.
reg query HKLM\SYSTEM\CurrentControlSet\Services\Spooler
reg query hklm\system\currentcontrolset\services\spooler\ /v Start
reg query HKLM\SYSTEM\CurrentControlSet\Services\Spooler /v DependOnService /se ,
reg query HKLM\SYSTEM\CurrentControlSet\Services\Spooler /ve
reg query HKLM\SYSTEM\CurrentControlSet\Services\Spooler /t REG_DWORD /z
reg query HKLM\SYSTEM\CurrentControlSet\Services\Spooler /s
reg query HKLM\SYSTEM\CurrentControlSet\Services\Spooler /v ObjectName /s
reg query HKLM\SYSTEM\CurrentControlSet\Services\Spooler /f spool /s
reg query HKLM\SYSTEM\CurrentControlSet\Services\Spooler /f nothing-like-this
reg query HKLM\SYSTEM\CurrentControlSet\Services\Spooler /v Nope
reg query HKLM\SOFTWARE\Nope
reg query HKXX\SOFTWARE
reg query
reg query HKLM\SOFTWARE /v
reg query HKLM\SOFTWARE /s /s
reg query HKLM\SOFTWARE /bogus
# Adding keys and values of every type.
reg add HKLM\SOFTWARE\Demo
reg add HKLM\SOFTWARE\Demo /v Name /d "A demo"
reg add HKLM\SOFTWARE\Demo /v Count /t REG_DWORD /d 42
reg add HKLM\SOFTWARE\Demo /v Mask /t REG_DWORD /d 0xff
reg add HKLM\SOFTWARE\Demo /v Big /t REG_QWORD /d 0x100000000
reg add HKLM\SOFTWARE\Demo /v Path /t REG_EXPAND_SZ /d %SystemRoot%\demo
reg add HKLM\SOFTWARE\Demo /v List /t REG_MULTI_SZ /d one\0two\0three
reg add HKLM\SOFTWARE\Demo /v List2 /t REG_MULTI_SZ /s , /d a,b
reg add HKLM\SOFTWARE\Demo /v Blob /t REG_BINARY /d fe340ead
reg add HKLM\SOFTWARE\Demo /ve /d "default text"
reg add HKLM\SOFTWARE\Demo\Sub /v Inner /d x
reg query HKLM\SOFTWARE\Demo
reg query HKLM\SOFTWARE\Demo /s
reg add HKLM\SOFTWARE\Demo /v Count /t REG_DWORD /d 43
reg add HKLM\SOFTWARE\Demo /v Count /t REG_DWORD /d 43 /f
reg query HKLM\SOFTWARE\Demo /v Count
reg add HKLM\SOFTWARE\Demo /v Bad /t REG_DWORD /d twelve
reg add HKLM\SOFTWARE\Demo /v Bad /t REG_WHATEVER /d 1
reg add HKLM\SOFTWARE\Demo /v Bad /t REG_BINARY /d abc
reg add HKLM\SOFTWARE\Demo /v X /ve
reg add HKLM
# Export and import.
reg export HKLM\SOFTWARE\Demo demo-export.reg
reg export HKLM\SOFTWARE\Demo demo-export.reg
reg export HKLM\SOFTWARE\Demo demo-export.reg /y
reg export HKLM\SOFTWARE\Nope nope.reg
reg delete HKLM\SOFTWARE\Demo /f
reg query HKLM\SOFTWARE\Demo
reg import demo-export.reg
reg query HKLM\SOFTWARE\Demo /s
reg import missing.reg
reg import broken.reg
reg import
# Deleting.
reg delete HKLM\SOFTWARE\Demo /v Name
reg delete HKLM\SOFTWARE\Demo /v Name /f
reg delete HKLM\SOFTWARE\Demo /v Name /f
reg delete HKLM\SOFTWARE\Demo /ve /f
reg delete HKLM\SOFTWARE\Demo /va /f
reg query HKLM\SOFTWARE\Demo
reg delete HKLM\SOFTWARE\Demo
reg delete HKLM\SOFTWARE\Demo /f
reg delete HKLM\SOFTWARE\Demo /f
reg delete HKLM\SOFTWARE\Demo /v a /va
# Current user.
reg add HKCU\Software\Me /v Theme /d dark
reg query HKCU\Software\Me
# Help and operations that are not simulated.
reg
reg bogus
reg copy HKLM\SOFTWARE\A HKLM\SOFTWARE\B
reg /?
reg query /?
reg add /?
reg delete /?
reg import /?
reg export /?
