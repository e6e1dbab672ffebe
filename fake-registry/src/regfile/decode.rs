//! Bytes to text: finds the encoding of a `.reg` file the way regedit does.
//!
//! ```
//! use fake_registry::{Caller, Registry};
//!
//! let text = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Ünï]\r\n";
//! let mut utf16 = vec![0xFF, 0xFE];
//! utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
//! let utf8_bom = [&b"\xEF\xBB\xBF"[..], text.as_bytes()].concat();
//! let sys = Caller::local_system();
//! for bytes in [utf16, utf8_bom, text.as_bytes().to_vec()] {
//!     let mut reg = Registry::new();
//!     reg.import_reg(&sys, &bytes).unwrap();
//!     assert!(reg.key_exists(&sys, r"HKCU\ünï"));
//! }
//! ```
//!
//! - FF FE: UTF-16LE (regedit's own export format); unpaired surrogates are an error.
//! - EF BB BF: UTF-8, the mark dropped.
//! - no mark: UTF-8; when that fails and the file starts with `REGEDIT4`, Windows-1252
//!   (an ANSI file); otherwise an error at the first bad byte.
//!
//! Line and column of any error count characters of the decoded text, without the mark.

use std::borrow::Cow;

use super::ansi;
use super::error::{RegFileError, RegFileErrorKind};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16LE_BOM: &[u8] = b"\xFF\xFE";

/// Decodes a whole file to text.
pub(crate) fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, RegFileError> {
    if let Some(rest) = bytes.strip_prefix(UTF16LE_BOM) {
        return decode_utf16le(rest).map(Cow::Owned);
    }
    let (rest, had_bom) = match bytes.strip_prefix(UTF8_BOM) {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    match std::str::from_utf8(rest) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(_) if !had_bom && rest.starts_with(b"REGEDIT4") => Ok(Cow::Owned(ansi::decode(rest))),
        Err(e) => {
            let valid = std::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or_default();
            Err(error_at_end(valid, RegFileErrorKind::InvalidUtf8))
        }
    }
}

fn decode_utf16le(bytes: &[u8]) -> Result<String, RegFileError> {
    let chunks = bytes.chunks_exact(2);
    let odd = !chunks.remainder().is_empty();
    let units = chunks.map(|c| u16::from_le_bytes([c[0], c[1]]));
    let mut out = String::with_capacity(bytes.len() / 2 + bytes.len() / 8);
    for unit in char::decode_utf16(units) {
        match unit {
            Ok(c) => out.push(c),
            Err(_) => return Err(error_at_end(&out, RegFileErrorKind::InvalidUtf16)),
        }
    }
    if odd {
        return Err(error_at_end(&out, RegFileErrorKind::InvalidUtf16));
    }
    Ok(out)
}

/// An error placed just after the end of `text` (the part that decoded).
fn error_at_end(text: &str, kind: RegFileErrorKind) -> RegFileError {
    let (line, column) = position(text, text.len());
    RegFileError::new(kind, line, column)
}

/// The 1-based line and column (in characters) of byte `offset` of `text`.
pub(crate) fn position(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = text
        .get(line_start..offset)
        .map_or(offset - line_start, |s| s.chars().count())
        + 1;
    (to_u32(line), to_u32(column))
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boms_and_ansi_are_recognised() {
        assert_eq!(decode(b"\xEF\xBB\xBFREGEDIT4\n").unwrap(), "REGEDIT4\n");
        assert_eq!(decode(b"\xFF\xFER\0E\0").unwrap(), "RE");
        assert_eq!(decode(b"REGEDIT4\n\xE9\x80").unwrap(), "REGEDIT4\né€");
    }

    #[test]
    fn bad_input_gives_positions() {
        let e = decode(b"Windows\nab\xFFc").unwrap_err();
        assert_eq!(
            (e.kind(), e.line(), e.column()),
            (&RegFileErrorKind::InvalidUtf8, 2, 3)
        );
        // "a\n" then an unpaired low surrogate.
        let e = decode(b"\xFF\xFEa\0\n\0\x00\xDC").unwrap_err();
        assert_eq!(
            (e.kind(), e.line(), e.column()),
            (&RegFileErrorKind::InvalidUtf16, 2, 1)
        );
        let e = decode(b"\xFF\xFEa\0b").unwrap_err();
        assert_eq!((e.line(), e.column()), (1, 2));
    }

    #[test]
    fn position_counts_characters() {
        assert_eq!(position("ab\nçd", 5), (2, 2));
        assert_eq!(position("ab\nçd", 6), (2, 3));
        assert_eq!(position("", 0), (1, 1));
    }
}
