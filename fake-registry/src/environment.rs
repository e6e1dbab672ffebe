//! The environment block used to expand REG_EXPAND_SZ strings, as ExpandEnvironmentStrings does.
//!
//! ```
//! use fake_registry::Environment;
//!
//! let env = Environment::windows_default();
//! assert_eq!(env.expand(r"%SystemRoot%\system32\svchost.exe"), r"C:\Windows\system32\svchost.exe");
//! assert_eq!(env.expand("%NOPE% stays"), "%NOPE% stays");
//! ```

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Variables by upper-cased name, each with its case-preserved name and value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Environment {
    vars: BTreeMap<String, (String, String)>,
}

impl Default for Environment {
    fn default() -> Self {
        Environment::windows_default()
    }
}

impl Environment {
    /// No variables at all.
    pub fn empty() -> Environment {
        Environment {
            vars: BTreeMap::new(),
        }
    }

    /// The system environment of a default Windows 10 install on drive C:.
    pub fn windows_default() -> Environment {
        let mut env = Environment::empty();
        for (name, value) in [
            ("SystemRoot", r"C:\Windows"),
            ("windir", r"C:\Windows"),
            ("SystemDrive", "C:"),
            ("ProgramFiles", r"C:\Program Files"),
            ("ProgramFiles(x86)", r"C:\Program Files (x86)"),
            ("ProgramW6432", r"C:\Program Files"),
            ("CommonProgramFiles", r"C:\Program Files\Common Files"),
            (
                "CommonProgramFiles(x86)",
                r"C:\Program Files (x86)\Common Files",
            ),
            ("ProgramData", r"C:\ProgramData"),
            ("ALLUSERSPROFILE", r"C:\ProgramData"),
            ("PUBLIC", r"C:\Users\Public"),
            ("ComSpec", r"C:\Windows\system32\cmd.exe"),
            ("TEMP", r"C:\Windows\TEMP"),
            ("TMP", r"C:\Windows\TEMP"),
            ("OS", "Windows_NT"),
            ("PROCESSOR_ARCHITECTURE", "AMD64"),
            ("NUMBER_OF_PROCESSORS", "2"),
            ("COMPUTERNAME", "SCM-SIM"),
            ("USERNAME", "SYSTEM"),
            ("USERPROFILE", r"C:\Windows\system32\config\systemprofile"),
        ] {
            env.set(name, value);
        }
        env
    }

    /// Sets (or replaces) a variable; names compare case-insensitively.
    pub fn set(&mut self, name: &str, value: &str) {
        self.vars.insert(
            name.to_ascii_uppercase(),
            (name.to_string(), value.to_string()),
        );
    }

    /// Removes a variable.
    pub fn remove(&mut self, name: &str) {
        self.vars.remove(&name.to_ascii_uppercase());
    }

    /// A variable's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(&name.to_ascii_uppercase())
            .map(|(_, v)| v.as_str())
    }

    /// Variables in name order, with their case-preserved names.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars.values().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Replaces each `%NAME%` with its value; unknown names and a lone `%` stay as written.
    pub fn expand(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 16);
        let mut rest = text;
        while let Some(start) = rest.find('%') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            match after.find('%') {
                Some(end) => {
                    let name = &after[..end];
                    match self.get(name).filter(|_| !name.is_empty()) {
                        Some(value) => {
                            out.push_str(value);
                            rest = &after[end + 1..];
                        }
                        None => {
                            // Keep the first '%' and resume at the second one, which may
                            // open a valid reference ("%a%%SystemRoot%").
                            out.push('%');
                            out.push_str(name);
                            rest = &after[end..];
                        }
                    }
                }
                None => {
                    out.push_str(&rest[start..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expansion_is_case_insensitive_and_keeps_unknowns() {
        let env = Environment::windows_default();
        assert_eq!(env.expand("%systemroot%"), r"C:\Windows");
        assert_eq!(env.expand("%WINDIR%\\x"), r"C:\Windows\x");
        assert_eq!(env.expand("100%"), "100%");
        assert_eq!(env.expand("%a%%SystemRoot%"), r"%a%C:\Windows");
        assert_eq!(env.expand("%%"), "%%");
        assert_eq!(env.expand("%ProgramFiles%\\App"), r"C:\Program Files\App");
    }
}
