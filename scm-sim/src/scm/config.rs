//! Configuration queries and changes: QueryServiceConfig, QueryServiceConfig2 (every level the
//! registry holds), ChangeServiceConfig and ChangeServiceConfig2. Every change is written to the
//! service's registry key first; the record is then re-read from it, so the two never disagree.

use serde::{Deserialize, Serialize};

use fake_registry::service::{service_key_path, FailureActions, ScAction, ServiceKey, Trigger};
use fake_registry::Caller;

use crate::error::Win32Error;
use crate::events::{ScmEvent, StartTypeText};
use crate::scm::api::{creates_cycle, split_dependencies, validate_type_start};
use crate::scm::handles::access;
use crate::scm::{ScHandle, Scm, State};
use crate::service::{ServiceErrorControl, ServiceStartType, ServiceType};

/// QUERY_SERVICE_CONFIG.
///
/// The SCM only writes defined start types and error controls. A `Start` or `ErrorControl`
/// value written to the registry behind its back (regedit, then a reboot) that winsvc.h does
/// not define reads as DEMAND_START / NORMAL here, as events 7040 and 7045 word it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryServiceConfig {
    /// dwServiceType (as configured).
    pub service_type: ServiceType,
    /// dwStartType.
    pub start_type: ServiceStartType,
    /// dwErrorControl.
    pub error_control: ServiceErrorControl,
    /// lpBinaryPathName (unexpanded).
    pub binary_path_name: String,
    /// lpLoadOrderGroup ("" when none).
    pub load_order_group: String,
    /// dwTagId.
    pub tag_id: u32,
    /// lpDependencies: services, then groups with a `+` prefix.
    pub dependencies: Vec<String>,
    /// lpServiceStartName.
    pub service_start_name: String,
    /// lpDisplayName (MUI strings resolved).
    pub display_name: String,
    /// True for a delayed auto-start service (what `sc qc` shows as `(DELAYED)`).
    pub delayed_auto_start: bool,
}

/// The info levels of QueryServiceConfig2 / ChangeServiceConfig2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ServiceConfig2Level {
    /// SERVICE_CONFIG_DESCRIPTION (1).
    Description,
    /// SERVICE_CONFIG_FAILURE_ACTIONS (2).
    FailureActions,
    /// SERVICE_CONFIG_DELAYED_AUTO_START_INFO (3).
    DelayedAutoStart,
    /// SERVICE_CONFIG_FAILURE_ACTIONS_FLAG (4).
    FailureActionsFlag,
    /// SERVICE_CONFIG_SERVICE_SID_INFO (5).
    SidInfo,
    /// SERVICE_CONFIG_REQUIRED_PRIVILEGES_INFO (6).
    RequiredPrivileges,
    /// SERVICE_CONFIG_PRESHUTDOWN_INFO (7).
    PreshutdownInfo,
    /// SERVICE_CONFIG_TRIGGER_INFO (8).
    TriggerInfo,
    /// SERVICE_CONFIG_LAUNCH_PROTECTED (12).
    LaunchProtected,
}

impl ServiceConfig2Level {
    /// The level for a dwInfoLevel number; ERROR_INVALID_LEVEL (124) otherwise.
    pub fn from_raw(n: u32) -> Result<ServiceConfig2Level, Win32Error> {
        Ok(match n {
            1 => ServiceConfig2Level::Description,
            2 => ServiceConfig2Level::FailureActions,
            3 => ServiceConfig2Level::DelayedAutoStart,
            4 => ServiceConfig2Level::FailureActionsFlag,
            5 => ServiceConfig2Level::SidInfo,
            6 => ServiceConfig2Level::RequiredPrivileges,
            7 => ServiceConfig2Level::PreshutdownInfo,
            8 => ServiceConfig2Level::TriggerInfo,
            12 => ServiceConfig2Level::LaunchProtected,
            _ => return Err(Win32Error::INVALID_LEVEL),
        })
    }
}

/// A value of one QueryServiceConfig2 / ChangeServiceConfig2 level.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServiceConfig2 {
    /// SERVICE_DESCRIPTION: `None` = no description (a change with `Some("")` deletes it).
    Description(Option<String>),
    /// SERVICE_FAILURE_ACTIONS. In a change, `actions: None` keeps the actions and reset
    /// period, `Some(vec![])` deletes them; `reboot_message`/`command` `None` keep, `Some("")`
    /// deletes.
    FailureActions {
        /// dwResetPeriod in seconds (0xFFFFFFFF = INFINITE).
        reset_period: u32,
        /// lpRebootMsg.
        reboot_message: Option<String>,
        /// lpCommand.
        command: Option<String>,
        /// lpsaActions.
        actions: Option<Vec<ScAction>>,
    },
    /// SERVICE_DELAYED_AUTO_START_INFO.
    DelayedAutoStart(bool),
    /// SERVICE_FAILURE_ACTIONS_FLAG.
    FailureActionsFlag(bool),
    /// SERVICE_SID_INFO (0 none, 1 unrestricted, 3 restricted).
    SidInfo(u32),
    /// SERVICE_REQUIRED_PRIVILEGES_INFO.
    RequiredPrivileges(Vec<String>),
    /// SERVICE_PRESHUTDOWN_INFO in milliseconds.
    PreshutdownInfo(u32),
    /// SERVICE_TRIGGER_INFO, as stored.
    TriggerInfo(Vec<Trigger>),
    /// SERVICE_LAUNCH_PROTECTED_INFO.
    LaunchProtected(u32),
}

/// The arguments of ChangeServiceConfig; `None` is SERVICE_NO_CHANGE / a NULL string.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeConfigParams {
    /// dwServiceType.
    pub service_type: Option<ServiceType>,
    /// dwStartType.
    pub start_type: Option<ServiceStartType>,
    /// dwErrorControl.
    pub error_control: Option<ServiceErrorControl>,
    /// lpBinaryPathName.
    pub binary_path: Option<String>,
    /// lpLoadOrderGroup (`Some("")` removes the group).
    pub load_order_group: Option<String>,
    /// lpdwTagId non-NULL.
    pub want_tag: bool,
    /// lpDependencies (`Some(vec![])` removes all).
    pub dependencies: Option<Vec<String>>,
    /// lpServiceStartName.
    pub account: Option<String>,
    /// lpPassword.
    pub password: Option<String>,
    /// lpDisplayName.
    pub display_name: Option<String>,
}

/// Default preshutdown timeout of Windows 10 1703 and later (ms).
pub const DEFAULT_PRESHUTDOWN_TIMEOUT_MS: u32 = 10_000;

impl State {
    /// The checks every configuration change starts with (SERVICE_CHANGE_CONFIG, not marked
    /// for delete), and the configuration to change: the key as it is now, since regedit may
    /// have changed it since boot.
    fn config_to_change(&self, h: ScHandle) -> Result<(String, ServiceKey), Win32Error> {
        let key = self.service_handle(h, access::SERVICE_CHANGE_CONFIG)?;
        let rec = self
            .record(&key)
            .ok_or(Win32Error::SERVICE_DOES_NOT_EXIST)?;
        if rec.marked_for_delete {
            return Err(Win32Error::SERVICE_MARKED_FOR_DELETE);
        }
        let config = ServiceKey::read(&self.registry, &Caller::local_system(), rec.name.as_str())
            .unwrap_or_else(|_| rec.config.clone());
        Ok((key, config))
    }

    fn write_config(&mut self, key: &str, config: &ServiceKey) -> Result<(), Win32Error> {
        let name = self
            .record(key)
            .map(|r| r.name.to_string())
            .ok_or(Win32Error::SERVICE_DOES_NOT_EXIST)?;
        config
            .write(&mut self.registry, &Caller::local_system(), &name)
            .map_err(|e| Win32Error(e.code()))?;
        self.reload_config(key)
    }
}

impl Scm {
    /// QueryServiceConfig.
    pub fn query_service_config(&self, h: ScHandle) -> Result<QueryServiceConfig, Win32Error> {
        let st = self.core.lock();
        let key = st.service_handle(h, access::SERVICE_QUERY_CONFIG)?;
        let r = st.record(&key).ok_or(Win32Error::SERVICE_DOES_NOT_EXIST)?;
        let c = &r.config;
        let mut dependencies = c.depend_on_service.clone();
        dependencies.extend(c.depend_on_group.iter().map(|g| format!("+{g}")));
        Ok(QueryServiceConfig {
            service_type: ServiceType(c.service_type),
            start_type: ServiceStartType::from_code(c.start).unwrap_or(ServiceStartType::OnDemand),
            error_control: ServiceErrorControl::from_code(c.error_control)
                .unwrap_or(ServiceErrorControl::Normal),
            // The SCM expands REG_EXPAND_SZ ImagePath when it reads it.
            binary_path_name: st
                .registry
                .environment()
                .expand(&c.image_path.clone().unwrap_or_default()),
            load_order_group: c.group.clone().unwrap_or_default(),
            tag_id: c.tag.unwrap_or(0),
            dependencies,
            service_start_name: if c.service_type & 0x30 != 0 {
                r.account()
            } else {
                c.object_name.clone().unwrap_or_default()
            },
            display_name: r.display_name(),
            delayed_auto_start: r.is_delayed_auto_start(),
        })
    }

    /// QueryServiceConfig2 at one level.
    pub fn query_service_config2(
        &self,
        h: ScHandle,
        level: ServiceConfig2Level,
    ) -> Result<ServiceConfig2, Win32Error> {
        let st = self.core.lock();
        let key = st.service_handle(h, access::SERVICE_QUERY_CONFIG)?;
        let r = st.record(&key).ok_or(Win32Error::SERVICE_DOES_NOT_EXIST)?;
        let c = &r.config;
        Ok(match level {
            ServiceConfig2Level::Description => ServiceConfig2::Description(
                c.description
                    .as_deref()
                    .map(|d| st.resolve_display(d, Some(d))),
            ),
            ServiceConfig2Level::FailureActions => {
                let fa = c
                    .failure_actions
                    .clone()
                    .unwrap_or_else(|| FailureActions::new(0, Vec::new()));
                ServiceConfig2::FailureActions {
                    reset_period: fa.reset_period,
                    reboot_message: c.reboot_message.clone(),
                    command: c.failure_command.clone(),
                    actions: Some(fa.actions),
                }
            }
            ServiceConfig2Level::DelayedAutoStart => {
                ServiceConfig2::DelayedAutoStart(c.delayed_autostart == Some(true))
            }
            ServiceConfig2Level::FailureActionsFlag => ServiceConfig2::FailureActionsFlag(
                c.failure_actions_on_non_crash_failures == Some(true),
            ),
            ServiceConfig2Level::SidInfo => {
                ServiceConfig2::SidInfo(c.service_sid_type.unwrap_or(0))
            }
            ServiceConfig2Level::RequiredPrivileges => {
                ServiceConfig2::RequiredPrivileges(c.required_privileges.clone())
            }
            ServiceConfig2Level::PreshutdownInfo => ServiceConfig2::PreshutdownInfo(
                c.preshutdown_timeout
                    .unwrap_or(DEFAULT_PRESHUTDOWN_TIMEOUT_MS),
            ),
            ServiceConfig2Level::TriggerInfo => ServiceConfig2::TriggerInfo(c.triggers.clone()),
            ServiceConfig2Level::LaunchProtected => {
                ServiceConfig2::LaunchProtected(c.launch_protected.unwrap_or(0))
            }
        })
    }

    /// ChangeServiceConfig. Takes effect at the next start, except the display name.
    pub fn change_service_config(
        &self,
        h: ScHandle,
        p: &ChangeConfigParams,
    ) -> Result<(), Win32Error> {
        let mut guard = self.core.lock();
        let st = &mut *guard;
        let (key, mut c) = st.config_to_change(h)?;
        let name = st
            .record(&key)
            .map(|r| r.name.to_string())
            .unwrap_or_default();
        let old_start = c.start;
        // SERVICE_NO_CHANGE keeps the key's value; one written behind the SCM's back that
        // winsvc.h does not define is refused (87) as an undefined argument would be.
        let service_type = p.service_type.unwrap_or(ServiceType(c.service_type));
        let start = match p.start_type {
            Some(s) => s,
            None => ServiceStartType::from_raw(c.start)?,
        };
        let error_control = match p.error_control {
            Some(e) => e,
            None => ServiceErrorControl::from_raw(c.error_control)?,
        };
        let account = p.account.clone().or_else(|| c.object_name.clone());
        validate_type_start(service_type, start, account.as_deref())?;
        c.service_type = service_type.to_raw();
        c.start = start.to_raw();
        c.error_control = error_control.to_raw();
        if let Some(path) = &p.binary_path {
            if path.is_empty() {
                return Err(Win32Error::INVALID_PARAMETER);
            }
            c.image_path = Some(path.clone());
        }
        if let Some(g) = &p.load_order_group {
            c.group = Some(g.clone()).filter(|g| !g.is_empty());
        }
        if p.want_tag && c.group.is_none() {
            return Err(Win32Error::INVALID_PARAMETER);
        }
        if let Some(deps) = &p.dependencies {
            let (services, groups) = split_dependencies(deps);
            if creates_cycle(st, &name, &services)
                || services
                    .iter()
                    .any(|s| crate::service::ServiceName::same(s, &name))
            {
                return Err(Win32Error::CIRCULAR_DEPENDENCY);
            }
            c.depend_on_service = services;
            c.depend_on_group = groups;
        }
        if let Some(a) = &p.account {
            c.object_name = Some(a.clone());
        }
        if let Some(d) = &p.display_name {
            let clash = st
                .records
                .iter()
                .any(|(k, r)| k.folded() != key && r.name.is(d));
            if clash {
                return Err(Win32Error::DUPLICATE_SERVICE_NAME);
            }
            c.display_name = Some(d.clone());
        }
        st.write_config(&key, &c)?;
        if c.start != old_start {
            let display = st.display_name(&key);
            st.event(
                &key,
                ScmEvent::StartTypeChanged {
                    display_name: display,
                    from: StartTypeText::from_code(old_start).unwrap_or(StartTypeText::Demand),
                    to: StartTypeText::from_code(c.start).unwrap_or(StartTypeText::Demand),
                },
            );
        }
        Ok(())
    }

    /// ChangeServiceConfig2 at one level.
    pub fn change_service_config2(
        &self,
        h: ScHandle,
        value: &ServiceConfig2,
    ) -> Result<(), Win32Error> {
        let mut guard = self.core.lock();
        let st = &mut *guard;
        let (key, mut c) = st.config_to_change(h)?;
        let driver = ServiceType(c.service_type).is_driver();
        match value.clone() {
            ServiceConfig2::Description(d) => match d {
                None => {}
                Some(s) if s.is_empty() => c.description = None,
                Some(s) => c.description = Some(s),
            },
            ServiceConfig2::FailureActions {
                reset_period,
                reboot_message,
                command,
                actions,
            } => {
                if driver {
                    return Err(Win32Error::CANNOT_DETECT_DRIVER_FAILURE);
                }
                set_failure_actions(&mut c, reset_period, reboot_message, command, actions)?;
            }
            ServiceConfig2::DelayedAutoStart(on) => {
                if on && c.group.is_some() {
                    return Err(Win32Error::INVALID_PARAMETER);
                }
                c.delayed_autostart = Some(on);
            }
            ServiceConfig2::FailureActionsFlag(on) => {
                c.failure_actions_on_non_crash_failures = Some(on)
            }
            ServiceConfig2::SidInfo(t) => {
                if !matches!(t, 0 | 1 | 3) {
                    return Err(Win32Error::INVALID_PARAMETER);
                }
                c.service_sid_type = Some(t);
            }
            ServiceConfig2::RequiredPrivileges(p) => c.required_privileges = p,
            ServiceConfig2::PreshutdownInfo(ms) => c.preshutdown_timeout = Some(ms),
            ServiceConfig2::TriggerInfo(t) => {
                if t.len() > 64
                    || t.iter()
                        .any(|t| t.data.len() > 64 || t.data.iter().any(|d| d.data.len() > 1024))
                {
                    return Err(Win32Error::INVALID_PARAMETER);
                }
                if t.is_empty() && c.triggers.is_empty() {
                    return Err(Win32Error::INVALID_PARAMETER);
                }
                c.triggers = t;
            }
            ServiceConfig2::LaunchProtected(n) => c.launch_protected = Some(n),
        }
        st.write_config(&key, &c)
    }

    /// The registry path of a service's key (for tools that read it directly).
    pub fn service_key_path(name: &str) -> String {
        service_key_path(name)
    }
}

/// SERVICE_CONFIG_FAILURE_ACTIONS applied to a configuration: actions (none given: kept; an
/// empty list: removed; over 1024: ERROR_INVALID_PARAMETER), the reboot message and the
/// command (an empty text removes it).
fn set_failure_actions(
    c: &mut ServiceKey,
    reset_period: u32,
    reboot_message: Option<String>,
    command: Option<String>,
    actions: Option<Vec<ScAction>>,
) -> Result<(), Win32Error> {
    if let Some(actions) = actions {
        if actions.len() > 1024 {
            return Err(Win32Error::INVALID_PARAMETER);
        }
        c.failure_actions = if actions.is_empty() {
            None
        } else {
            let mut fa = FailureActions::new(reset_period, actions);
            fa.command_placeholder = u32::from(command.as_deref().is_some_and(|s| !s.is_empty()));
            Some(fa)
        };
    }
    match reboot_message {
        None => {}
        Some(m) if m.is_empty() => c.reboot_message = None,
        Some(m) => c.reboot_message = Some(m),
    }
    match command {
        None => {}
        Some(m) if m.is_empty() => c.failure_command = None,
        Some(m) => c.failure_command = Some(m),
    }
    Ok(())
}
