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
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// The environment variable that sets the seed of a run (overrides the test's own).
pub const SEED_ENV: &str = "SCM_SIM_SEED";
/// The environment variable that makes [`crate::machine::harness`] run each case twice and compare.
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

/// What a machine's replay token is made of: its seed, and the configuration the hash covers
/// (image, settings, programs, DLLs, behaviours) as named entries. The hash is computed when
/// the token is read and kept until an entry changes, so configuring N services costs O(N)
/// in all rather than a rehash per call; it is the same function of the same entries either
/// way: FNV-1a of the `key=value` lines in key order, joined by newlines.
#[derive(Debug, Clone)]
pub(crate) struct ReplayConfig {
    seed: u64,
    entries: BTreeMap<String, String>,
    /// The hash of `entries`, `None` after a change.
    hash: Option<u64>,
}

impl ReplayConfig {
    /// A seed and no entries.
    pub(crate) fn new(seed: u64) -> ReplayConfig {
        ReplayConfig {
            seed,
            entries: BTreeMap::new(),
            hash: None,
        }
    }

    /// The root seed.
    pub(crate) fn seed(&self) -> u64 {
        self.seed
    }

    /// Sets one entry (its cost: the entry's size and a map insertion).
    pub(crate) fn set(&mut self, key: String, value: String) {
        if self.entries.get(&key) != Some(&value) {
            self.entries.insert(key, value);
            self.hash = None;
        }
    }

    /// The token: hashes the entries if they changed since the last call.
    pub(crate) fn token(&mut self) -> ReplayToken {
        let entries = &self.entries;
        let config_hash = *self.hash.get_or_insert_with(|| {
            let mut h = Fnv1a::new();
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    h.write(b"\n");
                }
                h.write(k.as_bytes());
                h.write(b"=");
                h.write(v.as_bytes());
            }
            h.0
        });
        ReplayToken {
            seed: self.seed,
            config_hash,
        }
    }
}

/// FNV-1a 64 fed in pieces.
struct Fnv1a(u64);

impl Fnv1a {
    fn new() -> Fnv1a {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// FNV-1a 64 of some text (stable across platforms and runs).
pub fn fnv1a(text: &str) -> u64 {
    let mut h = Fnv1a::new();
    h.write(text.as_bytes());
    h.0
}

/// The seed to use: `SCM_SIM_SEED` when set (and valid), else `default`.
pub fn seed_from_env(default: u64) -> u64 {
    std::env::var(SEED_ENV)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lazy_hash_is_the_hash_of_the_joined_entries() {
        let mut c = ReplayConfig::new(5);
        assert_eq!(c.token().config_hash, fnv1a(""));
        c.set("image".into(), "empty".into());
        c.set("behavior SVC".into(), "Behavior { .. }".into());
        let t = c.token();
        assert_eq!(t.seed, 5);
        assert_eq!(
            t.config_hash,
            fnv1a("behavior SVC=Behavior { .. }\nimage=empty")
        );
        c.set("image".into(), "windows10".into());
        assert_ne!(c.token(), t);
        c.set("image".into(), "empty".into());
        assert_eq!(c.token(), t);
    }
}
