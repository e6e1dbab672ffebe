//! A panic in any task of a service ends its process, as an unhandled exception in any thread
//! does on Windows (issue 11, item 5): a `ctx.spawn_task` task like a tracked thread, and a
//! plain `tokio::spawn` task as far as the simulator can tell whose it is.

use scm_sim::machine::Image;
use scm_sim::scm::access::SC_MANAGER_ALL_ACCESS;
use scm_sim::scm::{CreateServiceParams, ScHandle};
use scm_sim::service::{
    service_fn, ServiceContext, ServiceControlAccept, ServiceControlHandlerResult, ServiceState,
    ServiceStatus, ServiceTable,
};
use scm_sim::sim::Rule;
use scm_sim::Machine;
use std::time::Duration;

/// A service that reports RUNNING, then runs `spawn` (which starts a task that panics 1 s
/// later) and waits forever.
fn panicking(spawn: fn(&ServiceContext)) -> ServiceTable {
    ServiceTable::single(
        "Svc",
        service_fn(move |ctx: ServiceContext, _args| async move {
            let status = ctx
                .register_handler(|_| ServiceControlHandlerResult::NotImplemented)
                .unwrap();
            status
                .set_status(ServiceStatus::running(ServiceControlAccept::empty()))
                .unwrap();
            spawn(&ctx);
            std::future::pending::<()>().await;
        }),
    )
}

fn own(m: &mut Machine, name: &str, image: &str, table: ServiceTable) -> ScHandle {
    m.install(image, table);
    let scm = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).unwrap();
    m.create_service(scm, &CreateServiceParams::own_process(name, image))
        .unwrap()
}

async fn later_panic() {
    tokio::time::sleep(Duration::from_secs(1)).await;
    panic!("the uploader lost its socket");
}

#[test]
fn a_panic_in_a_spawn_task_task_ends_the_process_with_1067() {
    let mut m = Machine::builder().image(Image::Empty).build().unwrap();
    let h = own(
        &mut m,
        "Svc",
        r"C:\svc\svc.exe",
        panicking(|ctx| {
            ctx.spawn_task("uploader", later_panic());
        }),
    );
    m.start_service(h, &[]).unwrap();
    assert_eq!(
        m.query_service_status(h).unwrap().current_state,
        ServiceState::Running
    );
    m.advance(Duration::from_secs(2));
    let status = m.query_service_status(h).unwrap();
    assert_eq!(status.current_state, ServiceState::Stopped);
    assert_eq!(status.win32_exit_code, 1067, "ERROR_PROCESS_ABORTED");
    let ids: Vec<u32> = m.events().iter().map(|e| e.id).collect();
    assert!(ids.contains(&7034), "terminated unexpectedly: {ids:?}");
    let trace = scm_sim::events::render_text(&m.trace());
    assert!(trace.contains(r#"task "uploader" of Svc panicked: the uploader lost its socket"#));
}

#[test]
fn a_panic_in_a_plain_tokio_task_ends_the_only_process_running_service_code() {
    let mut m = Machine::builder().image(Image::Empty).build().unwrap();
    let h = own(
        &mut m,
        "Svc",
        r"C:\svc\svc.exe",
        panicking(|_| {
            tokio::spawn(later_panic());
        }),
    );
    m.start_service(h, &[]).unwrap();
    m.advance(Duration::from_secs(2));
    let status = m.query_service_status(h).unwrap();
    assert_eq!(status.current_state, ServiceState::Stopped);
    assert_eq!(status.win32_exit_code, 1067, "ERROR_PROCESS_ABORTED");
    let v = m.violations();
    let untracked: Vec<_> = v.iter().filter(|v| v.rule == Rule::UntrackedTask).collect();
    assert_eq!(untracked.len(), 1, "{v:#?}");
    assert_eq!(untracked[0].service, "Svc");
    assert_eq!(untracked[0].time, Duration::from_secs(1));
    assert!(untracked[0].seen.contains("the uploader lost its socket"));
}

#[test]
fn with_two_processes_running_code_the_panic_is_recorded_and_ends_none() {
    let mut m = Machine::builder().image(Image::Empty).build().unwrap();
    let quiet = panicking(|_| ());
    let a = own(&mut m, "Quiet", r"C:\svc\quiet.exe", quiet);
    let loud = panicking(|_| {
        tokio::spawn(later_panic());
    });
    let b = own(&mut m, "Svc", r"C:\svc\svc.exe", loud);
    m.start_service(a, &[]).unwrap();
    m.start_service(b, &[]).unwrap();
    m.advance(Duration::from_secs(2));
    for h in [a, b] {
        let state = m.query_service_status(h).unwrap().current_state;
        assert_eq!(state, ServiceState::Running);
    }
    let v = m.violations();
    assert!(
        v.iter()
            .any(|v| v.rule == Rule::UntrackedTask
                && v.seen.contains("cannot tell whose task it was")),
        "{v:#?}"
    );
}
