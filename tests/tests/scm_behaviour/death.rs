//! A.7: process death — kills, panics, crashes while starting, failure actions.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Death {
    /// `Machine::crash` (TerminateProcess).
    Killed,
    /// ServiceMain panics.
    ServiceMainPanics,
    /// The control handler panics on user control 200.
    HandlerPanics,
    /// Scripted `crash=after:5s`.
    ScriptedCrash,
}

/// A Rust service RUNNING accepting STOP that panics in ServiceMain after 5 s if `main`,
/// or in its handler on control 200 if `handler`.
fn panicking(main: bool, handler: bool) -> impl scm_sim::service::Service {
    service_fn(move |ctx: ServiceContext, _args| async move {
        let status = ctx
            .register_handler(move |req| {
                if handler && req.control == ServiceControl::UserDefined(200) {
                    panic!("handler boom");
                }
                ServiceControlHandlerResult::NoError
            })
            .unwrap();
        status
            .set_status(ServiceStatus::running(ServiceControlAccept::STOP))
            .unwrap();
        tokio::time::sleep(Duration::from_secs(5)).await;
        if main {
            panic!("ServiceMain boom");
        }
        std::future::pending::<()>().await;
    })
}

/// A.7.53, facts §6.2–§6.3: a service process that dies while RUNNING leaves its service
/// STOPPED with 1067, nothing accepted, pid 0; event 7034 without failure actions, 7031 with
/// them, and a restart action restarts it after its delay on the virtual clock. A pending
/// NotifyServiceStatusChange fires with STOPPED. The machine keeps running.
#[rstest]
#[case::killed(Death::Killed, false)]
#[case::killed_with_restart_action(Death::Killed, true)]
#[case::service_main_panics(Death::ServiceMainPanics, false)]
#[case::service_main_panics_with_restart_action(Death::ServiceMainPanics, true)]
#[case::handler_panics(Death::HandlerPanics, false)]
#[case::scripted_crash(Death::ScriptedCrash, false)]
#[case::scripted_crash_with_restart_action(Death::ScriptedCrash, true)]
fn process_death(#[case] death: Death, #[case] restart: bool) {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    let image = install_victim(&mut m, death);
    let h = create_own(&mut m, scm, "Victim", image);
    if restart {
        m.change_service_config2(h, &restart_after(60_000)).unwrap();
    }
    m.start_service(h, &[]).unwrap();
    let first = status(&mut m, h);
    assert_eq!(first.current_state, ServiceState::Running);
    let watcher = m.open_service(scm, "Victim", SERVICE_QUERY_STATUS).unwrap();
    let mut notification = m
        .notify_service_status_change(watcher, ServiceState::Stopped.notify_bit())
        .unwrap();
    assert_eq!(notification.try_take().unwrap(), None, "not stopped yet");

    let t_death = die(&mut m, h, death, first.process_id);
    let s = status(&mut m, h);
    assert_eq!(s.current_state, ServiceState::Stopped);
    assert_eq!(s.win32_exit_code, 1067);
    assert_eq!(s.service_specific_exit_code, 0);
    assert_eq!(s.controls_accepted, NONE);
    assert_eq!((s.checkpoint, s.wait_hint_ms, s.process_id), (0, 0, 0));
    assert!(m.processes().is_empty());
    let fired = notification
        .try_take()
        .unwrap()
        .expect("the notification fired");
    assert_eq!(fired.triggered, ServiceState::Stopped.notify_bit());
    assert_eq!(fired.status, s);
    let crash_event = if restart { 7031 } else { 7034 };
    assert_eq!(
        event_ids_after_install(&m, "Victim"),
        vec![7036, crash_event]
    );
    assert_eq!(code(&m.crash("Victim")), 1062, "nothing left to kill");
    recovery_after_death(&mut m, h, restart, t_death, first.process_id);

    // The machine keeps working.
    let other = create_own(&mut m, scm, "Other", r"C:\svc\other.exe");
    m.start_service(other, &[]).unwrap();
    assert_eq!(state(&mut m, other), ServiceState::Running);
}

/// Installs what service `Victim` runs for `death`; returns its image path.
fn install_victim(m: &mut Machine, death: Death) -> &'static str {
    match death {
        Death::ScriptedCrash => {
            m.set_behavior("Victim", behavior(&[("crash", "after:5s")]));
            r"C:\svc\scripted.exe"
        }
        _ => {
            m.install(
                PATH,
                ServiceTable::single(
                    "Victim",
                    panicking(
                        death == Death::ServiceMainPanics,
                        death == Death::HandlerPanics,
                    ),
                ),
            );
            PATH
        }
    }
}

/// Makes the running service behind `h` (in process `pid`) die as `death` says; the virtual
/// time of its death.
fn die(m: &mut Machine, h: ScHandle, death: Death, pid: u32) -> Duration {
    match death {
        Death::Killed => {
            assert_eq!(m.crash("victim").unwrap(), pid);
        }
        Death::HandlerPanics => {
            let r = m.control_service(h, ServiceControl::UserDefined(200));
            assert!(r.is_err(), "the control dies with the process: {r:?}");
        }
        Death::ServiceMainPanics | Death::ScriptedCrash => {
            m.advance(Duration::from_secs(5));
        }
    }
    m.now()
}

/// Recovery: with a restart action, a restart after exactly the configured 60 s (in a new
/// process, not the dead one, `pid`); without, the service stays STOPPED.
fn recovery_after_death(m: &mut Machine, h: ScHandle, restart: bool, t_death: Duration, pid: u32) {
    let until_restart = Duration::from_millis(59_999) - (m.now() - t_death);
    m.advance(until_restart);
    assert_eq!(state(m, h), ServiceState::Stopped);
    m.advance(Duration::from_millis(1));
    let after = status(m, h);
    if restart {
        assert_eq!(
            after.current_state,
            ServiceState::Running,
            "restarted after 60 s"
        );
        assert_ne!(after.process_id, 0);
        assert_ne!(after.process_id, pid, "in a new process");
    } else {
        assert_eq!(after.current_state, ServiceState::Stopped);
    }
}

/// A.7.53, facts §6.2: a process that dies after its dispatcher acknowledged the start, with
/// the service still START_PENDING (no report yet, or a START_PENDING one), is a crash like
/// any other: STOPPED, 1067, pid 0, event 7034, and its process is gone.
#[rstest]
#[case::killed_before_any_report(None, false)]
#[case::killed_after_start_pending(Some(pending(ServiceState::StartPending, NONE)), false)]
#[case::scripted_crash_while_starting(None, true)]
fn crash_while_start_pending(#[case] first: Option<ServiceStatus>, #[case] scripted: bool) {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    let h = if scripted {
        m.set_behavior("Puppet", behavior(&[("crash", "start")]));
        create_own(&mut m, scm, "Puppet", PATH)
    } else {
        let probe = Probe::default();
        install_own(&mut m, "Puppet", PUPPET, puppet(&probe, first))
    };
    assert_eq!(
        code(&m.start_service(h, &[])),
        0,
        "the dispatcher acknowledged the start"
    );
    if !scripted {
        let s = status(&mut m, h);
        assert_eq!(s.current_state, ServiceState::StartPending);
        assert_ne!(s.process_id, 0);
        m.crash("Puppet").unwrap();
    }
    let s = status(&mut m, h);
    assert_eq!(s.current_state, ServiceState::Stopped);
    assert_eq!(s.win32_exit_code, 1067);
    assert_eq!((s.process_id, s.checkpoint, s.wait_hint_ms), (0, 0, 0));
    assert!(m.processes().is_empty());
    assert_eq!(event_ids_after_install(&m, "Puppet"), vec![7034]);
    assert_eq!(
        state_changes(&m, "Puppet"),
        vec![
            ("STOPPED".to_string(), "START_PENDING".to_string()),
            ("START_PENDING".to_string(), "STOPPED".to_string())
        ]
    );
}

/// A.7.53 and C.4: when a shared process dies every not-yet-stopped service in it stops
/// with 1067 (each counts a failure); one already STOPPED keeps its exit code.
#[test]
fn shared_process_death_stops_every_service_in_it() {
    let mut m = machine();
    let image = r"C:\svc\host.exe -k grp";
    let scm = admin_scm(&mut m);
    let mut handles = Vec::new();
    for name in ["S1", "S2", "S3"] {
        let h = m
            .create_service(scm, &CreateServiceParams::share_process(name, image))
            .unwrap();
        m.start_service(h, &[]).unwrap();
        handles.push(h);
    }
    let pid = status(&mut m, handles[0]).process_id;
    assert!(handles.iter().all(|&h| status(&mut m, h).process_id == pid));
    m.control_service(handles[2], ServiceControl::Stop).unwrap();
    assert_eq!(state(&mut m, handles[2]), ServiceState::Stopped);
    m.crash("S1").unwrap();
    for (i, &h) in handles.iter().enumerate() {
        let s = status(&mut m, h);
        assert_eq!(s.current_state, ServiceState::Stopped);
        assert_eq!(s.process_id, 0);
        assert_eq!(s.win32_exit_code, if i < 2 { 1067 } else { 0 });
    }
    assert_eq!(event_ids_after_install(&m, "S2"), vec![7036, 7034]);
    assert_eq!(event_ids_after_install(&m, "S3"), vec![7036, 7036]);
}

/// Crash counting: "It has done this N time(s)" counts up; the Nth failure takes the Nth
/// action (the last repeats).
#[test]
fn crash_count_and_nth_action() {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    let h = create_own(&mut m, scm, "Flaky", PATH);
    m.change_service_config2(
        h,
        &ServiceConfig2::FailureActions {
            reset_period: 86_400,
            reboot_message: None,
            command: None,
            actions: Some(vec![
                ScAction::new(ScActionKind::Restart, 1_000),
                ScAction::new(ScActionKind::None, 0),
            ]),
        },
    )
    .unwrap();
    m.start_service(h, &[]).unwrap();
    m.crash("Flaky").unwrap();
    m.advance(Duration::from_secs(1));
    assert_eq!(
        state(&mut m, h),
        ServiceState::Running,
        "first failure: restart"
    );
    m.crash("Flaky").unwrap();
    m.advance(Duration::from_secs(5));
    assert_eq!(
        state(&mut m, h),
        ServiceState::Stopped,
        "second failure: no action"
    );
    let texts: Vec<String> = m
        .events()
        .into_iter()
        .filter(|e| matches!(e.id, 7031 | 7034))
        .map(|e| e.message().into_owned())
        .collect();
    assert_eq!(
        texts,
        vec![
            "The Flaky service terminated unexpectedly.  It has done this 1 time(s).  The following corrective action will be taken in 1000 milliseconds: Restart the service.".to_string(),
            "The Flaky service terminated unexpectedly.  It has done this 2 time(s).".to_string(),
        ]
    );
}

/// facts §6.3: a restart action with delay 0 restarts at once; a service that crashes while
/// starting then fails and restarts again and again. On Windows each round costs real time
/// (a process launch); in the simulation virtual time must still be able to pass — a machine
/// stuck in an endless loop at one instant cannot be advanced (every `Machine::advance` or
/// blocking call would spin forever, the trace growing without bound).
///
/// The loop is observed through `Machine::settle`, which gives up after a bounded number of
/// rounds: after StartService returns, the trace must not hold hundreds of restarts at 0 s.
#[test]
fn zero_delay_restart_loop_lets_time_pass() {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    m.set_behavior("Loop", behavior(&[("crash", "start")]));
    let h = create_own(&mut m, scm, "Loop", PATH);
    m.change_service_config2(h, &restart_after(0)).unwrap();
    let _ = m.start_service(h, &[]);
    let starts = state_changes(&m, "Loop")
        .iter()
        .filter(|(_, to)| to == "START_PENDING")
        .count();
    assert!(starts < 100, "{starts} restarts at {:?}", m.now());
}
