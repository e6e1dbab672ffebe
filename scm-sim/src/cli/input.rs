//! What the command line reads: its arguments (as the OS gives them), script lines and input
//! files, each checked before use.
//!
//! * **Text that is not UTF-8.** Windows hands programs their arguments as UTF-16 and the
//!   SCM and registry APIs take UTF-16 names; bytes that are not valid UTF-8 have no such
//!   form. Windows' own conversion (`MultiByteToWideChar` with `MB_ERR_INVALID_CHARS`) fails
//!   on them with ERROR_NO_UNICODE_TRANSLATION (1113, "No mapping for the Unicode character
//!   exists in the target multi-byte code page."), so that is the code here: the offending
//!   argument or script line is named, with its bad bytes shown as `\xFF`. An argument stops
//!   the program before any machine is made; a script line or shell line is reported and the
//!   rest runs, as other bad lines do.
//! * **Input files** (a machine file, an `--image` .reg file, a script, a `reg import` file)
//!   are read up to [`fake_registry::limits::MAX_INPUT_FILE_BYTES`] (64 MiB); beyond it —
//!   or from an endless file such as `/dev/zero` — the read stops with ERROR_FILE_TOO_LARGE
//!   (223). OS errors become the Win32 codes Windows gives (a folder: ERROR_ACCESS_DENIED, 5),
//!   never a Unix errno.
//!
//! ```
//! use std::ffi::OsString;
//! use scm_sim::cli::utf8_arguments;
//!
//! let ok = utf8_arguments(vec![OsString::from("sc"), OsString::from("query")]).unwrap();
//! assert_eq!(ok, ["sc", "query"]);
//! # #[cfg(unix)] {
//! use std::os::unix::ffi::OsStringExt;
//! let bad = OsString::from_vec(b"Spo\xffler".to_vec());
//! let err = utf8_arguments(vec![OsString::from("sc"), OsString::from("query"), bad]).unwrap_err();
//! assert_eq!(err.code, 1113);
//! assert_eq!(err.message, "argument 3 (\"Spo\\xFFler\") is not valid UTF-8 text: \
//!     No mapping for the Unicode character exists in the target multi-byte code page. (1113)");
//! # }
//! ```

use std::ffi::OsString;
use std::path::Path;

use fake_registry::limits::{self, ReadError};

use super::session::CliError;

/// ERROR_NO_UNICODE_TRANSLATION.
pub const NO_UNICODE_TRANSLATION: i32 = 1113;
const NO_UNICODE_TEXT: &str =
    "No mapping for the Unicode character exists in the target multi-byte code page.";

/// The bytes of `text` with every byte outside printable ASCII shown as `\xNN` (valid UTF-8
/// characters beyond ASCII are kept).
pub(crate) fn escaped(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() {
                out.push_str(&format!("\\x{:02X}", c as u32));
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

/// The error for text that is not UTF-8: `what` names it (`argument 3`, `line 7`).
pub(crate) fn not_utf8(what: &str, bytes: &[u8]) -> CliError {
    CliError::new(
        NO_UNICODE_TRANSLATION,
        format!(
            "{what} (\"{}\") is not valid UTF-8 text: {NO_UNICODE_TEXT} ({NO_UNICODE_TRANSLATION})",
            escaped(bytes)
        ),
    )
}

/// The error for text that is not UTF-8 whose bytes are not at hand (a shell line).
pub(crate) fn not_utf8_unseen(what: &str) -> CliError {
    CliError::new(
        NO_UNICODE_TRANSLATION,
        format!("{what} is not valid UTF-8 text: {NO_UNICODE_TEXT} ({NO_UNICODE_TRANSLATION})"),
    )
}

/// The program's arguments (without its name) as text; the first that is not UTF-8 is the
/// error (ERROR_NO_UNICODE_TRANSLATION, 1113), counted from 1.
pub fn utf8_arguments(args: Vec<OsString>) -> Result<Vec<String>, CliError> {
    args.into_iter()
        .enumerate()
        .map(|(i, a)| {
            a.into_string()
                .map_err(|bad| not_utf8(&format!("argument {}", i + 1), bad.as_encoded_bytes()))
        })
        .collect()
}

/// A file's bytes, capped at 64 MiB; `what` describes it in the error (`script x.scm`).
pub(crate) fn read_file(path: &Path, what: &str) -> Result<Vec<u8>, CliError> {
    limits::read_capped(path).map_err(|e| read_error(what, &e))
}

/// Standard input's bytes, capped at 64 MiB.
pub(crate) fn read_stdin(what: &str) -> Result<Vec<u8>, CliError> {
    limits::read_all_capped(std::io::stdin().lock()).map_err(|e| read_error(what, &e))
}

/// The error for a failed read, with the Win32 code.
pub(crate) fn read_error(what: &str, e: &ReadError) -> CliError {
    CliError::new(e.code() as i32, format!("cannot read {what}: {e}"))
}
