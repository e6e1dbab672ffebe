//! Model (a): waits on virtual time. On a ServiceMain thread of a simulated machine these
//! wait on the machine's clock and give it back while they wait, so the run is exact and
//! replays from its seed; anywhere else (a unit test calling the code directly, a thread the
//! service spawned with `std::thread`) they wait on real time, as their std namesakes do.
//!
//! On Windows, alias them to std with one line:
//!
//! ```
//! #[cfg(windows)]
//! use std::{sync::mpsc::{channel, RecvTimeoutError}, thread::sleep, time::Instant};
//! #[cfg(not(windows))]
//! use windows_service::sim::{channel, sleep, Instant, RecvTimeoutError};
//! # let _ = (channel::<()>, sleep, Instant::now, RecvTimeoutError::Timeout);
//! ```

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

pub use std::sync::mpsc::{RecvError, RecvTimeoutError, SendError, TryRecvError};

use super::program::with_service;
use scm_sim::sim::Unparker;

/// Sleeps `d`: virtual time on a ServiceMain thread, real time elsewhere.
pub fn sleep(d: Duration) {
    let slept = with_service(|s| {
        s.watch.enter_sim();
        let _ = s.tctx.sleep(d);
        s.watch.leave_sim();
    });
    if slept.is_none() {
        std::thread::sleep(d);
    }
}

/// A point in time: the machine's virtual clock on a ServiceMain thread, real time elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(tokio::time::Instant);

impl Instant {
    /// Now.
    pub fn now() -> Instant {
        Instant(with_service(|s| s.tctx.now()).unwrap_or_else(tokio::time::Instant::now))
    }

    /// Time since `self`.
    pub fn elapsed(&self) -> Duration {
        Instant::now().0.saturating_duration_since(self.0)
    }

    /// Time from `earlier` to `self` (zero if `earlier` is later).
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.0.saturating_duration_since(earlier.0)
    }
}

impl std::ops::Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, d: Duration) -> Instant {
        Instant(self.0 + d)
    }
}

struct Shared<T> {
    queue: Mutex<Chan<T>>,
    ready: Condvar,
}

struct Chan<T> {
    items: VecDeque<T>,
    senders: usize,
    receiver_alive: bool,
    /// The receiving ServiceMain thread, to wake on virtual time.
    waiter: Option<Unparker>,
}

impl<T> Shared<T> {
    fn lock(&self) -> MutexGuard<'_, Chan<T>> {
        match self.queue.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    fn notify(&self, chan: &Chan<T>) {
        if let Some(u) = &chan.waiter {
            u.unpark();
        }
        self.ready.notify_all();
    }
}

/// The sending half of [`channel`] (as `std::sync::mpsc::Sender`).
pub struct Sender<T>(Arc<Shared<T>>);

/// The receiving half of [`channel`] (as `std::sync::mpsc::Receiver`).
pub struct Receiver<T>(Arc<Shared<T>>);

impl<T> std::fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sender { .. }")
    }
}

impl<T> std::fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Receiver { .. }")
    }
}

/// A channel whose receiver waits on virtual time on a ServiceMain thread: a send from a
/// control handler wakes it at the same virtual instant, and `recv_timeout` times out on the
/// machine's clock.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        queue: Mutex::new(Chan {
            items: VecDeque::new(),
            senders: 1,
            receiver_alive: true,
            waiter: None,
        }),
        ready: Condvar::new(),
    });
    (Sender(shared.clone()), Receiver(shared))
}

impl<T> Sender<T> {
    /// Sends `t`; fails when the receiver is gone.
    pub fn send(&self, t: T) -> Result<(), SendError<T>> {
        let mut chan = self.0.lock();
        if !chan.receiver_alive {
            return Err(SendError(t));
        }
        chan.items.push_back(t);
        self.0.notify(&chan);
        Ok(())
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.0.lock().senders += 1;
        Sender(self.0.clone())
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut chan = self.0.lock();
        chan.senders -= 1;
        if chan.senders == 0 {
            self.0.notify(&chan);
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.0.lock().receiver_alive = false;
    }
}

impl<T> Receiver<T> {
    /// Takes a value if one is queued.
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        let mut chan = self.0.lock();
        match chan.items.pop_front() {
            Some(t) => Ok(t),
            None if chan.senders == 0 => Err(TryRecvError::Disconnected),
            None => Err(TryRecvError::Empty),
        }
    }

    /// Waits for a value.
    pub fn recv(&self) -> Result<T, RecvError> {
        self.wait(None).map_err(|_| RecvError)
    }

    /// Waits for a value at most `timeout` (virtual time on a ServiceMain thread).
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        self.wait(Some(timeout))
    }

    fn wait(&self, timeout: Option<Duration>) -> Result<T, RecvTimeoutError> {
        let deadline = timeout.map(|d| Instant::now() + d);
        loop {
            let mut chan = self.0.lock();
            if let Some(t) = chan.items.pop_front() {
                return Ok(t);
            }
            if chan.senders == 0 {
                return Err(RecvTimeoutError::Disconnected);
            }
            let left = match deadline {
                Some(at) => match at.duration_since(Instant::now()) {
                    d if d.is_zero() => return Err(RecvTimeoutError::Timeout),
                    d => Some(d),
                },
                None => None,
            };
            let parked = with_service(|s| s.tctx.unparker());
            match parked {
                Some(unparker) => {
                    chan.waiter = Some(unparker);
                    drop(chan);
                    with_service(|s| {
                        s.watch.enter_sim();
                        let _ = s.tctx.park_timeout(left);
                        s.watch.leave_sim();
                    });
                    self.0.lock().waiter = None;
                }
                None => {
                    // Guards come back only to be dropped; poisoning is ignored as in `lock`.
                    match left {
                        Some(d) => drop(self.0.ready.wait_timeout(chan, d)),
                        None => drop(self.0.ready.wait(chan)),
                    }
                }
            }
        }
    }
}
