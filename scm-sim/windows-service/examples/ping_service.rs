//! A ping service in windows-service style: it sends a UDP datagram to 127.0.0.1:1234 every
//! second until it is stopped, or told to stop with the user control 130.
//!
//! The one line that differs from a Windows-only program: its waits come from
//! `windows_service::sim` off Windows (virtual time under the simulator), from std on Windows.
//! Run directly it fails with 1063, as a service binary started from a console does.

fn main() -> windows_service::Result<()> {
    ping_service::run()
}

/// The service.
pub mod ping_service {
    use std::ffi::OsString;
    use std::net::{IpAddr, SocketAddr, UdpSocket};
    #[cfg(windows)]
    use std::sync::mpsc::{channel, RecvTimeoutError};
    use std::time::Duration;
    #[cfg(not(windows))]
    use windows_service::sim::{channel, RecvTimeoutError};
    use windows_service::{
        define_windows_service,
        service::{
            ServiceControl, ServiceControlAccept, ServiceExitCode, ServiceState, ServiceStatus,
            ServiceType,
        },
        service_control_handler::{self, ServiceControlHandlerResult},
        service_dispatcher, Result,
    };

    /// The service's key name.
    pub const SERVICE_NAME: &str = "ping_service";
    const PING_EVERY: Duration = Duration::from_secs(1);

    /// The program's `main`: hands the ServiceMain to the SCM and blocks until it stopped.
    pub fn run() -> Result<()> {
        service_dispatcher::start(SERVICE_NAME, ffi_service_main)
    }

    define_windows_service!(ffi_service_main, service_main);

    fn service_main(_arguments: Vec<OsString>) {
        let _ = run_service();
    }

    fn status(state: ServiceState, accept: ServiceControlAccept) -> ServiceStatus {
        ServiceStatus {
            service_type: ServiceType::OWN_PROCESS,
            current_state: state,
            controls_accepted: accept,
            exit_code: ServiceExitCode::Win32(0),
            checkpoint: 0,
            wait_hint: Duration::default(),
            process_id: None,
        }
    }

    fn run_service() -> Result<()> {
        let (stop_tx, stop_rx) = channel();
        let handler = move |control| -> ServiceControlHandlerResult {
            match control {
                ServiceControl::Interrogate => ServiceControlHandlerResult::NoError,
                ServiceControl::Stop => {
                    let _ = stop_tx.send(());
                    ServiceControlHandlerResult::NoError
                }
                ServiceControl::UserEvent(code) if code.to_raw() == 130 => {
                    let _ = stop_tx.send(());
                    ServiceControlHandlerResult::NoError
                }
                ServiceControl::UserEvent(_) => ServiceControlHandlerResult::NoError,
                _ => ServiceControlHandlerResult::NotImplemented,
            }
        };
        let handle = service_control_handler::register(SERVICE_NAME, handler)?;
        handle.set_service_status(status(ServiceState::Running, ServiceControlAccept::STOP))?;

        let socket = UdpSocket::bind(SocketAddr::new(IpAddr::from([127, 0, 0, 1]), 0)).ok();
        let target = SocketAddr::new(IpAddr::from([127, 0, 0, 1]), 1234);
        loop {
            if let Some(s) = &socket {
                let _ = s.send_to(b"ping\n", target);
            }
            match stop_rx.recv_timeout(PING_EVERY) {
                Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {}
            }
        }
        handle.set_service_status(status(ServiceState::Stopped, ServiceControlAccept::empty()))
    }
}
