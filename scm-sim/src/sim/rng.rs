//! A small portable random generator (SplitMix64) with named streams split from one root
//! seed, so that the schedule, injected faults and what service code sees draw from separate
//! sequences and the same seed replays the same run on every platform.
//!
//! ```
//! use scm_sim::sim::SimRng;
//!
//! let mut a = SimRng::new(42).stream("schedule");
//! let mut b = SimRng::new(42).stream("schedule");
//! assert_eq!(a.next_u64(), b.next_u64());
//! assert_ne!(SimRng::new(42).stream("faults").next_u64(), SimRng::new(42).stream("schedule").next_u64());
//! assert!(a.below(10) < 10);
//! ```

use serde::{Deserialize, Serialize};

/// A SplitMix64 generator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimRng {
    state: u64,
}

impl SimRng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> SimRng {
        SimRng { state: seed }
    }

    /// An independent stream named `name`, derived from this generator's seed.
    pub fn stream(&self, name: &str) -> SimRng {
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        for b in name.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        let mut s = SimRng::new(self.state ^ h);
        s.next_u64();
        s
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// True with probability `num/den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }
}
