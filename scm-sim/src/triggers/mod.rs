//! Service trigger events (Windows 7+): services that start or stop when something happens —
//! a device arrives, the network comes up, a port opens, a policy applies, an RPC interface or
//! named pipe is used, an ETW provider fires — instead of at boot.
//!
//! ```
//! use scm_sim::{Machine, machine::Image};
//! use scm_sim::triggers::{TriggerEvent, TriggerOutcome};
//!
//! let mut m = Machine::builder().image(Image::Windows10).build().unwrap();
//! // AJRouter starts on its named pipe (its TriggerInfo\0 in the built-in registry).
//! let id = m.raise_trigger_event(TriggerEvent::NamedPipe(r"ProtectedPrefix\LocalService\MSAJPipe".into()));
//! let outcomes = m.trigger_outcomes();
//! assert!(outcomes.iter().any(|o| o.event == id && o.service == "AJRouter" && o.outcome == TriggerOutcome::Started));
//! ```

mod dispatch;
mod event;

pub(crate) use dispatch::{run, EngineCall, Services, TriggerHost, TriggerState};
pub use dispatch::{Conditions, TriggerOutcome, TriggerRecord};
pub use event::TriggerEvent;
