//! Operations to registry: checks every section against the caller's rights first, then
//! applies the sections in file order through the registry's own API (so paths resolve as
//! any call resolves them, the access log records the writes and watchers are signalled).
//!
//! ```
//! use fake_registry::{Caller, Registry};
//!
//! let mut reg = Registry::new();
//! let bob = Caller::standard_user("bob", "S-1-5-21-1-2-3-1001");
//! let text = "Windows Registry Editor Version 5.00\n\n\
//!             [HKEY_CURRENT_USER\\Software\\Bob]\n\"x\"=dword:00000001\n\n\
//!             [HKEY_LOCAL_MACHINE\\SOFTWARE\\Bob]\n";
//! let err = reg.import_reg(&bob, text.as_bytes()).unwrap_err();
//! assert_eq!((err.code(), err.line()), (5, 6)); // ERROR_ACCESS_DENIED at the HKLM section
//! assert!(!reg.key_exists(&bob, r"HKCU\Software\Bob")); // nothing was written
//! ```
//!
//! The check asks the registry itself: for each distinct hive a file writes to, it tries the
//! write on an empty scratch registry as the same caller, so the rule is the registry's rule.
//! Like regedit, which opens every key of the file for writing, a section needs write access
//! even when its key already exists and it sets nothing.

use super::error::{RegFileError, RegFileErrorKind};
use super::parse::{Parsed, Section};
use super::ImportSummary;
use crate::caller::Caller;
use crate::error::RegError;
use crate::key::fold;
use crate::path::{RegPath, Root};
use crate::registry::Registry;

/// Checks, then applies, a parsed file.
pub(crate) fn apply(
    reg: &mut Registry,
    caller: &Caller,
    parsed: Parsed,
) -> Result<ImportSummary, RegFileError> {
    check(caller, &parsed.sections)?;
    let mut summary = ImportSummary::default();
    for section in parsed.sections {
        let line = section.line;
        let at = |e: RegError| RegFileError::new(RegFileErrorKind::Registry(e), line, 1);
        let path = &section.path;
        if section.delete {
            // Deleting a key that is not there is not an error (regedit skips it).
            if let Ok(key) = reg.open_key(caller, path) {
                let keys = key.count_keys();
                reg.delete_key_recursive(caller, path).map_err(at)?;
                summary.keys_deleted += keys;
            }
            continue;
        }
        if reg.create_key(caller, path).map_err(at)? {
            summary.keys_created += 1;
        }
        for entry in section.entries {
            match entry.value {
                Some(value) => {
                    reg.set_value(caller, path, &entry.name, value)
                        .map_err(at)?;
                    summary.values_set += 1;
                }
                None => match reg.delete_value(caller, path, &entry.name) {
                    Ok(()) => summary.values_deleted += 1,
                    Err(e) if e.code() == 2 => {} // a missing value: nothing to delete
                    Err(e) => return Err(at(e)),
                },
            }
        }
    }
    Ok(summary)
}

fn registry_error(section: &Section, e: RegError) -> RegFileError {
    RegFileError::new(RegFileErrorKind::Registry(e), section.line, 1)
}

/// Windows' size limits (depth, value names, value data) for one section, checked before
/// anything is written so that a file that breaks one changes nothing.
fn check_limits(caller: &Caller, section: &Section) -> Result<(), RegFileError> {
    if !section.delete {
        Registry::bare()
            .check_create_limits(caller, &section.path)
            .map_err(|e| registry_error(section, e))?;
    }
    for entry in &section.entries {
        if let Some(value) = &entry.value {
            crate::limits::check_value(&entry.name, value)
                .map_err(|e| registry_error(section, e))?;
        }
    }
    Ok(())
}

/// Fails at the first section the caller may not apply; changes nothing.
fn check(caller: &Caller, sections: &[Section]) -> Result<(), RegFileError> {
    // Verdicts per (root, first name): the registry's rule depends on nothing deeper.
    let mut allowed: Vec<(Root, String)> = Vec::new();
    for section in sections {
        let path = &section.path;
        check_limits(caller, section)?;
        if section.delete {
            // A root or the CurrentControlSet link is refused before anything else is looked
            // at; in an empty registry every other key is simply missing (code 2).
            if let Err(e) = Registry::bare().delete_key_recursive(caller, path) {
                if e.code() != 2 {
                    return Err(registry_error(section, e));
                }
            }
        }
        let hive = (
            path.root(),
            path.parts().first().map(|p| fold(p)).unwrap_or_default(),
        );
        if allowed.contains(&hive) {
            continue;
        }
        // A root key itself: probe a name below it (writing a root's values needs the same
        // right as creating a key under it).
        let probe = if path.parts().is_empty() {
            RegPath::new(path.root(), ["regfile-probe"])
        } else {
            path.clone()
        };
        match Registry::bare().create_key(caller, &probe) {
            Ok(_) => allowed.push(hive),
            Err(e) => return Err(registry_error(section, e)),
        }
    }
    Ok(())
}
