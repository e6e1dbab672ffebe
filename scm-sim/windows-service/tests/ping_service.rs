//! Drives the examples as windows-service-rs's examples are driven on Windows: install the
//! service, start it, send user controls, try a pause it does not accept, stop it, uninstall
//! it — here against a simulated machine, on virtual time.

#[path = "../examples/install_service.rs"]
#[allow(dead_code)]
mod install_example;
#[path = "../examples/ping_service.rs"]
#[allow(dead_code)]
mod ping_example;

use std::time::Duration;

mod support;

use install_example::installer;
use ping_example::ping_service;
use scm_sim::machine::Image;
use scm_sim::Machine;
use support::guarded;
use windows_service::service::{ServiceAccess, ServiceState, UserEventCode};
use windows_service::service_manager::{ServiceManager, ServiceManagerAccess};
use windows_service::sim;

const EXE: &str = r"C:\svc\ping_service.exe";

fn machine_with_ping() -> Machine {
    let mut m = Machine::builder().image(Image::Empty).build().unwrap();
    sim::install_program(&mut m, EXE, ping_service::run);
    m
}

#[test]
fn install_start_notify_pause_refused_stop_by_130_uninstall() {
    guarded(|| {
        let mut m = machine_with_ping();
        let started_at = sim::with_machine(&mut m, || -> windows_service::Result<()> {
            installer::install(EXE)?;
            let manager =
                ServiceManager::local_computer(None::<&str>, ServiceManagerAccess::CONNECT)?;
            let service = manager.open_service("ping_service", ServiceAccess::ALL_ACCESS)?;
            service.start::<&str>(&[])?;
            let status = service.query_status()?;
            assert_eq!(status.current_state, ServiceState::Running);
            assert!(status.process_id.is_some());
            Ok(())
        });
        started_at.unwrap();
        let t0 = m.now();
        m.advance(Duration::from_secs(10)); // ten pings, on virtual time
        assert_eq!(m.now() - t0, Duration::from_secs(10));
        sim::with_machine(&mut m, || -> windows_service::Result<()> {
            let manager =
                ServiceManager::local_computer(None::<&str>, ServiceManagerAccess::CONNECT)?;
            let service = manager.open_service("ping_service", ServiceAccess::ALL_ACCESS)?;
            let no_op = UserEventCode::from_raw(128).unwrap();
            assert_eq!(service.notify(no_op)?.current_state, ServiceState::Running);
            let refused = service.pause().unwrap_err();
            assert_eq!(refused.raw_os_error(), Some(1052)); // ERROR_INVALID_SERVICE_CONTROL
            let custom_stop = UserEventCode::from_raw(130).unwrap();
            service.notify(custom_stop)?;
            assert_eq!(service.query_status()?.current_state, ServiceState::Stopped);
            drop(service);
            assert!(
                installer::uninstall()?,
                "deleted at once: stopped, no handle open"
            );
            Ok(())
        })
        .unwrap();
        m.assert_no_violations();
    });
}

#[test]
fn stop_control_stops_it_at_the_same_virtual_instant() {
    guarded(|| {
        let mut m = machine_with_ping();
        sim::with_machine(&mut m, || -> windows_service::Result<()> {
            installer::install(EXE)?;
            let manager =
                ServiceManager::local_computer(None::<&str>, ServiceManagerAccess::CONNECT)?;
            let service = manager.open_service("ping_service", ServiceAccess::ALL_ACCESS)?;
            service.start::<&str>(&[])?;
            service.stop()?;
            assert_eq!(service.query_status()?.current_state, ServiceState::Stopped);
            Ok(())
        })
        .unwrap();
        m.assert_no_violations();
    });
}

#[test]
fn run_from_a_console_fails_with_1063() {
    let err = ping_service::run().unwrap_err();
    assert_eq!(err.raw_os_error(), Some(1063));
}

#[test]
fn manager_code_outside_a_machine_scope_fails_with_1063() {
    let err =
        ServiceManager::local_computer(None::<&str>, ServiceManagerAccess::CONNECT).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(1063));
}
