//! Controls: the `ServiceControl` codes a caller or the SCM sends, the `dwControlsAccepted`
//! bits a service announces, and what a handler answers.
//!
//! ```
//! use scm_sim::service::{ServiceControl, ServiceControlAccept};
//!
//! assert_eq!(ServiceControl::from_code(1), Some(ServiceControl::Stop));
//! assert_eq!(ServiceControl::from_raw(17).unwrap_err().code(), 87);
//! assert_eq!((ServiceControlAccept::STOP | ServiceControlAccept::SHUTDOWN).bits(), 0x5);
//! ```

use serde::{Deserialize, Serialize};

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

/// One control as HandlerEx receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlRequest {
    /// dwControl.
    pub control: ServiceControl,
    /// dwEventType (non-zero for device, hardware-profile, power and session events).
    pub event_type: u32,
    /// lpEventData, as bytes.
    pub event_data: Vec<u8>,
}

impl ControlRequest {
    /// A request with no event type or data.
    pub fn new(control: ServiceControl) -> ControlRequest {
        ControlRequest {
            control,
            event_type: 0,
            event_data: Vec::new(),
        }
    }
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
}
