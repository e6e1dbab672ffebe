//! The registry: two hives (HKEY_LOCAL_MACHINE and HKEY_USERS), path resolution (HKCU to the
//! caller's hive, HKCR to `HKLM\SOFTWARE\Classes`, CurrentControlSet to the current set), access
//! checks, the access log and change watchers.
//!
//! ```
//! use fake_registry::{Registry, Caller, RegValue};
//!
//! let mut reg = Registry::new();
//! let admin = Caller::administrator("Admin", "S-1-5-21-1-2-3-500");
//! let key = r"HKLM\SYSTEM\CurrentControlSet\Services\Demo";
//! reg.create_key(&admin, key).unwrap();
//! reg.set_value(&admin, key, "Start", RegValue::dword(3)).unwrap();
//! // CurrentControlSet is a live link to ControlSet001:
//! let direct = r"HKLM\SYSTEM\ControlSet001\Services\demo";
//! assert_eq!(reg.get_dword(&admin, direct, "start").unwrap(), 3);
//! ```

use crate::access::{AccessLog, AccessOp, AccessRecord, Hive};
use crate::caller::Caller;
use crate::environment::Environment;
use crate::error::RegError;
use crate::key::{fold, Key};
use crate::path::{RegPath, Root};
use crate::value::{RegValue, ValueType};
use crate::watch::{ChangeKind, RegChange, WatchFilter, WatchHandle, Watchers};

/// Anything that names a registry path: `&str`, `String` or [`RegPath`].
pub trait ToRegPath {
    /// Parses or clones the path.
    fn to_reg_path(&self) -> Result<RegPath, RegError>;
}

impl ToRegPath for str {
    fn to_reg_path(&self) -> Result<RegPath, RegError> {
        RegPath::parse(self)
    }
}

impl ToRegPath for String {
    fn to_reg_path(&self) -> Result<RegPath, RegError> {
        RegPath::parse(self)
    }
}

impl ToRegPath for RegPath {
    fn to_reg_path(&self) -> Result<RegPath, RegError> {
        Ok(self.clone())
    }
}

impl<T: ToRegPath + ?Sized> ToRegPath for &T {
    fn to_reg_path(&self) -> Result<RegPath, RegError> {
        (**self).to_reg_path()
    }
}

/// Which of the two stored hives a resolved path lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Store {
    Machine,
    Users,
}

/// A path after resolving links: the store and the stored key names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub(crate) store: Store,
    pub(crate) parts: Vec<String>,
    pub(crate) via_current_user: bool,
}

impl Resolved {
    pub(crate) fn display(&self) -> String {
        let mut s = match self.store {
            Store::Machine => "HKEY_LOCAL_MACHINE".to_string(),
            Store::Users => "HKEY_USERS".to_string(),
        };
        for p in &self.parts {
            s.push('\\');
            s.push_str(p);
        }
        s
    }

    fn folded(&self) -> String {
        fold(&self.display())
    }

    /// Levels below the stored root (what Windows' 512-level limit counts).
    pub(crate) fn depth(&self) -> usize {
        self.parts.len()
    }

    fn hive(&self) -> Hive {
        match self.store {
            Store::Machine => Hive::LocalMachine,
            Store::Users => Hive::User(self.parts.first().cloned().unwrap_or_default()),
        }
    }
}

/// An in-memory Windows registry.
#[derive(Debug)]
pub struct Registry {
    pub(crate) machine: Key,
    pub(crate) users: Key,
    pub(crate) environment: Environment,
    pub(crate) boot: crate::controlset::BootState,
    access_log: AccessLog,
    access_logging: bool,
    watchers: Watchers,
}

impl Clone for Registry {
    /// Clones the tree, environment and boot state; watchers and the access log stay behind.
    fn clone(&self) -> Registry {
        Registry {
            machine: self.machine.clone(),
            users: self.users.clone(),
            environment: self.environment.clone(),
            boot: self.boot.clone(),
            access_log: AccessLog::default(),
            access_logging: self.access_logging,
            watchers: Watchers::default(),
        }
    }
}

impl PartialEq for Registry {
    /// Two registries are equal when their trees and environments are.
    fn eq(&self, other: &Registry) -> bool {
        self.machine == other.machine
            && self.users == other.users
            && self.environment == other.environment
    }
}

impl Default for Registry {
    fn default() -> Self {
        Registry::new()
    }
}

/// The well-known user hives present on every Windows machine.
const BUILTIN_USER_HIVES: [&str; 4] = [".DEFAULT", "S-1-5-18", "S-1-5-19", "S-1-5-20"];

impl Registry {
    /// A registry shaped like a fresh Windows install: `HKLM\SYSTEM` with `Select`
    /// (Current=1, Default=1, Failed=0, LastKnownGood=2), `ControlSet001` with empty
    /// `Control` and `Services`, `HKLM\SOFTWARE` and `HKLM\SOFTWARE\Classes`, and the
    /// built-in user hives under HKU (.DEFAULT, S-1-5-18, S-1-5-19, S-1-5-20).
    pub fn new() -> Registry {
        let mut reg = Registry::bare();
        let system = reg.machine.create_child("SYSTEM");
        let select = system.create_child("Select");
        select.set_value("Current", RegValue::dword(1));
        select.set_value("Default", RegValue::dword(1));
        select.set_value("Failed", RegValue::dword(0));
        select.set_value("LastKnownGood", RegValue::dword(2));
        let set = system.create_child("ControlSet001");
        set.create_child("Control");
        set.create_child("Services");
        reg.machine.create_child("SOFTWARE").create_child("Classes");
        for sid in BUILTIN_USER_HIVES {
            reg.users.create_child(sid);
        }
        reg
    }

    /// A registry with nothing under its two roots (no SYSTEM, no Select: the
    /// CurrentControlSet link then points at ControlSet001).
    pub fn bare() -> Registry {
        Registry {
            machine: Key::new("HKEY_LOCAL_MACHINE"),
            users: Key::new("HKEY_USERS"),
            environment: Environment::windows_default(),
            boot: Default::default(),
            access_log: AccessLog::default(),
            access_logging: true,
            watchers: Watchers::default(),
        }
    }

    /// The environment used by [`Registry::get_expanded_string`].
    pub fn environment(&self) -> &Environment {
        &self.environment
    }

    /// Changes the environment (e.g. a machine whose Windows lives on D:).
    pub fn environment_mut(&mut self) -> &mut Environment {
        &mut self.environment
    }

    /// The root key of a stored hive, for walking the tree directly.
    pub fn hive_root(&self, root: Root) -> Option<&Key> {
        match root {
            Root::LocalMachine => Some(&self.machine),
            Root::Users => Some(&self.users),
            _ => None,
        }
    }

    // ----- resolution ---------------------------------------------------------------------

    pub(crate) fn resolve(&self, caller: &Caller, path: &RegPath) -> Resolved {
        let (store, mut parts, via_current_user) = match path.root() {
            Root::LocalMachine => (Store::Machine, path.parts().to_vec(), false),
            Root::Users => (Store::Users, path.parts().to_vec(), false),
            Root::CurrentUser => {
                let mut parts = vec![caller.sid().to_string()];
                parts.extend_from_slice(path.parts());
                (Store::Users, parts, true)
            }
            Root::ClassesRoot => {
                let mut parts = vec!["SOFTWARE".to_string(), "Classes".to_string()];
                parts.extend_from_slice(path.parts());
                (Store::Machine, parts, false)
            }
        };
        if store == Store::Machine
            && parts.len() >= 2
            && parts[0].eq_ignore_ascii_case("SYSTEM")
            && parts[1].eq_ignore_ascii_case("CurrentControlSet")
        {
            parts[1] = self.current_control_set_name();
        }
        Resolved {
            store,
            parts,
            via_current_user,
        }
    }

    fn store(&self, store: Store) -> &Key {
        match store {
            Store::Machine => &self.machine,
            Store::Users => &self.users,
        }
    }

    fn store_mut(&mut self, store: Store) -> &mut Key {
        match store {
            Store::Machine => &mut self.machine,
            Store::Users => &mut self.users,
        }
    }

    pub(crate) fn lookup(&self, r: &Resolved) -> Option<&Key> {
        self.store(r.store).descend(&r.parts)
    }

    pub(crate) fn lookup_mut(&mut self, r: &Resolved) -> Option<&mut Key> {
        let store = r.store;
        self.store_mut(store).descend_mut(&r.parts)
    }

    fn may_write(caller: &Caller, r: &Resolved) -> bool {
        match r.store {
            Store::Machine => caller.may_write_machine_keys(),
            Store::Users => {
                caller.may_write_machine_keys()
                    || r.parts
                        .first()
                        .is_some_and(|sid| sid.eq_ignore_ascii_case(caller.sid()))
            }
        }
    }

    fn log(&mut self, caller: &Caller, r: &Resolved, op: AccessOp, allowed: bool) {
        if self.access_logging {
            self.access_log.push(AccessRecord {
                caller: caller.clone(),
                hive: r.hive(),
                path: r.display(),
                op,
                via_current_user: r.via_current_user,
                allowed,
            });
        }
    }

    fn check_write(&mut self, caller: &Caller, r: &Resolved, op: AccessOp) -> Result<(), RegError> {
        let allowed = Registry::may_write(caller, r);
        self.log(caller, r, op, allowed);
        if allowed {
            Ok(())
        } else {
            Err(RegError::access_denied(format!(
                "{} may not write {}",
                caller.name(),
                r.display()
            )))
        }
    }

    fn read<P: ToRegPath + ?Sized>(
        &mut self,
        caller: &Caller,
        path: &P,
    ) -> Result<Resolved, RegError> {
        let path = path.to_reg_path()?;
        let r = self.resolve(caller, &path);
        self.log(caller, &r, AccessOp::Read, true);
        Ok(r)
    }

    fn changed(&mut self, folded_key: String, change: RegChange) {
        if !self.watchers.is_empty() {
            self.watchers.notify(&folded_key, change);
        }
    }

    // ----- the access log -----------------------------------------------------------------

    /// The access log: the recent operations (a bounded window) and counters.
    pub fn access_log(&self) -> &AccessLog {
        &self.access_log
    }

    /// Takes the kept records, leaving the windows empty (the counters keep counting).
    pub fn drain_access_log(&mut self) -> Vec<AccessRecord> {
        self.access_log.drain()
    }

    /// Turns logging on or off (on by default).
    pub fn set_access_logging(&mut self, on: bool) {
        self.access_logging = on;
    }

    // ----- keys ---------------------------------------------------------------------------

    /// Opens a key for reading (RegOpenKeyEx). ERROR_FILE_NOT_FOUND (2) when it does not exist.
    pub fn open_key<P: ToRegPath + ?Sized>(
        &self,
        caller: &Caller,
        path: &P,
    ) -> Result<&Key, RegError> {
        let path = path.to_reg_path()?;
        let r = self.resolve(caller, &path);
        self.lookup(&r)
            .ok_or_else(|| RegError::not_found(path.to_string()))
    }

    /// True when the key exists.
    pub fn key_exists<P: ToRegPath + ?Sized>(&self, caller: &Caller, path: &P) -> bool {
        self.open_key(caller, path).is_ok()
    }

    /// Creates a key and any missing parents (RegCreateKeyEx). Returns true when the key
    /// did not exist before. Writing under HKLM needs LocalSystem or an administrator; a key
    /// more than 512 levels below its root is ERROR_NO_SYSTEM_RESOURCES (1450, see
    /// [`crate::limits`]). Linear in the path's length.
    pub fn create_key<P: ToRegPath + ?Sized>(
        &mut self,
        caller: &Caller,
        path: &P,
    ) -> Result<bool, RegError> {
        let path = path.to_reg_path()?;
        let r = self.resolve(caller, &path);
        if self.lookup(&r).is_some() {
            self.log(caller, &r, AccessOp::Read, true);
            return Ok(false);
        }
        crate::limits::check_depth(r.depth())?;
        self.check_write(caller, &r, AccessOp::Write)?;
        let created = self.create_levels(&r);
        for (parent_folded, parent, name) in created {
            self.changed(
                parent_folded,
                RegChange {
                    kind: ChangeKind::KeyCreated,
                    path: format!("{parent}\\{name}"),
                    value: None,
                },
            );
        }
        Ok(true)
    }

    /// Creates the missing keys of `r`. With watchers, returns (folded parent path, parent
    /// path, name) of each key created, for their notifications; the paths grow one name per
    /// level instead of being rebuilt, so the cost stays linear in the depth.
    fn create_levels(&mut self, r: &Resolved) -> Vec<(String, String, String)> {
        let watched = !self.watchers.is_empty();
        let mut so_far = Resolved {
            store: r.store,
            parts: Vec::new(),
            via_current_user: false,
        }
        .display();
        let mut created = Vec::new();
        let mut key = self.store_mut(r.store);
        for name in &r.parts {
            let (child, was_created) = key.ensure_child(name);
            if watched {
                if was_created {
                    created.push((fold(&so_far), so_far.clone(), child.name().to_string()));
                }
                so_far.push('\\');
                so_far.push_str(child.name());
            }
            key = child;
        }
        created
    }

    /// Deletes a key that has no subkeys (RegDeleteKey): ERROR_ACCESS_DENIED (5) when it has
    /// subkeys or is a root or the CurrentControlSet link, ERROR_FILE_NOT_FOUND (2) when missing.
    pub fn delete_key<P: ToRegPath + ?Sized>(
        &mut self,
        caller: &Caller,
        path: &P,
    ) -> Result<(), RegError> {
        self.delete(caller, path, false)
    }

    /// Deletes a key with everything below it (RegDeleteTree plus RegDeleteKey; `reg delete /f`).
    pub fn delete_key_recursive<P: ToRegPath + ?Sized>(
        &mut self,
        caller: &Caller,
        path: &P,
    ) -> Result<(), RegError> {
        self.delete(caller, path, true)
    }

    fn delete<P: ToRegPath + ?Sized>(
        &mut self,
        caller: &Caller,
        path: &P,
        recursive: bool,
    ) -> Result<(), RegError> {
        let path = path.to_reg_path()?;
        let r = self.resolve(caller, &path);
        let is_link = path.root() == Root::LocalMachine
            && path.parts().len() == 2
            && path.parts()[0].eq_ignore_ascii_case("SYSTEM")
            && path.parts()[1].eq_ignore_ascii_case("CurrentControlSet");
        if r.parts.is_empty() || is_link {
            self.log(caller, &r, AccessOp::Delete, false);
            return Err(RegError::access_denied(format!("{path} cannot be deleted")));
        }
        let key = self
            .lookup(&r)
            .ok_or_else(|| RegError::not_found(path.to_string()))?;
        if !recursive && key.subkey_count() > 0 {
            self.log(caller, &r, AccessOp::Delete, false);
            return Err(RegError::access_denied(format!("{path} has subkeys")));
        }
        self.check_write(caller, &r, AccessOp::Delete)?;
        let (leaf, parent_parts) = r.parts.split_last().expect("non-root");
        let parent = Resolved {
            store: r.store,
            parts: parent_parts.to_vec(),
            via_current_user: false,
        };
        let removed = self
            .lookup_mut(&parent)
            .and_then(|p| p.remove_child(leaf))
            .ok_or_else(|| RegError::not_found(path.to_string()))?;
        self.changed(
            parent.folded(),
            RegChange {
                kind: ChangeKind::KeyDeleted,
                path: format!("{}\\{}", parent.display(), removed.name()),
                value: None,
            },
        );
        Ok(())
    }

    /// Subkey names in Windows' order (case-insensitive alphabetical). `HKLM\SYSTEM` lists
    /// the `CurrentControlSet` link too, as regedit shows it.
    pub fn enum_subkeys<P: ToRegPath + ?Sized>(
        &mut self,
        caller: &Caller,
        path: &P,
    ) -> Result<Vec<String>, RegError> {
        let path = path.to_reg_path()?;
        let r = self.read(caller, &path)?;
        let key = self
            .lookup(&r)
            .ok_or_else(|| RegError::not_found(path.to_string()))?;
        let mut names: Vec<String> = key.subkeys().map(|k| k.name().to_string()).collect();
        if r.store == Store::Machine
            && r.parts.len() == 1
            && r.parts[0].eq_ignore_ascii_case("SYSTEM")
        {
            let link = "CurrentControlSet".to_string();
            let folded = fold(&link);
            let pos = names.partition_point(|n| fold(n) < folded);
            if names.get(pos).map(|n| fold(n)) != Some(folded) {
                names.insert(pos, link);
            }
        }
        Ok(names)
    }

    /// Values of a key in insertion order (RegEnumValue).
    pub fn enum_values<P: ToRegPath + ?Sized>(
        &mut self,
        caller: &Caller,
        path: &P,
    ) -> Result<Vec<(String, RegValue)>, RegError> {
        let path = path.to_reg_path()?;
        let r = self.read(caller, &path)?;
        let key = self
            .lookup(&r)
            .ok_or_else(|| RegError::not_found(path.to_string()))?;
        Ok(key
            .values()
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect())
    }

    // ----- values -------------------------------------------------------------------------

    /// Sets a value on an existing key (RegSetValueEx). `""` names the default value.
    pub fn set_value<P: ToRegPath + ?Sized>(
        &mut self,
        caller: &Caller,
        path: &P,
        name: &str,
        value: RegValue,
    ) -> Result<(), RegError> {
        let path = path.to_reg_path()?;
        crate::limits::check_value(name, &value)?;
        let r = self.resolve(caller, &path);
        if self.lookup(&r).is_none() {
            self.log(caller, &r, AccessOp::Write, true);
            return Err(RegError::not_found(path.to_string()));
        }
        self.check_write(caller, &r, AccessOp::Write)?;
        let key = self.lookup_mut(&r).expect("checked above");
        key.set_value(name, value);
        self.changed(
            r.folded(),
            RegChange {
                kind: ChangeKind::ValueSet,
                path: r.display(),
                value: Some(name.to_string()),
            },
        );
        Ok(())
    }

    /// Deletes a value (RegDeleteValue); ERROR_FILE_NOT_FOUND (2) when it is missing.
    pub fn delete_value<P: ToRegPath + ?Sized>(
        &mut self,
        caller: &Caller,
        path: &P,
        name: &str,
    ) -> Result<(), RegError> {
        let path = path.to_reg_path()?;
        let r = self.resolve(caller, &path);
        let exists = self.lookup(&r).map(|k| k.value(name).is_some());
        match exists {
            None => return Err(RegError::not_found(path.to_string())),
            Some(false) => return Err(RegError::not_found(format!("{path} value {name:?}"))),
            Some(true) => {}
        }
        self.check_write(caller, &r, AccessOp::Delete)?;
        self.lookup_mut(&r)
            .expect("checked above")
            .remove_value(name);
        self.changed(
            r.folded(),
            RegChange {
                kind: ChangeKind::ValueDeleted,
                path: r.display(),
                value: Some(name.to_string()),
            },
        );
        Ok(())
    }

    /// Reads a value (RegQueryValueEx). ERROR_FILE_NOT_FOUND (2) for a missing key or value.
    pub fn get_value<P: ToRegPath + ?Sized>(
        &mut self,
        caller: &Caller,
        path: &P,
        name: &str,
    ) -> Result<RegValue, RegError> {
        let path = path.to_reg_path()?;
        let r = self.read(caller, &path)?;
        self.lookup(&r)
            .ok_or_else(|| RegError::not_found(path.to_string()))?
            .value(name)
            .cloned()
            .ok_or_else(|| RegError::not_found(format!("{path} value {name:?}")))
    }

    /// A REG_DWORD (or big-endian DWORD); ERROR_UNSUPPORTED_TYPE (1630) for another type.
    pub fn get_dword<P: ToRegPath + ?Sized>(
        &mut self,
        caller: &Caller,
        path: &P,
        name: &str,
    ) -> Result<u32, RegError> {
        self.get_value(caller, path, name)?.as_dword()
    }

    /// A REG_QWORD.
    pub fn get_qword<P: ToRegPath + ?Sized>(
        &mut self,
        caller: &Caller,
        path: &P,
        name: &str,
    ) -> Result<u64, RegError> {
        self.get_value(caller, path, name)?.as_qword()
    }

    /// A REG_SZ or REG_EXPAND_SZ as stored (not expanded).
    pub fn get_string<P: ToRegPath + ?Sized>(
        &mut self,
        caller: &Caller,
        path: &P,
        name: &str,
    ) -> Result<String, RegError> {
        let v = self.get_value(caller, path, name)?;
        match v.value_type() {
            ValueType::SZ | ValueType::EXPAND_SZ => v.as_string(),
            other => Err(RegError::wrong_type(other, "REG_SZ")),
        }
    }

    /// A REG_SZ as stored, or a REG_EXPAND_SZ expanded with [`Registry::environment`]
    /// (RegGetValue without RRF_NOEXPAND).
    pub fn get_expanded_string<P: ToRegPath + ?Sized>(
        &mut self,
        caller: &Caller,
        path: &P,
        name: &str,
    ) -> Result<String, RegError> {
        let v = self.get_value(caller, path, name)?;
        match v.value_type() {
            ValueType::SZ => v.as_string(),
            ValueType::EXPAND_SZ => Ok(self.environment.expand(&v.as_string()?)),
            other => Err(RegError::wrong_type(other, "REG_SZ")),
        }
    }

    /// The strings of a REG_MULTI_SZ.
    pub fn get_multi_sz<P: ToRegPath + ?Sized>(
        &mut self,
        caller: &Caller,
        path: &P,
        name: &str,
    ) -> Result<Vec<String>, RegError> {
        self.get_value(caller, path, name)?.as_multi_sz()
    }

    /// The bytes of a REG_BINARY.
    pub fn get_binary<P: ToRegPath + ?Sized>(
        &mut self,
        caller: &Caller,
        path: &P,
        name: &str,
    ) -> Result<Vec<u8>, RegError> {
        Ok(self.get_value(caller, path, name)?.as_binary()?.to_vec())
    }

    // ----- watchers -----------------------------------------------------------------------

    /// Watches an existing key for changes (RegNotifyChangeKeyValue).
    pub fn watch<P: ToRegPath + ?Sized>(
        &mut self,
        caller: &Caller,
        path: &P,
        filter: WatchFilter,
    ) -> Result<WatchHandle, RegError> {
        let path = path.to_reg_path()?;
        let r = self.read(caller, &path)?;
        if self.lookup(&r).is_none() {
            return Err(RegError::not_found(path.to_string()));
        }
        Ok(self.watchers.add(r.folded(), filter))
    }

    // ----- whole subtrees (used by .reg import, snapshots and control sets) ---------------

    /// A copy of the subtree at `path`.
    pub fn export_subtree<P: ToRegPath + ?Sized>(
        &self,
        caller: &Caller,
        path: &P,
    ) -> Result<Key, RegError> {
        self.open_key(caller, path).cloned()
    }

    /// Replaces (or creates) the key at `path` with `subtree` (its name is taken from the
    /// path). Parents are created as needed. Needs write access.
    pub fn replace_subtree<P: ToRegPath + ?Sized>(
        &mut self,
        caller: &Caller,
        path: &P,
        mut subtree: Key,
    ) -> Result<(), RegError> {
        let path = path.to_reg_path()?;
        let r = self.resolve(caller, &path);
        if r.parts.is_empty() {
            return Err(RegError::access_denied("cannot replace a root key"));
        }
        crate::limits::check_depth(r.depth())?;
        self.check_write(caller, &r, AccessOp::Write)?;
        let (leaf, parent_parts) = r.parts.split_last().expect("non-root");
        let store = r.store;
        let mut key = self.store_mut(store);
        for name in parent_parts {
            key = key.create_child(name);
        }
        let name = key
            .child(leaf)
            .map(|k| k.name().to_string())
            .unwrap_or_else(|| leaf.clone());
        subtree.rename(&name);
        key.insert_child(subtree);
        self.changed(
            fold(&r.display()),
            RegChange {
                kind: ChangeKind::KeyCreated,
                path: r.display(),
                value: None,
            },
        );
        Ok(())
    }

    /// Checks what [`Registry::create_key`] would refuse for its size: the depth limit
    /// (ERROR_NO_SYSTEM_RESOURCES, 1450) of `path` as `caller` resolves it.
    pub(crate) fn check_create_limits(
        &self,
        caller: &Caller,
        path: &RegPath,
    ) -> Result<(), RegError> {
        crate::limits::check_depth(self.resolve(caller, path).depth())
    }

    /// Counts every key (both hives, roots included) and every value.
    pub fn count(&self) -> (usize, usize) {
        (
            self.machine.count_keys() + self.users.count_keys(),
            self.machine.count_values() + self.users.count_values(),
        )
    }

    /// An estimate of the heap memory the tree holds, in bytes.
    pub fn heap_bytes(&self) -> usize {
        self.machine.heap_bytes() + self.users.heap_bytes()
    }
}
