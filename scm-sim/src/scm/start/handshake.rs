//! The start handshake: a launched process must connect its dispatcher within the pipe
//! timeout (else 1053 with event 7009 and the process is killed), then the start packet asks
//! the dispatcher for a ServiceMain thread and the dispatcher acknowledges it (else 1053 with
//! event 7011). From then on the service's wait hint applies.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

use crate::error::Win32Error;
use crate::events::{ScmEvent, TraceKind};
use crate::process::DispatchMsg;
use crate::scm::{Change, Core};
use crate::service::ServiceState;

use super::Launch;

impl Core {
    /// Waits for a launched process to connect its dispatcher; on a timeout or an early exit
    /// the start fails with ERROR_SERVICE_REQUEST_TIMEOUT (1053).
    pub(super) async fn await_dispatcher(
        self: &Arc<Core>,
        key: &str,
        pid: u32,
        pipe_timeout: Duration,
    ) -> Result<(), Win32Error> {
        let connected = tokio::time::timeout(
            pipe_timeout,
            self.wait_until(|st| {
                st.processes
                    .get(&pid)
                    .is_none_or(|p| p.connected || p.exited)
            }),
        )
        .await;
        let mut st = self.lock();
        let alive_and_connected = st
            .processes
            .get(&pid)
            .is_some_and(|p| p.connected && !p.exited);
        if alive_and_connected {
            return Ok(());
        }
        if connected.is_err() {
            let display = st.display_name(key);
            let name = st.record(key).map(|r| r.shared_name());
            let after_ms = u64::try_from(pipe_timeout.as_millis()).unwrap_or(u64::MAX);
            st.trace_with(|| TraceKind::Timeout {
                service: name,
                what: "dispatcher connect".into(),
                after_ms,
            });
            st.event(
                key,
                ScmEvent::ConnectTimeout {
                    timeout_ms: u32::try_from(after_ms).unwrap_or(u32::MAX),
                    display_name: display,
                },
            );
        }
        self.fail_start(&mut st, key, Win32Error::SERVICE_REQUEST_TIMEOUT, true);
        let kill = st
            .processes
            .get(&pid)
            .is_some_and(|p| p.services.is_empty());
        drop(st);
        if kill {
            self.kill_process(pid, "did not connect its dispatcher");
        }
        self.wake();
        Err(Win32Error::SERVICE_REQUEST_TIMEOUT)
    }

    /// Sends the start packet and waits for the dispatcher's answer: 0 once ServiceMain runs,
    /// else the Win32 error of the failure.
    pub(super) async fn send_start_packet(
        self: &Arc<Core>,
        key: &str,
        launch: Launch,
        pipe_timeout: Duration,
    ) -> u32 {
        let (tx, rx) = oneshot::channel();
        let sent = {
            let mut st = self.lock();
            let argv = launch.argv;
            let (shared, traced_argv) = match st.record(key) {
                Some(r) if st.observers.enabled => (r.shared_name(), Some(r.traced_argv(&argv))),
                Some(r) => (r.shared_name(), None),
                None => ("".into(), None),
            };
            st.trace_with(|| TraceKind::ServiceMainCalled {
                service: shared.clone(),
                pid: launch.pid,
                args: traced_argv.unwrap_or_else(|| argv.as_slice().into()),
            });
            st.processes.get(&launch.pid).is_some_and(|p| {
                let start = DispatchMsg::Start {
                    service: shared,
                    args: argv,
                    instance: launch.instance,
                    reply: tx,
                };
                p.sender.send(start).is_ok()
            })
        };
        if !sent {
            return Win32Error::SERVICE_REQUEST_TIMEOUT.code();
        }
        match tokio::time::timeout(pipe_timeout, rx).await {
            Ok(Ok(code)) => code,
            Ok(Err(_)) => Win32Error::SERVICE_REQUEST_TIMEOUT.code(),
            Err(_) => {
                let mut st = self.lock();
                let display = st.display_name(key);
                st.event(
                    key,
                    ScmEvent::TransactionTimeout {
                        timeout_ms: u32::try_from(pipe_timeout.as_millis()).unwrap_or(u32::MAX),
                        display_name: display,
                    },
                );
                Win32Error::SERVICE_REQUEST_TIMEOUT.code()
            }
        }
    }

    /// ServiceMain runs: from now on the wait hint applies.
    pub(super) fn service_main_running(&self, key: &str, instance: u64) {
        {
            let mut st = self.lock();
            let starting = st.record(key).is_some_and(|r| {
                r.instance() == instance
                    && r.awaiting_dispatcher()
                    && r.status().state == ServiceState::StartPending
            });
            if starting {
                self.transition(&mut st, key, Change::ServiceMainRunning);
            }
        }
        self.wake();
    }
}
