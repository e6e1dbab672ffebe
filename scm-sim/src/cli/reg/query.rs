//! `reg query`: one key, one value, a recursive listing, or a search.

use fake_registry::{Caller, RegPath, RegValue, Registry, ValueType};

use super::{
    bad_key, bad_option, caller, fail, parse_key, switches, syntax, KeyArg, Switches, NOT_FOUND,
};
use crate::cli::output::Output;
use crate::cli::session::{Exit, Session};

/// `REG_SZ`, or `REG_SZ (1)` with `/z`.
fn type_text(t: ValueType, numeric: bool) -> String {
    if numeric {
        format!("{} ({})", t.name(), t.0)
    } else {
        t.name()
    }
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// The data column of `reg query`.
pub(super) fn data_text(v: &RegValue, separator: &str) -> String {
    match v.value_type() {
        ValueType::SZ | ValueType::EXPAND_SZ => v.as_string().unwrap_or_default(),
        ValueType::DWORD | ValueType::DWORD_BIG_ENDIAN if v.bytes().len() == 4 => {
            format!("0x{:x}", v.as_dword().unwrap_or(0))
        }
        ValueType::QWORD if v.bytes().len() == 8 => format!("0x{:x}", v.as_qword().unwrap_or(0)),
        ValueType::MULTI_SZ => v.as_multi_sz().unwrap_or_default().join(separator),
        _ => hex_upper(v.bytes()),
    }
}

fn value_line(name: &str, v: &RegValue, separator: &str, numeric: bool) -> String {
    let shown = if name.is_empty() { "(Default)" } else { name };
    format!(
        "    {shown}    {}    {}\n",
        type_text(v.value_type(), numeric),
        data_text(v, separator)
    )
}

struct QueryOptions {
    types: Option<Vec<ValueType>>,
    separator: String,
    numeric: bool,
}

impl QueryOptions {
    fn shows(&self, v: &RegValue) -> bool {
        self.types
            .as_ref()
            .is_none_or(|t| t.contains(&v.value_type()))
    }
}

/// Search settings of `reg query /f` (and of `/v NAME /s`).
struct Search {
    pattern: String,
    keys: bool,
    names: bool,
    data: bool,
    case_sensitive: bool,
    exact: bool,
    /// `/v NAME` or `/ve`: only this value name, matched exactly.
    value_name: Option<String>,
}

impl Search {
    /// The search `/f PATTERN` (or `/v NAME /s`) asks for, with `/k`, `/d`, `/v`, `/c`, `/e`.
    fn from_switches(s: &Switches, find: Option<String>, value_name: Option<String>) -> Search {
        let only_keys = s.flag("/k");
        let only_data = s.flag("/d");
        let names_only = s.value("/v").is_some_and(Option::is_none);
        let any = !only_keys && !only_data && !names_only;
        Search {
            pattern: find.unwrap_or_else(|| "*".into()),
            keys: any || only_keys,
            names: any || names_only,
            data: any || only_data,
            case_sensitive: s.flag("/c"),
            exact: s.flag("/e"),
            value_name,
        }
    }

    fn matches(&self, text: &str) -> bool {
        if self.pattern == "*" {
            return true;
        }
        let (t, p) = if self.case_sensitive {
            (text.to_string(), self.pattern.clone())
        } else {
            (text.to_lowercase(), self.pattern.to_lowercase())
        };
        if self.exact {
            t == p
        } else {
            t.contains(&p)
        }
    }
}

pub(super) fn query(session: &mut Session, args: &[String], out: &mut Output) -> Exit {
    let Some(key_text) = args.first().filter(|a| !a.starts_with('/')) else {
        return syntax(out, "QUERY");
    };
    let s = match switches(
        &args[1..],
        &[
            "/ve", "/s", "/k", "/d", "/c", "/e", "/z", "/reg:32", "/reg:64",
        ],
        &["/t", "/se", "/f"],
        &["/v"],
    ) {
        Ok(s) => s,
        Err(bad) => return bad_option(out, "QUERY", &bad),
    };
    let bare_v = matches!(s.value("/v"), Some(None)) && s.value("/f").is_none();
    if bare_v
        || (s.value("/v").is_some() && s.flag("/ve"))
        || (s.flag("/reg:32") && s.flag("/reg:64"))
    {
        return syntax(out, "QUERY");
    }
    let Some(key) = parse_key(key_text) else {
        return bad_key(out, "QUERY");
    };
    let opts = match query_options(&s, out) {
        Ok(opts) => opts,
        Err(exit) => return exit,
    };
    let recursive = s.flag("/s");
    let caller = caller();
    session.machine.with_registry(|reg| {
        if reg.open_key(&caller, &key.path).is_err() {
            return fail(out, NOT_FOUND);
        }
        let find = s.value("/f").cloned().flatten();
        let value_name = match (s.value("/v"), s.flag("/ve")) {
            (Some(Some(n)), _) => Some(n.clone()),
            (_, true) => Some(String::new()),
            _ => None,
        };
        if find.is_some() || (recursive && value_name.is_some()) {
            let search = Search::from_switches(&s, find, value_name);
            return search_keys(reg, &caller, &key, recursive, &search, &opts, out);
        }
        if let Some(name) = value_name {
            return query_value(reg, &caller, &key, &name, &opts, out);
        }
        out.out(&key_listing(reg, &caller, &key, recursive, &opts));
        Exit::ok()
    })
}

/// The display options: `/t` types, `/se` separator, `/z`. The error exit when `/t` or `/se`
/// is malformed.
fn query_options(s: &Switches, out: &mut Output) -> Result<QueryOptions, Exit> {
    let types = match s.value("/t") {
        Some(Some(t)) => {
            let parsed: Option<Vec<ValueType>> = t
                .split(',')
                .map(|n| ValueType::from_name(n.trim()))
                .collect();
            match parsed {
                Some(p) => Some(p),
                None => return Err(bad_option(out, "QUERY", t)),
            }
        }
        _ => None,
    };
    let separator = match s.value("/se") {
        Some(Some(sep)) if sep.chars().count() == 1 => sep.clone(),
        Some(_) => return Err(syntax(out, "QUERY")),
        None => "\\0".to_string(),
    };
    Ok(QueryOptions {
        types,
        separator,
        numeric: s.flag("/z"),
    })
}

/// A key without `/f` or `/v`: its values and subkeys, or with `/s` every key below.
fn key_listing(
    reg: &mut Registry,
    caller: &Caller,
    key: &KeyArg,
    recursive: bool,
    opts: &QueryOptions,
) -> String {
    let mut text = String::from("\n");
    if recursive {
        list_recursive(reg, caller, &key.shown, &key.path, true, opts, &mut text);
    } else {
        text += &values_block(reg, caller, &key.shown, &key.path, false, opts);
        for sub in reg.enum_subkeys(caller, &key.path).unwrap_or_default() {
            text += &format!("{}\\{sub}\n", key.shown);
        }
    }
    text
}

/// Path, values and a blank line; with `always` the path and blank line even without values.
fn values_block(
    reg: &mut Registry,
    caller: &Caller,
    shown: &str,
    path: &RegPath,
    always: bool,
    opts: &QueryOptions,
) -> String {
    let values: Vec<(String, RegValue)> = reg
        .enum_values(caller, path)
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, v)| opts.shows(v))
        .collect();
    if values.is_empty() && !always {
        return String::new();
    }
    let mut text = format!("{shown}\n");
    for (n, v) in &values {
        text += &value_line(n, v, &opts.separator, opts.numeric);
    }
    text.push('\n');
    text
}

fn list_recursive(
    reg: &mut Registry,
    caller: &Caller,
    shown: &str,
    path: &RegPath,
    top: bool,
    opts: &QueryOptions,
    text: &mut String,
) {
    *text += &values_block(reg, caller, shown, path, !top, opts);
    for sub in reg.enum_subkeys(caller, path).unwrap_or_default() {
        if top || !sub.eq_ignore_ascii_case("CurrentControlSet") {
            let child = format!("{shown}\\{sub}");
            list_recursive(reg, caller, &child, &path.join(&sub), false, opts, text);
        }
    }
}

fn query_value(
    reg: &mut Registry,
    caller: &Caller,
    key: &KeyArg,
    name: &str,
    opts: &QueryOptions,
    out: &mut Output,
) -> Exit {
    let line = match reg.get_value(caller, &key.path, name) {
        Ok(v) => value_line(name, &v, &opts.separator, opts.numeric),
        Err(_) if name.is_empty() => "    (Default)    REG_SZ    (value not set)\n".to_string(),
        Err(_) => return fail(out, NOT_FOUND),
    };
    out.out(&format!("\n{}\n{line}\n", key.shown));
    Exit::ok()
}

fn search_keys(
    reg: &mut Registry,
    caller: &Caller,
    key: &KeyArg,
    recursive: bool,
    search: &Search,
    opts: &QueryOptions,
    out: &mut Output,
) -> Exit {
    let mut text = String::from("\n");
    let mut count = 0usize;
    let mut stack = vec![(key.shown.clone(), key.path.clone(), 0usize)];
    while let Some((shown, path, depth)) = stack.pop() {
        let mut block = String::new();
        let leaf_matches = depth > 0 && search.keys && search.value_name.is_none() && {
            let leaf = path.leaf().to_string();
            search.matches(&leaf)
        };
        if leaf_matches {
            count += 1;
        }
        if depth == 0 || recursive {
            for (n, v) in reg.enum_values(caller, &path).unwrap_or_default() {
                if !opts.shows(&v) {
                    continue;
                }
                let hit = match &search.value_name {
                    Some(wanted) => n.eq_ignore_ascii_case(wanted),
                    None => {
                        (search.names && search.matches(&n))
                            || (search.data && search.matches(&data_text(&v, &opts.separator)))
                    }
                };
                if hit {
                    count += 1;
                    block += &value_line(&n, &v, &opts.separator, opts.numeric);
                }
            }
        }
        if leaf_matches || !block.is_empty() {
            text += &format!("{shown}\n{block}");
            if !block.is_empty() {
                text.push('\n');
            }
        }
        if depth == 0 || recursive {
            let subs = reg.enum_subkeys(caller, &path).unwrap_or_default();
            for sub in subs.iter().rev() {
                if depth > 0 && sub.eq_ignore_ascii_case("CurrentControlSet") {
                    continue;
                }
                stack.push((format!("{shown}\\{sub}"), path.join(sub), depth + 1));
            }
        }
    }
    text += &format!("End of search: {count} match(es) found.\n");
    out.out(&text);
    Exit::code(if count == 0 { 1 } else { 0 })
}
