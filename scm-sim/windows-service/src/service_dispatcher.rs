//! StartServiceCtrlDispatcher: [`start`], and the [`define_windows_service!`] macro that
//! generates the ServiceMain entry point.

use std::ffi::{OsStr, OsString};
use std::sync::mpsc as std_mpsc;

use crate::sim::{process_link, StartRequest};
use crate::{no_nul, Error, Result};

/// Generates `extern "system" fn $function_name(argc: u32, argv: *mut *mut u16)`, the
/// ServiceMain the system calls, which passes the service arguments to
/// `$service_main_handler(arguments: Vec<OsString>)`.
///
/// ```
/// use std::ffi::OsString;
/// windows_service::define_windows_service!(ffi_service_main, my_service_main);
///
/// fn my_service_main(_arguments: Vec<OsString>) {}
/// # fn main() { let _ = ffi_service_main; }
/// ```
#[macro_export]
macro_rules! define_windows_service {
    ($function_name:ident, $service_main_handler:ident) => {
        /// The ServiceMain the system calls. Do not call it directly.
        extern "system" fn $function_name(
            num_service_arguments: u32,
            service_arguments: *mut *mut u16,
        ) {
            let arguments = $crate::service_dispatcher::parse_service_arguments(
                num_service_arguments,
                service_arguments,
            );
            $service_main_handler(arguments);
        }
    };
}

/// Connects the calling program's main thread to the SCM and serves `service_main` under
/// `service_name`, blocking until the service stopped (the dispatcher returned).
///
/// Outside a simulated process (a program run from a console, a plain test) it fails at once
/// with ERROR_FAILED_SERVICE_CONTROLLER_CONNECT (1063), as on Windows.
///
/// ```
/// use windows_service::service_dispatcher;
/// windows_service::define_windows_service!(ffi_service_main, my_service_main);
/// fn my_service_main(_arguments: Vec<std::ffi::OsString>) {}
///
/// let err = service_dispatcher::start("myservice", ffi_service_main).unwrap_err();
/// assert_eq!(err.raw_os_error(), Some(1063));
/// ```
pub fn start(
    service_name: impl AsRef<OsStr>,
    service_main: extern "system" fn(u32, *mut *mut u16),
) -> Result<()> {
    let name = no_nul("service name", service_name.as_ref())?;
    let link = process_link().ok_or(Error::from_win32(1063))?;
    let (done_tx, done_rx) = std_mpsc::channel();
    let request = StartRequest {
        name,
        service_main,
        done: done_tx,
    };
    // A second start in one process finds the dispatcher taken (1056), as on Windows.
    link.send(request).map_err(|_| Error::from_win32(1056))?;
    match done_rx.recv() {
        Ok(0) => Ok(()),
        Ok(code) => Err(Error::from_win32(code)),
        Err(_) => Err(Error::from_win32(1063)),
    }
}

/// The service arguments of the running ServiceMain (`argv[0]` is the service name). The
/// pointers are not read: the simulated dispatcher keeps the arguments itself.
#[doc(hidden)]
pub fn parse_service_arguments(_argc: u32, _argv: *mut *mut u16) -> Vec<OsString> {
    crate::sim::service_arguments()
}
