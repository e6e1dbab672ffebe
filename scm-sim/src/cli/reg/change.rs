//! `reg add`, `reg delete`, `reg import` and `reg export`.

use fake_registry::regfile::ExportOptions;
use fake_registry::{Caller, RegError, RegPath, RegValue, Registry, ValueType};

use super::{
    bad_key, bad_option, caller, fail, parse_key, switches, syntax, KeyArg, Switches, CANCELED,
    NOT_FOUND, SUCCESS,
};
use crate::cli::output::Output;
use crate::cli::session::{Exit, Session};

/// The data of `reg add /t TYPE /d DATA`; `None` when it does not parse for the type.
fn make_value(t: ValueType, data: &str, separator: &str) -> Option<RegValue> {
    let number = |d: &str| -> Option<u64> {
        match d.strip_prefix("0x").or_else(|| d.strip_prefix("0X")) {
            Some(h) => u64::from_str_radix(h, 16).ok(),
            None if d.is_empty() => Some(0),
            None => d.parse().ok(),
        }
    };
    let hex = |d: &str| -> Option<Vec<u8>> {
        if !d.len().is_multiple_of(2) {
            return None;
        }
        (0..d.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(d.get(i..i + 2)?, 16).ok())
            .collect()
    };
    Some(match t {
        ValueType::SZ => RegValue::sz(data),
        ValueType::EXPAND_SZ => RegValue::expand_sz(data),
        ValueType::DWORD => RegValue::dword(u32::try_from(number(data)?).ok()?),
        ValueType::DWORD_BIG_ENDIAN => {
            RegValue::dword_big_endian(u32::try_from(number(data)?).ok()?)
        }
        ValueType::QWORD => RegValue::qword(number(data)?),
        ValueType::BINARY => RegValue::binary(hex(data)?),
        ValueType::NONE => RegValue::none(hex(data)?),
        ValueType::MULTI_SZ => {
            let items: Vec<&str> = if data.is_empty() {
                Vec::new()
            } else {
                data.split(separator).collect()
            };
            RegValue::multi_sz(&items)
        }
        _ => return None,
    })
}

pub(super) fn add(session: &mut Session, args: &[String], out: &mut Output) -> Exit {
    let Some(key_text) = args.first().filter(|a| !a.starts_with('/')) else {
        return syntax(out, "ADD");
    };
    let s = match switches(
        &args[1..],
        &["/ve", "/f", "/reg:32", "/reg:64"],
        &["/v", "/t", "/s", "/d"],
        &[],
    ) {
        Ok(s) => s,
        Err(bad) => return bad_option(out, "ADD", &bad),
    };
    if s.value("/v").is_some() && s.flag("/ve") {
        return syntax(out, "ADD");
    }
    let Some(key) = parse_key(key_text) else {
        return bad_key(out, "ADD");
    };
    if key.path.parts().is_empty() {
        return bad_key(out, "ADD");
    }
    let caller = caller();
    let name = match s.value("/v") {
        Some(Some(n)) => Some(n.clone()),
        _ if s.flag("/ve") || s.value("/t").is_some() || s.value("/d").is_some() => {
            Some(String::new())
        }
        _ => None,
    };
    let value = match &name {
        None => None,
        Some(_) => {
            let t = match s.value("/t") {
                Some(Some(t)) => match ValueType::from_name(t) {
                    Some(t) => t,
                    None => return bad_option(out, "ADD", t),
                },
                _ => ValueType::SZ,
            };
            let separator = match s.value("/s") {
                Some(Some(sep)) if sep.chars().count() == 1 => sep.clone(),
                Some(_) => return syntax(out, "ADD"),
                None => "\\0".to_string(),
            };
            let data = s.value("/d").cloned().flatten().unwrap_or_default();
            match make_value(t, &data, &separator) {
                Some(v) => Some(v),
                None => return syntax(out, "ADD"),
            }
        }
    };
    let force = s.flag("/f");
    session.machine.with_registry(|reg| {
        if let (Some(n), false) = (&name, force) {
            if reg.get_value(&caller, &key.path, n).is_ok() {
                let shown = if n.is_empty() {
                    "(Default)"
                } else {
                    n.as_str()
                };
                out.out(&format!("Value {shown} exists, overwrite(Yes/No)? \n"));
                out.out(CANCELED);
                return Exit::ok();
            }
        }
        if let Err(e) = reg.create_key(&caller, &key.path) {
            return fail(out, &format!("ERROR: {}\n", e.message()));
        }
        if let (Some(n), Some(v)) = (&name, value) {
            if let Err(e) = reg.set_value(&caller, &key.path, n, v) {
                return fail(out, &format!("ERROR: {}\n", e.message()));
            }
        }
        out.out(SUCCESS);
        Exit::touched(0)
    })
}

pub(super) fn delete(session: &mut Session, args: &[String], out: &mut Output) -> Exit {
    let Some(key_text) = args.first().filter(|a| !a.starts_with('/')) else {
        return syntax(out, "DELETE");
    };
    let s = match switches(
        &args[1..],
        &["/ve", "/va", "/f", "/reg:32", "/reg:64"],
        &["/v"],
        &[],
    ) {
        Ok(s) => s,
        Err(bad) => return bad_option(out, "DELETE", &bad),
    };
    let choices = usize::from(s.value("/v").is_some())
        + usize::from(s.flag("/ve"))
        + usize::from(s.flag("/va"));
    if choices > 1 {
        return syntax(out, "DELETE");
    }
    let Some(key) = parse_key(key_text) else {
        return bad_key(out, "DELETE");
    };
    let caller = caller();
    let force = s.flag("/f");
    let target = DeleteTarget::from_switches(&s);
    session.machine.with_registry(|reg| {
        if !target.exists(reg, &caller, &key.path) {
            return fail(out, NOT_FOUND);
        }
        if !force {
            out.out(&target.question(&key));
            out.out(CANCELED);
            return Exit::ok();
        }
        if matches!(target, DeleteTarget::Key) && key.path.parts().is_empty() {
            return bad_key(out, "DELETE");
        }
        match target.remove(reg, &caller, &key.path) {
            Ok(()) => {
                out.out(SUCCESS);
                Exit::touched(0)
            }
            Err(e) => fail(out, &format!("ERROR: {}\n", e.message())),
        }
    })
}

/// What `reg delete` removes: one value (`/v NAME`, `/ve`), all values (`/va`) or the key.
enum DeleteTarget {
    Value(String),
    AllValues,
    Key,
}

impl DeleteTarget {
    fn from_switches(s: &Switches) -> DeleteTarget {
        match s.value("/v") {
            Some(Some(n)) => DeleteTarget::Value(n.clone()),
            _ if s.flag("/ve") => DeleteTarget::Value(String::new()),
            _ if s.flag("/va") => DeleteTarget::AllValues,
            _ => DeleteTarget::Key,
        }
    }

    /// Whether the key (and the value, for one value) exists.
    fn exists(&self, reg: &mut Registry, caller: &Caller, path: &RegPath) -> bool {
        if reg.open_key(caller, path).is_err() {
            return false;
        }
        match self {
            DeleteTarget::Value(n) => reg.get_value(caller, path, n).is_ok(),
            DeleteTarget::AllValues | DeleteTarget::Key => true,
        }
    }

    /// The question reg.exe asks without `/f`.
    fn question(&self, key: &KeyArg) -> String {
        match self {
            DeleteTarget::Value(n) => format!(
                "Delete the registry value {} (Yes/No)? \n",
                if n.is_empty() { "(Default)" } else { n }
            ),
            DeleteTarget::AllValues => format!(
                "Delete all values under the registry key {} (Yes/No)? \n",
                key.shown
            ),
            DeleteTarget::Key => format!(
                "Permanently delete the registry key {} (Yes/No)? \n",
                key.shown
            ),
        }
    }

    fn remove(&self, reg: &mut Registry, caller: &Caller, path: &RegPath) -> Result<(), RegError> {
        match self {
            DeleteTarget::Value(n) => reg.delete_value(caller, path, n),
            DeleteTarget::AllValues => {
                let names: Vec<String> = reg
                    .enum_values(caller, path)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(n, _)| n)
                    .collect();
                names
                    .iter()
                    .try_for_each(|n| reg.delete_value(caller, path, n))
            }
            DeleteTarget::Key => reg.delete_key_recursive(caller, path),
        }
    }
}

pub(super) fn import(session: &mut Session, args: &[String], out: &mut Output) -> Exit {
    let file = match args {
        [f] => f,
        [f, v] if v.eq_ignore_ascii_case("/reg:32") || v.eq_ignore_ascii_case("/reg:64") => f,
        _ => return syntax(out, "IMPORT"),
    };
    let bytes = match session.read_input(file) {
        Ok(b) => b,
        Err(fake_registry::limits::ReadError::TooLarge) => {
            let e = fake_registry::limits::ReadError::TooLarge;
            return fail(out, &format!("ERROR: {file} is {e}.\n"));
        }
        Err(_) => {
            return fail(
                out,
                "ERROR: Error opening the file. There may be a disk or file system error.\n",
            )
        }
    };
    let caller = caller();
    match session
        .machine
        .with_registry(|reg| reg.import_reg(&caller, &bytes))
    {
        Ok(_) => {
            // reg.exe writes this success message to standard error.
            out.err(SUCCESS);
            Exit::touched(0)
        }
        Err(_) => fail(out, "ERROR: Error accessing the registry.\n"),
    }
}

pub(super) fn export(session: &mut Session, args: &[String], out: &mut Output) -> Exit {
    let (Some(key_text), Some(file)) = (args.first(), args.get(1)) else {
        return syntax(out, "EXPORT");
    };
    let s = match switches(&args[2..], &["/y", "/reg:32", "/reg:64"], &[], &[]) {
        Ok(s) => s,
        Err(bad) => return bad_option(out, "EXPORT", &bad),
    };
    if parse_key(key_text).is_none() {
        return bad_key(out, "EXPORT");
    }
    let caller = caller();
    let bytes = match session.machine.with_registry(|reg| {
        reg.export_reg(
            &caller,
            key_text.trim_end_matches('\\'),
            &ExportOptions::regedit(),
        )
    }) {
        Ok(b) => b,
        Err(_) => return fail(out, NOT_FOUND),
    };
    if session.replaying() {
        return Exit::ok();
    }
    let path = session.resolve(file);
    if path.exists() && !s.flag("/y") {
        out.out(&format!(
            "File {file} already exists. Overwrite (Yes/No)? \n"
        ));
        out.out(CANCELED);
        return Exit::ok();
    }
    match std::fs::write(&path, bytes) {
        Ok(()) => {
            out.out(SUCCESS);
            Exit::ok()
        }
        Err(_) => fail(
            out,
            "ERROR: Error opening the file. There may be a disk or file system error.\n",
        ),
    }
}
