//! The service vocabulary of windows-service: types, states, controls, exit codes, access
//! rights, configuration, failure actions, and [`Service`], a handle to one service.

mod config;
mod control;
mod failure;
mod handle;
mod status;

pub use config::{
    ServiceConfig, ServiceDependency, ServiceErrorControl, ServiceInfo, ServiceStartType,
};
pub use control::{
    AwayModeState, BatterySaverState, DisplayState, HardwareProfileChangeParam,
    LidSwitchStateChange, MonitorState, PowerBroadcastSetting, PowerEventParam,
    PowerSchemePersonality, PowerSource, ServiceControl, SessionChangeParam, SessionChangeReason,
    SessionNotification, UserEventCode, UserStatus,
};
pub use failure::{
    ServiceAction, ServiceActionType, ServiceFailureActions, ServiceFailureResetPeriod,
    ServiceLaunchProtected, ServiceSidType,
};
pub use handle::Service;
pub use status::{ServiceControlAccept, ServiceExitCode, ServiceState, ServiceStatus};

use std::fmt;

bitflags::bitflags! {
    /// `dwServiceType` bits.
    #[derive(PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Clone, Copy)]
    pub struct ServiceType: u32 {
        /// SERVICE_FILE_SYSTEM_DRIVER.
        const FILE_SYSTEM_DRIVER = 0x2;
        /// SERVICE_KERNEL_DRIVER.
        const KERNEL_DRIVER = 0x1;
        /// SERVICE_WIN32_OWN_PROCESS.
        const OWN_PROCESS = 0x10;
        /// SERVICE_WIN32_SHARE_PROCESS.
        const SHARE_PROCESS = 0x20;
        /// SERVICE_USER_OWN_PROCESS.
        const USER_OWN_PROCESS = 0x50;
        /// SERVICE_USER_SHARE_PROCESS.
        const USER_SHARE_PROCESS = 0x60;
        /// SERVICE_INTERACTIVE_PROCESS.
        const INTERACTIVE_PROCESS = 0x100;
        /// SERVICE_PKG_SERVICE.
        const OWN_PKG_PROCESS = 0x200;
    }
}

bitflags::bitflags! {
    /// Access rights on a service (OpenService's dwDesiredAccess).
    #[derive(PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Clone, Copy)]
    pub struct ServiceAccess: u32 {
        /// SERVICE_ALL_ACCESS.
        const ALL_ACCESS = 0xF01FF;
        /// SERVICE_QUERY_STATUS.
        const QUERY_STATUS = 0x4;
        /// SERVICE_START.
        const START = 0x10;
        /// SERVICE_STOP.
        const STOP = 0x20;
        /// SERVICE_PAUSE_CONTINUE.
        const PAUSE_CONTINUE = 0x40;
        /// SERVICE_INTERROGATE.
        const INTERROGATE = 0x80;
        /// SERVICE_QUERY_CONFIG.
        const QUERY_CONFIG = 0x1;
        /// SERVICE_CHANGE_CONFIG.
        const CHANGE_CONFIG = 0x2;
        /// SERVICE_USER_DEFINED_CONTROL.
        const USER_DEFINED_CONTROL = 0x100;
        /// DELETE.
        const DELETE = 0x10000;
        /// READ_CONTROL.
        const READ_CONTROL = 0x20000;
        /// WRITE_DAC.
        const WRITE_DAC = 0x40000;
        /// WRITE_OWNER.
        const WRITE_OWNER = 0x80000;
    }
}

/// A raw value that has no meaning in its field.
#[derive(Debug)]
pub enum ParseRawError {
    /// An unsigned number out of range.
    InvalidInteger(u32),
    /// A signed number out of range.
    InvalidIntegerSigned(i32),
    /// An unknown GUID.
    InvalidGuid(String),
}

impl std::error::Error for ParseRawError {}

impl fmt::Display for ParseRawError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseRawError::InvalidInteger(n) => write!(f, "invalid unsigned integer: {n}"),
            ParseRawError::InvalidIntegerSigned(n) => write!(f, "invalid signed integer: {n}"),
            ParseRawError::InvalidGuid(g) => write!(f, "invalid GUID: {g}"),
        }
    }
}
