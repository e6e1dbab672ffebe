//! How a windows-service program runs in a simulated process.
//!
//! 1. [`install_program`] installs the program's `main` for an image path. When the SCM
//!    launches the image, `main` runs on its own OS thread; the virtual clock stands still
//!    until it calls [`crate::service_dispatcher::start`], returns, or is seen blocked (as in
//!    [`super::watch`]), so its set-up takes no virtual time, and a `main` that blocks
//!    before `start` lets the SCM's 30 s pipe timeout (1053) come on virtual time.
//! 2. `start` hands its (name, ServiceMain) table to the simulated process, which connects
//!    its dispatcher; `start` blocks until the dispatcher returns (the last service stopped).
//! 3. Each start of the service runs the ServiceMain on a tracked thread of scm-sim (so the
//!    oracle sees it, and its STOPPED report as its last act is no violation), with the
//!    [`super::watch`] over it.

use std::cell::RefCell;
use std::ffi::OsString;
use std::sync::mpsc as std_mpsc;
use std::sync::Arc;

use scm_sim::process::ProcessContext;
use scm_sim::service::{service_fn, Program, ServiceContext, ServiceTable};
use scm_sim::sim::ThreadContext;
use scm_sim::Machine;

use super::watch::{own_status_path, seen_blocked, Watch};

/// A ServiceMain as `define_windows_service!` generates it.
pub(crate) type ServiceMainFn = extern "system" fn(u32, *mut *mut u16);

/// What `start` sends to the simulated process: the table entry and where to answer.
pub(crate) struct StartRequest {
    pub(crate) name: String,
    pub(crate) service_main: ServiceMainFn,
    pub(crate) done: std_mpsc::Sender<u32>,
}

/// Where `start` sends its request.
pub(crate) type StartSender = tokio::sync::mpsc::UnboundedSender<StartRequest>;

/// What a ServiceMain thread knows about itself.
pub(crate) struct ServiceThread {
    pub(crate) ctx: ServiceContext,
    pub(crate) tctx: ThreadContext,
    pub(crate) watch: Arc<Watch>,
    pub(crate) args: Vec<OsString>,
}

thread_local! {
    /// On a program's main thread: where `start` sends its table.
    static PROCESS: RefCell<Option<StartSender>> = const { RefCell::new(None) };
    /// On a ServiceMain thread: its service.
    static SERVICE: RefCell<Option<ServiceThread>> = const { RefCell::new(None) };
}

/// The start channel of the calling thread's simulated process, if it is a program's main.
pub(crate) fn process_link() -> Option<StartSender> {
    PROCESS.with(|p| p.borrow().clone())
}

/// Runs `f` with the calling thread's service, if it is a ServiceMain thread.
pub(crate) fn with_service<R>(f: impl FnOnce(&ServiceThread) -> R) -> Option<R> {
    SERVICE.with(|s| s.borrow().as_ref().map(f))
}

struct DropInProgram<F>(Arc<F>);

/// Installs a windows-service program for `image_path` in `machine`: `main` is the program's
/// `main` (it calls [`crate::service_dispatcher::start`]). Its result becomes the process
/// exit code (0 for `Ok`, the Win32 code or 1 for an error).
pub fn install_program<F, R>(machine: &mut Machine, image_path: &str, main: F)
where
    F: Fn() -> R + Send + Sync + 'static,
    R: ExitCode + 'static,
{
    machine.install(image_path, DropInProgram(Arc::new(main)));
}

/// What a program's `main` returns: `()` or a `Result`.
pub trait ExitCode {
    /// The process exit code.
    fn exit_code(self) -> u32;
}

impl ExitCode for () {
    fn exit_code(self) -> u32 {
        0
    }
}

impl<T, E: std::fmt::Debug> ExitCode for Result<T, E> {
    fn exit_code(self) -> u32 {
        u32::from(self.is_err())
    }
}

#[async_trait::async_trait]
impl<F, R> Program for DropInProgram<F>
where
    F: Fn() -> R + Send + Sync + 'static,
    R: ExitCode + 'static,
{
    async fn main(&self, process: ProcessContext) -> u32 {
        let (start_tx, mut start_rx) = tokio::sync::mpsc::unbounded_channel::<StartRequest>();
        let (ended_tx, ended_rx) = tokio::sync::oneshot::channel::<u32>();
        let (path_tx, path_rx) = std_mpsc::channel();
        let main = self.0.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("main of {}", process.image()))
            .spawn(move || {
                let _ = path_tx.send(own_status_path());
                PROCESS.with(|p| *p.borrow_mut() = Some(start_tx));
                let code = main().exit_code();
                PROCESS.with(|p| p.borrow_mut().take());
                let _ = ended_tx.send(code);
            });
        let Ok(thread) = spawned else {
            return 1;
        };
        // Step 1: a blocking task in flight keeps the paused clock still while `main` runs
        // up to `start` (or blocks, or ends).
        let _ = tokio::task::spawn_blocking(move || {
            let path = path_rx.recv().ok().flatten();
            while !thread.is_finished() && !seen_blocked(&path) {}
        })
        .await;
        let first = start_rx.recv().await;
        // A second `start` in the process finds no dispatcher to take (1056).
        drop(start_rx);
        if let Some(req) = first {
            let table = ServiceTable::single(&req.name, service_main_of(req.service_main));
            let code = match process.run_dispatcher(table).await {
                Ok(()) => 0,
                Err(e) => e.code(),
            };
            let _ = req.done.send(code);
        }
        ended_rx.await.unwrap_or(1)
    }
}

/// The async ServiceMain scm-sim calls: runs the program's ServiceMain on a tracked thread.
fn service_main_of(f: ServiceMainFn) -> impl scm_sim::service::Service {
    service_fn(move |ctx: ServiceContext, args: Vec<String>| async move {
        let c = ctx.clone();
        let thread = ctx.spawn_thread("ServiceMain", move |tctx| {
            run_service_main(c, tctx, args, f);
        });
        if let Ok(t) = thread {
            t.join().await;
        }
    })
}

fn run_service_main(ctx: ServiceContext, tctx: ThreadContext, args: Vec<String>, f: ServiceMainFn) {
    let watch = Watch::start(tctx.clock_hold());
    let argc = args.len() as u32;
    let args = args.into_iter().map(OsString::from).collect();
    enter_service_thread(ctx, tctx, watch.clone(), args);
    f(argc, std::ptr::null_mut());
    watch.stop();
    leave_service_thread();
}

/// Marks the calling thread as a thread of the service (ServiceMain or spawned).
pub(crate) fn enter_service_thread(
    ctx: ServiceContext,
    tctx: ThreadContext,
    watch: Arc<Watch>,
    args: Vec<OsString>,
) {
    SERVICE.with(|s| {
        *s.borrow_mut() = Some(ServiceThread {
            ctx,
            tctx,
            watch,
            args,
        })
    });
}

/// Ends [`enter_service_thread`].
pub(crate) fn leave_service_thread() {
    SERVICE.with(|s| s.borrow_mut().take());
}

/// The ServiceMain arguments of the calling thread (empty outside a ServiceMain).
pub(crate) fn service_arguments() -> Vec<OsString> {
    with_service(|s| s.args.clone()).unwrap_or_default()
}
