//! Trigger tests' pieces: a Rust service that records what it sees (its argv and every
//! TRIGGEREVENT) and can stop itself the way an idle service does — STOP_PENDING still
//! accepting TRIGGEREVENT, answering ERROR_SHUTDOWN_IN_PROGRESS (1115) meanwhile — plus
//! triggers and events to start it with.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use scm_sim::registry::service::{subtypes, Guid, Trigger, TriggerAction, TriggerType};
use scm_sim::service::{
    service_fn, Service, ServiceContext, ServiceControl, ServiceControlAccept,
    ServiceControlHandlerResult, ServiceExitCode, ServiceState, ServiceStatus,
};
use scm_sim::triggers::TriggerEvent;

use crate::Log;

/// The user-defined control that makes a [`probe`] service stop itself.
pub const SELF_STOP: ServiceControl = ServiceControl::UserDefined(128);
/// ERROR_SHUTDOWN_IN_PROGRESS.
pub const SHUTDOWN_IN_PROGRESS: u32 = 1115;

/// An ETW provider the test triggers start on.
pub const PROVIDER: Guid = Guid::new(
    0x1111_2222,
    0x3333,
    0x4444,
    [0x55, 0x55, 0x66, 0x66, 0x77, 0x77, 0x88, 0x88],
);
/// Another provider (stop triggers, or events nothing starts on).
pub const OTHER_PROVIDER: Guid = Guid::new(
    0x9999_aaaa,
    0xbbbb,
    0xcccc,
    [0xdd, 0xdd, 0xee, 0xee, 0xff, 0xff, 0x00, 0x00],
);

/// How a probe service behaves.
#[derive(Debug, Clone, Copy)]
pub struct Probe {
    /// Accepts TRIGGEREVENT while RUNNING.
    pub accept_trigger: bool,
    /// How long it stays in STOP_PENDING when it stops itself.
    pub stop_time: Duration,
}

impl Default for Probe {
    fn default() -> Self {
        Probe {
            accept_trigger: true,
            stop_time: Duration::from_secs(5),
        }
    }
}

enum Msg {
    Stop,
    SelfStop,
}

/// A Rust service that logs `start <argv…>`, `trigger <event>` for each TRIGGEREVENT it takes,
/// `1115 <event>` for each it refuses while stopping itself, and `stopped`.
pub fn probe(log: Log, p: Probe) -> impl Service {
    service_fn(move |ctx: ServiceContext, args: Vec<String>| {
        let log = log.clone();
        async move {
            log.lock()
                .unwrap()
                .push(format!("start {}", args.join(" ")));
            let stopping = Arc::new(AtomicBool::new(false));
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let (handler_log, handler_stopping) = (log.clone(), stopping.clone());
            let status = ctx
                .register_handler(move |req| match req.control {
                    ServiceControl::Stop => {
                        handler_stopping.store(true, Ordering::SeqCst);
                        let _ = tx.send(Msg::Stop);
                        ServiceControlHandlerResult::NoError
                    }
                    c @ ServiceControl::UserDefined(_) if c == SELF_STOP => {
                        handler_stopping.store(true, Ordering::SeqCst);
                        let _ = tx.send(Msg::SelfStop);
                        ServiceControlHandlerResult::NoError
                    }
                    ServiceControl::TriggerEvent => {
                        let what = String::from_utf8_lossy(&req.event_data).to_string();
                        if handler_stopping.load(Ordering::SeqCst) {
                            handler_log.lock().unwrap().push(format!("1115 {what}"));
                            ServiceControlHandlerResult::Other(SHUTDOWN_IN_PROGRESS)
                        } else {
                            handler_log.lock().unwrap().push(format!("trigger {what}"));
                            ServiceControlHandlerResult::NoError
                        }
                    }
                    ServiceControl::Interrogate => ServiceControlHandlerResult::NoError,
                    _ => ServiceControlHandlerResult::NotImplemented,
                })
                .unwrap();
            let mut accept = ServiceControlAccept::STOP;
            if p.accept_trigger {
                accept |= ServiceControlAccept::TRIGGEREVENT;
            }
            status.set_status(ServiceStatus::running(accept)).unwrap();
            match rx.recv().await {
                Some(Msg::SelfStop) => {
                    // Stopping on its own: keeps accepting TRIGGEREVENT (answered with 1115).
                    let pending = ServiceStatus::pending(
                        ServiceState::StopPending,
                        1,
                        p.stop_time + Duration::from_secs(5),
                    )
                    .accepting(accept & ServiceControlAccept::TRIGGEREVENT);
                    status.set_status(pending).unwrap();
                    tokio::time::sleep(p.stop_time).await;
                }
                Some(Msg::Stop) | None => {}
            }
            log.lock().unwrap().push("stopped".to_string());
            status
                .set_status(ServiceStatus::stopped(ServiceExitCode::NO_ERROR))
                .unwrap();
        }
    })
}

/// A start trigger on every event of `provider`.
pub fn on_custom(provider: Guid, action: TriggerAction) -> Trigger {
    Trigger::new(TriggerType::CUSTOM, action).with_subtype(provider)
}

/// A start trigger on the first IP address.
pub fn on_network() -> Trigger {
    Trigger::new(TriggerType::IP_ADDRESS_AVAILABILITY, TriggerAction::Start)
        .with_subtype(subtypes::FIRST_IP_ADDRESS_ARRIVAL)
}

/// An ETW event of `provider` carrying one string (to tell events apart in logs).
pub fn custom_event(provider: Guid, text: &str) -> TriggerEvent {
    TriggerEvent::Custom {
        provider,
        binary: Vec::new(),
        strings: vec![text.to_string()],
        level: 0,
        keywords: 0,
    }
}
