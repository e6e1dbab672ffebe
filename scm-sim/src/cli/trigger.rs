//! `sim trigger KIND [GUID] [DATA…]` raises a trigger event (the KIND words are those of
//! `sc triggerinfo`) and prints what each matching service did with it; `sim lowmemory on|off`
//! switches the low-memory mode in which Windows does not guarantee trigger actions.
//!
//! ```text
//! > sim trigger namedpipe ProtectedPrefix\LocalService\MSAJPipe
//! trigger event #2: namedpipe ProtectedPrefix\LocalService\MSAJPipe
//!   AJRouter: started
//! ```

use fake_registry::service::Guid;

use crate::triggers::{TriggerEvent, TriggerOutcome};

use super::output::Output;
use super::sc::triggers::{hex_bytes, number};
use super::session::{Exit, Session};

/// The help text of `sim trigger`.
pub const TRIGGER_HELP: &str = "\
sim trigger KIND [GUID] [DATA...]   raise a trigger event; KIND is one of
    device GUID HWID...          device interface arrival (class GUID, hardware ids)
    networkon | networkoff       first IP address arrived / last one removed
    domainjoin | domainleave
    portopen PORT;PROTO[;IMAGE;SERVICE] | portclose PORT;PROTO[...]
    machinepolicy | userpolicy
    rpcinterface UUID | namedpipe NAME
    custom GUID [HEXDATA...]     ETW event with binary payload items
    strcustom GUID [STRING...]   ETW event with string payload items
    lvlcustom GUID LEVEL | kwanycustom GUID KEYWORDS | kwallcustom GUID KEYWORDS
sim lowmemory on|off         drop trigger actions, as Windows may under low memory
";

fn bad(out: &mut Output, text: &str) -> Exit {
    out.err(&format!("scm-sim: {text}\n{TRIGGER_HELP}"));
    Exit::rejected(87)
}

fn guid(text: Option<&String>) -> Option<Guid> {
    text?.trim_matches(|c| c == '{' || c == '}').parse().ok()
}

/// Parses the words after `sim trigger`.
pub(crate) fn parse(args: &[String]) -> Result<TriggerEvent, String> {
    let kind = args
        .first()
        .map(|k| k.to_ascii_lowercase())
        .ok_or("a trigger KIND is needed")?;
    let rest = &args[1..];
    match kind.as_str() {
        "device" => device_event(rest),
        "networkon" => without_data(&kind, rest, TriggerEvent::NetworkOn),
        "networkoff" => without_data(&kind, rest, TriggerEvent::NetworkOff),
        "domainjoin" => without_data(&kind, rest, TriggerEvent::DomainJoin),
        "domainleave" => without_data(&kind, rest, TriggerEvent::DomainLeave),
        "machinepolicy" => without_data(&kind, rest, TriggerEvent::MachinePolicy),
        "userpolicy" => without_data(&kind, rest, TriggerEvent::UserPolicy),
        "portopen" | "portclose" => port_event(&kind, rest),
        "rpcinterface" => rpc_interface_event(rest),
        "namedpipe" => match rest {
            [name] => Ok(TriggerEvent::NamedPipe(name.clone())),
            _ => Err("namedpipe needs one pipe name".into()),
        },
        "custom" | "strcustom" | "lvlcustom" | "kwanycustom" | "kwallcustom" => {
            custom_event(&kind, rest)
        }
        other => Err(format!("unknown trigger kind \"{other}\"")),
    }
}

/// `event`, for a KIND that takes no data.
fn without_data(kind: &str, rest: &[String], event: TriggerEvent) -> Result<TriggerEvent, String> {
    if rest.is_empty() {
        Ok(event)
    } else {
        Err(format!("{kind} takes no data"))
    }
}

/// `device GUID HWID...`.
fn device_event(rest: &[String]) -> Result<TriggerEvent, String> {
    let interface_class = guid(rest.first()).ok_or("device needs an interface class GUID")?;
    Ok(TriggerEvent::DeviceArrival {
        interface_class,
        hardware_ids: rest[1..].to_vec(),
    })
}

/// `portopen|portclose PORT;PROTOCOL[;IMAGE;SERVICE]`.
fn port_event(kind: &str, rest: &[String]) -> Result<TriggerEvent, String> {
    let [spec] = rest else {
        return Err(format!(
            "{kind} needs one PORT;PROTOCOL[;IMAGE;SERVICE] argument"
        ));
    };
    let parts: Vec<String> = spec
        .split(';')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    if parts.is_empty() {
        return Err(format!("{kind} needs a port"));
    }
    Ok(if kind == "portopen" {
        TriggerEvent::PortOpen(parts)
    } else {
        TriggerEvent::PortClose(parts)
    })
}

/// `rpcinterface UUID` (braces allowed, dropped).
fn rpc_interface_event(rest: &[String]) -> Result<TriggerEvent, String> {
    let uuid = match rest {
        [uuid] => uuid.trim_matches(|c| c == '{' || c == '}'),
        _ => return Err("rpcinterface needs one interface UUID".into()),
    };
    if uuid.parse::<Guid>().is_err() {
        return Err("rpcinterface needs one interface UUID".into());
    }
    Ok(TriggerEvent::RpcInterface(uuid.to_string()))
}

/// The ETW kinds: `custom`, `strcustom`, `lvlcustom`, `kwanycustom`, `kwallcustom` `GUID ...`.
/// The payload is checked before the provider GUID.
fn custom_event(kind: &str, rest: &[String]) -> Result<TriggerEvent, String> {
    let payload = custom_payload(kind, &rest[rest.len().min(1)..])?;
    let provider = guid(rest.first()).ok_or(format!("{kind} needs a provider GUID"))?;
    Ok(TriggerEvent::Custom {
        provider,
        binary: payload.binary,
        strings: payload.strings,
        level: payload.level,
        keywords: payload.keywords,
    })
}

/// What a custom (ETW) trigger event carries besides its provider.
#[derive(Default)]
struct CustomPayload {
    binary: Vec<Vec<u8>>,
    strings: Vec<String>,
    level: u8,
    keywords: u64,
}

/// The payload of a custom KIND from the words after the provider GUID.
fn custom_payload(kind: &str, data: &[String]) -> Result<CustomPayload, String> {
    let payload = match kind {
        "custom" => {
            let items: Option<Vec<Vec<u8>>> = data.iter().map(|h| hex_bytes(h)).collect();
            CustomPayload {
                binary: items.ok_or("custom data items are hex strings (ABCDABCD = 4 bytes)")?,
                ..CustomPayload::default()
            }
        }
        "strcustom" => CustomPayload {
            strings: data.to_vec(),
            ..CustomPayload::default()
        },
        "lvlcustom" => {
            let level = data
                .first()
                .and_then(|l| number(l))
                .filter(|l| *l <= 255)
                .ok_or("lvlcustom needs a level 0-255")?;
            CustomPayload {
                level: level as u8,
                ..CustomPayload::default()
            }
        }
        // kwanycustom, kwallcustom
        _ => {
            let keywords = data
                .first()
                .and_then(|k| number(k))
                .ok_or(format!("{kind} needs a keyword mask"))?;
            CustomPayload {
                keywords,
                ..CustomPayload::default()
            }
        }
    };
    Ok(payload)
}

fn outcome_text(o: &TriggerOutcome) -> String {
    match o {
        TriggerOutcome::Started => "started".into(),
        TriggerOutcome::StartFailed(e) => format!("start failed with {e}"),
        TriggerOutcome::Delivered(code) => {
            format!("TRIGGEREVENT delivered (handler returned {code})")
        }
        TriggerOutcome::Stopped => "stopped".into(),
        TriggerOutcome::AlreadyStopped => "already stopped".into(),
        TriggerOutcome::StopRefused(e) => format!("stop refused ({e})"),
        TriggerOutcome::DroppedLowMemory => "dropped (low memory)".into(),
    }
}

/// Runs `sim trigger ARGS…`.
pub(crate) fn run(session: &mut Session, args: &[String], out: &mut Output) -> Exit {
    let event = match parse(args) {
        Ok(e) => e,
        Err(why) => return bad(out, &why),
    };
    let description = event.describe();
    let id = session.machine.raise_trigger_event(event);
    let mut text = format!("trigger event #{id}: {description}\n");
    for o in session
        .machine
        .trigger_outcomes()
        .iter()
        .filter(|o| o.event == id)
    {
        text.push_str(&format!("  {}: {}\n", o.service, outcome_text(&o.outcome)));
    }
    for (service, events) in session.machine.trigger_queues() {
        if events.contains(&id) {
            text.push_str(&format!("  {service}: queued\n"));
        }
    }
    out.out(&text);
    Exit::touched(0)
}

/// Runs `sim lowmemory on|off`.
pub(crate) fn low_memory(session: &mut Session, args: &[String], out: &mut Output) -> Exit {
    match args {
        [v] if v.eq_ignore_ascii_case("on") => session.machine.set_low_memory(true),
        [v] if v.eq_ignore_ascii_case("off") => session.machine.set_low_memory(false),
        _ => return bad(out, "usage: sim lowmemory on|off"),
    }
    Exit::touched(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn parses_every_kind() {
        for ok in [
            "networkon",
            "networkoff",
            "domainjoin",
            "domainleave",
            "machinepolicy",
            "userpolicy",
            "portopen 5353;UDP",
            "portclose 5353;UDP",
            "device 53f56307-b6bf-11d0-94f2-00a0c91efb8b USB\\VID_1",
            "rpcinterface {7a20fcec-dec4-4c59-be57-212e8f65d3de}",
            "namedpipe pipe1",
            "custom 11111111-2222-3333-4444-555555555555 ABCD",
            "strcustom 11111111-2222-3333-4444-555555555555 hello",
            "lvlcustom 11111111-2222-3333-4444-555555555555 4",
            "kwanycustom 11111111-2222-3333-4444-555555555555 0x10",
        ] {
            assert!(parse(&words(ok)).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "networkon x",
            "device nope",
            "custom 1111 ZZ",
            "portopen",
            "fly",
        ] {
            assert!(parse(&words(bad)).is_err(), "{bad}");
        }
    }
}
