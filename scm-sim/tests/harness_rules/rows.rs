//! One row per rule: the scenario that provokes it and the violation it must give.

use super::*;

pub(super) fn illegal_transition() -> Case {
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

pub(super) fn checkpoint_not_advancing() -> Case {
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

pub(super) fn checkpoint_outside_pending() -> Case {
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

pub(super) fn controls_accepted_while_start_pending() -> Case {
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

pub(super) fn status_after_stopped() -> Case {
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

pub(super) fn stopped_reported_twice() -> Case {
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

pub(super) fn hung_start() -> Case {
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

pub(super) fn hung_stop() -> Case {
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

pub(super) fn hung_pause() -> Case {
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

pub(super) fn hung_handler() -> Case {
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

pub(super) fn interrogate_not_answered() -> Case {
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

pub(super) fn exit_code_while_running() -> Case {
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

pub(super) fn specific_exit_code_without_1066() -> Case {
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

pub(super) fn hkcu_access() -> Case {
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
pub(super) fn leaves_a_task() -> Vec<Step> {
    vec![
        Report(running()),
        Await(ServiceControl::Stop),
        SpawnTask("uploader", Duration::from_secs(10)),
        Report(stopped()),
    ]
}

pub(super) fn stopped_with_live_work() -> Case {
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

pub(super) fn work_killed_at_exit() -> Case {
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

pub(super) fn restart_overlap() -> Case {
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

pub(super) fn invalid_status() -> Case {
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

pub(super) fn untracked_task() -> Case {
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
