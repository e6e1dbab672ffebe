//! The reporter: a service that registers its handler, then plays a script of raw
//! SetServiceStatus calls, sleeps, awaits controls and spawns work.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use scm_sim::service::{
    service_fn, AsyncControlHandler, ControlRequest, RawServiceStatus, Service, ServiceContext,
    ServiceControl, ServiceControlHandlerResult, ServiceState,
};

use crate::ms;
use crate::raw::{pending, running, stopped};

/// One step of a reporter's script.
#[derive(Debug, Clone)]
pub enum Step {
    /// SetServiceStatus with these seven DWORDs (the result is ignored).
    Report(RawServiceStatus),
    /// Sleeps on virtual time.
    Sleep(Duration),
    /// Waits until the handler received this control.
    Await(ServiceControl),
    /// Creates `HKCU\Software\<service>` through the service's registry view.
    TouchHkcu,
    /// Spawns a tracked task with this name that sleeps this long.
    SpawnTask(&'static str, Duration),
    /// Spawns a task with `tokio::spawn`, around the context (untracked), that sleeps this long.
    SpawnUntracked(Duration),
    /// Never goes on.
    Forever,
}

/// How a reporter's handler answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// NO_ERROR to everything (INTERROGATE included).
    Politely,
    /// Never returns for this control.
    HangOn(ServiceControl),
    /// ERROR_CALL_NOT_IMPLEMENTED for INTERROGATE.
    RefuseInterrogate,
}

struct ReporterHandler {
    tx: tokio::sync::mpsc::UnboundedSender<ServiceControl>,
    answer: Answer,
}

#[async_trait]
impl AsyncControlHandler for ReporterHandler {
    async fn handle(&self, request: ControlRequest) -> ServiceControlHandlerResult {
        let c = request.control;
        match self.answer {
            Answer::HangOn(h) if h == c => std::future::pending::<()>().await,
            Answer::RefuseInterrogate if c == ServiceControl::Interrogate => {
                return ServiceControlHandlerResult::NotImplemented
            }
            _ => {}
        }
        let _ = self.tx.send(c);
        ServiceControlHandlerResult::NoError
    }
}

/// A service that registers its handler, then plays `steps`.
pub fn reporter(steps: Vec<Step>, answer: Answer) -> impl Service {
    let steps = Arc::new(steps);
    service_fn(move |ctx: ServiceContext, _args| {
        let steps = steps.clone();
        async move {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let status = ctx
                .register_async_handler(ReporterHandler { tx, answer })
                .expect("register");
            for step in steps.iter() {
                match step {
                    Step::Report(r) => {
                        let _ = status.set_status_raw(*r);
                    }
                    Step::Sleep(d) => tokio::time::sleep(*d).await,
                    Step::Await(c) => loop {
                        match rx.recv().await {
                            Some(got) if got == *c => break,
                            Some(_) => continue,
                            None => return,
                        }
                    },
                    Step::TouchHkcu => {
                        let path = format!(r"HKCU\Software\{}", ctx.name());
                        let _ = ctx.with_registry(|reg, caller| reg.create_key(caller, &path));
                    }
                    Step::SpawnTask(name, d) => {
                        let d = *d;
                        ctx.spawn_task(name, async move { tokio::time::sleep(d).await });
                    }
                    Step::SpawnUntracked(d) => {
                        let d = *d;
                        tokio::spawn(async move { tokio::time::sleep(d).await });
                    }
                    Step::Forever => std::future::pending::<()>().await,
                }
            }
        }
    })
}

/// The script of a well-behaved service: START_PENDING with two checkpoints, RUNNING, and on
/// STOP two STOP_PENDING checkpoints then STOPPED.
pub fn well_behaved() -> Vec<Step> {
    use ServiceState::*;
    vec![
        Step::Report(pending(StartPending, 1, 1000)),
        Step::Sleep(ms(300)),
        Step::Report(pending(StartPending, 2, 1000)),
        Step::Sleep(ms(300)),
        Step::Report(running()),
        Step::Await(ServiceControl::Stop),
        Step::Report(pending(StopPending, 1, 1000)),
        Step::Sleep(ms(300)),
        Step::Report(pending(StopPending, 2, 1000)),
        Step::Sleep(ms(300)),
        Step::Report(stopped()),
    ]
}
