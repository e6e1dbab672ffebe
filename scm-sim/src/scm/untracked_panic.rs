//! Panics in tokio tasks the engine did not spawn (a plain `tokio::spawn` from service code).
//!
//! ```text
//! // inside a ServiceMain
//! tokio::spawn(async { panic!("lost") });   // on Windows: an unhandled exception ends the process
//! ```
//!
//! A panic in ServiceMain, a handler, a `ctx.spawn_task` task or a tracked thread is caught
//! where it happens and ends its process (1067, event 7034). A task started with a plain
//! `tokio::spawn` is not ours: tokio catches its panic and keeps it for a `JoinHandle` nobody
//! may read, so the service would stay RUNNING as if nothing happened. To see it:
//!
//! 1. Every engine task runs inside the task-local scope [`ENGINE_TASK`]; a plain `tokio::spawn`
//!    does not inherit it.
//! 2. While a `Machine` drives its runtime (`block_on`, settle, advance), the thread-local
//!    `DRIVEN` names the machine's core ([`Driving`]).
//! 3. A process-wide panic hook, installed once and chained to the previous hook (which still
//!    prints), notices a panic inside a tokio task, outside every engine scope, on a thread
//!    that drives a machine: it queues an engine task that handles it at the same instant.
//! 4. The handler records an `untracked-task` violation and, when exactly one process runs
//!    Rust service code, ends that process as Windows would. With several such processes the
//!    simulator cannot tell whose task it was: it records the violation and ends none
//!    (Limitations in the README; use `ctx.spawn_task`, which names the process).

use std::cell::RefCell;
use std::panic::PanicHookInfo;
use std::sync::{Arc, Once, Weak};

use super::Core;
use crate::sim::Rule;

tokio::task_local! {
    /// Set for the whole life of every task the engine spawns (step 1).
    pub(crate) static ENGINE_TASK: ();
}

thread_local! {
    /// The machines this thread drives now, innermost last (step 2).
    static DRIVEN: RefCell<Vec<Weak<Core>>> = const { RefCell::new(Vec::new()) };
}

/// Marks the current thread as driving a machine's runtime until dropped (step 2).
#[derive(Debug)]
pub(crate) struct Driving(());

impl Driving {
    /// Enters: installs the hook (once per process) and names `core` as driven.
    pub(crate) fn enter(core: &Arc<Core>) -> Driving {
        install_hook();
        DRIVEN.with(|d| d.borrow_mut().push(Arc::downgrade(core)));
        Driving(())
    }
}

impl Drop for Driving {
    fn drop(&mut self) {
        DRIVEN.with(|d| d.borrow_mut().pop());
    }
}

/// Step 3: the process-wide hook, chained to the previous one.
fn install_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            notice_untracked_panic(info);
            previous(info);
        }));
    });
}

fn notice_untracked_panic(info: &PanicHookInfo<'_>) {
    if tokio::task::try_id().is_none() || ENGINE_TASK.try_with(|_| ()).is_ok() {
        return;
    }
    let Some(core) = DRIVEN
        .try_with(|d| d.borrow().last().and_then(Weak::upgrade))
        .ok()
        .flatten()
    else {
        return;
    };
    let message = panic_text(info);
    let handler = core.clone();
    core.spawn(async move { handler.untracked_task_panicked(&message) });
}

fn panic_text(info: &PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic with a non-string payload".to_string());
    match info.location() {
        Some(at) => format!("{text} (at {at})"),
        None => text,
    }
}

impl Core {
    /// Step 4: a violation, and the end of the one process running Rust service code.
    fn untracked_task_panicked(self: &Arc<Core>, message: &str) {
        let (candidates, first_service) = {
            let st = self.lock();
            let runs_code: Vec<(u32, String)> = st
                .processes
                .values()
                .filter(|p| !p.exited && runs_service_code(&st, p))
                .map(|p| (p.pid, p.services.iter().next().cloned().unwrap_or_default()))
                .collect();
            let first = runs_code.first().map(|(_, s)| s.clone());
            (runs_code, first)
        };
        let attributed = candidates.len() == 1;
        let seen = if attributed {
            format!("a tokio task not spawned through ServiceContext::spawn_task panicked: {message}; its process {} ends, as an unhandled exception ends a process on Windows", candidates[0].0)
        } else {
            format!("a tokio task not spawned through ServiceContext::spawn_task panicked: {message}; {} processes run service code, so the simulator cannot tell whose task it was and ends none (spawn it with ctx.spawn_task)", candidates.len())
        };
        {
            let mut st = self.lock();
            let service = first_service.unwrap_or_default();
            self.violation(&mut st, Rule::UntrackedTask, &service, seen);
        }
        if attributed {
            let what = format!("an untracked tokio task panicked: {message}");
            self.crash_process(candidates[0].0, &what);
        }
    }
}

/// True when `p` runs Rust service code (a program installed for its image, or a service DLL
/// with Rust code loaded in it), as opposed to scripted services.
fn runs_service_code(st: &super::State, p: &crate::process::table::ProcessRecord) -> bool {
    st.processes.programs.by_image.contains_key(&p.image_key)
        || p.dlls.keys().any(|dll| st.service_dlls.contains_key(dll))
}
