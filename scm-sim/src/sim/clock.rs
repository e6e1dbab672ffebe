//! Virtual time: how a simulated machine's clock moves, written down once.
//!
//! Every machine owns a current-thread tokio runtime started *paused*. Nothing reads the wall
//! clock; `tokio::time::Instant::now()` on the machine's runtime is the machine's time
//! (`State::now` enters the runtime so that tracked OS threads read it too).
//!
//! 1. **Who runs.** The machine's tasks (processes, dispatchers, ServiceMains, the watchdog,
//!    the trigger dispatcher, recovery timers, service code's tracked tasks) run only while
//!    something drives the runtime: a `Machine` call inside `block_on`,
//!    [`Machine::settle`](crate::Machine::settle) or
//!    [`Machine::advance`](crate::Machine::advance).
//! 2. **When the clock may jump.** A paused tokio clock moves only when the runtime is idle:
//!    no task is ready and no blocking task is in flight. Then it jumps straight to the next
//!    timer (a 30 s pipe timeout is one jump, not 30 s of waiting).
//! 3. **Who holds the clock.** A tracked OS thread (`ctx.spawn_thread`) arms a guard, a
//!    blocking task that keeps the runtime from being idle, while it works; it gives the clock
//!    back only while it sleeps through its `ThreadContext` (until its deadline) and when it
//!    ends — after waking its joiner, so no jump can slip between its end and the join.
//! 4. **What counts as something happening.** Every state change, trace entry, event, status
//!    report, process connect or exit and finished unit of work bumps the activity counter
//!    (`State::activity`).
//! 5. **Waking.** `Core::wake` notifies the waiters of status changes; the watchdog and the
//!    trigger dispatcher are woken only when they have work (a pending state entered or
//!    progressed, a trigger event queued), so idle system tasks never keep the runtime busy.
//!    The transition function also wakes the waiters of the one record it changed.
//! 6. **Settling.** [`Machine::settle`](crate::Machine::settle) runs the runtime at the
//!    current instant without letting time pass: it yields a few times inside `block_on`
//!    (a busy runtime is never idle, so the clock stays put) and repeats while the activity
//!    counter moves; it stops when one round changed nothing and no tracked thread holds the
//!    clock (a thread working at this instant is something happening at it: settling waits
//!    for it to sleep or end, as the clock does in step 3), or after a bounded number of
//!    rounds (a service that loops forever at one instant cannot hang the caller; a thread
//!    that works forever without sleeping holds the clock, and so the caller, as long).
//! 7. **The rule for blocking calls.** Each blocking `Machine` call runs its async API call to
//!    completion (time passes as the call needs: a StartService waits for the dispatcher) and
//!    then settles, so what the call set off at that instant has happened when it returns.
//! 8. **Advancing.** [`Machine::advance`](crate::Machine::advance) sleeps `d` on the
//!    runtime: the clock jumps timer to timer, running everything due at each instant, then
//!    settles at the end.
//! 9. **Reading the clock.** By step 2 the clock jumps only inside the runtime's park (when
//!    it finds nothing to run). The runtime counts its parks and unparks (`ParkCount`,
//!    bumped by its park hooks), so a reading of the clock stays valid while that count is
//!    unchanged: the engine reads tokio's clock once per count and reuses the reading for
//!    every trace entry and event written meanwhile (`State::now`).
//!
//! ```
//! use scm_sim::Machine;
//! use std::time::Duration;
//!
//! let mut m = Machine::builder().build().unwrap();
//! let before = m.now();
//! m.settle();                                 // nothing due: no time passes
//! assert_eq!(m.now(), before);
//! m.advance(Duration::from_secs(30));         // one jump, no real waiting
//! assert_eq!(m.now(), before + Duration::from_secs(30));
//! ```

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

use super::thread::ClockHolders;

/// How many times the machine's runtime parked or unparked (step 9): the virtual clock can
/// only have moved when this changed.
#[derive(Debug, Default)]
pub(crate) struct ParkCount(AtomicU64);

impl ParkCount {
    /// The count now.
    pub(crate) fn get(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }

    /// Counts a park or an unpark (the runtime's park hooks call it).
    pub(crate) fn bump(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// The engine's reading of virtual time (step 9): tokio's clock read once per park count of
/// the runtime and reused meanwhile.
#[derive(Debug)]
pub(crate) struct NowCache {
    parks: Arc<ParkCount>,
    cache: Cell<Option<(u64, Duration)>>,
}

impl NowCache {
    /// A cache over the runtime that bumps `parks`.
    pub(crate) fn new(parks: Arc<ParkCount>) -> NowCache {
        NowCache {
            parks,
            cache: Cell::new(None),
        }
    }

    /// Virtual time since `boot` on `rt`. The count is read first: a park after it makes the
    /// reading stale at the next call.
    pub(crate) fn read(&self, rt: &tokio::runtime::Handle, boot: Instant) -> Duration {
        let count = self.parks.get();
        if let Some((at, now)) = self.cache.get() {
            if at == count {
                return now;
            }
        }
        let now = {
            // Entered, so that calls from other threads (tracked threads, the blocking
            // Machine wrappers) read the virtual clock, not the real one.
            let _context = rt.enter();
            Instant::now().saturating_duration_since(boot)
        };
        self.cache.set(Some((count, now)));
        now
    }

    /// Forgets the reading (the boot instant changed).
    pub(crate) fn forget(&self) {
        self.cache.set(None);
    }
}

/// How many rounds [`Machine::settle`](crate::Machine::settle) runs at most (step 6).
const SETTLE_ROUNDS: usize = 10_000;

/// Yields per round: enough for a control to travel client → SCM → dispatcher → handler.
const YIELDS_PER_ROUND: usize = 8;

/// Step 6: runs the machine at the current instant until a round changes nothing.
pub(crate) fn settle(
    rt: &tokio::runtime::Runtime,
    activity: impl Fn() -> u64,
    holders: &ClockHolders,
) {
    for _ in 0..SETTLE_ROUNDS {
        let before = activity();
        rt.block_on(async {
            for _ in 0..YIELDS_PER_ROUND {
                tokio::task::yield_now().await;
            }
        });
        if activity() == before {
            if holders.armed() == 0 {
                break;
            }
            rt.block_on(holders.all_released());
        }
    }
}

/// The longest one sleep of [`advance`]: tokio clamps a deadline more than about 30 years
/// ahead to its "far future", so one long sleep would stop early and the clock would read
/// less than was asked. A year per step stays far inside that.
pub(crate) const MAX_STEP: Duration = Duration::from_secs(365 * 24 * 3600);

/// Step 8: lets `d` of virtual time pass, running everything due meanwhile, then settles.
/// Longer spans go in steps of at most [`MAX_STEP`], settling after each, so any span the
/// clock can hold arrives whole.
pub(crate) fn advance(
    rt: &tokio::runtime::Runtime,
    activity: impl Fn() -> u64,
    holders: &ClockHolders,
    d: Duration,
) {
    let mut left = d;
    loop {
        let step = left.min(MAX_STEP);
        rt.block_on(async move { tokio::time::sleep(step).await });
        settle(rt, &activity, holders);
        left -= step;
        if left.is_zero() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Step 9: a reading is reused while the runtime has not parked, and a jump of the clock
    /// (which happens only while it parks) is seen at the next read.
    #[test]
    fn a_reading_holds_until_the_runtime_parks() {
        let parks = Arc::new(ParkCount::default());
        let (on_park, on_unpark) = (parks.clone(), parks.clone());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .on_thread_park(move || on_park.bump())
            .on_thread_unpark(move || on_unpark.bump())
            .build()
            .expect("runtime");
        let boot = rt.block_on(async { Instant::now() });
        let now = NowCache::new(parks.clone());
        assert_eq!(now.read(rt.handle(), boot), Duration::ZERO);
        let count = parks.get();
        assert_eq!(now.read(rt.handle(), boot), Duration::ZERO);
        assert_eq!(parks.get(), count, "reading does not park");
        rt.block_on(async { tokio::time::sleep(Duration::from_secs(5)).await });
        assert!(parks.get() > count, "the jump happened in a park");
        assert_eq!(now.read(rt.handle(), boot), Duration::from_secs(5));
    }
}
