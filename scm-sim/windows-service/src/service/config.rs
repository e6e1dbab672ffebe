//! A service's configuration: start type, error control, dependencies, and the
//! [`ServiceInfo`] (CreateService / ChangeServiceConfig) and [`ServiceConfig`]
//! (QueryServiceConfig) records.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use super::{ParseRawError, ServiceType};
use crate::{no_nul, Error, Result};
use scm_sim::service as sim;

/// `dwStartType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum ServiceStartType {
    /// SERVICE_AUTO_START.
    AutoStart = 2,
    /// SERVICE_DEMAND_START.
    OnDemand = 3,
    /// SERVICE_DISABLED.
    Disabled = 4,
    /// SERVICE_SYSTEM_START (drivers).
    SystemStart = 1,
    /// SERVICE_BOOT_START (drivers).
    BootStart = 0,
}

impl ServiceStartType {
    /// The raw number.
    pub fn to_raw(&self) -> u32 {
        *self as u32
    }

    /// The start type for a raw number.
    pub fn from_raw(raw: u32) -> std::result::Result<ServiceStartType, ParseRawError> {
        Ok(match raw {
            0 => ServiceStartType::BootStart,
            1 => ServiceStartType::SystemStart,
            2 => ServiceStartType::AutoStart,
            3 => ServiceStartType::OnDemand,
            4 => ServiceStartType::Disabled,
            _ => return Err(ParseRawError::InvalidInteger(raw)),
        })
    }

    pub(crate) fn to_sim(self) -> sim::ServiceStartType {
        match self {
            ServiceStartType::AutoStart => sim::ServiceStartType::AutoStart,
            ServiceStartType::OnDemand => sim::ServiceStartType::OnDemand,
            ServiceStartType::Disabled => sim::ServiceStartType::Disabled,
            ServiceStartType::SystemStart => sim::ServiceStartType::SystemStart,
            ServiceStartType::BootStart => sim::ServiceStartType::BootStart,
        }
    }
}

/// `dwErrorControl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum ServiceErrorControl {
    /// SERVICE_ERROR_CRITICAL.
    Critical = 3,
    /// SERVICE_ERROR_IGNORE.
    Ignore = 0,
    /// SERVICE_ERROR_NORMAL.
    Normal = 1,
    /// SERVICE_ERROR_SEVERE.
    Severe = 2,
}

impl ServiceErrorControl {
    /// The raw number.
    pub fn to_raw(&self) -> u32 {
        *self as u32
    }

    /// The error control for a raw number.
    pub fn from_raw(raw: u32) -> std::result::Result<ServiceErrorControl, ParseRawError> {
        Ok(match raw {
            0 => ServiceErrorControl::Ignore,
            1 => ServiceErrorControl::Normal,
            2 => ServiceErrorControl::Severe,
            3 => ServiceErrorControl::Critical,
            _ => return Err(ParseRawError::InvalidInteger(raw)),
        })
    }

    pub(crate) fn to_sim(self) -> sim::ServiceErrorControl {
        match self {
            ServiceErrorControl::Critical => sim::ServiceErrorControl::Critical,
            ServiceErrorControl::Ignore => sim::ServiceErrorControl::Ignore,
            ServiceErrorControl::Normal => sim::ServiceErrorControl::Normal,
            ServiceErrorControl::Severe => sim::ServiceErrorControl::Severe,
        }
    }
}

/// A dependency: a service, or a load-order group (`+name` in the system's notation).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ServiceDependency {
    /// A service by name.
    Service(OsString),
    /// A load-order group.
    Group(OsString),
}

impl ServiceDependency {
    /// The name as lpDependencies spells it (`+` before a group).
    pub fn to_system_identifier(&self) -> OsString {
        match self {
            ServiceDependency::Service(name) => name.clone(),
            ServiceDependency::Group(name) => {
                let mut s = OsString::from("+");
                s.push(name);
                s
            }
        }
    }

    /// The dependency for an lpDependencies entry.
    pub fn from_system_identifier(identifier: impl AsRef<OsStr>) -> Self {
        let s = identifier.as_ref().to_string_lossy();
        match s.strip_prefix('+') {
            Some(group) => ServiceDependency::Group(group.into()),
            None => ServiceDependency::Service(identifier.as_ref().to_owned()),
        }
    }
}

/// What CreateService and ChangeServiceConfig take.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServiceInfo {
    /// The key name.
    pub name: OsString,
    /// The display name.
    pub display_name: OsString,
    /// The service type.
    pub service_type: ServiceType,
    /// The start type.
    pub start_type: ServiceStartType,
    /// The error control.
    pub error_control: ServiceErrorControl,
    /// The executable.
    pub executable_path: PathBuf,
    /// Arguments appended to the command line (not for drivers).
    pub launch_arguments: Vec<OsString>,
    /// Dependencies.
    pub dependencies: Vec<ServiceDependency>,
    /// The account (`None`: LocalSystem).
    pub account_name: Option<OsString>,
    /// The account's password.
    pub account_password: Option<OsString>,
}

/// One argument of a command line, quoted when it needs it.
fn quoted(arg: &str) -> String {
    if !arg.is_empty() && !arg.contains([' ', '\t', '"']) {
        return arg.to_string();
    }
    format!("\"{}\"", arg.replace('"', "\\\""))
}

impl ServiceInfo {
    /// The command line: the quoted executable with its arguments.
    pub(crate) fn command_line(&self) -> Result<String> {
        let exe = no_nul("executable path", self.executable_path.as_os_str())?;
        if self.launch_arguments.is_empty() {
            return Ok(quoted(&exe));
        }
        if self
            .service_type
            .intersects(ServiceType::KERNEL_DRIVER | ServiceType::FILE_SYSTEM_DRIVER)
        {
            return Err(Error::LaunchArgumentsNotSupported);
        }
        let mut line = quoted(&exe);
        for (i, a) in self.launch_arguments.iter().enumerate() {
            let a = a.to_string_lossy();
            if a.contains('\0') {
                return Err(Error::ArgumentArrayElementHasNulByte("launch arguments", i));
            }
            line.push(' ');
            line.push_str(&quoted(&a));
        }
        Ok(line)
    }

    pub(crate) fn dependency_names(&self) -> Result<Vec<String>> {
        self.dependencies
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let s = d.to_system_identifier().to_string_lossy().into_owned();
                if s.contains('\0') {
                    return Err(Error::ArgumentArrayElementHasNulByte("dependency", i));
                }
                Ok(s)
            })
            .collect()
    }

    pub(crate) fn account(&self) -> Result<(Option<String>, Option<String>)> {
        let account = match &self.account_name {
            Some(a) => Some(no_nul("account name", a)?),
            None => None,
        };
        let password = match &self.account_password {
            Some(p) => Some(no_nul("account password", p)?),
            None => None,
        };
        Ok((account, password))
    }
}

/// What QueryServiceConfig returns.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServiceConfig {
    /// The service type.
    pub service_type: ServiceType,
    /// The start type.
    pub start_type: ServiceStartType,
    /// The error control.
    pub error_control: ServiceErrorControl,
    /// The command line (the executable with its arguments).
    pub executable_path: PathBuf,
    /// The load-order group.
    pub load_order_group: Option<OsString>,
    /// The tag in the group (0: none).
    pub tag_id: u32,
    /// Dependencies.
    pub dependencies: Vec<ServiceDependency>,
    /// The account.
    pub account_name: Option<OsString>,
    /// The display name.
    pub display_name: OsString,
}

impl ServiceConfig {
    pub(crate) fn from_sim(c: scm_sim::scm::QueryServiceConfig) -> Result<ServiceConfig> {
        let parse = |what, e| Error::ParseValue(what, e);
        Ok(ServiceConfig {
            service_type: ServiceType::from_bits_truncate(c.service_type.to_raw()),
            start_type: ServiceStartType::from_raw(c.start_type.to_raw())
                .map_err(|e| parse("service start type", e))?,
            error_control: ServiceErrorControl::from_raw(c.error_control.to_raw())
                .map_err(|e| parse("service error control", e))?,
            executable_path: PathBuf::from(c.binary_path_name),
            load_order_group: (!c.load_order_group.is_empty()).then(|| c.load_order_group.into()),
            tag_id: c.tag_id,
            dependencies: c
                .dependencies
                .iter()
                .map(ServiceDependency::from_system_identifier)
                .collect(),
            account_name: (!c.service_start_name.is_empty()).then(|| c.service_start_name.into()),
            display_name: c.display_name.into(),
        })
    }
}
