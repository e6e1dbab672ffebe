//! A drop-in replacement for the [`windows-service`](https://crates.io/crates/windows-service)
//! crate (0.8) backed by scm-sim: the same modules, types, functions and macro, so code written
//! for Windows services compiles and runs on any OS against a simulated Service Control
//! Manager, on virtual time.
//!
//! # Switching
//!
//! In the service's `Cargo.toml`, keep the real crate on Windows and use this one elsewhere:
//!
//! ```toml
//! [target.'cfg(windows)'.dependencies]
//! windows-service = "0.8"
//! [target.'cfg(not(windows))'.dependencies]
//! windows-service = { package = "scm-sim-windows-service", path = "…" }
//! ```
//!
//! # A test
//!
//! The program's `main` (which calls [`service_dispatcher::start`]) is installed into a
//! simulated machine with [`sim::install_program`]; manager code runs against the machine put
//! in scope with [`sim::with_machine`].
//!
//! ```
//! use std::ffi::OsString;
//! use std::time::Duration;
//! use windows_service::service::*;
//! use windows_service::service_control_handler::{self, ServiceControlHandlerResult};
//! use windows_service::service_manager::{ServiceManager, ServiceManagerAccess};
//! use windows_service::{define_windows_service, service_dispatcher, sim};
//!
//! define_windows_service!(ffi_service_main, service_main);
//!
//! fn service_main(_args: Vec<OsString>) {
//!     let (tx, rx) = sim::channel();
//!     let status = service_control_handler::register("echo", move |c| match c {
//!         ServiceControl::Stop => { let _ = tx.send(()); ServiceControlHandlerResult::NoError }
//!         ServiceControl::Interrogate => ServiceControlHandlerResult::NoError,
//!         _ => ServiceControlHandlerResult::NotImplemented,
//!     }).unwrap();
//!     let report = |state, accept| ServiceStatus {
//!         service_type: ServiceType::OWN_PROCESS, current_state: state,
//!         controls_accepted: accept, exit_code: ServiceExitCode::Win32(0),
//!         checkpoint: 0, wait_hint: Duration::ZERO, process_id: None,
//!     };
//!     status.set_service_status(report(ServiceState::Running, ServiceControlAccept::STOP)).unwrap();
//!     let _ = rx.recv();
//!     status.set_service_status(report(ServiceState::Stopped, ServiceControlAccept::empty())).unwrap();
//! }
//!
//! fn main_of_echo() -> windows_service::Result<()> {
//!     service_dispatcher::start("echo", ffi_service_main)
//! }
//!
//! let mut m = scm_sim::Machine::builder().image(scm_sim::machine::Image::Empty).build().unwrap();
//! sim::install_program(&mut m, r"C:\svc\echo.exe", main_of_echo);
//! sim::with_machine(&mut m, || -> windows_service::Result<()> {
//!     let manager = ServiceManager::local_computer(None::<&str>, ServiceManagerAccess::ALL_ACCESS)?;
//!     let info = ServiceInfo {
//!         name: "echo".into(), display_name: "Echo".into(),
//!         service_type: ServiceType::OWN_PROCESS, start_type: ServiceStartType::OnDemand,
//!         error_control: ServiceErrorControl::Normal, executable_path: r"C:\svc\echo.exe".into(),
//!         launch_arguments: vec![], dependencies: vec![], account_name: None, account_password: None,
//!     };
//!     let service = manager.create_service(&info, ServiceAccess::ALL_ACCESS)?;
//!     service.start::<&str>(&[])?;
//!     assert_eq!(service.query_status()?.current_state, ServiceState::Running);
//!     service.stop()?; // returns when the handler did; the ServiceMain reacts at the same instant
//!     assert_eq!(service.query_status()?.current_state, ServiceState::Stopped);
//!     Ok(())
//! }).unwrap();
//! m.assert_no_violations();
//! ```
//!
//! # Modules
//!
//! | module | job |
//! |---|---|
//! | [`service`] | the vocabulary (status, controls, config) and [`service::Service`], a service handle |
//! | [`service_control_handler`] | `register` a control handler, report status through its handle |
//! | [`service_dispatcher`] | `start` (StartServiceCtrlDispatcher) and [`define_windows_service!`] |
//! | [`service_manager`] | `ServiceManager`: create, open, start and control services |
//! | [`sim`] | what only the simulation has: installing programs, the machine in scope, and waits on virtual time |
//!
//! # Blocking code and virtual time
//!
//! See [`sim`] for the model (which waits run on virtual time, which stay real) and its
//! limitations.

#![deny(missing_docs)]

pub mod service;
pub mod service_control_handler;
#[macro_use]
pub mod service_dispatcher;
pub mod service_manager;
pub mod sim;

use std::fmt;

/// The result of every fallible call, as in windows-service.
pub type Result<T> = std::result::Result<T, Error>;

/// An error, as in windows-service: SCM failures are [`Error::Winapi`] with the Win32 code as
/// the `io::Error`'s `raw_os_error()`.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Kernel drivers do not support launch arguments.
    LaunchArgumentsNotSupported,
    /// A raw value could not be parsed.
    ParseValue(&'static str, service::ParseRawError),
    /// An argument contains a nul character.
    ArgumentHasNulByte(&'static str),
    /// An element of an argument array contains a nul character.
    ArgumentArrayElementHasNulByte(&'static str, usize),
    /// A Win32 call failed; `raw_os_error()` is the Win32 error code.
    Winapi(std::io::Error),
}

impl Error {
    /// An [`Error::Winapi`] with Win32 code `code`.
    pub fn from_win32(code: u32) -> Error {
        Error::Winapi(std::io::Error::from_raw_os_error(code as i32))
    }

    /// The Win32 code of an [`Error::Winapi`].
    pub fn raw_os_error(&self) -> Option<i32> {
        match self {
            Error::Winapi(e) => e.raw_os_error(),
            _ => None,
        }
    }
}

impl From<scm_sim::Win32Error> for Error {
    fn from(e: scm_sim::Win32Error) -> Error {
        Error::from_win32(e.code())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::ParseValue(_, e) => Some(e),
            Error::Winapi(e) => Some(e),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::LaunchArgumentsNotSupported => {
                f.write_str("kernel drivers do not support launch arguments")
            }
            Error::ParseValue(what, _) => write!(f, "invalid {what} value"),
            Error::ArgumentHasNulByte(what) => write!(f, "{what} contains a nul byte"),
            Error::ArgumentArrayElementHasNulByte(what, i) => {
                write!(f, "{what} contains a nul byte in element at {i} index")
            }
            Error::Winapi(e) => write!(f, "IO error in winapi call: {e}"),
        }
    }
}

/// Fails with a nul-byte error when `s` holds a nul character.
pub(crate) fn no_nul(what: &'static str, s: &std::ffi::OsStr) -> Result<String> {
    let s = s.to_string_lossy().into_owned();
    if s.contains('\0') {
        return Err(Error::ArgumentHasNulByte(what));
    }
    Ok(s)
}
