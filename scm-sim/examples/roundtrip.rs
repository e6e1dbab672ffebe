//! One benchmark figure at a time, for profiling: `cargo run --release -p scm-sim --example
//! roundtrip -- [roundtrip|traced|boot|boot1k|boot10k|bootn N RUNS]`.
fn main() {
    let which = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "roundtrip".into());
    let figure = match which.as_str() {
        "boot" => scm_sim::bench::boot_windows10(50),
        "boot1k" => scm_sim::bench::boot_auto("boot_1k_auto", 1_000, 5).0,
        "boot10k" => scm_sim::bench::boot_auto("boot_10k_auto", 10_000, 1).0,
        "bootn" => {
            let n = std::env::args()
                .nth(2)
                .and_then(|s| s.parse().ok())
                .unwrap_or(1_000);
            let runs = std::env::args()
                .nth(3)
                .and_then(|s| s.parse().ok())
                .unwrap_or(5);
            scm_sim::bench::boot_auto("boot_n_auto", n, runs).0
        }
        "traced" => scm_sim::bench::roundtrip_traced(50_000),
        _ => scm_sim::bench::roundtrip_own_process(50_000),
    };
    println!("{figure}");
}
