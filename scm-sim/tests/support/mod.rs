//! Shared pieces of the harness tests: a test bed (an empty machine with one SCM handle), a
//! "reporter" service that plays a script of raw SetServiceStatus calls, and small helpers to
//! look violations and events up.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use scm_sim::events::EventRecord;
use scm_sim::machine::Image;
use scm_sim::scm::access::SC_MANAGER_ALL_ACCESS;
use scm_sim::scm::{CreateServiceParams, ScHandle, Settings};
use scm_sim::service::{
    service_fn, AsyncControlHandler, ControlRequest, RawServiceStatus, Service, ServiceContext,
    ServiceControl, ServiceControlAccept, ServiceControlHandlerResult, ServiceState, ServiceTable,
};
use scm_sim::sim::{Rule, Violation};
use scm_sim::{Machine, MachineBuilder};

/// The image path shared services of the bed run in (one process for all of them).
pub const HOST: &str = r"C:\svc\host.exe";

/// Milliseconds as a duration.
pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Seconds as a duration.
pub fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// An empty machine and an SCM handle.
pub struct Bed {
    pub m: Machine,
    pub scm: ScHandle,
}

impl Bed {
    /// An empty, booted machine with `seed`.
    pub fn new(seed: u64) -> Bed {
        Bed::from_builder(Machine::builder().image(Image::Empty).seed(seed))
    }

    /// An empty machine with these settings.
    pub fn with_settings(seed: u64, settings: Settings) -> Bed {
        Bed::from_builder(
            Machine::builder()
                .image(Image::Empty)
                .seed(seed)
                .settings(settings),
        )
    }

    /// A machine from a builder.
    pub fn from_builder(b: MachineBuilder) -> Bed {
        let mut m = b.build().expect("the machine builds");
        let scm = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).expect("admin");
        Bed { m, scm }
    }

    /// CreateService, made on the machine's runtime.
    ///
    /// A call made outside the runtime is stamped with the real clock (an engine bug, see
    /// `harness_replay.rs`, `calls_made_outside_the_runtime_have_virtual_time`): its trace
    /// entry and event 7045 would show real milliseconds and differ from run to run.
    pub fn create(&mut self, params: &CreateServiceParams) -> ScHandle {
        let scm = self.m.scm();
        let h = self.scm;
        self.m
            .block_on(async move { scm.create_service(h, params) })
            .expect("create")
    }

    /// Installs `service` as the own-process service `name` (image `C:\svc\<name>.exe`).
    pub fn own(&mut self, name: &str, service: impl Service) -> ScHandle {
        let image = format!(r"C:\svc\{name}.exe");
        self.m.install(&image, ServiceTable::single(name, service));
        self.create(&CreateServiceParams::own_process(name, &image))
    }

    /// A scripted own-process service (no Rust code: the scripted behaviour runs).
    pub fn scripted(&mut self, name: &str, behavior: &[(&str, &str)]) -> ScHandle {
        let mut b = scm_sim::service::scripted::Behavior::default();
        for (k, v) in behavior {
            b.set(k, v).expect("a valid behaviour");
        }
        self.m.set_behavior(name, b);
        self.create(&CreateServiceParams::own_process(
            name,
            &format!(r"C:\scripted\{name}.exe"),
        ))
    }

    /// Installs `table` at [`HOST`] and creates one share-process service per entry.
    pub fn shared(&mut self, table: ServiceTable) -> Vec<ScHandle> {
        let names: Vec<String> = table.names().map(str::to_string).collect();
        self.m.install(HOST, table);
        names
            .iter()
            .map(|n| self.create(&CreateServiceParams::share_process(n, HOST)))
            .collect()
    }

    /// Lets virtual time run until `t` (since boot).
    pub fn until(&mut self, t: Duration) {
        let now = self.m.now();
        assert!(t >= now, "already at {now:?}, asked for {t:?}");
        self.m.advance(t - now);
    }

    /// The current state of a service.
    pub fn state(&mut self, h: ScHandle) -> ServiceState {
        self.m.query_service_status(h).expect("query").current_state
    }
}

/// The ids of the rules broken so far, in order.
pub fn rules(m: &Machine) -> Vec<Rule> {
    m.violations().iter().map(|v| v.rule).collect()
}

/// The one violation of `rule` (panics with every report when there is not exactly one).
pub fn the_violation(m: &Machine, rule: Rule) -> Violation {
    let all = m.violations();
    let of: Vec<&Violation> = all.iter().filter(|v| v.rule == rule).collect();
    assert_eq!(
        of.len(),
        1,
        "expected one {rule} violation, got:\n{}",
        reports(m)
    );
    of[0].clone()
}

/// Every violation's report, for assertion messages.
pub fn reports(m: &Machine) -> String {
    let v = m.violations();
    if v.is_empty() {
        return "(no violation)".to_string();
    }
    v.iter()
        .map(Violation::report)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The events with `id`.
pub fn events(m: &Machine, id: u32) -> Vec<EventRecord> {
    m.events().into_iter().filter(|e| e.id == id).collect()
}

/// The trace as text (for assertion messages).
pub fn timeline(m: &Machine) -> String {
    scm_sim::events::render_text(&m.trace())
}

// ----- raw statuses ---------------------------------------------------------------------------

/// A raw status in `state` (own-process type, nothing accepted, no checkpoint, no hint).
pub fn raw(state: ServiceState) -> RawServiceStatus {
    RawServiceStatus {
        service_type: 0x10,
        current_state: state.to_raw(),
        ..RawServiceStatus::default()
    }
}

/// RUNNING accepting STOP.
pub fn running() -> RawServiceStatus {
    accepting(raw(ServiceState::Running), ServiceControlAccept::STOP)
}

/// A pending state with a checkpoint and a wait hint.
pub fn pending(state: ServiceState, checkpoint: u32, hint_ms: u32) -> RawServiceStatus {
    RawServiceStatus {
        checkpoint,
        wait_hint_ms: hint_ms,
        ..raw(state)
    }
}

/// `status` accepting `accept`.
pub fn accepting(status: RawServiceStatus, accept: ServiceControlAccept) -> RawServiceStatus {
    RawServiceStatus {
        controls_accepted: accept.bits(),
        ..status
    }
}

/// STOPPED with exit code 0.
pub fn stopped() -> RawServiceStatus {
    raw(ServiceState::Stopped)
}

// ----- the reporter service ------------------------------------------------------------------

/// One step of a reporter's script.
#[derive(Debug, Clone)]
pub enum Step {
    /// SetServiceStatus with these seven DWORDs (the result is ignored).
    Report(RawServiceStatus),
    /// Sleeps on virtual time.
    Sleep(Duration),
    /// Waits until the handler received this control.
    Await(ServiceControl),
    /// Creates `HKCU\Software\<service>` through the service's registry view.
    TouchHkcu,
    /// Spawns a tracked task with this name that sleeps this long.
    SpawnTask(&'static str, Duration),
    /// Spawns a task with `tokio::spawn`, around the context (untracked), that sleeps this long.
    SpawnUntracked(Duration),
    /// Never goes on.
    Forever,
}

/// How a reporter's handler answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// NO_ERROR to everything (INTERROGATE included).
    Politely,
    /// Never returns for this control.
    HangOn(ServiceControl),
    /// ERROR_CALL_NOT_IMPLEMENTED for INTERROGATE.
    RefuseInterrogate,
}

struct ReporterHandler {
    tx: tokio::sync::mpsc::UnboundedSender<ServiceControl>,
    answer: Answer,
}

#[async_trait]
impl AsyncControlHandler for ReporterHandler {
    async fn handle(&self, request: ControlRequest) -> ServiceControlHandlerResult {
        let c = request.control;
        match self.answer {
            Answer::HangOn(h) if h == c => std::future::pending::<()>().await,
            Answer::RefuseInterrogate if c == ServiceControl::Interrogate => {
                return ServiceControlHandlerResult::NotImplemented
            }
            _ => {}
        }
        let _ = self.tx.send(c);
        ServiceControlHandlerResult::NoError
    }
}

/// A service that registers its handler, then plays `steps`.
pub fn reporter(steps: Vec<Step>, answer: Answer) -> impl Service {
    let steps = Arc::new(steps);
    service_fn(move |ctx: ServiceContext, _args| {
        let steps = steps.clone();
        async move {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let status = ctx
                .register_async_handler(ReporterHandler { tx, answer })
                .expect("register");
            for step in steps.iter() {
                match step {
                    Step::Report(r) => {
                        let _ = status.set_status_raw(*r);
                    }
                    Step::Sleep(d) => tokio::time::sleep(*d).await,
                    Step::Await(c) => loop {
                        match rx.recv().await {
                            Some(got) if got == *c => break,
                            Some(_) => continue,
                            None => return,
                        }
                    },
                    Step::TouchHkcu => {
                        let path = format!(r"HKCU\Software\{}", ctx.name());
                        let _ = ctx.with_registry(|reg, caller| reg.create_key(caller, &path));
                    }
                    Step::SpawnTask(name, d) => {
                        let d = *d;
                        ctx.spawn_task(name, async move { tokio::time::sleep(d).await });
                    }
                    Step::SpawnUntracked(d) => {
                        let d = *d;
                        tokio::spawn(async move { tokio::time::sleep(d).await });
                    }
                    Step::Forever => std::future::pending::<()>().await,
                }
            }
        }
    })
}

/// The script of a well-behaved service: START_PENDING with two checkpoints, RUNNING, and on
/// STOP two STOP_PENDING checkpoints then STOPPED.
pub fn well_behaved() -> Vec<Step> {
    use ServiceState::*;
    vec![
        Step::Report(pending(StartPending, 1, 1000)),
        Step::Sleep(ms(300)),
        Step::Report(pending(StartPending, 2, 1000)),
        Step::Sleep(ms(300)),
        Step::Report(running()),
        Step::Await(ServiceControl::Stop),
        Step::Report(pending(StopPending, 1, 1000)),
        Step::Sleep(ms(300)),
        Step::Report(pending(StopPending, 2, 1000)),
        Step::Sleep(ms(300)),
        Step::Report(stopped()),
    ]
}
