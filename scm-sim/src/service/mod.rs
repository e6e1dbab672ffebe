//! What service code sees: the [`Service`] trait (ServiceMain), the [`ServiceContext`] with its
//! control handler registration, the [`StatusHandle`] (SetServiceStatus), dispatch tables and
//! programs, the Win32 status vocabulary, and scripted services for images without Rust code.

mod codes;
mod context;
mod contract;
mod name;
pub mod scripted;
mod types;

pub use codes::{ServiceNotifyMask, ServiceStateFilter, StopReason, StopReasonKind};
pub(crate) use context::HandlerTable;
pub use context::{AsyncControlHandler, ControlRequest, ServiceContext, StatusHandle};
pub use contract::{service_fn, Program, Service, ServiceFn, ServiceTable};
pub use name::ServiceName;
pub use types::{
    RawServiceStatus, ServiceControl, ServiceControlAccept, ServiceControlHandlerResult,
    ServiceErrorControl, ServiceExitCode, ServiceStartType, ServiceState, ServiceStatus,
    ServiceStatusProcess, ServiceType,
};
