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

/// Access masks of winsvc.h and winnt.h.
pub mod access {
    /// SC_MANAGER_CONNECT.
    pub const SC_MANAGER_CONNECT: u32 = 0x1;
    /// SC_MANAGER_CREATE_SERVICE.
    pub const SC_MANAGER_CREATE_SERVICE: u32 = 0x2;
    /// SC_MANAGER_ENUMERATE_SERVICE.
    pub const SC_MANAGER_ENUMERATE_SERVICE: u32 = 0x4;
    /// SC_MANAGER_LOCK.
    pub const SC_MANAGER_LOCK: u32 = 0x8;
    /// SC_MANAGER_QUERY_LOCK_STATUS.
    pub const SC_MANAGER_QUERY_LOCK_STATUS: u32 = 0x10;
    /// SC_MANAGER_MODIFY_BOOT_CONFIG.
    pub const SC_MANAGER_MODIFY_BOOT_CONFIG: u32 = 0x20;
    /// SC_MANAGER_ALL_ACCESS.
    pub const SC_MANAGER_ALL_ACCESS: u32 = 0xF003F;

    /// SERVICE_QUERY_CONFIG.
    pub const SERVICE_QUERY_CONFIG: u32 = 0x1;
    /// SERVICE_CHANGE_CONFIG.
    pub const SERVICE_CHANGE_CONFIG: u32 = 0x2;
    /// SERVICE_QUERY_STATUS.
    pub const SERVICE_QUERY_STATUS: u32 = 0x4;
    /// SERVICE_ENUMERATE_DEPENDENTS.
    pub const SERVICE_ENUMERATE_DEPENDENTS: u32 = 0x8;
    /// SERVICE_START.
    pub const SERVICE_START: u32 = 0x10;
    /// SERVICE_STOP.
    pub const SERVICE_STOP: u32 = 0x20;
    /// SERVICE_PAUSE_CONTINUE.
    pub const SERVICE_PAUSE_CONTINUE: u32 = 0x40;
    /// SERVICE_INTERROGATE.
    pub const SERVICE_INTERROGATE: u32 = 0x80;
    /// SERVICE_USER_DEFINED_CONTROL.
    pub const SERVICE_USER_DEFINED_CONTROL: u32 = 0x100;
    /// SERVICE_ALL_ACCESS.
    pub const SERVICE_ALL_ACCESS: u32 = 0xF01FF;

    /// DELETE.
    pub const DELETE: u32 = 0x10000;
    /// READ_CONTROL.
    pub const READ_CONTROL: u32 = 0x20000;
    /// WRITE_DAC.
    pub const WRITE_DAC: u32 = 0x40000;
    /// WRITE_OWNER.
    pub const WRITE_OWNER: u32 = 0x80000;
    /// STANDARD_RIGHTS_REQUIRED.
    pub const STANDARD_RIGHTS_REQUIRED: u32 = 0xF0000;
    /// MAXIMUM_ALLOWED.
    pub const MAXIMUM_ALLOWED: u32 = 0x0200_0000;
    /// GENERIC_ALL.
    pub const GENERIC_ALL: u32 = 0x1000_0000;
    /// GENERIC_EXECUTE.
    pub const GENERIC_EXECUTE: u32 = 0x2000_0000;
    /// GENERIC_WRITE.
    pub const GENERIC_WRITE: u32 = 0x4000_0000;
    /// GENERIC_READ.
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

    /// Maps GENERIC_* bits of a request on the SCM object.
    pub fn map_scm(mask: u32) -> u32 {
        map(
            mask,
            READ_CONTROL | SC_MANAGER_ENUMERATE_SERVICE | SC_MANAGER_QUERY_LOCK_STATUS,
            READ_CONTROL | SC_MANAGER_CREATE_SERVICE | SC_MANAGER_MODIFY_BOOT_CONFIG,
            READ_CONTROL | SC_MANAGER_CONNECT | SC_MANAGER_LOCK,
            SC_MANAGER_ALL_ACCESS,
        )
    }

    /// Maps GENERIC_* bits of a request on a service object.
    pub fn map_service(mask: u32) -> u32 {
        map(
            mask,
            READ_CONTROL
                | SERVICE_QUERY_CONFIG
                | SERVICE_QUERY_STATUS
                | SERVICE_INTERROGATE
                | SERVICE_ENUMERATE_DEPENDENTS,
            READ_CONTROL | SERVICE_CHANGE_CONFIG,
            READ_CONTROL
                | SERVICE_START
                | SERVICE_STOP
                | SERVICE_PAUSE_CONTINUE
                | SERVICE_USER_DEFINED_CONTROL,
            SERVICE_ALL_ACCESS,
        )
    }
}

/// What a caller may be granted on the SCM object (the default SCM security descriptor:
/// administrators and SYSTEM get everything, others connect, enumerate and query lock status).
pub fn scm_rights_for(caller: &Caller) -> u32 {
    match caller.kind() {
        CallerKind::LocalSystem | CallerKind::Administrator => access::SC_MANAGER_ALL_ACCESS,
        _ => {
            access::SC_MANAGER_CONNECT
                | access::SC_MANAGER_ENUMERATE_SERVICE
                | access::SC_MANAGER_QUERY_LOCK_STATUS
                | access::READ_CONTROL
        }
    }
}

/// What a caller may be granted on a service (the default service security descriptor:
/// administrators and SYSTEM get everything; interactive users query, interrogate and send
/// user-defined controls).
pub fn service_rights_for(caller: &Caller) -> u32 {
    match caller.kind() {
        CallerKind::LocalSystem | CallerKind::Administrator => access::SERVICE_ALL_ACCESS,
        _ => {
            access::SERVICE_QUERY_CONFIG
                | access::SERVICE_QUERY_STATUS
                | access::SERVICE_ENUMERATE_DEPENDENTS
                | access::SERVICE_INTERROGATE
                | access::SERVICE_USER_DEFINED_CONTROL
                | access::READ_CONTROL
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
