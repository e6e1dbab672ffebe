//! Parsing `sc triggerinfo` options (scm-facts §5.4) into the trigger list that
//! ChangeServiceConfig2(SERVICE_CONFIG_TRIGGER_INFO) stores. The list replaces the service's
//! triggers; `delete` clears them. (The engine stores triggers; firing them comes later.)

use fake_registry::service::{
    subtypes, Guid, Trigger, TriggerAction, TriggerDataItem, TriggerType,
};

fn guid(text: &str) -> Option<Guid> {
    text.parse().ok()
}

/// `ABCD` → [0xAB, 0xCD]; `None` for an empty string, an odd length or a non-hex digit.
pub(crate) fn hex_bytes(text: &str) -> Option<Vec<u8>> {
    if text.is_empty() || !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A decimal or `0x` hexadecimal number.
pub(crate) fn number(text: &str) -> Option<u64> {
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => text.parse().ok(),
    }
}

/// One option, e.g. `start/device/UUID/HwId1`; `None` when malformed.
fn parse_one(option: &str) -> Option<Trigger> {
    let parts: Vec<&str> = option.split('/').collect();
    let action = match parts.first()?.to_ascii_lowercase().as_str() {
        "start" => TriggerAction::Start,
        "stop" => TriggerAction::Stop,
        _ => return None,
    };
    let kind = parts.get(1)?.to_ascii_lowercase();
    let rest = &parts[2..];
    let start_only = |t: Trigger| (action == TriggerAction::Start).then_some(t);
    let bare = |ty: TriggerType, g: Guid| Trigger::new(ty, action).with_subtype(g);
    match kind.as_str() {
        "device" => {
            let mut t = bare(TriggerType::DEVICE_INTERFACE_ARRIVAL, guid(rest.first()?)?);
            for id in &rest[1..] {
                t = t.with_data(TriggerDataItem::string(id));
            }
            start_only(t)
        }
        "custom" | "strcustom" | "lvlcustom" | "kwanycustom" | "kwallcustom" => {
            let mut t = bare(TriggerType::CUSTOM, guid(rest.first()?)?);
            for d in &rest[1..] {
                t = t.with_data(custom_item(&kind, d)?);
            }
            Some(t)
        }
        "portopen" | "portclose" => port_trigger(&kind, action, rest),
        "rpcinterface" if rest.len() == 1 => {
            guid(rest[0])?;
            start_only(
                bare(TriggerType::NETWORK_ENDPOINT, subtypes::RPC_INTERFACE_EVENT)
                    .with_data(TriggerDataItem::string(rest[0])),
            )
        }
        "namedpipe" if rest.len() == 1 && !rest[0].is_empty() => start_only(
            bare(TriggerType::NETWORK_ENDPOINT, subtypes::NAMED_PIPE_EVENT)
                .with_data(TriggerDataItem::string(rest[0])),
        ),
        _ if rest.is_empty() => without_data(&kind, action),
        _ => None,
    }
}

/// The kinds that take no data: word, trigger type, subtype, and the one action sc allows.
const WITHOUT_DATA: [(&str, TriggerType, Guid, TriggerAction); 6] = [
    (
        "networkon",
        TriggerType::IP_ADDRESS_AVAILABILITY,
        subtypes::FIRST_IP_ADDRESS_ARRIVAL,
        TriggerAction::Start,
    ),
    (
        "networkoff",
        TriggerType::IP_ADDRESS_AVAILABILITY,
        subtypes::LAST_IP_ADDRESS_REMOVAL,
        TriggerAction::Stop,
    ),
    (
        "domainjoin",
        TriggerType::DOMAIN_JOIN,
        subtypes::DOMAIN_JOIN,
        TriggerAction::Start,
    ),
    (
        "domainleave",
        TriggerType::DOMAIN_JOIN,
        subtypes::DOMAIN_LEAVE,
        TriggerAction::Stop,
    ),
    (
        "machinepolicy",
        TriggerType::GROUP_POLICY,
        subtypes::MACHINE_POLICY_PRESENT,
        TriggerAction::Start,
    ),
    (
        "userpolicy",
        TriggerType::GROUP_POLICY,
        subtypes::USER_POLICY_PRESENT,
        TriggerAction::Start,
    ),
];

/// A kind from [`WITHOUT_DATA`] with its allowed action; `None` for any other.
fn without_data(kind: &str, action: TriggerAction) -> Option<Trigger> {
    let (_, ty, subtype, allowed) = WITHOUT_DATA.iter().find(|(word, ..)| *word == kind)?;
    (action == *allowed).then(|| Trigger::new(*ty, action).with_subtype(*subtype))
}

/// One data item of a custom (ETW) trigger, as its kind reads it.
fn custom_item(kind: &str, data: &str) -> Option<TriggerDataItem> {
    Some(match kind {
        "custom" => TriggerDataItem::binary(hex_bytes(data)?),
        "strcustom" => TriggerDataItem::string(data),
        "lvlcustom" => TriggerDataItem::level(u8::try_from(number(data)?).ok()?),
        "kwanycustom" => TriggerDataItem::keyword_any(number(data)?),
        _ => TriggerDataItem::keyword_all(number(data)?),
    })
}

/// `start/portopen/PORT;PROTO[;IMAGE;SERVICE]` or `stop/portclose/...` (the parameter may
/// itself contain slashes: a path).
fn port_trigger(kind: &str, action: TriggerAction, rest: &[&str]) -> Option<Trigger> {
    let param = rest.join("/");
    if param.is_empty() {
        return None;
    }
    let items: Vec<&str> = param.split(';').collect();
    let (subtype, allowed) = if kind == "portopen" {
        (subtypes::FIREWALL_PORT_OPEN, TriggerAction::Start)
    } else {
        (subtypes::FIREWALL_PORT_CLOSE, TriggerAction::Stop)
    };
    let trigger = Trigger::new(TriggerType::FIREWALL_PORT_EVENT, action)
        .with_subtype(subtype)
        .with_data(TriggerDataItem::multi_string(&items));
    (action == allowed).then_some(trigger)
}

/// All options of one `sc triggerinfo` call; `None` when any is malformed or `delete` is
/// mixed with others.
pub(crate) fn parse(options: &[String]) -> Option<Vec<Trigger>> {
    if options.is_empty() {
        return None;
    }
    if options.iter().any(|o| o.eq_ignore_ascii_case("delete")) {
        return (options.len() == 1).then(Vec::new);
    }
    options.iter().map(|o| parse_one(o)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &[&str]) -> Vec<String> {
        s.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn parses_the_documented_forms() {
        let t = parse(&words(&[
            "start/device/53f56307-b6bf-11d0-94f2-00a0c91efb8b/USB\\VID_1",
            "start/custom/0a0b0c0d-0000-0000-0000-000000000001/ABCDABCD",
            "start/networkon",
            "stop/networkoff",
            "start/domainjoin",
            "stop/domainleave",
            "start/portopen/1234;tcp;C:\\a.exe;svc",
            "start/machinepolicy",
            "start/userpolicy",
            "start/namedpipe/mypipe",
        ]))
        .unwrap();
        assert_eq!(t.len(), 10);
        assert_eq!(t[1].data[0].data, [0xab, 0xcd, 0xab, 0xcd]);
        assert_eq!(
            t[6].data[0].strings().unwrap(),
            ["1234", "tcp", "C:\\a.exe", "svc"]
        );
        assert_eq!(parse(&words(&["delete"])), Some(vec![]));
    }

    #[test]
    fn rejects_malformed_options() {
        for bad in [
            "start",
            "begin/networkon",
            "stop/networkon",
            "start/device/not-a-guid",
            "start/custom/0a0b0c0d-0000-0000-0000-000000000001/XYZ",
            "start/portopen",
            "start/bogus",
        ] {
            assert_eq!(parse(&words(&[bad])), None, "{bad}");
        }
        assert_eq!(parse(&words(&["delete", "start/networkon"])), None);
        assert_eq!(parse(&[]), None);
    }
}
