//! The engine benchmarks without the counting allocator of the `scm-sim` binary (so no
//! `trace_memory` figure, and no atomic counter on every allocation):
//! `cargo run --release -p scm-sim --example bench -- [--only GROUP,…] [--roundtrips N] …`,
//! the same arguments as `scm-sim bench`.
fn main() {
    let mut args = vec!["bench".to_string()];
    args.extend(std::env::args().skip(1));
    std::process::exit(scm_sim::cli::main_with_args(args));
}
