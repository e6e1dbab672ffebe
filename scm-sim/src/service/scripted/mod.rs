//! Scripted services: what runs for a Win32 service with no Rust code behind its image. By
//! default a well-behaved service — START_PENDING (checkpoint 1, wait hint 2 s), then RUNNING
//! accepting STOP and SHUTDOWN, and STOPPED with exit code 0 on STOP — whose behaviour a
//! [`Behavior`] changes per service (slow starts, hangs, crashes, exit codes …).
//!
//! ```
//! use scm_sim::service::scripted::{Behavior, Hang};
//! use std::time::Duration;
//!
//! let mut b = Behavior::default();
//! b.set("start-time", "5s").unwrap();
//! b.set("hang", "stop").unwrap();
//! assert_eq!(b.start_time, Duration::from_secs(5));
//! assert_eq!(b.hang, Hang::Stop);
//! assert!(b.set("hang", "sometimes").is_err());
//! ```

use serde::{Deserialize, Serialize};
use std::time::Duration;

use crate::error::Win32Error;
use crate::service::ServiceControlAccept;

mod run;

pub(crate) use run::{program, service};

/// Where the scripted program and service find their behaviour: the engine, which keeps the
/// behaviours set on the machine (`scm::Core` implements it).
pub(crate) trait BehaviorSource: Send + Sync {
    /// The scripted behaviour of a service (the default when none was set).
    fn behavior_for(&self, name: &str) -> Behavior;
    /// The behaviour of the service a process was launched for.
    fn behavior_for_pid(&self, pid: u32) -> Behavior;
}

/// Where a scripted service stops making progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Hang {
    /// Never hangs.
    None,
    /// The process never connects its dispatcher.
    Connect,
    /// Stops reporting progress while starting.
    Start,
    /// Stops reporting progress while stopping.
    Stop,
    /// Its control handler never returns.
    Handler,
}

/// When a scripted service's process crashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Crash {
    /// Never.
    Never,
    /// While starting.
    Start,
    /// While stopping.
    Stop,
    /// This long after it reported RUNNING.
    After(Duration),
}

/// How a scripted service answers TRIGGEREVENT while it is stopping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TriggerWhileStopping {
    /// Keeps accepting TRIGGEREVENT in STOP_PENDING and answers ERROR_SHUTDOWN_IN_PROGRESS.
    ShutdownInProgress,
    /// Answers NO_ERROR and drops the event.
    Ignore,
}

/// The behaviour of one scripted service (`sim behavior NAME key=value…`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Behavior {
    /// Time spent in START_PENDING.
    pub start_time: Duration,
    /// Time spent in STOP_PENDING.
    pub stop_time: Duration,
    /// Time spent in PAUSE_PENDING and CONTINUE_PENDING.
    pub pause_time: Duration,
    /// A new checkpoint this often while pending.
    pub checkpoint_every: Duration,
    /// The wait hint reported while pending.
    pub wait_hint: Duration,
    /// Controls accepted while RUNNING.
    pub accept: ServiceControlAccept,
    /// Where it hangs.
    pub hang: Hang,
    /// Its process exits before connecting its dispatcher.
    pub exit_before_connect: bool,
    /// When it crashes.
    pub crash: Crash,
    /// dwWin32ExitCode reported with STOPPED.
    pub exit_code: u32,
    /// dwServiceSpecificExitCode reported with STOPPED (with exit code 1066).
    pub specific_exit_code: u32,
    /// Reports STOPPED while a worker thread runs on for this long.
    pub stop_leaves_worker: Option<Duration>,
    /// Answer to TRIGGEREVENT while stopping.
    pub trigger_while_stopping: TriggerWhileStopping,
}

impl Default for Behavior {
    fn default() -> Self {
        Behavior {
            start_time: Duration::ZERO,
            stop_time: Duration::ZERO,
            pause_time: Duration::ZERO,
            checkpoint_every: Duration::from_secs(1),
            wait_hint: Duration::from_secs(2),
            accept: ServiceControlAccept::STOP | ServiceControlAccept::SHUTDOWN,
            hang: Hang::None,
            exit_before_connect: false,
            crash: Crash::Never,
            exit_code: 0,
            specific_exit_code: 0,
            stop_leaves_worker: None,
            trigger_while_stopping: TriggerWhileStopping::ShutdownInProgress,
        }
    }
}

/// Parses `500ms`, `30s`, `2m`, `1h`, or a plain number of milliseconds.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let t = text.trim();
    let (num, unit) = match t.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => (&t[..i], &t[i..]),
        None => (t, "ms"),
    };
    let n: f64 = num.parse().ok()?;
    if !n.is_finite() || n < 0.0 {
        return None;
    }
    let ms = match unit.to_ascii_lowercase().as_str() {
        "ms" => n,
        "s" => n * 1000.0,
        "m" | "min" => n * 60_000.0,
        "h" => n * 3_600_000.0,
        _ => return None,
    };
    if ms > 1e15 {
        return None;
    }
    Some(Duration::from_micros((ms * 1000.0).round() as u64))
}

fn parse_accept(text: &str) -> Option<ServiceControlAccept> {
    let mut out = ServiceControlAccept::empty();
    for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        out |= match word.to_ascii_lowercase().as_str() {
            "stop" => ServiceControlAccept::STOP,
            "pause_continue" | "pause" => ServiceControlAccept::PAUSE_CONTINUE,
            "shutdown" => ServiceControlAccept::SHUTDOWN,
            "preshutdown" => ServiceControlAccept::PRESHUTDOWN,
            "paramchange" => ServiceControlAccept::PARAMCHANGE,
            "netbindchange" => ServiceControlAccept::NETBINDCHANGE,
            "hardwareprofilechange" => ServiceControlAccept::HARDWAREPROFILECHANGE,
            "powerevent" => ServiceControlAccept::POWEREVENT,
            "sessionchange" => ServiceControlAccept::SESSIONCHANGE,
            "timechange" => ServiceControlAccept::TIMECHANGE,
            "triggerevent" => ServiceControlAccept::TRIGGEREVENT,
            "none" => ServiceControlAccept::empty(),
            _ => return None,
        };
    }
    Some(out)
}

fn parse_u32(text: &str) -> Option<u32> {
    let t = text.trim();
    match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => t.parse().ok(),
    }
}

impl Behavior {
    /// Sets one `key=value` of `sim behavior`; ERROR_INVALID_PARAMETER (87) for an unknown
    /// key or a malformed value (nothing changes then).
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), Win32Error> {
        let bad = || Win32Error::INVALID_PARAMETER;
        let dur = |v: &str| parse_duration(v).ok_or_else(bad);
        match key.to_ascii_lowercase().as_str() {
            "start-time" => self.start_time = dur(value)?,
            "stop-time" => self.stop_time = dur(value)?,
            "pause-time" => self.pause_time = dur(value)?,
            "checkpoint-every" => {
                let d = dur(value)?;
                if d.is_zero() {
                    return Err(bad());
                }
                self.checkpoint_every = d;
            }
            "wait-hint" => self.wait_hint = dur(value)?,
            "accept" => self.accept = parse_accept(value).ok_or_else(bad)?,
            "hang" => {
                self.hang = match value.to_ascii_lowercase().as_str() {
                    "none" => Hang::None,
                    "connect" => Hang::Connect,
                    "start" => Hang::Start,
                    "stop" => Hang::Stop,
                    "handler" => Hang::Handler,
                    _ => return Err(bad()),
                }
            }
            "exit" => {
                self.exit_before_connect = match value.to_ascii_lowercase().as_str() {
                    "before-connect" => true,
                    "normal" | "none" => false,
                    _ => return Err(bad()),
                }
            }
            "crash" => {
                let v = value.to_ascii_lowercase();
                self.crash = match v.as_str() {
                    "never" => Crash::Never,
                    "start" => Crash::Start,
                    "stop" => Crash::Stop,
                    _ => match v.strip_prefix("after:") {
                        Some(d) => Crash::After(dur(d)?),
                        None => return Err(bad()),
                    },
                }
            }
            "exit-code" => self.exit_code = parse_u32(value).ok_or_else(bad)?,
            "specific-exit-code" => self.specific_exit_code = parse_u32(value).ok_or_else(bad)?,
            "stop-leaves-worker" => {
                let d = dur(value)?;
                self.stop_leaves_worker = if d.is_zero() { None } else { Some(d) };
            }
            "trigger-while-stopping" => {
                self.trigger_while_stopping = match value.to_ascii_lowercase().as_str() {
                    "shutdown-in-progress" => TriggerWhileStopping::ShutdownInProgress,
                    "ignore" => TriggerWhileStopping::Ignore,
                    _ => return Err(bad()),
                }
            }
            _ => return Err(bad()),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("500ms", Some(Duration::from_millis(500)))]
    #[case("30s", Some(Duration::from_secs(30)))]
    #[case("2m", Some(Duration::from_secs(120)))]
    #[case("1.5s", Some(Duration::from_millis(1500)))]
    #[case("250", Some(Duration::from_millis(250)))]
    #[case("5x", None)]
    #[case("", None)]
    #[case("-1s", None)]
    fn durations(#[case] text: &str, #[case] expected: Option<Duration>) {
        assert_eq!(parse_duration(text), expected);
    }

    #[test]
    fn behaviours_parse_every_key() {
        let mut b = Behavior::default();
        for (k, v) in [
            ("accept", "stop,pause_continue,triggerevent"),
            ("crash", "after:10s"),
            ("exit", "before-connect"),
            ("exit-code", "1066"),
            ("specific-exit-code", "0x2a"),
            ("stop-leaves-worker", "3s"),
            ("trigger-while-stopping", "ignore"),
        ] {
            b.set(k, v).unwrap();
        }
        assert!(b.accept.contains(ServiceControlAccept::TRIGGEREVENT));
        assert_eq!(b.crash, Crash::After(Duration::from_secs(10)));
        assert_eq!(b.specific_exit_code, 42);
        assert_eq!(
            b.set("accept", "fly").unwrap_err(),
            Win32Error::INVALID_PARAMETER
        );
    }
}
