//! A service record of the SCM database: the configuration read from the service's registry
//! key (the typed [`ServiceConfig`] view), the status the SCM keeps for it, its process and
//! its deletion mark.

mod transition;

use std::time::Duration;

use crate::service::{
    RawServiceStatus, ServiceControlAccept, ServiceName, ServiceState, ServiceStatusProcess,
    ServiceType,
};

pub(crate) use transition::Change;

/// Why a service is being started (QueryServiceDynamicInformation's start reasons), kept
/// in its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StartReason {
    Demand,
    Auto,
    DelayedAuto,
    Dependency,
    Trigger,
}

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

    /// The status an accepted SetServiceStatus leaves: no controls once STOPPED, checkpoint
    /// and wait hint only while pending.
    pub(crate) fn from_report(state: ServiceState, raw: &RawServiceStatus) -> RecordStatus {
        let pending = state.is_pending();
        RecordStatus {
            state,
            accepted: if state == ServiceState::Stopped {
                ServiceControlAccept::empty()
            } else {
                ServiceControlAccept::from_bits_truncate(raw.controls_accepted)
            },
            win32_exit_code: raw.win32_exit_code,
            specific_exit_code: raw.service_specific_exit_code,
            checkpoint: if pending { raw.checkpoint } else { 0 },
            wait_hint_ms: if pending { raw.wait_hint_ms } else { 0 },
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
    pub(crate) name: ServiceName,
    pub(crate) config: ServiceConfig,
    /// The display name with MUI strings resolved.
    pub(crate) display: String,
    status: RecordStatus,
    pid: u32,
    /// Increments at every start; status reports of older instances are stale.
    instance: u64,
    stop_sent: bool,
    pub(crate) marked_for_delete: bool,
    pub(crate) crash_count: u32,
    /// Virtual time of the last failure counted (for the reset period).
    pub(crate) last_failure: Option<Duration>,
    /// Virtual time of the last state change or checkpoint advance.
    last_progress: Duration,
    /// The type the SCM reports (0x30 for a split svchost service).
    pub(crate) runtime_type: Option<ServiceType>,
    pub(crate) start_reason: Option<StartReason>,
    /// Between StartService's START_PENDING and the dispatcher's acknowledgement: the SCM's
    /// own pipe timeout applies, not the wait hint, and a process dying then fails the start
    /// rather than crashing the service.
    awaiting_dispatcher: bool,
    /// Woken by every change of this record (StartService waiting for RUNNING, dependencies).
    pub(crate) waiters: std::sync::Arc<tokio::sync::Notify>,
    /// The argv of a start without arguments (`[name]`), made at the first such start and
    /// shared with its trace entries.
    plain_argv: std::sync::OnceLock<std::sync::Arc<[String]>>,
}

impl ServiceRecord {
    /// The status the SCM keeps (written only by [`Change`]s through `Core::transition`).
    pub(crate) fn status(&self) -> RecordStatus {
        self.status
    }

    /// The pid of the process hosting the service (0 when none).
    pub(crate) fn pid(&self) -> u32 {
        self.pid
    }

    /// The current start's instance number (status reports of older ones are stale).
    pub(crate) fn instance(&self) -> u64 {
        self.instance
    }

    /// Virtual time of the last state change or checkpoint advance.
    pub(crate) fn last_progress(&self) -> Duration {
        self.last_progress
    }

    /// True between START_PENDING and the dispatcher's acknowledgement.
    pub(crate) fn awaiting_dispatcher(&self) -> bool {
        self.awaiting_dispatcher
    }

    /// The key name shared with trace entries (cloning it counts a reference).
    pub(crate) fn shared_name(&self) -> std::sync::Arc<str> {
        self.name.shared()
    }

    /// True once STOP (or SHUTDOWN) was sent to the current instance.
    pub(crate) fn stop_sent(&self) -> bool {
        self.stop_sent
    }

    pub(crate) fn new(name: &str, config: ServiceConfig, display: String) -> ServiceRecord {
        ServiceRecord {
            name: ServiceName::new(name),
            config,
            display,
            status: RecordStatus::never_started(),
            pid: 0,
            instance: 0,
            stop_sent: false,
            marked_for_delete: false,
            crash_count: 0,
            last_failure: None,
            last_progress: Duration::ZERO,
            runtime_type: None,
            start_reason: None,
            awaiting_dispatcher: false,
            waiters: Default::default(),
            plain_argv: Default::default(),
        }
    }

    /// `argv` as the trace keeps it: the record's shared `[name]` when that is all it is (a
    /// start without arguments copies nothing), else a copy.
    pub(crate) fn traced_argv(&self, argv: &[String]) -> std::sync::Arc<[String]> {
        match argv {
            [only] if only.as_str() == self.name.as_str() => self
                .plain_argv
                .get_or_init(|| std::sync::Arc::from([only.clone()]))
                .clone(),
            _ => argv.into(),
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
            self.name.to_string()
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
