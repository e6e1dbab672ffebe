//! `scm-sim bench-soak [--queries N] [--crash-hours H] [--crash-after DURATION]`: resource
//! bounds under long runs, one `NAME VALUE UNIT` per line (bad arguments: 87,
//! ERROR_INVALID_PARAMETER): figures that must stay flat as a run grows, and the cost of
//! Windows' deepest key. It lives beside the command line because it drives sessions. Memory
//! is the process's resident memory ([`resident_bytes`]), read part-way through a run and at
//! its end: a bounded run shows about the same figure twice.
//!
//! | figure | what it measures |
//! |---|---|
//! | `soak_reg_query_rss_10pct`, `soak_reg_query_rss` | resident memory after 10% and 100% of N `reg query HKLM\SYSTEM /s` on the built-in machine, through the command line with output discarded (bytes) |
//! | `soak_reg_query_count`, `soak_reg_query_access_records` | N; access-log records kept at the end (bounded window) |
//! | `soak_crash_loop_rss_25pct`, `soak_crash_loop_rss` | resident memory after a quarter of H and after H virtual hours of a crash-and-restart loop (`crash=after:D`, failure action `restart/0`) (bytes); a quarter, because the trace and event windows take a few virtual hours to fill at one crash a second |
//! | `soak_crash_loop_hours`, `soak_crash_loop_trace_entries`, `soak_crash_loop_events` | H; trace and event log entries kept at the end |
//! | `deep_create_512` | `create_key` of a path 512 levels deep on a fresh registry (µs, median of 21) |
//!
//! ```
//! let figures = scm_sim::cli::soak(&scm_sim::cli::SoakOptions {
//!     queries: 3,
//!     crash_hours: 0,
//!     crash_after: "1s".into(),
//! });
//! assert!(figures.iter().any(|f| f.name == "deep_create_512"));
//! ```
use std::time::{Duration, Instant};

use fake_registry::{limits, Caller, Registry};

use super::output::Output;
use super::session::{Exit, ImageSpec, Session};
use crate::bench::{resident_bytes, Figure};

/// Sizes of a soak run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoakOptions {
    /// `reg query HKLM\SYSTEM /s` commands (default 10,000).
    pub queries: u32,
    /// Virtual hours of the crash-and-restart loop (default 24; 0 leaves it out).
    pub crash_hours: u32,
    /// How long the crashing service runs before each crash (default `1s`).
    pub crash_after: String,
}

impl Default for SoakOptions {
    fn default() -> Self {
        SoakOptions {
            queries: 10_000,
            crash_hours: 24,
            crash_after: "1s".into(),
        }
    }
}

/// Every soak figure for `opts`.
pub fn soak(opts: &SoakOptions) -> Vec<Figure> {
    let mut out = vec![deep_create_512()];
    if opts.queries > 0 {
        out.extend(reg_query_soak(opts.queries));
    }
    if opts.crash_hours > 0 {
        out.extend(crash_loop_soak(opts.crash_hours, &opts.crash_after));
    }
    out
}

fn rss() -> f64 {
    resident_bytes().unwrap_or(0) as f64
}

fn words(line: &str) -> Vec<String> {
    super::split_words(line)
}

/// `create_key` of a 512-deep path on a fresh registry: median of 21, in µs.
pub fn deep_create_512() -> Figure {
    let path = format!("HKLM{}", r"\level".repeat(limits::MAX_KEY_DEPTH));
    let sys = Caller::local_system();
    let mut times: Vec<f64> = (0..21)
        .map(|_| {
            let mut reg = Registry::new();
            let started = Instant::now();
            reg.create_key(&sys, &path).expect("512 levels are allowed");
            started.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    times.sort_by(f64::total_cmp);
    Figure::new("deep_create_512", times[times.len() / 2], "us")
}

/// `n` recursive queries of `HKLM\SYSTEM` through the command line.
pub fn reg_query_soak(n: u32) -> Vec<Figure> {
    let mut session = Session::new(ImageSpec::Windows10, 0).expect("the built-in machine");
    let query = words(r"reg query HKLM\SYSTEM /s");
    let tenth = (n / 10).max(1);
    let mut at_tenth = 0.0;
    for i in 1..=n {
        let mut sink = Output::discarding();
        session.execute(&query, &mut sink);
        if i == tenth {
            at_tenth = rss();
        }
    }
    let kept = session
        .machine()
        .with_registry(|reg| reg.access_log().len());
    vec![
        Figure::new("soak_reg_query_rss_10pct", at_tenth, "bytes"),
        Figure::new("soak_reg_query_rss", rss(), "bytes"),
        Figure::new("soak_reg_query_count", f64::from(n), "count"),
        Figure::new("soak_reg_query_access_records", kept as f64, "count"),
    ]
}

/// A crash-and-restart loop of the Fax service for `hours` virtual hours, advancing an hour
/// at a time.
pub fn crash_loop_soak(hours: u32, crash_after: &str) -> Vec<Figure> {
    let mut session = Session::new(ImageSpec::Windows10, 0).expect("the built-in machine");
    for line in [
        "sc failure Fax reset= 0 actions= restart/0".to_string(),
        format!("sim behavior Fax crash=after:{crash_after}"),
        "sc start Fax".to_string(),
    ] {
        session.execute(&words(&line), &mut Output::discarding());
    }
    let quarter = (hours / 4).max(1);
    let mut at_quarter = 0.0;
    for h in 1..=hours {
        session.machine().advance(Duration::from_secs(3600));
        if h == quarter {
            at_quarter = rss();
        }
    }
    let trace = session.machine().trace().len();
    let events = session.machine().events().len();
    vec![
        Figure::new("soak_crash_loop_rss_25pct", at_quarter, "bytes"),
        Figure::new("soak_crash_loop_rss", rss(), "bytes"),
        Figure::new("soak_crash_loop_hours", f64::from(hours), "count"),
        Figure::new("soak_crash_loop_trace_entries", trace as f64, "count"),
        Figure::new("soak_crash_loop_events", events as f64, "count"),
    ]
}

const USAGE: &str =
    "usage: bench-soak [--queries N] [--crash-hours H] [--crash-after DURATION (e.g. 1s, 1ms)]";

/// Runs `bench-soak ARGS…`.
pub(crate) fn run(args: &[String], out: &mut Output) -> Exit {
    match options(args) {
        Ok(opts) => {
            let text: String = soak(&opts).iter().map(|f| format!("{f}\n")).collect();
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
