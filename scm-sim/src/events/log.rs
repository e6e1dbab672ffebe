//! The event log: [`EventRecord`]s in the order they were written, with virtual timestamps.
//!
//! Like Windows' System log it has a maximum size and overwrites the oldest events as needed
//! (Windows' default retention for the System log). Windows measures the maximum in bytes of
//! its .evtx file (20480 KB by default on Windows 10, some tens of thousands of events); the
//! simulator measures it in records, [`EventLog::DEFAULT_CAPACITY`] (16,384, a few MB in
//! memory) unless set with
//! [`MachineBuilder::event_log_capacity`](crate::MachineBuilder::event_log_capacity):
//! a count is exact, the same on every platform, and independent of how texts are stored.
//! `record_id` keeps counting across overwrites, as Windows' EventRecordID does.
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
//! assert_eq!(rec.message(), "The Print Spooler service entered the running state.");
//! assert_eq!(rec.to_string(), "   1.500s  Information  7036  Service Control Manager  \
//!                              The Print Spooler service entered the running state.");
//! ```

use super::scm_event::ScmEvent;
use super::time_ns;
use super::trace::{SharedName, TraceKind};
use super::values::{EventLevel, EventSource};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

/// One entry of the event log.
///
/// The message of an SCM event is rendered when it is read ([`EventRecord::message`]), from
/// the typed event the record keeps: writing an event costs no formatting. Records of other
/// providers (and records read back from JSON) keep their text as given.
#[derive(Clone, Debug)]
pub struct EventRecord {
    /// 1-based number of the record among all written (Windows' EventRecordID): it keeps
    /// counting when the oldest records are overwritten.
    pub record_id: u64,
    /// Virtual time since boot.
    pub time: Duration,
    /// The provider.
    pub source: EventSource,
    /// The event id.
    pub id: u32,
    /// The level.
    pub level: EventLevel,
    /// The service's key name, when the event concerns one service (shared with the
    /// engine's record: writing an event copies no name).
    pub service: Option<SharedName>,
    /// The message as given, for events without a typed event (or read back from JSON).
    text: Option<String>,
    /// The typed event, for SCM/svchost/simulator events (absent for other sources).
    pub event: Option<ScmEvent>,
}

/// An [`EventRecord`] as JSON has it: the message written out.
#[derive(Serialize, Deserialize)]
struct RecordJson<'a> {
    record_id: u64,
    #[serde(rename = "time_ns", with = "time_ns")]
    time: Duration,
    source: EventSource,
    id: u32,
    level: EventLevel,
    service: Option<Cow<'a, str>>,
    message: Cow<'a, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    event: Option<ScmEvent>,
}

impl Serialize for EventRecord {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        RecordJson {
            record_id: self.record_id,
            time: self.time,
            source: self.source.clone(),
            id: self.id,
            level: self.level,
            service: self.service.as_deref().map(Cow::Borrowed),
            message: self.message(),
            event: self.event.clone(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for EventRecord {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<EventRecord, D::Error> {
        let r = RecordJson::deserialize(deserializer)?;
        Ok(EventRecord {
            record_id: r.record_id,
            time: r.time,
            source: r.source,
            id: r.id,
            level: r.level,
            service: r.service.map(|s| SharedName::from(s.as_ref())),
            text: Some(r.message.into_owned()),
            event: r.event,
        })
    }
}

impl PartialEq for EventRecord {
    /// Equal fields and equal messages (however each is stored).
    fn eq(&self, other: &EventRecord) -> bool {
        self.record_id == other.record_id
            && self.time == other.time
            && self.source == other.source
            && self.id == other.id
            && self.level == other.level
            && self.service == other.service
            && self.event == other.event
            && self.message() == other.message()
    }
}

impl Eq for EventRecord {}

impl EventRecord {
    /// The message as Event Viewer shows it (`\n` line breaks), rendered from the typed event.
    pub fn message(&self) -> Cow<'_, str> {
        match (&self.text, &self.event) {
            (Some(text), _) => Cow::Borrowed(text),
            (None, Some(event)) => Cow::Owned(event.message()),
            (None, None) => Cow::Borrowed(""),
        }
    }

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
        let message = self.message().replace(['\r', '\n'], " ");
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

/// The System log of one simulated machine (plus svchost's and the simulator's own events):
/// the newest [`EventLog::capacity`] records. Serializes as a JSON array of them.
///
/// ```
/// use scm_sim::events::{EventLog, LoggedState, ScmEvent};
/// use std::time::Duration;
///
/// let mut log = EventLog::with_capacity(2);
/// for _ in 0..3 {
///     log.record(Duration::ZERO, Some("Spooler"), ScmEvent::EnteredState {
///         display_name: "Print Spooler".into(),
///         state: LoggedState::Running,
///     });
/// }
/// assert_eq!(log.len(), 2);
/// assert_eq!(log.overwritten(), 1);
/// assert_eq!(log.entries()[0].record_id, 2); // ids keep counting
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventLog {
    records: VecDeque<EventRecord>,
    capacity: usize,
    next_record_id: u64,
}

impl Default for EventLog {
    fn default() -> EventLog {
        EventLog::with_capacity(EventLog::DEFAULT_CAPACITY)
    }
}

impl Serialize for EventLog {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.records.iter())
    }
}

impl<'de> Deserialize<'de> for EventLog {
    /// Reads the records back; the capacity is the default or the number read, whichever is
    /// larger; record ids go on after the largest read.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<EventLog, D::Error> {
        let records = VecDeque::<EventRecord>::deserialize(deserializer)?;
        let next_record_id = records
            .iter()
            .map(|r| r.record_id.saturating_add(1))
            .max()
            .unwrap_or(1);
        Ok(EventLog {
            capacity: EventLog::DEFAULT_CAPACITY.max(records.len()),
            records,
            next_record_id,
        })
    }
}

impl EventLog {
    /// How many records a log keeps unless told otherwise.
    pub const DEFAULT_CAPACITY: usize = 16_384;

    /// An empty log keeping [`EventLog::DEFAULT_CAPACITY`] records.
    pub fn new() -> EventLog {
        EventLog::default()
    }

    /// An empty log keeping the newest `capacity` records (at least one).
    pub fn with_capacity(capacity: usize) -> EventLog {
        EventLog {
            records: VecDeque::new(),
            capacity: capacity.max(1),
            next_record_id: 1,
        }
    }

    /// How many records it keeps at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Changes how many records it keeps (at least one), overwriting the oldest if it holds more.
    pub fn set_capacity(&mut self, capacity: usize) {
        let capacity = capacity.max(1);
        self.capacity = capacity;
        while self.records.len() > capacity {
            self.records.pop_front();
        }
        self.records.shrink_to(capacity);
    }

    /// How many records were written in all (the next record id less one).
    pub fn written(&self) -> u64 {
        self.next_record_id - 1
    }

    /// How many of the oldest records were overwritten (ids below the first retained one).
    pub fn overwritten(&self) -> u64 {
        self.records
            .front()
            .map_or(self.written(), |r| r.record_id - 1)
    }

    /// An estimate of the memory the retained records hold (slots plus their texts).
    pub fn retained_bytes(&self) -> usize {
        self.records.capacity() * std::mem::size_of::<EventRecord>()
            + self
                .records
                .iter()
                .map(|r| {
                    r.text.as_ref().map_or(0, String::capacity)
                        + r.service.as_ref().map_or(0, |s| s.len() + 16)
                        + r.event
                            .as_ref()
                            .map_or(0, |_| std::mem::size_of::<ScmEvent>())
                })
                .sum::<usize>()
    }

    /// Writes `event` at virtual time `time`; `service` is the key name of the service it
    /// concerns (`None` for machine-wide events such as 7026). Returns the new record.
    pub fn record(
        &mut self,
        time: Duration,
        service: Option<&str>,
        event: ScmEvent,
    ) -> &EventRecord {
        self.record_shared(time, service.map(SharedName::from), event)
    }

    /// [`EventLog::record`] with the service's name shared (no copy).
    pub(crate) fn record_shared(
        &mut self,
        time: Duration,
        service: Option<SharedName>,
        event: ScmEvent,
    ) -> &EventRecord {
        let record = EventRecord {
            record_id: self.next_record_id(),
            time,
            source: event.source(),
            id: event.id(),
            level: event.level(),
            service,
            text: None,
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
            service: service.map(SharedName::from),
            text: Some(message.into()),
            event: None,
        };
        self.push(record)
    }

    /// The retained records, oldest first.
    pub fn entries(&self) -> &VecDeque<EventRecord> {
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

    fn next_record_id(&mut self) -> u64 {
        let id = self.next_record_id;
        self.next_record_id = id.saturating_add(1);
        id
    }

    fn push(&mut self, record: EventRecord) -> &EventRecord {
        while self.records.len() >= self.capacity {
            self.records.pop_front();
        }
        self.records.push_back(record);
        let last = self.records.len() - 1;
        &self.records[last]
    }
}
