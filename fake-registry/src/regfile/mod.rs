//! Regedit's `.reg` text format: import a file into the registry as a given caller, export a
//! subtree as regedit writes it.
//!
//! ```
//! use fake_registry::{Caller, Registry};
//! use fake_registry::regfile::ExportOptions;
//!
//! let text = "Windows Registry Editor Version 5.00\r\n\r\n\
//!     [HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Demo]\r\n\
//!     \"Start\"=dword:00000003\r\n\
//!     \"ImagePath\"=hex(2):25,00,78,00,25,00,00,00\r\n";
//! let mut reg = Registry::new();
//! let admin = Caller::administrator("Admin", "S-1-5-21-1-2-3-500");
//! let summary = reg.import_reg(&admin, text.as_bytes()).unwrap();
//! assert_eq!((summary.keys_created, summary.values_set), (1, 2));
//! // CurrentControlSet resolved as any write does: the key is in ControlSet001.
//! let direct = r"HKLM\SYSTEM\ControlSet001\Services\Demo";
//! assert_eq!(reg.get_string(&admin, direct, "ImagePath").unwrap(), "%x%");
//!
//! // Regedit's own export format is UTF-16LE with a byte-order mark and CRLF.
//! let exported = reg.export_reg(&admin, r"HKLM\SYSTEM\CurrentControlSet\Services\Demo",
//!                               &ExportOptions::regedit()).unwrap();
//! assert_eq!(&exported[..2], b"\xFF\xFE");
//! let mut copy = Registry::new();
//! copy.import_reg(&admin, &exported).unwrap();
//! assert_eq!(copy, reg);
//! ```
//!
//! An import is all or nothing: the whole file is parsed first (a malformed file fails with
//! a [`RegFileError`] naming the line and column, and changes nothing), then every section
//! is checked against the caller's rights (a standard user importing HKLM keys gets
//! ERROR_ACCESS_DENIED and changes nothing), then the sections are applied in order.
//!
//! # Modules
//!
//! | module | job |
//! |---|---|
//! | `decode` | bytes to text: UTF-16LE or UTF-8 byte-order marks, ANSI REGEDIT4 files |
//! | `parse` | text to a list of sections and values, with error positions |
//! | `apply` | the rights check, then the writes |
//! | [`export`] | a subtree to text, wrapped as regedit wraps it |
//! | [`error`] | [`RegFileError`] and its kinds |
//! | `ansi` | Windows-1252, the code page of REGEDIT4 text |
//!
//! # Import rules
//!
//! - Header `Windows Registry Editor Version 5.00` or `REGEDIT4` on the first line.
//! - `[key]` creates the key and its parents; `[-key]` deletes it with its subtree (a
//!   missing key is skipped); `"name"=-` and `@=-` delete a value (a missing one is skipped).
//! - `"text"` is REG_SZ (escapes `\\` and `\"`; any other backslash is kept), `dword:` takes
//!   1 to 8 hex digits, `hex:` is REG_BINARY, `hex(N):` is type N (any 32-bit number), each
//!   byte exactly two hex digits. The bytes are stored as they are written, except that a
//!   REGEDIT4 file's `hex(2)` and `hex(7)` data is ANSI text, widened to UTF-16LE.
//! - Section paths take long or short root names and resolve like any registry call:
//!   `HKEY_CURRENT_USER` is the caller's hive, `CurrentControlSet` the current set.
//!
//! # Limitations
//!
//! - ANSI means Windows-1252; other code pages are not known.
//! - A REGEDIT4 export writes the text in the chosen [`TextEncoding`], not ANSI; only its
//!   `hex(2)`/`hex(7)` data is narrowed to ANSI (characters outside Windows-1252 become `?`,
//!   as on Windows).
//! - Names containing a line break cannot be exported (ERROR_INVALID_DATA).

mod ansi;
mod apply;
mod decode;
pub mod error;
pub mod export;
mod parse;

pub use error::{RegFileError, RegFileErrorKind};

use crate::caller::Caller;
use crate::error::RegError;
use crate::registry::{Registry, ToRegPath};

/// What an import changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// `[key]` sections whose key did not exist before (parents created on the way are not
    /// counted).
    pub keys_created: usize,
    /// Keys removed by `[-key]` sections, subkeys included.
    pub keys_deleted: usize,
    /// Values written.
    pub values_set: usize,
    /// Values removed by `"name"=-` (missing ones are not counted).
    pub values_deleted: usize,
}

/// The two header lines regedit knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegFormat {
    /// `Windows Registry Editor Version 5.00` (Windows 2000 and later).
    Version5,
    /// `REGEDIT4` (Windows 95/NT 4): string data in `hex(2)`/`hex(7)` is ANSI.
    Regedit4,
}

/// How exported text is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TextEncoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-16LE after the FF FE byte-order mark (what regedit writes).
    Utf16Le,
}

/// The line ending of exported text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LineEnding {
    /// `\n`.
    Lf,
    /// `\r\n` (what regedit writes).
    CrLf,
}

/// How to write an export. [`ExportOptions::regedit`] (the default) matches regedit.
///
/// ```
/// use fake_registry::regfile::{ExportOptions, LineEnding, RegFormat, TextEncoding};
///
/// let opts = ExportOptions::regedit().with_format(RegFormat::Regedit4);
/// assert_eq!(opts.encoding, TextEncoding::Utf16Le);
/// assert_eq!(ExportOptions::utf8_lf().line_ending, LineEnding::Lf);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportOptions {
    /// The header and string conventions.
    pub format: RegFormat,
    /// The text encoding.
    pub encoding: TextEncoding,
    /// The line ending.
    pub line_ending: LineEnding,
}

impl ExportOptions {
    /// Version 5.00, UTF-16LE with a byte-order mark, CRLF: what regedit writes.
    pub fn regedit() -> ExportOptions {
        ExportOptions {
            format: RegFormat::Version5,
            encoding: TextEncoding::Utf16Le,
            line_ending: LineEnding::CrLf,
        }
    }

    /// Version 5.00, UTF-8 without a mark, LF: the form of text fixtures.
    pub fn utf8_lf() -> ExportOptions {
        ExportOptions {
            format: RegFormat::Version5,
            encoding: TextEncoding::Utf8,
            line_ending: LineEnding::Lf,
        }
    }

    /// These options with another header format.
    pub fn with_format(mut self, format: RegFormat) -> ExportOptions {
        self.format = format;
        self
    }

    /// These options with another encoding.
    pub fn with_encoding(mut self, encoding: TextEncoding) -> ExportOptions {
        self.encoding = encoding;
        self
    }

    /// These options with another line ending.
    pub fn with_line_ending(mut self, line_ending: LineEnding) -> ExportOptions {
        self.line_ending = line_ending;
        self
    }
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions::regedit()
    }
}

/// Imports a `.reg` file (its raw bytes, in any encoding regedit reads) as `caller`.
/// All or nothing: on error the registry is unchanged.
pub fn import(
    reg: &mut Registry,
    caller: &Caller,
    bytes: &[u8],
) -> Result<ImportSummary, RegFileError> {
    let text = decode::decode(bytes)?;
    let parsed = parse::parse(&text)?;
    apply::apply(reg, caller, parsed)
}

/// Exports the subtree at `path` as `.reg` text, encoded as `options` say. The top key is
/// printed as `path` is spelled (with the long root name); ERROR_FILE_NOT_FOUND (2) when it
/// does not exist.
pub fn export<P: ToRegPath + ?Sized>(
    reg: &Registry,
    caller: &Caller,
    path: &P,
    options: &ExportOptions,
) -> Result<Vec<u8>, RegError> {
    let text = export_text(reg, caller, path, options)?;
    Ok(export::encode(text, options.encoding))
}

/// Exports the subtree at `path` as text with `options`' header and line endings (the
/// encoding option is not applied).
pub fn export_text<P: ToRegPath + ?Sized>(
    reg: &Registry,
    caller: &Caller,
    path: &P,
    options: &ExportOptions,
) -> Result<String, RegError> {
    let path = path.to_reg_path()?;
    export::export_text(reg, caller, &path, options)
}

impl Registry {
    /// Imports a `.reg` file as `caller`; see [`import`].
    pub fn import_reg(
        &mut self,
        caller: &Caller,
        bytes: &[u8],
    ) -> Result<ImportSummary, RegFileError> {
        import(self, caller, bytes)
    }

    /// Exports the subtree at `path` as a `.reg` file; see [`export`].
    pub fn export_reg<P: ToRegPath + ?Sized>(
        &self,
        caller: &Caller,
        path: &P,
        options: &ExportOptions,
    ) -> Result<Vec<u8>, RegError> {
        export(self, caller, path, options)
    }
}
