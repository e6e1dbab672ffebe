//! What a running process and its services need from the engine, as a trait: the process and
//! service modules hold an `Arc<dyn Host>` (the engine's `scm::Core` implements it in
//! `scm/host.rs`), so they do not depend on the engine's types and the engine can hold theirs.
//! Every method forwards to one operation of the engine; none has behaviour of its own.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tokio::task::{AbortHandle, JoinHandle};

use crate::error::Win32Error;
use crate::process::table::BusyHandler;
use crate::service::scripted::Behavior;
use crate::service::RawServiceStatus;
use crate::sim::WorkKind;

/// A boxed future of a task the engine spawns.
pub(crate) type BoxTask = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// The engine as processes and service code see it.
pub(crate) trait Host: Send + Sync + fmt::Debug {
    // --- the dispatcher and the process ---

    /// The dispatcher of `pid` connected (StartServiceCtrlDispatcher).
    fn dispatcher_connected(&self, pid: u32);
    /// The seeded draw that perturbs control delivery: how many times the dispatcher yields
    /// before it handles a message (0 or 1).
    fn dispatch_delay(&self) -> u64;
    /// Service code of `pid` panicked (or a crash was injected): the process dies.
    fn crash_process(self: Arc<Self>, pid: u32, what: &str);
    /// Records which handler the dispatcher of `pid` is running (`None`: none).
    fn set_busy(&self, pid: u32, what: Option<BusyHandler>);
    /// ServiceMain of `service` returned.
    fn service_main_returned(&self, pid: u32, service: &str, instance: u64);
    /// A tracked thread of `pid` reported STOPPED (see `sim::work`).
    fn reported_from_thread(&self, pid: u32) -> bool;
    /// Waits until no thread of `pid` that reported STOPPED is still returning.
    fn wait_reporter_returned(&self, pid: u32) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
    /// Spawns a task of the engine on the machine's runtime, counted for the task census.
    fn spawn_boxed(&self, task: BoxTask) -> JoinHandle<()>;
    /// Records a task of a process so that killing the process aborts it.
    fn attach_task(&self, pid: u32, task: AbortHandle);
    /// The engine itself, for the parts that are the engine's own (the svchost host).
    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync>;

    // --- service code ---

    /// SetServiceStatus from a service's status handle.
    fn set_service_status(
        self: Arc<Self>,
        service: &str,
        instance: u64,
        raw: RawServiceStatus,
    ) -> Result<(), Win32Error>;
    /// Registers a unit of work; returns its id.
    fn work_started(
        &self,
        service: &str,
        pid: u32,
        instance: u64,
        name: &str,
        site: &std::panic::Location<'_>,
        kind: WorkKind,
    ) -> u64;
    /// A unit of work ended.
    fn work_finished(&self, id: u64);
    /// A reporter goes on working after its STOPPED report.
    fn went_on_after_stopped(&self, id: u64);
    /// A unit ended; a reporter that ends before going on made STOPPED its last act.
    fn reporter_returned(&self, id: u64);
    /// Records how far a unit of work got.
    fn work_progress(&self, id: u64, text: &str);
    /// True once the unit's process was terminated (or the unit is unknown).
    fn work_killed(&self, id: u64) -> bool;
    /// The machine's runtime (its clock is the virtual one).
    fn runtime(&self) -> &tokio::runtime::Handle;
    /// A note in the trace.
    fn trace_note(&self, text: &str);
    /// Runs `f` on the registry as `service`'s account; HKEY_CURRENT_USER use is a violation.
    fn with_service_registry(
        self: Arc<Self>,
        service: &str,
        f: &mut dyn FnMut(&mut fake_registry::Registry, &fake_registry::Caller),
    );
    /// True when the calling thread runs a `with_registry` closure of this machine (blocking
    /// on virtual time there would stall the machine).
    fn registry_lent_here(&self) -> bool;
    /// The tracked threads holding the machine's clock (settling waits for them).
    fn clock_holders(&self) -> Arc<crate::service::thread::ClockHolders>;
    /// The next draw of `service`'s visible random stream.
    fn service_random_u64(&self, service: &str) -> u64;
    /// A service's Parameters as the registry holds them now.
    fn fresh_parameters(&self, service: &str) -> Option<fake_registry::service::ServiceParameters>;
    /// The scripted behaviour of a service.
    fn behavior_for(&self, name: &str) -> Behavior;
    /// The scripted behaviour of the service a process was launched for.
    fn behavior_for_pid(&self, pid: u32) -> Behavior;
}
