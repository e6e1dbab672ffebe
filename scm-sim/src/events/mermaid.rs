//! A [`Trace`] as a Mermaid `sequenceDiagram`, to paste into mermaid.live or a Markdown file.
//!
//! Layout: the `sequenceDiagram` line; `participant` lines for `Client`, `SCM`, then each
//! service (`S1`, `S2`, … labelled with the key name) and each process (`P<pid>`, labelled with
//! its image) in order of first appearance; then exactly one line per trace entry. API calls are
//! `Client->>SCM`, controls `SCM->>service`, status reports `service->>SCM` (`-x` when the SCM
//! rejected the report), ServiceMain `process->>service`; state changes, timeouts, violations,
//! events and notes are `Note over` lines. Every line starts with the virtual time.
//!
//! ```
//! use scm_sim::events::{render_mermaid, Trace, TraceKind};
//! use std::time::Duration;
//!
//! let mut trace = Trace::new();
//! trace.push(Duration::from_millis(5), TraceKind::ControlSent {
//!     service: "Spooler".into(),
//!     control: 1,
//!     name: "STOP".into(),
//! });
//! assert_eq!(
//!     render_mermaid(&trace),
//!     "sequenceDiagram\n    participant Client\n    participant SCM\n    \
//!      participant S1 as Spooler\n    SCM->>S1: 0.005s STOP (1)\n"
//! );
//! ```

use super::time_ns::seconds_text;
use super::timeline::Trace;
use super::trace::{code_text, TraceKind};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Renders `trace` as a Mermaid sequence diagram (see the module docs for the layout).
pub fn render_mermaid(trace: &Trace) -> String {
    let cast = Cast::collect(trace);
    let mut out = String::from("sequenceDiagram\n    participant Client\n    participant SCM\n");
    for (id, label) in &cast.order {
        let label = if label.trim().is_empty() {
            "(no name)"
        } else {
            label
        };
        let _ = writeln!(out, "    participant {id} as {}", escape(label, true));
    }
    for entry in trace.entries() {
        let t = seconds_text(entry.time);
        let line = line_for(&cast, &t, &entry.kind);
        let _ = writeln!(out, "    {line}");
    }
    out
}

/// The participants beyond Client and SCM, with their ids and labels.
struct Cast {
    /// (id, label) in order of first appearance.
    order: Vec<(String, String)>,
    /// Lowercased service name → id.
    services: BTreeMap<String, String>,
}

impl Cast {
    fn collect(trace: &Trace) -> Cast {
        // Process labels come from the first image seen for the pid, wherever it appears.
        let mut images: BTreeMap<u32, String> = BTreeMap::new();
        for entry in trace.entries() {
            if let TraceKind::ProcessStarted { pid, image }
            | TraceKind::ProcessExited { pid, image, .. } = &entry.kind
            {
                let image = short_image(image);
                if !image.trim().is_empty() {
                    images.entry(*pid).or_insert(image);
                }
            }
        }
        let mut cast = Cast {
            order: Vec::new(),
            services: BTreeMap::new(),
        };
        let mut seen_pids: BTreeMap<u32, ()> = BTreeMap::new();
        for entry in trace.entries() {
            if let Some(pid) = pid_of(&entry.kind) {
                if seen_pids.insert(pid, ()).is_none() {
                    let label = match images.get(&pid) {
                        Some(image) => format!("{image} (pid {pid})"),
                        None => format!("pid {pid}"),
                    };
                    cast.order.push((format!("P{pid}"), label));
                }
            }
            if let Some(service) = participant_service(&entry.kind) {
                let key = service.to_ascii_lowercase();
                if !cast.services.contains_key(&key) {
                    let id = format!("S{}", cast.services.len() + 1);
                    cast.services.insert(key, id.clone());
                    cast.order.push((id, service.to_string()));
                }
            }
        }
        cast
    }

    fn service(&self, name: &str) -> &str {
        self.services
            .get(&name.to_ascii_lowercase())
            .map_or("SCM", String::as_str)
    }
}

/// The process participant an entry involves.
fn pid_of(kind: &TraceKind) -> Option<u32> {
    match kind {
        TraceKind::ProcessStarted { pid, .. }
        | TraceKind::ProcessExited { pid, .. }
        | TraceKind::ServiceMainCalled { pid, .. } => Some(*pid),
        _ => None,
    }
}

/// The service participant an entry involves (API calls and events stay between Client/SCM).
fn participant_service(kind: &TraceKind) -> Option<&str> {
    match kind {
        TraceKind::ControlSent { service, .. }
        | TraceKind::HandlerReturned { service, .. }
        | TraceKind::StatusReported { service, .. }
        | TraceKind::StateChanged { service, .. }
        | TraceKind::ServiceMainCalled { service, .. }
        | TraceKind::Violation { service, .. } => Some(service),
        TraceKind::Timeout { service, .. } => service.as_deref(),
        _ => None,
    }
}

fn line_for(cast: &Cast, t: &str, kind: &TraceKind) -> String {
    use TraceKind as K;
    let text = |s: String| escape(&format!("{t} {s}"), false);
    match kind {
        K::ApiCall { .. } => format!("Client->>SCM: {}", text(kind.describe())),
        K::ApiReturn { .. } => format!("SCM-->>Client: {}", text(kind.describe())),
        K::ControlSent { .. } | K::HandlerReturned { .. } | K::StatusReported { .. } => {
            control_line(cast, kind, &text)
        }
        K::StateChanged { .. }
        | K::ProcessStarted { .. }
        | K::ProcessExited { .. }
        | K::ServiceMainCalled { .. }
        | K::Timeout { .. }
        | K::Violation { .. } => outcome_line(cast, kind, &text),
        K::Event { .. } | K::Note { .. } => format!("Note over SCM: {}", text(kind.describe())),
    }
}

/// The arrow of a control and of what the service answers: the control sent, the handler's
/// result, a status report (crossed when the SCM rejected it).
fn control_line(cast: &Cast, kind: &TraceKind, text: &dyn Fn(String) -> String) -> String {
    use TraceKind as K;
    match kind {
        K::ControlSent {
            service,
            control,
            name,
        } => {
            format!(
                "SCM->>{}: {}",
                cast.service(service),
                text(format!("{name} ({control})"))
            )
        }
        K::HandlerReturned {
            service,
            control,
            result,
        } => format!(
            "{}-->>SCM: {}",
            cast.service(service),
            text(format!(
                "handler for control {control} returned {}",
                code_text(*result)
            ))
        ),
        K::StatusReported {
            service,
            state_name,
            checkpoint,
            wait_hint,
            accepted_by_scm,
            exit_code,
            ..
        } => {
            let arrow = if *accepted_by_scm { "->>" } else { "-x" };
            let mut s = format!(
                "SetServiceStatus {state_name} exit={exit_code} checkpoint={checkpoint} \
                     wait_hint={wait_hint}ms"
            );
            if !accepted_by_scm {
                s.push_str(" REJECTED");
            }
            format!("{}{arrow}SCM: {}", cast.service(service), text(s))
        }
        // line_for routes only the kinds above here.
        _ => String::new(),
    }
}

/// The arrow or note of an outcome: a state change, a process starting or exiting,
/// ServiceMain called, a timeout, a violation.
fn outcome_line(cast: &Cast, kind: &TraceKind, text: &dyn Fn(String) -> String) -> String {
    use TraceKind as K;
    match kind {
        K::StateChanged { service, from, to } => {
            format!(
                "Note over {}: {}",
                cast.service(service),
                text(format!("{from} to {to}"))
            )
        }
        K::ProcessStarted { pid, image } => {
            format!("SCM->>P{pid}: {}", text(format!("create process {image}")))
        }
        K::ProcessExited {
            pid,
            exit_code,
            crashed,
            ..
        } => {
            let how = if *crashed { " (crashed)" } else { "" };
            format!(
                "P{pid}--xSCM: {}",
                text(format!("exited code {exit_code}{how}"))
            )
        }
        K::ServiceMainCalled { service, pid, args } => format!(
            "P{pid}->>{}: {}",
            cast.service(service),
            text(format!("ServiceMain args {args:?}"))
        ),
        K::Timeout {
            service: Some(service),
            what,
            after_ms,
        } => format!(
            "Note over SCM,{}: {}",
            cast.service(service),
            text(format!("timeout: {what} after {after_ms} ms"))
        ),
        K::Timeout { service: None, .. } => {
            format!(
                "Note over SCM: {}",
                text(format!("timeout: {}", kind.describe()))
            )
        }
        K::Violation {
            service,
            rule,
            detail,
        } => format!(
            "Note over {}: {}",
            cast.service(service),
            text(format!("VIOLATION {rule}: {detail}"))
        ),
        // line_for routes only the kinds above here.
        _ => String::new(),
    }
}

/// The file name of an image path, keeping its arguments (`svchost.exe -k netsvcs`).
fn short_image(image: &str) -> String {
    let exe_end = image
        .to_ascii_lowercase()
        .find(".exe")
        .map_or(image.len(), |i| i + 4);
    let (path, rest) = image.split_at(exe_end);
    let name = path.rsplit(['\\', '/']).next().unwrap_or(path);
    format!("{}{rest}", name.trim_start_matches('"')).replace('"', "")
}

/// Replaces what Mermaid would parse (`;` ends a statement, `#` starts an entity code, `<` `>`
/// and quotes are HTML) with entity codes, and line breaks and other control characters with
/// spaces. In participant labels
/// `:` is escaped too.
fn escape(text: &str, label: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '<' => out.push_str("#60;"),
            '>' => out.push_str("#62;"),
            '"' => out.push_str("#34;"),
            ':' if label => out.push_str("#58;"),
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_hides_statement_and_entity_characters() {
        assert_eq!(
            escape("a;b#c<d>\"e\"\nf", false),
            "a#59;b#35;c#60;d#62;#34;e#34; f"
        );
        assert_eq!(escape("C:", true), "C#58;");
    }

    #[test]
    fn short_image_keeps_arguments() {
        assert_eq!(
            short_image(r"C:\Windows\system32\svchost.exe -k netsvcs -p"),
            "svchost.exe -k netsvcs -p"
        );
        assert_eq!(
            short_image(r#""C:\Program Files\A\a.exe" /run"#),
            "a.exe /run"
        );
        assert_eq!(short_image("plain"), "plain");
    }
}
