//! svchost (issue 6), point by point: group hosts reused, the two ServiceMain lookup rules, one
//! DLL with two entry points or one shared entry, DLL and entry-point failures that stay with
//! their service, SvchostPushServiceGlobals before ServiceMain, events 101/102, unload on stop,
//! a crash taking the whole host down, the 1703 split (on, off, SvcHostSplitDisable, own
//! process) and the built-in Windows 10 machine's hosts.
//!
//! Service keys are written straight into the registry (as a .reg import would) and the machine
//! is booted so that the SCM loads them; service code is Rust, registered per DLL path. The
//! helpers are here; the hosts' tests are in `hosts`, finding a service's code in `dlls`, what happens around
//! ServiceMain in `around_main`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rstest::rstest;
use scm_sim::events::{render_text, ScmEvent, TraceKind};
use scm_sim::machine::Image;
use scm_sim::registry::service::{
    FailureActions, ParamLocation, ParamValue, ScAction, ScActionKind, ServiceKey,
    ServiceParameters,
};
use scm_sim::registry::{Caller, RegValue, SvchostTable, ValueType};
use scm_sim::scm::access::{SC_MANAGER_ALL_ACCESS, SERVICE_ALL_ACCESS};
use scm_sim::scm::{ChangeConfigParams, CreateServiceParams, ScHandle, Settings};
use scm_sim::service::{
    service_fn, Service, ServiceContext, ServiceControl, ServiceControlAccept,
    ServiceControlHandlerResult, ServiceExitCode, ServiceStartType, ServiceState, ServiceStatus,
    ServiceType,
};
use scm_sim::svchost::{ServiceDll, SvchostGlobals};
use scm_sim::Machine;
use scm_sim_test_support::stop::run_until_stop;
use scm_sim_test_support::{lines, new_log, Log};

mod around_main;
mod dlls;
mod hosts;

/// The ImagePath of the test group.
const MY_GROUP: &str = r"%SystemRoot%\System32\svchost.exe -k MyGroup";
/// Two DLLs with Rust code.
const ALPHA_DLL: &str = r"%SystemRoot%\System32\alpha.dll";
const BETA_DLL: &str = r"%SystemRoot%\System32\beta.dll";
/// 2 GB: below the default split threshold (3.5 GB), so groups stay together.
const SMALL: u64 = 2 * 1024 * 1024;
const CONTROL: &str = r"HKLM\SYSTEM\CurrentControlSet\Control";

/// A well-behaved ServiceMain that logs `"<tag> <argv…>"`, runs until STOP, and panics on
/// user control 128 (service code crashing).
fn entry(tag: &'static str, log: Log) -> impl Service {
    service_fn(move |ctx: ServiceContext, args: Vec<String>| {
        let log = log.clone();
        async move {
            log.lock()
                .unwrap()
                .push(format!("{tag} {}", args.join(" ")));
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let status = ctx
                .register_handler(move |req| match req.control {
                    ServiceControl::Stop => {
                        let _ = tx.send(());
                        ServiceControlHandlerResult::NoError
                    }
                    ServiceControl::UserDefined(128) => panic!("{tag} crashed"),
                    ServiceControl::Interrogate => ServiceControlHandlerResult::NoError,
                    _ => ServiceControlHandlerResult::NotImplemented,
                })
                .unwrap();
            status
                .set_status(ServiceStatus::running(ServiceControlAccept::STOP))
                .unwrap();
            rx.recv().await;
            status
                .set_status(ServiceStatus::stopped(ServiceExitCode::NO_ERROR))
                .unwrap();
        }
    })
}

/// The key of a demand-start share-process service of `image` whose ServiceDll (in
/// Parameters) is `dll`.
fn dll_key(image: &str, dll: Option<&str>) -> ServiceKey {
    let mut k = ServiceKey::new(ServiceType::SHARE_PROCESS.0, 3, 1);
    k.image_path = Some(image.to_string());
    k.object_name = Some("LocalSystem".into());
    if let Some(dll) = dll {
        k.parameters = ServiceParameters::with_dll(dll);
    }
    k
}

/// A string value of Parameters or of the service key itself.
fn param(value: &str, at: ParamLocation) -> Option<ParamValue<String>> {
    Some(ParamValue::new(value.to_string(), ValueType::SZ, at))
}

/// A machine not yet booted, with `memory_kb` of memory; the other settings come from the
/// registry at boot (so `Control\SvcHostSplitThresholdInKB` counts).
fn machine(memory_kb: u64) -> Machine {
    Machine::builder()
        .image(Image::Empty)
        .memory_kb(memory_kb)
        .boot(false)
        .build()
        .expect("the empty machine builds")
}

/// A machine not yet booted with explicit settings (these replace the registry's).
fn machine_with(settings: Settings) -> Machine {
    Machine::builder()
        .image(Image::Empty)
        .settings(settings)
        .boot(false)
        .build()
        .expect("the empty machine builds")
}

/// Writes a service key as regedit would.
fn write_key(m: &mut Machine, name: &str, key: &ServiceKey) {
    m.with_registry(|r| key.write(r, &Caller::local_system(), name))
        .expect("the key is written");
}

/// Boots (the SCM loads the keys written so far) and opens the SCM.
fn boot(m: &mut Machine) -> ScHandle {
    m.boot();
    m.open_sc_manager(SC_MANAGER_ALL_ACCESS).expect("admin")
}

fn open(m: &mut Machine, scm: ScHandle, name: &str) -> ScHandle {
    m.open_service(scm, name, SERVICE_ALL_ACCESS)
        .expect("the service exists")
}

fn start(m: &mut Machine, scm: ScHandle, name: &str) -> ScHandle {
    let h = open(m, scm, name);
    m.start_service(h, &[]).expect("StartService");
    h
}

fn state(m: &mut Machine, h: ScHandle) -> ServiceState {
    m.query_service_status(h).unwrap().current_state
}

fn pid(m: &mut Machine, h: ScHandle) -> u32 {
    m.query_service_status(h).unwrap().process_id
}

/// The svchost processes as (pid, services).
fn hosts(m: &Machine) -> Vec<(u32, Vec<String>)> {
    m.processes()
        .into_iter()
        .filter(|(_, image, _)| image.to_ascii_lowercase().ends_with("svchost.exe"))
        .map(|(pid, _, services)| (pid, services))
        .collect()
}

/// The command lines processes were launched with, in order.
fn launches(m: &Machine) -> Vec<(u32, String)> {
    m.trace()
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::ProcessStarted { pid, image } => Some((*pid, image.to_string())),
            _ => None,
        })
        .collect()
}

/// The notes of the trace, in order.
fn notes(m: &Machine) -> Vec<String> {
    m.trace()
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Note { text } => Some(text.to_string()),
            _ => None,
        })
        .collect()
}

/// The position in the trace of the first entry `pred` accepts.
fn position(m: &Machine, pred: impl Fn(&TraceKind) -> bool) -> Option<usize> {
    m.trace().entries().iter().position(|e| pred(&e.kind))
}

fn is_event(id: u32, service: &str) -> impl Fn(&TraceKind) -> bool + '_ {
    move |k| matches!(k, TraceKind::Event { id: i, service: Some(s) } if *i == id && &**s == service)
}

fn note_containing(text: &str) -> impl Fn(&TraceKind) -> bool + '_ {
    move |k| matches!(k, TraceKind::Note { text: t } if t.text().contains(text))
}

/// The ids of the events logged for `service`, in order.
fn event_ids(m: &Machine, service: &str) -> Vec<u32> {
    m.events()
        .iter()
        .filter(|e| e.service.as_deref() == Some(service))
        .map(|e| e.id)
        .collect()
}

/// What a start of the service "S" came to.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// Running the entry point with this tag.
    Ran(&'static str),
    /// STOPPED with this exit code.
    Failed(u32),
}

fn write_parameters_dll(m: &mut Machine, service: &str, dll: &str) {
    m.with_registry(|r| {
        let sys = Caller::local_system();
        let key = format!(r"HKLM\SYSTEM\CurrentControlSet\Services\{service}\Parameters");
        r.create_key(&sys, &key).unwrap();
        r.set_value(&sys, &key, "ServiceDll", RegValue::expand_sz(dll))
            .unwrap();
    });
}
