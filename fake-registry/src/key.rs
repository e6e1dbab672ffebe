//! One key of the tree: its case-preserved name, its values in insertion order, and its
//! subkeys in Windows' order (case-insensitive, by upper-cased name).
//!
//! ```
//! use fake_registry::{Key, RegValue};
//!
//! let mut k = Key::new("Services");
//! k.create_child("spooler");
//! k.create_child("AJRouter");
//! k.set_value("Start", RegValue::dword(2));
//! let names: Vec<_> = k.subkeys().map(|s| s.name()).collect();
//! assert_eq!(names, ["AJRouter", "spooler"]);
//! assert_eq!(k.value("START").unwrap().as_dword().unwrap(), 2);
//! ```

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::value::RegValue;

/// The ordering key Windows uses for subkey names: the name upper-cased (ASCII names by ASCII
/// rules, others by Unicode's). Names that fold alike are the same key.
///
/// ```
/// assert_eq!(fake_registry::key::fold("Spooler"), "SPOOLER");
/// assert_eq!(fake_registry::key::fold("dienst_ä"), "DIENST_Ä");
/// ```
pub fn fold(name: &str) -> String {
    if name.is_ascii() {
        name.to_ascii_uppercase()
    } else {
        name.to_uppercase()
    }
}

/// [`fold`] without a copy when `name` is folded already (lookups by the engine's own keys).
///
/// ```
/// use std::borrow::Cow;
/// assert!(matches!(fake_registry::key::fold_cow("SPOOLER"), Cow::Borrowed("SPOOLER")));
/// assert_eq!(fake_registry::key::fold_cow("Spooler"), "SPOOLER");
/// ```
pub fn fold_cow(name: &str) -> std::borrow::Cow<'_, str> {
    let folded_already = if name.is_ascii() {
        !name.bytes().any(|b| b.is_ascii_lowercase())
    } else {
        fold(name) == name
    };
    if folded_already {
        std::borrow::Cow::Borrowed(name)
    } else {
        std::borrow::Cow::Owned(fold(name))
    }
}

/// A registry key with its values and subkeys.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Key {
    name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    values: Vec<(String, RegValue)>,
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        with = "children_as_list"
    )]
    children: BTreeMap<String, Key>,
}

impl Key {
    /// An empty key named `name`.
    pub fn new(name: &str) -> Key {
        Key {
            name: name.to_string(),
            values: Vec::new(),
            children: BTreeMap::new(),
        }
    }

    /// The name as created (case preserved).
    pub fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn rename(&mut self, name: &str) {
        self.name = name.to_string();
    }

    /// Subkeys in Windows' enumeration order.
    pub fn subkeys(&self) -> impl ExactSizeIterator<Item = &Key> + '_ {
        self.children.values()
    }

    /// Number of subkeys.
    pub fn subkey_count(&self) -> usize {
        self.children.len()
    }

    /// The subkey named `name` (case-insensitive).
    pub fn child(&self, name: &str) -> Option<&Key> {
        self.children.get(&*fold_cow(name))
    }

    /// The subkey named `name`, mutable.
    pub fn child_mut(&mut self, name: &str) -> Option<&mut Key> {
        self.children.get_mut(&*fold_cow(name))
    }

    /// The subkey named `name`, created if missing. Returns it and whether it was created.
    pub fn create_child(&mut self, name: &str) -> &mut Key {
        self.children
            .entry(fold(name))
            .or_insert_with(|| Key::new(name))
    }

    /// Creates the child if missing and tells whether it did.
    pub(crate) fn ensure_child(&mut self, name: &str) -> (&mut Key, bool) {
        let folded = fold(name);
        let created = !self.children.contains_key(&folded);
        let child = self
            .children
            .entry(folded)
            .or_insert_with(|| Key::new(name));
        (child, created)
    }

    /// Removes the subkey named `name` with everything below it.
    pub fn remove_child(&mut self, name: &str) -> Option<Key> {
        self.children.remove(&*fold_cow(name))
    }

    /// Inserts a whole subtree under its own name, replacing a subkey of the same name.
    pub fn insert_child(&mut self, key: Key) {
        self.children.insert(fold(&key.name), key);
    }

    /// Values in insertion order; the default value has the empty name.
    pub fn values(&self) -> impl ExactSizeIterator<Item = (&str, &RegValue)> + '_ {
        self.values.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// Number of values.
    pub fn value_count(&self) -> usize {
        self.values.len()
    }

    /// The value named `name` (case-insensitive; `""` is the default value).
    pub fn value(&self, name: &str) -> Option<&RegValue> {
        self.values
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name) || (!n.is_ascii() && fold(n) == fold(name)))
            .map(|(_, v)| v)
    }

    /// Sets a value: replaces it in place (keeping its position and the name's original
    /// case, as Windows does) or appends it.
    pub fn set_value(&mut self, name: &str, value: RegValue) {
        match self.position(name) {
            Some(i) => self.values[i].1 = value,
            None => self.values.push((name.to_string(), value)),
        }
    }

    /// Removes a value, returning it.
    pub fn remove_value(&mut self, name: &str) -> Option<RegValue> {
        let i = self.position(name)?;
        Some(self.values.remove(i).1)
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.values.iter().position(|(n, _)| {
            n.eq_ignore_ascii_case(name) || (!n.is_ascii() && fold(n) == fold(name))
        })
    }

    /// Walks down `names` (case-insensitive).
    pub fn descend<S: AsRef<str>>(&self, names: &[S]) -> Option<&Key> {
        let mut k = self;
        for n in names {
            k = k.child(n.as_ref())?;
        }
        Some(k)
    }

    /// Walks down `names`, mutable.
    pub fn descend_mut<S: AsRef<str>>(&mut self, names: &[S]) -> Option<&mut Key> {
        let mut k = self;
        for n in names {
            k = k.child_mut(n.as_ref())?;
        }
        Some(k)
    }

    /// Counts this key and every key below it.
    pub fn count_keys(&self) -> usize {
        1 + self.children.values().map(Key::count_keys).sum::<usize>()
    }

    /// Counts the values of this key and every key below it.
    pub fn count_values(&self) -> usize {
        self.values.len() + self.children.values().map(Key::count_values).sum::<usize>()
    }

    /// An estimate of the heap bytes this subtree holds (names, value data, map nodes).
    pub fn heap_bytes(&self) -> usize {
        let own = self.name.capacity()
            + self.values.capacity() * std::mem::size_of::<(String, RegValue)>()
            + self
                .values
                .iter()
                .map(|(n, v)| n.capacity() + v.bytes().len())
                .sum::<usize>();
        let children: usize = self
            .children
            .iter()
            .map(|(k, c)| k.capacity() + std::mem::size_of::<(String, Key)>() + c.heap_bytes())
            .sum();
        own + children
    }
}

mod children_as_list {
    use super::{fold, Key};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(map: &BTreeMap<String, Key>, s: S) -> Result<S::Ok, S::Error> {
        let list: Vec<&Key> = map.values().collect();
        list.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Key>, D::Error> {
        let list = Vec::<Key>::deserialize(d)?;
        let mut map = BTreeMap::new();
        for key in list {
            if key.name.is_empty() || key.name.contains('\\') {
                return Err(serde::de::Error::custom(format!(
                    "invalid key name {:?}",
                    key.name
                )));
            }
            if map.insert(fold(&key.name), key).is_some() {
                return Err(serde::de::Error::custom("two subkeys with the same name"));
            }
        }
        Ok(map)
    }
}
