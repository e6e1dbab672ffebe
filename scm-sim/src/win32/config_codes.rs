//! The configuration codes of a service: `dwServiceType` bits, the start type and the error
//! control, each with its raw number (`from_raw` gives ERROR_INVALID_PARAMETER, 87, for an
//! undefined one, as the SCM does) and its `sc` text.
//!
//! ```
//! use scm_sim::service::{ServiceErrorControl, ServiceStartType};
//!
//! assert_eq!(ServiceStartType::from_raw(2).unwrap(), ServiceStartType::AutoStart);
//! assert_eq!(ServiceErrorControl::from_raw(9).unwrap_err().code(), 87);
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
