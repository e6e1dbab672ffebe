//! Drives the ping service example: start, pause, continue, interrogate, the reset control and
//! stop, with the state and the counter after each, on virtual time.

use std::time::Duration;

use scm_sim::events::TraceKind;
use scm_sim::service::{ServiceControl, ServiceControlAccept, ServiceState};
use scm_sim_examples::ping::{report, PingDemo, ACCEPTED, CLOSE_TIME, RESET_CONTROL, SERVICE_NAME};

fn ms(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

#[test]
fn start_pause_continue_interrogate_reset_stop() {
    let mut demo = PingDemo::new();
    assert_eq!(demo.state(), ServiceState::Stopped);
    start_and_ping(&mut demo);
    pause_continue_interrogate(&mut demo);
    reset_the_counter(&mut demo);
    stop_after_the_pinger(&mut demo);
    assert_eq!(
        demo.log(),
        [
            r#"ServiceMain ["ping_service", "fast"]"#,
            "ping #1",
            "ping #2",
            "ping #3",
            "paused",
            "continued",
            "ping #4",
            "ping #5",
            "counter reset (was 5)",
            "ping #1",
            "ping #2",
            "stopped",
        ]
    );
}

/// Started: RUNNING with its accepted controls; then one ping a second.
fn start_and_ping(demo: &mut PingDemo) {
    demo.start();
    let status = demo.machine.query_service_status(demo.service).unwrap();
    assert_eq!(status.current_state, ServiceState::Running);
    assert_eq!(status.controls_accepted, ACCEPTED);
    assert_ne!(status.process_id, 0);
    assert_eq!(demo.count(), 0, "no ping before the first second");
    demo.machine.advance(ms(3_500));
    assert_eq!(demo.count(), 3);
}

/// Paused: no pings; continued: pings again; INTERROGATE changes nothing.
fn pause_continue_interrogate(demo: &mut PingDemo) {
    assert_eq!(demo.control(ServiceControl::Pause), ServiceState::Paused);
    demo.machine.advance(ms(2_000));
    assert_eq!(demo.state(), ServiceState::Paused);
    assert_eq!(demo.count(), 3);
    assert_eq!(
        demo.control(ServiceControl::Continue),
        ServiceState::Running
    );
    demo.machine.advance(ms(2_000));
    assert_eq!(demo.count(), 5);
    assert_eq!(
        demo.control(ServiceControl::Interrogate),
        ServiceState::Running
    );
    assert_eq!(demo.count(), 5);
}

/// The user control resets the counter; counting goes on.
fn reset_the_counter(demo: &mut PingDemo) {
    assert_eq!(demo.control(RESET_CONTROL), ServiceState::Running);
    assert_eq!(demo.count(), 0);
    demo.machine.advance(ms(2_000));
    assert_eq!(demo.count(), 2);
}

/// STOP: STOP_PENDING from the handler, then STOPPED once the pinger has ended and the log
/// is closed (CLOSE_TIME later); the pinger was a tracked task that ended before STOPPED.
fn stop_after_the_pinger(demo: &mut PingDemo) {
    assert_eq!(
        demo.control(ServiceControl::Stop),
        ServiceState::StopPending
    );
    assert_eq!(demo.count(), 2);
    demo.machine.advance(CLOSE_TIME - ms(1));
    assert_eq!(demo.state(), ServiceState::StopPending);
    demo.machine.advance(ms(1));
    let status = demo.machine.query_service_status(demo.service).unwrap();
    assert_eq!(status.current_state, ServiceState::Stopped);
    assert_eq!(status.win32_exit_code, 0);
    assert_eq!(status.process_id, 0);
    assert_eq!(status.controls_accepted, ServiceControlAccept::empty());
    assert!(demo.machine.processes().is_empty(), "the process exited");
    demo.machine.advance(ms(5_000));
    assert_eq!(demo.count(), 2, "no pings after STOPPED");
    let pinger: Vec<_> = demo
        .machine
        .work()
        .into_iter()
        .filter(|w| w.name == "pinger")
        .collect();
    assert_eq!(pinger.len(), 1);
    assert!(!pinger[0].alive);
}

#[test]
fn unknown_controls_are_not_implemented_but_delivered() {
    let mut demo = PingDemo::new();
    demo.start();
    // Another user-defined code: the handler answers ERROR_CALL_NOT_IMPLEMENTED, which the
    // SCM does not surface (ControlService succeeds).
    assert_eq!(
        demo.control(ServiceControl::UserDefined(200)),
        ServiceState::Running
    );
    let handler_results: Vec<u32> = demo
        .machine
        .trace()
        .for_service(SERVICE_NAME)
        .filter_map(|e| match e.kind {
            TraceKind::HandlerReturned {
                control: 200,
                result,
                ..
            } => Some(result),
            _ => None,
        })
        .collect();
    assert_eq!(handler_results, [120]);
    // PARAMCHANGE is not accepted: the SCM refuses it before the handler.
    let err = demo
        .machine
        .control_service(demo.service, ServiceControl::ParamChange)
        .unwrap_err();
    assert_eq!(err.code(), 1052);
}

#[test]
fn the_report_tells_the_whole_story() {
    let text = report();
    for needle in [
        "StartService",
        "PAUSE",
        "CONTINUE",
        "INTERROGATE",
        "user control 130 (reset)",
        "STOP",
        "counter reset (was 5)",
        "ping_service: RUNNING -> PAUSED",
        "ping_service: STOP_PENDING -> STOPPED",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
    assert_eq!(
        text,
        report(),
        "deterministic: the same run gives the same text"
    );
}
