//! Benchmarks that print figures (`NAME VALUE UNIT`), never asserted by tests: start/stop round
//! trips of one own-process service, booting the built-in Windows 10 machine, and a timeout
//! scenario on virtual time.
//!
//! ```
//! let figures = scm_sim::bench::run_quick();
//! assert!(figures.iter().any(|f| f.name == "roundtrip_own_process"));
//! for f in &figures {
//!     println!("{f}");
//! }
//! ```

use std::fmt;
use std::time::Instant;

use crate::machine::Image;
use crate::scm::access::{SC_MANAGER_ALL_ACCESS, SERVICE_ALL_ACCESS};
use crate::scm::CreateServiceParams;
use crate::service::{
    service_fn, ServiceContext, ServiceControl, ServiceControlAccept, ServiceControlHandlerResult,
    ServiceExitCode, ServiceState, ServiceStatus, ServiceTable,
};
use crate::Machine;

/// One measured figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// Its name (`roundtrip_own_process`).
    pub name: &'static str,
    /// The value.
    pub value: f64,
    /// The unit (`ops/s`, `ms`, `us`, `x`).
    pub unit: &'static str,
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value >= 100.0 {
            write!(f, "{} {:.0} {}", self.name, self.value, self.unit)
        } else {
            write!(f, "{} {:.3} {}", self.name, self.value, self.unit)
        }
    }
}

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

/// Start → RUNNING → stop → STOPPED round trips per second of wall time, for `n` trips.
pub fn roundtrip_own_process(n: u32) -> Figure {
    let mut m = Machine::builder()
        .image(Image::Empty)
        .tracing(false)
        .build()
        .expect("the empty image loads");
    m.install(r"C:\bench\bench.exe", minimal_service());
    let scm_h = m
        .open_sc_manager(SC_MANAGER_ALL_ACCESS)
        .expect("admin opens the SCM");
    let mut params = CreateServiceParams::own_process("Bench", r"C:\bench\bench.exe");
    params.desired_access = SERVICE_ALL_ACCESS;
    let h = m.create_service(scm_h, &params).expect("create");
    let scm = m.scm();
    let started = Instant::now();
    m.block_on(async {
        for _ in 0..n {
            let running = scm.notify_service_status_change(h, ServiceState::Running.notify_bit());
            scm.start_service(h, &[]).await.expect("start");
            running.expect("notify").wait().await.expect("running");
            let stopped = scm.notify_service_status_change(h, ServiceState::Stopped.notify_bit());
            scm.control_service(h, 1).await.expect("stop");
            stopped.expect("notify").wait().await.expect("stopped");
            // Let the process exit before the next start.
            tokio::task::yield_now().await;
        }
    });
    let secs = started.elapsed().as_secs_f64();
    Figure {
        name: "roundtrip_own_process",
        value: n as f64 / secs,
        unit: "ops/s",
    }
}

/// `n` traced round trips (default trace and event-log bounds): round trips per second, and
/// the memory the trace and the event log retain afterwards (their own estimates, in KiB).
pub fn trace_memory(n: u32) -> [Figure; 2] {
    let mut m = Machine::builder()
        .image(Image::Empty)
        .build()
        .expect("the empty image loads");
    m.install(r"C:\bench\bench.exe", minimal_service());
    let scm_h = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).expect("admin");
    let mut params = CreateServiceParams::own_process("Bench", r"C:\bench\bench.exe");
    params.desired_access = SERVICE_ALL_ACCESS;
    let h = m.create_service(scm_h, &params).expect("create");
    let scm = m.scm();
    let started = Instant::now();
    m.block_on(async {
        for _ in 0..n {
            let running = scm.notify_service_status_change(h, ServiceState::Running.notify_bit());
            scm.start_service(h, &[]).await.expect("start");
            running.expect("notify").wait().await.expect("running");
            let stopped = scm.notify_service_status_change(h, ServiceState::Stopped.notify_bit());
            scm.control_service(h, 1).await.expect("stop");
            stopped.expect("notify").wait().await.expect("stopped");
            tokio::task::yield_now().await;
        }
    });
    let secs = started.elapsed().as_secs_f64();
    let retained = m.trace().retained_bytes() + m.event_log().retained_bytes();
    [
        Figure {
            name: "roundtrip_own_process_traced",
            value: f64::from(n) / secs,
            unit: "ops/s",
        },
        Figure {
            name: "trace_memory_retained",
            value: retained as f64 / 1024.0,
            unit: "KiB",
        },
    ]
}

/// Wall time to boot the built-in Windows 10 machine from its already parsed registry until
/// its auto-start services run (median of `runs`).
pub fn boot_windows10(runs: u32) -> Figure {
    let (reg, _) = Image::Windows10.load().expect("the built-in image loads");
    let mut times = Vec::new();
    for _ in 0..runs.max(1) {
        let image = Image::Registry(Box::new(reg.clone()));
        let t = Instant::now();
        let m = Machine::builder()
            .image(image)
            .tracing(false)
            .build()
            .expect("boots");
        times.push(t.elapsed());
        drop(m);
    }
    times.sort();
    Figure {
        name: "boot_windows10",
        value: times[times.len() / 2].as_secs_f64() * 1000.0,
        unit: "ms",
    }
}

/// A service that never connects (30 s pipe timeout) and one that hangs 3 minutes in
/// STOP_PENDING: wall time of the whole scenario, and virtual time per wall time.
pub fn timeout_scenario() -> [Figure; 2] {
    let mut m = Machine::builder()
        .image(Image::Empty)
        .tracing(false)
        .build()
        .expect("the empty image loads");
    let scm_h = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).expect("admin");
    let never = m
        .create_service(
            scm_h,
            &CreateServiceParams::own_process("Never", r"C:\never.exe"),
        )
        .expect("create");
    let slow = m
        .create_service(
            scm_h,
            &CreateServiceParams::own_process("Slow", r"C:\slow.exe"),
        )
        .expect("create");
    let mut hang = crate::service::scripted::Behavior::default();
    let _ = hang.set("hang", "connect");
    m.set_behavior("Never", hang);
    let mut slow_stop = crate::service::scripted::Behavior::default();
    let _ = slow_stop.set("stop-time", "3m");
    m.set_behavior("Slow", slow_stop);
    let scm = m.scm();
    let v0 = m.now();
    let t = Instant::now();
    m.block_on(async {
        let _ = scm.start_service(never, &[]).await;
        let _ = scm.start_service(slow, &[]).await;
        let stopped = scm.notify_service_status_change(slow, ServiceState::Stopped.notify_bit());
        let _ = scm.control_service(slow, 1).await;
        if let Ok(n) = stopped {
            let _ = n.wait().await;
        }
    });
    let wall = t.elapsed();
    let virt = m.now() - v0;
    [
        Figure {
            name: "timeout_scenario",
            value: wall.as_secs_f64() * 1e6,
            unit: "us",
        },
        Figure {
            name: "timeout_scenario_virtual_per_wall",
            value: virt.as_secs_f64() / wall.as_secs_f64().max(1e-9),
            unit: "x",
        },
    ]
}

/// Every benchmark with full sizes.
pub fn run() -> Vec<Figure> {
    let mut out = vec![roundtrip_own_process(20_000), boot_windows10(21)];
    out.extend(timeout_scenario());
    out.extend(trace_memory(200_000));
    out
}

/// Every benchmark with small sizes (a smoke run).
pub fn run_quick() -> Vec<Figure> {
    let mut out = vec![roundtrip_own_process(50), boot_windows10(1)];
    out.extend(timeout_scenario());
    out.extend(trace_memory(50));
    out
}
