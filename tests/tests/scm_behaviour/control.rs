//! A.5: ControlService — the state × control × accept table, access, 87, 1051, handler results and timeouts.

use super::*;

/// facts §1.5 and A.5.37–A.5.40: the state × control × accepted-mask table. The puppet's
/// handler changes nothing, so a delivered control leaves the state as it was; a refused one
/// never reaches the handler.
#[rstest]
// STOPPED: 1062 for everything.
#[case::stopped_stop(ServiceState::Stopped, STOP, 1, 1062)]
#[case::stopped_pause(ServiceState::Stopped, PC, 2, 1062)]
#[case::stopped_interrogate(ServiceState::Stopped, NONE, 4, 1062)]
#[case::stopped_user(ServiceState::Stopped, NONE, 200, 1062)]
// STOP_PENDING: 1061 for everything.
#[case::stop_pending_stop(ServiceState::StopPending, STOP, 1, 1061)]
#[case::stop_pending_continue(ServiceState::StopPending, PC, 3, 1061)]
#[case::stop_pending_interrogate(ServiceState::StopPending, NONE, 4, 1061)]
#[case::stop_pending_user(ServiceState::StopPending, NONE, 128, 1061)]
// START_PENDING: STOP goes to the accept check, the rest is 1061 (C.6: INTERROGATE too).
#[case::start_pending_stop_accepted(ServiceState::StartPending, STOP, 1, 0)]
#[case::start_pending_stop_not_accepted(ServiceState::StartPending, NONE, 1, 1052)]
#[case::start_pending_pause(ServiceState::StartPending, PC, 2, 1061)]
#[case::start_pending_interrogate(ServiceState::StartPending, STOP, 4, 1061)]
#[case::start_pending_user(ServiceState::StartPending, STOP, 130, 1061)]
// RUNNING: deliver if accepted, else 1052; INTERROGATE and user codes need no bit.
#[case::running_stop(ServiceState::Running, STOP, 1, 0)]
#[case::running_stop_not_accepted(ServiceState::Running, PC, 1, 1052)]
#[case::running_pause(ServiceState::Running, PC, 2, 0)]
#[case::running_pause_not_accepted(ServiceState::Running, STOP, 2, 1052)]
#[case::running_continue(ServiceState::Running, PC, 3, 0)]
#[case::running_continue_not_accepted(ServiceState::Running, STOP, 3, 1052)]
#[case::running_interrogate(ServiceState::Running, NONE, 4, 0)]
#[case::running_paramchange(ServiceState::Running, PARAM, 6, 0)]
#[case::running_paramchange_not_accepted(ServiceState::Running, STOP, 6, 1052)]
#[case::running_netbindadd(ServiceState::Running, NETBIND, 7, 0)]
#[case::running_netbinddisable_not_accepted(ServiceState::Running, STOP, 10, 1052)]
#[case::running_user_128(ServiceState::Running, NONE, 128, 0)]
#[case::running_user_255(ServiceState::Running, NONE, 255, 0)]
// PAUSED / PAUSE_PENDING / CONTINUE_PENDING: like RUNNING.
#[case::paused_continue(ServiceState::Paused, PC, 3, 0)]
#[case::paused_continue_not_accepted(ServiceState::Paused, STOP, 3, 1052)]
#[case::paused_stop(ServiceState::Paused, STOP | PC, 1, 0)]
#[case::paused_interrogate(ServiceState::Paused, PC, 4, 0)]
#[case::paused_user(ServiceState::Paused, NONE, 200, 0)]
#[case::pause_pending_stop(ServiceState::PausePending, STOP, 1, 0)]
#[case::pause_pending_pause(ServiceState::PausePending, PC, 2, 0)]
#[case::pause_pending_interrogate(ServiceState::PausePending, NONE, 4, 0)]
#[case::pause_pending_stop_not_accepted(ServiceState::PausePending, PC, 1, 1052)]
#[case::continue_pending_continue(ServiceState::ContinuePending, PC, 3, 0)]
#[case::continue_pending_user(ServiceState::ContinuePending, NONE, 140, 0)]
#[case::continue_pending_pause_not_accepted(ServiceState::ContinuePending, STOP, 2, 1052)]
fn control_state_table(
    #[case] in_: ServiceState,
    #[case] accept: ServiceControlAccept,
    #[case] control: u32,
    #[case] expected: u32,
) {
    let (mut m, h, probe) = started_puppet(None);
    report(&mut m, &probe.status(), in_state(in_, accept)).unwrap();
    let before = status(&mut m, h);
    assert_eq!(before.current_state, in_);
    let r = control_raw(&mut m, h, control);
    assert_eq!(
        code(&r),
        expected,
        "{in_:?} accepting {accept:?}, control {control}: {r:?}"
    );
    let after = status(&mut m, h);
    assert_eq!(after, before, "the puppet's handler changes nothing");
    if let Ok(returned) = r {
        assert_eq!(returned, after, "ControlService returns the current status");
        assert_eq!(probe.controls(), vec![control], "delivered to the handler");
    } else {
        assert!(
            probe.controls().is_empty(),
            "not delivered: {:?}",
            probe.controls()
        );
    }
    if in_ == ServiceState::Stopped {
        assert_eq!(after.process_id, 0);
    } else {
        assert_ne!(after.process_id, 0);
    }
}

/// facts §1.3 ("after STOP the SCM sends no other control"): once STOP was delivered,
/// further controls are 1061 even though the service still says RUNNING.
#[rstest]
#[case::interrogate(4)]
#[case::stop_again(1)]
#[case::user(200)]
fn nothing_after_stop_was_delivered(#[case] control: u32) {
    let (mut m, h, probe) = started_puppet(Some(ServiceStatus::running(STOP | PC)));
    m.control_service(h, ServiceControl::Stop).unwrap();
    assert_eq!(state(&mut m, h), ServiceState::Running);
    assert_eq!(code(&control_raw(&mut m, h, control)), 1061);
    assert_eq!(probe.controls(), vec![1]);
    assert_eq!(state(&mut m, h), ServiceState::Running);
}

/// A.5.36: codes a client may not send are 87 whatever the state and accept mask (SHUTDOWN,
/// PRESHUTDOWN, the system-only codes, undefined codes); nothing reaches the handler.
#[rstest]
#[case::zero(0)]
#[case::shutdown(5)]
#[case::deviceevent(11)]
#[case::hardwareprofilechange(12)]
#[case::powerevent(13)]
#[case::sessionchange(14)]
#[case::preshutdown(15)]
#[case::timechange(16)]
#[case::user_logoff_17(17)]
#[case::triggerevent(32)]
#[case::usermodereboot(64)]
#[case::lowresources(96)]
#[case::code_127(127)]
#[case::code_256(256)]
fn control_codes_clients_may_not_send(#[case] control: u32) {
    let all = ServiceControlAccept::all();
    let (mut m, h, probe) = started_puppet(Some(ServiceStatus::running(all)));
    let r = control_raw(&mut m, h, control);
    assert_eq!(code(&r), 87, "control {control}: {r:?}");
    assert!(probe.controls().is_empty());
    let s = status(&mut m, h);
    assert_eq!(s.current_state, ServiceState::Running);
    assert_eq!(s.controls_accepted, all);
}

/// A.5.36: each control needs its right on the handle (else 5, checked before the state).
#[rstest]
#[case::stop_without_stop(1, SERVICE_ALL_ACCESS & !SERVICE_STOP, 5)]
#[case::pause_without_pause_continue(2, SERVICE_ALL_ACCESS & !SERVICE_PAUSE_CONTINUE, 5)]
#[case::continue_without_pause_continue(3, SERVICE_ALL_ACCESS & !SERVICE_PAUSE_CONTINUE, 5)]
#[case::paramchange_without_pause_continue(6, SERVICE_ALL_ACCESS & !SERVICE_PAUSE_CONTINUE, 5)]
#[case::netbind_without_pause_continue(9, SERVICE_ALL_ACCESS & !SERVICE_PAUSE_CONTINUE, 5)]
#[case::interrogate_without_interrogate(4, SERVICE_ALL_ACCESS & !SERVICE_INTERROGATE, 5)]
#[case::user_without_user_defined(200, SERVICE_ALL_ACCESS & !SERVICE_USER_DEFINED_CONTROL, 5)]
#[case::stop_with_stop_only(1, SERVICE_STOP, 0)]
#[case::pause_with_pause_continue_only(2, SERVICE_PAUSE_CONTINUE, 0)]
#[case::interrogate_with_interrogate_only(4, SERVICE_INTERROGATE, 0)]
#[case::user_with_user_defined_only(200, SERVICE_USER_DEFINED_CONTROL, 0)]
#[case::user_with_generic_execute(200, GENERIC_EXECUTE, 0)]
#[case::interrogate_with_generic_read(4, GENERIC_READ, 0)]
#[case::stop_with_generic_read(1, GENERIC_READ, 5)]
fn control_access_rights(
    #[case] control: u32,
    #[case] access: ServiceAccess,
    #[case] expected: u32,
) {
    let accept = STOP | PC | PARAM | NETBIND;
    let (mut m, full, probe) = started_puppet(Some(ServiceStatus::running(accept)));
    let scm = admin_scm(&mut m);
    let h = m.open_service(scm, "Puppet", access).unwrap();
    let r = control_raw(&mut m, h, control);
    assert_eq!(
        code(&r),
        expected,
        "control {control} with {access:?}: {r:?}"
    );
    assert_eq!(probe.controls().len(), usize::from(expected == 0));
    assert_eq!(state(&mut m, full), ServiceState::Running);
}

/// A standard user may interrogate and send user controls (default service DACL), but not
/// stop; opening for SERVICE_STOP is refused at OpenService.
#[test]
fn standard_user_controls() {
    let (mut m, h, probe) = started_puppet(Some(ServiceStatus::running(STOP)));
    m.set_caller(Caller::standard_user("alice", "S-1-5-21-1-2-3-1001"));
    let scm = m.open_sc_manager(SC_MANAGER_CONNECT).unwrap();
    assert_eq!(code(&m.open_service(scm, "Puppet", SERVICE_STOP)), 5);
    let user = m
        .open_service(scm, "Puppet", GENERIC_READ | SERVICE_USER_DEFINED_CONTROL)
        .unwrap();
    assert_eq!(
        code(&m.control_service(user, ServiceControl::Interrogate)),
        0
    );
    assert_eq!(
        code(&m.control_service(user, ServiceControl::UserDefined(130))),
        0
    );
    assert_eq!(code(&m.control_service(user, ServiceControl::Stop)), 5);
    assert_eq!(probe.controls(), vec![4, 130]);
    assert_eq!(state(&mut m, h), ServiceState::Running);
}

/// A.5.41: STOP while an active service depends on this one is 1051, checked before the
/// target's own state; once the dependent stops, the STOP goes through.
#[rstest]
#[case::dependent_running(ServiceState::Running, 1051)]
#[case::dependent_paused(ServiceState::Paused, 1051)]
#[case::dependent_start_pending(ServiceState::StartPending, 1051)]
#[case::dependent_stop_pending(ServiceState::StopPending, 1051)]
#[case::dependent_stopped(ServiceState::Stopped, 0)]
fn stop_with_active_dependents(#[case] dependent: ServiceState, #[case] expected: u32) {
    let mut m = machine();
    let base_probe = Probe::default();
    let dep_probe = Probe::default();
    m.install(
        r"C:\svc\base.exe",
        ServiceTable::single(
            "Base",
            puppet(&base_probe, Some(ServiceStatus::running(STOP))),
        ),
    );
    m.install(
        r"C:\svc\dep.exe",
        ServiceTable::single("Dep", puppet(&dep_probe, None)),
    );
    let scm = admin_scm(&mut m);
    let base = create_own(&mut m, scm, "Base", r"C:\svc\base.exe");
    let mut p = CreateServiceParams::own_process("Dep", r"C:\svc\dep.exe");
    p.dependencies = vec!["base".into()];
    let dep = m.create_service(scm, &p).unwrap();
    m.start_service(dep, &[]).unwrap();
    assert_eq!(
        state(&mut m, base),
        ServiceState::Running,
        "started as a dependency"
    );
    report(&mut m, &dep_probe.status(), in_state(dependent, STOP)).unwrap();
    let r = m.control_service(base, ServiceControl::Stop);
    assert_eq!(code(&r), expected, "{r:?}");
    assert_eq!(base_probe.controls().len(), usize::from(expected == 0));
    assert_eq!(state(&mut m, base), ServiceState::Running);
    assert_eq!(state(&mut m, dep), dependent);
}

/// A.5.42: a user-defined control needs no accept bit, and a handler returning non-zero
/// (0xdeadbeef, ERROR_CALL_NOT_IMPLEMENTED) still makes ControlService succeed.
#[rstest]
#[case::deadbeef(0xdead_beef)]
#[case::call_not_implemented(120)]
#[case::no_error(0)]
fn user_control_handler_result_is_not_surfaced(#[case] handler_result: u32) {
    let (mut m, h, probe) = started_puppet(Some(ServiceStatus::running(NONE)));
    probe.set_handler_result(handler_result);
    let s = m
        .control_service(h, ServiceControl::UserDefined(128))
        .unwrap();
    assert_eq!(s.current_state, ServiceState::Running);
    assert_eq!(probe.controls(), vec![128]);
}

/// A.5.43: the status ControlService returns is the one after the handler returned,
/// including what the handler reported synchronously.
#[rstest]
#[case::stop_to_stopped(1, ServiceState::Stopped)]
#[case::pause_to_paused(2, ServiceState::Paused)]
#[case::interrogate_unchanged(4, ServiceState::Running)]
fn control_returns_the_status_after_the_handler(
    #[case] control: u32,
    #[case] expected: ServiceState,
) {
    let mut m = machine();
    let h = install_own(&mut m, "Echo", PATH, well_behaved(STOP | PC));
    m.start_service(h, &[]).unwrap();
    let s = control_raw(&mut m, h, control).unwrap();
    assert_eq!(s.current_state, expected);
    assert_eq!(s, status(&mut m, h));
    if expected == ServiceState::Stopped {
        assert_eq!(s.process_id, 0);
        assert_eq!(s.controls_accepted, NONE);
        assert_eq!(s.win32_exit_code, 0);
    }
}

/// A STOP handler that reports STOP_PENDING with a wait hint before returning: the caller
/// sees STOP_PENDING and the hint (what `sc stop` prints).
#[test]
fn control_returns_a_synchronous_stop_pending() {
    let mut m = machine();
    let h = install_own(
        &mut m,
        "Flush",
        PATH,
        service_fn(|ctx: ServiceContext, _args| async move {
            let sh = ctx.status_handle();
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let h2 = sh.clone();
            ctx.register_handler(move |req| match req.control {
                ServiceControl::Stop => {
                    let _ = h2.set_status(ServiceStatus::pending(
                        ServiceState::StopPending,
                        1,
                        Duration::from_secs(7),
                    ));
                    let _ = tx.send(());
                    ServiceControlHandlerResult::NoError
                }
                _ => ServiceControlHandlerResult::NotImplemented,
            })
            .unwrap();
            sh.set_status(ServiceStatus::running(ServiceControlAccept::STOP))
                .unwrap();
            rx.recv().await;
            tokio::time::sleep(Duration::from_secs(3)).await;
            sh.set_status(ServiceStatus::stopped(ServiceExitCode::NO_ERROR))
                .unwrap();
        }),
    );
    m.start_service(h, &[]).unwrap();
    let s = m.control_service(h, ServiceControl::Stop).unwrap();
    assert_eq!(s.current_state, ServiceState::StopPending);
    assert_eq!((s.checkpoint, s.wait_hint_ms), (1, 7000));
    assert_eq!(
        code(&m.control_service(h, ServiceControl::Interrogate)),
        1061
    );
    m.advance(Duration::from_secs(3));
    let s = status(&mut m, h);
    assert_eq!(s.current_state, ServiceState::Stopped);
    assert_eq!((s.process_id, s.checkpoint, s.wait_hint_ms), (0, 0, 0));
}

/// A handler that takes `delay` to return from control 200 (and answers the rest at once).
struct SlowHandler {
    delay: Duration,
}

#[async_trait::async_trait]
impl AsyncControlHandler for SlowHandler {
    async fn handle(&self, request: ControlRequest) -> ServiceControlHandlerResult {
        if request.control == ServiceControl::UserDefined(200) {
            tokio::time::sleep(self.delay).await;
        }
        ServiceControlHandlerResult::NoError
    }
}

/// A share-process service whose handler is [`SlowHandler`].
fn slow_service(delay: Duration) -> impl scm_sim::service::Service {
    service_fn(move |ctx: ServiceContext, _args| async move {
        let status = ctx.register_async_handler(SlowHandler { delay }).unwrap();
        status
            .set_status(ServiceStatus::running(ServiceControlAccept::STOP))
            .unwrap();
    })
}

/// A.5.44, A.5.45, facts §4.2: a handler that blocks past the pipe timeout makes
/// ControlService fail with 1053 after exactly the timeout, with event 7011; controls to
/// the other service of the same process queue behind it (one dispatcher per process) and
/// are delivered when the handler finally returns.
#[test]
fn blocking_handler_times_out_and_holds_up_its_process() {
    let mut m = machine();
    let image = r"C:\svc\host.exe";
    m.install(
        image,
        ServiceTable::new()
            .with("SlowA", slow_service(Duration::from_secs(45)))
            .with("FastB", slow_service(Duration::ZERO)),
    );
    let scm = admin_scm(&mut m);
    let a = m
        .create_service(scm, &CreateServiceParams::share_process("SlowA", image))
        .unwrap();
    let b = m
        .create_service(scm, &CreateServiceParams::share_process("FastB", image))
        .unwrap();
    m.start_service(a, &[]).unwrap();
    m.start_service(b, &[]).unwrap();
    let pid = status(&mut m, a).process_id;
    assert_eq!(status(&mut m, b).process_id, pid, "one process");

    let t0 = m.now();
    assert_eq!(
        code(&m.control_service(a, ServiceControl::UserDefined(200))),
        1053
    );
    assert_eq!(m.now() - t0, Duration::from_secs(30));
    assert_eq!(event_ids_after_install(&m, "SlowA"), vec![7036, 7011]);
    assert_eq!(
        state(&mut m, a),
        ServiceState::Running,
        "a timeout changes no state"
    );

    // The dispatcher is still inside SlowA's handler for 15 more seconds.
    let t1 = m.now();
    assert_eq!(code(&m.control_service(b, ServiceControl::Interrogate)), 0);
    assert_eq!(
        m.now() - t1,
        Duration::from_secs(15),
        "queued behind SlowA's handler"
    );
    assert_eq!(state(&mut m, b), ServiceState::Running);
}

/// Services in different processes do not wait for each other's handlers.
#[test]
fn a_blocked_handler_does_not_hold_up_other_processes() {
    let mut m = machine();
    m.install(
        r"C:\svc\a.exe",
        ServiceTable::single("SlowA", slow_service(Duration::from_secs(45))),
    );
    m.install(
        r"C:\svc\b.exe",
        ServiceTable::single("FastB", slow_service(Duration::ZERO)),
    );
    let scm = admin_scm(&mut m);
    let a = create_own(&mut m, scm, "SlowA", r"C:\svc\a.exe");
    let b = create_own(&mut m, scm, "FastB", r"C:\svc\b.exe");
    m.start_service(a, &[]).unwrap();
    m.start_service(b, &[]).unwrap();
    assert_eq!(
        code(&m.control_service(a, ServiceControl::UserDefined(200))),
        1053
    );
    let t1 = m.now();
    assert_eq!(code(&m.control_service(b, ServiceControl::Interrogate)), 0);
    assert_eq!(m.now(), t1);
}

/// facts §1.2: a scripted service accepting PAUSE_CONTINUE that gets CONTINUE while RUNNING
/// (which the SCM delivers: §1.5) or PAUSE while PAUSED must not report a transition the
/// table forbids (RUNNING -> CONTINUE_PENDING, PAUSED -> PAUSE_PENDING); it stays put.
#[rstest]
#[case::continue_while_running(None, 3, ServiceState::Running)]
#[case::pause_while_paused(Some(2), 2, ServiceState::Paused)]
fn scripted_service_ignores_redundant_pause_and_continue(
    #[case] first: Option<u32>,
    #[case] control: u32,
    #[case] stays: ServiceState,
) {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    m.set_behavior(
        "Svc",
        behavior(&[("pause-time", "2s"), ("accept", "stop,pause_continue")]),
    );
    let h = create_own(&mut m, scm, "Svc", PATH);
    m.start_service(h, &[]).unwrap();
    if let Some(c) = first {
        control_raw(&mut m, h, c).unwrap();
        m.advance(Duration::from_secs(2));
    }
    assert_eq!(state(&mut m, h), stays);
    let before = state_changes(&m, "Svc").len();
    control_raw(&mut m, h, control).unwrap();
    m.advance(Duration::from_secs(5));
    assert_eq!(state(&mut m, h), stays);
    assert_eq!(
        state_changes(&m, "Svc")[before..],
        [],
        "no state change at all"
    );
}
