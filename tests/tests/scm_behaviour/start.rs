//! A.4: StartService — outcomes, timeouts, argv, the initial status.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq)]
enum StartCase {
    Normal,
    NoStartRight,
    Disabled,
    DisabledTwice,
    AlreadyRunning,
    StillStartPending,
    ExitsBeforeConnecting,
    NeverConnects,
    MissingImage,
    NotInDispatchTable,
}

/// A.4.25–A.4.33: StartService's outcomes. `elapsed` is the virtual time the call took;
/// `exit` the dwWin32ExitCode left behind; `events` what the event log says about it.
#[rstest]
#[case::normal(StartCase::Normal, 0, ServiceState::Running, 0, 0, &[7036])]
#[case::no_start_right(StartCase::NoStartRight, 5, ServiceState::Stopped, 1077, 0, &[])]
#[case::disabled(StartCase::Disabled, 1058, ServiceState::Stopped, 1077, 0, &[])]
#[case::disabled_twice(StartCase::DisabledTwice, 1058, ServiceState::Stopped, 1077, 0, &[])]
#[case::already_running(StartCase::AlreadyRunning, 1056, ServiceState::Running, 0, 0, &[7036])]
#[case::still_start_pending(StartCase::StillStartPending, 1056, ServiceState::StartPending, 0, 0, &[])]
#[case::exits_before_connecting(StartCase::ExitsBeforeConnecting, 1053, ServiceState::Stopped, 1053, 0, &[7000])]
#[case::never_connects(StartCase::NeverConnects, 1053, ServiceState::Stopped, 1053, 30, &[7009, 7000])]
#[case::missing_image(StartCase::MissingImage, 2, ServiceState::Stopped, 2, 0, &[7000])]
#[case::not_in_dispatch_table(StartCase::NotInDispatchTable, 1083, ServiceState::Stopped, 1083, 0, &[7000])]
fn start_service(
    #[case] case: StartCase,
    #[case] expected: u32,
    #[case] end_state: ServiceState,
    #[case] exit: u32,
    #[case] elapsed_s: u64,
    #[case] events: &[u32],
) {
    let (mut m, full, h) = start_case_machine(case);
    let t0 = m.now();
    let r = m.start_service(h, &[]);
    assert_eq!(code(&r), expected, "{case:?}: {r:?}");
    assert_eq!(
        m.now() - t0,
        Duration::from_secs(elapsed_s),
        "virtual time taken"
    );
    let s = status(&mut m, full);
    assert_eq!(s.current_state, end_state);
    assert_eq!(s.win32_exit_code, exit);
    if end_state == ServiceState::Stopped {
        assert_eq!(s.process_id, 0);
        assert_eq!(s.controls_accepted, ServiceControlAccept::empty());
        assert_eq!((s.checkpoint, s.wait_hint_ms), (0, 0));
        assert!(
            m.processes().is_empty(),
            "no process left: {:?}",
            m.processes()
        );
    } else {
        assert_ne!(s.process_id, 0);
    }
    assert_eq!(event_ids_after_install(&m, "Svc").as_slice(), events);
    if case == StartCase::Disabled {
        // A.4.25: STOP afterwards is 1062 and the state stays STOPPED.
        assert_eq!(code(&m.control_service(full, ServiceControl::Stop)), 1062);
        assert_eq!(state(&mut m, full), ServiceState::Stopped);
    }
}

/// The machine of a start case, with service `Svc` created as the case needs and brought to
/// the state the case starts from: the machine, a handle with every right, and the handle
/// the case starts with.
fn start_case_machine(case: StartCase) -> (Machine, ScHandle, ScHandle) {
    let mut m = match case {
        StartCase::MissingImage => Machine::builder()
            .settings(Settings {
                script_unknown_images: false,
                ..Settings::default()
            })
            .build()
            .unwrap(),
        _ => machine(),
    };
    let scm = admin_scm(&mut m);
    let p = start_case_params(&mut m, case);
    let full = m.create_service(scm, &p).unwrap();
    let h = match case {
        StartCase::NoStartRight => m
            .open_service(scm, "Svc", SERVICE_ALL_ACCESS & !SERVICE_START)
            .unwrap(),
        _ => full,
    };
    match case {
        StartCase::AlreadyRunning | StartCase::StillStartPending => {
            m.start_service(h, &[]).unwrap()
        }
        StartCase::DisabledTwice => assert_eq!(code(&m.start_service(h, &[])), 1058),
        _ => {}
    }
    (m, full, h)
}

/// `Svc`'s parameters for a start case, with the programs and behaviours it needs installed.
fn start_case_params(m: &mut Machine, case: StartCase) -> CreateServiceParams {
    let mut p = CreateServiceParams::own_process("Svc", PATH);
    match case {
        StartCase::Disabled | StartCase::DisabledTwice => p.start_type = ServiceStartType::Disabled,
        StartCase::NotInDispatchTable => {
            p.service_type = ServiceType::SHARE_PROCESS;
            m.install(
                PATH,
                ServiceTable::new()
                    .with("Other1", well_behaved(ServiceControlAccept::STOP))
                    .with("Other2", well_behaved(ServiceControlAccept::STOP)),
            );
        }
        StartCase::StillStartPending => m.set_behavior("Svc", behavior(&[("start-time", "10s")])),
        StartCase::ExitsBeforeConnecting => {
            m.set_behavior("Svc", behavior(&[("exit", "before-connect")]))
        }
        StartCase::NeverConnects => m.set_behavior("Svc", behavior(&[("hang", "connect")])),
        _ => {}
    }
    p
}

/// A.4.30: ServicesPipeTimeout (REG_DWORD ms under Control) is read at boot and bounds the
/// connect wait; event 7009 states it.
#[test]
fn pipe_timeout_comes_from_the_registry() {
    let mut m = machine();
    let control = r"HKLM\SYSTEM\CurrentControlSet\Control";
    m.with_registry(|reg| {
        let sys = Caller::local_system();
        reg.create_key(&sys, control).unwrap();
        reg.set_value(&sys, control, "ServicesPipeTimeout", RegValue::dword(5_000))
            .unwrap();
    });
    m.boot();
    let scm = admin_scm(&mut m);
    m.set_behavior("Svc", behavior(&[("hang", "connect")]));
    let h = create_own(&mut m, scm, "Svc", PATH);
    let t0 = m.now();
    assert_eq!(code(&m.start_service(h, &[])), 1053);
    assert_eq!(m.now() - t0, Duration::from_secs(5));
    let e7009 = m.events().into_iter().find(|e| e.id == 7009).unwrap();
    assert_eq!(
        e7009.message(),
        "A timeout was reached (5000 milliseconds) while waiting for the Svc service to connect."
    );
}

/// A.4.33: ServiceMain's argv is the key name as the SCM stores it, then the arguments.
#[rstest]
#[case::no_args(&[], &["ArgSvc"])]
#[case::two_args(&["param1", "param2"], &["ArgSvc", "param1", "param2"])]
#[case::empty_arg(&[""], &["ArgSvc", ""])]
fn service_main_argv(#[case] args: &[&str], #[case] argv: &[&str]) {
    let mut m = machine();
    let probe = Probe::default();
    let h = install_own(
        &mut m,
        "ArgSvc",
        PUPPET,
        puppet(
            &probe,
            Some(ServiceStatus::running(ServiceControlAccept::STOP)),
        ),
    );
    let scm = admin_scm(&mut m);
    // Opened by another spelling: argv[0] is still the stored key name.
    let other = m.open_service(scm, "ARGSVC", SERVICE_START).unwrap();
    m.start_service(other, args).unwrap();
    assert_eq!(
        probe.args(),
        vec![argv.iter().map(|s| s.to_string()).collect::<Vec<_>>()]
    );
    assert_eq!(state(&mut m, h), ServiceState::Running);
}

/// A.4.34 and B.1 ("recommended model"): until the first SetServiceStatus the SCM reports
/// START_PENDING, no controls, checkpoint 0, wait hint 2000 ms; StartService has returned by
/// then (it does not wait for RUNNING).
#[test]
fn initial_status_before_the_first_report() {
    let mut m = machine();
    let reported = Arc::new(Mutex::new(false));
    let flag = reported.clone();
    let h = install_own(
        &mut m,
        "Slow",
        PUPPET,
        service_fn(move |ctx: ServiceContext, _args| {
            let flag = flag.clone();
            async move {
                let status = ctx
                    .register_handler(|_| ServiceControlHandlerResult::NoError)
                    .unwrap();
                tokio::time::sleep(Duration::from_secs(5)).await;
                *flag.lock().unwrap() = true;
                status
                    .set_status(ServiceStatus::running(ServiceControlAccept::STOP))
                    .unwrap();
                std::future::pending::<()>().await;
            }
        }),
    );
    let t0 = m.now();
    m.start_service(h, &[]).unwrap();
    assert_eq!(m.now(), t0, "StartService returned without waiting");
    let s = status(&mut m, h);
    assert_eq!(s.current_state, ServiceState::StartPending);
    assert_eq!(s.controls_accepted, ServiceControlAccept::empty());
    assert_eq!(s.checkpoint, 0);
    assert_eq!(s.wait_hint_ms, 2000);
    assert_eq!(s.win32_exit_code, 0);
    assert!(!*reported.lock().unwrap());
    // Controls other than STOP are refused in START_PENDING; STOP is not accepted yet.
    assert_eq!(
        code(&m.control_service(h, ServiceControl::Interrogate)),
        1061
    );
    assert_eq!(code(&m.control_service(h, ServiceControl::Stop)), 1052);
    m.advance(Duration::from_secs(5));
    let s = status(&mut m, h);
    assert_eq!(s.current_state, ServiceState::Running);
    assert_eq!((s.checkpoint, s.wait_hint_ms), (0, 0));
}

/// `Machine::advance` lets virtual time pass (the documented way to wait in a test).
#[test]
fn machine_advance_lets_virtual_time_pass() {
    let mut m = machine();
    let t0 = m.now();
    m.advance(Duration::from_secs(3));
    assert_eq!(m.now() - t0, Duration::from_secs(3));
}

/// A.4.28 with facts §6.2 and §8.2: a process that exits before connecting its dispatcher
/// fails the start (1053 at once, event 7000). The service never ran, so it did not
/// "terminate unexpectedly": no 7034/7031, no failure counted, no recovery action, and the
/// record goes START_PENDING → STOPPED once.
#[test]
fn exit_before_connect_is_a_start_failure_not_a_crash() {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    m.set_behavior("Svc", behavior(&[("exit", "before-connect")]));
    let h = create_own(&mut m, scm, "Svc", PATH);
    m.change_service_config2(h, &restart_after(60_000)).unwrap();
    assert_eq!(code(&m.start_service(h, &[])), 1053);
    assert_eq!(event_ids_after_install(&m, "Svc"), vec![7000]);
    let changes = state_changes(&m, "Svc");
    assert_eq!(
        changes,
        vec![
            ("STOPPED".into(), "START_PENDING".into()),
            ("START_PENDING".into(), "STOPPED".into())
        ]
    );
    m.advance(Duration::from_secs(120));
    assert_eq!(
        state(&mut m, h),
        ServiceState::Stopped,
        "no recovery restart"
    );
}

/// facts §4.2 and §8.2 ("Start timeout: 7009 + 7000"): a process that never connects gets
/// events 7009 and 7000 after the pipe timeout, and nothing while the SCM waits for it to
/// connect (the SCM's own 2000 ms initial wait hint is not a hang of the service).
#[test]
fn connect_timeout_logs_7009_and_7000() {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    m.set_behavior("Svc", behavior(&[("hang", "connect")]));
    let h = create_own(&mut m, scm, "Svc", PATH);
    assert_eq!(code(&m.start_service(h, &[])), 1053);
    assert_eq!(event_ids_after_install(&m, "Svc"), vec![7009, 7000]);
}

/// facts §4.2: "Start pending with no status update: 80 seconds plus the last wait hint" —
/// then the SCM logs 7022. Not at the end of the wait hint itself.
#[test]
fn start_hang_is_logged_after_80_s_plus_the_wait_hint() {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    m.set_behavior("Svc", behavior(&[("hang", "start")]));
    let h = create_own(&mut m, scm, "Svc", PATH);
    m.start_service(h, &[]).unwrap();
    let s = status(&mut m, h);
    assert_eq!(
        (s.current_state, s.checkpoint, s.wait_hint_ms),
        (ServiceState::StartPending, 1, 2000)
    );
    m.advance(Duration::from_millis(81_999));
    assert!(!event_ids(&m, "Svc").contains(&7022), "too early");
    m.advance(Duration::from_millis(1));
    assert!(event_ids(&m, "Svc").contains(&7022));
    assert_eq!(
        state(&mut m, h),
        ServiceState::StartPending,
        "Windows leaves it pending"
    );
}
