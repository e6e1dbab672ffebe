//! Matching: every event kind against its triggers, and the conditions true at boot.

use super::*;

fn device(class: Guid, ids: &[&str]) -> TriggerEvent {
    TriggerEvent::DeviceArrival {
        interface_class: class,
        hardware_ids: ids.iter().map(|s| s.to_string()).collect(),
    }
}

fn etw(binary: &[&[u8]], strings: &[&str], level: u8, keywords: u64) -> TriggerEvent {
    TriggerEvent::Custom {
        provider: PROVIDER,
        binary: binary.iter().map(|b| b.to_vec()).collect(),
        strings: strings.iter().map(|s| s.to_string()).collect(),
        level,
        keywords,
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn start_on(ty: TriggerType, sub: Guid, items: Vec<TriggerDataItem>) -> Trigger {
    let mut t = trigger(ty, TriggerAction::Start, sub);
    t.data = items;
    t
}

fn device_trigger() -> Trigger {
    start_on(
        TriggerType::DEVICE_INTERFACE_ARRIVAL,
        DISK,
        vec![
            TriggerDataItem::string(r"USBSTOR\GenDisk"),
            TriggerDataItem::string(r"USB\Class_08"),
        ],
    )
}

fn port_trigger(sub: Guid) -> Trigger {
    start_on(
        TriggerType::FIREWALL_PORT_EVENT,
        sub,
        vec![TriggerDataItem::multi_string(&["5353", "UDP"])],
    )
}

fn custom_trigger(items: Vec<TriggerDataItem>) -> Trigger {
    start_on(TriggerType::CUSTOM, PROVIDER, items)
}

/// Every event kind against a start trigger of a stopped service: started exactly when the
/// event matches.
#[rstest]
// Device arrival: same class, any of the trigger's ids (case-insensitive) among the device's.
#[case::device_any_id(device_trigger(), device(DISK, &[r"PCI\VEN_1", r"usb\class_08"]), true)]
#[case::device_no_id(device_trigger(), device(DISK, &[r"PCI\VEN_1"]), false)]
#[case::device_other_class(device_trigger(), device(VOLUME, &[r"USB\Class_08"]), false)]
#[case::device_class_only(start_on(TriggerType::DEVICE_INTERFACE_ARRIVAL, DISK, vec![]), device(DISK, &["anything"]), true)]
#[case::device_multi_string_any_part(start_on(TriggerType::DEVICE_INTERFACE_ARRIVAL, DISK, vec![TriggerDataItem::multi_string(&["A", "B"])]), device(DISK, &["b"]), true)]
// IP address availability.
#[case::networkon(on_network(), TriggerEvent::NetworkOn, true)]
#[case::networkon_vs_off(on_network(), TriggerEvent::NetworkOff, false)]
#[case::networkoff(start_on(TriggerType::IP_ADDRESS_AVAILABILITY, subtypes::LAST_IP_ADDRESS_REMOVAL, vec![]), TriggerEvent::NetworkOff, true)]
// Domain join and leave.
#[case::domainjoin(start_on(TriggerType::DOMAIN_JOIN, subtypes::DOMAIN_JOIN, vec![]), TriggerEvent::DomainJoin, true)]
#[case::domainjoin_vs_leave(start_on(TriggerType::DOMAIN_JOIN, subtypes::DOMAIN_JOIN, vec![]), TriggerEvent::DomainLeave, false)]
#[case::domainleave(start_on(TriggerType::DOMAIN_JOIN, subtypes::DOMAIN_LEAVE, vec![]), TriggerEvent::DomainLeave, true)]
// Firewall ports: a multi-string matches only when all its strings match.
#[case::portopen_all_parts(port_trigger(subtypes::FIREWALL_PORT_OPEN), TriggerEvent::PortOpen(strings(&["5353", "udp"])), true)]
#[case::portopen_wrong_protocol(port_trigger(subtypes::FIREWALL_PORT_OPEN), TriggerEvent::PortOpen(strings(&["5353", "TCP"])), false)]
#[case::portopen_missing_part(port_trigger(subtypes::FIREWALL_PORT_OPEN), TriggerEvent::PortOpen(strings(&["5353"])), false)]
#[case::portclose(port_trigger(subtypes::FIREWALL_PORT_CLOSE), TriggerEvent::PortClose(strings(&["5353", "UDP"])), true)]
#[case::portclose_vs_open(port_trigger(subtypes::FIREWALL_PORT_CLOSE), TriggerEvent::PortOpen(strings(&["5353", "UDP"])), false)]
// Group policy.
#[case::machinepolicy(start_on(TriggerType::GROUP_POLICY, subtypes::MACHINE_POLICY_PRESENT, vec![]), TriggerEvent::MachinePolicy, true)]
#[case::machinepolicy_vs_user(start_on(TriggerType::GROUP_POLICY, subtypes::MACHINE_POLICY_PRESENT, vec![]), TriggerEvent::UserPolicy, false)]
#[case::userpolicy(start_on(TriggerType::GROUP_POLICY, subtypes::USER_POLICY_PRESENT, vec![]), TriggerEvent::UserPolicy, true)]
// Network endpoints: strings compared case-insensitively.
#[case::rpcinterface(start_on(TriggerType::NETWORK_ENDPOINT, subtypes::RPC_INTERFACE_EVENT, vec![TriggerDataItem::string("7a20fcec-dec4-4c59-be57-212e8f65d3de")]), TriggerEvent::RpcInterface("7A20FCEC-DEC4-4C59-BE57-212E8F65D3DE".into()), true)]
#[case::rpcinterface_other(start_on(TriggerType::NETWORK_ENDPOINT, subtypes::RPC_INTERFACE_EVENT, vec![TriggerDataItem::string("7a20fcec-dec4-4c59-be57-212e8f65d3de")]), TriggerEvent::RpcInterface("00000000-dec4-4c59-be57-212e8f65d3de".into()), false)]
#[case::namedpipe(start_on(TriggerType::NETWORK_ENDPOINT, subtypes::NAMED_PIPE_EVENT, vec![TriggerDataItem::string(r"ProtectedPrefix\LocalService\MyPipe")]), TriggerEvent::NamedPipe(r"protectedprefix\localservice\mypipe".into()), true)]
#[case::namedpipe_other(start_on(TriggerType::NETWORK_ENDPOINT, subtypes::NAMED_PIPE_EVENT, vec![TriggerDataItem::string(r"ProtectedPrefix\LocalService\MyPipe")]), TriggerEvent::NamedPipe(r"ProtectedPrefix\LocalService\Other".into()), false)]
// Custom ETW: binary exact, strings case-insensitive, multi-strings all parts, level, keywords.
#[case::custom_no_data(custom_trigger(vec![]), etw(&[], &[], 5, 0), true)]
#[case::custom_other_provider(custom_trigger(vec![]), custom_event(OTHER_PROVIDER, "x"), false)]
#[case::binary_exact(custom_trigger(vec![TriggerDataItem::binary(vec![1, 2, 3, 4])]), etw(&[&[1, 2, 3, 4]], &[], 0, 0), true)]
#[case::binary_prefix(custom_trigger(vec![TriggerDataItem::binary(vec![1, 2, 3, 4])]), etw(&[&[1, 2, 3]], &[], 0, 0), false)]
#[case::binary_longer(custom_trigger(vec![TriggerDataItem::binary(vec![1, 2, 3, 4])]), etw(&[&[1, 2, 3, 4, 5]], &[], 0, 0), false)]
#[case::strcustom(custom_trigger(vec![TriggerDataItem::string("Hello")]), etw(&[], &["HELLO"], 0, 0), true)]
#[case::strcustom_other(custom_trigger(vec![TriggerDataItem::string("Hello")]), etw(&[], &["bye"], 0, 0), false)]
#[case::multi_string_all_parts(custom_trigger(vec![TriggerDataItem::multi_string(&["a", "b"])]), etw(&[], &["B", "A"], 0, 0), true)]
#[case::multi_string_one_part(custom_trigger(vec![TriggerDataItem::multi_string(&["a", "b"])]), etw(&[], &["a"], 0, 0), false)]
#[case::level_within(custom_trigger(vec![TriggerDataItem::level(4)]), etw(&[], &[], 3, 0), true)]
#[case::level_equal(custom_trigger(vec![TriggerDataItem::level(4)]), etw(&[], &[], 4, 0), true)]
#[case::level_above(custom_trigger(vec![TriggerDataItem::level(4)]), etw(&[], &[], 5, 0), false)]
#[case::keyword_any(custom_trigger(vec![TriggerDataItem::keyword_any(0b0110)]), etw(&[], &[], 0, 0b0100), true)]
#[case::keyword_any_none(custom_trigger(vec![TriggerDataItem::keyword_any(0b0110)]), etw(&[], &[], 0, 0b1000), false)]
#[case::keyword_all(custom_trigger(vec![TriggerDataItem::keyword_all(0b0110)]), etw(&[], &[], 0, 0b1110), true)]
#[case::keyword_all_missing_bit(custom_trigger(vec![TriggerDataItem::keyword_all(0b0110)]), etw(&[], &[], 0, 0b0100), false)]
// With data items, one item has to match.
#[case::one_item_of_several(custom_trigger(vec![TriggerDataItem::binary(vec![9]), TriggerDataItem::string("x")]), etw(&[], &["X"], 0, 0), true)]
#[case::no_item_matches(custom_trigger(vec![TriggerDataItem::binary(vec![9]), TriggerDataItem::string("x")]), etw(&[&[8]], &["y"], 0, 0), false)]
#[case::items_but_no_payload(custom_trigger(vec![TriggerDataItem::binary(vec![9])]), etw(&[], &[], 0, 0), false)]
fn matching(#[case] t: Trigger, #[case] event: TriggerEvent, #[case] matches: bool) {
    assert_eq!(event.matches(&t), matches, "TriggerEvent::matches");
    let mut bed = Bed::new(0);
    let h = bed.scripted_triggered("T", vec![t]);
    let id = bed.m.raise_trigger_event(event);
    let got = outcomes_of(&bed.m, "T");
    if matches {
        assert_eq!(got, [(id, Started)]);
        assert_eq!(bed.state(h), ServiceState::Running);
    } else {
        assert!(got.is_empty(), "{got:?}");
        assert!(bed.m.trigger_queue("T").is_empty());
        assert_eq!(bed.state(h), ServiceState::Stopped);
    }
}

/// The network is up by default, so services with a first-IP-address start trigger are
/// started at boot; with the network down they stay stopped.
#[rstest]
#[case::network_up(true)]
#[case::network_down(false)]
fn network_at_boot(#[case] network: bool) {
    let mut m = Machine::builder()
        .image(Image::Windows10)
        .boot(false)
        .build()
        .unwrap();
    assert!(m.conditions().network, "the network is on by default");
    m.set_conditions(Conditions {
        network,
        ..Conditions::default()
    });
    m.boot();
    let scm = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).unwrap();
    let all = m
        .enum_services_status(scm, ServiceType::WIN32, ServiceStateFilter::ALL, None)
        .unwrap();
    let mut networkon = Vec::new();
    for s in &all {
        let h = m
            .open_service(scm, &s.service_name, SERVICE_ALL_ACCESS)
            .unwrap();
        let starts = triggers_of(&mut m, h).iter().any(|t| {
            t.action == TriggerAction::Start
                && t.subtype == Some(subtypes::FIRST_IP_ADDRESS_ARRIVAL)
        });
        let config = m.query_service_config(h).unwrap();
        if starts && config.start_type != ServiceStartType::Disabled {
            networkon.push((s.service_name.clone(), s.status.current_state));
        }
    }
    assert!(!networkon.is_empty());
    let expected = if network {
        ServiceState::Running
    } else {
        ServiceState::Stopped
    };
    for (name, state) in &networkon {
        assert_eq!(*state, expected, "{name}");
    }
    assert!(
        networkon.iter().any(|(n, _)| n == "lmhosts"),
        "{networkon:?}"
    );
}

/// A condition set before a reboot (domain joined) acts at boot: W32Time starts, with the
/// TriggerStarted argument.
#[rstest]
#[case::joined(true)]
#[case::not_joined(false)]
fn domain_join_at_boot(#[case] joined: bool) {
    let mut m = Machine::windows10();
    m.set_conditions(Conditions {
        domain_joined: joined,
        ..m.conditions()
    });
    m.boot();
    let scm = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).unwrap();
    let w32time = m.open_service(scm, "W32Time", SERVICE_ALL_ACCESS).unwrap();
    let state = m.query_service_status(w32time).unwrap().current_state;
    if joined {
        assert_eq!(state, ServiceState::Running);
        assert!(m.trace().entries().iter().any(|e| matches!(&e.kind,
            TraceKind::ServiceMainCalled { service, args, .. }
                if &**service == "W32Time" && args[..] == ["W32Time", "TriggerStarted"])));
    } else {
        assert_eq!(state, ServiceState::Stopped);
    }
}

#[test]
fn a_rust_service_started_at_boot_by_a_condition() {
    let mut bed = Bed::new(0);
    let log: Log = Arc::default();
    let join = trigger(
        TriggerType::DOMAIN_JOIN,
        TriggerAction::Start,
        subtypes::DOMAIN_JOIN,
    );
    bed.rust("Joiner", probe(log.clone(), Probe::default()), vec![join]);
    bed.m.set_conditions(Conditions {
        domain_joined: true,
        ..Conditions::default()
    });
    bed.m.boot();
    assert_eq!(lines(&log), ["start Joiner TriggerStarted"]);
}
