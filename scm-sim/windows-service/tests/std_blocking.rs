//! Model (b): unchanged windows-service code that blocks in std primitives
//! (`std::sync::mpsc`), watched through `/proc`. Controls, states and SCM timeouts come out
//! right; the service's own timeouts stay real time.

mod support;

use std::ffi::OsString;
use std::sync::mpsc;
use std::time::Duration;

use scm_sim::machine::Image;
use scm_sim::Machine;
use support::{guarded, install_and_open, status};
use windows_service::service::{ServiceControl, ServiceControlAccept, ServiceState};
use windows_service::service_control_handler::{self, ServiceControlHandlerResult};
use windows_service::{define_windows_service, service_dispatcher, sim};

define_windows_service!(ffi_std_main, std_main);

/// windows-service-rs's ping shape, unchanged: a std channel and a std `recv_timeout`.
fn std_main(_args: Vec<OsString>) {
    let (tx, rx) = mpsc::channel();
    let handle = service_control_handler::register("std_ping", move |c| match c {
        ServiceControl::Stop => {
            let _ = tx.send(());
            ServiceControlHandlerResult::NoError
        }
        ServiceControl::Interrogate => ServiceControlHandlerResult::NoError,
        _ => ServiceControlHandlerResult::NotImplemented,
    })
    .unwrap();
    handle
        .set_service_status(status(ServiceState::Running, ServiceControlAccept::STOP))
        .unwrap();
    loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
    }
    handle
        .set_service_status(status(ServiceState::Stopped, ServiceControlAccept::empty()))
        .unwrap();
}

define_windows_service!(ffi_silent_main, silent_main);

/// Registers, then blocks for good without ever reporting RUNNING.
fn silent_main(_args: Vec<OsString>) {
    let (_tx, rx) = mpsc::channel::<()>();
    let _handle = service_control_handler::register("silent", |_| {
        ServiceControlHandlerResult::NotImplemented
    });
    let _ = rx.recv_timeout(Duration::from_secs(3600));
}

#[test]
fn unchanged_std_code_starts_and_stops() {
    guarded(|| {
        let mut m = Machine::builder().image(Image::Empty).build().unwrap();
        sim::install_program(&mut m, r"C:\svc\std.exe", || {
            service_dispatcher::start("std_ping", ffi_std_main)
        });
        sim::with_machine(&mut m, || {
            let service = install_and_open("std_ping", r"C:\svc\std.exe");
            service.start::<&str>(&[]).unwrap();
            assert_eq!(
                service.query_status().unwrap().current_state,
                ServiceState::Running
            );
            service.stop().unwrap();
            assert_eq!(
                service.query_status().unwrap().current_state,
                ServiceState::Stopped
            );
        });
        m.assert_no_violations();
    });
}

#[test]
fn a_service_main_that_never_reports_times_out_on_virtual_time() {
    guarded(|| {
        let mut m = Machine::builder().image(Image::Empty).build().unwrap();
        sim::install_program(&mut m, r"C:\svc\silent.exe", || {
            service_dispatcher::start("silent", ffi_silent_main)
        });
        let t0 = m.now();
        sim::with_machine(&mut m, || {
            let service = install_and_open("silent", r"C:\svc\silent.exe");
            service.start::<&str>(&[]).unwrap();
            assert_eq!(
                service.query_status().unwrap().current_state,
                ServiceState::StartPending
            );
        });
        m.advance(Duration::from_secs(120));
        assert!(m.now() - t0 >= Duration::from_secs(120));
        // Registered but never reported: the SCM gives up waiting (event 7022, "hung on
        // starting") and the oracle names the frozen checkpoint.
        assert!(m.events().iter().any(|e| e.id == 7022));
        let rules: Vec<String> = m
            .violations()
            .iter()
            .map(|v| v.rule.id().to_string())
            .collect();
        assert_eq!(rules, ["hung-start"]);
    });
}

#[test]
fn a_main_that_blocks_before_start_gets_1053_after_the_pipe_timeout() {
    guarded(|| {
        let mut m = Machine::builder().image(Image::Empty).build().unwrap();
        sim::install_program(&mut m, r"C:\svc\late.exe", || {
            // Blocks (real time) before connecting, as a slow initialisation would.
            let (_tx, rx) = mpsc::channel::<()>();
            let _ = rx.recv_timeout(Duration::from_secs(3600));
            service_dispatcher::start("late", ffi_silent_main)
        });
        let t0 = m.now();
        let err = sim::with_machine(&mut m, || {
            let service = install_and_open("late", r"C:\svc\late.exe");
            service.start::<&str>(&[]).unwrap_err()
        });
        assert_eq!(err.raw_os_error(), Some(1053));
        assert_eq!(m.now() - t0, Duration::from_secs(30));
    });
}
