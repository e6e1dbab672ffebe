//! The work tracker: every task and thread service code starts through its context, with its
//! name and spawn site, so the harness can tell which work of a service is still alive.
//!
//! ```
//! use scm_sim::sim::{WorkKind, WorkUnit};
//!
//! let unit = WorkUnit {
//!     id: 1, service: "Flusher".into(), pid: 1004, instance: 1, name: "flush".into(),
//!     site: "src/lib.rs:10:5".into(), kind: WorkKind::Thread, alive: true, progress: None,
//!     killed: false,
//! };
//! assert_eq!(unit.describe(), "thread \"flush\" spawned at src/lib.rs:10:5");
//! ```

use serde::{Deserialize, Serialize};

/// A task or an OS thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WorkKind {
    /// A tokio task (`ctx.spawn_task`).
    Task,
    /// A real OS thread (`ctx.spawn_thread`).
    Thread,
}

/// One tracked unit of work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkUnit {
    /// Tracker id.
    pub id: u64,
    /// The service that spawned it.
    pub service: String,
    /// Its process.
    pub pid: u32,
    /// The start (instance) of the service it belongs to.
    pub instance: u64,
    /// The name given at spawn.
    pub name: String,
    /// `file:line:column` of the spawn call.
    pub site: String,
    /// Task or thread.
    pub kind: WorkKind,
    /// Still running.
    pub alive: bool,
    /// The last progress the unit registered (e.g. "flushed 3 of 10 blocks").
    pub progress: Option<String>,
    /// Its process was terminated while it was alive.
    #[serde(default)]
    pub killed: bool,
}

impl WorkUnit {
    /// `thread "flush" spawned at src/lib.rs:10:5`.
    pub fn describe(&self) -> String {
        let kind = match self.kind {
            WorkKind::Task => "task",
            WorkKind::Thread => "thread",
        };
        format!("{kind} {:?} spawned at {}", self.name, self.site)
    }
}
