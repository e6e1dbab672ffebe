//! The event log: [`EventRecord`]s in the order they were written, with virtual timestamps.
//!
//! ```
//! use scm_sim::events::{EventLog, LoggedState, ScmEvent};
//! use std::time::Duration;
//!
//! let mut log = EventLog::new();
//! log.record(
//!     Duration::from_millis(1500),
//!     Some("Spooler"),
//!     ScmEvent::EnteredState { display_name: "Print Spooler".into(), state: LoggedState::Running },
//! );
//! assert_eq!(log.len(), 1);
//! assert_eq!(log.by_id(7036).count(), 1);
//! let rec = log.for_service("spooler").next().unwrap(); // key names ignore ASCII case
//! assert_eq!(rec.message, "The Print Spooler service entered the running state.");
//! assert_eq!(rec.to_string(), "   1.500s  Information  7036  Service Control Manager  \
//!                              The Print Spooler service entered the running state.");
//! ```

use super::scm_event::ScmEvent;
use super::time_ns;
use super::trace::TraceKind;
use super::values::{EventLevel, EventSource};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// One entry of the event log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecord {
    /// 1-based position in the log (Windows' EventRecordID).
    pub record_id: u64,
    /// Virtual time since boot.
    #[serde(rename = "time_ns", with = "time_ns")]
    pub time: Duration,
    /// The provider.
    pub source: EventSource,
    /// The event id.
    pub id: u32,
    /// The level.
    pub level: EventLevel,
    /// The service's key name, when the event concerns one service.
    pub service: Option<String>,
    /// The message as Event Viewer shows it (`\n` line breaks).
    pub message: String,
    /// The typed event, for SCM/svchost/simulator events (absent for other sources).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<ScmEvent>,
}

impl EventRecord {
    /// The trace entry that marks this event on the timeline.
    pub fn trace_kind(&self) -> TraceKind {
        TraceKind::Event {
            id: self.id,
            service: self.service.clone(),
        }
    }
}

impl fmt::Display for EventRecord {
    /// One line: time, level, id, provider, message (line breaks shown as spaces).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = self.message.replace(['\r', '\n'], " ");
        write!(
            f,
            "{:>9}  {:<11}  {:>4}  {}  {}",
            time_ns::seconds_text(self.time),
            self.level,
            self.id,
            self.source,
            message
        )
    }
}

/// The System log of one simulated machine (plus svchost's and the simulator's own events).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventLog {
    records: Vec<EventRecord>,
}

impl EventLog {
    /// An empty log.
    pub fn new() -> EventLog {
        EventLog::default()
    }

    /// Writes `event` at virtual time `time`; `service` is the key name of the service it
    /// concerns (`None` for machine-wide events such as 7026). Returns the new record.
    pub fn record(
        &mut self,
        time: Duration,
        service: Option<&str>,
        event: ScmEvent,
    ) -> &EventRecord {
        let record = EventRecord {
            record_id: self.next_record_id(),
            time,
            source: event.source(),
            id: event.id(),
            level: event.level(),
            service: service.map(str::to_string),
            message: event.message(),
            event: Some(event),
        };
        self.push(record)
    }

    /// Writes an event of another provider (e.g. a simulated service's own ReportEvent).
    pub fn record_other(
        &mut self,
        time: Duration,
        source: EventSource,
        id: u32,
        level: EventLevel,
        service: Option<&str>,
        message: impl Into<String>,
    ) -> &EventRecord {
        let record = EventRecord {
            record_id: self.next_record_id(),
            time,
            source,
            id,
            level,
            service: service.map(str::to_string),
            message: message.into(),
            event: None,
        };
        self.push(record)
    }

    /// All records, oldest first.
    pub fn entries(&self) -> &[EventRecord] {
        &self.records
    }

    /// The records with event id `id` (of any provider), oldest first.
    pub fn by_id(&self, id: u32) -> impl Iterator<Item = &EventRecord> + '_ {
        self.records.iter().filter(move |r| r.id == id)
    }

    /// The records about the service with key name `name` (ASCII case ignored, as the SCM
    /// does), oldest first.
    pub fn for_service<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a EventRecord> + 'a {
        self.records.iter().filter(move |r| {
            r.service
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(name))
        })
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when nothing was logged.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The whole log, one [`EventRecord`] line each.
    pub fn render_text(&self) -> String {
        self.records.iter().map(|r| format!("{r}\n")).collect()
    }

    fn next_record_id(&self) -> u64 {
        self.records
            .last()
            .map_or(1, |r| r.record_id.saturating_add(1))
    }

    fn push(&mut self, record: EventRecord) -> &EventRecord {
        self.records.push(record);
        let last = self.records.len() - 1;
        &self.records[last]
    }
}
