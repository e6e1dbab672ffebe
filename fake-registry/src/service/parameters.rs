//! The svchost values of a service DLL (scm-facts §2.6): `ServiceDll`, `ServiceMain`,
//! `ServiceDllUnloadOnStop`, `ServiceManifest` and `ServiceIdleTimeout`. svchost 6.0+ looks
//! each up in `Services\<name>\Parameters` first, then in `Services\<name>` itself; the view
//! records where each was found and with which registry type, so a write puts it back there.
//!
//! ```
//! use fake_registry::service::{DllLoadProblem, ParamLocation, ParamValue, ServiceParameters};
//! use fake_registry::ValueType;
//!
//! let p = ServiceParameters::with_dll(r"%SystemRoot%\System32\AJRouter.dll");
//! assert_eq!(p.loadable_dll(), Ok(r"%SystemRoot%\System32\AJRouter.dll"));
//! assert_eq!(p.service_main_name(), "ServiceMain");
//!
//! // VaultSvc in the Windows 10 fixture stores its ServiceDll as REG_SZ; svchost wants
//! // REG_EXPAND_SZ.
//! let mut vault = ServiceParameters::default();
//! vault.service_dll = Some(ParamValue::new(
//!     r"C:\Windows\System32\vaultsvc.dll".to_string(),
//!     ValueType::SZ,
//!     ParamLocation::Parameters,
//! ));
//! assert_eq!(vault.loadable_dll(), Err(DllLoadProblem::ServiceDllNotExpandSz { found: ValueType::SZ }));
//! ```

use super::fields::{string_of, Fields, Writer};
use super::ServiceKeyError;
use crate::key::Key;
use crate::value::{RegValue, ValueType};

/// Where a §2.6 value was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamLocation {
    /// In `Services\<name>\Parameters` (looked up first).
    Parameters,
    /// In `Services\<name>` itself (svchost 6.0+ fallback).
    ServiceKey,
}

/// A value with its registry type and the key it lives in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ParamValue<T> {
    /// The data (strings unexpanded).
    pub value: T,
    /// The registry type it is stored with. Strings are written as REG_EXPAND_SZ when this
    /// says so and as REG_SZ otherwise; numbers as REG_DWORD_BIG_ENDIAN when this says so and
    /// as REG_DWORD otherwise.
    pub value_type: ValueType,
    /// The key it was found in (and is written to).
    pub location: ParamLocation,
}

impl<T> ParamValue<T> {
    /// A value of the given type at the given place.
    pub fn new(value: T, value_type: ValueType, location: ParamLocation) -> ParamValue<T> {
        ParamValue {
            value,
            value_type,
            location,
        }
    }
}

/// The svchost values of a service; every field is `None` when the value is in neither key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ServiceParameters {
    /// `ServiceDll`: the DLL path. svchost only accepts REG_EXPAND_SZ
    /// (see [`ServiceParameters::loadable_dll`]); REG_SZ is read and kept as such.
    pub service_dll: Option<ParamValue<String>>,
    /// `ServiceMain`: the exported entry point (default `ServiceMain`).
    pub service_main: Option<ParamValue<String>>,
    /// `ServiceDllUnloadOnStop`: 1 = unload the DLL once all its services stopped.
    pub service_dll_unload_on_stop: Option<ParamValue<u32>>,
    /// `ServiceManifest`: an activation-context manifest (REG_EXPAND_SZ).
    pub service_manifest: Option<ParamValue<String>>,
    /// `ServiceIdleTimeout` (seconds), seen on a few Xbox services.
    pub service_idle_timeout: Option<ParamValue<u32>>,
}

/// Why svchost would refuse to load a service's DLL (§2.6).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DllLoadProblem {
    /// No `ServiceDll` in `Parameters` nor in the service key.
    NoServiceDll,
    /// `ServiceDll` is not REG_EXPAND_SZ.
    ServiceDllNotExpandSz {
        /// The type it has.
        found: ValueType,
    },
    /// `ServiceManifest` is present but empty or not REG_EXPAND_SZ.
    UnusableManifest,
}

const DLL: &str = "ServiceDll";
const MAIN: &str = "ServiceMain";
const UNLOAD: &str = "ServiceDllUnloadOnStop";
const MANIFEST: &str = "ServiceManifest";
const IDLE: &str = "ServiceIdleTimeout";

impl ServiceParameters {
    /// A `ServiceDll` (REG_EXPAND_SZ) in `Parameters`, nothing else.
    pub fn with_dll(path: &str) -> ServiceParameters {
        ServiceParameters {
            service_dll: Some(ParamValue::new(
                path.to_string(),
                ValueType::EXPAND_SZ,
                ParamLocation::Parameters,
            )),
            ..ServiceParameters::default()
        }
    }

    /// True when no value is set.
    pub fn is_empty(&self) -> bool {
        *self == ServiceParameters::default()
    }

    /// The entry point svchost calls: `ServiceMain` unless the value names another.
    pub fn service_main_name(&self) -> &str {
        self.service_main
            .as_ref()
            .map_or("ServiceMain", |v| v.value.as_str())
    }

    /// True when svchost unloads the DLL once all its services stopped.
    pub fn unloads_on_stop(&self) -> bool {
        self.service_dll_unload_on_stop
            .as_ref()
            .is_some_and(|v| v.value != 0)
    }

    /// The DLL path (unexpanded) if svchost would load it: `ServiceDll` present as
    /// REG_EXPAND_SZ, and `ServiceManifest` absent or a non-empty REG_EXPAND_SZ.
    pub fn loadable_dll(&self) -> Result<&str, DllLoadProblem> {
        let dll = self
            .service_dll
            .as_ref()
            .ok_or(DllLoadProblem::NoServiceDll)?;
        if dll.value_type != ValueType::EXPAND_SZ {
            return Err(DllLoadProblem::ServiceDllNotExpandSz {
                found: dll.value_type,
            });
        }
        if let Some(m) = &self.service_manifest {
            if m.value_type != ValueType::EXPAND_SZ || m.value.is_empty() {
                return Err(DllLoadProblem::UnusableManifest);
            }
        }
        Ok(&dll.value)
    }

    /// Reads the five values, each from `Parameters` first and then from the service key.
    pub(crate) fn read(
        service: &str,
        service_key: &Key,
    ) -> Result<ServiceParameters, ServiceKeyError> {
        let own = Fields {
            service,
            prefix: "",
            key: service_key,
        };
        let params = service_key.child("Parameters").map(|key| Fields {
            service,
            prefix: "Parameters\\",
            key,
        });
        let places = [
            params.map(|f| (f, ParamLocation::Parameters)),
            Some((own, ParamLocation::ServiceKey)),
        ];
        let find = |name: &str| {
            places
                .iter()
                .flatten()
                .find(|(f, _)| f.raw(name).is_some())
                .copied()
        };
        let string = |name: &str| -> Result<Option<ParamValue<String>>, ServiceKeyError> {
            let Some((f, at)) = find(name) else {
                return Ok(None);
            };
            Ok(f.typed_string(name)?
                .map(|(s, t)| ParamValue::new(s, t, at)))
        };
        let dword = |name: &str| -> Result<Option<ParamValue<u32>>, ServiceKeyError> {
            let Some((f, at)) = find(name) else {
                return Ok(None);
            };
            let t = f.raw(name).map_or(ValueType::DWORD, |v| v.value_type());
            Ok(f.dword(name)?.map(|n| ParamValue::new(n, t, at)))
        };
        Ok(ServiceParameters {
            service_dll: string(DLL)?,
            service_main: string(MAIN)?,
            service_dll_unload_on_stop: dword(UNLOAD)?,
            service_manifest: string(MANIFEST)?,
            service_idle_timeout: dword(IDLE)?,
        })
    }

    /// Writes each `Some` value to its location and deletes it from the other one; deletes
    /// `None` values from both. Creates `Parameters` only when a value goes there; never
    /// deletes it (it holds the service's own settings too).
    pub(crate) fn write(&self, service_key: &mut Writer<'_>) -> Result<(), ServiceKeyError> {
        let strings = [
            (DLL, &self.service_dll),
            (MAIN, &self.service_main),
            (MANIFEST, &self.service_manifest),
        ];
        let dwords = [
            (UNLOAD, &self.service_dll_unload_on_stop),
            (IDLE, &self.service_idle_timeout),
        ];
        let mut plan: Vec<(&str, Option<(RegValue, ParamLocation)>)> = Vec::new();
        for (name, v) in strings {
            plan.push((
                name,
                v.as_ref()
                    .map(|p| (string_of(&p.value, p.value_type), p.location)),
            ));
        }
        for (name, v) in dwords {
            plan.push((
                name,
                v.as_ref().map(|p| {
                    let data = if p.value_type == ValueType::DWORD_BIG_ENDIAN {
                        RegValue::dword_big_endian(p.value)
                    } else {
                        RegValue::dword(p.value)
                    };
                    (data, p.location)
                }),
            ));
        }
        let mut params = service_key.sub("Parameters");
        let params_exists = params.exists();
        let needs_params = plan
            .iter()
            .any(|(_, v)| matches!(v, Some((_, ParamLocation::Parameters))));
        if needs_params && !params_exists {
            params.create()?;
        }
        if needs_params || params_exists {
            for (name, v) in &plan {
                match v {
                    Some((data, ParamLocation::Parameters)) => {
                        params.put(name, Some(data.clone()))?
                    }
                    _ => params.remove(name)?,
                }
            }
        }
        for (name, v) in plan {
            match v {
                Some((data, ParamLocation::ServiceKey)) => service_key.put(name, Some(data))?,
                _ => service_key.remove(name)?,
            }
        }
        Ok(())
    }
}
