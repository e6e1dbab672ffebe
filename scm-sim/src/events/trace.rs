//! The trace's entries: what happened ([`TraceKind`]) and when ([`TraceEntry`]). Entries hold
//! plain numbers, fixed words ([`Label`]) and names shared with the engine ([`SharedName`]), so
//! the trace does not depend on the engine's types, stays readable as JSON, and a start/stop
//! round trip allocates no string for it. The bounded [`Trace`] itself is in `timeline`.
//!
//! ```
//! use scm_sim::events::{render_text, Trace, TraceKind};
//! use scm_sim::service::ServiceState;
//! use std::time::Duration;
//!
//! let mut trace = Trace::new();
//! let seq = trace.push(
//!     Duration::from_millis(42_250),
//!     TraceKind::StateChanged {
//!         service: "Spooler".into(),
//!         from: ServiceState::StartPending,
//!         to: ServiceState::Running,
//!     },
//! );
//! assert_eq!(seq, 0);
//! assert_eq!(render_text(&trace), "  42.250s  state      Spooler: START_PENDING -> RUNNING\n");
//! assert_eq!(trace.entries()[0].kind.service(), Some("Spooler"));
//! ```

use super::insert::is_known;
use super::note::NoteText;
use super::time_ns;
use crate::win32::ServiceState;
use crate::Win32Error;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// A fixed word of the trace (an API, a caller, a control or state name): a `&'static str`
/// on the engine's hot path, an owned string when read back from JSON. Compares with `&str`.
pub type Label = Cow<'static, str>;

/// A service's key name (or a process's image), shared with the engine's record: cloning it
/// for a trace entry only counts a reference.
pub type SharedName = Arc<str>;

/// What happened, in plain fields. More kinds may be added.
///
/// Fields are compact: names shared with the engine ([`SharedName`]), fixed words as
/// [`Label`]s; only free text (rare notes, violation details, formatted arguments) owns a
/// string. The JSON shape is that of plain strings and numbers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind")]
#[non_exhaustive]
pub enum TraceKind {
    /// A management-API call entered the SCM.
    ApiCall {
        /// Who called (e.g. `sc.exe`, a service name, `boot`).
        caller: Label,
        /// The API (e.g. `StartService`).
        api: Label,
        /// The service the call is about.
        service: Option<SharedName>,
        /// The arguments, already formatted.
        args: Label,
    },
    /// A management-API call returned.
    ApiReturn {
        /// The API.
        api: Label,
        /// The service the call was about.
        service: Option<SharedName>,
        /// The Win32 result code (0 = success).
        result: u32,
    },
    /// The SCM handed a control to a service's dispatcher.
    ControlSent {
        /// The service's key name.
        service: SharedName,
        /// The control code.
        control: u32,
        /// Its name (e.g. `stop`).
        name: Label,
    },
    /// A control handler returned.
    HandlerReturned {
        /// The service's key name.
        service: SharedName,
        /// The control code.
        control: u32,
        /// The handler's return value (Win32 code).
        result: u32,
    },
    /// A service called SetServiceStatus.
    StatusReported {
        /// The service's key name.
        service: SharedName,
        /// The reporting process.
        pid: u32,
        /// `dwCurrentState`.
        state: u32,
        /// Its name (e.g. `RUNNING`).
        state_name: Label,
        /// `dwControlsAccepted`.
        accepted: u32,
        /// `dwWin32ExitCode`.
        exit_code: u32,
        /// `dwServiceSpecificExitCode`.
        specific_exit_code: u32,
        /// `dwCheckPoint`.
        checkpoint: u32,
        /// `dwWaitHint` (ms).
        wait_hint: u32,
        /// False when the SCM rejected the report.
        accepted_by_scm: bool,
    },
    /// The SCM's record of a service changed state.
    StateChanged {
        /// The service's key name.
        service: SharedName,
        /// The state it left (written as sc.exe's label, e.g. `START_PENDING`).
        #[serde(with = "state_label")]
        from: ServiceState,
        /// The state it entered.
        #[serde(with = "state_label")]
        to: ServiceState,
    },
    /// A process was created.
    ProcessStarted {
        /// Its pid.
        pid: u32,
        /// Its image path.
        image: SharedName,
    },
    /// A process ended.
    ProcessExited {
        /// Its pid.
        pid: u32,
        /// Its image path.
        image: SharedName,
        /// Exit code.
        exit_code: u32,
        /// True for a crash (ended with services not stopped, or by a panic).
        crashed: bool,
    },
    /// A dispatcher started a service's ServiceMain.
    ServiceMainCalled {
        /// The service's key name.
        service: SharedName,
        /// The hosting process.
        pid: u32,
        /// argv as passed (argv\[0\] is the service name on Windows), shared with the start.
        args: Arc<[String]>,
    },
    /// A timer of the SCM expired.
    Timeout {
        /// The service concerned.
        service: Option<SharedName>,
        /// What was being waited for (e.g. `connect`, `STOP handler`).
        what: Label,
        /// After how long.
        after_ms: u64,
    },
    /// A service broke a rule of the service contract.
    Violation {
        /// The service's key name.
        service: SharedName,
        /// The rule's identifier.
        rule: Label,
        /// What happened.
        detail: String,
    },
    /// An event was written to the event log.
    Event {
        /// Event id.
        id: u32,
        /// The service's key name.
        service: Option<SharedName>,
    },
    /// A note: free text, or one of the engine's own notes kept as fields (see [`NoteText`]).
    Note {
        /// The text.
        text: NoteText,
    },
}

impl TraceKind {
    /// The service this entry is about, if any.
    pub fn service(&self) -> Option<&str> {
        use TraceKind as K;
        match self {
            K::ApiCall { service, .. }
            | K::ApiReturn { service, .. }
            | K::Timeout { service, .. }
            | K::Event { service, .. } => service.as_deref(),
            K::ControlSent { service, .. }
            | K::HandlerReturned { service, .. }
            | K::StatusReported { service, .. }
            | K::StateChanged { service, .. }
            | K::ServiceMainCalled { service, .. }
            | K::Violation { service, .. } => Some(service),
            K::ProcessStarted { .. } | K::ProcessExited { .. } | K::Note { .. } => None,
        }
    }

    /// A short lowercase tag for the kind (`call`, `return`, `control`, …).
    pub fn tag(&self) -> &'static str {
        use TraceKind as K;
        match self {
            K::ApiCall { .. } => "call",
            K::ApiReturn { .. } => "return",
            K::ControlSent { .. } => "control",
            K::HandlerReturned { .. } => "handler",
            K::StatusReported { .. } => "status",
            K::StateChanged { .. } => "state",
            K::ProcessStarted { .. } => "process",
            K::ProcessExited { .. } => "exit",
            K::ServiceMainCalled { .. } => "main",
            K::Timeout { .. } => "timeout",
            K::Violation { .. } => "violation",
            K::Event { .. } => "event",
            K::Note { .. } => "note",
        }
    }

    /// A readable one-phrase description (may contain line breaks if the fields do).
    pub fn describe(&self) -> String {
        use TraceKind as K;
        match self {
            K::ApiCall { .. }
            | K::ApiReturn { .. }
            | K::ControlSent { .. }
            | K::HandlerReturned { .. }
            | K::StatusReported { .. } => self.describe_control_path(),
            K::StateChanged { .. }
            | K::ProcessStarted { .. }
            | K::ProcessExited { .. }
            | K::ServiceMainCalled { .. }
            | K::Timeout { .. }
            | K::Violation { .. }
            | K::Event { .. }
            | K::Note { .. } => self.describe_outcome(),
        }
    }

    /// [`TraceKind::describe`] for API calls and returns, controls, handler results and
    /// status reports.
    fn describe_control_path(&self) -> String {
        use TraceKind as K;
        match self {
            K::ApiCall {
                caller,
                api,
                service,
                args,
            } => {
                let mut s = format!("{api}({}) from {caller}", service.as_deref().unwrap_or(""));
                if !args.is_empty() {
                    s.push(' ');
                    s.push_str(args);
                }
                s
            }
            K::ApiReturn {
                api,
                service,
                result,
            } => {
                format!(
                    "{api}({}) = {}",
                    service.as_deref().unwrap_or(""),
                    code_text(*result)
                )
            }
            K::ControlSent {
                service,
                control,
                name,
            } => format!("{name} ({control}) to {service}"),
            K::HandlerReturned {
                service,
                control,
                result,
            } => {
                format!(
                    "{service}: handler for control {control} returned {}",
                    code_text(*result)
                )
            }
            K::StatusReported {
                service,
                pid,
                state: _,
                state_name,
                accepted,
                exit_code,
                specific_exit_code,
                checkpoint,
                wait_hint,
                accepted_by_scm,
            } => {
                let mut s = format!(
                    "{service} (pid {pid}) reports {state_name} accepts=0x{accepted:x} \
                     exit={exit_code} specific={specific_exit_code} checkpoint={checkpoint} \
                     wait_hint={wait_hint}ms"
                );
                if !accepted_by_scm {
                    s.push_str(" REJECTED");
                }
                s
            }
            // describe routes only the kinds above here.
            _ => String::new(),
        }
    }

    /// [`TraceKind::describe`] for state changes, processes, ServiceMain, timeouts,
    /// violations, events and notes.
    fn describe_outcome(&self) -> String {
        use TraceKind as K;
        match self {
            K::StateChanged { service, from, to } => format!("{service}: {from} -> {to}"),
            K::ProcessStarted { pid, image } => format!("pid {pid} started: {image}"),
            K::ProcessExited {
                pid,
                image,
                exit_code,
                crashed,
            } => {
                let how = if *crashed { " (crashed)" } else { "" };
                format!("pid {pid} exited: {image} code {exit_code}{how}")
            }
            K::ServiceMainCalled { service, pid, args } => {
                format!("ServiceMain of {service} in pid {pid} args {args:?}")
            }
            K::Timeout {
                service,
                what,
                after_ms,
            } => match service {
                Some(service) => format!("{service}: {what} after {after_ms} ms"),
                None => format!("{what} after {after_ms} ms"),
            },
            K::Violation {
                service,
                rule,
                detail,
            } => format!("{service} broke {rule}: {detail}"),
            K::Event { id, service } => match service {
                Some(service) => format!("event {id} ({service})"),
                None => format!("event {id}"),
            },
            K::Note { text } => text.to_string(),
            // describe routes only the kinds above here.
            _ => String::new(),
        }
    }
}

/// `0 ERROR_SUCCESS` for a code the simulator can name, else just the number.
pub(crate) fn code_text(code: u32) -> String {
    let error = Win32Error(code);
    if is_known(error) {
        format!("{code} {}", error.name())
    } else {
        code.to_string()
    }
}

/// One entry of the timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceEntry {
    /// Sequence number, 0-based, in push order.
    pub seq: u64,
    /// Virtual time since boot.
    #[serde(rename = "time_ns", with = "time_ns")]
    pub time: Duration,
    /// What happened.
    #[serde(flatten)]
    pub kind: TraceKind,
}

impl fmt::Display for TraceEntry {
    /// The line [`render_text`](crate::events::render_text) writes (without the line break).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let description = one_line(&self.kind.describe());
        write!(
            f,
            "{:>9}  {:<9}  {}",
            time_ns::seconds_text(self.time),
            self.kind.tag(),
            description
        )
    }
}

/// `text` with `\n`, `\r` and `\t` escaped, so it fits on one line.
fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out
}

/// A service state in a trace entry's JSON: sc.exe's label (`START_PENDING`), as the trace has
/// always been written.
mod state_label {
    use crate::win32::ServiceState;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(state: &ServiceState, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(state.sc_label())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ServiceState, D::Error> {
        let label = String::deserialize(d)?;
        ServiceState::ALL
            .into_iter()
            .find(|s| s.sc_label() == label)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown service state {label:?}")))
    }
}
