//! A simulated Windows machine: registry, SCM, processes and a virtual clock, on its own
//! current-thread tokio runtime started paused. Its methods are the management API in
//! blocking form: each call runs the simulation until the call completes, taking virtual time
//! (a 30 s timeout costs microseconds), then settles. [`Machine::call_blocking`] states that
//! rule once; every blocking wrapper (these methods, the command line's `sc`) goes through it.
//!
//! ```
//! use scm_sim::{Machine, machine::Image};
//! use scm_sim::scm::access::{SC_MANAGER_ALL_ACCESS, SERVICE_ALL_ACCESS};
//! use scm_sim::service::{ServiceControl, ServiceState};
//!
//! let mut m = Machine::builder().image(Image::Windows10).seed(7).build().unwrap();
//! let scm = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).unwrap();
//! let spooler = m.open_service(scm, "Spooler", SERVICE_ALL_ACCESS).unwrap();
//! assert_eq!(m.query_service_status(spooler).unwrap().current_state, ServiceState::Running);
//! let status = m.control_service(spooler, ServiceControl::Stop).unwrap();
//! assert_eq!(m.query_service_status(spooler).unwrap().current_state, ServiceState::Stopped);
//! # let _ = status;
//! ```
//!
//! Many machines can run side by side in one process; none touches global state. A machine
//! must not be driven from inside another tokio runtime (its calls block).
//!
//! [`harness`] wraps a test case that builds a machine: seeds from the environment,
//! determinism checks and failure reports with the replay token.

mod builder;
pub mod harness;
pub mod image;
mod management;

pub use builder::MachineBuilder;
pub use image::{Image, ImageError};

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use fake_registry::{Caller, Registry};

use crate::error::Win32Error;
use crate::events::{EventLog, EventRecord, Observers, Trace};
use crate::scm::{notify::Notifications, Core, ProcessTable, Scm, Settings, State};
use crate::service::scripted::Behavior;
use crate::service::Program;
use crate::sim::clock::ParkCount;
use crate::sim::{ReplayConfig, ReplayToken, SimRng, Violation, WorkUnit};

/// A simulated machine.
pub struct Machine {
    rt: tokio::runtime::Runtime,
    scm: Scm,
    caller: Caller,
    seed: u64,
    /// Settings given to the builder: they replace what the registry says.
    explicit_settings: Option<Settings>,
    memory_kb: Option<u64>,
    pipe_timeout: Option<Duration>,
}

impl std::fmt::Debug for Machine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Machine").field("seed", &self.seed).finish()
    }
}

/// The machine's runtime: current-thread, paused, counting its parks in `parks` (see
/// `sim::clock`, step 9).
fn runtime(parks: &Arc<ParkCount>) -> tokio::runtime::Runtime {
    let (on_park, on_unpark) = (parks.clone(), parks.clone());
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .on_thread_park(move || on_park.bump())
        .on_thread_unpark(move || on_unpark.bump())
        .build()
        .expect("a current-thread runtime can always be built")
}

impl Machine {
    /// A builder (empty image, seed 0, booted).
    pub fn builder() -> MachineBuilder {
        MachineBuilder::default()
    }

    /// The built-in Windows 10 machine, booted.
    pub fn windows10() -> Machine {
        Machine::builder()
            .image(Image::Windows10)
            .build()
            .expect("the built-in image loads")
    }

    pub(super) fn from_registry(
        registry: Registry,
        mui: BTreeMap<String, String>,
        b: &MachineBuilder,
    ) -> Result<Machine, ImageError> {
        let parks = Arc::new(ParkCount::default());
        let rt = runtime(&parks);
        let boot_instant = rt.block_on(async { tokio::time::Instant::now() });
        let base_settings = b.settings.clone().unwrap_or_default();
        let explicit_settings = b.settings.clone();
        let rng = SimRng::new(b.seed);
        let state = State {
            registry,
            registry_lent_to: None,
            deferred_deletes: Vec::new(),
            records: Default::default(),
            handles: Default::default(),
            observers: Observers::new(
                EventLog::with_capacity(b.event_log_capacity),
                {
                    let mut trace = Trace::with_capacity(b.trace_capacity);
                    if let Some(stream) = &b.trace_stream {
                        trace.set_stream(stream.clone());
                    }
                    trace
                },
                b.tracing,
            ),
            settings: base_settings.clone(),
            boot_instant,
            now_cache: Default::default(),
            parks,
            rt: rt.handle().clone(),
            processes: ProcessTable::new(1000 + 4 * (rng.stream("pids").below(64) as u32)),
            next_instance: 0,
            rng: rng.stream("schedule"),
            notifications: Notifications::new(),
            mui,
            system_tasks: Vec::new(),
            ledger: crate::sim::ledger::Ledger::new(ReplayConfig::new(b.seed)),
            watch_dirty: false,
            triggers: Default::default(),
            service_dlls: BTreeMap::new(),
            behaviors: BTreeMap::new(),
        };
        let scm = Scm {
            core: Core::new(state, rt.handle().clone()),
        };
        {
            let replay = &mut scm.core.lock().ledger.replay;
            replay.set("image".to_string(), b.image.label());
            replay.set(
                "settings".to_string(),
                format!("{:?}|{:?}|{:?}", base_settings, b.pipe_timeout, b.memory_kb),
            );
        }
        let mut m = Machine {
            rt,
            scm,
            caller: Caller::administrator("Administrator", "S-1-5-21-1000-1000-1000-500"),
            seed: b.seed,
            explicit_settings,
            memory_kb: b.memory_kb,
            pipe_timeout: b.pipe_timeout,
        };
        {
            let core = m.scm.core.clone();
            let mut st = core.lock();
            st.settings = m.effective_settings(&mut st.registry);
        }
        m.start_watchdog();
        Ok(m)
    }

    /// Restarts the machine: every process ends, the SCM reloads its database from the
    /// registry and the boot sequence runs (registry changes made before take effect). The
    /// virtual clock restarts at 0; open handles become invalid.
    pub fn boot(&mut self) {
        let core = self.scm.core.clone();
        let pids: Vec<u32> = core.lock().processes.keys().copied().collect();
        for pid in pids {
            core.kill_process(pid, "system restart");
        }
        {
            let mut st = core.lock();
            for t in st.system_tasks.drain(..) {
                t.abort();
            }
            st.registry.begin_boot();
            st.settings = self.effective_settings(&mut st.registry);
            st.handles = Default::default();
            st.notifications.clear();
            // Trigger events waiting for a state of the old boot die with it; the machine's
            // conditions stay and act again below.
            st.triggers.queues.clear();
            st.triggers.inbox.clear();
            st.boot_instant = self.rt.block_on(async { tokio::time::Instant::now() });
            st.now_cache.set(None);
            crate::scm::load_database(&mut st);
        }
        self.start_watchdog();
        let driving = crate::scm::Driving::enter(&core);
        self.rt.block_on(core.boot());
        drop(driving);
        // Conditions already true at boot act at boot.
        let now_true = core.lock().triggers.conditions.as_events();
        for event in now_true {
            core.raise_trigger(event);
        }
        self.settle();
    }

    /// The settings the SCM uses: the builder's when given, else the registry's (read at
    /// boot), with the builder's pipe timeout and memory on top.
    fn effective_settings(&self, registry: &mut Registry) -> Settings {
        let mut settings = match &self.explicit_settings {
            Some(s) => s.clone(),
            None => crate::scm::boot_settings(registry, &Settings::default()),
        };
        if let Some(t) = self.pipe_timeout {
            settings.pipe_timeout = t;
        }
        if let Some(kb) = self.memory_kb {
            settings.memory_kb = kb;
        }
        settings
    }

    fn start_watchdog(&mut self) {
        let core = self.scm.core.clone();
        let task = core.spawn(core.clone().watchdog());
        let triggers = core.spawn(core.clone().trigger_dispatcher());
        let mut st = core.lock();
        st.ledger.hangs_seen.clear();
        st.system_tasks.push(task.abort_handle());
        st.system_tasks.push(triggers.abort_handle());
    }

    /// Raises a trigger event (and records the condition it describes, e.g. the network
    /// being up, so that it acts again at the next boot). Returns the event's number.
    pub fn raise_trigger_event(&mut self, event: crate::triggers::TriggerEvent) -> u64 {
        let id = self.scm.core.raise_trigger(event);
        self.settle();
        id
    }

    /// What happened to each (event, service) pair so far.
    pub fn trigger_outcomes(&self) -> Vec<crate::triggers::TriggerRecord> {
        self.scm.core.lock().triggers.outcomes.clone()
    }

    /// The events still queued for a service (their numbers, oldest first).
    pub fn trigger_queue(&self, service: &str) -> Vec<u64> {
        self.scm
            .core
            .lock()
            .triggers
            .queues
            .get(&*crate::service::ServiceName::fold(service))
            .map(|q| q.iter().map(|p| p.event).collect())
            .unwrap_or_default()
    }

    /// Every non-empty trigger queue: service (key name) and event numbers, oldest first.
    pub fn trigger_queues(&self) -> BTreeMap<String, Vec<u64>> {
        let st = self.scm.core.lock();
        st.triggers
            .queues
            .iter()
            .filter(|(_, q)| !q.is_empty())
            .map(|(k, q)| {
                let name = st
                    .record(k)
                    .map(|r| r.name.to_string())
                    .unwrap_or_else(|| k.clone());
                (name, q.iter().map(|p| p.event).collect())
            })
            .collect()
    }

    /// Low-memory mode: trigger actions are dropped (Windows does not guarantee them).
    pub fn set_low_memory(&mut self, on: bool) {
        self.scm.core.lock().triggers.low_memory = on;
    }

    /// The machine conditions triggers test at boot.
    pub fn conditions(&self) -> crate::triggers::Conditions {
        self.scm.core.lock().triggers.conditions.clone()
    }

    /// Replaces the machine conditions (they act at the next boot).
    pub fn set_conditions(&mut self, conditions: crate::triggers::Conditions) {
        self.scm.core.lock().triggers.conditions = conditions;
    }

    /// The replay token: seed and configuration hash.
    pub fn replay_token(&self) -> ReplayToken {
        self.scm.core.lock().ledger.replay.token()
    }

    /// Sets one entry of what the replay token's configuration hash covers (hashed when the
    /// token is next read, not here: configuring N services stays linear).
    fn set_config(&mut self, key: String, value: String) {
        self.scm.core.lock().ledger.replay.set(key, value);
    }

    /// Every broken rule so far.
    pub fn violations(&self) -> Vec<Violation> {
        self.scm.core.lock().ledger.violations.clone()
    }

    /// Forgets the violations recorded so far.
    pub fn clear_violations(&mut self) {
        self.scm.core.lock().ledger.violations.clear();
    }

    /// Panics with every violation's report (rule, service, time, what was seen, the rule
    /// text and the replay token) when there is any.
    pub fn assert_no_violations(&self) {
        let v = self.violations();
        if !v.is_empty() {
            let reports: Vec<String> = v.iter().map(Violation::report).collect();
            panic!("{} protocol violation(s):\n{}", v.len(), reports.join("\n"));
        }
    }

    fn check_halt(&self) {
        let halt = self.scm.core.lock().ledger.halt.take();
        if let Some(v) = halt {
            panic!(
                "test ended by a hang (HangAction::EndTest):\n{}",
                v.report()
            );
        }
    }

    /// The async management API, for use inside [`Machine::block_on`].
    pub fn scm(&self) -> Scm {
        self.scm.clone()
    }

    /// Runs a future on the machine's runtime (virtual time passes as it needs).
    pub fn block_on<F: Future>(&self, fut: F) -> F::Output {
        let _driving = crate::scm::Driving::enter(&self.scm.core);
        self.rt.block_on(fut)
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Virtual time since boot.
    pub fn now(&self) -> Duration {
        // State::now enters the machine's runtime itself, so this is virtual time.
        self.scm.core.lock().now()
    }

    /// Runs until nothing more happens at the current instant (no time passes); the numbered
    /// steps of [`crate::sim::clock`] say exactly what that means.
    ///
    /// # Panics
    ///
    /// When a hang ended the test ([`crate::scm::HangAction::EndTest`]): the panic message is
    /// the violation report with its replay token.
    pub fn settle(&mut self) {
        let core = &self.scm.core;
        let _driving = crate::scm::Driving::enter(core);
        crate::sim::clock::settle(&self.rt, || core.activity(), &core.clock_holders);
        self.check_halt();
    }

    /// Lets `d` of virtual time pass, running everything due meanwhile, then settles.
    ///
    /// # Panics
    ///
    /// As [`Machine::settle`].
    pub fn advance(&mut self, d: Duration) {
        let core = &self.scm.core;
        let _driving = crate::scm::Driving::enter(core);
        crate::sim::clock::advance(&self.rt, || core.activity(), &core.clock_holders, d);
        self.check_halt();
    }

    /// The identity management calls are made as (default: an elevated administrator).
    pub fn set_caller(&mut self, caller: Caller) {
        self.caller = caller;
    }

    /// The identity management calls are made as.
    pub fn caller(&self) -> &Caller {
        &self.caller
    }

    /// Installs a program for an image path (expanded, compared case-insensitively).
    pub fn install(&mut self, image_path: &str, program: impl Program) {
        let mut st = self.scm.core.lock();
        let key = st
            .registry
            .environment()
            .expand(image_path)
            .to_ascii_uppercase();
        st.processes
            .programs
            .by_image
            .insert(key.clone(), Arc::new(program));
        drop(st);
        self.set_config(format!("program {key}"), String::new());
    }

    /// Registers the code of a service DLL by its path (expanded, compared
    /// case-insensitively), for svchost services whose `Parameters\ServiceDll` names it.
    pub fn install_service_dll(&mut self, dll_path: &str, dll: crate::svchost::ServiceDll) {
        let mut st = self.scm.core.lock();
        let key = st
            .registry
            .environment()
            .expand(dll_path)
            .to_ascii_uppercase();
        st.service_dlls.insert(key.clone(), Arc::new(dll));
        drop(st);
        self.set_config(format!("dll {key}"), String::new());
    }

    /// The scripted behaviour of a service without Rust code.
    pub fn set_behavior(&mut self, service: &str, behavior: Behavior) {
        let key = crate::service::ServiceName::fold(service).into_owned();
        self.set_config(format!("behavior {key}"), format!("{behavior:?}"));
        self.scm.core.lock().behaviors.insert(key, behavior);
    }

    /// The scripted behaviour of a service (the default when none was set).
    pub fn behavior(&self, service: &str) -> Behavior {
        self.scm.core.behavior_for(service)
    }

    /// Kills the process hosting `service` (TerminateProcess). ERROR_SERVICE_NOT_ACTIVE when
    /// it has none.
    pub fn crash(&mut self, service: &str) -> Result<u32, Win32Error> {
        let pid = self
            .scm
            .core
            .lock()
            .record(service)
            .map(|r| r.pid())
            .ok_or(Win32Error::SERVICE_DOES_NOT_EXIST)?;
        if pid == 0 {
            return Err(Win32Error::SERVICE_NOT_ACTIVE);
        }
        let core = self.scm.core.clone();
        self.block_on(async { core.kill_process(pid, "killed by the harness") });
        self.settle();
        Ok(pid)
    }

    /// A copy of the registry.
    pub fn registry(&self) -> Registry {
        self.scm.core.lock().registry.clone()
    }

    /// Changes the registry directly (as regedit would: the SCM sees it at the next boot).
    pub fn with_registry<R>(&mut self, f: impl FnOnce(&mut Registry) -> R) -> R {
        f(&mut self.scm.core.lock().registry)
    }

    /// The event log.
    pub fn events(&self) -> Vec<EventRecord> {
        self.scm
            .core
            .lock()
            .observers
            .events
            .entries()
            .iter()
            .cloned()
            .collect()
    }

    /// The trace: a copy of its retained window (see [`Trace::dropped`]).
    pub fn trace(&self) -> Trace {
        self.scm.core.lock().observers.trace.clone()
    }

    /// A copy of the event log's retained records with its counters.
    pub fn event_log(&self) -> EventLog {
        self.scm.core.lock().observers.events.clone()
    }

    /// Flushes the trace stream's writer (see [`MachineBuilder::trace_stream`]).
    pub fn flush_trace_stream(&self) -> std::io::Result<()> {
        self.scm.core.lock().observers.trace.flush_stream()
    }

    /// The tracked units of work: every live one, and the most recent finished ones (up to
    /// 8,192 units in all; older finished units are forgotten so that memory stays bounded).
    pub fn work(&self) -> Vec<WorkUnit> {
        self.scm.core.lock().ledger.work.values().cloned().collect()
    }

    /// Processes as (pid, image, services).
    pub fn processes(&self) -> Vec<(u32, String, Vec<String>)> {
        let st = self.scm.core.lock();
        st.processes
            .values()
            .map(|p| {
                let names = p
                    .services
                    .iter()
                    .filter_map(|k| st.record(k).map(|r| r.name.to_string()))
                    .collect();
                (p.pid, p.image.to_string(), names)
            })
            .collect()
    }
}
