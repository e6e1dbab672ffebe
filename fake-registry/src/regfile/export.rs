//! Tree to text: writes a subtree the way regedit's File > Export writes it.
//!
//! ```
//! use fake_registry::{Caller, Registry, RegValue};
//! use fake_registry::regfile::ExportOptions;
//!
//! let mut reg = Registry::new();
//! let sys = Caller::local_system();
//! let k = r"HKLM\SOFTWARE\Demo";
//! reg.create_key(&sys, k).unwrap();
//! reg.set_value(&sys, k, "Path", RegValue::sz(r"C:\demo")).unwrap();
//! reg.set_value(&sys, k, "Start", RegValue::dword(3)).unwrap();
//! reg.set_value(&sys, k, "", RegValue::expand_sz("%x%")).unwrap();
//! let text = reg.export_reg(&sys, k, &ExportOptions::utf8_lf()).unwrap();
//! assert_eq!(String::from_utf8(text).unwrap(), "Windows Registry Editor Version 5.00\n\n\
//!     [HKEY_LOCAL_MACHINE\\SOFTWARE\\Demo]\n\
//!     \"Path\"=\"C:\\\\demo\"\n\
//!     \"Start\"=dword:00000003\n\
//!     @=hex(2):25,00,78,00,25,00,00,00\n\n");
//! ```
//!
//! Each key is `[FULL\PATH]`, its values in insertion order, then a blank line; subkeys follow
//! depth-first in Windows order. Value forms:
//!
//! | value | written as |
//! |---|---|
//! | REG_SZ whose bytes are canonical (see [`RegValue::is_canonical_string`]) without CR or LF | `"text"` with `\\` and `\"` |
//! | REG_DWORD of 4 bytes | `dword:%08x` |
//! | REG_BINARY | `hex:` |
//! | anything else (including other REG_SZ) | `hex(N):`, N in lower-case hex |
//!
//! Hex data wraps as regedit wraps it: after each `xx,` that brings the line to 77 characters
//! (UTF-16 units, as regedit counts) or more, the line ends in `\` and the next one starts
//! with two spaces; the last byte never has a comma.
//!
//! A name with a line break (CR or LF) has no `.reg` spelling regedit could read back; such
//! a key or value makes the export fail with ERROR_INVALID_DATA (13).

use super::{ansi, ExportOptions, LineEnding, RegFormat, TextEncoding};
use crate::caller::Caller;
use crate::error::RegError;
use crate::key::Key;
use crate::path::RegPath;
use crate::registry::Registry;
use crate::value::{RegValue, ValueType};

/// Regedit ends a hex line once it is this long.
const WRAP_AT: usize = 77;
const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// The export as text (line endings applied, not yet encoded).
pub(crate) fn export_text(
    reg: &Registry,
    caller: &Caller,
    path: &RegPath,
    options: &ExportOptions,
) -> Result<String, RegError> {
    let key = reg.open_key(caller, path)?;
    let mut w = Writer {
        out: String::with_capacity(4096),
        eol: match options.line_ending {
            LineEnding::Lf => "\n",
            LineEnding::CrLf => "\r\n",
        },
        regedit4: options.format == RegFormat::Regedit4,
    };
    w.out.push_str(match options.format {
        RegFormat::Version5 => "Windows Registry Editor Version 5.00",
        RegFormat::Regedit4 => "REGEDIT4",
    });
    w.newline();
    w.newline();
    let mut full = path.to_string();
    if has_line_break(&full) {
        return Err(unwritable(&full));
    }
    w.key(key, &mut full)?;
    Ok(w.out)
}

/// Encodes export text: UTF-8 without a mark, or UTF-16LE after FF FE.
pub(crate) fn encode(text: String, encoding: TextEncoding) -> Vec<u8> {
    match encoding {
        TextEncoding::Utf8 => text.into_bytes(),
        TextEncoding::Utf16Le => {
            let mut out = Vec::with_capacity(text.len() * 2 + 2);
            out.extend_from_slice(b"\xFF\xFE");
            for u in text.encode_utf16() {
                out.extend_from_slice(&u.to_le_bytes());
            }
            out
        }
    }
}

fn has_line_break(s: &str) -> bool {
    s.bytes().any(|b| b == b'\r' || b == b'\n')
}

fn unwritable(what: &str) -> RegError {
    RegError::invalid_data(format!(
        "{what:?}: a name with a line break cannot be written to a .reg file"
    ))
}

struct Writer {
    out: String,
    eol: &'static str,
    regedit4: bool,
}

impl Writer {
    fn newline(&mut self) {
        self.out.push_str(self.eol);
    }

    fn key(&mut self, key: &Key, path: &mut String) -> Result<(), RegError> {
        self.out.push('[');
        self.out.push_str(path);
        self.out.push(']');
        self.newline();
        for (name, value) in key.values() {
            if has_line_break(name) {
                return Err(unwritable(&format!("{path}\\{name}")));
            }
            self.value(name, value);
        }
        self.newline();
        for child in key.subkeys() {
            if has_line_break(child.name()) {
                return Err(unwritable(&format!("{path}\\{}", child.name())));
            }
            let len = path.len();
            path.push('\\');
            path.push_str(child.name());
            self.key(child, path)?;
            path.truncate(len);
        }
        Ok(())
    }

    fn value(&mut self, name: &str, value: &RegValue) {
        let line_start = self.out.len();
        if name.is_empty() {
            self.out.push('@');
        } else {
            self.out.push('"');
            self.escaped(name);
            self.out.push('"');
        }
        self.out.push('=');
        let data = value.bytes();
        match value.value_type() {
            ValueType::SZ if value.is_canonical_string() => {
                let text = value.as_string().unwrap_or_default();
                if !has_line_break(&text) {
                    self.out.push('"');
                    self.escaped(&text);
                    self.out.push('"');
                    self.newline();
                    return;
                }
                self.out.push_str("hex(1):");
            }
            ValueType::DWORD if data.len() == 4 => {
                let n = u32::from_le_bytes([data[0], data[1], data[2], data[3]]);
                self.out.push_str(&format!("dword:{n:08x}"));
                self.newline();
                return;
            }
            ValueType::BINARY => self.out.push_str("hex:"),
            ValueType(n) => self.out.push_str(&format!("hex({n:x}):")),
        }
        let column = self.out[line_start..].encode_utf16().count();
        if self.regedit4
            && matches!(
                value.value_type(),
                ValueType::EXPAND_SZ | ValueType::MULTI_SZ
            )
        {
            self.hex(&ansi::narrow(data), column);
        } else {
            self.hex(data, column);
        }
        self.newline();
    }

    /// `s` with `\` and `"` escaped.
    fn escaped(&mut self, s: &str) {
        let mut chunk = 0;
        for (i, b) in s.bytes().enumerate() {
            if b == b'\\' || b == b'"' {
                self.out.push_str(&s[chunk..i]);
                self.out.push('\\');
                chunk = i;
            }
        }
        self.out.push_str(&s[chunk..]);
    }

    /// Comma-separated bytes, wrapped; `column` is the length of the line so far.
    fn hex(&mut self, data: &[u8], mut column: usize) {
        let last = data.len().saturating_sub(1);
        for (i, &b) in data.iter().enumerate() {
            self.out.push(char::from(HEX_DIGITS[usize::from(b >> 4)]));
            self.out.push(char::from(HEX_DIGITS[usize::from(b & 15)]));
            if i == last {
                break;
            }
            self.out.push(',');
            column += 3;
            if column >= WRAP_AT {
                self.out.push('\\');
                self.newline();
                self.out.push_str("  ");
                column = 2;
            }
        }
    }
}
