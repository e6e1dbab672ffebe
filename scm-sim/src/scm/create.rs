//! CreateService: its arguments, Windows' checks in Windows' order, the registry key it
//! writes, event 7045, and the handle it returns.

use serde::{Deserialize, Serialize};

use fake_registry::service::{service_key_path, ServiceKey};
use fake_registry::Caller;

use crate::error::Win32Error;
use crate::events::ScmEvent;
use crate::scm::api::{creates_cycle, split_dependencies, validate_name, validate_type_start};
use crate::scm::handles::{access, grant, service_rights_for, HandleEntry, HandleTarget};
use crate::scm::record::ServiceRecord;
use crate::scm::{ScHandle, Scm, State};
use crate::service::{ServiceErrorControl, ServiceName, ServiceStartType, ServiceType};
use access::ServiceAccess;

/// The arguments of CreateService.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateServiceParams {
    /// lpServiceName: the key name.
    pub name: String,
    /// lpDisplayName (`None`: the key name).
    pub display_name: Option<String>,
    /// dwDesiredAccess for the returned handle (0 is allowed).
    pub desired_access: ServiceAccess,
    /// dwServiceType (combinations the SCM refuses, e.g. own | share, are refused by
    /// CreateService with 87).
    pub service_type: ServiceType,
    /// dwStartType (BOOT_START or SYSTEM_START for a Win32 service is refused with 87).
    pub start_type: ServiceStartType,
    /// dwErrorControl.
    pub error_control: ServiceErrorControl,
    /// lpBinaryPathName (stored as REG_EXPAND_SZ ImagePath).
    pub binary_path: String,
    /// lpLoadOrderGroup.
    pub load_order_group: Option<String>,
    /// lpdwTagId non-NULL: ask for a tag in the group.
    pub want_tag: bool,
    /// lpDependencies: service names, and group names prefixed with `+`.
    pub dependencies: Vec<String>,
    /// lpServiceStartName (`None`: LocalSystem).
    pub account: Option<String>,
    /// lpPassword (not checked; recorded nowhere).
    pub password: Option<String>,
}

impl CreateServiceParams {
    /// An own-process, demand-start service with normal error control.
    pub fn own_process(name: &str, binary_path: &str) -> CreateServiceParams {
        CreateServiceParams {
            name: name.to_string(),
            display_name: None,
            desired_access: access::SERVICE_ALL_ACCESS,
            service_type: ServiceType::OWN_PROCESS,
            start_type: ServiceStartType::OnDemand,
            error_control: ServiceErrorControl::Normal,
            binary_path: binary_path.to_string(),
            load_order_group: None,
            want_tag: false,
            dependencies: Vec::new(),
            account: None,
            password: None,
        }
    }

    /// A share-process service (same fields as [`CreateServiceParams::own_process`]).
    pub fn share_process(name: &str, binary_path: &str) -> CreateServiceParams {
        CreateServiceParams {
            service_type: ServiceType::SHARE_PROCESS,
            ..CreateServiceParams::own_process(name, binary_path)
        }
    }
}

/// CreateService's checks in Windows' order (name, path, type and start, tag, existing name,
/// display-name clash, dependency cycle) and the configuration they allow.
fn new_service_config(st: &State, p: &CreateServiceParams) -> Result<ServiceKey, Win32Error> {
    validate_name(&p.name)?;
    if p.binary_path.is_empty() {
        return Err(Win32Error::INVALID_PARAMETER);
    }
    validate_type_start(p.service_type, p.start_type, p.account.as_deref())?;
    let group = p.load_order_group.clone().filter(|g| !g.is_empty());
    if p.want_tag && group.is_none() {
        return Err(Win32Error::INVALID_PARAMETER);
    }
    if let Some(existing) = st.records.get(&p.name) {
        return Err(if existing.marked_for_delete {
            Win32Error::SERVICE_MARKED_FOR_DELETE
        } else {
            Win32Error::SERVICE_EXISTS
        });
    }
    let display = p
        .display_name
        .clone()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| p.name.clone());
    if st.records.contains_key(&display) {
        return Err(Win32Error::DUPLICATE_SERVICE_NAME);
    }
    let (services, groups) = split_dependencies(&p.dependencies);
    if creates_cycle(st, &p.name, &services) {
        return Err(Win32Error::CIRCULAR_DEPENDENCY);
    }
    let mut config = ServiceKey::new(
        p.service_type.to_raw(),
        p.start_type.to_raw(),
        p.error_control.to_raw(),
    );
    config.image_path = Some(p.binary_path.clone());
    config.display_name = Some(display);
    config.object_name = Some(
        p.account
            .clone()
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| "LocalSystem".into()),
    );
    config.depend_on_service = services;
    config.depend_on_group = groups;
    if p.want_tag {
        config.tag = Some(next_tag(st, group.as_deref().unwrap_or("")));
    }
    config.group = group;
    Ok(config)
}

impl Scm {
    /// CreateService, with Windows' checks in Windows' order.
    pub fn create_service(
        &self,
        scm: ScHandle,
        p: &CreateServiceParams,
    ) -> Result<ScHandle, Win32Error> {
        self.api_call("CreateService", Some(&p.name), || p.binary_path.clone());
        let r = self.create_service_inner(scm, p);
        self.api_return("CreateService", Some(&p.name), &r);
        r
    }

    fn create_service_inner(
        &self,
        scm: ScHandle,
        p: &CreateServiceParams,
    ) -> Result<ScHandle, Win32Error> {
        let mut guard = self.core.lock();
        let st = &mut *guard;
        let caller = st
            .manager_handle(scm, access::SC_MANAGER_CREATE_SERVICE)?
            .caller
            .clone();
        let config = new_service_config(st, p)?;
        let granted = grant(
            access::map_service(p.desired_access.bits()),
            service_rights_for(&caller).bits(),
        )?;
        let system = Caller::local_system();
        st.registry
            .create_key(&system, &service_key_path(&p.name))
            .map_err(Win32Error::from)?;
        config
            .write(&mut st.registry, &system, &p.name)
            .map_err(|e| Win32Error(e.code()))?;
        let installed = ScmEvent::Installed {
            service_name: p.name.clone(),
            image_path: p.binary_path.clone(),
            service_type: crate::events::InstalledServiceType::from_type_bits(
                p.service_type.to_raw(),
            ),
            start_type: crate::events::StartTypeText::from_code(p.start_type.to_raw())
                .unwrap_or(crate::events::StartTypeText::Demand),
            account: config.object_name.clone().unwrap_or_default(),
        };
        let display = st.resolve_display(&p.name, config.display_name.as_deref());
        st.records
            .insert(ServiceRecord::new(&p.name, config, display));
        let key = ServiceName::fold(&p.name).into_owned();
        st.event(&key, installed);
        Ok(st.handles.insert(HandleEntry {
            target: HandleTarget::Service { key },
            granted,
            caller,
        }))
    }
}

fn next_tag(st: &State, group: &str) -> u32 {
    let used: std::collections::BTreeSet<u32> = st
        .records
        .values()
        .filter(|r| r.group().eq_ignore_ascii_case(group))
        .filter_map(|r| r.config.tag)
        .collect();
    (1..).find(|t| !used.contains(t)).unwrap_or(1)
}
