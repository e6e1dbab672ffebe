//! `dwCurrentState`: the seven states of a service, with their numbers and `sc` labels.
//!
//! ```
//! use scm_sim::service::ServiceState;
//!
//! assert_eq!(ServiceState::from_raw(7), Some(ServiceState::Paused));
//! assert_eq!(ServiceState::Paused.to_raw(), 7);
//! assert!(ServiceState::StartPending.is_pending());
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;

/// `dwCurrentState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ServiceState {
    /// SERVICE_STOPPED (1).
    Stopped,
    /// SERVICE_START_PENDING (2).
    StartPending,
    /// SERVICE_STOP_PENDING (3).
    StopPending,
    /// SERVICE_RUNNING (4).
    Running,
    /// SERVICE_CONTINUE_PENDING (5).
    ContinuePending,
    /// SERVICE_PAUSE_PENDING (6).
    PausePending,
    /// SERVICE_PAUSED (7).
    Paused,
}

impl ServiceState {
    /// Every state, in numeric order.
    pub const ALL: [ServiceState; 7] = [
        ServiceState::Stopped,
        ServiceState::StartPending,
        ServiceState::StopPending,
        ServiceState::Running,
        ServiceState::ContinuePending,
        ServiceState::PausePending,
        ServiceState::Paused,
    ];

    /// The winsvc.h number.
    pub fn to_raw(self) -> u32 {
        self as u32 + 1
    }

    /// The state for a winsvc.h number, `None` outside 1..=7.
    pub fn from_raw(n: u32) -> Option<ServiceState> {
        ServiceState::ALL.get((n as usize).wrapping_sub(1)).copied()
    }

    /// The label sc.exe prints (`RUNNING`, `START_PENDING` …).
    pub fn sc_label(self) -> &'static str {
        match self {
            ServiceState::Stopped => "STOPPED",
            ServiceState::StartPending => "START_PENDING",
            ServiceState::StopPending => "STOP_PENDING",
            ServiceState::Running => "RUNNING",
            ServiceState::ContinuePending => "CONTINUE_PENDING",
            ServiceState::PausePending => "PAUSE_PENDING",
            ServiceState::Paused => "PAUSED",
        }
    }

    /// The word event 7036 uses ("running", "stopped", "paused" …).
    pub fn event_word(self) -> &'static str {
        match self {
            ServiceState::Stopped => "stopped",
            ServiceState::StartPending => "start pending",
            ServiceState::StopPending => "stop pending",
            ServiceState::Running => "running",
            ServiceState::ContinuePending => "continue pending",
            ServiceState::PausePending => "pause pending",
            ServiceState::Paused => "paused",
        }
    }

    /// True for the four pending states, where checkpoint and wait hint mean something.
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            ServiceState::StartPending
                | ServiceState::StopPending
                | ServiceState::ContinuePending
                | ServiceState::PausePending
        )
    }
}

impl fmt::Display for ServiceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.sc_label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip() {
        for s in ServiceState::ALL {
            assert_eq!(ServiceState::from_raw(s.to_raw()), Some(s));
        }
        assert_eq!(ServiceState::from_raw(0), None);
        assert_eq!(ServiceState::from_raw(8), None);
    }
}
