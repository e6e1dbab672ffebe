//! The orderly shutdown (issue 14): PRESHUTDOWN with its per-service timeout and 7043, SHUTDOWN
//! within WaitToKillServiceTimeout, termination of what is left, no 7031/7034 and no recovery
//! for anything the shutdown ended; the machine off afterwards; restart and boot.

use std::time::Duration;

use rstest::rstest;
use scm_sim::cli::{split_words, ImageSpec, Output, Session};
use scm_sim::sim::Rule;

fn run(session: &mut Session, line: &str) -> String {
    let mut out = Output::new();
    session.execute(&split_words(line), &mut out);
    out.merged()
}

/// An empty machine with one scripted own-process service `Svc` running `behavior`.
fn one_service(behavior: &str) -> Session {
    let mut s = Session::new(ImageSpec::Empty, 1).unwrap();
    run(&mut s, r"sc create Svc binPath= C:\svc.exe");
    run(&mut s, &format!("sim behavior Svc {behavior}"));
    let started = run(&mut s, "sc start Svc");
    assert!(started.contains("START_PENDING"), "{started}");
    run(&mut s, "sim advance 10s");
    s
}

fn ids(s: &mut Session) -> Vec<u32> {
    s.machine().events().iter().map(|e| e.id).collect()
}

fn controls_sent(s: &mut Session) -> Vec<String> {
    run(s, "sim trace")
        .lines()
        .filter(|l| l.contains(" control ") && l.contains(" to Svc"))
        .map(|l| l.split_whitespace().nth(2).unwrap_or("").to_string())
        .collect()
}

/// Shuts the machine down; returns how long the shutdown took on the virtual clock.
fn shutdown(s: &mut Session) -> Duration {
    let before = s.machine().now();
    run(s, "sim shutdown");
    s.machine().now() - before
}

#[rstest]
#[case::preshutdown_stops_in_time("accept=stop,preshutdown stop-time=1s", &["preshutdown"], false, 1_000)]
#[case::preshutdown_progress_extends_the_wait(
    "accept=stop,preshutdown stop-time=25s checkpoint-every=1s wait-hint=3s",
    &["preshutdown"],
    false,
    25_000
)]
#[case::preshutdown_overrun_is_7043("accept=stop,preshutdown hang=stop", &["preshutdown"], true, 10_000)]
#[case::shutdown_only("accept=stop,shutdown stop-time=1s", &["shutdown"], false, 1_000)]
#[case::shutdown_past_wait_to_kill("accept=stop,shutdown hang=stop", &["shutdown"], false, 5_000)]
#[case::both_preshutdown_first("accept=stop,shutdown,preshutdown stop-time=1s", &["preshutdown"], false, 1_000)]
#[case::neither_is_terminated("accept=stop", &[], false, 0)]
fn the_phases(
    #[case] behavior: &str,
    #[case] controls: &[&str],
    #[case] event_7043: bool,
    #[case] took_ms: u64,
) {
    let mut s = one_service(behavior);
    let took = shutdown(&mut s);
    assert_eq!(controls_sent(&mut s), controls);
    let ids = ids(&mut s);
    assert_eq!(ids.contains(&7043), event_7043, "{ids:?}");
    assert!(!ids.contains(&7031) && !ids.contains(&7034), "{ids:?}");
    assert_eq!(took, Duration::from_millis(took_ms), "{behavior}");
    assert!(s.machine().is_off());
}

#[test]
fn the_preshutdown_timeout_and_wait_to_kill_come_from_the_registry() {
    let mut s = one_service("accept=stop,preshutdown hang=stop");
    run(
        &mut s,
        r"reg add HKLM\SYSTEM\CurrentControlSet\Services\Svc /v PreshutdownTimeout /t REG_DWORD /d 2000 /f",
    );
    run(
        &mut s,
        r"reg add HKLM\SYSTEM\CurrentControlSet\Control /v WaitToKillServiceTimeout /t REG_SZ /d 1500 /f",
    );
    run(&mut s, "sim restart");
    run(&mut s, "sc start Svc");
    run(&mut s, "sim advance 1s");
    assert_eq!(shutdown(&mut s), Duration::from_millis(2_000));
    run(&mut s, "sim boot");
    run(&mut s, "sim behavior Svc accept=stop,shutdown hang=stop");
    run(&mut s, "sc start Svc");
    run(&mut s, "sim advance 1s");
    assert_eq!(shutdown(&mut s), Duration::from_millis(1_500));
}

#[test]
fn preshutdown_order_comes_first() {
    let mut s = Session::new(ImageSpec::Empty, 2).unwrap();
    for name in ["Alpha", "Beta", "Gamma"] {
        run(&mut s, &format!(r"sc create {name} binPath= C:\{name}.exe"));
        run(
            &mut s,
            &format!("sim behavior {name} accept=stop,preshutdown stop-time=1s"),
        );
        run(&mut s, &format!("sc start {name}"));
    }
    run(&mut s, "sim advance 5s");
    run(
        &mut s,
        r"reg add HKLM\SYSTEM\CurrentControlSet\Control /v PreshutdownOrder /t REG_MULTI_SZ /d Gamma\0Beta /f",
    );
    run(&mut s, "sim shutdown");
    let order: Vec<String> = run(&mut s, "sim trace")
        .lines()
        .filter(|l| l.contains("preshutdown (15) to"))
        .map(|l| l.rsplit(' ').next().unwrap_or("").to_string())
        .collect();
    assert_eq!(order, ["Gamma", "Beta", "Alpha"]);
}

#[test]
fn work_alive_at_the_end_names_the_phase() {
    let mut s = one_service("accept=stop,shutdown stop-leaves-worker=60s");
    run(&mut s, "sim shutdown");
    let killed: Vec<String> = s
        .machine()
        .violations()
        .iter()
        .filter(|v| v.rule == Rule::WorkKilledAtExit)
        .map(|v| v.to_string())
        .collect();
    assert!(
        !killed.is_empty() && killed.iter().all(|k| k.contains("during the shutdown")),
        "{killed:?}"
    );
}

#[test]
fn an_off_machine_answers_nothing_until_boot() {
    let mut s = one_service("accept=stop");
    run(&mut s, "sim shutdown");
    assert_eq!(
        run(&mut s, "sc query Svc"),
        "[SC] OpenSCManager FAILED 1722:\n\nThe RPC server is unavailable.\n\n"
    );
    assert_eq!(
        run(&mut s, r"reg query HKLM\SYSTEM"),
        "ERROR: The RPC server is unavailable.\n"
    );
    assert_eq!(
        run(&mut s, "tasklist"),
        "ERROR: The RPC server is unavailable.\n"
    );
    run(&mut s, "sim boot");
    assert!(run(&mut s, "sc query Svc").contains("STOPPED"));
}

#[test]
fn a_restart_keeps_the_log_and_purges_deleted_services() {
    let mut s = one_service("accept=stop,shutdown stop-time=1s");
    run(&mut s, r"sc create Gone binPath= C:\gone.exe");
    run(&mut s, "sim behavior Gone accept=stop");
    run(&mut s, "sc start Gone");
    run(&mut s, "sim advance 1s");
    run(&mut s, "sc delete Gone");
    let before = s.machine().events().len();
    run(&mut s, "sim restart");
    assert!(!s.machine().is_off());
    assert!(s.machine().events().len() >= before);
    assert!(run(&mut s, "sc query Gone").contains("1060"));
    let ids = ids(&mut s);
    assert!(!ids.contains(&7031) && !ids.contains(&7034), "{ids:?}");
}

#[test]
fn sim_boot_of_a_running_windows10_machine_is_an_orderly_restart() {
    let mut s = Session::new(ImageSpec::Windows10, 0).unwrap();
    run(&mut s, "sim boot");
    let ids = ids(&mut s);
    let crashes = ids.iter().filter(|i| **i == 7031 || **i == 7034).count();
    assert_eq!(crashes, 0, "{ids:?}");
    assert!(run(&mut s, "sim trace").contains("preshutdown (15) to"));
}
