//! The ping service example: drives a ping-style service through start, pause, continue,
//! interrogate, a user-defined control and stop, and prints what happened and the timeline.
//!
//! ```text
//! cargo run -p scm-sim-examples --bin ping
//! ```

fn main() {
    print!("{}", scm_sim_examples::ping::report());
}
