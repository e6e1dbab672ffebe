//! The violation oracle's vocabulary: the Microsoft rules a service can break, each with a
//! kebab-case id, the rule in one sentence and where Microsoft states it, and the
//! [`Violation`] recorded when one is broken (service, virtual time, what was seen, replay
//! token).
//!
//! ```
//! use scm_sim::sim::{Rule, legal_transition};
//! use scm_sim::service::ServiceState::*;
//!
//! assert_eq!(Rule::HungStart.id(), "hung-start");
//! assert!(Rule::HungStart.text().contains("wait hint"));
//! assert!(legal_transition(StartPending, Running));
//! assert!(!legal_transition(StopPending, Running));
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

use crate::sim::ReplayToken;
use crate::win32::ServiceState;

/// A rule of the service protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Rule {
    /// A reported state change that is not an edge of the state diagram.
    IllegalTransition,
    /// A pending state re-reported without a larger checkpoint.
    CheckpointNotAdvancing,
    /// A non-zero checkpoint with a state that is not pending.
    CheckpointOutsidePending,
    /// Controls accepted while START_PENDING.
    ControlsAcceptedWhileStartPending,
    /// A status report after the service reported STOPPED.
    StatusAfterStopped,
    /// STOPPED reported a second time.
    StoppedReportedTwice,
    /// START_PENDING whose checkpoint did not advance within its wait hint.
    HungStart,
    /// STOP_PENDING whose checkpoint did not advance within its wait hint.
    HungStop,
    /// PAUSE_PENDING or CONTINUE_PENDING whose checkpoint did not advance within its wait hint.
    HungPause,
    /// A control handler that did not return within the pipe timeout.
    HungHandler,
    /// A handler that answered INTERROGATE with an error.
    InterrogateNotAnswered,
    /// A service-specific exit code without ERROR_SERVICE_SPECIFIC_ERROR, or an exit code
    /// with a state that is not STOPPED.
    ExitCodeWithoutFailure,
    /// Service code touched HKEY_CURRENT_USER.
    HkcuAccess,
    /// STOPPED reported while work the service started was still alive.
    StoppedWithLiveWork,
    /// The process ended (after its last service stopped) while work was still running.
    WorkKilledAtExit,
    /// The service was started again while work of its previous run was still alive.
    RestartOverlap,
    /// SetServiceStatus with invalid data (bad state, type or accept bits).
    InvalidStatus,
    /// Tokio tasks alive that were not spawned through the service's context.
    UntrackedTask,
}

impl Rule {
    /// Every rule.
    pub const ALL: [Rule; 18] = [
        Rule::IllegalTransition,
        Rule::CheckpointNotAdvancing,
        Rule::CheckpointOutsidePending,
        Rule::ControlsAcceptedWhileStartPending,
        Rule::StatusAfterStopped,
        Rule::StoppedReportedTwice,
        Rule::HungStart,
        Rule::HungStop,
        Rule::HungPause,
        Rule::HungHandler,
        Rule::InterrogateNotAnswered,
        Rule::ExitCodeWithoutFailure,
        Rule::HkcuAccess,
        Rule::StoppedWithLiveWork,
        Rule::WorkKilledAtExit,
        Rule::RestartOverlap,
        Rule::InvalidStatus,
        Rule::UntrackedTask,
    ];

    /// The kebab-case id (`hung-start`).
    pub fn id(self) -> &'static str {
        match self {
            Rule::IllegalTransition => "illegal-transition",
            Rule::CheckpointNotAdvancing => "checkpoint-not-advancing",
            Rule::CheckpointOutsidePending => "checkpoint-outside-pending",
            Rule::ControlsAcceptedWhileStartPending => "controls-accepted-while-start-pending",
            Rule::StatusAfterStopped => "status-after-stopped",
            Rule::StoppedReportedTwice => "stopped-reported-twice",
            Rule::HungStart => "hung-start",
            Rule::HungStop => "hung-stop",
            Rule::HungPause => "hung-pause",
            Rule::HungHandler => "hung-handler",
            Rule::InterrogateNotAnswered => "interrogate-not-answered",
            Rule::ExitCodeWithoutFailure => "exit-code-without-failure",
            Rule::HkcuAccess => "hkcu-access",
            Rule::StoppedWithLiveWork => "stopped-with-live-work",
            Rule::WorkKilledAtExit => "work-killed-at-exit",
            Rule::RestartOverlap => "restart-overlap",
            Rule::InvalidStatus => "invalid-status",
            Rule::UntrackedTask => "untracked-task",
        }
    }

    /// The rule for an id.
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.id() == id)
    }

    /// The rule in one sentence, with where Microsoft states it.
    pub fn text(self) -> &'static str {
        match self {
            Rule::IllegalTransition => "A service moves only along the edges of the service state diagram (Microsoft Learn, \"Service State Transitions\").",
            Rule::CheckpointNotAdvancing => "While an operation is pending the service increments dwCheckPoint with each progress report (Microsoft Learn, SERVICE_STATUS, dwCheckPoint).",
            Rule::CheckpointOutsidePending => "dwCheckPoint is not valid and should be zero when no start, stop, pause or continue operation is pending (Microsoft Learn, SERVICE_STATUS, dwCheckPoint).",
            Rule::ControlsAcceptedWhileStartPending => "A service should not accept controls while it is in SERVICE_START_PENDING (Microsoft Learn, \"Service ServiceMain Function\" and SERVICE_STATUS, dwControlsAccepted).",
            Rule::StatusAfterStopped => "After reporting SERVICE_STOPPED a service must not call SetServiceStatus again: the status handle is closed (Microsoft Learn, SetServiceStatus remarks).",
            Rule::StoppedReportedTwice => "SetServiceStatus with SERVICE_STOPPED is the last call a service makes; calling it twice is an error (Microsoft Learn, SetServiceStatus remarks).",
            Rule::HungStart => "Before the wait hint elapses the service must report a larger checkpoint or a new state, or the SCM assumes it hung while starting (Microsoft Learn, SERVICE_STATUS, dwWaitHint; event 7022).",
            Rule::HungStop => "Before the wait hint elapses the service must report a larger checkpoint or STOPPED, or the SCM assumes it hung while stopping (Microsoft Learn, SERVICE_STATUS, dwWaitHint).",
            Rule::HungPause => "Before the wait hint elapses the service must report a larger checkpoint or the next state (Microsoft Learn, SERVICE_STATUS, dwWaitHint).",
            Rule::HungHandler => "A control handler must return within 30 seconds or the SCM returns ERROR_SERVICE_REQUEST_TIMEOUT (Microsoft Learn, LPHANDLER_FUNCTION_EX remarks; event 7011).",
            Rule::InterrogateNotAnswered => "A handler returns NO_ERROR for SERVICE_CONTROL_INTERROGATE, which every service must accept (Microsoft Learn, LPHANDLER_FUNCTION_EX return value).",
            Rule::ExitCodeWithoutFailure => "dwServiceSpecificExitCode is used only with dwWin32ExitCode ERROR_SERVICE_SPECIFIC_ERROR, and exit codes belong to a failed start or stop (Microsoft Learn, SERVICE_STATUS).",
            Rule::HkcuAccess => "Services must not use HKEY_CURRENT_USER: it maps to the service account's hive, not the interactive user's (Microsoft Learn, \"Services and the Registry\").",
            Rule::StoppedWithLiveWork => "A service reports SERVICE_STOPPED only after its cleanup is done, since the process may exit at once (Microsoft Learn, \"Service ServiceMain Function\" and SetServiceStatus remarks).",
            Rule::WorkKilledAtExit => "When the last service of a process stops, the process exits and any thread still working dies mid-work (Microsoft Learn, SetServiceStatus remarks).",
            Rule::RestartOverlap => "A restarted service must not share state with work its previous run left alive (Microsoft Learn, SetServiceStatus remarks: do no work after SERVICE_STOPPED).",
            Rule::InvalidStatus => "SetServiceStatus takes a defined state, one service type and defined accept bits, else ERROR_INVALID_DATA (MS-SCMR 3.1.4.8 RSetServiceStatus).",
            Rule::UntrackedTask => "Work a service starts must be known to it so that it can finish it before SERVICE_STOPPED; a task spawned around the service context cannot be waited for (Microsoft Learn, \"Service ServiceMain Function\").",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// The rule.
    pub rule: Rule,
    /// The service (key name).
    pub service: String,
    /// Virtual time since boot.
    pub time: Duration,
    /// What was seen.
    pub seen: String,
    /// The replay token of the run.
    pub replay: ReplayToken,
}

impl Violation {
    /// A multi-line report: the rule, what was seen, the rule text, how to replay.
    pub fn report(&self) -> String {
        format!(
            "violation {} by {} at {}\n  seen: {}\n  rule: {}\n  replay: {} ({})",
            self.rule.id(),
            self.service,
            seconds_text(self.time),
            self.seen,
            self.rule.text(),
            self.replay,
            self.replay.command(),
        )
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {}",
            seconds_text(self.time),
            self.rule.id(),
            self.service,
            self.seen
        )
    }
}

/// True when a service may report `to` while in `from` (the state diagram, black and grey
/// edges; staying in a pending state to report progress is allowed).
pub fn legal_transition(from: ServiceState, to: ServiceState) -> bool {
    use ServiceState::*;
    if from == to {
        return from != Stopped;
    }
    match from {
        Stopped => false,
        StartPending => matches!(to, Running | Stopped | StopPending),
        Running => matches!(to, StopPending | Stopped | PausePending | Paused),
        StopPending => matches!(to, Stopped),
        PausePending => matches!(to, Paused | StopPending | Stopped | Running),
        Paused => matches!(to, ContinuePending | Running | StopPending | Stopped),
        ContinuePending => matches!(to, Running | StopPending | Stopped | Paused),
    }
}

/// Virtual time as the trace shows it (`42.250s`). The oracle sits below `events` in the
/// module graph (events names service states, service uses the oracle's work tracking), so it
/// formats the time itself, exactly as `events::time_ns::seconds_text` does.
fn seconds_text(time: Duration) -> String {
    format!("{}.{:03}s", time.as_secs(), time.subsec_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_round_trip() {
        for r in Rule::ALL {
            assert_eq!(Rule::from_id(r.id()), Some(r));
            assert!(r.text().ends_with(").") || r.text().ends_with(')'), "{r}");
        }
        let mut ids: Vec<_> = Rule::ALL.iter().map(|r| r.id()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), Rule::ALL.len());
    }
}
