//! Replay tokens: the seed of a run and a hash of its configuration, printed with every
//! failure together with the command that replays it.
//!
//! ```
//! use scm_sim::sim::ReplayToken;
//!
//! let t = ReplayToken { seed: 42, config_hash: 0xfeed };
//! assert_eq!(t.to_string(), "scm-sim:v1:42:000000000000feed");
//! assert_eq!("scm-sim:v1:42:000000000000feed".parse::<ReplayToken>().unwrap(), t);
//! assert!(t.command().contains("SCM_SIM_SEED=42"));
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The environment variable that sets the seed of a run (overrides the test's own).
pub const SEED_ENV: &str = "SCM_SIM_SEED";
/// The environment variable that makes [`crate::sim::harness`] run each case twice and compare.
pub const CHECK_DETERMINISM_ENV: &str = "SCM_SIM_CHECK_DETERMINISM";

/// Seed and configuration hash of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReplayToken {
    /// The root seed.
    pub seed: u64,
    /// FNV-1a hash of the machine's configuration (image, settings, programs, behaviours).
    pub config_hash: u64,
}

impl ReplayToken {
    /// How to rerun: the environment variable to set.
    pub fn command(&self) -> String {
        format!(
            "rerun with {SEED_ENV}={} (config {:016x})",
            self.seed, self.config_hash
        )
    }
}

impl fmt::Display for ReplayToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "scm-sim:v1:{}:{:016x}", self.seed, self.config_hash)
    }
}

impl FromStr for ReplayToken {
    type Err = String;
    fn from_str(s: &str) -> Result<ReplayToken, String> {
        let parts: Vec<&str> = s.trim().split(':').collect();
        match parts.as_slice() {
            ["scm-sim", "v1", seed, hash] => Ok(ReplayToken {
                seed: seed
                    .parse()
                    .map_err(|_| format!("bad seed in replay token {s:?}"))?,
                config_hash: u64::from_str_radix(hash, 16)
                    .map_err(|_| format!("bad hash in replay token {s:?}"))?,
            }),
            _ => Err(format!("not a replay token: {s:?}")),
        }
    }
}

/// FNV-1a 64 of some text (stable across platforms and runs).
pub fn fnv1a(text: &str) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for b in text.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The seed to use: `SCM_SIM_SEED` when set (and valid), else `default`.
pub fn seed_from_env(default: u64) -> u64 {
    std::env::var(SEED_ENV)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}
