//! Services for the behaviour tables: a puppet that reports only what the test tells it to,
//! and a well-behaved service that answers every control synchronously.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use scm_sim::service::{
    service_fn, Service, ServiceContext, ServiceControl, ServiceControlAccept,
    ServiceControlHandlerResult, ServiceExitCode, ServiceState, ServiceStatus, StatusHandle,
};

/// What a puppet saw and the handle it reports through.
#[derive(Debug, Default)]
pub struct ProbeState {
    /// The status handle of the last start.
    pub status: Option<StatusHandle>,
    /// Control codes the handler received, in order.
    pub controls: Vec<u32>,
    /// argv of every ServiceMain call.
    pub args: Vec<Vec<String>>,
    /// What the handler returns.
    pub handler_result: u32,
}

/// A window into a puppet service, shared between the test and the service code.
#[derive(Debug, Clone, Default)]
pub struct Probe(Arc<Mutex<ProbeState>>);

impl Probe {
    /// Locks the shared state.
    pub fn lock(&self) -> MutexGuard<'_, ProbeState> {
        match self.0.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// The status handle of the last start.
    pub fn status(&self) -> StatusHandle {
        self.lock().status.clone().expect("the puppet has started")
    }

    /// Control codes the handler received.
    pub fn controls(&self) -> Vec<u32> {
        self.lock().controls.clone()
    }

    /// argv of every ServiceMain call.
    pub fn args(&self) -> Vec<Vec<String>> {
        self.lock().args.clone()
    }

    /// Sets what the handler returns.
    pub fn set_handler_result(&self, code: u32) {
        self.lock().handler_result = code;
    }
}

/// A service that registers a handler which only records the controls it gets (and returns
/// the probe's `handler_result`), reports `first` if given, and then waits forever: the test
/// reports every later status itself through [`Probe::status`].
pub fn puppet(probe: &Probe, first: Option<ServiceStatus>) -> impl Service {
    let probe = probe.clone();
    service_fn(move |ctx: ServiceContext, args: Vec<String>| {
        let probe = probe.clone();
        async move {
            probe.lock().args.push(args);
            let seen = probe.clone();
            let status = ctx
                .register_handler(move |req| {
                    let mut s = seen.lock();
                    s.controls.push(req.control.code());
                    ServiceControlHandlerResult::Other(s.handler_result)
                })
                .expect("register the handler");
            probe.lock().status = Some(status.clone());
            if let Some(s) = first {
                status.set_status(s).expect("first report");
            }
            std::future::pending::<()>().await;
        }
    })
}

/// A service that reports RUNNING accepting `accept` and answers every control in its
/// handler, synchronously: STOP → STOPPED (exit 0), PAUSE → PAUSED, CONTINUE → RUNNING,
/// INTERROGATE and user codes → NO_ERROR. Its ServiceMain returns after the first report.
pub fn well_behaved(accept: ServiceControlAccept) -> impl Service {
    service_fn(move |ctx: ServiceContext, _args: Vec<String>| async move {
        let sh = ctx.status_handle();
        let h = sh.clone();
        ctx.register_handler(move |req| match req.control {
            ServiceControl::Stop => {
                let _ = h.set_status(ServiceStatus::stopped(ServiceExitCode::NO_ERROR));
                ServiceControlHandlerResult::NoError
            }
            ServiceControl::Pause => {
                let _ = h.set_status(ServiceStatus::new(ServiceState::Paused).accepting(accept));
                ServiceControlHandlerResult::NoError
            }
            ServiceControl::Continue => {
                let _ = h.set_status(ServiceStatus::running(accept));
                ServiceControlHandlerResult::NoError
            }
            ServiceControl::Interrogate | ServiceControl::UserDefined(_) => {
                ServiceControlHandlerResult::NoError
            }
            _ => ServiceControlHandlerResult::NotImplemented,
        })
        .expect("register the handler");
        sh.set_status(ServiceStatus::running(accept))
            .expect("report RUNNING");
    })
}

/// STOP | PAUSE_CONTINUE.
pub fn stop_pause() -> ServiceControlAccept {
    ServiceControlAccept::STOP | ServiceControlAccept::PAUSE_CONTINUE
}

/// A pending status with checkpoint 1 and a 10 s wait hint.
pub fn pending(state: ServiceState, accept: ServiceControlAccept) -> ServiceStatus {
    ServiceStatus::pending(state, 1, Duration::from_secs(10)).accepting(accept)
}
