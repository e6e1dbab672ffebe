//! Simulation machinery: virtual time (`clock`), seeded random streams, the replay token, the
//! work tracker (which tracked unit is running, the STOPPED rules) and the violation oracle.
//!
//! It knows nothing of the SCM's state or of the machine: the test harness, which builds
//! machines, is [`crate::machine::harness`]; the hang watchdog is the SCM's (`scm`); tracked
//! OS threads are service code's ([`crate::service::ThreadContext`], re-exported here under
//! their old paths).

pub mod clock;
pub(crate) mod ledger;
mod oracle;
mod replay;
mod rng;
pub(crate) mod work;

/// Tracked OS threads are service code's (they live in `service`); their old paths stay.
pub use crate::service::{ClockHold, Killed, ThreadContext, TrackedThread, Unparker};
pub use oracle::{legal_transition, Rule, Violation};
pub(crate) use replay::ReplayConfig;
pub use replay::{fnv1a, seed_from_env, ReplayToken, CHECK_DETERMINISM_ENV, SEED_ENV};
pub use rng::SimRng;
pub use work::{StopReport, WorkKind, WorkUnit};
