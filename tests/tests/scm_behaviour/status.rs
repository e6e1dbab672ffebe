//! A.6: SetServiceStatus validation and the status record.

use super::*;

fn raw(state: u32, service_type: u32, accept: u32) -> RawServiceStatus {
    RawServiceStatus {
        service_type,
        current_state: state,
        controls_accepted: accept,
        win32_exit_code: 0,
        service_specific_exit_code: 0,
        checkpoint: 0,
        wait_hint_ms: 0,
    }
}

/// A.6.47, A.6.48: what SetServiceStatus validates (13) and what it ignores. A refused
/// report changes nothing; an accepted one reads back with the configured type.
#[rstest]
#[case::state_0(raw(0, 0x10, 1), 13)]
#[case::state_8(raw(8, 0x10, 1), 13)]
#[case::state_huge(raw(0xFFFF_FFFF, 0x10, 1), 13)]
#[case::accept_bit_0x8000(raw(4, 0x10, 0x8000), 13)]
#[case::accept_bit_0x10000(raw(4, 0x10, 0x1_0000), 13)]
#[case::type_driver_and_win32(raw(4, 0x11, 1), 13)]
#[case::type_none(raw(4, 0, 1), 13)]
#[case::type_high_bits(raw(4, 0x1010, 1), 13)]
#[case::type_share_reported_by_own_service(raw(4, 0x20, 1), 0)]
#[case::type_win32_both_bits(raw(4, 0x30, 1), 0)]
#[case::type_interactive_bit(raw(4, 0x110, 1), 0)]
#[case::every_defined_accept_bit(raw(4, 0x10, 0x6FFF), 0)]
#[case::preshutdown_and_triggerevent_bits(raw(4, 0x10, 0x501), 0)]
fn set_service_status_validation(#[case] report: RawServiceStatus, #[case] expected: u32) {
    let (mut m, h, probe) = started_puppet(Some(pending(ServiceState::StartPending, NONE)));
    let before = status(&mut m, h);
    let r = report_raw(&mut m, &probe.status(), report);
    assert_eq!(code(&r), expected, "{report:?}: {r:?}");
    let after = status(&mut m, h);
    if expected != 0 {
        assert_eq!(after, before, "a refused report changes nothing");
    } else {
        assert_eq!(after.current_state, ServiceState::Running);
        assert_eq!(after.controls_accepted.bits(), report.controls_accepted);
        assert_eq!(
            after.service_type,
            ServiceType::OWN_PROCESS,
            "the reported type is ignored"
        );
    }
}

/// A.6.49, A.6.50, A.6.51: checkpoint and wait hint read back as reported in pending
/// states and as 0 otherwise; STOPPED also clears the accepted controls and the pid and
/// keeps the exit codes (the service-specific one with 1066).
#[rstest]
#[case::start_pending(ServiceState::StartPending, 0, 0, 3, 7000)]
#[case::stop_pending(ServiceState::StopPending, 0, 0, 4, 9000)]
#[case::pause_pending(ServiceState::PausePending, 0, 0, 5, 1000)]
#[case::continue_pending(ServiceState::ContinuePending, 0, 0, 6, 1)]
#[case::running(ServiceState::Running, 0, 0, 0, 0)]
#[case::paused(ServiceState::Paused, 0, 0, 0, 0)]
#[case::stopped(ServiceState::Stopped, 0, 0, 0, 0)]
#[case::stopped_win32_error(ServiceState::Stopped, 5, 0, 0, 0)]
#[case::stopped_service_specific(ServiceState::Stopped, 1066, 42, 0, 0)]
fn status_record_read_back(
    #[case] state_: ServiceState,
    #[case] win32: u32,
    #[case] specific: u32,
    #[case] checkpoint: u32,
    #[case] wait_hint: u32,
) {
    let (mut m, h, probe) = started_puppet(None);
    let pid = status(&mut m, h).process_id;
    let reported = RawServiceStatus {
        service_type: 0x10,
        current_state: state_.to_raw(),
        controls_accepted: 0x3,
        win32_exit_code: win32,
        service_specific_exit_code: specific,
        checkpoint: 3 + checkpoint,
        wait_hint_ms: 10_000 + wait_hint,
    };
    report_raw(&mut m, &probe.status(), reported).unwrap();
    let s = status(&mut m, h);
    assert_eq!(s.current_state, state_);
    assert_eq!(s.service_flags, 0, "A.7.55: not hosted in a system process");
    assert_eq!(s.win32_exit_code, win32);
    assert_eq!(s.service_specific_exit_code, specific);
    if state_.is_pending() {
        assert_eq!(s.checkpoint, reported.checkpoint);
        assert_eq!(s.wait_hint_ms, reported.wait_hint_ms);
    } else {
        assert_eq!(
            (s.checkpoint, s.wait_hint_ms),
            (0, 0),
            "zeroed outside pending"
        );
    }
    if state_ == ServiceState::Stopped {
        assert_eq!(s.process_id, 0);
        assert_eq!(s.controls_accepted, NONE);
        let expected_events: &[u32] = match win32 {
            0 => &[7036],
            1066 => &[7036, 7024],
            _ => &[7036, 7023],
        };
        assert_eq!(event_ids_after_install(&m, "Puppet"), expected_events);
    } else {
        assert_eq!(s.process_id, pid);
        assert_eq!(s.controls_accepted.bits(), 0x3);
    }
}

/// A.6.50: ServiceMain returning without reporting STOPPED changes nothing: the service
/// stays RUNNING, its process alive, and a later STOP (answered by the handler) works.
#[test]
fn service_main_returning_leaves_the_service_running() {
    let mut m = machine();
    let h = install_own(&mut m, "NoStop", PATH, well_behaved(STOP));
    m.start_service(h, &[]).unwrap();
    m.advance(Duration::from_secs(60));
    let s = status(&mut m, h);
    assert_eq!(s.current_state, ServiceState::Running);
    assert!(m
        .processes()
        .iter()
        .any(|(pid, _, names)| *pid == s.process_id && names == &["NoStop".to_string()]));
    let returned = m
        .trace()
        .entries()
        .iter()
        .any(|e| matches!(&e.kind, TraceKind::Note { text } if text.text().starts_with("ServiceMain of NoStop")));
    assert!(returned, "the trace shows ServiceMain returned");
    let s = m.control_service(h, ServiceControl::Stop).unwrap();
    assert_eq!(s.current_state, ServiceState::Stopped);
    assert_eq!(s.process_id, 0);
    assert!(
        m.processes().is_empty(),
        "the process exits with its last service"
    );
}

/// A.6.50 / facts §1.2: after STOPPED the status handle is closed: a further report is 6
/// and changes nothing; so is a report through the handle of an earlier start.
#[rstest]
#[case::running_after_stopped(ServiceStatus::running(STOP))]
#[case::stopped_twice(ServiceStatus::stopped(ServiceExitCode::Win32(5)))]
fn reports_after_stopped_are_invalid_handle(#[case] late: ServiceStatus) {
    let (mut m, h, probe) = started_puppet(Some(ServiceStatus::running(STOP)));
    let sh = probe.status();
    report(
        &mut m,
        &sh,
        ServiceStatus::stopped(ServiceExitCode::NO_ERROR),
    )
    .unwrap();
    assert_eq!(code(&report(&mut m, &sh, late)), 6);
    let s = status(&mut m, h);
    assert_eq!(s.current_state, ServiceState::Stopped);
    assert_eq!(s.win32_exit_code, 0);

    // Started again (the puppet reports RUNNING): the old handle stays dead, the new one
    // works.
    m.start_service(h, &[]).unwrap();
    assert_eq!(state(&mut m, h), ServiceState::Running);
    let stop_pending = pending(ServiceState::StopPending, NONE);
    assert_eq!(code(&report(&mut m, &sh, stop_pending)), 6);
    assert_eq!(state(&mut m, h), ServiceState::Running);
    report(&mut m, &probe.status(), stop_pending).unwrap();
    assert_eq!(state(&mut m, h), ServiceState::StopPending);
}
