//! Timeouts as Windows applies them, on virtual time: the dispatcher connect timeout (from the
//! registry's ServicesPipeTimeout, from the builder, the 30 s default), a process exiting
//! before it connects, a control handler past the pipe timeout (and the dispatcher it leaves
//! stuck for its siblings), a start or stop whose checkpoint stalls past its wait hint, and
//! what `HangAction::EndTest` does.

use std::time::Duration;

use fake_registry::{Caller, RegValue};
use rstest::rstest;
use scm_sim::machine::Image;
use scm_sim::scm::access::SERVICE_ALL_ACCESS;
use scm_sim::scm::{HangAction, Settings};
use scm_sim::service::{ServiceControl, ServiceState, ServiceTable};
use scm_sim::sim::Rule;
use scm_sim::{Machine, Win32Error};
use scm_sim_test_support::raw::*;
use scm_sim_test_support::reporter::*;
use scm_sim_test_support::*;

use ServiceState::*;

const CONTROL: &str = r"HKLM\SYSTEM\CurrentControlSet\Control";
const STOP: ServiceControl = ServiceControl::Stop;
const INTERROGATE: ServiceControl = ServiceControl::Interrogate;

/// Where the pipe timeout of a row comes from.
#[derive(Debug, Clone, Copy)]
enum Timeout {
    /// Nothing set: Windows' 30 000 ms.
    Default,
    /// `Control\ServicesPipeTimeout` (REG_DWORD ms), read at boot.
    Registry(u32),
    /// `MachineBuilder::pipe_timeout`.
    Builder(Duration),
    /// Both: the builder's wins.
    RegistryAndBuilder(u32, Duration),
    /// The registry and `MachineBuilder::settings` (documented as replacing the registry).
    RegistryAndSettings(u32, Duration),
}

/// An empty machine whose pipe timeout comes from `t` (rebooted when the registry sets it).
fn bed_with(t: Timeout, seed: u64) -> Bed {
    let mut b = Machine::builder().image(Image::Empty).seed(seed);
    let registry = match t {
        Timeout::Default => None,
        Timeout::Registry(ms) => Some(ms),
        Timeout::Builder(d) => {
            b = b.pipe_timeout(d);
            None
        }
        Timeout::RegistryAndBuilder(ms, d) => {
            b = b.pipe_timeout(d);
            Some(ms)
        }
        Timeout::RegistryAndSettings(ms, d) => {
            b = b.settings(Settings {
                pipe_timeout: d,
                ..Settings::default()
            });
            Some(ms)
        }
    };
    let mut bed = Bed::from_builder(b);
    if let Some(ms) = registry {
        bed.m.with_registry(|reg| {
            reg.set_value(
                &Caller::local_system(),
                CONTROL,
                "ServicesPipeTimeout",
                RegValue::dword(ms),
            )
            .expect("Control exists")
        });
        // The SCM reads its settings at boot; handles do not survive a boot.
        bed.m.boot();
        bed = Bed {
            scm: bed
                .m
                .open_sc_manager(scm_sim::scm::access::SC_MANAGER_ALL_ACCESS)
                .expect("admin"),
            m: bed.m,
        };
    }
    bed
}

// ----- the dispatcher connect timeout ---------------------------------------------------------

fn check_connect_timeout(t: Timeout, expected: Duration) {
    let mut bed = bed_with(t, 3);
    let h = bed.scripted("Never", &[("hang", "connect")]);
    let r = bed.m.start_service(h, &[]);
    assert_eq!(r, Err(Win32Error::SERVICE_REQUEST_TIMEOUT));
    assert_eq!(
        bed.m.now(),
        expected,
        "StartService returns after the timeout"
    );
    let s = bed.m.query_service_status(h).expect("query");
    assert_eq!(s.current_state, Stopped);
    assert_eq!(s.process_id, 0);
    assert_eq!(s.win32_exit_code, 1053);
    let e7009 = events(&bed.m, 7009);
    assert_eq!(e7009.len(), 1, "{}", timeline(&bed.m));
    assert_eq!(e7009[0].time, expected);
    assert_eq!(
        e7009[0].message(),
        format!(
            "A timeout was reached ({} milliseconds) while waiting for the Never service to connect.",
            expected.as_millis()
        )
    );
    let e7000 = events(&bed.m, 7000);
    assert_eq!(e7000.len(), 1);
    assert_eq!(e7000[0].time, expected);
    assert!(e7000[0].message().contains(
        "The service did not respond to the start or control request in a timely fashion."
    ));
    assert!(bed.m.processes().is_empty(), "the process was ended");
}

#[rstest]
#[case::default_30s(Timeout::Default, secs(30))]
#[case::registry_5000ms(Timeout::Registry(5000), ms(5000))]
#[case::registry_90000ms(Timeout::Registry(90_000), secs(90))]
#[case::builder_12s(Timeout::Builder(secs(12)), secs(12))]
#[case::builder_beats_registry(Timeout::RegistryAndBuilder(5000, secs(7)), secs(7))]
fn connect_timeout(#[case] t: Timeout, #[case] expected: Duration) {
    check_connect_timeout(t, expected);
}

#[test]
fn builder_settings_replace_the_registry() {
    check_connect_timeout(Timeout::RegistryAndSettings(5000, secs(9)), secs(9));
}

#[test]
fn waiting_for_the_dispatcher_is_not_a_start_hang() {
    let mut bed = bed_with(Timeout::Builder(secs(5)), 3);
    let h = bed.scripted("Never", &[("hang", "connect")]);
    let _ = bed.m.start_service(h, &[]);
    assert!(events(&bed.m, 7022).is_empty(), "{}", timeline(&bed.m));
    assert!(
        !rules(&bed.m).contains(&Rule::HungStart),
        "{}",
        reports(&bed.m)
    );
}

#[rstest]
#[case::at_boot(Duration::ZERO)]
#[case::later(ms(3500))]
fn exiting_before_connecting_fails_at_once(#[case] at: Duration) {
    let mut bed = bed_with(Timeout::Default, 3);
    let h = bed.scripted("Quitter", &[("exit", "before-connect")]);
    bed.until(at);
    let r = bed.m.start_service(h, &[]);
    assert_eq!(r, Err(Win32Error::SERVICE_REQUEST_TIMEOUT));
    assert_eq!(bed.m.now(), at, "no timeout is waited for");
    let s = bed.m.query_service_status(h).expect("query");
    assert_eq!((s.current_state, s.process_id), (Stopped, 0));
    assert_eq!(s.win32_exit_code, 1053);
    assert!(events(&bed.m, 7009).is_empty());
    let e7000 = events(&bed.m, 7000);
    assert_eq!(e7000.len(), 1);
    assert_eq!(e7000[0].time, at);
}

#[test]
fn exiting_before_connecting_is_one_failed_start() {
    let mut bed = bed_with(Timeout::Default, 3);
    let h = bed.scripted("Quitter", &[("exit", "before-connect")]);
    let _ = bed.m.start_service(h, &[]);
    let text = timeline(&bed.m);
    assert!(!text.contains("STOPPED -> STOPPED"), "{text}");
    assert_eq!(
        text.matches("Quitter: START_PENDING -> STOPPED").count(),
        1,
        "{text}"
    );
}

// ----- the control handler timeout ------------------------------------------------------------

#[rstest]
#[case::default_30s(Timeout::Default, secs(30))]
#[case::registry_8000ms(Timeout::Registry(8000), ms(8000))]
#[case::builder_5s(Timeout::Builder(secs(5)), secs(5))]
fn a_hung_handler_times_out(#[case] t: Timeout, #[case] timeout: Duration) {
    let mut bed = bed_with(t, 5);
    let steps = vec![Step::Report(running()), Step::Forever];
    let h = bed.own(
        "Svc",
        reporter(steps, Answer::HangOn(ServiceControl::Interrogate)),
    );
    bed.m.start_service(h, &[]).expect("start");
    bed.until(secs(1));
    let r = bed.m.control_service(h, INTERROGATE);
    assert_eq!(r, Err(Win32Error::SERVICE_REQUEST_TIMEOUT));
    let at = secs(1) + timeout;
    assert_eq!(bed.m.now(), at);
    let e = events(&bed.m, 7011);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].time, at);
    assert_eq!(
        e[0].message(),
        format!(
            "A timeout ({} milliseconds) was reached while waiting for a transaction response from the Svc service.",
            timeout.as_millis()
        )
    );
    let v = the_violation(&bed.m, Rule::HungHandler);
    assert_eq!((v.service.as_str(), v.time), ("Svc", at));
    assert_eq!(
        v.seen,
        format!(
            "interrogate handler did not return within {} ms",
            timeout.as_millis()
        )
    );
    // The service keeps the state it last reported.
    assert_eq!(bed.state(h), Running);
}

/// Two services in one process; "Stuck"'s handler never returns for INTERROGATE.
fn stuck_sibling_bed() -> (Bed, scm_sim::scm::ScHandle, scm_sim::scm::ScHandle) {
    let mut bed = bed_with(Timeout::Builder(secs(5)), 5);
    let stuck = vec![Step::Report(running()), Step::Forever];
    let hs = bed.shared(
        ServiceTable::new()
            .with(
                "Stuck",
                reporter(stuck, Answer::HangOn(ServiceControl::Interrogate)),
            )
            .with("Sibling", reporter(well_behaved(), Answer::Politely)),
    );
    for &h in &hs {
        bed.m.start_service(h, &[]).expect("start");
    }
    bed.until(secs(1));
    (bed, hs[0], hs[1])
}

#[test]
fn a_hung_handler_leaves_the_dispatcher_stuck_for_its_siblings() {
    let (mut bed, stuck, sibling) = stuck_sibling_bed();
    assert_eq!(bed.m.processes().len(), 1, "one shared process");
    assert_eq!(bed.state(sibling), Running);
    let r = bed.m.control_service(stuck, INTERROGATE);
    assert_eq!(r, Err(Win32Error::SERVICE_REQUEST_TIMEOUT));
    assert_eq!(bed.m.now(), secs(6));
    // The process's one dispatcher is still inside Stuck's handler: the sibling's controls
    // wait behind it and time out too.
    let r = bed.m.control_service(sibling, INTERROGATE);
    assert_eq!(r, Err(Win32Error::SERVICE_REQUEST_TIMEOUT));
    assert_eq!(bed.m.now(), secs(11));
    let r = bed.m.control_service(sibling, STOP);
    assert_eq!(r, Err(Win32Error::SERVICE_REQUEST_TIMEOUT));
    assert_eq!(bed.m.now(), secs(16));
    // The sibling never saw the STOP: still RUNNING in the same process.
    assert_eq!(bed.state(sibling), Running);
    let e: Vec<(Option<String>, Duration)> = events(&bed.m, 7011)
        .into_iter()
        .map(|e| (e.service.as_deref().map(str::to_string), e.time))
        .collect();
    assert_eq!(
        e,
        vec![
            (Some("Stuck".to_string()), secs(6)),
            (Some("Sibling".to_string()), secs(11)),
            (Some("Sibling".to_string()), secs(16)),
        ]
    );
    // The sibling's handler never ran after Stuck's hung.
    let after: Vec<String> = bed
        .m
        .trace()
        .entries()
        .iter()
        .filter(|e| e.time >= secs(1) && e.kind.tag() == "handler")
        .map(|e| e.to_string())
        .collect();
    assert!(after.is_empty(), "{after:?}");
}

#[test]
fn a_stuck_dispatcher_is_blamed_on_the_stuck_handler() {
    let (mut bed, stuck, sibling) = stuck_sibling_bed();
    let _ = bed.m.control_service(stuck, INTERROGATE);
    let _ = bed.m.control_service(sibling, INTERROGATE);
    for v in bed.m.violations() {
        assert!(
            v.service == "Stuck" || v.seen.contains("Stuck"),
            "{}",
            v.report()
        );
    }
}

// ----- hangs in pending states ----------------------------------------------------------------

#[rstest]
// A scripted hang: START_PENDING checkpoint 1 at 0 with a 3 s hint, nothing after.
#[case::scripted(None, ms(3000), Duration::ZERO)]
// A service that made progress once (checkpoint 2 at 1.5 s) then stalled.
#[case::after_progress(Some(1500), ms(4500), ms(1500))]
fn a_stalled_start_is_hung(
    #[case] progress_at: Option<u64>,
    #[case] at: Duration,
    #[case] last_progress: Duration,
) {
    let mut bed = Bed::new(11);
    let h = match progress_at {
        None => bed.scripted("Svc", &[("hang", "start"), ("wait-hint", "3s")]),
        Some(p) => bed.own(
            "Svc",
            reporter(
                vec![
                    Step::Report(pending(StartPending, 1, 3000)),
                    Step::Sleep(ms(p)),
                    Step::Report(pending(StartPending, 2, 3000)),
                    Step::Forever,
                ],
                Answer::Politely,
            ),
        ),
    };
    // StartService returns once ServiceMain runs, long before the hang.
    bed.m.start_service(h, &[]).expect("start");
    assert_eq!(bed.m.now(), Duration::ZERO);
    bed.until(secs(60));
    assert!(
        events(&bed.m, 7022).is_empty(),
        "Windows gives up only 80 s after the wait hint"
    );
    bed.until(at + secs(81));
    let v = the_violation(&bed.m, Rule::HungStart);
    assert_eq!((v.service.as_str(), v.time), ("Svc", at));
    assert!(v.seen.ends_with(&format!(
        "wait hint 3000 ms, no progress since {}",
        seconds(last_progress)
    )));
    let e = events(&bed.m, 7022);
    assert_eq!(e.len(), 1, "reported once, not at every watchdog tick");
    // The rule is broken when the wait hint runs out; the SCM logs 7022 when it gives up,
    // 80 seconds later ("80 seconds plus the last wait hint", Service Startup).
    assert_eq!(e[0].time, at + secs(80));
    assert_eq!(e[0].message(), "The Svc service hung on starting.");
    // HangAction::LeavePending (the default): Windows leaves it START_PENDING.
    assert_eq!(bed.state(h), StartPending);
    assert_eq!(rules(&bed.m), vec![Rule::HungStart]);
}

/// `1.500s`, as the oracle writes times.
fn seconds(d: Duration) -> String {
    format!("{}.{:03}s", d.as_secs(), d.subsec_millis())
}

#[rstest]
// A stop that hangs for 3 minutes with the scripted default 2 s hint.
#[case::default_hint("2s", ms(3000))]
// A service that announced 3 minutes and never came back.
#[case::three_minute_hint("3m", ms(181_000))]
fn a_stalled_stop_is_hung(#[case] hint: &str, #[case] at: Duration) {
    let mut bed = Bed::new(11);
    let h = bed.scripted("Svc", &[("hang", "stop"), ("wait-hint", hint)]);
    bed.m.start_service(h, &[]).expect("start");
    bed.until(secs(1));
    let s = bed.m.control_service(h, STOP).expect("STOP is delivered");
    assert_eq!(s.current_state, StopPending);
    bed.until(secs(1) + Duration::from_secs(180));
    let v = the_violation(&bed.m, Rule::HungStop);
    assert_eq!((v.service.as_str(), v.time), ("Svc", at));
    assert!(v.seen.starts_with("STOP_PENDING with checkpoint 1"));
    assert!(v.seen.ends_with("no progress since 1.000s"), "{}", v.seen);
    // Windows logs no event for a stop that hangs (it keeps waiting): only the oracle says so.
    let during: Vec<u32> = bed
        .m
        .events()
        .iter()
        .filter(|e| e.time > secs(1))
        .map(|e| e.id)
        .collect();
    assert_eq!(during, Vec::<u32>::new(), "no event after the STOP");
    assert_eq!(bed.state(h), StopPending);
    assert_eq!(rules(&bed.m), vec![Rule::HungStop]);
}

// ----- HangAction::EndTest --------------------------------------------------------------------

fn ending_bed() -> Bed {
    Bed::with_settings(
        13,
        Settings {
            hang_action: HangAction::EndTest,
            ..Settings::default()
        },
    )
}

#[test]
#[should_panic(
    expected = "test ended by a hang (HangAction::EndTest):\nviolation hung-start by Svc at 3.000s"
)]
fn end_test_panics_at_the_next_blocking_call() {
    let mut bed = ending_bed();
    let h = bed.scripted("Svc", &[("hang", "start"), ("wait-hint", "3s")]);
    bed.m.start_service(h, &[]).expect("start");
    bed.until(secs(10));
}

#[test]
fn end_test_reports_the_hang_with_its_replay_token() {
    let mut bed = ending_bed();
    let h = bed.scripted("Svc", &[("hang", "start"), ("wait-hint", "3s")]);
    bed.m.start_service(h, &[]).expect("start");
    // Before the hang, calls go through.
    bed.until(ms(2999));
    let token = bed.m.replay_token();
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| bed.until(secs(10))))
        .expect_err("the call during which the hang happened panics");
    let text = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        text.contains("violation hung-start by Svc at 3.000s"),
        "{text}"
    );
    assert!(text.contains(&token.to_string()), "{text}");
    assert!(text.contains("SCM_SIM_SEED=13"), "{text}");
    // The machine is still usable afterwards (the hang is reported once).
    assert_eq!(bed.state(h), StartPending);
    bed.until(secs(20));
    assert_eq!(rules(&bed.m), vec![Rule::HungStart]);
}

#[test]
fn end_test_ends_at_a_hung_handler() {
    let mut bed = ending_bed();
    let steps = vec![Step::Report(running()), Step::Forever];
    let h = bed.own(
        "Svc",
        reporter(steps, Answer::HangOn(ServiceControl::Interrogate)),
    );
    bed.m.start_service(h, &[]).expect("start");
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = bed.m.control_service(h, INTERROGATE);
    }))
    .expect_err("ControlService panics once the handler is declared hung");
    let text = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        text.contains("violation hung-handler by Svc at 30.000s"),
        "{text}"
    );
}

#[test]
fn leave_pending_is_the_default() {
    assert_eq!(Settings::default().hang_action, HangAction::LeavePending);
    let mut bed = Bed::new(1);
    let h = bed.scripted("Svc", &[("hang", "start")]);
    bed.m.start_service(h, &[]).expect("start");
    bed.until(secs(10));
    assert_eq!(rules(&bed.m), vec![Rule::HungStart]);
    // Windows leaves it pending, as a fresh handle shows.
    let h2 = bed
        .m
        .open_service(bed.scm, "Svc", SERVICE_ALL_ACCESS)
        .expect("open");
    assert_eq!(bed.state(h2), StartPending);
    assert_eq!(bed.state(h), StartPending);
}
