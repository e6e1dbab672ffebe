//! Finding a service's code: the two ServiceMain lookup rules, one DLL with two entry points or
//! one shared entry, DLL and entry-point failures that stay with their service, and DLL values
//! written since boot.

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
