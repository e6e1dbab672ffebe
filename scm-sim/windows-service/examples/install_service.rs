//! Installs `ping_service` (windows-service style): run as an administrator on Windows, or
//! inside `windows_service::sim::with_machine` under the simulator.

fn main() -> windows_service::Result<()> {
    installer::install(r"C:\svc\ping_service.exe")
}

/// Install and uninstall.
pub mod installer {
    use std::ffi::OsString;
    use windows_service::{
        service::{
            ServiceAccess, ServiceErrorControl, ServiceInfo, ServiceStartType, ServiceState,
            ServiceType,
        },
        service_manager::{ServiceManager, ServiceManagerAccess},
    };

    /// Creates the service for `exe` with a description.
    pub fn install(exe: &str) -> windows_service::Result<()> {
        let access = ServiceManagerAccess::CONNECT | ServiceManagerAccess::CREATE_SERVICE;
        let manager = ServiceManager::local_computer(None::<&str>, access)?;
        let info = ServiceInfo {
            name: OsString::from("ping_service"),
            display_name: OsString::from("Ping service"),
            service_type: ServiceType::OWN_PROCESS,
            start_type: ServiceStartType::OnDemand,
            error_control: ServiceErrorControl::Normal,
            executable_path: exe.into(),
            launch_arguments: vec![],
            dependencies: vec![],
            account_name: None,
            account_password: None,
        };
        let service = manager.create_service(&info, ServiceAccess::CHANGE_CONFIG)?;
        service.set_description("Sends a ping to 127.0.0.1:1234 every second")?;
        Ok(())
    }

    /// Marks the service for deletion, stops it if it runs; true once it is gone.
    pub fn uninstall() -> windows_service::Result<bool> {
        let manager = ServiceManager::local_computer(None::<&str>, ServiceManagerAccess::CONNECT)?;
        let access = ServiceAccess::QUERY_STATUS | ServiceAccess::STOP | ServiceAccess::DELETE;
        let service = manager.open_service("ping_service", access)?;
        service.delete()?;
        if service.query_status()?.current_state != ServiceState::Stopped {
            service.stop()?;
        }
        drop(service);
        match manager.open_service("ping_service", ServiceAccess::QUERY_STATUS) {
            Err(e) if e.raw_os_error() == Some(1060) => Ok(true),
            Err(e) => Err(e),
            Ok(_) => Ok(false),
        }
    }
}
