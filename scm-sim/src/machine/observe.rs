//! What a machine shows of its run and the conditions it runs under: trigger events (raising
//! them, their outcomes and queues, low-memory mode, the conditions triggers test at boot; the
//! dispatcher itself is `triggers`'), the violations the oracle found, the event log, the
//! trace, tracked work and processes.

use std::collections::BTreeMap;

use crate::events::{EventLog, EventRecord, Trace};
use crate::machine::Machine;
use crate::service::ServiceName;
use crate::sim::{Violation, WorkUnit};
use crate::triggers::{Conditions, TriggerEvent, TriggerRecord};

impl Machine {
    /// Raises a trigger event (and records the condition it describes, e.g. the network
    /// being up, so that it acts again at the next boot). Returns the event's number.
    pub fn raise_trigger_event(&mut self, event: TriggerEvent) -> u64 {
        let id = self.scm.core.raise_trigger(event);
        self.settle();
        id
    }

    /// What happened to each (event, service) pair so far.
    pub fn trigger_outcomes(&self) -> Vec<TriggerRecord> {
        self.scm.core.lock().triggers.outcomes.clone()
    }

    /// The events still queued for a service (their numbers, oldest first).
    pub fn trigger_queue(&self, service: &str) -> Vec<u64> {
        self.scm
            .core
            .lock()
            .triggers
            .queues
            .get(&*ServiceName::fold(service))
            .map(|q| q.iter().map(|p| p.event).collect())
            .unwrap_or_default()
    }

    /// Every non-empty trigger queue: service (key name) and event numbers, oldest first.
    pub fn trigger_queues(&self) -> BTreeMap<String, Vec<u64>> {
        let st = self.scm.core.lock();
        st.triggers
            .queues
            .iter()
            .filter(|(_, q)| !q.is_empty())
            .map(|(k, q)| {
                let name = st
                    .record(k)
                    .map(|r| r.name.to_string())
                    .unwrap_or_else(|| k.clone());
                (name, q.iter().map(|p| p.event).collect())
            })
            .collect()
    }

    /// Low-memory mode: trigger actions are dropped (Windows does not guarantee them).
    pub fn set_low_memory(&mut self, on: bool) {
        self.scm.core.lock().triggers.low_memory = on;
    }

    /// The machine conditions triggers test at boot.
    pub fn conditions(&self) -> Conditions {
        self.scm.core.lock().triggers.conditions.clone()
    }

    /// Replaces the machine conditions (they act at the next boot).
    pub fn set_conditions(&mut self, conditions: Conditions) {
        self.scm.core.lock().triggers.conditions = conditions;
    }

    /// Every broken rule so far.
    pub fn violations(&self) -> Vec<Violation> {
        self.scm.core.lock().ledger.violations.clone()
    }

    /// Forgets the violations recorded so far.
    pub fn clear_violations(&mut self) {
        self.scm.core.lock().ledger.violations.clear();
    }

    /// Panics with every violation's report (rule, service, time, what was seen, the rule
    /// text and the replay token) when there is any.
    pub fn assert_no_violations(&self) {
        let v = self.violations();
        if !v.is_empty() {
            let reports: Vec<String> = v.iter().map(Violation::report).collect();
            panic!("{} protocol violation(s):\n{}", v.len(), reports.join("\n"));
        }
    }

    /// The event log.
    pub fn events(&self) -> Vec<EventRecord> {
        self.scm
            .core
            .lock()
            .observers
            .events
            .entries()
            .iter()
            .cloned()
            .collect()
    }

    /// The trace: a copy of its retained window (see [`Trace::dropped`]).
    pub fn trace(&self) -> Trace {
        self.scm.core.lock().observers.trace.clone()
    }

    /// A copy of the event log's retained records with its counters.
    pub fn event_log(&self) -> EventLog {
        self.scm.core.lock().observers.events.clone()
    }

    /// Flushes the trace stream's writer (see [`MachineBuilder::trace_stream`](crate::MachineBuilder::trace_stream)).
    pub fn flush_trace_stream(&self) -> std::io::Result<()> {
        self.scm.core.lock().observers.trace.flush_stream()
    }

    /// The tracked units of work: every live one, and the most recent finished ones (up to
    /// 8,192 units in all; older finished units are forgotten so that memory stays bounded).
    pub fn work(&self) -> Vec<WorkUnit> {
        self.scm.core.lock().ledger.work.values().cloned().collect()
    }

    /// Processes as (pid, image, services).
    pub fn processes(&self) -> Vec<(u32, String, Vec<String>)> {
        let st = self.scm.core.lock();
        st.processes
            .values()
            .map(|p| {
                let names = p
                    .services
                    .iter()
                    .filter_map(|k| st.record(k).map(|r| r.name.to_string()))
                    .collect();
                (p.pid, p.image.to_string(), names)
            })
            .collect()
    }
}
