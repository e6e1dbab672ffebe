//! What service code implements: a [`Service`] (its ServiceMain), gathered into a
//! [`ServiceTable`] (the dispatch table a program passes to StartServiceCtrlDispatcher), and a
//! [`Program`] (what runs when the SCM starts the image).
//!
//! ```
//! use scm_sim::service::{service_fn, ServiceTable, ServiceContext, ServiceStatus, ServiceState,
//!     ServiceControl, ServiceControlAccept, ServiceControlHandlerResult, ServiceExitCode};
//!
//! let table = ServiceTable::new().with("Echo", service_fn(|ctx: ServiceContext, _args| async move {
//!     let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
//!     let status = ctx.register_handler(move |req| match req.control {
//!         ServiceControl::Stop => { let _ = tx.send(()); ServiceControlHandlerResult::NoError }
//!         ServiceControl::Interrogate => ServiceControlHandlerResult::NoError,
//!         _ => ServiceControlHandlerResult::NotImplemented,
//!     }).unwrap();
//!     status.set_status(ServiceStatus::running(ServiceControlAccept::STOP)).unwrap();
//!     rx.recv().await;
//!     status.set_status(ServiceStatus::stopped(ServiceExitCode::NO_ERROR)).unwrap();
//! }));
//! assert_eq!(table.len(), 1);
//! ```

use async_trait::async_trait;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use crate::error::Win32Error;
use crate::events::SharedName;
use crate::process::{panic_message, CatchUnwind, ProcessContext, Program, ServiceMains};
use crate::service::context::ServiceContext;

/// A service's ServiceMain. It is called once per start with the start arguments
/// (`args[0]` is the service's key name) and runs until it returns; returning does not stop
/// the service (only reporting STOPPED does), exactly as on Windows.
#[async_trait]
pub trait Service: Send + Sync + 'static {
    /// ServiceMain(argc, argv).
    async fn run(&self, ctx: ServiceContext, args: Vec<String>);
}

/// A service made from an async closure.
pub struct ServiceFn<F>(F);

impl<F> fmt::Debug for ServiceFn<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ServiceFn")
    }
}

/// Wraps `f(ctx, args)` as a [`Service`].
pub fn service_fn<F, Fut>(f: F) -> ServiceFn<F>
where
    F: Fn(ServiceContext, Vec<String>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    ServiceFn(f)
}

#[async_trait]
impl<F, Fut> Service for ServiceFn<F>
where
    F: Fn(ServiceContext, Vec<String>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    async fn run(&self, ctx: ServiceContext, args: Vec<String>) {
        (self.0)(ctx, args).await
    }
}

/// A dispatch table: service names and their ServiceMain. An own-process program with one
/// entry serves whatever name the SCM starts (Windows ignores the name then).
#[derive(Clone, Default)]
pub struct ServiceTable {
    entries: Vec<(String, Arc<dyn Service>)>,
}

impl fmt::Debug for ServiceTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.entries.iter().map(|(n, _)| n))
            .finish()
    }
}

impl ServiceTable {
    /// An empty table.
    pub fn new() -> ServiceTable {
        ServiceTable::default()
    }

    /// A table of one service.
    pub fn single(name: &str, service: impl Service) -> ServiceTable {
        ServiceTable::new().with(name, service)
    }

    /// Adds an entry.
    pub fn with(mut self, name: &str, service: impl Service) -> ServiceTable {
        self.entries.push((name.to_string(), Arc::new(service)));
        self
    }

    /// Adds an entry that shares a service object.
    pub fn with_shared(mut self, name: &str, service: Arc<dyn Service>) -> ServiceTable {
        self.entries.push((name.to_string(), service));
        self
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the table has no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Names, in table order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(n, _)| n.as_str())
    }

    /// The entry for `name` (case-insensitive); with `own_process` and a single entry, that
    /// entry whatever its name. An entry named `*` serves any name (the scripted services use
    /// it).
    pub fn lookup(&self, name: &str, own_process: bool) -> Option<Arc<dyn Service>> {
        if own_process && self.entries.len() == 1 {
            return Some(self.entries[0].1.clone());
        }
        self.entries
            .iter()
            .find(|(n, _)| crate::service::ServiceName::same(n, name))
            .or_else(|| self.entries.iter().find(|(n, _)| n == "*"))
            .map(|(_, s)| s.clone())
    }
}

#[async_trait]
impl Program for ServiceTable {
    async fn main(&self, process: ProcessContext) -> u32 {
        match process.run_dispatcher(self.clone()).await {
            Ok(()) => 0,
            Err(e) => e.code(),
        }
    }
}

impl ProcessContext {
    /// StartServiceCtrlDispatcher: connects to the SCM and serves `table` until the last
    /// service of the process stops. A second call in the same process fails with
    /// ERROR_SERVICE_ALREADY_RUNNING (1056); an empty table with ERROR_INVALID_PARAMETER (87).
    pub async fn run_dispatcher(&self, table: ServiceTable) -> Result<(), Win32Error> {
        self.serve(&table).await
    }
}

impl ServiceMains for ServiceTable {
    fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Creates the service's context and runs its ServiceMain on a task of the process; a
    /// panic in it ends the process (1067 for its services).
    fn start(
        &self,
        process: &ProcessContext,
        service: SharedName,
        args: Vec<String>,
        instance: u64,
    ) -> u32 {
        let Some(entry) = self.lookup(&service, process.own_process) else {
            return Win32Error::SERVICE_NOT_IN_EXE.code();
        };
        let ctx = ServiceContext {
            host: process.host.clone(),
            name: service.clone(),
            pid: process.pid,
            instance,
            handlers: process.handlers.clone(),
        };
        let host = process.host.clone();
        let pid = process.pid;
        let task = process.host.spawn_boxed(Box::pin(async move {
            // The new thread is scheduled after the acknowledgment reaches the SCM: StartService
            // returns before ServiceMain has run, so its caller sees the SCM's initial status
            // (START_PENDING, checkpoint 0, wait hint 2000 ms), as `sc start` shows on Windows.
            tokio::task::yield_now().await;
            let outcome = CatchUnwind::new(entry.run(ctx, args)).await;
            match outcome {
                Ok(()) => host.service_main_returned(pid, service, instance),
                Err(panic) => {
                    let what = format!(
                        "ServiceMain of {service} panicked: {}",
                        panic_message(&panic)
                    );
                    host.crash_process(pid, &what);
                }
            }
        }));
        process.host.attach_task(pid, task.abort_handle());
        0
    }
}
