//! svchost (issue 6), point by point: group hosts reused, the two ServiceMain lookup rules, one
//! DLL with two entry points or one shared entry, DLL and entry-point failures that stay with
//! their service, SvchostPushServiceGlobals before ServiceMain, events 101/102, unload on stop,
//! a crash taking the whole host down, the 1703 split (on, off, SvcHostSplitDisable, own
//! process) and the built-in Windows 10 machine's hosts.
//!
//! Service keys are written straight into the registry (as a .reg import would) and the machine
//! is booted so that the SCM loads them; service code is Rust, registered per DLL path.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rstest::rstest;
use scm_sim::events::{render_text, ScmEvent, TraceKind};
use scm_sim::machine::Image;
use scm_sim::registry::service::{
    FailureActions, ParamLocation, ParamValue, ScAction, ScActionKind, ServiceKey,
    ServiceParameters,
};
use scm_sim::registry::{Caller, RegValue, SvchostTable, ValueType};
use scm_sim::scm::access::{SC_MANAGER_ALL_ACCESS, SERVICE_ALL_ACCESS};
use scm_sim::scm::{ChangeConfigParams, CreateServiceParams, ScHandle, Settings};
use scm_sim::service::{
    service_fn, Service, ServiceContext, ServiceControl, ServiceControlAccept,
    ServiceControlHandlerResult, ServiceExitCode, ServiceStartType, ServiceState, ServiceStatus,
    ServiceType,
};
use scm_sim::svchost::{ServiceDll, SvchostGlobals};
use scm_sim::Machine;
use scm_sim_test_support::stop::run_until_stop;
use scm_sim_test_support::{lines, new_log, Log};

/// The ImagePath of the test group.
const MY_GROUP: &str = r"%SystemRoot%\System32\svchost.exe -k MyGroup";
/// Two DLLs with Rust code.
const ALPHA_DLL: &str = r"%SystemRoot%\System32\alpha.dll";
const BETA_DLL: &str = r"%SystemRoot%\System32\beta.dll";
/// 2 GB: below the default split threshold (3.5 GB), so groups stay together.
const SMALL: u64 = 2 * 1024 * 1024;
const CONTROL: &str = r"HKLM\SYSTEM\CurrentControlSet\Control";

/// A well-behaved ServiceMain that logs `"<tag> <argv…>"`, runs until STOP, and panics on
/// user control 128 (service code crashing).
fn entry(tag: &'static str, log: Log) -> impl Service {
    service_fn(move |ctx: ServiceContext, args: Vec<String>| {
        let log = log.clone();
        async move {
            log.lock()
                .unwrap()
                .push(format!("{tag} {}", args.join(" ")));
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let status = ctx
                .register_handler(move |req| match req.control {
                    ServiceControl::Stop => {
                        let _ = tx.send(());
                        ServiceControlHandlerResult::NoError
                    }
                    ServiceControl::UserDefined(128) => panic!("{tag} crashed"),
                    ServiceControl::Interrogate => ServiceControlHandlerResult::NoError,
                    _ => ServiceControlHandlerResult::NotImplemented,
                })
                .unwrap();
            status
                .set_status(ServiceStatus::running(ServiceControlAccept::STOP))
                .unwrap();
            rx.recv().await;
            status
                .set_status(ServiceStatus::stopped(ServiceExitCode::NO_ERROR))
                .unwrap();
        }
    })
}

/// The key of a demand-start share-process service of `image` whose ServiceDll (in
/// Parameters) is `dll`.
fn dll_key(image: &str, dll: Option<&str>) -> ServiceKey {
    let mut k = ServiceKey::new(ServiceType::SHARE_PROCESS.0, 3, 1);
    k.image_path = Some(image.to_string());
    k.object_name = Some("LocalSystem".into());
    if let Some(dll) = dll {
        k.parameters = ServiceParameters::with_dll(dll);
    }
    k
}

/// A string value of Parameters or of the service key itself.
fn param(value: &str, at: ParamLocation) -> Option<ParamValue<String>> {
    Some(ParamValue::new(value.to_string(), ValueType::SZ, at))
}

/// A machine not yet booted, with `memory_kb` of memory; the other settings come from the
/// registry at boot (so `Control\SvcHostSplitThresholdInKB` counts).
fn machine(memory_kb: u64) -> Machine {
    Machine::builder()
        .image(Image::Empty)
        .memory_kb(memory_kb)
        .boot(false)
        .build()
        .expect("the empty machine builds")
}

/// A machine not yet booted with explicit settings (these replace the registry's).
fn machine_with(settings: Settings) -> Machine {
    Machine::builder()
        .image(Image::Empty)
        .settings(settings)
        .boot(false)
        .build()
        .expect("the empty machine builds")
}

/// Writes a service key as regedit would.
fn write_key(m: &mut Machine, name: &str, key: &ServiceKey) {
    m.with_registry(|r| key.write(r, &Caller::local_system(), name))
        .expect("the key is written");
}

/// Boots (the SCM loads the keys written so far) and opens the SCM.
fn boot(m: &mut Machine) -> ScHandle {
    m.boot();
    m.open_sc_manager(SC_MANAGER_ALL_ACCESS).expect("admin")
}

fn open(m: &mut Machine, scm: ScHandle, name: &str) -> ScHandle {
    m.open_service(scm, name, SERVICE_ALL_ACCESS)
        .expect("the service exists")
}

fn start(m: &mut Machine, scm: ScHandle, name: &str) -> ScHandle {
    let h = open(m, scm, name);
    m.start_service(h, &[]).expect("StartService");
    h
}

fn state(m: &mut Machine, h: ScHandle) -> ServiceState {
    m.query_service_status(h).unwrap().current_state
}

fn pid(m: &mut Machine, h: ScHandle) -> u32 {
    m.query_service_status(h).unwrap().process_id
}

/// The svchost processes as (pid, services).
fn hosts(m: &Machine) -> Vec<(u32, Vec<String>)> {
    m.processes()
        .into_iter()
        .filter(|(_, image, _)| image.to_ascii_lowercase().ends_with("svchost.exe"))
        .map(|(pid, _, services)| (pid, services))
        .collect()
}

/// The command lines processes were launched with, in order.
fn launches(m: &Machine) -> Vec<(u32, String)> {
    m.trace()
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::ProcessStarted { pid, image } => Some((*pid, image.to_string())),
            _ => None,
        })
        .collect()
}

/// The notes of the trace, in order.
fn notes(m: &Machine) -> Vec<String> {
    m.trace()
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Note { text } => Some(text.to_string()),
            _ => None,
        })
        .collect()
}

/// The position in the trace of the first entry `pred` accepts.
fn position(m: &Machine, pred: impl Fn(&TraceKind) -> bool) -> Option<usize> {
    m.trace().entries().iter().position(|e| pred(&e.kind))
}

fn is_event(id: u32, service: &str) -> impl Fn(&TraceKind) -> bool + '_ {
    move |k| matches!(k, TraceKind::Event { id: i, service: Some(s) } if *i == id && &**s == service)
}

fn note_containing(text: &str) -> impl Fn(&TraceKind) -> bool + '_ {
    move |k| matches!(k, TraceKind::Note { text: t } if t.text().contains(text))
}

/// The ids of the events logged for `service`, in order.
fn event_ids(m: &Machine, service: &str) -> Vec<u32> {
    m.events()
        .iter()
        .filter(|e| e.service.as_deref() == Some(service))
        .map(|e| e.id)
        .collect()
}

// ----- 2. a group's host is reused -----------------------------------------------------------

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

// ----- 3. ServiceDll / ServiceMain lookup ----------------------------------------------------

/// What a start of the service "S" came to.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// Running the entry point with this tag.
    Ran(&'static str),
    /// STOPPED with this exit code.
    Failed(u32),
}

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

// ----- 4. push globals, events 101/102, unload ------------------------------------------------

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

// ----- 5. fault sharing ----------------------------------------------------------------------

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

// ----- 6. the split --------------------------------------------------------------------------

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

fn write_parameters_dll(m: &mut Machine, service: &str, dll: &str) {
    m.with_registry(|r| {
        let sys = Caller::local_system();
        let key = format!(r"HKLM\SYSTEM\CurrentControlSet\Services\{service}\Parameters");
        r.create_key(&sys, &key).unwrap();
        r.set_value(&sys, &key, "ServiceDll", RegValue::expand_sz(dll))
            .unwrap();
    });
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

// ----- 7. the built-in Windows 10 machine ----------------------------------------------------

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

// ----- found while writing the svchost example -----------------------------------------------

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
