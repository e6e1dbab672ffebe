//! What a run left behind: violations, events, the timeline, trigger outcomes and tracked work.

use scm_sim::events::{EventRecord, EventSource};
use scm_sim::sim::{Rule, Violation, WorkKind, WorkUnit};
use scm_sim::triggers::TriggerOutcome;
use scm_sim::Machine;

/// The ids of the rules broken so far, in order.
pub fn rules(m: &Machine) -> Vec<Rule> {
    m.violations().iter().map(|v| v.rule).collect()
}

/// The one violation of `rule` (panics with every report when there is not exactly one).
pub fn the_violation(m: &Machine, rule: Rule) -> Violation {
    let all = m.violations();
    let of: Vec<&Violation> = all.iter().filter(|v| v.rule == rule).collect();
    assert_eq!(
        of.len(),
        1,
        "expected one {rule} violation, got:\n{}",
        reports(m)
    );
    of[0].clone()
}

/// Every violation's report, for assertion messages.
pub fn reports(m: &Machine) -> String {
    let v = m.violations();
    if v.is_empty() {
        return "(no violation)".to_string();
    }
    v.iter()
        .map(Violation::report)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The events with `id`.
pub fn events(m: &Machine, id: u32) -> Vec<EventRecord> {
    m.events().into_iter().filter(|e| e.id == id).collect()
}

/// Ids of the Service Control Manager events the log holds for service `name`, in order.
pub fn event_ids(m: &Machine, name: &str) -> Vec<u32> {
    m.events()
        .iter()
        .filter(|e| e.source == EventSource::ServiceControlManager)
        .filter(|e| {
            e.service
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(name))
        })
        .map(|e| e.id)
        .collect()
}

/// Event ids for service `name` other than 7045 ("a service was installed", logged by
/// CreateService), in order.
pub fn event_ids_after_install(m: &Machine, name: &str) -> Vec<u32> {
    event_ids(m, name)
        .into_iter()
        .filter(|&id| id != 7045)
        .collect()
}

/// The trace as text (for assertion messages).
pub fn timeline(m: &Machine) -> String {
    scm_sim::events::render_text(&m.trace())
}

/// The (event, outcome) pairs of trigger events for `service`, in order.
pub fn outcomes_of(m: &Machine, service: &str) -> Vec<(u64, TriggerOutcome)> {
    m.trigger_outcomes()
        .into_iter()
        .filter(|o| o.service.eq_ignore_ascii_case(service))
        .map(|o| (o.event, o.outcome))
        .collect()
}

/// The first tracked unit of work (task or thread) named `name`; panics when there is none.
pub fn work_named(m: &Machine, name: &str) -> WorkUnit {
    m.work()
        .into_iter()
        .find(|w| w.name == name)
        .unwrap_or_else(|| panic!("no tracked work named {name:?}"))
}

/// The first tracked real OS thread; panics when there is none.
pub fn first_thread(m: &Machine) -> WorkUnit {
    m.work()
        .into_iter()
        .find(|w| w.kind == WorkKind::Thread)
        .expect("a tracked thread")
}
