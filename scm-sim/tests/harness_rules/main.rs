//! The violation oracle, rule by rule: one row per rule id (at least) that provokes it and
//! checks the violation's rule, service, virtual time and what was seen; rows of correct
//! services that must provoke nothing; and a property over random well-behaved scripts. The
//! rows are in `rows`, the correct services in `correct`.

use std::time::Duration;

use proptest::prelude::*;
use rstest::rstest;
use scm_sim::service::{ServiceControl, ServiceControlAccept, ServiceState, ServiceTable};
use scm_sim::sim::Rule;
use scm_sim::Machine;
use scm_sim_test_support::raw::*;
use scm_sim_test_support::reporter::*;
use scm_sim_test_support::stop::stop_handler;
use scm_sim_test_support::*;

use ServiceState::*;
use Step::*;

mod correct;
mod rows;

use rows::*;

/// One row: a scenario and the violation it must provoke.
struct Case {
    /// The rule the row provokes.
    rule: Rule,
    /// The service the violation names.
    service: &'static str,
    /// When (virtual time since boot).
    at: Duration,
    /// Pieces of what the violation says it saw.
    seen: &'static [&'static str],
    /// Other rules the scenario breaks as well (each exactly once).
    also: &'static [Rule],
    /// Runs the scenario with a seed.
    run: fn(u64) -> Machine,
}

/// The own-process service "Svc" playing `steps`: started at 0, then `acts` at their times,
/// then the clock runs to `end`.
fn own(
    seed: u64,
    steps: Vec<Step>,
    answer: Answer,
    acts: &[(u64, ServiceControl)],
    end: u64,
) -> Machine {
    let mut bed = Bed::new(seed);

    let h = bed.own("Svc", reporter(steps, answer));
    bed.m.start_service(h, &[]).expect("start");
    for &(at, control) in acts {
        bed.until(ms(at));
        let _ = bed.m.control_service(h, control);
    }
    bed.until(ms(end));
    bed.m
}

const STOP: ServiceControl = ServiceControl::Stop;
const PAUSE: ServiceControl = ServiceControl::Pause;
const CONTINUE: ServiceControl = ServiceControl::Continue;
const INTERROGATE: ServiceControl = ServiceControl::Interrogate;

/// Every row, for the coverage check.
fn all_rows() -> Vec<Case> {
    vec![
        illegal_transition(),
        checkpoint_not_advancing(),
        checkpoint_outside_pending(),
        controls_accepted_while_start_pending(),
        status_after_stopped(),
        stopped_reported_twice(),
        hung_start(),
        hung_stop(),
        hung_pause(),
        hung_handler(),
        interrogate_not_answered(),
        exit_code_while_running(),
        specific_exit_code_without_1066(),
        hkcu_access(),
        stopped_with_live_work(),
        work_killed_at_exit(),
        restart_overlap(),
        invalid_status(),
        untracked_task(),
    ]
}

#[test]
fn every_rule_has_a_row() {
    let rows = all_rows();
    for rule in Rule::ALL {
        assert!(
            rows.iter().any(|c| c.rule == rule),
            "no row provokes {rule}"
        );
    }
}

#[rstest]
#[case::illegal_transition(illegal_transition())]
#[case::checkpoint_not_advancing(checkpoint_not_advancing())]
#[case::checkpoint_outside_pending(checkpoint_outside_pending())]
#[case::controls_accepted_while_start_pending(controls_accepted_while_start_pending())]
#[case::status_after_stopped(status_after_stopped())]
#[case::stopped_reported_twice(stopped_reported_twice())]
#[case::hung_start(hung_start())]
#[case::hung_stop(hung_stop())]
#[case::hung_pause(hung_pause())]
#[case::hung_handler(hung_handler())]
#[case::interrogate_not_answered(interrogate_not_answered())]
#[case::exit_code_while_running(exit_code_while_running())]
#[case::specific_exit_code_without_1066(specific_exit_code_without_1066())]
#[case::hkcu_access(hkcu_access())]
#[case::stopped_with_live_work(stopped_with_live_work())]
#[case::work_killed_at_exit(work_killed_at_exit())]
#[case::restart_overlap(restart_overlap())]
#[case::invalid_status(invalid_status())]
#[case::untracked_task(untracked_task())]
fn each_rule_is_reported(#[case] case: Case, #[values(0, 7)] seed: u64) {
    let m = (case.run)(seed);
    let v = the_violation(&m, case.rule);
    assert_eq!(v.service, case.service, "{}", v.report());
    assert_eq!(v.time, case.at, "{}", v.report());
    for piece in case.seen {
        assert!(
            v.seen.contains(piece),
            "{}: seen should contain {piece:?}\n{}",
            case.rule,
            v.report()
        );
    }
    assert_eq!(v.replay, m.replay_token());
    assert_eq!(v.replay.seed, seed);
    // The report names the rule, its text, where Microsoft states it, and how to replay.
    let report = v.report();
    assert!(report.starts_with(&format!("violation {} by {}", case.rule.id(), case.service)));
    assert!(report.contains(case.rule.text()));
    assert!(report.contains(&format!("SCM_SIM_SEED={seed}")));
    // Nothing else than what the row expects.
    let mut expected: Vec<Rule> = case.also.to_vec();
    expected.push(case.rule);
    expected.sort();
    let mut got = rules(&m);
    got.sort();
    assert_eq!(got, expected, "\n{}", reports(&m));
}

// ----- property: random well-behaved scripts break nothing ------------------------------------

/// A random well-behaved script: `starts` START_PENDING checkpoints and `stops` STOP_PENDING
/// checkpoints, each gap shorter than the wait hint.
fn random_script(hint: u32, starts: Vec<u32>, stops: Vec<u32>) -> Vec<Step> {
    let mut steps = Vec::new();
    for (i, gap) in starts.iter().enumerate() {
        steps.push(Report(pending(StartPending, i as u32 + 1, hint)));
        steps.push(Sleep(ms(u64::from(*gap))));
    }
    steps.push(Report(running()));
    steps.push(Await(ServiceControl::Stop));
    for (i, gap) in stops.iter().enumerate() {
        steps.push(Report(pending(StopPending, i as u32 + 1, hint)));
        steps.push(Sleep(ms(u64::from(*gap))));
    }
    steps.push(Report(stopped()));
    steps
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_correct_scripts_are_clean(
        seed in any::<u64>(),
        hint in 500u32..3000,
        starts in proptest::collection::vec(0u32..400, 0..5),
        stops in proptest::collection::vec(0u32..400, 0..5),
        stop_at in 2500u64..4000,
    ) {
        let m = own(seed, random_script(hint, starts, stops), Answer::Politely, &[(stop_at, STOP)], 6000);
        prop_assert!(m.violations().is_empty(), "{}", reports(&m));
    }

    #[test]
    fn a_stalled_start_is_always_reported(
        seed in any::<u64>(),
        hint in 500u32..3000,
        starts in proptest::collection::vec(0u32..400, 1..5),
    ) {
        // The last START_PENDING checkpoint is never followed by anything.
        let n = starts.len();
        let mut steps = random_script(hint, starts.clone(), Vec::new());
        steps.truncate(2 * n - 1);
        steps.push(Forever);
        let last_progress: u64 = starts[..n - 1].iter().map(|g| u64::from(*g)).sum();
        let m = own(seed, steps, Answer::Politely, &[], 10_000);
        let v = the_violation(&m, Rule::HungStart);
        prop_assert_eq!(v.time, ms(last_progress + u64::from(hint)));
        prop_assert_eq!(rules(&m), vec![Rule::HungStart]);
    }
}
