//! Failure actions (SERVICE_FAILURE_ACTIONS), the service SID type and launch protection.

use std::ffi::OsString;
use std::time::Duration;

use super::ParseRawError;
use crate::Error;
use scm_sim::registry::service::{ScAction, ScActionKind};

/// `SC_ACTION_TYPE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum ServiceActionType {
    /// SC_ACTION_NONE.
    None = 0,
    /// SC_ACTION_REBOOT.
    Reboot = 2,
    /// SC_ACTION_RESTART.
    Restart = 1,
    /// SC_ACTION_RUN_COMMAND.
    RunCommand = 3,
}

impl ServiceActionType {
    /// The raw number.
    pub fn to_raw(&self) -> i32 {
        *self as i32
    }

    /// The action type for a raw number.
    pub fn from_raw(raw: i32) -> Result<ServiceActionType, ParseRawError> {
        Ok(match raw {
            0 => ServiceActionType::None,
            1 => ServiceActionType::Restart,
            2 => ServiceActionType::Reboot,
            3 => ServiceActionType::RunCommand,
            _ => return Err(ParseRawError::InvalidIntegerSigned(raw)),
        })
    }
}

/// One failure action (`SC_ACTION`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServiceAction {
    /// What to do.
    pub action_type: ServiceActionType,
    /// How long to wait first.
    pub delay: Duration,
}

impl ServiceAction {
    pub(crate) fn to_sim(&self) -> ScAction {
        ScAction::new(
            ScActionKind::from_u32(self.action_type.to_raw() as u32),
            u32::try_from(self.delay.as_millis()).unwrap_or(u32::MAX),
        )
    }

    pub(crate) fn from_sim(a: &ScAction) -> crate::Result<ServiceAction> {
        let raw = a.kind.to_u32() as i32;
        Ok(ServiceAction {
            action_type: ServiceActionType::from_raw(raw)
                .map_err(|e| Error::ParseValue("service action type", e))?,
            delay: Duration::from_millis(u64::from(a.delay_ms)),
        })
    }
}

/// After how long without failures the failure count goes back to zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceFailureResetPeriod {
    /// Never (INFINITE).
    Never,
    /// After this long (whole seconds).
    After(Duration),
}

impl ServiceFailureResetPeriod {
    /// From `dwResetPeriod` (seconds).
    pub fn from_raw(raw: u32) -> ServiceFailureResetPeriod {
        match raw {
            u32::MAX => ServiceFailureResetPeriod::Never,
            n => ServiceFailureResetPeriod::After(Duration::from_secs(u64::from(n))),
        }
    }

    /// `dwResetPeriod` in seconds.
    pub fn to_raw(&self) -> u32 {
        match self {
            ServiceFailureResetPeriod::Never => u32::MAX,
            ServiceFailureResetPeriod::After(d) => u32::try_from(d.as_secs()).unwrap_or(u32::MAX),
        }
    }
}

/// SERVICE_FAILURE_ACTIONS.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServiceFailureActions {
    /// When the failure count resets.
    pub reset_period: ServiceFailureResetPeriod,
    /// The message broadcast before a reboot (`None`: unchanged; empty: deleted).
    pub reboot_msg: Option<OsString>,
    /// The command run by RunCommand (`None`: unchanged; empty: deleted).
    pub command: Option<OsString>,
    /// The actions, one per failure (the last repeats); `None`: unchanged.
    pub actions: Option<Vec<ServiceAction>>,
}

/// How the service SID is added to the process token (SERVICE_SID_INFO).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum ServiceSidType {
    /// SERVICE_SID_TYPE_NONE.
    None = 0,
    /// SERVICE_SID_TYPE_RESTRICTED.
    Restricted = 3,
    /// SERVICE_SID_TYPE_UNRESTRICTED.
    Unrestricted = 1,
}

/// SERVICE_LAUNCH_PROTECTED_INFO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum ServiceLaunchProtected {
    /// No protection.
    None = 0,
    /// Windows components.
    Windows = 1,
    /// Windows, light.
    WindowsLight = 2,
    /// Antimalware (ELAM), light.
    AntimalwareLight = 3,
}

impl TryFrom<u32> for ServiceLaunchProtected {
    type Error = Error;

    fn try_from(value: u32) -> Result<Self, Error> {
        Ok(match value {
            0 => ServiceLaunchProtected::None,
            1 => ServiceLaunchProtected::Windows,
            2 => ServiceLaunchProtected::WindowsLight,
            3 => ServiceLaunchProtected::AntimalwareLight,
            _ => {
                return Err(Error::ParseValue(
                    "Invalid launch protection value",
                    ParseRawError::InvalidInteger(value),
                ))
            }
        })
    }
}
