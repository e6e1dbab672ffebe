//! Windows-1252, the "ANSI" code page of REGEDIT4 files on a Western Windows.
//!
//! ```
//! use fake_registry::{Caller, Registry};
//!
//! // A REGEDIT4 file saved by an ANSI editor: 0xE9 is 'é' and 0x80 is '€' in Windows-1252,
//! // and hex(2) data is one byte per character.
//! let file = b"REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\T]\r\n\
//!              \"caf\xE9\"=\"\x80\"\r\n\"e\"=hex(2):25,80,25,00\r\n";
//! let mut reg = Registry::new();
//! let sys = Caller::local_system();
//! reg.import_reg(&sys, file).unwrap();
//! assert_eq!(reg.get_string(&sys, r"HKLM\SOFTWARE\T", "café").unwrap(), "€");
//! assert_eq!(reg.get_string(&sys, r"HKLM\SOFTWARE\T", "e").unwrap(), "%€%");
//! ```
//!
//! Bytes 0x00–0x7F and 0xA0–0xFF are the same code points as Latin-1; 0x80–0x9F map to the
//! table below. The five bytes Windows leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) map
//! to the C1 control with the same number, as MultiByteToWideChar maps them.

/// Code points of bytes 0x80..=0x9F.
const HIGH: [u16; 32] = [
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, // 80-87
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F, // 88-8F
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, // 90-97
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178, // 98-9F
];

/// The UTF-16 unit of one Windows-1252 byte.
pub(crate) fn to_unit(b: u8) -> u16 {
    if (0x80..0xA0).contains(&b) {
        HIGH[usize::from(b - 0x80)]
    } else {
        u16::from(b)
    }
}

/// The character of one Windows-1252 byte.
pub(crate) fn to_char(b: u8) -> char {
    // Every table entry is a BMP code point outside the surrogate range.
    char::from_u32(u32::from(to_unit(b))).unwrap_or('?')
}

/// The Windows-1252 byte of a UTF-16 unit, if it has one.
pub(crate) fn from_unit(u: u16) -> Option<u8> {
    match u {
        0..=0x7F | 0xA0..=0xFF => Some(u as u8),
        _ => HIGH.iter().position(|&h| h == u).map(|i| 0x80 + i as u8),
    }
}

/// Decodes a whole Windows-1252 text.
pub(crate) fn decode(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| to_char(b)).collect()
}

/// Converts REGEDIT4 string data (ANSI bytes) to UTF-16LE bytes, byte for unit.
pub(crate) fn widen(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.extend_from_slice(&to_unit(b).to_le_bytes());
    }
    out
}

/// Converts UTF-16LE bytes to ANSI bytes for a REGEDIT4 export; units without a
/// Windows-1252 byte become `?` (as WideCharToMultiByte does). A trailing odd byte is kept.
pub(crate) fn narrow(bytes: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = bytes
        .chunks_exact(2)
        .map(|c| from_unit(u16::from_le_bytes([c[0], c[1]])).unwrap_or(b'?'))
        .collect();
    if bytes.len() % 2 == 1 {
        out.push(bytes[bytes.len() - 1]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_round_trips() {
        for b in 0..=255u8 {
            assert_eq!(from_unit(to_unit(b)), Some(b));
        }
        assert_eq!(to_char(0x80), '€');
        assert_eq!(from_unit(0x0101), None);
        assert_eq!(narrow(&widen(b"a\x80\0")), b"a\x80\0");
    }
}
