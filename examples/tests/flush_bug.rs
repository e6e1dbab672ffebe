//! The flush bug, found and fixed: a property search over (seed, stop time), driven by hand
//! with proptest's `TestRunner`, finds the buggy service and shrinks to the smallest failing
//! case; the fixed service passes the same search; the printed case replays to the same
//! violations.

use proptest::test_runner::{TestCaseError, TestError};
use scm_sim::machine::harness::Harness;
use scm_sim::sim::{Rule, Violation};
use scm_sim_examples::flush_bug::{cases, check, run, runner, stop_time, Variant};
use std::time::Duration;

/// Cases per search (each is a machine run of about 1.5 virtual seconds).
const CASES: u32 = 128;

/// The smallest failing case the search prints (see `the_search_finds_the_bug`): seed 1977,
/// STOP in slot 175 (at 878 ms). Shrinking cannot do much with a seed — a neighbouring seed
/// is a different run — so "smallest" is proptest's local minimum.
const PRINTED_SEED: u64 = 1977;
const PRINTED_SLOT: u64 = 175;

fn key(v: &Violation) -> (Rule, String, Duration, String) {
    (v.rule, v.service.clone(), v.time, v.seen.clone())
}

#[test]
fn the_search_finds_the_bug() {
    let mut search = runner(CASES);
    let outcome = search.run(&cases(), |(seed, slot)| {
        check(Variant::Buggy, seed, slot).map_err(|f| TestCaseError::fail(f.report))
    });
    let Err(TestError::Fail(reason, minimal)) = outcome else {
        panic!("the buggy service should fail: {outcome:?}");
    };
    let (seed, slot) = minimal;
    let reason = reason.message().to_string();
    println!(
        "smallest failing case: seed={seed} slot={slot} (STOP at {} ms)",
        stop_time(slot).as_millis()
    );
    println!("{reason}");
    assert!(
        reason.contains("violation stopped-with-live-work by Flusher"),
        "{reason}"
    );
    assert!(
        reason.contains(&format!("replay: scm-sim:v1:{seed}:")),
        "{reason}"
    );
    // The minimal case is the one the replay test below pins.
    assert_eq!(
        (seed, slot),
        (PRINTED_SEED, PRINTED_SLOT),
        "the search now ends at another case: update PRINTED_SEED and PRINTED_SLOT\n{reason}"
    );
    let failure = check(Variant::Buggy, seed, slot).expect_err("still fails");
    assert_eq!(failure.report, reason);
    assert_eq!(failure.replay.seed, seed);
}

#[test]
fn the_fixed_service_passes_the_same_search() {
    let mut search = runner(CASES);
    let outcome = search.run(&cases(), |(seed, slot)| {
        check(Variant::Fixed, seed, slot).map_err(|f| TestCaseError::fail(f.report))
    });
    assert!(outcome.is_ok(), "{outcome:?}");
}

#[test]
fn the_printed_case_replays() {
    // As a user would: the seed from the report (SCM_SIM_SEED overrides it), the stop time
    // from the printed case.
    let h = Harness::new("the_printed_case_replays", PRINTED_SEED);
    let first = h.run(|seed| run(Variant::Buggy, seed, PRINTED_SLOT).machine);
    let again = run(Variant::Buggy, h.seed(), PRINTED_SLOT).machine;
    let v = first.violations();
    assert_eq!(
        v.iter().map(key).collect::<Vec<_>>(),
        again.violations().iter().map(key).collect::<Vec<_>>()
    );
    assert_eq!(first.replay_token(), again.replay_token());
    assert_eq!(first.trace().digest(), again.trace().digest());
    if h.seed() != PRINTED_SEED {
        return; // replaying another seed: the pinned details below are for the printed one
    }
    let stop_at = stop_time(PRINTED_SLOT);
    let rules: Vec<Rule> = v.iter().map(|v| v.rule).collect();
    assert_eq!(
        rules,
        vec![Rule::StoppedWithLiveWork, Rule::WorkKilledAtExit]
    );
    for x in &v {
        assert_eq!((x.service.as_str(), x.time), ("Flusher", stop_at));
    }
    assert!(
        v[0].seen.starts_with(
            "STOPPED while alive: thread \"flush worker\" spawned at examples/flush_bug.rs:"
        ),
        "{}",
        v[0].seen
    );
    assert!(
        v[1].seen.contains("(last progress: flushed "),
        "{}",
        v[1].seen
    );
}

#[test]
fn the_fixed_service_keeps_every_block() {
    for (seed, slot) in [
        (1, 10),
        (2, 80),
        (3, 147),
        (4, 240),
        (PRINTED_SEED, PRINTED_SLOT),
    ] {
        let buggy = run(Variant::Buggy, seed, slot);
        let fixed = run(Variant::Fixed, seed, slot);
        let n = fixed.disk.len() as u64;
        assert_eq!(
            fixed.disk,
            (0..n).collect::<Vec<_>>(),
            "in order, none missing"
        );
        assert!(fixed.machine.violations().is_empty());
        assert!(buggy.disk.len() as u64 <= n);
        if !buggy.machine.violations().is_empty() {
            assert!((buggy.disk.len() as u64) < n, "the bug loses blocks");
        }
    }
}

#[test]
fn runs_are_deterministic_despite_real_threads() {
    for seed in 0..12u64 {
        let slot = 8 + seed * 23;
        for variant in [Variant::Buggy, Variant::Fixed] {
            let a = run(variant, seed, slot);
            let b = run(variant, seed, slot);
            let diff =
                scm_sim::machine::harness::first_difference(&a.machine.trace(), &b.machine.trace());
            assert_eq!(diff, None, "{variant:?} seed {seed} slot {slot}");
            assert_eq!(a.disk, b.disk);
        }
    }
}
