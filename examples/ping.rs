//! A ping service in the style of the `windows-service` crate's `ping_service` example,
//! without the network: instead of sending a UDP datagram every second, a background task
//! "pings" by counting, and writes each ping to the service's log.
//!
//! The service is what a Windows service written with `windows-service` looks like, in this
//! crate's vocabulary:
//!
//! - **ServiceMain** ([`ping_service`]) registers a HandlerEx-shaped control handler, reports
//!   RUNNING accepting STOP and PAUSE/CONTINUE, starts the pinger with
//!   [`ServiceContext::spawn_task`] (so the harness sees it), and waits for STOP;
//! - the **handler** answers STOP (reports STOP_PENDING; ServiceMain stops the pinger, waits
//!   for it, closes its log, then reports STOPPED), PAUSE and CONTINUE (the pinger skips its pings while
//!   paused), INTERROGATE (NO_ERROR, as every service must), and the user-defined control
//!   [`RESET_CONTROL`] (130), which resets the counter; anything else is
//!   ERROR_CALL_NOT_IMPLEMENTED.
//!
//! [`PingDemo`] installs it on an empty machine and drives it through the management API;
//! [`report`] runs the whole tour and renders the timeline (`cargo run -p scm-sim-examples
//! --bin ping`).
//!
//! ```
//! use scm_sim::service::{ServiceControl, ServiceState};
//! use std::time::Duration;
//!
//! let mut demo = scm_sim_examples::ping::PingDemo::new();
//! demo.start();
//! demo.machine.advance(Duration::from_millis(3_500));
//! assert_eq!(demo.count(), 3);
//! assert_eq!(demo.control(scm_sim_examples::ping::RESET_CONTROL), ServiceState::Running);
//! assert_eq!(demo.count(), 0);
//! assert_eq!(demo.control(ServiceControl::Stop), ServiceState::StopPending);
//! demo.machine.advance(Duration::from_secs(1));
//! assert_eq!(demo.state(), ServiceState::Stopped);
//! ```

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use scm_sim::events::render_text;
use scm_sim::scm::access::SC_MANAGER_ALL_ACCESS;
use scm_sim::scm::{CreateServiceParams, ScHandle};
use scm_sim::service::{
    service_fn, ControlRequest, Service, ServiceContext, ServiceControl, ServiceControlAccept,
    ServiceControlHandlerResult, ServiceExitCode, ServiceState, ServiceStatus, ServiceTable,
    StatusHandle,
};
use scm_sim::Machine;

/// The service's key name (as in the windows-service example).
pub const SERVICE_NAME: &str = "ping_service";
/// Where its program is installed.
pub const IMAGE_PATH: &str = r"C:\Program Files\Ping\ping_service.exe";
/// The user-defined control that resets the counter.
pub const RESET_CONTROL: ServiceControl = ServiceControl::UserDefined(130);
/// How often the pinger pings.
pub const PING_INTERVAL: Duration = Duration::from_secs(1);
/// How long closing the log takes when the service stops.
pub const CLOSE_TIME: Duration = Duration::from_millis(200);
/// The controls the service accepts while it runs or is paused.
pub const ACCEPTED: ServiceControlAccept =
    ServiceControlAccept::STOP.union(ServiceControlAccept::PAUSE_CONTINUE);

/// What the service shares with whoever watches it: its counter, whether it is paused, and
/// its log.
#[derive(Debug, Default)]
pub struct PingState {
    /// Pings since the start or the last reset.
    pub count: u64,
    /// True between PAUSE and CONTINUE.
    pub paused: bool,
    /// What the service wrote, in order (`ping #3`, `paused`, `counter reset` …).
    pub log: Vec<String>,
}

/// The shared [`PingState`].
#[derive(Debug, Clone, Default)]
pub struct Shared(Arc<Mutex<PingState>>);

impl Shared {
    /// Locks the state.
    pub fn lock(&self) -> MutexGuard<'_, PingState> {
        match self.0.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn write(&self, line: String) {
        self.lock().log.push(line);
    }
}

/// What the handler hands to ServiceMain.
enum Event {
    Stop,
}

/// The ping service's ServiceMain; `shared` is where it counts and logs.
pub fn ping_service(shared: Shared) -> impl Service {
    service_fn(move |ctx: ServiceContext, args: Vec<String>| {
        let shared = shared.clone();
        async move {
            shared.write(format!("ServiceMain {args:?}"));
            let status = ctx.status_handle();
            let (events, mut next_event) = tokio::sync::mpsc::unbounded_channel();
            let handler = control_handler(status.clone(), shared.clone(), events);
            if ctx.register_handler(handler).is_err() {
                return;
            }
            let (stop_pinger, pinger) = spawn_pinger(&ctx, shared.clone());
            if status.set_status(ServiceStatus::running(ACCEPTED)).is_err() {
                return;
            }
            let _ = next_event.recv().await;

            // Stop the pinger and wait for it before saying STOPPED: nothing of the service
            // may still run once the SCM believes it stopped.
            let _ = stop_pinger.send(true);
            let _ = pinger.await;
            close_and_stop(&status, &shared).await;
        }
    })
}

/// The control handler. It runs on the dispatcher: it must return quickly, so STOP is handed
/// to ServiceMain (through `events`); PAUSE, CONTINUE and the reset are done on the spot.
fn control_handler(
    status: StatusHandle,
    shared: Shared,
    events: tokio::sync::mpsc::UnboundedSender<Event>,
) -> impl FnMut(ControlRequest) -> ServiceControlHandlerResult + Send + 'static {
    move |request| match request.control {
        ServiceControl::Stop => {
            let _ = status.set_status(ServiceStatus::pending(
                ServiceState::StopPending,
                1,
                Duration::from_secs(3),
            ));
            let _ = events.send(Event::Stop);
            ServiceControlHandlerResult::NoError
        }
        ServiceControl::Pause => {
            shared.lock().paused = true;
            shared.write("paused".into());
            let _ = status.set_status(ServiceStatus::new(ServiceState::Paused).accepting(ACCEPTED));
            ServiceControlHandlerResult::NoError
        }
        ServiceControl::Continue => {
            shared.lock().paused = false;
            shared.write("continued".into());
            let _ = status.set_status(ServiceStatus::running(ACCEPTED));
            ServiceControlHandlerResult::NoError
        }
        ServiceControl::Interrogate => ServiceControlHandlerResult::NoError,
        c @ ServiceControl::UserDefined(_) if c == RESET_CONTROL => {
            let before = std::mem::take(&mut shared.lock().count);
            shared.write(format!("counter reset (was {before})"));
            ServiceControlHandlerResult::NoError
        }
        _ => ServiceControlHandlerResult::NotImplemented,
    }
}

/// The pinger: a tracked background task that pings every second until told to stop (send
/// `true` on the returned sender).
fn spawn_pinger(
    ctx: &ServiceContext,
    shared: Shared,
) -> (
    tokio::sync::watch::Sender<bool>,
    tokio::task::JoinHandle<()>,
) {
    let (stop_pinger, mut stopped) = tokio::sync::watch::channel(false);
    let pinger = ctx.spawn_task("pinger", async move {
        let mut ticks =
            tokio::time::interval_at(tokio::time::Instant::now() + PING_INTERVAL, PING_INTERVAL);
        loop {
            tokio::select! {
                biased;
                _ = stopped.changed() => break,
                _ = ticks.tick() => {
                    let mut s = shared.lock();
                    if !s.paused {
                        s.count += 1;
                        let line = format!("ping #{}", s.count);
                        s.log.push(line);
                    }
                }
            }
        }
    });
    (stop_pinger, pinger)
}

/// The end of a stop: close the log (which takes a moment, so the caller of STOP sees
/// STOP_PENDING), then report STOPPED.
async fn close_and_stop(status: &StatusHandle, shared: &Shared) {
    let _ = status.set_status(ServiceStatus::pending(
        ServiceState::StopPending,
        2,
        Duration::from_secs(3),
    ));
    tokio::time::sleep(CLOSE_TIME).await;
    shared.write("stopped".into());
    let _ = status.set_status(ServiceStatus::stopped(ServiceExitCode::NO_ERROR));
}

/// An empty machine with the ping service installed (not started).
#[derive(Debug)]
pub struct PingDemo {
    /// The machine.
    pub machine: Machine,
    /// A handle to the service with every right.
    pub service: ScHandle,
    /// What the service counts and logs.
    pub shared: Shared,
}

impl Default for PingDemo {
    fn default() -> Self {
        PingDemo::new()
    }
}

impl PingDemo {
    /// Builds the machine, installs the program and creates the service (CreateService).
    pub fn new() -> PingDemo {
        let mut machine = Machine::builder()
            .build()
            .expect("the empty image always loads");
        let shared = Shared::default();
        machine.install(
            IMAGE_PATH,
            ServiceTable::single(SERVICE_NAME, ping_service(shared.clone())),
        );
        let scm = machine
            .open_sc_manager(SC_MANAGER_ALL_ACCESS)
            .expect("the default caller is an administrator");
        let mut params = CreateServiceParams::own_process(SERVICE_NAME, IMAGE_PATH);
        params.display_name = Some("Ping service".into());
        let service = machine
            .create_service(scm, &params)
            .expect("a fresh machine has no ping_service yet");
        PingDemo {
            machine,
            service,
            shared,
        }
    }

    /// StartService (with one argument, as `sc start ping_service fast` would pass).
    pub fn start(&mut self) {
        self.machine
            .start_service(self.service, &["fast"])
            .expect("the ping service starts");
    }

    /// ControlService; the state it returns (the status after the handler returned).
    pub fn control(&mut self, control: ServiceControl) -> ServiceState {
        self.machine
            .control_service(self.service, control)
            .unwrap_or_else(|e| panic!("control {control:?}: {e:?}"))
            .current_state
    }

    /// The current state (QueryServiceStatusEx).
    pub fn state(&mut self) -> ServiceState {
        self.machine
            .query_service_status(self.service)
            .expect("query the ping service")
            .current_state
    }

    /// The counter.
    pub fn count(&self) -> u64 {
        self.shared.lock().count
    }

    /// The service's log.
    pub fn log(&self) -> Vec<String> {
        self.shared.lock().log.clone()
    }
}

/// Runs the tour — start, 3.5 s of pings, PAUSE for 2 s, CONTINUE, 2 s, INTERROGATE, the
/// reset control, 2 s, STOP, 1 s — and renders what happened: each step with the state and the
/// counter, the service's log, and the machine's timeline.
pub fn report() -> String {
    let mut demo = PingDemo::new();
    let mut out = String::new();
    let mut step = |demo: &mut PingDemo, what: &str, state: ServiceState| {
        out.push_str(&format!(
            "{:>8}  {what:<24} -> {:<14} count {}\n",
            format!("{:.3}s", demo.machine.now().as_secs_f64()),
            state.sc_label(),
            demo.count()
        ));
    };
    let wait = |demo: &mut PingDemo, ms: u64| demo.machine.advance(Duration::from_millis(ms));

    demo.start();
    let s = demo.state();
    step(&mut demo, "StartService", s);
    wait(&mut demo, 3_500);
    let s = demo.state();
    step(&mut demo, "3.5 s later", s);
    let s = demo.control(ServiceControl::Pause);
    step(&mut demo, "PAUSE", s);
    wait(&mut demo, 2_000);
    let s = demo.state();
    step(&mut demo, "2 s later (paused)", s);
    let s = demo.control(ServiceControl::Continue);
    step(&mut demo, "CONTINUE", s);
    wait(&mut demo, 2_000);
    let s = demo.state();
    step(&mut demo, "2 s later", s);
    let s = demo.control(ServiceControl::Interrogate);
    step(&mut demo, "INTERROGATE", s);
    let s = demo.control(RESET_CONTROL);
    step(&mut demo, "user control 130 (reset)", s);
    wait(&mut demo, 2_000);
    let s = demo.state();
    step(&mut demo, "2 s later", s);
    let s = demo.control(ServiceControl::Stop);
    step(&mut demo, "STOP", s);
    wait(&mut demo, 1_000);
    let s = demo.state();
    step(&mut demo, "1 s later", s);

    out.push_str("\nThe service's log:\n");
    for line in demo.log() {
        out.push_str(&format!("  {line}\n"));
    }
    out.push_str("\nThe timeline:\n");
    out.push_str(&render_text(&demo.machine.trace()));
    out
}
