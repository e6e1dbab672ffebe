//! Machine files (`--machine PATH`): a machine kept between invocations.
//!
//! The simulator is deterministic, so a machine is fully described by its image, its seed and
//! the commands that changed it. A machine file stores exactly that — as JSON:
//!
//! ```json
//! {
//!   "format": "scm-sim-machine",
//!   "version": 2,
//!   "image": { "kind": "windows10" },
//!   "seed": 0,
//!   "commands": [
//!     { "words": ["sim", "behavior", "Spooler", "accept=stop,pause_continue"], "exit": 0 },
//!     { "words": ["sc", "pause", "Spooler"], "exit": 0 },
//!     { "words": ["sc", "start", "Nope"], "exit": 1060 },
//!     { "words": ["reg", "import", "demo.reg"], "files": { "demo.reg": "5769..." }, "exit": 0 }
//!   ]
//! }
//! ```
//!
//! Loading builds a fresh machine from the image and seed and replays the commands silently;
//! the registry, the SCM's records, processes, behaviours, the virtual clock, the event log
//! and the trace come back exactly as they were. Each command's exit code is recorded and a
//! replay must give it again: a file whose commands were edited so that one now ends
//! differently is refused (ERROR_INVALID_DATA, 13, naming the command) rather than loaded as
//! a silently different machine. Version 1 files (no exit codes) still load, unchecked, and
//! are written as version 2 by the next save. Files a command read (`reg import`, an
//! `--image FILE.reg`) are stored in the machine file as hex, so a replay does not depend on
//! them still being there; files a command wrote (`reg export`) are not written again.
//! Read-only commands (`sc query`, `reg query`, `sim trace` …) and rejected input are not
//! recorded. The file is written atomically (a temporary file in the same folder, then a
//! rename) after every command that changed the machine; temporary files left by a save that
//! was killed are removed by the next load or save. A new file gets the umask's permissions.
//! A file that is not a machine file, or one from a newer scm-sim, is reported and left
//! untouched; files over 64 MiB are refused (ERROR_FILE_TOO_LARGE, 223), and failures to read
//! or write carry Windows' codes (a folder: ERROR_ACCESS_DENIED, 5).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::session::{CliError, ImageSpec, RecordedCommand, Session};

/// The `format` tag of a machine file.
pub const FORMAT: &str = "scm-sim-machine";
/// The version this scm-sim writes and reads (it reads version 1 too).
pub const VERSION: u32 = 2;

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum ImageRecord {
    Windows10,
    Empty,
    Reg { name: String, hex: String },
}

#[derive(Serialize, Deserialize)]
struct CommandRecord {
    words: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    files: BTreeMap<String, String>,
    /// The exit code the command gave (required from version 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exit: Option<i32>,
}

#[derive(Serialize, Deserialize)]
struct MachineFile {
    format: String,
    version: u32,
    image: ImageRecord,
    seed: u64,
    commands: Vec<CommandRecord>,
}

#[derive(Deserialize)]
struct Header {
    format: Option<serde_json::Value>,
    version: Option<serde_json::Value>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hex text back to bytes (an empty string is no bytes).
fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.is_empty() {
        return Some(Vec::new());
    }
    super::sc::triggers::hex_bytes(text)
}

fn damaged(path: &Path, why: impl std::fmt::Display) -> CliError {
    CliError::new(
        13,
        format!(
            "{} is not a usable scm-sim machine file ({why}); it was left as it is",
            path.display()
        ),
    )
}

/// Opens a machine file: replays it when it exists (checking that `image` and `seed`, when
/// given, match what it holds), or builds a new machine. Returns the session and whether the
/// file existed.
pub fn open(
    path: &Path,
    image: Option<ImageSpec>,
    seed: Option<u64>,
    cwd: &Path,
) -> Result<(Session, bool), CliError> {
    remove_stale_temporaries(path);
    let Some(bytes) = read_if_present(path)? else {
        let mut s = Session::new(image.unwrap_or(ImageSpec::Windows10), seed.unwrap_or(0))?;
        s.set_cwd(cwd);
        return Ok((s, false));
    };
    let version = check_header(path, &bytes)?;
    let file: MachineFile = serde_json::from_slice(&bytes).map_err(|e| damaged(path, e))?;
    let stored = stored_image(path, file.image)?;
    check_same_start(path, image.as_ref(), seed, &stored, file.seed)?;
    let mut session = Session::new(stored, file.seed).map_err(|e| damaged(path, e.message))?;
    session.set_cwd(cwd);
    for (i, c) in file.commands.into_iter().enumerate() {
        if version >= 2 && c.exit.is_none() {
            return Err(damaged(path, format!("command {} has no exit code", i + 1)));
        }
        replay_command(path, &mut session, i + 1, c)?;
    }
    Ok((session, true))
}

/// The file's bytes (up to 64 MiB); `None` when there is no such file.
fn read_if_present(path: &Path) -> Result<Option<Vec<u8>>, CliError> {
    use fake_registry::limits::ReadError;
    match fake_registry::limits::read_capped(path) {
        Ok(b) => Ok(Some(b)),
        Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(super::input::read_error(
            &format!("machine file {}", path.display()),
            &e,
        )),
    }
}

/// Removes the temporary files a killed save left beside `path`: its own
/// (`.NAME.snapshot-*.tmp`) and those of scm-sim versions that did not name them after the
/// file (`.snapshot-*.tmp`).
fn remove_stale_temporaries(path: &Path) {
    fake_registry::snapshot::remove_orphans(path);
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.as_encoded_bytes();
        if name.starts_with(b".snapshot-")
            && name.ends_with(b".tmp")
            && entry.file_type().is_ok_and(|t| t.is_file())
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Checks the `format` tag and the version before the rest is read; returns the version.
fn check_header(path: &Path, bytes: &[u8]) -> Result<u32, CliError> {
    let header: Header = serde_json::from_slice(bytes).map_err(|e| damaged(path, e))?;
    match header.format.as_ref().and_then(|v| v.as_str()) {
        Some(FORMAT) => {}
        Some(other) => return Err(damaged(path, format!("its format is {other:?}"))),
        None => return Err(damaged(path, "no \"format\": \"scm-sim-machine\" tag")),
    }
    match header.version.as_ref().and_then(|v| v.as_u64()) {
        Some(v @ 1..=2) => Ok(v as u32),
        Some(v) if v > u64::from(VERSION) => Err(damaged(
            path,
            format!("written by a newer scm-sim: version {v}, this one reads {VERSION}"),
        )),
        Some(v) => Err(damaged(path, format!("unknown version {v}"))),
        None => Err(damaged(path, "no version")),
    }
}

/// The image the stored machine was made from.
fn stored_image(path: &Path, image: ImageRecord) -> Result<ImageSpec, CliError> {
    Ok(match image {
        ImageRecord::Windows10 => ImageSpec::Windows10,
        ImageRecord::Empty => ImageSpec::Empty,
        ImageRecord::Reg { name, hex } => ImageSpec::RegFile {
            name,
            bytes: unhex(&hex).ok_or_else(|| damaged(path, "bad hex in the image"))?,
        },
    })
}

/// Refuses an `--image` or `--seed` given on the command line that differs from the file's.
fn check_same_start(
    path: &Path,
    image: Option<&ImageSpec>,
    seed: Option<u64>,
    stored_image: &ImageSpec,
    stored_seed: u64,
) -> Result<(), CliError> {
    if image.is_some_and(|wanted| wanted != stored_image) {
        return Err(CliError::new(
            87,
            format!(
                "{} holds a machine made from --image {}; leave out --image or use another file",
                path.display(),
                stored_image.describe()
            ),
        ));
    }
    if seed.is_some_and(|wanted| wanted != stored_seed) {
        return Err(CliError::new(
            87,
            format!(
                "{} holds a machine made with --seed {}; leave out --seed or use another file",
                path.display(),
                stored_seed
            ),
        ));
    }
    Ok(())
}

/// Replays the file's command number `number` (from 1) on `session`.
fn replay_command(
    path: &Path,
    session: &mut Session,
    number: usize,
    c: CommandRecord,
) -> Result<(), CliError> {
    let mut files = BTreeMap::new();
    for (name, h) in c.files {
        let bytes =
            unhex(&h).ok_or_else(|| damaged(path, format!("bad hex in command {number}")))?;
        files.insert(name, bytes);
    }
    let cmd = RecordedCommand {
        words: c.words,
        files,
        exit: c.exit.unwrap_or_default(),
    };
    let exit = session.replay(&cmd);
    let shown = || cmd.words.join(" ");
    if exit.rejected {
        return Err(damaged(
            path,
            format!("command {number} ({}) is not a command", shown()),
        ));
    }
    match c.exit {
        Some(recorded) if recorded != exit.code => Err(damaged(
            path,
            format!(
                "command {number} ({}) recorded exit code {recorded} but gave {} when replayed",
                shown(),
                exit.code
            ),
        )),
        _ => Ok(()),
    }
}

/// Pretty JSON with one command per line (readable, and diffs show one line per command).
fn encode(file: &MachineFile) -> Result<String, serde_json::Error> {
    let mut text = String::from("{\n");
    text += &format!("  \"format\": {},\n", serde_json::to_string(&file.format)?);
    text += &format!("  \"version\": {},\n", file.version);
    text += &format!("  \"image\": {},\n", serde_json::to_string(&file.image)?);
    text += &format!("  \"seed\": {},\n", file.seed);
    text += "  \"commands\": [";
    for (i, c) in file.commands.iter().enumerate() {
        text += if i == 0 { "\n    " } else { ",\n    " };
        text += &serde_json::to_string(c)?;
    }
    text += if file.commands.is_empty() {
        "]\n"
    } else {
        "\n  ]\n"
    };
    text += "}";
    Ok(text)
}

/// Writes the session's machine to `path`, atomically.
pub fn save(path: &Path, session: &Session) -> Result<(), CliError> {
    let image = match session.image() {
        ImageSpec::Windows10 => ImageRecord::Windows10,
        ImageSpec::Empty => ImageRecord::Empty,
        ImageSpec::RegFile { name, bytes } => ImageRecord::Reg {
            name: name.clone(),
            hex: hex(bytes),
        },
    };
    let file = MachineFile {
        format: FORMAT.into(),
        version: VERSION,
        image,
        seed: session.seed(),
        commands: session
            .history()
            .iter()
            .map(|c| CommandRecord {
                words: c.words.clone(),
                files: c.files.iter().map(|(k, v)| (k.clone(), hex(v))).collect(),
                exit: Some(c.exit),
            })
            .collect(),
    };
    let text =
        encode(&file).map_err(|e| CliError::new(29, format!("cannot encode the machine: {e}")))?;
    fake_registry::snapshot::write_atomic(path, |out: &mut dyn Write| {
        out.write_all(text.as_bytes())
            .and_then(|_| out.write_all(b"\n"))
            .map_err(|e| fake_registry::snapshot::SnapshotError::Serialize {
                reason: format!("write: {e}"),
            })
    })
    .map_err(|e| {
        CliError::new(
            e.code() as i32,
            format!("cannot save machine file {}: {e}", path.display()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        assert_eq!(
            unhex(&hex(&[0, 1, 0xfe, 0xff])).unwrap(),
            [0, 1, 0xfe, 0xff]
        );
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
    }
}
