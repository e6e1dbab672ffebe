//! Lending the registry to a service's `ServiceContext::with_registry` closure.
//!
//! ```text
//! ctx.with_registry(|reg, caller| {
//!     let v = reg.query_value(caller, r"HKLM\SOFTWARE\Contoso", "Level");
//!     status.set_status(running)   // re-enters the SCM from inside the closure: allowed
//! });
//! ```
//!
//! On Windows a registry call and SetServiceStatus share no lock, so service code may report
//! status, spawn work or draw randomness between two registry calls. Here the registry lives in
//! the SCM's [`State`] behind the engine lock, and the closure wants `&mut Registry`. Running the
//! closure under the lock deadlocked the machine as soon as it called back into the SCM (the
//! engine lock is not re-entrant). The registry is therefore *lent*, never locked across user
//! code:
//!
//! 1. Under the lock, the registry is moved out of the state (a bare placeholder stays) and the
//!    state records which thread borrowed it (`registry_lent_to`); the lock is released.
//! 2. The closure runs with no lock held. Calls it makes into the SCM from the same thread take
//!    the lock as usual and find the state consistent apart from the registry, which they do not
//!    need: a stopped service's pending delete is queued (`deferred_deletes`) and a service's
//!    fresh Parameters fall back to the copy the SCM loaded.
//! 3. Any *other* thread that takes the lock while the registry is out waits ([`Core::lock`]),
//!    so no one else ever sees the placeholder: to them the closure is one atomic registry
//!    operation, as it was when it ran under the lock.
//! 4. When the closure returns — or unwinds: [`Homecoming`]'s drop does it — the registry goes
//!    back, queued deletes run, waiters wake, and HKEY_CURRENT_USER use is judged.
//!
//! What a closure still must not do: sleep on virtual time (`ThreadContext::sleep` panics with
//! a clear message there: the clock's runtime may be waiting for the registry), nest a second
//! `with_registry` (panics likewise: the registry is already out), or wait for another thread of
//! its own that calls into the SCM (that thread waits for the registry, as in step 3).

use std::sync::Arc;
use std::thread::ThreadId;

use fake_registry::{Caller, Registry};

use super::{Core, State};
use crate::sim::Rule;

/// Puts a lent registry back when dropped, however the closure ended.
struct Homecoming<'a> {
    core: &'a Core,
    registry: Registry,
}

impl Drop for Homecoming<'_> {
    fn drop(&mut self) {
        let mut st = self.core.lock();
        st.registry = std::mem::replace(&mut self.registry, Registry::bare());
        st.registry_lent_to = None;
        for path in std::mem::take(&mut st.deferred_deletes) {
            let _ = st
                .registry
                .delete_key_recursive(&Caller::local_system(), &path);
        }
        drop(st);
        self.core.registry_home.notify_all();
    }
}

impl State {
    /// True while the registry is lent to a closure of the calling thread (only the borrower
    /// can hold the lock then; see the module docs).
    pub(crate) fn registry_is_lent(&self) -> bool {
        self.registry_lent_to.is_some()
    }

    /// Deletes a key now, or when the registry comes home if it is lent.
    pub(crate) fn delete_key_when_home(&mut self, path: String) {
        if self.registry_is_lent() {
            self.deferred_deletes.push(path);
        } else {
            let _ = self
                .registry
                .delete_key_recursive(&Caller::local_system(), &path);
        }
    }
}

impl Core {
    /// True when the calling thread is inside a `with_registry` closure of this machine.
    pub(crate) fn registry_lent_here(&self) -> bool {
        let me = std::thread::current().id();
        self.lock().registry_lent_to == Some(me)
    }

    /// Runs `f` on the registry as `service`'s account, the registry lent (steps 1–4 above).
    ///
    /// # Panics
    /// When called from inside another `with_registry` closure on the same thread.
    pub(crate) fn with_lent_registry(
        self: &Arc<Core>,
        service: &str,
        f: &mut dyn FnMut(&mut Registry, &Caller),
    ) {
        let (caller, registry) = self.borrow_registry(service, std::thread::current().id());
        let mut home = Homecoming {
            core: self,
            registry,
        };
        let before = home.registry.access_log().total();
        f(&mut home.registry, &caller);
        let hkcu: Vec<String> = home
            .registry
            .access_log()
            .current_user_since(before)
            .map(|r| r.path.clone())
            .collect();
        drop(home);
        let mut st = self.lock();
        for path in hkcu {
            let seen = format!("HKEY_CURRENT_USER used: {path}");
            self.violation(&mut st, Rule::HkcuAccess, service, seen);
        }
    }

    /// Step 1: moves the registry out of the state for thread `me`.
    fn borrow_registry(&self, service: &str, me: ThreadId) -> (Caller, Registry) {
        let mut st = self.lock();
        if st.registry_lent_to == Some(me) {
            drop(st);
            panic!(
                "ServiceContext::with_registry called inside another with_registry closure on \
                 the same thread: the registry is already lent to the outer closure (do the \
                 work in the outer closure)"
            );
        }
        let account = st.record(service).map(|r| r.account()).unwrap_or_default();
        st.registry_lent_to = Some(me);
        let registry = std::mem::replace(&mut st.registry, Registry::bare());
        (Caller::for_service_account(&account), registry)
    }
}
