//! The size limits Windows puts on registry elements, and the simulator's cap on the size of
//! input files.
//!
//! From Microsoft's "Registry element size limits"
//! (<https://learn.microsoft.com/en-us/windows/win32/sysinfo/registry-element-size-limits>):
//!
//! | element | limit | what the fake registry answers beyond it |
//! |---|---|---|
//! | key name (one level) | 255 characters | ERROR_INVALID_NAME (123): the kernel's path parser rejects a longer component (STATUS_OBJECT_NAME_INVALID) |
//! | value name | 16,383 characters | ERROR_INVALID_PARAMETER (87), as NtSetValueKey answers |
//! | value data | "available memory" (latest hive format) | ERROR_NO_SYSTEM_RESOURCES (1450) above [`MAX_VALUE_DATA_BYTES`], the memory the simulator grants one value |
//! | tree depth | 512 levels | ERROR_NO_SYSTEM_RESOURCES (1450): the kernel's key control block for level 513 is not created (`CMP_MAX_REGISTRY_DEPTH`), reported as STATUS_INSUFFICIENT_RESOURCES |
//!
//! Depth counts the levels below the root key: `HKLM\A` is 1 deep. HKCU and HKCR count from
//! where they land (`HKU\<sid>`, `HKLM\SOFTWARE\Classes`), as Windows counts real keys.
//! "Up to 32 levels at a time through a single registry API call" is not enforced.
//!
//! ```
//! use fake_registry::{limits, Caller, Registry};
//!
//! let mut reg = Registry::new();
//! let deep = format!(r"HKLM{}", r"\k".repeat(limits::MAX_KEY_DEPTH));
//! reg.create_key(&Caller::local_system(), &deep).unwrap();
//! let too_deep = format!(r"{deep}\k");
//! let err = reg.create_key(&Caller::local_system(), &too_deep).unwrap_err();
//! assert_eq!(err.code(), 1450); // ERROR_NO_SYSTEM_RESOURCES
//! ```
//!
//! Files read as input (a machine file, an image, a script, a `.reg` file, a snapshot) are
//! read up to [`MAX_INPUT_FILE_BYTES`] (64 MiB, far above the 1.6 MB of the built-in Windows 10
//! image); a larger one — or an endless one such as `/dev/zero` — stops there with
//! ERROR_FILE_TOO_LARGE (223) instead of filling memory.

use std::io::Read;
use std::path::Path;

use crate::error::RegError;
use crate::value::RegValue;

/// The deepest a key may be below its root key (512 levels).
pub const MAX_KEY_DEPTH: usize = 512;
/// The longest key name, one level (255 characters).
pub const MAX_KEY_NAME_CHARS: usize = 255;
/// The longest value name (16,383 characters).
pub const MAX_VALUE_NAME_CHARS: usize = 16_383;
/// The most data one value may hold in the simulator (64 MiB): Windows' latest hive format
/// allows "available memory"; this is the memory the simulator grants.
pub const MAX_VALUE_DATA_BYTES: usize = 64 << 20;
/// The largest input file the simulator reads (64 MiB).
pub const MAX_INPUT_FILE_BYTES: u64 = 64 << 20;

/// ERROR_FILE_TOO_LARGE: "The file size exceeds the limit allowed and cannot be saved."
pub const ERROR_FILE_TOO_LARGE: u32 = 223;

/// Characters as Windows counts them in names (UTF-16 code units).
pub fn name_chars(name: &str) -> usize {
    name.encode_utf16().count()
}

/// Checks one key name: ERROR_INVALID_NAME (123) above 255 characters.
pub fn check_key_name(name: &str) -> Result<(), RegError> {
    // Cheap first: 255 characters never take more than 255 × 3 bytes of UTF-8.
    if name.len() > MAX_KEY_NAME_CHARS && name_chars(name) > MAX_KEY_NAME_CHARS {
        return Err(RegError::invalid_name(format!(
            "key name of {} characters (Windows allows {MAX_KEY_NAME_CHARS})",
            name_chars(name)
        )));
    }
    Ok(())
}

/// Checks a key's depth below its root: ERROR_NO_SYSTEM_RESOURCES (1450) above 512 levels.
pub fn check_depth(depth: usize) -> Result<(), RegError> {
    if depth > MAX_KEY_DEPTH {
        return Err(RegError::no_system_resources(format!(
            "key {depth} levels deep (Windows allows {MAX_KEY_DEPTH})"
        )));
    }
    Ok(())
}

/// Checks a value about to be set: its name (ERROR_INVALID_PARAMETER, 87, above 16,383
/// characters) and its data (ERROR_NO_SYSTEM_RESOURCES, 1450, above 64 MiB).
pub fn check_value(name: &str, value: &RegValue) -> Result<(), RegError> {
    if name.len() > MAX_VALUE_NAME_CHARS && name_chars(name) > MAX_VALUE_NAME_CHARS {
        return Err(RegError::invalid_parameter(format!(
            "value name of {} characters (Windows allows {MAX_VALUE_NAME_CHARS})",
            name_chars(name)
        )));
    }
    if value.bytes().len() > MAX_VALUE_DATA_BYTES {
        return Err(RegError::no_system_resources(format!(
            "value data of {} bytes (the simulator grants {MAX_VALUE_DATA_BYTES})",
            value.bytes().len()
        )));
    }
    Ok(())
}

/// Why [`read_capped`] failed: the OS error, or the file is larger than the cap.
#[derive(Debug)]
pub enum ReadError {
    /// The file could not be opened or read.
    Io(std::io::Error),
    /// The file holds more than [`MAX_INPUT_FILE_BYTES`] (it may be endless).
    TooLarge,
}

impl ReadError {
    /// The Win32 code: ERROR_FILE_TOO_LARGE (223), or the OS error as Windows would
    /// report it ([`win32_from_io`]).
    pub fn code(&self) -> u32 {
        match self {
            ReadError::Io(e) => win32_from_io(e, false),
            ReadError::TooLarge => ERROR_FILE_TOO_LARGE,
        }
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::TooLarge => write!(
                f,
                "larger than the {} MiB input limit (error {ERROR_FILE_TOO_LARGE})",
                MAX_INPUT_FILE_BYTES >> 20
            ),
        }
    }
}

impl std::error::Error for ReadError {}

/// Reads everything from `input`, up to [`MAX_INPUT_FILE_BYTES`].
pub fn read_all_capped(input: impl Read) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    input
        .take(MAX_INPUT_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_INPUT_FILE_BYTES {
        return Err(ReadError::TooLarge);
    }
    Ok(bytes)
}

/// Reads a file, up to [`MAX_INPUT_FILE_BYTES`] (a folder is ERROR_ACCESS_DENIED, as
/// CreateFile answers for one).
pub fn read_capped(path: &Path) -> Result<Vec<u8>, ReadError> {
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(ReadError::Io(std::io::Error::from(
            std::io::ErrorKind::IsADirectory,
        )));
    }
    read_all_capped(file)
}

/// The Win32 code Windows gives for what the OS reported: ERROR_FILE_NOT_FOUND (2),
/// ERROR_PATH_NOT_FOUND (3), ERROR_ACCESS_DENIED (5, also for a folder opened as a file),
/// ERROR_FILENAME_EXCED_RANGE (206), ERROR_DISK_FULL (112), ERROR_WRITE_PROTECT (19),
/// ERROR_FILE_TOO_LARGE (223); anything else is ERROR_WRITE_FAULT (29) when writing,
/// ERROR_READ_FAULT (30) when reading. Never a Unix errno.
pub fn win32_from_io(e: &std::io::Error, writing: bool) -> u32 {
    win32_from_kind(e.kind(), writing)
}

/// [`win32_from_io`] from the error's kind alone.
pub fn win32_from_kind(kind: std::io::ErrorKind, writing: bool) -> u32 {
    use std::io::ErrorKind as K;
    match kind {
        K::NotFound => 2,
        K::NotADirectory => 3,
        K::PermissionDenied | K::IsADirectory => 5,
        K::InvalidFilename => 206,
        K::StorageFull => 112,
        K::ReadOnlyFilesystem => 19,
        K::FileTooLarge => ERROR_FILE_TOO_LARGE,
        _ if writing => 29,
        _ => 30,
    }
}
