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

/// A.11.76: one pending registration per handle (1242 for a second), one per handle on
/// several handles, cancelled when its handle closes; needs SERVICE_QUERY_STATUS.
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
    assert_eq!(
        code(&m.notify_service_status_change(h, NOTIFY_RUNNING)),
        1242
    );
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
    assert!(second.try_take().unwrap().is_some());
    // Fired: the handle may register again; the service is RUNNING, so it fires at once.
    let mut again = m.notify_service_status_change(h, NOTIFY_RUNNING).unwrap();
    assert!(again.try_take().unwrap().is_some());
}
