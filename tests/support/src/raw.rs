//! Raw SetServiceStatus DWORDs, for services that report exactly what a test scripts (valid
//! or not): see [`crate::reporter`].

use scm_sim::service::{RawServiceStatus, ServiceControlAccept, ServiceState};

/// A raw status in `state` (own-process type, nothing accepted, no checkpoint, no hint).
pub fn raw(state: ServiceState) -> RawServiceStatus {
    RawServiceStatus {
        service_type: 0x10,
        current_state: state.to_raw(),
        ..RawServiceStatus::default()
    }
}

/// RUNNING accepting STOP.
pub fn running() -> RawServiceStatus {
    accepting(raw(ServiceState::Running), ServiceControlAccept::STOP)
}

/// A pending state with a checkpoint and a wait hint.
pub fn pending(state: ServiceState, checkpoint: u32, hint_ms: u32) -> RawServiceStatus {
    RawServiceStatus {
        checkpoint,
        wait_hint_ms: hint_ms,
        ..raw(state)
    }
}

/// `status` accepting `accept`.
pub fn accepting(status: RawServiceStatus, accept: ServiceControlAccept) -> RawServiceStatus {
    RawServiceStatus {
        controls_accepted: accept.bits(),
        ..status
    }
}

/// STOPPED with exit code 0.
pub fn stopped() -> RawServiceStatus {
    raw(ServiceState::Stopped)
}
