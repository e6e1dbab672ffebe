//! The catalog: id, level, provider, symbolic name and message template of every event, one
//! static entry per [`ScmEvent`](super::ScmEvent) variant (named after it). The catalog is plain
//! data: it knows nothing of the event type; `scm_event` picks the entry for each variant.
//!
//! Templates are the Windows 10 (10.0.10586–19041) message-table texts of services.exe for the
//! "Service Control Manager" provider, in message-compiler syntax (`%1`, `%n`). Two kinds of
//! entries are not Windows texts and say so: the svchost 101/102 sentences (Windows shows only
//! "ServiceMain") and the simulator's own source.
//!
//! ```
//! use scm_sim::events::{EventSource, ScmEvent};
//!
//! let e = ScmEvent::TransactionTimeout { timeout_ms: 30000, display_name: "Spooler".into() };
//! assert_eq!(e.symbol(), Some("EVENT_TRANSACT_TIMEOUT"));
//! assert_eq!(e.source(), EventSource::ServiceControlManager);
//! assert!(e.template().starts_with("A timeout (%1 milliseconds) was reached"));
//! ```

use super::values::{EventLevel, EventSource};
use EventLevel::{Error, Information, Warning};

/// What the catalog knows about one event.
#[derive(Debug)]
pub(crate) struct Spec {
    pub source: EventSource,
    pub id: u32,
    pub level: EventLevel,
    pub symbol: Option<&'static str>,
    pub template: &'static str,
}

const fn scm(id: u32, level: EventLevel, symbol: &'static str, template: &'static str) -> Spec {
    Spec {
        source: EventSource::ServiceControlManager,
        id,
        level,
        symbol: Some(symbol),
        template,
    }
}

/// An SCM event defined only in the provider manifest (7044–7046): no symbolic name.
const fn manifest(id: u32, level: EventLevel, template: &'static str) -> Spec {
    Spec {
        source: EventSource::ServiceControlManager,
        id,
        level,
        symbol: None,
        template,
    }
}

// Service Control Manager events with a netevent.h symbol (7000–7043).

pub(crate) static START_FAILED: Spec = scm(
    7000,
    Error,
    "EVENT_SERVICE_START_FAILED",
    "The %1 service failed to start due to the following error: %n%2",
);

pub(crate) static DEPENDENCY_FAILED: Spec = scm(
    7001,
    Error,
    "EVENT_SERVICE_START_FAILED_II",
    "The %1 service depends on the %2 service which failed to start because of the \
     following error: %n%3",
);

pub(crate) static DEPEND_ON_GROUP_FAILED: Spec = scm(
    7002,
    Error,
    "EVENT_SERVICE_START_FAILED_GROUP",
    "The %1 service depends on the %2 group and no member of this group started.",
);

pub(crate) static DEPENDENCY_MISSING: Spec = scm(
    7003,
    Error,
    "EVENT_SERVICE_START_FAILED_NONE",
    "The %1 service depends on the following service: %2. This service might not be \
     installed.",
);

pub(crate) static CONNECT_TIMEOUT: Spec = scm(
    7009,
    Error,
    "EVENT_CONNECTION_TIMEOUT",
    "A timeout was reached (%1 milliseconds) while waiting for the %2 service to connect.",
);

pub(crate) static TRANSACTION_TIMEOUT: Spec = scm(
    7011,
    Error,
    "EVENT_TRANSACT_TIMEOUT",
    "A timeout (%1 milliseconds) was reached while waiting for a transaction response \
     from the %2 service.",
);

pub(crate) static BAD_SERVICE_STATE: Spec = scm(
    7016,
    Error,
    "EVENT_BAD_SERVICE_STATE",
    "The %1 service has reported an invalid current state %2.",
);

pub(crate) static START_HUNG: Spec = scm(
    7022,
    Error,
    "EVENT_SERVICE_START_HUNG",
    "The %1 service hung on starting.",
);

pub(crate) static EXIT_FAILED: Spec = scm(
    7023,
    Error,
    "EVENT_SERVICE_EXIT_FAILED",
    "The %1 service terminated with the following error: %n%2",
);

pub(crate) static EXIT_FAILED_SPECIFIC: Spec = scm(
    7024,
    Error,
    "EVENT_SERVICE_EXIT_FAILED_SPECIFIC",
    "The %1 service terminated with the following service-specific error: %n%2",
);

pub(crate) static BOOT_DRIVERS_FAILED: Spec = scm(
    7026,
    Error,
    "EVENT_BOOT_SYSTEM_DRIVERS_FAILED",
    "The following boot-start or system-start driver(s) did not load: %1",
);

pub(crate) static CRASH: Spec = scm(
    7031,
    Error,
    "EVENT_SERVICE_CRASH",
    "The %1 service terminated unexpectedly.  It has done this %2 time(s).  The \
     following corrective action will be taken in %3 milliseconds: %5.",
);

pub(crate) static RECOVERY_FAILED: Spec = scm(
    7032,
    Error,
    "EVENT_SERVICE_RECOVERY_FAILED",
    "The Service Control Manager tried to take a corrective action (%2) after the \
     unexpected termination of the %3 service, but this action failed with the \
     following error: %n%4",
);

pub(crate) static CRASH_NO_ACTION: Spec = scm(
    7034,
    Error,
    "EVENT_SERVICE_CRASH_NO_ACTION",
    "The %1 service terminated unexpectedly.  It has done this %2 time(s).",
);

pub(crate) static CONTROL_SENT: Spec = scm(
    7035,
    Information,
    "EVENT_SERVICE_CONTROL_SUCCESS",
    "The %1 service was successfully sent a %2 control.",
);

pub(crate) static ENTERED_STATE: Spec = scm(
    7036,
    Information,
    "EVENT_SERVICE_STATUS_SUCCESS",
    "The %1 service entered the %2 state.",
);

pub(crate) static LOGON_FAILED: Spec = scm(
    7038,
    Error,
    "EVENT_FIRST_LOGON_FAILED_II",
    "The %1 service was unable to log on as %2 with the currently configured password \
     due to the following error: %n%3%n%nTo ensure that the service is configured \
     properly, use the Services snap-in in Microsoft Management Console (MMC).",
);

pub(crate) static DIFFERENT_PROCESS_CONNECTED: Spec = scm(
    7039,
    Warning,
    "EVENT_SERVICE_DIFFERENT_PID_CONNECTED",
    "A service process other than the one launched by the Service Control Manager \
     connected when starting the %1 service.  The Service Control Manager launched \
     process %2 and process %3 connected instead.%n%n  Note that if this service is \
     configured to start under a debugger, this behavior is expected.",
);

pub(crate) static START_TYPE_CHANGED: Spec = scm(
    7040,
    Information,
    "EVENT_SERVICE_START_TYPE_CHANGED",
    "The start type of the %1 service was changed from %2 to %3.",
);

pub(crate) static LOGON_TYPE_NOT_GRANTED: Spec = scm(
    7041,
    Error,
    "EVENT_SERVICE_LOGON_TYPE_NOT_GRANTED",
    "The %1 service was unable to log on as %2 with the currently configured password \
     due to the following error: %nLogon failure: the user has not been granted the \
     requested logon type at this computer.%n %nService: %1 %nDomain and account: \
     %2%n %nThis service account does not have the required user right \"Log on as a \
     service.\"%n %nUser Action%n %nAssign \"Log on as a service\" to the service \
     account on this computer. You can use Local Security Settings (Secpol.msc) to do \
     this. If this computer is a node in a cluster, check that this user right is \
     assigned to the Cluster service account on all nodes in the cluster.%n %nIf you \
     have already assigned this user right to the service account, and the user right \
     appears to be removed, check with your domain administrator to find out if a Group \
     Policy object associated with this node might be removing the right.",
);

pub(crate) static STOP_WITH_REASON: Spec = scm(
    7042,
    Information,
    "EVENT_SERVICE_STOP_SUCCESS_WITH_REASON",
    "The %1 service was successfully sent a %2 control.%n%n The reason specified was: \
     %3 [%4]%n%n Comment: %5",
);

pub(crate) static PRESHUTDOWN_FAILED: Spec = scm(
    7043,
    Error,
    "EVENT_SERVICE_SHUTDOWN_FAILED",
    "The %1 service did not shut down properly after receiving a preshutdown control.",
);

// Defined only in the provider manifest (7044–7046).

pub(crate) static SLOW_START: Spec = manifest(
    7044,
    Warning,
    "The following service is taking more than %2 minutes to start and may have stopped \
     responding: %1%n%nContact your system administrator or service vendor for \
     approximate startup times for this service.%n%nIf you think this service might be \
     slowing system response or logon time, talk to your system administrator about \
     whether the service should be disabled until the problem is identified.%n%nYou may \
     have to restart the computer in safe mode before you can disable the service.",
);

pub(crate) static INSTALLED: Spec = manifest(
    7045,
    Information,
    "A service was installed in the system.%n%nService Name:  %1%nService File Name:  \
     %2%nService Type:  %3%nService Start Type:  %4%nService Account:  %5",
);

pub(crate) static REPEATED_CONTROL_HANG: Spec = manifest(
    7046,
    Warning,
    "The following service has repeatedly stopped responding to service control \
     requests: %1%n%nContact the service vendor or the system administrator about \
     whether to disable this service until the problem is identified.%n%nYou may have \
     to restart the computer in safe mode before you can disable the service.",
);

// Not Windows texts: svchost's 101/102 sentences and the simulator's own source.

pub(crate) static SERVICE_MAIN_START: Spec = Spec {
    source: EventSource::Svchost,
    id: 101,
    level: Information,
    symbol: None,
    template: "ServiceMain: svchost is calling ServiceMain of the %1 service (%2).",
};

pub(crate) static SERVICE_MAIN_STOP: Spec = Spec {
    source: EventSource::Svchost,
    id: 102,
    level: Information,
    symbol: None,
    template: "ServiceMain: ServiceMain of the %1 service (%2) returned.",
};
