//! Simulation machinery: seeded random streams, the replay token, the work tracker (tasks and
//! real OS threads on virtual time), the violation oracle, the hang watchdog and the test
//! harness (seeds from the environment, determinism checks).

pub mod clock;
pub mod harness;
pub(crate) mod ledger;
mod oracle;
mod replay;
mod rng;
pub(crate) mod thread;
mod watchdog;
pub(crate) mod work;

pub use oracle::{legal_transition, Rule, Violation};
pub(crate) use replay::ReplayConfig;
pub use replay::{fnv1a, seed_from_env, ReplayToken, CHECK_DETERMINISM_ENV, SEED_ENV};
pub use rng::SimRng;
pub use thread::{Killed, ThreadContext, TrackedThread};
pub use work::{StopReport, WorkKind, WorkUnit};
