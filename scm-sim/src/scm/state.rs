//! The SCM's state ([`State`]): everything the engine holds behind its one lock, split by
//! responsibility, with the few helpers every part uses — virtual time read once per park of
//! the runtime (`sim::clock`, step 9), trace entries and events, record lookups, display
//! names.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::AbortHandle;
use tokio::time::Instant;

use fake_registry::service::service_key_path;
use fake_registry::Registry;

use crate::events::{ScmEvent, TraceKind};
use crate::scm::handles::HandleTable;
use crate::scm::{database, notify, ProcessTable, ServiceRecord, Settings};
use crate::service::ServiceState;
use crate::sim::SimRng;

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
    /// Virtual time as last read, with the runtime's park count then: the clock jumps only
    /// while the runtime parks (`sim::clock`, step 9), so the reading holds while the count
    /// is unchanged and every entry written meanwhile shares it.
    pub(crate) now_cache: std::cell::Cell<Option<(u64, Duration)>>,
    /// The runtime's park count.
    pub(crate) parks: Arc<crate::sim::clock::ParkCount>,
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
}

impl State {
    /// Virtual time since boot.
    pub(crate) fn now(&self) -> Duration {
        cached_now(&self.now_cache, &self.parks, &self.rt, self.boot_instant)
    }

    /// Records a trace entry built only when tracing is on (benchmarks turn it off).
    pub(crate) fn trace_with(&mut self, kind: impl FnOnce() -> TraceKind) {
        let (cache, parks, rt, boot) = (&self.now_cache, &*self.parks, &self.rt, self.boot_instant);
        self.observers
            .trace_with(|| cached_now(cache, parks, rt, boot), kind);
    }

    /// Logs an event about the service with key `key` (its key name goes in the record).
    pub(crate) fn event(&mut self, key: &str, event: ScmEvent) {
        let (cache, parks, rt, boot) = (&self.now_cache, &*self.parks, &self.rt, self.boot_instant);
        let records = &self.records;
        let service = || {
            records
                .get(key)
                .map(|r| r.shared_name())
                .unwrap_or_else(|| key.into())
        };
        self.observers
            .log(|| cached_now(cache, parks, rt, boot), service, event);
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

/// Virtual time since `boot` on the machine's runtime. It enters the runtime so that calls
/// from other threads (tracked threads, the blocking Machine wrappers) read the virtual
/// clock, not the real one.
fn now_on(rt: &tokio::runtime::Handle, boot: Instant) -> Duration {
    let _context = rt.enter();
    Instant::now().saturating_duration_since(boot)
}

/// [`now_on`], read once per park count of the runtime (see [`State::now_cache`]). The count
/// is read first: a park after it makes the reading stale at the next call.
fn cached_now(
    cache: &std::cell::Cell<Option<(u64, Duration)>>,
    parks: &crate::sim::clock::ParkCount,
    rt: &tokio::runtime::Handle,
    boot: Instant,
) -> Duration {
    let count = parks.get();
    if let Some((at, now)) = cache.get() {
        if at == count {
            return now;
        }
    }
    let now = now_on(rt, boot);
    cache.set(Some((count, now)));
    now
}
