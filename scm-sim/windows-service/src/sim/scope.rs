//! The machine manager code talks to: [`with_machine`] puts a machine in scope on the calling
//! thread for the duration of a closure; `ServiceManager::local_computer` and every
//! [`crate::service::Service`] call use it. Calls from inside a call (a control handler
//! running while `Service::stop` settles the machine) and calls outside any scope fail with
//! ERROR_FAILED_SERVICE_CONTROLLER_CONNECT (1063): there is no SCM to talk to.

use std::cell::RefCell;

use scm_sim::machine::Image;
use scm_sim::Machine;

use crate::{Error, Result};

thread_local! {
    static CURRENT: RefCell<Option<Machine>> = const { RefCell::new(None) };
    /// An empty machine that stands in for the borrowed one while it is in scope.
    static SPARE: RefCell<Option<Machine>> = const { RefCell::new(None) };
}

/// Puts the machine back where it came from, even if the closure panics.
struct Restore<'a> {
    machine: &'a mut Machine,
}

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        if let Some(m) = CURRENT.with(|c| c.borrow_mut().take()) {
            let spare = std::mem::replace(self.machine, m);
            SPARE.with(|s| *s.borrow_mut() = Some(spare));
        }
    }
}

/// Runs `f` with `machine` as the local computer of manager code (`ServiceManager`,
/// `Service`) on this thread.
///
/// # Panics
/// When a machine is already in scope on this thread (scopes do not nest).
pub fn with_machine<R>(machine: &mut Machine, f: impl FnOnce() -> R) -> R {
    assert!(
        CURRENT.with(|c| c.borrow().is_none()),
        "windows_service::sim::with_machine: a machine is already in scope on this thread"
    );
    let spare = SPARE.with(|s| s.borrow_mut().take()).unwrap_or_else(|| {
        Machine::builder()
            .image(Image::Empty)
            .boot(false)
            .build()
            .expect("an empty machine builds")
    });
    let real = std::mem::replace(machine, spare);
    CURRENT.with(|c| *c.borrow_mut() = Some(real));
    let _restore = Restore { machine };
    f()
}

/// Runs `f` on the machine in scope.
pub(crate) fn on_machine<R>(f: impl FnOnce(&mut Machine) -> R) -> Result<R> {
    CURRENT.with(|c| match c.try_borrow_mut() {
        Ok(mut slot) => match slot.as_mut() {
            Some(m) => Ok(f(m)),
            None => Err(Error::from_win32(1063)),
        },
        Err(_) => Err(Error::from_win32(1063)),
    })
}
