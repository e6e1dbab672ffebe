//! Idle stop: a trigger-started service with ServiceIdleTimeout stops itself, events keep it
//! alive, and what happens to an event that arrives while it stops.

use super::*;

/// A scripted service, trigger-started, with Parameters\ServiceIdleTimeout = 30 s, STOP_PENDING
/// for 5 s, and `trigger-while-stopping` as given.
fn idle_bed(trigger_while_stopping: &str) -> (Bed, scm_sim::scm::ScHandle) {
    let mut m = Machine::builder()
        .image(Image::Empty)
        .boot(false)
        .build()
        .unwrap();
    let mut key = ServiceKey::new(0x10, 3, 1);
    key.image_path = Some(r"C:\scripted\idle.exe".into());
    key.object_name = Some("LocalSystem".into());
    key.triggers = vec![on_custom(PROVIDER, TriggerAction::Start)];
    key.parameters.service_idle_timeout = Some(ParamValue::new(
        30,
        ValueType::DWORD,
        ParamLocation::Parameters,
    ));
    m.with_registry(|r| key.write(r, &Caller::local_system(), "Idle"))
        .unwrap();
    let mut b = Behavior::default();
    b.set("accept", "stop,triggerevent").unwrap();
    b.set("stop-time", "5s").unwrap();
    b.set("trigger-while-stopping", trigger_while_stopping)
        .unwrap();
    m.set_behavior("Idle", b);
    m.boot();
    let scm = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).unwrap();
    let h = m.open_service(scm, "Idle", SERVICE_ALL_ACCESS).unwrap();
    (Bed { m, scm }, h)
}

#[test]
fn an_idle_service_stops_itself_after_its_timeout() {
    let (mut bed, h) = idle_bed("shutdown-in-progress");
    let id = bed.m.raise_trigger_event(custom_event(PROVIDER, "one"));
    assert_eq!(bed.state(h), ServiceState::Running);
    bed.until(secs(29));
    assert_eq!(bed.state(h), ServiceState::Running);
    bed.until(secs(30));
    assert_eq!(bed.state(h), ServiceState::StopPending);
    bed.until(secs(35));
    assert_eq!(bed.state(h), ServiceState::Stopped);
    assert_eq!(outcomes_of(&bed.m, "Idle"), [(id, Started)]);
    assert!(timeline(&bed.m).contains("Idle stops itself after 30 s idle"));
}

#[test]
fn trigger_events_keep_an_idle_service_alive() {
    let (mut bed, h) = idle_bed("shutdown-in-progress");
    bed.m.raise_trigger_event(custom_event(PROVIDER, "one"));
    bed.until(secs(20));
    let two = bed.m.raise_trigger_event(custom_event(PROVIDER, "two"));
    bed.until(secs(49));
    assert_eq!(bed.state(h), ServiceState::Running);
    bed.until(secs(50));
    assert_eq!(bed.state(h), ServiceState::StopPending);
    assert_eq!(outcomes_of(&bed.m, "Idle")[1], (two, Delivered(0)));
}

#[test]
fn a_service_started_by_a_client_does_not_idle_stop() {
    let (mut bed, h) = idle_bed("shutdown-in-progress");
    bed.m.start_service(h, &[]).unwrap();
    bed.until(secs(300));
    assert_eq!(bed.state(h), ServiceState::Running);
}

/// An event arriving during the idle stop restarts the service once it is STOPPED: the
/// service keeps accepting TRIGGEREVENT while stopping, answers 1115, and the SCM queues it.
#[rstest]
#[case::answered_1115("shutdown-in-progress", 1)]
fn an_event_during_the_idle_stop(#[case] answer: &str, #[case] sent_while_stopping: usize) {
    let (mut bed, h) = idle_bed(answer);
    let one = bed.m.raise_trigger_event(custom_event(PROVIDER, "one"));
    bed.until(secs(31));
    assert_eq!(bed.state(h), ServiceState::StopPending);
    let two = bed.m.raise_trigger_event(custom_event(PROVIDER, "two"));
    assert_eq!(bed.m.trigger_queue("Idle"), [two]);
    let sent = |m: &Machine| {
        m.trace()
            .entries()
            .iter()
            .filter(|e| matches!(&e.kind, TraceKind::ControlSent { control: 32, .. }))
            .count()
    };
    assert_eq!(sent(&bed.m), sent_while_stopping);
    let answered_1115 = timeline(&bed.m).contains("handler for control 32 returned 1115");
    assert_eq!(answered_1115, sent_while_stopping == 1);

    bed.until(secs(35));
    assert_eq!(bed.state(h), ServiceState::Running);
    assert!(bed.m.trigger_queue("Idle").is_empty());
    assert_eq!(
        outcomes_of(&bed.m, "Idle"),
        [(one, Started), (two, Started)]
    );
    let starts: Vec<Vec<String>> = bed
        .m
        .trace()
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::ServiceMainCalled { service, args, .. } if &**service == "Idle" => {
                Some(args.to_vec())
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        starts,
        [["Idle", "TriggerStarted"], ["Idle", "TriggerStarted"]]
    );
    // It idles again, and stays stopped when nothing comes.
    bed.until(secs(35 + 30 + 5));
    assert_eq!(bed.state(h), ServiceState::Stopped);
    bed.until(secs(600));
    assert_eq!(bed.state(h), ServiceState::Stopped);
    assert_eq!(outcomes_of(&bed.m, "Idle").len(), 2);
}

/// `trigger-while-stopping=ignore`: the service still accepts TRIGGEREVENT while stopping but
/// answers NO_ERROR, dropping the event: it is delivered, nothing is queued, no restart.
#[test]
fn an_event_ignored_during_the_idle_stop_is_dropped() {
    let (mut bed, h) = idle_bed("ignore");
    let one = bed.m.raise_trigger_event(custom_event(PROVIDER, "one"));
    bed.until(secs(31));
    assert_eq!(bed.state(h), ServiceState::StopPending);
    let two = bed.m.raise_trigger_event(custom_event(PROVIDER, "two"));
    assert!(bed.m.trigger_queue("Idle").is_empty());
    bed.until(secs(120));
    assert_eq!(bed.state(h), ServiceState::Stopped);
    assert_eq!(
        outcomes_of(&bed.m, "Idle"),
        [(one, Started), (two, Delivered(0))]
    );
}

/// The idle timeout is the service's own Parameters value, read when it starts: one written
/// after CreateService counts without a reboot.
#[test]
fn an_idle_timeout_written_after_create_service_is_used() {
    let mut bed = Bed::new(0);
    let mut b = Behavior::default();
    b.set("accept", "stop,triggerevent").unwrap();
    bed.m.set_behavior("Idle", b);
    let h = bed.scripted_triggered("Idle", vec![on_custom(PROVIDER, TriggerAction::Start)]);
    bed.m.with_registry(|r| {
        let sys = Caller::local_system();
        let k = format!(r"{SERVICES}\Idle\Parameters");
        r.create_key(&sys, &k).unwrap();
        r.set_value(&sys, &k, "ServiceIdleTimeout", RegValue::dword(30))
            .unwrap();
    });
    bed.m.raise_trigger_event(custom_event(PROVIDER, "go"));
    assert_eq!(bed.state(h), ServiceState::Running);
    bed.until(secs(31));
    assert_eq!(bed.state(h), ServiceState::Stopped, "{}", timeline(&bed.m));
}
