//! Correct services break no rule: fixed rows of well-behaved services, and a property over
//! random well-behaved scripts.

use super::*;

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
