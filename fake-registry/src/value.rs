//! Typed registry values, stored as Windows stores them: a type number and raw bytes.
//!
//! ```
//! use fake_registry::{RegValue, ValueType};
//!
//! let v = RegValue::expand_sz("%SystemRoot%\\system32\\svchost.exe -k netsvcs");
//! assert_eq!(v.value_type(), ValueType::EXPAND_SZ);
//! assert_eq!(v.as_string().unwrap(), "%SystemRoot%\\system32\\svchost.exe -k netsvcs");
//! assert_eq!(RegValue::dword(0x20).as_dword().unwrap(), 0x20);
//! ```
//!
//! Keeping the bytes (not a decoded form) makes every value round-trip exactly, whatever a
//! `.reg` file or a caller put there, including strings without their terminating NUL or data
//! whose length does not fit its type — both happen on real machines.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::RegError;

/// A registry value type (`REG_*`). Any 32-bit number is a valid type, as on Windows; the
/// associated constants name the ones Windows defines.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ValueType(pub u32);

impl ValueType {
    /// REG_NONE (0): no defined type.
    pub const NONE: ValueType = ValueType(0);
    /// REG_SZ (1): a NUL-terminated UTF-16 string.
    pub const SZ: ValueType = ValueType(1);
    /// REG_EXPAND_SZ (2): a string with `%VAR%` references.
    pub const EXPAND_SZ: ValueType = ValueType(2);
    /// REG_BINARY (3): raw bytes.
    pub const BINARY: ValueType = ValueType(3);
    /// REG_DWORD (4): a little-endian 32-bit number.
    pub const DWORD: ValueType = ValueType(4);
    /// REG_DWORD_BIG_ENDIAN (5): a big-endian 32-bit number.
    pub const DWORD_BIG_ENDIAN: ValueType = ValueType(5);
    /// REG_LINK (6): a symbolic link target (UTF-16, no terminator).
    pub const LINK: ValueType = ValueType(6);
    /// REG_MULTI_SZ (7): a sequence of NUL-terminated strings ending with an empty one.
    pub const MULTI_SZ: ValueType = ValueType(7);
    /// REG_RESOURCE_LIST (8).
    pub const RESOURCE_LIST: ValueType = ValueType(8);
    /// REG_FULL_RESOURCE_DESCRIPTOR (9).
    pub const FULL_RESOURCE_DESCRIPTOR: ValueType = ValueType(9);
    /// REG_RESOURCE_REQUIREMENTS_LIST (10).
    pub const RESOURCE_REQUIREMENTS_LIST: ValueType = ValueType(10);
    /// REG_QWORD (11): a little-endian 64-bit number.
    pub const QWORD: ValueType = ValueType(11);

    /// The winnt.h name (`REG_SZ` …), or `REG_0x1234` for an undefined number.
    pub fn name(self) -> String {
        let known = match self.0 {
            0 => "REG_NONE",
            1 => "REG_SZ",
            2 => "REG_EXPAND_SZ",
            3 => "REG_BINARY",
            4 => "REG_DWORD",
            5 => "REG_DWORD_BIG_ENDIAN",
            6 => "REG_LINK",
            7 => "REG_MULTI_SZ",
            8 => "REG_RESOURCE_LIST",
            9 => "REG_FULL_RESOURCE_DESCRIPTOR",
            10 => "REG_RESOURCE_REQUIREMENTS_LIST",
            11 => "REG_QWORD",
            n => return format!("REG_0x{n:x}"),
        };
        known.to_string()
    }

    /// Parses a winnt.h name (`REG_SZ`, case-insensitive) as reg.exe's `/t` accepts it.
    pub fn from_name(name: &str) -> Option<ValueType> {
        let upper = name.to_ascii_uppercase();
        (0..=11).map(ValueType).find(|t| t.name() == upper)
    }

    /// True for the string-like types stored as UTF-16 (SZ, EXPAND_SZ, LINK).
    pub fn is_string(self) -> bool {
        matches!(self, ValueType::SZ | ValueType::EXPAND_SZ | ValueType::LINK)
    }
}

impl fmt::Debug for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// One registry value: its type and its bytes exactly as stored.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RegValue {
    #[serde(rename = "type")]
    kind: ValueType,
    #[serde(with = "hex_bytes")]
    data: Vec<u8>,
}

impl fmt::Debug for RegValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ValueType::DWORD | ValueType::DWORD_BIG_ENDIAN if self.data.len() == 4 => {
                write!(f, "{}(0x{:x})", self.kind, self.as_dword().unwrap_or(0))
            }
            ValueType::QWORD if self.data.len() == 8 => {
                write!(f, "{}(0x{:x})", self.kind, self.as_qword().unwrap_or(0))
            }
            ValueType::MULTI_SZ => write!(
                f,
                "{}({:?})",
                self.kind,
                self.as_multi_sz().unwrap_or_default()
            ),
            t if t.is_string() => write!(
                f,
                "{}({:?})",
                self.kind,
                self.as_string().unwrap_or_default()
            ),
            _ => write!(f, "{}({} bytes)", self.kind, self.data.len()),
        }
    }
}

impl RegValue {
    /// A value of any type from raw bytes.
    pub fn from_raw(kind: ValueType, data: Vec<u8>) -> RegValue {
        RegValue { kind, data }
    }

    /// REG_NONE with the given bytes.
    pub fn none(data: Vec<u8>) -> RegValue {
        RegValue::from_raw(ValueType::NONE, data)
    }

    /// REG_SZ: the string in UTF-16LE with its terminating NUL.
    pub fn sz(s: &str) -> RegValue {
        RegValue::from_raw(ValueType::SZ, utf16z(s))
    }

    /// REG_EXPAND_SZ: the string in UTF-16LE with its terminating NUL.
    pub fn expand_sz(s: &str) -> RegValue {
        RegValue::from_raw(ValueType::EXPAND_SZ, utf16z(s))
    }

    /// REG_LINK: the target path in UTF-16LE without terminator (as the kernel stores it).
    pub fn link(target: &str) -> RegValue {
        let mut data = Vec::with_capacity(target.len() * 2);
        for u in target.encode_utf16() {
            data.extend_from_slice(&u.to_le_bytes());
        }
        RegValue::from_raw(ValueType::LINK, data)
    }

    /// REG_MULTI_SZ: each string NUL-terminated, then an empty string.
    pub fn multi_sz<S: AsRef<str>>(items: &[S]) -> RegValue {
        let mut data = Vec::new();
        for item in items {
            data.extend(utf16z(item.as_ref()));
        }
        data.extend_from_slice(&[0, 0]);
        RegValue::from_raw(ValueType::MULTI_SZ, data)
    }

    /// REG_DWORD.
    pub fn dword(n: u32) -> RegValue {
        RegValue::from_raw(ValueType::DWORD, n.to_le_bytes().to_vec())
    }

    /// REG_DWORD_BIG_ENDIAN.
    pub fn dword_big_endian(n: u32) -> RegValue {
        RegValue::from_raw(ValueType::DWORD_BIG_ENDIAN, n.to_be_bytes().to_vec())
    }

    /// REG_QWORD.
    pub fn qword(n: u64) -> RegValue {
        RegValue::from_raw(ValueType::QWORD, n.to_le_bytes().to_vec())
    }

    /// REG_BINARY.
    pub fn binary(data: Vec<u8>) -> RegValue {
        RegValue::from_raw(ValueType::BINARY, data)
    }

    /// The value's type.
    pub fn value_type(&self) -> ValueType {
        self.kind
    }

    /// The stored bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.data
    }

    /// Consumes the value, giving its bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.data
    }

    /// The number of a REG_DWORD or REG_DWORD_BIG_ENDIAN.
    ///
    /// Errors with ERROR_UNSUPPORTED_TYPE (1630) for another type, ERROR_INVALID_DATA (13) when
    /// the data is not four bytes.
    pub fn as_dword(&self) -> Result<u32, RegError> {
        let bytes: [u8; 4] = match self.kind {
            ValueType::DWORD | ValueType::DWORD_BIG_ENDIAN => self
                .data
                .as_slice()
                .try_into()
                .map_err(|_| RegError::invalid_data("a DWORD must be 4 bytes"))?,
            other => return Err(RegError::wrong_type(other, "REG_DWORD")),
        };
        Ok(if self.kind == ValueType::DWORD {
            u32::from_le_bytes(bytes)
        } else {
            u32::from_be_bytes(bytes)
        })
    }

    /// The number of a REG_QWORD.
    pub fn as_qword(&self) -> Result<u64, RegError> {
        if self.kind != ValueType::QWORD {
            return Err(RegError::wrong_type(self.kind, "REG_QWORD"));
        }
        let bytes: [u8; 8] = self
            .data
            .as_slice()
            .try_into()
            .map_err(|_| RegError::invalid_data("a QWORD must be 8 bytes"))?;
        Ok(u64::from_le_bytes(bytes))
    }

    /// The text of a REG_SZ, REG_EXPAND_SZ or REG_LINK, unexpanded, up to its first NUL
    /// (as RegGetValue returns it).
    pub fn as_string(&self) -> Result<String, RegError> {
        if !self.kind.is_string() {
            return Err(RegError::wrong_type(self.kind, "REG_SZ"));
        }
        let units = utf16_units(&self.data);
        let end = units.iter().position(|&u| u == 0).unwrap_or(units.len());
        Ok(String::from_utf16_lossy(&units[..end]))
    }

    /// The strings of a REG_MULTI_SZ (without the final empty string).
    pub fn as_multi_sz(&self) -> Result<Vec<String>, RegError> {
        if self.kind != ValueType::MULTI_SZ {
            return Err(RegError::wrong_type(self.kind, "REG_MULTI_SZ"));
        }
        Ok(split_multi_sz(&self.data))
    }

    /// The bytes of a REG_BINARY.
    pub fn as_binary(&self) -> Result<&[u8], RegError> {
        if self.kind != ValueType::BINARY {
            return Err(RegError::wrong_type(self.kind, "REG_BINARY"));
        }
        Ok(&self.data)
    }

    /// True when the bytes are exactly what [`RegValue::sz`] would write for the decoded text:
    /// UTF-16LE, one terminating NUL, no embedded NUL. Exporters use it to decide between the
    /// quoted form and `hex(1):`.
    pub fn is_canonical_string(&self) -> bool {
        if !self.data.len().is_multiple_of(2) || self.data.len() < 2 {
            return false;
        }
        let units = utf16_units(&self.data);
        let (last, body) = units.split_last().expect("at least one unit");
        *last == 0 && !body.contains(&0) && String::from_utf16(body).is_ok()
    }
}

/// Encodes a string as UTF-16LE with a terminating NUL.
pub fn utf16z(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() * 2 + 2);
    for u in s.encode_utf16() {
        out.extend_from_slice(&u.to_le_bytes());
    }
    out.extend_from_slice(&[0, 0]);
    out
}

/// Reads bytes as UTF-16LE code units (a trailing odd byte is dropped).
pub fn utf16_units(data: &[u8]) -> Vec<u16> {
    data.chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect()
}

/// Splits REG_MULTI_SZ bytes into its strings, stopping at the empty terminator.
pub fn split_multi_sz(data: &[u8]) -> Vec<String> {
    let units = utf16_units(data);
    let mut out = Vec::new();
    for part in units.split(|&u| u == 0) {
        if part.is_empty() {
            break;
        }
        out.push(String::from_utf16_lossy(part));
    }
    out
}

mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(data: &[u8], s: S) -> Result<S::Ok, S::Error> {
        let mut text = String::with_capacity(data.len() * 2);
        for b in data {
            text.push(char::from_digit((b >> 4) as u32, 16).unwrap_or('0'));
            text.push(char::from_digit((b & 15) as u32, 16).unwrap_or('0'));
        }
        s.serialize_str(&text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        let bytes = text.as_bytes();
        if bytes.len() % 2 != 0 {
            return Err(serde::de::Error::custom("hex data of odd length"));
        }
        bytes
            .chunks_exact(2)
            .map(|pair| {
                let hi = (pair[0] as char).to_digit(16);
                let lo = (pair[1] as char).to_digit(16);
                match (hi, lo) {
                    (Some(h), Some(l)) => Ok((h * 16 + l) as u8),
                    _ => Err(serde::de::Error::custom("invalid hex digit")),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_round_trip_through_utf16() {
        let v = RegValue::sz("Spooler ünïcode");
        assert!(v.is_canonical_string());
        assert_eq!(v.as_string().unwrap(), "Spooler ünïcode");
    }

    #[test]
    fn multi_sz_splits_at_the_empty_string() {
        let v = RegValue::multi_sz(&["RpcSs", "http"]);
        assert_eq!(v.as_multi_sz().unwrap(), vec!["RpcSs", "http"]);
        assert_eq!(
            RegValue::multi_sz::<&str>(&[]).as_multi_sz().unwrap(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn wrong_type_reads_fail_with_1630() {
        let err = RegValue::sz("x").as_dword().unwrap_err();
        assert_eq!(err.code(), 1630);
    }

    #[test]
    fn big_endian_dword_reads_as_number() {
        assert_eq!(
            RegValue::dword_big_endian(0x01020304).bytes(),
            &[1, 2, 3, 4]
        );
        assert_eq!(RegValue::dword_big_endian(7).as_dword().unwrap(), 7);
    }
}
