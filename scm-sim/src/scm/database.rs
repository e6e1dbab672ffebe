//! The SCM database: the service records by name, and the indexes the engine keeps so that a
//! per-service operation costs the same on a machine of ten services or of ten thousand —
//! the reverse dependencies (who depends on a service, for STOP's ERROR_DEPENDENT_SERVICES_RUNNING
//! check) and the services in a pending state (for the hang watchdog).
//!
//! Records are reached by any spelling of their name (`get("spooler")`); configuration
//! changes go through [`Database::set_config`] so the dependency index follows them.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use crate::scm::record::{ServiceConfig, ServiceRecord};
use crate::service::ServiceName;

/// The records and their indexes. The indexes are private: they change only with the
/// records.
///
/// Records live in slots; `order` keeps them in the registry's key order for every
/// iteration (order is observable: `sc query`, enumeration, boot), and `index` finds a slot
/// by folded name in constant time (it is never iterated, so its order does not matter). A
/// lookup then costs the same on a machine of ten services or of ten thousand.
#[derive(Debug, Default)]
pub(crate) struct Database {
    slots: Vec<Option<ServiceRecord>>,
    /// Slots emptied by removals, reused by the next inserts.
    free: Vec<usize>,
    /// Folded name → slot, in key order.
    order: BTreeMap<ServiceName, usize>,
    /// Folded name → slot, hashed (lookups only).
    index: HashMap<Box<str>, usize, BuildHasherDefault<NameHasher>>,
    /// Folded DependOnService entry → the services that list it (names may refer to services
    /// that do not exist yet).
    dependents: BTreeMap<ServiceName, BTreeSet<ServiceName>>,
    /// Services in a pending state (kept by the transition function).
    pending: BTreeSet<ServiceName>,
}

/// A small multiplicative hash for folded service names (the index is private and never
/// iterated; names are short, so a cryptographic hash would cost more than the lookup).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct NameHasher(u64);

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl Database {
    /// The slot of a service, by any spelling of its name.
    fn slot(&self, name: &str) -> Option<usize> {
        // The engine's own keys are folded already: try them as they are first.
        match self.index.get(name) {
            Some(&i) => Some(i),
            None => self.index.get(&*ServiceName::fold(name)).copied(),
        }
    }

    /// The record of a service, by any spelling of its name.
    pub(crate) fn get(&self, name: &str) -> Option<&ServiceRecord> {
        self.slots.get(self.slot(name)?)?.as_ref()
    }

    /// The record of a service, mutably. Its status is written only by the transition
    /// function; its configuration only by [`Database::set_config`].
    pub(crate) fn get_mut(&mut self, name: &str) -> Option<&mut ServiceRecord> {
        let i = self.slot(name)?;
        self.slots.get_mut(i)?.as_mut()
    }

    /// True when the service exists.
    pub(crate) fn contains_key(&self, name: &str) -> bool {
        self.slot(name).is_some()
    }

    /// Every record, in the registry's key order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&ServiceName, &ServiceRecord)> {
        self.order
            .iter()
            .filter_map(|(n, &i)| Some((n, self.slots.get(i)?.as_ref()?)))
    }

    /// Every record, in the registry's key order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &ServiceRecord> {
        self.iter().map(|(_, r)| r)
    }

    /// Adds (or replaces) a record.
    pub(crate) fn insert(&mut self, record: ServiceRecord) {
        let name = record.name.clone();
        if self.index.contains_key(name.folded()) {
            self.remove(name.folded());
        }
        self.index_dependencies(&name, &record.config.depend_on_service);
        let i = match self.free.pop() {
            Some(i) => {
                self.slots[i] = Some(record);
                i
            }
            None => {
                self.slots.push(Some(record));
                self.slots.len() - 1
            }
        };
        self.index.insert(name.folded().into(), i);
        self.order.insert(name, i);
    }

    /// Removes a record and its index entries.
    pub(crate) fn remove(&mut self, name: &str) -> Option<ServiceRecord> {
        let i = self.slot(name)?;
        let record = self.slots.get_mut(i)?.take()?;
        self.free.push(i);
        self.index.remove(record.name.folded());
        self.order.remove(record.name.folded());
        self.unindex_dependencies(&record.name, &record.config.depend_on_service);
        self.pending.remove(record.name.folded());
        Some(record)
    }

    /// Empties the database (the boot rebuilds it from the registry).
    pub(crate) fn clear(&mut self) {
        *self = Database::default();
    }

    /// Replaces a record's configuration (after a change written to the registry).
    pub(crate) fn set_config(&mut self, name: &str, config: ServiceConfig, display: String) {
        let Some(rec) = self.get_mut(name) else {
            return;
        };
        let service = rec.name.clone();
        let old = std::mem::replace(&mut rec.config, config);
        rec.display = display;
        let new = rec.config.depend_on_service.clone();
        self.unindex_dependencies(&service, &old.depend_on_service);
        self.index_dependencies(&service, &new);
    }

    /// The services whose DependOnService lists `name`, in key order.
    pub(crate) fn dependents_of(&self, name: &str) -> impl Iterator<Item = &ServiceRecord> {
        self.dependents
            .get(&*ServiceName::fold(name))
            .into_iter()
            .flatten()
            .filter_map(|d| self.get(d.folded()))
    }

    /// Marks a service as pending or not (the transition function's step 4); true when that
    /// changed the set.
    pub(crate) fn set_pending(&mut self, name: &ServiceName, pending: bool) -> bool {
        if pending {
            self.pending.insert(name.clone())
        } else {
            self.pending.remove(name.folded())
        }
    }

    /// The services in a pending state.
    pub(crate) fn pending(&self) -> impl Iterator<Item = &ServiceRecord> {
        self.pending.iter().filter_map(|n| self.get(n.folded()))
    }

    fn index_dependencies(&mut self, service: &ServiceName, deps: &[String]) {
        for dep in deps {
            self.dependents
                .entry(ServiceName::new(dep))
                .or_default()
                .insert(service.clone());
        }
    }

    fn unindex_dependencies(&mut self, service: &ServiceName, deps: &[String]) {
        for dep in deps {
            let key = ServiceName::fold(dep);
            if let Some(set) = self.dependents.get_mut(&*key) {
                set.remove(service.folded());
                if set.is_empty() {
                    self.dependents.remove(&*key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(name: &str, deps: &[&str]) -> ServiceRecord {
        let mut config = ServiceConfig::new(0x10, 3, 1);
        config.depend_on_service = deps.iter().map(|d| d.to_string()).collect();
        ServiceRecord::new(name, config, String::new())
    }

    fn dependents(db: &Database, name: &str) -> Vec<String> {
        db.dependents_of(name).map(|r| r.name.to_string()).collect()
    }

    #[test]
    fn the_reverse_dependency_index_follows_inserts_config_changes_and_removals() {
        let mut db = Database::default();
        db.insert(record("Client", &["server"]));
        db.insert(record("Other", &["SERVER", "Third"]));
        assert_eq!(dependents(&db, "Server"), ["Client", "Other"]);
        let mut changed = ServiceConfig::new(0x10, 3, 1);
        changed.depend_on_service = vec!["Third".into()];
        db.set_config("CLIENT", changed, String::new());
        assert_eq!(dependents(&db, "server"), ["Other"]);
        assert_eq!(dependents(&db, "third"), ["Client", "Other"]);
        db.remove("other");
        assert_eq!(dependents(&db, "Third"), ["Client"]);
        assert!(dependents(&db, "Server").is_empty());
    }

    #[test]
    fn records_are_found_by_any_spelling() {
        let mut db = Database::default();
        db.insert(record("Spooler", &[]));
        assert!(db.contains_key("spooler"));
        assert_eq!(db.get("SPOOLER").map(|r| r.name.as_str()), Some("Spooler"));
    }
}
