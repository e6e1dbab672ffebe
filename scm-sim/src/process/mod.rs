//! Simulated processes: what a launched image sees ([`ProcessContext`]) and its control
//! dispatcher — one per process, delivering starts and controls strictly one at a time, so
//! a slow handler delays the next control to every service of the process, as on Windows.
//!
//! ```
//! use scm_sim::service::ServiceTable;
//! use scm_sim::process::ProcessContext;
//! use scm_sim::service::Program;
//!
//! // A program that connects its dispatcher (StartServiceCtrlDispatcher) and serves one table:
//! struct MyExe;
//! #[async_trait::async_trait]
//! impl Program for MyExe {
//!     async fn main(&self, process: ProcessContext) -> u32 {
//!         // ... process initialisation would go here ...
//!         match process.run_dispatcher(ServiceTable::new()).await {
//!             Ok(()) => 0,
//!             Err(e) => e.code(),
//!         }
//!     }
//! }
//! ```

mod host;
mod inbox;
mod program;
pub(crate) mod table;
mod unwind;

pub(crate) use crate::sim::thread::BoxTask;
pub(crate) use host::Host;
pub(crate) use inbox::{inbox, InboxReceiver, InboxSender};
pub use program::{AsyncControlHandler, Program};
pub(crate) use program::{HandlerTable, ServiceMains};

pub(crate) use unwind::{panic_message, CatchUnwind};

use std::fmt;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

use crate::error::Win32Error;
use crate::events::SharedName;
use crate::win32::{ControlRequest, ServiceControlHandlerResult, ServiceName};

/// A message from the SCM to a process's dispatcher.
pub(crate) enum DispatchMsg {
    /// Start a service: create its ServiceMain "thread"; reply with the dispatcher's code.
    Start {
        service: SharedName,
        args: Vec<String>,
        instance: u64,
        reply: oneshot::Sender<u32>,
    },
    /// Deliver a control to a service's handler; reply with the handler's code.
    Control {
        service: String,
        request: ControlRequest,
        reply: oneshot::Sender<u32>,
    },
    /// The last service stopped: StartServiceCtrlDispatcher returns.
    Exit,
}

/// What a launched program sees.
#[derive(Clone)]
pub struct ProcessContext {
    pub(crate) host: Arc<dyn Host>,
    pub(crate) pid: u32,
    pub(crate) image: Arc<str>,
    pub(crate) command_line: Arc<str>,
    pub(crate) own_process: bool,
    pub(crate) handlers: HandlerTable,
    pub(crate) inbox: Arc<Mutex<Option<InboxReceiver>>>,
}

impl fmt::Debug for ProcessContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessContext")
            .field("pid", &self.pid)
            .field("image", &self.image)
            .finish()
    }
}

impl ProcessContext {
    /// The process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The expanded image path.
    pub fn image(&self) -> &str {
        &self.image
    }

    /// The full command line (image path with its arguments, expanded).
    pub fn command_line(&self) -> &str {
        &self.command_line
    }

    /// The dispatcher's loop behind StartServiceCtrlDispatcher (`run_dispatcher`, which the
    /// `service` module defines for its dispatch table): connects to the SCM and serves
    /// `table` until the last service of the process stops. A second call in the same process
    /// fails with ERROR_SERVICE_ALREADY_RUNNING (1056); an empty table with
    /// ERROR_INVALID_PARAMETER (87).
    pub(crate) async fn serve(&self, table: &dyn ServiceMains) -> Result<(), Win32Error> {
        if table.is_empty() {
            return Err(Win32Error::INVALID_PARAMETER);
        }
        let inbox = match self.inbox.lock() {
            Ok(mut g) => g.take(),
            Err(p) => p.into_inner().take(),
        };
        let mut inbox = inbox.ok_or(Win32Error::SERVICE_ALREADY_RUNNING)?;
        self.host.dispatcher_connected(self.pid);
        while let Some(msg) = inbox.recv().await {
            // Seeded perturbation: let other work of this instant run first, so that
            // different seeds explore different orders of control delivery and service
            // progress.
            let delay = self.host.dispatch_delay();
            for _ in 0..delay {
                tokio::task::yield_now().await;
            }
            match msg {
                DispatchMsg::Start {
                    service,
                    args,
                    instance,
                    reply,
                } => {
                    let code = table.start(self, service, args, instance);
                    let _ = reply.send(code);
                }
                DispatchMsg::Control {
                    service,
                    request,
                    reply,
                } => {
                    let handler = match self.handlers.lock() {
                        Ok(g) => g.get(&*ServiceName::fold(&service)).cloned(),
                        Err(p) => p.into_inner().get(&*ServiceName::fold(&service)).cloned(),
                    };
                    let code = match handler {
                        // No handler registered yet: the dispatcher cannot deliver.
                        None => Win32Error::SERVICE_CANNOT_ACCEPT_CTRL.code(),
                        Some(h) => match self.run_handler(&service, h, request).await {
                            Ok(result) => result.code(),
                            Err(panic) => {
                                let what = format!(
                                    "control handler of {service} panicked: {}",
                                    panic_message(&panic)
                                );
                                drop(reply);
                                self.host.clone().crash_process(self.pid, &what);
                                return Err(Win32Error::EXCEPTION_IN_SERVICE);
                            }
                        },
                    };
                    let _ = reply.send(code);
                }
                DispatchMsg::Exit => {
                    // A ServiceMain thread that reported STOPPED as its last act may still be
                    // returning; the process exits once it has returned or gone on (same
                    // virtual instant: it holds the clock), and after the tasks it woke as it
                    // ended (its joiner) had their turn — so the run does not depend on which
                    // real thread is faster. See the rule in `sim::work`.
                    let pid = self.pid;
                    if self.host.reported_from_thread(pid) {
                        self.host.wait_reporter_returned(pid).await;
                        tokio::task::yield_now().await;
                    }
                    break;
                }
            }
        }
        Ok(())
    }

    /// Runs a handler, recording that the dispatcher is busy with it meanwhile.
    async fn run_handler(
        &self,
        service: &str,
        handler: Arc<dyn AsyncControlHandler>,
        request: ControlRequest,
    ) -> Result<ServiceControlHandlerResult, Box<dyn std::any::Any + Send>> {
        let what = table::BusyHandler {
            control: request.control,
            service: ServiceName::new(service),
        };
        self.host.set_busy(self.pid, Some(what));
        let r = CatchUnwind::new(handler.handle(request)).await;
        self.host.set_busy(self.pid, None);
        r
    }
}
