//! Drives the trigger/idle example and checks the re-queue in its trace: an arrival during the
//! idle stop answered 1115 and queued, STOPPED, the restart with "TriggerStarted", then the
//! arrival queued behind delivered as one TRIGGEREVENT.

use std::time::Duration;

use scm_sim::events::{TraceEntry, TraceKind};
use scm_sim::service::ServiceState;
use scm_sim::triggers::TriggerOutcome::*;
use scm_sim_examples::trigger_idle::{report, run, Raised, Run, GUID_DEVINTERFACE_DISK, NAME};

/// The position of the first entry at or after `from` that `pred` accepts.
fn find(
    entries: &[TraceEntry],
    from: usize,
    what: &str,
    pred: impl Fn(&TraceKind) -> bool,
) -> usize {
    entries[from..]
        .iter()
        .position(|e| pred(&e.kind))
        .map(|i| from + i)
        .unwrap_or_else(|| panic!("{what} not found after entry {from}"))
}

fn note(text: String) -> impl Fn(&TraceKind) -> bool {
    move |k| matches!(k, TraceKind::Note { text: t } if *t == *text)
}

fn state_changed_to(state: ServiceState) -> impl Fn(&TraceKind) -> bool {
    move |k| matches!(k, TraceKind::StateChanged { service, to, .. } if &**service == NAME && *to == state)
}

fn trigger_event_sent(k: &TraceKind) -> bool {
    matches!(k, TraceKind::ControlSent { service, control: 32, .. } if &**service == NAME)
}

/// Where the idle stop went: the TRIGGEREVENT sent during it and the STOPPED after it.
struct IdleStop {
    sent: usize,
    stopped: usize,
}

/// The idle stop at 40 s; an arrival during it sent as TRIGGEREVENT, answered 1115 and
/// queued; then STOPPED after the cleanup.
fn check_idle_stop_queues_the_arrival(e: &[TraceEntry], r: &Raised) -> IdleStop {
    let s = Duration::from_secs;
    // The idle stop begins 30 s after the last arrival handled.
    let idle = find(
        e,
        0,
        "STOP_PENDING",
        state_changed_to(ServiceState::StopPending),
    );
    assert_eq!(e[idle].time, s(40));
    // An arrival during the stop: TRIGGEREVENT sent, answered 1115, queued.
    let sent = find(e, idle, "TRIGGEREVENT", trigger_event_sent);
    let refused = find(
        e,
        sent,
        "the 1115",
        |k| matches!(k, TraceKind::HandlerReturned { service, control: 32, result: 1115 } if &**service == NAME),
    );
    let queued_note = format!("trigger event #{} queued:", r.during_stop);
    let queued = find(e, refused, "the queueing", |k| {
        matches!(k, TraceKind::Note { text } if text.text().starts_with(&queued_note)
            && text.text().ends_with("answered 1115 while stopping"))
    });
    assert_eq!(e[queued].time, s(41));
    // STOPPED after the cleanup.
    let stopped = find(
        e,
        queued,
        "STOPPED",
        state_changed_to(ServiceState::Stopped),
    );
    assert_eq!(e[stopped].time, s(43));
    IdleStop { sent, stopped }
}

/// After STOPPED: the restart with "TriggerStarted" for the queued event, RUNNING with
/// TRIGGEREVENT accepted, then the arrival queued behind delivered as one TRIGGEREVENT.
fn check_restart_delivers_the_queued(e: &[TraceEntry], r: &Raised, stopped: usize) {
    let s = Duration::from_secs;
    let restart = find(e, stopped, "the restart", |k| {
        matches!(k, TraceKind::ServiceMainCalled { service, args, .. }
            if &**service == NAME && args[..] == [NAME, "TriggerStarted"])
    });
    let started = find(
        e,
        restart,
        "the Started outcome",
        note(format!(
            "trigger event #{} for {NAME}: Started",
            r.during_stop
        )),
    );
    // RUNNING with TRIGGEREVENT accepted, then the arrival queued behind, as one TRIGGEREVENT.
    let running = find(e, restart, "RUNNING", |k| {
        matches!(k, TraceKind::StatusReported { service, state_name, accepted, .. }
            if &**service == NAME && state_name == "RUNNING" && accepted & 0x400 != 0)
    });
    let delivered_control = find(
        e,
        running.max(started),
        "the queued TRIGGEREVENT",
        trigger_event_sent,
    );
    let delivered = find(
        e,
        delivered_control,
        "the Delivered outcome",
        note(format!(
            "trigger event #{} for {NAME}: Delivered(0)",
            r.queued_behind
        )),
    );
    assert_eq!(e[delivered].time, s(43));
}

/// The outcomes of the four USB arrivals, and what the service logged.
fn check_outcomes_and_log(run: &Run, r: &Raised) {
    let outcomes: Vec<_> = run
        .outcomes()
        .into_iter()
        .map(|o| (o.event, o.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            (r.first, Started),
            (r.second, Delivered(0)),
            (r.during_stop, Started),
            (r.queued_behind, Delivered(0)),
        ]
    );
    let stick = |serial: &str| {
        format!(r"device {GUID_DEVINTERFACE_DISK} USB\VID_0781&PID_5567\{serial},USBSTOR\GenDisk")
    };
    assert_eq!(
        run.log(),
        [
            format!("start {NAME} TriggerStarted"),
            format!("handled {}", stick("4C530002")),
            "idle".to_string(),
            format!("1115 {}", stick("4C530003")),
            "stopped".to_string(),
            format!("start {NAME} TriggerStarted"),
            format!("handled {}", stick("4C530004")),
            "idle".to_string(),
            "stopped".to_string(),
        ]
    );
}

#[test]
fn the_trace_shows_the_requeue() {
    let mut run = run();
    let r = run.raised;
    let trace = run.machine.trace();
    let e: Vec<_> = trace.entries().iter().cloned().collect();
    let e = &e[..];

    let IdleStop { sent, stopped } = check_idle_stop_queues_the_arrival(e, &r);
    check_restart_delivers_the_queued(e, &r, stopped);
    // Exactly one TRIGGEREVENT for the event queued behind: none was sent while stopping.
    let sent_during_stop = e[sent + 1..stopped]
        .iter()
        .filter(|x| matches!(&x.kind, TraceKind::ControlSent { control: 32, .. }))
        .count();
    assert_eq!(sent_during_stop, 0);

    // The outcomes, and the service's own view.
    check_outcomes_and_log(&run, &r);
    // The mouse matched nothing; nothing is left in the queue; the service idled out again.
    assert!(run
        .machine
        .trigger_outcomes()
        .iter()
        .all(|o| o.event != r.mouse));
    assert!(run.machine.trigger_queue(NAME).is_empty());
    let status = run.machine.query_service_status(run.service).unwrap();
    assert_eq!(status.current_state, ServiceState::Stopped);
    run.machine.assert_no_violations();
}

#[test]
fn the_report_prints_the_trace() {
    let text = report();
    assert!(
        text.contains("returned 1115 ERROR_SHUTDOWN_IN_PROGRESS"),
        "{text}"
    );
    assert!(text.contains("Delivered(0)"), "{text}");
}
