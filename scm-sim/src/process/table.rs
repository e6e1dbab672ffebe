//! The process table: the simulated processes the SCM launched (pid, image, account, the
//! services each hosts, its dispatcher's channel and tasks), the programs images run, the
//! service DLLs with Rust code, the scripted behaviours, and pid allocation.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use tokio::task::AbortHandle;

use crate::process::InboxSender;
use crate::process::Program;
use crate::sim::SimRng;

/// A simulated process as the SCM tracks it.
#[derive(Debug)]
pub(crate) struct ProcessRecord {
    pub(crate) pid: u32,
    pub(crate) image: Arc<str>,
    pub(crate) image_key: String,
    /// The command line it was launched with (svchost hosts: `-k GROUP [-p] [-s NAME]`).
    pub(crate) command_line: Arc<str>,
    /// The handler the dispatcher is running now (`stop handler of X`), if any.
    pub(crate) busy: Option<BusyHandler>,
    /// DLLs loaded in an svchost host, each with the services using it.
    pub(crate) dlls: BTreeMap<String, BTreeSet<String>>,
    pub(crate) account: String,
    pub(crate) own_process: bool,
    /// Upper-cased names of the services started in it and not yet stopped.
    pub(crate) services: BTreeSet<String>,
    pub(crate) connected: bool,
    pub(crate) exited: bool,
    pub(crate) sender: InboxSender,
    pub(crate) tasks: Vec<AbortHandle>,
}

/// Programs the machine knows, by upper-cased expanded image path.
#[derive(Default)]
pub(crate) struct Programs {
    pub(crate) by_image: BTreeMap<String, Arc<dyn Program>>,
}

impl std::fmt::Debug for Programs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.by_image.keys()).finish()
    }
}

/// The control handler a process's dispatcher is running now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BusyHandler {
    /// The control it handles.
    pub(crate) control: crate::win32::ServiceControl,
    /// The service whose handler it is.
    pub(crate) service: crate::win32::ServiceName,
}

impl std::fmt::Display for BusyHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} handler of {}", self.control.name(), self.service)
    }
}

/// The largest pid handed out before numbering starts again.
const MAX_PID: u32 = (u32::MAX - 64) & !3;
/// Where numbering starts again (below it: Idle 0 and System 4).
const FIRST_REUSED_PID: u32 = 8;

/// The processes and what they can run.
#[derive(Debug)]
pub(crate) struct ProcessTable {
    processes: BTreeMap<u32, ProcessRecord>,
    /// The last pid handed out (pids grow by multiples of 4, as Windows' do).
    next_pid: u32,
    /// Programs by upper-cased expanded image path.
    pub(crate) programs: Programs,
}

impl ProcessTable {
    /// An empty table whose first pid follows `first_pid`.
    pub(crate) fn new(first_pid: u32) -> ProcessTable {
        ProcessTable {
            processes: BTreeMap::new(),
            next_pid: first_pid,
            programs: Programs::default(),
        }
    }

    /// A fresh pid: a few multiples of 4 past the last one, drawn from the schedule stream.
    /// Past the largest pid the numbers start again low (after System's 4), skipping pids
    /// still in use, as Windows reuses pids: a crash-and-restart loop that runs for virtual
    /// weeks never overflows.
    pub(crate) fn allocate_pid(&mut self, rng: &mut SimRng) -> u32 {
        loop {
            let step = 4 * (1 + rng.below(4));
            self.next_pid = match self.next_pid.checked_add(step as u32) {
                Some(pid) if pid <= MAX_PID => pid,
                _ => FIRST_REUSED_PID,
            };
            if !self.processes.contains_key(&self.next_pid) {
                return self.next_pid;
            }
        }
    }

    /// A process by pid.
    pub(crate) fn get(&self, pid: &u32) -> Option<&ProcessRecord> {
        self.processes.get(pid)
    }

    /// A process by pid, mutably.
    pub(crate) fn get_mut(&mut self, pid: &u32) -> Option<&mut ProcessRecord> {
        self.processes.get_mut(pid)
    }

    /// Adds a process.
    pub(crate) fn insert(&mut self, pid: u32, process: ProcessRecord) {
        self.processes.insert(pid, process);
    }

    /// Removes a process (it exited).
    pub(crate) fn remove(&mut self, pid: &u32) -> Option<ProcessRecord> {
        self.processes.remove(pid)
    }

    /// The pids, in order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &u32> {
        self.processes.keys()
    }

    /// The processes, by pid.
    pub(crate) fn values(&self) -> impl Iterator<Item = &ProcessRecord> {
        self.processes.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pids_wrap_past_the_largest_and_stay_multiples_of_four() {
        let mut table = ProcessTable::new(MAX_PID - 20);
        let mut rng = SimRng::new(7);
        let mut wrapped = false;
        for _ in 0..100 {
            let pid = table.allocate_pid(&mut rng);
            assert!((FIRST_REUSED_PID..=MAX_PID).contains(&pid) && pid.is_multiple_of(4));
            wrapped |= pid < 1000;
        }
        assert!(wrapped);
    }
}
