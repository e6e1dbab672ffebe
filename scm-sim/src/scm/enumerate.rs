//! Enumeration and name lookups: EnumServicesStatusEx, EnumDependentServices,
//! GetServiceDisplayName and GetServiceKeyName.

use serde::{Deserialize, Serialize};

use crate::error::Win32Error;
use crate::scm::handles::access::{self, ScmAccess};
use crate::scm::{ScHandle, Scm, State};
use crate::service::{ServiceStateFilter, ServiceStatusProcess, ServiceType};

/// One entry of EnumServicesStatusEx (ENUM_SERVICE_STATUS_PROCESS).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumServiceStatus {
    /// The key name.
    pub service_name: String,
    /// The display name (never empty).
    pub display_name: String,
    /// The status.
    pub status: ServiceStatusProcess,
}

impl Scm {
    /// EnumServicesStatusEx: `service_type` is a mask of types (e.g. [`ServiceType::WIN32`]),
    /// `state` the state filter; `group` None = any, "" = no group. An empty type or state
    /// mask is refused with 87 (after the handle check, before the access check).
    pub fn enum_services_status(
        &self,
        scm: ScHandle,
        service_type: ServiceType,
        state: ServiceStateFilter,
        group: Option<&str>,
    ) -> Result<Vec<EnumServiceStatus>, Win32Error> {
        let st = self.core.lock();
        st.handles.get(scm)?;
        let type_bits = service_type.to_raw();
        if type_bits == 0 || type_bits & !ServiceType::ALL.0 != 0 || state.is_empty() {
            return Err(Win32Error::INVALID_PARAMETER);
        }
        st.manager_handle(scm, access::SC_MANAGER_ENUMERATE_SERVICE)?;
        if let Some(g) = group.filter(|g| !g.is_empty()) {
            if !st
                .records
                .values()
                .any(|r| r.group().eq_ignore_ascii_case(g))
            {
                return Err(Win32Error::SERVICE_DOES_NOT_EXIST);
            }
        }
        Ok(st
            .records
            .values()
            .filter(|r| r.config.service_type & type_bits != 0)
            .filter(|r| state.matches(r.status().state))
            .filter(|r| match group {
                None => true,
                Some(g) => r.group().eq_ignore_ascii_case(g),
            })
            .map(|r| EnumServiceStatus {
                service_name: r.name.to_string(),
                display_name: r.display_name(),
                status: r.status_process(),
            })
            .collect())
    }

    /// EnumDependentServices: services that depend on this one, deepest first.
    pub fn enum_dependent_services(
        &self,
        h: ScHandle,
        state: ServiceStateFilter,
    ) -> Result<Vec<EnumServiceStatus>, Win32Error> {
        let st = self.core.lock();
        let key = st.service_handle(h, access::SERVICE_ENUMERATE_DEPENDENTS)?;
        if state.is_empty() {
            return Err(Win32Error::INVALID_PARAMETER);
        }
        let mut out: Vec<String> = Vec::new();
        collect_dependents(&st, &key, &mut out, &mut Vec::new());
        Ok(out
            .iter()
            .filter_map(|k| st.records.get(k))
            .filter(|r| state.matches(r.status().state))
            .map(|r| EnumServiceStatus {
                service_name: r.name.to_string(),
                display_name: r.display_name(),
                status: r.status_process(),
            })
            .collect())
    }

    /// GetServiceDisplayName: the display name of a key name (case-insensitive).
    pub fn get_service_display_name(
        &self,
        scm: ScHandle,
        key_name: &str,
    ) -> Result<String, Win32Error> {
        let st = self.core.lock();
        st.manager_handle(scm, ScmAccess::empty())?;
        st.record(key_name)
            .map(|r| r.display_name())
            .ok_or(Win32Error::SERVICE_DOES_NOT_EXIST)
    }

    /// GetServiceKeyName: the key name of a display name (case-insensitive; the first match).
    pub fn get_service_key_name(
        &self,
        scm: ScHandle,
        display_name: &str,
    ) -> Result<String, Win32Error> {
        let st = self.core.lock();
        st.manager_handle(scm, ScmAccess::empty())?;
        let found = st
            .records
            .values()
            .find(|r| r.display_name().eq_ignore_ascii_case(display_name))
            .map(|r| r.name.to_string());
        found.ok_or(Win32Error::SERVICE_DOES_NOT_EXIST)
    }
}

fn collect_dependents(st: &State, key: &str, out: &mut Vec<String>, visiting: &mut Vec<String>) {
    if visiting.iter().any(|v| v == key) {
        return;
    }
    visiting.push(key.to_string());
    let group = st.records.get(key).map(|r| r.group()).unwrap_or_default();
    let direct: Vec<String> = st
        .records
        .iter()
        .filter(|(_, r)| {
            r.config
                .depend_on_service
                .iter()
                .any(|d| crate::service::ServiceName::same(d, key))
                || (!group.is_empty()
                    && r.config
                        .depend_on_group
                        .iter()
                        .any(|g| g.eq_ignore_ascii_case(&group)))
        })
        .map(|(k, _)| k.folded().to_string())
        .collect();
    for d in direct {
        collect_dependents(st, &d, out, visiting);
        if !out.contains(&d) {
            out.push(d);
        }
    }
    visiting.pop();
}
