//! Failure counting and recovery actions (scm-facts §6.3): the count per service since boot,
//! returned to zero after the reset period without a failure; event 7031 with the action (or
//! 7034 without one); a restart after its delay on the virtual clock, which belongs to the
//! boot that queued it: a shutdown, restart or power cut in between cancels it.

use std::sync::Arc;
use std::time::Duration;

use fake_registry::service::{FailureActions, ScActionKind};

use crate::events::{RecoveryAction, ScmEvent};
use crate::scm::{Core, StartReason, State};

/// The failure count after one more failure at `now`: the count returns to zero first when
/// the last failure was at least `reset_period` seconds ago (never with INFINITE). A reset
/// period of 0 therefore makes every failure the first.
pub(crate) fn next_failure_count(
    count: u32,
    last_failure: Option<Duration>,
    now: Duration,
    failure_actions: Option<&FailureActions>,
) -> u32 {
    let reset = match (failure_actions, last_failure) {
        (Some(fa), Some(last)) if !fa.never_resets() => {
            now.saturating_sub(last) >= Duration::from_secs(u64::from(fa.reset_period))
        }
        _ => false,
    };
    if reset {
        1
    } else {
        count.saturating_add(1)
    }
}

impl Core {
    /// Counts a failure and takes the configured recovery action: event 7031 with the action,
    /// or 7034 when none is configured. A restart runs after its delay on the virtual clock,
    /// if the boot that queued it is still the machine's.
    pub(crate) fn service_failed(self: &Arc<Core>, st: &mut State, key: &str) {
        let now = st.now();
        let epoch = st.life.epoch;
        let Some(rec) = st.records.get_mut(key) else {
            return;
        };
        let fa = rec.config.failure_actions.as_ref();
        rec.crash_count = next_failure_count(rec.crash_count, rec.last_failure, now, fa);
        rec.last_failure = Some(now);
        let count = rec.crash_count;
        let action = fa.and_then(|fa| fa.action_for_failure(count).cloned());
        let name = rec.name.to_string();
        let display = st.display_name(key);
        match action {
            Some(a) if a.kind != ScActionKind::None => {
                let kind = RecoveryAction::from_code(a.kind.to_u32());
                st.event(
                    key,
                    ScmEvent::Crash {
                        display_name: display,
                        count,
                        delay_ms: a.delay_ms,
                        action_type: kind,
                    },
                );
                if a.kind == ScActionKind::Restart {
                    let core = self.clone();
                    // At least 1 ms: a 0 ms restart of a service that crashes at once would
                    // otherwise loop forever at one instant of virtual time.
                    let delay = Duration::from_millis(u64::from(a.delay_ms).max(1));
                    self.spawn(async move {
                        tokio::time::sleep(delay).await;
                        if !core.lock().life.current(epoch) {
                            return;
                        }
                        let _ = core
                            .start_service(name, Vec::new(), StartReason::Demand, Vec::new())
                            .await;
                    });
                }
            }
            _ => st.event(
                key,
                ScmEvent::CrashNoAction {
                    display_name: display,
                    count,
                },
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fake_registry::service::ScAction;
    use rstest::rstest;

    fn fa(reset: u32) -> FailureActions {
        FailureActions::new(
            reset,
            vec![ScAction {
                kind: ScActionKind::Restart,
                delay_ms: 1000,
            }],
        )
    }

    #[rstest]
    #[case::first_failure(0, None, 10, Some(60), 1)]
    #[case::inside_the_period(1, Some(10), 69, Some(60), 2)]
    #[case::period_passed(3, Some(10), 70, Some(60), 1)]
    #[case::long_after(5, Some(10), 10_000, Some(60), 1)]
    #[case::infinite_never_resets(5, Some(0), 1_000_000, Some(u32::MAX), 6)]
    #[case::zero_resets_every_time(4, Some(10), 10, Some(0), 1)]
    #[case::no_actions_counts_on(2, Some(0), 1_000, None, 3)]
    fn the_reset_period(
        #[case] count: u32,
        #[case] last_s: Option<u64>,
        #[case] now_s: u64,
        #[case] reset: Option<u32>,
        #[case] expected: u32,
    ) {
        let fa = reset.map(fa);
        let got = next_failure_count(
            count,
            last_s.map(Duration::from_secs),
            Duration::from_secs(now_s),
            fa.as_ref(),
        );
        assert_eq!(got, expected);
    }
}
