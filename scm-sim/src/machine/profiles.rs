//! Behaviour profiles of the built-in Windows 10 services: `images/windows10-profiles.tsv`,
//! one row per service of the image with the controls it accepts as Windows 10 shows them,
//! its start and stop durations, checkpoints and wait hint, whether its ImagePath carries
//! svchost's `-p`, and what real machines showed after boot — each with its sources.
//!
//! A machine built from [`Image::Windows10`](crate::machine::Image::Windows10) gives every
//! built-in service its profile as its scripted behaviour; `sim behavior` (or
//! [`Machine::set_behavior`](crate::Machine::set_behavior)) still overrides it.
//!
//! ```
//! use scm_sim::machine::profiles::{windows10_profiles, AfterBoot};
//! use scm_sim::service::ServiceName;
//!
//! let profiles = windows10_profiles();
//! assert_eq!(profiles.len(), 230);
//! let eventlog = &profiles[&*ServiceName::fold("EventLog")];
//! assert_eq!(eventlog.behavior.accept.bits(), 0x205); // STOP|SHUTDOWN|TIMECHANGE
//! assert_eq!(eventlog.dash_p, Some(true));
//! assert_eq!(eventlog.after_boot, AfterBoot::Running);
//! assert!(profiles[&*ServiceName::fold("Dnscache")].behavior.accept.is_empty()); // NOT_STOPPABLE
//! ```

use std::collections::BTreeMap;
use std::time::Duration;

use crate::service::scripted::Behavior;
use crate::service::{ServiceControlAccept, ServiceName};

/// The profiles of the built-in services (tab-separated, `#` comments).
pub const WINDOWS10_PROFILES_TSV: &str = include_str!("../../images/windows10-profiles.tsv");

/// What real Windows 10 machines showed for a service after boot (the fixture's
/// `running_after_boot`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AfterBoot {
    /// RUNNING after boot.
    Running,
    /// STOPPED after boot and not trigger-start.
    Stopped,
    /// Trigger-start (or delayed): either, depending on what happened on that machine.
    Trigger,
    /// Not observed.
    Unknown,
}

/// One service's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceProfile {
    /// The service key name, as the image spells it.
    pub name: String,
    /// Its scripted behaviour (accepted controls, durations, checkpoints, wait hint).
    pub behavior: Behavior,
    /// `Some(true)`: the ImagePath gets svchost's ` -p`; `Some(false)`: observed without it;
    /// `None`: no observation (the image's ImagePath is kept).
    pub dash_p: Option<bool>,
    /// What real machines showed after boot.
    pub after_boot: AfterBoot,
    /// Where the row comes from (tags explained in the file's header).
    pub sources: String,
}

/// A malformed profile line: its number (1-based) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("windows10-profiles.tsv line {line}: {message}")]
pub struct ProfileError {
    /// The line.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

/// The built-in profiles, keyed by the folded service name.
pub fn windows10_profiles() -> BTreeMap<String, ServiceProfile> {
    parse_profiles(WINDOWS10_PROFILES_TSV).expect("the built-in profiles parse")
}

/// Parses profile text: a header row (`name` first) and one row per service, keyed by the
/// folded service name.
pub fn parse_profiles(text: &str) -> Result<BTreeMap<String, ServiceProfile>, ProfileError> {
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() || line.starts_with("name\t") {
            continue;
        }
        let profile = parse_row(line).map_err(|message| ProfileError {
            line: i + 1,
            message,
        })?;
        out.insert(ServiceName::fold(&profile.name).into_owned(), profile);
    }
    Ok(out)
}

fn parse_row(line: &str) -> Result<ServiceProfile, String> {
    let cols: Vec<&str> = line.split('\t').collect();
    let [name, accept, start, stop, every, hint, dash_p, after, sources] = cols[..] else {
        return Err(format!("{} columns, 9 expected", cols.len()));
    };
    let ms = |what: &str, v: &str| {
        v.parse::<u64>()
            .map(Duration::from_millis)
            .map_err(|_| format!("{what} \"{v}\" is not a number of milliseconds"))
    };
    let behavior = Behavior {
        start_time: ms("start_ms", start)?,
        stop_time: ms("stop_ms", stop)?,
        pause_time: ms("stop_ms", stop)?,
        checkpoint_every: ms("checkpoint_ms", every)?.max(Duration::from_millis(1)),
        wait_hint: ms("wait_hint_ms", hint)?,
        accept: parse_accept(accept)?,
        ..Behavior::default()
    };
    let dash_p = match dash_p {
        "yes" => Some(true),
        "no" => Some(false),
        "-" => None,
        other => return Err(format!("dash_p \"{other}\" (yes, no or -)")),
    };
    let after_boot = match after {
        "yes" => AfterBoot::Running,
        "no" => AfterBoot::Stopped,
        "trigger" => AfterBoot::Trigger,
        "unknown" => AfterBoot::Unknown,
        other => return Err(format!("after_boot \"{other}\"")),
    };
    Ok(ServiceProfile {
        name: name.to_string(),
        behavior,
        dash_p,
        after_boot,
        sources: sources.to_string(),
    })
}

/// `STOP|SHUTDOWN|TIMECHANGE`, or `NONE`.
fn parse_accept(text: &str) -> Result<ServiceControlAccept, String> {
    if text == "NONE" {
        return Ok(ServiceControlAccept::empty());
    }
    text.split('|')
        .try_fold(ServiceControlAccept::empty(), |acc, word| {
            ServiceControlAccept::from_name(word)
                .map(|bit| acc | bit)
                .ok_or_else(|| format!("unknown accept flag \"{word}\""))
        })
}

/// The ImagePath Windows 10 shows for a profile: ` -p` appended to a svchost command line
/// that lacks it when the profile says so (and only then).
pub fn image_path_with_p(image_path: &str, profile: &ServiceProfile) -> Option<String> {
    let svchost = image_path.to_ascii_lowercase().contains("svchost.exe");
    let has_p = image_path.split_whitespace().any(|w| w == "-p");
    (profile.dash_p == Some(true) && svchost && !has_p).then(|| format!("{image_path} -p"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_parses_and_names_are_unique() {
        let rows = WINDOWS10_PROFILES_TSV
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("name\t") && !l.is_empty())
            .count();
        assert_eq!(windows10_profiles().len(), rows);
    }

    #[test]
    fn malformed_rows_name_their_line() {
        let err = parse_profiles("name\tx\nA\tSTOP|FLY\t1\t1\t1\t1\t-\tyes\ts\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("FLY"), "{err}");
        assert!(parse_profiles("A\tSTOP\n").is_err());
    }

    #[test]
    fn dash_p_is_appended_once_and_only_to_svchost() {
        let mut p = windows10_profiles()[&*ServiceName::fold("EventLog")].clone();
        let path = r"%SystemRoot%\System32\svchost.exe -k LocalServiceNetworkRestricted";
        assert_eq!(
            image_path_with_p(path, &p).as_deref(),
            Some(r"%SystemRoot%\System32\svchost.exe -k LocalServiceNetworkRestricted -p")
        );
        assert_eq!(image_path_with_p(&format!("{path} -p"), &p), None);
        assert_eq!(image_path_with_p(r"C:\x\spoolsv.exe", &p), None);
        p.dash_p = None;
        assert_eq!(image_path_with_p(path, &p), None);
    }
}
