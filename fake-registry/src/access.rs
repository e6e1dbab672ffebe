//! The access log: which identity touched which hive, so that the SCM can flag a service
//! that uses HKEY_CURRENT_USER (a service has no interactive user; its HKCU is its account's
//! own hive, usually not the one the author meant). The log is bounded ([`AccessLog`]).
//!
//! ```
//! use fake_registry::{Registry, Caller, AccessOp};
//!
//! let mut reg = Registry::new();
//! let svc = Caller::local_service();
//! reg.create_key(&svc, r"HKCU\Software\Demo").unwrap();
//! let rec = reg.access_log().last().unwrap();
//! assert!(rec.via_current_user);
//! assert_eq!(rec.op, AccessOp::Write);
//! assert_eq!(rec.path, r"HKEY_USERS\S-1-5-19\Software\Demo");
//! ```

use serde::{Deserialize, Serialize};

use crate::caller::Caller;

/// The kind of operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccessOp {
    /// Open, query, enumerate.
    Read,
    /// Create a key, set a value.
    Write,
    /// Delete a key or value.
    Delete,
}

/// The hive an operation landed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Hive {
    /// HKEY_LOCAL_MACHINE.
    LocalMachine,
    /// HKEY_USERS\<sid> (or HKEY_USERS itself when the SID is empty).
    User(String),
}

/// One logged operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRecord {
    /// Who did it.
    pub caller: Caller,
    /// Which hive it landed in.
    pub hive: Hive,
    /// The full path after resolving HKCU, HKCR and CurrentControlSet.
    pub path: String,
    /// What was done.
    pub op: AccessOp,
    /// True when the caller named HKEY_CURRENT_USER.
    pub via_current_user: bool,
    /// Whether it succeeded (a denied write is logged too).
    pub allowed: bool,
}

/// How many recent records [`AccessLog`] keeps.
pub const RECENT_CAPACITY: usize = 4096;
/// How many recent HKEY_CURRENT_USER records [`AccessLog`] keeps beside them.
pub const CURRENT_USER_CAPACITY: usize = 1024;

/// The access log: a bounded window of recent records plus counters, like an event log with
/// a maximum size (old records are overwritten). Memory stays flat however long a machine
/// runs: each `reg query HKLM\SYSTEM /s` logs thousands of reads.
///
/// Records are numbered from 0 in the order logged; [`AccessLog::total`] is the next number.
/// The HKEY_CURRENT_USER records — what the `hkcu-access` rule needs — are kept in their own
/// window, so a burst of other reads cannot push them out before the rule sees them.
///
/// ```
/// use fake_registry::{Caller, Registry};
///
/// let mut reg = Registry::new();
/// let svc = Caller::local_service();
/// let before = reg.access_log().total();
/// for _ in 0..10_000 {
///     reg.key_exists(&svc, r"HKLM\SYSTEM");
///     let _ = reg.enum_subkeys(&svc, r"HKLM\SYSTEM");
/// }
/// reg.create_key(&svc, r"HKCU\Software\Demo").unwrap();
/// let log = reg.access_log();
/// assert_eq!(log.total() - before, 10_001);
/// assert!(log.len() <= fake_registry::access::RECENT_CAPACITY);
/// let hkcu: Vec<_> = log.current_user_since(before).collect();
/// assert_eq!(hkcu.len(), 1);
/// assert_eq!(hkcu[0].path, r"HKEY_USERS\S-1-5-19\Software\Demo");
/// ```
#[derive(Debug, Clone, Default)]
pub struct AccessLog {
    recent: std::collections::VecDeque<(u64, AccessRecord)>,
    current_user: std::collections::VecDeque<(u64, AccessRecord)>,
    total: u64,
    denied: u64,
}

impl AccessLog {
    /// Logs one record, dropping the oldest when a window is full.
    pub fn push(&mut self, record: AccessRecord) {
        let seq = self.total;
        self.total += 1;
        if !record.allowed {
            self.denied += 1;
        }
        if record.via_current_user {
            if self.current_user.len() == CURRENT_USER_CAPACITY {
                self.current_user.pop_front();
            }
            self.current_user.push_back((seq, record.clone()));
        }
        if self.recent.len() == RECENT_CAPACITY {
            self.recent.pop_front();
        }
        self.recent.push_back((seq, record));
    }

    /// Records ever logged (the number the next one gets).
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Denied operations ever logged.
    pub fn denied(&self) -> u64 {
        self.denied
    }

    /// Records kept now (at most [`RECENT_CAPACITY`]).
    pub fn len(&self) -> usize {
        self.recent.len()
    }

    /// True when nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.recent.is_empty()
    }

    /// The kept records, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &AccessRecord> + '_ {
        self.recent.iter().map(|(_, r)| r)
    }

    /// The newest record.
    pub fn last(&self) -> Option<&AccessRecord> {
        self.recent.back().map(|(_, r)| r)
    }

    /// The kept records numbered `seq` or later.
    pub fn since(&self, seq: u64) -> impl Iterator<Item = &AccessRecord> + '_ {
        self.recent
            .iter()
            .filter(move |(n, _)| *n >= seq)
            .map(|(_, r)| r)
    }

    /// The kept HKEY_CURRENT_USER records numbered `seq` or later.
    pub fn current_user_since(&self, seq: u64) -> impl Iterator<Item = &AccessRecord> + '_ {
        self.current_user
            .iter()
            .filter(move |(n, _)| *n >= seq)
            .map(|(_, r)| r)
    }

    /// Takes the kept records, leaving the windows empty (the counters keep counting).
    pub fn drain(&mut self) -> Vec<AccessRecord> {
        self.current_user.clear();
        self.recent.drain(..).map(|(_, r)| r).collect()
    }

    /// An estimate of the heap bytes the windows hold.
    pub fn heap_bytes(&self) -> usize {
        let each = std::mem::size_of::<(u64, AccessRecord)>();
        self.recent
            .iter()
            .chain(self.current_user.iter())
            .map(|(_, r)| each + r.path.capacity())
            .sum()
    }
}
