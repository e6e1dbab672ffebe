//! Memory and speed of traced start/stop round trips, for issue 10's figures:
//! `cargo run --release -p scm-sim --example trace_memory -- 1000000 traced`
//! (second argument `traced` or `untraced`). Prints the round trips per second, the trace's and
//! event log's retained entries, and (on Linux) the process's resident and peak memory.
use scm_sim::bench::{bench_machine, trips};
use scm_sim::machine::Image;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(200_000);
    let traced = args.next().is_none_or(|s| s != "untraced");
    let (m, h) = bench_machine(Image::Empty, traced);
    let secs = trips(&m, h, n);
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
