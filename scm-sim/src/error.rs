//! Win32 error codes as the SCM returns them: the number, the winerror.h name and the text
//! FormatMessage gives (which sc.exe prints after `[SC] X FAILED n:`).
//!
//! ```
//! use scm_sim::Win32Error;
//!
//! let e = Win32Error::SERVICE_ALREADY_RUNNING;
//! assert_eq!(e.code(), 1056);
//! assert_eq!(e.name(), "ERROR_SERVICE_ALREADY_RUNNING");
//! assert_eq!(e.message(), "An instance of the service is already running.");
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;

/// A Win32 error code. Any number is representable; the constants name the ones the
/// simulated SCM, registry and sc.exe use.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Win32Error(pub u32);

impl Win32Error {
    /// 0: The operation completed successfully.
    pub const SUCCESS: Win32Error = Win32Error(0);
    /// 1: Incorrect function.
    pub const INVALID_FUNCTION: Win32Error = Win32Error(1);
    /// 2: The system cannot find the file specified.
    pub const FILE_NOT_FOUND: Win32Error = Win32Error(2);
    /// 3: The system cannot find the path specified.
    pub const PATH_NOT_FOUND: Win32Error = Win32Error(3);
    /// 5: Access is denied.
    pub const ACCESS_DENIED: Win32Error = Win32Error(5);
    /// 6: The handle is invalid.
    pub const INVALID_HANDLE: Win32Error = Win32Error(6);
    /// 13: The data is invalid.
    pub const INVALID_DATA: Win32Error = Win32Error(13);
    /// 14: Not enough memory resources are available to complete this operation.
    pub const OUTOFMEMORY: Win32Error = Win32Error(14);
    /// 29: The system cannot write to the specified device.
    pub const WRITE_FAULT: Win32Error = Win32Error(29);
    /// 87: The parameter is incorrect.
    pub const INVALID_PARAMETER: Win32Error = Win32Error(87);
    /// 120: This function is not supported on this system.
    pub const CALL_NOT_IMPLEMENTED: Win32Error = Win32Error(120);
    /// 122: The data area passed to a system call is too small.
    pub const INSUFFICIENT_BUFFER: Win32Error = Win32Error(122);
    /// 123: The filename, directory name, or volume label syntax is incorrect.
    pub const INVALID_NAME: Win32Error = Win32Error(123);
    /// 124: The system call level is not correct.
    pub const INVALID_LEVEL: Win32Error = Win32Error(124);
    /// 126: The specified module could not be found.
    pub const MOD_NOT_FOUND: Win32Error = Win32Error(126);
    /// 127: The specified procedure could not be found.
    pub const PROC_NOT_FOUND: Win32Error = Win32Error(127);
    /// 193: %1 is not a valid Win32 application.
    pub const BAD_EXE_FORMAT: Win32Error = Win32Error(193);
    /// 234: More data is available.
    pub const MORE_DATA: Win32Error = Win32Error(234);
    /// 1010: The configuration registry key is invalid.
    pub const BADKEY: Win32Error = Win32Error(1010);
    /// 1018: Illegal operation attempted on a registry key that has been marked for deletion.
    pub const KEY_DELETED: Win32Error = Win32Error(1018);
    /// 1051: A stop control has been sent to a service that other running services are dependent on.
    pub const DEPENDENT_SERVICES_RUNNING: Win32Error = Win32Error(1051);
    /// 1052: The requested control is not valid for this service.
    pub const INVALID_SERVICE_CONTROL: Win32Error = Win32Error(1052);
    /// 1053: The service did not respond to the start or control request in a timely fashion.
    pub const SERVICE_REQUEST_TIMEOUT: Win32Error = Win32Error(1053);
    /// 1054: A thread could not be created for the service.
    pub const SERVICE_NO_THREAD: Win32Error = Win32Error(1054);
    /// 1055: The service database is locked.
    pub const SERVICE_DATABASE_LOCKED: Win32Error = Win32Error(1055);
    /// 1056: An instance of the service is already running.
    pub const SERVICE_ALREADY_RUNNING: Win32Error = Win32Error(1056);
    /// 1057: The account name is invalid or does not exist, or the password is invalid for the account name specified.
    pub const INVALID_SERVICE_ACCOUNT: Win32Error = Win32Error(1057);
    /// 1058: The service cannot be started, either because it is disabled or because it has no enabled devices associated with it.
    pub const SERVICE_DISABLED: Win32Error = Win32Error(1058);
    /// 1059: Circular service dependency was specified.
    pub const CIRCULAR_DEPENDENCY: Win32Error = Win32Error(1059);
    /// 1060: The specified service does not exist as an installed service.
    pub const SERVICE_DOES_NOT_EXIST: Win32Error = Win32Error(1060);
    /// 1061: The service cannot accept control messages at this time.
    pub const SERVICE_CANNOT_ACCEPT_CTRL: Win32Error = Win32Error(1061);
    /// 1062: The service has not been started.
    pub const SERVICE_NOT_ACTIVE: Win32Error = Win32Error(1062);
    /// 1063: The service process could not connect to the service controller.
    pub const FAILED_SERVICE_CONTROLLER_CONNECT: Win32Error = Win32Error(1063);
    /// 1064: An exception occurred in the service when handling the control request.
    pub const EXCEPTION_IN_SERVICE: Win32Error = Win32Error(1064);
    /// 1065: The database specified does not exist.
    pub const DATABASE_DOES_NOT_EXIST: Win32Error = Win32Error(1065);
    /// 1066: The service has returned a service-specific error code.
    pub const SERVICE_SPECIFIC_ERROR: Win32Error = Win32Error(1066);
    /// 1067: The process terminated unexpectedly.
    pub const PROCESS_ABORTED: Win32Error = Win32Error(1067);
    /// 1068: The dependency service or group failed to start.
    pub const SERVICE_DEPENDENCY_FAIL: Win32Error = Win32Error(1068);
    /// 1069: The service did not start due to a logon failure.
    pub const SERVICE_LOGON_FAILED: Win32Error = Win32Error(1069);
    /// 1070: After starting, the service hung in a start-pending state.
    pub const SERVICE_START_HANG: Win32Error = Win32Error(1070);
    /// 1071: The specified service database lock is invalid.
    pub const INVALID_SERVICE_LOCK: Win32Error = Win32Error(1071);
    /// 1072: The specified service has been marked for deletion.
    pub const SERVICE_MARKED_FOR_DELETE: Win32Error = Win32Error(1072);
    /// 1073: The specified service already exists.
    pub const SERVICE_EXISTS: Win32Error = Win32Error(1073);
    /// 1074: The system is currently running with the last-known-good configuration.
    pub const ALREADY_RUNNING_LKG: Win32Error = Win32Error(1074);
    /// 1075: The dependency service does not exist or has been marked for deletion.
    pub const SERVICE_DEPENDENCY_DELETED: Win32Error = Win32Error(1075);
    /// 1076: The current boot has already been accepted for use as the last-known-good control set.
    pub const BOOT_ALREADY_ACCEPTED: Win32Error = Win32Error(1076);
    /// 1077: No attempts to start the service have been made since the last boot.
    pub const SERVICE_NEVER_STARTED: Win32Error = Win32Error(1077);
    /// 1078: The name is already in use as either a service name or a service display name.
    pub const DUPLICATE_SERVICE_NAME: Win32Error = Win32Error(1078);
    /// 1079: The account specified for this service is different from the account specified for other services running in the same process.
    pub const DIFFERENT_SERVICE_ACCOUNT: Win32Error = Win32Error(1079);
    /// 1080: Failure actions can only be set for Win32 services, not for drivers.
    pub const CANNOT_DETECT_DRIVER_FAILURE: Win32Error = Win32Error(1080);
    /// 1081: This service runs in the same process as the service control manager. Therefore, the service control manager cannot take action if this service's process terminates unexpectedly.
    pub const CANNOT_DETECT_PROCESS_ABORT: Win32Error = Win32Error(1081);
    /// 1082: No recovery program has been configured for this service.
    pub const NO_RECOVERY_PROGRAM: Win32Error = Win32Error(1082);
    /// 1083: The executable program that this service is configured to run in does not implement the service.
    pub const SERVICE_NOT_IN_EXE: Win32Error = Win32Error(1083);
    /// 1084: This service cannot be started in Safe Mode.
    pub const NOT_SAFEBOOT_SERVICE: Win32Error = Win32Error(1084);
    /// 1115: A system shutdown is in progress.
    pub const SHUTDOWN_IN_PROGRESS: Win32Error = Win32Error(1115);
    /// 1722 (RPC_S_SERVER_UNAVAILABLE): The RPC server is unavailable (the machine is off).
    pub const RPC_SERVER_UNAVAILABLE: Win32Error = Win32Error(1722);
    /// 1167: The device is not connected.
    pub const DEVICE_NOT_CONNECTED: Win32Error = Win32Error(1167);
    /// 1243: The specified service does not exist.
    pub const SERVICE_NOT_FOUND: Win32Error = Win32Error(1243);
    /// 1290: The service start failed since one or more services in the same process have an incompatible service SID type setting.
    pub const INCOMPATIBLE_SERVICE_SID_TYPE: Win32Error = Win32Error(1290);
    /// 1297: A privilege that the service requires to function properly does not exist in the service account configuration.
    pub const INCOMPATIBLE_SERVICE_PRIVILEGE: Win32Error = Win32Error(1297);
    /// 1314: A required privilege is not held by the client.
    pub const PRIVILEGE_NOT_HELD: Win32Error = Win32Error(1314);
    /// 1326: The user name or password is incorrect.
    pub const LOGON_FAILURE: Win32Error = Win32Error(1326);
    /// 1385: Logon failure: the user has not been granted the requested logon type at this computer.
    pub const LOGON_TYPE_NOT_GRANTED: Win32Error = Win32Error(1385);
    /// 1460: This operation returned because the timeout period expired.
    pub const TIMEOUT: Win32Error = Win32Error(1460);
    /// 1630: Data of this type is not supported.
    pub const UNSUPPORTED_TYPE: Win32Error = Win32Error(1630);
    /// 1639: Invalid command line argument. Consult the Windows Installer SDK for detailed command line help.
    pub const INVALID_COMMAND_LINE: Win32Error = Win32Error(1639);
    /// 2186: The service is not responding to the control function.
    pub const NERR_SERVICE_CTL_TIMEOUT: Win32Error = Win32Error(2186);

    /// The number.
    pub fn code(self) -> u32 {
        self.0
    }

    /// True for ERROR_SUCCESS.
    pub fn is_success(self) -> bool {
        self.0 == 0
    }

    /// The winerror.h name, or `ERROR_<n>` for a code this table does not know.
    pub fn name(self) -> &'static str {
        match TABLE.binary_search_by_key(&self.0, |e| e.0) {
            Ok(i) => TABLE[i].1,
            Err(_) => "ERROR_UNKNOWN",
        }
    }

    /// Windows' message text (ending with a period), or a generic text for unknown codes.
    pub fn message(self) -> &'static str {
        match TABLE.binary_search_by_key(&self.0, |e| e.0) {
            Ok(i) => TABLE[i].2,
            Err(_) => "The system cannot find message text for this error.",
        }
    }
}

impl fmt::Debug for Win32Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.name(), self.0)
    }
}

impl fmt::Display for Win32Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.name(), self.0, self.message())
    }
}

impl std::error::Error for Win32Error {}

impl From<fake_registry::RegError> for Win32Error {
    fn from(e: fake_registry::RegError) -> Win32Error {
        Win32Error(e.code())
    }
}

/// (code, name, message), sorted by code.
const TABLE: &[(u32, &str, &str)] = &[
    (0, "ERROR_SUCCESS", "The operation completed successfully."),
    (1, "ERROR_INVALID_FUNCTION", "Incorrect function."),
    (2, "ERROR_FILE_NOT_FOUND", "The system cannot find the file specified."),
    (3, "ERROR_PATH_NOT_FOUND", "The system cannot find the path specified."),
    (5, "ERROR_ACCESS_DENIED", "Access is denied."),
    (6, "ERROR_INVALID_HANDLE", "The handle is invalid."),
    (13, "ERROR_INVALID_DATA", "The data is invalid."),
    (14, "ERROR_OUTOFMEMORY", "Not enough memory resources are available to complete this operation."),
    (29, "ERROR_WRITE_FAULT", "The system cannot write to the specified device."),
    (87, "ERROR_INVALID_PARAMETER", "The parameter is incorrect."),
    (120, "ERROR_CALL_NOT_IMPLEMENTED", "This function is not supported on this system."),
    (122, "ERROR_INSUFFICIENT_BUFFER", "The data area passed to a system call is too small."),
    (123, "ERROR_INVALID_NAME", "The filename, directory name, or volume label syntax is incorrect."),
    (124, "ERROR_INVALID_LEVEL", "The system call level is not correct."),
    (126, "ERROR_MOD_NOT_FOUND", "The specified module could not be found."),
    (127, "ERROR_PROC_NOT_FOUND", "The specified procedure could not be found."),
    (193, "ERROR_BAD_EXE_FORMAT", "%1 is not a valid Win32 application."),
    (234, "ERROR_MORE_DATA", "More data is available."),
    (1010, "ERROR_BADKEY", "The configuration registry key is invalid."),
    (1018, "ERROR_KEY_DELETED", "Illegal operation attempted on a registry key that has been marked for deletion."),
    (1051, "ERROR_DEPENDENT_SERVICES_RUNNING", "A stop control has been sent to a service that other running services are dependent on."),
    (1052, "ERROR_INVALID_SERVICE_CONTROL", "The requested control is not valid for this service."),
    (1053, "ERROR_SERVICE_REQUEST_TIMEOUT", "The service did not respond to the start or control request in a timely fashion."),
    (1054, "ERROR_SERVICE_NO_THREAD", "A thread could not be created for the service."),
    (1055, "ERROR_SERVICE_DATABASE_LOCKED", "The service database is locked."),
    (1056, "ERROR_SERVICE_ALREADY_RUNNING", "An instance of the service is already running."),
    (1057, "ERROR_INVALID_SERVICE_ACCOUNT", "The account name is invalid or does not exist, or the password is invalid for the account name specified."),
    (1058, "ERROR_SERVICE_DISABLED", "The service cannot be started, either because it is disabled or because it has no enabled devices associated with it."),
    (1059, "ERROR_CIRCULAR_DEPENDENCY", "Circular service dependency was specified."),
    (1060, "ERROR_SERVICE_DOES_NOT_EXIST", "The specified service does not exist as an installed service."),
    (1061, "ERROR_SERVICE_CANNOT_ACCEPT_CTRL", "The service cannot accept control messages at this time."),
    (1062, "ERROR_SERVICE_NOT_ACTIVE", "The service has not been started."),
    (1063, "ERROR_FAILED_SERVICE_CONTROLLER_CONNECT", "The service process could not connect to the service controller."),
    (1064, "ERROR_EXCEPTION_IN_SERVICE", "An exception occurred in the service when handling the control request."),
    (1065, "ERROR_DATABASE_DOES_NOT_EXIST", "The database specified does not exist."),
    (1066, "ERROR_SERVICE_SPECIFIC_ERROR", "The service has returned a service-specific error code."),
    (1067, "ERROR_PROCESS_ABORTED", "The process terminated unexpectedly."),
    (1068, "ERROR_SERVICE_DEPENDENCY_FAIL", "The dependency service or group failed to start."),
    (1069, "ERROR_SERVICE_LOGON_FAILED", "The service did not start due to a logon failure."),
    (1070, "ERROR_SERVICE_START_HANG", "After starting, the service hung in a start-pending state."),
    (1071, "ERROR_INVALID_SERVICE_LOCK", "The specified service database lock is invalid."),
    (1072, "ERROR_SERVICE_MARKED_FOR_DELETE", "The specified service has been marked for deletion."),
    (1073, "ERROR_SERVICE_EXISTS", "The specified service already exists."),
    (1074, "ERROR_ALREADY_RUNNING_LKG", "The system is currently running with the last-known-good configuration."),
    (1075, "ERROR_SERVICE_DEPENDENCY_DELETED", "The dependency service does not exist or has been marked for deletion."),
    (1076, "ERROR_BOOT_ALREADY_ACCEPTED", "The current boot has already been accepted for use as the last-known-good control set."),
    (1077, "ERROR_SERVICE_NEVER_STARTED", "No attempts to start the service have been made since the last boot."),
    (1078, "ERROR_DUPLICATE_SERVICE_NAME", "The name is already in use as either a service name or a service display name."),
    (1079, "ERROR_DIFFERENT_SERVICE_ACCOUNT", "The account specified for this service is different from the account specified for other services running in the same process."),
    (1080, "ERROR_CANNOT_DETECT_DRIVER_FAILURE", "Failure actions can only be set for Win32 services, not for drivers."),
    (1081, "ERROR_CANNOT_DETECT_PROCESS_ABORT", "This service runs in the same process as the service control manager. Therefore, the service control manager cannot take action if this service's process terminates unexpectedly."),
    (1082, "ERROR_NO_RECOVERY_PROGRAM", "No recovery program has been configured for this service."),
    (1083, "ERROR_SERVICE_NOT_IN_EXE", "The executable program that this service is configured to run in does not implement the service."),
    (1084, "ERROR_NOT_SAFEBOOT_SERVICE", "This service cannot be started in Safe Mode."),
    (1115, "ERROR_SHUTDOWN_IN_PROGRESS", "A system shutdown is in progress."),
    (1167, "ERROR_DEVICE_NOT_CONNECTED", "The device is not connected."),
    (1242, "ERROR_ALREADY_REGISTERED", "The service is already registered."),
    (1243, "ERROR_SERVICE_NOT_FOUND", "The specified service does not exist."),
    (1290, "ERROR_INCOMPATIBLE_SERVICE_SID_TYPE", "The service start failed since one or more services in the same process have an incompatible service SID type setting."),
    (1297, "ERROR_INCOMPATIBLE_SERVICE_PRIVILEGE", "A privilege that the service requires to function properly does not exist in the service account configuration."),
    (1314, "ERROR_PRIVILEGE_NOT_HELD", "A required privilege is not held by the client."),
    (1326, "ERROR_LOGON_FAILURE", "The user name or password is incorrect."),
    (1385, "ERROR_LOGON_TYPE_NOT_GRANTED", "Logon failure: the user has not been granted the requested logon type at this computer."),
    (1460, "ERROR_TIMEOUT", "This operation returned because the timeout period expired."),
    (1630, "ERROR_UNSUPPORTED_TYPE", "Data of this type is not supported."),
    (1639, "ERROR_INVALID_COMMAND_LINE", "Invalid command line argument. Consult the Windows Installer SDK for detailed command line help."),
    (1722, "RPC_S_SERVER_UNAVAILABLE", "The RPC server is unavailable."),
    (2186, "NERR_ServiceCtlTimeout", "The service is not responding to the control function."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(TABLE.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn every_message_ends_with_a_period() {
        assert!(
            TABLE.iter().all(|e| e.2.ends_with('.')),
            "{:?}",
            TABLE.iter().find(|e| !e.2.ends_with('.'))
        );
    }
}
