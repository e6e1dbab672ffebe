//! What happens to a record after a start: status reports (SetServiceStatus) validated and
//! applied, ServiceMain returning, dispatchers connecting, and processes exiting or dying —
//! with the events Windows logs for each.

use crate::error::Win32Error;
use crate::events::{NoteText, ScmEvent, SharedName, TraceKind};
use crate::process::DispatchMsg;
use crate::scm::record::RecordStatus;
use crate::scm::{Change, Core, State};
use crate::service::{RawServiceStatus, ServiceState};
use crate::sim::Rule;
use std::sync::Arc;

/// Accept bits SetServiceStatus allows (every defined SERVICE_ACCEPT_* bit, reserved 0x1000 too).
const VALID_ACCEPT_BITS: u32 = 0x7FFF;

/// Checks a raw status the way the SCM does before applying it (ERROR_INVALID_DATA, 13).
pub(crate) fn validate_report(raw: &RawServiceStatus) -> Result<ServiceState, Win32Error> {
    let state = ServiceState::from_raw(raw.current_state).ok_or(Win32Error::INVALID_DATA)?;
    if raw.controls_accepted & !VALID_ACCEPT_BITS != 0 {
        return Err(Win32Error::INVALID_DATA);
    }
    let t = raw.service_type;
    let driver = t & 0xB != 0;
    let win32 = t & 0x30 != 0;
    if t & !0x3FF != 0 || (driver && win32) || (!driver && !win32) {
        return Err(Win32Error::INVALID_DATA);
    }
    Ok(state)
}

impl Core {
    /// SetServiceStatus from a service's status handle.
    pub(crate) fn set_service_status(
        self: &Arc<Core>,
        service: &str,
        instance: u64,
        raw: RawServiceStatus,
    ) -> Result<(), Win32Error> {
        let key = crate::service::ServiceName::fold(service).into_owned();
        let mut guard = self.lock();
        let st = &mut *guard;
        let state = match validate_report(&raw) {
            Ok(s) => s,
            Err(e) => {
                self.violation(
                    st,
                    Rule::InvalidStatus,
                    &key,
                    format!("SetServiceStatus({raw:?}) rejected with {}", e.code()),
                );
                return Err(e);
            }
        };
        let rec = st.records.get(&key).ok_or(Win32Error::INVALID_HANDLE)?;
        let accepted_by_scm =
            rec.instance() == instance && rec.status().state != ServiceState::Stopped;
        let pid = rec.pid();
        let shared = rec.shared_name();
        st.trace_with(|| TraceKind::StatusReported {
            service: shared,
            pid,
            state: raw.current_state,
            state_name: state.sc_label().into(),
            accepted: raw.controls_accepted,
            exit_code: raw.win32_exit_code,
            specific_exit_code: raw.service_specific_exit_code,
            checkpoint: raw.checkpoint,
            wait_hint: raw.wait_hint_ms,
            accepted_by_scm,
        });
        if !accepted_by_scm {
            // The status handle of a stopped (or replaced) instance is closed.
            let rule = if state == ServiceState::Stopped {
                Rule::StoppedReportedTwice
            } else {
                Rule::StatusAfterStopped
            };
            self.violation(
                st,
                rule,
                &key,
                format!(
                    "{} reported after STOPPED (start #{instance})",
                    state.sc_label()
                ),
            );
            return Err(Win32Error::INVALID_HANDLE);
        }
        self.check_report(st, &key, state, &raw);
        let status = RecordStatus::from_report(state, &raw);
        self.transition(st, &key, Change::Reported(status));
        if state == ServiceState::Stopped {
            self.service_stopped(
                st,
                &key,
                pid,
                raw.win32_exit_code,
                raw.service_specific_exit_code,
            );
        }
        drop(guard);
        self.wake();
        Ok(())
    }

    /// The oracle's checks of one accepted report against the record's current status.
    fn check_report(&self, st: &mut State, key: &str, state: ServiceState, raw: &RawServiceStatus) {
        let Some(rec) = st.records.get(key) else {
            return;
        };
        let from = rec.status().state;
        let mut found: Vec<(Rule, String)> = Vec::new();
        if from == state && state.is_pending() && raw.checkpoint <= rec.status().checkpoint {
            found.push((
                Rule::CheckpointNotAdvancing,
                format!(
                    "{} re-reported with checkpoint {} after {}",
                    state.sc_label(),
                    raw.checkpoint,
                    rec.status().checkpoint
                ),
            ));
        }
        if !state.is_pending() && raw.checkpoint != 0 {
            found.push((
                Rule::CheckpointOutsidePending,
                format!("{} with checkpoint {}", state.sc_label(), raw.checkpoint),
            ));
        }
        if state == ServiceState::StartPending && raw.controls_accepted != 0 {
            found.push((
                Rule::ControlsAcceptedWhileStartPending,
                format!("START_PENDING accepting 0x{:x}", raw.controls_accepted),
            ));
        }
        let specific_without_1066 = raw.service_specific_exit_code != 0
            && raw.win32_exit_code != Win32Error::SERVICE_SPECIFIC_ERROR.code();
        let exit_code_while_not_stopping = raw.win32_exit_code != 0
            && !matches!(state, ServiceState::Stopped | ServiceState::StopPending);
        if specific_without_1066 || exit_code_while_not_stopping {
            found.push((
                Rule::ExitCodeWithoutFailure,
                format!(
                    "{} with dwWin32ExitCode {} and dwServiceSpecificExitCode {}",
                    state.sc_label(),
                    raw.win32_exit_code,
                    raw.service_specific_exit_code
                ),
            ));
        }
        if state == ServiceState::Stopped && tokio::runtime::Handle::try_current().is_ok() {
            // The census (only from the machine's thread, where the counts are consistent):
            // tasks alive that the engine did not spawn were started around a context.
            let census = self.untracked_tasks();
            if census > st.ledger.census_reported {
                found.push((
                    Rule::UntrackedTask,
                    format!("{census} tokio task(s) alive that were not spawned through ServiceContext::spawn_task (machine-wide census)"),
                ));
            }
            st.ledger.census_reported = census;
        }
        let Some(rec) = st.records.get(key) else {
            return;
        };
        if state == ServiceState::Stopped {
            let instance = rec.instance();
            let live = crate::sim::work::live_at_stopped(&mut st.ledger.work, key, instance);
            if !live.is_empty() {
                found.push((
                    Rule::StoppedWithLiveWork,
                    format!("STOPPED while alive: {}", live.join("; ")),
                ));
            }
        }
        for (rule, seen) in found {
            self.violation(st, rule, key, seen);
        }
    }

    /// A service reported STOPPED: exit-code events, leave its process (which exits after
    /// its last service), complete a pending delete, run non-crash recovery.
    fn service_stopped(
        self: &Arc<Core>,
        st: &mut State,
        key: &str,
        pid: u32,
        win32: u32,
        specific: u32,
    ) {
        if win32 == Win32Error::SERVICE_SPECIFIC_ERROR.code() {
            let display = st.display_name(key);
            st.event(
                key,
                ScmEvent::ExitFailedSpecific {
                    display_name: display,
                    code: specific,
                },
            );
        } else if win32 != 0 {
            let display = st.display_name(key);
            st.event(
                key,
                ScmEvent::ExitFailed {
                    display_name: display,
                    error: Win32Error(win32),
                },
            );
        }
        // Only a service with a DLL loaded in an svchost host can unload one; read its
        // Parameters (fresh from the registry) only then.
        let has_dll = st
            .processes
            .get(&pid)
            .is_some_and(|p| p.dlls.values().any(|users| users.contains(key)));
        let unloads = has_dll
            && st
                .fresh_parameters(key)
                .is_some_and(|p| p.unloads_on_stop());
        let mut unloaded = Vec::new();
        if let Some(p) = st.processes.get_mut(&pid) {
            p.services.remove(key);
            for (dll, users) in p.dlls.iter_mut() {
                if users.remove(key) && users.is_empty() && unloads {
                    unloaded.push(dll.clone());
                }
            }
            for dll in &unloaded {
                p.dlls.remove(dll);
            }
            if p.services.is_empty() {
                let _ = p.sender.send(DispatchMsg::Exit);
            }
        }
        for dll in unloaded {
            st.trace_with(|| TraceKind::Note {
                text: format!("svchost (pid {pid}) unloaded {dll} (ServiceDllUnloadOnStop)").into(),
            });
        }
        let non_crash_recovery = win32 != 0
            && st
                .record(key)
                .is_some_and(|r| r.config.failure_actions_on_non_crash_failures == Some(true));
        if non_crash_recovery && st.life.phase.is_none() {
            self.service_failed(st, key);
        }
        st.purge_if_deleted(key);
    }

    /// ServiceMain returned: nothing changes (a service that has not reported STOPPED stays
    /// in its state, its process alive), but the trace shows it.
    pub(crate) fn service_main_returned(&self, pid: u32, service: SharedName, instance: u64) {
        self.lock().trace_with(|| TraceKind::Note {
            text: NoteText::ServiceMainReturned {
                service,
                pid,
                instance,
            },
        });
    }

    /// The dispatcher of `pid` connected (StartServiceCtrlDispatcher).
    pub(crate) fn dispatcher_connected(&self, pid: u32) {
        let mut st = self.lock();
        if let Some(p) = st.processes.get_mut(&pid) {
            p.connected = true;
        }
        st.trace_with(|| TraceKind::Note {
            text: NoteText::DispatcherConnected { pid },
        });
        drop(st);
        self.wake();
    }

    /// Service code of `pid` panicked (or a crash was injected): the process dies.
    pub(crate) fn crash_process(self: &Arc<Core>, pid: u32, what: &str) {
        self.lock().trace_with(|| TraceKind::Note {
            text: format!("process {pid} crashed: {what}").into(),
        });
        self.kill_process(pid, what);
    }

    /// TerminateProcess: every task of the process is aborted and its services that had not
    /// stopped are STOPPED with ERROR_PROCESS_ABORTED (1067).
    pub(crate) fn kill_process(self: &Arc<Core>, pid: u32, why: &str) {
        let tasks = {
            let mut st = self.lock();
            match st.processes.get_mut(&pid) {
                Some(p) => std::mem::take(&mut p.tasks),
                None => return,
            }
        };
        for t in &tasks {
            t.abort();
        }
        self.process_exited(pid, 1067, Some(why.to_string()));
    }

    /// A process ended (its main returned, it was killed, or it panicked).
    pub(crate) fn process_exited(
        self: &Arc<Core>,
        pid: u32,
        exit_code: u32,
        crash: Option<String>,
    ) {
        let mut guard = self.lock();
        let st = &mut *guard;
        let Some(mut p) = st.processes.remove(&pid) else {
            return;
        };
        p.exited = true;
        for t in p.tasks.drain(..) {
            t.abort();
        }
        st.trace_with(|| TraceKind::ProcessExited {
            pid,
            image: p.image.clone(),
            exit_code,
            crashed: crash.is_some(),
        });
        let killed: Vec<(String, String)> = st
            .ledger
            .work
            .values_mut()
            .filter(|w| w.pid == pid && w.alive)
            .map(|w| {
                w.killed = true;
                // A task dies with its process; an OS thread cannot be killed from here, but
                // it is dead to the machine: its sleeps fail and its reports are rejected.
                w.alive = false;
                let left = match &w.progress {
                    Some(p) => format!(" (last progress: {p})"),
                    None => String::new(),
                };
                (w.service.clone(), format!("{}{left}", w.describe()))
            })
            .collect();
        let during = match st.life.phase {
            Some(phase) => format!(" during the shutdown ({} phase)", phase.label()),
            None => String::new(),
        };
        for (service, what) in killed {
            self.violation(
                st,
                Rule::WorkKilledAtExit,
                &service,
                format!("process {pid} exited{during} while alive: {what}"),
            );
        }
        for key in std::mem::take(&mut p.services) {
            let Some(rec) = st.records.get(&key) else {
                continue;
            };
            if rec.status().state == ServiceState::Stopped
                || rec.pid() != pid
                || (rec.awaiting_dispatcher() && !p.connected)
            {
                // A start still waiting for the dispatcher to connect fails there (1053), not
                // as a crash.
                continue;
            }
            self.transition(st, &key, Change::ProcessDied);
            // A service that was still starting failed its start; one that ran crashed —
            // unless the shutdown ended it.
            if st.life.phase.is_none() {
                self.service_failed(st, &key);
            }
            st.purge_if_deleted(&key);
        }
        drop(guard);
        self.wake();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(state: u32, ty: u32, accept: u32) -> RawServiceStatus {
        RawServiceStatus {
            service_type: ty,
            current_state: state,
            controls_accepted: accept,
            ..RawServiceStatus::default()
        }
    }

    #[test]
    fn invalid_reports_are_invalid_data() {
        assert_eq!(
            validate_report(&raw(0, 0x10, 0)),
            Err(Win32Error::INVALID_DATA)
        );
        assert_eq!(
            validate_report(&raw(8, 0x10, 0)),
            Err(Win32Error::INVALID_DATA)
        );
        assert_eq!(
            validate_report(&raw(4, 0x11, 0)),
            Err(Win32Error::INVALID_DATA)
        );
        assert_eq!(
            validate_report(&raw(4, 0x10, 0x10000)),
            Err(Win32Error::INVALID_DATA)
        );
        assert_eq!(
            validate_report(&raw(4, 0x30, 0x401)),
            Ok(ServiceState::Running)
        );
    }
}
