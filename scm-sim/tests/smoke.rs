use scm_sim::machine::Image;
use scm_sim::scm::access::{SC_MANAGER_ALL_ACCESS, SERVICE_ALL_ACCESS};
use scm_sim::scm::CreateServiceParams;
use scm_sim::service::ServiceState;
use scm_sim::service::{ServiceControl, StopReason, StopReasonKind};
use scm_sim::Machine;

#[test]
fn empty_machine_scripted_service_starts_and_stops() {
    let mut m = Machine::builder().image(Image::Empty).build().unwrap();
    let scm = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).unwrap();
    let h = m
        .create_service(
            scm,
            &CreateServiceParams::own_process("Demo", r"C:\demo.exe"),
        )
        .unwrap();
    m.start_service(h, &[]).unwrap();
    assert_eq!(
        m.query_service_status(h).unwrap().current_state,
        ServiceState::Running
    );
    m.control_service(h, ServiceControl::Stop).unwrap();
    assert_eq!(
        m.query_service_status(h).unwrap().current_state,
        ServiceState::Stopped
    );
}

#[test]
fn windows10_boots() {
    let mut m = Machine::builder().image(Image::Windows10).build().unwrap();
    let scm = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).unwrap();
    let h = m.open_service(scm, "Spooler", SERVICE_ALL_ACCESS).unwrap();
    assert_eq!(
        m.query_service_status(h).unwrap().current_state,
        ServiceState::Running
    );
}

#[test]
fn windows10_hosts_split_and_grouped() {
    let split = Machine::builder().image(Image::Windows10).build().unwrap();
    let grouped = Machine::builder()
        .image(Image::Windows10)
        .memory_kb(2 * 1024 * 1024)
        .build()
        .unwrap();
    let count = |m: &Machine| {
        m.processes()
            .iter()
            .filter(|p| p.1.to_ascii_lowercase().ends_with("svchost.exe"))
            .count()
    };
    eprintln!(
        "split hosts {} grouped hosts {}",
        count(&split),
        count(&grouped)
    );
    assert!(count(&split) > count(&grouped));
}

#[test]
fn start_hang_is_reported() {
    use scm_sim::service::scripted::Behavior;
    let mut m = Machine::builder().image(Image::Empty).build().unwrap();
    let scm = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).unwrap();
    let h = m
        .create_service(
            scm,
            &CreateServiceParams::own_process("Hangs", r"C:\hangs.exe"),
        )
        .unwrap();
    let mut b = Behavior::default();
    b.set("hang", "start").unwrap();
    m.set_behavior("Hangs", b);
    m.start_service(h, &[]).unwrap();
    m.advance(std::time::Duration::from_secs(5));
    let v = m.violations();
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].rule.id(), "hung-start");
}

#[test]
fn control_service_ex_logs_7042_and_databases_are_checked() {
    let mut m = Machine::builder().image(Image::Windows10).build().unwrap();
    assert_eq!(
        m.open_sc_manager_database(Some("ServicesFailed"), SC_MANAGER_ALL_ACCESS)
            .unwrap_err()
            .code(),
        1065
    );
    assert_eq!(
        m.open_sc_manager_database(Some("Nope"), SC_MANAGER_ALL_ACCESS)
            .unwrap_err()
            .code(),
        123
    );
    let scm = m
        .open_sc_manager_database(Some("servicesactive"), SC_MANAGER_ALL_ACCESS)
        .unwrap();
    let h = m.open_service(scm, "Spooler", SERVICE_ALL_ACCESS).unwrap();
    // A raw reason of 0 (no flag, no major, no minor) fails at the edge, as ControlServiceEx
    // answers it.
    assert_eq!(
        scm_sim_test_support::control_ex_raw(&mut m, h, ServiceControl::Stop, 0, None)
            .unwrap_err()
            .code(),
        87
    );
    // SERVICE_STOP_REASON_FLAG_PLANNED | MAJOR_APPLICATION | MINOR_MAINTENANCE
    let reason = StopReason::new(StopReasonKind::Planned, 5, 2).unwrap();
    assert_eq!(reason.code(), 0x4005_0002);
    m.control_service_ex(h, ServiceControl::Stop, reason, Some("patching"))
        .unwrap();
    let e = m
        .events()
        .into_iter()
        .find(|e| e.id == 7042)
        .expect("7042 logged");
    assert!(e.message().contains("patching"), "{}", e.message());
    // The built-in services take their profile's stop time.
    m.advance(std::time::Duration::from_secs(3));
    assert_eq!(
        m.query_service_status(h).unwrap().current_state,
        ServiceState::Stopped
    );
}

#[test]
fn a_task_spawned_around_the_context_is_caught_by_the_census() {
    use scm_sim::service::{
        service_fn, ServiceContext, ServiceControlAccept, ServiceExitCode, ServiceStatus,
        ServiceTable,
    };
    let mut m = Machine::builder().image(Image::Empty).build().unwrap();
    m.install(
        r"C:\sneaky.exe",
        ServiceTable::single(
            "Sneaky",
            service_fn(|ctx: ServiceContext, _| async move {
                let status = ctx
                    .register_handler(|_| scm_sim::service::ServiceControlHandlerResult::NoError)
                    .unwrap();
                status
                    .set_status(ServiceStatus::running(ServiceControlAccept::STOP))
                    .unwrap();
                // Not through ctx.spawn_task: the harness cannot name it, only count it.
                tokio::spawn(async {
                    tokio::time::sleep(std::time::Duration::from_secs(60)).await
                });
                status
                    .set_status(ServiceStatus::stopped(ServiceExitCode::NO_ERROR))
                    .unwrap();
            }),
        ),
    );
    let scm = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).unwrap();
    let h = m
        .create_service(
            scm,
            &CreateServiceParams::own_process("Sneaky", r"C:\sneaky.exe"),
        )
        .unwrap();
    m.start_service(h, &[]).unwrap();
    let v = m.violations();
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].rule.id(), "untracked-task");
    assert!(
        v[0].seen.starts_with("1 tokio task(s) alive"),
        "{}",
        v[0].seen
    );
}
