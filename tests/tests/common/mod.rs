//! Shared pieces of the integration tests: machines, handles, and Rust services whose
//! behaviour a test controls (a "puppet" that reports only what the test tells it to, and a
//! well-behaved service that answers every control synchronously).

#![allow(dead_code)]

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use scm_sim::scm::access::{SC_MANAGER_ALL_ACCESS, SERVICE_ALL_ACCESS};
use scm_sim::scm::{CreateServiceParams, ScHandle};
use scm_sim::service::{
    service_fn, Service, ServiceContext, ServiceControl, ServiceControlAccept,
    ServiceControlHandlerResult, ServiceExitCode, ServiceState, ServiceStatus,
    ServiceStatusProcess, StatusHandle,
};
use scm_sim::{Machine, Win32Error};

/// An empty, booted machine (no services, seed 0, default settings).
pub fn machine() -> Machine {
    Machine::builder().build().expect("the empty image loads")
}

/// An SCM handle with every right, as the machine's default caller (an administrator).
pub fn admin_scm(m: &mut Machine) -> ScHandle {
    m.open_sc_manager(SC_MANAGER_ALL_ACCESS)
        .expect("administrators get SC_MANAGER_ALL_ACCESS")
}

/// Creates an own-process, demand-start service.
pub fn create_own(m: &mut Machine, scm: ScHandle, name: &str, image: &str) -> ScHandle {
    m.create_service(scm, &CreateServiceParams::own_process(name, image))
        .unwrap_or_else(|e| panic!("create {name}: {e:?}"))
}

/// Installs `service` as the only entry of `image`'s dispatch table and creates an
/// own-process service `name` for it.
pub fn install_own(m: &mut Machine, name: &str, image: &str, service: impl Service) -> ScHandle {
    m.install(image, scm_sim::service::ServiceTable::single(name, service));
    let scm = admin_scm(m);
    create_own(m, scm, name, image)
}

/// The status of a service handle.
pub fn status(m: &mut Machine, h: ScHandle) -> ServiceStatusProcess {
    m.query_service_status(h).expect("query status")
}

/// The state of a service handle.
pub fn state(m: &mut Machine, h: ScHandle) -> ServiceState {
    status(m, h).current_state
}

/// The code of a result (0 for success).
pub fn code<T>(r: &Result<T, Win32Error>) -> u32 {
    match r {
        Ok(_) => 0,
        Err(e) => e.code(),
    }
}

/// Ids of the Service Control Manager events the log holds for service `name`, in order.
pub fn event_ids(m: &Machine, name: &str) -> Vec<u32> {
    m.events()
        .iter()
        .filter(|e| e.source == scm_sim::events::EventSource::ServiceControlManager)
        .filter(|e| {
            e.service
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(name))
        })
        .map(|e| e.id)
        .collect()
}

/// Event ids for service `name` other than 7045 ("a service was installed", logged by
/// CreateService), in order.
pub fn event_ids_after_install(m: &Machine, name: &str) -> Vec<u32> {
    event_ids(m, name)
        .into_iter()
        .filter(|&id| id != 7045)
        .collect()
}

/// SetServiceStatus from inside the machine's runtime, then lets the machine settle.
pub fn report(m: &mut Machine, h: &StatusHandle, s: ServiceStatus) -> Result<(), Win32Error> {
    let r = m.block_on(async { h.set_status(s) });
    m.settle();
    r
}

/// SetServiceStatus with raw DWORDs, from inside the machine's runtime.
pub fn report_raw(
    m: &mut Machine,
    h: &StatusHandle,
    raw: scm_sim::service::RawServiceStatus,
) -> Result<(), Win32Error> {
    let r = m.block_on(async { h.set_status_raw(raw) });
    m.settle();
    r
}

/// What a puppet saw and the handle it reports through.
#[derive(Default)]
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
#[derive(Clone, Default)]
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

/// Opens a service with every right.
pub fn open_all(m: &mut Machine, name: &str) -> ScHandle {
    let scm = admin_scm(m);
    m.open_service(scm, name, SERVICE_ALL_ACCESS)
        .unwrap_or_else(|e| panic!("open {name}: {e:?}"))
}
