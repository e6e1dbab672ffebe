//! The hang watchdog: one task per machine that watches every pending service and reports
//! the ones whose checkpoint did not advance before their wait hint ran out (`hung-start`
//! with event 7022, `hung-stop`, `hung-pause`). Windows leaves such a service pending; the
//! machine's [`crate::scm::HangAction`] decides whether the test ends.

use std::sync::Arc;
use std::time::Duration;

use crate::events::ScmEvent;
use crate::scm::{Core, State};
use crate::service::ServiceState;
use crate::sim::Rule;

impl Core {
    /// Runs until the machine is dropped or rebooted.
    pub(crate) async fn watchdog(self: Arc<Core>) {
        loop {
            let notified = self.watch.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let next = {
                let mut st = self.lock();
                self.check_hangs(&mut st)
            };
            match next {
                Some(left) => {
                    tokio::select! {
                        biased;
                        _ = &mut notified => {}
                        _ = tokio::time::sleep(left) => {}
                    }
                }
                None => notified.await,
            }
        }
    }

    /// Flags overdue pending services; returns the time until the next deadline.
    fn check_hangs(&self, st: &mut State) -> Option<Duration> {
        let now = st.now();
        let mut next: Option<Duration> = None;
        let mut overdue = Vec::new();
        for (key, r) in &st.records {
            let s = r.status;
            if !s.state.is_pending() {
                continue;
            }
            let id = (key.clone(), r.instance, s.state.to_raw(), s.checkpoint);
            if st.hangs_seen.contains(&id) {
                continue;
            }
            let deadline =
                r.last_progress + Duration::from_millis(u64::from(s.wait_hint_ms).max(1));
            if deadline <= now {
                overdue.push((id, s.state, s.checkpoint, s.wait_hint_ms, r.last_progress));
            } else {
                let left = deadline - now;
                next = Some(next.map_or(left, |n| n.min(left)));
            }
        }
        for (id, state, checkpoint, hint, since) in overdue {
            let key = id.0.clone();
            st.hangs_seen.insert(id);
            let rule = match state {
                ServiceState::StartPending => Rule::HungStart,
                ServiceState::StopPending => Rule::HungStop,
                _ => Rule::HungPause,
            };
            let seen = format!(
                "{} with checkpoint {checkpoint} and wait hint {hint} ms, no progress since {}",
                state.sc_label(),
                crate::events::time_ns::seconds_text(since)
            );
            self.violation(st, rule, &key, seen);
            let display = st.display_name(&key);
            match state {
                ServiceState::StartPending => st.event(
                    &key,
                    ScmEvent::StartHung {
                        display_name: display,
                    },
                ),
                ServiceState::StopPending => st.event(
                    &key,
                    ScmEvent::HungStop {
                        display_name: display,
                        waited_ms: (now - since).as_millis() as u64,
                    },
                ),
                _ => {}
            }
        }
        next
    }
}
