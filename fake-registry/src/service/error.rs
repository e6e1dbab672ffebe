//! Errors of the typed service view: each names the service and the value (relative to the
//! service key, e.g. `TriggerInfo\0\GUID`) and carries the Win32 code the registry API would
//! return.
//!
//! ```
//! use fake_registry::{Registry, Caller, RegValue};
//! use fake_registry::service::{ServiceKey, ServiceKeyError};
//!
//! let mut reg = Registry::new();
//! let sys = Caller::local_system();
//! let key = r"HKLM\SYSTEM\CurrentControlSet\Services\Demo";
//! reg.create_key(&sys, key).unwrap();
//! for (name, n) in [("Type", 0x10), ("Start", 3), ("ErrorControl", 1)] {
//!     reg.set_value(&sys, key, name, RegValue::dword(n)).unwrap();
//! }
//! reg.set_value(&sys, key, "DisplayName", RegValue::dword(7)).unwrap();
//! let err = ServiceKey::read(&reg, &sys, "Demo").unwrap_err();
//! assert!(matches!(&err, ServiceKeyError::WrongType { value, .. } if value == "DisplayName"));
//! assert_eq!(err.code(), 1630);
//! assert_eq!(err.service(), "Demo");
//! ```

use crate::error::RegError;
use crate::value::ValueType;

/// Why a service key could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceKeyError {
    /// The name is empty, too long (over 256 characters) or contains `\` or `/`
    /// (ERROR_INVALID_NAME, 123).
    #[error("invalid service name {service:?}")]
    InvalidName {
        /// The rejected name.
        service: String,
    },
    /// `Services\<name>` does not exist (ERROR_FILE_NOT_FOUND, 2).
    #[error("service {service:?} has no key under Services")]
    NotFound {
        /// The service name.
        service: String,
    },
    /// A value the SCM needs (`Type`, `Start`, `ErrorControl`) is missing (ERROR_FILE_NOT_FOUND, 2).
    #[error("service {service:?} has no {value} value")]
    MissingValue {
        /// The service name.
        service: String,
        /// The value, relative to the service key.
        value: String,
    },
    /// A value has a registry type the view does not accept there (ERROR_UNSUPPORTED_TYPE, 1630).
    #[error("service {service:?}: {value} is {found}, expected {expected}")]
    WrongType {
        /// The service name.
        service: String,
        /// The value, relative to the service key.
        value: String,
        /// Its type.
        found: ValueType,
        /// What the view accepts there, e.g. `REG_DWORD` or `REG_SZ or REG_EXPAND_SZ`.
        expected: &'static str,
    },
    /// A value has the right type but unusable data: a DWORD not 4 bytes long, a truncated
    /// FailureActions blob, a GUID not 16 bytes long (ERROR_INVALID_DATA, 13).
    #[error("service {service:?}: {value} is invalid: {reason}")]
    InvalidData {
        /// The service name.
        service: String,
        /// The value, relative to the service key.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The registry refused an operation (access denied on write, for instance).
    #[error("service {service:?}: {source}")]
    Registry {
        /// The service name.
        service: String,
        /// The registry's error.
        source: RegError,
    },
}

impl ServiceKeyError {
    /// The service the error is about.
    pub fn service(&self) -> &str {
        match self {
            ServiceKeyError::InvalidName { service }
            | ServiceKeyError::NotFound { service }
            | ServiceKeyError::MissingValue { service, .. }
            | ServiceKeyError::WrongType { service, .. }
            | ServiceKeyError::InvalidData { service, .. }
            | ServiceKeyError::Registry { service, .. } => service,
        }
    }

    /// The value the error is about (relative to the service key), when there is one.
    pub fn value(&self) -> Option<&str> {
        match self {
            ServiceKeyError::MissingValue { value, .. }
            | ServiceKeyError::WrongType { value, .. }
            | ServiceKeyError::InvalidData { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The Win32 error code.
    pub fn code(&self) -> u32 {
        match self {
            ServiceKeyError::InvalidName { .. } => 123,
            ServiceKeyError::NotFound { .. } | ServiceKeyError::MissingValue { .. } => 2,
            ServiceKeyError::WrongType { .. } => 1630,
            ServiceKeyError::InvalidData { .. } => 13,
            ServiceKeyError::Registry { source, .. } => source.code(),
        }
    }
}
