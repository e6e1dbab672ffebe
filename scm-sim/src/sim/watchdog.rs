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
    ///
    /// Two stages: when the wait hint runs out without progress the rule is broken
    /// (`hung-start`, `hung-stop`, `hung-pause`); Windows itself gives up on a start only
    /// 80 seconds later ("80 seconds plus the last wait hint", Service Startup) and logs
    /// event 7022 then.
    fn check_hangs(&self, st: &mut State) -> Option<Duration> {
        const START_GRACE: Duration = Duration::from_secs(80);
        let now = st.now();
        let mut next: Option<Duration> = None;
        let mut overdue = Vec::new();
        let mut give_up = Vec::new();
        let consider = |deadline: Duration, next: &mut Option<Duration>| -> bool {
            if deadline <= now {
                true
            } else {
                let left = deadline - now;
                *next = Some(next.map_or(left, |n: Duration| n.min(left)));
                false
            }
        };
        // Only the pending services, indexed by the transition function: the cost does not
        // grow with the size of the machine.
        for r in st.records.pending() {
            let key = &r.name;
            let s = r.status();
            if !s.state.is_pending() || r.awaiting_dispatcher() {
                continue;
            }
            let id = (key.clone(), r.instance(), s.state.to_raw(), s.checkpoint);
            let deadline =
                r.last_progress() + Duration::from_millis(u64::from(s.wait_hint_ms).max(1));
            if !st.ledger.hangs_seen.contains(&id) && consider(deadline, &mut next) {
                overdue.push((
                    id.clone(),
                    s.state,
                    s.checkpoint,
                    s.wait_hint_ms,
                    r.last_progress(),
                ));
            }
            if s.state == ServiceState::StartPending {
                let stage2 = (
                    key.clone(),
                    r.instance(),
                    100 + s.state.to_raw(),
                    s.checkpoint,
                );
                if !st.ledger.hangs_seen.contains(&stage2)
                    && consider(deadline + START_GRACE, &mut next)
                {
                    give_up.push(stage2);
                }
            }
        }
        for id in give_up {
            let key = id.0.folded().to_string();
            st.ledger.hangs_seen.insert(id);
            let display = st.display_name(&key);
            st.event(
                &key,
                ScmEvent::StartHung {
                    display_name: display,
                },
            );
        }
        for (id, state, checkpoint, hint, since) in overdue {
            let key = id.0.folded().to_string();
            st.ledger.hangs_seen.insert(id);
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
            if state == ServiceState::StopPending {
                let display = st.display_name(&key);
                st.event(
                    &key,
                    ScmEvent::HungStop {
                        display_name: display,
                        waited_ms: (now - since).as_millis() as u64,
                    },
                );
            }
        }
        next
    }
}
