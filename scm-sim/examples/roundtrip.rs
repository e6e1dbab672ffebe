//! One benchmark figure at a time, for profiling: `cargo run --release -p scm-sim --example roundtrip`.
fn main() {
    let which = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "roundtrip".into());
    let figure = match which.as_str() {
        "boot" => scm_sim::bench::boot_windows10(50),
        _ => scm_sim::bench::roundtrip_own_process(50_000),
    };
    println!("{figure}");
}
