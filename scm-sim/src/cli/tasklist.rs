//! `scm-sim tasklist /svc`: the machine's processes with the services they host, in
//! tasklist's columns (scm-facts §8.1): image name in 25 columns, PID right-aligned in 8,
//! services in 44 (key names sorted case-insensitively, joined by `, `, wrapped onto lines
//! indented 35), every line padded to 79. The simulated machine has only service processes;
//! `System Idle Process` (0) and `System` (4) are listed first as on Windows.
//!
//! Filters: `/fi "SERVICES eq NAME"`, `/fi "PID eq N"`, `/fi "IMAGENAME eq NAME"`.

use super::output::Output;
use super::session::{Exit, Session};

const WIDTH: usize = 79;

fn pad(line: &str) -> String {
    format!("{line:<WIDTH$}\n")
}

/// The services column: lines of at most 44 characters.
fn service_lines(services: &[String]) -> Vec<String> {
    if services.is_empty() {
        return vec!["N/A".into()];
    }
    let mut lines = Vec::new();
    let mut current = String::new();
    for (i, s) in services.iter().enumerate() {
        let last = i + 1 == services.len();
        let piece = if last { s.clone() } else { format!("{s},") };
        let add = if current.is_empty() {
            piece.clone()
        } else {
            format!(" {piece}")
        };
        if !current.is_empty() && current.len() + add.len() > 44 {
            lines.push(std::mem::take(&mut current));
            current = piece;
        } else {
            current += &add;
        }
    }
    lines.push(current);
    lines
}

struct Filter {
    field: String,
    value: String,
}

impl Filter {
    fn parse(text: &str) -> Option<Filter> {
        let words: Vec<&str> = text.split_whitespace().collect();
        match words.as_slice() {
            [field, op, value @ ..] if op.eq_ignore_ascii_case("eq") && !value.is_empty() => {
                let field = field.to_ascii_uppercase();
                matches!(field.as_str(), "SERVICES" | "PID" | "IMAGENAME").then(|| Filter {
                    field,
                    value: value.join(" "),
                })
            }
            _ => None,
        }
    }

    fn keeps(&self, pid: u32, image: &str, services: &[String]) -> bool {
        match self.field.as_str() {
            "PID" => self.value.parse() == Ok(pid),
            "IMAGENAME" => image.eq_ignore_ascii_case(&self.value),
            _ => services.iter().any(|s| s.eq_ignore_ascii_case(&self.value)),
        }
    }
}

fn invalid(out: &mut Output, word: &str) -> Exit {
    out.err(&format!(
        "ERROR: Invalid argument/option - '{word}'.\nType \"TASKLIST /?\" for usage.\n"
    ));
    Exit::code(1)
}

/// Runs `tasklist ARGS…`.
pub(crate) fn run(session: &mut Session, args: &[String], out: &mut Output) -> Exit {
    let mut svc = false;
    let mut filters = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args[i].to_ascii_lowercase().as_str() {
            "/svc" => svc = true,
            "/fi" => {
                let Some(f) = args.get(i + 1).and_then(|t| Filter::parse(t)) else {
                    out.err("ERROR: The search filter cannot be recognized.\n");
                    return Exit::code(1);
                };
                filters.push(f);
                i += 1;
            }
            _ => return invalid(out, &args[i]),
        }
        i += 1;
    }
    if !svc {
        out.err("ERROR: scm-sim's tasklist shows processes with their services only: use tasklist /svc.\n");
        return Exit::code(1);
    }
    let mut rows: Vec<(u32, String, Vec<String>)> = vec![
        (0, "System Idle Process".into(), Vec::new()),
        (4, "System".into(), Vec::new()),
    ];
    let mut procs = session.machine.processes();
    procs.sort_by_key(|p| p.0);
    for (pid, image, mut services) in procs {
        let file = image
            .rsplit(['\\', '/'])
            .next()
            .unwrap_or(&image)
            .to_string();
        services.sort_by_key(|s| s.to_ascii_lowercase());
        rows.push((pid, file, services));
    }
    rows.retain(|(pid, image, services)| filters.iter().all(|f| f.keeps(*pid, image, services)));
    if rows.is_empty() {
        out.out("INFO: No tasks are running which match the specified criteria.\n");
        return Exit::ok();
    }
    let mut text = String::from("\n");
    text += &pad(&format!(
        "{:<25} {:>8} {:<44}",
        "Image Name", "PID", "Services"
    ));
    text += &pad(&format!(
        "{} {} {}",
        "=".repeat(25),
        "=".repeat(8),
        "=".repeat(44)
    ));
    for (pid, image, services) in rows {
        let name: String = image.chars().take(25).collect();
        for (i, line) in service_lines(&services).into_iter().enumerate() {
            if i == 0 {
                text += &pad(&format!("{name:<25} {pid:>8} {line}"));
            } else {
                text += &pad(&format!("{}{line}", " ".repeat(35)));
            }
        }
    }
    out.out(&text);
    Exit::ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_wrap_at_44_columns() {
        let names: Vec<String> = [
            "BrokerInfrastructure",
            "DcomLaunch",
            "PlugPlay",
            "Power",
            "SystemEventsBroker",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            service_lines(&names),
            [
                "BrokerInfrastructure, DcomLaunch, PlugPlay,",
                "Power, SystemEventsBroker"
            ]
        );
    }
}
