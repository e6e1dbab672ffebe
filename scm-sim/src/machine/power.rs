//! The machine's life: boot, orderly shutdown and restart (the SCM's side is
//! `scm::shutdown`), and the state of a machine that is off.
//!
//! ```
//! use scm_sim::{Machine, machine::Image};
//! use scm_sim::scm::access::SC_MANAGER_ALL_ACCESS;
//!
//! let mut m = Machine::builder().image(Image::Windows10).build().unwrap();
//! m.shutdown();                       // PRESHUTDOWN, SHUTDOWN, then the machine is off
//! assert!(m.is_off());
//! assert_eq!(m.open_sc_manager(SC_MANAGER_ALL_ACCESS).unwrap_err().code(), 1722);
//! m.boot();                           // on again: the database rebuilt from the registry
//! assert!(m.open_sc_manager(SC_MANAGER_ALL_ACCESS).is_ok());
//! ```

use super::Machine;

impl Machine {
    /// Boots the machine. On a machine that is off, it powers on; on a running machine it is
    /// an orderly restart ([`Machine::restart`]). The SCM reloads its database from the
    /// registry (services marked for deletion purged, registry changes taking effect) and the
    /// boot sequence runs. The virtual clock restarts at 0; open handles become invalid; the
    /// event log and the trace are kept.
    pub fn boot(&mut self) {
        if self.booted && !self.is_off() {
            self.shutdown();
        }
        let core = self.scm.core.clone();
        // A machine built without booting may have processes: they end as at a power cut.
        core.cut_power();
        {
            let mut st = core.lock();
            st.life.phase = None;
            st.life.off = false;
            st.registry.begin_boot();
            st.settings = self.effective_settings(&mut st.registry);
            st.handles = Default::default();
            st.notifications.clear();
            // Trigger events waiting for a state of the old boot die with it; the machine's
            // conditions stay and act again below.
            st.triggers.queues.clear();
            st.triggers.inbox.clear();
            st.boot_instant = self.rt.block_on(async { tokio::time::Instant::now() });
            st.now_cache.forget();
            crate::scm::load_database(&mut st);
        }
        self.booted = true;
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
        // What those triggers started is part of the boot too.
        let driving = crate::scm::Driving::enter(&core);
        self.rt.block_on(core.finish_starts());
        drop(driving);
        self.settle();
    }

    /// The orderly shutdown (see `scm::shutdown`): PRESHUTDOWN, then SHUTDOWN within
    /// `WaitToKillServiceTimeout`, then every process left is terminated. Afterwards the
    /// machine is off: every management call fails with RPC_S_SERVER_UNAVAILABLE (1722) until
    /// [`Machine::boot`]. Nothing happens on a machine that is already off.
    pub fn shutdown(&mut self) {
        if self.is_off() {
            return;
        }
        let core = self.scm.core.clone();
        let driving = crate::scm::Driving::enter(&core);
        self.rt.block_on(core.shutdown_services());
        drop(driving);
        self.settle();
        let mut st = core.lock();
        st.trace_with(|| crate::events::TraceKind::Note {
            text: "shutdown: the machine is off".into(),
        });
        st.life.phase = None;
        st.life.off = true;
        st.handles = Default::default();
        st.notifications.clear();
    }

    /// An orderly shutdown followed by a boot.
    pub fn restart(&mut self) {
        self.shutdown();
        self.boot();
    }

    /// Whether the machine is off (after [`Machine::shutdown`], until [`Machine::boot`]).
    pub fn is_off(&self) -> bool {
        self.scm.core.lock().life.off
    }
}
