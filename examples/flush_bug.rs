//! The classic bug: a service that reports STOPPED while its flush worker (an OS thread) is
//! still writing — and the fixed version that joins the worker first.
//!
//! The service accepts writes arriving at seeded random times (drawn from
//! [`ServiceContext::random_u64`], so a seed replays them exactly), buffers them, and once
//! [`BATCH`] blocks are buffered hands them to a flush worker started with
//! [`ServiceContext::spawn_thread`]: a real OS thread that writes each block with
//! `t.sleep(5 ms)` on virtual time and registers `t.progress("flushed k of n blocks")`.
//!
//! * [`Variant::Buggy`] answers STOP by reporting STOPPED at once. When a flush is in flight the
//!   oracle reports `stopped-with-live-work` (the worker, with its spawn site), the own process
//!   exits and kills the worker mid-flush (`work-killed-at-exit`, with its last progress), and
//!   the blocks it had not written are lost.
//! * [`Variant::Fixed`] reports STOP_PENDING, waits for the in-flight worker through a tokio
//!   oneshot the thread sends on as its last act (a `JoinHandle::join` would block the
//!   machine's single runtime thread), flushes what is still buffered the same way, and only
//!   then reports STOPPED.
//!
//! ```
//! use scm_sim_examples::flush_bug::{check, Variant};
//!
//! // With seed 0, STOP in slot 15 (at 78 ms) hits a flush in flight: the buggy service is
//! // caught ...
//! let failure = check(Variant::Buggy, 0, 15).unwrap_err();
//! assert!(failure.report.contains("violation stopped-with-live-work by Flusher at 0.078s"));
//! // ... and the fixed one is clean; one slot earlier no flush is in flight.
//! assert!(check(Variant::Fixed, 0, 15).is_ok());
//! assert!(check(Variant::Buggy, 0, 14).is_ok());
//! ```
//!
//! # Determinism by construction
//!
//! The worker is a real OS thread. While it works (between two `t.sleep` calls) the virtual
//! clock is held, but the machine's async code keeps running at the current instant, so two
//! things that happen at the *same* virtual instant — one on the thread, one in async code —
//! race in real time, and the same seed could give two different runs. The example keeps
//! each kind of event on its own instants so that never happens. Virtual time moves in whole
//! milliseconds (tokio's timer wheel ends every sleep on a millisecond tick: a 500 µs offset
//! is rounded up to the next millisecond), so the instants are whole milliseconds, told apart
//! by their remainder modulo [`PERIOD`] (5 ms):
//!
//! * writes arrive at `5k ms` (gaps of 5 to 40 ms);
//! * a flush worker first seeks for 1 ms, then writes 5 ms per block: its steps fall on
//!   `5k + 1 ms`;
//! * STOP is sent at `5k + 3 ms` ([`stop_time`]).
//!
//! One ordering is left that no grid separates: the worker's last message ("done") and the
//! moment the work tracker sees the thread end (when its closure has returned on the OS
//! thread). The thread holds the virtual clock until it has returned, so the fixed version
//! sleeps 1 ms of virtual time after the message before it reports STOPPED; that sleep cannot
//! end before the tracker saw the worker end.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use scm_sim::machine::Image;
use scm_sim::scm::access::SC_MANAGER_ALL_ACCESS;
use scm_sim::scm::{CreateServiceParams, ScHandle};
use scm_sim::service::{
    service_fn, Service, ServiceContext, ServiceControl, ServiceControlAccept,
    ServiceControlHandlerResult, ServiceExitCode, ServiceState, ServiceStatus, ServiceTable,
};
use scm_sim::sim::{ReplayToken, Violation};
use scm_sim::Machine;
use tokio::sync::oneshot;

/// The service's key name.
pub const SERVICE: &str = "Flusher";
/// Its image path.
pub const IMAGE: &str = r"C:\Program Files\Flusher\flusher.exe";
/// Blocks buffered before a flush starts.
pub const BATCH: usize = 3;
/// The grid of instants (see "Determinism by construction").
pub const PERIOD: Duration = Duration::from_millis(5);
/// Virtual time a block takes to write (one period: the worker stays on its grid).
pub const BLOCK_WRITE: Duration = PERIOD;
/// The worker's seek before its first block (puts its steps on `5k + 1 ms`).
pub const SEEK: Duration = Duration::from_millis(1);
/// Where STOP falls within its period (`5k + 3 ms`).
pub const STOP_PHASE: Duration = Duration::from_millis(3);
/// Stop slots the search draws from: slot `k` stops at `5k + 3 ms` (up to about 1.5 s).
pub const STOP_SLOTS: std::ops::Range<u64> = 0..300;
/// Wait hint of the fixed version's STOP_PENDING reports.
const STOP_HINT: Duration = Duration::from_secs(2);

/// Which version of the service runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Reports STOPPED without joining the flush worker.
    Buggy,
    /// Joins the in-flight worker and flushes the rest before STOPPED.
    Fixed,
}

/// Blocks written, in order (shared by the service and its workers).
pub type Disk = Arc<Mutex<Vec<u64>>>;

/// Starts a flush worker for `blocks`; the receiver resolves when it has written them all.
fn spawn_flush(ctx: &ServiceContext, blocks: Vec<u64>, disk: Disk) -> oneshot::Receiver<()> {
    let (done_tx, done_rx) = oneshot::channel();
    let n = blocks.len();
    // If no thread can be started, the closure (and `done_tx`) is dropped: the receiver then
    // resolves at once and nothing is flushed.
    let _ = ctx.spawn_thread("flush worker", move |t| {
        t.progress(&format!("flushed 0 of {n} blocks"));
        if t.sleep(SEEK).is_err() {
            return;
        }
        for (k, block) in blocks.iter().enumerate() {
            if t.sleep(BLOCK_WRITE).is_err() {
                return; // the process died under us
            }
            disk.lock().unwrap_or_else(|p| p.into_inner()).push(*block);
            t.progress(&format!("flushed {} of {n} blocks", k + 1));
        }
        // The last act of the worker: tell the service it is done.
        let _ = done_tx.send(());
    });
    done_rx
}

/// Resolves when the in-flight flush ends (never when there is none).
async fn flush_done(inflight: &mut Option<oneshot::Receiver<()>>) {
    match inflight {
        Some(rx) => {
            let _ = rx.await;
        }
        None => std::future::pending().await,
    }
}

/// After a worker's last message: lets the work tracker see it end (see the module docs).
async fn let_worker_finish() {
    tokio::time::sleep(Duration::from_millis(1)).await;
}

/// The service (ServiceMain) in one of its versions; flushed blocks go to `disk`.
pub fn service(variant: Variant, disk: Disk) -> impl Service {
    service_fn(move |ctx: ServiceContext, _args| {
        let disk = disk.clone();
        async move {
            let (stop_tx, mut stop_rx) = tokio::sync::mpsc::unbounded_channel();
            let Ok(status) = ctx.register_handler(move |req| match req.control {
                ServiceControl::Stop => {
                    let _ = stop_tx.send(());
                    ServiceControlHandlerResult::NoError
                }
                ServiceControl::Interrogate => ServiceControlHandlerResult::NoError,
                _ => ServiceControlHandlerResult::NotImplemented,
            }) else {
                return;
            };
            let _ = status.set_status(ServiceStatus::running(ServiceControlAccept::STOP));

            // Writes arrive on the 5k ms grid, 5 to 40 ms apart (seeded).
            let gap = |ctx: &ServiceContext| PERIOD * (1 + (ctx.random_u64() % 8) as u32);
            let mut next_arrival = tokio::time::Instant::now() + gap(&ctx);
            let mut buffer: Vec<u64> = Vec::new();
            let mut next_block = 0u64;
            let mut inflight: Option<oneshot::Receiver<()>> = None;
            loop {
                tokio::select! {
                    biased;
                    _ = stop_rx.recv() => break,
                    _ = flush_done(&mut inflight) => inflight = None,
                    _ = tokio::time::sleep_until(next_arrival) => {
                        buffer.push(next_block);
                        next_block += 1;
                        next_arrival += gap(&ctx);
                        if inflight.is_none() && buffer.len() >= BATCH {
                            let blocks = std::mem::take(&mut buffer);
                            inflight = Some(spawn_flush(&ctx, blocks, disk.clone()));
                        }
                    }
                }
            }

            match variant {
                Variant::Buggy => {
                    // THE BUG: STOPPED while a flush worker may still be writing. The process
                    // exits at once and takes the worker (and the buffer) with it.
                    let _ = status.set_status(ServiceStatus::stopped(ServiceExitCode::NO_ERROR));
                }
                Variant::Fixed => {
                    let mut checkpoint = 1;
                    let _ = status.set_status(ServiceStatus::pending(
                        ServiceState::StopPending,
                        checkpoint,
                        STOP_HINT,
                    ));
                    if let Some(done) = inflight.take() {
                        let _ = done.await;
                        let_worker_finish().await;
                    }
                    if !buffer.is_empty() {
                        checkpoint += 1;
                        let _ = status.set_status(ServiceStatus::pending(
                            ServiceState::StopPending,
                            checkpoint,
                            STOP_HINT,
                        ));
                        let blocks = std::mem::take(&mut buffer);
                        let _ = spawn_flush(&ctx, blocks, disk.clone()).await;
                        let_worker_finish().await;
                    }
                    let _ = status.set_status(ServiceStatus::stopped(ServiceExitCode::NO_ERROR));
                }
            }
        }
    })
}

/// One run: the machine after it, and the blocks that reached the disk.
#[derive(Debug)]
pub struct Run {
    /// The machine, with its violations, events and trace.
    pub machine: Machine,
    /// The service's handle.
    pub handle: ScHandle,
    /// Blocks written, in order.
    pub disk: Vec<u64>,
    /// When STOP was sent.
    pub stop_at: Duration,
}

/// When STOP is sent for stop slot `slot`: `5 * slot + 3` ms.
pub fn stop_time(slot: u64) -> Duration {
    PERIOD * slot as u32 + STOP_PHASE
}

/// Runs the service with `seed`: started at 0, STOP at [`stop_time`]`(slot)`, then one more
/// virtual second for everything to settle.
pub fn run(variant: Variant, seed: u64, slot: u64) -> Run {
    let disk: Disk = Arc::default();
    let mut m = Machine::builder()
        .image(Image::Empty)
        .seed(seed)
        .build()
        .expect("the empty image loads");
    m.install(
        IMAGE,
        ServiceTable::single(SERVICE, service(variant, disk.clone())),
    );
    let scm = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).expect("admin");
    // CreateService on the machine's runtime: made from outside, the engine currently stamps
    // it with the real clock and the trace would differ from run to run.
    let api = m.scm();
    let h = m
        .block_on(async move {
            api.create_service(scm, &CreateServiceParams::own_process(SERVICE, IMAGE))
        })
        .expect("create");
    m.start_service(h, &[]).expect("start");
    let stop_at = stop_time(slot);
    m.advance(stop_at.saturating_sub(m.now()));
    let _ = m.control_service(h, ServiceControl::Stop);
    m.advance(Duration::from_secs(1));
    let written = disk.lock().unwrap_or_else(|p| p.into_inner()).clone();
    Run {
        machine: m,
        handle: h,
        disk: written,
        stop_at,
    }
}

/// What a failing run shows.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The violations.
    pub violations: Vec<Violation>,
    /// Their reports, one after the other (what the user reads).
    pub report: String,
    /// The replay token of the run.
    pub replay: ReplayToken,
}

/// Runs one case; `Err` with the violations' reports when a rule was broken.
pub fn check(variant: Variant, seed: u64, slot: u64) -> Result<(), Failure> {
    let r = run(variant, seed, slot);
    let violations = r.machine.violations();
    if violations.is_empty() {
        return Ok(());
    }
    let report = violations
        .iter()
        .map(Violation::report)
        .collect::<Vec<_>>()
        .join("\n");
    Err(Failure {
        violations,
        report,
        replay: r.machine.replay_token(),
    })
}

/// The inputs the search explores: a seed (the write arrivals) and a stop slot.
pub fn cases() -> impl Strategy<Value = (u64, u64)> {
    (0u64..10_000, STOP_SLOTS)
}

/// A proptest runner with a fixed RNG (the same search every time) and no persistence file.
pub fn runner(cases: u32) -> TestRunner {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
}

/// The trace lines around the first violation (`before` entries before it, `after` after),
/// the violation marked `>>`; the last lines when there is none.
pub fn trace_around(m: &Machine, before: usize, after: usize) -> String {
    let trace = m.trace();
    let entries = trace.entries();
    let i = entries
        .iter()
        .position(|e| e.kind.tag() == "violation")
        .unwrap_or(entries.len().saturating_sub(1));
    let from = i.saturating_sub(before);
    let to = (i + after + 1).min(entries.len());
    entries
        .range(from..to)
        .enumerate()
        .map(|(k, e)| {
            let mark = if from + k == i { ">>" } else { "  " };
            format!("{mark} {e}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The last `last` flush workers of the run with their fate and last progress, one line each
/// (the trace does not record tracked work; the machine's work list does).
pub fn workers(m: &Machine, last: usize) -> String {
    let units: Vec<_> = m
        .work()
        .into_iter()
        .filter(|w| w.service == SERVICE && w.name == "flush worker")
        .collect();
    let n = units.len();
    units
        .iter()
        .enumerate()
        .skip(n.saturating_sub(last))
        .map(|(k, w)| {
            let state = if w.killed {
                "KILLED with its process"
            } else if w.alive {
                "still running"
            } else {
                "finished"
            };
            format!(
                "  #{} {}: {state}, last progress: {}",
                k + 1,
                w.describe(),
                w.progress.as_deref().unwrap_or("none")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Seeds explored per second of wall time: `n` runs of the buggy service, each with its own
/// seed and a stop slot derived from it.
pub fn seeds_per_second(n: u64) -> f64 {
    let t = Instant::now();
    let mut caught = 0u64;
    for seed in 0..n {
        let slot = (seed * 7919) % STOP_SLOTS.end;
        if check(Variant::Buggy, seed, slot).is_err() {
            caught += 1;
        }
    }
    std::hint::black_box(caught);
    n as f64 / t.elapsed().as_secs_f64().max(1e-9)
}
