//! "A ServiceMain should report SERVICE_STOPPED as its last act and return" (Microsoft Learn,
//! "Service ServiceMain Function"): the unit of work that makes the STOPPED report — an async
//! ServiceMain, a ServiceMain on a tracked thread, or a tracked task whose job is the report —
//! is not live work at its own report, as long as it ends right after. Everything else of the
//! instance alive at the report is still `stopped-with-live-work`, with its name and spawn
//! site; a reporter that goes on working after its report is flagged too.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rstest::rstest;
use scm_sim::scm::ScHandle;
use scm_sim::service::{
    service_fn, ServiceContext, ServiceControl, ServiceControlAccept, ServiceControlHandlerResult,
    ServiceExitCode, ServiceState, ServiceStatus, ServiceTable, StatusHandle,
};
use scm_sim::sim::{Rule, ThreadContext};
use scm_sim_test_support::stop::serve_until_stop;
use scm_sim_test_support::*;

const STOP: ServiceControl = ServiceControl::Stop;
/// How long the test waits for a real OS thread to report back (it never takes that long).
const REAL_WAIT: Duration = Duration::from_secs(20);
/// Seeds per pattern: the dispatcher's seeded perturbation and the real threads' timing vary.
const SEEDS: std::ops::Range<u64> = 0..12;

/// `tests/harness_last_act.rs:LINE:` — how a spawn site on `line` of this file starts.
fn site(line: u32) -> String {
    format!("tests/harness_last_act.rs:{line}:")
}

/// Registers a handler that raises `stop` on STOP; reports RUNNING.
fn register(ctx: &ServiceContext, stop: Arc<AtomicBool>) -> StatusHandle {
    let status = ctx
        .register_handler(move |req| {
            if req.control == ServiceControl::Stop {
                stop.store(true, Ordering::SeqCst);
            }
            ServiceControlHandlerResult::NoError
        })
        .expect("register");
    status
        .set_status(ServiceStatus::running(ServiceControlAccept::STOP))
        .expect("RUNNING");
    status
}

/// A blocking wait for STOP on virtual time (10 ms polls).
fn wait_for_stop(t: &ThreadContext, stop: &AtomicBool) {
    while !stop.load(Ordering::SeqCst) {
        if t.sleep(ms(10)).is_err() {
            return;
        }
    }
}

/// An async wait for STOP on virtual time (10 ms polls), for a tracked task.
async fn poll_for_stop(stop: &AtomicBool) {
    while !stop.load(Ordering::SeqCst) {
        tokio::time::sleep(ms(10)).await;
    }
}

/// Starts `h`, sends STOP at 105 ms and lets time run to `end`.
fn stop_at_105ms(bed: &mut Bed, h: ScHandle, end: Duration) {
    bed.m.start_service(h, &[]).expect("start");
    bed.until(ms(105));
    bed.m.control_service(h, STOP).expect("stop");
    bed.until(end);
}

/// The run of `seed` left no process behind and broke no rule.
fn assert_clean(bed: &Bed, seed: u64) {
    assert!(
        bed.m.processes().is_empty(),
        "seed {seed}: the process exited"
    );
    assert!(
        bed.m.violations().is_empty(),
        "seed {seed}: {}",
        reports(&bed.m)
    );
}

fn stopped() -> ServiceStatus {
    ServiceStatus::stopped(ServiceExitCode::NO_ERROR)
}

/// What the ServiceMain thread does around its STOPPED report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// Microsoft's pattern: STOPPED is its last statement.
    LastAct,
    /// Spawns a flush worker first and reports STOPPED without joining it.
    LeavesAWorker,
    /// Reports STOPPED, then works on for 100 ms.
    GoesOn,
}

/// An own-process service whose ServiceMain is a blocking function on a tracked thread (as a
/// port of a Win32 service has it). The async entry point joins the thread or returns at once.
/// Sends the lines of the spawn calls ("main", "worker").
fn thread_main(
    join: bool,
    ending: Ending,
    lines: std_mpsc::Sender<(&'static str, u32)>,
) -> impl Fn(ServiceContext, Vec<String>) -> BoxFuture + Send + Sync + 'static {
    let lines = Mutex::new(lines);
    move |ctx: ServiceContext, _| {
        let lines = lines.lock().unwrap().clone();
        Box::pin(async move {
            let worker_ctx = ctx.clone();
            let worker_lines = lines.clone();
            let main_line = line!() + 2;
            let main = ctx
                .spawn_thread("service main", move |t| {
                    // Lets StartService finish first: what a thread does before its first sleep
                    // races, in real time, with the tasks of the same virtual instant.
                    let _ = t.sleep(ms(1));
                    let stop = Arc::new(AtomicBool::new(false));
                    let status = register(&worker_ctx, stop.clone());
                    wait_for_stop(&t, &stop);
                    if ending == Ending::LeavesAWorker {
                        let worker_line = line!() + 2;
                        worker_ctx
                            .spawn_thread("flush worker", |w| {
                                for k in 1..=10 {
                                    if w.sleep(ms(100)).is_err() {
                                        return;
                                    }
                                    w.progress(&format!("flushed {k} of 10 blocks"));
                                }
                            })
                            .expect("worker");
                        let _ = worker_lines.send(("worker", worker_line));
                    }
                    let _ = status.set_status(stopped());
                    if ending == Ending::GoesOn {
                        let _ = t.sleep(ms(100));
                    }
                })
                .expect("thread");
            let _ = lines.send(("main", main_line));
            if join {
                // Ends when the thread ends, or is aborted when the own process exits.
                main.join().await;
            }
        })
    }
}

type BoxFuture = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// Runs a thread-main service: start, STOP at 105 ms (between two of the thread's 10 ms polls,
/// at 101, 111, …, so it sees STOP at 111 ms in every run), then on to 2 s. Returns the bed and the
/// spawn lines.
fn run_thread_main(seed: u64, join: bool, ending: Ending) -> (Bed, u32, u32) {
    let (lines_tx, lines_rx) = std_mpsc::channel();
    let mut bed = Bed::new(seed);
    let h = bed.own("Ported", service_fn(thread_main(join, ending, lines_tx)));
    stop_at_105ms(&mut bed, h, ms(2000));
    assert_eq!(bed.state(h), ServiceState::Stopped);
    let lines: std::collections::BTreeMap<&str, u32> = lines_rx.try_iter().collect();
    (
        bed,
        lines["main"],
        lines.get("worker").copied().unwrap_or(0),
    )
}

#[test]
fn an_async_service_main_reporting_stopped_as_its_last_act_is_clean() {
    for seed in SEEDS {
        let mut bed = Bed::new(seed);
        let h = bed.own(
            "Modern",
            service_fn(|ctx: ServiceContext, _| async move { serve_until_stop(&ctx).await }),
        );
        stop_at_105ms(&mut bed, h, ms(200));
        assert_eq!(bed.state(h), ServiceState::Stopped);
        assert_clean(&bed, seed);
    }
}

#[rstest]
#[case::returns_at_once(false)]
#[case::joins_the_thread(true)]
fn a_service_main_thread_reporting_stopped_as_its_last_act_is_clean(#[case] join: bool) {
    for seed in SEEDS {
        let (bed, _, _) = run_thread_main(seed, join, Ending::LastAct);
        assert_clean(&bed, seed);
        let unit = first_thread(&bed.m);
        assert_eq!(unit.name, "service main");
        assert!(!unit.alive && !unit.killed, "{unit:?}");
    }
}

#[test]
fn a_service_main_task_reporting_stopped_as_its_last_act_is_clean() {
    for seed in SEEDS {
        let mut bed = Bed::new(seed);
        let h = bed.own(
            "Tasked",
            service_fn(|ctx: ServiceContext, _| async move {
                let inner = ctx.clone();
                let main = ctx.spawn_task("service main", async move {
                    serve_until_stop(&inner).await;
                });
                let _ = main.await;
            }),
        );
        stop_at_105ms(&mut bed, h, ms(200));
        assert_clean(&bed, seed);
    }
}

#[rstest]
#[case::returns_at_once(false)]
#[case::joins_the_thread(true)]
fn a_worker_outliving_stopped_is_flagged_but_not_the_service_main_thread(#[case] join: bool) {
    for seed in SEEDS {
        let (bed, main_line, worker_line) = run_thread_main(seed, join, Ending::LeavesAWorker);
        let v = the_violation(&bed.m, Rule::StoppedWithLiveWork);
        assert_eq!((v.service.as_str(), v.time), ("Ported", ms(111)));
        assert!(
            v.seen
                .starts_with("STOPPED while alive: thread \"flush worker\" spawned at "),
            "{}",
            v.seen
        );
        assert!(!v.seen.contains("service main"), "{}", v.seen);
        assert!(v.seen.contains(&site(worker_line)), "{}", v.seen);
        // The own process exits under the worker, not under the returning ServiceMain.
        let k = the_violation(&bed.m, Rule::WorkKilledAtExit);
        assert!(
            k.seen.contains("thread \"flush worker\" spawned at "),
            "{}",
            k.seen
        );
        assert!(!k.seen.contains(&site(main_line)), "{}", k.seen);
        assert_eq!(
            rules(&bed.m),
            vec![Rule::StoppedWithLiveWork, Rule::WorkKilledAtExit],
            "seed {seed}"
        );
    }
}

#[test]
fn a_worker_task_outliving_stopped_is_flagged_but_not_the_service_main_task() {
    let (lines_tx, lines_rx) = std_mpsc::channel::<u32>();
    let lines_tx = Mutex::new(lines_tx);
    let mut bed = Bed::new(7);
    let h = bed.own(
        "Tasked",
        service_fn(move |ctx: ServiceContext, _| {
            let lines = lines_tx.lock().unwrap().clone();
            async move {
                let inner = ctx.clone();
                let main = ctx.spawn_task("service main", async move {
                    let stop = Arc::new(AtomicBool::new(false));
                    let status = register(&inner, stop.clone());
                    poll_for_stop(&stop).await;
                    let uploader_line = line!() + 1;
                    inner.spawn_task("uploader", async {
                        tokio::time::sleep(Duration::from_secs(10)).await;
                    });
                    let _ = lines.send(uploader_line);
                    let _ = status.set_status(stopped());
                });
                let _ = main.await;
            }
        }),
    );
    stop_at_105ms(&mut bed, h, ms(200));
    let uploader_line = lines_rx.recv_timeout(REAL_WAIT).expect("line");
    let v = the_violation(&bed.m, Rule::StoppedWithLiveWork);
    assert_eq!(
        v.seen,
        format!(
            "STOPPED while alive: task \"uploader\" spawned at {}",
            work_named(&bed.m, "uploader").site
        )
    );
    assert!(v.seen.contains(&site(uploader_line)), "{}", v.seen);
    assert_eq!(
        rules(&bed.m),
        vec![Rule::StoppedWithLiveWork, Rule::WorkKilledAtExit]
    );
}

#[test]
fn a_service_main_thread_that_goes_on_after_stopped_is_flagged() {
    for seed in SEEDS {
        let (bed, main_line, _) = run_thread_main(seed, false, Ending::GoesOn);
        let v = the_violation(&bed.m, Rule::StoppedWithLiveWork);
        assert_eq!(v.time, ms(111));
        assert_eq!(
            v.seen,
            format!(
                "{} went on after it reported STOPPED",
                work_named(&bed.m, "service main").describe()
            )
        );
        assert!(v.seen.contains(&site(main_line)), "{}", v.seen);
        // Its own process exits under it (after it went on, never before: same instant).
        let k = the_violation(&bed.m, Rule::WorkKilledAtExit);
        assert_eq!(k.time, ms(111));
        assert!(k.seen.contains("thread \"service main\""), "{}", k.seen);
        assert_eq!(
            rules(&bed.m),
            vec![Rule::StoppedWithLiveWork, Rule::WorkKilledAtExit]
        );
    }
}

/// The same seed gives the same trace, whichever real thread is faster: the process of a
/// ServiceMain thread that reports STOPPED exits only after the thread returned or went on.
#[rstest]
#[case::last_act(Ending::LastAct)]
#[case::leaves_a_worker(Ending::LeavesAWorker)]
#[case::goes_on(Ending::GoesOn)]
fn a_service_main_thread_run_replays_exactly(#[case] ending: Ending) {
    for seed in 0..4 {
        let digests: std::collections::BTreeSet<u64> = (0..5)
            .map(|_| run_thread_main(seed, true, ending).0.m.trace().digest())
            .collect();
        assert_eq!(digests.len(), 1, "seed {seed}: {digests:?}");
    }
}

#[test]
fn a_service_main_task_that_awaits_after_stopped_is_flagged() {
    let mut bed = Bed::new(8);
    let h = bed.own(
        "Tasked",
        service_fn(|ctx: ServiceContext, _| async move {
            let inner = ctx.clone();
            let main = ctx.spawn_task("service main", async move {
                let stop = Arc::new(AtomicBool::new(false));
                let status = register(&inner, stop.clone());
                poll_for_stop(&stop).await;
                let _ = status.set_status(stopped());
                tokio::time::sleep(ms(100)).await;
            });
            let _ = main.await;
        }),
    );
    stop_at_105ms(&mut bed, h, ms(300));
    let v = the_violation(&bed.m, Rule::StoppedWithLiveWork);
    // The task polls for STOP every 10 ms: it sees the 105 ms STOP at 110 ms.
    assert_eq!(v.time, ms(110));
    assert!(
        v.seen.starts_with("task \"service main\" spawned at ")
            && v.seen.ends_with(" went on after it reported STOPPED"),
        "{}",
        v.seen
    );
    assert_eq!(
        rules(&bed.m),
        vec![Rule::StoppedWithLiveWork, Rule::WorkKilledAtExit]
    );
}

#[test]
fn a_service_main_thread_in_a_shared_host_is_clean_and_the_host_lives_on() {
    // Ported's ServiceMain thread reports STOPPED as its last act in a host that Keeper keeps
    // alive: no process exit to wait for, no violation, Keeper runs on.
    let (lines_tx, _lines_rx) = std_mpsc::channel();
    let keeper = service_fn(|ctx: ServiceContext, _| async move { serve_until_stop(&ctx).await });
    let mut bed = Bed::new(9);
    let hs = bed.shared(ServiceTable::new().with("Keeper", keeper).with(
        "Ported",
        service_fn(thread_main(false, Ending::LastAct, lines_tx)),
    ));
    bed.m.start_service(hs[0], &[]).expect("start keeper");
    bed.m.start_service(hs[1], &[]).expect("start");
    bed.until(ms(105));
    bed.m.control_service(hs[1], STOP).expect("stop");
    bed.until(ms(500));
    assert_eq!(bed.state(hs[1]), ServiceState::Stopped);
    assert_eq!(bed.m.processes().len(), 1);
    assert!(bed.m.violations().is_empty(), "{}", reports(&bed.m));
}
