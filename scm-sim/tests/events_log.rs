//! The event log: recording, queries, text and serde.

use scm_sim::events::{
    EventLevel, EventLog, EventSource, LoggedState, RecoveryAction, ScmEvent, TraceKind,
};
use scm_sim::Win32Error;
use std::time::Duration;

fn s(text: &str) -> String {
    text.to_string()
}

fn sample() -> EventLog {
    let mut log = EventLog::new();
    log.record(
        Duration::from_millis(10),
        Some("Spooler"),
        ScmEvent::EnteredState {
            display_name: s("Print Spooler"),
            state: LoggedState::Running,
        },
    );
    log.record(
        Duration::from_millis(20),
        Some("Slow"),
        ScmEvent::ConnectTimeout {
            timeout_ms: 30_000,
            display_name: s("Slow Service"),
        },
    );
    log.record(
        Duration::from_millis(20),
        Some("Slow"),
        ScmEvent::StartFailed {
            display_name: s("Slow Service"),
            error: Win32Error::SERVICE_REQUEST_TIMEOUT,
        },
    );
    log.record(
        Duration::from_secs(5),
        Some("Spooler"),
        ScmEvent::Crash {
            display_name: s("Print Spooler"),
            count: 1,
            delay_ms: 60_000,
            action_type: RecoveryAction::Restart,
        },
    );
    log.record(
        Duration::from_secs(6),
        None,
        ScmEvent::BootDriversFailed {
            drivers: vec![s("dam")],
        },
    );
    log
}

#[test]
fn records_fill_id_level_source_and_message() {
    let log = sample();
    assert_eq!(log.len(), 5);
    assert!(!log.is_empty());
    let first = &log.entries()[0];
    assert_eq!(first.record_id, 1);
    assert_eq!(first.time, Duration::from_millis(10));
    assert_eq!(first.source, EventSource::ServiceControlManager);
    assert_eq!(first.id, 7036);
    assert_eq!(first.level, EventLevel::Information);
    assert_eq!(first.service.as_deref(), Some("Spooler"));
    assert_eq!(
        first.message(),
        "The Print Spooler service entered the running state."
    );
    assert_eq!(
        first.trace_kind(),
        TraceKind::Event {
            id: 7036,
            service: Some(s("Spooler").into())
        }
    );
    let ids: Vec<u64> = log.entries().iter().map(|r| r.record_id).collect();
    assert_eq!(ids, [1, 2, 3, 4, 5]);
}

#[test]
fn queries_by_id_and_service() {
    let log = sample();
    assert_eq!(log.by_id(7000).count(), 1);
    assert_eq!(log.by_id(7045).count(), 0);
    let spooler: Vec<u32> = log.for_service("spooler").map(|r| r.id).collect();
    assert_eq!(spooler, [7036, 7031]);
    let slow: Vec<u32> = log.for_service("Slow").map(|r| r.id).collect();
    assert_eq!(slow, [7009, 7000]);
    assert_eq!(log.for_service("nobody").count(), 0);
}

#[test]
fn other_providers_have_no_typed_event() {
    let mut log = EventLog::new();
    let rec = log.record_other(
        Duration::from_secs(1),
        EventSource::Other(s("MyService")),
        42,
        EventLevel::Warning,
        Some("MySvc"),
        "disk almost full",
    );
    assert_eq!(rec.event, None);
    assert_eq!(
        rec.to_string(),
        "   1.000s  Warning        42  MyService  disk almost full"
    );
}

#[test]
fn text_rendering_one_line_per_record() {
    let text = sample().render_text();
    assert_eq!(text.lines().count(), 5);
    assert_eq!(
        text.lines().nth(2),
        Some(
            "   0.020s  Error        7000  Service Control Manager  The Slow Service service failed \
             to start due to the following error:  The service did not respond to the start or \
             control request in a timely fashion."
        )
    );
}

#[test]
fn serde_round_trip() {
    let log = sample();
    let json = serde_json::to_string(&log).unwrap();
    assert!(json.starts_with(r#"[{"record_id":1,"time_ns":10000000,"source":"ServiceControlManager","id":7036,"level":"Information","service":"Spooler","#));
    let back: EventLog = serde_json::from_str(&json).unwrap();
    assert_eq!(back, log);
}
