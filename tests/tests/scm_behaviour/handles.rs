//! A.1: OpenSCManager, OpenService and the lifetime of handles.

use super::*;

#[derive(Debug, Clone, Copy)]
enum OpenCase {
    KnownName,
    KnownNameOtherCase,
    UnknownName,
    ByDisplayName,
    EmptyName,
    NameWithBackslash,
    ClosedScmHandle,
    ServiceHandleAsScm,
    ConnectOnlyScmForWrite,
}

/// A.1.5, A.1.6, A.1.7: OpenService.
#[rstest]
#[case::known_name(OpenCase::KnownName, 0)]
#[case::case_insensitive(OpenCase::KnownNameOtherCase, 0)]
#[case::unknown_name(OpenCase::UnknownName, 1060)]
#[case::display_name_is_not_a_key(OpenCase::ByDisplayName, 1060)]
#[case::empty_name(OpenCase::EmptyName, 123)]
#[case::backslash_in_name(OpenCase::NameWithBackslash, 123)]
#[case::closed_scm_handle(OpenCase::ClosedScmHandle, 6)]
#[case::service_handle_is_no_scm_handle(OpenCase::ServiceHandleAsScm, 6)]
#[case::connect_only_scm_opens_for_write(OpenCase::ConnectOnlyScmForWrite, 0)]
fn open_service(#[case] case: OpenCase, #[case] expected: u32) {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    let mut p = CreateServiceParams::own_process("Known", PATH);
    p.display_name = Some("Known Display".into());
    let created = m.create_service(scm, &p).unwrap();
    let (scm_used, name, access) = match case {
        OpenCase::KnownName => (scm, "Known", SERVICE_ALL_ACCESS),
        OpenCase::KnownNameOtherCase => (scm, "kNOWN", SERVICE_QUERY_STATUS),
        OpenCase::UnknownName => (scm, "Unknown", SERVICE_QUERY_STATUS),
        OpenCase::ByDisplayName => (scm, "Known Display", SERVICE_QUERY_STATUS),
        OpenCase::EmptyName => (scm, "", SERVICE_QUERY_STATUS),
        OpenCase::NameWithBackslash => (scm, r"Kno\wn", SERVICE_QUERY_STATUS),
        OpenCase::ClosedScmHandle => {
            let other = admin_scm(&mut m);
            m.close_service_handle(other).unwrap();
            (other, "Known", SERVICE_QUERY_STATUS)
        }
        OpenCase::ServiceHandleAsScm => (created, "Known", SERVICE_QUERY_STATUS),
        OpenCase::ConnectOnlyScmForWrite => {
            let connect = m.open_sc_manager(SC_MANAGER_CONNECT).unwrap();
            (connect, "Known", GENERIC_WRITE)
        }
    };
    let r = m.open_service(scm_used, name, access);
    assert_eq!(code(&r), expected, "{case:?}: {r:?}");
    if let Ok(h) = r {
        if access.contains(SERVICE_QUERY_STATUS) {
            let s = status(&mut m, h);
            assert_eq!(s.current_state, ServiceState::Stopped);
            assert_eq!(s.process_id, 0);
            assert_eq!(s.win32_exit_code, 1077, "never started (A.4.34)");
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum HandleCase {
    QueryAfterClose,
    CloseTwice,
    ServiceHandleOutlivesScmHandle,
    ScmHandleAccessZero,
    ScmHandleConnectOnly,
    QueryWithoutQueryStatus,
    QueryWithQueryStatusOnly,
    QueryScmHandleAsService,
}

/// A.1.1, A.1.3, A.1.8, A.1.9: handle lifetime; A.7.54: QueryServiceStatus's checks.
#[rstest]
#[case::query_after_close(HandleCase::QueryAfterClose, 6)]
#[case::close_twice(HandleCase::CloseTwice, 6)]
#[case::service_handle_outlives_scm_handle(HandleCase::ServiceHandleOutlivesScmHandle, 0)]
#[case::open_scm_with_access_0(HandleCase::ScmHandleAccessZero, 0)]
#[case::open_scm_connect_only(HandleCase::ScmHandleConnectOnly, 0)]
#[case::query_without_query_status(HandleCase::QueryWithoutQueryStatus, 5)]
#[case::query_with_query_status_only(HandleCase::QueryWithQueryStatusOnly, 0)]
#[case::query_with_an_scm_handle(HandleCase::QueryScmHandleAsService, 6)]
fn handle_lifetime(#[case] case: HandleCase, #[case] expected: u32) {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    let h = create_own(&mut m, scm, "Svc", PATH);
    let r: Result<(), Win32Error> = match case {
        HandleCase::QueryAfterClose => {
            m.close_service_handle(h).unwrap();
            m.query_service_status(h).map(|_| ())
        }
        HandleCase::CloseTwice => {
            m.close_service_handle(h).unwrap();
            m.close_service_handle(h)
        }
        HandleCase::ServiceHandleOutlivesScmHandle => {
            m.close_service_handle(scm).unwrap();
            m.start_service(h, &[])
                .and_then(|_| m.query_service_status(h).map(|_| ()))
        }
        HandleCase::ScmHandleAccessZero => m.open_sc_manager(ScmAccess::empty()).map(|_| ()),
        HandleCase::ScmHandleConnectOnly => m.open_sc_manager(SC_MANAGER_CONNECT).map(|_| ()),
        HandleCase::QueryWithoutQueryStatus => {
            let limited = m
                .open_service(scm, "Svc", SERVICE_ALL_ACCESS & !SERVICE_QUERY_STATUS)
                .unwrap();
            m.query_service_status(limited).map(|_| ())
        }
        HandleCase::QueryWithQueryStatusOnly => {
            let limited = m.open_service(scm, "Svc", SERVICE_QUERY_STATUS).unwrap();
            m.query_service_status(limited).map(|_| ())
        }
        HandleCase::QueryScmHandleAsService => m.query_service_status(scm).map(|_| ()),
    };
    assert_eq!(code(&r), expected, "{case:?}: {r:?}");
    if let HandleCase::ServiceHandleOutlivesScmHandle = case {
        assert_eq!(state(&mut m, h), ServiceState::Running);
        assert_ne!(status(&mut m, h).process_id, 0);
    }
}
