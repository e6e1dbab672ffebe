//! `scm-sim bench-soak [--queries N] [--crash-hours H] [--crash-after DURATION]`: the
//! resource bounds of long runs ([`crate::bench::soak`]), one `NAME VALUE UNIT` per line.
//! Bad arguments exit with 87 (ERROR_INVALID_PARAMETER).

use super::output::Output;
use super::session::Exit;
use crate::bench::SoakOptions;

const USAGE: &str =
    "usage: bench-soak [--queries N] [--crash-hours H] [--crash-after DURATION (e.g. 1s, 1ms)]";

/// Runs `bench-soak ARGS…`.
pub(crate) fn run(args: &[String], out: &mut Output) -> Exit {
    match options(args) {
        Ok(opts) => {
            let text: String = crate::bench::soak(&opts)
                .iter()
                .map(|f| format!("{f}\n"))
                .collect();
            out.out(&text);
            Exit::ok()
        }
        Err(why) => {
            out.err(&format!("scm-sim: bench-soak: {why}; {USAGE}\n"));
            Exit::rejected(87)
        }
    }
}

fn options(args: &[String]) -> Result<SoakOptions, String> {
    let mut opts = SoakOptions::default();
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest.next().ok_or(format!("{flag} needs a value"))?;
        let count = || {
            value
                .replace('_', "")
                .parse::<u32>()
                .map_err(|_| format!("{flag} takes a count, not \"{value}\""))
        };
        match flag.as_str() {
            "--queries" => opts.queries = count()?,
            "--crash-hours" => opts.crash_hours = count()?,
            "--crash-after" => {
                crate::service::scripted::parse_duration(value)
                    .filter(|d| !d.is_zero())
                    .ok_or(format!("bad --crash-after \"{value}\""))?;
                opts.crash_after = value.clone();
            }
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(opts)
}
