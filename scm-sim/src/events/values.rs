//! Typed values that appear inside event-log entries: the level, the source (provider) and the
//! fixed words Windows inserts into message texts ("running", "auto start", "user mode service",
//! "Restart the service" …).
//!
//! ```
//! use scm_sim::events::{LoggedState, StartTypeText, EventLevel};
//!
//! assert_eq!(LoggedState::from_state_code(4), Some(LoggedState::Running));
//! assert_eq!(LoggedState::from_state_code(2), None); // START_PENDING is never logged
//! assert_eq!(StartTypeText::from_code(3).map(|s| s.as_str()), Some("demand start"));
//! assert_eq!(EventLevel::Warning.as_str(), "Warning");
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;

/// The level of an event, as Event Viewer shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum EventLevel {
    /// Level 2, "Error" (message-id severity bits 0xC).
    Error,
    /// Level 3, "Warning" (severity bits 0x8).
    Warning,
    /// Level 4, "Information" (severity bits 0x4).
    Information,
}

impl EventLevel {
    /// The word Event Viewer shows in its Level column.
    pub fn as_str(self) -> &'static str {
        match self {
            EventLevel::Error => "Error",
            EventLevel::Warning => "Warning",
            EventLevel::Information => "Information",
        }
    }

    /// The ETW level number (Error 2, Warning 3, Information 4).
    pub fn etw_level(self) -> u8 {
        match self {
            EventLevel::Error => 2,
            EventLevel::Warning => 3,
            EventLevel::Information => 4,
        }
    }
}

impl fmt::Display for EventLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Who wrote an event (the provider, Event Viewer's "Source").
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum EventSource {
    /// `Service Control Manager` (services.exe), System log.
    ServiceControlManager,
    /// `Microsoft-Windows-Services-Svchost` (svchost.exe), its Diagnostic channel (ETW, not the
    /// System log). The simulator keeps these records in the same log for convenience.
    Svchost,
    /// `scm-sim`: events Windows does not have, written by the simulator only (never a fake
    /// Windows id). The engine writes none today: hangs are reported through the oracle.
    Simulator,
    /// Any other provider, e.g. a simulated service reporting its own events.
    Other(String),
}

impl EventSource {
    /// The provider name as Windows records it.
    pub fn provider_name(&self) -> &str {
        match self {
            EventSource::ServiceControlManager => "Service Control Manager",
            EventSource::Svchost => "Microsoft-Windows-Services-Svchost",
            EventSource::Simulator => "scm-sim",
            EventSource::Other(name) => name,
        }
    }
}

impl fmt::Display for EventSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.provider_name())
    }
}

/// A state named in event 7036 ("The X service entered the `running` state.").
///
/// Windows writes 7036 only when a service reaches RUNNING, STOPPED or PAUSED; pending states
/// are never logged, so they have no value here (see [`LoggedState::from_state_code`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum LoggedState {
    /// "running" (SERVICE_RUNNING, 4).
    Running,
    /// "stopped" (SERVICE_STOPPED, 1).
    Stopped,
    /// "paused" (SERVICE_PAUSED, 7).
    Paused,
}

impl LoggedState {
    /// The word Windows inserts.
    pub fn as_str(self) -> &'static str {
        match self {
            LoggedState::Running => "running",
            LoggedState::Stopped => "stopped",
            LoggedState::Paused => "paused",
        }
    }

    /// From `dwCurrentState`; `None` for the pending states (2, 3, 5, 6) and unknown numbers,
    /// which Windows does not log.
    pub fn from_state_code(state: u32) -> Option<LoggedState> {
        match state {
            1 => Some(LoggedState::Stopped),
            4 => Some(LoggedState::Running),
            7 => Some(LoggedState::Paused),
            _ => None,
        }
    }
}

/// A start type as worded in events 7040 and 7045.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum StartTypeText {
    /// "boot start" (0).
    Boot,
    /// "system start" (1).
    System,
    /// "auto start" (2). Windows uses the same words for delayed auto-start.
    Auto,
    /// "demand start" (3).
    Demand,
    /// "disabled" (4).
    Disabled,
}

impl StartTypeText {
    /// The words Windows inserts.
    pub fn as_str(self) -> &'static str {
        match self {
            StartTypeText::Boot => "boot start",
            StartTypeText::System => "system start",
            StartTypeText::Auto => "auto start",
            StartTypeText::Demand => "demand start",
            StartTypeText::Disabled => "disabled",
        }
    }

    /// From the registry `Start` value (0–4); `None` for anything else.
    pub fn from_code(start: u32) -> Option<StartTypeText> {
        match start {
            0 => Some(StartTypeText::Boot),
            1 => Some(StartTypeText::System),
            2 => Some(StartTypeText::Auto),
            3 => Some(StartTypeText::Demand),
            4 => Some(StartTypeText::Disabled),
            _ => None,
        }
    }
}

/// A service type as worded in event 7045 ("Service Type:  user mode service").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum InstalledServiceType {
    /// "user mode service" (any Win32 own/share-process service).
    UserModeService,
    /// "kernel mode driver" (SERVICE_KERNEL_DRIVER, 0x1).
    KernelModeDriver,
    /// "file system driver" (SERVICE_FILE_SYSTEM_DRIVER, 0x2).
    FileSystemDriver,
}

impl InstalledServiceType {
    /// The words Windows inserts.
    pub fn as_str(self) -> &'static str {
        match self {
            InstalledServiceType::UserModeService => "user mode service",
            InstalledServiceType::KernelModeDriver => "kernel mode driver",
            InstalledServiceType::FileSystemDriver => "file system driver",
        }
    }

    /// From the `Type` bits: 0x1 is a kernel driver, 0x2 a file-system driver, anything else a
    /// user-mode service.
    pub fn from_type_bits(bits: u32) -> InstalledServiceType {
        if bits & 0x1 != 0 {
            InstalledServiceType::KernelModeDriver
        } else if bits & 0x2 != 0 {
            InstalledServiceType::FileSystemDriver
        } else {
            InstalledServiceType::UserModeService
        }
    }
}

/// A failure action (SC_ACTION type) as events 7031 and 7032 describe it.
///
/// Only "Restart the service" is confirmed from real logs; the other texts are the simulator's
/// best knowledge of Windows' wording and are marked unverified in the facts reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RecoveryAction {
    /// SC_ACTION_NONE (0): "No action" (unverified).
    None,
    /// SC_ACTION_RESTART (1): "Restart the service".
    Restart,
    /// SC_ACTION_REBOOT (2): "Reboot the machine" (unverified).
    Reboot,
    /// SC_ACTION_RUN_COMMAND (3): "Run the configured recovery program" (unverified).
    RunCommand,
    /// SC_ACTION_OWN_RESTART (4, in winsvc.h, undocumented): the SCM restarts the service as
    /// for SC_ACTION_RESTART, so 7031 words it "Restart the service" (unverified: no log of a
    /// type-4 action was found; the restart wording is the one Windows uses for restarts).
    OwnRestart,
    /// Any other type number, worded "Action n" (simulator wording).
    Other(u32),
}

impl RecoveryAction {
    /// From the SC_ACTION type number.
    pub fn from_code(code: u32) -> RecoveryAction {
        match code {
            0 => RecoveryAction::None,
            1 => RecoveryAction::Restart,
            2 => RecoveryAction::Reboot,
            3 => RecoveryAction::RunCommand,
            4 => RecoveryAction::OwnRestart,
            n => RecoveryAction::Other(n),
        }
    }

    /// The SC_ACTION type number (insertion string %4 of event 7031).
    pub fn code(self) -> u32 {
        match self {
            RecoveryAction::None => 0,
            RecoveryAction::Restart => 1,
            RecoveryAction::Reboot => 2,
            RecoveryAction::RunCommand => 3,
            RecoveryAction::OwnRestart => 4,
            RecoveryAction::Other(n) => n,
        }
    }

    /// The description Windows inserts (insertion string %5 of event 7031).
    pub fn text(self) -> String {
        match self {
            RecoveryAction::None => "No action".to_string(),
            RecoveryAction::Restart | RecoveryAction::OwnRestart => {
                "Restart the service".to_string()
            }
            RecoveryAction::Reboot => "Reboot the machine".to_string(),
            RecoveryAction::RunCommand => "Run the configured recovery program".to_string(),
            RecoveryAction::Other(n) => format!("Action {n}"),
        }
    }
}

/// A control as worded in events 7035 and 7042 ("was successfully sent a `stop` control").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ControlWord {
    /// "start" (StartService; not a control code).
    Start,
    /// "stop" (1).
    Stop,
    /// "pause" (2).
    Pause,
    /// "continue" (3).
    Continue,
    /// "interrogate" (4).
    Interrogate,
    /// "shutdown" (5).
    Shutdown,
    /// Any other control code, worded as its decimal number (simulator wording).
    Code(u32),
}

impl ControlWord {
    /// From a `dwControl` code.
    pub fn from_code(control: u32) -> ControlWord {
        match control {
            1 => ControlWord::Stop,
            2 => ControlWord::Pause,
            3 => ControlWord::Continue,
            4 => ControlWord::Interrogate,
            5 => ControlWord::Shutdown,
            n => ControlWord::Code(n),
        }
    }

    /// The word inserted into the message.
    pub fn text(self) -> String {
        match self {
            ControlWord::Start => "start".to_string(),
            ControlWord::Stop => "stop".to_string(),
            ControlWord::Pause => "pause".to_string(),
            ControlWord::Continue => "continue".to_string(),
            ControlWord::Interrogate => "interrogate".to_string(),
            ControlWord::Shutdown => "shutdown".to_string(),
            ControlWord::Code(n) => n.to_string(),
        }
    }
}
