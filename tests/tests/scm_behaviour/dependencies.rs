//! A.9: dependencies and groups — started first, 1075, 1068, cycles (1059).

use super::*;

/// A.9.67, A.9.68, facts §3 (StartService 1068/1075): StartService starts what a service
/// depends on first (services, then groups by their members); it fails with 1075 for a
/// missing dependency, 1068 when one cannot start (event 7001 names it, 7002 for a group,
/// 7003 for a missing one), and the service itself then stays STOPPED.
#[rstest]
#[case::dependency_started_first("Dep", None, 0, &[])]
#[case::dependency_already_running("Dep", Some("running"), 0, &[])]
#[case::missing_dependency("Missing", None, 1075, &[7003])]
#[case::dependency_marked_for_delete("Dep", Some("deleted"), 1075, &[7003])]
#[case::disabled_dependency("Dep", Some("disabled"), 1068, &[7001])]
#[case::dependency_exits_before_connecting("Dep", Some("exit"), 1068, &[7001])]
#[case::dependency_never_connects("Dep", Some("hang"), 1068, &[7001])]
#[case::group_member_started_first("+Grp", None, 0, &[])]
#[case::group_with_a_disabled_member("+Grp", Some("disabled"), 1068, &[7002])]
#[case::empty_group("+EmptyGroup", None, 1068, &[7002])]
fn start_with_dependencies(
    #[case] dependency: &str,
    #[case] twist: Option<&str>,
    #[case] expected: u32,
    #[case] top_events: &[u32],
) {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    let mut dep = CreateServiceParams::own_process("Dep", r"C:\svc\dep.exe");
    dep.load_order_group = Some("Grp".into());
    if twist == Some("disabled") {
        dep.start_type = ServiceStartType::Disabled;
    }
    let dep = m.create_service(scm, &dep).unwrap();
    match twist {
        Some("running") => m.start_service(dep, &[]).unwrap(),
        Some("deleted") => m.delete_service(dep).unwrap(),
        Some("exit") => m.set_behavior("Dep", behavior(&[("exit", "before-connect")])),
        Some("hang") => m.set_behavior("Dep", behavior(&[("hang", "connect")])),
        _ => {}
    }
    let top = create_with_deps(&mut m, scm, "Top", &[dependency]);
    let r = m.start_service(top, &[]);
    assert_eq!(code(&r), expected, "{r:?}");
    let top_status = status(&mut m, top);
    let events: Vec<u32> = event_ids_after_install(&m, "Top")
        .into_iter()
        .filter(|&id| id != 7036)
        .collect();
    assert_eq!(events, top_events);
    if expected == 0 {
        assert_eq!(top_status.current_state, ServiceState::Running);
        assert_eq!(state(&mut m, dep), ServiceState::Running);
        assert!(
            trace_index(&m, "Dep", "RUNNING") < trace_index(&m, "Top", "START_PENDING"),
            "the dependency runs before the dependent starts"
        );
    } else {
        assert_eq!(top_status.current_state, ServiceState::Stopped);
        assert_eq!(top_status.process_id, 0);
        assert_eq!(top_status.win32_exit_code, 1077, "Top never started");
        assert!(
            m.trace()
                .for_service("Top")
                .all(|e| !matches!(e.kind, TraceKind::StateChanged { .. })),
            "Top never left STOPPED"
        );
        assert_eq!(state(&mut m, dep), ServiceState::Stopped);
    }
}

/// The 7001 text names the dependency and its error.
#[test]
fn dependency_failure_event_text() {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    let mut dep = CreateServiceParams::own_process("Dep", r"C:\svc\dep.exe");
    dep.start_type = ServiceStartType::Disabled;
    dep.display_name = Some("The Dependency".into());
    m.create_service(scm, &dep).unwrap();
    let top = create_with_deps(&mut m, scm, "Top", &["Dep"]);
    assert_eq!(code(&m.start_service(top, &[])), 1068);
    let e = m.events().into_iter().find(|e| e.id == 7001).unwrap();
    assert_eq!(
        e.message(),
        "The Top service depends on the The Dependency service which failed to start because of the following error: \nThe service cannot be started, either because it is disabled or because it has no enabled devices associated with it."
    );
}

/// A.9.68 (docs-only) 1059: a dependency cycle is refused at CreateService and at
/// ChangeServiceConfig; nothing changes.
#[rstest]
#[case::self_dependency("A", &["A"])]
#[case::two_cycle("B", &["A"])]
#[case::three_cycle("C", &["A"])]
#[case::self_dependency_other_case("A", &["a"])]
fn dependency_cycles_at_change_config(#[case] who: &str, #[case] deps: &[&str]) {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    // A → B → C.
    create_with_deps(&mut m, scm, "A", &["B"]);
    create_with_deps(&mut m, scm, "B", &["C"]);
    create_with_deps(&mut m, scm, "C", &[]);
    let h = m.open_service(scm, who, SERVICE_ALL_ACCESS).unwrap();
    let before = m.query_service_config(h).unwrap();
    let r = m.change_service_config(
        h,
        &ChangeConfigParams {
            dependencies: Some(deps.iter().map(|d| d.to_string()).collect()),
            ..ChangeConfigParams::default()
        },
    );
    assert_eq!(code(&r), 1059);
    assert_eq!(m.query_service_config(h).unwrap(), before);
}

#[rstest]
#[case::on_itself("Self", &["Self"])]
#[case::closing_a_chain("Z", &["X"])]
fn dependency_cycles_at_create(#[case] name: &str, #[case] deps: &[&str]) {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    // X → Y → Z (Z does not exist yet).
    create_with_deps(&mut m, scm, "X", &["Y"]);
    create_with_deps(&mut m, scm, "Y", &["Z"]);
    let mut p = CreateServiceParams::own_process(name, PATH);
    p.dependencies = deps.iter().map(|d| d.to_string()).collect();
    assert_eq!(code(&m.create_service(scm, &p)), 1059);
    assert_eq!(code(&m.open_service(scm, name, SERVICE_QUERY_STATUS)), 1060);
}

/// A.9.68: the dependent starts only when all its dependencies run. StartService waits for
/// them one after another; one found RUNNING first that crashes while a later one is still
/// starting must not be missed: the start fails (1068) and the dependent stays STOPPED.
#[test]
fn dependencies_are_all_running_when_the_dependent_starts() {
    let mut m = machine();
    let scm = admin_scm(&mut m);
    m.set_behavior("First", behavior(&[("crash", "after:2s")]));
    m.set_behavior("Second", behavior(&[("start-time", "5s")]));
    let first = create_with_deps(&mut m, scm, "First", &[]);
    create_with_deps(&mut m, scm, "Second", &[]);
    let top = create_with_deps(&mut m, scm, "Top", &["First", "Second"]);
    m.start_service(first, &[]).unwrap();
    let r = m.start_service(top, &[]);
    assert_eq!(
        state(&mut m, first),
        ServiceState::Stopped,
        "First crashed meanwhile"
    );
    assert_eq!(code(&r), 1068, "{r:?}");
    assert_eq!(state(&mut m, top), ServiceState::Stopped);
    assert!(
        state_changes(&m, "Top").is_empty(),
        "Top never left STOPPED"
    );
}
