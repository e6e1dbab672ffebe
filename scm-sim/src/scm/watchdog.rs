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
        let now = st.now();
        let due = due_hangs(st, now);
        for id in due.give_up {
            let key = id.0.folded().to_string();
            st.ledger.hangs_seen.insert(id);
            let display_name = st.display_name(&key);
            st.event(&key, ScmEvent::StartHung { display_name });
        }
        for hang in due.overdue {
            self.report_hang(st, hang);
        }
        due.next
    }

    /// One overdue pending state: the rule it breaks and, for a stop, the hung-stop event
    /// (Windows keeps waiting).
    fn report_hang(&self, st: &mut State, hang: Overdue) {
        let key = hang.id.0.folded().to_string();
        st.ledger.hangs_seen.insert(hang.id);
        let rule = match hang.state {
            ServiceState::StartPending => Rule::HungStart,
            ServiceState::StopPending => Rule::HungStop,
            _ => Rule::HungPause,
        };
        let seen = format!(
            "{} with checkpoint {} and wait hint {} ms, no progress since {}",
            hang.state.sc_label(),
            hang.checkpoint,
            hang.wait_hint_ms,
            crate::events::time_ns::seconds_text(hang.since)
        );
        // Windows logs no event for a stop that hangs (it keeps waiting): the oracle reports it.
        self.violation(st, rule, &key, seen);
    }
}

/// Windows gives up on a start this long after its wait hint ran out (event 7022).
const START_GRACE: Duration = Duration::from_secs(80);

/// A hang already reported: (service, instance, state or 100 + state for the second stage,
/// checkpoint).
type HangId = (crate::service::ServiceName, u64, u32, u32);

/// A pending state whose wait hint ran out without progress.
struct Overdue {
    id: HangId,
    state: ServiceState,
    checkpoint: u32,
    wait_hint_ms: u32,
    since: Duration,
}

/// What the watchdog must act on now, and when it must look again.
#[derive(Default)]
struct DueHangs {
    overdue: Vec<Overdue>,
    give_up: Vec<HangId>,
    next: Option<Duration>,
}

impl DueHangs {
    /// True when `deadline` has passed; else remembers it if it is the next one.
    fn passed(&mut self, deadline: Duration, now: Duration) -> bool {
        if deadline <= now {
            return true;
        }
        let left = deadline - now;
        self.next = Some(self.next.map_or(left, |n| n.min(left)));
        false
    }
}

/// Looks at the pending services only (indexed by the transition function: the cost does not
/// grow with the size of the machine) for hangs not yet reported.
fn due_hangs(st: &State, now: Duration) -> DueHangs {
    let mut due = DueHangs::default();
    for r in st.records.pending() {
        let s = r.status();
        if !s.state.is_pending() || r.awaiting_dispatcher() {
            continue;
        }
        let id = (r.name.clone(), r.instance(), s.state.to_raw(), s.checkpoint);
        let deadline = r.last_progress() + Duration::from_millis(u64::from(s.wait_hint_ms).max(1));
        if !st.ledger.hangs_seen.contains(&id) && due.passed(deadline, now) {
            due.overdue.push(Overdue {
                id: id.clone(),
                state: s.state,
                checkpoint: s.checkpoint,
                wait_hint_ms: s.wait_hint_ms,
                since: r.last_progress(),
            });
        }
        if s.state == ServiceState::StartPending {
            let stage2 = (id.0, id.1, 100 + id.2, id.3);
            if !st.ledger.hangs_seen.contains(&stage2) && due.passed(deadline + START_GRACE, now) {
                due.give_up.push(stage2);
            }
        }
    }
    due
}
