//! A.10: shared processes.

use super::*;

/// A.10.72, C.3: SHARE_PROCESS services with the same ImagePath (case-insensitive) run in one
/// process; a different account is 1079; OWN_PROCESS services never share; the process
/// exits when its last service stops.
#[rstest]
#[case::same_image(ServiceType::SHARE_PROCESS, r"C:\svc\host.exe -k grp", None, 0, true)]
#[case::same_image_other_case(ServiceType::SHARE_PROCESS, r"c:\SVC\HOST.EXE -k grp", None, 0, true)]
#[case::same_account_other_spelling(
    ServiceType::SHARE_PROCESS,
    r"C:\svc\host.exe -k grp",
    Some("LocalSystem"),
    0,
    true
)]
#[case::different_account(
    ServiceType::SHARE_PROCESS,
    r"C:\svc\host.exe -k grp",
    Some(r"NT AUTHORITY\LocalService"),
    1079,
    false
)]
#[case::different_command_line(
    ServiceType::SHARE_PROCESS,
    r"C:\svc\host.exe -k other",
    None,
    0,
    false
)]
#[case::own_process_same_image(ServiceType::OWN_PROCESS, r"C:\svc\host.exe -k grp", None, 0, false)]
fn shared_processes(
    #[case] second_type: ServiceType,
    #[case] second_image: &str,
    #[case] second_account: Option<&str>,
    #[case] expected: u32,
    #[case] shares: bool,
) {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    let first = m
        .create_service(
            scm,
            &CreateServiceParams::share_process("First", r"C:\svc\host.exe -k grp"),
        )
        .unwrap();
    let mut p = CreateServiceParams::own_process("Second", second_image);
    p.service_type = second_type;
    p.account = second_account.map(str::to_string);
    let second = m.create_service(scm, &p).unwrap();
    m.start_service(first, &[]).unwrap();
    let pid = status(&mut m, first).process_id;
    let r = m.start_service(second, &[]);
    assert_eq!(code(&r), expected, "{r:?}");
    let s2 = status(&mut m, second);
    if expected != 0 {
        assert_eq!(s2.current_state, ServiceState::Stopped);
        assert_eq!(s2.process_id, 0);
        assert_eq!(s2.win32_exit_code, expected);
        assert_eq!(m.processes().len(), 1);
        return;
    }
    assert_eq!(s2.current_state, ServiceState::Running);
    assert_eq!(s2.process_id == pid, shares);
    let procs = m.processes();
    if shares {
        assert_eq!(procs.len(), 1);
        assert_eq!(procs[0].2, vec!["First".to_string(), "Second".to_string()]);
    } else {
        assert_eq!(procs.len(), 2);
    }
    // The process exits with its last service.
    m.control_service(first, ServiceControl::Stop).unwrap();
    assert_eq!(state(&mut m, first), ServiceState::Stopped);
    assert!(
        m.processes().iter().any(|(p, _, _)| *p == s2.process_id),
        "Second's process lives on"
    );
    m.control_service(second, ServiceControl::Stop).unwrap();
    assert_eq!(state(&mut m, second), ServiceState::Stopped);
    assert!(m.processes().is_empty(), "{:?}", m.processes());
    // Started again: a new process.
    m.start_service(first, &[]).unwrap();
    assert_ne!(status(&mut m, first).process_id, pid);
}

/// A.10.72: two Rust services of one dispatch table in one process (one pid, one table), each
/// with its own handler; stopping one leaves the other and the process running.
#[test]
fn two_rust_services_share_one_process() {
    let mut m = machine();
    let image = r"C:\svc\pair.exe";
    m.install(
        image,
        ServiceTable::new()
            .with("Left", well_behaved(STOP))
            .with("Right", well_behaved(STOP | PC)),
    );
    let scm = admin_scm(&mut m);
    let left = m
        .create_service(scm, &CreateServiceParams::share_process("Left", image))
        .unwrap();
    let right = m
        .create_service(scm, &CreateServiceParams::share_process("Right", image))
        .unwrap();
    m.start_service(left, &[]).unwrap();
    m.start_service(right, &[]).unwrap();
    let pid = status(&mut m, left).process_id;
    assert_eq!(status(&mut m, right).process_id, pid);
    assert_eq!(
        m.control_service(right, ServiceControl::Pause)
            .unwrap()
            .current_state,
        ServiceState::Paused
    );
    assert_eq!(state(&mut m, left), ServiceState::Running);
    assert_eq!(
        code(&m.control_service(left, ServiceControl::Pause)),
        1052,
        "Left does not accept PAUSE"
    );
    m.control_service(left, ServiceControl::Stop).unwrap();
    assert_eq!(m.processes().len(), 1);
    assert_eq!(m.processes()[0].2, vec!["Right".to_string()]);
    // Started again while Right runs: a start packet to the same process.
    m.start_service(left, &[]).unwrap();
    assert_eq!(status(&mut m, left).process_id, pid);
    assert_eq!(m.processes().len(), 1);
    m.control_service(left, ServiceControl::Stop).unwrap();
    m.control_service(right, ServiceControl::Stop).unwrap();
    assert!(m.processes().is_empty());
}
