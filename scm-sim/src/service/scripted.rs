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

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

use crate::error::Win32Error;
use crate::process::ProcessContext;
use crate::service::{
    AsyncControlHandler, ControlRequest, Program, Service, ServiceContext, ServiceControl,
    ServiceControlAccept, ServiceControlHandlerResult, ServiceExitCode, ServiceState,
    ServiceStatus, ServiceTable, StatusHandle,
};

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

/// The program every unknown image runs.
pub(crate) fn program() -> Arc<dyn Program> {
    Arc::new(ScriptedProgram)
}

struct ScriptedProgram;

#[async_trait]
impl Program for ScriptedProgram {
    async fn main(&self, process: ProcessContext) -> u32 {
        let behavior = process.core.behavior_for_pid(process.pid);
        if behavior.exit_before_connect {
            return 1;
        }
        if behavior.hang == Hang::Connect {
            std::future::pending::<()>().await;
        }
        let table = ServiceTable::new().with("*", ScriptedService);
        match process.run_dispatcher(table).await {
            Ok(()) => 0,
            Err(e) => e.code(),
        }
    }
}

struct ScriptedService;

/// The scripted service as an entry point (svchost DLLs without Rust code run it).
pub(crate) fn service() -> Arc<dyn Service> {
    Arc::new(ScriptedService)
}

struct ScriptedHandler {
    tx: mpsc::UnboundedSender<ServiceControl>,
    behavior: Behavior,
    stopping: Arc<AtomicBool>,
}

#[async_trait]
impl AsyncControlHandler for ScriptedHandler {
    async fn handle(&self, request: ControlRequest) -> ServiceControlHandlerResult {
        if self.behavior.hang == Hang::Handler {
            std::future::pending::<()>().await;
        }
        match request.control {
            ServiceControl::Interrogate => {
                let _ = self.tx.send(ServiceControl::Interrogate);
                ServiceControlHandlerResult::NoError
            }
            ServiceControl::TriggerEvent if self.stopping.load(Ordering::SeqCst) => {
                match self.behavior.trigger_while_stopping {
                    TriggerWhileStopping::ShutdownInProgress => {
                        ServiceControlHandlerResult::Other(Win32Error::SHUTDOWN_IN_PROGRESS.code())
                    }
                    TriggerWhileStopping::Ignore => ServiceControlHandlerResult::NoError,
                }
            }
            c => {
                if matches!(
                    c,
                    ServiceControl::Stop | ServiceControl::Shutdown | ServiceControl::Preshutdown
                ) {
                    self.stopping.store(true, Ordering::SeqCst);
                }
                let _ = self.tx.send(c);
                ServiceControlHandlerResult::NoError
            }
        }
    }
}

/// Reports `state` with a rising checkpoint every `every` until `total` has passed.
async fn pending(
    status: &StatusHandle,
    state: ServiceState,
    b: &Behavior,
    total: Duration,
    accept: ServiceControlAccept,
) {
    let mut checkpoint = 1;
    let _ =
        status.set_status(ServiceStatus::pending(state, checkpoint, b.wait_hint).accepting(accept));
    let mut left = total;
    while !left.is_zero() {
        let step = left.min(b.checkpoint_every);
        tokio::time::sleep(step).await;
        left -= step;
        if !left.is_zero() {
            checkpoint += 1;
            let _ = status.set_status(
                ServiceStatus::pending(state, checkpoint, b.wait_hint).accepting(accept),
            );
        }
    }
}

#[async_trait]
impl Service for ScriptedService {
    async fn run(&self, ctx: ServiceContext, args: Vec<String>) {
        let behavior = ctx.core.behavior_for(ctx.name());
        let (tx, controls) = mpsc::unbounded_channel();
        let stopping: Arc<AtomicBool> = Default::default();
        let handler = ScriptedHandler {
            tx,
            behavior: behavior.clone(),
            stopping: stopping.clone(),
        };
        let Ok(status) = ctx.register_async_handler(handler) else {
            return;
        };
        let run = ScriptedRun {
            ctx: &ctx,
            status: &status,
            b: &behavior,
        };
        if !run.start().await {
            return;
        }
        let idle = run.idle_timeout(&args);
        run.serve(controls, idle, &stopping).await;
    }
}

/// One run of a scripted service: what its steps share.
struct ScriptedRun<'a> {
    ctx: &'a ServiceContext,
    status: &'a StatusHandle,
    b: &'a Behavior,
}

impl ScriptedRun<'_> {
    /// START_PENDING, then RUNNING (or the scripted crash or hang on the way). False when the
    /// process crashed while starting.
    async fn start(&self) -> bool {
        let (ctx, status, b) = (self.ctx, self.status, self.b);
        if b.crash == Crash::Start {
            ctx.core
                .crash_process(ctx.process_id(), "scripted crash while starting");
            return false;
        }
        if b.hang == Hang::Start {
            let _ = status.set_status(ServiceStatus::pending(
                ServiceState::StartPending,
                1,
                b.wait_hint,
            ));
            std::future::pending::<()>().await;
        }
        pending(
            status,
            ServiceState::StartPending,
            b,
            b.start_time,
            ServiceControlAccept::empty(),
        )
        .await;
        let _ = status.set_status(ServiceStatus::running(b.accept));
        if let Crash::After(d) = b.crash {
            self.crash_after(d);
        }
        true
    }

    /// Crashes the process `delay` from now.
    fn crash_after(&self, delay: Duration) {
        let core = self.ctx.core.clone();
        let pid = self.ctx.process_id();
        let t = self.ctx.core.spawn(async move {
            tokio::time::sleep(delay).await;
            core.crash_process(pid, "scripted crash");
        });
        self.ctx.core.attach_task(pid, t.abort_handle());
    }

    /// A trigger-started service with Parameters\ServiceIdleTimeout (seconds) stops itself
    /// after that long without a trigger event.
    fn idle_timeout(&self, args: &[String]) -> Option<Duration> {
        let trigger_started = args.get(1).is_some_and(|a| a == "TriggerStarted");
        if !trigger_started {
            return None;
        }
        let ctx = self.ctx;
        ctx.core.lock().fresh_parameters(ctx.name()).and_then(|p| {
            p.service_idle_timeout
                .map(|t| Duration::from_secs(u64::from(t.value)))
        })
    }

    /// Answers controls while running or paused, until a stop ends the run.
    async fn serve(
        &self,
        mut controls: mpsc::UnboundedReceiver<ServiceControl>,
        idle: Option<Duration>,
        stopping: &AtomicBool,
    ) {
        let (status, b) = (self.status, self.b);
        let mut current = ServiceStatus::running(b.accept);
        while let Some(control) = self.next_control(&mut controls, idle).await {
            match control {
                ServiceControl::Stop | ServiceControl::Shutdown | ServiceControl::Preshutdown => {
                    stopping.store(true, Ordering::SeqCst);
                    self.stop().await;
                    return;
                }
                // A redundant PAUSE or CONTINUE only re-reports the current state.
                ServiceControl::Pause if current.current_state == ServiceState::Paused => {
                    let _ = status.set_status(current);
                }
                ServiceControl::Continue if current.current_state == ServiceState::Running => {
                    let _ = status.set_status(current);
                }
                ServiceControl::Pause => {
                    let paused = ServiceStatus::new(ServiceState::Paused).accepting(b.accept);
                    current = self.change(ServiceState::PausePending, paused).await;
                }
                ServiceControl::Continue => {
                    let running = ServiceStatus::running(b.accept);
                    current = self.change(ServiceState::ContinuePending, running).await;
                }
                ServiceControl::Interrogate => {
                    let _ = status.set_status(current);
                }
                _ => {}
            }
        }
    }

    /// The next control, or a STOP of its own once `idle` passes without one.
    async fn next_control(
        &self,
        controls: &mut mpsc::UnboundedReceiver<ServiceControl>,
        idle: Option<Duration>,
    ) -> Option<ServiceControl> {
        let ctx = self.ctx;
        match idle {
            Some(d) => tokio::select! {
                biased;
                c = controls.recv() => c,
                _ = tokio::time::sleep(d) => {
                    ctx.core.trace_note(&format!("{} stops itself after {} s idle", ctx.name(), d.as_secs()));
                    Some(ServiceControl::Stop)
                }
            },
            None => controls.recv().await,
        }
    }

    /// Reports `pending_state` for the pause time, then `done`, which it returns.
    async fn change(&self, pending_state: ServiceState, done: ServiceStatus) -> ServiceStatus {
        let b = self.b;
        pending(self.status, pending_state, b, b.pause_time, b.accept).await;
        let _ = self.status.set_status(done);
        done
    }

    /// STOP_PENDING, then STOPPED with the scripted exit code (or the scripted crash or hang
    /// on the way).
    async fn stop(&self) {
        let (ctx, status, b) = (self.ctx, self.status, self.b);
        // Either way it keeps accepting TRIGGEREVENT while stopping; it answers
        // 1115 (shutdown-in-progress) or NO_ERROR (ignore, dropping the event).
        let accept_while_stopping = if b.accept.contains(ServiceControlAccept::TRIGGEREVENT) {
            ServiceControlAccept::TRIGGEREVENT
        } else {
            ServiceControlAccept::empty()
        };
        if b.crash == Crash::Stop {
            let _ = status.set_status(ServiceStatus::pending(
                ServiceState::StopPending,
                1,
                b.wait_hint,
            ));
            ctx.core
                .crash_process(ctx.process_id(), "scripted crash while stopping");
            return;
        }
        if b.hang == Hang::Stop {
            let _ = status.set_status(ServiceStatus::pending(
                ServiceState::StopPending,
                1,
                b.wait_hint,
            ));
            std::future::pending::<()>().await;
        }
        pending(
            status,
            ServiceState::StopPending,
            b,
            b.stop_time,
            accept_while_stopping,
        )
        .await;
        if let Some(d) = b.stop_leaves_worker {
            ctx.spawn_task("flush worker", async move {
                tokio::time::sleep(d).await;
            });
        }
        let _ = status.set_status(ServiceStatus::stopped(self.exit_code()));
    }

    /// The exit code STOPPED reports.
    fn exit_code(&self) -> ServiceExitCode {
        let b = self.b;
        if b.exit_code == Win32Error::SERVICE_SPECIFIC_ERROR.code() {
            ServiceExitCode::ServiceSpecific(b.specific_exit_code)
        } else {
            ServiceExitCode::Win32(b.exit_code)
        }
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
