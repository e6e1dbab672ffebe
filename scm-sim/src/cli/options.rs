//! The options before the command: `scm-sim [--image NAME] [--seed N] [--machine PATH]
//! [--help] [--version] COMMAND...`.
//!
//! Options are read left to right up to the first word that does not start with `--`; each
//! takes its value as the next word or after `=` (`--seed=7`); a later one overrides an earlier
//! one. `--help` and `--version` end the reading there. The first bad option is the error.
//!
//! Written by hand rather than with clap, because clap would change what users see: its own
//! error texts and exit code 2 instead of `scm-sim: …` with 1639/87, `--` taken as the end of
//! options instead of an unknown option, `--machine --seed` reading `--seed` as an option
//! instead of as the value, a repeated option refused instead of overriding, and errors
//! reported by kind instead of the first one met from the left. Matching all of that would
//! take more settings and error translation than this loop.

use std::path::{Path, PathBuf};

use super::session::{CliError, ImageSpec};

/// The machine options given before the command.
#[derive(Debug, Default)]
pub(super) struct MachineOptions {
    /// `--image`.
    pub(super) image: Option<ImageSpec>,
    /// `--seed`.
    pub(super) seed: Option<u64>,
    /// `--machine`, relative to the working folder.
    pub(super) machine: Option<PathBuf>,
}

/// What the words before the command ask for.
#[derive(Debug)]
pub(super) enum Leading {
    /// Run the command that starts at `args[command_at]` (if any) with these options.
    Command {
        options: MachineOptions,
        command_at: usize,
    },
    /// `--help`.
    Help,
    /// `--version`.
    Version,
}

/// Reads the options at the start of `args` (the program name left out).
pub(super) fn parse_leading(args: &[String], cwd: &Path) -> Result<Leading, CliError> {
    let mut options = MachineOptions::default();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if !a.starts_with("--") {
            break;
        }
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (a.as_str(), None),
        };
        let mut value = || -> Result<String, CliError> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            i += 1;
            args.get(i)
                .cloned()
                .ok_or_else(|| CliError::new(1639, format!("{name} needs a value")))
        };
        match name {
            "--image" => options.image = Some(ImageSpec::parse(&value()?, cwd)?),
            "--seed" => options.seed = Some(parse_seed(&value()?)?),
            "--machine" => options.machine = Some(cwd.join(value()?)),
            "--help" => return Ok(Leading::Help),
            "--version" => return Ok(Leading::Version),
            other => {
                return Err(CliError::new(
                    1639,
                    format!("unknown option {other} (see scm-sim help)"),
                ))
            }
        }
        i += 1;
    }
    Ok(Leading::Command {
        options,
        command_at: i,
    })
}

/// The value of `--seed`.
fn parse_seed(text: &str) -> Result<u64, CliError> {
    text.parse::<u64>()
        .map_err(|_| CliError::new(87, format!("--seed wants a number, not \"{text}\"")))
}
