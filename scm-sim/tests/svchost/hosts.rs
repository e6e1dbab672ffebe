//! Hosts: a group's host reused by its services, a crash taking the whole host down, the 1703
//! split (on, off, at the next boot, SvcHostSplitDisable, own process), services created through
//! the API, the built-in Windows 10 machine's hosts, aborted tracked tasks.

use super::*;

#[test]
fn services_of_one_group_share_its_host() {
    let mut m = machine(SMALL);
    let log = new_log();
    m.install_service_dll(
        ALPHA_DLL,
        ServiceDll::new().export("ServiceMain", entry("alpha", log.clone())),
    );
    m.install_service_dll(
        BETA_DLL,
        ServiceDll::new().export("ServiceMain", entry("beta", log.clone())),
    );
    write_key(&mut m, "A", &dll_key(MY_GROUP, Some(ALPHA_DLL)));
    write_key(&mut m, "B", &dll_key(MY_GROUP, Some(BETA_DLL)));
    write_key(
        &mut m,
        "Other",
        &dll_key(
            r"%SystemRoot%\System32\svchost.exe -k OtherGroup",
            Some(BETA_DLL),
        ),
    );
    let scm = boot(&mut m);

    let a = start(&mut m, scm, "A");
    let b = start(&mut m, scm, "B");
    assert_eq!(state(&mut m, a), ServiceState::Running);
    assert_eq!(state(&mut m, b), ServiceState::Running);
    let host = pid(&mut m, a);
    assert_ne!(host, 0);
    assert_eq!(pid(&mut m, b), host, "{}", render_text(&m.trace()));
    assert_eq!(hosts(&m), vec![(host, vec!["A".into(), "B".into()])]);
    assert_eq!(
        launches(&m),
        vec![(
            host,
            r"C:\Windows\System32\svchost.exe -k MyGroup".to_string()
        )],
        "one host launched for the group"
    );
    // Grouped services report the configured type.
    assert_eq!(
        m.query_service_status(b).unwrap().service_type,
        ServiceType::SHARE_PROCESS
    );

    // Another group gets another host.
    let other = start(&mut m, scm, "Other");
    assert_ne!(pid(&mut m, other), host);
    assert_eq!(hosts(&m).len(), 2);

    // Stopping one service leaves the host to the other; a restart goes back into it.
    m.control_service(a, ServiceControl::Stop).unwrap();
    assert_eq!(state(&mut m, a), ServiceState::Stopped);
    assert_eq!(pid(&mut m, b), host);
    m.start_service(a, &[]).unwrap();
    assert_eq!(pid(&mut m, a), host, "no second host for the group");
    assert_eq!(launches(&m).len(), 2);
    assert_eq!(lines(&log), ["alpha A", "beta B", "beta Other", "alpha A"]);
}

/// A crash of one service's code kills its host: every service in it is STOPPED with 1067 and
/// gets its own crash event (7031 with its recovery action, 7034 without).
#[rstest]
#[case::panic_in_handler(true)]
#[case::process_killed(false)]
fn a_crash_takes_the_whole_host_down(#[case] panic: bool) {
    let mut m = machine(SMALL);
    let log = new_log();
    m.install_service_dll(
        ALPHA_DLL,
        ServiceDll::new()
            .export("AlphaMain", entry("alpha", log.clone()))
            .export("BetaMain", entry("beta", log.clone())),
    );
    let mut a = dll_key(MY_GROUP, Some(ALPHA_DLL));
    a.parameters.service_main = param("AlphaMain", ParamLocation::Parameters);
    write_key(&mut m, "A", &a);
    // B restarts 1 s after a crash.
    let mut b = dll_key(MY_GROUP, Some(ALPHA_DLL));
    b.parameters.service_main = param("BetaMain", ParamLocation::Parameters);
    b.failure_actions = Some(FailureActions::new(
        86_400,
        vec![ScAction::new(ScActionKind::Restart, 1_000)],
    ));
    write_key(&mut m, "B", &b);
    // C is a DLL service without Rust code (scripted).
    write_key(
        &mut m,
        "C",
        &dll_key(MY_GROUP, Some(r"%SystemRoot%\System32\scripted.dll")),
    );
    let scm = boot(&mut m);
    let handles: Vec<ScHandle> = ["A", "B", "C"]
        .iter()
        .map(|n| start(&mut m, scm, n))
        .collect();
    let host = pid(&mut m, handles[0]);
    for &h in &handles {
        assert_eq!(state(&mut m, h), ServiceState::Running);
        assert_eq!(pid(&mut m, h), host);
    }

    if panic {
        // A's handler panics on control 128: the process dies under the control.
        let _ = m.control_service(handles[0], ServiceControl::UserDefined(128));
    } else {
        assert_eq!(m.crash("A"), Ok(host));
    }
    for &h in &handles {
        let s = m.query_service_status(h).unwrap();
        assert_eq!(s.current_state, ServiceState::Stopped);
        assert_eq!(s.win32_exit_code, 1067, "{}", render_text(&m.trace()));
        assert_eq!(s.process_id, 0);
    }
    assert!(hosts(&m).is_empty());
    assert!(m.trace().entries().iter().any(
        |e| matches!(&e.kind, TraceKind::ProcessExited { pid, crashed: true, .. } if *pid == host)
    ));
    for (name, id) in [("A", 7034), ("B", 7031), ("C", 7034)] {
        let crash_events: Vec<u32> = event_ids(&m, name)
            .into_iter()
            .filter(|id| matches!(id, 7031 | 7034))
            .collect();
        assert_eq!(crash_events, [id], "{name}");
    }

    // Recovery is per service: only B comes back, in a new host.
    m.advance(Duration::from_secs(1));
    assert_eq!(state(&mut m, handles[1]), ServiceState::Running);
    assert_ne!(pid(&mut m, handles[1]), host);
    assert_eq!(state(&mut m, handles[0]), ServiceState::Stopped);
    assert_eq!(state(&mut m, handles[2]), ServiceState::Stopped);
    assert_eq!(lines(&log), ["alpha A", "beta B", "beta B"]);
}

/// Split on (16 GB, the default) vs off (threshold above the memory, after a reboot).
#[rstest]
#[case::split_on(false)]
#[case::split_off_by_threshold(true)]
fn the_split_by_memory(#[case] threshold_above_memory: bool) {
    let mut m = machine(Settings::default().memory_kb);
    m.install_service_dll(
        ALPHA_DLL,
        ServiceDll::new()
            .export("AlphaMain", entry("alpha", new_log()))
            .export("BetaMain", entry("beta", new_log())),
    );
    for (name, main) in [("A", "AlphaMain"), ("B", "BetaMain")] {
        let mut key = dll_key(MY_GROUP, Some(ALPHA_DLL));
        key.parameters.service_main = param(main, ParamLocation::Parameters);
        write_key(&mut m, name, &key);
    }
    if threshold_above_memory {
        m.with_registry(|r| {
            let sys = Caller::local_system();
            r.create_key(&sys, CONTROL).unwrap();
            r.set_value(
                &sys,
                CONTROL,
                "SvcHostSplitThresholdInKB",
                RegValue::dword(0xffff_ffff),
            )
            .unwrap();
        });
    }
    let scm = boot(&mut m);
    let a = start(&mut m, scm, "A");
    let b = start(&mut m, scm, "B");
    let (pa, pb) = (pid(&mut m, a), pid(&mut m, b));
    for h in [a, b] {
        assert_eq!(state(&mut m, h), ServiceState::Running);
        // sc qc: the configured type, always.
        assert_eq!(
            m.query_service_config(h).unwrap().service_type,
            ServiceType::SHARE_PROCESS
        );
    }
    let runtime = |m: &mut Machine, h| m.query_service_status(h).unwrap().service_type;
    if threshold_above_memory {
        assert_eq!(pa, pb);
        assert_eq!(hosts(&m), [(pa, vec!["A".to_string(), "B".to_string()])]);
        assert_eq!(runtime(&mut m, a), ServiceType::SHARE_PROCESS);
        assert_eq!(runtime(&mut m, b), ServiceType::SHARE_PROCESS);
    } else {
        assert_ne!(pa, pb);
        assert_eq!(
            hosts(&m),
            [(pa, vec!["A".to_string()]), (pb, vec!["B".to_string()])]
        );
        // sc query: 30 WIN32 for a split service.
        assert_eq!(runtime(&mut m, a), ServiceType::WIN32);
        assert_eq!(runtime(&mut m, b), ServiceType::WIN32);
        assert_eq!(
            launches(&m),
            [
                (
                    pa,
                    r"C:\Windows\System32\svchost.exe -k MyGroup -s A".to_string()
                ),
                (
                    pb,
                    r"C:\Windows\System32\svchost.exe -k MyGroup -s B".to_string()
                ),
            ]
        );
    }
}

#[test]
fn the_threshold_takes_effect_at_the_next_boot() {
    let mut m = machine(Settings::default().memory_kb);
    write_key(&mut m, "A", &dll_key(MY_GROUP, Some(ALPHA_DLL)));
    write_key(&mut m, "B", &dll_key(MY_GROUP, Some(ALPHA_DLL)));
    let scm = boot(&mut m);
    m.with_registry(|r| {
        let sys = Caller::local_system();
        r.create_key(&sys, CONTROL).unwrap();
        r.set_value(
            &sys,
            CONTROL,
            "SvcHostSplitThresholdInKB",
            RegValue::dword(0xffff_ffff),
        )
        .unwrap();
    });
    // Not yet: the SCM read the threshold at boot.
    let a = start(&mut m, scm, "A");
    let b = start(&mut m, scm, "B");
    assert_ne!(pid(&mut m, a), pid(&mut m, b));
    let scm = boot(&mut m);
    let a = start(&mut m, scm, "A");
    let b = start(&mut m, scm, "B");
    assert_eq!(pid(&mut m, a), pid(&mut m, b));
}

#[test]
fn split_disable_keeps_a_service_grouped() {
    let mut m = machine(Settings::default().memory_kb);
    for (name, disable) in [("Bfe", true), ("MpsSvc", true), ("Loner", false)] {
        let mut key = dll_key(MY_GROUP, Some(r"%SystemRoot%\System32\scripted.dll"));
        key.svchost_split_disable = disable.then_some(true);
        write_key(&mut m, name, &key);
    }
    let scm = boot(&mut m);
    let bfe = start(&mut m, scm, "Bfe");
    let mps = start(&mut m, scm, "MpsSvc");
    let loner = start(&mut m, scm, "Loner");
    assert_eq!(pid(&mut m, bfe), pid(&mut m, mps));
    assert_ne!(pid(&mut m, loner), pid(&mut m, bfe));
    assert_eq!(
        m.query_service_status(bfe).unwrap().service_type,
        ServiceType::SHARE_PROCESS
    );
    assert_eq!(
        m.query_service_status(loner).unwrap().service_type,
        ServiceType::WIN32
    );
    assert_eq!(hosts(&m).len(), 2);
}

/// ChangeServiceConfig(type = OWN_PROCESS) moves a service into a host of its own at its next
/// start; the running instance stays where it is.
#[test]
fn own_process_type_moves_a_service_out_at_its_next_start() {
    let mut m = machine(SMALL);
    let log = new_log();
    m.install_service_dll(
        ALPHA_DLL,
        ServiceDll::new()
            .export("AlphaMain", entry("alpha", log.clone()))
            .export("BetaMain", entry("beta", log.clone())),
    );
    for (name, main) in [("A", "AlphaMain"), ("B", "BetaMain")] {
        let mut key = dll_key(MY_GROUP, Some(ALPHA_DLL));
        key.parameters.service_main = param(main, ParamLocation::Parameters);
        write_key(&mut m, name, &key);
    }
    let scm = boot(&mut m);
    let a = start(&mut m, scm, "A");
    let b = start(&mut m, scm, "B");
    let host = pid(&mut m, a);
    assert_eq!(pid(&mut m, b), host);

    m.change_service_config(
        a,
        &ChangeConfigParams {
            service_type: Some(ServiceType::OWN_PROCESS),
            ..ChangeConfigParams::default()
        },
    )
    .unwrap();
    assert_eq!(pid(&mut m, a), host, "the running instance stays");
    m.control_service(a, ServiceControl::Stop).unwrap();
    m.start_service(a, &[]).unwrap();
    let own = pid(&mut m, a);
    assert_eq!(state(&mut m, a), ServiceState::Running);
    assert_ne!(own, host);
    assert_eq!(pid(&mut m, b), host);
    assert_eq!(
        m.query_service_status(a).unwrap().service_type,
        ServiceType::OWN_PROCESS
    );
    assert_eq!(
        m.query_service_config(a).unwrap().service_type,
        ServiceType::OWN_PROCESS
    );
    assert_eq!(
        hosts(&m),
        [(host, vec!["B".to_string()]), (own, vec!["A".to_string()])]
    );
    assert!(launches(&m)
        .iter()
        .any(|(p, cl)| *p == own && cl.ends_with("svchost.exe -k MyGroup -s A")));
    // Its code still comes from its DLL.
    assert_eq!(lines(&log), ["alpha A", "beta B", "alpha A"]);
}

#[test]
fn services_created_through_the_api_share_their_group_host_after_a_reboot() {
    // CreateService with an svchost ImagePath and the ServiceDll written in the registry (the
    // path an administrator takes with sc create + reg add), then a reboot: the SCM loads them
    // from the registry and they share their group's host.
    let mut m = machine(SMALL);
    let scm = boot(&mut m);
    for name in ["One", "Two"] {
        m.create_service(scm, &CreateServiceParams::share_process(name, MY_GROUP))
            .unwrap();
        write_parameters_dll(&mut m, name, r"%SystemRoot%\System32\scripted.dll");
    }
    let scm = boot(&mut m);
    let one = start(&mut m, scm, "One");
    let two = start(&mut m, scm, "Two");
    assert_eq!(state(&mut m, one), ServiceState::Running);
    assert_eq!(pid(&mut m, one), pid(&mut m, two));
}

#[test]
fn windows10_groups_and_hosts_with_the_split_on_and_off() {
    let mut m = Machine::windows10();
    let table = SvchostTable::read(&m.registry(), &Caller::local_system()).unwrap();
    assert_eq!(table.len(), 34);
    // Right after boot, and once the delayed auto-start services have started (120 s).
    let on_at_boot = hosts(&m);
    m.advance(Duration::from_secs(300));
    let split_on = hosts(&m);
    // Some split hosts run one service; the SvcHostSplitDisable ones share.
    assert!(split_on.iter().any(|(_, s)| s.len() == 1));

    m.with_registry(|r| {
        r.set_value(
            &Caller::local_system(),
            CONTROL,
            "SvcHostSplitThresholdInKB",
            RegValue::dword(0xffff_ffff),
        )
        .unwrap()
    });
    m.boot();
    let off_at_boot = hosts(&m);
    m.advance(Duration::from_secs(300));
    let split_off = hosts(&m);
    println!(
        "Windows 10 (16 GB): {} svchost hosts with the split on, {} with it off \
         (right after boot: {} and {})",
        split_on.len(),
        split_off.len(),
        on_at_boot.len(),
        off_at_boot.len()
    );
    assert!(split_off.len() < split_on.len());
    assert!(split_off.len() <= table.len(), "at most one host per group");
    assert!(split_off.iter().any(|(_, s)| s.len() > 1));
    // The same services run either way.
    let running = |h: &[(u32, Vec<String>)]| {
        let mut all: Vec<String> = h.iter().flat_map(|(_, s)| s.clone()).collect();
        all.sort();
        all
    };
    assert_eq!(running(&split_on), running(&split_off));
}

/// A tracked task that service code aborts (and joins) before reporting STOPPED has ended; the
/// oracle must not report it as live work.
#[test]
fn an_aborted_tracked_task_is_not_live_work() {
    let mut m = machine(SMALL);
    m.install_service_dll(
        ALPHA_DLL,
        ServiceDll::new().export(
            "ServiceMain",
            service_fn(|ctx: ServiceContext, _args: Vec<String>| async move {
                let (status, mut rx) = run_until_stop(&ctx);
                let ticker = ctx.spawn_task("ticker", async {
                    loop {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                });
                rx.recv().await;
                ticker.abort();
                assert!(ticker.await.unwrap_err().is_cancelled());
                status
                    .set_status(ServiceStatus::stopped(ServiceExitCode::NO_ERROR))
                    .unwrap();
            }),
        ),
    );
    write_key(&mut m, "A", &dll_key(MY_GROUP, Some(ALPHA_DLL)));
    let scm = boot(&mut m);
    let a = start(&mut m, scm, "A");
    m.advance(Duration::from_secs(3));
    m.control_service(a, ServiceControl::Stop).unwrap();
    assert_eq!(state(&mut m, a), ServiceState::Stopped);
    m.assert_no_violations();
}
