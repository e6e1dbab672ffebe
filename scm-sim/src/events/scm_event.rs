//! [`ScmEvent`]: one variant per event the simulated SCM (and svchost) writes, with typed fields.
//!
//! ```
//! use scm_sim::events::{EventLevel, ScmEvent};
//! use scm_sim::Win32Error;
//!
//! let e = ScmEvent::StartFailed {
//!     display_name: "Print Spooler".into(),
//!     error: Win32Error::SERVICE_REQUEST_TIMEOUT,
//! };
//! assert_eq!(e.id(), 7000);
//! assert_eq!(e.level(), EventLevel::Error);
//! assert_eq!(
//!     e.message(),
//!     "The Print Spooler service failed to start due to the following error: \n\
//!      The service did not respond to the start or control request in a timely fashion."
//! );
//! ```
//!
//! Names: `display_name` fields take the service's display name, as Windows logs it; the key
//! name goes into [`EventRecord::service`](crate::events::EventRecord::service).

use super::catalog::{self, Spec};
use super::insert::fill_template;
use super::values::{
    ControlWord, EventLevel, EventSource, InstalledServiceType, LoggedState, RecoveryAction,
    StartTypeText,
};
use crate::Win32Error;
use serde::{Deserialize, Serialize};

/// An event of the Service Control Manager (System log), of svchost, or of the simulator itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event")]
#[non_exhaustive]
pub enum ScmEvent {
    /// 7000 (Error): a start failed; `error` is usually 1053 after a 7009 connect timeout.
    StartFailed {
        /// The service's display name.
        display_name: String,
        /// Why it failed.
        error: Win32Error,
    },
    /// 7001 (Error): a dependency failed to start.
    DependencyFailed {
        /// The service that was to be started.
        display_name: String,
        /// The dependency that failed.
        dependency_display_name: String,
        /// The dependency's error (e.g. 1058, 1062).
        error: Win32Error,
    },
    /// 7002 (Error): no member of a group the service depends on started.
    DependOnGroupFailed {
        /// The service's display name.
        display_name: String,
        /// The load-order group.
        group: String,
    },
    /// 7003 (Error): a dependency is not installed.
    DependencyMissing {
        /// The service's display name.
        display_name: String,
        /// The missing dependency, as written in `DependOnService`.
        dependency: String,
    },
    /// 7009 (Error): the process did not connect (StartServiceCtrlDispatcher) in time.
    ConnectTimeout {
        /// The pipe timeout (`ServicesPipeTimeout`, 30000 by default).
        timeout_ms: u32,
        /// The service's display name.
        display_name: String,
    },
    /// 7011 (Error): a control handler did not return in time (a hung control).
    TransactionTimeout {
        /// The timeout (30000 by default).
        timeout_ms: u32,
        /// The service's display name.
        display_name: String,
    },
    /// 7016 (Error): SetServiceStatus with an invalid `dwCurrentState`.
    BadServiceState {
        /// The service's display name.
        display_name: String,
        /// The state number reported.
        state: u32,
    },
    /// 7022 (Error): the service hung in START_PENDING (no progress past the wait hint).
    StartHung {
        /// The service's display name.
        display_name: String,
    },
    /// 7023 (Error): the service reported STOPPED with a non-zero Win32 exit code.
    ExitFailed {
        /// The service's display name.
        display_name: String,
        /// `dwWin32ExitCode`.
        error: Win32Error,
    },
    /// 7024 (Error): the service reported STOPPED with ERROR_SERVICE_SPECIFIC_ERROR (1066).
    ExitFailedSpecific {
        /// The service's display name.
        display_name: String,
        /// `dwServiceSpecificExitCode`; Event Viewer words it as a system message when one exists.
        code: u32,
    },
    /// 7026 (Error): boot-start or system-start drivers did not load.
    BootDriversFailed {
        /// The driver names, one per line in the message.
        drivers: Vec<String>,
    },
    /// 7031 (Error): a crash (process ended before STOPPED) with a recovery action configured.
    Crash {
        /// The service's display name.
        display_name: String,
        /// Failures since the last reset.
        count: u32,
        /// Delay of the action about to run.
        delay_ms: u32,
        /// The action; its number is %4 and its description %5.
        action_type: RecoveryAction,
    },
    /// 7032 (Error): the corrective action itself failed.
    RecoveryFailed {
        /// The service's display name.
        display_name: String,
        /// The action that failed.
        action_type: RecoveryAction,
        /// Why.
        error: Win32Error,
    },
    /// 7034 (Error): a crash with no recovery action configured.
    CrashNoAction {
        /// The service's display name.
        display_name: String,
        /// Failures since the last reset.
        count: u32,
    },
    /// 7035 (Information): a control was sent. Windows (Vista+) writes it for a few requests
    /// only; which ones is the engine's decision.
    ControlSent {
        /// The service's display name.
        display_name: String,
        /// The control.
        control: ControlWord,
    },
    /// 7036 (Information): the service entered RUNNING, STOPPED or PAUSED.
    EnteredState {
        /// The service's display name.
        display_name: String,
        /// The state (pending states are never logged).
        state: LoggedState,
    },
    /// 7038 (Error): the service could not log on with its configured password.
    LogonFailed {
        /// The service's display name.
        display_name: String,
        /// The account.
        account: String,
        /// The logon error (e.g. 1326).
        error: Win32Error,
    },
    /// 7039 (Warning): a different process connected than the one the SCM launched.
    DifferentProcessConnected {
        /// The service's display name.
        display_name: String,
        /// The pid the SCM started.
        launched_pid: u32,
        /// The pid that connected.
        connected_pid: u32,
    },
    /// 7040 (Information): the start type changed.
    StartTypeChanged {
        /// The service's display name.
        display_name: String,
        /// Old start type.
        from: StartTypeText,
        /// New start type.
        to: StartTypeText,
    },
    /// 7041 (Error): the account lacks "Log on as a service" (error 1385).
    LogonTypeNotGranted {
        /// The service's display name.
        display_name: String,
        /// The account (domain\user).
        account: String,
    },
    /// 7042 (Information): a stop was sent with a reason (ControlServiceEx).
    StopWithReason {
        /// The service's display name.
        display_name: String,
        /// The control (normally stop).
        control: ControlWord,
        /// The reason code, shown as `0x%08x`.
        reason_code: u32,
        /// The reason in words, e.g. "Operating System: Network Connectivity (Planned)".
        reason_text: String,
        /// The caller's comment (Windows shows "None" when there was none).
        comment: String,
    },
    /// 7043 (Error): the service did not stop after a preshutdown control.
    PreshutdownFailed {
        /// The service's display name.
        display_name: String,
    },
    /// 7044 (Warning): a start is taking more than `minutes` minutes.
    SlowStart {
        /// The service's display name.
        display_name: String,
        /// The threshold passed.
        minutes: u32,
    },
    /// 7045 (Information): a service was installed (CreateService).
    Installed {
        /// What Windows puts in "Service Name" (the name given to CreateService; Windows shows
        /// the display name here when one was given).
        service_name: String,
        /// `ImagePath`.
        image_path: String,
        /// Service type in words.
        service_type: InstalledServiceType,
        /// Start type in words.
        start_type: StartTypeText,
        /// `ObjectName` (empty for drivers).
        account: String,
    },
    /// 7046 (Warning): the service has repeatedly not answered controls (repeated hung
    /// controls; a single one is [`ScmEvent::TransactionTimeout`]).
    RepeatedControlHang {
        /// The service's display name.
        display_name: String,
    },
    /// Svchost 101 (Information, simulated): svchost is calling a hosted service's ServiceMain.
    ///
    /// Windows writes this to the Microsoft-Windows-Services-Svchost Diagnostic channel with
    /// only the service name and the text "ServiceMain" (task ServiceMain, opcode Start); the
    /// DLL and the sentence are the simulator's additions.
    ServiceMainStart {
        /// The service's key name.
        service_name: String,
        /// The `ServiceDll` path.
        dll: String,
    },
    /// Svchost 102 (Information, simulated): a hosted service's ServiceMain returned (opcode
    /// Stop). Same caveats as [`ScmEvent::ServiceMainStart`].
    ServiceMainStop {
        /// The service's key name.
        service_name: String,
        /// The `ServiceDll` path.
        dll: String,
    },
}

impl ScmEvent {
    /// The event id (7000–7046 for the SCM, 101/102 for svchost, small numbers for the
    /// simulator's own source).
    pub fn id(&self) -> u32 {
        self.spec().id
    }

    /// The level.
    pub fn level(&self) -> EventLevel {
        self.spec().level
    }

    /// The provider that writes it.
    pub fn source(&self) -> EventSource {
        self.spec().source.clone()
    }

    /// The netevent.h symbolic name (e.g. `EVENT_SERVICE_START_FAILED`); `None` for events
    /// Windows defines only in its manifest (7044–7046), svchost's and the simulator's own.
    pub fn symbol(&self) -> Option<&'static str> {
        self.spec().symbol
    }

    /// The message template with `%1`… and `%n`, as in Windows' message table.
    pub fn template(&self) -> &'static str {
        self.spec().template
    }

    /// The catalog entry of this event's variant.
    fn spec(&self) -> &'static Spec {
        use ScmEvent as E;
        match self {
            E::StartFailed { .. } => &catalog::START_FAILED,
            E::DependencyFailed { .. } => &catalog::DEPENDENCY_FAILED,
            E::DependOnGroupFailed { .. } => &catalog::DEPEND_ON_GROUP_FAILED,
            E::DependencyMissing { .. } => &catalog::DEPENDENCY_MISSING,
            E::ConnectTimeout { .. } => &catalog::CONNECT_TIMEOUT,
            E::TransactionTimeout { .. } => &catalog::TRANSACTION_TIMEOUT,
            E::BadServiceState { .. } => &catalog::BAD_SERVICE_STATE,
            E::StartHung { .. } => &catalog::START_HUNG,
            E::ExitFailed { .. } => &catalog::EXIT_FAILED,
            E::ExitFailedSpecific { .. } => &catalog::EXIT_FAILED_SPECIFIC,
            E::BootDriversFailed { .. } => &catalog::BOOT_DRIVERS_FAILED,
            E::Crash { .. } => &catalog::CRASH,
            E::RecoveryFailed { .. } => &catalog::RECOVERY_FAILED,
            E::CrashNoAction { .. } => &catalog::CRASH_NO_ACTION,
            E::ControlSent { .. } => &catalog::CONTROL_SENT,
            E::EnteredState { .. } => &catalog::ENTERED_STATE,
            E::LogonFailed { .. } => &catalog::LOGON_FAILED,
            E::DifferentProcessConnected { .. } => &catalog::DIFFERENT_PROCESS_CONNECTED,
            E::StartTypeChanged { .. } => &catalog::START_TYPE_CHANGED,
            E::LogonTypeNotGranted { .. } => &catalog::LOGON_TYPE_NOT_GRANTED,
            E::StopWithReason { .. } => &catalog::STOP_WITH_REASON,
            E::PreshutdownFailed { .. } => &catalog::PRESHUTDOWN_FAILED,
            E::SlowStart { .. } => &catalog::SLOW_START,
            E::Installed { .. } => &catalog::INSTALLED,
            E::RepeatedControlHang { .. } => &catalog::REPEATED_CONTROL_HANG,
            E::ServiceMainStart { .. } => &catalog::SERVICE_MAIN_START,
            E::ServiceMainStop { .. } => &catalog::SERVICE_MAIN_STOP,
        }
    }

    /// The message as Event Viewer shows it (Windows 10 wording), with `\n` for line breaks.
    pub fn message(&self) -> String {
        fill_template(self.template(), &self.insertion_strings())
    }
}
