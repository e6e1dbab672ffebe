//! scm-sim: a simulated Windows Service Control Manager on virtual time.
//!
//! Run real service code — an async ServiceMain with a HandlerEx-shaped control handler and a
//! status handle, as on Windows — against a simulated `services.exe` with its registry,
//! processes, dispatchers, dependencies and timeouts, on any OS, deterministically. A 30 s
//! timeout costs microseconds: every machine runs on its own paused tokio clock.
//!
//! # A short tour
//!
//! ```
//! use scm_sim::{Machine, machine::Image};
//! use scm_sim::scm::{access, ChangeConfigParams, CreateServiceParams};
//! use scm_sim::service::{service_fn, ServiceTable, ServiceContext, ServiceStatus, ServiceState,
//!     ServiceControl, ServiceControlAccept, ServiceControlHandlerResult, ServiceExitCode,
//!     ServiceStartType, ServiceStateFilter, ServiceType};
//!
//! let mut m = Machine::builder().image(Image::Empty).build().unwrap();
//! m.install(r"C:\svc\echo.exe", ServiceTable::single("Echo", service_fn(|ctx: ServiceContext, _args| async move {
//!     let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
//!     let status = ctx.register_handler(move |req| match req.control {
//!         ServiceControl::Stop => { let _ = tx.send(()); ServiceControlHandlerResult::NoError }
//!         _ => ServiceControlHandlerResult::NotImplemented,
//!     }).unwrap();
//!     status.set_status(ServiceStatus::running(ServiceControlAccept::STOP)).unwrap();
//!     rx.recv().await;
//!     status.set_status(ServiceStatus::stopped(ServiceExitCode::NO_ERROR)).unwrap();
//! })));
//! let scm = m.open_sc_manager(access::SC_MANAGER_ALL_ACCESS).unwrap();
//! let h = m.create_service(scm, &CreateServiceParams::own_process("Echo", r"C:\svc\echo.exe")).unwrap();
//! m.start_service(h, &[]).unwrap();
//! assert_eq!(m.query_service_status(h).unwrap().current_state, ServiceState::Running);
//! // Codes are types; raw numbers convert at the edges (ServiceStartType::from_raw(9) is
//! // ERROR_INVALID_PARAMETER, 87, as Windows answers it).
//! m.change_service_config(h, &ChangeConfigParams {
//!     start_type: Some(ServiceStartType::AutoStart),
//!     ..ChangeConfigParams::default()
//! }).unwrap();
//! assert_eq!(m.query_service_config(h).unwrap().start_type, ServiceStartType::AutoStart);
//! let active = m.enum_services_status(scm, ServiceType::WIN32, ServiceStateFilter::ACTIVE, None).unwrap();
//! assert_eq!(active.len(), 1);
//! // Each blocking call runs, then settles (Machine::call_blocking): STOPPED is reported by the
//! // time control_service returns.
//! m.control_service(h, ServiceControl::Stop).unwrap();
//! assert_eq!(m.query_service_status(h).unwrap().current_state, ServiceState::Stopped);
//! ```
//!
//! # Modules
//!
//! | module | job |
//! |---|---|
//! | [`machine`] | a machine: image, builder, boot, the blocking API, virtual time |
//! | [`scm`] | the services.exe model: database, handles, management API, dispatch, boot, hang watchdog |
//! | [`process`] | simulated processes, the programs they run and their control dispatchers |
//! | [`service`] | what service code sees: the Service trait, context, status handle, tracked threads, scripted services |
//! | [`events`] | the event log and the trace (timeline) |
//! | [`sim`] | virtual time, tracked threads, seeded random streams, work tracker, violation oracle, replay |
//! | [`svchost`] | service DLLs in shared hosts, the 1703 split |
//! | [`triggers`] | trigger events, matching, actions and the TRIGGEREVENT queue |
//! | [`error`] | Win32 error codes with names and messages |
//!
//! The service states, controls, status, codes and `ServiceName` are defined in a private
//! module below all of these and used through [`service`]. No module depends on one that
//! depends on it (`scm-sim/tests/module_graph` checks it; README, Contributing).
//!
//! # Limitations
//!
//! - Handler and ServiceMain code runs as tokio tasks on one thread; a service that blocks
//!   the thread (std::thread::sleep, a busy loop) blocks the whole machine.
//! - No security descriptors per service: access is granted by caller kind (administrators
//!   and SYSTEM get everything, standard users read, interrogate and send user controls).
//! - Processes are modelled, not executed: an image with no program installed runs the
//!   scripted default service.
//! - No shutdown sequence, LockServiceDatabase, or per-user services yet.
//! - Virtual time moves in whole milliseconds (tokio's timer wheel).

#![deny(missing_docs)]

/// The README's Rust snippets, compiled and run with the doctests, so the API they show is
/// the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

pub use fake_registry as registry;

pub mod bench;
pub mod cli;
pub mod error;
pub mod events;
pub mod machine;
pub mod process;
pub mod scm;
pub mod service;
pub mod sim;
pub mod svchost;
pub mod triggers;
mod win32;

pub use error::Win32Error;
pub use machine::{Machine, MachineBuilder};
