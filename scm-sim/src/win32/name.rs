//! Service names as the SCM compares them: case-insensitively (a service is its registry key,
//! and key names fold as [`fake_registry::key::fold`] folds them), shown as they were stored.
//!
//! ```
//! use scm_sim::service::ServiceName;
//!
//! let stored = ServiceName::new("Spooler");
//! assert_eq!(stored, ServiceName::new("SPOOLER"));
//! assert_eq!(stored, "spooler");
//! assert_eq!(stored.as_str(), "Spooler");      // shown as stored
//! assert_eq!(stored.folded(), "SPOOLER");      // compared, ordered and hashed by this
//! assert_eq!(stored.to_string(), "Spooler");
//! ```

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A service name: equal, ordered and hashed by its folded (upper-cased) form, displayed as
/// given. Cloning shares the text (a reference count), so the engine passes names around
/// without copying strings.
///
/// It borrows as its folded `str`, so maps keyed by `ServiceName` are searched with a folded
/// name without building one: `map.get(name.folded())`, or `map.get("SPOOLER")`.
#[derive(Clone)]
pub struct ServiceName(Arc<Texts>);

struct Texts {
    shown: Arc<str>,
    folded: Box<str>,
}

impl ServiceName {
    /// A name as stored (case preserved).
    pub fn new(name: &str) -> ServiceName {
        ServiceName(Arc::new(Texts {
            shown: name.into(),
            folded: fake_registry::key::fold(name).into(),
        }))
    }

    /// The name as stored.
    pub fn as_str(&self) -> &str {
        &self.0.shown
    }

    /// The name as stored, shared (for trace entries: cloning it is a reference count).
    pub fn shared(&self) -> Arc<str> {
        self.0.shown.clone()
    }

    /// The folded form names are compared by.
    pub fn folded(&self) -> &str {
        &self.0.folded
    }

    /// The folded form of any text, for looking a name up in a map keyed by `ServiceName`
    /// (no allocation when the text is already folded).
    pub fn fold(name: &str) -> std::borrow::Cow<'_, str> {
        fake_registry::key::fold_cow(name)
    }

    /// True when two texts name the same service.
    pub fn same(a: &str, b: &str) -> bool {
        ServiceName::fold(a) == ServiceName::fold(b)
    }

    /// True when `other` names the same service.
    pub fn is(&self, other: &str) -> bool {
        *self.folded() == *ServiceName::fold(other)
    }
}

impl PartialEq for ServiceName {
    fn eq(&self, other: &ServiceName) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.folded() == other.folded()
    }
}

impl Eq for ServiceName {}

impl PartialEq<str> for ServiceName {
    fn eq(&self, other: &str) -> bool {
        self.is(other)
    }
}

impl PartialEq<&str> for ServiceName {
    fn eq(&self, other: &&str) -> bool {
        self.is(other)
    }
}

impl PartialOrd for ServiceName {
    fn partial_cmp(&self, other: &ServiceName) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ServiceName {
    fn cmp(&self, other: &ServiceName) -> Ordering {
        self.folded().cmp(other.folded())
    }
}

impl Hash for ServiceName {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // As `str` hashes, so that `Borrow<str>` (the folded form) is consistent.
        self.folded().hash(state);
    }
}

impl Borrow<str> for ServiceName {
    fn borrow(&self) -> &str {
        self.folded()
    }
}

impl fmt::Display for ServiceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ServiceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl From<&str> for ServiceName {
    fn from(name: &str) -> ServiceName {
        ServiceName::new(name)
    }
}

impl From<&String> for ServiceName {
    fn from(name: &String) -> ServiceName {
        ServiceName::new(name)
    }
}

impl From<String> for ServiceName {
    fn from(name: String) -> ServiceName {
        ServiceName::new(&name)
    }
}

impl Serialize for ServiceName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ServiceName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ServiceName, D::Error> {
        String::deserialize(d).map(ServiceName::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn maps_keyed_by_names_are_searched_by_folded_text() {
        let mut map = BTreeMap::new();
        map.insert(ServiceName::new("wuauserv"), 1);
        assert_eq!(map.get("WUAUSERV"), Some(&1));
        assert_eq!(map.get(&*ServiceName::fold("WuAuServ")), Some(&1));
        assert_eq!(map.get("wuauserv"), None, "lookups take the folded form");
    }

    #[test]
    fn names_order_as_the_registry_orders_keys() {
        // Windows orders key names by their upper-cased form: `_` (0x5F) sorts after letters.
        let mut names = [ServiceName::new("a_b"), ServiceName::new("AZ")];
        names.sort();
        assert_eq!(names[0].as_str(), "AZ");
    }

    #[test]
    fn non_ascii_names_fold_by_unicode() {
        assert_eq!(ServiceName::new("dienst_ä"), ServiceName::new("DIENST_Ä"));
        assert!(matches!(
            ServiceName::fold("DIENST_Ä"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
