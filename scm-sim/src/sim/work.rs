//! The work tracker: every task and thread service code starts through its context, with its
//! name and spawn site, so the harness can tell which work of a service is still alive — and
//! which unit is running right now, so that the one making a STOPPED report is judged by the
//! rule for the last act of a ServiceMain, not as live work.
//!
//! ```
//! use scm_sim::sim::{StopReport, WorkKind, WorkUnit};
//!
//! let unit = WorkUnit {
//!     id: 1, service: "Flusher".into(), pid: 1004, instance: 1, name: "flush".into(),
//!     site: "src/lib.rs:10:5".into(), kind: WorkKind::Thread, alive: true, progress: None,
//!     killed: false, stop_report: StopReport::None,
//! };
//! assert_eq!(unit.describe(), "thread \"flush\" spawned at src/lib.rs:10:5");
//! ```
//!
//! # The last act of a ServiceMain
//!
//! Microsoft: "a ServiceMain should report SERVICE_STOPPED as its last act and return". The
//! STOPPED check ([`live_at_stopped`]) therefore treats the unit that makes the report — the
//! *reporter*: the tracked thread or task the report is made from, e.g. a blocking ServiceMain
//! run through `ctx.spawn_thread` — apart from the rest:
//!
//! 1. Every other unit of the same service instance alive at the report is live work:
//!    `stopped-with-live-work`, with its name and spawn site, as before.
//! 2. The reporter is not live work at its own report; it becomes [`StopReport::Ending`].
//!    (An async ServiceMain is not a tracked unit at all, so its report never counts it.)
//! 3. It must end *right after*: without taking virtual time. A thread that sleeps
//!    ([`ThreadContext::sleep`](crate::sim::ThreadContext::sleep)) after its report, or a task
//!    whose poll that made the report returns `Pending` (it awaits something), goes on
//!    working after STOPPED: `stopped-with-live-work` ("… went on after it reported STOPPED")
//!    at that moment, and it is [`StopReport::WentOn`]. If its process then exits under it,
//!    `work-killed-at-exit` follows as for any unit.
//! 4. One that returns first is [`StopReport::LastAct`]: Microsoft's pattern, no violation.
//! 5. A reporter thread still returning holds the clock (virtual time cannot pass), but its
//!    process could exit on the runtime's thread meanwhile — a real race. So the dispatcher
//!    of the process waits, at the same virtual instant, until no reporter thread of the
//!    process is [`StopReport::Ending`] ([`reporter_returning`]), then lets the tasks the
//!    thread woke as it ended (its joiner) run, and only then exits: the run is the same
//!    whichever real thread is faster.
//!
//! Not seen: CPU work a reporter thread does after its report without sleeping (it cannot be
//! told apart from returning), and a reporter that is an untracked thread (every tracked unit
//! alive then counts, as before). A reporter thread that blocks for good after its report
//! (on a channel, say) keeps its process from exiting, as it already keeps the clock still.

use serde::{Deserialize, Serialize};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A task or an OS thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WorkKind {
    /// A tokio task (`ctx.spawn_task`).
    Task,
    /// A real OS thread (`ctx.spawn_thread`).
    Thread,
}

/// One tracked unit of work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkUnit {
    /// Tracker id.
    pub id: u64,
    /// The service that spawned it.
    pub service: String,
    /// Its process.
    pub pid: u32,
    /// The start (instance) of the service it belongs to.
    pub instance: u64,
    /// The name given at spawn.
    pub name: String,
    /// `file:line:column` of the spawn call.
    pub site: String,
    /// Task or thread.
    pub kind: WorkKind,
    /// Still running.
    pub alive: bool,
    /// The last progress the unit registered (e.g. "flushed 3 of 10 blocks").
    pub progress: Option<String>,
    /// Its process was terminated while it was alive.
    #[serde(default)]
    pub killed: bool,
    /// Whether it made its service's STOPPED report, and what it did after.
    #[serde(default)]
    pub stop_report: StopReport,
}

/// What a unit did about its service's STOPPED report (see the module's rule).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum StopReport {
    /// It did not report STOPPED for its service.
    #[default]
    None,
    /// It reported STOPPED and has not returned yet: not live work at its report.
    Ending,
    /// It reported STOPPED as its last act and returned: Microsoft's pattern.
    LastAct,
    /// It reported STOPPED and went on working (slept or awaited): a violation.
    WentOn,
}

impl WorkUnit {
    /// `thread "flush" spawned at src/lib.rs:10:5`.
    pub fn describe(&self) -> String {
        let kind = match self.kind {
            WorkKind::Task => "task",
            WorkKind::Thread => "thread",
        };
        format!("{kind} {:?} spawned at {}", self.name, self.site)
    }
}

thread_local! {
    /// The tracked unit whose OS thread this is (set for the whole body of a tracked thread).
    static THREAD_UNIT: Cell<Option<u64>> = const { Cell::new(None) };
}

tokio::task_local! {
    /// The tracked unit whose task is being polled, with its "reported STOPPED in this poll"
    /// flag.
    static TASK_UNIT: (u64, Arc<AtomicBool>);
}

/// The tracked unit running on this task or thread, if any.
fn current_unit() -> Option<u64> {
    TASK_UNIT
        .try_with(|(id, _)| *id)
        .ok()
        .or_else(|| THREAD_UNIT.with(Cell::get))
}

/// Runs the body of tracked thread `id` as that unit (also when the body panics, the thread
/// is that unit no more afterwards).
pub(crate) fn run_as_thread<R>(id: u64, body: impl FnOnce() -> R) -> R {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            THREAD_UNIT.with(|u| u.set(None));
        }
    }
    THREAD_UNIT.with(|u| u.set(Some(id)));
    let _reset = Reset;
    body()
}

/// Runs tracked task `id`'s future as that unit: a poll that reports STOPPED and returns
/// `Pending` means the task goes on after its report (rule 3).
pub(crate) async fn run_as_task<F: Future<Output = ()>>(
    id: u64,
    work: F,
    went_on_after_stopped: impl Fn(),
) {
    let reported = Arc::new(AtomicBool::new(false));
    let mut inner = std::pin::pin!(TASK_UNIT.scope((id, reported.clone()), work));
    std::future::poll_fn(|cx| {
        let poll = inner.as_mut().poll(cx);
        if poll.is_pending() && reported.swap(false, Ordering::SeqCst) {
            went_on_after_stopped();
        }
        poll
    })
    .await;
}

/// The STOPPED check of instance `instance` of `service`: the descriptions of its units alive
/// at the report, except the reporter itself, which becomes [`StopReport::Ending`] (rules 1
/// and 2 of the module).
pub(crate) fn live_at_stopped(
    work: &mut BTreeMap<u64, WorkUnit>,
    service: &str,
    instance: u64,
) -> Vec<String> {
    let reporter = current_unit();
    let mut live = Vec::new();
    for w in work.values_mut() {
        if !(w.alive
            && crate::win32::ServiceName::same(&w.service, service)
            && w.instance == instance)
        {
            continue;
        }
        if Some(w.id) == reporter && w.stop_report == StopReport::None {
            w.stop_report = StopReport::Ending;
            if w.kind == WorkKind::Task {
                let _ = TASK_UNIT.try_with(|(_, reported)| reported.store(true, Ordering::SeqCst));
            }
            continue;
        }
        live.push(w.describe());
    }
    live
}

/// True when a thread of `pid` reported STOPPED (whatever it did after).
pub(crate) fn reported_from_thread(work: &BTreeMap<u64, WorkUnit>, pid: u32) -> bool {
    work.values()
        .any(|w| w.pid == pid && w.kind == WorkKind::Thread && w.stop_report != StopReport::None)
}

/// True while a thread of `pid` that reported STOPPED has neither returned nor gone on: its
/// process waits before exiting (rule 5).
pub(crate) fn reporter_returning(work: &BTreeMap<u64, WorkUnit>, pid: u32) -> bool {
    work.values()
        .any(|w| w.pid == pid && w.kind == WorkKind::Thread && w.stop_report == StopReport::Ending)
}
