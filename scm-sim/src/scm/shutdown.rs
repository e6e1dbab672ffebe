//! The orderly shutdown of the SCM, as a Windows 10 shutdown or restart runs it
//! (scm-facts §1.6, §4.3; lifecycle-sessions §1.1):
//!
//! 1. the boot ends: its timers (delayed auto-start, triggers, the watchdog) are cancelled and
//!    its epoch closed, so a recovery restart queued in it never fires; StartService now fails
//!    with ERROR_SHUTDOWN_IN_PROGRESS (1115);
//! 2. PRESHUTDOWN, one service at a time, to every running service accepting it:
//!    `Control\PreshutdownOrder` first, then the rest in database order. The SCM waits for each
//!    until it is STOPPED or its preshutdown timeout (`PreshutdownTimeout`, 10 s by default)
//!    passed without progress (a STOP_PENDING report with a larger checkpoint extends the
//!    wait); event 7043 for one that did not stop;
//! 3. SHUTDOWN to every service still running that accepts it, in database order, one at a
//!    time; the whole phase is capped by `WaitToKillServiceTimeout` (REG_SZ ms, "5000");
//! 4. every process left is terminated (services accepting neither control end here). Work
//!    still alive in a process that ends during the shutdown is reported as
//!    `work-killed-at-exit`, naming the phase.
//!
//! Nothing ended by a shutdown counts as a failure: no event 7031/7034, no recovery action.

use std::sync::Arc;
use std::time::Duration;

use fake_registry::Caller;

use crate::events::{ScmEvent, TraceKind};
use crate::scm::{Core, State, DEFAULT_PRESHUTDOWN_TIMEOUT_MS};
use crate::service::{ControlRequest, ServiceControl, ServiceControlAccept, ServiceState};

const PRESHUTDOWN_ORDER: &str = r"HKLM\SYSTEM\CurrentControlSet\Control";

/// The phase of a shutdown in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ShutdownPhase {
    /// PRESHUTDOWN controls are being delivered.
    Preshutdown,
    /// SHUTDOWN controls are being delivered, within WaitToKillServiceTimeout.
    Shutdown,
    /// The processes left are being terminated.
    Terminate,
}

impl ShutdownPhase {
    /// How the phase is named in reports.
    pub(crate) fn label(self) -> &'static str {
        match self {
            ShutdownPhase::Preshutdown => "PRESHUTDOWN",
            ShutdownPhase::Shutdown => "SHUTDOWN",
            ShutdownPhase::Terminate => "terminate",
        }
    }
}

/// Where the machine is in its life: the boot epoch (recovery timers belong to one), a
/// shutdown in progress, and whether the machine is off.
#[derive(Debug, Default)]
pub(crate) struct Life {
    /// Increases when a boot ends (shutdown, restart, power cut).
    pub(crate) epoch: u64,
    /// The phase of the shutdown in progress, if any.
    pub(crate) phase: Option<ShutdownPhase>,
    /// The machine is off: every management call fails with RPC_S_SERVER_UNAVAILABLE.
    pub(crate) off: bool,
}

impl Life {
    /// Whether a timer started in `epoch` may still act.
    pub(crate) fn current(&self, epoch: u64) -> bool {
        self.epoch == epoch && self.phase.is_none() && !self.off
    }
}

/// Running services accepting `bit`, in database order.
fn accepting(st: &State, bit: ServiceControlAccept) -> Vec<String> {
    st.records
        .iter()
        .filter(|(_, r)| !r.service_type().is_driver())
        .filter(|(_, r)| {
            let s = r.status();
            s.state != ServiceState::Stopped && s.accepted.contains(bit) && r.pid() != 0
        })
        .map(|(k, _)| k.folded().to_string())
        .collect()
}

/// The PRESHUTDOWN targets: those named in `Control\PreshutdownOrder` first, in its order,
/// then the rest in database order.
fn preshutdown_targets(st: &mut State) -> Vec<String> {
    let order = st
        .registry
        .get_multi_sz(
            &Caller::local_system(),
            PRESHUTDOWN_ORDER,
            "PreshutdownOrder",
        )
        .unwrap_or_default();
    let mut rest = accepting(st, ServiceControlAccept::PRESHUTDOWN);
    let mut out = Vec::new();
    for name in order {
        let key = crate::service::ServiceName::fold(&name).into_owned();
        if let Some(i) = rest.iter().position(|k| *k == key) {
            out.push(rest.remove(i));
        }
    }
    out.extend(rest);
    out
}

impl Core {
    /// Steps 1–4 of the module docs. Returns with every process ended; the caller marks the
    /// machine off or boots it again.
    pub(crate) async fn shutdown_services(self: &Arc<Core>) {
        let targets = {
            let mut st = self.lock();
            st.life.epoch += 1;
            st.life.phase = Some(ShutdownPhase::Preshutdown);
            for t in st.system_tasks.drain(..) {
                t.abort();
            }
            let targets = preshutdown_targets(&mut st);
            st.trace_with(|| TraceKind::Note {
                text: format!("shutdown: PRESHUTDOWN to {} service(s)", targets.len()).into(),
            });
            targets
        };
        for key in targets {
            self.preshutdown_one(&key).await;
        }
        self.shutdown_phase().await;
        self.terminate_all();
    }

    /// PRESHUTDOWN to one service, then the wait for it (step 2).
    async fn preshutdown_one(self: &Arc<Core>, key: &str) {
        let timeout = {
            let st = self.lock();
            let Some(r) = st.records.get(key) else {
                return;
            };
            let s = r.status();
            if s.state == ServiceState::Stopped
                || !s.accepted.contains(ServiceControlAccept::PRESHUTDOWN)
            {
                return;
            }
            let ms = r
                .config
                .preshutdown_timeout
                .unwrap_or(DEFAULT_PRESHUTDOWN_TIMEOUT_MS);
            Duration::from_millis(u64::from(ms))
        };
        let core = self.clone();
        let owned = key.to_string();
        // The handler runs on its own: the wait below is the SCM's, not the handler's.
        let delivery = self.spawn(async move {
            let request = ControlRequest::new(ServiceControl::Preshutdown);
            let _ = core.send_control(&owned, request, false).await;
        });
        let stopped = self.wait_stopped(key, Some(timeout)).await;
        delivery.abort();
        if !stopped {
            let mut st = self.lock();
            let display = st.display_name(key);
            st.event(
                key,
                ScmEvent::PreshutdownFailed {
                    display_name: display,
                },
            );
        }
    }

    /// SHUTDOWN to every running service accepting it, one at a time, and the wait for them
    /// to stop, all within WaitToKillServiceTimeout (step 3).
    async fn shutdown_phase(self: &Arc<Core>) {
        let (targets, limit) = {
            let mut st = self.lock();
            st.life.phase = Some(ShutdownPhase::Shutdown);
            let targets = accepting(&st, ServiceControlAccept::SHUTDOWN);
            let limit = st.settings.wait_to_kill;
            st.trace_with(|| TraceKind::Note {
                text: format!(
                    "shutdown: SHUTDOWN to {} service(s), WaitToKillServiceTimeout {} ms",
                    targets.len(),
                    limit.as_millis()
                )
                .into(),
            });
            (targets, limit)
        };
        let all = async {
            for key in &targets {
                let request = ControlRequest::new(ServiceControl::Shutdown);
                let _ = self.send_control(key, request, false).await;
            }
            for key in &targets {
                self.wait_stopped(key, None).await;
            }
        };
        if tokio::time::timeout(limit, all).await.is_err() {
            self.lock().trace_with(|| TraceKind::Note {
                text: format!(
                    "shutdown: WaitToKillServiceTimeout ({} ms) passed",
                    limit.as_millis()
                )
                .into(),
            });
        }
    }

    /// Terminates every process left (step 4).
    fn terminate_all(self: &Arc<Core>) {
        let pids: Vec<u32> = {
            let mut st = self.lock();
            st.life.phase = Some(ShutdownPhase::Terminate);
            st.processes.keys().copied().collect()
        };
        for pid in pids {
            self.kill_process(pid, "system shutdown");
        }
    }

    /// Waits until the service of `key` is STOPPED (true) or, with a `timeout`, until that
    /// long passed without progress (false). Progress is a new state or a larger checkpoint.
    async fn wait_stopped(&self, key: &str, timeout: Option<Duration>) -> bool {
        let since = self.lock().now();
        loop {
            let (waiters, left) = {
                let st = self.lock();
                let Some(r) = st.records.get(key) else {
                    return true;
                };
                if r.status().state == ServiceState::Stopped {
                    return true;
                }
                let left =
                    timeout.map(|t| (since.max(r.last_progress()) + t).saturating_sub(st.now()));
                (r.waiters.clone(), left)
            };
            if left.is_some_and(|l| l.is_zero()) {
                return false;
            }
            let notified = waiters.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.state_of(key) == Some(ServiceState::Stopped) {
                return true;
            }
            match left {
                Some(l) => {
                    tokio::select! {
                        biased;
                        _ = &mut notified => {}
                        _ = tokio::time::sleep(l) => {}
                    }
                }
                None => notified.await,
            }
        }
    }
}

impl Core {
    /// Ends the boot without a word to anyone, as a power cut does: its timers cancelled, its
    /// epoch closed, every process terminated with no event and no recovery.
    pub(crate) fn cut_power(self: &Arc<Core>) {
        {
            let mut st = self.lock();
            st.life.epoch += 1;
            st.life.phase = Some(ShutdownPhase::Terminate);
        }
        self.terminate_all();
        let mut st = self.lock();
        for t in st.system_tasks.drain(..) {
            t.abort();
        }
    }
}
