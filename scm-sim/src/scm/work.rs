//! The engine's side of the work tracker (`sim::work` keeps the units and the rules): what the
//! SCM records when a unit that reported its service STOPPED goes on working, or returns.

use crate::scm::Core;
use crate::sim::{Rule, StopReport};

impl Core {
    /// A reporter goes on working after its STOPPED report (rule 3). Once per unit.
    pub(crate) fn went_on_after_stopped(&self, id: u64) {
        let mut st = self.lock();
        let Some(w) = st.ledger.work.get_mut(&id) else {
            return;
        };
        if w.stop_report != StopReport::Ending {
            return;
        }
        w.stop_report = StopReport::WentOn;
        let service = w.service.clone();
        let seen = format!("{} went on after it reported STOPPED", w.describe());
        self.violation(&mut st, Rule::StoppedWithLiveWork, &service, seen);
        drop(st);
        self.wake();
    }

    /// A unit ended; a reporter that ends before going on made STOPPED its last act (rule 4).
    /// A thread calls this after it woke its joiner, so the joiner runs before the process
    /// the reporter kept alive exits.
    pub(crate) fn reporter_returned(&self, id: u64) {
        let mut st = self.lock();
        let Some(w) = st.ledger.work.get_mut(&id) else {
            return;
        };
        if w.stop_report != StopReport::Ending {
            return;
        }
        w.stop_report = StopReport::LastAct;
        drop(st);
        self.wake();
    }
}
