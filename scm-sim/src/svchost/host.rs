//! Which host a service runs in (its group's, or its own when split), and the host program:
//! a dispatcher whose entries resolve each service's DLL and entry point at start.

use async_trait::async_trait;
use std::sync::Arc;

use fake_registry::service::ParamLocation;
use fake_registry::SvchostCommandLine;

use crate::error::Win32Error;
use crate::events::{ScmEvent, TraceKind};
use crate::process::ProcessContext;
use crate::scm::{Core, State};
use crate::service::{
    Program, Service, ServiceContext, ServiceExitCode, ServiceStatus, ServiceTable, ServiceType,
};
use crate::svchost::SvchostGlobals;

/// Where a service will run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HostPlan {
    /// The identity processes are shared by (upper-cased).
    pub(crate) identity: String,
    /// The command line of a process launched for it.
    pub(crate) command_line: String,
    /// The svchost group, for svchost images.
    pub(crate) group: Option<String>,
    /// True when the service may join a running process of the same identity.
    pub(crate) shared: bool,
    /// True when an svchost service runs split into its own host.
    pub(crate) split: bool,
}

/// Plans the host of the service with key `key`.
pub(crate) fn host_plan(st: &State, key: &str) -> Option<HostPlan> {
    let rec = st.records.get(key)?;
    let expanded = st.registry.environment().expand(&rec.image_path());
    let own = rec.service_type().contains(ServiceType::OWN_PROCESS);
    match SvchostCommandLine::parse(&expanded) {
        Ok(Some(cl)) => {
            let split = !own
                && st.settings.memory_kb > st.settings.split_threshold_kb
                && rec.config.svchost_split_disable != Some(true);
            let alone = own || split || cl.s_name.is_some();
            let mut identity = format!("SVCHOST|{}|{}", cl.group.to_ascii_uppercase(), cl.p_flag);
            let mut command_line = expanded.clone();
            if alone {
                let s = cl.s_name.clone().unwrap_or_else(|| rec.name.to_string());
                identity.push('|');
                identity.push_str(&s.to_ascii_uppercase());
                if cl.s_name.is_none() {
                    command_line = format!("{expanded} -s {}", rec.name);
                }
            }
            Some(HostPlan {
                identity,
                command_line,
                group: Some(cl.group),
                shared: !alone,
                split,
            })
        }
        // svchost without a usable -k: its host exits without connecting (1053).
        Err(_) => Some(HostPlan {
            identity: expanded.to_ascii_uppercase(),
            command_line: expanded,
            group: Some(String::new()),
            shared: false,
            split: false,
        }),
        Ok(None) => Some(HostPlan {
            identity: expanded.to_ascii_uppercase(),
            command_line: expanded,
            group: None,
            shared: rec.service_type().contains(ServiceType::SHARE_PROCESS),
            split: false,
        }),
    }
}

/// The program of every svchost host.
pub(crate) struct SvchostProgram;

#[async_trait]
impl Program for SvchostProgram {
    async fn main(&self, process: ProcessContext) -> u32 {
        let group = SvchostCommandLine::parse(process.command_line())
            .ok()
            .flatten();
        if group.is_none() {
            // No -k group: svchost exits at once, never calling StartServiceCtrlDispatcher.
            return 0;
        }
        match process
            .run_dispatcher(ServiceTable::new().with("*", SvchostEntry))
            .await
        {
            Ok(()) => 0,
            Err(e) => e.code(),
        }
    }
}

/// The entry svchost hands to its dispatcher for every service: load the DLL, then call
/// its ServiceMain.
struct SvchostEntry;

/// A resolved service DLL entry.
struct Resolved {
    dll: String,
    service: Arc<dyn Service>,
    push: Option<crate::svchost::PushGlobals>,
    group: String,
}

impl Core {
    /// Finds the code of an svchost service: its ServiceDll (expanded) and entry point.
    /// ERROR_FILE_NOT_FOUND (2) without a ServiceDll value, ERROR_MOD_NOT_FOUND (126) for a
    /// DLL with no code (when unknown images are not scripted), ERROR_PROC_NOT_FOUND (127) for
    /// a missing entry point.
    fn resolve_service_dll(&self, name: &str, pid: u32) -> Result<Resolved, Win32Error> {
        let mut st = self.lock();
        let rec = st.record(name).ok_or(Win32Error::SERVICE_DOES_NOT_EXIST)?;
        // svchost reads the service's key itself when it starts the service (not the SCM's
        // copy loaded at boot), so a ServiceDll written since boot is found.
        let fresh = fake_registry::ServiceKey::read(
            &st.registry,
            &fake_registry::Caller::local_system(),
            rec.name.as_str(),
        )
        .map(|k| k.parameters)
        .unwrap_or_else(|_| rec.config.parameters.clone());
        let params = &fresh;
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
        let group = st
            .processes
            .get(&pid)
            .and_then(|p| SvchostCommandLine::parse(&p.command_line).ok().flatten())
            .map(|c| c.group)
            .unwrap_or_default();
        let expanded = st.registry.environment().expand(&dll);
        let dll_key = expanded.to_ascii_uppercase();
        let (service, push) = match st.service_dlls.get(&dll_key) {
            Some(d) => (
                d.entry(&entry).ok_or(Win32Error::PROC_NOT_FOUND)?,
                d.push_globals(),
            ),
            None if st.settings.script_unknown_images => {
                (crate::service::scripted::service(), None)
            }
            None => return Err(Win32Error::MOD_NOT_FOUND),
        };
        let key = name.to_ascii_uppercase();
        if let Some(p) = st.processes.get_mut(&pid) {
            let first = !p.dlls.contains_key(&dll_key);
            p.dlls.entry(dll_key).or_default().insert(key);
            if first {
                st.trace_with(|| TraceKind::Note {
                    text: format!("svchost (pid {pid}) loaded {expanded}").into(),
                });
            }
        }
        Ok(Resolved {
            dll: expanded,
            service,
            push,
            group,
        })
    }
}

#[async_trait]
impl Service for SvchostEntry {
    async fn run(&self, ctx: ServiceContext, args: Vec<String>) {
        // The svchost host is part of the engine: it reaches the engine's own state.
        let Ok(core) = ctx.host.clone().into_any().downcast::<Core>() else {
            unreachable!("the host of a service is the engine's Core");
        };
        let name = ctx.name().to_string();
        match core.resolve_service_dll(&name, ctx.process_id()) {
            Err(e) => {
                core.trace_note(&format!(
                    "svchost could not load the DLL of {name}: error {}",
                    e.code()
                ));
                let _ = ctx
                    .status_handle()
                    .set_status(ServiceStatus::stopped(ServiceExitCode::Win32(e.code())));
            }
            Ok(r) => {
                if let Some(push) = &r.push {
                    push(&SvchostGlobals {
                        group: r.group.clone(),
                        pid: ctx.process_id(),
                        service: name.clone(),
                    });
                    core.trace_note(&format!(
                        "svchost called SvchostPushServiceGlobals of {} for {name}",
                        r.dll
                    ));
                }
                core.lock().event(
                    &name,
                    ScmEvent::ServiceMainStart {
                        service_name: name.clone(),
                        dll: r.dll.clone(),
                    },
                );
                r.service.run(ctx.clone(), args).await;
                core.lock().event(
                    &name,
                    ScmEvent::ServiceMainStop {
                        service_name: name.clone(),
                        dll: r.dll.clone(),
                    },
                );
            }
        }
    }
}
