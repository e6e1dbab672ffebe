//! The management API of [`Scm`]: handles (OpenSCManager, OpenService, CloseServiceHandle),
//! CreateService and DeleteService, StartService and ControlService, and status queries.
//! Configuration queries and changes are in `config.rs`, enumeration and name lookups in
//! `enumerate.rs`, NotifyServiceStatusChange in `notify.rs`.

use serde::{Deserialize, Serialize};

use fake_registry::service::{service_key_path, ServiceKey};
use fake_registry::Caller;

use crate::error::Win32Error;
use crate::events::{ScmEvent, TraceKind};
use crate::scm::handles::{
    access, grant, scm_rights_for, service_rights_for, HandleEntry, HandleTarget,
};
use crate::scm::record::ServiceRecord;
use crate::scm::StartReason;
use crate::scm::{ScHandle, Scm, State};
use crate::service::{
    ServiceControl, ServiceErrorControl, ServiceName, ServiceStartType, ServiceStatusProcess,
    ServiceType, StopReason, StopReasonKind,
};
use access::{ScmAccess, ServiceAccess};

/// The arguments of CreateService.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateServiceParams {
    /// lpServiceName: the key name.
    pub name: String,
    /// lpDisplayName (`None`: the key name).
    pub display_name: Option<String>,
    /// dwDesiredAccess for the returned handle (0 is allowed).
    pub desired_access: ServiceAccess,
    /// dwServiceType (combinations the SCM refuses, e.g. own | share, are refused by
    /// CreateService with 87).
    pub service_type: ServiceType,
    /// dwStartType (BOOT_START or SYSTEM_START for a Win32 service is refused with 87).
    pub start_type: ServiceStartType,
    /// dwErrorControl.
    pub error_control: ServiceErrorControl,
    /// lpBinaryPathName (stored as REG_EXPAND_SZ ImagePath).
    pub binary_path: String,
    /// lpLoadOrderGroup.
    pub load_order_group: Option<String>,
    /// lpdwTagId non-NULL: ask for a tag in the group.
    pub want_tag: bool,
    /// lpDependencies: service names, and group names prefixed with `+`.
    pub dependencies: Vec<String>,
    /// lpServiceStartName (`None`: LocalSystem).
    pub account: Option<String>,
    /// lpPassword (not checked; recorded nowhere).
    pub password: Option<String>,
}

impl CreateServiceParams {
    /// An own-process, demand-start service with normal error control.
    pub fn own_process(name: &str, binary_path: &str) -> CreateServiceParams {
        CreateServiceParams {
            name: name.to_string(),
            display_name: None,
            desired_access: access::SERVICE_ALL_ACCESS,
            service_type: ServiceType::OWN_PROCESS,
            start_type: ServiceStartType::OnDemand,
            error_control: ServiceErrorControl::Normal,
            binary_path: binary_path.to_string(),
            load_order_group: None,
            want_tag: false,
            dependencies: Vec::new(),
            account: None,
            password: None,
        }
    }

    /// A share-process service (same fields as [`CreateServiceParams::own_process`]).
    pub fn share_process(name: &str, binary_path: &str) -> CreateServiceParams {
        CreateServiceParams {
            service_type: ServiceType::SHARE_PROCESS,
            ..CreateServiceParams::own_process(name, binary_path)
        }
    }
}

fn validate_name(name: &str) -> Result<(), Win32Error> {
    if name.is_empty() || name.len() > 256 || name.contains('/') || name.contains('\\') {
        return Err(Win32Error::INVALID_NAME);
    }
    Ok(())
}

/// The type and start checks shared by CreateService and ChangeServiceConfig: the
/// combinations a typed value can still hold and Windows refuses (87). Undefined start types
/// and error controls cannot reach here: `from_raw` refused them at the edge, with 87 too.
pub(crate) fn validate_type_start(
    t: ServiceType,
    start: ServiceStartType,
    account: Option<&str>,
) -> Result<(), Win32Error> {
    let service_type = t.to_raw();
    let base = service_type & !ServiceType::INTERACTIVE_PROCESS.0;
    let valid_base = matches!(base, 0x1 | 0x2 | 0x10 | 0x20);
    if !valid_base || service_type & !0x13F != 0 {
        return Err(Win32Error::INVALID_PARAMETER);
    }
    if t.contains(ServiceType::INTERACTIVE_PROCESS) {
        if !t.is_win32() {
            return Err(Win32Error::INVALID_PARAMETER);
        }
        let system = account.is_none_or(|a| a.is_empty() || a.eq_ignore_ascii_case("LocalSystem"));
        if !system {
            return Err(Win32Error::INVALID_PARAMETER);
        }
    }
    let driver_start = matches!(
        start,
        ServiceStartType::BootStart | ServiceStartType::SystemStart
    );
    if t.is_win32() && driver_start {
        return Err(Win32Error::INVALID_PARAMETER);
    }
    Ok(())
}

/// True when adding `deps` to `name` would close a cycle in DependOnService.
pub(crate) fn creates_cycle(st: &State, name: &str, deps: &[String]) -> bool {
    let mut stack: Vec<String> = deps
        .iter()
        .map(|d| crate::service::ServiceName::fold(d).into_owned())
        .collect();
    let target = crate::service::ServiceName::fold(name).into_owned();
    let mut seen = std::collections::BTreeSet::new();
    while let Some(cur) = stack.pop() {
        if cur == target {
            return true;
        }
        if !seen.insert(cur.clone()) {
            continue;
        }
        if let Some(r) = st.records.get(&cur) {
            stack.extend(
                r.config
                    .depend_on_service
                    .iter()
                    .map(|d| crate::service::ServiceName::fold(d).into_owned()),
            );
        }
    }
    false
}

/// CreateService's checks in Windows' order (name, path, type and start, tag, existing name,
/// display-name clash, dependency cycle) and the configuration they allow.
fn new_service_config(st: &State, p: &CreateServiceParams) -> Result<ServiceKey, Win32Error> {
    validate_name(&p.name)?;
    if p.binary_path.is_empty() {
        return Err(Win32Error::INVALID_PARAMETER);
    }
    validate_type_start(p.service_type, p.start_type, p.account.as_deref())?;
    let group = p.load_order_group.clone().filter(|g| !g.is_empty());
    if p.want_tag && group.is_none() {
        return Err(Win32Error::INVALID_PARAMETER);
    }
    if let Some(existing) = st.records.get(&p.name) {
        return Err(if existing.marked_for_delete {
            Win32Error::SERVICE_MARKED_FOR_DELETE
        } else {
            Win32Error::SERVICE_EXISTS
        });
    }
    let display = p
        .display_name
        .clone()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| p.name.clone());
    if st.records.contains_key(&display) {
        return Err(Win32Error::DUPLICATE_SERVICE_NAME);
    }
    let (services, groups) = split_dependencies(&p.dependencies);
    if creates_cycle(st, &p.name, &services) {
        return Err(Win32Error::CIRCULAR_DEPENDENCY);
    }
    let mut config = ServiceKey::new(
        p.service_type.to_raw(),
        p.start_type.to_raw(),
        p.error_control.to_raw(),
    );
    config.image_path = Some(p.binary_path.clone());
    config.display_name = Some(display);
    config.object_name = Some(
        p.account
            .clone()
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| "LocalSystem".into()),
    );
    config.depend_on_service = services;
    config.depend_on_group = groups;
    if p.want_tag {
        config.tag = Some(next_tag(st, group.as_deref().unwrap_or("")));
    }
    config.group = group;
    Ok(config)
}

/// Splits lpDependencies into services and groups (`+Group`).
pub(crate) fn split_dependencies(deps: &[String]) -> (Vec<String>, Vec<String>) {
    let mut services = Vec::new();
    let mut groups = Vec::new();
    for d in deps.iter().filter(|d| !d.is_empty()) {
        match d.strip_prefix('+') {
            Some(g) => groups.push(g.to_string()),
            None => services.push(d.clone()),
        }
    }
    (services, groups)
}

impl State {
    pub(crate) fn service_handle(
        &self,
        h: ScHandle,
        right: ServiceAccess,
    ) -> Result<String, Win32Error> {
        let right = right.bits();
        let entry = self.handles.get(h)?;
        let HandleTarget::Service { key } = &entry.target else {
            return Err(Win32Error::INVALID_HANDLE);
        };
        if entry.granted & right != right {
            return Err(Win32Error::ACCESS_DENIED);
        }
        Ok(key.clone())
    }

    pub(crate) fn manager_handle(
        &self,
        h: ScHandle,
        right: ScmAccess,
    ) -> Result<&HandleEntry, Win32Error> {
        let right = right.bits();
        let entry = self.handles.get(h)?;
        if !matches!(entry.target, HandleTarget::Manager) {
            return Err(Win32Error::INVALID_HANDLE);
        }
        if entry.granted & right != right {
            return Err(Win32Error::ACCESS_DENIED);
        }
        Ok(entry)
    }

    /// Re-reads a record's configuration from the registry after a change through the API.
    pub(crate) fn reload_config(&mut self, key: &str) -> Result<(), Win32Error> {
        let name = self
            .record(key)
            .map(|r| r.name.to_string())
            .ok_or(Win32Error::SERVICE_DOES_NOT_EXIST)?;
        let config = ServiceKey::read(&self.registry, &Caller::local_system(), &name)
            .map_err(|e| Win32Error(e.code()))?;
        let display = self.resolve_display(&name, config.display_name.as_deref());
        self.records.set_config(key, config, display);
        Ok(())
    }
}

impl Scm {
    fn api_call(&self, api: &'static str, service: Option<&str>, args: impl FnOnce() -> String) {
        let mut st = self.core.lock();
        let service = service.map(|s| st.shared_name(s));
        st.trace_with(|| TraceKind::ApiCall {
            caller: "client".into(),
            api: api.into(),
            service,
            args: args().into(),
        });
    }

    fn api_return<T>(&self, api: &'static str, service: Option<&str>, r: &Result<T, Win32Error>) {
        let mut st = self.core.lock();
        let service = service.map(|s| st.shared_name(s));
        st.trace_with(|| TraceKind::ApiReturn {
            api: api.into(),
            service,
            result: r.as_ref().err().map(|e| e.code()).unwrap_or(0),
        });
    }

    /// OpenSCManager on the local machine's ServicesActive database.
    pub fn open_sc_manager(
        &self,
        caller: &Caller,
        desired_access: ScmAccess,
    ) -> Result<ScHandle, Win32Error> {
        let mut st = self.core.lock();
        let granted = grant(
            access::map_scm(desired_access.bits()),
            scm_rights_for(caller).bits(),
        )?;
        Ok(st.handles.insert(HandleEntry {
            target: HandleTarget::Manager,
            granted: granted | ScmAccess::CONNECT.bits(),
            caller: caller.clone(),
        }))
    }

    /// OpenService by key name (display names are not accepted: 1060).
    pub fn open_service(
        &self,
        scm: ScHandle,
        name: &str,
        desired_access: ServiceAccess,
    ) -> Result<ScHandle, Win32Error> {
        let mut st = self.core.lock();
        let caller = st.manager_handle(scm, ScmAccess::empty())?.caller.clone();
        validate_name(name)?;
        let key = crate::service::ServiceName::fold(name).into_owned();
        if !st.records.contains_key(&key) {
            return Err(Win32Error::SERVICE_DOES_NOT_EXIST);
        }
        let granted = grant(
            access::map_service(desired_access.bits()),
            service_rights_for(&caller).bits(),
        )?;
        Ok(st.handles.insert(HandleEntry {
            target: HandleTarget::Service { key },
            granted,
            caller,
        }))
    }

    /// CloseServiceHandle. Closing the last handle of a deleted, stopped service removes it;
    /// pending notifications on the handle are cancelled.
    pub fn close_service_handle(&self, h: ScHandle) -> Result<(), Win32Error> {
        let mut st = self.core.lock();
        let entry = st.handles.remove(h)?;
        st.notifications.remove(&h.0);
        if let HandleTarget::Service { key } = entry.target {
            st.purge_if_deleted(&key);
        }
        Ok(())
    }

    /// CreateService, with Windows' checks in Windows' order.
    pub fn create_service(
        &self,
        scm: ScHandle,
        p: &CreateServiceParams,
    ) -> Result<ScHandle, Win32Error> {
        self.api_call("CreateService", Some(&p.name), || p.binary_path.clone());
        let r = self.create_service_inner(scm, p);
        self.api_return("CreateService", Some(&p.name), &r);
        r
    }

    fn create_service_inner(
        &self,
        scm: ScHandle,
        p: &CreateServiceParams,
    ) -> Result<ScHandle, Win32Error> {
        let mut guard = self.core.lock();
        let st = &mut *guard;
        let caller = st
            .manager_handle(scm, access::SC_MANAGER_CREATE_SERVICE)?
            .caller
            .clone();
        let config = new_service_config(st, p)?;
        let granted = grant(
            access::map_service(p.desired_access.bits()),
            service_rights_for(&caller).bits(),
        )?;
        let system = Caller::local_system();
        st.registry
            .create_key(&system, &service_key_path(&p.name))
            .map_err(Win32Error::from)?;
        config
            .write(&mut st.registry, &system, &p.name)
            .map_err(|e| Win32Error(e.code()))?;
        let installed = ScmEvent::Installed {
            service_name: p.name.clone(),
            image_path: p.binary_path.clone(),
            service_type: crate::events::InstalledServiceType::from_type_bits(
                p.service_type.to_raw(),
            ),
            start_type: crate::events::StartTypeText::from_code(p.start_type.to_raw())
                .unwrap_or(crate::events::StartTypeText::Demand),
            account: config.object_name.clone().unwrap_or_default(),
        };
        let display = st.resolve_display(&p.name, config.display_name.as_deref());
        st.records
            .insert(ServiceRecord::new(&p.name, config, display));
        let key = ServiceName::fold(&p.name).into_owned();
        st.event(&key, installed);
        Ok(st.handles.insert(HandleEntry {
            target: HandleTarget::Service { key },
            granted,
            caller,
        }))
    }

    /// DeleteService: marks the service; it goes when stopped and its last handle closes.
    pub fn delete_service(&self, h: ScHandle) -> Result<(), Win32Error> {
        let mut guard = self.core.lock();
        let st = &mut *guard;
        let key = st.service_handle(h, ServiceAccess::DELETE)?;
        let rec = st
            .records
            .get_mut(&key)
            .ok_or(Win32Error::SERVICE_DOES_NOT_EXIST)?;
        if rec.marked_for_delete {
            return Err(Win32Error::SERVICE_MARKED_FOR_DELETE);
        }
        rec.marked_for_delete = true;
        let name = rec.name.to_string();
        let system = Caller::local_system();
        let path = service_key_path(&name);
        let _ = st.registry.set_value(
            &system,
            &path,
            "DeleteFlag",
            fake_registry::RegValue::dword(1),
        );
        st.trace_with(|| TraceKind::Note {
            text: format!("{name} marked for deletion").into(),
        });
        st.purge_if_deleted(&key);
        Ok(())
    }

    /// StartService: returns once the service's ServiceMain was started (or the start failed).
    pub async fn start_service(&self, h: ScHandle, args: &[&str]) -> Result<(), Win32Error> {
        let key = self.core.lock().service_handle(h, access::SERVICE_START)?;
        self.api_call("StartService", Some(&key), || args.join(" "));
        let r = self
            .core
            .start_service(
                key.clone(),
                args.iter().map(|s| s.to_string()).collect(),
                StartReason::Demand,
                Vec::new(),
            )
            .await;
        self.api_return("StartService", Some(&key), &r);
        r
    }

    /// ControlService: the status after the handler returned.
    pub async fn control_service(
        &self,
        h: ScHandle,
        control: ServiceControl,
    ) -> Result<ServiceStatusProcess, Win32Error> {
        self.core.control_service(h, control).await
    }

    /// ControlServiceEx with SERVICE_CONTROL_STATUS_REASON_INFO: as ControlService, and a
    /// successful STOP with a reason logs event 7042 (reason code and comment). An undefined
    /// raw reason is refused by [`StopReason::from_raw`] (87) before the call.
    pub async fn control_service_ex(
        &self,
        h: ScHandle,
        control: ServiceControl,
        reason: StopReason,
        comment: Option<&str>,
    ) -> Result<ServiceStatusProcess, Win32Error> {
        if comment.is_some_and(|c| c.chars().count() > 128) {
            return Err(Win32Error::INVALID_PARAMETER);
        }
        let status = self.core.control_service(h, control).await?;
        if control == ServiceControl::Stop {
            let mut st = self.core.lock();
            let key = st.service_handle(h, ServiceAccess::empty())?;
            let display = st.display_name(&key);
            let planned = match reason.kind() {
                StopReasonKind::Planned => "Planned",
                StopReasonKind::Unplanned => "Unplanned",
                StopReasonKind::Custom => "Custom",
            };
            st.event(
                &key,
                ScmEvent::StopWithReason {
                    display_name: display,
                    control: crate::events::ControlWord::Stop,
                    reason_code: reason.code(),
                    reason_text: format!(
                        "major 0x{:x}, minor 0x{:x} ({planned})",
                        reason.major(),
                        reason.minor()
                    ),
                    comment: comment
                        .filter(|c| !c.is_empty())
                        .unwrap_or("None")
                        .to_string(),
                },
            );
        }
        Ok(status)
    }

    /// OpenSCManager naming a database: `None` or `ServicesActive` (any case) opens it;
    /// `ServicesFailed` gives ERROR_DATABASE_DOES_NOT_EXIST (1065), any other name
    /// ERROR_INVALID_NAME (123).
    pub fn open_sc_manager_database(
        &self,
        caller: &Caller,
        database: Option<&str>,
        desired_access: ScmAccess,
    ) -> Result<ScHandle, Win32Error> {
        match database {
            None => {}
            Some(d) if d.eq_ignore_ascii_case("ServicesActive") => {}
            Some(d) if d.eq_ignore_ascii_case("ServicesFailed") => {
                return Err(Win32Error::DATABASE_DOES_NOT_EXIST)
            }
            Some(_) => return Err(Win32Error::INVALID_NAME),
        }
        self.open_sc_manager(caller, desired_access)
    }

    /// QueryServiceStatusEx (QueryServiceStatus is the same without pid and flags).
    pub fn query_service_status(&self, h: ScHandle) -> Result<ServiceStatusProcess, Win32Error> {
        let st = self.core.lock();
        let key = st.service_handle(h, access::SERVICE_QUERY_STATUS)?;
        st.record(&key)
            .map(|r| r.status_process())
            .ok_or(Win32Error::SERVICE_DOES_NOT_EXIST)
    }
}

fn next_tag(st: &State, group: &str) -> u32 {
    let used: std::collections::BTreeSet<u32> = st
        .records
        .values()
        .filter(|r| r.group().eq_ignore_ascii_case(group))
        .filter_map(|r| r.config.tag)
        .collect();
    (1..).find(|t| !used.contains(t)).unwrap_or(1)
}
