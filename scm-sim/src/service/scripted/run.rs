//! The scripted program and service: how a [`Behavior`] plays out against the SCM — the
//! start (with its pending reports, hangs and crashes), the control loop, the stop.

use async_trait::async_trait;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

use super::{Behavior, BehaviorSource, Crash, Hang, TriggerWhileStopping};
use crate::error::Win32Error;
use crate::process::ProcessContext;
use crate::service::{
    AsyncControlHandler, ControlRequest, Program, Service, ServiceContext, ServiceControl,
    ServiceControlAccept, ServiceControlHandlerResult, ServiceExitCode, ServiceState,
    ServiceStatus, ServiceTable, StatusHandle,
};

/// The program every unknown image runs, with its behaviours from `source`.
pub(crate) fn program(source: Arc<dyn BehaviorSource>) -> Arc<dyn Program> {
    Arc::new(ScriptedProgram { source })
}

struct ScriptedProgram {
    source: Arc<dyn BehaviorSource>,
}

#[async_trait]
impl Program for ScriptedProgram {
    async fn main(&self, process: ProcessContext) -> u32 {
        let behavior = self.source.behavior_for_pid(process.pid());
        if behavior.exit_before_connect {
            return 1;
        }
        if behavior.hang == Hang::Connect {
            std::future::pending::<()>().await;
        }
        let table = ServiceTable::new().with(
            "*",
            ScriptedService {
                source: self.source.clone(),
            },
        );
        match process.run_dispatcher(table).await {
            Ok(()) => 0,
            Err(e) => e.code(),
        }
    }
}

struct ScriptedService {
    source: Arc<dyn BehaviorSource>,
}

/// The scripted service as an entry point (svchost DLLs without Rust code run it), with its
/// behaviour from `source`.
pub(crate) fn service(source: Arc<dyn BehaviorSource>) -> Arc<dyn Service> {
    Arc::new(ScriptedService { source })
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
        let behavior = self.source.behavior_for(ctx.name());
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
            ctx.host
                .clone()
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
        let host = self.ctx.host.clone();
        let pid = self.ctx.process_id();
        let t = self.ctx.host.spawn_boxed(Box::pin(async move {
            tokio::time::sleep(delay).await;
            host.crash_process(pid, "scripted crash");
        }));
        self.ctx.host.attach_task(pid, t.abort_handle());
    }

    /// A trigger-started service with Parameters\ServiceIdleTimeout (seconds) stops itself
    /// after that long without a trigger event.
    fn idle_timeout(&self, args: &[String]) -> Option<Duration> {
        let trigger_started = args.get(1).is_some_and(|a| a == "TriggerStarted");
        if !trigger_started {
            return None;
        }
        let ctx = self.ctx;
        ctx.host.fresh_parameters(ctx.name()).and_then(|p| {
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
                    ctx.host.trace_note(&format!("{} stops itself after {} s idle", ctx.name(), d.as_secs()));
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
            ctx.host
                .clone()
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
