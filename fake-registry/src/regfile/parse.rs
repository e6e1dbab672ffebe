//! Text to operations: reads a decoded `.reg` file into a list of sections, each a key to
//! create (with values to set or delete) or a key to delete. Nothing touches a registry
//! here, so a malformed file is rejected before any change is made.
//!
//! ```
//! use fake_registry::{Caller, RegValue, Registry};
//!
//! let text = "REGEDIT4\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\A]  ; a comment\n\
//!             \"x\" = dword:1\n\
//!             \"bin\"=hex:01,02,\\\n    03\n";
//! let mut reg = Registry::new();
//! let sys = Caller::local_system();
//! reg.import_reg(&sys, text.as_bytes()).unwrap();
//! assert_eq!(reg.get_dword(&sys, r"HKLM\SOFTWARE\A", "x").unwrap(), 1);
//! assert_eq!(reg.get_value(&sys, r"HKLM\SOFTWARE\A", "bin").unwrap(), RegValue::binary(vec![1, 2, 3]));
//! ```
//!
//! The grammar, line by line (leading spaces and tabs are ignored, CRLF and LF both end a
//! line):
//!
//! ```text
//! file     := header { blank | comment | section | value }
//! header   := "Windows Registry Editor Version 5.00" | "REGEDIT4"
//! section  := "[" ["-"] path "]"                 (the last "]" on the line closes it)
//! value    := (quoted | "@") "=" data
//! data     := "-" | quoted | "dword:" 1*8hex | "hex:" bytes | "hex(" 1*8hex "):" bytes
//! bytes    := [ byte { "," [ "\" newline indent ] byte } ]   (a byte is two hex digits)
//! quoted   := '"' { char | '\\' | '\"' } '"'   (any other backslash stays as it is)
//! ```
//!
//! Any entry may be followed by spaces and a `; comment`. The parser works on bytes, copies
//! each name and each value's data once (into the buffer the registry keeps), and allocates
//! nothing per byte.

use super::ansi;
use super::error::{RegFileError, RegFileErrorKind as Kind};
use super::RegFormat;
use crate::path::RegPath;
use crate::value::{RegValue, ValueType};

const HEADER_5: &str = "Windows Registry Editor Version 5.00";
const HEADER_4: &str = "REGEDIT4";

/// A parsed file: its sections in file order.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub(crate) sections: Vec<Section>,
}

/// One `[key]` or `[-key]` section.
#[derive(Debug)]
pub(crate) struct Section {
    pub(crate) path: RegPath,
    pub(crate) delete: bool,
    pub(crate) line: u32,
    pub(crate) entries: Vec<Entry>,
}

/// One value line: set (`Some`) or delete (`None`) the value `name` (`""` = default value).
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) name: String,
    pub(crate) value: Option<RegValue>,
}

/// Hex digit values; 0xFF for anything else.
const HEX: [u8; 256] = {
    let mut t = [0xFFu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// Parses a whole decoded file.
pub(crate) fn parse(text: &str) -> Result<Parsed, RegFileError> {
    let mut p = Parser {
        text,
        b: text.as_bytes(),
        pos: 0,
        line: 1,
        line_start: 0,
        ansi_strings: false,
    };
    let format = p.header()?;
    p.ansi_strings = format == RegFormat::Regedit4;
    let mut sections: Vec<Section> = Vec::new();
    // Index of the section values go to; None before the first key or in a [-key].
    let mut current: Option<usize> = None;
    loop {
        p.skip_ws();
        if p.at_eol() {
            if p.peek().is_none() {
                break;
            }
            p.next_line();
            continue;
        }
        match p.peek() {
            Some(b';') => p.finish_line()?,
            Some(b'[') => {
                let section = p.section()?;
                current = (!section.delete).then_some(sections.len());
                sections.push(section);
            }
            Some(b'"' | b'@') => {
                let Some(i) = current else {
                    return Err(p.err(Kind::ValueOutsideKey, p.pos));
                };
                let entry = p.value()?;
                sections[i].entries.push(entry);
            }
            _ => return Err(p.err(Kind::UnexpectedLine, p.pos)),
        }
    }
    Ok(Parsed { sections })
}

struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    line: u32,
    line_start: usize,
    /// REGEDIT4: hex(2) and hex(7) data is ANSI text, widened to UTF-16LE.
    ansi_strings: bool,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    /// An error at byte `at` of the current line.
    fn err(&self, kind: Kind, at: usize) -> RegFileError {
        let (line, column) = self.line_col(at);
        RegFileError::new(kind, line, column)
    }

    fn line_col(&self, at: usize) -> (u32, u32) {
        let start = self.line_start.min(at);
        let column = self
            .text
            .get(start..at)
            .map_or(at - start, |s| s.chars().count());
        (self.line, u32::try_from(column + 1).unwrap_or(u32::MAX))
    }

    /// Skips spaces and tabs.
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t') = self.peek() {
            self.pos += 1;
        }
    }

    /// At the end of the line: LF, CR LF, or the end of the text (a lone CR is text).
    fn at_eol(&self) -> bool {
        match self.peek() {
            None | Some(b'\n') => true,
            Some(b'\r') => matches!(self.b.get(self.pos + 1), None | Some(b'\n')),
            Some(_) => false,
        }
    }

    /// At the end of an entry: the end of the line or a `; comment`.
    fn at_entry_end(&self) -> bool {
        self.peek() == Some(b';') || self.at_eol()
    }

    /// Moves to the start of the next line.
    fn next_line(&mut self) {
        match self.b[self.pos.min(self.b.len())..]
            .iter()
            .position(|&c| c == b'\n')
        {
            Some(i) => {
                self.pos += i + 1;
                self.line += 1;
                self.line_start = self.pos;
            }
            None => self.pos = self.b.len(),
        }
    }

    /// After an entry: only spaces and a `; comment` may follow on the line.
    fn finish_line(&mut self) -> Result<(), RegFileError> {
        self.skip_ws();
        if !self.at_entry_end() {
            return Err(self.err(Kind::TrailingText, self.pos));
        }
        self.next_line();
        Ok(())
    }

    fn header(&mut self) -> Result<RegFormat, RegFileError> {
        let end = self
            .b
            .iter()
            .position(|&c| c == b'\n')
            .unwrap_or(self.b.len());
        let first = self.text[..end].trim_end_matches([' ', '\t', '\r']);
        let format = match first {
            HEADER_5 => RegFormat::Version5,
            HEADER_4 => RegFormat::Regedit4,
            _ => return Err(RegFileError::new(Kind::MissingHeader, 1, 1)),
        };
        self.next_line();
        Ok(format)
    }

    fn section(&mut self) -> Result<Section, RegFileError> {
        let open = self.pos;
        let line = self.line;
        self.pos += 1;
        let delete = self.peek() == Some(b'-');
        if delete {
            self.pos += 1;
        }
        let rest = &self.b[self.pos..];
        let line_len = rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
        let Some(close) = rest[..line_len].iter().rposition(|&c| c == b']') else {
            return Err(self.err(Kind::UnterminatedKey, open));
        };
        let start = self.pos;
        let path = RegPath::parse(&self.text[start..start + close])
            .map_err(|e| self.err(Kind::InvalidKeyPath(e.detail().to_string()), start))?;
        self.pos = start + close + 1;
        self.finish_line()?;
        Ok(Section {
            path,
            delete,
            line,
            entries: Vec::new(),
        })
    }

    fn value(&mut self) -> Result<Entry, RegFileError> {
        let name = if self.peek() == Some(b'@') {
            self.pos += 1;
            String::new()
        } else {
            let mut name = String::new();
            self.quoted(|chunk| name.push_str(chunk))?;
            name
        };
        self.skip_ws();
        if self.peek() != Some(b'=') {
            return Err(self.err(Kind::ExpectedEquals, self.pos));
        }
        self.pos += 1;
        self.skip_ws();
        let value = match self.peek() {
            Some(b'-') => {
                self.pos += 1;
                None
            }
            Some(b'"') => Some(RegValue::from_raw(ValueType::SZ, self.string_data()?)),
            _ => Some(self.typed_data()?),
        };
        self.finish_line()?;
        Ok(Entry { name, value })
    }

    /// A quoted string at `pos`, unescaped, handed to `sink` in pieces.
    fn quoted(&mut self, mut sink: impl FnMut(&str)) -> Result<(), RegFileError> {
        let open = self.pos;
        self.pos += 1;
        let mut chunk = self.pos;
        loop {
            let rest = &self.b[self.pos..];
            let Some(i) = rest.iter().position(|&c| matches!(c, b'"' | b'\\' | b'\n')) else {
                return Err(self.err(Kind::UnterminatedString, open));
            };
            self.pos += i;
            match self.b[self.pos] {
                b'"' => {
                    sink(&self.text[chunk..self.pos]);
                    self.pos += 1;
                    return Ok(());
                }
                b'\\' => match self.b.get(self.pos + 1) {
                    Some(&c @ (b'\\' | b'"')) => {
                        sink(&self.text[chunk..self.pos]);
                        sink(if c == b'"' { "\"" } else { "\\" });
                        self.pos += 2;
                        chunk = self.pos;
                    }
                    _ => self.pos += 1,
                },
                _ => return Err(self.err(Kind::UnterminatedString, open)),
            }
        }
    }

    /// A quoted REG_SZ as UTF-16LE with its terminating NUL.
    fn string_data(&mut self) -> Result<Vec<u8>, RegFileError> {
        let mut data = Vec::new();
        self.quoted(|chunk| {
            if chunk.is_ascii() {
                data.reserve(chunk.len() * 2);
                for &c in chunk.as_bytes() {
                    data.extend_from_slice(&[c, 0]);
                }
            } else {
                for u in chunk.encode_utf16() {
                    data.extend_from_slice(&u.to_le_bytes());
                }
            }
        })?;
        data.extend_from_slice(&[0, 0]);
        data.shrink_to_fit();
        Ok(data)
    }

    /// `dword:…`, `hex:…` or `hex(N):…`.
    fn typed_data(&mut self) -> Result<RegValue, RegFileError> {
        let start = self.pos;
        let rest = &self.b[start..];
        let has = |prefix: &[u8]| {
            rest.len() >= prefix.len() && rest[..prefix.len()].eq_ignore_ascii_case(prefix)
        };
        if has(b"dword:") {
            self.pos += 6;
            return Ok(RegValue::dword(self.dword()?));
        }
        let kind = if has(b"hex:") {
            self.pos += 4;
            ValueType::BINARY
        } else if has(b"hex(") {
            self.pos += 4;
            let n = self.type_number()?;
            if self.peek() != Some(b':') {
                return Err(self.unknown_type(start));
            }
            self.pos += 1;
            ValueType(n)
        } else {
            return Err(self.unknown_type(start));
        };
        let bytes = self.hex_bytes()?;
        let bytes =
            if self.ansi_strings && matches!(kind, ValueType::EXPAND_SZ | ValueType::MULTI_SZ) {
                ansi::widen(&bytes)
            } else {
                bytes
            };
        Ok(RegValue::from_raw(kind, bytes))
    }

    fn unknown_type(&self, start: usize) -> RegFileError {
        let rest = &self.text[start..];
        let end = rest
            .char_indices()
            .find(|&(_, c)| c == ':' || c.is_whitespace())
            .map_or(rest.len(), |(i, c)| if c == ':' { i + 1 } else { i });
        let found: String = rest[..end].chars().take(32).collect();
        self.err(Kind::UnknownType(found), start)
    }

    /// 1 to 8 hex digits, as a number.
    fn hex_number(&mut self, kind: Kind) -> Result<u32, RegFileError> {
        let mut n: u32 = 0;
        let mut digits = 0;
        while let Some(c) = self.peek() {
            let d = HEX[usize::from(c)];
            if d > 15 {
                break;
            }
            if digits == 8 {
                return Err(self.err(kind, self.pos));
            }
            n = (n << 4) | u32::from(d);
            digits += 1;
            self.pos += 1;
        }
        if digits == 0 {
            return Err(self.err(kind, self.pos));
        }
        Ok(n)
    }

    fn dword(&mut self) -> Result<u32, RegFileError> {
        let n = self.hex_number(Kind::BadDword)?;
        if !(self.at_entry_end() || matches!(self.peek(), Some(b' ' | b'\t'))) {
            return Err(self.err(Kind::BadDword, self.pos));
        }
        Ok(n)
    }

    fn type_number(&mut self) -> Result<u32, RegFileError> {
        let n = self.hex_number(Kind::BadTypeNumber)?;
        if self.peek() != Some(b')') {
            return Err(self.err(Kind::BadTypeNumber, self.pos));
        }
        self.pos += 1;
        Ok(n)
    }

    /// Comma-separated two-digit hex bytes, possibly over several lines.
    fn hex_bytes(&mut self) -> Result<Vec<u8>, RegFileError> {
        let mut out = Vec::new();
        self.skip_ws();
        if self.at_entry_end() {
            return Ok(out);
        }
        let b = self.b;
        loop {
            // The common case: "xx," with nothing around it.
            let i = self.pos;
            if i + 2 < b.len() {
                let (hi, lo) = (HEX[usize::from(b[i])], HEX[usize::from(b[i + 1])]);
                if (hi | lo) < 16 && b[i + 2] == b',' {
                    out.push((hi << 4) | lo);
                    self.pos = i + 3;
                    continue;
                }
            }
            // Everything else: spaces, a continuation, the last byte, errors.
            self.skip_ws();
            if self.peek() == Some(b'\\') {
                self.continuation()?;
                continue;
            }
            out.push(self.hex_byte()?);
            self.skip_ws();
            if self.peek() == Some(b',') {
                self.pos += 1;
            } else if self.at_entry_end() {
                break;
            } else {
                return Err(self.err(Kind::BadHexDigit, self.pos));
            }
        }
        out.shrink_to_fit();
        Ok(out)
    }

    fn hex_byte(&mut self) -> Result<u8, RegFileError> {
        let mut v = 0u8;
        for _ in 0..2 {
            match self.peek() {
                Some(c) if HEX[usize::from(c)] < 16 => {
                    v = (v << 4) | HEX[usize::from(c)];
                    self.pos += 1;
                }
                Some(b' ' | b'\t') => return Err(self.err(Kind::TruncatedHex, self.pos)),
                _ if self.at_entry_end() => return Err(self.err(Kind::TruncatedHex, self.pos)),
                _ => return Err(self.err(Kind::BadHexDigit, self.pos)),
            }
        }
        Ok(v)
    }

    /// A `\` at the end of a line: the data goes on after the next line's indentation.
    fn continuation(&mut self) -> Result<(), RegFileError> {
        let backslash = self.pos;
        self.pos += 1;
        self.skip_ws();
        if !self.at_eol() {
            return Err(self.err(Kind::BadHexDigit, backslash));
        }
        let truncated = self.err(Kind::TruncatedHex, backslash);
        if self.peek().is_none() {
            return Err(truncated);
        }
        self.next_line();
        self.skip_ws();
        if self.at_eol() {
            return Err(truncated);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_value(line: &str) -> Option<RegValue> {
        let text = format!("{HEADER_5}\n[HKEY_LOCAL_MACHINE\\A]\n{line}\n");
        let mut parsed = parse(&text).unwrap();
        parsed.sections.remove(0).entries.remove(0).value
    }

    #[test]
    fn value_forms() {
        assert_eq!(one_value("\"x\"=dword:0000001f"), Some(RegValue::dword(31)));
        assert_eq!(
            one_value("\"x\"=\"a\\\\b\\\"c\""),
            Some(RegValue::sz("a\\b\"c"))
        );
        assert_eq!(one_value("\"x\"=hex:"), Some(RegValue::binary(vec![])));
        assert_eq!(
            one_value("\"x\"=hex(ffffffff):01,02,\\\n  03"),
            Some(RegValue::from_raw(ValueType(u32::MAX), vec![1, 2, 3]))
        );
        assert_eq!(one_value("@=-"), None);
        assert_eq!(
            one_value("\"x\" = hex:0A , 0b ; note"),
            Some(RegValue::binary(vec![10, 11]))
        );
    }

    #[test]
    fn unknown_escapes_stay_literal() {
        assert_eq!(one_value("\"x\"=\"a\\nb\""), Some(RegValue::sz("a\\nb")));
    }
}
