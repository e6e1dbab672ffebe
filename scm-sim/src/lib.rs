//! scm-sim: a simulated Windows Service Control Manager on virtual time.
#![deny(missing_docs)]
pub use fake_registry as registry;

pub mod error;

pub use error::Win32Error;
