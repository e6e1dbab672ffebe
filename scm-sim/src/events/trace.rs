//! The trace: a timeline of everything the simulated machine did, in order, with virtual
//! timestamps. Entries use plain strings and numbers only, so the trace does not depend on the
//! engine's types and stays readable as JSON.
//!
//! ```
//! use scm_sim::events::{render_text, Trace, TraceKind};
//! use std::time::Duration;
//!
//! let mut trace = Trace::new();
//! let seq = trace.push(
//!     Duration::from_millis(42_250),
//!     TraceKind::StateChanged {
//!         service: "Spooler".into(),
//!         from: "START_PENDING".into(),
//!         to: "RUNNING".into(),
//!     },
//! );
//! assert_eq!(seq, 0);
//! assert_eq!(render_text(&trace), "  42.250s  state      Spooler: START_PENDING -> RUNNING\n");
//! assert_eq!(trace.digest(), Trace::fnv1a64(render_text(&trace).as_bytes()));
//! ```

use super::insert::is_known;
use super::render::{one_line, render_text};
use super::time_ns;
use crate::Win32Error;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::time::Duration;

/// What happened, in plain fields. More kinds may be added.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind")]
#[non_exhaustive]
pub enum TraceKind {
    /// A management-API call entered the SCM.
    ApiCall {
        /// Who called (e.g. `sc.exe`, a service name, `boot`).
        caller: String,
        /// The API (e.g. `StartService`).
        api: String,
        /// The service the call is about.
        service: Option<String>,
        /// The arguments, already formatted.
        args: String,
    },
    /// A management-API call returned.
    ApiReturn {
        /// The API.
        api: String,
        /// The service the call was about.
        service: Option<String>,
        /// The Win32 result code (0 = success).
        result: u32,
    },
    /// The SCM handed a control to a service's dispatcher.
    ControlSent {
        /// The service's key name.
        service: String,
        /// The control code.
        control: u32,
        /// Its name (e.g. `STOP`).
        name: String,
    },
    /// A control handler returned.
    HandlerReturned {
        /// The service's key name.
        service: String,
        /// The control code.
        control: u32,
        /// The handler's return value (Win32 code).
        result: u32,
    },
    /// A service called SetServiceStatus.
    StatusReported {
        /// The service's key name.
        service: String,
        /// The reporting process.
        pid: u32,
        /// `dwCurrentState`.
        state: u32,
        /// Its name (e.g. `RUNNING`).
        state_name: String,
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
        service: String,
        /// Old state name.
        from: String,
        /// New state name.
        to: String,
    },
    /// A process was created.
    ProcessStarted {
        /// Its pid.
        pid: u32,
        /// Its image path.
        image: String,
    },
    /// A process ended.
    ProcessExited {
        /// Its pid.
        pid: u32,
        /// Its image path.
        image: String,
        /// Exit code.
        exit_code: u32,
        /// True for a crash (ended with services not stopped, or by a panic).
        crashed: bool,
    },
    /// A dispatcher started a service's ServiceMain.
    ServiceMainCalled {
        /// The service's key name.
        service: String,
        /// The hosting process.
        pid: u32,
        /// argv as passed (argv\[0\] is the service name on Windows).
        args: Vec<String>,
    },
    /// A timer of the SCM expired.
    Timeout {
        /// The service concerned.
        service: Option<String>,
        /// What was being waited for (e.g. `connect`, `STOP handler`).
        what: String,
        /// After how long.
        after_ms: u64,
    },
    /// A service broke a rule of the service contract.
    Violation {
        /// The service's key name.
        service: String,
        /// The rule's identifier.
        rule: String,
        /// What happened.
        detail: String,
    },
    /// An event was written to the event log.
    Event {
        /// Event id.
        id: u32,
        /// The service's key name.
        service: Option<String>,
    },
    /// Free text.
    Note {
        /// The text.
        text: String,
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
            K::Note { text } => text.clone(),
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

/// The timeline of one simulation. Serializes as a JSON array of entries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    entries: Vec<TraceEntry>,
    next_seq: u64,
}

impl Trace {
    /// An empty trace.
    pub fn new() -> Trace {
        Trace::default()
    }

    /// Appends an entry and returns its sequence number.
    pub fn push(&mut self, time: Duration, kind: TraceKind) -> u64 {
        let seq = self.next_seq;
        self.next_seq = self.next_seq.saturating_add(1);
        let entry = TraceEntry { seq, time, kind };
        tracing::trace!(target: "scm_sim::trace", seq, "{}", entry);
        self.entries.push(entry);
        seq
    }

    /// All entries, in order.
    pub fn entries(&self) -> &[TraceEntry] {
        &self.entries
    }

    /// The entries about service `name` (ASCII case ignored).
    pub fn for_service<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a TraceEntry> + 'a {
        self.entries.iter().filter(move |e| {
            e.kind
                .service()
                .is_some_and(|s| s.eq_ignore_ascii_case(name))
        })
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing was traced.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// A stable 64-bit FNV-1a digest of [`render_text`]: equal for two runs exactly when their
    /// text timelines are equal (up to hash collisions). Used by determinism checks.
    pub fn digest(&self) -> u64 {
        Trace::fnv1a64(render_text(self).as_bytes())
    }

    /// 64-bit FNV-1a of `bytes` (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
    pub fn fnv1a64(bytes: &[u8]) -> u64 {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, &b| {
            (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    }
}

impl Serialize for Trace {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.entries.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Trace {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Trace, D::Error> {
        let entries = Vec::<TraceEntry>::deserialize(deserializer)?;
        let next_seq = entries
            .iter()
            .map(|e| e.seq.saturating_add(1))
            .max()
            .unwrap_or(0);
        Ok(Trace { entries, next_seq })
    }
}
