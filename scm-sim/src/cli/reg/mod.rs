//! `scm-sim reg …`: reg.exe's QUERY, ADD, DELETE, IMPORT and EXPORT on the machine's registry,
//! as an elevated administrator. Exit code 0 on success, 1 on failure; errors go to standard
//! error as `ERROR: …`, as reg.exe writes them.
//!
//! Output of `reg query` (checked against Windows by Wine's reg tests): a blank line; when the
//! key has values, its path (long root name, the rest as typed), one line per value
//! (`    NAME    TYPE    DATA`) and a blank line; then the subkeys' paths. With `/s` every key
//! below follows as path, values, blank line. With `/f`, or `/v`/`/ve` together with `/s`,
//! only matching keys and values are shown, then `End of search: N match(es) found.`
//!
//! Changes are made directly to the registry, as regedit or reg.exe would: the SCM reads
//! service keys at boot (`sim boot`), not at once.
//!
//! reg.exe asks before overwriting a value (`reg add` without `/f`), deleting (`reg delete`
//! without `/f`) or overwriting a file (`reg export` without `/y`). The simulator never waits
//! for an answer: it prints the question, takes the answer as No and cancels.
//!
//! | file | job |
//! |---|---|
//! | `query` | `reg query` |
//! | `change` | `reg add`, `reg delete`, `reg import`, `reg export` |
//! | `usage` | the help texts |

mod change;
mod query;
mod usage;

use fake_registry::{Caller, RegPath};

use super::output::Output;
use super::session::{Exit, Session};
use change::{add, delete, export, import};
use query::query;
use usage::{ADD_USAGE, DELETE_USAGE, EXPORT_USAGE, IMPORT_USAGE, QUERY_USAGE, USAGE};

/// The identity reg.exe runs as (the machine's own caller: an elevated administrator).
pub(crate) fn caller() -> Caller {
    Caller::administrator("Administrator", "S-1-5-21-1000-1000-1000-500")
}

pub(super) const SUCCESS: &str = "The operation completed successfully.\n";
pub(super) const NOT_FOUND: &str =
    "ERROR: The system was unable to find the specified registry key or value.\n";
pub(super) const CANCELED: &str = "The operation was canceled by the user.\n";

pub(super) fn fail(out: &mut Output, text: &str) -> Exit {
    out.err(text);
    Exit::code(1)
}

pub(super) fn syntax(out: &mut Output, op: &str) -> Exit {
    fail(
        out,
        &format!("ERROR: Invalid syntax.\nType \"REG {op} /?\" for usage.\n"),
    )
}

pub(super) fn bad_option(out: &mut Output, op: &str, option: &str) -> Exit {
    fail(
        out,
        &format!("ERROR: Invalid argument/option - '{option}'.\nType \"REG {op} /?\" for usage.\n"),
    )
}

pub(super) fn bad_key(out: &mut Output, op: &str) -> Exit {
    fail(
        out,
        &format!("ERROR: Invalid key name.\nType \"REG {op} /?\" for usage.\n"),
    )
}

/// Runs `reg ARGS…`.
pub(crate) fn run(session: &mut Session, args: &[String], out: &mut Output) -> Exit {
    let Some(op) = args.first() else {
        return fail(out, "ERROR: Invalid syntax.\nType \"REG /?\" for usage.\n");
    };
    let rest = &args[1..];
    let op = op.to_ascii_uppercase();
    let help =
        rest.len() == 1 && matches!(rest[0].as_str(), "/?" | "-?" | "/h" | "-h" | "/H" | "-H");
    let help_text = |op: &str| match op {
        "QUERY" => Some(QUERY_USAGE),
        "ADD" => Some(ADD_USAGE),
        "DELETE" => Some(DELETE_USAGE),
        "IMPORT" => Some(IMPORT_USAGE),
        "EXPORT" => Some(EXPORT_USAGE),
        _ => None,
    };
    if help {
        if let Some(text) = help_text(&op) {
            out.out(text);
            return Exit::ok();
        }
    }
    match op.as_str() {
        "/?" | "-?" | "/H" | "-H" => {
            out.out(USAGE);
            Exit::ok()
        }
        "QUERY" => query(session, rest, out),
        "ADD" => add(session, rest, out),
        "DELETE" => delete(session, rest, out),
        "IMPORT" => import(session, rest, out),
        "EXPORT" => export(session, rest, out),
        "COPY" | "SAVE" | "LOAD" | "UNLOAD" | "RESTORE" | "COMPARE" | "FLAGS" => fail(
            out,
            &format!("ERROR: REG {op} is not simulated by scm-sim yet.\n"),
        ),
        _ => fail(out, "ERROR: Invalid syntax.\nType \"REG /?\" for usage.\n"),
    }
}

/// A key name as typed: the parsed path and how to print it (long root name, the rest as
/// typed, no trailing backslash).
pub(super) struct KeyArg {
    pub(super) path: RegPath,
    pub(super) shown: String,
}

pub(super) fn parse_key(text: &str) -> Option<KeyArg> {
    if text.starts_with("\\\\") {
        return None;
    }
    let trimmed = text.trim_end_matches('\\');
    let path = RegPath::parse(trimmed).ok()?;
    let rest = trimmed.split_once('\\').map(|(_, r)| r);
    let shown = match rest {
        Some(r) => format!("{}\\{r}", path.root().long_name()),
        None => path.root().long_name().to_string(),
    };
    Some(KeyArg { path, shown })
}

/// Switches of one reg operation: `/x` flags and `/x value` options, case-insensitive.
#[derive(Default)]
pub(super) struct Switches {
    flags: Vec<String>,
    values: Vec<(String, Option<String>)>,
}

impl Switches {
    pub(super) fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
    }

    pub(super) fn value(&self, name: &str) -> Option<&Option<String>> {
        self.values.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

/// Parses switches after the positional arguments. `takes_value` lists switches followed by a
/// value (`optional_value` ones may omit it); anything else must be in `flags`. Returns the
/// offending word when a switch is unknown, repeated or missing its value.
pub(super) fn switches(
    args: &[String],
    flags: &[&str],
    takes_value: &[&str],
    optional_value: &[&str],
) -> Result<Switches, String> {
    let mut s = Switches::default();
    let mut i = 0;
    while i < args.len() {
        let raw = &args[i];
        let w = raw.to_ascii_lowercase().replacen('-', "/", 1);
        if takes_value.contains(&w.as_str()) || optional_value.contains(&w.as_str()) {
            if s.value(&w).is_some() {
                return Err(raw.clone());
            }
            let next = args.get(i + 1);
            let has_value = next.is_some_and(|n| !n.starts_with('/'));
            if has_value {
                s.values.push((w, next.cloned()));
                i += 2;
                continue;
            }
            if optional_value.contains(&w.as_str()) {
                s.values.push((w, None));
                i += 1;
                continue;
            }
            return Err(raw.clone());
        }
        if flags.contains(&w.as_str()) {
            if s.flag(&w) {
                return Err(raw.clone());
            }
            s.flags.push(w);
            i += 1;
            continue;
        }
        return Err(raw.clone());
    }
    Ok(s)
}
