//! A session: one simulated machine and what the command line keeps beside it (the commands
//! that changed the machine and the files those commands read). Running one command is the
//! `command` module's job.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::machine::Image;
use crate::Machine;

/// A command that changed the machine, as a machine file keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedCommand {
    /// The words that followed `scm-sim`.
    pub words: Vec<String>,
    /// The files it read, by the name given on the command line.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The exit code it gave (a replay must give it again).
    pub exit: i32,
}

/// The image a session's machine starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageSpec {
    /// The built-in Windows 10 machine (`--image windows10`, the default).
    Windows10,
    /// A machine with an empty registry (`--image empty`).
    Empty,
    /// A `.reg` file imported into an empty registry (`--image FILE.reg`); the bytes are
    /// kept so that a machine file replays the same image even if the file changes.
    RegFile {
        /// The file name as given.
        name: String,
        /// Its content.
        bytes: Vec<u8>,
    },
}

impl ImageSpec {
    /// Parses the value of `--image`: `windows10`, `empty`, or a path to a `.reg` file
    /// (read now, relative to `cwd`).
    pub fn parse(arg: &str, cwd: &Path) -> Result<ImageSpec, CliError> {
        match arg.to_ascii_lowercase().as_str() {
            "windows10" | "win10" => Ok(ImageSpec::Windows10),
            "empty" => Ok(ImageSpec::Empty),
            _ => {
                let path = cwd.join(arg);
                let bytes = fake_registry::limits::read_capped(&path).map_err(|e| {
                    CliError::new(
                        e.code() as i32,
                        format!(
                            "--image {arg}: not windows10, empty, or a readable .reg file ({e})"
                        ),
                    )
                })?;
                Ok(ImageSpec::RegFile {
                    name: arg.to_string(),
                    bytes,
                })
            }
        }
    }

    /// How `--image` spells this image.
    pub fn describe(&self) -> String {
        match self {
            ImageSpec::Windows10 => "windows10".into(),
            ImageSpec::Empty => "empty".into(),
            ImageSpec::RegFile { name, .. } => name.clone(),
        }
    }

    fn image(&self) -> Image {
        match self {
            ImageSpec::Windows10 => Image::Windows10,
            ImageSpec::Empty => Image::Empty,
            ImageSpec::RegFile { bytes, .. } => Image::RegText(bytes.clone()),
        }
    }
}

/// An error of the command line itself (not of a simulated tool): printed as
/// `scm-sim: MESSAGE` on standard error, with `code` as the exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    /// The exit code.
    pub code: i32,
    /// The message.
    pub message: String,
}

impl CliError {
    /// An error with an exit code and a message.
    pub fn new(code: i32, message: impl Into<String>) -> CliError {
        CliError {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "scm-sim: {}", self.message)
    }
}

impl std::error::Error for CliError {}

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Exit {
    /// The exit code (the Win32 error for `sc`, 0/1 for `reg` and `tasklist`).
    pub code: i32,
    /// The command changed the machine (or may have: a call that takes virtual time or
    /// writes state was made), so a machine file must remember it.
    pub touched: bool,
    /// The line was not a command scm-sim understands (unknown verb, bad `sim` arguments).
    pub rejected: bool,
}

impl Exit {
    /// Success without changing anything.
    pub fn ok() -> Exit {
        Exit::default()
    }

    /// An exit code; nothing changed.
    pub fn code(code: i32) -> Exit {
        Exit {
            code,
            ..Exit::default()
        }
    }

    /// An exit code after the machine was changed.
    pub fn touched(code: i32) -> Exit {
        Exit {
            code,
            touched: true,
            rejected: false,
        }
    }

    /// The line was rejected by scm-sim itself.
    pub fn rejected(code: i32) -> Exit {
        Exit {
            code,
            touched: false,
            rejected: true,
        }
    }
}

/// One simulated machine driven by command lines.
///
/// ```
/// use scm_sim::cli::{ImageSpec, Output, Session};
///
/// let mut s = Session::new(ImageSpec::Windows10, 0).unwrap();
/// let mut out = Output::new();
/// let exit = s.execute(&["sc".into(), "query".into(), "Spooler".into()], &mut out);
/// assert_eq!(exit.code, 0);
/// assert!(out.merged().contains("STATE              : 4  RUNNING \n"));
/// ```
pub struct Session {
    pub(crate) machine: Machine,
    image: ImageSpec,
    seed: u64,
    cwd: PathBuf,
    history: Vec<RecordedCommand>,
    /// While replaying a machine file: the files the command being replayed read.
    replay_files: Option<BTreeMap<String, Vec<u8>>>,
    /// Files read by the command running now.
    inputs: BTreeMap<String, Vec<u8>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("image", &self.image.describe())
            .field("seed", &self.seed)
            .field("commands", &self.history.len())
            .finish()
    }
}

impl Session {
    /// A fresh, booted machine from `image` with `seed`.
    pub fn new(image: ImageSpec, seed: u64) -> Result<Session, CliError> {
        let machine = Machine::builder()
            .image(image.image())
            .seed(seed)
            .build()
            .map_err(|e| CliError::new(e.code() as i32, format!("--image: {e}")))?;
        Ok(Session {
            machine,
            image,
            seed,
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            history: Vec::new(),
            replay_files: None,
            inputs: BTreeMap::new(),
        })
    }

    /// The folder relative file names are resolved against (default: the process's).
    pub fn set_cwd(&mut self, cwd: impl Into<PathBuf>) {
        self.cwd = cwd.into();
    }

    /// The folder relative file names are resolved against.
    pub fn cwd(&self) -> &Path {
        &self.cwd
    }

    /// The machine.
    pub fn machine(&mut self) -> &mut Machine {
        &mut self.machine
    }

    /// The image the machine started from.
    pub fn image(&self) -> &ImageSpec {
        &self.image
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The commands that changed the machine, in order (what a machine file keeps).
    pub fn history(&self) -> &[RecordedCommand] {
        &self.history
    }

    /// Before a command runs: forgets the files the previous one read.
    pub(super) fn begin_command(&mut self) {
        self.inputs.clear();
    }

    /// After a command ran: lets the machine settle and, when the command changed it,
    /// records the command with the files it read.
    pub(super) fn end_command(&mut self, words: &[String], exit: Exit) {
        self.machine.settle();
        if exit.touched && !exit.rejected {
            self.history.push(RecordedCommand {
                words: words.to_vec(),
                files: std::mem::take(&mut self.inputs),
                exit: exit.code,
            });
        }
    }

    /// While replaying a machine file: the files the command being replayed read (`None`
    /// when not replaying).
    pub(super) fn set_replay_files(&mut self, files: Option<BTreeMap<String, Vec<u8>>>) {
        self.replay_files = files;
    }

    /// Resolves a file name given on a command line.
    pub(crate) fn resolve(&self, path: &str) -> PathBuf {
        self.cwd.join(path)
    }

    /// Reads a file a command takes as input (up to 64 MiB); the content is recorded with
    /// the command.
    pub(crate) fn read_input(
        &mut self,
        path: &str,
    ) -> Result<Vec<u8>, fake_registry::limits::ReadError> {
        use fake_registry::limits::ReadError;
        let bytes = match &self.replay_files {
            Some(files) => files
                .get(path)
                .cloned()
                .ok_or_else(|| ReadError::Io(std::io::Error::from(std::io::ErrorKind::NotFound)))?,
            None => fake_registry::limits::read_capped(&self.resolve(path))?,
        };
        self.inputs.insert(path.to_string(), bytes.clone());
        Ok(bytes)
    }

    /// True while replaying a machine file (commands must not write files then).
    pub(crate) fn replaying(&self) -> bool {
        self.replay_files.is_some()
    }
}
