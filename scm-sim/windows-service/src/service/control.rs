//! The controls a handler receives, with their event data decoded from the HandlerEx
//! arguments (dwControl, dwEventType, lpEventData as bytes) the simulated dispatcher passes.
//!
//! ```
//! use scm_sim::service::{ControlRequest, ServiceControl as Raw};
//! use windows_service::service::{ServiceControl, SessionChangeReason};
//!
//! let mut req = ControlRequest::new(Raw::SessionChange);
//! req.event_type = 0x5; // WTS_SESSION_LOGON
//! req.event_data = [8u32.to_le_bytes(), 2u32.to_le_bytes()].concat();
//! match ServiceControl::from_request(&req).unwrap() {
//!     ServiceControl::SessionChange(p) => {
//!         assert_eq!(p.reason, SessionChangeReason::SessionLogon);
//!         assert_eq!(p.notification.session_id, 2);
//!     }
//!     other => panic!("{other:?}"),
//! }
//! ```

use super::ParseRawError;
use scm_sim::service::{ControlRequest, ServiceControl as Raw};

macro_rules! raw_enum {
    ($(#[$m:meta])* $name:ident : $t:ty { $($(#[$vm:meta])* $v:ident = $n:expr),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vm])* $v),* }
        impl $name {
            /// The raw number.
            pub fn to_raw(&self) -> $t { match self { $($name::$v => $n),* } }
            /// The value for a raw number.
            pub fn from_raw(raw: $t) -> Result<Self, ParseRawError> {
                $(if raw == $n { return Ok($name::$v); })*
                Err(raw_error(raw))
            }
        }
    };
}

trait RawError {
    fn into_error(self) -> ParseRawError;
}
impl RawError for u32 {
    fn into_error(self) -> ParseRawError {
        ParseRawError::InvalidInteger(self)
    }
}
impl RawError for i32 {
    fn into_error(self) -> ParseRawError {
        ParseRawError::InvalidIntegerSigned(self)
    }
}
fn raw_error(raw: impl RawError) -> ParseRawError {
    raw.into_error()
}

raw_enum!(/// The event type of SERVICE_CONTROL_HARDWAREPROFILECHANGE.
HardwareProfileChangeParam: u32 {
    /// DBT_CONFIGCHANGED.
    ConfigChanged = 0x18,
    /// DBT_QUERYCHANGECONFIG.
    QueryChangeConfig = 0x17,
    /// DBT_CONFIGCHANGECANCELED.
    ConfigChangeCanceled = 0x19,
});
raw_enum!(/// GUID_ACDC_POWER_SOURCE data.
PowerSource: i32 { /// AC.
    Ac = 0, /// DC (battery).
    Dc = 1, /// Short-term source (UPS).
    ShortTerm = 2 });
raw_enum!(/// GUID_CONSOLE_DISPLAY_STATE data.
DisplayState: i32 { /// Off.
    Off = 0, /// On.
    On = 1, /// Dimmed.
    Dimmed = 2 });
raw_enum!(/// GUID_GLOBAL_USER_PRESENCE data.
UserStatus: i32 { /// Present.
    Present = 0, /// Inactive.
    Inactive = 2 });
raw_enum!(/// GUID_MONITOR_POWER_ON data.
MonitorState: u32 { /// Off.
    Off = 0, /// On.
    On = 1 });
raw_enum!(/// GUID_POWER_SAVING_STATUS data.
BatterySaverState: u32 { /// Off.
    Off = 0, /// On.
    On = 1 });
raw_enum!(/// GUID_SYSTEM_AWAYMODE data.
AwayModeState: u32 { /// Exiting away mode.
    Exiting = 0, /// Entering away mode.
    Entering = 1 });
raw_enum!(/// GUID_LIDSWITCH_STATE_CHANGE data.
LidSwitchStateChange: u32 { /// Closed.
    Closed = 0, /// Open.
    Open = 1 });
raw_enum!(/// WTS_* reasons of SERVICE_CONTROL_SESSIONCHANGE.
SessionChangeReason: u32 {
    /// WTS_CONSOLE_CONNECT.
    ConsoleConnect = 1, /// WTS_CONSOLE_DISCONNECT.
    ConsoleDisconnect = 2, /// WTS_REMOTE_CONNECT.
    RemoteConnect = 3, /// WTS_REMOTE_DISCONNECT.
    RemoteDisconnect = 4, /// WTS_SESSION_LOGON.
    SessionLogon = 5, /// WTS_SESSION_LOGOFF.
    SessionLogoff = 6, /// WTS_SESSION_LOCK.
    SessionLock = 7, /// WTS_SESSION_UNLOCK.
    SessionUnlock = 8, /// WTS_SESSION_REMOTE_CONTROL.
    SessionRemoteControl = 9, /// WTS_SESSION_CREATE.
    SessionCreate = 10, /// WTS_SESSION_TERMINATE.
    SessionTerminate = 11,
});

/// The active power scheme (GUID_POWERSCHEME_PERSONALITY data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PowerSchemePersonality {
    /// GUID_MIN_POWER_SAVINGS.
    HighPerformance,
    /// GUID_MAX_POWER_SAVINGS.
    PowerSaver,
    /// GUID_TYPICAL_POWER_SAVINGS.
    Automatic,
}

/// A power setting change (PBT_POWERSETTINGCHANGE's POWERBROADCAST_SETTING).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PowerBroadcastSetting {
    /// GUID_ACDC_POWER_SOURCE.
    AcdcPowerSource(PowerSource),
    /// GUID_BATTERY_PERCENTAGE_REMAINING.
    BatteryPercentageRemaining(u32),
    /// GUID_CONSOLE_DISPLAY_STATE.
    ConsoleDisplayState(DisplayState),
    /// GUID_GLOBAL_USER_PRESENCE.
    GlobalUserPresence(UserStatus),
    /// GUID_IDLE_BACKGROUND_TASK.
    IdleBackgroundTask,
    /// GUID_MONITOR_POWER_ON.
    MonitorPowerOn(MonitorState),
    /// GUID_POWER_SAVING_STATUS.
    PowerSavingStatus(BatterySaverState),
    /// GUID_POWERSCHEME_PERSONALITY.
    PowerSchemePersonality(PowerSchemePersonality),
    /// GUID_SYSTEM_AWAYMODE.
    SystemAwayMode(AwayModeState),
    /// GUID_LIDSWITCH_STATE_CHANGE.
    LidSwitchStateChange(LidSwitchStateChange),
}

/// A GUID as its registry-format text, from the 16 bytes of a GUID structure.
fn guid_text(b: &[u8]) -> String {
    let d1 = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let d2 = u16::from_le_bytes([b[4], b[5]]);
    let d3 = u16::from_le_bytes([b[6], b[7]]);
    let tail: String = b[10..16].iter().map(|x| format!("{x:02X}")).collect();
    format!("{d1:08X}-{d2:04X}-{d3:04X}-{:02X}{:02X}-{tail}", b[8], b[9])
}

fn u32_at(b: &[u8], at: usize) -> Result<u32, ParseRawError> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or(ParseRawError::InvalidInteger(b.len() as u32))
}

impl PowerBroadcastSetting {
    /// Decodes a POWERBROADCAST_SETTING (GUID, DataLength, Data) given as bytes.
    pub fn from_bytes(data: &[u8]) -> Result<PowerBroadcastSetting, ParseRawError> {
        if data.len() < 20 {
            return Err(ParseRawError::InvalidInteger(data.len() as u32));
        }
        let guid = guid_text(&data[..16]);
        let value = u32_at(data, 20);
        use PowerBroadcastSetting as P;
        Ok(match guid.as_str() {
            "5D3E9A59-E9D5-4B00-A6BD-FF34FF516548" => {
                P::AcdcPowerSource(PowerSource::from_raw(value? as i32)?)
            }
            "A7AD8041-B45A-4CAE-87A3-EECBB468A9E1" => P::BatteryPercentageRemaining(value?),
            "6FE69556-704A-47A0-8F24-C28D936FDA47" => {
                P::ConsoleDisplayState(DisplayState::from_raw(value? as i32)?)
            }
            "786E8A1D-B427-4344-9207-09E70BDCBEA9" => {
                P::GlobalUserPresence(UserStatus::from_raw(value? as i32)?)
            }
            "515C31D8-F734-163D-A0FD-11A08C91E8F1" => P::IdleBackgroundTask,
            "02731015-4510-4526-99E6-E5A17EBD1AEA" => {
                P::MonitorPowerOn(MonitorState::from_raw(value?)?)
            }
            "E00958C0-C213-4ACE-AC77-FECCED2EEEA5" => {
                P::PowerSavingStatus(BatterySaverState::from_raw(value?)?)
            }
            "245D8541-3943-4422-B025-13A784F679B7" => {
                let scheme = data.get(20..36).map(guid_text).unwrap_or_default();
                P::PowerSchemePersonality(match scheme.as_str() {
                    "8C5E7FDA-E8BF-4A96-9A85-A6E23A8C635C" => {
                        PowerSchemePersonality::HighPerformance
                    }
                    "A1841308-3541-4FAB-BC81-F71556F20B4A" => PowerSchemePersonality::PowerSaver,
                    "381B4222-F694-41F0-9685-FF5BB260DF2E" => PowerSchemePersonality::Automatic,
                    _ => return Err(ParseRawError::InvalidGuid(scheme)),
                })
            }
            "98A7F580-01F7-48AA-9C0F-44352C29E5C0" => {
                P::SystemAwayMode(AwayModeState::from_raw(value?)?)
            }
            "BA3E0F4D-B817-4094-A2D1-D56379E6A0F3" => {
                P::LidSwitchStateChange(LidSwitchStateChange::from_raw(value?)?)
            }
            _ => return Err(ParseRawError::InvalidGuid(guid)),
        })
    }
}

/// The event of SERVICE_CONTROL_POWEREVENT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PowerEventParam {
    /// PBT_APMPOWERSTATUSCHANGE.
    PowerStatusChange,
    /// PBT_APMRESUMEAUTOMATIC.
    ResumeAutomatic,
    /// PBT_APMRESUMESUSPEND.
    ResumeSuspend,
    /// PBT_APMSUSPEND.
    Suspend,
    /// PBT_POWERSETTINGCHANGE.
    PowerSettingChange(PowerBroadcastSetting),
    /// PBT_APMBATTERYLOW.
    BatteryLow,
    /// PBT_APMOEMEVENT.
    OemEvent,
    /// PBT_APMQUERYSUSPEND.
    QuerySuspend,
    /// PBT_APMQUERYSUSPENDFAILED.
    QuerySuspendFailed,
    /// PBT_APMRESUMECRITICAL.
    ResumeCritical,
}

impl PowerEventParam {
    /// Decodes `dwEventType` and the event data bytes.
    pub fn from_event(event_type: u32, data: &[u8]) -> Result<Self, ParseRawError> {
        use PowerEventParam as P;
        Ok(match event_type {
            0xA => P::PowerStatusChange,
            0x12 => P::ResumeAutomatic,
            0x7 => P::ResumeSuspend,
            0x4 => P::Suspend,
            0x8013 => P::PowerSettingChange(PowerBroadcastSetting::from_bytes(data)?),
            0x9 => P::BatteryLow,
            0xB => P::OemEvent,
            0x0 => P::QuerySuspend,
            0x2 => P::QuerySuspendFailed,
            0x6 => P::ResumeCritical,
            _ => return Err(ParseRawError::InvalidInteger(event_type)),
        })
    }
}

/// WTSSESSION_NOTIFICATION.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionNotification {
    /// cbSize.
    pub size: u32,
    /// The session.
    pub session_id: u32,
}

/// The data of SERVICE_CONTROL_SESSIONCHANGE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionChangeParam {
    /// What happened.
    pub reason: SessionChangeReason,
    /// To which session.
    pub notification: SessionNotification,
}

impl SessionChangeParam {
    /// Decodes `dwEventType` and the WTSSESSION_NOTIFICATION bytes.
    pub fn from_event(event_type: u32, data: &[u8]) -> Result<Self, ParseRawError> {
        Ok(SessionChangeParam {
            reason: SessionChangeReason::from_raw(event_type)?,
            notification: SessionNotification {
                size: u32_at(data, 0)?,
                session_id: u32_at(data, 4)?,
            },
        })
    }
}

/// A user-defined control code, 128–255.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UserEventCode(u32);

impl UserEventCode {
    /// A code without the range check, as windows-service offers it.
    ///
    /// # Safety
    /// `raw` must be in 128..=255 (nothing here relies on it: an out-of-range code is refused
    /// by the SCM with ERROR_INVALID_PARAMETER).
    #[allow(unsafe_code)]
    pub const unsafe fn from_unchecked(raw: u32) -> Self {
        Self(raw)
    }

    /// The code for a raw number, if it is in 128..=255.
    pub fn from_raw(raw: u32) -> Result<UserEventCode, ParseRawError> {
        match raw {
            128..=255 => Ok(UserEventCode(raw)),
            _ => Err(ParseRawError::InvalidInteger(raw)),
        }
    }

    /// The raw number.
    pub fn to_raw(&self) -> u32 {
        self.0
    }
}

/// A control as a handler receives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceControl {
    /// SERVICE_CONTROL_CONTINUE.
    Continue,
    /// SERVICE_CONTROL_INTERROGATE.
    Interrogate,
    /// SERVICE_CONTROL_NETBINDADD.
    NetBindAdd,
    /// SERVICE_CONTROL_NETBINDDISABLE.
    NetBindDisable,
    /// SERVICE_CONTROL_NETBINDENABLE.
    NetBindEnable,
    /// SERVICE_CONTROL_NETBINDREMOVE.
    NetBindRemove,
    /// SERVICE_CONTROL_PARAMCHANGE.
    ParamChange,
    /// SERVICE_CONTROL_PAUSE.
    Pause,
    /// SERVICE_CONTROL_PRESHUTDOWN.
    Preshutdown,
    /// SERVICE_CONTROL_SHUTDOWN.
    Shutdown,
    /// SERVICE_CONTROL_STOP.
    Stop,
    /// SERVICE_CONTROL_HARDWAREPROFILECHANGE.
    HardwareProfileChange(HardwareProfileChangeParam),
    /// SERVICE_CONTROL_POWEREVENT.
    PowerEvent(PowerEventParam),
    /// SERVICE_CONTROL_SESSIONCHANGE.
    SessionChange(SessionChangeParam),
    /// SERVICE_CONTROL_TIMECHANGE.
    TimeChange,
    /// SERVICE_CONTROL_TRIGGEREVENT.
    TriggerEvent,
    /// A user-defined control, 128–255.
    UserEvent(UserEventCode),
}

impl ServiceControl {
    /// Decodes a control as the simulated dispatcher delivers it. Controls windows-service
    /// does not model (DEVICEEVENT, USERMODEREBOOT, LOWRESOURCES …) are errors, which the
    /// handler wrapper answers with ERROR_CALL_NOT_IMPLEMENTED, as windows-service does.
    pub fn from_request(req: &ControlRequest) -> Result<Self, ParseRawError> {
        use ServiceControl as C;
        let data = &req.event_data;
        Ok(match req.control {
            Raw::Continue => C::Continue,
            Raw::Interrogate => C::Interrogate,
            Raw::NetBindAdd => C::NetBindAdd,
            Raw::NetBindDisable => C::NetBindDisable,
            Raw::NetBindEnable => C::NetBindEnable,
            Raw::NetBindRemove => C::NetBindRemove,
            Raw::ParamChange => C::ParamChange,
            Raw::Pause => C::Pause,
            Raw::Preshutdown => C::Preshutdown,
            Raw::Shutdown => C::Shutdown,
            Raw::Stop => C::Stop,
            Raw::HardwareProfileChange => {
                C::HardwareProfileChange(HardwareProfileChangeParam::from_raw(req.event_type)?)
            }
            Raw::PowerEvent => C::PowerEvent(PowerEventParam::from_event(req.event_type, data)?),
            Raw::SessionChange => {
                C::SessionChange(SessionChangeParam::from_event(req.event_type, data)?)
            }
            Raw::TimeChange => C::TimeChange,
            Raw::TriggerEvent => C::TriggerEvent,
            Raw::UserDefined(n) => C::UserEvent(UserEventCode::from_raw(u32::from(n))?),
            other => return Err(ParseRawError::InvalidInteger(other.code())),
        })
    }

    /// The raw `dwControl`.
    pub fn raw_service_control_type(&self) -> u32 {
        use ServiceControl as C;
        match self {
            C::Stop => 1,
            C::Pause => 2,
            C::Continue => 3,
            C::Interrogate => 4,
            C::Shutdown => 5,
            C::ParamChange => 6,
            C::NetBindAdd => 7,
            C::NetBindRemove => 8,
            C::NetBindEnable => 9,
            C::NetBindDisable => 10,
            C::HardwareProfileChange(_) => 12,
            C::PowerEvent(_) => 13,
            C::SessionChange(_) => 14,
            C::Preshutdown => 15,
            C::TimeChange => 16,
            C::TriggerEvent => 32,
            C::UserEvent(code) => code.to_raw(),
        }
    }
}
