//! A trigger-started service with an idle stop, driven by USB disk arrivals: prints what the
//! service logged, the trigger outcomes, and the trace with the re-queue (an arrival during the
//! idle stop answered 1115, the restart, then the queued TRIGGEREVENT).
//!
//! ```text
//! cargo run -p scm-sim-examples --bin trigger_idle
//! ```

fn main() {
    print!("{}", scm_sim_examples::trigger_idle::report());
}
