//! Service DLLs: the two ServiceMain lookup rules, one DLL with two entry points or one shared
//! entry, DLL and entry-point failures that stay with their service, SvchostPushServiceGlobals
//! before ServiceMain, events 101/102, unload on stop, and DLL values written since boot.

use super::*;

#[rstest]
// ServiceMain in Parameters: both rules read it.
#[case::main_in_parameters(
    ParamLocation::Parameters,
    Some(ParamLocation::Parameters),
    false,
    Outcome::Ran("AlphaMain")
)]
#[case::main_in_parameters_legacy(
    ParamLocation::Parameters,
    Some(ParamLocation::Parameters),
    true,
    Outcome::Ran("AlphaMain")
)]
// ServiceMain only in the service key: found since svchost 6.0, not by the old rule (which
// then calls the default "ServiceMain").
#[case::main_in_service_key(
    ParamLocation::Parameters,
    Some(ParamLocation::ServiceKey),
    false,
    Outcome::Ran("AlphaMain")
)]
#[case::main_in_service_key_legacy(
    ParamLocation::Parameters,
    Some(ParamLocation::ServiceKey),
    true,
    Outcome::Ran("default")
)]
// No ServiceMain value: the default name.
#[case::no_main(ParamLocation::Parameters, None, false, Outcome::Ran("default"))]
// ServiceDll only in the service key: found by default, missing (2) for the old rule.
#[case::dll_in_service_key(
    ParamLocation::ServiceKey,
    Some(ParamLocation::ServiceKey),
    false,
    Outcome::Ran("AlphaMain")
)]
#[case::dll_in_service_key_legacy(
    ParamLocation::ServiceKey,
    Some(ParamLocation::ServiceKey),
    true,
    Outcome::Failed(2)
)]
fn service_main_lookup_rules(
    #[case] dll_at: ParamLocation,
    #[case] main_at: Option<ParamLocation>,
    #[case] parameters_only: bool,
    #[case] expected: Outcome,
) {
    let mut m = machine_with(Settings {
        memory_kb: SMALL,
        svchost_parameters_only: parameters_only,
        ..Settings::default()
    });
    let log = new_log();
    m.install_service_dll(
        ALPHA_DLL,
        ServiceDll::new()
            .export("AlphaMain", entry("AlphaMain", log.clone()))
            .export("ServiceMain", entry("default", log.clone())),
    );
    let mut key = dll_key(MY_GROUP, None);
    key.parameters.service_dll = Some(ParamValue::new(
        ALPHA_DLL.to_string(),
        ValueType::EXPAND_SZ,
        dll_at,
    ));
    key.parameters.service_main = main_at.and_then(|at| param("AlphaMain", at));
    write_key(&mut m, "S", &key);
    // Both values really are where the case says (read back from the registry).
    let read = ServiceKey::read(&m.registry(), &Caller::local_system(), "S").unwrap();
    assert_eq!(read.parameters.service_dll.unwrap().location, dll_at);
    assert_eq!(read.parameters.service_main.map(|p| p.location), main_at);
    let scm = boot(&mut m);

    let h = start(&mut m, scm, "S");
    let status = m.query_service_status(h).unwrap();
    let got = match status.current_state {
        ServiceState::Running => {
            let ran = lines(&log);
            assert_eq!(ran.len(), 1, "{ran:?}");
            if ran[0].starts_with("AlphaMain") {
                Outcome::Ran("AlphaMain")
            } else {
                Outcome::Ran("default")
            }
        }
        ServiceState::Stopped => Outcome::Failed(status.win32_exit_code),
        other => panic!("unexpected state {other:?}"),
    };
    assert_eq!(got, expected, "{}", render_text(&m.trace()));
}

#[test]
fn legacy_rule_without_a_default_entry_is_proc_not_found() {
    // The old rule ignores the ServiceMain in the service key and looks for "ServiceMain",
    // which this DLL does not export: ERROR_PROC_NOT_FOUND.
    let mut m = machine_with(Settings {
        memory_kb: SMALL,
        svchost_parameters_only: true,
        ..Settings::default()
    });
    m.install_service_dll(
        ALPHA_DLL,
        ServiceDll::new().export("AlphaMain", entry("AlphaMain", new_log())),
    );
    let mut key = dll_key(MY_GROUP, Some(ALPHA_DLL));
    key.parameters.service_main = param("AlphaMain", ParamLocation::ServiceKey);
    write_key(&mut m, "S", &key);
    let scm = boot(&mut m);
    let h = start(&mut m, scm, "S");
    let status = m.query_service_status(h).unwrap();
    assert_eq!(status.current_state, ServiceState::Stopped);
    assert_eq!(status.win32_exit_code, 127);
}

/// One DLL serving two services: with an entry point each, or one entry switching on argv[0].
#[rstest]
#[case::two_exports(true)]
#[case::one_shared_entry(false)]
fn one_dll_serves_two_services(#[case] two_exports: bool) {
    let mut m = machine(SMALL);
    let log = new_log();
    let dll = if two_exports {
        ServiceDll::new()
            .export("AlphaMain", entry("alpha", log.clone()))
            .export("BetaMain", entry("beta", log.clone()))
    } else {
        // One ServiceMain for both, switching on argv[0] as real shared DLLs do.
        let (alpha, beta) = (
            Arc::new(entry("alpha", log.clone())),
            Arc::new(entry("beta", log.clone())),
        );
        ServiceDll::new().export(
            "ServiceMain",
            service_fn(move |ctx: ServiceContext, args: Vec<String>| {
                let (alpha, beta) = (alpha.clone(), beta.clone());
                async move {
                    match args[0].as_str() {
                        "A" => alpha.run(ctx, args).await,
                        _ => beta.run(ctx, args).await,
                    }
                }
            }),
        )
    };
    m.install_service_dll(ALPHA_DLL, dll);
    for (name, main) in [("A", "AlphaMain"), ("B", "BetaMain")] {
        let mut key = dll_key(MY_GROUP, Some(ALPHA_DLL));
        if two_exports {
            key.parameters.service_main = param(main, ParamLocation::Parameters);
        }
        write_key(&mut m, name, &key);
    }
    let scm = boot(&mut m);
    let a = start(&mut m, scm, "A");
    let b = start(&mut m, scm, "B");
    assert_eq!(state(&mut m, a), ServiceState::Running);
    assert_eq!(state(&mut m, b), ServiceState::Running);
    assert_eq!(pid(&mut m, a), pid(&mut m, b));
    assert_eq!(lines(&log), ["alpha A", "beta B"]);
    // The DLL is loaded once in the host.
    let loads = notes(&m)
        .iter()
        .filter(|n| n.contains("loaded") && n.contains("alpha.dll"))
        .count();
    assert_eq!(loads, 1, "{}", render_text(&m.trace()));
}

/// A service whose DLL cannot be used fails alone: its siblings keep running in the host.
#[rstest]
#[case::no_service_dll(None, None, true, Some(2))]
#[case::dll_without_code(Some(r"%SystemRoot%\System32\nocode.dll"), None, false, Some(126))]
#[case::missing_entry_point(Some(ALPHA_DLL), Some("NoSuchMain"), true, Some(127))]
#[case::dll_without_code_is_scripted(Some(r"%SystemRoot%\System32\nocode.dll"), None, true, None)]
fn an_unusable_dll_fails_only_its_service(
    #[case] dll: Option<&str>,
    #[case] main: Option<&str>,
    #[case] script_unknown_images: bool,
    #[case] exit_code: Option<u32>,
) {
    let mut m = machine_with(Settings {
        memory_kb: SMALL,
        script_unknown_images,
        ..Settings::default()
    });
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
    let mut bad = dll_key(MY_GROUP, dll);
    if let Some(main) = main {
        bad.parameters.service_main = param(main, ParamLocation::Parameters);
    }
    write_key(&mut m, "Bad", &bad);
    let scm = boot(&mut m);
    let a = start(&mut m, scm, "A");
    let b = start(&mut m, scm, "B");
    let host = pid(&mut m, a);

    let h = open(&mut m, scm, "Bad");
    // StartService succeeds (svchost got the start); the service then reports the error.
    m.start_service(h, &[]).expect("the start reaches svchost");
    let status = m.query_service_status(h).unwrap();
    match exit_code {
        Some(code) => {
            assert_eq!(status.current_state, ServiceState::Stopped);
            assert_eq!(status.win32_exit_code, code, "{}", render_text(&m.trace()));
            assert_eq!(status.process_id, 0);
            assert!(
                notes(&m)
                    .iter()
                    .any(|n| n.contains(&format!("could not load the DLL of Bad: error {code}"))),
                "{}",
                render_text(&m.trace())
            );
        }
        None => {
            assert_eq!(status.current_state, ServiceState::Running);
            assert_eq!(status.process_id, host);
        }
    }
    // The siblings are untouched, in the same host.
    for h in [a, b] {
        assert_eq!(state(&mut m, h), ServiceState::Running);
        assert_eq!(pid(&mut m, h), host);
    }
    assert_eq!(hosts(&m).len(), 1);
    assert_eq!(launches(&m).len(), 1);
    assert!(event_ids(&m, "A")
        .iter()
        .all(|id| *id != 7031 && *id != 7034));
}

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

/// svchost reads ServiceDll from the registry when it loads the service (on Windows the SCM
/// does not cache it), so `sc create` + `reg add …\Parameters /v ServiceDll` works without a
/// reboot.
#[test]
fn service_dll_written_after_create_service_is_used_without_a_reboot() {
    let mut m = machine(SMALL);
    let scm = boot(&mut m);
    let log = new_log();
    m.install_service_dll(
        ALPHA_DLL,
        ServiceDll::new().export("ServiceMain", entry("alpha", log.clone())),
    );
    let h = m
        .create_service(scm, &CreateServiceParams::share_process("Fresh", MY_GROUP))
        .unwrap();
    write_parameters_dll(&mut m, "Fresh", ALPHA_DLL);
    m.start_service(h, &[]).unwrap();
    let status = m.query_service_status(h).unwrap();
    assert_eq!(
        (status.current_state, status.win32_exit_code),
        (ServiceState::Running, 0),
        "{}",
        render_text(&m.trace())
    );
    assert_eq!(lines(&log), ["alpha Fresh"]);
}

/// A later ChangeServiceConfig must not delete Parameters values it does not manage.
#[test]
fn change_service_config_keeps_parameters_written_since_boot() {
    let mut m = machine(SMALL);
    let scm = boot(&mut m);
    let h = m
        .create_service(scm, &CreateServiceParams::share_process("Fresh", MY_GROUP))
        .unwrap();
    write_parameters_dll(&mut m, "Fresh", ALPHA_DLL);
    m.change_service_config(
        h,
        &ChangeConfigParams {
            start_type: Some(ServiceStartType::AutoStart),
            ..ChangeConfigParams::default()
        },
    )
    .unwrap();
    let dll = m.registry().get_string(
        &Caller::local_system(),
        r"HKLM\SYSTEM\CurrentControlSet\Services\Fresh\Parameters",
        "ServiceDll",
    );
    assert_eq!(dll.ok().as_deref(), Some(ALPHA_DLL));
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
