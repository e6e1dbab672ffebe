//! Around a service's ServiceMain: SvchostPushServiceGlobals before it, events 101/102 around
//! it, and the DLL unloaded (or kept) when its last service stops.

use super::*;

#[test]
fn push_globals_is_called_before_each_service_main() {
    let mut m = machine(SMALL);
    let log = new_log();
    let globals: Arc<Mutex<Vec<SvchostGlobals>>> = Arc::default();
    let (push_log, seen) = (log.clone(), globals.clone());
    m.install_service_dll(
        ALPHA_DLL,
        ServiceDll::new()
            .export("AlphaMain", entry("main", log.clone()))
            .export("BetaMain", entry("main", log.clone()))
            .with_push_globals(move |g| {
                push_log.lock().unwrap().push(format!("push {}", g.service));
                seen.lock().unwrap().push(g.clone());
            }),
    );
    // A DLL without the export: no call for its service.
    m.install_service_dll(
        BETA_DLL,
        ServiceDll::new().export("ServiceMain", entry("plain", log.clone())),
    );
    for (name, main) in [("A", "AlphaMain"), ("B", "BetaMain")] {
        let mut key = dll_key(MY_GROUP, Some(ALPHA_DLL));
        key.parameters.service_main = param(main, ParamLocation::Parameters);
        write_key(&mut m, name, &key);
    }
    write_key(&mut m, "C", &dll_key(MY_GROUP, Some(BETA_DLL)));
    let scm = boot(&mut m);
    let a = start(&mut m, scm, "A");
    start(&mut m, scm, "C");
    start(&mut m, scm, "B");
    assert_eq!(
        lines(&log),
        ["push A", "main A", "plain C", "push B", "main B"]
    );
    let host = pid(&mut m, a);
    assert_eq!(
        globals.lock().unwrap().clone(),
        ["A", "B"].map(|s| SvchostGlobals {
            group: "MyGroup".into(),
            pid: host,
            service: s.into(),
        })
    );
    // In the trace: the call, then event 101, then the service's own first step.
    let push = position(&m, note_containing("SvchostPushServiceGlobals")).unwrap();
    let ev101 = position(&m, is_event(101, "A")).unwrap();
    let registered = position(&m, note_containing("A registered its control handler")).unwrap();
    assert!(
        push < ev101 && ev101 < registered,
        "{}",
        render_text(&m.trace())
    );
    let pushes = notes(&m)
        .iter()
        .filter(|n| n.contains("SvchostPushServiceGlobals"))
        .count();
    assert_eq!(pushes, 2);
}

#[test]
fn events_101_and_102_surround_service_main() {
    let mut m = machine(SMALL);
    m.install_service_dll(
        ALPHA_DLL,
        ServiceDll::new().export("ServiceMain", entry("alpha", new_log())),
    );
    write_key(&mut m, "A", &dll_key(MY_GROUP, Some(ALPHA_DLL)));
    let scm = boot(&mut m);
    let a = start(&mut m, scm, "A");
    assert!(event_ids(&m, "A").contains(&101));
    assert!(!event_ids(&m, "A").contains(&102), "ServiceMain still runs");
    m.control_service(a, ServiceControl::Stop).unwrap();
    assert_eq!(state(&mut m, a), ServiceState::Stopped);

    let svchost: Vec<ScmEvent> = m
        .events()
        .into_iter()
        .filter(|e| matches!(e.id, 101 | 102))
        .filter_map(|e| e.event)
        .collect();
    let dll = r"C:\Windows\System32\alpha.dll".to_string();
    assert_eq!(
        svchost,
        [
            ScmEvent::ServiceMainStart {
                service_name: "A".into(),
                dll: dll.clone()
            },
            ScmEvent::ServiceMainStop {
                service_name: "A".into(),
                dll
            },
        ]
    );
    // 101 after the start packet, before the service's first report; 102 after ServiceMain
    // returned its last report (STOPPED).
    let main_called = position(
        &m,
        |k| matches!(k, TraceKind::ServiceMainCalled { service, .. } if &**service == "A"),
    )
    .unwrap();
    let ev101 = position(&m, is_event(101, "A")).unwrap();
    let first_report = position(
        &m,
        |k| matches!(k, TraceKind::StatusReported { service, .. } if &**service == "A"),
    )
    .unwrap();
    let stopped_report = m
        .trace()
        .entries()
        .iter()
        .rposition(|e| matches!(&e.kind, TraceKind::StatusReported { service, state_name, .. } if &**service == "A" && state_name == "STOPPED"))
        .unwrap();
    let ev102 = position(&m, is_event(102, "A")).unwrap();
    assert!(
        main_called < ev101 && ev101 < first_report && stopped_report < ev102,
        "{}",
        render_text(&m.trace())
    );
}

/// ServiceDllUnloadOnStop = 1 unloads the DLL when its last service stops; without it the DLL
/// stays loaded while the host lives.
#[rstest]
#[case::unload_on_stop(true)]
#[case::stays_loaded(false)]
fn unload_on_stop(#[case] unload: bool) {
    let mut m = machine(SMALL);
    m.install_service_dll(
        ALPHA_DLL,
        ServiceDll::new()
            .export("AlphaMain", entry("alpha", new_log()))
            .export("BetaMain", entry("beta", new_log())),
    );
    m.install_service_dll(
        BETA_DLL,
        ServiceDll::new().export("ServiceMain", entry("keeper", new_log())),
    );
    for (name, main) in [("A", "AlphaMain"), ("B", "BetaMain")] {
        let mut key = dll_key(MY_GROUP, Some(ALPHA_DLL));
        key.parameters.service_main = param(main, ParamLocation::Parameters);
        if unload {
            key.parameters.service_dll_unload_on_stop = Some(ParamValue::new(
                1,
                ValueType::DWORD,
                ParamLocation::Parameters,
            ));
        }
        write_key(&mut m, name, &key);
    }
    // "Keeper" (another DLL) keeps the host alive after A and B stop.
    write_key(&mut m, "Keeper", &dll_key(MY_GROUP, Some(BETA_DLL)));
    let scm = boot(&mut m);
    let keeper = start(&mut m, scm, "Keeper");
    let a = start(&mut m, scm, "A");
    let b = start(&mut m, scm, "B");
    let host = pid(&mut m, keeper);
    let unloaded = |m: &Machine| {
        notes(m)
            .iter()
            .filter(|n| n.contains("unloaded") && n.to_ascii_lowercase().contains("alpha.dll"))
            .cloned()
            .collect::<Vec<_>>()
    };

    m.control_service(a, ServiceControl::Stop).unwrap();
    assert_eq!(state(&mut m, a), ServiceState::Stopped);
    assert!(unloaded(&m).is_empty(), "B still uses the DLL");
    m.control_service(b, ServiceControl::Stop).unwrap();
    assert_eq!(state(&mut m, b), ServiceState::Stopped);
    assert_eq!(pid(&mut m, keeper), host, "the host lives on");
    if unload {
        assert_eq!(
            unloaded(&m),
            [format!(
                r"svchost (pid {host}) unloaded C:\WINDOWS\SYSTEM32\ALPHA.DLL (ServiceDllUnloadOnStop)"
            )],
            "{}",
            render_text(&m.trace())
        );
    } else {
        assert!(unloaded(&m).is_empty(), "{}", render_text(&m.trace()));
    }
    // A restart loads the DLL again when it was unloaded.
    if unload {
        m.start_service(a, &[]).unwrap();
        assert_eq!(alpha_loads(&m), 2);
    }
}

/// How many times the trace says alpha.dll was loaded.
fn alpha_loads(m: &Machine) -> usize {
    notes(m)
        .iter()
        .filter(|n| {
            n.contains("loaded")
                && !n.contains("unloaded")
                && n.to_ascii_lowercase().contains("alpha.dll")
        })
        .count()
}

/// Without ServiceDllUnloadOnStop the DLL stays in the host, so a restart of its service does
/// not load it again.
#[test]
fn a_dll_left_loaded_is_not_loaded_again() {
    let mut m = machine(SMALL);
    m.install_service_dll(
        ALPHA_DLL,
        ServiceDll::new().export("ServiceMain", entry("alpha", new_log())),
    );
    m.install_service_dll(
        BETA_DLL,
        ServiceDll::new().export("ServiceMain", entry("keeper", new_log())),
    );
    write_key(&mut m, "A", &dll_key(MY_GROUP, Some(ALPHA_DLL)));
    write_key(&mut m, "Keeper", &dll_key(MY_GROUP, Some(BETA_DLL)));
    let scm = boot(&mut m);
    start(&mut m, scm, "Keeper");
    let a = start(&mut m, scm, "A");
    m.control_service(a, ServiceControl::Stop).unwrap();
    m.start_service(a, &[]).unwrap();
    assert_eq!(alpha_loads(&m), 1, "{}", render_text(&m.trace()));
}

/// svchost reads ServiceDllUnloadOnStop from the registry like ServiceDll: a value written
/// after CreateService is honoured without a reboot.
#[test]
fn unload_on_stop_written_after_create_service_is_honoured() {
    let mut m = machine(SMALL);
    let scm = boot(&mut m);
    m.install_service_dll(
        ALPHA_DLL,
        ServiceDll::new().export("ServiceMain", entry("alpha", new_log())),
    );
    m.install_service_dll(
        BETA_DLL,
        ServiceDll::new().export("ServiceMain", entry("keeper", new_log())),
    );
    for (name, dll) in [("Fresh", ALPHA_DLL), ("Keeper", BETA_DLL)] {
        m.create_service(scm, &CreateServiceParams::share_process(name, MY_GROUP))
            .unwrap();
        write_parameters_dll(&mut m, name, dll);
    }
    m.with_registry(|r| {
        r.set_value(
            &Caller::local_system(),
            r"HKLM\SYSTEM\CurrentControlSet\Services\Fresh\Parameters",
            "ServiceDllUnloadOnStop",
            RegValue::dword(1),
        )
        .unwrap()
    });
    start(&mut m, scm, "Keeper");
    let fresh = start(&mut m, scm, "Fresh");
    assert_eq!(state(&mut m, fresh), ServiceState::Running);
    m.control_service(fresh, ServiceControl::Stop).unwrap();
    let unloaded = notes(&m)
        .iter()
        .filter(|n| n.contains("unloaded") && n.to_ascii_lowercase().contains("alpha.dll"))
        .count();
    assert_eq!(unloaded, 1, "{}", render_text(&m.trace()));
}
