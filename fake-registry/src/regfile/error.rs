//! Errors of `.reg` import: what was wrong, where (1-based line and column), and the Win32
//! code regedit's import would fail with.
//!
//! ```
//! use fake_registry::{Caller, Registry};
//! use fake_registry::regfile::RegFileErrorKind;
//!
//! let mut reg = Registry::new();
//! let text = "Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\A]\n\"x\"=dword:12z\n";
//! let err = reg.import_reg(&Caller::local_system(), text.as_bytes()).unwrap_err();
//! assert_eq!(err.kind(), &RegFileErrorKind::BadDword);
//! assert_eq!((err.line(), err.column()), (4, 13));
//! assert_eq!(err.code(), 13); // ERROR_INVALID_DATA
//! assert_eq!(err.to_string(), "line 4, column 13: bad dword data (1 to 8 hex digits expected)");
//! ```
//!
//! Columns count characters (Unicode scalar values) from the start of the line; a byte-order
//! mark is not counted.

use std::fmt;

use crate::error::RegError;

/// What was wrong with a `.reg` file, or why applying it failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegFileErrorKind {
    /// The first line is neither `Windows Registry Editor Version 5.00` nor `REGEDIT4`.
    MissingHeader,
    /// A file without a byte-order mark that is not valid UTF-8 (a `REGEDIT4` file is read
    /// as Windows-1252 instead).
    InvalidUtf8,
    /// A UTF-16LE file (FF FE mark) with an unpaired surrogate or an odd number of bytes.
    InvalidUtf16,
    /// A line that is none of: blank, `; comment`, `[key]`, `[-key]`, `"name"=…`, `@=…`.
    UnexpectedLine,
    /// A `[key` line without its closing `]` (reported at the `[`).
    UnterminatedKey,
    /// A key path that does not parse: unknown root, empty name, name over 255 characters.
    InvalidKeyPath(String),
    /// A value line before the first `[key]` section or in a `[-key]` section.
    ValueOutsideKey,
    /// A quoted name or string without its closing quote (reported at the opening quote).
    UnterminatedString,
    /// A value name not followed by `=`.
    ExpectedEquals,
    /// Value data of an unknown form, such as `foo:` or nothing at all; holds the text found.
    UnknownType(String),
    /// A `hex(N):` whose N is not 1 to 8 hex digits.
    BadTypeNumber,
    /// `dword:` not followed by 1 to 8 hex digits.
    BadDword,
    /// A character in hex data that is not a hex digit, a comma or a line continuation.
    BadHexDigit,
    /// Hex data that ends after a comma or a continuation `\` with nothing to continue it.
    TruncatedHex,
    /// Text after a complete value or key that is not a `; comment`.
    TrailingText,
    /// The registry refused an operation (ERROR_ACCESS_DENIED for a caller who may not write
    /// the key, or for deleting a root or the CurrentControlSet link); reported at the section.
    Registry(RegError),
}

/// A failed `.reg` import: the kind, and the 1-based line and column where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegFileError {
    kind: RegFileErrorKind,
    line: u32,
    column: u32,
}

impl RegFileError {
    /// An error of `kind` at `line`, `column` (both 1-based).
    pub fn new(kind: RegFileErrorKind, line: u32, column: u32) -> RegFileError {
        RegFileError { kind, line, column }
    }

    /// What was wrong.
    pub fn kind(&self) -> &RegFileErrorKind {
        &self.kind
    }

    /// The line (1-based).
    pub fn line(&self) -> u32 {
        self.line
    }

    /// The column in characters (1-based).
    pub fn column(&self) -> u32 {
        self.column
    }

    /// The Win32 code: ERROR_INVALID_DATA (13) for a malformed file, the registry's code
    /// (ERROR_ACCESS_DENIED 5, ERROR_FILE_NOT_FOUND 2 …) when applying failed.
    pub fn code(&self) -> u32 {
        match &self.kind {
            RegFileErrorKind::Registry(e) => e.code(),
            _ => 13,
        }
    }

    /// The registry error behind a failed apply, if that is what happened.
    pub fn registry_error(&self) -> Option<&RegError> {
        match &self.kind {
            RegFileErrorKind::Registry(e) => Some(e),
            _ => None,
        }
    }

    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            RegFileErrorKind::MissingHeader => f.write_str(
                "missing header (\"Windows Registry Editor Version 5.00\" or \"REGEDIT4\")",
            ),
            RegFileErrorKind::InvalidUtf8 => f.write_str("invalid UTF-8"),
            RegFileErrorKind::InvalidUtf16 => f.write_str("invalid UTF-16"),
            RegFileErrorKind::UnexpectedLine => {
                f.write_str("expected a [key], a value, a comment or a blank line")
            }
            RegFileErrorKind::UnterminatedKey => f.write_str("key path without closing ']'"),
            RegFileErrorKind::InvalidKeyPath(why) => write!(f, "invalid key path: {why}"),
            RegFileErrorKind::ValueOutsideKey => {
                f.write_str("value outside a key section (no [key] before it, or a [-key])")
            }
            RegFileErrorKind::UnterminatedString => f.write_str("string without closing '\"'"),
            RegFileErrorKind::ExpectedEquals => f.write_str("expected '=' after the value name"),
            RegFileErrorKind::UnknownType(found) => write!(f, "unknown value type {found:?}"),
            RegFileErrorKind::BadTypeNumber => {
                f.write_str("bad type number in hex(N) (1 to 8 hex digits expected)")
            }
            RegFileErrorKind::BadDword => {
                f.write_str("bad dword data (1 to 8 hex digits expected)")
            }
            RegFileErrorKind::BadHexDigit => f.write_str("bad hex digit"),
            RegFileErrorKind::TruncatedHex => f.write_str("hex data ends after ',' or '\\'"),
            RegFileErrorKind::TrailingText => f.write_str("unexpected text after the entry"),
            RegFileErrorKind::Registry(e) => write!(f, "{e}"),
        }
    }
}

impl fmt::Display for RegFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: ", self.line, self.column)?;
        self.describe(f)
    }
}

impl std::error::Error for RegFileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.registry_error()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
