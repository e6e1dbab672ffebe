//! What only the simulation has: installing a windows-service program into a simulated
//! machine ([`install_program`]), the machine manager code talks to ([`with_machine`]), and
//! waits on virtual time ([`sleep`], [`channel`], [`Instant`]).
//!
//! # Blocking code and virtual time
//!
//! windows-service code blocks: its ServiceMain waits on a channel, sleeps, reads a socket.
//! The simulator runs on virtual time and must know when such a thread is done with the
//! current instant. Two models, used together:
//!
//! - **(a) exact**: code that waits through this module's [`sleep`], [`channel`] and
//!   [`Instant`] waits on the machine's clock. A control's send wakes the ServiceMain at the
//!   same virtual instant; `recv_timeout(1 s)` is one clock jump; runs replay from their seed.
//!   On Windows these names are aliased to std with one `cfg` line (see [`time`]).
//! - **(b) observed (Linux)**: unchanged std code (`std::sync::mpsc`, `std::thread::sleep`)
//!   is watched through `/proc` (see [`watch`]): the ServiceMain thread holds the clock from
//!   each event the simulator gives it (its start, a control to its handler) until the
//!   operating system shows it blocked. Controls, states, exit codes and SCM timeouts come
//!   out right (a ServiceMain that never reports reaches the 30 s pipe timeout without a real
//!   wait), but its own timeouts are real time.
//!
//! # Limitations
//!
//! - Model (b): real-time waits stay real (`recv_timeout(1 s)` is one real second, and what
//!   the loop does on waking happens at whatever virtual time it is then); a thread blocked on
//!   a contended lock for over a millisecond looks blocked; it needs Linux's `/proc`
//!   (elsewhere a thread counts as blocked 10 ms after it was armed).
//! - Only the ServiceMain thread is watched or waits on virtual time; threads the service
//!   starts with `std::thread::spawn` run untracked on real time.
//! - `service_control_handler::register` must be called on the ServiceMain thread.
//! - Manager code runs on the thread that called [`with_machine`]; from a ServiceMain or a
//!   handler it fails with 1063.
//! - One service per process (as windows-service's dispatcher table); no raw handles
//!   (`raw_handle`, `AsRawHandle`).

mod program;
mod scope;
pub mod thread;
pub mod time;
pub mod watch;

pub use program::{install_program, ExitCode};
pub(crate) use program::{process_link, service_arguments, with_service, StartRequest};
pub(crate) use scope::on_machine;
pub use scope::with_machine;
pub use time::{
    channel, sleep, Instant, Receiver, RecvError, RecvTimeoutError, SendError, Sender, TryRecvError,
};
