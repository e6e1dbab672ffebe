//! [`Service`]: a handle to one service on the machine in scope, with the calls
//! windows-service offers (start, control, query, configure, delete).

use std::ffi::OsStr;
use std::time::Duration;

use scm_sim::scm::{ChangeConfigParams, ScHandle, ServiceConfig2, ServiceConfig2Level};
use scm_sim::service::ServiceControl as SimControl;

use super::{
    ServiceAction, ServiceConfig, ServiceFailureActions, ServiceFailureResetPeriod, ServiceInfo,
    ServiceLaunchProtected, ServiceSidType, ServiceStatus, UserEventCode,
};
use crate::sim::on_machine;
use crate::{no_nul, Error, Result};

/// A handle to a service (CloseServiceHandle on drop).
#[derive(Debug)]
pub struct Service {
    handle: ScHandle,
}

impl Service {
    pub(crate) fn new(handle: ScHandle) -> Service {
        Service { handle }
    }

    /// StartService with `service_arguments` (after the service name, which the SCM adds).
    pub fn start<S: AsRef<OsStr>>(&self, service_arguments: &[S]) -> Result<()> {
        let mut args = Vec::with_capacity(service_arguments.len());
        for (i, a) in service_arguments.iter().enumerate() {
            let a = a.as_ref().to_string_lossy().into_owned();
            if a.contains('\0') {
                return Err(Error::ArgumentArrayElementHasNulByte(
                    "service arguments",
                    i,
                ));
            }
            args.push(a);
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        on_machine(|m| m.start_service(self.handle, &refs))??;
        Ok(())
    }

    fn control(&self, control: SimControl) -> Result<ServiceStatus> {
        let status = on_machine(|m| m.control_service(self.handle, control))??;
        Ok(ServiceStatus::from_sim(&status))
    }

    /// ControlService(STOP): the status after the handler returned.
    pub fn stop(&self) -> Result<ServiceStatus> {
        self.control(SimControl::Stop)
    }

    /// ControlService(PAUSE).
    pub fn pause(&self) -> Result<ServiceStatus> {
        self.control(SimControl::Pause)
    }

    /// ControlService(CONTINUE).
    pub fn resume(&self) -> Result<ServiceStatus> {
        self.control(SimControl::Continue)
    }

    /// ControlService with a user-defined code (128–255).
    pub fn notify(&self, code: UserEventCode) -> Result<ServiceStatus> {
        let raw = SimControl::from_raw(code.to_raw()).map_err(Error::from)?;
        self.control(raw)
    }

    /// QueryServiceStatusEx.
    pub fn query_status(&self) -> Result<ServiceStatus> {
        let status = on_machine(|m| m.query_service_status(self.handle))??;
        Ok(ServiceStatus::from_sim(&status))
    }

    /// DeleteService: marks the service for deletion (it goes once stopped and all handles
    /// are closed).
    pub fn delete(&self) -> Result<()> {
        on_machine(|m| m.delete_service(self.handle))??;
        Ok(())
    }

    /// QueryServiceConfig.
    pub fn query_config(&self) -> Result<ServiceConfig> {
        let config = on_machine(|m| m.query_service_config(self.handle))??;
        ServiceConfig::from_sim(config)
    }

    /// ChangeServiceConfig with every field of `service_info` (the name is not changed).
    pub fn change_config(&self, service_info: &ServiceInfo) -> Result<()> {
        let (account, password) = service_info.account()?;
        let params = ChangeConfigParams {
            service_type: Some(scm_sim::service::ServiceType(
                service_info.service_type.bits(),
            )),
            start_type: Some(service_info.start_type.to_sim()),
            error_control: Some(service_info.error_control.to_sim()),
            binary_path: Some(service_info.command_line()?),
            dependencies: Some(service_info.dependency_names()?),
            account,
            password,
            display_name: Some(no_nul("display name", &service_info.display_name)?),
            ..ChangeConfigParams::default()
        };
        on_machine(|m| m.change_service_config(self.handle, &params))??;
        Ok(())
    }

    fn set_config2(&self, value: ServiceConfig2) -> Result<()> {
        on_machine(|m| m.change_service_config2(self.handle, &value))??;
        Ok(())
    }

    fn config2(&self, level: ServiceConfig2Level) -> Result<ServiceConfig2> {
        Ok(on_machine(|m| {
            m.query_service_config2(self.handle, level)
        })??)
    }

    /// SERVICE_CONFIG_DESCRIPTION.
    pub fn set_description(&self, description: impl AsRef<OsStr>) -> Result<()> {
        let d = no_nul("service description", description.as_ref())?;
        self.set_config2(ServiceConfig2::Description(Some(d)))
    }

    /// SERVICE_CONFIG_DELAYED_AUTO_START_INFO.
    pub fn set_delayed_auto_start(&self, delayed: bool) -> Result<()> {
        self.set_config2(ServiceConfig2::DelayedAutoStart(delayed))
    }

    /// SERVICE_CONFIG_PRESHUTDOWN_INFO.
    pub fn set_preshutdown_timeout(&self, timeout: Duration) -> Result<()> {
        let ms = u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX);
        self.set_config2(ServiceConfig2::PreshutdownInfo(ms))
    }

    /// SERVICE_CONFIG_FAILURE_ACTIONS_FLAG.
    pub fn set_failure_actions_on_non_crash_failures(&self, enabled: bool) -> Result<()> {
        self.set_config2(ServiceConfig2::FailureActionsFlag(enabled))
    }

    /// SERVICE_CONFIG_FAILURE_ACTIONS_FLAG.
    pub fn get_failure_actions_on_non_crash_failures(&self) -> Result<bool> {
        match self.config2(ServiceConfig2Level::FailureActionsFlag)? {
            ServiceConfig2::FailureActionsFlag(on) => Ok(on),
            _ => Err(Error::from_win32(13)),
        }
    }

    /// SERVICE_CONFIG_SERVICE_SID_INFO.
    pub fn set_config_service_sid_info(&self, service_sid_type: ServiceSidType) -> Result<()> {
        self.set_config2(ServiceConfig2::SidInfo(service_sid_type as u32))
    }

    /// SERVICE_CONFIG_SERVICE_SID_INFO.
    pub fn get_config_service_sid_info(&self) -> Result<ServiceSidType> {
        match self.config2(ServiceConfig2Level::SidInfo)? {
            ServiceConfig2::SidInfo(0) => Ok(ServiceSidType::None),
            ServiceConfig2::SidInfo(1) => Ok(ServiceSidType::Unrestricted),
            ServiceConfig2::SidInfo(3) => Ok(ServiceSidType::Restricted),
            ServiceConfig2::SidInfo(n) => Err(Error::ParseValue(
                "service SID type",
                super::ParseRawError::InvalidInteger(n),
            )),
            _ => Err(Error::from_win32(13)),
        }
    }

    /// SERVICE_CONFIG_LAUNCH_PROTECTED.
    pub fn set_launch_protected(&self, protection: ServiceLaunchProtected) -> Result<()> {
        self.set_config2(ServiceConfig2::LaunchProtected(protection as u32))
    }

    /// SERVICE_CONFIG_LAUNCH_PROTECTED.
    pub fn get_launch_protected(&self) -> Result<ServiceLaunchProtected> {
        match self.config2(ServiceConfig2Level::LaunchProtected)? {
            ServiceConfig2::LaunchProtected(n) => ServiceLaunchProtected::try_from(n),
            _ => Err(Error::from_win32(13)),
        }
    }

    /// SERVICE_CONFIG_FAILURE_ACTIONS.
    pub fn update_failure_actions(&self, update: ServiceFailureActions) -> Result<()> {
        let text = |o: Option<std::ffi::OsString>, what| -> Result<Option<String>> {
            o.map(|s| no_nul(what, &s)).transpose()
        };
        self.set_config2(ServiceConfig2::FailureActions {
            reset_period: update.reset_period.to_raw(),
            reboot_message: text(update.reboot_msg, "reboot message")?,
            command: text(update.command, "command")?,
            actions: update
                .actions
                .map(|a| a.iter().map(ServiceAction::to_sim).collect()),
        })
    }

    /// SERVICE_CONFIG_FAILURE_ACTIONS.
    pub fn get_failure_actions(&self) -> Result<ServiceFailureActions> {
        match self.config2(ServiceConfig2Level::FailureActions)? {
            ServiceConfig2::FailureActions {
                reset_period,
                reboot_message,
                command,
                actions,
            } => Ok(ServiceFailureActions {
                reset_period: ServiceFailureResetPeriod::from_raw(reset_period),
                reboot_msg: reboot_message.map(Into::into),
                command: command.map(Into::into),
                actions: actions
                    .map(|a| a.iter().map(ServiceAction::from_sim).collect())
                    .transpose()?,
            }),
            _ => Err(Error::from_win32(13)),
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = on_machine(|m| m.close_service_handle(self.handle));
    }
}
