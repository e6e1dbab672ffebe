//! The management API in blocking form: each call runs the async [`Scm`] call to completion
//! on the machine's runtime, then settles ([`Machine::call_blocking`] states the rule once).

use std::future::Future;

use super::Machine;
use crate::error::Win32Error;
use crate::scm::access::{ScmAccess, ServiceAccess};
use crate::scm::{
    ChangeConfigParams, CreateServiceParams, EnumServiceStatus, QueryServiceConfig, ScHandle, Scm,
    ServiceConfig2, ServiceConfig2Level, StatusNotification,
};
use crate::service::{
    ServiceControl, ServiceNotifyMask, ServiceStateFilter, ServiceStatusProcess, ServiceType,
    StopReason,
};

impl Machine {
    /// Runs one call of the async management API ([`Scm`]) to completion on the machine's
    /// runtime, then settles. Every blocking wrapper of the API follows this one rule: the
    /// methods of `Machine` below and the command line's `sc`, which adds only parsing and
    /// formatting.
    ///
    /// 1. The call runs inside the machine's runtime, so every timestamp it writes (trace
    ///    entries, events 7045 and 7040) is virtual time. A call that waits (StartService until
    ///    ServiceMain runs, ControlService until the handler returns) lets virtual time pass as
    ///    it needs, running everything due meanwhile; a call that does not wait returns at the
    ///    current instant without running anything else.
    /// 2. When it returns, the machine settles ([`Machine::settle`]): it runs until nothing
    ///    more happens at the current instant; no time passes. What the call set going at that
    ///    instant (the status reports of a handler, a process exit, a dependent's start, a
    ///    notification) is done before the caller's next call, so the next call sees the SCM
    ///    as a Windows caller sees it once services had the moment to respond.
    /// 3. Only where a Windows caller observes the state mid-flight does a wrapper use
    ///    [`Machine::call_unsettled`] instead: `sc start` prints the status right after
    ///    StartService returned (START_PENDING, the SCM's 2 s wait hint), then settles.
    ///
    /// # Panics
    ///
    /// As [`Machine::settle`]: when a hang ended the test (`HangAction::EndTest`), with the
    /// violation report and its replay token. Every blocking method of `Machine` below goes
    /// through here and panics the same way; with the default `HangAction::LeavePending`
    /// they never panic.
    ///
    /// ```
    /// use scm_sim::Machine;
    /// use scm_sim::scm::access::SC_MANAGER_ALL_ACCESS;
    /// use scm_sim::service::{ServiceStateFilter, ServiceType};
    ///
    /// let mut m = Machine::windows10();
    /// let caller = m.caller().clone();
    /// let running = m.call_blocking(|scm| async move {
    ///     let h = scm.open_sc_manager(&caller, SC_MANAGER_ALL_ACCESS)?;
    ///     scm.enum_services_status(h, ServiceType::WIN32, ServiceStateFilter::ACTIVE, None)
    /// });
    /// assert!(running.unwrap().iter().any(|s| s.service_name == "Spooler"));
    /// ```
    pub fn call_blocking<T, F, Fut>(&mut self, call: F) -> T
    where
        F: FnOnce(Scm) -> Fut,
        Fut: Future<Output = T>,
    {
        let r = self.call_unsettled(call);
        self.settle();
        r
    }

    /// [`Machine::call_blocking`] without step 2: the call returns and nothing else runs
    /// until the caller's next call. Only for what Windows' caller sees mid-flight (`sc start`
    /// querying the status right after StartService returned).
    pub fn call_unsettled<T, F, Fut>(&mut self, call: F) -> T
    where
        F: FnOnce(Scm) -> Fut,
        Fut: Future<Output = T>,
    {
        let scm = self.scm.clone();
        self.block_on(call(scm))
    }

    /// OpenSCManager as the machine's caller.
    pub fn open_sc_manager(&mut self, desired_access: ScmAccess) -> Result<ScHandle, Win32Error> {
        let caller = self.caller.clone();
        self.call_blocking(|scm| async move { scm.open_sc_manager(&caller, desired_access) })
    }

    /// OpenService.
    pub fn open_service(
        &mut self,
        scm: ScHandle,
        name: &str,
        desired_access: ServiceAccess,
    ) -> Result<ScHandle, Win32Error> {
        self.call_blocking(|api| async move { api.open_service(scm, name, desired_access) })
    }

    /// CloseServiceHandle.
    pub fn close_service_handle(&mut self, h: ScHandle) -> Result<(), Win32Error> {
        self.call_blocking(|scm| async move { scm.close_service_handle(h) })
    }

    /// CreateService.
    pub fn create_service(
        &mut self,
        scm: ScHandle,
        params: &CreateServiceParams,
    ) -> Result<ScHandle, Win32Error> {
        self.call_blocking(|api| async move { api.create_service(scm, params) })
    }

    /// DeleteService.
    pub fn delete_service(&mut self, h: ScHandle) -> Result<(), Win32Error> {
        self.call_blocking(|scm| async move { scm.delete_service(h) })
    }

    /// StartService; returns when ServiceMain runs (or the start failed).
    pub fn start_service(&mut self, h: ScHandle, args: &[&str]) -> Result<(), Win32Error> {
        self.call_blocking(|scm| async move { scm.start_service(h, args).await })
    }

    /// ControlService; the status after the handler returned.
    pub fn control_service(
        &mut self,
        h: ScHandle,
        control: ServiceControl,
    ) -> Result<ServiceStatusProcess, Win32Error> {
        self.call_blocking(|scm| async move { scm.control_service(h, control).await })
    }

    /// ControlServiceEx with a stop reason (logs event 7042 for a STOP).
    pub fn control_service_ex(
        &mut self,
        h: ScHandle,
        control: ServiceControl,
        reason: StopReason,
        comment: Option<&str>,
    ) -> Result<ServiceStatusProcess, Win32Error> {
        self.call_blocking(|scm| async move {
            scm.control_service_ex(h, control, reason, comment).await
        })
    }

    /// OpenSCManager naming a database (`ServicesActive`; `ServicesFailed` gives 1065).
    pub fn open_sc_manager_database(
        &mut self,
        database: Option<&str>,
        desired_access: ScmAccess,
    ) -> Result<ScHandle, Win32Error> {
        let caller = self.caller.clone();
        self.call_blocking(|scm| async move {
            scm.open_sc_manager_database(&caller, database, desired_access)
        })
    }

    /// QueryServiceStatusEx.
    pub fn query_service_status(
        &mut self,
        h: ScHandle,
    ) -> Result<ServiceStatusProcess, Win32Error> {
        self.call_blocking(|scm| async move { scm.query_service_status(h) })
    }

    /// QueryServiceConfig.
    pub fn query_service_config(&mut self, h: ScHandle) -> Result<QueryServiceConfig, Win32Error> {
        self.call_blocking(|scm| async move { scm.query_service_config(h) })
    }

    /// QueryServiceConfig2.
    pub fn query_service_config2(
        &mut self,
        h: ScHandle,
        level: ServiceConfig2Level,
    ) -> Result<ServiceConfig2, Win32Error> {
        self.call_blocking(|scm| async move { scm.query_service_config2(h, level) })
    }

    /// ChangeServiceConfig.
    pub fn change_service_config(
        &mut self,
        h: ScHandle,
        params: &ChangeConfigParams,
    ) -> Result<(), Win32Error> {
        self.call_blocking(|scm| async move { scm.change_service_config(h, params) })
    }

    /// ChangeServiceConfig2.
    pub fn change_service_config2(
        &mut self,
        h: ScHandle,
        value: &ServiceConfig2,
    ) -> Result<(), Win32Error> {
        self.call_blocking(|scm| async move { scm.change_service_config2(h, value) })
    }

    /// EnumServicesStatusEx.
    pub fn enum_services_status(
        &mut self,
        scm: ScHandle,
        service_type: ServiceType,
        state: ServiceStateFilter,
        group: Option<&str>,
    ) -> Result<Vec<EnumServiceStatus>, Win32Error> {
        self.call_blocking(|api| async move {
            api.enum_services_status(scm, service_type, state, group)
        })
    }

    /// EnumDependentServices.
    pub fn enum_dependent_services(
        &mut self,
        h: ScHandle,
        state: ServiceStateFilter,
    ) -> Result<Vec<EnumServiceStatus>, Win32Error> {
        self.call_blocking(|scm| async move { scm.enum_dependent_services(h, state) })
    }

    /// GetServiceDisplayName.
    pub fn get_service_display_name(
        &mut self,
        scm: ScHandle,
        key_name: &str,
    ) -> Result<String, Win32Error> {
        self.call_blocking(|api| async move { api.get_service_display_name(scm, key_name) })
    }

    /// GetServiceKeyName.
    pub fn get_service_key_name(
        &mut self,
        scm: ScHandle,
        display_name: &str,
    ) -> Result<String, Win32Error> {
        self.call_blocking(|api| async move { api.get_service_key_name(scm, display_name) })
    }

    /// NotifyServiceStatusChange.
    pub fn notify_service_status_change(
        &mut self,
        h: ScHandle,
        mask: ServiceNotifyMask,
    ) -> Result<StatusNotification, Win32Error> {
        self.call_blocking(|scm| async move { scm.notify_service_status_change(h, mask) })
    }
}
