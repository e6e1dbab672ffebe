//! Threads a service starts, on virtual time: [`spawn`] starts a tracked thread of the
//! service (the oracle sees it: reporting STOPPED while it runs is `stopped-with-live-work`,
//! with its spawn site), whose waits through this module run on virtual time; joining it
//! waits on virtual time too. Off a ServiceMain thread it is `std::thread::spawn`. On
//! Windows alias it to std: `#[cfg(windows)] use std::thread::spawn;`.

use std::sync::{Arc, Mutex};

use super::program::{enter_service_thread, leave_service_thread, with_service};
use super::watch::Watch;
use scm_sim::sim::Unparker;

struct Done<T> {
    value: Option<std::thread::Result<T>>,
    finished: bool,
    joiner: Option<Unparker>,
}

/// A handle to a spawned thread (as `std::thread::JoinHandle`).
#[derive(Debug)]
pub struct JoinHandle<T> {
    thread: Option<std::thread::JoinHandle<()>>,
    done: Arc<Mutex<Done<T>>>,
}

impl<T> std::fmt::Debug for Done<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Done")
            .field("finished", &self.finished)
            .finish()
    }
}

fn lock<T>(m: &Mutex<Done<T>>) -> std::sync::MutexGuard<'_, Done<T>> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// Spawns a thread: a tracked thread of the calling ServiceMain's service, or a plain std
/// thread elsewhere.
#[track_caller]
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let done = Arc::new(Mutex::new(Done {
        value: None,
        finished: false,
        joiner: None,
    }));
    let d = done.clone();
    let body = move || {
        let value = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        let panicked = value.is_err();
        let mut slot = lock(&d);
        slot.value = Some(value);
        slot.finished = true;
        if let Some(j) = slot.joiner.take() {
            j.unpark();
        }
        drop(slot);
        if panicked {
            panic!("a thread of the service panicked");
        }
    };
    let ctx = with_service(|s| s.ctx.clone());
    let thread = match ctx {
        Some(ctx) => {
            let c = ctx.clone();
            ctx.spawn_thread("thread", move |tctx| {
                let watch = Watch::start(tctx.clock_hold());
                enter_service_thread(c, tctx, watch.clone(), Vec::new());
                body();
                watch.stop();
                leave_service_thread();
            })
            .map(|t| t.into_std())
            .ok()
        }
        None => std::thread::Builder::new().spawn(body).ok(),
    };
    JoinHandle { thread, done }
}

impl<T> JoinHandle<T> {
    /// Waits for the thread to end (on virtual time on a ServiceMain thread) and returns its
    /// result. The wait ends after the simulator saw the thread end, so a STOPPED report
    /// right after the join does not find it alive.
    pub fn join(mut self) -> std::thread::Result<T> {
        let parked = with_service(|s| {
            s.watch.enter_sim();
            loop {
                let mut slot = lock(&self.done);
                if slot.finished {
                    break;
                }
                slot.joiner = Some(s.tctx.unparker());
                drop(slot);
                if s.tctx.park_timeout(None).is_err() {
                    break;
                }
            }
            // Still holding the clock: the thread only has its own end left to run.
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
            s.watch.leave_sim();
        });
        if parked.is_none() {
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
        }
        let value = lock(&self.done).value.take();
        value.unwrap_or_else(|| Err(Box::new("the thread was killed")))
    }

    /// True once the thread's work returned.
    pub fn is_finished(&self) -> bool {
        lock(&self.done).finished
    }
}
