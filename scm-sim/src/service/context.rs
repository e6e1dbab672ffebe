//! What service code sees while it runs: its [`ServiceContext`] (RegisterServiceCtrlHandlerEx,
//! its name and process), the [`StatusHandle`] it reports through (SetServiceStatus), and the
//! shape of a control request (HandlerEx's control, event type and event data).
//!
//! ```
//! use scm_sim::service::{ControlRequest, ServiceControl, ServiceControlHandlerResult};
//!
//! let req = ControlRequest::new(ServiceControl::Interrogate);
//! assert_eq!(req.event_type, 0);
//! let answer = match req.control {
//!     ServiceControl::Interrogate => ServiceControlHandlerResult::NoError,
//!     _ => ServiceControlHandlerResult::NotImplemented,
//! };
//! assert_eq!(answer.code(), 0);
//! ```

use async_trait::async_trait;
use std::fmt;
use std::sync::{Arc, Mutex};

use crate::error::Win32Error;
use crate::events::{NoteText, SharedName};
use crate::process::{AsyncControlHandler, HandlerTable, Host};
use crate::service::{
    ControlRequest, RawServiceStatus, ServiceControlHandlerResult, ServiceStatus, ServiceType,
};
use crate::sim::thread::{hand_back_clock, start_sleeper, Guard, ThreadHost};
use crate::sim::ThreadContext;

struct SyncHandler<F>(Mutex<F>);

#[async_trait]
impl<F> AsyncControlHandler for SyncHandler<F>
where
    F: FnMut(ControlRequest) -> ServiceControlHandlerResult + Send + 'static,
{
    async fn handle(&self, request: ControlRequest) -> ServiceControlHandlerResult {
        let mut f = match self.0.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        (f)(request)
    }
}

/// The context a ServiceMain runs in.
#[derive(Clone)]
pub struct ServiceContext {
    pub(crate) host: Arc<dyn Host>,
    pub(crate) name: SharedName,
    pub(crate) pid: u32,
    pub(crate) instance: u64,
    pub(crate) handlers: HandlerTable,
}

impl fmt::Debug for ServiceContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceContext")
            .field("name", &self.name)
            .field("pid", &self.pid)
            .field("instance", &self.instance)
            .finish()
    }
}

impl ServiceContext {
    /// The service's key name, as the SCM started it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The pid of the process the service runs in.
    pub fn process_id(&self) -> u32 {
        self.pid
    }

    /// RegisterServiceCtrlHandlerEx with a plain (synchronous) handler, as the windows-service
    /// crate takes it. Returns the status handle.
    pub fn register_handler<F>(&self, handler: F) -> Result<StatusHandle, Win32Error>
    where
        F: FnMut(ControlRequest) -> ServiceControlHandlerResult + Send + 'static,
    {
        self.register_async_handler(SyncHandler(Mutex::new(handler)))
    }

    /// RegisterServiceCtrlHandlerEx with a handler that may take time.
    pub fn register_async_handler(
        &self,
        handler: impl AsyncControlHandler,
    ) -> Result<StatusHandle, Win32Error> {
        let mut table = match self.handlers.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        table.insert(
            crate::service::ServiceName::fold(&self.name).into_owned(),
            Arc::new(handler),
        );
        drop(table);
        self.host.note(NoteText::HandlerRegistered {
            service: self.name.clone(),
        });
        Ok(self.status_handle())
    }

    /// Spawns a tracked task of this service (a unit of work the harness watches: it is
    /// named, remembers where it was spawned, and dies with the process). A panic in the task
    /// ends the service's process, as an unhandled exception in any thread does on Windows
    /// (its services stop with exit code 1067, ERROR_PROCESS_ABORTED).
    #[track_caller]
    pub fn spawn_task<F>(&self, name: &str, work: F) -> tokio::task::JoinHandle<()>
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let site = std::panic::Location::caller();
        let id = self.host.work_started(
            &self.name,
            self.pid,
            self.instance,
            name,
            site,
            crate::sim::WorkKind::Task,
        );
        let finished = FinishedOnDrop {
            host: self.host.clone(),
            id,
        };
        let host = self.host.clone();
        let (pid, service, task_name) = (self.pid, self.name.clone(), name.to_string());
        let task = self.host.spawn_boxed(Box::pin(async move {
            // Marks the unit ended when the task ends, however it ends (returns, is aborted,
            // or dies with its process).
            let _finished = finished;
            let went_on = host.clone();
            let run =
                crate::sim::work::run_as_task(id, work, move || went_on.went_on_after_stopped(id));
            if let Err(panic) = crate::process::CatchUnwind::new(run).await {
                // On Windows an unhandled exception in any thread ends the process: a task's
                // panic is treated as a tracked thread's is (1067 for its services, 7034).
                let what = format!(
                    "task \"{task_name}\" of {service} panicked: {}",
                    crate::process::panic_message(&panic)
                );
                host.work_finished(id);
                host.crash_process(pid, &what);
            }
        }));
        self.host.attach_task(self.pid, task.abort_handle());
        task
    }

    /// Spawns a tracked OS thread of this service. While it works the virtual clock waits for
    /// it; it sleeps on virtual time with [`ThreadContext::sleep`]. If its process is
    /// terminated the thread is reported as killed and its sleeps return `Err(Killed)`.
    #[track_caller]
    pub fn spawn_thread<F>(&self, name: &str, work: F) -> std::io::Result<crate::sim::TrackedThread>
    where
        F: FnOnce(ThreadContext) + Send + 'static,
    {
        let site = std::panic::Location::caller();
        let id = self.host.work_started(
            &self.name,
            self.pid,
            self.instance,
            name,
            site,
            crate::sim::WorkKind::Thread,
        );
        let guard = Arc::new(Guard::new(self.host.clock_holders()));
        guard.arm(self.host.runtime());
        let thread_host: Arc<dyn ThreadHost> = self.host.clone();
        let sleeper = start_sleeper(&thread_host, self.pid, guard.clone());
        let tctx = ThreadContext {
            host: thread_host,
            id,
            guard: guard.clone(),
            sleeper,
            pid: self.pid,
            park: Arc::default(),
        };
        let host = self.host.clone();
        let pid = self.pid;
        let service = self.name.clone();
        let (done_tx, done_rx) = tokio::sync::oneshot::channel();
        let spawned = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    crate::sim::work::run_as_thread(id, || work(tctx))
                }));
                // Everything the end of the thread does to the machine happens while it still
                // holds the clock: the tracker sees it end, a panic kills its process, the
                // joiner is woken, a STOPPED report it made becomes its last act (its process
                // may exit), and only then is the clock handed back.
                host.work_finished(id);
                if let Err(panic) = outcome {
                    let what = format!(
                        "thread of {service} panicked: {}",
                        crate::process::panic_message(&panic)
                    );
                    host.clone().crash_process(pid, &what);
                }
                hand_back_clock(done_tx, &guard, || host.reporter_returned(id));
            });
        match spawned {
            Ok(handle) => Ok(crate::sim::TrackedThread::new(handle, done_rx)),
            Err(e) => {
                self.host.work_finished(id);
                Err(e)
            }
        }
    }

    /// Runs `f` on the machine's registry as this service's account (HKEY_CURRENT_USER is
    /// that account's hive). Touching HKEY_CURRENT_USER is recorded as an `hkcu-access`
    /// violation.
    pub fn with_registry<R>(
        &self,
        f: impl FnOnce(&mut fake_registry::Registry, &fake_registry::Caller) -> R,
    ) -> R {
        let mut f = Some(f);
        let mut out = None;
        self.host
            .clone()
            .with_service_registry(&self.name, &mut |registry, caller| {
                if let Some(f) = f.take() {
                    out = Some(f(registry, caller));
                }
            });
        out.expect("the host runs the registry closure once")
    }

    /// The service-visible random stream: seeded from the machine's seed and the service's
    /// name, so service code that needs randomness replays with the run.
    pub fn random_u64(&self) -> u64 {
        self.host.service_random_u64(&self.name)
    }

    /// The status handle without (re)registering a handler.
    pub fn status_handle(&self) -> StatusHandle {
        StatusHandle {
            host: self.host.clone(),
            service: self.name.clone(),
            instance: self.instance,
        }
    }
}

/// Marks a tracked task ended when dropped.
struct FinishedOnDrop {
    host: Arc<dyn Host>,
    id: u64,
}

impl Drop for FinishedOnDrop {
    fn drop(&mut self) {
        self.host.work_finished(self.id);
        self.host.reporter_returned(self.id);
    }
}

/// SERVICE_STATUS_HANDLE: report status to the SCM.
#[derive(Clone)]
pub struct StatusHandle {
    host: Arc<dyn Host>,
    service: SharedName,
    instance: u64,
}

impl fmt::Debug for StatusHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatusHandle")
            .field("service", &self.service)
            .field("instance", &self.instance)
            .finish()
    }
}

impl StatusHandle {
    /// SetServiceStatus with a typed status. The service type passed is the configured one
    /// (the SCM ignores it anyway).
    pub fn set_status(&self, status: ServiceStatus) -> Result<(), Win32Error> {
        self.set_status_raw(status.to_raw(ServiceType::OWN_PROCESS))
    }

    /// SetServiceStatus with the seven raw DWORDs, valid or not: ERROR_INVALID_DATA (13) for
    /// a bad state, type or accept mask; ERROR_INVALID_HANDLE (6) after the service stopped.
    pub fn set_status_raw(&self, status: RawServiceStatus) -> Result<(), Win32Error> {
        self.host
            .clone()
            .set_service_status(&self.service, self.instance, status)
    }

    /// The service this handle reports for.
    pub fn service_name(&self) -> &str {
        &self.service
    }
}
