//! The helpers scm-sim's tests share: a test bed, services whose behaviour a test controls, and
//! lookups of what a run did.
//!
//! ```
//! use scm_sim::service::ServiceState;
//! use scm_sim_test_support::reporter::{reporter, well_behaved, Answer};
//! use scm_sim_test_support::{reports, secs, Bed};
//!
//! // An empty machine with seed 7, and a service that plays a script of raw reports.
//! let mut bed = Bed::new(7);
//! let h = bed.own("Svc", reporter(well_behaved(), Answer::Politely));
//! bed.m.start_service(h, &[]).expect("StartService");
//! bed.until(secs(1));
//! assert_eq!(bed.state(h), ServiceState::Running);
//! assert!(bed.m.violations().is_empty(), "{}", reports(&bed.m));
//! ```
//!
//! Two styles of test use it: methods on a [`Bed`] (one machine and one SCM handle, as the
//! harness and trigger tests in `scm-sim/tests` write them), or free functions over a
//! [`Machine`] (as the behaviour tables in `tests/tests` write them). Both end in the same code.
//!
//! | module | what it holds |
//! |---|---|
//! | [`bed`] | [`Bed`]: an empty machine and an SCM handle, with installs, creates and time |
//! | [`calls`] | free functions over a [`Machine`]: an admin SCM handle, create, install, open, query, report; the raw-code edges (`control_raw`, `create_raw`, `enum_raw`, `enum_dependents_raw`, `notify_raw`, `control_ex_raw`) |
//! | [`consistency`] | is the machine consistent: records against processes, database against registry |
//! | [`lookups`] | what a run left: violations, events, the timeline, trigger outcomes, tracked work |
//! | [`raw`] | raw SetServiceStatus DWORDs: RUNNING, STOPPED, pending with checkpoint and hint |
//! | [`reporter`] | a service that plays a script of raw reports, sleeps, awaits and spawns |
//! | [`puppet`] | a service that reports only what the test tells it, and a well-behaved one |
//! | [`stop`] | a handler that forwards STOP to a channel, and a ServiceMain body that runs until STOP |
//! | [`triggers`] | a service that logs its argv and TRIGGEREVENTs and idles out; triggers and events |
//!
//! The crate root re-exports [`Bed`], [`calls`] and [`lookups`]. The other modules hold names
//! that mean different things in different suites (`pending`, `well_behaved`, `Probe`), so a
//! test imports the one it means: `use scm_sim_test_support::{*, puppet::*};`.
//!
//! scm-sim itself has this crate as a dev-dependency (it depends on scm-sim in turn, which
//! cargo allows for dev-dependencies): its integration tests see one scm-sim, so the types here
//! are theirs. Its unit tests (`scm-sim/src`) must not use it: there, scm-sim is a second copy
//! of the crate and the types would not match.

#![deny(missing_docs)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

#[cfg(doc)]
use scm_sim::Machine;

pub mod bed;
pub mod calls;
pub mod consistency;
pub mod lookups;
pub mod puppet;
pub mod raw;
pub mod reporter;
pub mod stop;
pub mod triggers;

pub use bed::{Bed, HOST};
pub use calls::*;
pub use lookups::*;

/// Milliseconds as a duration.
pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Seconds as a duration.
pub fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// What a service's code writes, in order, shared between the test and the service.
pub type Log = Arc<Mutex<Vec<String>>>;

/// An empty log.
pub fn new_log() -> Log {
    Arc::new(Mutex::new(Vec::new()))
}

/// A copy of a log.
pub fn lines(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

/// The text of a panic payload (what `std::panic::catch_unwind` returns on a panic).
pub fn panic_text(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}
