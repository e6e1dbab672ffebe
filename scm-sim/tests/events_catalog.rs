//! Every ScmEvent: id, level, source and exact message text.

use rstest::rstest;
use scm_sim::events::{
    ControlWord, EventLevel, EventSource, InstalledServiceType, LoggedState, RecoveryAction,
    ScmEvent, StartTypeText,
};
use scm_sim::Win32Error;

fn s(text: &str) -> String {
    text.to_string()
}

const SCM: EventSource = EventSource::ServiceControlManager;

#[rstest]
#[case::e7000(
    ScmEvent::StartFailed { display_name: s("Print Spooler"), error: Win32Error::SERVICE_REQUEST_TIMEOUT },
    7000, EventLevel::Error, SCM,
    "The Print Spooler service failed to start due to the following error: \nThe service did not respond to the start or control request in a timely fashion."
)]
#[case::e7000_unknown_code(
    ScmEvent::StartFailed { display_name: s("X"), error: Win32Error(17058) },
    7000, EventLevel::Error, SCM,
    "The X service failed to start due to the following error: \n%%17058"
)]
#[case::e7001(
    ScmEvent::DependencyFailed { display_name: s("A"), dependency_display_name: s("B"), error: Win32Error::SERVICE_DISABLED },
    7001, EventLevel::Error, SCM,
    "The A service depends on the B service which failed to start because of the following error: \nThe service cannot be started, either because it is disabled or because it has no enabled devices associated with it."
)]
#[case::e7002(
    ScmEvent::DependOnGroupFailed { display_name: s("A"), group: s("NetBIOSGroup") },
    7002, EventLevel::Error, SCM,
    "The A service depends on the NetBIOSGroup group and no member of this group started."
)]
#[case::e7003(
    ScmEvent::DependencyMissing { display_name: s("A"), dependency: s("Nope") },
    7003, EventLevel::Error, SCM,
    "The A service depends on the following service: Nope. This service might not be installed."
)]
#[case::e7009(
    ScmEvent::ConnectTimeout { timeout_ms: 30000, display_name: s("A") },
    7009, EventLevel::Error, SCM,
    "A timeout was reached (30000 milliseconds) while waiting for the A service to connect."
)]
#[case::e7011(
    ScmEvent::TransactionTimeout { timeout_ms: 30000, display_name: s("A") },
    7011, EventLevel::Error, SCM,
    "A timeout (30000 milliseconds) was reached while waiting for a transaction response from the A service."
)]
#[case::e7016(
    ScmEvent::BadServiceState { display_name: s("A"), state: 9 },
    7016, EventLevel::Error, SCM,
    "The A service has reported an invalid current state 9."
)]
#[case::e7022(
    ScmEvent::StartHung { display_name: s("A") },
    7022, EventLevel::Error, SCM,
    "The A service hung on starting."
)]
#[case::e7023(
    ScmEvent::ExitFailed { display_name: s("A"), error: Win32Error::ACCESS_DENIED },
    7023, EventLevel::Error, SCM,
    "The A service terminated with the following error: \nAccess is denied."
)]
#[case::e7024_known(
    ScmEvent::ExitFailedSpecific { display_name: s("A"), code: 1 },
    7024, EventLevel::Error, SCM,
    "The A service terminated with the following service-specific error: \nIncorrect function."
)]
#[case::e7024_unknown(
    ScmEvent::ExitFailedSpecific { display_name: s("A"), code: 17058 },
    7024, EventLevel::Error, SCM,
    "The A service terminated with the following service-specific error: \n%%17058"
)]
#[case::e7026(
    ScmEvent::BootDriversFailed { drivers: vec![s("dam"), s("luafv")] },
    7026, EventLevel::Error, SCM,
    "The following boot-start or system-start driver(s) did not load: \ndam\nluafv"
)]
#[case::e7031(
    ScmEvent::Crash { display_name: s("A"), count: 2, delay_ms: 60000, action_type: RecoveryAction::Restart },
    7031, EventLevel::Error, SCM,
    "The A service terminated unexpectedly.  It has done this 2 time(s).  The following corrective action will be taken in 60000 milliseconds: Restart the service."
)]
#[case::e7031_own_restart(
    ScmEvent::Crash { display_name: s("A"), count: 1, delay_ms: 0, action_type: RecoveryAction::from_code(4) },
    7031, EventLevel::Error, SCM,
    "The A service terminated unexpectedly.  It has done this 1 time(s).  The following corrective action will be taken in 0 milliseconds: Restart the service."
)]
#[case::e7032(
    ScmEvent::RecoveryFailed { display_name: s("A"), action_type: RecoveryAction::RunCommand, error: Win32Error::FILE_NOT_FOUND },
    7032, EventLevel::Error, SCM,
    "The Service Control Manager tried to take a corrective action (Run the configured recovery program) after the unexpected termination of the A service, but this action failed with the following error: \nThe system cannot find the file specified."
)]
#[case::e7034(
    ScmEvent::CrashNoAction { display_name: s("A"), count: 1 },
    7034, EventLevel::Error, SCM,
    "The A service terminated unexpectedly.  It has done this 1 time(s)."
)]
#[case::e7035(
    ScmEvent::ControlSent { display_name: s("A"), control: ControlWord::Start },
    7035, EventLevel::Information, SCM,
    "The A service was successfully sent a start control."
)]
#[case::e7036(
    ScmEvent::EnteredState { display_name: s("A"), state: LoggedState::Stopped },
    7036, EventLevel::Information, SCM,
    "The A service entered the stopped state."
)]
#[case::e7038(
    ScmEvent::LogonFailed { display_name: s("A"), account: s(r".\bob"), error: Win32Error::LOGON_FAILURE },
    7038, EventLevel::Error, SCM,
    "The A service was unable to log on as .\\bob with the currently configured password due to the following error: \nThe user name or password is incorrect.\n\nTo ensure that the service is configured properly, use the Services snap-in in Microsoft Management Console (MMC)."
)]
#[case::e7039(
    ScmEvent::DifferentProcessConnected { display_name: s("A"), launched_pid: 100, connected_pid: 200 },
    7039, EventLevel::Warning, SCM,
    "A service process other than the one launched by the Service Control Manager connected when starting the A service.  The Service Control Manager launched process 100 and process 200 connected instead.\n\n  Note that if this service is configured to start under a debugger, this behavior is expected."
)]
#[case::e7040(
    ScmEvent::StartTypeChanged { display_name: s("A"), from: StartTypeText::Auto, to: StartTypeText::Disabled },
    7040, EventLevel::Information, SCM,
    "The start type of the A service was changed from auto start to disabled."
)]
#[case::e7042(
    ScmEvent::StopWithReason {
        display_name: s("A"),
        control: ControlWord::Stop,
        reason_code: 0x4003_0011,
        reason_text: s("Operating System: Network Connectivity (Planned)"),
        comment: s("None"),
    },
    7042, EventLevel::Information, SCM,
    "The A service was successfully sent a stop control.\n\n The reason specified was: 0x40030011 [Operating System: Network Connectivity (Planned)]\n\n Comment: None"
)]
#[case::e7043(
    ScmEvent::PreshutdownFailed { display_name: s("A") },
    7043, EventLevel::Error, SCM,
    "The A service did not shut down properly after receiving a preshutdown control."
)]
#[case::e7045(
    ScmEvent::Installed {
        service_name: s("Demo"),
        image_path: s(r"C:\demo.exe"),
        service_type: InstalledServiceType::UserModeService,
        start_type: StartTypeText::Demand,
        account: s("LocalSystem"),
    },
    7045, EventLevel::Information, SCM,
    "A service was installed in the system.\n\nService Name:  Demo\nService File Name:  C:\\demo.exe\nService Type:  user mode service\nService Start Type:  demand start\nService Account:  LocalSystem"
)]
#[case::svchost101(
    ScmEvent::ServiceMainStart { service_name: s("gpsvc"), dll: s(r"C:\Windows\System32\gpsvc.dll") },
    101, EventLevel::Information, EventSource::Svchost,
    "ServiceMain: svchost is calling ServiceMain of the gpsvc service (C:\\Windows\\System32\\gpsvc.dll)."
)]
#[case::svchost102(
    ScmEvent::ServiceMainStop { service_name: s("gpsvc"), dll: s("gpsvc.dll") },
    102, EventLevel::Information, EventSource::Svchost,
    "ServiceMain: ServiceMain of the gpsvc service (gpsvc.dll) returned."
)]
fn id_level_source_and_text(
    #[case] event: ScmEvent,
    #[case] id: u32,
    #[case] level: EventLevel,
    #[case] source: EventSource,
    #[case] message: &str,
) {
    assert_eq!(event.id(), id);
    assert_eq!(event.level(), level);
    assert_eq!(event.source(), source);
    assert_eq!(event.message(), message);
    assert!(
        !event.message().contains('\r'),
        "no CRLF in simulator texts"
    );
}

#[rstest]
#[case::e7041(ScmEvent::LogonTypeNotGranted { display_name: s("A"), account: s(r"DOM\svc") }, 7041, EventLevel::Error,
    "The A service was unable to log on as DOM\\svc with the currently configured password due to the following error: \nLogon failure: the user has not been granted the requested logon type at this computer.\n \nService: A \nDomain and account: DOM\\svc\n \nThis service account")]
#[case::e7044(ScmEvent::SlowStart { display_name: s("A"), minutes: 3 }, 7044, EventLevel::Warning,
    "The following service is taking more than 3 minutes to start and may have stopped responding: A\n\nContact your system administrator")]
#[case::e7046(ScmEvent::RepeatedControlHang { display_name: s("A") }, 7046, EventLevel::Warning,
    "The following service has repeatedly stopped responding to service control requests: A\n\nContact the service vendor")]
fn long_texts_start_right(
    #[case] event: ScmEvent,
    #[case] id: u32,
    #[case] level: EventLevel,
    #[case] start: &str,
) {
    assert_eq!(event.id(), id);
    assert_eq!(event.level(), level);
    assert_eq!(event.source(), SCM);
    let message = event.message();
    assert!(message.starts_with(start), "{message}");
    assert!(message.ends_with('.'), "{message}");
    assert!(!message.contains('%'), "every insertion filled: {message}");
}

#[test]
fn symbols_exist_for_netevent_ids_only() {
    let e = ScmEvent::Crash {
        display_name: s("A"),
        count: 1,
        delay_ms: 0,
        action_type: RecoveryAction::Reboot,
    };
    assert_eq!(e.symbol(), Some("EVENT_SERVICE_CRASH"));
    assert_eq!(e.insertion_strings()[3], "2");
    assert_eq!(e.insertion_strings()[4], "Reboot the machine");
    assert_eq!(
        ScmEvent::SlowStart {
            display_name: s("A"),
            minutes: 1
        }
        .symbol(),
        None
    );
}

#[rstest]
#[case(1, Some(LoggedState::Stopped))]
#[case(2, None)]
#[case(3, None)]
#[case(4, Some(LoggedState::Running))]
#[case(5, None)]
#[case(6, None)]
#[case(7, Some(LoggedState::Paused))]
#[case(0, None)]
fn only_settled_states_are_logged(#[case] code: u32, #[case] state: Option<LoggedState>) {
    assert_eq!(LoggedState::from_state_code(code), state);
}

#[rstest]
#[case(0, "boot start")]
#[case(1, "system start")]
#[case(2, "auto start")]
#[case(3, "demand start")]
#[case(4, "disabled")]
fn start_type_words(#[case] code: u32, #[case] words: &str) {
    assert_eq!(
        StartTypeText::from_code(code).map(StartTypeText::as_str),
        Some(words)
    );
}

#[rstest]
#[case(0x10, "user mode service")]
#[case(0x20, "user mode service")]
#[case(0x1, "kernel mode driver")]
#[case(0x2, "file system driver")]
fn service_type_words(#[case] bits: u32, #[case] words: &str) {
    assert_eq!(InstalledServiceType::from_type_bits(bits).as_str(), words);
}

#[test]
fn control_and_action_codes_round_trip() {
    for code in 0..=300 {
        assert_eq!(RecoveryAction::from_code(code).code(), code);
    }
    assert_eq!(ControlWord::from_code(1).text(), "stop");
    assert_eq!(ControlWord::from_code(128).text(), "128");
    assert_eq!(StartTypeText::from_code(5), None);
}

#[test]
fn scm_event_serde_round_trip() {
    let e = ScmEvent::StartFailed {
        display_name: s("A"),
        error: Win32Error(1053),
    };
    let json = serde_json::to_string(&e).unwrap();
    assert_eq!(
        json,
        r#"{"event":"StartFailed","display_name":"A","error":1053}"#
    );
    assert_eq!(serde_json::from_str::<ScmEvent>(&json).unwrap(), e);
}
