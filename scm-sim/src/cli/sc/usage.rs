//! sc.exe's help texts: the top-level text (`sc` alone, an unknown command) and the per-command
//! texts printed for missing or malformed arguments (exit code 1639). Wording follows Windows
//! 10's sc.exe; the interactive "Would you like to see help for the QUERY and QUERYEX
//! commands? [ y | n ]:" question that follows the top-level text on Windows is left out
//! (scripts cannot answer it), and the QUERY help is printed for `sc query` mistakes instead.

/// `sc` with no arguments.
pub const MAIN: &str = r#"DESCRIPTION:
        SC is a command line program used for communicating with the
        Service Control Manager and services.
USAGE:
        sc <server> [command] [service name] <option1> <option2>...


        The option <server> has the form "\\ServerName"
        Further help on commands can be obtained by typing: "sc [command]"
        Commands:
          query-----------Queries the status for a service, or
                          enumerates the status for types of services.
          queryex---------Queries the extended status for a service, or
                          enumerates the status for types of services.
          start-----------Starts a service.
          pause-----------Sends a PAUSE control request to a service.
          interrogate-----Sends an INTERROGATE control request to a service.
          continue--------Sends a CONTINUE control request to a service.
          stop------------Sends a STOP request to a service.
          config----------Changes the configuration of a service (persistent).
          description-----Changes the description of a service.
          failure---------Changes the actions taken by a service upon failure.
          failureflag-----Changes the failure actions flag of a service.
          sidtype---------Changes the service SID type of a service.
          privs-----------Changes the required privileges of a service.
          managedaccount--Changes the service to mark the service account
                          password as managed by LSA.
          qc--------------Queries the configuration information for a service.
          qdescription----Queries the description for a service.
          qfailure--------Queries the actions taken by a service upon failure.
          qfailureflag----Queries the failure actions flag of a service.
          qsidtype--------Queries the service SID type of a service.
          qprivs----------Queries the required privileges of a service.
          qtriggerinfo----Queries the trigger parameters of a service.
          qpreferrednode--Queries the preferred NUMA node of a service.
          qmanagedaccount-Queries whether a services uses an account with a
                          password managed by LSA.
          qprotection-----Queries the process protection level of a service.
          quserservice----Queries for a local instance of a user service template.
          delete----------Deletes a service (from the registry).
          create----------Creates a service. (adds it to the registry).
          control---------Sends a control to a service.
          sdshow----------Displays a service's security descriptor.
          sdset-----------Sets a service's security descriptor.
          showsid---------Displays the service SID string corresponding to an arbitrary name.
          triggerinfo-----Configures the trigger parameters of a service.
          preferrednode---Sets the preferred NUMA node of a service.
          GetDisplayName--Gets the DisplayName for a service.
          GetKeyName------Gets the ServiceKeyName for a service.
          EnumDepend------Enumerates Service Dependencies.

        The following commands don't require a service name:
        sc <server> <command> <option>
          boot------------(ok | bad) Indicates whether the last boot should
                          be saved as the last-known-good boot configuration
          Lock------------Locks the Service Database
          QueryLock-------Queries the LockStatus for the SCM Database
EXAMPLE:
        sc start MyService

"#;

/// `sc query` / `sc queryex` with a malformed option.
pub const QUERY: &str = r#"QUERY and QUERYEX OPTIONS:
        If the query command is followed by a service name, the status
        for that service is returned.  Further options do not apply in
        this case.  If the query command is followed by nothing or one of
        the options listed below, the services are enumerated.
    type=    Type of services to enumerate (driver, service, userservice, all)
             (default = service)
    state=   State of services to enumerate (inactive, all)
             (default = active)
    bufsize= The size (in bytes) of the enumeration buffer
             (default = 4096)
    ri=      The resume index number at which to begin the enumeration
             (default = 0)
    group=   Service group to enumerate
             (default = all groups)
SYNTAX EXAMPLES
sc query                - Enumerates status for active services & drivers
sc query eventlog       - Displays status for the eventlog service
sc queryex eventlog     - Displays extended status for the eventlog service
sc query type= driver   - Enumerates only active drivers
sc query type= service  - Enumerates only Win32 services
sc query state= all     - Enumerates all services & drivers
sc query bufsize= 50    - Enumerates with a 50 byte buffer
sc query ri= 14         - Enumerates with resume index = 14
sc queryex group= ""    - Enumerates active services not in a group
sc query type= interact - Enumerates all interactive services
sc query type= driver group= NDIS     - Enumerates all NDIS drivers
"#;

/// `sc start`.
pub const START: &str = "DESCRIPTION:
        Starts a service running.
USAGE:
        sc <server> start [service name] <arg1> <arg2> ...
";

/// `sc stop`.
pub const STOP: &str = "DESCRIPTION:
        Sends a STOP control request to a service.
USAGE:
        sc <server> stop [service name]
";

/// `sc pause`.
pub const PAUSE: &str = "DESCRIPTION:
        Sends a PAUSE control request to a service.
USAGE:
        sc <server> pause [service name]
";

/// `sc continue`.
pub const CONTINUE: &str = "DESCRIPTION:
        Sends a CONTINUE control request to a service.
USAGE:
        sc <server> continue [service name]
";

/// `sc interrogate`.
pub const INTERROGATE: &str = "DESCRIPTION:
        Sends an INTERROGATE control request to a service.
USAGE:
        sc <server> interrogate [service name]
";

/// `sc control`.
pub const CONTROL: &str = "DESCRIPTION:
        Sends a CONTROL code to a service.
USAGE:
        sc <server> control [service name] <value>
            <value> = user-defined control code
            <value> = <paramchange|
                       netbindadd|netbindremove|
                       netbindenable|netbinddisable>
";

/// `sc qc`.
pub const QC: &str = "DESCRIPTION:
        Queries the configuration information for a service.
USAGE:
        sc <server> qc [service name] <bufferSize>
";

/// `sc qdescription`.
pub const QDESCRIPTION: &str = "DESCRIPTION:
        Retrieves the description string of a service.
USAGE:
        sc <server> qdescription [service name] <bufferSize>
";

/// `sc qfailure`.
pub const QFAILURE: &str = "DESCRIPTION:
        Retrieves the actions that will be performed on service failure.
USAGE:
        sc <server> qfailure [service name] <bufferSize>
";

/// `sc qfailureflag`.
pub const QFAILUREFLAG: &str = "DESCRIPTION:
        Retrieves the failure actions flag of a service.
USAGE:
        sc <server> qfailureflag [service name]
";

/// `sc qsidtype`.
pub const QSIDTYPE: &str = "DESCRIPTION:
        Retrieves the service SID type string of a service.
USAGE:
        sc <server> qsidtype [service name]
";

/// `sc qprivs`.
pub const QPRIVS: &str = "DESCRIPTION:
        Retrieves the required privileges of a service.
USAGE:
        sc <server> qprivs [service name] <bufferSize>
";

/// `sc qtriggerinfo`.
pub const QTRIGGERINFO: &str = "DESCRIPTION:
        Queries the trigger parameters of a service.
USAGE:
        sc <server> qtriggerinfo [service name] <bufferSize>
";

/// `sc enumdepend`.
pub const ENUMDEPEND: &str = "DESCRIPTION:
        Enumerates the Services that are dependent on this one.
USAGE:
        sc <server> enumdepend [service name] <bufferSize>
";

/// `sc getdisplayname`.
pub const GETDISPLAYNAME: &str = "DESCRIPTION:
        Gets the display name associated with a particular service
USAGE:
        sc <server> getdisplayname <service key name> <bufferSize>
";

/// `sc getkeyname`.
pub const GETKEYNAME: &str = "DESCRIPTION:
        Gets the key name associated with a particular service, using
        the display name as input
USAGE:
        sc <server> getkeyname <service display name> <bufferSize>
";

/// `sc delete`.
pub const DELETE: &str = "DESCRIPTION:
        Deletes a service entry from the registry.
        If the service is running, or another process has an
        open handle to the service, the service is simply marked
        for deletion.
USAGE:
        sc <server> delete [service name]
";

/// `sc create`.
pub const CREATE: &str = "DESCRIPTION:
        Creates a service entry in the registry and Service Database.
USAGE:
        sc <server> create [service name] [binPath= ] <option1> <option2>...

OPTIONS:
NOTE: The option name includes the equal sign.
      A space is required between the equal sign and the value.
 type= <own|share|interact|kernel|filesys|rec|userown|usershare>
       (default = own)
 start= <boot|system|auto|demand|disabled|delayed-auto>
       (default = demand)
 error= <normal|severe|critical|ignore>
       (default = normal)
 binPath= <BinaryPathName to the .exe file>
 group= <LoadOrderGroup>
 tag= <yes|no>
 depend= <Dependencies(separated by / (forward slash))>
 obj= <AccountName|ObjectName>
       (default = LocalSystem)
 DisplayName= <display name>
 password= <password>
";

/// `sc config`.
pub const CONFIG: &str = "DESCRIPTION:
        Modifies a service entry in the registry and Service Database.
USAGE:
        sc <server> config [service name] <option1> <option2>...

OPTIONS:
NOTE: The option name includes the equal sign.
      A space is required between the equal sign and the value.
      To remove the dependency, use a single / as dependency value.
 type= <own|share|interact|kernel|filesys|rec|adapt|userown|usershare>
 start= <boot|system|auto|demand|disabled|delayed-auto>
 error= <normal|severe|critical|ignore>
 binPath= <BinaryPathName to the .exe file>
 group= <LoadOrderGroup>
 tag= <yes|no>
 depend= <Dependencies(separated by / (forward slash))>
 obj= <AccountName|ObjectName>
 DisplayName= <display name>
 password= <password>
";

/// `sc description`.
pub const DESCRIPTION: &str = "DESCRIPTION:
        Sets the description string for a service.
USAGE:
        sc <server> description [service name] [description]
";

/// `sc failure`.
pub const FAILURE: &str = "DESCRIPTION:
        Changes the actions upon failure
USAGE:
        sc <server> failure [service name] <option1> <option2>...

OPTIONS:
        reset=   <Length of period of no failures (in seconds)
                  after which to reset the failure count to 0 (may be INFINITE)>
                  (Must be used in conjunction with actions= )
        reboot=  <Message broadcast before rebooting on failure>
        command= <Command line to be run on failure>
        actions= <Failure actions and their delay time (in milliseconds),
                  separated by / (forward slash) -- e.g., run/5000/reboot/800
                  Valid actions are <run|restart|reboot> >
                  (Must be used in conjunction with the reset= option)
";

/// `sc failureflag`.
pub const FAILUREFLAG: &str = "DESCRIPTION:
        Changes the failure actions flag setting of a service.
        If this setting is 0 (default), the Service Control Manager
        enables configured failure actions on the service only if
        the service process terminates with the service in a state
        other than SERVICE_STOPPED.
        If this setting is 1, the Service Control Manager enables
        configured failure actions on the service if the service
        enters the SERVICE_STOPPED state with a Win32 exit code
        other than 0 in addition to the service process termination
        as above.
        This setting is ignored if the service does not have any
        failure actions configured.
USAGE:
        sc <server> failureflag [service name] [flag]
";

/// `sc sidtype`.
pub const SIDTYPE: &str = "DESCRIPTION:
        Changes a service's SID type.
USAGE:
        sc <server> sidtype [service name] [type]

OPTIONS:
        type = <none|unrestricted|restricted>
";

/// `sc privs`.
pub const PRIVS: &str = "DESCRIPTION:
        Sets the required privileges for a service.
USAGE:
        sc <server> privs [service name] [privileges]

OPTIONS:
        privileges = <privilege1/privilege2/...>
";

/// `sc triggerinfo`.
pub const TRIGGERINFO: &str = "DESCRIPTION:
        Changes the trigger parameters of a service.
USAGE:
        sc <server> triggerinfo [service name] <option1> <option2>...

OPTIONS:
        start/device/UUID/HwId1/...       <Start the service on arrival of the specified
                                          device interface class UUID string with one or
                                          more hardware ID strings and/or compatible
                                          ID strings>
        start/custom/UUID/data0/..        <Start the service on arrival of an event from
                                          the specified custom ETW provider UUID string
                                          with one or more binary data items in
                                          hexadecimal string format such as ABCDABCD to
                                          set 4 byte data>
        stop/custom/UUID/data0/...        <Stop the service on arrival of an event from
                                          the specified custom ETW provider UUID string
                                          with one or more binary data items in
                                          hexadecimal string format such as ABCDABCD to
                                          set 4 byte data>
        start/strcustom/UUID/data0/..     <Start the service on arrival of an event from
                                          the specified custom ETW provider UUID string
                                          with one or more optional string data items>
        stop/strcustom/UUID/data0/..      <Stop the service on arrival of an event from
                                          the specified custom ETW provider UUID string
                                          with one or more optional string data items>
        start/lvlcustom/UUID/data0/..     <Start the service on arrival of an event from
                                          the specified custom ETW provider UUID string
                                          with a level data item>
        stop/lvlcustom/UUID/data0/..      <Stop the service on arrival of an event from
                                          the specified custom ETW provider UUID string
                                          with a level data item>
        start/kwanycustom/UUID/data0/..   <Start the service on arrival of an event from
                                          the specified custom ETW provider UUID string
                                          with a keyword-any data item>
        stop/kwanycustom/UUID/data0/..    <Stop the service on arrival of an event from
                                          the specified custom ETW provider UUID string
                                          with a keyword-any data item>
        start/kwallcustom/UUID/data0/..   <Start the service on arrival of an event from
                                          the specified custom ETW provider UUID string
                                          with a keyword-all data item>
        stop/kwallcustom/UUID/data0/..    <Stop the service on arrival of an event from
                                          the specified custom ETW provider UUID string
                                          with a keyword-all data item>
        start/networkon                   <Start the service on first IP address>
        stop/networkoff                   <Stop the service on zero IP addresses>
        start/domainjoin                  <Start the service on domain join>
        stop/domainleave                  <Stop the service on domain leave>
        start/portopen/parameter          <Start the service on network port open>
                                          parameter format:
                                          portnumber;protocolname;imagepath;servicename
        stop/portclose/parameter          <Stop the service on network port close>
                                          parameter format:
                                          portnumber;protocolname;imagepath;servicename
        start/machinepolicy               <Start the service on machine group policy
                                          change or present at boot>
        start/userpolicy                  <Start the service on user group policy
                                          change or present at boot>
        start/rpcinterface/UUID           <Start the service on arrival of an RPC
                                          request for the specified interface UUID>
        start/namedpipe/pipename          <Start the service on arrival of a request
                                          on the specified named pipe>
        delete                            <Delete the existing trigger parameters>
";
