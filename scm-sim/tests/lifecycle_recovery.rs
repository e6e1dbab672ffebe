//! Failure actions across the machine's life (issue 14): the failure count returns to zero
//! after the reset period without a failure, and a recovery restart belongs to the boot that
//! queued it — a restart or shutdown in between cancels it. A property test runs random
//! lifecycles (start, stop, crash, restart, time passing) against a model of both rules.

use proptest::prelude::*;
use rstest::rstest;
use scm_sim::cli::{split_words, ImageSpec, Output, Session};
use scm_sim::events::ScmEvent;
use scm_sim::service::ServiceState;

fn run(session: &mut Session, line: &str) -> String {
    let mut out = Output::new();
    session.execute(&split_words(line), &mut out);
    out.merged()
}

/// An empty machine with the demand-start scripted service `Svc` and its failure actions.
fn with_failure(failure: &str) -> Session {
    let mut s = Session::new(ImageSpec::Empty, 3).unwrap();
    run(&mut s, r"sc create Svc binPath= C:\svc.exe");
    run(&mut s, "sim behavior Svc accept=stop,shutdown");
    let set = run(&mut s, &format!("sc failure Svc {failure}"));
    assert!(set.contains("SUCCESS"), "{set}");
    s
}

/// The counts of events 7031/7034, in order.
fn failure_counts(s: &mut Session) -> Vec<u32> {
    s.machine()
        .events()
        .iter()
        .filter_map(|e| match &e.event {
            Some(ScmEvent::Crash { count, .. }) | Some(ScmEvent::CrashNoAction { count, .. }) => {
                Some(*count)
            }
            _ => None,
        })
        .collect()
}

fn state(s: &mut Session) -> ServiceState {
    s.machine().service_state("Svc").expect("Svc exists")
}

/// Starts Svc (when stopped), lets it run, crashes it, then waits `gap_s` seconds.
fn crash_after(s: &mut Session, gap_s: u64) {
    if state(s) == ServiceState::Stopped {
        run(s, "sc start Svc");
    }
    run(s, "sim advance 1s");
    run(s, "sim crash Svc");
    run(s, &format!("sim advance {gap_s}s"));
}

#[rstest]
#[case::inside_the_period("reset= 60 actions= restart/1000", &[5, 5], &[1, 2, 3])]
#[case::period_passed_between("reset= 60 actions= restart/1000", &[5, 70], &[1, 2, 1])]
#[case::exactly_the_period("reset= 10 actions= restart/1000", &[9, 0], &[1, 1, 2])]
#[case::infinite("reset= INFINITE actions= restart/1000", &[500, 500], &[1, 2, 3])]
#[case::zero_resets_every_time("reset= 0 actions= restart/1000", &[5, 5], &[1, 1, 1])]
// `actions= ""` deletes the actions and the reset period with them (scm-facts §6.1): the
// count then never returns to zero.
#[case::no_actions_no_reset_period("reset= 60 actions= \"\"", &[100, 5], &[1, 2, 3])]
fn the_reset_period(#[case] failure: &str, #[case] gaps_s: &[u64], #[case] counts: &[u32]) {
    let mut s = with_failure(failure);
    crash_after(&mut s, 0);
    for gap in gaps_s {
        // `gap` seconds without failure between one crash and the next (the start and the
        // second of running before each crash included).
        run(&mut s, &format!("sim advance {gap}s"));
        crash_after(&mut s, 0);
    }
    assert_eq!(failure_counts(&mut s), counts, "{failure} {gaps_s:?}");
}

#[rstest]
#[case::restart("sim restart")]
#[case::boot_of_a_running_machine("sim boot")]
#[case::shutdown_then_boot("sim shutdown")]
fn a_queued_restart_dies_with_its_boot(#[case] end: &str) {
    let mut s = with_failure("reset= 0 actions= restart/60000");
    crash_after(&mut s, 1);
    run(&mut s, end);
    if s.machine().is_off() {
        run(&mut s, "sim boot");
    }
    run(&mut s, "sim advance 300s");
    assert_eq!(state(&mut s), ServiceState::Stopped);
    // The crash's own restart within its boot still happens.
    crash_after(&mut s, 61);
    assert_eq!(state(&mut s), ServiceState::Running);
}

#[derive(Debug, Clone)]
enum Op {
    Start,
    Stop,
    Crash,
    Restart,
    Advance(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::Start),
        Just(Op::Stop),
        Just(Op::Crash),
        Just(Op::Restart),
        (1u64..90).prop_map(Op::Advance),
    ]
}

/// The model: the failure count with its reset period, and whether a recovery restart of the
/// current boot may be pending (none after a restart until the next crash).
struct Model {
    count: u32,
    last_failure: Option<std::time::Duration>,
    recovery_possible: bool,
}

const RESET_S: u64 = 40;

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_lifecycles_respect_boots_and_the_reset_period(
        ops in proptest::collection::vec(op(), 1..25),
    ) {
        let mut s = with_failure(&format!("reset= {RESET_S} actions= restart/20000"));
        let mut model = Model { count: 0, last_failure: None, recovery_possible: false };
        let mut expected: Vec<u32> = Vec::new();
        let mut started_by_us = false;
        for op in &ops {
            match op {
                Op::Start => {
                    run(&mut s, "sc start Svc");
                    started_by_us = true;
                }
                Op::Stop => {
                    run(&mut s, "sc stop Svc");
                }
                Op::Crash => {
                    if state(&mut s) != ServiceState::Stopped {
                        let now = s.machine().now();
                        let reset = model
                            .last_failure
                            .is_some_and(|l| now - l >= std::time::Duration::from_secs(RESET_S));
                        model.count = if reset { 1 } else { model.count + 1 };
                        model.last_failure = Some(now);
                        model.recovery_possible = true;
                        expected.push(model.count);
                    }
                    run(&mut s, "sim crash Svc");
                }
                Op::Restart => {
                    run(&mut s, "sim restart");
                    model = Model { count: 0, last_failure: None, recovery_possible: false };
                    started_by_us = false;
                }
                Op::Advance(secs) => {
                    run(&mut s, &format!("sim advance {secs}s"));
                }
            }
            if !started_by_us && !model.recovery_possible {
                prop_assert_eq!(state(&mut s), ServiceState::Stopped, "after {:?} in {:?}", op, ops);
            }
        }
        prop_assert_eq!(failure_counts(&mut s), expected);
    }
}
