//! Helpers shared by the tests of the drop-in crate.

#![allow(dead_code)]

use std::time::Duration;

use windows_service::service::{
    Service, ServiceAccess, ServiceControlAccept, ServiceErrorControl, ServiceExitCode,
    ServiceInfo, ServiceStartType, ServiceState, ServiceStatus, ServiceType,
};
use windows_service::service_manager::{ServiceManager, ServiceManagerAccess};

/// Runs `f` on its own thread and fails if it takes longer than a real minute (a hang guard,
/// not a timing assertion: everything in `f` runs on virtual time).
pub fn guarded<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)));
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(Ok(r)) => r,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => panic!("hung for a real minute"),
    }
}

/// A status report in windows-service's shape.
pub fn status(state: ServiceState, accept: ServiceControlAccept) -> ServiceStatus {
    ServiceStatus {
        service_type: ServiceType::OWN_PROCESS,
        current_state: state,
        controls_accepted: accept,
        exit_code: ServiceExitCode::Win32(0),
        checkpoint: 0,
        wait_hint: Duration::ZERO,
        process_id: None,
    }
}

/// Creates an own-process, demand-start service for `exe` on the machine in scope.
pub fn install_and_open(name: &str, exe: &str) -> Service {
    let manager =
        ServiceManager::local_computer(None::<&str>, ServiceManagerAccess::ALL_ACCESS).unwrap();
    let info = ServiceInfo {
        name: name.into(),
        display_name: name.into(),
        service_type: ServiceType::OWN_PROCESS,
        start_type: ServiceStartType::OnDemand,
        error_control: ServiceErrorControl::Normal,
        executable_path: exe.into(),
        launch_arguments: vec![],
        dependencies: vec![],
        account_name: None,
        account_password: None,
    };
    manager
        .create_service(&info, ServiceAccess::ALL_ACCESS)
        .unwrap()
}
