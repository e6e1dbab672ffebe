//! Which host a service runs in (its group's, or its own when split), and the host program:
//! a dispatcher whose entries resolve each service's DLL and entry point at start.

use async_trait::async_trait;
use std::sync::Arc;

use fake_registry::SvchostCommandLine;

use crate::error::Win32Error;
use crate::events::ScmEvent;
use crate::process::ProcessContext;
use crate::service::{
    Program, Service, ServiceContext, ServiceExitCode, ServiceStatus, ServiceTable, ServiceType,
};
use crate::svchost::{PushGlobals, SvchostGlobals};

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

/// What the host plan of a service is made from.
#[derive(Debug)]
pub(crate) struct PlanInput<'a> {
    /// The service's key name.
    pub(crate) name: &'a str,
    /// Its ImagePath, expanded.
    pub(crate) expanded: String,
    /// Its configured type.
    pub(crate) service_type: ServiceType,
    /// The machine has more memory than the split threshold and the service's key does not
    /// say `SvcHostSplitDisable = 1`.
    pub(crate) may_split: bool,
}

/// Plans the host of a service.
pub(crate) fn host_plan(input: PlanInput<'_>) -> HostPlan {
    let PlanInput {
        name,
        expanded,
        service_type,
        may_split,
    } = input;
    let own = service_type.contains(ServiceType::OWN_PROCESS);
    match SvchostCommandLine::parse(&expanded) {
        Ok(Some(cl)) => {
            let split = !own && may_split;
            let alone = own || split || cl.s_name.is_some();
            let mut identity = format!("SVCHOST|{}|{}", cl.group.to_ascii_uppercase(), cl.p_flag);
            let mut command_line = expanded.clone();
            if alone {
                let s = cl.s_name.clone().unwrap_or_else(|| name.to_string());
                identity.push('|');
                identity.push_str(&s.to_ascii_uppercase());
                if cl.s_name.is_none() {
                    command_line = format!("{expanded} -s {name}");
                }
            }
            HostPlan {
                identity,
                command_line,
                group: Some(cl.group),
                shared: !alone,
                split,
            }
        }
        // svchost without a usable -k: its host exits without connecting (1053).
        Err(_) => HostPlan {
            identity: expanded.to_ascii_uppercase(),
            command_line: expanded,
            group: Some(String::new()),
            shared: false,
            split: false,
        },
        Ok(None) => HostPlan {
            identity: expanded.to_ascii_uppercase(),
            command_line: expanded,
            group: None,
            shared: service_type.contains(ServiceType::SHARE_PROCESS),
            split: false,
        },
    }
}

/// What the svchost host needs from the engine (`scm::Core` implements it): the host is
/// part of the machine, but it reaches the engine's state only through these calls.
pub(crate) trait SvchostHost: Send + Sync {
    /// Finds the code of svchost service `service` started in host `pid` — its ServiceDll
    /// (expanded) and entry point — and records the DLL as loaded there.
    /// ERROR_FILE_NOT_FOUND (2) without a ServiceDll value, ERROR_MOD_NOT_FOUND (126) for a
    /// DLL with no code (when unknown images are not scripted), ERROR_PROC_NOT_FOUND (127) for
    /// a missing entry point.
    fn load_service_dll(self: Arc<Self>, service: &str, pid: u32) -> Result<LoadedDll, Win32Error>;
    /// A note in the trace.
    fn note(&self, text: &str);
    /// Writes `event` to the event log, for `service`.
    fn log_event(&self, service: &str, event: ScmEvent);
}

/// A service DLL entry, found and loaded.
pub(crate) struct LoadedDll {
    /// The DLL's expanded path.
    pub(crate) dll: String,
    /// Its entry point for the service.
    pub(crate) service: Arc<dyn Service>,
    /// Its `SvchostPushServiceGlobals`, if it exports one.
    pub(crate) push: Option<PushGlobals>,
    /// The host's group.
    pub(crate) group: String,
}

/// The program of every svchost host.
pub(crate) struct SvchostProgram {
    host: Arc<dyn SvchostHost>,
}

impl SvchostProgram {
    /// The svchost program, served by `host`.
    pub(crate) fn new(host: Arc<dyn SvchostHost>) -> SvchostProgram {
        SvchostProgram { host }
    }
}

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
            .run_dispatcher(ServiceTable::new().with(
                "*",
                SvchostEntry {
                    host: self.host.clone(),
                },
            ))
            .await
        {
            Ok(()) => 0,
            Err(e) => e.code(),
        }
    }
}

/// The entry svchost hands to its dispatcher for every service: load the DLL, then call
/// its ServiceMain.
struct SvchostEntry {
    host: Arc<dyn SvchostHost>,
}

#[async_trait]
impl Service for SvchostEntry {
    async fn run(&self, ctx: ServiceContext, args: Vec<String>) {
        let host = &self.host;
        let name = ctx.name().to_string();
        match host.clone().load_service_dll(&name, ctx.process_id()) {
            Err(e) => {
                host.note(&format!(
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
                    host.note(&format!(
                        "svchost called SvchostPushServiceGlobals of {} for {name}",
                        r.dll
                    ));
                }
                host.log_event(
                    &name,
                    ScmEvent::ServiceMainStart {
                        service_name: name.clone(),
                        dll: r.dll.clone(),
                    },
                );
                r.service.run(ctx.clone(), args).await;
                host.log_event(
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
