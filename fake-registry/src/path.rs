//! Registry paths: a root key and the names below it.
//!
//! ```
//! use fake_registry::{RegPath, Root};
//!
//! let p = RegPath::parse(r"HKLM\SYSTEM\CurrentControlSet\Services\Spooler").unwrap();
//! assert_eq!(p.root(), Root::LocalMachine);
//! assert_eq!(p.parts().len(), 4);
//! assert_eq!(p.to_string(), r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\Spooler");
//! ```

use crate::error::RegError;
use std::fmt;

/// The predefined root keys the fake registry knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Root {
    /// HKEY_LOCAL_MACHINE (HKLM).
    LocalMachine,
    /// HKEY_USERS (HKU).
    Users,
    /// HKEY_CURRENT_USER (HKCU): the caller's own hive, `HKU\<caller SID>`.
    CurrentUser,
    /// HKEY_CLASSES_ROOT (HKCR): resolved to `HKLM\SOFTWARE\Classes`.
    ClassesRoot,
}

impl Root {
    /// The long name (`HKEY_LOCAL_MACHINE` …).
    pub fn long_name(self) -> &'static str {
        match self {
            Root::LocalMachine => "HKEY_LOCAL_MACHINE",
            Root::Users => "HKEY_USERS",
            Root::CurrentUser => "HKEY_CURRENT_USER",
            Root::ClassesRoot => "HKEY_CLASSES_ROOT",
        }
    }

    /// The short name reg.exe prints (`HKLM` …).
    pub fn short_name(self) -> &'static str {
        match self {
            Root::LocalMachine => "HKLM",
            Root::Users => "HKU",
            Root::CurrentUser => "HKCU",
            Root::ClassesRoot => "HKCR",
        }
    }

    /// Parses a long or short root name, case-insensitively.
    pub fn parse(name: &str) -> Option<Root> {
        let upper = name.to_ascii_uppercase();
        [
            Root::LocalMachine,
            Root::Users,
            Root::CurrentUser,
            Root::ClassesRoot,
        ]
        .into_iter()
        .find(|r| r.long_name() == upper || r.short_name() == upper)
    }
}

/// A parsed registry path: a root and zero or more key names (never empty names).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegPath {
    root: Root,
    parts: Vec<String>,
}

impl RegPath {
    /// Parses `ROOT\a\b`, with long or short root names. A trailing backslash is allowed;
    /// empty names in the middle (`a\\b`) are not (ERROR_INVALID_PARAMETER 87, as is an
    /// unknown root); a name over 255 characters is ERROR_INVALID_NAME (123).
    pub fn parse(text: &str) -> Result<RegPath, RegError> {
        let trimmed = text.trim_end_matches('\\');
        let mut pieces = trimmed.split('\\');
        let root_text = pieces.next().unwrap_or("");
        let root = Root::parse(root_text)
            .ok_or_else(|| RegError::invalid_parameter(format!("unknown root key in {text:?}")))?;
        let mut parts = Vec::new();
        for piece in pieces {
            if piece.is_empty() {
                return Err(RegError::invalid_parameter(format!(
                    "empty key name in {text:?}"
                )));
            }
            crate::limits::check_key_name(piece)?;
            parts.push(piece.to_string());
        }
        Ok(RegPath { root, parts })
    }

    /// A path from a root and names.
    pub fn new<S: Into<String>>(root: Root, parts: impl IntoIterator<Item = S>) -> RegPath {
        RegPath {
            root,
            parts: parts.into_iter().map(Into::into).collect(),
        }
    }

    /// The root key.
    pub fn root(&self) -> Root {
        self.root
    }

    /// The key names below the root.
    pub fn parts(&self) -> &[String] {
        &self.parts
    }

    /// This path with one more name.
    pub fn join(&self, name: &str) -> RegPath {
        let mut parts = self.parts.clone();
        parts.push(name.to_string());
        RegPath {
            root: self.root,
            parts,
        }
    }

    /// The parent path, or `None` for a root.
    pub fn parent(&self) -> Option<RegPath> {
        if self.parts.is_empty() {
            return None;
        }
        Some(RegPath {
            root: self.root,
            parts: self.parts[..self.parts.len() - 1].to_vec(),
        })
    }

    /// The last name, or the root's long name.
    pub fn leaf(&self) -> &str {
        self.parts
            .last()
            .map(String::as_str)
            .unwrap_or(self.root.long_name())
    }

    /// The path with the short root name (`HKLM\…`), as reg.exe prints it.
    pub fn to_short_string(&self) -> String {
        let mut s = self.root.short_name().to_string();
        for p in &self.parts {
            s.push('\\');
            s.push_str(p);
        }
        s
    }
}

impl fmt::Display for RegPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.root.long_name())?;
        for p in &self.parts {
            write!(f, "\\{p}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for RegPath {
    type Err = RegError;
    fn from_str(s: &str) -> Result<RegPath, RegError> {
        RegPath::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_roots_parse_case_insensitively() {
        for text in ["HKLM\\A", "hkey_local_machine\\A", "Hklm\\A\\"] {
            let p = RegPath::parse(text).unwrap();
            assert_eq!(p.root(), Root::LocalMachine);
            assert_eq!(p.parts(), ["A"]);
        }
        assert_eq!(RegPath::parse("HKCU").unwrap().root(), Root::CurrentUser);
        assert_eq!(RegPath::parse("HKU\\S-1-5-18").unwrap().root(), Root::Users);
    }

    #[test]
    fn bad_paths_are_invalid_parameter() {
        assert_eq!(RegPath::parse("HKXX\\A").unwrap_err().code(), 87);
        assert_eq!(RegPath::parse("HKLM\\A\\\\B").unwrap_err().code(), 87);
    }

    #[test]
    fn key_names_over_255_characters_are_error_invalid_name_123() {
        let ok = format!("HKLM\\{}", "k".repeat(255));
        assert!(RegPath::parse(&ok).is_ok());
        let long = format!("HKLM\\{}", "k".repeat(256));
        assert_eq!(RegPath::parse(&long).unwrap_err().code(), 123);
        // Characters, not bytes: 255 two-byte characters are fine.
        let wide = format!("HKLM\\{}", "ä".repeat(255));
        assert!(RegPath::parse(&wide).is_ok());
    }
}
