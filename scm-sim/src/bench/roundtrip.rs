//! Start → RUNNING → stop → STOPPED round trips of one minimal own-process service: untraced,
//! traced, beside 10,000 other installed services, on every core at once, and the heap the
//! trace retains after many traced trips.

use std::sync::{Arc, Barrier};
use std::time::Instant;

use fake_registry::service::ServiceKey;
use fake_registry::{Caller, Registry};

use super::{resident_bytes, Figure};
use crate::machine::Image;
use crate::scm::access::{SC_MANAGER_ALL_ACCESS, SERVICE_ALL_ACCESS};
use crate::scm::{CreateServiceParams, ScHandle};
use crate::service::{
    service_fn, ServiceContext, ServiceControl, ServiceControlAccept, ServiceControlHandlerResult,
    ServiceExitCode, ServiceState, ServiceStatus, ServiceTable,
};
use crate::Machine;

const BENCH_IMAGE: &str = r"C:\bench\bench.exe";

/// The minimal well-behaved service the round-trip benchmark starts and stops.
pub fn minimal_service() -> ServiceTable {
    ServiceTable::single(
        "Bench",
        service_fn(|ctx: ServiceContext, _args| async move {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let Ok(status) = ctx.register_handler(move |req| match req.control {
                ServiceControl::Stop => {
                    let _ = tx.send(());
                    ServiceControlHandlerResult::NoError
                }
                ServiceControl::Interrogate => ServiceControlHandlerResult::NoError,
                _ => ServiceControlHandlerResult::NotImplemented,
            }) else {
                return;
            };
            let _ = status.set_status(ServiceStatus::running(ServiceControlAccept::STOP));
            rx.recv().await;
            let _ = status.set_status(ServiceStatus::stopped(ServiceExitCode::NO_ERROR));
        }),
    )
}

/// A registry holding `n` stopped, demand-start own-process services (`Other00000` …) whose
/// image has no program (they would run scripted).
pub fn registry_with_services(n: u32) -> Registry {
    let sys = Caller::local_system();
    let mut reg = Registry::new();
    for i in 0..n {
        let mut key = ServiceKey::new(0x10, 3, 1);
        key.image_path = Some(format!(r"C:\bench\other{i:05}.exe"));
        key.write(&mut reg, &sys, &format!("Other{i:05}"))
            .expect("a fresh registry takes a service key");
    }
    reg.drain_access_log();
    reg
}

/// A booted machine from `image` with the minimal service installed as `Bench`, and a handle
/// to it with every right.
pub fn bench_machine(image: Image, tracing: bool) -> (Machine, ScHandle) {
    let mut m = Machine::builder()
        .image(image)
        .tracing(tracing)
        .build()
        .expect("the bench image loads");
    m.install(BENCH_IMAGE, minimal_service());
    let scm_h = m
        .open_sc_manager(SC_MANAGER_ALL_ACCESS)
        .expect("admin opens the SCM");
    let mut params = CreateServiceParams::own_process("Bench", BENCH_IMAGE);
    params.desired_access = SERVICE_ALL_ACCESS;
    let h = m.create_service(scm_h, &params).expect("create");
    (m, h)
}

/// Runs `n` round trips of the service behind `h`; returns the wall time in seconds.
pub fn trips(m: &Machine, h: ScHandle, n: u32) -> f64 {
    let scm = m.scm();
    let started = Instant::now();
    m.block_on(async {
        for _ in 0..n {
            let running = scm.notify_service_status_change(h, ServiceState::Running.notify_bit());
            scm.start_service(h, &[]).await.expect("start");
            running.expect("notify").wait().await.expect("running");
            let stopped = scm.notify_service_status_change(h, ServiceState::Stopped.notify_bit());
            scm.control_service(h, ServiceControl::Stop)
                .await
                .expect("stop");
            stopped.expect("notify").wait().await.expect("stopped");
            // Let the process exit before the next start.
            tokio::task::yield_now().await;
        }
    });
    started.elapsed().as_secs_f64()
}

/// Batches a round-trip figure is the median of.
const BATCHES: u32 = 5;

/// Round trips per second of the service behind `h` over about `n` trips: a warm-up of a
/// tenth of them (allocator, first process), then the median rate of five batches, so
/// one disturbed batch (another process taking the core) does not make the figure.
pub fn steady_rate(m: &Machine, h: ScHandle, n: u32) -> f64 {
    trips(m, h, (n / 10).max(1));
    let batch = (n / BATCHES).max(1);
    let mut rates: Vec<f64> = (0..BATCHES)
        .map(|_| f64::from(batch) / trips(m, h, batch))
        .collect();
    rates.sort_by(f64::total_cmp);
    rates[rates.len() / 2]
}

/// Round trips per second of wall time (see [`steady_rate`]), tracing off.
pub fn roundtrip_own_process(n: u32) -> Figure {
    let (m, h) = bench_machine(Image::Empty, false);
    Figure::new("roundtrip_own_process", steady_rate(&m, h, n), "ops/s")
}

/// Round trips per second with tracing on (the trace and event log recorded, as by default).
pub fn roundtrip_traced(n: u32) -> Figure {
    let (m, h) = bench_machine(Image::Empty, true);
    Figure::new("roundtrip_traced", steady_rate(&m, h, n), "ops/s")
}

/// Round trips per second (tracing off) of one service on a machine that also has `others`
/// installed, stopped, demand-start services.
pub fn roundtrip_among(others: u32, n: u32) -> Figure {
    let image = Image::Registry(Box::new(registry_with_services(others)));
    let (m, h) = bench_machine(image, false);
    Figure::new("roundtrip_10k_services", steady_rate(&m, h, n), "ops/s")
}

/// Memory retained by a traced machine after `n` round trips (the machine, its trace and
/// event log): the growth of the process's resident memory from before it was built (see
/// [`resident_bytes`]; allocator overhead included, so this errs high). `None` where the
/// system does not report resident memory.
pub fn trace_memory(n: u32) -> Option<Vec<Figure>> {
    let before = resident_bytes()?;
    let (m, h) = bench_machine(Image::Empty, true);
    trips(&m, h, n);
    let after = resident_bytes()?;
    let retained = after.saturating_sub(before) as f64;
    let name = if n == 1_000_000 {
        "trace_memory_1m"
    } else {
        "trace_memory"
    };
    let entries = m.trace().len() as f64;
    drop(m);
    Some(vec![
        Figure::new(name, retained, "bytes"),
        Figure::new("trace_memory_trips", n as f64, "count"),
        Figure::new(
            "trace_memory_per_trip",
            retained / f64::from(n.max(1)),
            "bytes",
        ),
        Figure::new("trace_memory_entries", entries, "count"),
    ])
}

/// Total round trips per second with one machine per thread on `threads` threads (each
/// machine warmed up, then doing its own `n` trips, tracing off), timed from a common start
/// until the last thread is done.
pub fn machines_parallel(threads: usize, n: u32) -> Figure {
    let threads = threads.max(1);
    let ready = Arc::new(Barrier::new(threads + 1));
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let ready = ready.clone();
            std::thread::spawn(move || {
                let (m, h) = bench_machine(Image::Empty, false);
                trips(&m, h, (n / 10).max(1)); // warm-up, as in `steady_rate`
                ready.wait();
                trips(&m, h, n);
            })
        })
        .collect();
    ready.wait();
    let started = Instant::now();
    for w in workers {
        w.join().expect("a bench thread does not panic");
    }
    let secs = started.elapsed().as_secs_f64();
    Figure::new(
        "machines_parallel",
        threads as f64 * n as f64 / secs,
        "ops/s",
    )
}
