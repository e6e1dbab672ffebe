//! Control sets: `HKLM\SYSTEM\Select` names which `ControlSet00N` is current, which is the
//! default for the next boot, which failed last and which is last-known-good.
//! `CurrentControlSet` is a live link to the current set (see [`Registry::resolve`]).
//!
//! ```
//! use fake_registry::{Registry, Caller, RegValue};
//!
//! let mut reg = Registry::new();
//! let sys = Caller::local_system();
//! let k = r"HKLM\SYSTEM\CurrentControlSet\Services\Demo";
//! reg.create_key(&sys, k).unwrap();
//! reg.set_value(&sys, k, "Start", RegValue::dword(2)).unwrap();
//! reg.accept_boot_as_last_known_good().unwrap();           // ControlSet002 = copy of 001
//! reg.set_value(&sys, k, "Start", RegValue::dword(4)).unwrap(); // a bad change
//! reg.boot_last_known_good().unwrap();                      // Current=2, Failed=1
//! assert_eq!(reg.get_dword(&sys, k, "Start").unwrap(), 2);
//! assert_eq!(reg.select().failed, 1);
//! ```
//!
//! [`Registry::resolve`]: crate::Registry

use crate::caller::Caller;
use crate::error::{RegError, RegErrorKind};
use crate::key::Key;
use crate::registry::Registry;
use crate::value::RegValue;

/// The runtime facts of the current boot that are not stored in the registry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BootState {
    accepted: bool,
    running_last_known_good: bool,
}

/// The four values of `HKLM\SYSTEM\Select`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Select {
    /// The set CurrentControlSet links to.
    pub current: u32,
    /// The set the next normal boot uses.
    pub default: u32,
    /// The set last rejected in favour of last-known-good (0 = none).
    pub failed: u32,
    /// The last set that booted successfully.
    pub last_known_good: u32,
}

/// The key name of control set `n`: `ControlSet001` for 1.
pub fn control_set_name(n: u32) -> String {
    format!("ControlSet{n:03}")
}

const SELECT_NAMES: [&str; 4] = ["Current", "Default", "Failed", "LastKnownGood"];

impl Registry {
    /// The values of `HKLM\SYSTEM\Select`; missing ones read as Current=1, Default=1,
    /// Failed=0, LastKnownGood=2.
    pub fn select(&self) -> Select {
        let key = self.machine.descend(&["SYSTEM", "Select"]);
        let read = |name: &str, default: u32| {
            key.and_then(|k| k.value(name))
                .and_then(|v| v.as_dword().ok())
                .unwrap_or(default)
        };
        Select {
            current: read("Current", 1),
            default: read("Default", 1),
            failed: read("Failed", 0),
            last_known_good: read("LastKnownGood", 2),
        }
    }

    fn write_select(&mut self, select: Select) {
        let key = self.machine.create_child("SYSTEM").create_child("Select");
        for (name, v) in SELECT_NAMES.iter().zip([
            select.current,
            select.default,
            select.failed,
            select.last_known_good,
        ]) {
            key.set_value(name, RegValue::dword(v));
        }
    }

    /// The name of the set CurrentControlSet links to (`ControlSet001`).
    pub fn current_control_set_name(&self) -> String {
        control_set_name(self.select().current)
    }

    /// Starts a normal boot: Current becomes Default and the boot is not yet accepted.
    pub fn begin_boot(&mut self) {
        let mut select = self.select();
        select.current = select.default;
        self.write_select(select);
        self.boot = BootState::default();
    }

    /// True once [`Registry::accept_boot_as_last_known_good`] ran in this boot.
    pub fn boot_accepted(&self) -> bool {
        self.boot.accepted
    }

    /// True when this boot runs the last-known-good set.
    pub fn running_last_known_good(&self) -> bool {
        self.boot.running_last_known_good
    }

    /// Accepts the current boot (NotifyBootConfigStatus(TRUE)): copies the current set over
    /// the last-known-good set. ERROR_BOOT_ALREADY_ACCEPTED (1076) the second time in a boot.
    pub fn accept_boot_as_last_known_good(&mut self) -> Result<(), RegError> {
        if self.boot.accepted {
            return Err(RegError::new(RegErrorKind::BootAlreadyAccepted, "accept"));
        }
        let mut select = self.select();
        if select.last_known_good == select.current || select.last_known_good == 0 {
            select.last_known_good = (1..)
                .find(|n| *n != select.current && *n != select.failed)
                .unwrap_or(2);
        }
        let current = self.current_set_copy();
        self.store_set(select.last_known_good, current);
        self.write_select(select);
        self.boot.accepted = true;
        Ok(())
    }

    /// Boots from last-known-good: Failed records the current set, Current and Default
    /// become the last-known-good set. ERROR_ALREADY_RUNNING_LKG (1074) when already on it,
    /// ERROR_FILE_NOT_FOUND (2) when that set does not exist.
    pub fn boot_last_known_good(&mut self) -> Result<(), RegError> {
        if self.boot.running_last_known_good {
            return Err(RegError::new(
                RegErrorKind::AlreadyRunningLastKnownGood,
                "LastKnownGood",
            ));
        }
        let mut select = self.select();
        let lkg_name = control_set_name(select.last_known_good);
        if self
            .machine
            .descend(&["SYSTEM", lkg_name.as_str()])
            .is_none()
        {
            return Err(RegError::not_found(format!(
                r"HKEY_LOCAL_MACHINE\SYSTEM\{lkg_name}"
            )));
        }
        select.failed = select.current;
        select.current = select.last_known_good;
        select.default = select.last_known_good;
        self.write_select(select);
        self.boot = BootState {
            accepted: false,
            running_last_known_good: true,
        };
        Ok(())
    }

    fn current_set_copy(&self) -> Key {
        let name = self.current_control_set_name();
        self.machine
            .descend(&["SYSTEM", name.as_str()])
            .cloned()
            .unwrap_or_else(|| Key::new(&name))
    }

    fn store_set(&mut self, n: u32, mut set: Key) {
        set.rename(&control_set_name(n));
        self.machine.create_child("SYSTEM").insert_child(set);
    }

    /// Copies control set `from` over set `to` as LocalSystem would (used by tools and tests).
    pub fn copy_control_set(
        &mut self,
        caller: &Caller,
        from: u32,
        to: u32,
    ) -> Result<(), RegError> {
        let src =
            self.export_subtree(caller, &format!(r"HKLM\SYSTEM\{}", control_set_name(from)))?;
        self.replace_subtree(
            caller,
            &format!(r"HKLM\SYSTEM\{}", control_set_name(to)),
            src,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_through_the_link_land_in_the_current_set() {
        let mut reg = Registry::new();
        let sys = Caller::local_system();
        reg.create_key(&sys, r"HKLM\SYSTEM\CurrentControlSet\Control\X")
            .unwrap();
        assert!(reg.key_exists(&sys, r"HKLM\SYSTEM\ControlSet001\Control\X"));
        reg.accept_boot_as_last_known_good().unwrap();
        assert!(reg.key_exists(&sys, r"HKLM\SYSTEM\ControlSet002\Control\X"));
        assert_eq!(
            reg.accept_boot_as_last_known_good().unwrap_err().code(),
            1076
        );
        reg.boot_last_known_good().unwrap();
        assert_eq!(reg.current_control_set_name(), "ControlSet002");
        reg.create_key(&sys, r"HKLM\SYSTEM\CurrentControlSet\Control\Y")
            .unwrap();
        assert!(reg.key_exists(&sys, r"HKLM\SYSTEM\ControlSet002\Control\Y"));
        assert!(!reg.key_exists(&sys, r"HKLM\SYSTEM\ControlSet001\Control\Y"));
        assert_eq!(reg.boot_last_known_good().unwrap_err().code(), 1074);
        let s = reg.select();
        assert_eq!(
            (s.current, s.default, s.failed, s.last_known_good),
            (2, 2, 1, 2)
        );
    }

    #[test]
    fn lkg_boot_without_a_saved_set_is_file_not_found() {
        let mut reg = Registry::new();
        assert_eq!(reg.boot_last_known_good().unwrap_err().code(), 2);
    }
}
