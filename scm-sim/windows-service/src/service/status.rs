//! SERVICE_STATUS in windows-service's shape, and its conversions to and from scm-sim's.

use std::time::Duration;

use super::{ParseRawError, ServiceType};
use scm_sim::service as sim;

/// `dwCurrentState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum ServiceState {
    /// SERVICE_STOPPED.
    Stopped = 1,
    /// SERVICE_START_PENDING.
    StartPending = 2,
    /// SERVICE_STOP_PENDING.
    StopPending = 3,
    /// SERVICE_RUNNING.
    Running = 4,
    /// SERVICE_CONTINUE_PENDING.
    ContinuePending = 5,
    /// SERVICE_PAUSE_PENDING.
    PausePending = 6,
    /// SERVICE_PAUSED.
    Paused = 7,
}

impl ServiceState {
    pub(crate) fn from_sim(s: sim::ServiceState) -> ServiceState {
        match s {
            sim::ServiceState::Stopped => ServiceState::Stopped,
            sim::ServiceState::StartPending => ServiceState::StartPending,
            sim::ServiceState::StopPending => ServiceState::StopPending,
            sim::ServiceState::Running => ServiceState::Running,
            sim::ServiceState::ContinuePending => ServiceState::ContinuePending,
            sim::ServiceState::PausePending => ServiceState::PausePending,
            sim::ServiceState::Paused => ServiceState::Paused,
        }
    }

    /// The state for a raw `dwCurrentState`.
    pub fn from_raw(raw: u32) -> Result<ServiceState, ParseRawError> {
        sim::ServiceState::from_raw(raw)
            .map(ServiceState::from_sim)
            .ok_or(ParseRawError::InvalidInteger(raw))
    }
}

/// The exit code reported with STOPPED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceExitCode {
    /// A Win32 error code (0: success).
    Win32(u32),
    /// ERROR_SERVICE_SPECIFIC_ERROR with this service-specific code.
    ServiceSpecific(u32),
}

impl ServiceExitCode {
    /// Success.
    pub const NO_ERROR: Self = ServiceExitCode::Win32(0);

    fn from_raw(win32: u32, specific: u32) -> ServiceExitCode {
        if win32 == 1066 {
            ServiceExitCode::ServiceSpecific(specific)
        } else {
            ServiceExitCode::Win32(win32)
        }
    }
}

impl Default for ServiceExitCode {
    fn default() -> Self {
        Self::NO_ERROR
    }
}

bitflags::bitflags! {
    /// The controls a service accepts (`dwControlsAccepted`).
    #[derive(PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Clone, Copy)]
    pub struct ServiceControlAccept: u32 {
        /// SERVICE_ACCEPT_NETBINDCHANGE.
        const NETBIND_CHANGE = 0x10;
        /// SERVICE_ACCEPT_PARAMCHANGE.
        const PARAM_CHANGE = 0x8;
        /// SERVICE_ACCEPT_PAUSE_CONTINUE.
        const PAUSE_CONTINUE = 0x2;
        /// SERVICE_ACCEPT_PRESHUTDOWN.
        const PRESHUTDOWN = 0x100;
        /// SERVICE_ACCEPT_SHUTDOWN.
        const SHUTDOWN = 0x4;
        /// SERVICE_ACCEPT_STOP.
        const STOP = 0x1;
        /// SERVICE_ACCEPT_HARDWAREPROFILECHANGE.
        const HARDWARE_PROFILE_CHANGE = 0x20;
        /// SERVICE_ACCEPT_POWEREVENT.
        const POWER_EVENT = 0x40;
        /// SERVICE_ACCEPT_SESSIONCHANGE.
        const SESSION_CHANGE = 0x80;
        /// SERVICE_ACCEPT_TIMECHANGE.
        const TIME_CHANGE = 0x200;
        /// SERVICE_ACCEPT_TRIGGEREVENT.
        const TRIGGER_EVENT = 0x400;
    }
}

/// A service status: what a service reports, what a query returns.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServiceStatus {
    /// `dwServiceType`.
    pub service_type: ServiceType,
    /// The state.
    pub current_state: ServiceState,
    /// The controls accepted in this state.
    pub controls_accepted: ServiceControlAccept,
    /// The exit code (meaningful with STOPPED, and while starting or stopping).
    pub exit_code: ServiceExitCode,
    /// Progress counter of a pending operation (0 otherwise).
    pub checkpoint: u32,
    /// Time the pending operation may take until the next report (0 otherwise).
    pub wait_hint: Duration,
    /// The process id: `Some` in query results of a running service; ignored when reporting.
    pub process_id: Option<u32>,
}

impl ServiceStatus {
    /// The raw SERVICE_STATUS scm-sim validates, as SetServiceStatus passes it.
    pub(crate) fn to_sim_raw(&self) -> sim::RawServiceStatus {
        let (win32, specific) = match self.exit_code {
            ServiceExitCode::Win32(n) => (n, 0),
            ServiceExitCode::ServiceSpecific(n) => (1066, n),
        };
        sim::RawServiceStatus {
            service_type: self.service_type.bits(),
            current_state: self.current_state as u32,
            controls_accepted: self.controls_accepted.bits(),
            win32_exit_code: win32,
            service_specific_exit_code: specific,
            checkpoint: self.checkpoint,
            wait_hint_ms: u32::try_from(self.wait_hint.as_millis()).unwrap_or(u32::MAX),
        }
    }

    /// From a SERVICE_STATUS_PROCESS (QueryServiceStatusEx and ControlService's answer).
    pub(crate) fn from_sim(s: &sim::ServiceStatusProcess) -> ServiceStatus {
        let current_state = ServiceState::from_sim(s.current_state);
        ServiceStatus {
            service_type: ServiceType::from_bits_truncate(s.service_type.to_raw()),
            current_state,
            controls_accepted: ServiceControlAccept::from_bits_truncate(s.controls_accepted.bits()),
            exit_code: ServiceExitCode::from_raw(s.win32_exit_code, s.service_specific_exit_code),
            checkpoint: s.checkpoint,
            wait_hint: Duration::from_millis(u64::from(s.wait_hint_ms)),
            process_id: (current_state == ServiceState::Running).then_some(s.process_id),
        }
    }
}
