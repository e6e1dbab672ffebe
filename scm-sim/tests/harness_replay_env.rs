//! The environment variables of the harness: `SCM_SIM_SEED` replaces a case's seed and
//! `SCM_SIM_CHECK_DETERMINISM=1` runs a case twice and names the first differing trace
//! entry. This binary holds a single test, so setting variables races with nothing.

use scm_sim::service::ServiceControl;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use scm_sim::machine::harness::Harness;
use scm_sim::machine::Image;
use scm_sim::scm::access::SC_MANAGER_ALL_ACCESS;
use scm_sim::scm::CreateServiceParams;
use scm_sim::service::scripted::Behavior;
use scm_sim::sim::{CHECK_DETERMINISM_ENV, SEED_ENV};
use scm_sim::Machine;
use scm_sim_test_support::panic_text;

/// A scripted service started and stopped; `start_ms` is its start time.
fn case(seed: u64, start_ms: u64) -> Machine {
    let mut m = Machine::builder()
        .image(Image::Empty)
        .seed(seed)
        .build()
        .expect("builds");
    let scm = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).expect("admin");
    // Created on the machine's runtime: a call from outside is stamped with the real clock
    // (see `calls_made_outside_the_runtime_have_virtual_time` in harness_replay.rs).
    let api = m.scm();
    let h = m
        .block_on(async move {
            api.create_service(
                scm,
                &CreateServiceParams::own_process("Slow", r"C:\scripted\slow.exe"),
            )
        })
        .expect("create");
    let mut b = Behavior::default();
    b.set("start-time", &format!("{start_ms}ms"))
        .expect("valid");
    m.set_behavior("Slow", b);
    m.start_service(h, &[]).expect("start");
    m.advance(Duration::from_secs(5));
    m.control_service(h, ServiceControl::Stop).expect("stop");
    m
}

#[test]
fn environment_variables_drive_the_harness() {
    // SCM_SIM_SEED replaces the case's own seed (how a printed failure is replayed).
    std::env::remove_var(SEED_ENV);
    std::env::remove_var(CHECK_DETERMINISM_ENV);
    let h = Harness::new("env_case", 5);
    assert_eq!(h.seed(), 5);
    std::env::set_var(SEED_ENV, "4242");
    assert_eq!(h.seed(), 4242);
    let m = h.run(|seed| case(seed, 1200));
    assert_eq!(m.seed(), 4242);
    assert_eq!(m.replay_token().seed, 4242);
    std::env::set_var(SEED_ENV, "not a number");
    assert_eq!(h.seed(), 5, "an invalid seed is ignored");
    std::env::remove_var(SEED_ENV);

    // SCM_SIM_CHECK_DETERMINISM=1: every case runs twice.
    std::env::set_var(CHECK_DETERMINISM_ENV, "1");
    let calls = AtomicU32::new(0);
    let m = h.run(|seed| {
        calls.fetch_add(1, Ordering::SeqCst);
        case(seed, 1200)
    });
    assert_eq!(calls.load(Ordering::SeqCst), 2, "run twice and compared");
    assert!(m.violations().is_empty());

    // A case that is not deterministic (its second run starts slower) is caught, and the
    // message names the first entry that differs.
    let calls = AtomicU32::new(0);
    let failure = std::panic::catch_unwind(|| {
        h.run(|seed| {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            case(seed, 1200 + 300 * u64::from(n))
        })
    })
    .expect_err("the difference is caught");
    let text = panic_text(failure);
    std::env::remove_var(CHECK_DETERMINISM_ENV);
    assert!(
        text.starts_with("env_case: not deterministic with seed 5: entry "),
        "{text}"
    );
    let first = text
        .lines()
        .find(|l| l.trim_start().starts_with("first run:"))
        .expect(&text);
    let second = text
        .lines()
        .find(|l| l.trim_start().starts_with("second run:"))
        .expect(&text);
    assert_ne!(
        first.trim_start_matches("  first run:"),
        second.trim_start_matches("  second run:")
    );
    assert!(text.contains("replay: scm-sim:v1:5:"), "{text}");

    // Without the variable, a case runs once.
    let calls = AtomicU32::new(0);
    h.run(|seed| {
        calls.fetch_add(1, Ordering::SeqCst);
        case(seed, 1200)
    });
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}
