//! The engine as processes, threads and service code see it: `impl Host for Core` (with
//! `ThreadHost`, its part for tracked threads, and `BehaviorSource` for scripted services). Each method forwards
//! to the engine's own operation (the same calls, in the same order, as before the trait).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tokio::task::{AbortHandle, JoinHandle};

use crate::error::Win32Error;
use crate::events::{NoteText, SharedName, TraceKind};
use crate::process::table::BusyHandler;
use crate::process::{BoxTask, Host};
use crate::scm::Core;
use crate::service::scripted::{Behavior, BehaviorSource};
use crate::service::RawServiceStatus;
use crate::sim::thread::{ClockHolders, ThreadHost};
use crate::sim::{SimRng, WorkKind};

impl Host for Core {
    fn dispatcher_connected(&self, pid: u32) {
        Core::dispatcher_connected(self, pid);
    }

    fn dispatch_delay(&self) -> u64 {
        self.lock().rng.below(2)
    }

    fn crash_process(self: Arc<Self>, pid: u32, what: &str) {
        Core::crash_process(&self, pid, what);
    }

    fn set_busy(&self, pid: u32, what: Option<BusyHandler>) {
        Core::set_busy(self, pid, what);
    }

    fn service_main_returned(&self, pid: u32, service: SharedName, instance: u64) {
        Core::service_main_returned(self, pid, service, instance);
    }

    fn reported_from_thread(&self, pid: u32) -> bool {
        crate::sim::work::reported_from_thread(&self.lock().ledger.work, pid)
    }

    fn wait_reporter_returned(&self, pid: u32) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(
            self.wait_until(move |st| !crate::sim::work::reporter_returning(&st.ledger.work, pid)),
        )
    }

    fn set_service_status(
        self: Arc<Self>,
        service: &str,
        instance: u64,
        raw: RawServiceStatus,
    ) -> Result<(), Win32Error> {
        Core::set_service_status(&self, service, instance, raw)
    }

    fn work_started(
        &self,
        service: &str,
        pid: u32,
        instance: u64,
        name: &str,
        site: &std::panic::Location<'_>,
        kind: WorkKind,
    ) -> u64 {
        Core::work_started(self, service, pid, instance, name, site, kind)
    }

    fn work_finished(&self, id: u64) {
        Core::work_finished(self, id);
    }

    fn reporter_returned(&self, id: u64) {
        Core::reporter_returned(self, id);
    }

    fn trace_note(&self, text: &str) {
        Core::trace_note(self, text);
    }

    fn note(&self, note: NoteText) {
        self.lock().trace_with(|| TraceKind::Note { text: note });
    }

    fn with_service_registry(
        self: Arc<Self>,
        service: &str,
        f: &mut dyn FnMut(&mut fake_registry::Registry, &fake_registry::Caller),
    ) {
        Core::with_lent_registry(&self, service, f);
    }

    fn service_random_u64(&self, service: &str) -> u64 {
        let mut st = self.lock();
        let seed = st.ledger.replay.seed();
        st.ledger.service_draws += 1;
        let counter = st.ledger.service_draws;
        SimRng::new(seed)
            .stream(&format!(
                "service:{}:{}",
                crate::service::ServiceName::fold(service).into_owned(),
                counter
            ))
            .next_u64()
    }

    fn fresh_parameters(&self, service: &str) -> Option<fake_registry::service::ServiceParameters> {
        self.lock().fresh_parameters(service)
    }
}

impl ThreadHost for Core {
    fn spawn_boxed(&self, task: BoxTask) -> JoinHandle<()> {
        Core::spawn(self, task)
    }

    fn attach_task(&self, pid: u32, task: AbortHandle) {
        Core::attach_task(self, pid, task);
    }

    fn went_on_after_stopped(&self, id: u64) {
        Core::went_on_after_stopped(self, id);
    }

    fn work_progress(&self, id: u64, text: &str) {
        if let Some(w) = self.lock().ledger.work.get_mut(&id) {
            w.progress = Some(text.to_string());
        }
    }

    fn work_killed(&self, id: u64) -> bool {
        self.lock().ledger.work.get(&id).is_none_or(|w| w.killed)
    }

    fn runtime(&self) -> &tokio::runtime::Handle {
        &self.rt
    }

    fn registry_lent_here(&self) -> bool {
        Core::registry_lent_here(self)
    }

    fn clock_holders(&self) -> Arc<ClockHolders> {
        self.clock_holders.clone()
    }
}

impl BehaviorSource for Core {
    fn behavior_for(&self, name: &str) -> Behavior {
        Core::behavior_for(self, name)
    }

    fn behavior_for_pid(&self, pid: u32) -> Behavior {
        Core::behavior_for_pid(self, pid)
    }
}
