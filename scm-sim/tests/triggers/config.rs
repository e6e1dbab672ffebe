//! Trigger configuration: ChangeServiceConfig2 and the registry round trip (with Windows'
//! limits), the built-in Windows 10 machine's triggered services, triggers written in the
//! registry.

use super::*;

/// One trigger of every type, with every kind of data item.
fn every_kind() -> Vec<Trigger> {
    use TriggerAction::{Start, Stop};
    vec![
        trigger(TriggerType::DEVICE_INTERFACE_ARRIVAL, Start, DISK)
            .with_data(TriggerDataItem::string(r"USBSTOR\GenDisk"))
            .with_data(TriggerDataItem::string(r"USB\Class_08")),
        trigger(
            TriggerType::IP_ADDRESS_AVAILABILITY,
            Start,
            subtypes::FIRST_IP_ADDRESS_ARRIVAL,
        ),
        trigger(
            TriggerType::IP_ADDRESS_AVAILABILITY,
            Stop,
            subtypes::LAST_IP_ADDRESS_REMOVAL,
        ),
        trigger(TriggerType::DOMAIN_JOIN, Start, subtypes::DOMAIN_JOIN),
        trigger(TriggerType::DOMAIN_JOIN, Stop, subtypes::DOMAIN_LEAVE),
        trigger(
            TriggerType::FIREWALL_PORT_EVENT,
            Start,
            subtypes::FIREWALL_PORT_OPEN,
        )
        .with_data(TriggerDataItem::multi_string(&["5353", "UDP"])),
        trigger(
            TriggerType::FIREWALL_PORT_EVENT,
            Stop,
            subtypes::FIREWALL_PORT_CLOSE,
        )
        .with_data(TriggerDataItem::multi_string(&["5353", "UDP"])),
        trigger(
            TriggerType::GROUP_POLICY,
            Start,
            subtypes::MACHINE_POLICY_PRESENT,
        ),
        trigger(
            TriggerType::GROUP_POLICY,
            Start,
            subtypes::USER_POLICY_PRESENT,
        ),
        trigger(
            TriggerType::NETWORK_ENDPOINT,
            Start,
            subtypes::RPC_INTERFACE_EVENT,
        )
        .with_data(TriggerDataItem::string(
            "7a20fcec-dec4-4c59-be57-212e8f65d3de",
        )),
        trigger(
            TriggerType::NETWORK_ENDPOINT,
            Start,
            subtypes::NAMED_PIPE_EVENT,
        )
        .with_data(TriggerDataItem::string(
            r"ProtectedPrefix\LocalService\MyPipe",
        )),
        trigger(
            TriggerType::CUSTOM_SYSTEM_STATE_CHANGE,
            Start,
            subtypes::CUSTOM_SYSTEM_STATE_CHANGE_EVENT,
        )
        .with_data(TriggerDataItem::binary(vec![
            0x75, 0x08, 0xbc, 0xa3, 0, 0, 0, 0,
        ])),
        trigger(TriggerType::CUSTOM, Start, PROVIDER)
            .with_data(TriggerDataItem::binary(vec![0x11, 0x22, 0x33, 0x44]))
            .with_data(TriggerDataItem::string("strcustom"))
            .with_data(TriggerDataItem::level(4))
            .with_data(TriggerDataItem::keyword_any(0x0006))
            .with_data(TriggerDataItem::keyword_all(0x0300)),
        trigger(TriggerType::CUSTOM, Stop, OTHER_PROVIDER),
        trigger(TriggerType::AGGREGATE, Start, VOLUME),
    ]
}

#[test]
fn trigger_info_round_trips_through_the_api_and_the_registry() {
    let mut bed = Bed::new(0);
    let h = bed.scripted_triggered("T", Vec::new());
    assert!(triggers_of(&mut bed.m, h).is_empty());
    let all = every_kind();
    bed.m
        .change_service_config2(h, &ServiceConfig2::TriggerInfo(all.clone()))
        .unwrap();
    assert_eq!(triggers_of(&mut bed.m, h), all);

    // The registry layout: TriggerInfo\N with Type, Action, GUID, DataN, DataTypeN.
    let mut reg = bed.m.registry();
    let sys = Caller::local_system();
    let info = format!(r"{SERVICES}\T\TriggerInfo");
    let mut numbered: Vec<usize> = reg
        .enum_subkeys(&sys, &info)
        .unwrap()
        .iter()
        .map(|n| n.parse().unwrap())
        .collect();
    numbered.sort();
    let expected: Vec<usize> = (0..all.len()).collect();
    assert_eq!(numbered, expected);
    let device = format!(r"{info}\0");
    assert_eq!(reg.get_dword(&sys, &device, "Type").unwrap(), 1);
    assert_eq!(reg.get_dword(&sys, &device, "Action").unwrap(), 1);
    assert_eq!(
        reg.get_binary(&sys, &device, "GUID").unwrap(),
        [
            0x07, 0x63, 0xf5, 0x53, 0xbf, 0xb6, 0xd0, 0x11, 0x94, 0xf2, 0x00, 0xa0, 0xc9, 0x1e,
            0xfb, 0x8b
        ]
    );
    let utf16z = |s: &str| -> Vec<u8> {
        s.encode_utf16()
            .chain([0])
            .flat_map(|u| u.to_le_bytes())
            .collect()
    };
    assert_eq!(
        reg.get_binary(&sys, &device, "Data1").unwrap(),
        utf16z(r"USB\Class_08")
    );
    assert_eq!(reg.get_dword(&sys, &device, "DataType1").unwrap(), 2);
    let port = format!(r"{info}\5");
    let mut multi = utf16z("5353");
    multi.extend(utf16z("UDP"));
    multi.extend([0, 0]);
    assert_eq!(reg.get_binary(&sys, &port, "Data0").unwrap(), multi);
    let stop = format!(r"{info}\2");
    assert_eq!(reg.get_dword(&sys, &stop, "Action").unwrap(), 2);
    let custom = format!(r"{info}\12");
    assert_eq!(reg.get_dword(&sys, &custom, "Type").unwrap(), 20);
    assert_eq!(
        (2..=4)
            .map(|i| reg
                .get_dword(&sys, &custom, &format!("DataType{i}"))
                .unwrap())
            .collect::<Vec<_>>(),
        [3, 4, 5]
    );
    assert_eq!(
        reg.get_binary(&sys, &custom, "Data4").unwrap(),
        0x0300u64.to_le_bytes()
    );
    // The typed registry view reads back the same triggers.
    assert_eq!(ServiceKey::read(&reg, &sys, "T").unwrap().triggers, all);

    // A change replaces the whole set.
    let one = vec![on_custom(PROVIDER, TriggerAction::Start)];
    bed.m
        .change_service_config2(h, &ServiceConfig2::TriggerInfo(one.clone()))
        .unwrap();
    assert_eq!(triggers_of(&mut bed.m, h), one);
    assert_eq!(bed.m.registry().enum_subkeys(&sys, &info).unwrap(), ["0"]);
}

/// The limits ChangeServiceConfig2 enforces: at most 64 triggers, 64 data items per trigger;
/// an empty set is refused for a service without triggers.
#[rstest]
#[case::sixty_four_triggers(64, 0, false, None)]
#[case::sixty_five_triggers(65, 0, false, Some(87))]
#[case::sixty_four_items(1, 64, false, None)]
#[case::sixty_five_items(1, 65, false, Some(87))]
#[case::empty_set_without_triggers(0, 0, false, Some(87))]
#[case::empty_set_removes_triggers(0, 0, true, None)]
fn trigger_info_limits(
    #[case] triggers: usize,
    #[case] items: usize,
    #[case] had_triggers: bool,
    #[case] error: Option<u32>,
) {
    let mut bed = Bed::new(0);
    let before = if had_triggers {
        vec![on_network()]
    } else {
        Vec::new()
    };
    let h = bed.scripted_triggered("T", before.clone());
    let mut one = on_custom(PROVIDER, TriggerAction::Start);
    for i in 0..items {
        one = one.with_data(TriggerDataItem::binary(vec![i as u8]));
    }
    let set = vec![one; triggers];
    let r = bed
        .m
        .change_service_config2(h, &ServiceConfig2::TriggerInfo(set.clone()));
    assert_eq!(r.map_err(|e| e.code()).err(), error);
    let now = triggers_of(&mut bed.m, h);
    if error.is_some() {
        assert_eq!(now, before, "a refused change changes nothing");
    } else {
        assert_eq!(now, set);
    }
    if had_triggers && error.is_none() {
        assert!(!bed.m.registry().key_exists(
            &Caller::local_system(),
            &format!(r"{SERVICES}\T\TriggerInfo\0")
        ));
    }
}

/// SERVICE_TRIGGER_SPECIFIC_DATA_ITEM.cbData is at most 1024 bytes.
fn change_with_item_of(size: usize) -> Result<(), u32> {
    let mut bed = Bed::new(0);
    let h = bed.scripted_triggered("T", Vec::new());
    let item = TriggerDataItem::binary(vec![0xab; size]);
    let t = on_custom(PROVIDER, TriggerAction::Start).with_data(item);
    bed.m
        .change_service_config2(h, &ServiceConfig2::TriggerInfo(vec![t]))
        .map_err(|e| e.code())
}

#[test]
fn a_1024_byte_data_item_is_accepted() {
    assert_eq!(change_with_item_of(1024), Ok(()));
}

#[test]
fn a_1025_byte_data_item_is_refused() {
    assert_eq!(change_with_item_of(1025), Err(87));
}

#[test]
fn windows10_has_88_triggered_services() {
    let mut m = Machine::windows10();
    let scm = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).unwrap();
    let all = m
        .enum_services_status(
            scm,
            ServiceType::DRIVER | ServiceType::ADAPTER | ServiceType::WIN32,
            ServiceStateFilter::ALL,
            None,
        )
        .unwrap();
    let mut triggered = Vec::new();
    let mut count = 0;
    for s in &all {
        let h = m
            .open_service(scm, &s.service_name, SERVICE_ALL_ACCESS)
            .unwrap();
        let t = triggers_of(&mut m, h);
        count += t.len();
        if !t.is_empty() {
            triggered.push(s.service_name.clone());
        }
    }
    assert_eq!(triggered.len(), 88, "{triggered:?}");
    for name in ["AJRouter", "bthserv", "W32Time", "wuauserv", "lmhosts"] {
        assert!(triggered.iter().any(|t| t == name), "{name}");
    }
    println!(
        "Windows 10: {} triggered services, {count} triggers",
        triggered.len()
    );
}

#[test]
fn a_builtin_service_starts_on_its_named_pipe() {
    let mut m = Machine::windows10();
    let id = m.raise_trigger_event(TriggerEvent::NamedPipe(
        r"ProtectedPrefix\LocalService\MSAJPipe".into(),
    ));
    assert_eq!(outcomes_of(&m, "AJRouter"), [(id, Started)]);
    let scm = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).unwrap();
    let h = m.open_service(scm, "AJRouter", SERVICE_ALL_ACCESS).unwrap();
    let status = m.query_service_status(h).unwrap();
    assert_eq!(status.current_state, ServiceState::StartPending);
    m.advance(secs(1)); // its profile's start time
    assert_eq!(
        m.query_service_status(h).unwrap().current_state,
        ServiceState::Running
    );
}

/// Triggers written straight into the registry (TriggerInfo\N, as a .reg import would) are
/// read at the next boot.
#[test]
fn triggers_written_in_the_registry_act_after_a_boot() {
    let mut bed = Bed::new(0);
    let log: Log = Arc::default();
    bed.m.install(
        r"C:\svc\R.exe",
        ServiceTable::single("R", probe(log.clone(), Probe::default())),
    );
    bed.create_triggered("R", r"C:\svc\R.exe", Vec::new(), &[]);
    bed.m.with_registry(|r| {
        let sys = Caller::local_system();
        let k = format!(r"{SERVICES}\R\TriggerInfo\0");
        r.create_key(&sys, &k).unwrap();
        r.set_value(&sys, &k, "Type", RegValue::dword(20)).unwrap();
        r.set_value(&sys, &k, "Action", RegValue::dword(1)).unwrap();
        r.set_value(
            &sys,
            &k,
            "GUID",
            RegValue::binary(PROVIDER.to_bytes().to_vec()),
        )
        .unwrap();
    });
    bed.m.boot();
    let id = bed.m.raise_trigger_event(custom_event(PROVIDER, "x"));
    assert_eq!(outcomes_of(&bed.m, "R"), [(id, Started)]);
    assert_eq!(lines(&log), ["start R TriggerStarted"]);
}
