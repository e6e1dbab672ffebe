//! The trigger dispatcher: one task per machine that matches raised events against every
//! service's triggers and takes their actions — start (argv[1] = "TriggerStarted"), stop (not
//! when dependents run), or SERVICE_CONTROL_TRIGGEREVENT to a running service that accepts
//! it — through a per-service queue, so that nothing is lost: an event a stopping service
//! answers with ERROR_SHUTDOWN_IN_PROGRESS (1115), or that arrives while the service's state
//! does not allow the action, waits until it does.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use fake_registry::service::{Guid, TriggerAction};
use serde::{Deserialize, Serialize};

use crate::error::Win32Error;
use crate::events::TraceKind;
use crate::scm::StartReason;
use crate::scm::{Core, State};
use crate::service::{ControlRequest, ServiceControl, ServiceControlAccept, ServiceState};
use crate::triggers::TriggerEvent;

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

fn record(st: &mut State, event: u64, key: &str, outcome: TriggerOutcome) {
    let service = st
        .record(key)
        .map(|r| r.name.to_string())
        .unwrap_or_else(|| key.to_string());
    let time = st.now();
    st.trace_with(|| TraceKind::Note {
        text: format!("trigger event #{event} for {service}: {outcome:?}").into(),
    });
    st.triggers.outcomes.push(TriggerRecord {
        event,
        service,
        outcome,
        time,
    });
}

impl Core {
    /// Raises an event: updates the machine's conditions and hands it to the dispatcher.
    pub(crate) fn raise_trigger(&self, event: TriggerEvent) -> u64 {
        let mut st = self.lock();
        st.triggers.conditions.apply(&event);
        st.triggers.next_event += 1;
        let id = st.triggers.next_event;
        st.trace_with(|| TraceKind::Note {
            text: format!("trigger event #{id}: {}", event.describe()).into(),
        });
        st.triggers.inbox.push_back((id, event));
        drop(st);
        self.wake();
        id
    }

    /// Runs until the machine is dropped or rebooted.
    pub(crate) async fn trigger_dispatcher(self: Arc<Core>) {
        loop {
            let notified = self.trigger_work.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let steps = {
                let mut st = self.lock();
                plan(&mut st)
            };
            if steps.is_empty() {
                notified.await;
                continue;
            }
            for step in steps {
                self.run_step(step).await;
            }
        }
    }

    async fn run_step(self: &Arc<Core>, step: Step) {
        match step {
            Step::Start(key, event) => {
                let r = self
                    .start_service(
                        key.clone(),
                        vec!["TriggerStarted".to_string()],
                        StartReason::Trigger,
                        Vec::new(),
                    )
                    .await;
                let mut st = self.lock();
                let outcome = match r {
                    Ok(()) | Err(Win32Error::SERVICE_ALREADY_RUNNING) => TriggerOutcome::Started,
                    Err(e) => TriggerOutcome::StartFailed(e.code()),
                };
                record(&mut st, event, &key, outcome);
            }
            Step::Stop(key, event) => {
                let r = self
                    .send_control(&key, ControlRequest::new(ServiceControl::Stop), false)
                    .await;
                let mut st = self.lock();
                let outcome = match r {
                    Ok(_) => TriggerOutcome::Stopped,
                    Err(e) => TriggerOutcome::StopRefused(e.code()),
                };
                record(&mut st, event, &key, outcome);
            }
            Step::Deliver(key, event, description) => {
                let request = ControlRequest {
                    control: ServiceControl::TriggerEvent,
                    event_type: 0,
                    event_data: description.into_bytes(),
                };
                let r = self.send_control(&key, request, false).await;
                let mut st = self.lock();
                let Some(queue) = st.triggers.queues.get_mut(&key) else {
                    return;
                };
                let Some(head) = queue.front_mut() else {
                    return;
                };
                head.in_flight = false;
                match r {
                    Ok(code) if code == Win32Error::SHUTDOWN_IN_PROGRESS.code() => {
                        head.refused_while_stopping = true;
                        let name = st
                            .record(&key)
                            .map(|r| r.name.to_string())
                            .unwrap_or_else(|| key.clone());
                        st.trace_with(|| TraceKind::Note {
                            text: format!("trigger event #{event} queued: {name} answered 1115 while stopping").into(),
                        });
                    }
                    Ok(code) => {
                        queue.pop_front();
                        record(&mut st, event, &key, TriggerOutcome::Delivered(code));
                    }
                    // Not deliverable now (state changed, handler hung): stays queued.
                    Err(_) => {}
                }
            }
        }
        self.wake();
    }
}

/// Moves raised events into the queues of the services they match and picks the next
/// action for each service whose state allows it.
fn plan(st: &mut State) -> Vec<Step> {
    queue_raised_events(st);
    let keys: Vec<String> = st.triggers.queues.keys().cloned().collect();
    keys.iter().filter_map(|key| next_step(st, key)).collect()
}

/// Moves raised events into the queues of the services they match (or drops them in
/// low-memory mode).
fn queue_raised_events(st: &mut State) {
    let inbox: Vec<(u64, TriggerEvent)> = st.triggers.inbox.drain(..).collect();
    for (id, event) in inbox {
        for (key, action) in matching_services(st, &event) {
            if st.triggers.low_memory {
                record(st, id, &key, TriggerOutcome::DroppedLowMemory);
                continue;
            }
            st.triggers
                .queues
                .entry(key)
                .or_default()
                .push_back(Pending {
                    event: id,
                    description: event.describe(),
                    action,
                    refused_while_stopping: false,
                    in_flight: false,
                });
        }
    }
}

/// The services (not marked for delete) with a trigger `event` matches, with that trigger's
/// action.
fn matching_services(st: &State, event: &TriggerEvent) -> Vec<(String, TriggerAction)> {
    st.records
        .iter()
        .filter(|(_, r)| !r.marked_for_delete)
        .filter_map(|(k, r)| {
            r.config
                .triggers
                .iter()
                .find(|t| event.matches(t))
                .map(|t| (k.folded().to_string(), t.action))
        })
        .collect()
}

/// Whether a service that depends on `key` is not stopped (a trigger stop is then refused).
fn has_active_dependents(st: &State, key: &str) -> bool {
    st.records
        .dependents_of(key)
        .any(|r| r.status().state != ServiceState::Stopped)
}

/// The step for the head of `key`'s queue. Resolves heads that need no step (already stopped,
/// refused) until one needs a step or must wait; forgets the queue of a deleted service and
/// an empty queue.
fn next_step(st: &mut State, key: &str) -> Option<Step> {
    let Some((state, accepted)) = st
        .record(key)
        .map(|r| (r.status().state, r.status().accepted))
    else {
        st.triggers.queues.remove(key);
        return None;
    };
    let dependents_active = has_active_dependents(st, key);
    let accepts_trigger = accepted.contains(ServiceControlAccept::TRIGGEREVENT);
    loop {
        let queue = st.triggers.queues.get_mut(key)?;
        let Some(head) = queue.front() else {
            st.triggers.queues.remove(key);
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
                    record(st, event, key, TriggerOutcome::AlreadyStopped);
                } else if dependents_active {
                    let refused =
                        TriggerOutcome::StopRefused(Win32Error::DEPENDENT_SERVICES_RUNNING.code());
                    record(st, event, key, refused);
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
