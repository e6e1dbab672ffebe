//! Who performs a registry operation: LocalSystem, an administrator, a standard user, or a
//! service account. HKEY_CURRENT_USER resolves to the caller's hive, and writes under
//! HKEY_LOCAL_MACHINE need an account allowed to make them.
//!
//! ```
//! use fake_registry::Caller;
//!
//! let alice = Caller::standard_user("alice", "S-1-5-21-1-2-3-1001");
//! assert!(!alice.may_write_machine_keys());
//! assert_eq!(Caller::local_system().sid(), "S-1-5-18");
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;

/// The kind of account behind a caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum CallerKind {
    /// NT AUTHORITY\SYSTEM (S-1-5-18): everything allowed.
    LocalSystem,
    /// NT AUTHORITY\LocalService (S-1-5-19): reads HKLM, writes only its own hive.
    LocalService,
    /// NT AUTHORITY\NetworkService (S-1-5-20): reads HKLM, writes only its own hive.
    NetworkService,
    /// A member of BUILTIN\Administrators, elevated.
    Administrator,
    /// A standard (non-admin) user.
    StandardUser,
}

/// A caller identity: its kind, account name and SID.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Caller {
    kind: CallerKind,
    name: String,
    sid: String,
}

impl Caller {
    /// NT AUTHORITY\SYSTEM.
    pub fn local_system() -> Caller {
        Caller {
            kind: CallerKind::LocalSystem,
            name: "NT AUTHORITY\\SYSTEM".into(),
            sid: "S-1-5-18".into(),
        }
    }

    /// NT AUTHORITY\LocalService.
    pub fn local_service() -> Caller {
        Caller {
            kind: CallerKind::LocalService,
            name: "NT AUTHORITY\\LocalService".into(),
            sid: "S-1-5-19".into(),
        }
    }

    /// NT AUTHORITY\NetworkService.
    pub fn network_service() -> Caller {
        Caller {
            kind: CallerKind::NetworkService,
            name: "NT AUTHORITY\\NetworkService".into(),
            sid: "S-1-5-20".into(),
        }
    }

    /// An elevated administrator with the given account name and SID.
    pub fn administrator(name: &str, sid: &str) -> Caller {
        Caller {
            kind: CallerKind::Administrator,
            name: name.into(),
            sid: sid.into(),
        }
    }

    /// A standard user with the given account name and SID.
    pub fn standard_user(name: &str, sid: &str) -> Caller {
        Caller {
            kind: CallerKind::StandardUser,
            name: name.into(),
            sid: sid.into(),
        }
    }

    /// The caller for a service account name as the SCM stores it in ObjectName
    /// (`LocalSystem`, `NT AUTHORITY\LocalService`, `NT AUTHORITY\NetworkService`, or a user,
    /// which is treated as a standard user with a SID derived from its name).
    pub fn for_service_account(account: &str) -> Caller {
        let lower = account.to_ascii_lowercase();
        match lower.as_str() {
            "" | "localsystem" | ".\\localsystem" | "nt authority\\system" => {
                Caller::local_system()
            }
            "nt authority\\localservice" | "nt authority\\local service" => Caller::local_service(),
            "nt authority\\networkservice" | "nt authority\\network service" => {
                Caller::network_service()
            }
            _ => {
                let hash = lower
                    .bytes()
                    .fold(5381u32, |h, b| h.wrapping_mul(33) ^ b as u32);
                Caller::standard_user(
                    account,
                    &format!("S-1-5-21-0-0-0-{}", 1000 + hash % 100_000),
                )
            }
        }
    }

    /// The kind of account.
    pub fn kind(&self) -> CallerKind {
        self.kind
    }

    /// The account name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The SID; HKEY_CURRENT_USER is `HKU\<sid>`.
    pub fn sid(&self) -> &str {
        &self.sid
    }

    /// True when the caller may create, change and delete keys under HKEY_LOCAL_MACHINE.
    pub fn may_write_machine_keys(&self) -> bool {
        matches!(
            self.kind,
            CallerKind::LocalSystem | CallerKind::Administrator
        )
    }
}

impl fmt::Display for Caller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.sid)
    }
}
