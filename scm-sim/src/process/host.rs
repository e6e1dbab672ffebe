//! What a running process and its services need from the engine, as a trait: the process and
//! service modules hold an `Arc<dyn Host>` (the engine's `scm::Core` implements it in
//! `scm/host.rs`), so they do not depend on the engine's types and the engine can hold theirs.
//! It extends `sim::thread::ThreadHost` (what a tracked thread needs), so a service's host
//! serves its threads too. Every method forwards to one operation of the engine; none has
//! behaviour of its own.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::error::Win32Error;
use crate::events::{NoteText, SharedName};
use crate::process::table::BusyHandler;
use crate::sim::thread::ThreadHost;
use crate::sim::WorkKind;
use crate::win32::RawServiceStatus;

/// The engine as processes and service code see it.
pub(crate) trait Host: ThreadHost {
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
    fn service_main_returned(&self, pid: u32, service: SharedName, instance: u64);
    /// A tracked thread of `pid` reported STOPPED (see `sim::work`).
    fn reported_from_thread(&self, pid: u32) -> bool;
    /// Waits until no thread of `pid` that reported STOPPED is still returning.
    fn wait_reporter_returned(&self, pid: u32) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;

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
    /// A unit ended; a reporter that ends before going on made STOPPED its last act.
    fn reporter_returned(&self, id: u64);
    /// A note in the trace.
    fn trace_note(&self, text: &str);
    /// A note in the trace, kept as fields (rendered when read).
    fn note(&self, note: NoteText);
    /// Runs `f` on the registry as `service`'s account; HKEY_CURRENT_USER use is a violation.
    fn with_service_registry(
        self: Arc<Self>,
        service: &str,
        f: &mut dyn FnMut(&mut fake_registry::Registry, &fake_registry::Caller),
    );
    /// The next draw of `service`'s visible random stream.
    fn service_random_u64(&self, service: &str) -> u64;
    /// A service's Parameters as the registry holds them now.
    fn fresh_parameters(&self, service: &str) -> Option<fake_registry::service::ServiceParameters>;
}
