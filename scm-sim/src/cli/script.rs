//! `scm-sim run FILE` (`-` for standard input): one command per line — the words that would
//! follow `scm-sim` — split as cmd.exe splits them ([`split_words`]). Blank lines are skipped;
//! lines starting with `#` are comments, copied into the transcript as they are (a tour script
//! reads as a lesson). Each command is echoed as `> command` before its output.
//!
//! The exit code is 0 unless a line could not be parsed (an unknown command, bad `sim`
//! arguments, `run` or `shell` inside a script, a line that is not UTF-8 text): then 1,
//! after running every line. Failing
//! `sc`/`reg` commands are outcomes, not parse errors; `--exit-codes` shows their codes as
//! `[exit N]` after the output.
//!
//! ```
//! use scm_sim::cli::{run_script, ImageSpec, Output, Runner, ScriptOptions, Session};
//!
//! let mut runner = Runner::new(Session::new(ImageSpec::Empty, 0).unwrap(), None);
//! let mut out = Output::new();
//! let code = run_script(&mut runner, "# a comment\nsim time\nsc query Nope\n",
//!                       ScriptOptions { exit_codes: true, stream: false }, &mut out);
//! assert_eq!(code, 0);
//! assert_eq!(out.merged(), "# a comment\n> sim time\n0.000s\n> sc query Nope\n\
//!     [SC] EnumQueryServicesStatus:OpenService FAILED 1060:\n\n\
//!     The specified service does not exist as an installed service.\n\n[exit 1060]\n");
//! ```

use super::input;
use super::output::Output;
use super::session::Exit;
use super::words::split_words;
use super::Runner;

/// How a script runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScriptOptions {
    /// Print `[exit N]` after every command whose exit code is not 0.
    pub exit_codes: bool,
    /// Write each command's output to the console as soon as it ran (the `run` command),
    /// instead of keeping it in the buffer.
    pub stream: bool,
}

/// Runs a script's text; returns the exit code (0, or 1 when a line could not be parsed).
pub fn run_script(runner: &mut Runner, text: &str, opts: ScriptOptions, out: &mut Output) -> i32 {
    run_script_bytes(runner, text.as_bytes(), opts, out)
}

/// Runs a script given as bytes (a file or standard input as read). A line that is not
/// UTF-8 is echoed with its bad bytes as `\xNN`, reported with ERROR_NO_UNICODE_TRANSLATION
/// (1113) and counted as a line that could not be parsed; the other lines run.
pub fn run_script_bytes(
    runner: &mut Runner,
    bytes: &[u8],
    opts: ScriptOptions,
    out: &mut Output,
) -> i32 {
    let mut unparsed = 0;
    for (i, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let exit = match std::str::from_utf8(raw) {
            Ok(line) => match run_line(runner, line, out) {
                Some(exit) => exit,
                None => continue,
            },
            Err(_) => bad_line(i + 1, raw, out),
        };
        if exit.rejected {
            unparsed += 1;
        }
        if opts.exit_codes && exit.code != 0 {
            out.out(&format!("[exit {}]\n", exit.code));
        }
        if opts.stream {
            out.flush_to_console();
        }
    }
    i32::from(unparsed > 0)
}

/// Echoes and runs one line; `None` for a blank line or a comment.
fn run_line(runner: &mut Runner, line: &str, out: &mut Output) -> Option<Exit> {
    let trimmed = line.trim();
    if trimmed.starts_with('#') {
        // Comments are part of the transcript: a tour reads as a lesson.
        out.out(&format!("{trimmed}\n"));
        return None;
    }
    if trimmed.is_empty() {
        return None;
    }
    out.out(&format!("> {trimmed}\n"));
    Some(runner.execute(&split_words(trimmed), out))
}

/// A line that is not UTF-8: echoed, reported, rejected.
fn bad_line(number: usize, raw: &[u8], out: &mut Output) -> Exit {
    out.out(&format!("> {}\n", input::escaped(raw).trim()));
    let e = input::not_utf8(&format!("line {number}"), raw);
    out.err(&format!("{e}\n"));
    Exit::rejected(e.code)
}

/// Reads a script from a file (relative to the session's folder) or `-` (standard input),
/// up to 64 MiB. Its lines are checked one by one when it runs ([`run_script_bytes`]).
pub fn read_script(cwd: &std::path::Path, name: &str) -> Result<Vec<u8>, super::CliError> {
    if name == "-" {
        input::read_stdin("standard input")
    } else {
        input::read_file(&cwd.join(name), &format!("script {name}"))
    }
}
