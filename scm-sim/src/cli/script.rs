//! `scm-sim run FILE` (`-` for standard input): one command per line — the words that would
//! follow `scm-sim` — split as cmd.exe splits them ([`split_words`]). Blank lines and lines
//! starting with `#` are skipped. Each command is echoed as `> command` before its output.
//!
//! The exit code is 0 unless a line could not be parsed (an unknown command, bad `sim`
//! arguments, `run` or `shell` inside a script): then 1, after running every line. Failing
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
//! assert_eq!(out.merged(), "> sim time\n0.000s\n> sc query Nope\n\
//!     [SC] EnumQueryServicesStatus:OpenService FAILED 1060:\n\n\
//!     The specified service does not exist as an installed service.\n\n[exit 1060]\n");
//! ```

use super::output::Output;
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
    let mut unparsed = 0;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        out.out(&format!("> {trimmed}\n"));
        let words = split_words(trimmed);
        let exit = runner.execute(&words, out);
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

/// Reads a script from a file (relative to the session's folder) or `-` (standard input).
pub fn read_script(cwd: &std::path::Path, name: &str) -> Result<String, super::CliError> {
    let bytes = if name == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
            .map_err(|e| super::CliError::new(30, format!("cannot read standard input: {e}")))?;
        buf
    } else {
        std::fs::read(cwd.join(name))
            .map_err(|e| super::CliError::new(2, format!("cannot read script {name}: {e}")))?
    };
    String::from_utf8(bytes)
        .map_err(|_| super::CliError::new(13, format!("script {name} is not UTF-8 text")))
}
