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
    let no_more = |ev: TriggerEvent| {
        if rest.is_empty() {
            Ok(ev)
        } else {
            Err(format!("{kind} takes no data"))
        }
    };
    let custom = |binary: Vec<Vec<u8>>, strings: Vec<String>, level: u8, keywords: u64| {
        let provider = guid(rest.first()).ok_or(format!("{kind} needs a provider GUID"))?;
        Ok(TriggerEvent::Custom {
            provider,
            binary,
            strings,
            level,
            keywords,
        })
    };
    match kind.as_str() {
        "device" => {
            let interface_class =
                guid(rest.first()).ok_or("device needs an interface class GUID")?;
            Ok(TriggerEvent::DeviceArrival {
                interface_class,
                hardware_ids: rest[1..].to_vec(),
            })
        }
        "networkon" => no_more(TriggerEvent::NetworkOn),
        "networkoff" => no_more(TriggerEvent::NetworkOff),
        "domainjoin" => no_more(TriggerEvent::DomainJoin),
        "domainleave" => no_more(TriggerEvent::DomainLeave),
        "machinepolicy" => no_more(TriggerEvent::MachinePolicy),
        "userpolicy" => no_more(TriggerEvent::UserPolicy),
        "portopen" | "portclose" => {
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
        "rpcinterface" => match rest {
            [uuid]
                if uuid
                    .trim_matches(|c| c == '{' || c == '}')
                    .parse::<Guid>()
                    .is_ok() =>
            {
                Ok(TriggerEvent::RpcInterface(
                    uuid.trim_matches(|c| c == '{' || c == '}').to_string(),
                ))
            }
            _ => Err("rpcinterface needs one interface UUID".into()),
        },
        "namedpipe" => match rest {
            [name] => Ok(TriggerEvent::NamedPipe(name.clone())),
            _ => Err("namedpipe needs one pipe name".into()),
        },
        "custom" => {
            let items: Option<Vec<Vec<u8>>> = rest.iter().skip(1).map(|h| hex_bytes(h)).collect();
            custom(
                items.ok_or("custom data items are hex strings (ABCDABCD = 4 bytes)")?,
                vec![],
                0,
                0,
            )
        }
        "strcustom" => custom(vec![], rest.iter().skip(1).cloned().collect(), 0, 0),
        "lvlcustom" => {
            let level = rest
                .get(1)
                .and_then(|l| number(l))
                .filter(|l| *l <= 255)
                .ok_or("lvlcustom needs a level 0-255")?;
            custom(vec![], vec![], level as u8, 0)
        }
        "kwanycustom" | "kwallcustom" => {
            let kw = rest
                .get(1)
                .and_then(|k| number(k))
                .ok_or(format!("{kind} needs a keyword mask"))?;
            custom(vec![], vec![], 0, kw)
        }
        other => Err(format!("unknown trigger kind \"{other}\"")),
    }
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
