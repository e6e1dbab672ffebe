//! The violation oracle, rule by rule: one row per rule id (at least) that provokes it and
//! checks the violation's rule, service, virtual time and what was seen; rows of correct
//! services that must provoke nothing; and a property over random well-behaved scripts.

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

fn illegal_transition() -> Case {
    Case {
        rule: Rule::IllegalTransition,
        service: "Svc",
        at: ms(1100),
        seen: &["STOP_PENDING -> RUNNING"],
        also: &[],
        run: |seed| {
            let steps = vec![
                Report(running()),
                Await(ServiceControl::Stop),
                Report(pending(StopPending, 1, 2000)),
                Sleep(ms(100)),
                // Changed its mind: back to RUNNING from STOP_PENDING.
                Report(running()),
                Report(stopped()),
            ];
            own(seed, steps, Answer::Politely, &[(1000, STOP)], 2000)
        },
    }
}

fn checkpoint_not_advancing() -> Case {
    Case {
        rule: Rule::CheckpointNotAdvancing,
        service: "Svc",
        at: ms(500),
        seen: &["START_PENDING re-reported with checkpoint 1 after 1"],
        also: &[],
        run: |seed| {
            let steps = vec![
                Report(pending(StartPending, 1, 2000)),
                Sleep(ms(500)),
                Report(pending(StartPending, 1, 2000)),
                Sleep(ms(500)),
                Report(running()),
                Await(ServiceControl::Stop),
                Report(stopped()),
            ];
            own(seed, steps, Answer::Politely, &[(2000, STOP)], 3000)
        },
    }
}

fn checkpoint_outside_pending() -> Case {
    Case {
        rule: Rule::CheckpointOutsidePending,
        service: "Svc",
        at: ms(250),
        seen: &["RUNNING with checkpoint 3"],
        also: &[],
        run: |seed| {
            let steps = vec![
                Report(pending(StartPending, 1, 2000)),
                Sleep(ms(250)),
                Report(scm_sim::service::RawServiceStatus {
                    checkpoint: 3,
                    ..running()
                }),
                Await(ServiceControl::Stop),
                Report(stopped()),
            ];
            own(seed, steps, Answer::Politely, &[(1000, STOP)], 2000)
        },
    }
}

fn controls_accepted_while_start_pending() -> Case {
    Case {
        rule: Rule::ControlsAcceptedWhileStartPending,
        service: "Svc",
        at: ms(250),
        seen: &["START_PENDING accepting 0x1"],
        also: &[],
        run: |seed| {
            let steps = vec![
                Sleep(ms(250)),
                Report(accepting(
                    pending(StartPending, 1, 2000),
                    ServiceControlAccept::STOP,
                )),
                Sleep(ms(250)),
                Report(running()),
                Await(ServiceControl::Stop),
                Report(stopped()),
            ];
            own(seed, steps, Answer::Politely, &[(1000, STOP)], 2000)
        },
    }
}

fn status_after_stopped() -> Case {
    Case {
        rule: Rule::StatusAfterStopped,
        service: "Svc",
        at: ms(1000),
        seen: &["RUNNING reported after STOPPED (start #1)"],
        also: &[],
        run: |seed| {
            let steps = vec![
                Report(running()),
                Await(ServiceControl::Stop),
                Report(stopped()),
                Report(running()),
            ];
            own(seed, steps, Answer::Politely, &[(1000, STOP)], 2000)
        },
    }
}

fn stopped_reported_twice() -> Case {
    Case {
        rule: Rule::StoppedReportedTwice,
        service: "Svc",
        at: ms(1000),
        seen: &["STOPPED reported after STOPPED (start #1)"],
        also: &[],
        run: |seed| {
            let steps = vec![
                Report(running()),
                Await(ServiceControl::Stop),
                Report(stopped()),
                Report(stopped()),
            ];
            own(seed, steps, Answer::Politely, &[(1000, STOP)], 2000)
        },
    }
}

fn hung_start() -> Case {
    Case {
        rule: Rule::HungStart,
        service: "Svc",
        // The last progress (checkpoint 2 at 1 s) plus the wait hint (3 s).
        at: ms(4000),
        seen: &["START_PENDING with checkpoint 2 and wait hint 3000 ms, no progress since 1.000s"],
        also: &[],
        run: |seed| {
            let steps = vec![
                Report(pending(StartPending, 1, 3000)),
                Sleep(ms(1000)),
                Report(pending(StartPending, 2, 3000)),
                Forever,
            ];
            own(seed, steps, Answer::Politely, &[], 10_000)
        },
    }
}

fn hung_stop() -> Case {
    Case {
        rule: Rule::HungStop,
        service: "Svc",
        at: ms(5000),
        seen: &["STOP_PENDING with checkpoint 1 and wait hint 4000 ms, no progress since 1.000s"],
        also: &[],
        run: |seed| {
            let steps = vec![
                Report(running()),
                Await(ServiceControl::Stop),
                Report(pending(StopPending, 1, 4000)),
                Forever,
            ];
            own(seed, steps, Answer::Politely, &[(1000, STOP)], 10_000)
        },
    }
}

fn hung_pause() -> Case {
    Case {
        rule: Rule::HungPause,
        service: "Svc",
        at: ms(2500),
        seen: &["PAUSE_PENDING with checkpoint 1 and wait hint 1500 ms, no progress since 1.000s"],
        also: &[],
        run: |seed| {
            let steps = vec![
                Report(accepting(
                    running(),
                    ServiceControlAccept::STOP | ServiceControlAccept::PAUSE_CONTINUE,
                )),
                Await(ServiceControl::Pause),
                Report(pending(PausePending, 1, 1500)),
                Forever,
            ];
            own(seed, steps, Answer::Politely, &[(1000, PAUSE)], 5000)
        },
    }
}

fn hung_handler() -> Case {
    Case {
        rule: Rule::HungHandler,
        service: "Svc",
        // INTERROGATE sent at 1 s, the default 30 s pipe timeout.
        at: ms(31_000),
        seen: &["interrogate handler did not return within 30000 ms"],
        also: &[],
        run: |seed| {
            let steps = vec![Report(running()), Forever];
            own(
                seed,
                steps,
                Answer::HangOn(ServiceControl::Interrogate),
                &[(1000, INTERROGATE)],
                40_000,
            )
        },
    }
}

fn interrogate_not_answered() -> Case {
    Case {
        rule: Rule::InterrogateNotAnswered,
        service: "Svc",
        at: ms(1000),
        seen: &["INTERROGATE answered with 120"],
        also: &[],
        run: |seed| {
            let steps = vec![
                Report(running()),
                Await(ServiceControl::Stop),
                Report(stopped()),
            ];
            own(
                seed,
                steps,
                Answer::RefuseInterrogate,
                &[(1000, INTERROGATE), (2000, STOP)],
                3000,
            )
        },
    }
}

fn exit_code_while_running() -> Case {
    Case {
        rule: Rule::ExitCodeWithoutFailure,
        service: "Svc",
        at: ms(250),
        seen: &["RUNNING with dwWin32ExitCode 5 and dwServiceSpecificExitCode 0"],
        also: &[],
        run: |seed| {
            let steps = vec![
                Report(pending(StartPending, 1, 2000)),
                Sleep(ms(250)),
                Report(scm_sim::service::RawServiceStatus {
                    win32_exit_code: 5,
                    ..running()
                }),
                Await(ServiceControl::Stop),
                Report(stopped()),
            ];
            own(seed, steps, Answer::Politely, &[(1000, STOP)], 2000)
        },
    }
}

fn specific_exit_code_without_1066() -> Case {
    Case {
        rule: Rule::ExitCodeWithoutFailure,
        service: "Svc",
        at: ms(1000),
        seen: &["STOPPED with dwWin32ExitCode 0 and dwServiceSpecificExitCode 42"],
        also: &[],
        run: |seed| {
            let steps = vec![
                Report(running()),
                Await(ServiceControl::Stop),
                Report(scm_sim::service::RawServiceStatus {
                    service_specific_exit_code: 42,
                    ..stopped()
                }),
            ];
            own(seed, steps, Answer::Politely, &[(1000, STOP)], 2000)
        },
    }
}

fn hkcu_access() -> Case {
    Case {
        rule: Rule::HkcuAccess,
        service: "Svc",
        at: ms(250),
        seen: &["HKEY_CURRENT_USER used:", r"Software\Svc"],
        also: &[],
        run: |seed| {
            let steps = vec![
                Report(pending(StartPending, 1, 2000)),
                Sleep(ms(250)),
                TouchHkcu,
                Report(running()),
                Await(ServiceControl::Stop),
                Report(stopped()),
            ];
            own(seed, steps, Answer::Politely, &[(1000, STOP)], 2000)
        },
    }
}

/// Reports STOPPED right after spawning a task that runs 10 s more.
fn leaves_a_task() -> Vec<Step> {
    vec![
        Report(running()),
        Await(ServiceControl::Stop),
        SpawnTask("uploader", Duration::from_secs(10)),
        Report(stopped()),
    ]
}

fn stopped_with_live_work() -> Case {
    Case {
        rule: Rule::StoppedWithLiveWork,
        service: "Svc",
        at: ms(1000),
        seen: &[
            "STOPPED while alive: task \"uploader\" spawned at ",
            "tests/support/src/reporter.rs:",
        ],
        // Its own process then exits under the task.
        also: &[Rule::WorkKilledAtExit],
        run: |seed| {
            own(
                seed,
                leaves_a_task(),
                Answer::Politely,
                &[(1000, STOP)],
                2000,
            )
        },
    }
}

fn work_killed_at_exit() -> Case {
    Case {
        rule: Rule::WorkKilledAtExit,
        service: "Svc",
        at: ms(1000),
        seen: &["exited while alive: task \"uploader\" spawned at "],
        also: &[Rule::StoppedWithLiveWork],
        run: |seed| {
            own(
                seed,
                leaves_a_task(),
                Answer::Politely,
                &[(1000, STOP)],
                2000,
            )
        },
    }
}

fn restart_overlap() -> Case {
    Case {
        rule: Rule::RestartOverlap,
        service: "Svc",
        at: ms(2000),
        seen: &["started again while alive: task \"uploader\" spawned at "],
        also: &[Rule::StoppedWithLiveWork],
        run: |seed| {
            // A shared process kept alive by "Keeper", so the task survives the stop.
            let mut bed = Bed::new(seed);
            let keeper = vec![
                Report(running()),
                Await(ServiceControl::Stop),
                Report(stopped()),
            ];
            let hs = bed.shared(
                ServiceTable::new()
                    .with("Keeper", reporter(keeper, Answer::Politely))
                    .with("Svc", reporter(leaves_a_task(), Answer::Politely)),
            );
            let (keeper, svc) = (hs[0], hs[1]);
            bed.m.start_service(keeper, &[]).expect("start keeper");
            bed.m.start_service(svc, &[]).expect("start");
            bed.until(ms(1000));
            bed.m.control_service(svc, STOP).expect("stop");
            bed.until(ms(2000));
            bed.m.start_service(svc, &[]).expect("restart");
            bed.until(ms(3000));
            bed.m
        },
    }
}

fn invalid_status() -> Case {
    Case {
        rule: Rule::InvalidStatus,
        service: "Svc",
        at: ms(250),
        seen: &["current_state: 9", "rejected with 13"],
        also: &[],
        run: |seed| {
            let steps = vec![
                Report(pending(StartPending, 1, 2000)),
                Sleep(ms(250)),
                Report(scm_sim::service::RawServiceStatus {
                    current_state: 9,
                    ..running()
                }),
                Report(running()),
                Await(ServiceControl::Stop),
                Report(stopped()),
            ];
            own(seed, steps, Answer::Politely, &[(1000, STOP)], 2000)
        },
    }
}

fn untracked_task() -> Case {
    Case {
        rule: Rule::UntrackedTask,
        service: "Svc",
        at: ms(1000),
        seen: &[
            "1 tokio task(s) alive",
            "not spawned through ServiceContext::spawn_task",
        ],
        also: &[],
        run: |seed| {
            let steps = vec![
                Report(running()),
                SpawnUntracked(secs(10)),
                Await(ServiceControl::Stop),
                Report(stopped()),
            ];
            own(seed, steps, Answer::Politely, &[(1000, STOP)], 2000)
        },
    }
}

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

// ----- correct services: nothing to report -------------------------------------------------

fn well_behaved_own(seed: u64) -> Machine {
    own(
        seed,
        well_behaved(),
        Answer::Politely,
        &[(1000, STOP)],
        3000,
    )
}

fn answers_interrogate(seed: u64) -> Machine {
    own(
        seed,
        well_behaved(),
        Answer::Politely,
        &[(1000, INTERROGATE), (1500, STOP)],
        3000,
    )
}

fn pauses_and_continues(seed: u64) -> Machine {
    let accept = ServiceControlAccept::STOP | ServiceControlAccept::PAUSE_CONTINUE;
    let steps = vec![
        Report(pending(StartPending, 1, 1000)),
        Sleep(ms(200)),
        Report(accepting(running(), accept)),
        Await(ServiceControl::Pause),
        Report(accepting(pending(PausePending, 1, 1000), accept)),
        Sleep(ms(200)),
        Report(accepting(raw(Paused), accept)),
        Await(ServiceControl::Continue),
        Report(accepting(pending(ContinuePending, 1, 1000), accept)),
        Sleep(ms(200)),
        Report(accepting(running(), accept)),
        Await(ServiceControl::Stop),
        Report(pending(StopPending, 1, 1000)),
        Report(stopped()),
    ];
    own(
        seed,
        steps,
        Answer::Politely,
        &[(1000, PAUSE), (2000, CONTINUE), (3000, STOP)],
        4000,
    )
}

fn fails_properly_with_a_specific_code(seed: u64) -> Machine {
    let steps = vec![
        Report(pending(StartPending, 1, 1000)),
        Sleep(ms(200)),
        Report(scm_sim::service::RawServiceStatus {
            win32_exit_code: 1066,
            service_specific_exit_code: 42,
            ..stopped()
        }),
    ];
    own(seed, steps, Answer::Politely, &[], 1000)
}

fn waits_for_its_task(seed: u64) -> Machine {
    let mut bed = Bed::new(seed);
    let h = bed.own(
        "Svc",
        scm_sim::service::service_fn(|ctx: scm_sim::service::ServiceContext, _| async move {
            let (status, mut rx) = stop_handler(&ctx);
            let _ = status.set_status_raw(running());
            rx.recv().await;
            let _ = status.set_status_raw(pending(StopPending, 1, 3000));
            let worker = ctx.spawn_task("final flush", async {
                tokio::time::sleep(Duration::from_millis(700)).await;
            });
            let _ = worker.await;
            let _ = status.set_status_raw(stopped());
        }),
    );
    bed.m.start_service(h, &[]).expect("start");
    bed.until(ms(1000));
    bed.m.control_service(h, STOP).expect("stop");
    bed.until(ms(3000));
    bed.m
}

fn shared_pair(seed: u64) -> Machine {
    let mut bed = Bed::new(seed);
    let hs = bed.shared(
        ServiceTable::new()
            .with("One", reporter(well_behaved(), Answer::Politely))
            .with("Two", reporter(well_behaved(), Answer::Politely)),
    );
    for &h in &hs {
        bed.m.start_service(h, &[]).expect("start");
    }
    bed.until(ms(1000));
    bed.m.control_service(hs[0], STOP).expect("stop one");
    bed.until(ms(1500));
    bed.m.control_service(hs[1], STOP).expect("stop two");
    bed.until(ms(3000));
    bed.m
}

fn scripted_default(seed: u64) -> Machine {
    let mut bed = Bed::new(seed);
    let h = bed.scripted(
        "Plain",
        &[
            ("start-time", "3s"),
            ("stop-time", "2s"),
            ("wait-hint", "2s"),
        ],
    );
    bed.m.start_service(h, &[]).expect("start");
    bed.until(ms(5000));
    bed.m.control_service(h, STOP).expect("stop");
    bed.until(ms(10_000));
    bed.m
}

#[rstest]
#[case::well_behaved_own_process(well_behaved_own)]
#[case::answers_interrogate(answers_interrogate)]
#[case::pauses_and_continues(pauses_and_continues)]
#[case::fails_properly_with_a_specific_code(fails_properly_with_a_specific_code)]
#[case::waits_for_its_task_before_stopped(waits_for_its_task)]
#[case::shared_pair(shared_pair)]
#[case::scripted_default_service(scripted_default)]
fn correct_services_break_no_rule(#[case] run: fn(u64) -> Machine, #[values(0, 7)] seed: u64) {
    let m = run(seed);
    assert!(m.violations().is_empty(), "{}", reports(&m));
    m.assert_no_violations();
    let mut all_stopped = true;
    for (_, _, services) in m.processes() {
        all_stopped &= services.is_empty();
    }
    assert!(
        all_stopped,
        "a process still hosts services:\n{}",
        timeline(&m)
    );
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
