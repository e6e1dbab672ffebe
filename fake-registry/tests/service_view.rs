//! The typed service view and the svchost table, on the Windows 10 fixture and on hand-built
//! keys. Counts come from fixtures/README.md.

use std::sync::OnceLock;

use fake_registry::service::{
    service_key_path, service_names, subtypes, DllLoadProblem, FailureActions, Guid, ParamLocation,
    ParamValue, ScAction, ScActionKind, ServiceKey, ServiceKeyError, ServiceParameters, Trigger,
    TriggerAction, TriggerDataItem, TriggerDataType, TriggerType,
};
use fake_registry::svchost::{
    SvchostCommandLine, SvchostCommandLineError, SvchostError, SvchostGroupSettings, SvchostTable,
    SVCHOST_KEY,
};
use fake_registry::{Caller, RegValue, Registry, ValueType};
use rstest::rstest;

fn sys() -> Caller {
    Caller::local_system()
}

/// The fixture, imported once per test binary and cloned per test.
fn fixture() -> Registry {
    static FIXTURE: OnceLock<Registry> = OnceLock::new();
    FIXTURE
        .get_or_init(|| {
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../scm-sim/images/windows10-services.reg"
            );
            let bytes = std::fs::read(path).expect("fixture present");
            let mut reg = Registry::new();
            fake_registry::regfile::import(&mut reg, &sys(), &bytes).expect("fixture imports");
            reg
        })
        .clone()
}

fn fixture_services() -> Vec<(String, ServiceKey)> {
    let reg = fixture();
    service_names(&reg, &sys())
        .into_iter()
        .map(|name| {
            let svc = ServiceKey::read(&reg, &sys(), &name)
                .unwrap_or_else(|e| panic!("{name} does not read: {e}"));
            (name, svc)
        })
        .collect()
}

fn count(services: &[(String, ServiceKey)], f: impl Fn(&ServiceKey) -> bool) -> usize {
    services.iter().filter(|(_, s)| f(s)).count()
}

#[test]
fn every_fixture_service_reads_and_the_counts_match_the_readme() {
    let all = fixture_services();
    assert_eq!(all.len(), 230);
    assert_eq!(count(&all, |s| s.service_type == 0x10), 46);
    assert_eq!(count(&all, |s| s.service_type == 0x20), 181);
    assert_eq!(
        count(&all, |s| s.service_type == 0x110 || s.service_type == 0x120),
        3
    );
    assert_eq!(count(&all, |s| s.start == 2), 57);
    assert_eq!(count(&all, ServiceKey::is_delayed_auto_start), 8);
    assert_eq!(count(&all, |s| s.delayed_autostart == Some(true)), 12);
    assert_eq!(count(&all, |s| s.start == 3), 166);
    assert_eq!(count(&all, |s| s.start == 4), 7);
    assert_eq!(count(&all, |s| !s.triggers.is_empty()), 88);
    let trigger_entries: usize = all.iter().map(|(_, s)| s.triggers.len()).sum();
    assert_eq!(trigger_entries, 178);
    assert_eq!(count(&all, |s| s.failure_actions.is_some()), 179);
    assert_eq!(count(&all, |s| !s.depend_on_service.is_empty()), 162);
    assert_eq!(count(&all, |s| !s.depend_on_group.is_empty()), 1);
    assert_eq!(
        count(&all, |s| s
            .parameters
            .service_dll
            .as_ref()
            .is_some_and(|d| d.location == ParamLocation::Parameters)),
        191
    );
    let remote = &all.iter().find(|(n, _)| n == "RemoteAccess").unwrap().1;
    assert_eq!(remote.depend_on_group, ["NetBIOSGroup"]);
}

#[test]
fn failure_actions_re_encode_to_the_fixture_bytes() {
    let reg = fixture();
    let mut checked = 0;
    for (name, svc) in fixture_services() {
        let Some(fa) = &svc.failure_actions else {
            continue;
        };
        let stored = reg
            .open_key(&sys(), &service_key_path(&name))
            .unwrap()
            .value("FailureActions")
            .unwrap()
            .bytes()
            .to_vec();
        assert_eq!(fa.encode(), stored, "{name}");
        checked += 1;
    }
    assert_eq!(checked, 179);
}

#[test]
fn term_service_failure_actions() {
    let svc = ServiceKey::read(&fixture(), &sys(), "TermService").unwrap();
    let fa = svc.failure_actions.unwrap();
    assert_eq!(fa.reset_period, 86_400);
    assert_eq!(fa.actions_offset, 20);
    assert!(!fa.never_resets());
    assert_eq!(
        fa.actions,
        [
            ScAction::new(ScActionKind::Restart, 60_000),
            ScAction::new(ScActionKind::Restart, 60_000),
            ScAction::new(ScActionKind::None, 60_000),
        ]
    );
    assert_eq!(svc.depend_on_service, ["RPCSS"]);
    assert_eq!(
        svc.object_name.as_deref(),
        Some(r"NT Authority\NetworkService")
    );
}

#[test]
fn wuauserv_has_two_group_policy_triggers_spelled_guid() {
    let svc = ServiceKey::read(&fixture(), &sys(), "wuauserv").unwrap();
    assert_eq!(
        svc.triggers,
        [
            Trigger::new(TriggerType::GROUP_POLICY, TriggerAction::Start)
                .with_subtype(subtypes::MACHINE_POLICY_PRESENT),
            Trigger::new(TriggerType::GROUP_POLICY, TriggerAction::Start)
                .with_subtype(subtypes::USER_POLICY_PRESENT),
        ]
    );
    assert_eq!(
        svc.triggers[0].subtype.unwrap().to_string(),
        "659FCAE6-5BDB-4DA9-B1FF-CA2A178D46E0"
    );
}

/// SgrmBroker is not in this fixture; ClipSVC has the same kind of RPC-interface trigger.
#[test]
fn clipsvc_rpc_trigger_data_and_custom_state_triggers() {
    let svc = ServiceKey::read(&fixture(), &sys(), "ClipSVC").unwrap();
    assert_eq!(svc.triggers.len(), 7);
    let rpc = &svc.triggers[0];
    assert_eq!(rpc.trigger_type, TriggerType::NETWORK_ENDPOINT);
    assert_eq!(rpc.subtype, Some(subtypes::RPC_INTERFACE_EVENT));
    assert_eq!(rpc.data.len(), 1);
    assert_eq!(rpc.data[0].data_type, TriggerDataType::String);
    assert_eq!(
        rpc.data[0].strings().unwrap(),
        ["64D1D045-F675-460B-8A94-570246B36DAB"]
    );
    let state = &svc.triggers[1];
    assert_eq!(state.trigger_type, TriggerType::CUSTOM_SYSTEM_STATE_CHANGE);
    assert_eq!(
        state.subtype,
        Some(subtypes::CUSTOM_SYSTEM_STATE_CHANGE_EVENT)
    );
    assert_eq!(state.data[0].data_type, TriggerDataType::Binary);
    assert_eq!(
        state.data[0].data,
        [0x75, 0x08, 0xbc, 0xa3, 0x21, 0x07, 0x85, 0x41]
    );
    assert_eq!(state.data[0].strings(), None);
}

#[test]
fn ajrouter_named_pipe_trigger() {
    let svc = ServiceKey::read(&fixture(), &sys(), "AJRouter").unwrap();
    let expected = Trigger::new(TriggerType::NETWORK_ENDPOINT, TriggerAction::Start)
        .with_subtype(subtypes::NAMED_PIPE_EVENT)
        .with_data(TriggerDataItem::string(
            r"ProtectedPrefix\LocalService\MSAJPipe",
        ));
    assert_eq!(svc.triggers, [expected]);
    assert_eq!(
        svc.parameters.loadable_dll(),
        Ok(r"%SystemRoot%\System32\AJRouter.dll")
    );
    assert!(svc.parameters.unloads_on_stop());
}

#[test]
fn parameters_quirks_of_the_fixture() {
    let reg = fixture();
    // EventLog keeps ServiceDll and ServiceMain in the service key itself.
    let eventlog = ServiceKey::read(&reg, &sys(), "EventLog").unwrap();
    let dll = eventlog.parameters.service_dll.as_ref().unwrap();
    assert_eq!(dll.location, ParamLocation::ServiceKey);
    assert_eq!(dll.value_type, ValueType::EXPAND_SZ);
    assert_eq!(
        eventlog.parameters.service_main.as_ref().unwrap().location,
        ParamLocation::ServiceKey
    );
    // VaultSvc's ServiceDll is REG_SZ: read, kept, but not loadable.
    let vault = ServiceKey::read(&reg, &sys(), "VaultSvc").unwrap();
    assert_eq!(
        vault.parameters.loadable_dll(),
        Err(DllLoadProblem::ServiceDllNotExpandSz {
            found: ValueType::SZ
        })
    );
    // QWAVE's ServiceMain is REG_EXPAND_SZ; PeerDistSvc names its own entry point.
    let qwave = ServiceKey::read(&reg, &sys(), "QWAVE").unwrap();
    assert_eq!(
        qwave.parameters.service_main.as_ref().unwrap().value_type,
        ValueType::EXPAND_SZ
    );
    let peer = ServiceKey::read(&reg, &sys(), "PeerDistSvc").unwrap();
    assert_eq!(peer.parameters.service_main_name(), "SVCServiceMain");
    let xbox = ServiceKey::read(&reg, &sys(), "XblGameSave").unwrap();
    assert_eq!(xbox.parameters.service_idle_timeout.unwrap().value, 60);
    // A service without a DLL.
    let spooler = ServiceKey::read(&reg, &sys(), "Spooler").unwrap();
    assert_eq!(
        spooler.parameters.loadable_dll(),
        Err(DllLoadProblem::NoServiceDll)
    );
}

#[test]
fn rewriting_every_fixture_service_reads_back_the_same() {
    let mut reg = fixture();
    let mut fresh = Registry::new();
    for (name, svc) in fixture_services() {
        svc.write(&mut reg, &sys(), &name).unwrap();
        assert_eq!(
            ServiceKey::read(&reg, &sys(), &name).unwrap(),
            svc,
            "{name}"
        );
        svc.write(&mut fresh, &sys(), &name).unwrap();
        assert_eq!(
            ServiceKey::read(&fresh, &sys(), &name).unwrap(),
            svc,
            "{name}"
        );
    }
}

fn full_service() -> ServiceKey {
    let mut svc = ServiceKey::new(0x10, 2, 1);
    svc.image_path = Some(r#""%ProgramFiles%\Demo\demo.exe" --service"#.into());
    svc.display_name = Some("Demo Service".into());
    svc.description = Some("Does demo things.".into());
    svc.object_name = Some(r"NT AUTHORITY\LocalService".into());
    svc.depend_on_service = vec!["RpcSs".into(), "Tcpip".into()];
    svc.depend_on_group = vec!["NetBIOSGroup".into()];
    svc.group = Some("NetworkProvider".into());
    svc.tag = Some(7);
    svc.delayed_autostart = Some(true);
    let mut fa = FailureActions::new(
        FailureActions::INFINITE,
        vec![
            ScAction::new(ScActionKind::Restart, 60_000),
            ScAction::new(ScActionKind::RunCommand, 1_000),
            ScAction::new(ScActionKind::Reboot, 0),
            ScAction::new(ScActionKind::Other(4), 5),
        ],
    );
    fa.command_placeholder = 1;
    svc.failure_actions = Some(fa);
    svc.failure_actions_on_non_crash_failures = Some(true);
    svc.failure_command = Some(r"C:\fix.cmd /fail=%1%".into());
    svc.reboot_message = Some("Rebooting for Demo".into());
    svc.service_sid_type = Some(3);
    svc.required_privileges = vec!["SeChangeNotifyPrivilege".into()];
    svc.preshutdown_timeout = Some(180_000);
    svc.delete_flag = Some(false);
    svc.svchost_split_disable = Some(true);
    svc.launch_protected = Some(3);
    svc.triggers = vec![
        Trigger::new(TriggerType::FIREWALL_PORT_EVENT, TriggerAction::Stop)
            .with_subtype(subtypes::FIREWALL_PORT_CLOSE)
            .with_data(TriggerDataItem::multi_string(&["5353", "UDP"])),
        Trigger::new(TriggerType::CUSTOM, TriggerAction::Start)
            .with_subtype("22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716".parse().unwrap())
            .with_data(TriggerDataItem::binary(vec![1, 2, 3, 4]))
            .with_data(TriggerDataItem::level(4))
            .with_data(TriggerDataItem::keyword_any(0x8000_0000_0000_0010))
            .with_data(TriggerDataItem::keyword_all(3)),
        Trigger::new(TriggerType(99), TriggerAction::Other(9)),
    ];
    svc.parameters = ServiceParameters {
        service_dll: Some(ParamValue::new(
            r"%SystemRoot%\demo.dll".into(),
            ValueType::EXPAND_SZ,
            ParamLocation::Parameters,
        )),
        service_main: Some(ParamValue::new(
            "DemoMain".into(),
            ValueType::SZ,
            ParamLocation::ServiceKey,
        )),
        service_dll_unload_on_stop: Some(ParamValue::new(
            1,
            ValueType::DWORD,
            ParamLocation::Parameters,
        )),
        service_manifest: Some(ParamValue::new(
            r"%SystemRoot%\demo.manifest".into(),
            ValueType::EXPAND_SZ,
            ParamLocation::Parameters,
        )),
        service_idle_timeout: Some(ParamValue::new(
            30,
            ValueType::DWORD,
            ParamLocation::ServiceKey,
        )),
    };
    svc
}

#[test]
fn hand_built_service_round_trips_and_none_deletes() {
    let mut reg = Registry::new();
    let path = service_key_path("Demo");
    let svc = full_service();
    svc.write(&mut reg, &sys(), "Demo").unwrap();
    assert_eq!(ServiceKey::read(&reg, &sys(), "DEMO").unwrap(), svc);
    assert_eq!(
        reg.get_value(&sys(), &path, "ImagePath")
            .unwrap()
            .value_type(),
        ValueType::EXPAND_SZ
    );
    assert_eq!(
        reg.get_string(&sys(), &path, "ServiceMain").unwrap(),
        "DemoMain"
    );
    assert_eq!(
        reg.get_value(&sys(), &format!(r"{path}\TriggerInfo\0"), "Data0")
            .unwrap()
            .value_type(),
        ValueType::BINARY,
        "data items are REG_BINARY"
    );
    // Unknown values and subkeys survive a write.
    reg.set_value(&sys(), &path, "WOW64", RegValue::dword(1))
        .unwrap();
    reg.create_key(&sys(), &format!(r"{path}\Security"))
        .unwrap();
    reg.set_value(
        &sys(),
        &format!(r"{path}\Parameters"),
        "Custom",
        RegValue::sz("x"),
    )
    .unwrap();

    // Back to the bare minimum: every optional value goes, TriggerInfo goes.
    let bare = ServiceKey::new(0x10, 3, 0);
    bare.write(&mut reg, &sys(), "Demo").unwrap();
    assert_eq!(ServiceKey::read(&reg, &sys(), "Demo").unwrap(), bare);
    let key = reg.open_key(&sys(), &path).unwrap();
    let names: Vec<&str> = key.values().map(|(n, _)| n).collect();
    assert_eq!(names, ["Type", "Start", "ErrorControl", "WOW64"]);
    assert!(key.child("TriggerInfo").is_none());
    assert!(key.child("Security").is_some());
    let params = key.child("Parameters").unwrap();
    assert_eq!(params.value_count(), 1);
    assert!(params.value("Custom").is_some());

    // Fewer triggers than before: the extra TriggerInfo\N keys are gone.
    svc.write(&mut reg, &sys(), "Demo").unwrap();
    let mut one = svc.clone();
    one.triggers.truncate(1);
    one.write(&mut reg, &sys(), "Demo").unwrap();
    assert_eq!(ServiceKey::read(&reg, &sys(), "Demo").unwrap(), one);
    assert!(!reg.key_exists(&sys(), &format!(r"{path}\TriggerInfo\1")));
}

#[test]
fn parameters_move_between_locations() {
    let mut reg = Registry::new();
    let path = service_key_path("Host");
    let mut svc = ServiceKey::new(0x20, 3, 1);
    svc.parameters = ServiceParameters::with_dll(r"%SystemRoot%\a.dll");
    svc.write(&mut reg, &sys(), "Host").unwrap();
    // A stale copy in the service key is shadowed by Parameters.
    reg.set_value(
        &sys(),
        &path,
        "ServiceDll",
        RegValue::expand_sz("stale.dll"),
    )
    .unwrap();
    let read = ServiceKey::read(&reg, &sys(), "Host").unwrap();
    assert_eq!(
        read.parameters.service_dll.unwrap().value,
        r"%SystemRoot%\a.dll"
    );
    // Moving the value to the service key removes it from Parameters.
    svc.parameters.service_dll.as_mut().unwrap().location = ParamLocation::ServiceKey;
    svc.write(&mut reg, &sys(), "Host").unwrap();
    assert_eq!(ServiceKey::read(&reg, &sys(), "Host").unwrap(), svc);
    assert!(reg
        .open_key(&sys(), &format!(r"{path}\Parameters"))
        .unwrap()
        .value("ServiceDll")
        .is_none());
}

fn minimal(reg: &mut Registry, name: &str) -> String {
    ServiceKey::new(0x10, 3, 1)
        .write(reg, &sys(), name)
        .unwrap();
    service_key_path(name)
}

#[rstest]
#[case::display_name_dword("", "DisplayName", RegValue::dword(1), "DisplayName", 1630)]
#[case::start_as_string("", "Start", RegValue::sz("3"), "Start", 1630)]
#[case::start_three_bytes("", "Start", RegValue::from_raw(ValueType::DWORD, vec![3, 0, 0]), "Start", 13)]
#[case::image_path_binary("", "ImagePath", RegValue::binary(vec![0x41, 0]), "ImagePath", 1630)]
#[case::depend_on_service_sz("", "DependOnService", RegValue::sz("RpcSs"), "DependOnService", 1630)]
#[case::failure_actions_dword("", "FailureActions", RegValue::dword(0), "FailureActions", 1630)]
#[case::failure_actions_short("", "FailureActions", RegValue::binary(vec![0; 12]), "FailureActions", 13)]
#[case::failure_actions_truncated(
    "",
    "FailureActions",
    RegValue::binary(FailureActions::new(0, vec![ScAction::new(ScActionKind::Restart, 1)]).encode()[..24].to_vec()),
    "FailureActions",
    13
)]
#[case::delayed_sz("", "DelayedAutostart", RegValue::sz("1"), "DelayedAutostart", 1630)]
#[case::guid_short(r"TriggerInfo\0", "GUID", RegValue::binary(vec![0; 15]), r"TriggerInfo\0\GUID", 13)]
#[case::guid_as_string(
    r"TriggerInfo\0",
    "Guid",
    RegValue::sz("{659FCAE6-5BDB-4DA9-B1FF-CA2A178D46E0}"),
    r"TriggerInfo\0\GUID",
    1630
)]
#[case::data_type_sz(
    r"TriggerInfo\0",
    "DataType0",
    RegValue::sz("2"),
    r"TriggerInfo\0\DataType0",
    1630
)]
#[case::data_dword(
    r"TriggerInfo\0",
    "Data0",
    RegValue::dword(2),
    r"TriggerInfo\0\Data0",
    1630
)]
#[case::service_dll_dword(
    "Parameters",
    "ServiceDll",
    RegValue::dword(1),
    r"Parameters\ServiceDll",
    1630
)]
#[case::unload_sz(
    "Parameters",
    "ServiceDllUnloadOnStop",
    RegValue::sz("1"),
    r"Parameters\ServiceDllUnloadOnStop",
    1630
)]
fn wrong_values_give_typed_errors(
    #[case] subkey: &str,
    #[case] value: &str,
    #[case] data: RegValue,
    #[case] named: &str,
    #[case] code: u32,
) {
    let mut reg = Registry::new();
    let path = minimal(&mut reg, "Bad");
    let target = if subkey.is_empty() {
        path
    } else {
        let p = format!(r"{path}\{subkey}");
        reg.create_key(&sys(), &p).unwrap();
        if subkey.starts_with("TriggerInfo") {
            reg.set_value(&sys(), &p, "Type", RegValue::dword(6))
                .unwrap();
            reg.set_value(&sys(), &p, "Action", RegValue::dword(1))
                .unwrap();
            reg.set_value(&sys(), &p, "Data0", RegValue::binary(vec![1]))
                .unwrap();
            reg.set_value(&sys(), &p, "DataType0", RegValue::dword(1))
                .unwrap();
        }
        p
    };
    reg.set_value(&sys(), &target, value, data).unwrap();
    let err = ServiceKey::read(&reg, &sys(), "Bad").unwrap_err();
    assert_eq!(err.service(), "Bad");
    assert_eq!(err.value(), Some(named), "{err}");
    assert_eq!(err.code(), code, "{err}");
    assert!(err.to_string().contains("Bad"), "{err}");
}

#[test]
fn missing_keys_values_and_bad_names() {
    let mut reg = Registry::new();
    let err = ServiceKey::read(&reg, &sys(), "Nope").unwrap_err();
    assert!(matches!(err, ServiceKeyError::NotFound { .. }));
    assert_eq!(err.code(), 2);
    for bad in ["", r"a\b", "a/b", &"x".repeat(257)] {
        let err = ServiceKey::read(&reg, &sys(), bad).unwrap_err();
        assert_eq!(err.code(), 123, "{bad:?}");
        let err = ServiceKey::new(0x10, 3, 1)
            .write(&mut reg, &sys(), bad)
            .unwrap_err();
        assert_eq!(err.code(), 123, "{bad:?}");
    }
    let path = service_key_path("Half");
    reg.create_key(&sys(), &path).unwrap();
    reg.set_value(&sys(), &path, "Type", RegValue::dword(0x10))
        .unwrap();
    let err = ServiceKey::read(&reg, &sys(), "Half").unwrap_err();
    assert_eq!(err.value(), Some("Start"));
    assert_eq!(err.code(), 2);
    // A key without Type is not listed as a service.
    reg.create_key(&sys(), &service_key_path("NotAService"))
        .unwrap();
    assert_eq!(service_names(&reg, &sys()), ["Half"]);
    // Data without its type, and a trigger without Action.
    minimal(&mut reg, "Trig");
    let t0 = format!(r"{}\TriggerInfo\0", service_key_path("Trig"));
    reg.create_key(&sys(), &t0).unwrap();
    reg.set_value(&sys(), &t0, "Type", RegValue::dword(1))
        .unwrap();
    let err = ServiceKey::read(&reg, &sys(), "Trig").unwrap_err();
    assert_eq!(err.value(), Some(r"TriggerInfo\0\Action"));
    reg.set_value(&sys(), &t0, "Action", RegValue::dword(1))
        .unwrap();
    reg.set_value(&sys(), &t0, "Data0", RegValue::binary(vec![1]))
        .unwrap();
    let err = ServiceKey::read(&reg, &sys(), "Trig").unwrap_err();
    assert_eq!(err.value(), Some(r"TriggerInfo\0\DataType0"));
    assert_eq!(err.code(), 13);
}

#[test]
fn triggers_are_read_in_numeric_order_ignoring_other_subkeys() {
    let mut reg = Registry::new();
    let path = minimal(&mut reg, "Many");
    for n in [10, 2, 0, 1] {
        let p = format!(r"{path}\TriggerInfo\{n}");
        reg.create_key(&sys(), &p).unwrap();
        reg.set_value(&sys(), &p, "Type", RegValue::dword(20))
            .unwrap();
        reg.set_value(&sys(), &p, "Action", RegValue::dword(1))
            .unwrap();
        reg.set_value(&sys(), &p, "Data0", RegValue::binary(vec![n as u8]))
            .unwrap();
        reg.set_value(&sys(), &p, "DataType0", RegValue::dword(1))
            .unwrap();
    }
    reg.create_key(&sys(), &format!(r"{path}\TriggerInfo\Extra"))
        .unwrap();
    reg.create_key(&sys(), &format!(r"{path}\TriggerInfo\01"))
        .unwrap();
    let svc = ServiceKey::read(&reg, &sys(), "Many").unwrap();
    let order: Vec<u8> = svc.triggers.iter().map(|t| t.data[0].data[0]).collect();
    assert_eq!(order, [0, 1, 2, 10]);
}

#[test]
fn a_standard_user_cannot_write_a_service() {
    let mut reg = Registry::new();
    let bob = Caller::standard_user("bob", "S-1-5-21-1-2-3-1001");
    let err = full_service().write(&mut reg, &bob, "Demo").unwrap_err();
    assert!(matches!(err, ServiceKeyError::Registry { .. }));
    assert_eq!(err.code(), 5);
    assert!(!reg.key_exists(&sys(), &service_key_path("Demo")));
}

#[test]
fn guid_display_and_parse() {
    let g: Guid = "{bc90d167-9470-4139-a9ba-be0bbbf5b74d}".parse().unwrap();
    assert_eq!(g, subtypes::RPC_INTERFACE_EVENT);
    assert_eq!(g.to_string(), "BC90D167-9470-4139-A9BA-BE0BBBF5B74D");
    assert!("bc90d167-9470-4139-a9ba".parse::<Guid>().is_err());
}

// ----- svchost ---------------------------------------------------------------------------

#[test]
fn fixture_svchost_table() {
    let reg = fixture();
    let table = SvchostTable::read(&reg, &sys()).unwrap();
    assert_eq!(table.len(), 34);
    assert_eq!(table.member_count(), 192);
    assert_eq!(table.groups()[0].name(), "appmodel");
    assert!(table.members("NETSVCS").unwrap().len() >= 40);
    assert_eq!(table.group_of("wuauserv").unwrap().name(), "netsvcs");
    assert!(table.group_of("Spooler").is_none());
    assert!(table.groups().iter().all(|g| g.settings.is_empty()));

    // Every svchost ImagePath names a group of the table that lists the service.
    let mut hosted = 0;
    for (name, svc) in fixture_services() {
        let image = svc.image_path.as_deref().unwrap();
        match SvchostCommandLine::parse(image).unwrap() {
            None => assert!(!image.to_ascii_lowercase().contains("svchost.exe -k")),
            Some(cmd) => {
                hosted += 1;
                let group = table.group(&cmd.group).unwrap_or_else(|| panic!("{name}"));
                assert!(group.contains(&name), "{name} not in {}", group.name());
            }
        }
    }
    assert_eq!(hosted, 192);
}

#[test]
fn svchost_table_round_trip_with_settings() {
    let mut reg = fixture();
    let mut table = SvchostTable::read(&reg, &sys()).unwrap();
    table.group_mut("netsvcs").unwrap().settings = SvchostGroupSettings {
        co_initialize_security_param: Some(1),
        authentication_level: Some(6),
        impersonation_level: Some(3),
        authentication_capabilities: Some(0x3040),
        co_initialize_security_app_id: Some("{00000000-0000-0000-0000-000000000000}".into()),
        deferred_co_initialize_security_services: Some(vec!["BITS".into()]),
        default_rpc_stack_size: Some(24),
        system_critical: Some(1),
    };
    table.set_group("NewGroup", vec!["NewSvc".into()]);
    table.remove_group("appmodel").unwrap();
    table.write(&mut reg, &sys()).unwrap();
    let back = SvchostTable::read(&reg, &sys()).unwrap();
    assert_eq!(back, table);
    assert!(back.group("appmodel").is_none());
    let s = &back.group("NETSVCS").unwrap().settings;
    assert!(s.co_initialize_security() && s.system_critical());
    assert_eq!(s.authentication_capabilities(), 0x3040);

    // Clearing the settings deletes the values but keeps the subkey.
    table.group_mut("netsvcs").unwrap().settings = SvchostGroupSettings::default();
    table.write(&mut reg, &sys()).unwrap();
    assert_eq!(SvchostTable::read(&reg, &sys()).unwrap(), table);
    let sub = reg
        .open_key(&sys(), &format!(r"{SVCHOST_KEY}\netsvcs"))
        .unwrap();
    assert_eq!(sub.value_count(), 0);
}

#[test]
fn svchost_table_errors() {
    let mut reg = Registry::new();
    assert!(SvchostTable::read(&reg, &sys()).unwrap().is_empty());
    reg.create_key(&sys(), SVCHOST_KEY).unwrap();
    reg.set_value(&sys(), SVCHOST_KEY, "bad", RegValue::sz("x"))
        .unwrap();
    let err = SvchostTable::read(&reg, &sys()).unwrap_err();
    assert!(matches!(err, SvchostError::WrongType { ref value, .. } if value == "bad"));
    assert_eq!(err.code(), 1630);

    let mut reg = Registry::new();
    let mut table = SvchostTable::new();
    table.set_group("g", vec!["a".into()]);
    table.write(&mut reg, &sys()).unwrap();
    let sub = format!(r"{SVCHOST_KEY}\g");
    reg.create_key(&sys(), &sub).unwrap();
    reg.set_value(&sys(), &sub, "AuthenticationLevel", RegValue::sz("6"))
        .unwrap();
    let err = SvchostTable::read(&reg, &sys()).unwrap_err();
    assert!(
        matches!(err, SvchostError::WrongType { ref value, .. } if value == r"g\AuthenticationLevel")
    );

    let bob = Caller::standard_user("bob", "S-1-5-21-1-2-3-1001");
    assert_eq!(table.write(&mut reg, &bob).unwrap_err().code(), 5);
}

#[rstest]
#[case::plain(r"%SystemRoot%\system32\svchost.exe -k netsvcs", Some(("netsvcs", false, None)))]
#[case::with_p(r"%SystemRoot%\System32\svchost.exe -k LocalServiceNetworkRestricted -p", Some(("LocalServiceNetworkRestricted", true, None)))]
#[case::split(r"C:\WINDOWS\system32\svchost.exe -k netsvcs -p -s Appinfo", Some(("netsvcs", true, Some("Appinfo"))))]
#[case::slash_k(r"%windir%\system32\svchost.exe /k DcomLaunch", Some(("DcomLaunch", false, None)))]
#[case::upper_k(r"%SystemRoot%\system32\SVCHOST.EXE -K RPCSS", Some(("RPCSS", false, None)))]
#[case::no_space(r"%SystemRoot%\system32\svchost.exe -kLocalService", Some(("LocalService", false, None)))]
#[case::quoted_group(r#"%SystemRoot%\system32\svchost.exe -k "Local Service" -P"#, Some(("Local Service", true, None)))]
#[case::quoted_attached(r#"svchost.exe /K"utcsvc""#, Some(("utcsvc", false, None)))]
#[case::quoted_image(r#""C:\Windows\System32\svchost.exe" -k netsvcs"#, Some(("netsvcs", false, None)))]
#[case::no_extension(r"C:\Windows\System32\svchost -k netsvcs", Some(("netsvcs", false, None)))]
#[case::p_first(r"svchost.exe -p -s BITS -k netsvcs", Some(("netsvcs", true, Some("BITS"))))]
#[case::tabs("svchost.exe\t-k\tnetsvcs", Some(("netsvcs", false, None)))]
#[case::not_svchost(r"%SystemRoot%\System32\spoolsv.exe", None)]
#[case::smsvchost(
    r"%systemroot%\Microsoft.NET\Framework64\v4.0.30319\SMSvcHost.exe",
    None
)]
#[case::svchost_folder(r"C:\svchost.exe\other.exe -k netsvcs", None)]
#[case::other_program_unterminated(r#""C:\Program Files\app.exe -x"#, None)]
#[case::empty("", None)]
#[case::blank("   ", None)]
fn svchost_command_lines(#[case] line: &str, #[case] expected: Option<(&str, bool, Option<&str>)>) {
    let parsed = SvchostCommandLine::parse(line).unwrap();
    let got = parsed
        .as_ref()
        .map(|c| (c.group.as_str(), c.p_flag, c.s_name.as_deref()));
    assert_eq!(got, expected, "{line:?}");
}

#[rstest]
#[case::no_k(r"%SystemRoot%\system32\svchost.exe", "group")]
#[case::k_without_group(r"svchost.exe -k", "group")]
#[case::k_then_option(r"svchost.exe -k -p", "group")]
#[case::empty_quotes(r#"svchost.exe -k """#, "group")]
#[case::unterminated(r#"svchost.exe -k "netsvcs"#, "quote")]
fn bad_svchost_command_lines(#[case] line: &str, #[case] what: &str) {
    let err = SvchostCommandLine::parse(line).unwrap_err();
    match what {
        "group" => assert!(
            matches!(err, SvchostCommandLineError::MissingGroup(_)),
            "{err}"
        ),
        _ => assert!(
            matches!(err, SvchostCommandLineError::UnterminatedQuote(_)),
            "{err}"
        ),
    }
}

// ----- properties ------------------------------------------------------------------------

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn action() -> impl Strategy<Value = ScAction> {
        (0u32..6, any::<u32>()).prop_map(|(k, d)| ScAction::new(ScActionKind::from_u32(k), d))
    }

    proptest! {
        #[test]
        fn any_blob_that_decodes_re_encodes_exactly(bytes in proptest::collection::vec(any::<u8>(), 0..120)) {
            if let Ok(fa) = FailureActions::decode(&bytes) {
                prop_assert_eq!(fa.encode(), bytes);
            }
        }

        #[test]
        fn failure_actions_round_trip(
            reset in any::<u32>(),
            placeholders in any::<(u32, u32, u32)>(),
            actions in proptest::collection::vec(action(), 0..10),
            trailing in proptest::collection::vec(any::<u8>(), 0..8),
        ) {
            let mut fa = FailureActions::new(reset, actions);
            (fa.reboot_msg_placeholder, fa.command_placeholder, fa.actions_offset) = placeholders;
            fa.trailing = trailing;
            prop_assert_eq!(FailureActions::decode(&fa.encode()).unwrap(), fa);
        }

        #[test]
        fn guids_round_trip(bytes in any::<[u8; 16]>()) {
            let g = Guid::from_bytes(bytes);
            prop_assert_eq!(g.to_bytes(), bytes);
            prop_assert_eq!(g.to_string().parse::<Guid>().unwrap(), g);
            prop_assert_eq!(g.to_string().to_lowercase().parse::<Guid>().unwrap(), g);
        }

        #[test]
        fn command_line_parser_never_panics(line in "[ -~\t]{0,60}") {
            let _ = SvchostCommandLine::parse(&line);
            let _ = SvchostCommandLine::parse(&format!("svchost.exe {line}"));
        }

        #[test]
        fn triggers_round_trip(
            kinds in proptest::collection::vec((any::<u32>(), 1u32..4, any::<[u8; 16]>(), proptest::collection::vec((1u32..7, proptest::collection::vec(any::<u8>(), 0..12)), 0..4)), 0..5)
        ) {
            let mut svc = ServiceKey::new(0x20, 3, 1);
            svc.triggers = kinds
                .into_iter()
                .map(|(t, a, g, items)| Trigger {
                    trigger_type: TriggerType(t),
                    action: TriggerAction::from_u32(a),
                    subtype: Some(Guid::from_bytes(g)),
                    data: items
                        .into_iter()
                        .map(|(k, data)| TriggerDataItem { data_type: TriggerDataType::from_u32(k), data })
                        .collect(),
                })
                .collect();
            let mut reg = Registry::new();
            svc.write(&mut reg, &sys(), "P").unwrap();
            prop_assert_eq!(ServiceKey::read(&reg, &sys(), "P").unwrap(), svc);
        }
    }
}
