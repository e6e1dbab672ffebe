//! What a user sees when the flush bug is caught: a property search over (seed, stop time)
//! finds the buggy service, shrinks to the smallest failing case, prints the violation reports
//! with their replay token and the trace around the first one, replays the case, checks the
//! fixed version, and prints two figures.
//!
//! ```text
//! cargo run --release -p scm-sim-examples --bin flush_bug                 # search, replay, fix, figures
//! cargo run --release -p scm-sim-examples --bin flush_bug -- --replay SEED SLOT
//! cargo run --release -p scm-sim-examples --bin flush_bug -- --cases 512 --seeds 5000
//! ```

use std::cell::Cell;
use std::process::ExitCode;

use proptest::test_runner::{TestCaseError, TestError};
use scm_sim_examples::flush_bug::{
    cases, check, run, runner, seeds_per_second, stop_time, trace_around, workers, Variant,
};

struct Args {
    cases: u32,
    seeds: u64,
    replay: Option<(u64, u64)>,
}

fn parse() -> Result<Args, String> {
    let mut args = Args {
        cases: 256,
        seeds: 2000,
        replay: None,
    };
    let mut it = std::env::args().skip(1);
    let num = |v: Option<String>, what: &str| -> Result<u64, String> {
        v.ok_or(format!("{what} needs a number"))?
            .parse()
            .map_err(|_| format!("{what} needs a number"))
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--cases" => args.cases = num(it.next(), "--cases")? as u32,
            "--seeds" => args.seeds = num(it.next(), "--seeds")?,
            "--replay" => {
                let seed = num(it.next(), "--replay SEED SLOT")?;
                let slot = num(it.next(), "--replay SEED SLOT")?;
                args.replay = Some((seed, slot));
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

/// Prints a case's violations, the trace around the first one and the worker threads;
/// true when it failed.
fn show(variant: Variant, seed: u64, slot: u64) -> bool {
    let r = run(variant, seed, slot);
    let v = r.machine.violations();
    println!(
        "{variant:?} service, seed {seed}, STOP at {} ms: {} violation(s)",
        r.stop_at.as_millis(),
        v.len()
    );
    if v.is_empty() {
        return false;
    }
    println!();
    for x in &v {
        println!("{}", x.report());
    }
    println!();
    println!("the trace around it (>> marks the first violation):");
    println!("{}", trace_around(&r.machine, 12, 6));
    println!();
    println!("the last flush workers (from the machine's work list):");
    println!("{}", workers(&r.machine, 3));
    println!();
    println!(
        "blocks on disk: {} (the worker's unwritten blocks and the buffer are lost)",
        r.disk.len()
    );
    true
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("flush_bug: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some((seed, slot)) = args.replay {
        show(Variant::Buggy, seed, slot);
        return ExitCode::SUCCESS;
    }
    let Some((seed, slot)) = search_buggy(args.cases) else {
        return ExitCode::FAILURE;
    };
    println!();
    show(Variant::Buggy, seed, slot);
    let same = replay_twice(seed, slot);
    if !check_fixed(args.cases, seed, slot) {
        return ExitCode::FAILURE;
    }
    print_figures(args.seeds);
    if same {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Searches `cases` (seed, stop time) pairs for a failure of the buggy service and shrinks
/// it; the smallest failing case, or `None` (said on the terminal) when none fails.
fn search_buggy(cases_to_try: u32) -> Option<(u64, u64)> {
    println!("== searching {cases_to_try} cases of (seed, stop time) for the buggy service");
    let tried = Cell::new(0u32);
    let mut search = runner(cases_to_try);
    let outcome = search.run(&cases(), |(seed, slot)| {
        tried.set(tried.get() + 1);
        check(Variant::Buggy, seed, slot).map_err(|f| TestCaseError::fail(f.report))
    });
    let (seed, slot) = match outcome {
        Err(TestError::Fail(_, minimal)) => minimal,
        Err(e) => {
            eprintln!("the search failed: {e}");
            return None;
        }
        Ok(()) => {
            println!("no failing case found (unexpected: the buggy service should fail)");
            return None;
        }
    };
    println!(
        "found it; {} runs including shrinking; smallest failing case: seed={seed} slot={slot} (STOP at {} ms)",
        tried.get(),
        stop_time(slot).as_millis()
    );
    Some((seed, slot))
}

/// Runs the failing case twice; true when both runs broke the same rules at the same times.
fn replay_twice(seed: u64, slot: u64) -> bool {
    println!();
    println!("== replaying seed {seed}, slot {slot}");
    let first = check(Variant::Buggy, seed, slot).expect_err("it failed before");
    let again = check(Variant::Buggy, seed, slot).expect_err("it fails again");
    let same = first.violations == again.violations;
    println!(
        "same violations, same times, same replay token {}: {}",
        again.replay,
        if same { "yes" } else { "NO" }
    );
    println!("(or: cargo run -p scm-sim-examples --bin flush_bug -- --replay {seed} {slot})");
    same
}

/// Runs the fixed version over the same cases and the failing one; false when it fails.
fn check_fixed(cases_to_try: u32, seed: u64, slot: u64) -> bool {
    println!();
    println!("== the fixed version over the same {cases_to_try} cases");
    let mut fixed = runner(cases_to_try);
    match fixed.run(&cases(), |(seed, slot)| {
        check(Variant::Fixed, seed, slot).map_err(|f| TestCaseError::fail(f.report))
    }) {
        Ok(()) => println!("no violation"),
        Err(e) => {
            println!("the fixed version failed: {e}");
            return false;
        }
    }
    let fixed_case = check(Variant::Fixed, seed, slot).map_err(|f| f.report);
    println!("the fixed version with seed {seed}, slot {slot}: {fixed_case:?}");
    true
}

/// The example's figures: seeds checked per second, and the timeout scenario's.
fn print_figures(seeds: u64) {
    println!();
    println!("== figures");
    println!("seeds_per_second {:.0} seeds/s", seeds_per_second(seeds));
    for f in scm_sim::bench::timeout_scenario() {
        println!("{f}");
    }
}
