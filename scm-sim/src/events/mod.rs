//! The event log and the trace: what a simulated machine tells its observers.
//!
//! * The **event log** holds what Windows writes to the System log: the Service Control
//!   Manager's events 7000–7046 with Windows 10's exact texts, svchost's 101/102 (simulated
//!   rendering), and the simulator's own events under the `scm-sim` source.
//! * The **trace** is a timeline of every API call, control, status report, process and timeout,
//!   with virtual timestamps, rendered as text, JSON or a Mermaid sequence diagram, and digested
//!   for determinism checks.
//!
//! Both keep bounded windows, so memory stays bounded under any run length (a start/stop round
//! trip pushes about 19 entries and 2 records):
//!
//! * the trace keeps the newest [`Trace::DEFAULT_CAPACITY`] entries (65,536, about 9 MiB);
//!   sequence numbers keep counting every entry pushed, [`Trace::dropped`] says how many fell
//!   out of the window, and [`Trace::digest`] covers them all. A [`TraceStream`] writes every
//!   entry to a file as JSON lines or text, to keep a whole run;
//! * the event log keeps the newest [`EventLog::DEFAULT_CAPACITY`] records (16,384, about
//!   5 MiB) and overwrites the oldest, as Windows' System log does when it reaches its maximum
//!   size; `record_id` keeps counting, as EventRecordID does.
//!
//! Set both on the builder: [`MachineBuilder::trace_capacity`](crate::MachineBuilder::trace_capacity),
//! [`MachineBuilder::trace_stream`](crate::MachineBuilder::trace_stream),
//! [`MachineBuilder::event_log_capacity`](crate::MachineBuilder::event_log_capacity).
//!
//! ```
//! use scm_sim::events::{render_text, EventLog, LoggedState, ScmEvent, Trace, TraceKind};
//! use scm_sim::Win32Error;
//! use std::time::Duration;
//!
//! let mut log = EventLog::new();
//! let mut trace = Trace::new();
//! let t = Duration::from_secs(30);
//!
//! trace.push(t, TraceKind::Timeout { service: Some("Slow".into()), what: "connect".into(), after_ms: 30_000 });
//! let e7009 = log.record(t, Some("Slow"), ScmEvent::ConnectTimeout {
//!     timeout_ms: 30_000,
//!     display_name: "Slow Service".into(),
//! });
//! trace.push(t, e7009.trace_kind());
//! log.record(t, Some("Slow"), ScmEvent::StartFailed {
//!     display_name: "Slow Service".into(),
//!     error: Win32Error::SERVICE_REQUEST_TIMEOUT,
//! });
//!
//! assert_eq!(
//!     log.entries()[0].message(),
//!     "A timeout was reached (30000 milliseconds) while waiting for the Slow Service service to connect."
//! );
//! assert_eq!(
//!     render_text(&trace),
//!     "  30.000s  timeout    Slow: connect after 30000 ms\n  30.000s  event      event 7009 (Slow)\n"
//! );
//! ```
//!
//! Module map:
//!
//! | module | job |
//! |---|---|
//! | `values` | levels, sources and the fixed words inserted into texts |
//! | `scm_event` | [`ScmEvent`]: typed events and their insertion strings |
//! | `catalog` | id, level, provider, symbol and message template per event |
//! | `insert` | filling templates, rendering Win32 error insertions |
//! | `log` | [`EventLog`] and [`EventRecord`] |
//! | `trace` | [`TraceEntry`], [`TraceKind`], their compact field types [`Label`], [`SharedName`] |
//! | `timeline` | [`Trace`]: the bounded window, the digest, [`TraceStream`] |
//! | `render` | [`render_text`], [`render_json`] |
//! | `mermaid` | [`render_mermaid`] |
//! | [`time_ns`] | virtual time as nanoseconds in JSON, `42.250s` in text |
//!
//! Rendering choices, deliberately different from Event Viewer: line breaks (`%n`) are `\n`,
//! not CRLF; an error insertion the simulator has no text for shows as `%%<code>`, as Event
//! Viewer does for unknown codes (the simulator knows fewer codes than Windows).

mod catalog;
mod digest;
mod insert;
mod insertion_strings;
mod log;
mod mermaid;
mod note;
mod observers;
mod render;
mod scm_event;
pub mod time_ns;
mod timeline;
mod trace;
mod values;

pub use insert::{error_insertion, fill_template};
pub use log::{EventLog, EventRecord};
pub use mermaid::render_mermaid;
pub use note::NoteText;
pub(crate) use observers::Observers;
pub use render::{render_json, render_text};
pub use scm_event::ScmEvent;
pub use timeline::{StreamFormat, Trace, TraceStream};
pub use trace::{Label, SharedName, TraceEntry, TraceKind};
pub use values::{
    ControlWord, EventLevel, EventSource, InstalledServiceType, LoggedState, RecoveryAction,
    StartTypeText,
};
