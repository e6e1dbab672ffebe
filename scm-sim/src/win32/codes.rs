//! The codes of the management API's arguments beyond a service's own vocabulary: the state
//! filter of the enumerations, the NotifyServiceStatusChange mask and ControlServiceEx's stop
//! reason. Each has a `from_raw` that gives the Win32 error Windows answers an undefined value
//! with, and a `code()` back to the number.
//!
//! ```
//! use scm_sim::service::{ServiceNotifyMask, ServiceState, ServiceStateFilter, StopReason, StopReasonKind};
//!
//! assert_eq!(ServiceStateFilter::from_raw(3), Ok(ServiceStateFilter::ALL));
//! assert_eq!(ServiceStateFilter::from_raw(4).unwrap_err().code(), 87);
//! assert!(ServiceStateFilter::ACTIVE.matches(ServiceState::Paused));
//! assert_eq!(ServiceState::Running.notify_bit(), ServiceNotifyMask::RUNNING);
//! let reason = StopReason::new(StopReasonKind::Planned, 5, 2).unwrap();
//! assert_eq!(reason.code(), 0x4005_0002);
//! assert_eq!(StopReason::from_raw(0).unwrap_err().code(), 87);
//! ```

use serde::{Deserialize, Serialize};

use super::ServiceState;
use crate::error::Win32Error;

bitflags::bitflags! {
    /// `dwServiceState` of EnumServicesStatusEx and EnumDependentServices. The empty set is a
    /// value (the SCM refuses it with ERROR_INVALID_PARAMETER, 87, in its own order).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub struct ServiceStateFilter: u32 {
        /// SERVICE_ACTIVE: every state but STOPPED.
        const ACTIVE = 0x1;
        /// SERVICE_INACTIVE: STOPPED.
        const INACTIVE = 0x2;
        /// SERVICE_STATE_ALL.
        const ALL = 0x3;
    }
}

impl ServiceStateFilter {
    /// The filter for a raw `dwServiceState`: ERROR_INVALID_PARAMETER (87) for bits outside
    /// SERVICE_STATE_ALL, as the enumerations answer them.
    pub fn from_raw(n: u32) -> Result<ServiceStateFilter, Win32Error> {
        ServiceStateFilter::from_bits(n).ok_or(Win32Error::INVALID_PARAMETER)
    }

    /// The raw `dwServiceState`.
    pub fn code(self) -> u32 {
        self.bits()
    }

    /// True when a service in `state` passes the filter.
    pub fn matches(self, state: ServiceState) -> bool {
        let bit = if state == ServiceState::Stopped {
            ServiceStateFilter::INACTIVE
        } else {
            ServiceStateFilter::ACTIVE
        };
        self.contains(bit)
    }
}

bitflags::bitflags! {
    /// `dwNotifyMask` of NotifyServiceStatusChange (`SERVICE_NOTIFY_*`), and the bit a
    /// notification reports as triggered ([`ServiceState::notify_bit`]).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub struct ServiceNotifyMask: u32 {
        /// SERVICE_NOTIFY_STOPPED.
        const STOPPED = 0x1;
        /// SERVICE_NOTIFY_START_PENDING.
        const START_PENDING = 0x2;
        /// SERVICE_NOTIFY_STOP_PENDING.
        const STOP_PENDING = 0x4;
        /// SERVICE_NOTIFY_RUNNING.
        const RUNNING = 0x8;
        /// SERVICE_NOTIFY_CONTINUE_PENDING.
        const CONTINUE_PENDING = 0x10;
        /// SERVICE_NOTIFY_PAUSE_PENDING.
        const PAUSE_PENDING = 0x20;
        /// SERVICE_NOTIFY_PAUSED.
        const PAUSED = 0x40;
        /// SERVICE_NOTIFY_CREATED (SCM handles; not modelled).
        const CREATED = 0x80;
        /// SERVICE_NOTIFY_DELETED (SCM handles; not modelled).
        const DELETED = 0x100;
        /// SERVICE_NOTIFY_DELETE_PENDING (not modelled).
        const DELETE_PENDING = 0x200;
    }
}

impl ServiceNotifyMask {
    /// The mask for a raw `dwNotifyMask`: ERROR_INVALID_PARAMETER (87) for bits winsvc.h does
    /// not define.
    pub fn from_raw(n: u32) -> Result<ServiceNotifyMask, Win32Error> {
        ServiceNotifyMask::from_bits(n).ok_or(Win32Error::INVALID_PARAMETER)
    }

    /// The raw mask.
    pub fn code(self) -> u32 {
        self.bits()
    }
}

impl ServiceState {
    /// The bit of this state in NotifyServiceStatusChange masks (`SERVICE_NOTIFY_*`).
    pub fn notify_bit(self) -> ServiceNotifyMask {
        ServiceNotifyMask::from_bits_truncate(1 << (self.to_raw() - 1))
    }
}

/// The planned/unplanned/custom flag of a stop reason (`SERVICE_STOP_REASON_FLAG_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum StopReasonKind {
    /// SERVICE_STOP_REASON_FLAG_UNPLANNED (0x10000000).
    Unplanned,
    /// SERVICE_STOP_REASON_FLAG_CUSTOM (0x20000000).
    Custom,
    /// SERVICE_STOP_REASON_FLAG_PLANNED (0x40000000).
    Planned,
}

impl StopReasonKind {
    fn flag(self) -> u32 {
        match self {
            StopReasonKind::Unplanned => 0x1000_0000,
            StopReasonKind::Custom => 0x2000_0000,
            StopReasonKind::Planned => 0x4000_0000,
        }
    }
}

/// `dwReason` of ControlServiceEx's SERVICE_CONTROL_STATUS_REASON_PARAMS: one flag, a major
/// reason (bits 16–23) and a minor reason (bits 0–15), both non-zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StopReason(u32);

impl StopReason {
    /// A reason from its parts: ERROR_INVALID_PARAMETER (87) when the major or minor reason
    /// is 0.
    pub fn new(kind: StopReasonKind, major: u8, minor: u16) -> Result<StopReason, Win32Error> {
        StopReason::from_raw(kind.flag() | (u32::from(major) << 16) | u32::from(minor))
    }

    /// The reason for a raw `dwReason`: ERROR_INVALID_PARAMETER (87) without a major and a
    /// minor reason or without exactly one of the planned/unplanned/custom flags, as
    /// ControlServiceEx answers it.
    pub fn from_raw(n: u32) -> Result<StopReason, Win32Error> {
        let flags = n & 0xF000_0000;
        if n & 0x00FF_0000 == 0
            || n & 0xFFFF == 0
            || !matches!(flags, 0x1000_0000 | 0x2000_0000 | 0x4000_0000)
        {
            return Err(Win32Error::INVALID_PARAMETER);
        }
        Ok(StopReason(n))
    }

    /// The raw `dwReason`.
    pub fn code(self) -> u32 {
        self.0
    }

    /// The flag.
    pub fn kind(self) -> StopReasonKind {
        match self.0 & 0xF000_0000 {
            0x4000_0000 => StopReasonKind::Planned,
            0x1000_0000 => StopReasonKind::Unplanned,
            _ => StopReasonKind::Custom,
        }
    }

    /// The major reason (`SERVICE_STOP_REASON_MAJOR_*` >> 16).
    pub fn major(self) -> u8 {
        ((self.0 >> 16) & 0xFF) as u8
    }

    /// The minor reason (`SERVICE_STOP_REASON_MINOR_*`).
    pub fn minor(self) -> u16 {
        (self.0 & 0xFFFF) as u16
    }
}
