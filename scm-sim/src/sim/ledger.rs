//! What the oracle keeps about a run: the tracked work of services, every broken rule, the
//! hangs already reported, the halt a hang may cause, the untracked-task census, the draws
//! from the service-visible random stream, and what the replay token is made of.

use std::collections::{BTreeMap, BTreeSet};

use crate::sim::{ReplayConfig, Violation, WorkUnit};
use crate::win32::ServiceName;

/// Units of work kept at most before finished ones are forgotten (oldest first); live units
/// are always kept.
pub(crate) const WORK_KEPT: usize = 8_192;

/// The oracle's records of one run.
#[derive(Debug)]
pub(crate) struct Ledger {
    /// Tracked work of services, by id.
    pub(crate) work: BTreeMap<u64, WorkUnit>,
    next_work: u64,
    /// Every broken rule, in order.
    pub(crate) violations: Vec<Violation>,
    /// Hangs already reported: (service, instance, state, checkpoint).
    pub(crate) hangs_seen: BTreeSet<(ServiceName, u64, u32, u32)>,
    /// Set when a hang ends the test (`HangAction::EndTest`).
    pub(crate) halt: Option<Violation>,
    /// The untracked-task census at the last check.
    pub(crate) census_reported: usize,
    /// Draws from the service-visible random stream so far.
    pub(crate) service_draws: u64,
    /// The seed and configuration the replay token of this run is made of.
    pub(crate) replay: ReplayConfig,
}

impl Ledger {
    /// An empty ledger for a run described by `replay`.
    pub(crate) fn new(replay: ReplayConfig) -> Ledger {
        Ledger {
            work: BTreeMap::new(),
            next_work: 0,
            violations: Vec::new(),
            hangs_seen: BTreeSet::new(),
            halt: None,
            census_reported: 0,
            service_draws: 0,
            replay,
        }
    }

    /// Registers a unit of work (its `id` is assigned here); returns the id. Past
    /// [`WORK_KEPT`] units, the oldest finished ones are forgotten (a quarter at a time), so
    /// memory stays bounded over any run length while every live unit is kept.
    pub(crate) fn start_work(&mut self, mut unit: WorkUnit) -> u64 {
        self.next_work += 1;
        unit.id = self.next_work;
        self.work.insert(unit.id, unit);
        if self.work.len() > WORK_KEPT {
            self.forget_finished(WORK_KEPT / 4);
        }
        self.next_work
    }

    /// Forgets up to `n` finished units, oldest first.
    fn forget_finished(&mut self, n: usize) {
        let old: Vec<u64> = self
            .work
            .values()
            .filter(|w| !w.alive)
            .take(n)
            .map(|w| w.id)
            .collect();
        for id in old {
            self.work.remove(&id);
        }
    }

    /// Marks a unit of work as ended.
    pub(crate) fn finish_work(&mut self, id: u64) {
        if let Some(w) = self.work.get_mut(&id) {
            w.alive = false;
        }
    }

    /// Records a broken rule; `halts` makes it the halt when none is set yet.
    pub(crate) fn record(&mut self, violation: Violation, halts: bool) {
        if halts && self.halt.is_none() {
            self.halt = Some(violation.clone());
        }
        self.violations.push(violation);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{StopReport, WorkKind};

    fn unit(alive: bool) -> WorkUnit {
        WorkUnit {
            id: 0,
            service: "Svc".into(),
            pid: 4,
            instance: 1,
            name: "worker".into(),
            site: "here".into(),
            kind: WorkKind::Task,
            alive,
            progress: None,
            killed: false,
            stop_report: StopReport::None,
        }
    }

    #[test]
    fn finished_work_is_forgotten_past_the_bound_and_live_work_never() {
        let mut ledger = Ledger::new(ReplayConfig::new(0));
        let live = ledger.start_work(unit(true));
        for _ in 0..3 * WORK_KEPT {
            let id = ledger.start_work(unit(true));
            ledger.finish_work(id);
        }
        assert!(ledger.work.len() <= WORK_KEPT);
        assert!(ledger.work.contains_key(&live), "a live unit is kept");
        let newest = ledger.work.keys().next_back().copied();
        assert_eq!(
            newest,
            Some(3 * WORK_KEPT as u64 + 1),
            "the newest are kept"
        );
    }
}
