//! Runnable examples for scm-sim; each lives in its own module and has a test that drives it.
//!
//! | module | what it shows |
//! |---|---|
//! | [`flush_bug`] | the classic bug — STOPPED reported while a flush worker thread still writes — found by a property search over seeds and stop times, replayed from its seed, and fixed |
//! | [`svchost_pair`] | two Rust DLL-style services in one svchost group: one DLL, two exports, `SvchostPushServiceGlobals`, one shared host (`--bin svchost_pair`) |
//! | [`trigger_idle`] | a trigger-started service with an idle stop, driven by USB disk arrivals: an arrival during the idle stop answered 1115, queued, the restart, then the queued TRIGGEREVENT (`--bin trigger_idle`) |
//! | [`ping`] | a ping-style service like the windows-service crate's example, without the network: a tracked pinger task counting every second, STOP / PAUSE / CONTINUE / INTERROGATE and a user control (130) that resets the counter (`--bin ping`) |
//!
//! Run `cargo run -p scm-sim-examples --bin flush_bug` to see what a user sees when the bug is
//! caught.

#![deny(missing_docs)]

pub mod flush_bug;
pub mod ping;
pub mod svchost_pair;
pub mod trigger_idle;
