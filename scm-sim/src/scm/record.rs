//! A service record of the SCM database: the configuration read from the service's registry
//! key (the typed [`ServiceConfig`] view), the status the SCM keeps for it, its process and
//! its deletion mark.

use std::time::Duration;

use crate::scm::start::StartReason;
use crate::service::{ServiceControlAccept, ServiceState, ServiceStatusProcess, ServiceType};

/// A service's configuration: the typed view of its registry key
/// (`HKLM\SYSTEM\CurrentControlSet\Services\<name>`).
pub type ServiceConfig = fake_registry::service::ServiceKey;

/// The status the SCM keeps for a service (SERVICE_STATUS without the type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecordStatus {
    pub(crate) state: ServiceState,
    pub(crate) accepted: ServiceControlAccept,
    pub(crate) win32_exit_code: u32,
    pub(crate) specific_exit_code: u32,
    pub(crate) checkpoint: u32,
    pub(crate) wait_hint_ms: u32,
}

impl RecordStatus {
    /// A service never started since boot: STOPPED with ERROR_SERVICE_NEVER_STARTED (1077).
    pub(crate) fn never_started() -> RecordStatus {
        RecordStatus::stopped(1077, 0)
    }

    pub(crate) fn stopped(win32: u32, specific: u32) -> RecordStatus {
        RecordStatus {
            state: ServiceState::Stopped,
            accepted: ServiceControlAccept::empty(),
            win32_exit_code: win32,
            specific_exit_code: specific,
            checkpoint: 0,
            wait_hint_ms: 0,
        }
    }

    pub(crate) fn running(accepted: ServiceControlAccept) -> RecordStatus {
        RecordStatus {
            state: ServiceState::Running,
            accepted,
            win32_exit_code: 0,
            specific_exit_code: 0,
            checkpoint: 0,
            wait_hint_ms: 0,
        }
    }
}

/// One entry of the database.
#[derive(Debug, Clone)]
pub(crate) struct ServiceRecord {
    /// The key name as stored (case preserved).
    pub(crate) name: String,
    pub(crate) config: ServiceConfig,
    /// The display name with MUI strings resolved.
    pub(crate) display: String,
    pub(crate) status: RecordStatus,
    pub(crate) pid: u32,
    /// Increments at every start; status reports of older instances are stale.
    pub(crate) instance: u64,
    pub(crate) stop_sent: bool,
    pub(crate) marked_for_delete: bool,
    pub(crate) crash_count: u32,
    /// Virtual time of the last state change or checkpoint advance.
    pub(crate) last_progress: Duration,
    /// The type the SCM reports (0x30 for a split svchost service).
    pub(crate) runtime_type: Option<ServiceType>,
    pub(crate) start_reason: Option<StartReason>,
    /// Between StartService's START_PENDING and the dispatcher's acknowledgement: the SCM's
    /// own pipe timeout applies, not the wait hint, and a process dying then fails the start
    /// rather than crashing the service.
    pub(crate) awaiting_dispatcher: bool,
}

impl ServiceRecord {
    pub(crate) fn new(name: &str, config: ServiceConfig, display: String) -> ServiceRecord {
        ServiceRecord {
            name: name.to_string(),
            config,
            display,
            status: RecordStatus::never_started(),
            pid: 0,
            instance: 0,
            stop_sent: false,
            marked_for_delete: false,
            crash_count: 0,
            last_progress: Duration::ZERO,
            runtime_type: None,
            start_reason: None,
            awaiting_dispatcher: false,
        }
    }

    /// The configured type.
    pub fn service_type(&self) -> ServiceType {
        ServiceType(self.config.service_type)
    }

    pub(crate) fn start_type_raw(&self) -> u32 {
        self.config.start
    }

    /// ImagePath as stored (unexpanded), or "" when absent.
    pub fn image_path(&self) -> String {
        self.config.image_path.clone().unwrap_or_default()
    }

    /// The account (ObjectName), `LocalSystem` when absent.
    pub fn account(&self) -> String {
        match self.config.object_name.as_deref() {
            None | Some("") => "LocalSystem".to_string(),
            Some(a) => a.to_string(),
        }
    }

    /// The load-order group, "" when none.
    pub fn group(&self) -> String {
        self.config.group.clone().unwrap_or_default()
    }

    pub(crate) fn depend_on_service(&self) -> Vec<String> {
        self.config.depend_on_service.clone()
    }

    pub(crate) fn depend_on_group(&self) -> Vec<String> {
        self.config.depend_on_group.clone()
    }

    /// The display name to show (MUI strings resolved; the key name when none).
    pub fn display_name(&self) -> String {
        if self.display.is_empty() {
            self.name.clone()
        } else {
            self.display.clone()
        }
    }

    /// True for a delayed auto-start service (Start = 2 and DelayedAutostart = 1).
    pub fn is_delayed_auto_start(&self) -> bool {
        self.config.start == 2 && self.config.delayed_autostart == Some(true)
    }

    /// When the current pending operation is overdue: last progress plus the wait hint.
    pub(crate) fn progress_deadline(&self) -> Duration {
        self.last_progress + Duration::from_millis(self.status.wait_hint_ms as u64)
    }

    pub(crate) fn begin_start(&mut self, instance: u64, wait_hint: Duration, now: Duration) {
        self.instance = instance;
        self.stop_sent = false;
        self.awaiting_dispatcher = true;
        self.status = RecordStatus {
            state: ServiceState::StartPending,
            accepted: ServiceControlAccept::empty(),
            win32_exit_code: 0,
            specific_exit_code: 0,
            checkpoint: 0,
            wait_hint_ms: wait_hint.as_millis() as u32,
        };
        self.last_progress = now;
    }

    /// SERVICE_STATUS_PROCESS as QueryServiceStatusEx returns it.
    pub fn status_process(&self) -> ServiceStatusProcess {
        let s = self.status;
        ServiceStatusProcess {
            service_type: self
                .runtime_type
                .unwrap_or(ServiceType(self.config.service_type & 0x3FF)),
            current_state: s.state,
            controls_accepted: s.accepted,
            win32_exit_code: s.win32_exit_code,
            service_specific_exit_code: s.specific_exit_code,
            checkpoint: if s.state.is_pending() {
                s.checkpoint
            } else {
                0
            },
            wait_hint_ms: if s.state.is_pending() {
                s.wait_hint_ms
            } else {
                0
            },
            process_id: if s.state == ServiceState::Stopped {
                0
            } else {
                self.pid
            },
            service_flags: 0,
        }
    }
}
