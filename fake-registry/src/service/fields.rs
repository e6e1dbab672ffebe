//! Typed reads of one key's values, with errors that name the service and the value, and
//! the writes that put typed fields back (setting `Some`, deleting `None`).

use super::error::ServiceKeyError;
use crate::caller::Caller;
use crate::error::RegErrorKind;
use crate::key::Key;
use crate::registry::Registry;
use crate::value::{RegValue, ValueType};

/// Reads values of one key below a service key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields<'a> {
    pub(crate) service: &'a str,
    /// The key's path relative to the service key, with a trailing `\` (empty for the
    /// service key itself).
    pub(crate) prefix: &'a str,
    pub(crate) key: &'a Key,
}

impl<'a> Fields<'a> {
    pub(crate) fn name(&self, value: &str) -> String {
        format!("{}{value}", self.prefix)
    }

    pub(crate) fn raw(&self, value: &str) -> Option<&'a RegValue> {
        self.key.value(value)
    }

    pub(crate) fn wrong_type(
        &self,
        value: &str,
        found: ValueType,
        expected: &'static str,
    ) -> ServiceKeyError {
        ServiceKeyError::WrongType {
            service: self.service.to_string(),
            value: self.name(value),
            found,
            expected,
        }
    }

    pub(crate) fn invalid(&self, value: &str, reason: impl Into<String>) -> ServiceKeyError {
        ServiceKeyError::InvalidData {
            service: self.service.to_string(),
            value: self.name(value),
            reason: reason.into(),
        }
    }

    /// A REG_DWORD (or REG_DWORD_BIG_ENDIAN) of exactly four bytes.
    pub(crate) fn dword(&self, value: &str) -> Result<Option<u32>, ServiceKeyError> {
        let Some(v) = self.raw(value) else {
            return Ok(None);
        };
        match v.as_dword() {
            Ok(n) => Ok(Some(n)),
            Err(e) => match e.kind() {
                RegErrorKind::WrongType { found, .. } => {
                    Err(self.wrong_type(value, *found, "REG_DWORD"))
                }
                _ => Err(self.invalid(value, format!("{} bytes, not 4", v.bytes().len()))),
            },
        }
    }

    /// A DWORD read as a flag: non-zero is true.
    pub(crate) fn flag(&self, value: &str) -> Result<Option<bool>, ServiceKeyError> {
        Ok(self.dword(value)?.map(|n| n != 0))
    }

    /// A DWORD the SCM cannot do without.
    pub(crate) fn required_dword(&self, value: &str) -> Result<u32, ServiceKeyError> {
        self.dword(value)?
            .ok_or_else(|| ServiceKeyError::MissingValue {
                service: self.service.to_string(),
                value: self.name(value),
            })
    }

    /// A REG_SZ or REG_EXPAND_SZ, unexpanded, with its type.
    pub(crate) fn typed_string(
        &self,
        value: &str,
    ) -> Result<Option<(String, ValueType)>, ServiceKeyError> {
        let Some(v) = self.raw(value) else {
            return Ok(None);
        };
        match v.value_type() {
            t @ (ValueType::SZ | ValueType::EXPAND_SZ) => {
                let text = v
                    .as_string()
                    .map_err(|e| self.invalid(value, e.to_string()))?;
                Ok(Some((text, t)))
            }
            other => Err(self.wrong_type(value, other, "REG_SZ or REG_EXPAND_SZ")),
        }
    }

    /// A REG_SZ or REG_EXPAND_SZ, unexpanded.
    pub(crate) fn string(&self, value: &str) -> Result<Option<String>, ServiceKeyError> {
        Ok(self.typed_string(value)?.map(|(s, _)| s))
    }

    /// The strings of a REG_MULTI_SZ.
    pub(crate) fn multi_sz(&self, value: &str) -> Result<Option<Vec<String>>, ServiceKeyError> {
        let Some(v) = self.raw(value) else {
            return Ok(None);
        };
        v.as_multi_sz()
            .map(Some)
            .map_err(|_| self.wrong_type(value, v.value_type(), "REG_MULTI_SZ"))
    }

    /// The bytes of a REG_BINARY.
    pub(crate) fn binary(&self, value: &str) -> Result<Option<&'a [u8]>, ServiceKeyError> {
        let Some(v) = self.raw(value) else {
            return Ok(None);
        };
        v.as_binary()
            .map(Some)
            .map_err(|_| self.wrong_type(value, v.value_type(), "REG_BINARY"))
    }
}

/// Writes values of one existing key below a service key.
#[derive(Debug)]
pub(crate) struct Writer<'r> {
    pub(crate) reg: &'r mut Registry,
    pub(crate) caller: &'r Caller,
    pub(crate) service: &'r str,
    pub(crate) path: String,
}

impl Writer<'_> {
    fn wrap(&self, source: crate::error::RegError) -> ServiceKeyError {
        ServiceKeyError::Registry {
            service: self.service.to_string(),
            source,
        }
    }

    /// Sets `value` to `data`, or deletes it (when present) for `None`.
    pub(crate) fn put(
        &mut self,
        value: &str,
        data: Option<RegValue>,
    ) -> Result<(), ServiceKeyError> {
        match data {
            Some(data) => self
                .reg
                .set_value(self.caller, &self.path, value, data)
                .map_err(|e| self.wrap(e)),
            None => self.remove(value),
        }
    }

    /// Deletes `value` when present.
    pub(crate) fn remove(&mut self, value: &str) -> Result<(), ServiceKeyError> {
        let present = self
            .reg
            .open_key(self.caller, &self.path)
            .is_ok_and(|k| k.value(value).is_some());
        if present {
            self.reg
                .delete_value(self.caller, &self.path, value)
                .map_err(|e| self.wrap(e))?;
        }
        Ok(())
    }

    /// Creates the key (and its parents) when missing.
    pub(crate) fn create(&mut self) -> Result<(), ServiceKeyError> {
        self.reg
            .create_key(self.caller, &self.path)
            .map(|_| ())
            .map_err(|e| self.wrap(e))
    }

    /// True when the key exists.
    pub(crate) fn exists(&self) -> bool {
        self.reg.key_exists(self.caller, &self.path)
    }

    /// Deletes the key with its subtree when it exists.
    pub(crate) fn delete_tree(&mut self) -> Result<(), ServiceKeyError> {
        if self.exists() {
            self.reg
                .delete_key_recursive(self.caller, &self.path)
                .map_err(|e| self.wrap(e))?;
        }
        Ok(())
    }

    /// A writer for the subkey `name` of this key.
    pub(crate) fn sub(&mut self, name: &str) -> Writer<'_> {
        Writer {
            reg: self.reg,
            caller: self.caller,
            service: self.service,
            path: format!("{}\\{name}", self.path),
        }
    }
}

/// A DWORD value for an optional number.
pub(crate) fn dword(n: Option<u32>) -> Option<RegValue> {
    n.map(RegValue::dword)
}

/// A DWORD 0/1 value for an optional flag.
pub(crate) fn flag(b: Option<bool>) -> Option<RegValue> {
    b.map(|b| RegValue::dword(u32::from(b)))
}

/// A REG_SZ value for an optional string.
pub(crate) fn sz(s: &Option<String>) -> Option<RegValue> {
    s.as_deref().map(RegValue::sz)
}

/// A REG_MULTI_SZ value for an optional list.
pub(crate) fn multi(list: &Option<Vec<String>>) -> Option<RegValue> {
    list.as_deref().map(RegValue::multi_sz)
}

/// A string value of the given type (REG_SZ or REG_EXPAND_SZ).
pub(crate) fn string_of(text: &str, kind: ValueType) -> RegValue {
    if kind == ValueType::EXPAND_SZ {
        RegValue::expand_sz(text)
    } else {
        RegValue::sz(text)
    }
}
