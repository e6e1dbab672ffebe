//! What a process runs and what its dispatcher calls: the [`Program`] (the image's `main`), the
//! control handlers services register (`AsyncControlHandler`, kept per process in a
//! `HandlerTable`), and `ServiceMains` — how the dispatcher starts a ServiceMain, which the
//! dispatch table of the `service` module implements.

use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use crate::events::SharedName;
use crate::process::ProcessContext;
use crate::win32::{ControlRequest, ServiceControlHandlerResult};

/// What runs when the SCM launches an image: the process's `main`. A well-behaved program
/// calls [`ProcessContext::run_dispatcher`] (StartServiceCtrlDispatcher) promptly; the return
/// value is the process exit code.
#[async_trait]
pub trait Program: Send + Sync + 'static {
    /// The process's main function.
    async fn main(&self, process: ProcessContext) -> u32;
}

/// A control handler that may take (virtual) time, e.g. one that awaits a flush before it
/// returns. The dispatcher of the process waits for it, as on Windows.
#[async_trait]
pub trait AsyncControlHandler: Send + Sync + 'static {
    /// HandlerEx.
    async fn handle(&self, request: ControlRequest) -> ServiceControlHandlerResult;
}

/// The handlers registered in one process, by folded service name.
pub(crate) type HandlerTable = Arc<Mutex<BTreeMap<String, Arc<dyn AsyncControlHandler>>>>;

/// How the dispatcher starts a service's ServiceMain: the dispatch table's side
/// (`service::ServiceTable` implements it).
pub(crate) trait ServiceMains: Send + Sync {
    /// True when the table has no entry (StartServiceCtrlDispatcher fails with 87).
    fn is_empty(&self) -> bool;
    /// Starts ServiceMain of `service` in `process` on its own task; the dispatcher's answer
    /// to the SCM (0, or ERROR_SERVICE_NOT_IN_EXE when the table has no such entry).
    fn start(
        &self,
        process: &ProcessContext,
        service: SharedName,
        args: Vec<String>,
        instance: u64,
    ) -> u32;
}
