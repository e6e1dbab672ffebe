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
//! assert_eq!(status.current_state, ServiceState::StopPending); // stopping takes 500 ms
//! m.advance(std::time::Duration::from_secs(1));
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
mod observe;
mod power;
pub mod profiles;

pub use builder::MachineBuilder;
pub use image::{Image, ImageError};

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use fake_registry::{Caller, Registry};

use crate::error::Win32Error;
use crate::events::{EventLog, Observers, Trace};
use crate::scm::{notify::Notifications, Core, ProcessTable, Scm, Settings, State};
use crate::service::scripted::Behavior;
use crate::service::Program;
use crate::sim::clock::{NowCache, ParkCount};
use crate::sim::{ReplayConfig, ReplayToken, SimRng};

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
    /// The machine has booted once (a later boot of a running machine is a restart).
    booted: bool,
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
            now_cache: NowCache::new(parks),
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
            life: Default::default(),
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
            booted: false,
        };
        {
            let core = m.scm.core.clone();
            let mut st = core.lock();
            st.settings = m.effective_settings(&mut st.registry);
        }
        m.start_watchdog();
        Ok(m)
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

    /// The replay token: seed and configuration hash.
    pub fn replay_token(&self) -> ReplayToken {
        self.scm.core.lock().ledger.replay.token()
    }

    /// Sets one entry of what the replay token's configuration hash covers (hashed when the
    /// token is next read, not here: configuring N services stays linear).
    fn set_config(&mut self, key: String, value: String) {
        self.scm.core.lock().ledger.replay.set(key, value);
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

    /// The state of the service named `service` (any case) as QueryServiceStatus shows it,
    /// without opening a handle; `None` when there is no such service.
    pub fn service_state(&self, service: &str) -> Option<crate::service::ServiceState> {
        let st = self.scm.core.lock();
        let key = crate::service::ServiceName::fold(service);
        st.record(&key).map(|r| r.status().state)
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
}
