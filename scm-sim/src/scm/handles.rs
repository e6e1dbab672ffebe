//! Handles and access rights: SC_HANDLEs to the SCM and to services, what each caller may be
//! granted, and the GENERIC_* mappings.
//!
//! ```
//! use scm_sim::scm::access;
//!
//! // GENERIC_READ on a service maps to query config, query status, interrogate, enumerate dependents.
//! assert_eq!(access::map_service(access::GENERIC_READ), 0x2008D);
//! ```

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use fake_registry::{Caller, CallerKind};

use crate::error::Win32Error;
use access::{ScmAccess, ServiceAccess};

/// Access rights of winsvc.h and winnt.h: typed masks for the SCM object ([`ScmAccess`]) and
/// for service objects ([`ServiceAccess`]), their `SC_MANAGER_*` and `SERVICE_*` names as
/// typed constants, and the rights both objects share (standard and generic rights) as raw
/// numbers for the edges, where a mask arrives as a number.
///
/// ```
/// use scm_sim::scm::access::{self, ScmAccess, ServiceAccess};
///
/// let read = ServiceAccess::QUERY_STATUS | ServiceAccess::QUERY_CONFIG;
/// assert_eq!(read.bits(), 0x5);
/// assert_eq!(access::SC_MANAGER_ALL_ACCESS, ScmAccess::ALL_ACCESS);
/// // A raw mask from a C caller keeps every bit, defined or not; the SCM decides.
/// assert_eq!(ServiceAccess::from_bits_retain(access::GENERIC_READ), ServiceAccess::GENERIC_READ);
/// ```
pub mod access {
    bitflags::bitflags! {
        /// Rights on the SCM object (OpenSCManager's dwDesiredAccess).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct ScmAccess: u32 {
            /// SC_MANAGER_CONNECT.
            const CONNECT = 0x1;
            /// SC_MANAGER_CREATE_SERVICE.
            const CREATE_SERVICE = 0x2;
            /// SC_MANAGER_ENUMERATE_SERVICE.
            const ENUMERATE_SERVICE = 0x4;
            /// SC_MANAGER_LOCK.
            const LOCK = 0x8;
            /// SC_MANAGER_QUERY_LOCK_STATUS.
            const QUERY_LOCK_STATUS = 0x10;
            /// SC_MANAGER_MODIFY_BOOT_CONFIG.
            const MODIFY_BOOT_CONFIG = 0x20;
            /// SC_MANAGER_ALL_ACCESS.
            const ALL_ACCESS = 0xF003F;
            /// DELETE.
            const DELETE = 0x10000;
            /// READ_CONTROL.
            const READ_CONTROL = 0x20000;
            /// WRITE_DAC.
            const WRITE_DAC = 0x40000;
            /// WRITE_OWNER.
            const WRITE_OWNER = 0x80000;
            /// MAXIMUM_ALLOWED.
            const MAXIMUM_ALLOWED = 0x0200_0000;
            /// GENERIC_ALL.
            const GENERIC_ALL = 0x1000_0000;
            /// GENERIC_EXECUTE.
            const GENERIC_EXECUTE = 0x2000_0000;
            /// GENERIC_WRITE.
            const GENERIC_WRITE = 0x4000_0000;
            /// GENERIC_READ.
            const GENERIC_READ = 0x8000_0000;
        }
    }

    bitflags::bitflags! {
        /// Rights on a service object (OpenService's and CreateService's dwDesiredAccess).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct ServiceAccess: u32 {
            /// SERVICE_QUERY_CONFIG.
            const QUERY_CONFIG = 0x1;
            /// SERVICE_CHANGE_CONFIG.
            const CHANGE_CONFIG = 0x2;
            /// SERVICE_QUERY_STATUS.
            const QUERY_STATUS = 0x4;
            /// SERVICE_ENUMERATE_DEPENDENTS.
            const ENUMERATE_DEPENDENTS = 0x8;
            /// SERVICE_START.
            const START = 0x10;
            /// SERVICE_STOP.
            const STOP = 0x20;
            /// SERVICE_PAUSE_CONTINUE.
            const PAUSE_CONTINUE = 0x40;
            /// SERVICE_INTERROGATE.
            const INTERROGATE = 0x80;
            /// SERVICE_USER_DEFINED_CONTROL.
            const USER_DEFINED_CONTROL = 0x100;
            /// SERVICE_ALL_ACCESS.
            const ALL_ACCESS = 0xF01FF;
            /// DELETE.
            const DELETE = 0x10000;
            /// READ_CONTROL.
            const READ_CONTROL = 0x20000;
            /// WRITE_DAC.
            const WRITE_DAC = 0x40000;
            /// WRITE_OWNER.
            const WRITE_OWNER = 0x80000;
            /// MAXIMUM_ALLOWED.
            const MAXIMUM_ALLOWED = 0x0200_0000;
            /// GENERIC_ALL.
            const GENERIC_ALL = 0x1000_0000;
            /// GENERIC_EXECUTE.
            const GENERIC_EXECUTE = 0x2000_0000;
            /// GENERIC_WRITE.
            const GENERIC_WRITE = 0x4000_0000;
            /// GENERIC_READ.
            const GENERIC_READ = 0x8000_0000;
        }
    }

    /// SC_MANAGER_CONNECT.
    pub const SC_MANAGER_CONNECT: ScmAccess = ScmAccess::CONNECT;
    /// SC_MANAGER_CREATE_SERVICE.
    pub const SC_MANAGER_CREATE_SERVICE: ScmAccess = ScmAccess::CREATE_SERVICE;
    /// SC_MANAGER_ENUMERATE_SERVICE.
    pub const SC_MANAGER_ENUMERATE_SERVICE: ScmAccess = ScmAccess::ENUMERATE_SERVICE;
    /// SC_MANAGER_LOCK.
    pub const SC_MANAGER_LOCK: ScmAccess = ScmAccess::LOCK;
    /// SC_MANAGER_QUERY_LOCK_STATUS.
    pub const SC_MANAGER_QUERY_LOCK_STATUS: ScmAccess = ScmAccess::QUERY_LOCK_STATUS;
    /// SC_MANAGER_MODIFY_BOOT_CONFIG.
    pub const SC_MANAGER_MODIFY_BOOT_CONFIG: ScmAccess = ScmAccess::MODIFY_BOOT_CONFIG;
    /// SC_MANAGER_ALL_ACCESS.
    pub const SC_MANAGER_ALL_ACCESS: ScmAccess = ScmAccess::ALL_ACCESS;

    /// SERVICE_QUERY_CONFIG.
    pub const SERVICE_QUERY_CONFIG: ServiceAccess = ServiceAccess::QUERY_CONFIG;
    /// SERVICE_CHANGE_CONFIG.
    pub const SERVICE_CHANGE_CONFIG: ServiceAccess = ServiceAccess::CHANGE_CONFIG;
    /// SERVICE_QUERY_STATUS.
    pub const SERVICE_QUERY_STATUS: ServiceAccess = ServiceAccess::QUERY_STATUS;
    /// SERVICE_ENUMERATE_DEPENDENTS.
    pub const SERVICE_ENUMERATE_DEPENDENTS: ServiceAccess = ServiceAccess::ENUMERATE_DEPENDENTS;
    /// SERVICE_START.
    pub const SERVICE_START: ServiceAccess = ServiceAccess::START;
    /// SERVICE_STOP.
    pub const SERVICE_STOP: ServiceAccess = ServiceAccess::STOP;
    /// SERVICE_PAUSE_CONTINUE.
    pub const SERVICE_PAUSE_CONTINUE: ServiceAccess = ServiceAccess::PAUSE_CONTINUE;
    /// SERVICE_INTERROGATE.
    pub const SERVICE_INTERROGATE: ServiceAccess = ServiceAccess::INTERROGATE;
    /// SERVICE_USER_DEFINED_CONTROL.
    pub const SERVICE_USER_DEFINED_CONTROL: ServiceAccess = ServiceAccess::USER_DEFINED_CONTROL;
    /// SERVICE_ALL_ACCESS.
    pub const SERVICE_ALL_ACCESS: ServiceAccess = ServiceAccess::ALL_ACCESS;

    /// DELETE (raw: both objects have it; typed as `ServiceAccess::DELETE`, `ScmAccess::DELETE`).
    pub const DELETE: u32 = 0x10000;
    /// READ_CONTROL (raw).
    pub const READ_CONTROL: u32 = 0x20000;
    /// WRITE_DAC (raw).
    pub const WRITE_DAC: u32 = 0x40000;
    /// WRITE_OWNER (raw).
    pub const WRITE_OWNER: u32 = 0x80000;
    /// STANDARD_RIGHTS_REQUIRED (raw).
    pub const STANDARD_RIGHTS_REQUIRED: u32 = 0xF0000;
    /// MAXIMUM_ALLOWED (raw).
    pub const MAXIMUM_ALLOWED: u32 = 0x0200_0000;
    /// GENERIC_ALL (raw).
    pub const GENERIC_ALL: u32 = 0x1000_0000;
    /// GENERIC_EXECUTE (raw).
    pub const GENERIC_EXECUTE: u32 = 0x2000_0000;
    /// GENERIC_WRITE (raw).
    pub const GENERIC_WRITE: u32 = 0x4000_0000;
    /// GENERIC_READ (raw).
    pub const GENERIC_READ: u32 = 0x8000_0000;

    const GENERICS: u32 = GENERIC_ALL | GENERIC_EXECUTE | GENERIC_WRITE | GENERIC_READ;

    fn map(mask: u32, read: u32, write: u32, execute: u32, all: u32) -> u32 {
        let mut out = mask & !GENERICS;
        if mask & GENERIC_READ != 0 {
            out |= read;
        }
        if mask & GENERIC_WRITE != 0 {
            out |= write;
        }
        if mask & GENERIC_EXECUTE != 0 {
            out |= execute;
        }
        if mask & GENERIC_ALL != 0 {
            out |= all;
        }
        out
    }

    /// Maps GENERIC_* bits of a raw request on the SCM object.
    pub fn map_scm(mask: u32) -> u32 {
        let rc = READ_CONTROL;
        map(
            mask,
            rc | (ScmAccess::ENUMERATE_SERVICE | ScmAccess::QUERY_LOCK_STATUS).bits(),
            rc | (ScmAccess::CREATE_SERVICE | ScmAccess::MODIFY_BOOT_CONFIG).bits(),
            rc | (ScmAccess::CONNECT | ScmAccess::LOCK).bits(),
            ScmAccess::ALL_ACCESS.bits(),
        )
    }

    /// Maps GENERIC_* bits of a raw request on a service object.
    pub fn map_service(mask: u32) -> u32 {
        type S = ServiceAccess;
        let rc = READ_CONTROL;
        map(
            mask,
            rc | (S::QUERY_CONFIG | S::QUERY_STATUS | S::INTERROGATE | S::ENUMERATE_DEPENDENTS)
                .bits(),
            rc | S::CHANGE_CONFIG.bits(),
            rc | (S::START | S::STOP | S::PAUSE_CONTINUE | S::USER_DEFINED_CONTROL).bits(),
            S::ALL_ACCESS.bits(),
        )
    }
}

/// What a caller may be granted on the SCM object (the default SCM security descriptor:
/// administrators and SYSTEM get everything, others connect, enumerate and query lock status).
pub fn scm_rights_for(caller: &Caller) -> ScmAccess {
    match caller.kind() {
        CallerKind::LocalSystem | CallerKind::Administrator => ScmAccess::ALL_ACCESS,
        _ => {
            ScmAccess::CONNECT
                | ScmAccess::ENUMERATE_SERVICE
                | ScmAccess::QUERY_LOCK_STATUS
                | ScmAccess::READ_CONTROL
        }
    }
}

/// What a caller may be granted on a service (the default service security descriptor:
/// administrators and SYSTEM get everything; interactive users query, interrogate and send
/// user-defined controls).
pub fn service_rights_for(caller: &Caller) -> ServiceAccess {
    match caller.kind() {
        CallerKind::LocalSystem | CallerKind::Administrator => ServiceAccess::ALL_ACCESS,
        _ => {
            ServiceAccess::QUERY_CONFIG
                | ServiceAccess::QUERY_STATUS
                | ServiceAccess::ENUMERATE_DEPENDENTS
                | ServiceAccess::INTERROGATE
                | ServiceAccess::USER_DEFINED_CONTROL
                | ServiceAccess::READ_CONTROL
        }
    }
}

/// Decides the granted mask for a request: MAXIMUM_ALLOWED widens to everything allowed;
/// otherwise every requested bit must be allowed, else ERROR_ACCESS_DENIED.
pub(crate) fn grant(requested_mapped: u32, allowed: u32) -> Result<u32, Win32Error> {
    if requested_mapped & access::MAXIMUM_ALLOWED != 0 {
        return Ok(allowed | (requested_mapped & !access::MAXIMUM_ALLOWED & allowed));
    }
    if requested_mapped & !allowed != 0 {
        return Err(Win32Error::ACCESS_DENIED);
    }
    Ok(requested_mapped)
}

/// An SC_HANDLE: an opaque number, invalid once closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ScHandle(pub(crate) u64);

impl ScHandle {
    /// The handle as a number (for traces and scripts).
    pub fn raw(self) -> u64 {
        self.0
    }
}

/// What a handle refers to.
#[derive(Debug, Clone)]
pub(crate) enum HandleTarget {
    Manager,
    Service { key: String },
}

#[derive(Debug, Clone)]
pub(crate) struct HandleEntry {
    pub(crate) target: HandleTarget,
    pub(crate) granted: u32,
    pub(crate) caller: Caller,
}

/// The open handles of the SCM.
#[derive(Debug, Default)]
pub(crate) struct HandleTable {
    next: u64,
    open: BTreeMap<u64, HandleEntry>,
}

impl HandleTable {
    pub(crate) fn insert(&mut self, entry: HandleEntry) -> ScHandle {
        // Handle values look like Windows' (multiples of 8, never zero) and are never reused.
        self.next += 1;
        let id = 0x1000 + self.next * 8;
        self.open.insert(id, entry);
        ScHandle(id)
    }

    pub(crate) fn get(&self, h: ScHandle) -> Result<&HandleEntry, Win32Error> {
        self.open.get(&h.0).ok_or(Win32Error::INVALID_HANDLE)
    }

    pub(crate) fn remove(&mut self, h: ScHandle) -> Result<HandleEntry, Win32Error> {
        self.open.remove(&h.0).ok_or(Win32Error::INVALID_HANDLE)
    }

    pub(crate) fn count_for(&self, key: &str) -> usize {
        self.open
            .values()
            .filter(|e| matches!(&e.target, HandleTarget::Service { key: k } if k == key))
            .count()
    }
}
