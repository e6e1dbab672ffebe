//! The Win32 service vocabulary, named as in the `windows-service` crate: states, types, start
//! types, controls, accepted-control flags, exit codes and the status a service reports.
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
use std::fmt;
use std::time::Duration;

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

    /// The bit of this state in NotifyServiceStatusChange masks (`SERVICE_NOTIFY_*`).
    pub fn notify_bit(self) -> super::ServiceNotifyMask {
        super::ServiceNotifyMask::from_bits_truncate(1 << (self.to_raw() - 1))
    }
}

impl fmt::Display for ServiceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.sc_label())
    }
}

/// `dwServiceType` bits. Any combination is representable; validation is the SCM's job.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ServiceType(pub u32);

impl ServiceType {
    /// SERVICE_KERNEL_DRIVER.
    pub const KERNEL_DRIVER: ServiceType = ServiceType(0x1);
    /// SERVICE_FILE_SYSTEM_DRIVER.
    pub const FILE_SYSTEM_DRIVER: ServiceType = ServiceType(0x2);
    /// SERVICE_ADAPTER (reserved).
    pub const ADAPTER: ServiceType = ServiceType(0x4);
    /// SERVICE_RECOGNIZER_DRIVER (reserved).
    pub const RECOGNIZER_DRIVER: ServiceType = ServiceType(0x8);
    /// SERVICE_DRIVER filter (kernel | file system | recognizer).
    pub const DRIVER: ServiceType = ServiceType(0xB);
    /// SERVICE_WIN32_OWN_PROCESS.
    pub const OWN_PROCESS: ServiceType = ServiceType(0x10);
    /// SERVICE_WIN32_SHARE_PROCESS.
    pub const SHARE_PROCESS: ServiceType = ServiceType(0x20);
    /// SERVICE_WIN32 filter (own | share).
    pub const WIN32: ServiceType = ServiceType(0x30);
    /// SERVICE_USER_SERVICE.
    pub const USER_SERVICE: ServiceType = ServiceType(0x40);
    /// SERVICE_USERSERVICE_INSTANCE.
    pub const USERSERVICE_INSTANCE: ServiceType = ServiceType(0x80);
    /// SERVICE_INTERACTIVE_PROCESS.
    pub const INTERACTIVE_PROCESS: ServiceType = ServiceType(0x100);
    /// SERVICE_PKG_SERVICE.
    pub const PKG_SERVICE: ServiceType = ServiceType(0x200);
    /// SERVICE_TYPE_ALL filter.
    pub const ALL: ServiceType = ServiceType(0x3FF);

    /// The type for a raw `dwServiceType`: every combination of the bits winsvc.h defines
    /// (SERVICE_TYPE_ALL, 0x3FF) is kept, also the ones the SCM refuses (it refuses them with
    /// its own error, in its own order); other bits give ERROR_INVALID_PARAMETER (87), as
    /// CreateService and EnumServicesStatusEx answer them.
    ///
    /// ```
    /// use scm_sim::service::ServiceType;
    ///
    /// assert_eq!(ServiceType::from_raw(0x10), Ok(ServiceType::OWN_PROCESS));
    /// assert_eq!(ServiceType::from_raw(0x30), Ok(ServiceType::WIN32));
    /// assert_eq!(ServiceType::from_raw(0x400).unwrap_err().code(), 87);
    /// ```
    pub fn from_raw(bits: u32) -> Result<ServiceType, crate::Win32Error> {
        if bits & !ServiceType::ALL.0 != 0 {
            return Err(crate::Win32Error::INVALID_PARAMETER);
        }
        Ok(ServiceType(bits))
    }

    /// The raw `dwServiceType`.
    pub fn to_raw(self) -> u32 {
        self.0
    }

    /// True when any bit of `other` is set.
    pub fn intersects(self, other: ServiceType) -> bool {
        self.0 & other.0 != 0
    }

    /// True when every bit of `other` is set.
    pub fn contains(self, other: ServiceType) -> bool {
        self.0 & other.0 == other.0
    }

    /// True for kernel, file-system and recognizer drivers.
    pub fn is_driver(self) -> bool {
        self.intersects(ServiceType::DRIVER)
    }

    /// True for Win32 services (own or shared process).
    pub fn is_win32(self) -> bool {
        self.intersects(ServiceType::WIN32)
    }

    /// The label sc.exe prints after the number (`WIN32_OWN_PROCESS` …).
    pub fn sc_label(self) -> String {
        let base = match self.0 & !0x100 {
            0x1 => "KERNEL_DRIVER",
            0x2 => "FILE_SYSTEM_DRIVER",
            0x8 => "RECOGNIZER_DRIVER",
            0x10 => "WIN32_OWN_PROCESS",
            0x20 => "WIN32_SHARE_PROCESS",
            0x30 => "WIN32",
            0x50 => "USER_OWN_PROCESS TEMPLATE",
            0x60 => "USER_SHARE_PROCESS TEMPLATE",
            0xd0 => "USER_OWN_PROCESS INSTANCE",
            0xe0 => "USER_SHARE_PROCESS INSTANCE",
            0xf0 => " ERROR",
            _ => "",
        };
        if self.0 & 0x100 != 0 {
            format!("{base} (interactive)")
        } else {
            base.to_string()
        }
    }
}

impl fmt::Debug for ServiceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ServiceType(0x{:x})", self.0)
    }
}

impl std::ops::BitOr for ServiceType {
    type Output = ServiceType;
    fn bitor(self, rhs: ServiceType) -> ServiceType {
        ServiceType(self.0 | rhs.0)
    }
}

/// `dwStartType` / `Start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ServiceStartType {
    /// SERVICE_BOOT_START (0): drivers loaded by the boot loader.
    BootStart,
    /// SERVICE_SYSTEM_START (1): drivers loaded by IoInitSystem.
    SystemStart,
    /// SERVICE_AUTO_START (2).
    AutoStart,
    /// SERVICE_DEMAND_START (3).
    OnDemand,
    /// SERVICE_DISABLED (4).
    Disabled,
}

impl ServiceStartType {
    /// The number.
    pub fn to_raw(self) -> u32 {
        self as u32
    }

    /// The number (the same as [`ServiceStartType::to_raw`]).
    pub fn code(self) -> u32 {
        self.to_raw()
    }

    /// The start type for a raw `dwStartType`: ERROR_INVALID_PARAMETER (87) above 4, as
    /// CreateService and ChangeServiceConfig answer it. Start types the SCM refuses for a
    /// service type (BOOT_START for a Win32 service) are values here; the SCM refuses them.
    ///
    /// ```
    /// use scm_sim::service::ServiceStartType;
    ///
    /// assert_eq!(ServiceStartType::from_raw(2), Ok(ServiceStartType::AutoStart));
    /// assert_eq!(ServiceStartType::from_raw(0), Ok(ServiceStartType::BootStart));
    /// assert_eq!(ServiceStartType::from_raw(5).unwrap_err().code(), 87);
    /// ```
    pub fn from_raw(n: u32) -> Result<ServiceStartType, crate::Win32Error> {
        ServiceStartType::from_code(n).ok_or(crate::Win32Error::INVALID_PARAMETER)
    }

    /// The start type for a number, `None` above 4.
    pub fn from_code(n: u32) -> Option<ServiceStartType> {
        [
            ServiceStartType::BootStart,
            ServiceStartType::SystemStart,
            ServiceStartType::AutoStart,
            ServiceStartType::OnDemand,
            ServiceStartType::Disabled,
        ]
        .get(n as usize)
        .copied()
    }

    /// The label `sc qc` prints (`AUTO_START` …).
    pub fn sc_label(self) -> &'static str {
        match self {
            ServiceStartType::BootStart => "BOOT_START",
            ServiceStartType::SystemStart => "SYSTEM_START",
            ServiceStartType::AutoStart => "AUTO_START",
            ServiceStartType::OnDemand => "DEMAND_START",
            ServiceStartType::Disabled => "DISABLED",
        }
    }

    /// The words events 7040 and 7045 use ("auto start", "demand start" …).
    pub fn event_words(self) -> &'static str {
        match self {
            ServiceStartType::BootStart => "boot start",
            ServiceStartType::SystemStart => "system start",
            ServiceStartType::AutoStart => "auto start",
            ServiceStartType::OnDemand => "demand start",
            ServiceStartType::Disabled => "disabled",
        }
    }
}

/// `dwErrorControl` / `ErrorControl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ServiceErrorControl {
    /// SERVICE_ERROR_IGNORE (0).
    Ignore,
    /// SERVICE_ERROR_NORMAL (1).
    Normal,
    /// SERVICE_ERROR_SEVERE (2).
    Severe,
    /// SERVICE_ERROR_CRITICAL (3).
    Critical,
}

impl ServiceErrorControl {
    /// The number.
    pub fn to_raw(self) -> u32 {
        self as u32
    }

    /// The number (the same as [`ServiceErrorControl::to_raw`]).
    pub fn code(self) -> u32 {
        self.to_raw()
    }

    /// The value for a raw `dwErrorControl`: ERROR_INVALID_PARAMETER (87) above 3, as
    /// CreateService and ChangeServiceConfig answer it.
    ///
    /// ```
    /// use scm_sim::service::ServiceErrorControl;
    ///
    /// assert_eq!(ServiceErrorControl::from_raw(1), Ok(ServiceErrorControl::Normal));
    /// assert_eq!(ServiceErrorControl::from_raw(4).unwrap_err().code(), 87);
    /// ```
    pub fn from_raw(n: u32) -> Result<ServiceErrorControl, crate::Win32Error> {
        ServiceErrorControl::from_code(n).ok_or(crate::Win32Error::INVALID_PARAMETER)
    }

    /// The value for a number, `None` above 3.
    pub fn from_code(n: u32) -> Option<ServiceErrorControl> {
        [
            ServiceErrorControl::Ignore,
            ServiceErrorControl::Normal,
            ServiceErrorControl::Severe,
            ServiceErrorControl::Critical,
        ]
        .get(n as usize)
        .copied()
    }

    /// The label `sc qc` prints.
    pub fn sc_label(self) -> &'static str {
        match self {
            ServiceErrorControl::Ignore => "IGNORE",
            ServiceErrorControl::Normal => "NORMAL",
            ServiceErrorControl::Severe => "SEVERE",
            ServiceErrorControl::Critical => "CRITICAL",
        }
    }
}

bitflags::bitflags! {
    /// `dwControlsAccepted`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub struct ServiceControlAccept: u32 {
        /// SERVICE_ACCEPT_STOP.
        const STOP = 0x1;
        /// SERVICE_ACCEPT_PAUSE_CONTINUE.
        const PAUSE_CONTINUE = 0x2;
        /// SERVICE_ACCEPT_SHUTDOWN.
        const SHUTDOWN = 0x4;
        /// SERVICE_ACCEPT_PARAMCHANGE.
        const PARAMCHANGE = 0x8;
        /// SERVICE_ACCEPT_NETBINDCHANGE.
        const NETBINDCHANGE = 0x10;
        /// SERVICE_ACCEPT_HARDWAREPROFILECHANGE.
        const HARDWAREPROFILECHANGE = 0x20;
        /// SERVICE_ACCEPT_POWEREVENT.
        const POWEREVENT = 0x40;
        /// SERVICE_ACCEPT_SESSIONCHANGE.
        const SESSIONCHANGE = 0x80;
        /// SERVICE_ACCEPT_PRESHUTDOWN.
        const PRESHUTDOWN = 0x100;
        /// SERVICE_ACCEPT_TIMECHANGE.
        const TIMECHANGE = 0x200;
        /// SERVICE_ACCEPT_TRIGGEREVENT.
        const TRIGGEREVENT = 0x400;
        /// SERVICE_ACCEPT_USERMODEREBOOT.
        const USERMODEREBOOT = 0x800;
        /// SERVICE_ACCEPT_LOWRESOURCES.
        const LOWRESOURCES = 0x2000;
        /// SERVICE_ACCEPT_SYSTEMLOWRESOURCES.
        const SYSTEMLOWRESOURCES = 0x4000;
    }
}

impl ServiceControlAccept {
    /// The names `sc query` prints for the set bits, in bit order.
    pub fn sc_names(self) -> Vec<&'static str> {
        [
            (ServiceControlAccept::STOP, "STOPPABLE"),
            (ServiceControlAccept::PAUSE_CONTINUE, "PAUSABLE"),
            (ServiceControlAccept::SHUTDOWN, "ACCEPTS_SHUTDOWN"),
            (ServiceControlAccept::PARAMCHANGE, "ACCEPTS_PARAMCHANGE"),
            (ServiceControlAccept::NETBINDCHANGE, "ACCEPTS_NETBINDCHANGE"),
            (
                ServiceControlAccept::HARDWAREPROFILECHANGE,
                "ACCEPTS_HARDWAREPROFILECHANGE",
            ),
            (ServiceControlAccept::POWEREVENT, "ACCEPTS_POWEREVENT"),
            (ServiceControlAccept::SESSIONCHANGE, "ACCEPTS_SESSIONCHANGE"),
            (ServiceControlAccept::PRESHUTDOWN, "ACCEPTS_PRESHUTDOWN"),
            (ServiceControlAccept::TIMECHANGE, "ACCEPTS_TIMECHANGE"),
            (ServiceControlAccept::TRIGGEREVENT, "ACCEPTS_TRIGGEREVENT"),
        ]
        .into_iter()
        .filter(|(bit, _)| self.contains(*bit))
        .map(|(_, n)| n)
        .collect()
    }
}

/// A control code (`dwControl`) as a service's handler receives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ServiceControl {
    /// SERVICE_CONTROL_STOP (1).
    Stop,
    /// SERVICE_CONTROL_PAUSE (2).
    Pause,
    /// SERVICE_CONTROL_CONTINUE (3).
    Continue,
    /// SERVICE_CONTROL_INTERROGATE (4).
    Interrogate,
    /// SERVICE_CONTROL_SHUTDOWN (5).
    Shutdown,
    /// SERVICE_CONTROL_PARAMCHANGE (6).
    ParamChange,
    /// SERVICE_CONTROL_NETBINDADD (7).
    NetBindAdd,
    /// SERVICE_CONTROL_NETBINDREMOVE (8).
    NetBindRemove,
    /// SERVICE_CONTROL_NETBINDENABLE (9).
    NetBindEnable,
    /// SERVICE_CONTROL_NETBINDDISABLE (10).
    NetBindDisable,
    /// SERVICE_CONTROL_DEVICEEVENT (11).
    DeviceEvent,
    /// SERVICE_CONTROL_HARDWAREPROFILECHANGE (12).
    HardwareProfileChange,
    /// SERVICE_CONTROL_POWEREVENT (13).
    PowerEvent,
    /// SERVICE_CONTROL_SESSIONCHANGE (14).
    SessionChange,
    /// SERVICE_CONTROL_PRESHUTDOWN (15).
    Preshutdown,
    /// SERVICE_CONTROL_TIMECHANGE (16).
    TimeChange,
    /// SERVICE_CONTROL_TRIGGEREVENT (32).
    TriggerEvent,
    /// SERVICE_CONTROL_USERMODEREBOOT (64).
    UserModeReboot,
    /// SERVICE_CONTROL_LOWRESOURCES (96).
    LowResources,
    /// SERVICE_CONTROL_SYSTEMLOWRESOURCES (97).
    SystemLowResources,
    /// A user-defined code, 128–255.
    UserDefined(u8),
}

impl ServiceControl {
    /// The winsvc.h number.
    pub fn code(self) -> u32 {
        match self {
            ServiceControl::Stop => 1,
            ServiceControl::Pause => 2,
            ServiceControl::Continue => 3,
            ServiceControl::Interrogate => 4,
            ServiceControl::Shutdown => 5,
            ServiceControl::ParamChange => 6,
            ServiceControl::NetBindAdd => 7,
            ServiceControl::NetBindRemove => 8,
            ServiceControl::NetBindEnable => 9,
            ServiceControl::NetBindDisable => 10,
            ServiceControl::DeviceEvent => 11,
            ServiceControl::HardwareProfileChange => 12,
            ServiceControl::PowerEvent => 13,
            ServiceControl::SessionChange => 14,
            ServiceControl::Preshutdown => 15,
            ServiceControl::TimeChange => 16,
            ServiceControl::TriggerEvent => 32,
            ServiceControl::UserModeReboot => 64,
            ServiceControl::LowResources => 96,
            ServiceControl::SystemLowResources => 97,
            ServiceControl::UserDefined(n) => n as u32,
        }
    }

    /// The control for a raw `dwControl`: ERROR_INVALID_PARAMETER (87) for codes winsvc.h
    /// does not define, as ControlService answers them.
    ///
    /// ```
    /// use scm_sim::service::ServiceControl;
    ///
    /// assert_eq!(ServiceControl::from_raw(1), Ok(ServiceControl::Stop));
    /// assert_eq!(ServiceControl::from_raw(130), Ok(ServiceControl::UserDefined(130)));
    /// assert_eq!(ServiceControl::from_raw(17).unwrap_err().code(), 87);
    /// ```
    pub fn from_raw(code: u32) -> Result<ServiceControl, crate::Win32Error> {
        ServiceControl::from_code(code).ok_or(crate::Win32Error::INVALID_PARAMETER)
    }

    /// The control for a number, `None` for codes winsvc.h does not define.
    pub fn from_code(code: u32) -> Option<ServiceControl> {
        Some(match code {
            1 => ServiceControl::Stop,
            2 => ServiceControl::Pause,
            3 => ServiceControl::Continue,
            4 => ServiceControl::Interrogate,
            5 => ServiceControl::Shutdown,
            6 => ServiceControl::ParamChange,
            7 => ServiceControl::NetBindAdd,
            8 => ServiceControl::NetBindRemove,
            9 => ServiceControl::NetBindEnable,
            10 => ServiceControl::NetBindDisable,
            11 => ServiceControl::DeviceEvent,
            12 => ServiceControl::HardwareProfileChange,
            13 => ServiceControl::PowerEvent,
            14 => ServiceControl::SessionChange,
            15 => ServiceControl::Preshutdown,
            16 => ServiceControl::TimeChange,
            32 => ServiceControl::TriggerEvent,
            64 => ServiceControl::UserModeReboot,
            96 => ServiceControl::LowResources,
            97 => ServiceControl::SystemLowResources,
            128..=255 => ServiceControl::UserDefined(code as u8),
            _ => return None,
        })
    }

    /// The accept bit a service must have reported to receive this control, or `None` when
    /// none is needed (INTERROGATE, DEVICEEVENT and user-defined codes).
    pub fn required_accept(self) -> Option<ServiceControlAccept> {
        Some(match self {
            ServiceControl::Stop => ServiceControlAccept::STOP,
            ServiceControl::Pause | ServiceControl::Continue => {
                ServiceControlAccept::PAUSE_CONTINUE
            }
            ServiceControl::Shutdown => ServiceControlAccept::SHUTDOWN,
            ServiceControl::ParamChange => ServiceControlAccept::PARAMCHANGE,
            ServiceControl::NetBindAdd
            | ServiceControl::NetBindRemove
            | ServiceControl::NetBindEnable
            | ServiceControl::NetBindDisable => ServiceControlAccept::NETBINDCHANGE,
            ServiceControl::HardwareProfileChange => ServiceControlAccept::HARDWAREPROFILECHANGE,
            ServiceControl::PowerEvent => ServiceControlAccept::POWEREVENT,
            ServiceControl::SessionChange => ServiceControlAccept::SESSIONCHANGE,
            ServiceControl::Preshutdown => ServiceControlAccept::PRESHUTDOWN,
            ServiceControl::TimeChange => ServiceControlAccept::TIMECHANGE,
            ServiceControl::TriggerEvent => ServiceControlAccept::TRIGGEREVENT,
            ServiceControl::UserModeReboot => ServiceControlAccept::USERMODEREBOOT,
            ServiceControl::LowResources => ServiceControlAccept::LOWRESOURCES,
            ServiceControl::SystemLowResources => ServiceControlAccept::SYSTEMLOWRESOURCES,
            ServiceControl::Interrogate
            | ServiceControl::DeviceEvent
            | ServiceControl::UserDefined(_) => return None,
        })
    }

    /// [`ServiceControl::name`] without an allocation for the controls Windows defines.
    pub fn label(self) -> std::borrow::Cow<'static, str> {
        use ServiceControl as C;
        std::borrow::Cow::Borrowed(match self {
            C::Stop => "stop",
            C::Pause => "pause",
            C::Continue => "continue",
            C::Interrogate => "interrogate",
            C::Shutdown => "shutdown",
            C::ParamChange => "paramchange",
            C::NetBindAdd => "netbindadd",
            C::NetBindRemove => "netbindremove",
            C::NetBindEnable => "netbindenable",
            C::NetBindDisable => "netbinddisable",
            C::DeviceEvent => "deviceevent",
            C::HardwareProfileChange => "hardwareprofilechange",
            C::PowerEvent => "powerevent",
            C::SessionChange => "sessionchange",
            C::Preshutdown => "preshutdown",
            C::TimeChange => "timechange",
            C::TriggerEvent => "triggerevent",
            C::UserModeReboot => "usermodereboot",
            C::LowResources => "lowresources",
            C::SystemLowResources => "systemlowresources",
            C::UserDefined(_) => return std::borrow::Cow::Owned(self.name()),
        })
    }

    /// The lower-case name used in traces and event 7035 (`stop`, `pause`, `user 128`).
    pub fn name(self) -> String {
        match self {
            ServiceControl::UserDefined(n) => format!("user-defined {n}"),
            other => format!("{other:?}").to_ascii_lowercase(),
        }
    }
}

/// What a control handler returns (HandlerEx's DWORD).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServiceControlHandlerResult {
    /// NO_ERROR.
    NoError,
    /// ERROR_CALL_NOT_IMPLEMENTED: the control is not handled.
    NotImplemented,
    /// Any other code (e.g. ERROR_SHUTDOWN_IN_PROGRESS 1115 for TRIGGEREVENT while stopping).
    Other(u32),
}

impl ServiceControlHandlerResult {
    /// The DWORD the handler returns.
    pub fn code(self) -> u32 {
        match self {
            ServiceControlHandlerResult::NoError => 0,
            ServiceControlHandlerResult::NotImplemented => 120,
            ServiceControlHandlerResult::Other(n) => n,
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_labels_are_the_names() {
        for code in 0..300u32 {
            if let Some(c) = ServiceControl::from_code(code) {
                assert_eq!(c.label(), c.name());
            }
        }
    }

    #[test]
    fn control_codes_round_trip() {
        for code in 0..300u32 {
            if let Some(c) = ServiceControl::from_code(code) {
                assert_eq!(c.code(), code);
            }
        }
        assert_eq!(ServiceControl::from_code(0), None);
        assert_eq!(ServiceControl::from_code(17), None);
    }

    #[test]
    fn start_types_and_error_controls_round_trip() {
        for n in 0..10u32 {
            match ServiceStartType::from_raw(n) {
                Ok(s) => assert_eq!(s.code(), n),
                Err(e) => assert!(n > 4 && e.code() == 87),
            }
            match ServiceErrorControl::from_raw(n) {
                Ok(e) => assert_eq!(e.code(), n),
                Err(e) => assert!(n > 3 && e.code() == 87),
            }
        }
    }

    #[test]
    fn states_round_trip() {
        for s in ServiceState::ALL {
            assert_eq!(ServiceState::from_raw(s.to_raw()), Some(s));
        }
        assert_eq!(ServiceState::from_raw(0), None);
        assert_eq!(ServiceState::from_raw(8), None);
    }
}
