//! A GUID as Windows stores it in trigger subkeys: 16 bytes in the in-memory `GUID` layout
//! (Data1, Data2 and Data3 little-endian, Data4 as written), shown upper-case without braces.
//!
//! ```
//! use fake_registry::service::Guid;
//!
//! let bytes = [0xe6, 0xca, 0x9f, 0x65, 0xdb, 0x5b, 0xa9, 0x4d,
//!              0xb1, 0xff, 0xca, 0x2a, 0x17, 0x8d, 0x46, 0xe0];
//! let g = Guid::from_bytes(bytes);
//! assert_eq!(g.to_string(), "659FCAE6-5BDB-4DA9-B1FF-CA2A178D46E0");
//! assert_eq!("{659fcae6-5bdb-4da9-b1ff-ca2a178d46e0}".parse::<Guid>().unwrap(), g);
//! assert_eq!(g.to_bytes(), bytes);
//! ```

use std::fmt;
use std::str::FromStr;

/// A 128-bit GUID in its four-field form.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Guid {
    /// The first 8 hex digits.
    pub data1: u32,
    /// The next 4 hex digits.
    pub data2: u16,
    /// The next 4 hex digits.
    pub data3: u16,
    /// The last 16 hex digits, as bytes in text order.
    pub data4: [u8; 8],
}

/// A string that is not a GUID (see [`Guid::from_str`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a GUID: {text:?} (expected XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX)")]
pub struct GuidParseError {
    /// The rejected text.
    pub text: String,
}

impl Guid {
    /// A GUID from its four fields.
    pub const fn new(data1: u32, data2: u16, data3: u16, data4: [u8; 8]) -> Guid {
        Guid {
            data1,
            data2,
            data3,
            data4,
        }
    }

    /// Reads the 16-byte in-memory layout (the form of a trigger's `GUID` value).
    pub fn from_bytes(b: [u8; 16]) -> Guid {
        let mut data4 = [0u8; 8];
        data4.copy_from_slice(&b[8..]);
        Guid {
            data1: u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            data2: u16::from_le_bytes([b[4], b[5]]),
            data3: u16::from_le_bytes([b[6], b[7]]),
            data4,
        }
    }

    /// Reads the in-memory layout from a slice; `None` unless it is exactly 16 bytes long.
    pub fn from_slice(b: &[u8]) -> Option<Guid> {
        <[u8; 16]>::try_from(b).ok().map(Guid::from_bytes)
    }

    /// The 16-byte in-memory layout.
    pub fn to_bytes(&self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..4].copy_from_slice(&self.data1.to_le_bytes());
        out[4..6].copy_from_slice(&self.data2.to_le_bytes());
        out[6..8].copy_from_slice(&self.data3.to_le_bytes());
        out[8..].copy_from_slice(&self.data4);
        out
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.data4;
        write!(
            f,
            "{:08X}-{:04X}-{:04X}-{:02X}{:02X}-{:02X}{:02X}{:02X}{:02X}{:02X}{:02X}",
            self.data1, self.data2, self.data3, d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]
        )
    }
}

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Guid({self})")
    }
}

impl FromStr for Guid {
    type Err = GuidParseError;

    /// Parses `XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX`, in either case, optionally in braces.
    fn from_str(text: &str) -> Result<Guid, GuidParseError> {
        let err = || GuidParseError {
            text: text.to_string(),
        };
        let inner = text
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .unwrap_or(text);
        let groups: Vec<&str> = inner.split('-').collect();
        let lengths = [8, 4, 4, 4, 12];
        if groups.len() != 5
            || groups
                .iter()
                .zip(lengths)
                .any(|(g, n)| g.len() != n || !g.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(err());
        }
        let hex32 = |s: &str| u32::from_str_radix(s, 16).map_err(|_| err());
        let hex16 = |s: &str| u16::from_str_radix(s, 16).map_err(|_| err());
        let tail = format!("{}{}", groups[3], groups[4]);
        let mut data4 = [0u8; 8];
        for (i, byte) in data4.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&tail[i * 2..i * 2 + 2], 16).map_err(|_| err())?;
        }
        Ok(Guid {
            data1: hex32(groups[0])?,
            data2: hex16(groups[1])?,
            data3: hex16(groups[2])?,
            data4,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_rejects_malformed_text() {
        for bad in [
            "",
            "659FCAE6-5BDB-4DA9-B1FF",
            "659FCAE6-5BDB-4DA9-B1FF-CA2A178D46E",
            "659FCAE6-5BDB-4DA9-B1FF-CA2A178D46EG",
            "{659FCAE6-5BDB-4DA9-B1FF-CA2A178D46E0",
            "+59FCAE6-5BDB-4DA9-B1FF-CA2A178D46E0",
            "659FCAE6-5BDB-4DA9-B1FF-CA2A178D46É",
        ] {
            assert!(bad.parse::<Guid>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bytes_and_text_round_trip() {
        let g: Guid = "1F81D131-3FAC-4537-9E0C-7E7B0C2F4B55".parse().unwrap();
        assert_eq!(
            g.to_bytes(),
            [
                0x31, 0xd1, 0x81, 0x1f, 0xac, 0x3f, 0x37, 0x45, 0x9e, 0x0c, 0x7e, 0x7b, 0x0c, 0x2f,
                0x4b, 0x55
            ]
        );
        assert_eq!(Guid::from_slice(&g.to_bytes()), Some(g));
        assert_eq!(Guid::from_slice(&[0; 15]), None);
        assert_eq!(g.to_string().parse::<Guid>().unwrap(), g);
    }
}
