//! Service triggers (issue 7), point by point: configuration through ChangeServiceConfig2 and
//! the registry (with Windows' limits), matching for every event kind, conditions true at boot,
//! start / stop / TRIGGEREVENT actions, the queue of events that arrive while a service stops
//! itself (ERROR_SHUTDOWN_IN_PROGRESS), held events, low memory, and idle stop.

use scm_sim::service::ServiceControl;
use std::sync::Arc;
use std::time::Duration;

use rstest::rstest;
use scm_sim::events::TraceKind;
use scm_sim::machine::Image;
use scm_sim::registry::service::{
    subtypes, Guid, ParamLocation, ParamValue, ServiceKey, Trigger, TriggerAction, TriggerDataItem,
    TriggerType,
};
use scm_sim::registry::{Caller, RegValue, ValueType};
use scm_sim::scm::access::{SC_MANAGER_ALL_ACCESS, SERVICE_ALL_ACCESS};
use scm_sim::scm::{ServiceConfig2, ServiceConfig2Level};
use scm_sim::service::scripted::Behavior;
use scm_sim::service::{
    ServiceStartType, ServiceState, ServiceStateFilter, ServiceTable, ServiceType,
};
use scm_sim::triggers::{Conditions, TriggerEvent, TriggerOutcome};
use scm_sim::Machine;
use scm_sim_test_support::triggers::*;
use scm_sim_test_support::*;

use TriggerOutcome::*;

const DISK: Guid = Guid::new(
    0x53f5_6307,
    0xb6bf,
    0x11d0,
    [0x94, 0xf2, 0x00, 0xa0, 0xc9, 0x1e, 0xfb, 0x8b],
);
const VOLUME: Guid = Guid::new(
    0x53f5_630d,
    0xb6bf,
    0x11d0,
    [0x94, 0xf2, 0x00, 0xa0, 0xc9, 0x1e, 0xfb, 0x8b],
);
const SERVICES: &str = r"HKLM\SYSTEM\CurrentControlSet\Services";

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn triggers_of(m: &mut Machine, h: scm_sim::scm::ScHandle) -> Vec<Trigger> {
    match m
        .query_service_config2(h, ServiceConfig2Level::TriggerInfo)
        .unwrap()
    {
        ServiceConfig2::TriggerInfo(t) => t,
        other => panic!("not trigger info: {other:?}"),
    }
}

fn trigger(ty: TriggerType, action: TriggerAction, sub: Guid) -> Trigger {
    Trigger::new(ty, action).with_subtype(sub)
}

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

// ----- 1. configuration ----------------------------------------------------------------------

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

// ----- 2. matching ---------------------------------------------------------------------------

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

// ----- conditions true at boot ---------------------------------------------------------------

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

// ----- 3. actions ----------------------------------------------------------------------------

#[test]
fn a_trigger_start_passes_trigger_started_as_argv1() {
    let mut bed = Bed::new(0);
    let log: Log = Arc::default();
    let h = bed.rust(
        "T",
        probe(log.clone(), Probe::default()),
        vec![on_custom(PROVIDER, TriggerAction::Start)],
    );
    let id = bed.m.raise_trigger_event(custom_event(PROVIDER, "go"));
    assert_eq!(bed.state(h), ServiceState::Running);
    assert_eq!(lines(&log), ["start T TriggerStarted"]);
    assert_eq!(outcomes_of(&bed.m, "T"), [(id, Started)]);
    // A start by a client has no such argument.
    bed.m.control_service(h, ServiceControl::Stop).unwrap();
    bed.m.start_service(h, &["x"]).unwrap();
    assert_eq!(lines(&log)[2], "start T x");
}

#[test]
fn a_stop_trigger_stops_the_service() {
    let mut bed = Bed::new(0);
    let log: Log = Arc::default();
    let h = bed.rust(
        "T",
        probe(log.clone(), Probe::default()),
        vec![
            on_custom(PROVIDER, TriggerAction::Start),
            on_custom(OTHER_PROVIDER, TriggerAction::Stop),
        ],
    );
    let go = bed.m.raise_trigger_event(custom_event(PROVIDER, "go"));
    let stop = bed
        .m
        .raise_trigger_event(custom_event(OTHER_PROVIDER, "stop"));
    assert_eq!(bed.state(h), ServiceState::Stopped);
    let again = bed
        .m
        .raise_trigger_event(custom_event(OTHER_PROVIDER, "stop"));
    assert_eq!(
        outcomes_of(&bed.m, "T"),
        [(go, Started), (stop, Stopped), (again, AlreadyStopped)]
    );
    assert_eq!(lines(&log), ["start T TriggerStarted", "stopped"]);
}

#[test]
fn a_stop_trigger_is_refused_while_dependents_run() {
    let mut bed = Bed::new(0);
    let h = bed.scripted_triggered(
        "T",
        vec![
            on_custom(PROVIDER, TriggerAction::Start),
            on_custom(OTHER_PROVIDER, TriggerAction::Stop),
        ],
    );
    let dependent = bed.create_triggered("Dep", r"C:\scripted\dep.exe", Vec::new(), &["T"]);
    bed.m.start_service(dependent, &[]).unwrap();
    assert_eq!(bed.state(h), ServiceState::Running);
    let refused = bed
        .m
        .raise_trigger_event(custom_event(OTHER_PROVIDER, "stop"));
    assert_eq!(bed.state(h), ServiceState::Running);
    bed.m
        .control_service(dependent, ServiceControl::Stop)
        .unwrap();
    let stopped = bed
        .m
        .raise_trigger_event(custom_event(OTHER_PROVIDER, "stop"));
    assert_eq!(
        outcomes_of(&bed.m, "T"),
        [(refused, StopRefused(1051)), (stopped, Stopped)]
    );
    assert_eq!(bed.state(h), ServiceState::Stopped);
}

#[test]
fn a_running_service_gets_one_triggerevent_per_event() {
    let mut bed = Bed::new(0);
    let log: Log = Arc::default();
    bed.rust(
        "T",
        probe(log.clone(), Probe::default()),
        vec![on_custom(PROVIDER, TriggerAction::Start)],
    );
    let ids: Vec<u64> = ["one", "two", "three", "four"]
        .iter()
        .map(|w| bed.m.raise_trigger_event(custom_event(PROVIDER, w)))
        .collect();
    assert_eq!(
        outcomes_of(&bed.m, "T"),
        [
            (ids[0], Started),
            (ids[1], Delivered(0)),
            (ids[2], Delivered(0)),
            (ids[3], Delivered(0))
        ]
    );
    let p = PROVIDER;
    assert_eq!(
        lines(&log),
        [
            "start T TriggerStarted".to_string(),
            format!("trigger custom {p} two"),
            format!("trigger custom {p} three"),
            format!("trigger custom {p} four"),
        ]
    );
    let controls = bed
        .m
        .trace()
        .entries()
        .iter()
        .filter(|e| matches!(e.kind, TraceKind::ControlSent { control: 32, .. }))
        .count();
    assert_eq!(controls, 3);
}

// ----- 4. the queue --------------------------------------------------------------------------

/// A service stopping itself keeps accepting TRIGGEREVENT and answers 1115: the SCM queues the
/// event, waits for STOPPED, starts the service again, then sends the events queued behind it
/// one TRIGGEREVENT each, in order, once the service reports RUNNING with the accept bit.
#[test]
fn events_during_a_self_stop_are_queued_and_replayed() {
    let mut bed = Bed::new(0);
    let log: Log = Arc::default();
    let h = bed.rust(
        "T",
        probe(log.clone(), Probe::default()),
        vec![on_custom(PROVIDER, TriggerAction::Start)],
    );
    let first = bed.m.raise_trigger_event(custom_event(PROVIDER, "one"));
    bed.until(secs(10));
    bed.m.control_service(h, SELF_STOP).unwrap();
    assert_eq!(bed.state(h), ServiceState::StopPending);
    let during: Vec<u64> = ["two", "three", "four"]
        .iter()
        .map(|w| bed.m.raise_trigger_event(custom_event(PROVIDER, w)))
        .collect();
    // All three wait; "two" was answered 1115, the others were not sent at all.
    assert_eq!(bed.m.trigger_queue("T"), during);
    assert_eq!(outcomes_of(&bed.m, "T"), [(first, Started)]);
    assert_eq!(bed.state(h), ServiceState::StopPending);

    bed.until(secs(15));
    assert_eq!(bed.state(h), ServiceState::Running);
    assert!(bed.m.trigger_queue("T").is_empty());
    assert_eq!(
        outcomes_of(&bed.m, "T"),
        [
            (first, Started),
            (during[0], Started),
            (during[1], Delivered(0)),
            (during[2], Delivered(0))
        ]
    );
    let p = PROVIDER;
    assert_eq!(
        lines(&log),
        [
            "start T TriggerStarted".to_string(),
            format!("1115 custom {p} two"),
            "stopped".to_string(),
            "start T TriggerStarted".to_string(),
            format!("trigger custom {p} three"),
            format!("trigger custom {p} four"),
        ]
    );
    // The trace shows it: the 1115, the queueing, STOPPED, the start, the deliveries.
    let text = timeline(&bed.m);
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in\n{text}"))
    };
    let refused = at("handler for control 32 returned 1115");
    let queued = at(&format!(
        "trigger event #{} queued: T answered 1115 while stopping",
        during[0]
    ));
    let stopped = at("T: STOP_PENDING -> STOPPED");
    let restarted = at(&format!("trigger event #{} for T: Started", during[0]));
    let delivered = at(&format!("trigger event #{} for T: Delivered(0)", during[2]));
    assert!(
        refused < queued && queued < stopped && stopped < restarted && restarted < delivered,
        "{text}"
    );
    bed.m.assert_no_violations();
}

/// An event for a service that accepts no TRIGGEREVENT at that moment is held until the
/// service's state allows the action.
#[test]
fn an_event_is_held_while_triggerevent_is_not_accepted() {
    let mut bed = Bed::new(0);
    let log: Log = Arc::default();
    let h = bed.rust(
        "T",
        probe(
            log.clone(),
            Probe {
                accept_trigger: false,
                ..Probe::default()
            },
        ),
        vec![on_custom(PROVIDER, TriggerAction::Start)],
    );
    let first = bed.m.raise_trigger_event(custom_event(PROVIDER, "one"));
    let held = bed.m.raise_trigger_event(custom_event(PROVIDER, "two"));
    assert_eq!(bed.m.trigger_queue("T"), [held]);
    assert_eq!(outcomes_of(&bed.m, "T"), [(first, Started)]);
    bed.until(secs(60));
    assert_eq!(bed.m.trigger_queue("T"), [held], "still held");
    // Once stopped, the held event starts the service again.
    bed.m.control_service(h, ServiceControl::Stop).unwrap();
    assert_eq!(bed.state(h), ServiceState::Running);
    assert_eq!(
        outcomes_of(&bed.m, "T"),
        [(first, Started), (held, Started)]
    );
    assert_eq!(
        lines(&log),
        [
            "start T TriggerStarted",
            "stopped",
            "start T TriggerStarted"
        ]
    );
}

/// Events arriving while a (scripted) service is START_PENDING wait for RUNNING.
#[test]
fn an_event_during_start_pending_waits_for_running() {
    let mut bed = Bed::new(0);
    let mut b = Behavior::default();
    b.set("start-time", "3s").unwrap();
    b.set("accept", "stop,triggerevent").unwrap();
    bed.m.set_behavior("T", b);
    let h = bed.scripted_triggered("T", vec![on_custom(PROVIDER, TriggerAction::Start)]);
    let first = bed.m.raise_trigger_event(custom_event(PROVIDER, "one"));
    assert_eq!(bed.state(h), ServiceState::StartPending);
    let second = bed.m.raise_trigger_event(custom_event(PROVIDER, "two"));
    assert_eq!(bed.m.trigger_queue("T"), [second]);
    bed.until(secs(3));
    assert_eq!(bed.state(h), ServiceState::Running);
    assert_eq!(
        outcomes_of(&bed.m, "T"),
        [(first, Started), (second, Delivered(0))]
    );
}

// ----- 7. low memory -------------------------------------------------------------------------

#[test]
fn low_memory_drops_trigger_actions() {
    let mut bed = Bed::new(0);
    let log: Log = Arc::default();
    let h = bed.rust(
        "T",
        probe(log.clone(), Probe::default()),
        vec![on_custom(PROVIDER, TriggerAction::Start)],
    );
    bed.m.set_low_memory(true);
    let dropped = bed.m.raise_trigger_event(custom_event(PROVIDER, "one"));
    assert_eq!(bed.state(h), ServiceState::Stopped);
    assert!(bed.m.trigger_queue("T").is_empty());
    bed.m.set_low_memory(false);
    let started = bed.m.raise_trigger_event(custom_event(PROVIDER, "two"));
    assert_eq!(bed.state(h), ServiceState::Running);
    // TRIGGEREVENT deliveries are dropped too.
    bed.m.set_low_memory(true);
    let not_delivered = bed.m.raise_trigger_event(custom_event(PROVIDER, "three"));
    assert_eq!(
        outcomes_of(&bed.m, "T"),
        [
            (dropped, DroppedLowMemory),
            (started, Started),
            (not_delivered, DroppedLowMemory)
        ]
    );
    assert_eq!(lines(&log), ["start T TriggerStarted"]);
}

// ----- 5. idle stop --------------------------------------------------------------------------

/// A scripted service, trigger-started, with Parameters\ServiceIdleTimeout = 30 s, STOP_PENDING
/// for 5 s, and `trigger-while-stopping` as given.
fn idle_bed(trigger_while_stopping: &str) -> (Bed, scm_sim::scm::ScHandle) {
    let mut m = Machine::builder()
        .image(Image::Empty)
        .boot(false)
        .build()
        .unwrap();
    let mut key = ServiceKey::new(0x10, 3, 1);
    key.image_path = Some(r"C:\scripted\idle.exe".into());
    key.object_name = Some("LocalSystem".into());
    key.triggers = vec![on_custom(PROVIDER, TriggerAction::Start)];
    key.parameters.service_idle_timeout = Some(ParamValue::new(
        30,
        ValueType::DWORD,
        ParamLocation::Parameters,
    ));
    m.with_registry(|r| key.write(r, &Caller::local_system(), "Idle"))
        .unwrap();
    let mut b = Behavior::default();
    b.set("accept", "stop,triggerevent").unwrap();
    b.set("stop-time", "5s").unwrap();
    b.set("trigger-while-stopping", trigger_while_stopping)
        .unwrap();
    m.set_behavior("Idle", b);
    m.boot();
    let scm = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).unwrap();
    let h = m.open_service(scm, "Idle", SERVICE_ALL_ACCESS).unwrap();
    (Bed { m, scm }, h)
}

#[test]
fn an_idle_service_stops_itself_after_its_timeout() {
    let (mut bed, h) = idle_bed("shutdown-in-progress");
    let id = bed.m.raise_trigger_event(custom_event(PROVIDER, "one"));
    assert_eq!(bed.state(h), ServiceState::Running);
    bed.until(secs(29));
    assert_eq!(bed.state(h), ServiceState::Running);
    bed.until(secs(30));
    assert_eq!(bed.state(h), ServiceState::StopPending);
    bed.until(secs(35));
    assert_eq!(bed.state(h), ServiceState::Stopped);
    assert_eq!(outcomes_of(&bed.m, "Idle"), [(id, Started)]);
    assert!(timeline(&bed.m).contains("Idle stops itself after 30 s idle"));
}

#[test]
fn trigger_events_keep_an_idle_service_alive() {
    let (mut bed, h) = idle_bed("shutdown-in-progress");
    bed.m.raise_trigger_event(custom_event(PROVIDER, "one"));
    bed.until(secs(20));
    let two = bed.m.raise_trigger_event(custom_event(PROVIDER, "two"));
    bed.until(secs(49));
    assert_eq!(bed.state(h), ServiceState::Running);
    bed.until(secs(50));
    assert_eq!(bed.state(h), ServiceState::StopPending);
    assert_eq!(outcomes_of(&bed.m, "Idle")[1], (two, Delivered(0)));
}

#[test]
fn a_service_started_by_a_client_does_not_idle_stop() {
    let (mut bed, h) = idle_bed("shutdown-in-progress");
    bed.m.start_service(h, &[]).unwrap();
    bed.until(secs(300));
    assert_eq!(bed.state(h), ServiceState::Running);
}

/// An event arriving during the idle stop restarts the service once it is STOPPED: the
/// service keeps accepting TRIGGEREVENT while stopping, answers 1115, and the SCM queues it.
#[rstest]
#[case::answered_1115("shutdown-in-progress", 1)]
fn an_event_during_the_idle_stop(#[case] answer: &str, #[case] sent_while_stopping: usize) {
    let (mut bed, h) = idle_bed(answer);
    let one = bed.m.raise_trigger_event(custom_event(PROVIDER, "one"));
    bed.until(secs(31));
    assert_eq!(bed.state(h), ServiceState::StopPending);
    let two = bed.m.raise_trigger_event(custom_event(PROVIDER, "two"));
    assert_eq!(bed.m.trigger_queue("Idle"), [two]);
    let sent = |m: &Machine| {
        m.trace()
            .entries()
            .iter()
            .filter(|e| matches!(&e.kind, TraceKind::ControlSent { control: 32, .. }))
            .count()
    };
    assert_eq!(sent(&bed.m), sent_while_stopping);
    let answered_1115 = timeline(&bed.m).contains("handler for control 32 returned 1115");
    assert_eq!(answered_1115, sent_while_stopping == 1);

    bed.until(secs(35));
    assert_eq!(bed.state(h), ServiceState::Running);
    assert!(bed.m.trigger_queue("Idle").is_empty());
    assert_eq!(
        outcomes_of(&bed.m, "Idle"),
        [(one, Started), (two, Started)]
    );
    let starts: Vec<Vec<String>> = bed
        .m
        .trace()
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::ServiceMainCalled { service, args, .. } if &**service == "Idle" => {
                Some(args.to_vec())
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        starts,
        [["Idle", "TriggerStarted"], ["Idle", "TriggerStarted"]]
    );
    // It idles again, and stays stopped when nothing comes.
    bed.until(secs(35 + 30 + 5));
    assert_eq!(bed.state(h), ServiceState::Stopped);
    bed.until(secs(600));
    assert_eq!(bed.state(h), ServiceState::Stopped);
    assert_eq!(outcomes_of(&bed.m, "Idle").len(), 2);
}

/// `trigger-while-stopping=ignore`: the service still accepts TRIGGEREVENT while stopping but
/// answers NO_ERROR, dropping the event: it is delivered, nothing is queued, no restart.
#[test]
fn an_event_ignored_during_the_idle_stop_is_dropped() {
    let (mut bed, h) = idle_bed("ignore");
    let one = bed.m.raise_trigger_event(custom_event(PROVIDER, "one"));
    bed.until(secs(31));
    assert_eq!(bed.state(h), ServiceState::StopPending);
    let two = bed.m.raise_trigger_event(custom_event(PROVIDER, "two"));
    assert!(bed.m.trigger_queue("Idle").is_empty());
    bed.until(secs(120));
    assert_eq!(bed.state(h), ServiceState::Stopped);
    assert_eq!(
        outcomes_of(&bed.m, "Idle"),
        [(one, Started), (two, Delivered(0))]
    );
}

/// The trace shows a trigger event at the virtual time it was raised.
#[test]
fn a_raised_event_is_traced_at_its_virtual_time() {
    let mut bed = Bed::new(0);
    bed.scripted_triggered("T", vec![on_custom(PROVIDER, TriggerAction::Start)]);
    bed.until(secs(10));
    let id = bed.m.raise_trigger_event(custom_event(PROVIDER, "late"));
    let note = format!("trigger event #{id}: custom");
    let at = bed
        .m
        .trace()
        .entries()
        .iter()
        .find(|e| matches!(&e.kind, TraceKind::Note { text } if text.text().starts_with(&note)))
        .map(|e| e.time)
        .unwrap();
    assert_eq!(at, secs(10), "{}", timeline(&bed.m));
}

// ----- the built-in machine ------------------------------------------------------------------

#[test]
fn a_builtin_service_starts_on_its_named_pipe() {
    let mut m = Machine::windows10();
    let id = m.raise_trigger_event(TriggerEvent::NamedPipe(
        r"ProtectedPrefix\LocalService\MSAJPipe".into(),
    ));
    assert_eq!(outcomes_of(&m, "AJRouter"), [(id, Started)]);
    let scm = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).unwrap();
    let h = m.open_service(scm, "AJRouter", SERVICE_ALL_ACCESS).unwrap();
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

/// A reboot ends every process and the SCM starts afresh: events held before it are gone, and
/// do not start anything after it.
#[test]
fn a_reboot_forgets_held_events() {
    let mut bed = Bed::new(0);
    let log: Log = Arc::default();
    bed.rust(
        "T",
        probe(
            log.clone(),
            Probe {
                accept_trigger: false,
                ..Probe::default()
            },
        ),
        vec![on_custom(PROVIDER, TriggerAction::Start)],
    );
    bed.m.raise_trigger_event(custom_event(PROVIDER, "one"));
    let held = bed.m.raise_trigger_event(custom_event(PROVIDER, "two"));
    assert_eq!(bed.m.trigger_queue("T"), [held]);
    bed.m.boot();
    let scm = bed.m.open_sc_manager(SC_MANAGER_ALL_ACCESS).unwrap();
    let h = bed.m.open_service(scm, "T", SERVICE_ALL_ACCESS).unwrap();
    assert!(bed.m.trigger_queue("T").is_empty(), "{}", timeline(&bed.m));
    assert_eq!(
        bed.m.query_service_status(h).unwrap().current_state,
        ServiceState::Stopped,
        "{}",
        timeline(&bed.m)
    );
}

/// Found by the property test: a start event queued behind stop events that find the service
/// already stopped must still be acted on (the service is started for it).
#[test]
fn a_start_queued_behind_resolved_stops_is_acted_on() {
    let mut bed = Bed::new(0);
    let log: Log = Arc::default();
    let h = bed.rust(
        "T",
        probe(
            log.clone(),
            Probe {
                accept_trigger: true,
                stop_time: secs(1),
            },
        ),
        vec![
            on_custom(PROVIDER, TriggerAction::Start),
            on_custom(OTHER_PROVIDER, TriggerAction::Stop),
        ],
    );
    bed.m.raise_trigger_event(custom_event(PROVIDER, "a"));
    bed.m.control_service(h, SELF_STOP).unwrap();
    // While it stops: a start (answered 1115), three stops and a start, all queued.
    let restart = bed.m.raise_trigger_event(custom_event(PROVIDER, "b"));
    let stops: Vec<u64> = ["s1", "s2", "s3"]
        .iter()
        .map(|w| bed.m.raise_trigger_event(custom_event(OTHER_PROVIDER, w)))
        .collect();
    let last = bed.m.raise_trigger_event(custom_event(PROVIDER, "c"));
    bed.until(secs(600));
    assert_eq!(
        outcomes_of(&bed.m, "T")[1..],
        [
            (restart, Started),
            (stops[0], Stopped),
            (stops[1], AlreadyStopped),
            (stops[2], AlreadyStopped),
            (last, Started),
        ],
        "{}",
        timeline(&bed.m)
    );
    assert!(bed.m.trigger_queue("T").is_empty());
    assert_eq!(bed.state(h), ServiceState::Running);
}

/// The idle timeout is the service's own Parameters value, read when it starts: one written
/// after CreateService counts without a reboot.
#[test]
fn an_idle_timeout_written_after_create_service_is_used() {
    let mut bed = Bed::new(0);
    let mut b = Behavior::default();
    b.set("accept", "stop,triggerevent").unwrap();
    bed.m.set_behavior("Idle", b);
    let h = bed.scripted_triggered("Idle", vec![on_custom(PROVIDER, TriggerAction::Start)]);
    bed.m.with_registry(|r| {
        let sys = Caller::local_system();
        let k = format!(r"{SERVICES}\Idle\Parameters");
        r.create_key(&sys, &k).unwrap();
        r.set_value(&sys, &k, "ServiceIdleTimeout", RegValue::dword(30))
            .unwrap();
    });
    bed.m.raise_trigger_event(custom_event(PROVIDER, "go"));
    assert_eq!(bed.state(h), ServiceState::Running);
    bed.until(secs(31));
    assert_eq!(bed.state(h), ServiceState::Stopped, "{}", timeline(&bed.m));
}
