//! Determinism and replay: a failure carries a replay token; replaying its seed gives the same
//! violation; two runs with one seed give the same trace; a difference between two traces is
//! found and named. (The environment variables are exercised in `harness_replay_env.rs`, a
//! binary of its own, since tests of one binary run in parallel.)

use std::time::Duration;

use scm_sim::events::{Trace, TraceKind};
use scm_sim::machine::harness::{first_difference, Harness};
use scm_sim::service::{
    service_fn, ServiceContext, ServiceControl, ServiceControlAccept, ServiceExitCode,
    ServiceState, ServiceStatus, ServiceTable,
};
use scm_sim::sim::{ReplayToken, Rule, Violation};
use scm_sim::Machine;
use scm_sim_test_support::reporter::*;
use scm_sim_test_support::stop::{run_until_stop, stop_handler};
use scm_sim_test_support::*;

/// A service with a seeded bug: it starts in a random number of checkpoints (from the
/// service-visible random stream), and for some seeds re-reports a checkpoint without
/// advancing it, at a seeded time.
fn flaky_starter(seed: u64) -> Machine {
    let mut bed = Bed::new(seed);
    let h = bed.own(
        "Flaky",
        service_fn(|ctx: ServiceContext, _| async move {
            let (status, mut rx) = stop_handler(&ctx);
            let steps = 1 + ctx.random_u64() % 4;
            let mut checkpoint = 0;
            for _ in 0..steps {
                let r = ctx.random_u64();
                // One chance in three: the checkpoint is not advanced (the bug).
                if !r.is_multiple_of(3) || checkpoint == 0 {
                    checkpoint += 1;
                }
                let _ = status.set_status(ServiceStatus::pending(
                    ServiceState::StartPending,
                    checkpoint,
                    Duration::from_secs(2),
                ));
                tokio::time::sleep(Duration::from_millis(100 + (r >> 8) % 900)).await;
            }
            let _ = status.set_status(ServiceStatus::running(ServiceControlAccept::STOP));
            rx.recv().await;
            let _ = status.set_status(ServiceStatus::stopped(ServiceExitCode::NO_ERROR));
        }),
    );
    bed.m.start_service(h, &[]).expect("start");
    bed.until(secs(10));
    bed.m
        .control_service(h, ServiceControl::Stop)
        .expect("stop");
    bed.m
}

/// The first seed (from 0) whose run of `flaky_starter` breaks a rule.
fn a_failing_seed() -> u64 {
    (0..200)
        .find(|&s| !flaky_starter(s).violations().is_empty())
        .expect("some seed finds the bug")
}

/// The first `replay: <token>` of a failure report.
fn token_in(text: &str) -> ReplayToken {
    let after = text
        .split("replay: ")
        .nth(1)
        .unwrap_or_else(|| panic!("no replay token in {text}"));
    let token = after.split_whitespace().next().expect("a token");
    token.parse().expect("a valid token")
}

fn key(v: &Violation) -> (Rule, String, Duration, String) {
    (v.rule, v.service.clone(), v.time, v.seen.clone())
}

#[test]
fn a_failure_replays_from_its_token() {
    let seed = a_failing_seed();
    let h = Harness::new("a_failure_replays_from_its_token", seed);
    // Fail on purpose, as a test would, and keep what the user sees.
    let mut first: Vec<Violation> = Vec::new();
    let failure = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let m = h.run(flaky_starter);
        first = m.violations();
        h.assert_clean(&m);
    }))
    .expect_err("the seeded bug is found");
    let text = panic_text(failure);
    assert!(text.contains("protocol violation(s) with seed"), "{text}");
    assert!(
        text.contains("rerun: SCM_SIM_SEED=")
            && text.contains("cargo test a_failure_replays_from_its_token"),
        "{text}"
    );
    assert!(
        text.contains("violation checkpoint-not-advancing by Flaky at "),
        "{text}"
    );
    let token = token_in(&text);
    assert_eq!(token, first[0].replay);

    // Replay: the seed of the token, the same configuration, the same violations.
    let again = flaky_starter(token.seed);
    assert_eq!(
        again.replay_token(),
        token,
        "same seed, same configuration hash"
    );
    let a: Vec<_> = first.iter().map(key).collect();
    let b: Vec<_> = again.violations().iter().map(key).collect();
    assert_eq!(a, b);
    assert_eq!(a[0].0, Rule::CheckpointNotAdvancing);
}

#[test]
fn the_machine_replay_token_round_trips() {
    let seed = a_failing_seed();
    let m = flaky_starter(seed);
    let token: ReplayToken = m.replay_token().to_string().parse().expect("parses");
    assert_eq!(token.seed, seed);
    let v = m.violations();
    assert!(v.iter().all(|v| v.replay == token));
    let report = v[0].report();
    assert!(report.contains(&format!("replay: {token} (rerun with SCM_SIM_SEED={seed} ")));
    let replayed = flaky_starter(token.seed).violations();
    assert_eq!(
        v.iter().map(key).collect::<Vec<_>>(),
        replayed.iter().map(key).collect::<Vec<_>>()
    );
}

#[test]
fn seeds_explore_different_runs() {
    // The seed decides what the service code draws: across seeds the bug shows at different
    // times or not at all.
    let outcomes: std::collections::BTreeSet<Option<Duration>> = (0..40)
        .map(|s| flaky_starter(s).violations().first().map(|v| v.time))
        .collect();
    assert!(outcomes.contains(&None), "some seeds are clean");
    assert!(outcomes.len() > 3, "{outcomes:?}");
}

/// A busier machine: shared and own processes, scripted services, a tracked thread, random
/// timings.
fn busy(seed: u64) -> Machine {
    let mut bed = Bed::new(seed);
    let pair = bed.shared(
        ServiceTable::new()
            .with("One", reporter(well_behaved(), Answer::Politely))
            .with("Two", reporter(well_behaved(), Answer::Politely)),
    );
    let slow = bed.scripted("Slow", &[("start-time", "1500ms"), ("stop-time", "700ms")]);
    let threaded = bed.own(
        "Threaded",
        service_fn(|ctx: ServiceContext, _| async move {
            let (status, mut rx) = run_until_stop(&ctx);
            let blocks = 1 + ctx.random_u64() % 5;
            let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
            ctx.spawn_thread("writer", move |t| {
                for k in 0..blocks {
                    if t.sleep(Duration::from_millis(3)).is_err() {
                        return;
                    }
                    t.progress(&format!("wrote {k}"));
                }
                let _ = done_tx.send(());
            })
            .expect("thread");
            rx.recv().await;
            let _ = done_rx.await;
            tokio::time::sleep(Duration::from_millis(1)).await;
            let _ = status.set_status(ServiceStatus::stopped(ServiceExitCode::NO_ERROR));
        }),
    );
    for h in [pair[0], pair[1], slow, threaded] {
        bed.m.start_service(h, &[]).expect("start");
    }
    bed.until(secs(2));
    for h in [threaded, pair[1], slow, pair[0]] {
        bed.m
            .control_service(h, ServiceControl::Stop)
            .expect("stop");
    }
    bed.until(secs(5));
    bed.m
}

#[test]
fn the_same_seed_gives_the_same_trace() {
    for seed in [1, 99, 12345] {
        let a = busy(seed);
        let b = busy(seed);
        assert!(a.trace().len() > 50);
        assert_eq!(first_difference(&a.trace(), &b.trace()), None);
        assert_eq!(a.trace().digest(), b.trace().digest());
        assert_eq!(a.replay_token(), b.replay_token());
        assert!(a.violations().is_empty(), "{}", reports(&a));
    }
}

#[test]
fn different_seeds_give_different_traces() {
    let a = busy(1);
    let b = busy(2);
    assert_ne!(a.trace().digest(), b.trace().digest());
    let diff = first_difference(&a.trace(), &b.trace()).expect("they differ");
    assert!(diff.starts_with("entry "), "{diff}");
    assert!(
        diff.contains("first run:") && diff.contains("second run:"),
        "{diff}"
    );
}

#[test]
fn first_difference_names_the_entry() {
    let mut a = Trace::new();
    let mut b = Trace::new();
    for t in [&mut a, &mut b] {
        t.push(
            Duration::ZERO,
            TraceKind::Note {
                text: "boot".into(),
            },
        );
        t.push(
            Duration::from_millis(5),
            TraceKind::Note {
                text: "Svc reports RUNNING".into(),
            },
        );
    }
    a.push(
        Duration::from_millis(250),
        TraceKind::Note {
            text: "control STOP to Svc".into(),
        },
    );
    b.push(
        Duration::from_millis(250),
        TraceKind::Note {
            text: "flush worker wrote block 3".into(),
        },
    );
    assert_ne!(a.digest(), b.digest());
    let diff = first_difference(&a, &b).expect("they differ");
    assert_eq!(
        diff,
        "entry 2 differs:\n  first run:     0.250s  note       control STOP to Svc\n  second run:    0.250s  note       flush worker wrote block 3"
    );
    // A trace that stops early differs at its end.
    let mut short = a.clone();
    short.push(
        Duration::from_secs(1),
        TraceKind::Note {
            text: "late".into(),
        },
    );
    let diff = first_difference(&short, &a).expect("one is longer");
    assert!(diff.starts_with("entry 3 differs:"), "{diff}");
    assert!(diff.ends_with("second run: <end of trace>"), "{diff}");
    assert_eq!(first_difference(&a, &a.clone()), None);
}

#[test]
fn calls_made_outside_the_runtime_have_virtual_time() {
    let mut bed = Bed::new(1);
    bed.until(secs(10));
    bed.m
        .create_service(
            bed.scm,
            &scm_sim::scm::CreateServiceParams::own_process("Late", r"C:\svc\late.exe"),
        )
        .expect("create");
    let e = events(&bed.m, 7045);
    assert_eq!(e[0].time, secs(10), "{}", timeline(&bed.m));
}
