//! What service code sees: the [`Service`] trait (ServiceMain), the [`ServiceContext`] with its
//! control handler registration, the [`StatusHandle`] (SetServiceStatus), tracked OS threads
//! on virtual time ([`ThreadContext`], [`TrackedThread`]), dispatch tables and programs, the
//! Win32 status vocabulary, and scripted services for images without Rust code.

mod codes;
mod config_codes;
mod context;
mod contract;
mod control;
mod name;
pub(crate) mod park;
pub mod scripted;
mod state;
mod status;
pub(crate) mod thread;

pub use codes::{ServiceNotifyMask, ServiceStateFilter, StopReason, StopReasonKind};
pub use config_codes::{ServiceErrorControl, ServiceStartType, ServiceType};
pub(crate) use context::HandlerTable;
pub use context::{AsyncControlHandler, ControlRequest, ServiceContext, StatusHandle};
pub use contract::{service_fn, Program, Service, ServiceFn, ServiceTable};
pub use control::{ServiceControl, ServiceControlAccept, ServiceControlHandlerResult};
pub use name::ServiceName;
pub use park::{ClockHold, Unparker};
pub use state::ServiceState;
pub use status::{RawServiceStatus, ServiceExitCode, ServiceStatus, ServiceStatusProcess};
pub use thread::{Killed, ThreadContext, TrackedThread};
