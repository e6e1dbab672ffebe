//! A.11.76: NotifyServiceStatusChange.

use super::*;

const NOTIFY_STOPPED: ServiceNotifyMask = ServiceNotifyMask::STOPPED;
const NOTIFY_START_PENDING: ServiceNotifyMask = ServiceNotifyMask::START_PENDING;
const NOTIFY_RUNNING: ServiceNotifyMask = ServiceNotifyMask::RUNNING;
const NOTIFY_PAUSED: ServiceNotifyMask = ServiceNotifyMask::PAUSED;

/// A.11.76: a registration fires at once when the service is already in a state of the mask,
/// otherwise at the next matching change, and only once.
#[rstest]
#[case::already_stopped(NOTIFY_STOPPED, false, Some(ServiceState::Stopped))]
#[case::already_one_of_several(NOTIFY_STOPPED | NOTIFY_RUNNING, false, Some(ServiceState::Stopped))]
#[case::on_start_pending(NOTIFY_START_PENDING, true, Some(ServiceState::StartPending))]
#[case::on_running(NOTIFY_RUNNING, true, Some(ServiceState::Running))]
#[case::running_or_paused(NOTIFY_RUNNING | NOTIFY_PAUSED, true, Some(ServiceState::Running))]
#[case::paused_never_reached(NOTIFY_PAUSED, true, None)]
fn notify_service_status_change(
    #[case] mask: ServiceNotifyMask,
    #[case] start: bool,
    #[case] fires: Option<ServiceState>,
) {
    let mut m = machine();
    let probe = Probe::default();
    let h = install_own(&mut m, "Watched", PUPPET, puppet(&probe, None));
    let mut n = m.notify_service_status_change(h, mask).unwrap();
    if start {
        assert_eq!(n.try_take().unwrap(), None, "nothing yet");
        m.start_service(h, &[]).unwrap();
        report(&mut m, &probe.status(), ServiceStatus::running(STOP)).unwrap();
    }
    match fires {
        Some(s) => {
            let got = n.try_take().unwrap().expect("fired");
            assert_eq!(got.triggered, s.notify_bit());
            assert_eq!(got.status.current_state, s);
            if s == ServiceState::Stopped {
                assert_eq!(got.status.win32_exit_code, 1077);
                assert_eq!(got.status.process_id, 0);
            }
        }
        None => assert_eq!(n.try_take().unwrap(), None),
    }
    if fires.is_some() {
        // Fired once: later matching changes deliver nothing more to this registration.
        if !start {
            m.start_service(h, &[]).unwrap();
        }
        let sh = probe.status();
        for s in [
            ServiceStatus::running(STOP),
            in_state(ServiceState::Paused, STOP),
            ServiceStatus::running(STOP),
            ServiceStatus::stopped(ServiceExitCode::NO_ERROR),
        ] {
            report(&mut m, &sh, s).unwrap();
            assert!(matches!(n.try_take(), Ok(None) | Err(_)));
        }
    }
}

/// A.11.76: a second registration on a handle while one is pending is accepted and fires
/// too (Windows 8 and later; Windows 7 gave 1242 ERROR_ALREADY_REGISTERED); registrations on
/// several handles; cancelled when the handle closes; needs SERVICE_QUERY_STATUS. A state
/// already reported to a handle is not reported to it again: a new registration waits for the
/// next change (Wine's `test_servicenotify`, which runs on Windows).
#[test]
fn notify_registrations_per_handle() {
    let mut m = machine();
    let probe = Probe::default();
    let h = install_own(&mut m, "Watched", PUPPET, puppet(&probe, None));
    let scm = admin_scm(&mut m);
    let h2 = m
        .open_service(scm, "Watched", SERVICE_QUERY_STATUS)
        .unwrap();
    let h3 = m
        .open_service(scm, "Watched", SERVICE_QUERY_STATUS)
        .unwrap();
    let no_query = m
        .open_service(scm, "Watched", SERVICE_ALL_ACCESS & !SERVICE_QUERY_STATUS)
        .unwrap();
    assert_eq!(
        code(&m.notify_service_status_change(no_query, NOTIFY_RUNNING)),
        5
    );
    let mut first = m.notify_service_status_change(h, NOTIFY_RUNNING).unwrap();
    let mut also = m.notify_service_status_change(h, NOTIFY_RUNNING).unwrap();
    let mut second = m.notify_service_status_change(h2, NOTIFY_RUNNING).unwrap();
    let mut cancelled = m.notify_service_status_change(h3, NOTIFY_RUNNING).unwrap();
    m.close_service_handle(h3).unwrap();
    assert_eq!(
        code(&cancelled.try_take()),
        6,
        "cancelled by CloseServiceHandle"
    );
    m.start_service(h, &[]).unwrap();
    report(&mut m, &probe.status(), ServiceStatus::running(STOP)).unwrap();
    assert!(first.try_take().unwrap().is_some());
    assert!(also.try_take().unwrap().is_some());
    assert!(second.try_take().unwrap().is_some());
    // RUNNING was reported to h: a new registration on h waits for the next change ...
    let mut again = m.notify_service_status_change(h, NOTIFY_RUNNING).unwrap();
    assert_eq!(
        again.try_take().unwrap(),
        None,
        "RUNNING was already reported to h"
    );
    // ... while a handle that was never told fires at once.
    let h4 = m
        .open_service(scm, "Watched", SERVICE_QUERY_STATUS)
        .unwrap();
    let mut fresh = m.notify_service_status_change(h4, NOTIFY_RUNNING).unwrap();
    assert!(fresh.try_take().unwrap().is_some());
    // The service leaves RUNNING and comes back: h's registration fires on that change.
    let sh = probe.status();
    report(&mut m, &sh, in_state(ServiceState::Paused, STOP)).unwrap();
    assert_eq!(again.try_take().unwrap(), None, "PAUSED is not in the mask");
    report(&mut m, &sh, ServiceStatus::running(STOP)).unwrap();
    let got = again
        .try_take()
        .unwrap()
        .expect("fired on the return to RUNNING");
    assert_eq!(got.status.current_state, ServiceState::Running);
}
