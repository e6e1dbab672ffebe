//! Simulation machinery: virtual time (`clock`), seeded random streams, the replay token, the
//! work tracker (which tracked unit is running, the STOPPED rules), the violation oracle and
//! the test harness (seeds from the environment, determinism checks). It knows nothing of the
//! SCM's state: the hang watchdog is the SCM's (`scm`), and tracked OS threads are service
//! code's ([`crate::service::ThreadContext`], re-exported here under their old paths).

pub mod clock;
pub mod harness;
pub(crate) mod ledger;
mod oracle;
mod replay;
mod rng;
pub(crate) mod work;

/// Tracked OS threads are service code's (they live in `service`); their old paths stay.
pub use crate::service::{Killed, ThreadContext, TrackedThread};
pub use oracle::{legal_transition, Rule, Violation};
pub(crate) use replay::ReplayConfig;
pub use replay::{fnv1a, seed_from_env, ReplayToken, CHECK_DETERMINISM_ENV, SEED_ENV};
pub use rng::SimRng;
pub use work::{StopReport, WorkKind, WorkUnit};
