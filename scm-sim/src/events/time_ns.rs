//! Serde helper: a virtual-time [`Duration`] written as whole nanoseconds (`u64`), so JSON
//! stays one readable number and round-trips exactly. Times beyond `u64::MAX` nanoseconds
//! (about 584 years) are written as `u64::MAX`.
//!
//! ```
//! use scm_sim::events::time_ns;
//! use std::time::Duration;
//!
//! assert_eq!(time_ns::to_nanos(Duration::from_millis(42_250)), 42_250_000_000);
//! ```

use serde::{Deserialize, Deserializer, Serializer};
use std::time::Duration;

/// Whole nanoseconds, saturating at `u64::MAX`.
pub fn to_nanos(time: Duration) -> u64 {
    u64::try_from(time.as_nanos()).unwrap_or(u64::MAX)
}

/// `#[serde(with = "time_ns")]` serializer.
pub fn serialize<S: Serializer>(time: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(to_nanos(*time))
}

/// `#[serde(with = "time_ns")]` deserializer.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    u64::deserialize(deserializer).map(Duration::from_nanos)
}

/// Virtual time as seconds with milliseconds, e.g. `42.250s` (sub-millisecond part dropped).
pub fn seconds_text(time: Duration) -> String {
    format!("{}.{:03}s", time.as_secs(), time.subsec_millis())
}
