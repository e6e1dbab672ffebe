//! The engine as the svchost host sees it: `impl SvchostHost for Core`. The host (in
//! `svchost`) asks for a service's DLL entry; the engine reads the service's key, finds the
//! DLL's code among the machine's service DLLs (or the scripted service) and records the DLL
//! as loaded in the host process. Also where a service's host is planned from its record.

use std::sync::Arc;

use fake_registry::service::{ParamLocation, ServiceParameters};
use fake_registry::SvchostCommandLine;

use crate::error::Win32Error;
use crate::events::{ScmEvent, TraceKind};
use crate::scm::{Core, State};
use crate::svchost::{host_plan, HostPlan, LoadedDll, PlanInput, SvchostHost};

/// Plans the host of the service with key `key` (see [`host_plan`]).
pub(crate) fn plan_for(st: &State, key: &str) -> Option<HostPlan> {
    let rec = st.records.get(key)?;
    Some(host_plan(PlanInput {
        name: rec.name.as_str(),
        expanded: st.registry.environment().expand(&rec.image_path()),
        service_type: rec.service_type(),
        may_split: st.settings.memory_kb > st.settings.split_threshold_kb
            && rec.config.svchost_split_disable != Some(true),
    }))
}

impl SvchostHost for Core {
    fn load_service_dll(self: Arc<Self>, service: &str, pid: u32) -> Result<LoadedDll, Win32Error> {
        let mut st = self.lock();
        let (dll, entry) = dll_and_entry(&st, service)?;
        let group = st
            .processes
            .get(&pid)
            .and_then(|p| SvchostCommandLine::parse(&p.command_line).ok().flatten())
            .map(|c| c.group)
            .unwrap_or_default();
        let expanded = st.registry.environment().expand(&dll);
        let dll_key = expanded.to_ascii_uppercase();
        let (code, push) = match st.service_dlls.get(&dll_key) {
            Some(d) => (
                d.entry(&entry).ok_or(Win32Error::PROC_NOT_FOUND)?,
                d.push_globals(),
            ),
            None if st.settings.script_unknown_images => {
                (crate::service::scripted::service(self.clone()), None)
            }
            None => return Err(Win32Error::MOD_NOT_FOUND),
        };
        mark_loaded(&mut st, pid, dll_key, service, &expanded);
        Ok(LoadedDll {
            dll: expanded,
            service: code,
            push,
            group,
        })
    }

    fn note(&self, text: &str) {
        Core::trace_note(self, text);
    }

    fn log_event(&self, service: &str, event: ScmEvent) {
        self.lock().event(service, event);
    }
}

/// The ServiceDll and entry point (ServiceMain by default) of `service`, as its key says now:
/// svchost reads the key itself when it starts the service (not the SCM's copy loaded at
/// boot), so a ServiceDll written since boot is found. With the legacy rule, only values under
/// `Parameters` count.
fn dll_and_entry(st: &State, service: &str) -> Result<(String, String), Win32Error> {
    let rec = st
        .record(service)
        .ok_or(Win32Error::SERVICE_DOES_NOT_EXIST)?;
    let params: ServiceParameters = fake_registry::ServiceKey::read(
        &st.registry,
        &fake_registry::Caller::local_system(),
        rec.name.as_str(),
    )
    .map(|k| k.parameters)
    .unwrap_or_else(|_| rec.config.parameters.clone());
    let legacy = st.settings.svchost_parameters_only;
    let usable = |loc: ParamLocation| !legacy || loc == ParamLocation::Parameters;
    let dll = params
        .service_dll
        .as_ref()
        .filter(|p| usable(p.location))
        .map(|p| p.value.clone())
        .ok_or(Win32Error::FILE_NOT_FOUND)?;
    let entry = params
        .service_main
        .as_ref()
        .filter(|p| usable(p.location))
        .map(|p| p.value.clone())
        .unwrap_or_else(|| "ServiceMain".to_string());
    Ok((dll, entry))
}

/// Records DLL `dll_key` as loaded in host `pid` for `service`; the first load is noted.
fn mark_loaded(st: &mut State, pid: u32, dll_key: String, service: &str, expanded: &str) {
    let key = service.to_ascii_uppercase();
    if let Some(p) = st.processes.get_mut(&pid) {
        let first = !p.dlls.contains_key(&dll_key);
        p.dlls.entry(dll_key).or_default().insert(key);
        if first {
            st.trace_with(|| TraceKind::Note {
                text: format!("svchost (pid {pid}) loaded {expanded}").into(),
            });
        }
    }
}
