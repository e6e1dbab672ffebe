//! The trigger dispatcher: one task per machine that matches raised events against every
//! service's triggers and takes their actions — start (argv[1] = "TriggerStarted"), stop (not
//! when dependents run), or SERVICE_CONTROL_TRIGGEREVENT to a running service that accepts
//! it — through a per-service queue, so that nothing is lost: an event a stopping service
//! answers with ERROR_SHUTDOWN_IN_PROGRESS (1115), or that arrives while the service's state
//! does not allow the action, waits until it does.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use fake_registry::service::{Guid, TriggerAction};
use serde::{Deserialize, Serialize};

use crate::error::Win32Error;
use crate::service::{ControlRequest, ServiceControl, ServiceControlAccept, ServiceState};
use crate::triggers::TriggerEvent;

/// A boxed future of an engine call the dispatcher awaits.
pub(crate) type EngineCall<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// What the trigger dispatcher needs from the engine (`scm::Core` implements it): the
/// trigger machinery is part of the machine, but reaches the engine only through these calls.
pub(crate) trait TriggerHost: Send + Sync {
    /// Runs `f` on the trigger state and a view of the services, under the engine's lock.
    fn with_triggers(&self, f: &mut dyn FnMut(&mut TriggerState, &mut dyn Services));
    /// Starts `service` for a trigger (argv[1] = "TriggerStarted").
    fn start(self: Arc<Self>, service: String) -> EngineCall<Result<(), Win32Error>>;
    /// Sends `request` to `service` (as the SCM, not a client); the handler's code.
    fn control(
        self: Arc<Self>,
        service: String,
        request: ControlRequest,
    ) -> EngineCall<Result<u32, Win32Error>>;
    /// Wakes the machine's waiters (and the dispatcher, when triggers wait).
    fn wake(&self);
    /// Notified when trigger work may be waiting.
    fn work(&self) -> &tokio::sync::Notify;
}

/// The services as the trigger dispatcher sees them, under the engine's lock.
pub(crate) trait Services {
    /// The service's name as stored, for key `key`.
    fn name_of(&self, key: &str) -> Option<String>;
    /// Virtual time since boot.
    fn now(&self) -> Duration;
    /// A note in the trace (`text` is called only when tracing is on).
    fn note(&mut self, text: &dyn Fn() -> String);
    /// The service's state and accepted controls.
    fn state_of(&self, key: &str) -> Option<(ServiceState, ServiceControlAccept)>;
    /// Whether a service that depends on `key` is not stopped.
    fn has_active_dependents(&self, key: &str) -> bool;
    /// The services (not marked for delete) with a trigger `event` matches, by folded key,
    /// with that trigger's action.
    fn matching(&self, event: &TriggerEvent) -> Vec<(String, TriggerAction)>;
}

/// What finally happened to one (event, service) pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum TriggerOutcome {
    /// The service was started for it.
    Started,
    /// The start for it failed with this error.
    StartFailed(u32),
    /// It was delivered as SERVICE_CONTROL_TRIGGEREVENT and accepted (handler result).
    Delivered(u32),
    /// The service was stopped for it.
    Stopped,
    /// A stop action found the service already stopped.
    AlreadyStopped,
    /// A stop action was refused (active dependents, or STOP not accepted): the error.
    StopRefused(u32),
    /// Dropped: the machine is in low-memory mode.
    DroppedLowMemory,
}

/// One outcome, with the event and service it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriggerRecord {
    /// The event's number (from [`crate::Machine::raise_trigger_event`]).
    pub event: u64,
    /// The service (key name).
    pub service: String,
    /// What happened.
    pub outcome: TriggerOutcome,
    /// Virtual time.
    pub time: Duration,
}

/// An event waiting in a service's queue.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub(crate) event: u64,
    pub(crate) description: String,
    pub(crate) action: TriggerAction,
    pub(crate) refused_while_stopping: bool,
    pub(crate) in_flight: bool,
}

/// Conditions of the machine that triggers can test at boot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conditions {
    /// An IP address is available.
    pub network: bool,
    /// The machine is joined to a domain.
    pub domain_joined: bool,
    /// Machine group policy is present.
    pub machine_policy: bool,
    /// User group policy is present.
    pub user_policy: bool,
    /// Open firewall ports (`port;protocol;…` parts).
    pub open_ports: Vec<Vec<String>>,
    /// Present devices: interface class and ids.
    pub devices: Vec<(Guid, Vec<String>)>,
}

impl Default for Conditions {
    fn default() -> Self {
        Conditions {
            network: true,
            domain_joined: false,
            machine_policy: false,
            user_policy: false,
            open_ports: Vec::new(),
            devices: Vec::new(),
        }
    }
}

impl Conditions {
    /// The events that describe what is true now (raised at boot).
    pub fn as_events(&self) -> Vec<TriggerEvent> {
        let mut out = Vec::new();
        if self.network {
            out.push(TriggerEvent::NetworkOn);
        }
        if self.domain_joined {
            out.push(TriggerEvent::DomainJoin);
        }
        if self.machine_policy {
            out.push(TriggerEvent::MachinePolicy);
        }
        if self.user_policy {
            out.push(TriggerEvent::UserPolicy);
        }
        out.extend(self.open_ports.iter().cloned().map(TriggerEvent::PortOpen));
        out.extend(
            self.devices
                .iter()
                .map(|(c, ids)| TriggerEvent::DeviceArrival {
                    interface_class: *c,
                    hardware_ids: ids.clone(),
                }),
        );
        out
    }

    fn apply(&mut self, event: &TriggerEvent) {
        match event {
            TriggerEvent::NetworkOn => self.network = true,
            TriggerEvent::NetworkOff => self.network = false,
            TriggerEvent::DomainJoin => self.domain_joined = true,
            TriggerEvent::DomainLeave => self.domain_joined = false,
            TriggerEvent::MachinePolicy => self.machine_policy = true,
            TriggerEvent::UserPolicy => self.user_policy = true,
            TriggerEvent::PortOpen(p) if !self.open_ports.contains(p) => {
                self.open_ports.push(p.clone())
            }
            TriggerEvent::PortClose(p) => self.open_ports.retain(|q| q != p),
            TriggerEvent::DeviceArrival {
                interface_class,
                hardware_ids,
            } => {
                let d = (*interface_class, hardware_ids.clone());
                if !self.devices.contains(&d) {
                    self.devices.push(d);
                }
            }
            _ => {}
        }
    }
}

/// The trigger machinery's state, inside the SCM state.
#[derive(Debug, Default)]
pub(crate) struct TriggerState {
    pub(crate) inbox: VecDeque<(u64, TriggerEvent)>,
    pub(crate) next_event: u64,
    pub(crate) queues: std::collections::BTreeMap<String, VecDeque<Pending>>,
    pub(crate) outcomes: Vec<TriggerRecord>,
    pub(crate) conditions: Conditions,
    pub(crate) low_memory: bool,
}

enum Step {
    Start(String, u64),
    Stop(String, u64),
    Deliver(String, u64, String),
}

impl TriggerState {
    /// Raises an event: updates the machine's conditions and queues it for the dispatcher.
    /// Returns its number.
    pub(crate) fn raise(&mut self, event: TriggerEvent, services: &mut dyn Services) -> u64 {
        self.conditions.apply(&event);
        self.next_event += 1;
        let id = self.next_event;
        services.note(&|| format!("trigger event #{id}: {}", event.describe()));
        self.inbox.push_back((id, event));
        id
    }

    /// Records what finally happened to (`event`, `key`).
    fn record(&mut self, sv: &mut dyn Services, event: u64, key: &str, outcome: TriggerOutcome) {
        let service = sv.name_of(key).unwrap_or_else(|| key.to_string());
        let time = sv.now();
        sv.note(&|| format!("trigger event #{event} for {service}: {outcome:?}"));
        self.outcomes.push(TriggerRecord {
            event,
            service,
            outcome,
            time,
        });
    }
}

/// The trigger dispatcher: runs until the machine is dropped or rebooted.
pub(crate) async fn run(host: Arc<dyn TriggerHost>) {
    loop {
        let notified = host.work().notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let mut steps = Vec::new();
        host.with_triggers(&mut |t, sv| steps = plan(t, sv));
        if steps.is_empty() {
            notified.await;
            continue;
        }
        for step in steps {
            run_step(&host, step).await;
        }
    }
}

/// Takes one step through the engine and records its outcome.
async fn run_step(host: &Arc<dyn TriggerHost>, step: Step) {
    match step {
        Step::Start(key, event) => {
            let r = host.clone().start(key.clone()).await;
            let outcome = match r {
                Ok(()) | Err(Win32Error::SERVICE_ALREADY_RUNNING) => TriggerOutcome::Started,
                Err(e) => TriggerOutcome::StartFailed(e.code()),
            };
            host.with_triggers(&mut |t, sv| t.record(sv, event, &key, outcome.clone()));
        }
        Step::Stop(key, event) => {
            let stop = ControlRequest::new(ServiceControl::Stop);
            let r = host.clone().control(key.clone(), stop).await;
            let outcome = match r {
                Ok(_) => TriggerOutcome::Stopped,
                Err(e) => TriggerOutcome::StopRefused(e.code()),
            };
            host.with_triggers(&mut |t, sv| t.record(sv, event, &key, outcome.clone()));
        }
        Step::Deliver(key, event, description) => {
            let request = ControlRequest {
                control: ServiceControl::TriggerEvent,
                event_type: 0,
                event_data: description.into_bytes(),
            };
            let r = host.clone().control(key.clone(), request).await;
            let mut queued = false;
            host.with_triggers(&mut |t, sv| queued = delivered(t, sv, &key, event, r));
            if !queued {
                return;
            }
        }
    }
    host.wake();
}

/// The answer to a TRIGGEREVENT delivered to the head of `key`'s queue: 1115 while stopping
/// keeps it queued (it waits for the next start), another code ends it, an error (state
/// changed, handler hung) leaves it queued. False when the queue is gone.
fn delivered(
    t: &mut TriggerState,
    sv: &mut dyn Services,
    key: &str,
    event: u64,
    r: Result<u32, Win32Error>,
) -> bool {
    let Some(head) = t.queues.get_mut(key).and_then(|q| q.front_mut()) else {
        return false;
    };
    head.in_flight = false;
    match r {
        Ok(code) if code == Win32Error::SHUTDOWN_IN_PROGRESS.code() => {
            head.refused_while_stopping = true;
            let name = sv.name_of(key).unwrap_or_else(|| key.to_string());
            sv.note(&|| {
                format!("trigger event #{event} queued: {name} answered 1115 while stopping")
            });
        }
        Ok(code) => {
            if let Some(q) = t.queues.get_mut(key) {
                q.pop_front();
            }
            t.record(sv, event, key, TriggerOutcome::Delivered(code));
        }
        Err(_) => {}
    }
    true
}

/// Moves raised events into the queues of the services they match and picks the next
/// action for each service whose state allows it.
fn plan(t: &mut TriggerState, sv: &mut dyn Services) -> Vec<Step> {
    queue_raised_events(t, sv);
    let keys: Vec<String> = t.queues.keys().cloned().collect();
    keys.iter()
        .filter_map(|key| next_step(t, sv, key))
        .collect()
}

/// Moves raised events into the queues of the services they match (or drops them in
/// low-memory mode).
fn queue_raised_events(t: &mut TriggerState, sv: &mut dyn Services) {
    let inbox: Vec<(u64, TriggerEvent)> = t.inbox.drain(..).collect();
    for (id, event) in inbox {
        for (key, action) in sv.matching(&event) {
            if t.low_memory {
                t.record(sv, id, &key, TriggerOutcome::DroppedLowMemory);
                continue;
            }
            t.queues.entry(key).or_default().push_back(Pending {
                event: id,
                description: event.describe(),
                action,
                refused_while_stopping: false,
                in_flight: false,
            });
        }
    }
}

/// The step for the head of `key`'s queue. Resolves heads that need no step (already stopped,
/// refused) until one needs a step or must wait; forgets the queue of a deleted service and
/// an empty queue.
fn next_step(t: &mut TriggerState, sv: &mut dyn Services, key: &str) -> Option<Step> {
    let Some((state, accepted)) = sv.state_of(key) else {
        t.queues.remove(key);
        return None;
    };
    let dependents_active = sv.has_active_dependents(key);
    let accepts_trigger = accepted.contains(ServiceControlAccept::TRIGGEREVENT);
    loop {
        let queue = t.queues.get_mut(key)?;
        let Some(head) = queue.front() else {
            t.queues.remove(key);
            return None;
        };
        if head.in_flight {
            return None;
        }
        let (event, action) = (head.event, head.action);
        match action {
            // A stop waits while the service is starting (as deliveries do): the start the
            // queue asked for completes first, then the stop acts on it.
            TriggerAction::Stop if state == ServiceState::StartPending => return None,
            TriggerAction::Stop => {
                queue.pop_front();
                if state == ServiceState::Stopped {
                    t.record(sv, event, key, TriggerOutcome::AlreadyStopped);
                } else if dependents_active {
                    let refused =
                        TriggerOutcome::StopRefused(Win32Error::DEPENDENT_SERVICES_RUNNING.code());
                    t.record(sv, event, key, refused);
                } else {
                    return Some(Step::Stop(key.to_string(), event));
                }
            }
            TriggerAction::Start | TriggerAction::Other(_) => {
                return start_or_deliver(queue, key, state, accepts_trigger);
            }
        }
    }
}

/// The step for a queue head that starts the service or is delivered to it as TRIGGEREVENT;
/// none while it is held (START_PENDING, a stop in progress, or no TRIGGEREVENT accepted).
fn start_or_deliver(
    queue: &mut VecDeque<Pending>,
    key: &str,
    state: ServiceState,
    accepts_trigger: bool,
) -> Option<Step> {
    let head = queue.front_mut()?;
    let event = head.event;
    let deliverable = match state {
        ServiceState::Stopped => {
            queue.pop_front();
            return Some(Step::Start(key.to_string(), event));
        }
        ServiceState::StopPending => accepts_trigger && !head.refused_while_stopping,
        ServiceState::Running
        | ServiceState::Paused
        | ServiceState::PausePending
        | ServiceState::ContinuePending => accepts_trigger,
        _ => false,
    };
    if !deliverable {
        return None;
    }
    head.in_flight = true;
    Some(Step::Deliver(
        key.to_string(),
        event,
        head.description.clone(),
    ))
}
