//! OpenSCManager and what goes through it: [`ServiceManager`] creates and opens services on
//! the machine in scope ([`crate::sim::with_machine`]).

use std::ffi::OsStr;

use scm_sim::scm::access::{ScmAccess, ServiceAccess as SimServiceAccess};
use scm_sim::scm::{CreateServiceParams, ScHandle};

use crate::service::{Service, ServiceAccess, ServiceInfo};
use crate::sim::on_machine;
use crate::{no_nul, Error, Result};

bitflags::bitflags! {
    /// Access rights on the SCM (OpenSCManager's dwDesiredAccess).
    #[derive(PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Clone, Copy)]
    pub struct ServiceManagerAccess: u32 {
        /// SC_MANAGER_CONNECT.
        const CONNECT = 0x1;
        /// SC_MANAGER_CREATE_SERVICE.
        const CREATE_SERVICE = 0x2;
        /// SC_MANAGER_ENUMERATE_SERVICE.
        const ENUMERATE_SERVICE = 0x4;
        /// SC_MANAGER_ALL_ACCESS.
        const ALL_ACCESS = 0xF003F;
    }
}

/// A connection to the SCM of the machine in scope.
#[derive(Debug)]
pub struct ServiceManager {
    handle: ScHandle,
}

impl ServiceManager {
    /// OpenSCManager on the local computer (the machine in scope). `database` must be `None`
    /// or "ServicesActive" (ERROR_INVALID_NAME, 123, for another, as Windows answers).
    pub fn local_computer(
        database: Option<impl AsRef<OsStr>>,
        request_access: ServiceManagerAccess,
    ) -> Result<Self> {
        if let Some(db) = database {
            let db = no_nul("database name", db.as_ref())?;
            if !db.eq_ignore_ascii_case("ServicesActive") {
                return Err(Error::from_win32(123));
            }
        }
        let access = ScmAccess::from_bits_truncate(request_access.bits());
        let handle = on_machine(|m| m.open_sc_manager(access))??;
        Ok(ServiceManager { handle })
    }

    /// OpenSCManager on a remote computer: there is none in a simulation (RPC_S_SERVER_UNAVAILABLE, 1722).
    pub fn remote_computer(
        _machine: impl AsRef<OsStr>,
        _database: Option<impl AsRef<OsStr>>,
        _request_access: ServiceManagerAccess,
    ) -> Result<Self> {
        Err(Error::from_win32(1722))
    }

    /// CreateService.
    pub fn create_service(
        &self,
        service_info: &ServiceInfo,
        service_access: ServiceAccess,
    ) -> Result<Service> {
        let (account, password) = service_info.account()?;
        let params = CreateServiceParams {
            name: no_nul("service name", &service_info.name)?,
            display_name: Some(no_nul("display name", &service_info.display_name)?),
            desired_access: SimServiceAccess::from_bits_truncate(service_access.bits()),
            service_type: scm_sim::service::ServiceType(service_info.service_type.bits()),
            start_type: service_info.start_type.to_sim(),
            error_control: service_info.error_control.to_sim(),
            binary_path: service_info.command_line()?,
            load_order_group: None,
            want_tag: false,
            dependencies: service_info.dependency_names()?,
            account,
            password,
        };
        let h = on_machine(|m| m.create_service(self.handle, &params))??;
        Ok(Service::new(h))
    }

    /// OpenService.
    pub fn open_service(
        &self,
        name: impl AsRef<OsStr>,
        request_access: ServiceAccess,
    ) -> Result<Service> {
        let name = no_nul("service name", name.as_ref())?;
        let access = SimServiceAccess::from_bits_truncate(request_access.bits());
        let h = on_machine(|m| m.open_service(self.handle, &name, access))??;
        Ok(Service::new(h))
    }

    /// GetServiceKeyName: the key name for a display name.
    pub fn service_name_from_display_name(
        &self,
        display_name: impl AsRef<OsStr>,
    ) -> Result<std::ffi::OsString> {
        let display = no_nul("display name", display_name.as_ref())?;
        let name = on_machine(|m| m.get_service_key_name(self.handle, &display))??;
        Ok(name.into())
    }
}

impl Drop for ServiceManager {
    fn drop(&mut self) {
        let _ = on_machine(|m| m.close_service_handle(self.handle));
    }
}
