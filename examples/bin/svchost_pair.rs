//! Two Rust DLL-style services sharing one svchost host: prints the processes while they run,
//! what their DLL logged, and the trace.
//!
//! ```text
//! cargo run -p scm-sim-examples --bin svchost_pair
//! ```

fn main() {
    print!("{}", scm_sim_examples::svchost_pair::report());
}
