//! The management API of [`Scm`]: handles (OpenSCManager, OpenService, CloseServiceHandle),
//! DeleteService, StartService and ControlService, and status queries, with the checks
//! CreateService and ChangeServiceConfig share. CreateService is in `create.rs`,
//! configuration queries and changes in `config.rs`, enumeration and name lookups in
//! `enumerate.rs`, NotifyServiceStatusChange in `notify.rs`.

use fake_registry::service::{service_key_path, ServiceKey};
use fake_registry::Caller;

use crate::error::Win32Error;
use crate::events::{ScmEvent, TraceKind};
use crate::scm::handles::{
    access, grant, scm_rights_for, service_rights_for, HandleEntry, HandleTarget,
};
use crate::scm::StartReason;
use crate::scm::{ScHandle, Scm, State};
use crate::service::{
    ServiceControl, ServiceStartType, ServiceStatusProcess, ServiceType, StopReason, StopReasonKind,
};
use access::{ScmAccess, ServiceAccess};

pub(crate) fn validate_name(name: &str) -> Result<(), Win32Error> {
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
    pub(super) fn api_call(
        &self,
        api: &'static str,
        service: Option<&str>,
        args: impl FnOnce() -> String,
    ) {
        let mut st = self.core.lock();
        let service = service.map(|s| st.shared_name(s));
        st.trace_with(|| TraceKind::ApiCall {
            caller: "client".into(),
            api: api.into(),
            service,
            args: args().into(),
        });
    }

    pub(super) fn api_return<T>(
        &self,
        api: &'static str,
        service: Option<&str>,
        r: &Result<T, Win32Error>,
    ) {
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
        if st.life.off {
            return Err(Win32Error::RPC_SERVER_UNAVAILABLE);
        }
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
        st.notifications.close_handle(h.0);
        if let HandleTarget::Service { key } = entry.target {
            st.purge_if_deleted(&key);
        }
        Ok(())
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
        // MS-SCMR 3.1.4.3 (RDeleteService): DeleteFlag=1 and the start type set to
        // SERVICE_DISABLED, so a marked service cannot be started again.
        for (value, data) in [("DeleteFlag", 1), ("Start", 4)] {
            let _ =
                st.registry
                    .set_value(&system, &path, value, fake_registry::RegValue::dword(data));
        }
        let _ = st.reload_config(&key);
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
