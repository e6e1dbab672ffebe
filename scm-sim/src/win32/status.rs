//! The status a service reports (SetServiceStatus), its exit code, and the raw SERVICE_STATUS
//! and SERVICE_STATUS_PROCESS records that cross the API.
//!
//! ```
//! use scm_sim::service::{ServiceState, ServiceStatus, ServiceControlAccept, ServiceType};
//! use std::time::Duration;
//!
//! let running = ServiceStatus::running(ServiceControlAccept::STOP | ServiceControlAccept::SHUTDOWN);
//! assert_eq!(running.current_state, ServiceState::Running);
//! let raw = running.to_raw(ServiceType::OWN_PROCESS);
//! assert_eq!(raw.current_state, 4);
//! assert_eq!(raw.controls_accepted, 0x5);
//! assert_eq!(ServiceState::from_raw(7), Some(ServiceState::Paused));
//! ```

use serde::{Deserialize, Serialize};
use std::time::Duration;

use super::{ServiceControlAccept, ServiceState, ServiceType};

/// The exit code reported with STOPPED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServiceExitCode {
    /// A Win32 error code in dwWin32ExitCode (0 = success).
    Win32(u32),
    /// dwWin32ExitCode = ERROR_SERVICE_SPECIFIC_ERROR (1066) and this dwServiceSpecificExitCode.
    ServiceSpecific(u32),
}

impl ServiceExitCode {
    /// NO_ERROR.
    pub const NO_ERROR: ServiceExitCode = ServiceExitCode::Win32(0);

    /// (dwWin32ExitCode, dwServiceSpecificExitCode).
    pub fn to_raw(self) -> (u32, u32) {
        match self {
            ServiceExitCode::Win32(n) => (n, 0),
            ServiceExitCode::ServiceSpecific(n) => (1066, n),
        }
    }
}

/// A status as service code reports it through its status handle (SetServiceStatus).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceStatus {
    /// The state.
    pub current_state: ServiceState,
    /// The controls the service accepts now.
    pub controls_accepted: ServiceControlAccept,
    /// The exit code (meaningful with STOPPED).
    pub exit_code: ServiceExitCode,
    /// Progress counter while pending.
    pub checkpoint: u32,
    /// Time the pending operation may take before the next report.
    pub wait_hint: Duration,
}

impl ServiceStatus {
    /// A status in `state` with nothing accepted, exit code 0, checkpoint 0, no wait hint.
    pub fn new(state: ServiceState) -> ServiceStatus {
        ServiceStatus {
            current_state: state,
            controls_accepted: ServiceControlAccept::empty(),
            exit_code: ServiceExitCode::NO_ERROR,
            checkpoint: 0,
            wait_hint: Duration::ZERO,
        }
    }

    /// RUNNING accepting `accept`.
    pub fn running(accept: ServiceControlAccept) -> ServiceStatus {
        ServiceStatus {
            controls_accepted: accept,
            ..ServiceStatus::new(ServiceState::Running)
        }
    }

    /// A pending state with a checkpoint and wait hint.
    pub fn pending(state: ServiceState, checkpoint: u32, wait_hint: Duration) -> ServiceStatus {
        ServiceStatus {
            checkpoint,
            wait_hint,
            ..ServiceStatus::new(state)
        }
    }

    /// STOPPED with an exit code.
    pub fn stopped(exit_code: ServiceExitCode) -> ServiceStatus {
        ServiceStatus {
            exit_code,
            ..ServiceStatus::new(ServiceState::Stopped)
        }
    }

    /// The same status with `accept` as accepted controls.
    pub fn accepting(mut self, accept: ServiceControlAccept) -> ServiceStatus {
        self.controls_accepted = accept;
        self
    }

    /// The raw SERVICE_STATUS the service would pass, with `service_type`.
    pub fn to_raw(self, service_type: ServiceType) -> RawServiceStatus {
        let (win32, specific) = self.exit_code.to_raw();
        RawServiceStatus {
            service_type: service_type.0,
            current_state: self.current_state.to_raw(),
            controls_accepted: self.controls_accepted.bits(),
            win32_exit_code: win32,
            service_specific_exit_code: specific,
            checkpoint: self.checkpoint,
            wait_hint_ms: u32::try_from(self.wait_hint.as_millis()).unwrap_or(u32::MAX),
        }
    }
}

/// SERVICE_STATUS as seven DWORDs: what crosses the wire, valid or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RawServiceStatus {
    /// dwServiceType.
    pub service_type: u32,
    /// dwCurrentState.
    pub current_state: u32,
    /// dwControlsAccepted.
    pub controls_accepted: u32,
    /// dwWin32ExitCode.
    pub win32_exit_code: u32,
    /// dwServiceSpecificExitCode.
    pub service_specific_exit_code: u32,
    /// dwCheckPoint.
    pub checkpoint: u32,
    /// dwWaitHint in milliseconds.
    pub wait_hint_ms: u32,
}

/// SERVICE_STATUS_PROCESS: what QueryServiceStatusEx returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceStatusProcess {
    /// dwServiceType as the SCM reports it (0x30 for a split svchost service).
    pub service_type: ServiceType,
    /// The state.
    pub current_state: ServiceState,
    /// Controls accepted.
    pub controls_accepted: ServiceControlAccept,
    /// dwWin32ExitCode.
    pub win32_exit_code: u32,
    /// dwServiceSpecificExitCode.
    pub service_specific_exit_code: u32,
    /// dwCheckPoint (0 outside pending states).
    pub checkpoint: u32,
    /// dwWaitHint in milliseconds (0 outside pending states).
    pub wait_hint_ms: u32,
    /// dwProcessId (0 when stopped and for drivers).
    pub process_id: u32,
    /// dwServiceFlags (SERVICE_RUNS_IN_SYSTEM_PROCESS = 1).
    pub service_flags: u32,
}
