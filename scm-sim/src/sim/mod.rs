//! Simulation machinery: virtual time (`clock`), seeded random streams, the replay token, the
//! work tracker (which tracked unit is running, the STOPPED rules) and the violation oracle.
//!
//! Tracked OS threads on virtual time (`thread`: [`ThreadContext`], [`TrackedThread`]) live
//! here too, beside the clock they hold; service code starts them through its context.
//!
//! It knows nothing of the SCM's state or of the machine: the test harness, which builds
//! machines, is [`crate::machine::harness`]; the hang watchdog is the SCM's (`scm`). What a
//! thread needs of the engine is the `thread::ThreadHost` trait, which the engine implements.

pub mod clock;
pub(crate) mod ledger;
mod oracle;
mod replay;
mod rng;
pub(crate) mod thread;
pub(crate) mod work;

pub use oracle::{legal_transition, Rule, Violation};
pub(crate) use replay::ReplayConfig;
pub use replay::{fnv1a, seed_from_env, ReplayToken, CHECK_DETERMINISM_ENV, SEED_ENV};
pub use rng::SimRng;
pub use thread::park::{ClockHold, Unparker};
pub use thread::{Killed, ThreadContext, TrackedThread};
pub use work::{StopReport, WorkKind, WorkUnit};
