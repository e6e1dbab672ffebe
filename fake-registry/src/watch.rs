//! Change notification on keys, after RegNotifyChangeKeyValue: a watcher on a key (and
//! optionally its whole subtree) is signalled when a value is set or deleted
//! ([`WatchFilter::values`]) or a subkey is created or deleted ([`WatchFilter::names`]).
//!
//! ```
//! use fake_registry::{Registry, Caller, RegValue, WatchFilter};
//!
//! let mut reg = Registry::new();
//! let sys = Caller::local_system();
//! reg.create_key(&sys, r"HKLM\SOFTWARE\Demo").unwrap();
//! let w = reg.watch(&sys, r"HKLM\SOFTWARE\Demo", WatchFilter::all()).unwrap();
//! reg.set_value(&sys, r"HKLM\SOFTWARE\Demo", "x", RegValue::dword(1)).unwrap();
//! assert!(w.is_signaled());
//! let changes = w.take_changes();
//! assert_eq!(changes.len(), 1);
//! assert_eq!(changes[0].value.as_deref(), Some("x"));
//! ```

use std::sync::{Arc, Mutex};

/// What a watcher reacts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchFilter {
    /// Watch the whole subtree, not only the key (bWatchSubtree).
    pub subtree: bool,
    /// React to subkeys created or deleted (REG_NOTIFY_CHANGE_NAME).
    pub names: bool,
    /// React to values set or deleted (REG_NOTIFY_CHANGE_LAST_SET).
    pub values: bool,
    /// Fire once, then stay silent until re-armed (RegNotifyChangeKeyValue's default).
    pub one_shot: bool,
}

impl WatchFilter {
    /// Names and values, on the whole subtree, firing every time.
    pub fn all() -> WatchFilter {
        WatchFilter {
            subtree: true,
            names: true,
            values: true,
            one_shot: false,
        }
    }
}

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// A value was set.
    ValueSet,
    /// A value was deleted.
    ValueDeleted,
    /// A key was created.
    KeyCreated,
    /// A key (and its subtree) was deleted.
    KeyDeleted,
}

/// One change seen by a watcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegChange {
    /// The kind of change.
    pub kind: ChangeKind,
    /// The key that changed (for a created or deleted key, that key), resolved.
    pub path: String,
    /// The value name, for value changes.
    pub value: Option<String>,
}

#[derive(Debug, Default)]
struct WatchState {
    changes: Vec<RegChange>,
    fired: bool,
    armed: bool,
    closed: bool,
}

/// The caller's end of a watcher: poll it, take its changes, re-arm a one-shot watcher.
/// Dropping every clone unregisters it (the registry prunes it on its next change).
#[derive(Debug, Clone)]
pub struct WatchHandle {
    state: Arc<Mutex<WatchState>>,
}

impl WatchHandle {
    /// True when at least one change arrived since the last [`WatchHandle::take_changes`].
    pub fn is_signaled(&self) -> bool {
        self.lock().fired
    }

    /// The changes seen so far, clearing the signal.
    pub fn take_changes(&self) -> Vec<RegChange> {
        let mut st = self.lock();
        st.fired = false;
        std::mem::take(&mut st.changes)
    }

    /// Arms a one-shot watcher again (RegNotifyChangeKeyValue called again).
    pub fn rearm(&self) {
        self.lock().armed = true;
    }

    /// Stops watching (RegCloseKey on the watched handle).
    pub fn close(&self) {
        self.lock().closed = true;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, WatchState> {
        match self.state.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

#[derive(Debug)]
pub(crate) struct Watcher {
    /// Resolved, upper-cased path of the watched key: "HKEY_LOCAL_MACHINE\..."
    folded_path: String,
    filter: WatchFilter,
    state: Arc<Mutex<WatchState>>,
}

#[derive(Debug, Default)]
pub(crate) struct Watchers {
    list: Vec<Watcher>,
}

impl Watchers {
    pub(crate) fn add(&mut self, folded_path: String, filter: WatchFilter) -> WatchHandle {
        let state = Arc::new(Mutex::new(WatchState {
            armed: true,
            ..WatchState::default()
        }));
        self.list.push(Watcher {
            folded_path,
            filter,
            state: state.clone(),
        });
        WatchHandle { state }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Delivers a change. `folded_key` is the upper-cased resolved path of the key whose
    /// content changed: for value changes the key itself, for created/deleted keys their parent.
    pub(crate) fn notify(&mut self, folded_key: &str, change: RegChange) {
        self.list.retain(|w| {
            Arc::strong_count(&w.state) > 1 && !w.state.lock().map(|s| s.closed).unwrap_or(true)
        });
        for w in &self.list {
            let wanted = match change.kind {
                ChangeKind::ValueSet | ChangeKind::ValueDeleted => w.filter.values,
                ChangeKind::KeyCreated | ChangeKind::KeyDeleted => w.filter.names,
            };
            if !wanted {
                continue;
            }
            let hit = folded_key == w.folded_path
                || (w.filter.subtree
                    && folded_key.len() > w.folded_path.len()
                    && folded_key.starts_with(&w.folded_path)
                    && folded_key.as_bytes()[w.folded_path.len()] == b'\\');
            if !hit {
                continue;
            }
            let mut st = match w.state.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            if !st.armed {
                continue;
            }
            st.changes.push(change.clone());
            st.fired = true;
            if w.filter.one_shot {
                st.armed = false;
            }
        }
    }
}
