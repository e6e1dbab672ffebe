//! ControlService: the code and access checks, the state × control × accepted-mask table, and
//! the round trip through the process's dispatcher (serial, bounded by the pipe timeout).

use std::sync::Arc;
use tokio::sync::oneshot;

use crate::error::Win32Error;
use crate::events::{ScmEvent, TraceKind};
use crate::process::DispatchMsg;
use crate::scm::handles::{access, HandleTarget};
use crate::scm::{Change, Core, ScHandle, State};
use crate::service::{
    ControlRequest, ServiceControl, ServiceControlAccept, ServiceName, ServiceState,
    ServiceStatusProcess,
};
use crate::sim::Rule;

/// The access right a client needs to send `control`, or `None` when clients may not send it
/// at all (ERROR_INVALID_PARAMETER: SHUTDOWN, PRESHUTDOWN, the system-only codes).
pub(crate) fn client_right_for(control: ServiceControl) -> Option<access::ServiceAccess> {
    Some(match control {
        ServiceControl::Stop => access::SERVICE_STOP,
        ServiceControl::Pause
        | ServiceControl::Continue
        | ServiceControl::ParamChange
        | ServiceControl::NetBindAdd
        | ServiceControl::NetBindRemove
        | ServiceControl::NetBindEnable
        | ServiceControl::NetBindDisable => access::SERVICE_PAUSE_CONTINUE,
        ServiceControl::Interrogate => access::SERVICE_INTERROGATE,
        ServiceControl::UserDefined(_) => access::SERVICE_USER_DEFINED_CONTROL,
        _ => return None,
    })
}

/// The SCM's decision before delivering: Ok to deliver, or the error (scm-facts §1.5).
pub(crate) fn admit(
    state: ServiceState,
    accepted: ServiceControlAccept,
    stop_sent: bool,
    control: ServiceControl,
) -> Result<(), Win32Error> {
    match state {
        ServiceState::Stopped => return Err(Win32Error::SERVICE_NOT_ACTIVE),
        ServiceState::StopPending => return Err(Win32Error::SERVICE_CANNOT_ACCEPT_CTRL),
        ServiceState::StartPending if control != ServiceControl::Stop => {
            return Err(Win32Error::SERVICE_CANNOT_ACCEPT_CTRL)
        }
        _ => {}
    }
    if stop_sent {
        // After STOP the SCM sends no other control to the service.
        return Err(Win32Error::SERVICE_CANNOT_ACCEPT_CTRL);
    }
    match control.required_accept() {
        Some(bit) if !accepted.contains(bit) => Err(Win32Error::INVALID_SERVICE_CONTROL),
        _ => Ok(()),
    }
}

impl Core {
    /// ControlService(handle, code): returns the status after the handler returned.
    pub(crate) async fn control_service(
        self: &Arc<Core>,
        h: ScHandle,
        control: ServiceControl,
    ) -> Result<ServiceStatusProcess, Win32Error> {
        let key = {
            let st = self.lock();
            let entry = st.handles.get(h)?;
            let HandleTarget::Service { key } = &entry.target else {
                return Err(Win32Error::INVALID_HANDLE);
            };
            let right = client_right_for(control).ok_or(Win32Error::INVALID_PARAMETER)?;
            if entry.granted & right.bits() == 0 {
                return Err(Win32Error::ACCESS_DENIED);
            }
            key.clone()
        };
        let shown = {
            let mut st = self.lock();
            let shown = st
                .record(&key)
                .map(|r| r.shared_name())
                .unwrap_or_else(|| key.as_str().into());
            st.trace_with(|| TraceKind::ApiCall {
                caller: "client".into(),
                api: "ControlService".into(),
                service: Some(shown.clone()),
                args: control.label(),
            });
            shown
        };
        let result = self
            .send_control(&key, ControlRequest::new(control), true)
            .await;
        let mut st = self.lock();
        st.trace_with(|| TraceKind::ApiReturn {
            api: "ControlService".into(),
            service: Some(shown),
            result: result.as_ref().err().map(|e| e.code()).unwrap_or(0),
        });
        result?;
        st.record(&key)
            .map(|r| r.status_process())
            .ok_or(Win32Error::SERVICE_DOES_NOT_EXIST)
    }

    /// Delivers a control (from a client or from the system) after the state checks.
    /// Returns the handler's result code.
    pub(crate) async fn send_control(
        self: &Arc<Core>,
        key: &str,
        request: ControlRequest,
        from_client: bool,
    ) -> Result<u32, Win32Error> {
        let control = request.control;
        let Some(delivery) = self.admit_control(key, control, from_client)? else {
            return Ok(0);
        };
        let (tx, rx) = oneshot::channel();
        let message = DispatchMsg::Control {
            service: delivery.name.to_string(),
            request,
            reply: tx,
        };
        if delivery.sender.send(message).is_err() {
            return Err(Win32Error::SERVICE_REQUEST_TIMEOUT);
        }
        match tokio::time::timeout(delivery.pipe_timeout, rx).await {
            Ok(Ok(code)) => {
                self.handler_returned(key, &delivery, control, code);
                Ok(code)
            }
            // The process died while the control was in flight.
            Ok(Err(_)) => Err(Win32Error::SERVICE_REQUEST_TIMEOUT),
            Err(_) => {
                self.handler_timed_out(key, &delivery, control);
                Err(Win32Error::SERVICE_REQUEST_TIMEOUT)
            }
        }
    }

    /// Under the lock: the dependents check for STOP, the state table, the STOP mark, and the
    /// dispatcher to send to. `None` when there is nothing to send (a driver: STOP unloads it).
    fn admit_control(
        &self,
        key: &str,
        control: ServiceControl,
        from_client: bool,
    ) -> Result<Option<Delivery>, Win32Error> {
        let mut guard = self.lock();
        let st = &mut *guard;
        if control == ServiceControl::Stop && from_client {
            if let Some(dep) = active_dependent(st, key) {
                st.trace_with(|| TraceKind::Note {
                    text: format!("stop refused: {dep} depends on {key} and is active").into(),
                });
                return Err(Win32Error::DEPENDENT_SERVICES_RUNNING);
            }
        }
        let rec = st
            .records
            .get(key)
            .ok_or(Win32Error::SERVICE_DOES_NOT_EXIST)?;
        let status = rec.status();
        // The SCM sends TRIGGEREVENT to a service on its way to STOPPED that still accepts it
        // (a service stopping itself, e.g. after its idle timeout).
        let trigger_while_stopping = !from_client
            && control == ServiceControl::TriggerEvent
            && status.state == ServiceState::StopPending
            && status.accepted.contains(ServiceControlAccept::TRIGGEREVENT);
        if !trigger_while_stopping {
            let stop_sent =
                (from_client || control != ServiceControl::TriggerEvent) && rec.stop_sent();
            admit(status.state, status.accepted, stop_sent, control)?;
        }
        if rec.service_type().is_driver() {
            if control == ServiceControl::Stop {
                self.transition(st, key, Change::DriverUnloaded);
                drop(guard);
                self.wake();
            }
            return Ok(None);
        }
        let (pid, name) = (rec.pid(), rec.name.clone());
        if matches!(control, ServiceControl::Stop | ServiceControl::Shutdown) {
            self.transition(st, key, Change::StopSent);
        }
        let sender = st
            .processes
            .get(&pid)
            .filter(|p| !p.exited)
            .map(|p| p.sender.clone())
            .ok_or(Win32Error::SERVICE_REQUEST_TIMEOUT)?;
        st.trace_with(|| TraceKind::ControlSent {
            service: name.shared(),
            control: control.code(),
            name: control.label(),
        });
        let pipe_timeout = st.settings.pipe_timeout;
        Ok(Some(Delivery {
            pid,
            name,
            sender,
            pipe_timeout,
        }))
    }

    /// The handler returned `code`: the trace, and the oracle's INTERROGATE rule.
    fn handler_returned(&self, key: &str, d: &Delivery, control: ServiceControl, code: u32) {
        let mut st = self.lock();
        st.trace_with(|| TraceKind::HandlerReturned {
            service: d.name.shared(),
            control: control.code(),
            result: code,
        });
        if control == ServiceControl::Interrogate && code != 0 {
            self.violation(
                &mut st,
                Rule::InterrogateNotAnswered,
                key,
                format!("INTERROGATE answered with {code}"),
            );
        }
    }

    /// The handler did not return within the pipe timeout: the trace, `hung-handler` blamed
    /// on the handler the dispatcher is stuck in (this one, or a sibling's in a shared process
    /// that this control is queued behind), and event 7011.
    fn handler_timed_out(&self, key: &str, d: &Delivery, control: ServiceControl) {
        let mut st = self.lock();
        let display = st.display_name(key);
        let after_ms = u64::try_from(d.pipe_timeout.as_millis()).unwrap_or(u64::MAX);
        st.trace_with(|| TraceKind::Timeout {
            service: Some(d.name.shared()),
            what: format!("{} handler (pid {})", control.name(), d.pid).into(),
            after_ms,
        });
        let busy = st.processes.get(&d.pid).and_then(|p| p.busy.clone());
        let (blamed, seen) = match busy {
            Some(b) if !(b.control == control && b.service == d.name) => {
                let seen = format!(
                    "{b} has not returned within {after_ms} ms; a {} control to {} timed out behind it",
                    control.name(),
                    d.name
                );
                (b.service.folded().to_string(), seen)
            }
            _ => {
                let seen = format!(
                    "{} handler did not return within {after_ms} ms",
                    control.name()
                );
                (key.to_string(), seen)
            }
        };
        self.violation(&mut st, Rule::HungHandler, &blamed, seen);
        st.event(
            key,
            ScmEvent::TransactionTimeout {
                timeout_ms: u32::try_from(after_ms).unwrap_or(u32::MAX),
                display_name: display,
            },
        );
    }
}

/// Where an admitted control goes.
struct Delivery {
    pid: u32,
    name: ServiceName,
    sender: crate::process::InboxSender,
    pipe_timeout: std::time::Duration,
}

/// A service that depends on `key` (directly) and is not STOPPED (from the database's reverse
/// dependency index: the cost does not grow with the number of services).
fn active_dependent(st: &State, key: &str) -> Option<String> {
    st.records
        .dependents_of(key)
        .find(|r| r.status().state != ServiceState::Stopped)
        .map(|r| r.name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const STOP_ONLY: ServiceControlAccept = ServiceControlAccept::STOP;

    #[rstest]
    #[case::stopped(
        ServiceState::Stopped,
        ServiceControl::Stop,
        Err(Win32Error::SERVICE_NOT_ACTIVE)
    )]
    #[case::stopped_interrogate(
        ServiceState::Stopped,
        ServiceControl::Interrogate,
        Err(Win32Error::SERVICE_NOT_ACTIVE)
    )]
    #[case::stop_pending(
        ServiceState::StopPending,
        ServiceControl::Interrogate,
        Err(Win32Error::SERVICE_CANNOT_ACCEPT_CTRL)
    )]
    #[case::start_pending_stop(ServiceState::StartPending, ServiceControl::Stop, Ok(()))]
    #[case::start_pending_pause(
        ServiceState::StartPending,
        ServiceControl::Pause,
        Err(Win32Error::SERVICE_CANNOT_ACCEPT_CTRL)
    )]
    #[case::running_pause_not_accepted(
        ServiceState::Running,
        ServiceControl::Pause,
        Err(Win32Error::INVALID_SERVICE_CONTROL)
    )]
    #[case::running_paramchange(
        ServiceState::Running,
        ServiceControl::ParamChange,
        Err(Win32Error::INVALID_SERVICE_CONTROL)
    )]
    #[case::running_interrogate(ServiceState::Running, ServiceControl::Interrogate, Ok(()))]
    #[case::running_user(ServiceState::Running, ServiceControl::UserDefined(200), Ok(()))]
    #[case::paused_stop(ServiceState::Paused, ServiceControl::Stop, Ok(()))]
    fn the_state_table(
        #[case] state: ServiceState,
        #[case] control: ServiceControl,
        #[case] expected: Result<(), Win32Error>,
    ) {
        assert_eq!(admit(state, STOP_ONLY, false, control), expected);
    }

    #[test]
    fn nothing_after_stop_was_sent() {
        assert_eq!(
            admit(
                ServiceState::Running,
                STOP_ONLY,
                true,
                ServiceControl::Interrogate
            ),
            Err(Win32Error::SERVICE_CANNOT_ACCEPT_CTRL)
        );
    }

    #[test]
    fn clients_cannot_send_shutdown() {
        assert_eq!(client_right_for(ServiceControl::Shutdown), None);
        assert_eq!(client_right_for(ServiceControl::Preshutdown), None);
        assert_eq!(
            client_right_for(ServiceControl::Stop),
            Some(access::SERVICE_STOP)
        );
    }
}
