//! A.3: DeleteService, services marked for delete, and when they go.

use super::*;

#[derive(Debug, Clone, Copy)]
enum OnMarked {
    OpenService,
    QueryStatus,
    QueryConfig,
    StartService,
    ChangeConfig,
    ChangeConfig2,
    DeleteAgain,
    CreateSameName,
    CreateSameNameOtherCase,
}

/// A.3.21, A.3.22, A.3.24, A.2.20: what works on a service marked for delete while a handle
/// is still open. It stays STOPPED and in the registry with `DeleteFlag` = 1 (A.3.23) and its
/// start type SERVICE_DISABLED (MS-SCMR 3.1.4.3, RDeleteService), which QueryServiceConfig
/// shows.
#[rstest]
#[case::open_service_still_works(OnMarked::OpenService, 0)]
#[case::query_status_still_works(OnMarked::QueryStatus, 0)]
#[case::query_config_still_works(OnMarked::QueryConfig, 0)]
#[case::start_service(OnMarked::StartService, 1072)]
#[case::change_service_config(OnMarked::ChangeConfig, 1072)]
#[case::change_service_config2(OnMarked::ChangeConfig2, 1072)]
#[case::delete_again(OnMarked::DeleteAgain, 1072)]
#[case::create_same_name(OnMarked::CreateSameName, 1072)]
#[case::create_same_name_other_case(OnMarked::CreateSameNameOtherCase, 1072)]
fn marked_for_delete(#[case] op: OnMarked, #[case] expected: u32) {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    let h = create_own(&mut m, scm, "Doomed", PATH);
    m.delete_service(h).unwrap();
    let r: Result<(), Win32Error> = match op {
        OnMarked::OpenService => m
            .open_service(scm, "Doomed", SERVICE_ALL_ACCESS)
            .map(|_| ()),
        OnMarked::QueryStatus => m.query_service_status(h).map(|_| ()),
        OnMarked::QueryConfig => m.query_service_config(h).map(|_| ()),
        OnMarked::StartService => m.start_service(h, &[]),
        OnMarked::ChangeConfig => m.change_service_config(
            h,
            &ChangeConfigParams {
                start_type: Some(ServiceStartType::AutoStart),
                ..ChangeConfigParams::default()
            },
        ),
        OnMarked::ChangeConfig2 => {
            m.change_service_config2(h, &ServiceConfig2::Description(Some("x".into())))
        }
        OnMarked::DeleteAgain => m.delete_service(h),
        OnMarked::CreateSameName => m
            .create_service(scm, &CreateServiceParams::own_process("Doomed", PATH))
            .map(|_| ()),
        OnMarked::CreateSameNameOtherCase => m
            .create_service(scm, &CreateServiceParams::own_process("DOOMED", PATH))
            .map(|_| ()),
    };
    assert_eq!(code(&r), expected, "{op:?}: {r:?}");
    let s = status(&mut m, h);
    assert_eq!(s.current_state, ServiceState::Stopped);
    assert_eq!(s.process_id, 0);
    let key = ServiceKey::read(&m.registry(), &Caller::local_system(), "Doomed").unwrap();
    assert_eq!(key.delete_flag, Some(true));
    assert_eq!(
        key.start, 4,
        "SERVICE_DISABLED; a refused change changes nothing"
    );
    let config = m.query_service_config(h).unwrap();
    assert_eq!(config.start_type, ServiceStartType::Disabled);
}

/// A.3.22: the record and its key go when the last handle closes (the service is STOPPED);
/// the name is then free again.
#[test]
fn deleted_service_goes_with_its_last_handle() {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    let h1 = create_own(&mut m, scm, "Doomed", PATH);
    let h2 = m.open_service(scm, "Doomed", SERVICE_QUERY_STATUS).unwrap();
    m.delete_service(h1).unwrap();
    m.close_service_handle(h1).unwrap();
    // One handle left: still there.
    assert_eq!(state(&mut m, h2), ServiceState::Stopped);
    let create_again = CreateServiceParams::own_process("Doomed", PATH);
    assert_eq!(code(&m.create_service(scm, &create_again)), 1072);
    m.close_service_handle(h2).unwrap();
    assert_eq!(
        code(&m.open_service(scm, "Doomed", SERVICE_QUERY_STATUS)),
        1060
    );
    assert!(
        ServiceKey::read(&m.registry(), &Caller::local_system(), "Doomed").is_err(),
        "the registry key is gone"
    );
    let again = m.create_service(scm, &create_again).unwrap();
    assert_eq!(status(&mut m, again).win32_exit_code, 1077);
}

/// A.3.22 (and C.19): a running service marked for delete keeps its record until it stops,
/// even with every handle closed; then it goes.
#[test]
fn deleted_running_service_goes_when_it_stops() {
    let mut m = machine();
    let probe = Probe::default();
    let h = install_own(
        &mut m,
        "Doomed",
        PUPPET,
        puppet(
            &probe,
            Some(ServiceStatus::running(ServiceControlAccept::STOP)),
        ),
    );
    m.start_service(h, &[]).unwrap();
    m.delete_service(h).unwrap();
    m.close_service_handle(h).unwrap();
    let scm = admin_scm(&mut m);
    let again = m.open_service(scm, "Doomed", SERVICE_QUERY_STATUS).unwrap();
    assert_eq!(state(&mut m, again), ServiceState::Running);
    m.close_service_handle(again).unwrap();
    assert_eq!(
        code(&m.create_service(scm, &CreateServiceParams::own_process("Doomed", PATH))),
        1072
    );
    report(
        &mut m,
        &probe.status(),
        ServiceStatus::stopped(ServiceExitCode::NO_ERROR),
    )
    .unwrap();
    assert_eq!(
        code(&m.open_service(scm, "Doomed", SERVICE_QUERY_STATUS)),
        1060
    );
    assert!(m.processes().is_empty(), "its process exited");
}

/// A.3.22: a service marked for delete while its start is in progress, with every handle
/// closed, goes from the database as soon as that start fails (it is STOPPED and nothing
/// refers to it).
#[test]
fn marked_service_goes_when_its_start_fails() {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    m.set_behavior("Svc", behavior(&[("hang", "connect")]));
    let h = create_own(&mut m, scm, "Svc", PATH);
    let api = m.scm();
    let r = m.block_on(async {
        let start = api.start_service(h, &[]);
        let meanwhile = async {
            tokio::task::yield_now().await;
            assert_eq!(
                api.query_service_status(h).unwrap().current_state,
                ServiceState::StartPending
            );
            api.delete_service(h).unwrap();
            api.close_service_handle(h).unwrap();
        };
        tokio::join!(start, meanwhile).0
    });
    m.settle();
    assert_eq!(code(&r), 1053);
    assert_eq!(
        code(&m.open_service(scm, "Svc", SERVICE_QUERY_STATUS)),
        1060
    );
    assert!(ServiceKey::read(&m.registry(), &Caller::local_system(), "Svc").is_err());
}

/// A.3.23: DeleteService writes `DeleteFlag` = 1; a service still marked at the next SCM
/// start (here: it was running, so its record stayed) is purged then, key and all.
#[test]
fn marked_services_are_purged_at_the_next_boot() {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    let h = create_own(&mut m, scm, "Doomed", PATH);
    create_own(&mut m, scm, "Kept", PATH);
    m.start_service(h, &[]).unwrap();
    m.delete_service(h).unwrap();
    let sys = Caller::local_system();
    let key = ServiceKey::read(&m.registry(), &sys, "Doomed").unwrap();
    assert_eq!(key.delete_flag, Some(true));
    assert_eq!(
        state(&mut m, h),
        ServiceState::Running,
        "still running, still there"
    );
    m.boot();
    assert!(ServiceKey::read(&m.registry(), &sys, "Doomed").is_err());
    let scm = admin_scm(&mut m);
    assert_eq!(
        code(&m.open_service(scm, "Doomed", SERVICE_QUERY_STATUS)),
        1060
    );
    assert_eq!(code(&m.open_service(scm, "Kept", SERVICE_QUERY_STATUS)), 0);
}
