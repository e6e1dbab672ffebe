//! A trigger-started service with an idle stop, driven by device arrival — and the rule that is
//! easiest to get wrong: a trigger event that arrives while the service is stopping itself.
//!
//! `UsbWatch` starts when a USB disk arrives (a DEVICE_INTERFACE_ARRIVAL trigger on the disk
//! interface class GUID with two hardware ids), handles each later arrival as a
//! SERVICE_CONTROL_TRIGGEREVENT, and stops itself after `Parameters\ServiceIdleTimeout`
//! (30 s) without one. While it stops (3 s of cleanup in STOP_PENDING) it keeps accepting
//! TRIGGEREVENT and answers ERROR_SHUTDOWN_IN_PROGRESS (1115). The SCM then queues the event,
//! waits for STOPPED, starts the service again (argv[1] = "TriggerStarted"), and once it
//! reports RUNNING with SERVICE_ACCEPT_TRIGGEREVENT sends the events queued behind, one
//! TRIGGEREVENT each. The trace shows all of it:
//!
//! ```text
//!   41.000s  control    triggerevent (32) to UsbWatch
//!   41.000s  handler    UsbWatch: handler for control 32 returned 1115 ERROR_SHUTDOWN_IN_PROGRESS
//!   41.000s  note       trigger event #5 queued: USBWATCH answered 1115 while stopping
//!   43.000s  state      UsbWatch: STOP_PENDING -> STOPPED
//!   43.000s  main       ServiceMain of UsbWatch in pid … args ["UsbWatch", "TriggerStarted"]
//!   43.000s  note       trigger event #5 for UsbWatch: Started
//!   43.000s  control    triggerevent (32) to UsbWatch
//!   43.000s  note       trigger event #6 for UsbWatch: Delivered(0)
//! ```
//!
//! ```
//! let run = scm_sim_examples::trigger_idle::run();
//! assert!(run.log().iter().any(|l| l.starts_with("1115")));
//! ```

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use scm_sim::registry::service::{Guid, Trigger, TriggerAction, TriggerDataItem, TriggerType};
use scm_sim::registry::RegValue;
use scm_sim::scm::access::SC_MANAGER_ALL_ACCESS;
use scm_sim::scm::{CreateServiceParams, ScHandle, ServiceConfig2};
use scm_sim::service::{
    service_fn, Service, ServiceContext, ServiceControl, ServiceControlAccept,
    ServiceControlHandlerResult, ServiceExitCode, ServiceState, ServiceStatus, ServiceTable,
};
use scm_sim::triggers::{TriggerEvent, TriggerRecord};
use scm_sim::Machine;

/// The service's name.
pub const NAME: &str = "UsbWatch";
/// Its image.
pub const IMAGE: &str = r"C:\Program Files\UsbWatch\usbwatch.exe";
/// GUID_DEVINTERFACE_DISK {53F56307-B6BF-11D0-94F2-00A0C91EFB8B}.
pub const GUID_DEVINTERFACE_DISK: Guid = Guid::new(
    0x53f5_6307,
    0xb6bf,
    0x11d0,
    [0x94, 0xf2, 0x00, 0xa0, 0xc9, 0x1e, 0xfb, 0x8b],
);
/// GUID_DEVINTERFACE_MOUSE {378DE44C-56EF-11D1-BC8C-00A0C91405DD}.
pub const GUID_DEVINTERFACE_MOUSE: Guid = Guid::new(
    0x378d_e44c,
    0x56ef,
    0x11d1,
    [0xbc, 0x8c, 0x00, 0xa0, 0xc9, 0x14, 0x05, 0xdd],
);
/// ERROR_SHUTDOWN_IN_PROGRESS.
pub const ERROR_SHUTDOWN_IN_PROGRESS: u32 = 1115;
/// How long the service cleans up in STOP_PENDING after going idle.
pub const CLEANUP: Duration = Duration::from_secs(3);

/// The service's trigger: start on the arrival of a disk interface whose device has either of
/// two ids (`sc triggerinfo UsbWatch start/device/53f56307-…/USBSTOR\GenDisk/USB\Class_08`).
pub fn usb_disk_trigger() -> Trigger {
    Trigger::new(TriggerType::DEVICE_INTERFACE_ARRIVAL, TriggerAction::Start)
        .with_subtype(GUID_DEVINTERFACE_DISK)
        .with_data(TriggerDataItem::string(r"USBSTOR\GenDisk"))
        .with_data(TriggerDataItem::string(r"USB\Class_08"))
}

/// A USB stick arriving: the disk interface with its hardware and compatible ids.
pub fn usb_stick(serial: &str) -> TriggerEvent {
    TriggerEvent::DeviceArrival {
        interface_class: GUID_DEVINTERFACE_DISK,
        hardware_ids: vec![
            format!(r"USB\VID_0781&PID_5567\{serial}"),
            r"USBSTOR\GenDisk".to_string(),
        ],
    }
}

/// A mouse arriving: another interface class, which the trigger ignores.
pub fn mouse() -> TriggerEvent {
    TriggerEvent::DeviceArrival {
        interface_class: GUID_DEVINTERFACE_MOUSE,
        hardware_ids: vec![
            r"HID\VID_046D&PID_C077".to_string(),
            r"USB\Class_03".to_string(),
        ],
    }
}

/// What the service writes, in order.
pub type Log = Arc<Mutex<Vec<String>>>;

enum Msg {
    Device(String),
    Stop,
}

/// The service: logs `start <argv…>`, `handled <event>` per TRIGGEREVENT it handles,
/// `1115 <event>` per TRIGGEREVENT refused while stopping, `idle`, and `stopped`.
pub fn usb_watch(log: Log) -> impl Service {
    service_fn(move |ctx: ServiceContext, args: Vec<String>| {
        let log = log.clone();
        async move {
            log.lock()
                .unwrap()
                .push(format!("start {}", args.join(" ")));
            // The idle timeout lives in the service's own Parameters key (seconds).
            let idle = ctx.with_registry(|reg, caller| {
                let key = format!(r"HKLM\SYSTEM\CurrentControlSet\Services\{NAME}\Parameters");
                reg.get_dword(caller, &key, "ServiceIdleTimeout")
                    .map_or(Duration::from_secs(30), |s| Duration::from_secs(s.into()))
            });
            let stopping = Arc::new(AtomicBool::new(false));
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let (handler_log, handler_stopping) = (log.clone(), stopping.clone());
            let status = ctx
                .register_handler(move |req| match req.control {
                    ServiceControl::TriggerEvent => {
                        let what = String::from_utf8_lossy(&req.event_data).to_string();
                        if handler_stopping.load(Ordering::SeqCst) {
                            // Too late for this one: the SCM will queue it and start us again.
                            handler_log.lock().unwrap().push(format!("1115 {what}"));
                            ServiceControlHandlerResult::Other(ERROR_SHUTDOWN_IN_PROGRESS)
                        } else {
                            let _ = tx.send(Msg::Device(what));
                            ServiceControlHandlerResult::NoError
                        }
                    }
                    ServiceControl::Stop => {
                        handler_stopping.store(true, Ordering::SeqCst);
                        let _ = tx.send(Msg::Stop);
                        ServiceControlHandlerResult::NoError
                    }
                    ServiceControl::Interrogate => ServiceControlHandlerResult::NoError,
                    _ => ServiceControlHandlerResult::NotImplemented,
                })
                .expect("RegisterServiceCtrlHandlerEx");
            let accept = ServiceControlAccept::STOP | ServiceControlAccept::TRIGGEREVENT;
            status
                .set_status(ServiceStatus::running(accept))
                .expect("RUNNING");
            loop {
                tokio::select! {
                    biased;
                    msg = rx.recv() => match msg {
                        Some(Msg::Device(what)) => log.lock().unwrap().push(format!("handled {what}")),
                        Some(Msg::Stop) | None => break,
                    },
                    _ = tokio::time::sleep(idle) => {
                        // Idle: stop on our own, still accepting TRIGGEREVENT while cleaning up.
                        stopping.store(true, Ordering::SeqCst);
                        log.lock().unwrap().push("idle".to_string());
                        let pending = ServiceStatus::pending(
                            ServiceState::StopPending,
                            1,
                            CLEANUP + Duration::from_secs(2),
                        )
                        .accepting(ServiceControlAccept::TRIGGEREVENT);
                        status.set_status(pending).expect("STOP_PENDING");
                        tokio::time::sleep(CLEANUP).await;
                        break;
                    }
                }
            }
            log.lock().unwrap().push("stopped".to_string());
            status
                .set_status(ServiceStatus::stopped(ServiceExitCode::NO_ERROR))
                .expect("STOPPED");
        }
    })
}

/// The raised events, by what they were for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Raised {
    /// The first stick: starts the service (t = 1 s).
    pub first: u64,
    /// A second stick while it runs: a TRIGGEREVENT (t = 10 s).
    pub second: u64,
    /// A mouse: matches nothing (t = 12 s).
    pub mouse: u64,
    /// A stick during the idle stop: answered 1115, queued, restarts the service (t = 41 s).
    pub during_stop: u64,
    /// Another stick during the idle stop: queued behind, delivered after the restart
    /// (t = 42 s).
    pub queued_behind: u64,
}

/// A finished run.
#[derive(Debug)]
pub struct Run {
    /// The machine after 2 minutes of virtual time.
    pub machine: Machine,
    /// A handle to the service.
    pub service: ScHandle,
    /// The events raised.
    pub raised: Raised,
    log: Log,
}

impl Run {
    /// What the service wrote.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// The service's trigger outcomes.
    pub fn outcomes(&self) -> Vec<TriggerRecord> {
        self.machine
            .trigger_outcomes()
            .into_iter()
            .filter(|o| o.service == NAME)
            .collect()
    }
}

fn at(m: &mut Machine, t: Duration) {
    let now = m.now();
    m.advance(t.saturating_sub(now));
}

/// Installs `UsbWatch` on an empty machine and plays the scenario: a stick at 1 s (start), a
/// stick at 10 s (TRIGGEREVENT), a mouse at 12 s (ignored), idle stop at 40 s (30 s after the
/// last stick), sticks at 41 s and 42 s during the cleanup (until 43 s), then two minutes in all.
pub fn run() -> Run {
    let mut m = Machine::builder()
        .build()
        .expect("the empty machine builds");
    let log: Log = Arc::default();
    m.install(IMAGE, ServiceTable::single(NAME, usb_watch(log.clone())));
    let scm = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).expect("admin");
    let service = m
        .create_service(scm, &CreateServiceParams::own_process(NAME, IMAGE))
        .expect("CreateService");
    m.change_service_config2(
        service,
        &ServiceConfig2::TriggerInfo(vec![usb_disk_trigger()]),
    )
    .expect("ChangeServiceConfig2(TriggerInfo)");
    m.with_registry(|reg| {
        let sys = scm_sim::registry::Caller::local_system();
        let key = format!(r"HKLM\SYSTEM\CurrentControlSet\Services\{NAME}\Parameters");
        reg.create_key(&sys, &key)?;
        reg.set_value(&sys, &key, "ServiceIdleTimeout", RegValue::dword(30))
    })
    .expect("Parameters\\ServiceIdleTimeout");

    let s = Duration::from_secs;
    at(&mut m, s(1));
    let first = m.raise_trigger_event(usb_stick("4C530001"));
    at(&mut m, s(10));
    let second = m.raise_trigger_event(usb_stick("4C530002"));
    at(&mut m, s(12));
    let mouse = m.raise_trigger_event(mouse());
    at(&mut m, s(41));
    let during_stop = m.raise_trigger_event(usb_stick("4C530003"));
    at(&mut m, s(42));
    let queued_behind = m.raise_trigger_event(usb_stick("4C530004"));
    at(&mut m, s(120));
    Run {
        machine: m,
        service,
        raised: Raised {
            first,
            second,
            mouse,
            during_stop,
            queued_behind,
        },
        log,
    }
}

/// Runs the scenario and returns what the runnable prints: the service's log, the trigger
/// outcomes, and the trace.
pub fn report() -> String {
    let run = run();
    let mut out = String::from("what UsbWatch logged:\n");
    for line in run.log() {
        out.push_str(&format!("  {line}\n"));
    }
    out.push_str("\ntrigger outcomes (event, outcome, time):\n");
    for o in run.outcomes() {
        out.push_str(&format!(
            "  #{:<3} {:<14} {:?}\n",
            o.event,
            format!("{:?}", o.outcome),
            o.time
        ));
    }
    out.push_str("\nthe trace:\n");
    out.push_str(&scm_sim::events::render_text(&run.machine.trace()));
    out
}
