//! The `scm-sim` command line: sc.exe, reg.exe and tasklist on a simulated Windows machine,
//! the simulation verbs, scripts and a shell. See `scm-sim help` and [`scm_sim::cli`].

use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;

/// Counts heap allocations so that `scm-sim bench` can report the heap it retains
/// (`scm_sim::bench::heap_in_use`).
#[global_allocator]
static HEAP: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(scm_sim::cli::main_with_args(args));
}
