//! The engine as the trigger dispatcher sees it: `impl TriggerHost for Core` (starts and
//! controls through the engine's one path) and `impl Services for State` (the records, the
//! clock and the trace, under the engine's lock). The dispatcher itself lives in `triggers`.

use std::sync::Arc;
use std::time::Duration;

use fake_registry::service::TriggerAction;

use crate::error::Win32Error;
use crate::events::TraceKind;
use crate::scm::{Core, StartReason, State};
use crate::service::{ControlRequest, ServiceControlAccept, ServiceState};
use crate::triggers::{EngineCall, Services, TriggerEvent, TriggerHost, TriggerState};

impl Core {
    /// Raises a trigger event: updates the machine's conditions and hands it to the
    /// dispatcher. Returns its number.
    pub(crate) fn raise_trigger(&self, event: TriggerEvent) -> u64 {
        let (mut event, mut id) = (Some(event), 0);
        self.with_triggers(&mut |t, sv| {
            if let Some(event) = event.take() {
                id = t.raise(event, sv);
            }
        });
        self.wake();
        id
    }

    /// The trigger dispatcher of this machine (see `triggers::run`).
    pub(crate) async fn trigger_dispatcher(self: Arc<Core>) {
        crate::triggers::run(self).await;
    }
}

impl TriggerHost for Core {
    fn with_triggers(&self, f: &mut dyn FnMut(&mut TriggerState, &mut dyn Services)) {
        let mut st = self.lock();
        // The trigger state leaves `State` while `f` runs, so `f` can see both; nothing of
        // `Services` reads it.
        let mut triggers = std::mem::take(&mut st.triggers);
        f(&mut triggers, &mut *st);
        st.triggers = triggers;
    }

    fn start(self: Arc<Self>, service: String) -> EngineCall<Result<(), Win32Error>> {
        Box::pin(async move {
            let args = vec!["TriggerStarted".to_string()];
            self.start_service(service, args, StartReason::Trigger, Vec::new())
                .await
        })
    }

    fn control(
        self: Arc<Self>,
        service: String,
        request: ControlRequest,
    ) -> EngineCall<Result<u32, Win32Error>> {
        Box::pin(async move { self.send_control(&service, request, false).await })
    }

    fn wake(&self) {
        Core::wake(self);
    }

    fn work(&self) -> &tokio::sync::Notify {
        &self.trigger_work
    }
}

impl Services for State {
    fn name_of(&self, key: &str) -> Option<String> {
        self.record(key).map(|r| r.name.to_string())
    }

    fn now(&self) -> Duration {
        State::now(self)
    }

    fn note(&mut self, text: &dyn Fn() -> String) {
        self.trace_with(|| TraceKind::Note {
            text: text().into(),
        });
    }

    fn state_of(&self, key: &str) -> Option<(ServiceState, ServiceControlAccept)> {
        self.record(key)
            .map(|r| (r.status().state, r.status().accepted))
    }

    fn has_active_dependents(&self, key: &str) -> bool {
        self.records
            .dependents_of(key)
            .any(|r| r.status().state != ServiceState::Stopped)
    }

    fn matching(&self, event: &TriggerEvent) -> Vec<(String, TriggerAction)> {
        self.records
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
}
