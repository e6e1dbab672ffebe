//! Memory and speed of traced start/stop round trips, for issue 10's figures:
//! `cargo run --release -p scm-sim --example trace_memory -- 1000000 traced`
//! (second argument `traced` or `untraced`). Prints the round trips per second, the trace's and
//! event log's retained entries, and (on Linux) the process's resident and peak memory.
use scm_sim::bench::minimal_service;
use scm_sim::machine::Image;
use scm_sim::scm::access::{SC_MANAGER_ALL_ACCESS, SERVICE_ALL_ACCESS};
use scm_sim::scm::CreateServiceParams;
use scm_sim::service::ServiceControl;
use scm_sim::service::ServiceState;
use scm_sim::Machine;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(200_000);
    let traced = args.next().is_none_or(|s| s != "untraced");
    let mut m = Machine::builder()
        .image(Image::Empty)
        .tracing(traced)
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
            scm.control_service(h, ServiceControl::Stop)
                .await
                .expect("stop");
            stopped.expect("notify").wait().await.expect("stopped");
            tokio::task::yield_now().await;
        }
    });
    let secs = started.elapsed().as_secs_f64();
    println!("round_trips {n} traced {traced}");
    println!("roundtrips_per_s {:.0}", f64::from(n) / secs);
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        for line in status.lines() {
            if line.starts_with("VmRSS") || line.starts_with("VmHWM") {
                println!("{}", line.split_whitespace().collect::<Vec<_>>().join(" "));
            }
        }
    }
    // Machine::trace() returns a copy: read the memory figures first.
    let trace = m.trace();
    let log = m.event_log();
    println!("trace_entries {} pushed {}", trace.len(), trace.pushed());
    println!("trace_retained_bytes {}", trace.retained_bytes());
    println!("event_records {} written {}", log.len(), log.written());
    println!("event_log_retained_bytes {}", log.retained_bytes());
    println!(
        "size_of TraceEntry {} EventRecord {}",
        std::mem::size_of::<scm_sim::events::TraceEntry>(),
        std::mem::size_of::<scm_sim::events::EventRecord>()
    );
}
