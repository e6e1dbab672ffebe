//! Two DLL-style services in one svchost group, written in Rust.
//!
//! On Windows most services are DLLs hosted by `svchost.exe -k GROUP`: the service's ImagePath
//! names the host and its group, `Parameters\ServiceDll` names the DLL, `ServiceMain` its entry
//! point, and svchost calls the DLL's optional `SvchostPushServiceGlobals` before each
//! ServiceMain. This example builds one DLL, `pair.dll`, exporting two entry points —
//! `EchoMain` for the service `PairEcho` and `ClockMain` for `PairClock` — plus the globals
//! export, and installs both services with plain API calls (no `sc`):
//!
//! 1. `CreateService` with the ImagePath `%SystemRoot%\System32\svchost.exe -k MyGroup`;
//! 2. `Parameters\ServiceDll` (REG_EXPAND_SZ), `ServiceMain` and `ServiceDllUnloadOnStop`
//!    written through [`Machine::with_registry`];
//! 3. the DLL's code registered with [`Machine::install_service_dll`].
//!
//! The machine has 2 GB of memory, below the 3.5 GB split threshold, so the two services share
//! one host process, as they would on a small Windows 10 machine.
//!
//! ```
//! use scm_sim::service::ServiceState;
//! let mut pair = scm_sim_examples::svchost_pair::Pair::start();
//! assert_eq!(pair.state(pair.echo), ServiceState::Running);
//! assert_eq!(pair.pid(pair.echo), pair.pid(pair.clock));
//! ```

use std::sync::{Arc, Mutex};
use std::time::Duration;

use scm_sim::registry::{Caller, RegValue};
use scm_sim::scm::access::SC_MANAGER_ALL_ACCESS;
use scm_sim::scm::{CreateServiceParams, ScHandle};
use scm_sim::service::{
    service_fn, ServiceContext, ServiceControl, ServiceControlAccept, ServiceControlHandlerResult,
    ServiceExitCode, ServiceState, ServiceStatus,
};
use scm_sim::svchost::{ServiceDll, SvchostGlobals};
use scm_sim::Machine;

/// The ImagePath of both services: the host of the group `MyGroup`.
pub const IMAGE_PATH: &str = r"%SystemRoot%\System32\svchost.exe -k MyGroup";
/// The DLL both services live in.
pub const DLL_PATH: &str = r"%SystemRoot%\System32\pair.dll";
/// The user-defined control `PairEcho` answers by writing "echo" to the log.
pub const ECHO_CONTROL: ServiceControl = ServiceControl::UserDefined(130);

/// What the DLL writes, in order (shared by its two services, as a DLL's globals are).
pub type Log = Arc<Mutex<Vec<String>>>;

/// The DLL's globals: what `SvchostPushServiceGlobals` received last.
#[derive(Debug, Default)]
struct Globals {
    pushed: Option<SvchostGlobals>,
}

/// `pair.dll`: two ServiceMain exports and `SvchostPushServiceGlobals`.
pub fn pair_dll(log: Log) -> ServiceDll {
    let globals: Arc<Mutex<Globals>> = Arc::default();
    let push = {
        let (globals, log) = (globals.clone(), log.clone());
        move |g: &SvchostGlobals| {
            log.lock()
                .unwrap()
                .push(format!("SvchostPushServiceGlobals for {}", g.service));
            globals.lock().unwrap().pushed = Some(g.clone());
        }
    };
    ServiceDll::new()
        .export(
            "EchoMain",
            dll_service("EchoMain", globals.clone(), log.clone()),
        )
        .export("ClockMain", dll_service("ClockMain", globals, log))
        .with_push_globals(push)
}

/// One ServiceMain of the DLL: reads the globals svchost pushed, runs until STOP. `EchoMain`
/// answers [`ECHO_CONTROL`]; `ClockMain` ticks every 10 s of virtual time.
fn dll_service(
    entry: &'static str,
    globals: Arc<Mutex<Globals>>,
    log: Log,
) -> impl scm_sim::service::Service {
    service_fn(move |ctx: ServiceContext, args: Vec<String>| {
        let (globals, log) = (globals.clone(), log.clone());
        async move {
            let pushed = globals.lock().unwrap().pushed.clone();
            let group = pushed.map(|g| g.group).unwrap_or_default();
            log.lock().unwrap().push(format!(
                "{entry} starts {} in group {group}, pid {}",
                args[0],
                ctx.process_id()
            ));
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let handler_log = log.clone();
            let status = ctx
                .register_handler(move |req| match req.control {
                    ServiceControl::Stop => {
                        let _ = tx.send(());
                        ServiceControlHandlerResult::NoError
                    }
                    ServiceControl::Interrogate => ServiceControlHandlerResult::NoError,
                    c @ ServiceControl::UserDefined(_)
                        if entry == "EchoMain" && c == ECHO_CONTROL =>
                    {
                        handler_log.lock().unwrap().push("echo".to_string());
                        ServiceControlHandlerResult::NoError
                    }
                    _ => ServiceControlHandlerResult::NotImplemented,
                })
                .expect("RegisterServiceCtrlHandlerEx");
            status
                .set_status(ServiceStatus::running(ServiceControlAccept::STOP))
                .expect("RUNNING");
            // ClockMain ticks in a tracked task until told to stop.
            let (stop_ticks, mut ticks_stopped) = tokio::sync::oneshot::channel::<()>();
            let ticks = (entry == "ClockMain").then(|| {
                let tick_log = log.clone();
                ctx.spawn_task("clock ticks", async move {
                    let mut n = 0;
                    loop {
                        tokio::select! {
                            biased;
                            _ = &mut ticks_stopped => break,
                            _ = tokio::time::sleep(Duration::from_secs(10)) => {
                                n += 1;
                                tick_log.lock().unwrap().push(format!("tick {n}"));
                            }
                        }
                    }
                })
            });
            rx.recv().await;
            // The work ends before STOPPED is reported: the host may exit right after.
            let _ = stop_ticks.send(());
            if let Some(ticks) = ticks {
                let _ = ticks.await;
            }
            log.lock()
                .unwrap()
                .push(format!("{entry} stops {}", args[0]));
            status
                .set_status(ServiceStatus::stopped(ServiceExitCode::NO_ERROR))
                .expect("STOPPED");
        }
    })
}

/// The machine with both services installed and started.
#[derive(Debug)]
pub struct Pair {
    /// The machine.
    pub machine: Machine,
    /// A handle to `PairEcho`.
    pub echo: ScHandle,
    /// A handle to `PairClock`.
    pub clock: ScHandle,
    /// What the DLL wrote.
    pub log: Log,
}

fn write_parameters(m: &mut Machine, service: &str, entry: &str) {
    m.with_registry(|reg| {
        let sys = Caller::local_system();
        let key = format!(r"HKLM\SYSTEM\CurrentControlSet\Services\{service}\Parameters");
        reg.create_key(&sys, &key)?;
        reg.set_value(&sys, &key, "ServiceDll", RegValue::expand_sz(DLL_PATH))?;
        reg.set_value(&sys, &key, "ServiceMain", RegValue::sz(entry))?;
        reg.set_value(&sys, &key, "ServiceDllUnloadOnStop", RegValue::dword(1))
    })
    .expect("an administrator may write the service's Parameters");
}

impl Pair {
    /// Builds a 2 GB machine, installs `PairEcho` and `PairClock` in `MyGroup`, and starts
    /// both.
    pub fn start() -> Pair {
        let mut m = Machine::builder()
            .memory_kb(2 * 1024 * 1024)
            .build()
            .expect("the empty machine builds");
        let scm = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).expect("admin");
        for (name, entry) in [("PairEcho", "EchoMain"), ("PairClock", "ClockMain")] {
            m.create_service(scm, &CreateServiceParams::share_process(name, IMAGE_PATH))
                .expect("CreateService");
            write_parameters(&mut m, name, entry);
        }
        let log: Log = Arc::default();
        m.install_service_dll(DLL_PATH, pair_dll(log.clone()));
        // A reboot, as after an installer: the SCM loads the new keys, Parameters included.
        m.boot();
        let scm = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).expect("admin");
        let all = scm_sim::scm::access::SERVICE_ALL_ACCESS;
        let echo = m.open_service(scm, "PairEcho", all).expect("PairEcho");
        let clock = m.open_service(scm, "PairClock", all).expect("PairClock");
        m.start_service(echo, &[]).expect("start PairEcho");
        m.start_service(clock, &[]).expect("start PairClock");
        Pair {
            machine: m,
            echo,
            clock,
            log,
        }
    }

    /// The state of a service.
    pub fn state(&mut self, h: ScHandle) -> ServiceState {
        self.machine
            .query_service_status(h)
            .expect("QueryServiceStatusEx")
            .current_state
    }

    /// The pid of a service (0 when stopped).
    pub fn pid(&mut self, h: ScHandle) -> u32 {
        self.machine
            .query_service_status(h)
            .expect("QueryServiceStatusEx")
            .process_id
    }

    /// The log so far.
    pub fn lines(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Sends the echo control to `PairEcho`, lets 25 s pass, and stops both services.
    pub fn exercise_and_stop(&mut self) {
        self.machine
            .control_service(self.echo, ECHO_CONTROL)
            .expect("the echo control");
        self.machine.advance(Duration::from_secs(25));
        self.machine
            .control_service(self.echo, ServiceControl::Stop)
            .expect("stop");
        self.machine
            .control_service(self.clock, ServiceControl::Stop)
            .expect("stop");
    }
}

/// Runs the whole example and returns what the runnable prints: the processes while both
/// services run, the DLL's log, and the trace.
pub fn report() -> String {
    let mut pair = Pair::start();
    let mut out = String::from("processes while both services run (pid, image, services):\n");
    for (pid, image, services) in pair.machine.processes() {
        out.push_str(&format!("  {pid:>5}  {image}  {}\n", services.join(", ")));
    }
    pair.exercise_and_stop();
    out.push_str("\nwhat pair.dll logged:\n");
    for line in pair.lines() {
        out.push_str(&format!("  {line}\n"));
    }
    out.push_str("\nthe trace:\n");
    out.push_str(&scm_sim::events::render_text(&pair.machine.trace()));
    out
}
