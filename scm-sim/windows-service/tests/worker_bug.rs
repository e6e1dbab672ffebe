//! A service in windows-service style with a worker thread: the buggy version reports
//! STOPPED before its worker has finished flushing (caught by the oracle, with a replay
//! token); the fixed version joins first and is clean for any seed and stop time.

mod support;

use std::ffi::OsString;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use scm_sim::machine::Image;
use scm_sim::Machine;
use support::{guarded, install_and_open, status};
use windows_service::service::{ServiceControl, ServiceControlAccept, ServiceState};
use windows_service::service_control_handler::{self, ServiceControlHandlerResult};
use windows_service::{define_windows_service, service_dispatcher, sim};
// On Windows: use std::{sync::mpsc::channel, thread::{sleep, spawn}};
use sim::thread::spawn;
use sim::{channel, sleep};

define_windows_service!(ffi_buggy_main, buggy_main);
define_windows_service!(ffi_fixed_main, fixed_main);

fn buggy_main(_args: Vec<OsString>) {
    run(false);
}

fn fixed_main(_args: Vec<OsString>) {
    run(true);
}

fn run(join_first: bool) {
    let (tx, rx) = channel();
    let handle = service_control_handler::register("flusher", move |c| match c {
        ServiceControl::Stop => {
            let _ = tx.send(());
            ServiceControlHandlerResult::NoError
        }
        ServiceControl::Interrogate => ServiceControlHandlerResult::NoError,
        _ => ServiceControlHandlerResult::NotImplemented,
    })
    .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    let mut worker = Some(spawn(move || {
        while !s.load(Ordering::SeqCst) {
            sleep(Duration::from_millis(100)); // work
        }
        sleep(Duration::from_millis(300)); // flush before exiting
    }));
    handle
        .set_service_status(status(ServiceState::Running, ServiceControlAccept::STOP))
        .unwrap();
    let _ = rx.recv();
    stop.store(true, Ordering::SeqCst);
    let mut pending = status(ServiceState::StopPending, ServiceControlAccept::empty());
    pending.checkpoint = 1;
    pending.wait_hint = Duration::from_secs(2);
    handle.set_service_status(pending).unwrap();
    if join_first {
        let _ = worker.take().map(|w| w.join());
    }
    let stopped = status(ServiceState::Stopped, ServiceControlAccept::empty());
    handle.set_service_status(stopped).unwrap();
    let _ = worker.map(|w| w.join());
}

/// Starts the service on a machine with `seed`, runs it `run_for`, stops it, lets it finish.
fn scenario(seed: u64, fixed: bool, run_for: Duration) -> Machine {
    let mut m = Machine::builder()
        .image(Image::Empty)
        .seed(seed)
        .build()
        .unwrap();
    let main = if fixed {
        ffi_fixed_main
    } else {
        ffi_buggy_main
    };
    sim::install_program(&mut m, r"C:\svc\flusher.exe", move || {
        service_dispatcher::start("flusher", main)
    });
    let service = sim::with_machine(&mut m, || {
        let service = install_and_open("flusher", r"C:\svc\flusher.exe");
        service.start::<&str>(&[]).unwrap();
        service
    });
    m.advance(run_for);
    sim::with_machine(&mut m, || {
        service.stop().unwrap();
        drop(service);
    });
    m.advance(Duration::from_secs(5));
    m
}

#[test]
fn stopped_before_the_worker_joined_is_caught_with_a_replay_token() {
    let m = guarded(|| scenario(7, false, Duration::from_secs(1)));
    let violations = m.violations();
    let live = violations
        .iter()
        .find(|v| v.rule.id() == "stopped-with-live-work")
        .expect("the oracle sees the worker alive at STOPPED");
    let report = live.report();
    assert!(report.contains("thread"), "{report}");
    assert!(report.contains("replay:"), "{report}");
    // The same seed replays the same run.
    let again = guarded(|| scenario(7, false, Duration::from_secs(1)));
    assert_eq!(again.violations().len(), violations.len());
    assert_eq!(again.replay_token(), m.replay_token());
}

#[test]
fn the_fixed_service_stops_cleanly() {
    let m = guarded(|| scenario(7, true, Duration::from_secs(1)));
    m.assert_no_violations();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_fixed_service_is_clean_for_any_seed_and_stop_time(seed in any::<u64>(), ms in 0u64..5_000) {
        let m = guarded(move || scenario(seed, true, Duration::from_millis(ms)));
        prop_assert!(m.violations().is_empty(), "{:#?}", m.violations());
    }
}
