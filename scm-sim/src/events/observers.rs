//! What watches the machine: the event log, the trace, and the activity counter that tells
//! `settle` whether anything happened (see `sim::clock`, step 4). The SCM writes to them
//! through these methods only.
//!
//! With tracing off (benchmarks), nothing is written, but activity is still counted.

use std::time::Duration;

use super::{EventLog, ScmEvent, SharedName, Trace, TraceKind};

/// The machine's observers.
#[derive(Debug)]
pub(crate) struct Observers {
    /// The System event log (bounded: see [`EventLog`]).
    pub(crate) events: EventLog,
    /// The timeline (bounded: see [`Trace`]).
    pub(crate) trace: Trace,
    /// False in benchmark mode: no trace entry and no event is written.
    pub(crate) enabled: bool,
    activity: u64,
}

impl Observers {
    /// Observers writing to `events` and `trace` when `enabled`.
    pub(crate) fn new(events: EventLog, trace: Trace, enabled: bool) -> Observers {
        Observers {
            events,
            trace,
            enabled,
            activity: 0,
        }
    }

    /// Counts something that happened without writing anything.
    pub(crate) fn touch(&mut self) {
        self.activity += 1;
    }

    /// How many things happened so far.
    pub(crate) fn activity(&self) -> u64 {
        self.activity
    }

    /// Records a trace entry at `now`, built only when tracing is on.
    pub(crate) fn trace_with(
        &mut self,
        now: impl FnOnce() -> Duration,
        kind: impl FnOnce() -> TraceKind,
    ) {
        self.activity += 1;
        if self.enabled {
            self.trace.push(now(), kind());
        }
    }

    /// Logs an event (and its trace entry) at `now` about `service`.
    pub(crate) fn log(
        &mut self,
        now: impl FnOnce() -> Duration,
        service: impl FnOnce() -> SharedName,
        event: ScmEvent,
    ) {
        self.activity += 1;
        if !self.enabled {
            return;
        }
        let now = now();
        let service = service();
        self.trace.push(
            now,
            TraceKind::Event {
                id: event.id(),
                service: Some(service.clone()),
            },
        );
        self.events.record_shared(now, Some(service), event);
    }
}
