//! Drives the svchost pair example: one host for both services, the globals pushed before each
//! ServiceMain, controls routed by service name inside the host, events 101/102, and the DLL
//! unloaded when its last service stops.

use scm_sim::events::TraceKind;
use scm_sim::service::ServiceState;
use scm_sim_examples::svchost_pair::{report, Pair};

#[test]
fn both_services_run_in_one_host() {
    let mut pair = Pair::start();
    let (echo, clock) = (pair.echo, pair.clock);
    assert_eq!(pair.state(echo), ServiceState::Running);
    assert_eq!(pair.state(clock), ServiceState::Running);
    let host = pair.pid(echo);
    assert_eq!(pair.pid(clock), host);
    let processes = pair.machine.processes();
    assert_eq!(processes.len(), 1);
    let (pid, image, services) = &processes[0];
    assert_eq!(*pid, host);
    assert_eq!(image, r"C:\Windows\System32\svchost.exe");
    assert_eq!(services, &["PairClock", "PairEcho"]);
    assert_eq!(
        pair.lines(),
        [
            "SvchostPushServiceGlobals for PairEcho".to_string(),
            format!("EchoMain starts PairEcho in group MyGroup, pid {host}"),
            "SvchostPushServiceGlobals for PairClock".to_string(),
            format!("ClockMain starts PairClock in group MyGroup, pid {host}"),
        ]
    );
}

#[test]
fn controls_events_and_unload() {
    let mut pair = Pair::start();
    let host = pair.pid(pair.echo);
    pair.exercise_and_stop();
    let (echo, clock) = (pair.echo, pair.clock);
    assert_eq!(pair.state(echo), ServiceState::Stopped);
    assert_eq!(pair.state(clock), ServiceState::Stopped);
    assert_eq!(
        pair.lines()[4..],
        [
            "echo",
            "tick 1",
            "tick 2",
            "EchoMain stops PairEcho",
            "ClockMain stops PairClock"
        ]
    );
    let m = &pair.machine;
    for service in ["PairEcho", "PairClock"] {
        let ids: Vec<u32> = m
            .events()
            .iter()
            .filter(|e| e.service.as_deref() == Some(service))
            .map(|e| e.id)
            .filter(|id| matches!(id, 101 | 102))
            .collect();
        assert_eq!(ids, [101, 102], "{service}");
    }
    let notes: Vec<String> = m
        .trace()
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Note { text } => Some(text.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(
        notes.iter().filter(|n| n.contains("unloaded")).count(),
        1,
        "unloaded once, after the last service stopped"
    );
    assert!(notes
        .iter()
        .any(|n| n.contains(&format!("svchost (pid {host}) unloaded"))));
    assert!(
        m.processes().is_empty(),
        "the host exits with its last service"
    );
    m.assert_no_violations();
}

#[test]
fn the_report_shows_processes_and_trace() {
    let text = report();
    assert!(text.contains("svchost.exe  PairClock, PairEcho"), "{text}");
    assert!(text.contains("svchost.exe -k MyGroup"), "{text}");
    assert!(text.contains("event 101 (PairEcho)"), "{text}");
}
