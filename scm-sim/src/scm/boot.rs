//! SCM start-up: the database loaded from `HKLM\SYSTEM\CurrentControlSet\Services` (services
//! marked for deletion purged), the settings read from `Control`, and the boot sequence —
//! boot/system drivers loaded, then auto-start services in ServiceGroupOrder and
//! GroupOrderList order, then delayed auto-start services after their delay, on the virtual
//! clock.

use std::sync::Arc;
use std::time::Duration;

use fake_registry::service::{service_key_path, ServiceKey, SERVICES_KEY};
use fake_registry::{Caller, Registry};

use crate::events::TraceKind;
use crate::scm::record::ServiceRecord;
use crate::scm::Change;
use crate::scm::Settings;
use crate::scm::StartReason;
use crate::scm::{resolve_display, Core, State};
use crate::service::ServiceState;

const CONTROL: &str = r"HKLM\SYSTEM\CurrentControlSet\Control";

/// Reads the SCM settings the registry holds, over `base`.
pub(crate) fn settings_from_registry(reg: &mut Registry, base: &Settings) -> Settings {
    let sys = Caller::local_system();
    let mut s = base.clone();
    if let Ok(ms) = reg.get_dword(&sys, CONTROL, "ServicesPipeTimeout") {
        s.pipe_timeout = Duration::from_millis(ms as u64);
    }
    if let Ok(text) = reg.get_string(&sys, CONTROL, "WaitToKillServiceTimeout") {
        if let Ok(ms) = text.trim().parse::<u64>() {
            s.wait_to_kill = Duration::from_millis(ms);
        }
    }
    if let Ok(kb) = reg.get_dword(&sys, CONTROL, "SvcHostSplitThresholdInKB") {
        s.split_threshold_kb = u64::from(kb);
    }
    if let Ok(ms) = reg.get_dword(&sys, CONTROL, "AutoStartDelay") {
        s.auto_start_delay = Duration::from_millis(ms as u64);
    }
    s
}

/// Loads every service key into records. Keys with DeleteFlag are purged (as the SCM does
/// at start-up); keys that do not read as a service are skipped and reported. The `Services`
/// key is found once and each service read from its subkey (no path resolved per service).
pub(crate) fn load_database(st: &mut State) -> Vec<String> {
    let sys = Caller::local_system();
    let mut skipped = Vec::new();
    let mut purged = Vec::new();
    st.records.clear();
    let State {
        registry,
        records,
        mui,
        ..
    } = st;
    if let Ok(services) = registry.open_key(&sys, SERVICES_KEY) {
        // Only subkeys with a `Type` value are services (as `service_names` lists them).
        for key in services.subkeys().filter(|k| k.value("Type").is_some()) {
            let name = key.name();
            match ServiceKey::from_key(name, key) {
                Ok(config) if config.delete_flag == Some(true) => purged.push(name.to_string()),
                Ok(config) => {
                    let display = resolve_display(mui, name, config.display_name.as_deref());
                    records.insert(ServiceRecord::new(name, config, display));
                }
                Err(e) => skipped.push(format!("{name}: {e}")),
            }
        }
    }
    for name in purged {
        let _ = st
            .registry
            .delete_key_recursive(&sys, &service_key_path(&name));
    }
    for s in &skipped {
        st.trace_with(|| TraceKind::Note {
            text: format!("skipped service key {s}").into(),
        });
    }
    skipped
}

/// The order auto-start candidates start in: groups of ServiceGroupOrder\List (inside a group,
/// tags in GroupOrderList order first), then services of unlisted groups, then ungrouped ones.
pub(crate) fn boot_order(st: &mut State, candidates: Vec<String>) -> Vec<String> {
    let sys = Caller::local_system();
    let list = st
        .registry
        .get_multi_sz(&sys, &format!(r"{CONTROL}\ServiceGroupOrder"), "List")
        .unwrap_or_default();
    let mut rest = candidates;
    let mut out = Vec::new();
    for group in &list {
        let tags: Vec<u32> = st
            .registry
            .get_binary(&sys, &format!(r"{CONTROL}\GroupOrderList"), group)
            .map(|b| {
                b.chunks_exact(4)
                    .skip(1)
                    .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect()
            })
            .unwrap_or_default();
        let (mut members, others): (Vec<String>, Vec<String>) = rest.into_iter().partition(|k| {
            st.records
                .get(k)
                .is_some_and(|r| r.group().eq_ignore_ascii_case(group))
        });
        rest = others;
        members.sort_by_key(|k| {
            let tag = st.records.get(k).and_then(|r| r.config.tag);
            tag.and_then(|t| tags.iter().position(|x| *x == t))
                .unwrap_or(usize::MAX)
        });
        out.extend(members);
    }
    let (grouped, ungrouped): (Vec<String>, Vec<String>) = rest
        .into_iter()
        .partition(|k| st.records.get(k).is_some_and(|r| !r.group().is_empty()));
    out.extend(grouped);
    out.extend(ungrouped);
    out
}

impl Core {
    /// Waits for the services being started to get there, as Windows counts its auto-start
    /// phase (and so a boot) done only then: no service left in START_PENDING, except one
    /// whose wait hint ran out without progress (the SCM moves on from a hung start; the
    /// watchdog reports it).
    pub(crate) async fn finish_starts(&self) {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let next = {
                let st = self.lock();
                next_start_deadline(&st)
            };
            let Some(left) = next else {
                return;
            };
            tokio::select! {
                biased;
                _ = &mut notified => {}
                _ = tokio::time::sleep(left) => {}
            }
        }
    }

    /// The boot sequence. Returns when every non-delayed auto-start service has been started
    /// (its ServiceMain running, not necessarily RUNNING); delayed ones follow on a timer.
    pub(crate) async fn boot(self: &Arc<Core>) {
        let (auto, delayed, delay) = {
            let mut guard = self.lock();
            let st = &mut *guard;
            // Boot and system drivers are loaded by the kernel before the SCM runs.
            let kernel_loaded: Vec<String> = st
                .records
                .iter()
                .filter(|(_, r)| r.service_type().is_driver() && r.config.start <= 1)
                .map(|(k, _)| k.folded().to_string())
                .collect();
            for k in kernel_loaded {
                self.transition(st, &k, Change::DriverLoaded);
            }
            let auto: Vec<String> = st
                .records
                .iter()
                .filter(|(_, r)| r.config.start == 2 && !r.is_delayed_auto_start())
                .map(|(k, _)| k.folded().to_string())
                .collect();
            let delayed: Vec<String> = st
                .records
                .iter()
                .filter(|(_, r)| r.is_delayed_auto_start())
                .map(|(k, _)| k.folded().to_string())
                .collect();
            let auto = boot_order(st, auto);
            let delay = st.settings.auto_start_delay;
            st.trace_with(|| TraceKind::Note {
                text: format!(
                    "boot: {} auto-start services, {} delayed",
                    auto.len(),
                    delayed.len()
                )
                .into(),
            });
            (auto, delayed, delay)
        };
        self.wake();
        for key in auto {
            if self.state_of(&key) == Some(ServiceState::Stopped) {
                let _ = self
                    .start_service(key, Vec::new(), StartReason::Auto, Vec::new())
                    .await;
            }
        }
        self.finish_starts().await;
        if !delayed.is_empty() {
            let core = self.clone();
            let task = self.spawn(async move {
                tokio::time::sleep(delay).await;
                for key in delayed {
                    if core.state_of(&key) == Some(ServiceState::Stopped) {
                        let _ = core
                            .start_service(key, Vec::new(), StartReason::DelayedAuto, Vec::new())
                            .await;
                    }
                }
            });
            self.lock().system_tasks.push(task.abort_handle());
        }
    }
}

/// How long until the nearest wait hint of a starting service runs out; `None` when none is
/// starting within its wait hint. Looks at the pending services only (indexed).
fn next_start_deadline(st: &State) -> Option<Duration> {
    let now = st.now();
    st.records
        .pending()
        .filter(|r| r.status().state == ServiceState::StartPending && !r.awaiting_dispatcher())
        .filter_map(|r| {
            let hint = Duration::from_millis(u64::from(r.status().wait_hint_ms).max(1));
            (r.last_progress() + hint).checked_sub(now)
        })
        .filter(|left| !left.is_zero())
        .min()
}
