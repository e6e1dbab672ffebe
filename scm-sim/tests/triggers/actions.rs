//! Actions and the queue: start (argv[1] = TriggerStarted), stop (refused while dependents
//! run), TRIGGEREVENT, events queued during a self-stop, held events, low memory, reboots.

use super::*;

#[test]
fn a_trigger_start_passes_trigger_started_as_argv1() {
    let mut bed = Bed::new(0);
    let log: Log = Arc::default();
    let h = bed.rust(
        "T",
        probe(log.clone(), Probe::default()),
        vec![on_custom(PROVIDER, TriggerAction::Start)],
    );
    let id = bed.m.raise_trigger_event(custom_event(PROVIDER, "go"));
    assert_eq!(bed.state(h), ServiceState::Running);
    assert_eq!(lines(&log), ["start T TriggerStarted"]);
    assert_eq!(outcomes_of(&bed.m, "T"), [(id, Started)]);
    // A start by a client has no such argument.
    bed.m.control_service(h, ServiceControl::Stop).unwrap();
    bed.m.start_service(h, &["x"]).unwrap();
    assert_eq!(lines(&log)[2], "start T x");
}

#[test]
fn a_stop_trigger_stops_the_service() {
    let mut bed = Bed::new(0);
    let log: Log = Arc::default();
    let h = bed.rust(
        "T",
        probe(log.clone(), Probe::default()),
        vec![
            on_custom(PROVIDER, TriggerAction::Start),
            on_custom(OTHER_PROVIDER, TriggerAction::Stop),
        ],
    );
    let go = bed.m.raise_trigger_event(custom_event(PROVIDER, "go"));
    let stop = bed
        .m
        .raise_trigger_event(custom_event(OTHER_PROVIDER, "stop"));
    assert_eq!(bed.state(h), ServiceState::Stopped);
    let again = bed
        .m
        .raise_trigger_event(custom_event(OTHER_PROVIDER, "stop"));
    assert_eq!(
        outcomes_of(&bed.m, "T"),
        [(go, Started), (stop, Stopped), (again, AlreadyStopped)]
    );
    assert_eq!(lines(&log), ["start T TriggerStarted", "stopped"]);
}

#[test]
fn a_stop_trigger_is_refused_while_dependents_run() {
    let mut bed = Bed::new(0);
    let h = bed.scripted_triggered(
        "T",
        vec![
            on_custom(PROVIDER, TriggerAction::Start),
            on_custom(OTHER_PROVIDER, TriggerAction::Stop),
        ],
    );
    let dependent = bed.create_triggered("Dep", r"C:\scripted\dep.exe", Vec::new(), &["T"]);
    bed.m.start_service(dependent, &[]).unwrap();
    assert_eq!(bed.state(h), ServiceState::Running);
    let refused = bed
        .m
        .raise_trigger_event(custom_event(OTHER_PROVIDER, "stop"));
    assert_eq!(bed.state(h), ServiceState::Running);
    bed.m
        .control_service(dependent, ServiceControl::Stop)
        .unwrap();
    let stopped = bed
        .m
        .raise_trigger_event(custom_event(OTHER_PROVIDER, "stop"));
    assert_eq!(
        outcomes_of(&bed.m, "T"),
        [(refused, StopRefused(1051)), (stopped, Stopped)]
    );
    assert_eq!(bed.state(h), ServiceState::Stopped);
}

#[test]
fn a_running_service_gets_one_triggerevent_per_event() {
    let mut bed = Bed::new(0);
    let log: Log = Arc::default();
    bed.rust(
        "T",
        probe(log.clone(), Probe::default()),
        vec![on_custom(PROVIDER, TriggerAction::Start)],
    );
    let ids: Vec<u64> = ["one", "two", "three", "four"]
        .iter()
        .map(|w| bed.m.raise_trigger_event(custom_event(PROVIDER, w)))
        .collect();
    assert_eq!(
        outcomes_of(&bed.m, "T"),
        [
            (ids[0], Started),
            (ids[1], Delivered(0)),
            (ids[2], Delivered(0)),
            (ids[3], Delivered(0))
        ]
    );
    let p = PROVIDER;
    assert_eq!(
        lines(&log),
        [
            "start T TriggerStarted".to_string(),
            format!("trigger custom {p} two"),
            format!("trigger custom {p} three"),
            format!("trigger custom {p} four"),
        ]
    );
    let controls = bed
        .m
        .trace()
        .entries()
        .iter()
        .filter(|e| matches!(e.kind, TraceKind::ControlSent { control: 32, .. }))
        .count();
    assert_eq!(controls, 3);
}

/// A service stopping itself keeps accepting TRIGGEREVENT and answers 1115: the SCM queues the
/// event, waits for STOPPED, starts the service again, then sends the events queued behind it
/// one TRIGGEREVENT each, in order, once the service reports RUNNING with the accept bit.
#[test]
fn events_during_a_self_stop_are_queued_and_replayed() {
    let mut bed = Bed::new(0);
    let log: Log = Arc::default();
    let h = bed.rust(
        "T",
        probe(log.clone(), Probe::default()),
        vec![on_custom(PROVIDER, TriggerAction::Start)],
    );
    let first = bed.m.raise_trigger_event(custom_event(PROVIDER, "one"));
    bed.until(secs(10));
    bed.m.control_service(h, SELF_STOP).unwrap();
    assert_eq!(bed.state(h), ServiceState::StopPending);
    let during: Vec<u64> = ["two", "three", "four"]
        .iter()
        .map(|w| bed.m.raise_trigger_event(custom_event(PROVIDER, w)))
        .collect();
    // All three wait; "two" was answered 1115, the others were not sent at all.
    assert_eq!(bed.m.trigger_queue("T"), during);
    assert_eq!(outcomes_of(&bed.m, "T"), [(first, Started)]);
    assert_eq!(bed.state(h), ServiceState::StopPending);

    bed.until(secs(15));
    assert_eq!(bed.state(h), ServiceState::Running);
    assert!(bed.m.trigger_queue("T").is_empty());
    assert_eq!(
        outcomes_of(&bed.m, "T"),
        [
            (first, Started),
            (during[0], Started),
            (during[1], Delivered(0)),
            (during[2], Delivered(0))
        ]
    );
    let p = PROVIDER;
    assert_eq!(
        lines(&log),
        [
            "start T TriggerStarted".to_string(),
            format!("1115 custom {p} two"),
            "stopped".to_string(),
            "start T TriggerStarted".to_string(),
            format!("trigger custom {p} three"),
            format!("trigger custom {p} four"),
        ]
    );
    // The trace shows it: the 1115, the queueing, STOPPED, the start, the deliveries.
    let text = timeline(&bed.m);
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in\n{text}"))
    };
    let refused = at("handler for control 32 returned 1115");
    let queued = at(&format!(
        "trigger event #{} queued: T answered 1115 while stopping",
        during[0]
    ));
    let stopped = at("T: STOP_PENDING -> STOPPED");
    let restarted = at(&format!("trigger event #{} for T: Started", during[0]));
    let delivered = at(&format!("trigger event #{} for T: Delivered(0)", during[2]));
    assert!(
        refused < queued && queued < stopped && stopped < restarted && restarted < delivered,
        "{text}"
    );
    bed.m.assert_no_violations();
}

/// An event for a service that accepts no TRIGGEREVENT at that moment is held until the
/// service's state allows the action.
#[test]
fn an_event_is_held_while_triggerevent_is_not_accepted() {
    let mut bed = Bed::new(0);
    let log: Log = Arc::default();
    let h = bed.rust(
        "T",
        probe(
            log.clone(),
            Probe {
                accept_trigger: false,
                ..Probe::default()
            },
        ),
        vec![on_custom(PROVIDER, TriggerAction::Start)],
    );
    let first = bed.m.raise_trigger_event(custom_event(PROVIDER, "one"));
    let held = bed.m.raise_trigger_event(custom_event(PROVIDER, "two"));
    assert_eq!(bed.m.trigger_queue("T"), [held]);
    assert_eq!(outcomes_of(&bed.m, "T"), [(first, Started)]);
    bed.until(secs(60));
    assert_eq!(bed.m.trigger_queue("T"), [held], "still held");
    // Once stopped, the held event starts the service again.
    bed.m.control_service(h, ServiceControl::Stop).unwrap();
    assert_eq!(bed.state(h), ServiceState::Running);
    assert_eq!(
        outcomes_of(&bed.m, "T"),
        [(first, Started), (held, Started)]
    );
    assert_eq!(
        lines(&log),
        [
            "start T TriggerStarted",
            "stopped",
            "start T TriggerStarted"
        ]
    );
}

/// Events arriving while a (scripted) service is START_PENDING wait for RUNNING.
#[test]
fn an_event_during_start_pending_waits_for_running() {
    let mut bed = Bed::new(0);
    let mut b = Behavior::default();
    b.set("start-time", "3s").unwrap();
    b.set("accept", "stop,triggerevent").unwrap();
    bed.m.set_behavior("T", b);
    let h = bed.scripted_triggered("T", vec![on_custom(PROVIDER, TriggerAction::Start)]);
    let first = bed.m.raise_trigger_event(custom_event(PROVIDER, "one"));
    assert_eq!(bed.state(h), ServiceState::StartPending);
    let second = bed.m.raise_trigger_event(custom_event(PROVIDER, "two"));
    assert_eq!(bed.m.trigger_queue("T"), [second]);
    bed.until(secs(3));
    assert_eq!(bed.state(h), ServiceState::Running);
    assert_eq!(
        outcomes_of(&bed.m, "T"),
        [(first, Started), (second, Delivered(0))]
    );
}

#[test]
fn low_memory_drops_trigger_actions() {
    let mut bed = Bed::new(0);
    let log: Log = Arc::default();
    let h = bed.rust(
        "T",
        probe(log.clone(), Probe::default()),
        vec![on_custom(PROVIDER, TriggerAction::Start)],
    );
    bed.m.set_low_memory(true);
    let dropped = bed.m.raise_trigger_event(custom_event(PROVIDER, "one"));
    assert_eq!(bed.state(h), ServiceState::Stopped);
    assert!(bed.m.trigger_queue("T").is_empty());
    bed.m.set_low_memory(false);
    let started = bed.m.raise_trigger_event(custom_event(PROVIDER, "two"));
    assert_eq!(bed.state(h), ServiceState::Running);
    // TRIGGEREVENT deliveries are dropped too.
    bed.m.set_low_memory(true);
    let not_delivered = bed.m.raise_trigger_event(custom_event(PROVIDER, "three"));
    assert_eq!(
        outcomes_of(&bed.m, "T"),
        [
            (dropped, DroppedLowMemory),
            (started, Started),
            (not_delivered, DroppedLowMemory)
        ]
    );
    assert_eq!(lines(&log), ["start T TriggerStarted"]);
}

/// The trace shows a trigger event at the virtual time it was raised.
#[test]
fn a_raised_event_is_traced_at_its_virtual_time() {
    let mut bed = Bed::new(0);
    bed.scripted_triggered("T", vec![on_custom(PROVIDER, TriggerAction::Start)]);
    bed.until(secs(10));
    let id = bed.m.raise_trigger_event(custom_event(PROVIDER, "late"));
    let note = format!("trigger event #{id}: custom");
    let at = bed
        .m
        .trace()
        .entries()
        .iter()
        .find(|e| matches!(&e.kind, TraceKind::Note { text } if text.text().starts_with(&note)))
        .map(|e| e.time)
        .unwrap();
    assert_eq!(at, secs(10), "{}", timeline(&bed.m));
}

/// A reboot ends every process and the SCM starts afresh: events held before it are gone, and
/// do not start anything after it.
#[test]
fn a_reboot_forgets_held_events() {
    let mut bed = Bed::new(0);
    let log: Log = Arc::default();
    bed.rust(
        "T",
        probe(
            log.clone(),
            Probe {
                accept_trigger: false,
                ..Probe::default()
            },
        ),
        vec![on_custom(PROVIDER, TriggerAction::Start)],
    );
    bed.m.raise_trigger_event(custom_event(PROVIDER, "one"));
    let held = bed.m.raise_trigger_event(custom_event(PROVIDER, "two"));
    assert_eq!(bed.m.trigger_queue("T"), [held]);
    bed.m.boot();
    let scm = bed.m.open_sc_manager(SC_MANAGER_ALL_ACCESS).unwrap();
    let h = bed.m.open_service(scm, "T", SERVICE_ALL_ACCESS).unwrap();
    assert!(bed.m.trigger_queue("T").is_empty(), "{}", timeline(&bed.m));
    assert_eq!(
        bed.m.query_service_status(h).unwrap().current_state,
        ServiceState::Stopped,
        "{}",
        timeline(&bed.m)
    );
}

/// Found by the property test: a start event queued behind stop events that find the service
/// already stopped must still be acted on (the service is started for it).
#[test]
fn a_start_queued_behind_resolved_stops_is_acted_on() {
    let mut bed = Bed::new(0);
    let log: Log = Arc::default();
    let h = bed.rust(
        "T",
        probe(
            log.clone(),
            Probe {
                accept_trigger: true,
                stop_time: secs(1),
            },
        ),
        vec![
            on_custom(PROVIDER, TriggerAction::Start),
            on_custom(OTHER_PROVIDER, TriggerAction::Stop),
        ],
    );
    bed.m.raise_trigger_event(custom_event(PROVIDER, "a"));
    bed.m.control_service(h, SELF_STOP).unwrap();
    // While it stops: a start (answered 1115), three stops and a start, all queued.
    let restart = bed.m.raise_trigger_event(custom_event(PROVIDER, "b"));
    let stops: Vec<u64> = ["s1", "s2", "s3"]
        .iter()
        .map(|w| bed.m.raise_trigger_event(custom_event(OTHER_PROVIDER, w)))
        .collect();
    let last = bed.m.raise_trigger_event(custom_event(PROVIDER, "c"));
    bed.until(secs(600));
    assert_eq!(
        outcomes_of(&bed.m, "T")[1..],
        [
            (restart, Started),
            (stops[0], Stopped),
            (stops[1], AlreadyStopped),
            (stops[2], AlreadyStopped),
            (last, Started),
        ],
        "{}",
        timeline(&bed.m)
    );
    assert!(bed.m.trigger_queue("T").is_empty());
    assert_eq!(bed.state(h), ServiceState::Running);
}
