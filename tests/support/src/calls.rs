//! Free functions over a [`Machine`]: an SCM handle, creating, installing and opening services,
//! their status, and reports made from inside the machine's runtime.

use scm_sim::scm::access::{SC_MANAGER_ALL_ACCESS, SERVICE_ALL_ACCESS};
use scm_sim::scm::{CreateServiceParams, ScHandle};
use scm_sim::service::{
    RawServiceStatus, Service, ServiceControl, ServiceState, ServiceStatus, ServiceStatusProcess,
    ServiceTable, StatusHandle,
};
use scm_sim::{Machine, Win32Error};

/// An empty, booted machine (no services, seed 0, default settings).
pub fn machine() -> Machine {
    Machine::builder().build().expect("the empty image loads")
}

/// An SCM handle with every right, as the machine's default caller (an administrator).
pub fn admin_scm(m: &mut Machine) -> ScHandle {
    m.open_sc_manager(SC_MANAGER_ALL_ACCESS)
        .expect("administrators get SC_MANAGER_ALL_ACCESS")
}

/// Creates an own-process, demand-start service.
pub fn create_own(m: &mut Machine, scm: ScHandle, name: &str, image: &str) -> ScHandle {
    m.create_service(scm, &CreateServiceParams::own_process(name, image))
        .unwrap_or_else(|e| panic!("create {name}: {e:?}"))
}

/// Installs `service` as the only entry of `image`'s dispatch table and creates an
/// own-process service `name` for it.
pub fn install_own(m: &mut Machine, name: &str, image: &str, service: impl Service) -> ScHandle {
    m.install(image, ServiceTable::single(name, service));
    let scm = admin_scm(m);
    create_own(m, scm, name, image)
}

/// Opens a service with every right.
pub fn open_all(m: &mut Machine, name: &str) -> ScHandle {
    let scm = admin_scm(m);
    m.open_service(scm, name, SERVICE_ALL_ACCESS)
        .unwrap_or_else(|e| panic!("open {name}: {e:?}"))
}

/// The status of a service handle.
pub fn status(m: &mut Machine, h: ScHandle) -> ServiceStatusProcess {
    m.query_service_status(h).expect("query status")
}

/// The state of a service handle.
pub fn state(m: &mut Machine, h: ScHandle) -> ServiceState {
    status(m, h).current_state
}

/// The code of a result (0 for success).
pub fn code<T>(r: &Result<T, Win32Error>) -> u32 {
    match r {
        Ok(_) => 0,
        Err(e) => e.code(),
    }
}

/// SetServiceStatus from inside the machine's runtime, then lets the machine settle.
pub fn report(m: &mut Machine, h: &StatusHandle, s: ServiceStatus) -> Result<(), Win32Error> {
    let r = m.block_on(async { h.set_status(s) });
    m.settle();
    r
}

/// SetServiceStatus with raw DWORDs, from inside the machine's runtime, then lets the machine
/// settle.
pub fn report_raw(
    m: &mut Machine,
    h: &StatusHandle,
    raw: RawServiceStatus,
) -> Result<(), Win32Error> {
    let r = m.block_on(async { h.set_status_raw(raw) });
    m.settle();
    r
}

/// ControlService with a raw `dwControl`, as a C caller passes it: the code is converted at
/// the edge (an undefined one fails there with ERROR_INVALID_PARAMETER, 87, as ControlService
/// answers it), then sent through the typed API.
pub fn control_raw(
    m: &mut Machine,
    h: ScHandle,
    code: u32,
) -> Result<ServiceStatusProcess, Win32Error> {
    ServiceControl::from_raw(code).and_then(|c| m.control_service(h, c))
}
