//! The simulation verbs: `sim advance DURATION`, `sim time`, `sim events`, `sim trace
//! [--format text|json|mermaid]`, `sim violations`, `sim crash NAME`, `sim behavior NAME
//! key=value…`, `sim boot`; and `bench`.
//!
//! Bad arguments print `scm-sim: …` on standard error and exit with 87
//! (ERROR_INVALID_PARAMETER); a script counts such a line as one it could not parse.

use std::time::Duration;

use crate::events::{render_json, render_mermaid, time_ns, Trace, TraceEntry};
use crate::service::scripted::{parse_duration, Behavior, Crash, Hang, TriggerWhileStopping};
use crate::service::ServiceControlAccept;

use super::output::Output;
use super::session::{Exit, ImageSpec, Session};

/// The help text of `sim`.
pub const SIM_HELP: &str = "\
sim advance DURATION     let virtual time pass (500ms, 30s, 2m, 1h)
sim time                 virtual time since boot, e.g. 42.250s
sim events [--service NAME] [--since DURATION]
                         the event log: time, level, id, source, message
sim trace [--format text|json|mermaid] [--service NAME] [--since DURATION]
                         every API call, control, status report and timeout
                         (mermaid: a sequence diagram to paste into a renderer)
sim violations           broken service-contract rules, one per line:
                         time, rule id, service, what was seen
sim crash NAME           kill the process hosting NAME
sim behavior NAME [key=value...]
                         show or change the scripted behaviour of NAME (from its next
                         start): start-time= stop-time= pause-time= checkpoint-every=
                         wait-hint= accept= hang= exit= crash= exit-code=
                         specific-exit-code= stop-leaves-worker= trigger-while-stopping=;
                         `default` restores the default behaviour
sim boot                 power on a machine that is off; on a running one, restart it
sim shutdown             orderly shutdown (PRESHUTDOWN, SHUTDOWN); the machine is then off
sim restart              orderly shutdown, then boot (registry changes take effect)
sim trigger KIND [GUID] [DATA...]
                         raise a trigger event (device, networkon, networkoff, domainjoin,
                         domainleave, portopen, portclose, machinepolicy, userpolicy,
                         rpcinterface, namedpipe, custom, strcustom, lvlcustom,
                         kwanycustom, kwallcustom) and show what services did
sim lowmemory on|off     drop trigger actions, as Windows may under low memory
";

fn bad(out: &mut Output, text: &str) -> Exit {
    out.err(&format!("scm-sim: {text}\n"));
    Exit::rejected(87)
}

/// Runs `sim ARGS…`.
pub(crate) fn run(session: &mut Session, args: &[String], out: &mut Output) -> Exit {
    let Some(verb) = args.first() else {
        out.err(SIM_HELP);
        return Exit::rejected(1639);
    };
    let rest = &args[1..];
    match verb.to_ascii_lowercase().as_str() {
        "advance" => advance(session, rest, out),
        "time" if rest.is_empty() => {
            out.out(&format!("{}\n", time_ns::seconds_text(session.machine.now())));
            Exit::ok()
        }
        "events" => events(session, rest, out),
        "trace" => trace(session, rest, out),
        "violations" if rest.is_empty() => {
            let text: String = session
                .machine
                .violations()
                .iter()
                .map(|v| format!("{v}\n"))
                .collect();
            out.out(&text);
            Exit::ok()
        }
        "crash" => crash(session, rest, out),
        "behavior" | "behaviour" => behavior(session, rest, out),
        "trigger" => super::trigger::run(session, rest, out),
        "lowmemory" => super::trigger::low_memory(session, rest, out),
        "boot" if rest.is_empty() => {
            session.machine.boot();
            Exit::touched(0)
        }
        "shutdown" if rest.is_empty() => {
            session.machine.shutdown();
            Exit::touched(0)
        }
        "restart" if rest.is_empty() => {
            session.machine.restart();
            Exit::touched(0)
        }
        "help" | "--help" | "-h" | "/?" => {
            out.out(SIM_HELP);
            Exit::ok()
        }
        "time" | "violations" | "boot" | "shutdown" | "restart" => {
            bad(out, &format!("sim {verb} takes no arguments"))
        }
        _ => bad(
            out,
            &format!("unknown sim command \"{verb}\" (advance, time, events, trace, violations, crash, behavior, boot, shutdown, restart, trigger, lowmemory)"),
        ),
    }
}

fn advance(session: &mut Session, args: &[String], out: &mut Output) -> Exit {
    let [d] = args else {
        return bad(out, "usage: sim advance DURATION (e.g. 500ms, 30s, 2m)");
    };
    match parse_duration(d) {
        Some(duration) => {
            session.machine.advance(duration);
            Exit::touched(0)
        }
        None if is_number_with_unit(d) => bad(
            out,
            &format!(
                "duration \"{d}\" is too long (at most 1000000000000000ms, about 31,700 years)"
            ),
        ),
        None => bad(
            out,
            &format!("malformed duration \"{d}\" (use e.g. 500ms, 30s, 2m, 1h)"),
        ),
    }
}

/// True when `text` is a well-formed duration (a number and a known unit), so that
/// `parse_duration` refused it only for its size.
fn is_number_with_unit(text: &str) -> bool {
    let t = text.trim();
    let digits = t.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = t[digits.len()..].to_ascii_lowercase();
    matches!(unit.as_str(), "" | "ms" | "s" | "m" | "min" | "h")
        && digits
            .parse::<f64>()
            .is_ok_and(|n| n.is_finite() && n >= 0.0)
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// `--format F`, `--service NAME` and `--since DURATION` after `sim trace` / `sim events`.
struct ViewOptions {
    format: Option<String>,
    service: Option<String>,
    since: Duration,
}

fn view_options(args: &[String], formats: bool) -> Result<ViewOptions, String> {
    let mut o = ViewOptions {
        format: None,
        service: None,
        since: Duration::ZERO,
    };
    let mut i = 0;
    while i < args.len() {
        let (name, inline) = match args[i].split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (args[i].clone(), None),
        };
        let value = match inline {
            Some(v) => v,
            None => {
                i += 1;
                args.get(i)
                    .cloned()
                    .ok_or_else(|| format!("{name} needs a value"))?
            }
        };
        match name.as_str() {
            "--format" if formats => o.format = Some(value.to_ascii_lowercase()),
            "--service" => o.service = Some(value),
            "--since" => {
                o.since = parse_duration(&value).ok_or_else(|| {
                    format!("malformed duration \"{value}\" (use e.g. 500ms, 30s, 2m, 1h)")
                })?
            }
            other => return Err(format!("unknown option \"{other}\"")),
        }
        i += 1;
    }
    Ok(o)
}

fn events(session: &mut Session, args: &[String], out: &mut Output) -> Exit {
    let o = match view_options(args, false) {
        Ok(o) => o,
        Err(e) => {
            return bad(
                out,
                &format!("sim events: {e} (usage: sim events [--service NAME] [--since DURATION])"),
            )
        }
    };
    let mut text = String::new();
    for e in session.machine.events() {
        let service_ok = o.service.as_ref().is_none_or(|s| {
            e.service
                .as_deref()
                .is_some_and(|x| x.eq_ignore_ascii_case(s))
        });
        if service_ok && e.time >= o.since {
            text += &format!("{e}\n");
        }
    }
    out.out(&text);
    Exit::ok()
}

fn trace(session: &mut Session, args: &[String], out: &mut Output) -> Exit {
    const USAGE: &str =
        "usage: sim trace [--format text|json|mermaid] [--service NAME] [--since DURATION]";
    let o = match view_options(args, true) {
        Ok(o) => o,
        Err(e) => return bad(out, &format!("sim trace: {e} ({USAGE})")),
    };
    let full = session.machine.trace();
    let entries: Vec<TraceEntry> = full
        .entries()
        .iter()
        .filter(|e| e.time >= o.since)
        .filter(|e| {
            o.service
                .as_ref()
                .is_none_or(|s| e.kind.service().is_some_and(|x| x.eq_ignore_ascii_case(s)))
        })
        .cloned()
        .collect();
    let text = match o.format.as_deref().unwrap_or("text") {
        "text" => entries.iter().map(|e| format!("{e}\n")).collect(),
        "json" => {
            let mut j = if entries.len() == full.len() {
                render_json(&full)
            } else {
                serde_json::to_string_pretty(&entries).unwrap_or_else(|_| "[]".into())
            };
            j.push('\n');
            j
        }
        "mermaid" => {
            let mut t = Trace::new();
            for e in entries {
                t.push(e.time, e.kind);
            }
            render_mermaid(&t)
        }
        other => {
            return bad(
                out,
                &format!("sim trace: unknown format \"{other}\" ({USAGE})"),
            )
        }
    };
    out.out(&text);
    Exit::ok()
}

fn crash(session: &mut Session, args: &[String], out: &mut Output) -> Exit {
    let [name] = args else {
        return bad(out, "usage: sim crash NAME");
    };
    let image = session
        .machine
        .processes()
        .into_iter()
        .find(|(_, _, services)| services.iter().any(|s| s.eq_ignore_ascii_case(name)))
        .map(|(_, image, _)| image);
    match session.machine.crash(name) {
        Ok(pid) => {
            out.out(&format!(
                "Process {pid} ({}) hosting {name} was terminated.\n",
                image.unwrap_or_default()
            ));
            Exit::touched(0)
        }
        Err(e) => {
            out.err(&format!("scm-sim: sim crash {name}: {}\n", e.message()));
            Exit::code(e.code() as i32)
        }
    }
}

fn duration_text(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// A behaviour as the `key=value` words that produce it.
pub fn behavior_words(b: &Behavior) -> Vec<String> {
    let accept: Vec<&str> = [
        (ServiceControlAccept::STOP, "stop"),
        (ServiceControlAccept::PAUSE_CONTINUE, "pause_continue"),
        (ServiceControlAccept::SHUTDOWN, "shutdown"),
        (ServiceControlAccept::PRESHUTDOWN, "preshutdown"),
        (ServiceControlAccept::PARAMCHANGE, "paramchange"),
        (ServiceControlAccept::NETBINDCHANGE, "netbindchange"),
        (
            ServiceControlAccept::HARDWAREPROFILECHANGE,
            "hardwareprofilechange",
        ),
        (ServiceControlAccept::POWEREVENT, "powerevent"),
        (ServiceControlAccept::SESSIONCHANGE, "sessionchange"),
        (ServiceControlAccept::TIMECHANGE, "timechange"),
        (ServiceControlAccept::TRIGGEREVENT, "triggerevent"),
    ]
    .into_iter()
    .filter(|(bit, _)| b.accept.contains(*bit))
    .map(|(_, n)| n)
    .collect();
    let hang = match b.hang {
        Hang::None => "none",
        Hang::Connect => "connect",
        Hang::Start => "start",
        Hang::Stop => "stop",
        Hang::Handler => "handler",
    };
    let crash = match b.crash {
        Crash::Never => "never".to_string(),
        Crash::Start => "start".to_string(),
        Crash::Stop => "stop".to_string(),
        Crash::After(d) => format!("after:{}", duration_text(d)),
    };
    let trigger = match b.trigger_while_stopping {
        TriggerWhileStopping::ShutdownInProgress => "shutdown-in-progress",
        TriggerWhileStopping::Ignore => "ignore",
    };
    vec![
        format!("start-time={}", duration_text(b.start_time)),
        format!("stop-time={}", duration_text(b.stop_time)),
        format!("pause-time={}", duration_text(b.pause_time)),
        format!("checkpoint-every={}", duration_text(b.checkpoint_every)),
        format!("wait-hint={}", duration_text(b.wait_hint)),
        format!(
            "accept={}",
            if accept.is_empty() {
                "none".to_string()
            } else {
                accept.join(",")
            }
        ),
        format!("hang={hang}"),
        format!(
            "exit={}",
            if b.exit_before_connect {
                "before-connect"
            } else {
                "normal"
            }
        ),
        format!("crash={crash}"),
        format!("exit-code={}", b.exit_code),
        format!("specific-exit-code={}", b.specific_exit_code),
        format!(
            "stop-leaves-worker={}",
            b.stop_leaves_worker.map_or("0s".to_string(), duration_text)
        ),
        format!("trigger-while-stopping={trigger}"),
    ]
}

fn behavior(session: &mut Session, args: &[String], out: &mut Output) -> Exit {
    let Some(name) = args.first() else {
        return bad(out, "usage: sim behavior NAME [key=value...]");
    };
    let settings = &args[1..];
    let mut b = session.machine.behavior(name);
    if settings.is_empty() {
        out.out(&format!("{name}: {}\n", behavior_words(&b).join(" ")));
        return Exit::ok();
    }
    for s in settings {
        if s.eq_ignore_ascii_case("default") {
            b = default_behavior(session, name);
            continue;
        }
        let Some((k, v)) = s.split_once('=') else {
            return bad(out, &format!("sim behavior: \"{s}\" is not key=value"));
        };
        if b.set(k, v).is_err() {
            return bad(
                out,
                &format!("sim behavior: bad setting \"{s}\" (see scm-sim sim help)"),
            );
        }
    }
    session.machine.set_behavior(name, b);
    note_when_it_applies(session, name, out);
    Exit::touched(0)
}

/// `default`: the service's Windows 10 profile on the built-in image, else the generic
/// scripted program.
fn default_behavior(session: &Session, name: &str) -> Behavior {
    if !matches!(session.image(), ImageSpec::Windows10) {
        return Behavior::default();
    }
    crate::machine::profiles::windows10_profiles()
        .remove(&*crate::service::ServiceName::fold(name))
        .map(|p| p.behavior)
        .unwrap_or_default()
}

/// A behaviour is read when the service starts: say so when it is not stopped now, rather
/// than change nothing silently.
fn note_when_it_applies(session: &mut Session, name: &str, out: &mut Output) {
    let state = session.machine.service_state(name);
    if let Some(state) = state.filter(|s| *s != crate::service::ServiceState::Stopped) {
        out.out(&format!(
            "{name} is {}: the new behaviour applies from its next start.\n",
            state.sc_label()
        ));
    }
}

/// `bench [--quick] [--trips N] [--boot N] [--roundtrips N] [--only GROUP,…]`: the benchmark
/// figures, `NAME VALUE UNIT` per line (real time, unlike everything else here).
pub(crate) fn bench(args: &[String], out: &mut Output) -> Exit {
    const USAGE: &str = "usage: bench [--quick] [--trips N] [--boot N] [--roundtrips N] \
                         [--only roundtrip,boot,timeout,config,parallel,memory]";
    let mut quick = false;
    let mut opts = crate::bench::Options::default();
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let count = |v: Option<&String>| v.and_then(|v| v.replace('_', "").parse::<u32>().ok());
        match flag.as_str() {
            "--quick" => quick = true,
            "--trips" | "--boot" | "--roundtrips" => {
                let Some(n) = count(rest.next()).filter(|n| *n > 0) else {
                    return bad(
                        out,
                        &format!("bench: {flag} takes a positive count; {USAGE}"),
                    );
                };
                match flag.as_str() {
                    "--trips" => opts.trips = n,
                    "--boot" => opts.boot_large = n,
                    _ => opts.roundtrips = n,
                }
            }
            "--only" => {
                let names = rest.next().map(String::as_str).unwrap_or("");
                let groups: Option<Vec<_>> = names
                    .split(',')
                    .map(crate::bench::Group::from_name)
                    .collect();
                match groups {
                    Some(g) if !g.is_empty() => opts.groups = g,
                    _ => return bad(out, &format!("bench: bad --only \"{names}\"; {USAGE}")),
                }
            }
            _ => return bad(out, USAGE),
        }
    }
    let figures = if quick {
        crate::bench::run_quick()
    } else {
        crate::bench::run_with(&opts)
    };
    let mut text = String::new();
    for f in figures {
        text += &format!("{f}\n");
    }
    out.out(&text);
    Exit::ok()
}
