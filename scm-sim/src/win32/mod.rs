//! The Win32 service vocabulary every part of the machine speaks: service states, controls
//! and their requests, accepted-control bits, status reports and exit codes, the service,
//! start and error-control codes, and the case-insensitive [`ServiceName`].
//!
//! These are plain values with no behaviour of the engine, so they sit below everything that
//! uses them (`sim`, `process`, `service`, `events`, `scm` …). Their public paths are
//! `scm_sim::service::…`, which re-exports them.

mod codes;
mod config_codes;
mod control;
mod name;
mod state;
mod status;

pub use codes::{ServiceNotifyMask, ServiceStateFilter, StopReason, StopReasonKind};
pub use config_codes::{ServiceErrorControl, ServiceStartType, ServiceType};
pub use control::{
    ControlRequest, ServiceControl, ServiceControlAccept, ServiceControlHandlerResult,
};
pub use name::ServiceName;
pub use state::ServiceState;
pub use status::{RawServiceStatus, ServiceExitCode, ServiceStatus, ServiceStatusProcess};
