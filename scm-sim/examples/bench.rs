//! Prints the engine benchmarks: `cargo run --release -p scm-sim --example bench`.
fn main() {
    for figure in scm_sim::bench::run() {
        println!("{figure}");
    }
}
