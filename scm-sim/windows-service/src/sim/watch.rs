//! Model (b): blocking std code on virtual time, on Linux. A ServiceMain thread that blocks
//! where the simulator cannot see it (a `std::sync::mpsc` receive, a std mutex, a socket)
//! holds the virtual clock only while the operating system says it is runnable.
//!
//! 1. The thread holds the clock when the simulator gives it something to do: when it starts
//!    (the engine's tracked thread starts holding it) and after each control its handler
//!    received ([`Watch::arm`]), because the handler may have woken it.
//! 2. A watcher thread then reads `/proc/self/task/<tid>/status` until the thread is seen
//!    blocked (state `S` or `D`) in the same sleep on two reads a millisecond apart (its
//!    voluntary context-switch count unchanged), and lets the clock go.
//! 3. While the thread waits in this crate's own primitives ([`crate::sim::sleep`],
//!    [`crate::sim::Receiver`]) the watcher keeps out: those hand the clock over exactly.
//!
//! So `settle` after a control waits until the ServiceMain thread has reacted and blocked
//! again, and a ServiceMain that blocks without reporting lets virtual time run to the pipe
//! timeout. Where `/proc` is missing the thread is taken as blocked 10 ms after it was armed.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use scm_sim::sim::ClockHold;

#[derive(Debug, Default)]
struct State {
    /// The thread holds the clock and the watcher looks for it to block.
    armed: bool,
    /// The thread waits in a sim primitive (which manages the clock itself).
    in_sim: bool,
    /// The thread's ServiceMain returned: nothing to watch any more.
    stopped: bool,
}

/// The watch over one ServiceMain thread.
#[derive(Debug)]
pub(crate) struct Watch {
    state: Mutex<State>,
    wake: Condvar,
    hold: ClockHold,
    status_path: Option<String>,
}

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// (blocked, voluntary context switches) of the thread, from its `/proc` status.
fn sample(path: &Option<String>) -> Option<(bool, u64)> {
    let text = std::fs::read_to_string(path.as_ref()?).ok()?;
    let mut blocked = false;
    let mut switches = 0;
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("State:") {
            blocked = matches!(v.trim_start().chars().next(), Some('S' | 'D'));
        } else if let Some(v) = line.strip_prefix("voluntary_ctxt_switches:") {
            switches = v.trim().parse().unwrap_or(0);
        }
    }
    Some((blocked, switches))
}

/// The `/proc` status file of the calling thread, where there is one.
pub(crate) fn own_status_path() -> Option<String> {
    std::fs::read_link("/proc/thread-self")
        .ok()
        .map(|p| format!("/proc/{}/status", p.display()))
}

/// True when the thread of `path` is blocked in one sleep across a millisecond (where
/// `/proc` is missing: true once 10 ms passed).
pub(crate) fn seen_blocked(path: &Option<String>) -> bool {
    let first = sample(path);
    std::thread::sleep(Duration::from_millis(if first.is_some() { 1 } else { 10 }));
    match (first, sample(path)) {
        (Some((true, a)), Some((true, b))) => a == b,
        (None, None) => true,
        _ => false,
    }
}

impl Watch {
    /// Starts watching the calling thread (a ServiceMain thread, holding the clock).
    pub(crate) fn start(hold: ClockHold) -> Arc<Watch> {
        let status_path = own_status_path();
        let watch = Arc::new(Watch {
            state: Mutex::new(State {
                armed: true,
                ..State::default()
            }),
            wake: Condvar::new(),
            hold,
            status_path,
        });
        let w = watch.clone();
        let _ = std::thread::Builder::new()
            .name("scm-sim watch".into())
            .spawn(move || w.run());
        watch
    }

    fn run(&self) {
        loop {
            let mut st = lock(&self.state);
            while !st.stopped && (!st.armed || st.in_sim) {
                st = match self.wake.wait(st) {
                    Ok(g) => g,
                    Err(p) => p.into_inner(),
                };
            }
            if st.stopped {
                return;
            }
            drop(st);
            let first = sample(&self.status_path);
            std::thread::sleep(Duration::from_millis(if first.is_some() { 1 } else { 10 }));
            let mut st = lock(&self.state);
            if st.stopped || !st.armed || st.in_sim {
                continue;
            }
            let blocked = match (first, sample(&self.status_path)) {
                (Some((true, a)), Some((true, b))) => a == b,
                (None, None) => true,
                _ => false,
            };
            if blocked {
                st.armed = false;
                self.hold.release();
            }
        }
    }

    /// Step 1: the simulator gave the thread something to do; it holds the clock until seen
    /// blocked.
    pub(crate) fn arm(&self) {
        let mut st = lock(&self.state);
        if st.stopped || st.in_sim {
            return;
        }
        st.armed = true;
        self.hold.hold();
        self.wake.notify_all();
    }

    /// Step 3: the thread enters a sim primitive.
    pub(crate) fn enter_sim(&self) {
        let mut st = lock(&self.state);
        st.in_sim = true;
        st.armed = false;
    }

    /// The thread is back from a sim primitive, holding the clock.
    pub(crate) fn leave_sim(&self) {
        let mut st = lock(&self.state);
        st.in_sim = false;
        st.armed = true;
        self.wake.notify_all();
    }

    /// The ServiceMain returned: the watch ends (the engine takes the clock back itself).
    pub(crate) fn stop(&self) {
        let mut st = lock(&self.state);
        st.stopped = true;
        st.armed = false;
        self.wake.notify_all();
    }
}
