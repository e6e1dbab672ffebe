//! The one writer of a service record's status: every change of state, exit code, checkpoint,
//! wait hint, pid or progress time goes through [`Core::transition`], whatever caused it — a
//! StartService, the service's own SetServiceStatus, a failed start, a process that died, a
//! driver loaded by the kernel at boot.
//!
//! One call does everything a change implies, in this order:
//!
//! 1. works out the new status from the [`Change`] and the record's current one;
//! 2. checks the edge: a service's own report against the service state diagram (an illegal
//!    edge is the `illegal-transition` violation, applied anyway as Windows does); a change the
//!    SCM makes against the SCM's own edges (a bug of ours when broken, caught in debug builds);
//! 3. writes status, pid and the progress time into the record;
//! 4. keeps the hang watchdog's index of pending services and wakes it when a pending state
//!    was entered or progressed;
//! 5. writes one `StateChanged` trace entry when the state changed, and event 7036 when the
//!    service itself reported RUNNING, STOPPED or PAUSED;
//! 6. wakes the waiters of this record (StartService waiting for RUNNING, a dependency start).
//!
//! ```
//! use scm_sim::service::ServiceState::*;
//! use scm_sim::sim::legal_transition;
//!
//! // The edges a service may report (the SCM's own edges are checked separately):
//! assert!(legal_transition(StartPending, Running));
//! assert!(legal_transition(Running, StopPending));
//! assert!(!legal_transition(Stopped, Running));
//! ```

use std::time::Duration;

use super::RecordStatus;
use crate::error::Win32Error;
use crate::events::{LoggedState, ScmEvent, TraceKind};
use crate::scm::{Core, State};
use crate::service::{ServiceControlAccept, ServiceState};
use crate::sim::{legal_transition, Rule};

/// What changes a record. Nothing else writes a record's status, pid or progress time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    /// StartService: STOPPED → START_PENDING for a new instance, with the SCM's initial wait
    /// hint; the pipe timeout applies until the dispatcher acknowledges.
    StartRequested {
        /// The new instance number.
        instance: u64,
        /// The wait hint the SCM sets before the service's first report.
        wait_hint: Duration,
    },
    /// The process that hosts the start was chosen (launched or reused).
    HostAssigned {
        /// Its pid.
        pid: u32,
    },
    /// The dispatcher created the ServiceMain thread: from now on the wait hint applies.
    ServiceMainRunning,
    /// The service's SetServiceStatus, already validated and accepted by the SCM.
    Reported(RecordStatus),
    /// The start failed before the service could run (timeouts, missing file, dispatcher
    /// refused): STOPPED with the error as exit code.
    StartFailed(Win32Error),
    /// The process died while the service was not stopped: STOPPED with
    /// ERROR_PROCESS_ABORTED (1067).
    ProcessDied,
    /// A driver was loaded (by the kernel at boot, or by StartService): RUNNING, accepting STOP.
    DriverLoaded,
    /// A driver was unloaded by STOP: STOPPED.
    DriverUnloaded,
    /// STOP (or SHUTDOWN) was sent: the SCM sends this instance no other control.
    StopSent,
}

impl super::ServiceRecord {
    /// Step 3: writes `status` and what `change` implies for the pid, the instance, the
    /// progress time and the start and stop marks. Returns whether the service progressed (a
    /// new state or a larger checkpoint).
    fn apply(&mut self, change: Change, status: RecordStatus, now: Duration) -> bool {
        let progressed =
            self.status.state != status.state || status.checkpoint > self.status.checkpoint;
        self.status = status;
        match change {
            Change::StartRequested { instance, .. } => {
                self.instance = instance;
                self.stop_sent = false;
                self.awaiting_dispatcher = true;
                self.last_progress = now;
            }
            Change::HostAssigned { pid } => self.pid = pid,
            Change::StopSent => self.stop_sent = true,
            Change::ServiceMainRunning => {
                self.awaiting_dispatcher = false;
                if status.checkpoint == 0 {
                    self.last_progress = now;
                }
            }
            _ => {
                self.awaiting_dispatcher = false;
                if progressed {
                    self.last_progress = now;
                }
            }
        }
        if status.state == ServiceState::Stopped || matches!(change, Change::DriverLoaded) {
            self.pid = 0;
        }
        progressed
    }
}

/// What the SCM itself may do to a record (a service's reports are checked by the oracle).
fn scm_edge_ok(from: ServiceState, change: Change) -> bool {
    use ServiceState as S;
    match change {
        Change::StartRequested { .. } | Change::DriverLoaded => from == S::Stopped,
        Change::HostAssigned { .. } | Change::ServiceMainRunning => from == S::StartPending,
        Change::StopSent => from != S::Stopped,
        Change::DriverUnloaded => from == S::Running,
        Change::StartFailed(_) | Change::ProcessDied => from != S::Stopped,
        Change::Reported(_) => true,
    }
}

/// The status a change leads to from `current`.
fn next_status(current: RecordStatus, change: Change) -> RecordStatus {
    match change {
        Change::StartRequested { wait_hint, .. } => RecordStatus {
            state: ServiceState::StartPending,
            accepted: ServiceControlAccept::empty(),
            win32_exit_code: 0,
            specific_exit_code: 0,
            checkpoint: 0,
            wait_hint_ms: u32::try_from(wait_hint.as_millis()).unwrap_or(u32::MAX),
        },
        Change::HostAssigned { .. } | Change::ServiceMainRunning | Change::StopSent => current,
        Change::Reported(status) => status,
        Change::StartFailed(error) => RecordStatus::stopped(error.code(), 0),
        Change::ProcessDied => RecordStatus::stopped(Win32Error::PROCESS_ABORTED.code(), 0),
        Change::DriverLoaded => RecordStatus::running(ServiceControlAccept::STOP),
        Change::DriverUnloaded => RecordStatus::stopped(0, 0),
    }
}

impl Core {
    /// Applies `change` to the record of `key` (see the module docs for the steps). Returns
    /// the state the record left, or `None` when there is no such record.
    pub(crate) fn transition(
        &self,
        st: &mut State,
        key: &str,
        change: Change,
    ) -> Option<ServiceState> {
        let now = st.now();
        let current = st.records.get(key)?.status;
        let from = current.state;
        let status = next_status(current, change);
        if matches!(change, Change::Reported(_)) && !legal_transition(from, status.state) {
            self.violation(
                st,
                Rule::IllegalTransition,
                key,
                format!("{} -> {}", from.sc_label(), status.state.sc_label()),
            );
        }
        let rec = st.records.get_mut(key)?;
        debug_assert!(
            scm_edge_ok(from, change),
            "the SCM moved {} from {} by {change:?}",
            rec.name,
            from.sc_label()
        );
        let progressed = rec.apply(change, status, now);
        let waiters = rec.waiters.clone();
        self.watch_pending(
            st,
            key,
            status.state,
            progressed || !matches!(change, Change::Reported(_)),
        );
        if from != status.state {
            self.record_state_change(st, key, from, status.state, change);
        } else {
            st.observers.touch();
        }
        waiters.notify_waiters();
        Some(from)
    }

    /// Step 4: the watchdog's index of pending services.
    fn watch_pending(&self, st: &mut State, key: &str, state: ServiceState, progressed: bool) {
        let Some(name) = st.records.get(key).map(|r| r.name.clone()) else {
            return;
        };
        let changed = st.records.set_pending(&name, state.is_pending());
        if changed || (state.is_pending() && progressed) {
            st.watch_dirty = true;
        }
    }

    /// Step 5: the trace entry and event 7036.
    fn record_state_change(
        &self,
        st: &mut State,
        key: &str,
        from: ServiceState,
        to: ServiceState,
        change: Change,
    ) {
        let name = st
            .records
            .get(key)
            .map(|r| r.shared_name())
            .unwrap_or_else(|| "".into());
        st.trace_with(|| TraceKind::StateChanged {
            service: name,
            from,
            to,
        });
        let reported = matches!(change, Change::Reported(_));
        let logged = match to {
            ServiceState::Running => Some(LoggedState::Running),
            ServiceState::Stopped => Some(LoggedState::Stopped),
            ServiceState::Paused => Some(LoggedState::Paused),
            _ => None,
        };
        if let (true, Some(state)) = (reported, logged) {
            st.event_with(key, |st| ScmEvent::EnteredState {
                display_name: st.display_name(key),
                state,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ServiceState as S;

    #[test]
    fn the_scm_starts_only_stopped_services_and_fails_only_live_ones() {
        let start = Change::StartRequested {
            instance: 1,
            wait_hint: Duration::from_secs(2),
        };
        assert!(scm_edge_ok(S::Stopped, start));
        assert!(!scm_edge_ok(S::Running, start));
        assert!(scm_edge_ok(S::StopPending, Change::ProcessDied));
        assert!(!scm_edge_ok(S::Stopped, Change::ProcessDied));
        assert!(!scm_edge_ok(
            S::Stopped,
            Change::StartFailed(Win32Error::FILE_NOT_FOUND)
        ));
    }

    #[test]
    fn a_start_request_clears_the_last_exit_code() {
        let old = RecordStatus::stopped(1067, 0);
        let new = next_status(
            old,
            Change::StartRequested {
                instance: 2,
                wait_hint: Duration::from_millis(2_000),
            },
        );
        assert_eq!(new.state, S::StartPending);
        assert_eq!(new.win32_exit_code, 0);
        assert_eq!(new.wait_hint_ms, 2_000);
    }

    #[test]
    fn failures_keep_their_error() {
        let running = RecordStatus::running(ServiceControlAccept::STOP);
        assert_eq!(
            next_status(running, Change::ProcessDied).win32_exit_code,
            1067
        );
        assert_eq!(
            next_status(
                running,
                Change::StartFailed(Win32Error::SERVICE_REQUEST_TIMEOUT)
            )
            .win32_exit_code,
            1053
        );
    }
}
