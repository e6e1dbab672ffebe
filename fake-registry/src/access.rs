//! The access log: which identity touched which hive, so that the SCM can flag a service
//! that uses HKEY_CURRENT_USER (a service has no interactive user; its HKCU is its account's
//! own hive, usually not the one the author meant).
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
