//! Simulation machinery: seeded random streams (and, with the harness, the replay token, the
//! work tracker and the violation oracle).

mod rng;
mod work;

pub use rng::SimRng;
pub use work::{WorkKind, WorkUnit};
