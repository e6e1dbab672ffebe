//! Registry errors: each carries the Win32 code the real registry API would return.
//!
//! ```
//! use fake_registry::{Registry, Caller};
//!
//! let reg = Registry::new();
//! let err = reg.open_key(&Caller::local_system(), r"HKLM\SOFTWARE\Nope").unwrap_err();
//! assert_eq!(err.code(), 2);
//! assert_eq!(err.win32_name(), "ERROR_FILE_NOT_FOUND");
//! ```

use crate::value::ValueType;
use std::fmt;

/// What went wrong, with the Win32 code each case maps to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegErrorKind {
    /// A key or value does not exist (ERROR_FILE_NOT_FOUND, 2).
    NotFound,
    /// The caller may not do this, or the key has subkeys and the delete is not recursive
    /// (ERROR_ACCESS_DENIED, 5).
    AccessDenied,
    /// Data of the wrong length for its type (ERROR_INVALID_DATA, 13).
    InvalidData,
    /// A bad path, root or name (ERROR_INVALID_PARAMETER, 87).
    InvalidParameter,
    /// A key name over 255 characters (ERROR_INVALID_NAME, 123).
    InvalidName,
    /// Beyond what the registry can hold: a key deeper than 512 levels, value data above the
    /// simulator's memory grant (ERROR_NO_SYSTEM_RESOURCES, 1450).
    NoSystemResources,
    /// A typed read of a value of another type (ERROR_UNSUPPORTED_TYPE, 1630).
    WrongType {
        /// The type the value has.
        found: ValueType,
        /// The type the caller asked for.
        wanted: &'static str,
    },
    /// The system already runs the last-known-good set (ERROR_ALREADY_RUNNING_LKG, 1074).
    AlreadyRunningLastKnownGood,
    /// The boot was already accepted (ERROR_BOOT_ALREADY_ACCEPTED, 1076).
    BootAlreadyAccepted,
    /// Reading or writing a snapshot file failed (the OS error, or ERROR_INVALID_DATA for
    /// a file that is not a snapshot).
    Io(String),
}

/// A registry error: the kind, a detail (usually the path), and the Win32 code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegError {
    kind: RegErrorKind,
    detail: String,
}

impl RegError {
    /// An error of `kind` about `detail` (a path, a value name, a reason).
    pub fn new(kind: RegErrorKind, detail: impl Into<String>) -> RegError {
        RegError {
            kind,
            detail: detail.into(),
        }
    }

    pub(crate) fn not_found(detail: impl Into<String>) -> RegError {
        RegError::new(RegErrorKind::NotFound, detail)
    }

    pub(crate) fn access_denied(detail: impl Into<String>) -> RegError {
        RegError::new(RegErrorKind::AccessDenied, detail)
    }

    pub(crate) fn invalid_parameter(detail: impl Into<String>) -> RegError {
        RegError::new(RegErrorKind::InvalidParameter, detail)
    }

    pub(crate) fn invalid_name(detail: impl Into<String>) -> RegError {
        RegError::new(RegErrorKind::InvalidName, detail)
    }

    pub(crate) fn no_system_resources(detail: impl Into<String>) -> RegError {
        RegError::new(RegErrorKind::NoSystemResources, detail)
    }

    pub(crate) fn invalid_data(detail: impl Into<String>) -> RegError {
        RegError::new(RegErrorKind::InvalidData, detail)
    }

    pub(crate) fn wrong_type(found: ValueType, wanted: &'static str) -> RegError {
        RegError::new(RegErrorKind::WrongType { found, wanted }, "")
    }

    /// The kind of failure.
    pub fn kind(&self) -> &RegErrorKind {
        &self.kind
    }

    /// What the error is about (a path or a reason).
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The Win32 error code Windows returns for this failure.
    pub fn code(&self) -> u32 {
        match self.kind {
            RegErrorKind::NotFound => 2,
            RegErrorKind::AccessDenied => 5,
            RegErrorKind::InvalidData => 13,
            RegErrorKind::InvalidParameter => 87,
            RegErrorKind::InvalidName => 123,
            RegErrorKind::NoSystemResources => 1450,
            RegErrorKind::WrongType { .. } => 1630,
            RegErrorKind::AlreadyRunningLastKnownGood => 1074,
            RegErrorKind::BootAlreadyAccepted => 1076,
            RegErrorKind::Io(_) => 29,
        }
    }

    /// The winerror.h name of [`RegError::code`].
    pub fn win32_name(&self) -> &'static str {
        match self.kind {
            RegErrorKind::NotFound => "ERROR_FILE_NOT_FOUND",
            RegErrorKind::AccessDenied => "ERROR_ACCESS_DENIED",
            RegErrorKind::InvalidData => "ERROR_INVALID_DATA",
            RegErrorKind::InvalidParameter => "ERROR_INVALID_PARAMETER",
            RegErrorKind::InvalidName => "ERROR_INVALID_NAME",
            RegErrorKind::NoSystemResources => "ERROR_NO_SYSTEM_RESOURCES",
            RegErrorKind::WrongType { .. } => "ERROR_UNSUPPORTED_TYPE",
            RegErrorKind::AlreadyRunningLastKnownGood => "ERROR_ALREADY_RUNNING_LKG",
            RegErrorKind::BootAlreadyAccepted => "ERROR_BOOT_ALREADY_ACCEPTED",
            RegErrorKind::Io(_) => "ERROR_WRITE_FAULT",
        }
    }

    /// Windows' message text for [`RegError::code`].
    pub fn message(&self) -> &'static str {
        match self.kind {
            RegErrorKind::NotFound => "The system cannot find the file specified.",
            RegErrorKind::AccessDenied => "Access is denied.",
            RegErrorKind::InvalidData => "The data is invalid.",
            RegErrorKind::InvalidParameter => "The parameter is incorrect.",
            RegErrorKind::InvalidName => {
                "The filename, directory name, or volume label syntax is incorrect."
            }
            RegErrorKind::NoSystemResources => {
                "Insufficient system resources exist to complete the requested service."
            }
            RegErrorKind::WrongType { .. } => "Data of this type is not supported.",
            RegErrorKind::AlreadyRunningLastKnownGood => {
                "The system is currently running with the last-known-good configuration."
            }
            RegErrorKind::BootAlreadyAccepted => {
                "The current boot has already been accepted for use as the last-known-good control set."
            }
            RegErrorKind::Io(_) => "The system cannot write to the specified device.",
        }
    }
}

impl fmt::Display for RegError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.win32_name(),
            self.code(),
            self.message()
        )?;
        match &self.kind {
            RegErrorKind::WrongType { found, wanted } => {
                write!(f, " (value is {found}, wanted {wanted})")?
            }
            RegErrorKind::Io(msg) => write!(f, " ({msg})")?,
            _ => {}
        }
        if !self.detail.is_empty() {
            write!(f, " [{}]", self.detail)?;
        }
        Ok(())
    }
}

impl std::error::Error for RegError {}
