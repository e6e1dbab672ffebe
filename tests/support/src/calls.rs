//! Free functions over a [`Machine`]: an SCM handle, creating, installing and opening services,
//! their status, and reports made from inside the machine's runtime; and the edges where a
//! test passes raw codes as a C caller would (`control_raw`, `create_raw`, `enum_raw`,
//! `enum_dependents_raw`, `notify_raw`, `control_ex_raw`): each converts with the type's
//! `from_raw`, so an undefined code fails with the error Windows gives (87), then calls the
//! typed API.

use std::ops::{Deref, DerefMut};

use scm_sim::scm::access::{SC_MANAGER_ALL_ACCESS, SERVICE_ALL_ACCESS};
use scm_sim::scm::{CreateServiceParams, EnumServiceStatus, ScHandle, StatusNotification};
use scm_sim::service::{
    RawServiceStatus, Service, ServiceControl, ServiceErrorControl, ServiceNotifyMask,
    ServiceStartType, ServiceState, ServiceStateFilter, ServiceStatus, ServiceStatusProcess,
    ServiceTable, ServiceType, StatusHandle, StopReason,
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

/// CreateService's arguments as a C caller passes them: dwServiceType, dwStartType and
/// dwErrorControl raw (these fields shadow the typed ones), the other arguments those of
/// `params` (reached through `Deref`, so a table row edits `p.name` or `p.start_type` alike).
#[derive(Debug, Clone)]
pub struct RawCreateParams {
    /// dwServiceType.
    pub service_type: u32,
    /// dwStartType.
    pub start_type: u32,
    /// dwErrorControl.
    pub error_control: u32,
    /// The other arguments (their typed codes are replaced by the raw ones above).
    pub params: CreateServiceParams,
}

impl RawCreateParams {
    /// The raw form of typed arguments.
    pub fn new(params: CreateServiceParams) -> RawCreateParams {
        RawCreateParams {
            service_type: params.service_type.to_raw(),
            start_type: params.start_type.code(),
            error_control: params.error_control.code(),
            params,
        }
    }

    /// The typed arguments: the edge conversions, where an undefined code fails with the
    /// error Windows gives it (87).
    pub fn to_typed(&self) -> Result<CreateServiceParams, Win32Error> {
        Ok(CreateServiceParams {
            service_type: ServiceType::from_raw(self.service_type)?,
            start_type: ServiceStartType::from_raw(self.start_type)?,
            error_control: ServiceErrorControl::from_raw(self.error_control)?,
            ..self.params.clone()
        })
    }
}

impl Deref for RawCreateParams {
    type Target = CreateServiceParams;
    fn deref(&self) -> &CreateServiceParams {
        &self.params
    }
}

impl DerefMut for RawCreateParams {
    fn deref_mut(&mut self) -> &mut CreateServiceParams {
        &mut self.params
    }
}

/// CreateService with raw codes: converted at the edge, then sent through the typed API.
pub fn create_raw(
    m: &mut Machine,
    scm: ScHandle,
    p: &RawCreateParams,
) -> Result<ScHandle, Win32Error> {
    p.to_typed().and_then(|typed| m.create_service(scm, &typed))
}

/// EnumServicesStatusEx with raw `dwServiceType` and `dwServiceState`, converted at the edge
/// (bits outside SERVICE_TYPE_ALL or SERVICE_STATE_ALL fail there with 87).
pub fn enum_raw(
    m: &mut Machine,
    scm: ScHandle,
    service_type: u32,
    state: u32,
    group: Option<&str>,
) -> Result<Vec<EnumServiceStatus>, Win32Error> {
    let service_type = ServiceType::from_raw(service_type)?;
    let state = ServiceStateFilter::from_raw(state)?;
    m.enum_services_status(scm, service_type, state, group)
}

/// EnumDependentServices with a raw `dwServiceState`, converted at the edge.
pub fn enum_dependents_raw(
    m: &mut Machine,
    h: ScHandle,
    state: u32,
) -> Result<Vec<EnumServiceStatus>, Win32Error> {
    let state = ServiceStateFilter::from_raw(state)?;
    m.enum_dependent_services(h, state)
}

/// NotifyServiceStatusChange with a raw `dwNotifyMask`, converted at the edge.
pub fn notify_raw(
    m: &mut Machine,
    h: ScHandle,
    mask: u32,
) -> Result<StatusNotification, Win32Error> {
    let mask = ServiceNotifyMask::from_raw(mask)?;
    m.notify_service_status_change(h, mask)
}

/// ControlServiceEx with a raw `dwReason`, converted at the edge (87 for an undefined one, as
/// ControlServiceEx answers it).
pub fn control_ex_raw(
    m: &mut Machine,
    h: ScHandle,
    control: ServiceControl,
    reason: u32,
    comment: Option<&str>,
) -> Result<ServiceStatusProcess, Win32Error> {
    let reason = StopReason::from_raw(reason)?;
    m.control_service_ex(h, control, reason, comment)
}
