//! StartService as the SCM performs it: checks, dependencies first (recursively, groups by
//! their members: `dependencies`), START_PENDING with the default wait hint, then the process
//! — reused for a shared image, launched otherwise (`launch`) — must connect its dispatcher
//! within the pipe timeout, and the dispatcher acknowledges the ServiceMain thread
//! (`handshake`). StartService returns then, not when the service is RUNNING.

mod dependencies;
mod handshake;
mod launch;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::error::Win32Error;
use crate::events::ScmEvent;
use crate::process::DispatchMsg;
use crate::scm::{Change, Core, StartReason, State};
use crate::service::{ServiceName, ServiceState};

use launch::Launch;

/// How a start began (see [`Core::begin_start`]).
enum Begun {
    /// A driver: loaded at once, nothing more to do.
    Driver,
    /// A Win32 service: its process, or why none could be found or launched.
    Process(Result<Launch, Win32Error>),
}

type StartFuture<'a> = Pin<Box<dyn Future<Output = Result<(), Win32Error>> + Send + 'a>>;

impl Core {
    /// Starts a service and what it depends on. `chain` holds the services whose start is
    /// waiting for this one (to refuse cycles loaded from a hand-edited registry).
    pub(crate) fn start_service<'a>(
        self: &'a Arc<Core>,
        name: String,
        args: Vec<String>,
        reason: StartReason,
        chain: Vec<String>,
    ) -> StartFuture<'a> {
        Box::pin(async move {
            let key = ServiceName::fold(&name).into_owned();
            let deps = {
                let st = self.lock();
                if st.life.phase.is_some() {
                    return Err(Win32Error::SHUTDOWN_IN_PROGRESS);
                }
                let rec = st.record(&key).ok_or(Win32Error::SERVICE_DOES_NOT_EXIST)?;
                if rec.marked_for_delete {
                    return Err(Win32Error::SERVICE_MARKED_FOR_DELETE);
                }
                if rec.start_type_raw() == 4 {
                    return Err(Win32Error::SERVICE_DISABLED);
                }
                if rec.status().state != ServiceState::Stopped {
                    return Err(Win32Error::SERVICE_ALREADY_RUNNING);
                }
                (rec.depend_on_service(), rec.depend_on_group())
            };
            if chain.contains(&key) {
                return Err(Win32Error::CIRCULAR_DEPENDENCY);
            }
            let mut chain = chain;
            chain.push(key.clone());
            self.start_dependencies(&key, &deps.0, &deps.1, &chain)
                .await?;
            self.start_one(&key, args, reason).await
        })
    }

    /// Starts one service whose dependencies run: the process part of StartService.
    async fn start_one(
        self: &Arc<Core>,
        key: &str,
        args: Vec<String>,
        reason: StartReason,
    ) -> Result<(), Win32Error> {
        let begun = self.begin_start(key, args, reason);
        self.wake();
        let launch = match begun? {
            Begun::Driver => return Ok(()),
            Begun::Process(Ok(launch)) => launch,
            Begun::Process(Err(e)) => {
                self.fail_start_and_wake(key, e);
                return Err(e);
            }
        };
        let pipe_timeout = self.lock().settings.pipe_timeout;
        if launch.launched {
            self.await_dispatcher(key, launch.pid, pipe_timeout).await?;
        }
        let instance = launch.instance;
        let code = self.send_start_packet(key, launch, pipe_timeout).await;
        if code != 0 {
            let mut st = self.lock();
            // Only fail the start if this instance is still the one starting.
            if st.record(key).is_some_and(|r| {
                r.instance() == instance && r.status().state != ServiceState::Stopped
            }) {
                self.fail_start(&mut st, key, Win32Error(code), true);
            }
            drop(st);
            self.wake();
            return Err(Win32Error(code));
        }
        self.service_main_running(key, instance);
        Ok(())
    }

    /// Under the lock: the state check, then a driver loads at once, or the record enters
    /// START_PENDING for a new instance and the process for it is found or launched.
    fn begin_start(
        self: &Arc<Core>,
        key: &str,
        args: Vec<String>,
        reason: StartReason,
    ) -> Result<Begun, Win32Error> {
        let mut guard = self.lock();
        let st = &mut *guard;
        let rec = st
            .records
            .get(key)
            .ok_or(Win32Error::SERVICE_DOES_NOT_EXIST)?;
        if rec.status().state != ServiceState::Stopped {
            return Err(Win32Error::SERVICE_ALREADY_RUNNING);
        }
        if rec.service_type().is_driver() {
            self.driver_started(st, key);
            return Ok(Begun::Driver);
        }
        st.next_instance += 1;
        let instance = st.next_instance;
        let wait_hint = st.settings.initial_wait_hint;
        let change = Change::StartRequested {
            instance,
            wait_hint,
        };
        self.transition(st, key, change);
        self.check_restart_overlap(st, key, instance);
        let rec = st
            .records
            .get_mut(key)
            .ok_or(Win32Error::SERVICE_DOES_NOT_EXIST)?;
        rec.start_reason = Some(reason);
        let mut argv = vec![rec.name.to_string()];
        argv.extend(args);
        Ok(Begun::Process(self.find_or_launch(st, key, instance, argv)))
    }

    /// The oracle's `restart-overlap` rule: work of an earlier instance still alive.
    fn check_restart_overlap(&self, st: &mut State, key: &str, instance: u64) {
        let overlap: Vec<String> = st
            .ledger
            .work
            .values()
            .filter(|w| w.alive && w.instance < instance && ServiceName::fold(&w.service) == key)
            .map(|w| w.describe())
            .collect();
        if !overlap.is_empty() {
            self.violation(
                st,
                crate::sim::Rule::RestartOverlap,
                key,
                format!("started again while alive: {}", overlap.join("; ")),
            );
        }
    }

    /// [`Core::fail_start`] with event 7000, then wakes the waiters.
    fn fail_start_and_wake(&self, key: &str, error: Win32Error) {
        let mut st = self.lock();
        self.fail_start(&mut st, key, error, true);
        drop(st);
        self.wake();
    }

    /// A driver "starts" at once: RUNNING, pid 0, accepting STOP.
    fn driver_started(&self, st: &mut State, key: &str) {
        self.transition(st, key, Change::DriverLoaded);
    }

    /// Ends a failed start: STOPPED, pid 0, the error as exit code, event 7000.
    pub(crate) fn fail_start(&self, st: &mut State, key: &str, error: Win32Error, log: bool) {
        let Some(pid) = st.record(key).map(|r| r.pid()) else {
            return;
        };
        self.transition(st, key, Change::StartFailed(error));
        let exit_process = match st.processes.get_mut(&pid) {
            Some(p) => {
                p.services.remove(key);
                p.services.is_empty() && p.connected
            }
            None => false,
        };
        if exit_process {
            if let Some(p) = st.processes.get(&pid) {
                let _ = p.sender.send(DispatchMsg::Exit);
            }
        }
        if log {
            let display = st.display_name(key);
            st.event(
                key,
                ScmEvent::StartFailed {
                    display_name: display,
                    error,
                },
            );
        }
        st.purge_if_deleted(key);
    }
}
