//! What service code sees: the [`Service`] trait (ServiceMain), the [`ServiceContext`] with its
//! control handler registration, the [`StatusHandle`] (SetServiceStatus), tracked OS threads
//! on virtual time ([`ThreadContext`], [`TrackedThread`]), dispatch tables and programs, the
//! Win32 status vocabulary, and scripted services for images without Rust code.
//!
//! Some of these are defined below this module and re-exported here, so that what service
//! code needs has one path: the Win32 vocabulary (states, controls, status, codes, names), the
//! process's [`Program`] and [`AsyncControlHandler`] (the `process` module's), and the tracked
//! threads (`sim`'s, beside the virtual clock they hold).

mod context;
mod contract;
pub mod scripted;

pub use crate::process::{AsyncControlHandler, Program};
pub use crate::sim::{ClockHold, Killed, ThreadContext, TrackedThread, Unparker};
pub use crate::win32::{
    ControlRequest, RawServiceStatus, ServiceControl, ServiceControlAccept,
    ServiceControlHandlerResult, ServiceErrorControl, ServiceExitCode, ServiceName,
    ServiceNotifyMask, ServiceStartType, ServiceState, ServiceStateFilter, ServiceStatus,
    ServiceStatusProcess, ServiceType, StopReason, StopReasonKind,
};
pub use context::{ServiceContext, StatusHandle};
pub use contract::{service_fn, Service, ServiceFn, ServiceTable};
