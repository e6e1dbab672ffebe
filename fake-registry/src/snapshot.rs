//! Snapshots: the whole registry — both hives and the environment — as one JSON document with
//! a format tag and a version, saved atomically and loaded back.
//!
//! ```
//! use fake_registry::{Registry, Caller, RegValue};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("machine.json");
//! let mut reg = Registry::new();
//! let sys = Caller::local_system();
//! reg.create_key(&sys, r"HKLM\SOFTWARE\Demo").unwrap();
//! reg.set_value(&sys, r"HKLM\SOFTWARE\Demo", "n", RegValue::dword(7)).unwrap();
//! reg.save_atomic(&path).unwrap();
//!
//! let back = Registry::load(&path).unwrap();
//! assert_eq!(back, reg);
//!
//! // Any other JSON is refused with ERROR_INVALID_DATA.
//! std::fs::write(&path, r#"{"name": "not a registry"}"#).unwrap();
//! assert_eq!(Registry::load(&path).unwrap_err().code(), 13);
//! ```
//!
//! The document is `{"format": "fake-registry-snapshot", "version": 1, "machine": …,
//! "users": …, "environment": …}`; keys nest as `{"name", "values": [[name, {"type",
//! "data"}]…], "children": […]}` with value data in hex. Watchers, the access log and the
//! runtime boot state (accepted / running last-known-good) are not saved: a loaded registry
//! starts a fresh boot with logging on.
//!
//! [`Registry::save_atomic`] writes to a temporary file in the same folder, flushes and syncs
//! it, then renames it over the target, so a crash leaves either the old file or the new one.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::environment::Environment;
use crate::error::{RegError, RegErrorKind};
use crate::key::Key;
use crate::registry::Registry;

/// The `format` tag of a snapshot document.
pub const FORMAT: &str = "fake-registry-snapshot";
/// The snapshot version this crate writes and reads.
pub const VERSION: u32 = 1;

/// Why a snapshot could not be saved or loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The file system failed (creating, writing, syncing, renaming or reading a file).
    #[error("{}: {message}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The OS error's kind.
        kind: std::io::ErrorKind,
        /// The OS error's text, with what was being done.
        message: String,
        /// True while saving, false while loading.
        saving: bool,
    },
    /// The data is not JSON.
    #[error("not a registry snapshot: not JSON ({reason})")]
    NotJson {
        /// The parser's message, with line and column.
        reason: String,
    },
    /// The data is JSON but not a snapshot (no or another `format` tag).
    #[error("not a registry snapshot: format is {}, expected {FORMAT:?}", format.as_deref().map_or("missing".to_string(), |f| format!("{f:?}")))]
    NotASnapshot {
        /// The `format` found, if any.
        format: Option<String>,
    },
    /// A snapshot of a version this crate does not read.
    #[error("registry snapshot version {version} is not supported (this build reads {VERSION})")]
    UnsupportedVersion {
        /// The version found.
        version: u32,
    },
    /// A snapshot with the right tag whose content does not parse (bad hex, duplicate key…).
    #[error("malformed registry snapshot: {reason}")]
    Malformed {
        /// The parser's message, with line and column.
        reason: String,
    },
    /// The registry could not be serialised (or a custom writer given to [`write_atomic`]
    /// failed); the target file was not touched.
    #[error("could not serialise the registry: {reason}")]
    Serialize {
        /// What failed.
        reason: String,
    },
}

impl SnapshotError {
    /// The Win32 code: 2 / 5 for a missing / forbidden file, 29 (ERROR_WRITE_FAULT) or
    /// 30 (ERROR_READ_FAULT) for other I/O failures, 13 (ERROR_INVALID_DATA) for content.
    pub fn code(&self) -> u32 {
        match self {
            SnapshotError::Io { kind, saving, .. } => {
                crate::limits::win32_from_kind(*kind, *saving)
            }
            _ => 13,
        }
    }

    fn io(path: &Path, saving: bool, doing: &str, e: &std::io::Error) -> SnapshotError {
        SnapshotError::Io {
            path: path.to_path_buf(),
            kind: e.kind(),
            message: format!("{doing}: {e}"),
            saving,
        }
    }
}

impl From<SnapshotError> for RegError {
    /// A [`RegErrorKind::Io`] error carrying the message.
    fn from(e: SnapshotError) -> RegError {
        RegError::new(RegErrorKind::Io(e.to_string()), "snapshot")
    }
}

#[derive(Serialize)]
struct SnapshotRef<'a> {
    format: &'a str,
    version: u32,
    machine: &'a Key,
    users: &'a Key,
    environment: &'a Environment,
}

#[derive(Deserialize)]
struct Header {
    #[serde(default)]
    format: Option<serde_json::Value>,
    #[serde(default)]
    version: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct SnapshotOwned {
    machine: Key,
    users: Key,
    environment: Environment,
}

impl Registry {
    /// Writes the snapshot document to `out`.
    pub fn write_snapshot<W: Write>(&self, out: W) -> Result<(), SnapshotError> {
        let doc = SnapshotRef {
            format: FORMAT,
            version: VERSION,
            machine: &self.machine,
            users: &self.users,
            environment: &self.environment,
        };
        serde_json::to_writer(out, &doc).map_err(|e| SnapshotError::Serialize {
            reason: e.to_string(),
        })
    }

    /// The snapshot document as a string.
    pub fn to_snapshot_json(&self) -> Result<String, SnapshotError> {
        let mut out = Vec::new();
        self.write_snapshot(&mut out)?;
        String::from_utf8(out).map_err(|e| SnapshotError::Serialize {
            reason: e.to_string(),
        })
    }

    /// A registry from a snapshot document. Checks the `format` tag first (anything else is
    /// [`SnapshotError::NotASnapshot`]), then the version, then the content.
    pub fn from_snapshot_json(bytes: &[u8]) -> Result<Registry, SnapshotError> {
        if nesting_exceeds(bytes, MAX_NESTING) {
            return Err(SnapshotError::Malformed {
                reason: format!(
                    "nested deeper than {MAX_NESTING} levels (a registry {} keys deep)",
                    crate::limits::MAX_KEY_DEPTH
                ),
            });
        }
        parse_json::<serde::de::IgnoredAny>(bytes).map_err(|e| SnapshotError::NotJson {
            reason: e.to_string(),
        })?;
        let is_object = bytes
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| *b == b'{');
        if !is_object {
            return Err(SnapshotError::NotASnapshot { format: None });
        }
        let header: Header =
            parse_json(bytes).map_err(|_| SnapshotError::NotASnapshot { format: None })?;
        match header.format {
            Some(serde_json::Value::String(f)) if f == FORMAT => {}
            Some(serde_json::Value::String(f)) => {
                return Err(SnapshotError::NotASnapshot { format: Some(f) })
            }
            Some(other) => {
                return Err(SnapshotError::NotASnapshot {
                    format: Some(other.to_string()),
                })
            }
            None => return Err(SnapshotError::NotASnapshot { format: None }),
        }
        match header.version.as_ref().and_then(serde_json::Value::as_u64) {
            Some(v) if v == u64::from(VERSION) => {}
            Some(v) => {
                return Err(SnapshotError::UnsupportedVersion {
                    version: u32::try_from(v).unwrap_or(u32::MAX),
                })
            }
            None => {
                return Err(SnapshotError::Malformed {
                    reason: "missing or non-numeric version".into(),
                })
            }
        }
        let doc: SnapshotOwned = parse_json(bytes).map_err(|e| SnapshotError::Malformed {
            reason: e.to_string(),
        })?;
        let mut reg = Registry::bare();
        reg.machine = doc.machine;
        reg.machine.rename("HKEY_LOCAL_MACHINE");
        reg.users = doc.users;
        reg.users.rename("HKEY_USERS");
        // Rebuild the environment so its case-folded index holds whatever the file says.
        let mut env = Environment::empty();
        for (name, value) in doc.environment.iter() {
            env.set(name, value);
        }
        reg.environment = env;
        Ok(reg)
    }

    /// Saves a snapshot to `path` atomically (see [`write_atomic`]).
    pub fn save_atomic(&self, path: impl AsRef<Path>) -> Result<(), SnapshotError> {
        write_atomic(path.as_ref(), |out| self.write_snapshot(out))
    }

    /// Loads a snapshot saved by [`Registry::save_atomic`]. Never modifies the file.
    pub fn load(path: impl AsRef<Path>) -> Result<Registry, SnapshotError> {
        let path = path.as_ref();
        let bytes = crate::limits::read_capped(path).map_err(|e| {
            let e = match e {
                crate::limits::ReadError::Io(e) => e,
                too_large => std::io::Error::new(std::io::ErrorKind::FileTooLarge, too_large),
            };
            SnapshotError::io(path, false, "read", &e)
        })?;
        Registry::from_snapshot_json(&bytes)
    }
}

/// The deepest JSON nesting a snapshot may have: two levels per key (the key object and its
/// `children` list) for the root and 512 levels below it, plus the document and a value.
const MAX_NESTING: usize = 2 * (crate::limits::MAX_KEY_DEPTH + 1) + 8;

/// True when `bytes` nests arrays and objects deeper than `limit` (strings skipped). Checked
/// before parsing, so that serde_json's own 128-level limit can be lifted — a 512-level
/// registry nests about 1,030 deep — without letting a hostile file overflow the stack.
fn nesting_exceeds(bytes: &[u8], limit: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// The stack the parse of a snapshot runs on: a 512-level registry recurses about 1,030
/// deep, more than a test thread's 2 MiB holds in a debug build. Reserved, not used up front.
const PARSE_STACK_BYTES: usize = 256 << 20;

/// Parses JSON without serde_json's recursion limit (see [`nesting_exceeds`]), on a thread
/// with a stack large enough for the deepest registry.
fn parse_json<T: serde::de::DeserializeOwned + Send>(bytes: &[u8]) -> serde_json::Result<T> {
    let parse = || {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        de.disable_recursion_limit();
        let value = T::deserialize(&mut de)?;
        de.end()?;
        Ok(value)
    };
    std::thread::scope(|scope| {
        match std::thread::Builder::new()
            .stack_size(PARSE_STACK_BYTES)
            .spawn_scoped(scope, parse)
        {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // No thread to be had: refuse rather than risk this thread's stack.
            Err(e) => Err(<serde_json::Error as serde::de::Error>::custom(format!(
                "cannot start the parsing thread: {e}"
            ))),
        }
    })
}

/// Replaces the file at `path` with what `fill` writes, atomically: the data goes to a
/// temporary file in the same folder (`.NAME.snapshot-XXXXXX.tmp`), which is flushed and
/// synced (`sync_all`) and then renamed over `path`. If `fill` fails, or anything before the
/// rename does, the temporary file is removed and `path` keeps its old content. Temporary
/// files of `path` left by an earlier save that was killed are removed first
/// ([`remove_orphans`]); one process saves a given file at a time. An existing file's
/// permissions carry over to the new one; a new file gets the permissions any new file gets
/// (0666 less the umask on Unix), not the temporary file's private 0600.
pub fn write_atomic<F>(path: &Path, fill: F) -> Result<(), SnapshotError>
where
    F: FnOnce(&mut dyn Write) -> Result<(), SnapshotError>,
{
    let dir = folder_of(path);
    let err = |doing: &str, e: &std::io::Error| SnapshotError::io(path, true, doing, e);
    remove_orphans(path);
    let mut builder = tempfile::Builder::new();
    let prefix = temp_prefix(path);
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Passed to open(2), so the umask applies as for any new file.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| err("create a temporary file", &e))?;
    if let Ok(meta) = std::fs::metadata(path) {
        // Best effort: a file we cannot re-permission is still worth saving.
        let _ = tmp.as_file().set_permissions(meta.permissions());
    }
    {
        let mut out = BufWriter::new(tmp.as_file_mut());
        fill(&mut out)?;
        out.flush().map_err(|e| err("write", &e))?;
    }
    tmp.as_file().sync_all().map_err(|e| err("sync", &e))?;
    tmp.persist(path)
        .map_err(|e| err("rename into place", &e.error))?;
    sync_dir(dir);
    Ok(())
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// `.NAME.snapshot-`: the start of the temporary files [`write_atomic`] makes for `path`.
fn temp_prefix(path: &Path) -> std::ffi::OsString {
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(path.file_name().unwrap_or_default());
    prefix.push(".snapshot-");
    prefix
}

/// Removes the temporary files a killed [`write_atomic`] of `path` left behind
/// (`.NAME.snapshot-*.tmp` beside it); returns how many went. Errors are ignored: an orphan
/// that cannot be removed costs only disk space.
pub fn remove_orphans(path: &Path) -> usize {
    let prefix = temp_prefix(path);
    let prefix = prefix.as_encoded_bytes();
    let Ok(entries) = std::fs::read_dir(folder_of(path)) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let bytes = name.as_encoded_bytes();
        if bytes.starts_with(prefix)
            && bytes.ends_with(b".tmp")
            && entry.file_type().is_ok_and(|t| t.is_file())
            && std::fs::remove_file(entry.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

/// Syncs the folder so the rename itself is durable.
#[cfg(unix)]
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Folders cannot be opened for syncing here; the rename is as durable as the OS makes it.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) {}
