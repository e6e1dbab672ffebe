//! The `scm-sim` command line: sc.exe, reg.exe and tasklist on a simulated machine, the
//! simulation verbs, scripts, an interactive shell and machine files. The binary is a thin
//! wrapper around [`main_with_args`]; everything here is a library so that it can be tested.
//!
//! ```
//! use scm_sim::cli::{run_script, ImageSpec, Output, Runner, ScriptOptions, Session};
//!
//! let session = Session::new(ImageSpec::Windows10, 0).unwrap();
//! let mut runner = Runner::new(session, None);
//! let mut out = Output::new();
//! run_script(&mut runner, "sc getdisplayname Spooler", ScriptOptions::default(), &mut out);
//! assert_eq!(out.merged(), "> sc getdisplayname Spooler\n[SC] GetServiceDisplayName SUCCESS\nName = Print Spooler\n");
//! ```
//!
//! | module | job |
//! |---|---|
//! | `options` | the options before the command (`--image`, `--seed`, `--machine`) |
//! | `input` | arguments as OS strings, script lines, capped file reads |
//! | `words` | splitting a line into words as cmd.exe does |
//! | `output` | stdout and stderr text, in order |
//! | `session` | a machine, its command history and the files its commands read |
//! | `command` | running one command: its dispatch to sc, reg, tasklist or sim |
//! | [`sc`] | sc.exe |
//! | `reg` | reg.exe: query, add, delete, import, export (a folder: query, change, usage) |
//! | `tasklist` | tasklist /svc |
//! | `sim` | the simulation verbs and `bench` |
//! | `soak` | `bench-soak`: memory of long runs, the cost of a 512-level key |
//! | `script` | `run FILE` |
//! | `shell` | the interactive prompt |
//! | `persist` | machine files (`--machine PATH`) |
//!
//! Output uses `\n` line ends (Windows writes `\r\n`); everything else — trailing spaces,
//! blank lines, labels — is as the Windows tools print it. Exit codes are the Windows ones;
//! on Unix the process exit status keeps only the low 8 bits (1060 shows as 36), so scripts
//! that need the full code use `run --exit-codes`.

mod command;
mod input;
mod options;
mod output;
mod persist;
mod reg;
pub mod sc;
mod script;
mod session;
mod shell;
mod sim;
mod soak;
mod tasklist;
mod trigger;
mod words;

pub use input::{utf8_arguments, NO_UNICODE_TRANSLATION};
pub use output::{Output, Stream};
pub use persist::{FORMAT as MACHINE_FILE_FORMAT, VERSION as MACHINE_FILE_VERSION};
pub use script::{read_script, run_script, run_script_bytes, ScriptOptions};
pub use session::{CliError, Exit, ImageSpec, RecordedCommand, Session};
pub use shell::run_shell;
pub use sim::{behavior_words, SIM_HELP};
pub use soak::{crash_loop_soak, deep_create_512, reg_query_soak, soak, SoakOptions};
pub use words::{quote_word, split_words};

use options::{Leading, MachineOptions};
use std::path::{Path, PathBuf};

/// `scm-sim help`.
pub const HELP: &str = "\
scm-sim: a simulated Windows Service Control Manager on virtual time

USAGE:
    scm-sim [--image windows10|empty|FILE.reg] [--seed N] [--machine PATH] COMMAND...

MACHINES:
    Each invocation works on a fresh built-in Windows 10 machine, booted, unless
    --image picks another starting image. --seed N sets the seed (default 0).
    --machine PATH keeps the machine between invocations: created on first use,
    saved (atomically) after every command that changes it.

COMMANDS:
    sc ARGS...           sc.exe: query, queryex, qc, qdescription, qfailure,
                         qfailureflag, qsidtype, qprivs, qtriggerinfo, enumdepend,
                         getdisplayname, getkeyname, start, stop, pause, continue,
                         interrogate, control, create, config, description, failure,
                         failureflag, sidtype, privs, triggerinfo, delete
    reg ARGS...          reg.exe: query, add, delete, import, export
    tasklist /svc        processes and the services they host
    sim ...              advance, time, events, trace, violations, crash, behavior,
                         boot (see `scm-sim sim help`)
    run [--exit-codes] FILE|-
                         run a script: one command per line, `#` comments,
                         each command echoed as `> command`
    shell                an interactive prompt with line editing and history
    bench [--quick] [--trips N] [--boot N] [--roundtrips N] [--only GROUP,...]
                         the benchmarks, NAME VALUE UNIT per line (real time);
                         groups: roundtrip, boot, timeout, config, parallel, memory
    bench-soak [--queries N] [--crash-hours H] [--crash-after DURATION]
                         resource bounds of long runs (memory after N `reg query
                         HKLM\\SYSTEM /s` and H virtual hours of a crash loop), and
                         the cost of a 512-level key; NAME VALUE UNIT per line
    help                 this text

EXAMPLES:
    scm-sim sc query Spooler
    scm-sim --machine m.json sim behavior Spooler accept=stop,pause_continue
    scm-sim --machine m.json sc pause Spooler
    scm-sim run examples/tour.scm
";

/// A session plus its machine file: runs commands and saves the machine after each one that
/// changed it.
#[derive(Debug)]
pub struct Runner {
    session: Session,
    machine_file: Option<PathBuf>,
    file_exists: bool,
}

impl Runner {
    /// A runner for `session`, saving to `machine_file` (if any; the file is written only
    /// after a command).
    pub fn new(session: Session, machine_file: Option<PathBuf>) -> Runner {
        Runner {
            session,
            machine_file,
            file_exists: false,
        }
    }

    /// Opens `--machine PATH` (replaying it) or makes a fresh session.
    pub fn open(
        image: Option<ImageSpec>,
        seed: Option<u64>,
        machine_file: Option<&Path>,
        cwd: &Path,
    ) -> Result<Runner, CliError> {
        match machine_file {
            Some(path) => {
                let (session, exists) = persist::open(path, image, seed, cwd)?;
                Ok(Runner {
                    session,
                    machine_file: Some(path.to_path_buf()),
                    file_exists: exists,
                })
            }
            None => {
                let mut session =
                    Session::new(image.unwrap_or(ImageSpec::Windows10), seed.unwrap_or(0))?;
                session.set_cwd(cwd);
                Ok(Runner::new(session, None))
            }
        }
    }

    /// The session.
    pub fn session(&mut self) -> &mut Session {
        &mut self.session
    }

    /// Runs one command and saves the machine file when the command changed the machine
    /// (or created it). Rejected input never touches the file.
    pub fn execute(&mut self, words: &[String], out: &mut Output) -> Exit {
        let exit = self.session.execute(words, out);
        if let Some(path) = &self.machine_file {
            if !exit.rejected && (exit.touched || !self.file_exists) {
                if let Err(e) = persist::save(path, &self.session) {
                    out.err(&format!("{e}\n"));
                    return Exit {
                        code: e.code,
                        ..exit
                    };
                }
                self.file_exists = true;
            }
        }
        exit
    }
}

fn fail(e: &CliError) -> i32 {
    let mut out = Output::new();
    out.err(&format!("{e}\n"));
    out.flush_to_console();
    e.code
}

/// The `scm-sim` program with its arguments as the OS gave them (without the program
/// name): an argument that is not UTF-8 text is reported with ERROR_NO_UNICODE_TRANSLATION
/// (1113) before anything runs.
pub fn main_with_os_args(args: Vec<std::ffi::OsString>) -> i32 {
    match utf8_arguments(args) {
        Ok(args) => main_with_args(args),
        Err(e) => fail(&e),
    }
}

/// The `scm-sim` program: `args` without the program name; returns the exit code.
pub fn main_with_args(args: Vec<String>) -> i32 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let (machine_options, command_at) = match options::parse_leading(&args, &cwd) {
        Ok(Leading::Command {
            options,
            command_at,
        }) => (options, command_at),
        Ok(Leading::Help) => {
            print!("{HELP}");
            return 0;
        }
        Ok(Leading::Version) => {
            println!("scm-sim {}", env!("CARGO_PKG_VERSION"));
            return 0;
        }
        Err(e) => return fail(&e),
    };
    let rest = &args[command_at..];
    let Some(verb) = rest.first() else {
        print!("{HELP}");
        return 0;
    };
    if matches!(verb.as_str(), "help" | "-h" | "/?") {
        print!("{HELP}");
        return 0;
    }
    let MachineOptions {
        image,
        seed,
        machine,
    } = machine_options;
    let mut runner = match Runner::open(image, seed, machine.as_deref(), &cwd) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    match verb.to_ascii_lowercase().as_str() {
        "run" => run_file(&mut runner, &rest[1..], &cwd),
        "shell" if rest.len() == 1 => run_shell(&mut runner),
        _ => {
            let mut out = Output::new();
            let exit = runner.execute(rest, &mut out);
            out.flush_to_console();
            exit.code
        }
    }
}

/// `scm-sim run [--exit-codes] FILE|-`: `args` are the words after `run`.
fn run_file(runner: &mut Runner, args: &[String], cwd: &Path) -> i32 {
    let (mut opts, file) = match run_arguments(args) {
        Ok(parsed) => parsed,
        Err(e) => return fail(&e),
    };
    let bytes = match read_script(cwd, &file) {
        Ok(b) => b,
        Err(e) => return fail(&e),
    };
    opts.stream = true;
    let mut out = Output::new();
    let code = run_script_bytes(runner, &bytes, opts, &mut out);
    out.flush_to_console();
    code
}

/// The options and the file of `run`.
fn run_arguments(args: &[String]) -> Result<(ScriptOptions, String), CliError> {
    let usage = || CliError::new(1639, "usage: scm-sim run [--exit-codes] FILE|-");
    let mut opts = ScriptOptions::default();
    let mut file = None;
    for a in args {
        if a == "--exit-codes" {
            opts.exit_codes = true;
        } else if file.is_none() {
            file = Some(a.clone());
        } else {
            return Err(usage());
        }
    }
    Ok((opts, file.ok_or_else(usage)?))
}
