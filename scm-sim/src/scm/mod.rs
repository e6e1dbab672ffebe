//! The services.exe model: the database of service records loaded from the registry, the
//! handle table, the management API (in [`Scm`]), state transitions, dependencies, processes
//! and their dispatchers, boot, hang detection (the watchdog), and the event log and trace it
//! writes.
//!
//! Every request takes one path: it enters the management API, is checked against the record
//! (state, access, accepted controls), goes to the process's dispatcher, the service's handler
//! runs, the service reports status through its status handle, the engine validates the
//! report, updates the record, wakes waiters and writes the trace. Every change of a record's
//! status, whatever its cause, goes through one function, `Core::transition`
//! (`record/transition.rs`): the record's fields are private to `record/`.
//!
//! | module | job |
//! |---|---|
//! | `api`, `create`, `config`, `enumerate`, `notify` | the management API of [`Scm`] |
//! | `record` | a service record and the transition function, its only writer |
//! | `database` | the records by service name, with reverse-dependency and pending indexes |
//! | `handles` | SC_HANDLEs and access rights ([`access`]) |
//! | `start`, `control`, `lifecycle` | StartService, ControlService, status reports, exits |
//! | `boot`, `settings` | the database and settings read from the registry at boot |
//! | `shutdown`, `recovery` | the orderly shutdown; failure counting, reset period, recovery actions |
//! | `watchdog`, `work` | hang detection and the engine side of work tracking |
//! | `host` | what processes and service code may ask of the engine (`process::Host`) |
//! | `svchost_host`, `trigger_host` | what svchost hosts and the trigger dispatcher may ask |
//! | `lend` | lending the registry to a service's `with_registry` closure, lock-free |
//! | `untracked_panic` | a panic in a plain `tokio::spawn` task of service code ends its process |
//!
//! ```
//! use scm_sim::Machine;
//! use scm_sim::scm::access::{SC_MANAGER_ALL_ACCESS, SERVICE_QUERY_STATUS};
//!
//! let mut m = Machine::builder().build().unwrap();           // an empty machine
//! let scm = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).unwrap();
//! let err = m.open_service(scm, "Nope", SERVICE_QUERY_STATUS).unwrap_err();
//! assert_eq!(err.code(), 1060);
//! assert_eq!(err.message(), "The specified service does not exist as an installed service.");
//! ```

pub(crate) mod api;
mod boot;
mod config;
mod control;
mod create;
mod database;
mod enumerate;
mod handles;
mod host;
mod lend;
mod lifecycle;
pub(crate) mod notify;
mod record;
mod recovery;
mod settings;
mod shutdown;
mod start;
mod svchost_host;
mod trigger_host;
mod untracked_panic;
mod watchdog;
mod work;

pub(crate) use boot::{load_database, settings_from_registry as boot_settings};
pub use config::{
    ChangeConfigParams, QueryServiceConfig, ServiceConfig2, ServiceConfig2Level,
    DEFAULT_PRESHUTDOWN_TIMEOUT_MS,
};
pub use create::CreateServiceParams;
pub use enumerate::EnumServiceStatus;
pub use handles::{access, scm_rights_for, service_rights_for, ScHandle};
pub use notify::{ServiceNotify, StatusNotification};
pub(crate) use record::Change;
pub use record::ServiceConfig;
pub(crate) use record::{ServiceRecord, StartReason};
pub use settings::{HangAction, Settings};
pub(crate) use shutdown::Life;
pub(crate) use untracked_panic::Driving;

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::AbortHandle;
use tokio::time::Instant;

use fake_registry::service::service_key_path;
use fake_registry::Registry;

use crate::events::{ScmEvent, TraceKind};
pub(crate) use crate::process::table::{ProcessRecord, ProcessTable};
use crate::service::ServiceState;
use crate::sim::{Rule, SimRng, Violation};
use handles::HandleTable;

/// Everything the SCM holds, behind one lock that is never held across an await, split by
/// responsibility: the database of records ([`database::Database`], with its indexes), the
/// process table ([`ProcessTable`]), the oracle's ledger (`sim::ledger`), the observers (event
/// log, trace, activity: `events::Observers`), the handle table, trigger state, and the few
/// machine-wide settings, clock and random stream the SCM itself uses.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) registry: Registry,
    /// The thread a service's `with_registry` closure runs on while the registry is lent to
    /// it (see `lend`); `registry` is then a bare placeholder.
    pub(crate) registry_lent_to: Option<std::thread::ThreadId>,
    /// Service keys to delete once a lent registry comes home.
    pub(crate) deferred_deletes: Vec<String>,
    pub(crate) records: database::Database,
    /// The process table: processes, the programs they run, pids.
    pub(crate) processes: ProcessTable,
    pub(crate) handles: HandleTable,
    /// The event log, the trace and the activity counter.
    pub(crate) observers: crate::events::Observers,
    pub(crate) settings: Settings,
    pub(crate) boot_instant: Instant,
    /// Virtual time as last read: the clock jumps only while the runtime parks
    /// (`sim::clock`, step 9), so the reading holds until it parks again and every entry
    /// written meanwhile shares it.
    pub(crate) now_cache: crate::sim::clock::NowCache,
    /// The machine's runtime (its clock is the virtual one).
    pub(crate) rt: tokio::runtime::Handle,
    pub(crate) next_instance: u64,
    pub(crate) rng: SimRng,
    pub(crate) notifications: notify::Notifications,
    /// MUI indirect strings (`@%SystemRoot%\system32\x.dll,-100`) and their English text.
    pub(crate) mui: BTreeMap<String, String>,
    /// Tasks of the SCM itself (delayed auto-start timer, recovery restarts).
    pub(crate) system_tasks: Vec<AbortHandle>,
    /// The oracle's records: tracked work, violations, hangs, the halt, the replay token.
    pub(crate) ledger: crate::sim::ledger::Ledger,
    /// Set when a service entered or progressed in a pending state (wakes the watchdog).
    pub(crate) watch_dirty: bool,
    /// Service DLLs with Rust code, by upper-cased expanded path (svchost loads them).
    pub(crate) service_dlls: BTreeMap<String, Arc<crate::svchost::ServiceDll>>,
    /// Scripted behaviours by folded service name (services without Rust code play them).
    pub(crate) behaviors: BTreeMap<String, crate::service::scripted::Behavior>,
    /// Trigger events: inbox, per-service queues, outcomes, machine conditions.
    pub(crate) triggers: crate::triggers::TriggerState,
    /// The boot epoch, a shutdown in progress, power.
    pub(crate) life: Life,
}

impl State {
    /// Virtual time since boot.
    pub(crate) fn now(&self) -> Duration {
        self.now_cache.read(&self.rt, self.boot_instant)
    }

    /// Records a trace entry built only when tracing is on (benchmarks turn it off).
    pub(crate) fn trace_with(&mut self, kind: impl FnOnce() -> TraceKind) {
        let (cache, rt, boot) = (&self.now_cache, &self.rt, self.boot_instant);
        self.observers.trace_with(|| cache.read(rt, boot), kind);
    }

    /// Logs an event about the service with key `key` (its key name goes in the record).
    pub(crate) fn event(&mut self, key: &str, event: ScmEvent) {
        let (cache, rt, boot) = (&self.now_cache, &self.rt, self.boot_instant);
        let records = &self.records;
        let service = || {
            records
                .get(key)
                .map(|r| r.shared_name())
                .unwrap_or_else(|| key.into())
        };
        self.observers.log(|| cache.read(rt, boot), service, event);
    }

    /// [`State::event`] with the event built only when events are recorded (benchmarks turn
    /// them off; the activity is counted either way).
    pub(crate) fn event_with(&mut self, key: &str, make: impl FnOnce(&State) -> ScmEvent) {
        if self.observers.enabled {
            let event = make(self);
            self.event(key, event);
        } else {
            self.observers.touch();
        }
    }

    /// Resolves a stored display name: MUI strings through the image's table (else shown as
    /// stored), none to the key name.
    pub(crate) fn resolve_display(&self, name: &str, stored: Option<&str>) -> String {
        resolve_display(&self.mui, name, stored)
    }

    /// A service's Parameters as the registry holds them now (svchost and service code read
    /// them when they need them, not from the SCM's copy loaded at boot).
    pub(crate) fn fresh_parameters(
        &self,
        key: &str,
    ) -> Option<fake_registry::service::ServiceParameters> {
        let rec = self.record(key)?;
        if self.registry_is_lent() {
            return Some(rec.config.parameters.clone());
        }
        Some(
            fake_registry::ServiceKey::read(
                &self.registry,
                &fake_registry::Caller::local_system(),
                rec.name.as_str(),
            )
            .map(|k| k.parameters)
            .unwrap_or_else(|_| rec.config.parameters.clone()),
        )
    }

    /// The record for a name, case-insensitively (no allocation for folded names, as the
    /// engine's own keys are).
    pub(crate) fn record(&self, name: &str) -> Option<&ServiceRecord> {
        self.records.get(name)
    }

    /// Removes a deleted service once it is stopped and no handle refers to it.
    pub(crate) fn purge_if_deleted(&mut self, key: &str) {
        let ready = self
            .records
            .get(key)
            .is_some_and(|r| r.marked_for_delete && r.status().state == ServiceState::Stopped)
            && self.handles.count_for(key) == 0;
        if !ready {
            return;
        }
        if let Some(rec) = self.records.remove(key) {
            self.delete_key_when_home(service_key_path(rec.name.as_str()));
            self.trace_with(|| TraceKind::Note {
                text: format!("{} deleted from the database", rec.name).into(),
            });
        }
    }

    /// The name of a service as stored, shared (no copy) when it exists; else `name` itself.
    pub(crate) fn shared_name(&self, name: &str) -> crate::events::SharedName {
        self.records
            .get(name)
            .map(|r| r.shared_name())
            .unwrap_or_else(|| name.into())
    }

    /// The display name to print for a service (MUI strings resolved), or its key name.
    pub(crate) fn display_name(&self, key: &str) -> String {
        self.record(key)
            .map(|r| r.display_name())
            .unwrap_or_else(|| key.to_string())
    }
}

/// [`State::resolve_display`] with the MUI table `mui` (for callers holding other parts of
/// the state).
pub(crate) fn resolve_display(
    mui: &BTreeMap<String, String>,
    name: &str,
    stored: Option<&str>,
) -> String {
    match stored {
        None | Some("") => name.to_string(),
        Some(s) if s.starts_with('@') => mui
            .get(&s.to_ascii_uppercase())
            .cloned()
            .unwrap_or_else(|| s.to_string()),
        Some(s) => s.to_string(),
    }
}

/// The shared engine: state plus the notification that wakes everyone waiting for a status
/// change. Service code and the management API both hold an `Arc<Core>`.
#[derive(Debug)]
pub(crate) struct Core {
    state: Mutex<State>,
    /// Signalled when a lent registry comes home (see `lend`).
    registry_home: Condvar,
    pub(crate) changed: Notify,
    /// Wakes the hang watchdog (a service entered or progressed in a pending state).
    pub(crate) watch: Notify,
    /// Wakes the trigger dispatcher (events raised or queued).
    pub(crate) trigger_work: Notify,
    /// The machine's runtime, for work started from outside it (tracked threads).
    pub(crate) rt: tokio::runtime::Handle,
    /// Tasks the engine itself spawned and that are still alive (processes, ServiceMains,
    /// dispatchers, tracked tasks, system tasks); the census compares it with the runtime's.
    pub(crate) engine_tasks: Arc<std::sync::atomic::AtomicUsize>,
    /// The tracked threads holding the clock (settling waits for them).
    pub(crate) clock_holders: Arc<crate::sim::thread::ClockHolders>,
}

/// Decrements the engine's task count when a task it spawned ends (or is aborted).
struct EngineTask(Arc<std::sync::atomic::AtomicUsize>);

impl Drop for EngineTask {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Core {
    pub(crate) fn new(state: State, rt: tokio::runtime::Handle) -> Arc<Core> {
        Arc::new(Core {
            state: Mutex::new(state),
            registry_home: Condvar::new(),
            changed: Notify::new(),
            watch: Notify::new(),
            trigger_work: Notify::new(),
            rt,
            engine_tasks: Arc::new(std::sync::atomic::AtomicUsize::new(0)),
            clock_holders: Arc::default(),
        })
    }

    /// Records a broken rule: the violation list, the trace, and (for hangs with
    /// [`HangAction::EndTest`]) the halt that ends the test.
    pub(crate) fn violation(&self, st: &mut State, rule: Rule, service: &str, seen: String) {
        let name = st
            .record(service)
            .map(|r| r.name.to_string())
            .unwrap_or_else(|| service.to_string());
        let v = Violation {
            rule,
            service: name.clone(),
            time: st.now(),
            seen: seen.clone(),
            replay: st.ledger.replay.token(),
        };
        st.trace_with(|| TraceKind::Violation {
            service: name.into(),
            rule: rule.id().into(),
            detail: seen,
        });
        let hang = matches!(
            rule,
            Rule::HungStart | Rule::HungStop | Rule::HungPause | Rule::HungHandler
        );
        let halts = hang && st.settings.hang_action == HangAction::EndTest;
        st.ledger.record(v, halts);
    }

    /// The engine lock. While the registry is lent to a `with_registry` closure (see `lend`),
    /// only the borrowing thread gets it; every other thread waits for the registry to come
    /// home.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        let mut guard = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while let Some(borrower) = guard.registry_lent_to {
            if borrower == std::thread::current().id() {
                break;
            }
            guard = self
                .registry_home
                .wait(guard)
                .unwrap_or_else(PoisonError::into_inner);
        }
        guard
    }

    /// Wakes every waiter (status changes, process connects and exits).
    pub(crate) fn wake(&self) {
        let (watch, triggers) = {
            let mut st = self.lock();
            st.observers.touch();
            notify::fire_notifications(&mut st);
            let watch = std::mem::take(&mut st.watch_dirty);
            let triggers = !st.triggers.inbox.is_empty() || !st.triggers.queues.is_empty();
            (watch, triggers)
        };
        self.changed.notify_waiters();
        // The system tasks only wake when they have something to look at.
        if watch {
            self.watch.notify_waiters();
        }
        if triggers {
            self.trigger_work.notify_waiters();
        }
    }

    /// The activity counter (see [`State::activity`]).
    pub(crate) fn activity(&self) -> u64 {
        self.lock().observers.activity()
    }

    pub(crate) fn trace_note(&self, text: &str) {
        self.lock().trace_with(|| TraceKind::Note {
            text: text.to_string().into(),
        });
    }

    /// Records a task of a process so that killing the process aborts it.
    pub(crate) fn attach_task(&self, pid: u32, task: AbortHandle) {
        let mut st = self.lock();
        match st.processes.get_mut(&pid) {
            Some(p) if !p.exited => p.tasks.push(task),
            _ => task.abort(),
        }
    }

    /// Waits until `done` holds (checked under the lock after every change).
    pub(crate) async fn wait_until(&self, mut done: impl FnMut(&State) -> bool) {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if done(&self.lock()) {
                return;
            }
            notified.await;
        }
    }

    /// The scripted behaviour of a service (the default when none was set).
    pub(crate) fn behavior_for(&self, name: &str) -> crate::service::scripted::Behavior {
        self.lock()
            .behaviors
            .get(&*crate::service::ServiceName::fold(name))
            .cloned()
            .unwrap_or_default()
    }

    /// The behaviour of the service a process was launched for.
    pub(crate) fn behavior_for_pid(&self, pid: u32) -> crate::service::scripted::Behavior {
        let first = self
            .lock()
            .processes
            .get(&pid)
            .and_then(|p| p.services.iter().next().cloned());
        first.map(|n| self.behavior_for(&n)).unwrap_or_default()
    }

    /// Spawns a task of the engine on the machine's runtime, counted for the task census.
    pub(crate) fn spawn<F>(&self, fut: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: std::future::Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.engine_tasks
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let guard = EngineTask(self.engine_tasks.clone());
        self.rt
            .spawn(untracked_panic::ENGINE_TASK.scope((), async move {
                let _guard = guard;
                fut.await
            }))
    }

    /// Tokio tasks alive on the machine's runtime that the engine did not spawn: tasks that
    /// service (or test) code started with `tokio::spawn` around its context.
    pub(crate) fn untracked_tasks(&self) -> usize {
        let alive = self.rt.metrics().num_alive_tasks();
        alive.saturating_sub(self.engine_tasks.load(std::sync::atomic::Ordering::SeqCst))
    }

    /// Records which handler a process's dispatcher is running.
    pub(crate) fn set_busy(&self, pid: u32, what: Option<crate::process::table::BusyHandler>) {
        if let Some(p) = self.lock().processes.get_mut(&pid) {
            p.busy = what;
        }
    }

    /// Registers a unit of work; returns its id.
    pub(crate) fn work_started(
        &self,
        service: &str,
        pid: u32,
        instance: u64,
        name: &str,
        site: &std::panic::Location<'_>,
        kind: crate::sim::WorkKind,
    ) -> u64 {
        self.lock().ledger.start_work(crate::sim::WorkUnit {
            id: 0,
            service: service.to_string(),
            pid,
            instance,
            name: name.to_string(),
            site: format!("{}:{}:{}", site.file(), site.line(), site.column()),
            kind,
            alive: true,
            progress: None,
            killed: false,
            stop_report: crate::sim::StopReport::None,
        })
    }

    /// A unit of work ended.
    pub(crate) fn work_finished(&self, id: u64) {
        let mut st = self.lock();
        st.observers.touch();
        st.ledger.finish_work(id);
    }

    /// The current state of a service, if it exists.
    pub(crate) fn state_of(&self, name: &str) -> Option<ServiceState> {
        self.lock().record(name).map(|r| r.status().state)
    }
}

/// The management API: a cheap, cloneable handle on one machine's SCM. Its methods are async
/// and take virtual time; [`crate::Machine`] offers blocking wrappers.
#[derive(Debug, Clone)]
pub struct Scm {
    pub(crate) core: Arc<Core>,
}
