//! The graded behaviours of `scm-behavior.md` section A (A.1–A.7, and the parts of A.8–A.11
//! the engine models) as tables: one row per scenario, each asserting the Win32 code and the
//! status the service is left in. Item numbers (`A.2.15` = section A.2, item 15) point into
//! that file; `scm-facts.md` sections are cited as `facts §1.5`.
//!
//! | module | behaviours |
//! |---|---|
//! | `handles` | A.1: OpenSCManager, OpenService, handle lifetime |
//! | `create` | A.2: CreateService's checks in order, DeleteService's access, tags |
//! | `delete` | A.3: marked for delete, when a deleted service goes |
//! | `start` | A.4: StartService outcomes and timeouts, argv, the initial status |
//! | `control` | A.5: the ControlService table, access, 87, 1051, handler results and timeouts |
//! | `status` | A.6: SetServiceStatus validation and the status record |
//! | `death` | A.7: process death, crashes while starting, failure actions |
//! | `enumeration` | A.7, A.8.59, A.9.69: enumerations and name lookups |
//! | `notify` | A.11.76: NotifyServiceStatusChange |
//! | `dependencies` | A.9: dependencies and groups |
//! | `processes` | A.10: shared processes |
//!
//! The services are Rust code from `scm_sim_test_support::puppet` (a puppet that reports only
//! what the test tells it, a well-behaved service) or scripted ones (`Machine::set_behavior`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rstest::rstest;
use scm_sim::events::TraceKind;
use scm_sim::registry::service::{ScAction, ScActionKind, ServiceKey};
use scm_sim::registry::{Caller, RegValue};
use scm_sim::scm::access::*;
use scm_sim::scm::access::{ScmAccess, ServiceAccess};

// The rights both objects share, typed for service objects: the tables below open services
// with them (the SCM object's are spelled `ScmAccess::…` where used).
const DELETE: ServiceAccess = ServiceAccess::DELETE;
const GENERIC_EXECUTE: ServiceAccess = ServiceAccess::GENERIC_EXECUTE;
const GENERIC_WRITE: ServiceAccess = ServiceAccess::GENERIC_WRITE;
const GENERIC_READ: ServiceAccess = ServiceAccess::GENERIC_READ;
use scm_sim::scm::{ChangeConfigParams, CreateServiceParams, ScHandle, ServiceConfig2, Settings};
use scm_sim::service::scripted::Behavior;
use scm_sim::service::{
    service_fn, AsyncControlHandler, ControlRequest, RawServiceStatus, ServiceContext,
    ServiceControl, ServiceControlAccept, ServiceControlHandlerResult, ServiceExitCode,
    ServiceNotifyMask, ServiceStartType, ServiceState, ServiceStateFilter, ServiceStatus,
    ServiceTable, ServiceType,
};
use scm_sim::{Machine, Win32Error};

use scm_sim_test_support::puppet::*;
use scm_sim_test_support::*;

#[path = "scm_behaviour/control.rs"]
mod control;
#[path = "scm_behaviour/create.rs"]
mod create;
#[path = "scm_behaviour/death.rs"]
mod death;
#[path = "scm_behaviour/delete.rs"]
mod delete;
#[path = "scm_behaviour/dependencies.rs"]
mod dependencies;
#[path = "scm_behaviour/enumeration.rs"]
mod enumeration;
#[path = "scm_behaviour/handles.rs"]
mod handles;
#[path = "scm_behaviour/notify.rs"]
mod notify;
#[path = "scm_behaviour/processes.rs"]
mod processes;
#[path = "scm_behaviour/start.rs"]
mod start;
#[path = "scm_behaviour/status.rs"]
mod status;

/// The image of scripted services (no program installed for it).
const PATH: &str = r"C:\svc\demo.exe";
/// The image the puppet is installed for.
const PUPPET: &str = r"C:\svc\puppet.exe";

/// A scripted behaviour from `key=value` pairs.
fn behavior(pairs: &[(&str, &str)]) -> Behavior {
    let mut b = Behavior::default();
    for (k, v) in pairs {
        b.set(k, v)
            .unwrap_or_else(|e| panic!("behavior {k}={v}: {e:?}"));
    }
    b
}

/// A puppet service `Puppet` started on a fresh machine; `first` is its first report.
fn started_puppet(first: Option<ServiceStatus>) -> (Machine, ScHandle, Probe) {
    let mut m = machine();
    let probe = Probe::default();
    let h = install_own(&mut m, "Puppet", PUPPET, puppet(&probe, first));
    m.start_service(h, &[]).expect("start the puppet");
    (m, h, probe)
}

/// Failure actions: restart after `delay_ms`, reset after a day.
fn restart_after(delay_ms: u32) -> ServiceConfig2 {
    ServiceConfig2::FailureActions {
        reset_period: 86_400,
        reboot_message: None,
        command: None,
        actions: Some(vec![ScAction::new(ScActionKind::Restart, delay_ms)]),
    }
}

/// The (from, to) state changes the trace shows for `name`.
fn state_changes(m: &Machine, name: &str) -> Vec<(String, String)> {
    m.trace()
        .for_service(name)
        .filter_map(|e| match &e.kind {
            TraceKind::StateChanged { from, to, .. } => Some((from.to_string(), to.to_string())),
            _ => None,
        })
        .collect()
}

// Accept masks.
const NONE: ServiceControlAccept = ServiceControlAccept::empty();
const STOP: ServiceControlAccept = ServiceControlAccept::STOP;
const PC: ServiceControlAccept = ServiceControlAccept::PAUSE_CONTINUE;
const PARAM: ServiceControlAccept = ServiceControlAccept::PARAMCHANGE;
const NETBIND: ServiceControlAccept = ServiceControlAccept::NETBINDCHANGE;

/// The status a puppet reports to be put in `state` accepting `accept`.
fn in_state(state: ServiceState, accept: ServiceControlAccept) -> ServiceStatus {
    if state.is_pending() {
        pending(state, accept)
    } else if state == ServiceState::Stopped {
        ServiceStatus::stopped(ServiceExitCode::NO_ERROR)
    } else {
        ServiceStatus::new(state).accepting(accept)
    }
}

/// Creates an own-process scripted service `name` depending on `deps`.
fn create_with_deps(m: &mut Machine, scm: ScHandle, name: &str, deps: &[&str]) -> ScHandle {
    let mut p = CreateServiceParams::own_process(name, &format!(r"C:\svc\{name}.exe"));
    p.dependencies = deps.iter().map(|d| d.to_string()).collect();
    m.create_service(scm, &p).unwrap()
}

/// Where in the trace `service` first changed to state `to`.
fn trace_index(m: &Machine, service: &str, to: &str) -> usize {
    m.trace()
        .entries()
        .iter()
        .position(|e| matches!(&e.kind, TraceKind::StateChanged { service: s, to: t, .. } if &**s == service && t.sc_label() == to))
        .unwrap_or_else(|| panic!("{service} never went {to}"))
}
