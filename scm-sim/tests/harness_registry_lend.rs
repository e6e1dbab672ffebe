//! `ServiceContext::with_registry` never deadlocks the machine (issue 11, item 1): service code
//! may call back into the SCM from inside the closure (SetServiceStatus, spawning work,
//! randomness, registering its handler), from its ServiceMain task or from a tracked OS
//! thread, and what it must not do there (sleep on virtual time, nest a second closure, panic)
//! ends its process with a clear message instead of hanging every caller.
//!
//! On Windows, registry calls and SetServiceStatus share no lock; an earlier engine ran the
//! closure under its own lock, so `start_service` never returned.

use scm_sim::machine::Image;
use scm_sim::registry::RegValue;
use scm_sim::scm::access::SC_MANAGER_ALL_ACCESS;
use scm_sim::scm::CreateServiceParams;
use scm_sim::service::{
    service_fn, ServiceContext, ServiceControl, ServiceControlAccept, ServiceControlHandlerResult,
    ServiceExitCode, ServiceState, ServiceStatus, ServiceTable,
};
use scm_sim::Machine;

const KEY: &str = r"HKLM\SOFTWARE\Contoso";

/// A machine with one own-process service `Svc` running `table`'s code.
fn machine_with(table: ServiceTable) -> (Machine, scm_sim::scm::ScHandle) {
    let mut m = Machine::builder()
        .image(Image::Empty)
        .seed(7)
        .build()
        .unwrap();
    m.install(r"C:\svc\svc.exe", table);
    let scm = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).unwrap();
    let params = CreateServiceParams::own_process("Svc", r"C:\svc\svc.exe");
    let h = m.create_service(scm, &params).unwrap();
    (m, h)
}

/// Registers a handler that answers STOP by reporting STOPPED.
fn stop_on_request(ctx: &ServiceContext) -> scm_sim::service::StatusHandle {
    let (tx, rx) = std::sync::mpsc::channel::<scm_sim::service::StatusHandle>();
    let status = ctx
        .register_handler(move |req| match req.control {
            ServiceControl::Stop => {
                if let Ok(h) = rx.try_recv() {
                    let _ = h.set_status(ServiceStatus::stopped(ServiceExitCode::NO_ERROR));
                }
                ServiceControlHandlerResult::NoError
            }
            _ => ServiceControlHandlerResult::NotImplemented,
        })
        .unwrap();
    tx.send(status.clone()).unwrap();
    status
}

#[test]
fn every_context_call_inside_with_registry_returns_from_the_service_main_task() {
    let table = ServiceTable::single(
        "Svc",
        service_fn(|ctx: ServiceContext, _args| async move {
            let status = stop_on_request(&ctx);
            let ctx2 = ctx.clone();
            let draw = ctx.with_registry(move |reg, caller| {
                reg.create_key(caller, KEY).unwrap();
                reg.set_value(caller, KEY, "Level", RegValue::dword(3))
                    .unwrap();
                // Re-entering the SCM from inside the closure: each of these took the engine
                // lock the closure ran under.
                status
                    .set_status(ServiceStatus::running(ServiceControlAccept::STOP))
                    .unwrap();
                ctx2.spawn_task("idle", async {});
                let draw = ctx2.random_u64();
                let _ = ctx2.status_handle();
                draw
            });
            assert_ne!(draw, 0);
        }),
    );
    let (mut m, h) = machine_with(table);
    m.start_service(h, &[]).expect("start_service returns");
    assert_eq!(
        m.query_service_status(h).unwrap().current_state,
        ServiceState::Running
    );
    let level = m.with_registry(|r| {
        r.get_value(&scm_sim::registry::Caller::local_system(), KEY, "Level")
            .unwrap()
    });
    assert_eq!(level, RegValue::dword(3));
    m.control_service(h, ServiceControl::Stop).unwrap();
    assert_eq!(
        m.query_service_status(h).unwrap().current_state,
        ServiceState::Stopped
    );
    m.assert_no_violations();
}

#[test]
fn set_status_inside_with_registry_on_a_tracked_thread_returns() {
    let table = ServiceTable::single(
        "Svc",
        service_fn(|ctx: ServiceContext, _args| async move {
            let status = stop_on_request(&ctx);
            let ctx2 = ctx.clone();
            let worker = ctx
                .spawn_thread("configure", move |_t| {
                    ctx2.with_registry(|reg, caller| {
                        reg.create_key(caller, KEY).unwrap();
                        status
                            .set_status(ServiceStatus::running(ServiceControlAccept::STOP))
                            .unwrap();
                    });
                })
                .unwrap();
            worker.join().await;
        }),
    );
    let (mut m, h) = machine_with(table);
    m.start_service(h, &[]).expect("start_service returns");
    assert_eq!(
        m.query_service_status(h).unwrap().current_state,
        ServiceState::Running
    );
    m.control_service(h, ServiceControl::Stop).unwrap();
    m.assert_no_violations();
}

/// Runs a service whose ServiceMain does `inside` within a `with_registry` closure on a tracked
/// thread, and returns the machine once its process ended.
fn misbehaving(inside: fn(&ServiceContext, &scm_sim::service::ThreadContext)) -> Machine {
    let table = ServiceTable::single(
        "Svc",
        service_fn(move |ctx: ServiceContext, _args| async move {
            let _status = stop_on_request(&ctx);
            let ctx2 = ctx.clone();
            let worker = ctx
                .spawn_thread("configure", move |t| {
                    ctx2.with_registry(|reg, caller| {
                        reg.create_key(caller, KEY).unwrap();
                        inside(&ctx2, &t);
                    });
                })
                .unwrap();
            worker.join().await;
        }),
    );
    let (mut m, h) = machine_with(table);
    for _ in 0..2 {
        // StartService returns once ServiceMain runs; the thread's panic then ends the process
        // as an unhandled exception would (ERROR_PROCESS_ABORTED, 1067). The second round
        // shows the machine still answers.
        let _ = m.start_service(h, &[]);
        let status = m.query_service_status(h).unwrap();
        assert_eq!(status.current_state, ServiceState::Stopped);
        assert_eq!(status.win32_exit_code, 1067, "ERROR_PROCESS_ABORTED");
    }
    // The registry came home with the closure's changes.
    let created =
        m.with_registry(|r| r.key_exists(&scm_sim::registry::Caller::local_system(), KEY));
    assert!(
        created,
        "the lent registry came back with the closure's changes"
    );
    m
}

/// The trace as text: it keeps the crash message of the process.
fn crash_text(m: &Machine) -> String {
    scm_sim::events::render_text(&m.trace())
}

#[test]
fn sleeping_inside_with_registry_crashes_the_process_instead_of_hanging() {
    let m = misbehaving(|_, t| {
        let _ = t.sleep(std::time::Duration::from_millis(10));
    });
    assert!(crash_text(&m).contains("ThreadContext::sleep called inside a with_registry closure"));
}

#[test]
fn nested_with_registry_crashes_the_process_instead_of_hanging() {
    let m = misbehaving(|ctx, _| ctx.with_registry(|_, _| ()));
    assert!(crash_text(&m).contains("already lent to the outer closure"));
}

#[test]
fn a_panic_inside_with_registry_gives_the_registry_back() {
    let m = misbehaving(|_, _| panic!("boom in the closure"));
    assert!(crash_text(&m).contains("boom in the closure"));
}
