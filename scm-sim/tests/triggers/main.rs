//! Service triggers (issue 7), point by point: configuration through ChangeServiceConfig2 and
//! the registry (with Windows' limits), matching for every event kind, conditions true at boot,
//! start / stop / TRIGGEREVENT actions, the queue of events that arrive while a service stops
//! itself (ERROR_SHUTDOWN_IN_PROGRESS), held events, low memory, and idle stop. The shared
//! helpers are here; the tests are in `config`, `matching`, `actions` and `idle`.

use scm_sim::service::ServiceControl;
use std::sync::Arc;
use std::time::Duration;

use rstest::rstest;
use scm_sim::events::TraceKind;
use scm_sim::machine::Image;
use scm_sim::registry::service::{
    subtypes, Guid, ParamLocation, ParamValue, ServiceKey, Trigger, TriggerAction, TriggerDataItem,
    TriggerType,
};
use scm_sim::registry::{Caller, RegValue, ValueType};
use scm_sim::scm::access::{SC_MANAGER_ALL_ACCESS, SERVICE_ALL_ACCESS};
use scm_sim::scm::{ServiceConfig2, ServiceConfig2Level};
use scm_sim::service::scripted::Behavior;
use scm_sim::service::{
    ServiceStartType, ServiceState, ServiceStateFilter, ServiceTable, ServiceType,
};
use scm_sim::triggers::{Conditions, TriggerEvent, TriggerOutcome};
use scm_sim::Machine;
use scm_sim_test_support::triggers::*;
use scm_sim_test_support::*;

use TriggerOutcome::*;

mod actions;
mod config;
mod idle;
mod matching;

const DISK: Guid = Guid::new(
    0x53f5_6307,
    0xb6bf,
    0x11d0,
    [0x94, 0xf2, 0x00, 0xa0, 0xc9, 0x1e, 0xfb, 0x8b],
);

const VOLUME: Guid = Guid::new(
    0x53f5_630d,
    0xb6bf,
    0x11d0,
    [0x94, 0xf2, 0x00, 0xa0, 0xc9, 0x1e, 0xfb, 0x8b],
);
const SERVICES: &str = r"HKLM\SYSTEM\CurrentControlSet\Services";

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn triggers_of(m: &mut Machine, h: scm_sim::scm::ScHandle) -> Vec<Trigger> {
    match m
        .query_service_config2(h, ServiceConfig2Level::TriggerInfo)
        .unwrap()
    {
        ServiceConfig2::TriggerInfo(t) => t,
        other => panic!("not trigger info: {other:?}"),
    }
}

fn trigger(ty: TriggerType, action: TriggerAction, sub: Guid) -> Trigger {
    Trigger::new(ty, action).with_subtype(sub)
}
