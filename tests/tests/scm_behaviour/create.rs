//! A.2: CreateService's checks in Windows' order, DeleteService's access check, tags.

use super::*;

#[derive(Debug, Clone, Copy)]
enum Scm {
    Admin,
    ConnectOnly,
    StandardUser,
    Closed,
}

/// The arguments as a C caller passes them: the undefined codes of the rows below (start
/// type 6, error control 4) fail at the edge conversion with the 87 Windows gives.
type P = RawCreateParams;
type Edit = fn(&mut P);

/// A.2.10–A.2.18: CreateService's checks in Windows' order. The machine holds `Existing`
/// (display name "Existing Service", depending on the not-yet-created `Loop`) and `Doomed`
/// (marked for delete, a handle still open). Failing rows leave no new service behind and
/// `Existing` untouched; succeeding rows leave a STOPPED, never-started service.
#[rstest]
#[case::no_create_right(Scm::ConnectOnly, |_: &mut P| {}, 5)]
#[case::no_create_right_before_empty_name(Scm::ConnectOnly, |p: &mut P| p.name.clear(), 5)]
#[case::no_create_right_before_empty_path(Scm::ConnectOnly, |p: &mut P| p.binary_path.clear(), 5)]
#[case::standard_user(Scm::StandardUser, |_: &mut P| {}, 5)]
#[case::closed_scm_handle(Scm::Closed, |_: &mut P| {}, 6)]
#[case::empty_name(Scm::Admin, |p: &mut P| p.name.clear(), 123)]
#[case::empty_name_and_path(Scm::Admin, |p: &mut P| { p.name.clear(); p.binary_path.clear() }, 123)]
#[case::slash_in_name(Scm::Admin, |p: &mut P| p.name = "New/One".into(), 123)]
#[case::backslash_in_name(Scm::Admin, |p: &mut P| p.name = r"New\One".into(), 123)]
#[case::empty_path(Scm::Admin, |p: &mut P| p.binary_path.clear(), 87)]
#[case::own_and_share(Scm::Admin, |p: &mut P| p.service_type = 0x30, 87)]
#[case::fs_driver_interactive(Scm::Admin, |p: &mut P| p.service_type = 0x102, 87)]
#[case::kernel_and_fs_driver(Scm::Admin, |p: &mut P| p.service_type = 0x3, 87)]
#[case::start_type_6(Scm::Admin, |p: &mut P| p.start_type = 6, 87)]
#[case::own_process_boot_start(Scm::Admin, |p: &mut P| p.start_type = 0, 87)]
#[case::own_process_system_start(Scm::Admin, |p: &mut P| p.start_type = 1, 87)]
#[case::interactive_not_local_system(
    Scm::Admin,
    |p: &mut P| { p.service_type = 0x110; p.account = Some(r".\bob".into()) },
    87
)]
#[case::error_control_4(Scm::Admin, |p: &mut P| p.error_control = 4, 87)]
#[case::tag_without_group_before_duplicate(
    Scm::Admin,
    |p: &mut P| { p.name = "Existing".into(); p.want_tag = true },
    87
)]
#[case::tag_with_empty_group(
    Scm::Admin,
    |p: &mut P| { p.want_tag = true; p.load_order_group = Some(String::new()) },
    87
)]
#[case::duplicate(Scm::Admin, |p: &mut P| p.name = "Existing".into(), 1073)]
#[case::duplicate_other_case(Scm::Admin, |p: &mut P| p.name = "EXISTING".into(), 1073)]
#[case::duplicate_marked_for_delete(Scm::Admin, |p: &mut P| p.name = "Doomed".into(), 1072)]
#[case::display_name_is_another_key_name(
    Scm::Admin,
    |p: &mut P| p.display_name = Some("existing".into()),
    1078
)]
#[case::dependency_cycle(Scm::Admin, |p: &mut P| { p.name = "Loop".into(); p.dependencies = vec!["Existing".into()] }, 1059)]
#[case::valid(Scm::Admin, |_: &mut P| {}, 0)]
#[case::display_name_equal_to_another_display_name(
    Scm::Admin,
    |p: &mut P| p.display_name = Some("Existing Service".into()),
    0
)]
#[case::access_0(Scm::Admin, |p: &mut P| p.desired_access = ServiceAccess::empty(), 0)]
#[case::missing_dependencies_accepted(
    Scm::Admin,
    |p: &mut P| p.dependencies = vec!["Master1".into(), "Master2".into(), "+MasterGroup1".into()],
    0
)]
#[case::tag_with_group(
    Scm::Admin,
    |p: &mut P| { p.want_tag = true; p.load_order_group = Some("TagGroup".into()) },
    0
)]
#[case::share_process(Scm::Admin, |p: &mut P| p.service_type = 0x20, 0)]
#[case::interactive_local_system(Scm::Admin, |p: &mut P| p.service_type = 0x110, 0)]
#[case::kernel_driver_boot_start(Scm::Admin, |p: &mut P| { p.service_type = 0x1; p.start_type = 0 }, 0)]
fn create_service_checks(#[case] which: Scm, #[case] edit: Edit, #[case] expected: u32) {
    let mut m = machine();
    let admin = admin_scm(&mut m);
    let mut existing = CreateServiceParams::own_process("Existing", PATH);
    existing.display_name = Some("Existing Service".into());
    existing.dependencies = vec!["Loop".into()];
    let existing_h = m.create_service(admin, &existing).unwrap();
    let doomed = create_own(&mut m, admin, "Doomed", PATH);
    m.delete_service(doomed).unwrap();
    let scm = match which {
        Scm::Admin => admin,
        Scm::ConnectOnly => m.open_sc_manager(SC_MANAGER_CONNECT).unwrap(),
        Scm::StandardUser => {
            m.set_caller(Caller::standard_user("alice", "S-1-5-21-1-2-3-1001"));
            assert_eq!(
                code(&m.open_sc_manager(SC_MANAGER_ALL_ACCESS)),
                5,
                "a standard user is not granted CREATE_SERVICE"
            );
            m.open_sc_manager(SC_MANAGER_CONNECT | SC_MANAGER_ENUMERATE_SERVICE)
                .unwrap()
        }
        Scm::Closed => {
            let h = admin_scm(&mut m);
            m.close_service_handle(h).unwrap();
            h
        }
    };
    let mut p = RawCreateParams::new(CreateServiceParams::own_process("New", PATH));
    edit(&mut p);
    let r = create_raw(&mut m, scm, &p);
    assert_eq!(code(&r), expected, "{which:?} {p:?}: {r:?}");

    // `Existing` is untouched whatever happened.
    let cfg = m.query_service_config(existing_h).unwrap();
    assert_eq!(cfg.display_name, "Existing Service");
    assert_eq!(cfg.binary_path_name, PATH);
    assert_eq!(state(&mut m, existing_h), ServiceState::Stopped);

    let new_key_is_fresh = !["existing", "doomed"].contains(&p.name.to_ascii_lowercase().as_str());
    match r {
        Err(_) => {
            if new_key_is_fresh && !p.name.is_empty() && !p.name.contains(['/', '\\']) {
                assert_eq!(
                    code(&m.open_service(admin, &p.name, SERVICE_QUERY_STATUS)),
                    1060,
                    "a failed CreateService leaves nothing behind"
                );
            }
        }
        Ok(h) => {
            let reopened = m.open_service(admin, &p.name, SERVICE_ALL_ACCESS).unwrap();
            let s = status(&mut m, reopened);
            assert_eq!(s.current_state, ServiceState::Stopped);
            assert_eq!(s.process_id, 0);
            assert_eq!(s.win32_exit_code, 1077);
            assert_eq!(s.controls_accepted, ServiceControlAccept::empty());
            let cfg = m.query_service_config(reopened).unwrap();
            // A.2.19: defaults CreateService writes.
            assert_eq!(cfg.service_start_name, "LocalSystem");
            assert_eq!(cfg.service_type.to_raw(), p.service_type);
            assert_eq!(cfg.dependencies, p.dependencies);
            if p.want_tag {
                assert_ne!(cfg.tag_id, 0, "A.2.17: a tag is assigned in the group");
                assert_eq!(cfg.load_order_group, "TagGroup");
            } else {
                assert_eq!(cfg.load_order_group, "");
            }
            if p.desired_access.is_empty() {
                assert_eq!(code(&m.query_service_status(h)), 5);
            }
        }
    }
}

/// A.2.14 and A.2.20: a handle created with access 0 cannot delete; reopened with DELETE it
/// can, once; DeleteService needs DELETE.
#[rstest]
#[case::access_0_handle(ServiceAccess::empty(), 5)]
#[case::all_but_delete(SERVICE_ALL_ACCESS & !DELETE, 5)]
#[case::delete_only(DELETE, 0)]
fn delete_needs_delete_access(#[case] access: ServiceAccess, #[case] expected: u32) {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    let mut p = CreateServiceParams::own_process("Svc", PATH);
    p.desired_access = ServiceAccess::empty();
    let zero = m.create_service(scm, &p).unwrap();
    assert_eq!(code(&m.delete_service(zero)), 5);
    let h = m.open_service(scm, "Svc", access).unwrap();
    assert_eq!(code(&m.delete_service(h)), expected);
    let probe = m.open_service(scm, "Svc", DELETE).unwrap();
    let second = m.delete_service(probe);
    // The first successful delete marks it; a second one says so (A.2.20).
    assert_eq!(code(&second), if expected == 0 { 1072 } else { 0 });
}

/// A.2.17: tags in a group are distinct and non-zero, written as `Tag`.
#[test]
fn tags_are_distinct_in_a_group() {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    let mut tags = Vec::new();
    for name in ["T1", "T2", "T3"] {
        let mut p = CreateServiceParams::own_process(name, PATH);
        p.load_order_group = Some("Grp".into());
        p.want_tag = true;
        let h = m.create_service(scm, &p).unwrap();
        let tag = m.query_service_config(h).unwrap().tag_id;
        let key = ServiceKey::read(&m.registry(), &Caller::local_system(), name).unwrap();
        assert_eq!(key.tag, Some(tag));
        tags.push(tag);
    }
    tags.sort_unstable();
    tags.dedup();
    assert_eq!(tags.len(), 3);
    assert!(!tags.contains(&0));
}
