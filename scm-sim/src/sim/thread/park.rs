//! Parking a tracked thread on virtual time until another party wakes it: the primitive under
//! blocking channels and condition variables of service code (the drop-in `windows-service`
//! crate's `sim::channel` is built on it).
//!
//! The rules, in the terms of [`crate::sim::clock`] (step 3, who holds the clock):
//!
//! 1. [`ThreadContext::park_timeout`] gives the clock back while the thread waits, as
//!    [`ThreadContext::sleep`] does. A timer task is queued *before* the clock is let go, so
//!    the timeout is measured from the instant of the call.
//! 2. [`Unparker::unpark`] re-arms the thread's guard *before* it wakes the thread: from then
//!    until the thread parks, sleeps or ends again the clock cannot move, so whatever the
//!    thread does in reaction happens at the instant it was woken (and `settle` waits for it).
//! 3. An unpark that finds the thread running leaves a permit, as `std::thread::unpark` does:
//!    the next park returns at once (no lost wake-up between a check and a park).
//! 4. A process that is terminated wakes its parked threads with `Err(Killed)`.
//!
//! ```
//! use scm_sim::{Machine, machine::Image};
//! use scm_sim::service::{service_fn, ServiceContext, ServiceTable, ServiceStatus,
//!     ServiceControlAccept, ServiceControl, ServiceControlHandlerResult, ServiceExitCode,
//!     ServiceState};
//! use scm_sim::scm::{access, CreateServiceParams};
//! use std::sync::{Arc, atomic::{AtomicBool, Ordering}};
//! use std::time::Duration;
//!
//! let mut m = Machine::builder().image(Image::Empty).build().unwrap();
//! m.install(r"C:\svc\p.exe", ServiceTable::single("P", service_fn(|ctx: ServiceContext, _| async move {
//!     let stop = Arc::new(AtomicBool::new(false));
//!     let c = ctx.clone();
//!     let s = stop.clone();
//!     let worker = ctx.spawn_thread("main", move |t| {
//!         let unparker = t.unparker();
//!         let st = c.register_handler(move |req| match req.control {
//!             ServiceControl::Stop => { s.store(true, Ordering::SeqCst); unparker.unpark();
//!                 ServiceControlHandlerResult::NoError }
//!             _ => ServiceControlHandlerResult::NotImplemented,
//!         }).unwrap();
//!         st.set_status(ServiceStatus::running(ServiceControlAccept::STOP)).unwrap();
//!         while !stop.load(Ordering::SeqCst) {
//!             let _ = t.park_timeout(Some(Duration::from_secs(3600)));
//!         }
//!         st.set_status(ServiceStatus::stopped(ServiceExitCode::NO_ERROR)).unwrap();
//!     }).unwrap();
//!     worker.join().await;
//! })));
//! let scm = m.open_sc_manager(access::SC_MANAGER_ALL_ACCESS).unwrap();
//! let h = m.create_service(scm, &CreateServiceParams::own_process("P", r"C:\svc\p.exe")).unwrap();
//! m.start_service(h, &[]).unwrap();
//! let at = m.now();
//! m.control_service(h, ServiceControl::Stop).unwrap();
//! assert_eq!(m.query_service_status(h).unwrap().current_state, ServiceState::Stopped);
//! assert_eq!(m.now(), at);
//! m.assert_no_violations();
//! ```

use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{Guard, Killed, ThreadContext};

/// The park state of one tracked thread.
#[derive(Debug, Default)]
pub(crate) struct ParkSlot {
    inner: Mutex<Parked>,
}

#[derive(Debug, Default)]
struct Parked {
    /// An unpark arrived while the thread was not parked (rule 3).
    permit: bool,
    /// The current park: its number and the sender that wakes it.
    waiting: Option<(u64, std_mpsc::Sender<()>)>,
    /// Parks so far (tells a late timer from the current park).
    parks: u64,
}

impl ParkSlot {
    fn lock(&self) -> std::sync::MutexGuard<'_, Parked> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Wakes park number `park` (any park with `None`), re-arming the guard first (rule 2).
    /// False when that park is not waiting.
    fn wake(&self, park: Option<u64>, guard: &Guard, rt: &tokio::runtime::Handle) -> bool {
        let mut p = self.lock();
        match &p.waiting {
            Some((n, _)) if park.is_none_or(|want| want == *n) => {
                if let Some((_, tx)) = p.waiting.take() {
                    guard.arm(rt);
                    let _ = tx.send(());
                }
                true
            }
            _ => false,
        }
    }

    /// Drops park number `park` without re-arming (its process died: rule 4).
    fn abandon(&self, park: u64) {
        let mut p = self.lock();
        if matches!(&p.waiting, Some((n, _)) if *n == park) {
            p.waiting = None;
        }
    }
}

/// Wakes a parked tracked thread from anywhere (a control handler, another thread, a task).
#[derive(Clone)]
pub struct Unparker {
    slot: Arc<ParkSlot>,
    guard: Arc<Guard>,
    rt: tokio::runtime::Handle,
}

impl std::fmt::Debug for Unparker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Unparker")
    }
}

impl Unparker {
    /// Wakes the thread if it is parked (holding the clock for it first), or leaves a permit
    /// so that its next park returns at once.
    pub fn unpark(&self) {
        if !self.slot.wake(None, &self.guard, &self.rt) {
            self.slot.lock().permit = true;
        }
    }
}

/// Drops park `park` when the timer task ends without firing (aborted with its process).
struct AbandonOnDrop {
    slot: Arc<ParkSlot>,
    park: u64,
}

impl Drop for AbandonOnDrop {
    fn drop(&mut self) {
        self.slot.abandon(self.park);
    }
}

/// Holds the virtual clock on behalf of a tracked thread, or lets it go, from outside the
/// thread: for code that blocks where the simulator cannot see it (a std channel), so that a
/// watcher that can tell when the thread runs (the drop-in `windows-service` crate reads
/// Linux's `/proc`) decides when virtual time may pass. Holding is idempotent, and so is
/// releasing.
#[derive(Clone)]
pub struct ClockHold {
    guard: Arc<Guard>,
    rt: tokio::runtime::Handle,
}

impl std::fmt::Debug for ClockHold {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClockHold")
    }
}

impl ClockHold {
    /// Holds the clock for the thread (as while it works): virtual time stands still and
    /// `settle` waits until it is released.
    pub fn hold(&self) {
        self.guard.arm(&self.rt);
    }

    /// Lets the clock go (as while the thread sleeps).
    pub fn release(&self) {
        self.guard.release();
    }
}

impl ThreadContext {
    /// The thread's hold on the virtual clock, to hold or release from elsewhere.
    pub fn clock_hold(&self) -> ClockHold {
        ClockHold {
            guard: self.guard.clone(),
            rt: self.host.runtime().clone(),
        }
    }

    /// A handle that wakes this thread from [`ThreadContext::park_timeout`].
    pub fn unparker(&self) -> Unparker {
        Unparker {
            slot: self.park.clone(),
            guard: self.guard.clone(),
            rt: self.host.runtime().clone(),
        }
    }

    /// Parks the thread until an [`Unparker`] wakes it or `timeout` of virtual time passed
    /// (`None`: no timeout), giving the clock back meanwhile. Returns at once if an unpark
    /// came since the last park. Spurious returns are allowed: re-check the condition.
    /// `Err(Killed)` when the process died. As after [`ThreadContext::sleep`], a thread that
    /// parks after reporting STOPPED went on after its report.
    pub fn park_timeout(&self, timeout: Option<Duration>) -> Result<(), Killed> {
        self.host.went_on_after_stopped(self.id);
        if self.is_killed() {
            return Err(Killed);
        }
        let (tx, rx) = std_mpsc::channel();
        let park = {
            let mut p = self.park.lock();
            if std::mem::take(&mut p.permit) {
                return Ok(());
            }
            p.parks += 1;
            let n = p.parks;
            p.waiting = Some((n, tx));
            n
        };
        // The timer is queued while the thread still holds the clock (rule 1).
        let (slot, guard, rt) = (
            self.park.clone(),
            self.guard.clone(),
            self.host.runtime().clone(),
        );
        let timer = self.host.spawn_boxed(Box::pin(async move {
            let abandon = AbandonOnDrop { slot, park };
            match timeout {
                Some(d) => tokio::time::sleep(d).await,
                None => std::future::pending::<()>().await,
            }
            abandon.slot.wake(Some(park), &guard, &rt);
        }));
        self.host.attach_task(self.pid, timer.abort_handle());
        self.guard.release();
        let woken = rx.recv();
        timer.abort();
        match woken {
            Ok(()) if !self.is_killed() => Ok(()),
            _ => Err(Killed),
        }
    }

    /// The machine's virtual clock, as the thread's service sees it.
    pub fn now(&self) -> tokio::time::Instant {
        let _context = self.host.runtime().enter();
        tokio::time::Instant::now()
    }
}
