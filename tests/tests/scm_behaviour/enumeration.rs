//! A.7, A.8.59, A.9.69: EnumServicesStatusEx, EnumDependentServices, display and key names.

use super::*;

/// Alpha (own, GroupA, running), Beta (share, GroupB, stopped), Gamma (own, no group,
/// stopped, display name "Gamma Display"), Kdrv (kernel driver, GroupB, running).
fn enum_machine() -> (Machine, ScHandle) {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    let mut alpha = CreateServiceParams::own_process("Alpha", r"C:\svc\alpha.exe");
    alpha.load_order_group = Some("GroupA".into());
    let alpha = m.create_service(scm, &alpha).unwrap();
    let mut beta = CreateServiceParams::share_process("Beta", r"C:\svc\beta.exe");
    beta.load_order_group = Some("GroupB".into());
    m.create_service(scm, &beta).unwrap();
    let mut gamma = CreateServiceParams::own_process("Gamma", r"C:\svc\gamma.exe");
    gamma.display_name = Some("Gamma Display".into());
    m.create_service(scm, &gamma).unwrap();
    let mut kdrv = CreateServiceParams::own_process("Kdrv", r"System32\drivers\kdrv.sys");
    kdrv.service_type = ServiceType::KERNEL_DRIVER;
    kdrv.load_order_group = Some("GroupB".into());
    let kdrv = m.create_service(scm, &kdrv).unwrap();
    m.start_service(alpha, &[]).unwrap();
    m.start_service(kdrv, &[]).unwrap();
    (m, scm)
}

/// A.7.56, A.7.58, facts §1.1: the type, state and group filters and the parameter checks.
/// The masks are raw, as a C caller passes them (`enum_raw` converts them at the edge: bits
/// outside SERVICE_TYPE_ALL or SERVICE_STATE_ALL fail there with 87; empty masks reach the SCM,
/// which refuses them with 87).
#[rstest]
#[case::win32_all(0x30, 3, None, Ok(&["Alpha", "Beta", "Gamma"][..]))]
#[case::drivers(0xB, 3, None, Ok(&["Kdrv"][..]))]
#[case::own_process(0x10, 3, None, Ok(&["Alpha", "Gamma"][..]))]
#[case::share_process(0x20, 3, None, Ok(&["Beta"][..]))]
#[case::active(0x3FF, 1, None, Ok(&["Alpha", "Kdrv"][..]))]
#[case::inactive(0x3FF, 2, None, Ok(&["Beta", "Gamma"][..]))]
#[case::win32_active(0x30, 1, None, Ok(&["Alpha"][..]))]
#[case::group(0x3FF, 3, Some("GroupA"), Ok(&["Alpha"][..]))]
#[case::group_case_insensitive(0x3FF, 3, Some("groupb"), Ok(&["Beta", "Kdrv"][..]))]
#[case::group_and_state(0x3FF, 1, Some("GroupB"), Ok(&["Kdrv"][..]))]
#[case::group_and_type(0x30, 3, Some("GroupB"), Ok(&["Beta"][..]))]
#[case::no_group(0x3FF, 3, Some(""), Ok(&["Gamma"][..]))]
#[case::type_0(0, 3, None, Err(87))]
#[case::state_0(0x30, 0, None, Err(87))]
#[case::state_4(0x30, 4, None, Err(87))]
#[case::type_outside_all(0x400, 3, None, Err(87))]
#[case::unknown_group(0x30, 3, Some("NoSuchGroup"), Err(1060))]
fn enum_services_filters(
    #[case] service_type: u32,
    #[case] state_mask: u32,
    #[case] group: Option<&str>,
    #[case] expected: Result<&[&str], u32>,
) {
    let (mut m, scm) = enum_machine();
    let r = enum_raw(&mut m, scm, service_type, state_mask, group);
    match expected {
        Ok(names) => {
            let got = r.unwrap();
            let mut got_names: Vec<&str> = got.iter().map(|e| e.service_name.as_str()).collect();
            got_names.sort_unstable();
            assert_eq!(got_names, names);
            for e in &got {
                assert!(
                    !e.display_name.is_empty(),
                    "A.7.58: never an empty display name"
                );
                let running = e.status.current_state != ServiceState::Stopped;
                assert_eq!(
                    running,
                    ["Alpha", "Kdrv"].contains(&e.service_name.as_str())
                );
                if e.service_name == "Gamma" {
                    assert_eq!(e.display_name, "Gamma Display");
                }
                if e.service_name == "Beta" {
                    assert_eq!(e.display_name, "Beta", "the key name when none is set");
                }
                if e.service_name == "Kdrv" || e.status.current_state == ServiceState::Stopped {
                    assert_eq!(
                        e.status.process_id, 0,
                        "A.7.55: drivers and stopped services"
                    );
                } else {
                    assert_ne!(e.status.process_id, 0);
                }
            }
        }
        Err(c) => assert_eq!(code(&r), c, "{r:?}"),
    }
}

/// A.7.58: active + inactive = all, for every type mask.
#[rstest]
#[case::win32(0x30)]
#[case::driver(0xB)]
#[case::all(0x3FF)]
fn enum_active_plus_inactive_is_all(#[case] service_type: u32) {
    let (mut m, scm) = enum_machine();
    let n = |m: &mut Machine, s: u32| enum_raw(m, scm, service_type, s, None).unwrap().len();
    assert_eq!(n(&mut m, 1) + n(&mut m, 2), n(&mut m, 3));
}

/// A.7.56: the order of EnumServicesStatusEx's checks: parameters (87), then access (5,
/// SC_MANAGER_ENUMERATE_SERVICE), then the group (1060); a closed handle is 6.
#[rstest]
#[case::bad_type_before_access(SC_MANAGER_CONNECT, 0, None, 87)]
#[case::access(SC_MANAGER_CONNECT, 0x30, None, 5)]
#[case::access_before_group(SC_MANAGER_CONNECT, 0x30, Some("NoSuchGroup"), 5)]
#[case::enumerate_right(SC_MANAGER_ENUMERATE_SERVICE, 0x30, None, 0)]
#[case::generic_read(ScmAccess::GENERIC_READ, 0x30, None, 0)]
fn enum_services_check_order(
    #[case] access: ScmAccess,
    #[case] service_type: u32,
    #[case] group: Option<&str>,
    #[case] expected: u32,
) {
    let (mut m, _) = enum_machine();
    let scm = m.open_sc_manager(access).unwrap();
    assert_eq!(
        code(&enum_raw(&mut m, scm, service_type, 3, group)),
        expected
    );
    m.close_service_handle(scm).unwrap();
    assert_eq!(
        code(&m.enum_services_status(scm, ServiceType::WIN32, ServiceStateFilter::ALL, None)),
        6
    );
}

/// A.9.69: EnumDependentServices lists dependents recursively, deepest first (a dependent's
/// own dependents before it); the state filter applies; it needs
/// SERVICE_ENUMERATE_DEPENDENTS.
///
/// Base ← Mid ← Top, Base ← Side, Unrelated.
#[rstest]
#[case::all(3, Ok(&["Top", "Mid", "Side"][..]))]
#[case::active(1, Ok(&["Top", "Mid"][..]))]
#[case::inactive(2, Ok(&["Side"][..]))]
#[case::state_0(0, Err(87))]
fn enum_dependent_services(#[case] state_mask: u32, #[case] expected: Result<&[&str], u32>) {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    let mk = |m: &mut Machine, name: &str, deps: &[&str]| {
        let mut p = CreateServiceParams::own_process(name, &format!(r"C:\svc\{name}.exe"));
        p.dependencies = deps.iter().map(|d| d.to_string()).collect();
        m.create_service(scm, &p).unwrap()
    };
    let base = mk(&mut m, "Base", &[]);
    mk(&mut m, "Mid", &["Base"]);
    let top = mk(&mut m, "Top", &["Mid"]);
    mk(&mut m, "Side", &["BASE"]);
    mk(&mut m, "Unrelated", &[]);
    m.start_service(top, &[]).unwrap();
    let r = enum_dependents_raw(&mut m, base, state_mask);
    match expected {
        Ok(names) => {
            let got: Vec<String> = r.unwrap().into_iter().map(|e| e.service_name).collect();
            assert_eq!(got, names);
        }
        Err(c) => assert_eq!(code(&r), c),
    }
    let no_right = m
        .open_service(
            scm,
            "Base",
            SERVICE_ALL_ACCESS & !SERVICE_ENUMERATE_DEPENDENTS,
        )
        .unwrap();
    assert_eq!(
        code(&m.enum_dependent_services(no_right, ServiceStateFilter::ALL)),
        5
    );
}

/// A.8.59, A.1.6: GetServiceDisplayName / GetServiceKeyName: case-insensitive, the key name
/// for a service without a display name, 1060 for unknown names (and a key name is not a
/// display name unless it is one).
#[rstest]
#[case::display_of_key("Spooler", Ok("Print Spooler"))]
#[case::display_of_key_other_case("SPOOLER", Ok("Print Spooler"))]
#[case::display_defaults_to_key("Plain", Ok("Plain"))]
#[case::display_of_unknown("Nope", Err(1060))]
#[case::display_of_display_name("Print Spooler", Err(1060))]
fn get_service_display_name(#[case] key: &str, #[case] expected: Result<&str, u32>) {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    let mut p = CreateServiceParams::own_process("Spooler", PATH);
    p.display_name = Some("Print Spooler".into());
    m.create_service(scm, &p).unwrap();
    create_own(&mut m, scm, "Plain", PATH);
    let connect = m.open_sc_manager(SC_MANAGER_CONNECT).unwrap();
    let r = m.get_service_display_name(connect, key);
    match expected {
        Ok(name) => assert_eq!(r.unwrap(), name),
        Err(c) => assert_eq!(code(&r), c),
    }
}

#[rstest]
#[case::key_of_display("Print Spooler", Ok("Spooler"))]
#[case::key_of_display_other_case("PRINT spooler", Ok("Spooler"))]
#[case::key_of_defaulted_display("plain", Ok("Plain"))]
#[case::key_of_unknown("No Such Display", Err(1060))]
#[case::key_of_key_with_display_name("Spooler", Err(1060))]
#[case::key_of_shared_display_name("Twin Display", Ok("Aaa"))]
fn get_service_key_name(#[case] display: &str, #[case] expected: Result<&str, u32>) {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    let mut p = CreateServiceParams::own_process("Spooler", PATH);
    p.display_name = Some("Print Spooler".into());
    m.create_service(scm, &p).unwrap();
    create_own(&mut m, scm, "Plain", PATH);
    // A.2.16: Windows 10 1709+ accepts a second service with the same display name and
    // GetServiceKeyName returns the first one's key.
    for name in ["Aaa", "Bbb"] {
        let mut p = CreateServiceParams::own_process(name, PATH);
        p.display_name = Some("Twin Display".into());
        m.create_service(scm, &p).unwrap();
    }
    let r = m.get_service_key_name(scm, display);
    match expected {
        Ok(name) => assert_eq!(r.unwrap(), name),
        Err(c) => assert_eq!(code(&r), c),
    }
}
