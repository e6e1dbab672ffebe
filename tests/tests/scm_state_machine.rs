//! A state-machine property test of the engine: random sequences of management-API calls
//! (create, start, stop, pause, continue, interrogate, user controls, delete, close/reopen,
//! crash, start-type changes, virtual time) against random services — scripted ones that are
//! slow, hang, crash or exit with errors, and a Rust service that reports random valid and
//! invalid statuses — with the engine's invariants checked after every step:
//!
//! 1. every state change in the trace follows an edge of the transition table
//!    (scm-facts §1.2) and starts from the state the previous change left;
//! 2. the SCM record agrees with the trace; a STOPPED service has pid 0, no accepted
//!    controls and no checkpoint or wait hint; an active one runs in a live process that
//!    lists it (and only active services are listed by processes);
//! 3. dependencies (DependOnService): see [`Checker::on_entry`] and
//!    [`Checker::check_dependencies`] for exactly what the engine guarantees;
//! 4. every 7036 event matches the state change just before it, and every change a service
//!    reported to RUNNING, PAUSED or STOPPED has its 7036;
//! 5. the registry (`ServiceKey::read` on `Machine::registry`) and QueryServiceConfig agree,
//!    and the database holds exactly the services the registry holds;
//! 6. simple API outcomes the state decides (87 for SHUTDOWN from a client, 1062 on a
//!    STOPPED service, 1056 when already started, 1072/1073 for deletes and duplicates), and
//!    the Rust service's own observations (invalid reports refused with 13, valid ones taken).
//!
//! Deterministic: a fixed proptest seed, no failure persistence; 64 cases of 10 to 30 steps
//! (`PROPTEST_RNG_SEED` and `PROPTEST_CASES` explore further). A failure prints the case, the
//! step and the machine's whole timeline.
//!
//! Two behaviours that once hit engine bugs (since fixed) are kept out of this test and
//! exercised by `random_api_sequences_with_known_bug_behaviours`, which runs with the rest:
//! scripted `crash=start` services
//! (`death::crash_while_start_pending` in scm_behaviour.rs) and self-crashing services among
//! several dependencies (`dependencies::dependencies_are_all_running_when_the_dependent_starts`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed, TestCaseError, TestRunner};
use scm_sim::events::{render_text, TraceEntry, TraceKind};
use scm_sim::registry::service::{service_names, ScAction, ScActionKind};
use scm_sim::registry::Caller;
use scm_sim::scm::access::{SC_MANAGER_ALL_ACCESS, SERVICE_ALL_ACCESS};
use scm_sim::scm::{ChangeConfigParams, CreateServiceParams, ScHandle, ServiceConfig2};
use scm_sim::service::scripted::Behavior;
use scm_sim::service::{
    service_fn, RawServiceStatus, Service, ServiceContext, ServiceControl, ServiceControlAccept,
    ServiceControlHandlerResult, ServiceExitCode, ServiceStartType, ServiceState,
    ServiceStateFilter, ServiceStatus, ServiceTable, ServiceType, StatusHandle,
};
use scm_sim::{Machine, Win32Error};

use scm_sim_test_support::code;
use scm_sim_test_support::consistency::{config_matches_key, records_match_processes};

const SLOTS: usize = 4;

// ----- what a case is made of ------------------------------------------------------------------

/// Scripted behaviours (`Machine::set_behavior`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Profile {
    Default,
    SlowStart,
    SlowStop,
    Pausable,
    HangStart,
    HangStop,
    HangHandler,
    HangConnect,
    CrashStart,
    CrashStop,
    CrashAfter,
    ExitCode,
    SpecificExitCode,
    LeavesWorker,
    ExitBeforeConnect,
}

impl Profile {
    /// Every profile but [`Profile::CrashStart`], which hits a known engine bug.
    const GOOD: [Profile; 14] = [
        Profile::Default,
        Profile::SlowStart,
        Profile::SlowStop,
        Profile::Pausable,
        Profile::HangStart,
        Profile::HangStop,
        Profile::HangHandler,
        Profile::HangConnect,
        Profile::ExitBeforeConnect,
        Profile::CrashStop,
        Profile::CrashAfter,
        Profile::ExitCode,
        Profile::SpecificExitCode,
        Profile::LeavesWorker,
    ];

    fn behavior(self) -> Behavior {
        let pairs: &[(&str, &str)] = match self {
            Profile::Default => &[],
            Profile::SlowStart => &[("start-time", "3s")],
            Profile::SlowStop => &[("stop-time", "5s"), ("accept", "stop,pause_continue")],
            Profile::Pausable => &[("pause-time", "2s"), ("accept", "stop,pause_continue")],
            Profile::HangStart => &[("hang", "start")],
            Profile::HangStop => &[("hang", "stop")],
            Profile::HangHandler => &[("hang", "handler")],
            Profile::HangConnect => &[("hang", "connect")],
            Profile::CrashStart => &[("crash", "start")],
            Profile::CrashStop => &[("crash", "stop")],
            Profile::CrashAfter => &[("crash", "after:7s")],
            Profile::ExitCode => &[("exit-code", "5")],
            Profile::SpecificExitCode => &[("exit-code", "1066"), ("specific-exit-code", "42")],
            Profile::LeavesWorker => &[("stop-leaves-worker", "3s")],
            Profile::ExitBeforeConnect => &[("exit", "before-connect")],
        };
        let mut b = Behavior::default();
        for (k, v) in pairs {
            b.set(k, v).expect("a valid behaviour");
        }
        b
    }
}

#[derive(Debug, Clone)]
enum Kind {
    Scripted(Profile),
    /// The Rust service of [`chaotic`], with its seed.
    Chaotic(u64),
}

#[derive(Debug, Clone)]
struct Slot {
    kind: Kind,
    /// Share-process group (scripted services only): same ImagePath, one process.
    shared: Option<u8>,
    /// Runs as LocalService instead of LocalSystem (1079 when its group's process runs).
    other_account: bool,
    /// Indices of lower slots it depends on (no cycles).
    deps: Vec<usize>,
    /// A restart failure action with this delay.
    restart: Option<u32>,
    /// Started when the case begins (after every service was created).
    started: bool,
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Create(usize),
    Start(usize),
    Control(usize, u32),
    Delete(usize),
    CloseReopen(usize),
    Crash(usize),
    Advance(u64),
    SetStartType(usize, ServiceStartType),
}

#[derive(Debug, Clone)]
struct Case {
    seed: u64,
    slots: Vec<Slot>,
    ops: Vec<Op>,
}

fn slot_strategy(with_known_bugs: bool) -> impl Strategy<Value = Slot> {
    let mut profiles = Profile::GOOD.to_vec();
    // More of the services that accept PAUSE/CONTINUE.
    profiles.extend([Profile::Pausable, Profile::Pausable, Profile::SlowStop]);
    if with_known_bugs {
        // Known engine bug (`death::crash_while_start_pending` in scm_behaviour.rs): a
        // process crashing between the dispatcher's acknowledgement and the service's first
        // report leaves the service START_PENDING with a dead pid.
        profiles.push(Profile::CrashStart);
    }
    let kind = prop_oneof![
        1 => prop::sample::select(profiles).prop_map(Kind::Scripted),
        1 => any::<u64>().prop_map(Kind::Chaotic),
    ];
    (
        kind,
        prop::option::weighted(0.4, 0..2u8),
        prop::bool::weighted(0.15),
        // Each lower slot a dependency with probability 1/4.
        (any::<u8>(), any::<u8>()).prop_map(|(a, b)| a & b),
        prop::option::weighted(0.3, prop::sample::select(vec![0u32, 1_000, 5_000])),
        prop::bool::weighted(0.6),
    )
        .prop_map(
            |(kind, shared, other_account, deps_mask, restart, started)| Slot {
                shared: if matches!(kind, Kind::Scripted(_)) {
                    shared
                } else {
                    None
                },
                kind,
                other_account,
                deps: (0..SLOTS).filter(|i| deps_mask & (1 << i) != 0).collect(),
                restart,
                started,
            },
        )
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let slot = 0..SLOTS;
    prop_oneof![
        1 => slot.clone().prop_map(Op::Create),
        6 => slot.clone().prop_map(Op::Start),
        8 => (slot.clone(), prop::sample::select(vec![1u32, 1, 2, 2, 3, 3, 4, 128, 200, 5]))
            .prop_map(|(s, c)| Op::Control(s, c)),
        1 => slot.clone().prop_map(Op::Delete),
        1 => slot.clone().prop_map(Op::CloseReopen),
        1 => slot.clone().prop_map(Op::Crash),
        3 => prop::sample::select(vec![100u64, 1_000, 2_500, 10_000, 31_000, 65_000])
            .prop_map(Op::Advance),
        1 => (slot, prop::sample::select(vec![ServiceStartType::OnDemand, ServiceStartType::Disabled])).prop_map(|(s, t)| Op::SetStartType(s, t)),
    ]
}

fn case_strategy(with_known_bugs: bool) -> impl Strategy<Value = Case> {
    (
        any::<u64>(),
        prop::collection::vec(slot_strategy(with_known_bugs), SLOTS),
        prop::collection::vec(op_strategy(), 10..=30),
    )
        .prop_map(move |(seed, mut slots, ops)| {
            // Only lower slots: the dependency graph has no cycle.
            for (i, s) in slots.iter_mut().enumerate() {
                s.deps.retain(|&d| d < i);
            }
            if !with_known_bugs {
                // Known engine bug
                // (`dependencies::dependencies_are_all_running_when_the_dependent_starts` in
                // scm_behaviour.rs): StartService does not re-check a dependency it found
                // running once it has waited for the next one, so a dependency that crashes
                // meanwhile is missed. Keep self-crashing services out of the dependency
                // lists of services with more than one dependency.
                let crashes: Vec<bool> = slots
                    .iter()
                    .map(|s| matches!(s.kind, Kind::Scripted(Profile::CrashAfter)))
                    .collect();
                for s in slots.iter_mut().filter(|s| s.deps.len() > 1) {
                    s.deps.retain(|&d| !crashes[d]);
                }
            }
            Case { seed, slots, ops }
        })
}

fn config() -> Config {
    Config {
        cases: 64,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(0x5C5_51A7E),
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    }
}

// ----- the chaotic Rust service -----------------------------------------------------------------

/// xorshift64*: a small deterministic generator for the service's choices.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// The edges of scm-facts §1.2 (both the frequent and the infrequent ones).
fn legal_next(from: ServiceState) -> &'static [ServiceState] {
    use ServiceState as S;
    match from {
        S::Stopped => &[S::StartPending],
        S::StartPending => &[S::Running, S::Stopped, S::StopPending],
        S::Running => &[S::StopPending, S::Stopped, S::PausePending, S::Paused],
        S::StopPending => &[S::Stopped],
        S::PausePending => &[S::Paused, S::StopPending, S::Stopped],
        S::Paused => &[S::ContinuePending, S::Running, S::StopPending, S::Stopped],
        S::ContinuePending => &[S::Running, S::StopPending, S::Stopped],
    }
}

/// What the chaotic service saw that the SCM should not have done.
type Anomalies = Arc<Mutex<Vec<String>>>;

/// The chaotic service's side of one start: its status handle, what it believes its state
/// is (its last accepted report), and its random choices.
struct Chaos {
    status: StatusHandle,
    current: ServiceState,
    accept: ServiceControlAccept,
    checkpoint: u32,
    rng: Rng,
    anomalies: Anomalies,
}

impl Chaos {
    fn anomaly(&self, text: String) {
        self.anomalies.lock().unwrap().push(text);
    }

    /// Reports `target` if it is a legal next state (or the same state); returns false once
    /// the status handle is dead (the service stopped or its process is gone).
    fn report(&mut self, target: ServiceState) -> bool {
        if target != self.current && !legal_next(self.current).contains(&target) {
            return true;
        }
        let mut s = if target.is_pending() {
            self.checkpoint += 1;
            let hint = Duration::from_millis(1_000 + 1_000 * self.rng.below(10));
            ServiceStatus::pending(target, self.checkpoint, hint)
        } else if target == ServiceState::Stopped {
            ServiceStatus::stopped(match self.rng.below(4) {
                0 => ServiceExitCode::Win32(5),
                1 => ServiceExitCode::ServiceSpecific(7),
                _ => ServiceExitCode::NO_ERROR,
            })
        } else {
            ServiceStatus::new(target)
        };
        if target != ServiceState::Stopped {
            s = s.accepting(self.accept);
        }
        match self.status.set_status(s) {
            Ok(()) => {
                self.current = target;
                target != ServiceState::Stopped
            }
            Err(Win32Error::INVALID_HANDLE) => false,
            Err(e) => {
                self.anomaly(format!("valid report {s:?} refused with {e:?}"));
                true
            }
        }
    }

    /// Reports something invalid: it must be refused with 13 (or 6 once dead).
    fn report_invalid(&mut self) {
        let mut raw = RawServiceStatus {
            service_type: 0x10,
            current_state: self.current.to_raw(),
            ..RawServiceStatus::default()
        };
        match self.rng.below(4) {
            0 => raw.current_state = 0,
            1 => raw.current_state = 8,
            2 => raw.controls_accepted = 0x1_0000,
            _ => raw.service_type = 0x11,
        }
        match self.status.set_status_raw(raw) {
            Err(Win32Error::INVALID_DATA) | Err(Win32Error::INVALID_HANDLE) => {}
            other => self.anomaly(format!("invalid report {raw:?} answered {other:?}")),
        }
    }

    async fn pause(&mut self) {
        let ms = 500 + 500 * self.rng.below(6);
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }

    /// A random legal next state.
    fn any_next(&mut self) -> ServiceState {
        let next = legal_next(self.current);
        next[self.rng.below(next.len() as u64) as usize]
    }

    /// The start: perhaps an invalid report, a few START_PENDING reports, then STOPPED,
    /// a hang in START_PENDING, or RUNNING. Returns whether the service then serves controls.
    async fn start(&mut self) -> bool {
        if self.rng.below(3) == 0 {
            self.report_invalid();
        }
        for _ in 0..self.rng.below(3) {
            if !self.report(ServiceState::StartPending) {
                return false;
            }
            self.pause().await;
        }
        match self.rng.below(10) {
            0 => {
                self.report(ServiceState::Stopped);
                false
            }
            // Hangs in START_PENDING (ServiceMain returns without a word).
            1 => false,
            _ => self.report(ServiceState::Running),
        }
    }

    /// One control; returns false once the service is gone.
    async fn on_control(&mut self, control: ServiceControl) -> bool {
        match control {
            ServiceControl::Stop => self.on_stop().await,
            ServiceControl::Pause => {
                self.pending_then(ServiceState::PausePending, ServiceState::Paused)
                    .await
            }
            ServiceControl::Continue => {
                self.pending_then(ServiceState::ContinuePending, ServiceState::Running)
                    .await
            }
            ServiceControl::Interrogate => {
                let cur = self.current;
                self.report(cur)
            }
            _ => self.on_other_control(),
        }
    }

    /// STOP: ignored, honoured slowly through STOP_PENDING, or honoured at once.
    async fn on_stop(&mut self) -> bool {
        match self.rng.below(8) {
            0 => true, // ignores it
            1..=3 => {
                if self.report(ServiceState::StopPending) {
                    self.pause().await;
                    self.report(ServiceState::Stopped)
                } else {
                    false
                }
            }
            _ => self.report(ServiceState::Stopped),
        }
    }

    /// PAUSE or CONTINUE: half the time through `pending` first, then `done`.
    async fn pending_then(&mut self, pending: ServiceState, done: ServiceState) -> bool {
        if self.rng.below(2) == 0 && self.report(pending) {
            self.pause().await;
        }
        self.report(done)
    }

    /// Any other control: an invalid report, a spontaneous stop, a random legal change, or
    /// nothing.
    fn on_other_control(&mut self) -> bool {
        match self.rng.below(4) {
            0 => {
                self.report_invalid();
                true
            }
            1 => self.report(ServiceState::Stopped),
            2 => {
                let next = self.any_next();
                self.report(next)
            }
            _ => true,
        }
    }
}

/// What the chaotic service's handler answers to every control.
fn random_handler_result(rng: &mut Rng) -> ServiceControlHandlerResult {
    match rng.below(3) {
        0 => ServiceControlHandlerResult::NoError,
        1 => ServiceControlHandlerResult::NotImplemented,
        _ => ServiceControlHandlerResult::Other(0xdead_beef),
    }
}

/// The controls the chaotic service accepts: usually STOP, often PAUSE/CONTINUE, sometimes
/// PARAMCHANGE.
fn random_accept(rng: &mut Rng) -> ServiceControlAccept {
    let mut accept = ServiceControlAccept::empty();
    if rng.below(8) != 0 {
        accept |= ServiceControlAccept::STOP;
    }
    if rng.below(2) == 0 {
        accept |= ServiceControlAccept::PAUSE_CONTINUE;
    }
    if rng.below(3) == 0 {
        accept |= ServiceControlAccept::PARAMCHANGE;
    }
    accept
}

/// A Rust service that behaves randomly but only ever reports legal transitions (plus
/// invalid reports, which the SCM must refuse): slow or failed starts, ignored or slow
/// STOPs, spontaneous stops with exit codes, random handler results.
fn chaotic(seed: u64, anomalies: Anomalies) -> impl Service {
    let starts = Arc::new(AtomicU64::new(0));
    service_fn(move |ctx: ServiceContext, _args: Vec<String>| {
        let n = starts.fetch_add(1, Ordering::SeqCst) + 1;
        let anomalies = anomalies.clone();
        async move {
            let mut rng = Rng::new(seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let handler_result = random_handler_result(&mut rng);
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let Ok(status) = ctx.register_handler(move |req| {
                let _ = tx.send(req.control);
                handler_result
            }) else {
                return;
            };
            let accept = random_accept(&mut rng);
            let mut c = Chaos {
                status,
                current: ServiceState::StartPending,
                accept,
                checkpoint: 0,
                rng,
                anomalies,
            };
            if !c.start().await {
                return;
            }
            while let Some(control) = rx.recv().await {
                if !c.on_control(control).await {
                    return;
                }
            }
        }
    })
}

// ----- the invariants -----------------------------------------------------------------------------

fn active(s: ServiceState) -> bool {
    s != ServiceState::Stopped
}

/// Replays the trace and checks what happened against the invariants.
struct Checker {
    /// Trace entries already checked.
    seen: usize,
    /// 7036 records of the event log already matched.
    events_seen: usize,
    /// Each service's state as the trace's StateChanged entries leave it (upper-case key).
    states: BTreeMap<String, ServiceState>,
    /// Whether STOP was delivered to the service's current start.
    stop_sent: BTreeMap<String, bool>,
    /// DependOnService (upper-case), from the case.
    deps: BTreeMap<String, Vec<String>>,
}

impl Checker {
    fn new(case: &Case) -> Checker {
        let deps = case
            .slots
            .iter()
            .enumerate()
            .map(|(i, s)| {
                (
                    name(i).to_ascii_uppercase(),
                    s.deps
                        .iter()
                        .map(|&d| name(d).to_ascii_uppercase())
                        .collect(),
                )
            })
            .collect();
        Checker {
            seen: 0,
            events_seen: 0,
            states: BTreeMap::new(),
            stop_sent: BTreeMap::new(),
            deps,
        }
    }

    fn state(&self, key: &str) -> ServiceState {
        self.states
            .get(&key.to_ascii_uppercase())
            .copied()
            .unwrap_or(ServiceState::Stopped)
    }

    fn dependents_of<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a String> + 'a {
        self.deps
            .iter()
            .filter(move |(_, d)| d.iter().any(|d| d == key))
            .map(|(k, _)| k)
    }

    /// Checks the new trace entries (1, 3, 4).
    fn check_trace(&mut self, m: &Machine) -> Result<(), String> {
        let trace = m.trace();
        let entries = trace.entries();
        let events: Vec<_> = m.events().into_iter().filter(|e| e.id == 7036).collect();
        for i in self.seen..entries.len() {
            let prev = i.checked_sub(1).map(|p| &entries[p]);
            let next = entries.get(i + 1);
            self.on_entry(&entries[i], prev, next, &events)?;
        }
        self.seen = entries.len();
        Ok(())
    }

    /// One trace entry.
    ///
    /// Dependencies: Windows lets a client stop a service only when no active service
    /// depends on it (1051), and StartService starts a service only once what it depends on
    /// runs; but a dependency can still stop under a running dependent without any STOP —
    /// its process crashes or is killed, or it reports STOPPED on its own — and the SCM does
    /// not stop the dependents then. So the invariants are the two rules the engine enforces:
    /// (a) a STOP is never delivered to a service while a service depending on it
    /// (DependOnService) is active, and (b) a service enters START_PENDING only while
    /// everything it depends on is RUNNING (or paused, or pausing/continuing). Together they
    /// give [`Checker::check_dependencies`].
    fn on_entry(
        &mut self,
        e: &TraceEntry,
        prev: Option<&TraceEntry>,
        next: Option<&TraceEntry>,
        events_7036: &[scm_sim::events::EventRecord],
    ) -> Result<(), String> {
        match &e.kind {
            TraceKind::StateChanged { service, from, to } => {
                self.on_state_changed(e, service, *from, *to, prev, next)
            }
            TraceKind::ControlSent {
                service,
                control: 1,
                ..
            } => self.on_stop_sent(e, service),
            TraceKind::Event {
                id: 7036,
                service: Some(service),
            } => self.on_event_7036(e, service, prev, events_7036),
            TraceKind::Note { text } => {
                self.on_note(&text.text());
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// (1) A state change follows a transition-table edge from the replayed state; (3b) and
    /// (4) for the change.
    fn on_state_changed(
        &mut self,
        e: &TraceEntry,
        service: &str,
        from: ServiceState,
        to: ServiceState,
        prev: Option<&TraceEntry>,
        next: Option<&TraceEntry>,
    ) -> Result<(), String> {
        let key = service.to_ascii_uppercase();
        let replayed = self.state(&key);
        if from != replayed {
            return Err(format!("{e}: the previous change left {replayed:?}"));
        }
        if !legal_next(from).contains(&to) {
            return Err(format!("illegal transition: {e}"));
        }
        if to == ServiceState::StartPending {
            self.on_start_pending(e, &key)?;
        }
        self.states.insert(key.clone(), to);
        check_7036_follows(e, service, to, prev, next)
    }

    /// (3b) A service enters START_PENDING only while its dependencies run; the STOPs they
    /// were sent no longer guard them.
    fn on_start_pending(&mut self, e: &TraceEntry, key: &str) -> Result<(), String> {
        self.stop_sent.insert(key.to_string(), false);
        // A STOP its dependencies were sent earlier (and ignored or not yet
        // honoured) no longer guards them: they are needed again.
        for d in self.deps.get(key).into_iter().flatten() {
            self.stop_sent.insert(d.clone(), false);
        }
        for d in self.deps.get(key).into_iter().flatten() {
            let ds = self.state(d);
            if !matches!(
                ds,
                ServiceState::Running
                    | ServiceState::Paused
                    | ServiceState::PausePending
                    | ServiceState::ContinuePending
            ) {
                return Err(format!("{e} while its dependency {d} is {ds:?}"));
            }
        }
        Ok(())
    }

    /// (3a) STOP is never delivered while a dependent is active.
    fn on_stop_sent(&mut self, e: &TraceEntry, service: &str) -> Result<(), String> {
        let key = service.to_ascii_uppercase();
        for d in self.dependents_of(&key) {
            let ds = self.state(d);
            if active(ds) {
                return Err(format!("{e} while {d}, which depends on it, is {ds:?}"));
            }
        }
        self.stop_sent.insert(key, true);
        Ok(())
    }

    /// (4) A 7036 trace entry matches the next 7036 record of the event log and the state
    /// change just before it.
    fn on_event_7036(
        &mut self,
        e: &TraceEntry,
        service: &str,
        prev: Option<&TraceEntry>,
        events_7036: &[scm_sim::events::EventRecord],
    ) -> Result<(), String> {
        let record = events_7036.get(self.events_seen).ok_or_else(|| {
            format!(
                "{e}: the event log has only {} 7036 records",
                events_7036.len()
            )
        })?;
        self.events_seen += 1;
        let Some(TraceKind::StateChanged { service: s, to, .. }) = prev.map(|p| &p.kind) else {
            return Err(format!("{e} does not follow a state change"));
        };
        let word = to.event_word();
        let expected = format!("entered the {word} state.");
        if !s.eq_ignore_ascii_case(service)
            || record.service.as_deref() != Some(service)
            || !record.message().ends_with(&expected)
            || record.time != e.time
        {
            return Err(format!(
                "{e}: 7036 {:?} at {:?} does not match the change to {to} of {s}",
                record.message(),
                record.time
            ));
        }
        Ok(())
    }

    /// A service deleted from the database is forgotten.
    fn on_note(&mut self, text: &str) {
        if let Some(name) = text.strip_suffix(" deleted from the database") {
            let key = name.to_ascii_uppercase();
            self.states.remove(&key);
            self.stop_sent.remove(&key);
        }
    }

    /// (3) A RUNNING service whose dependency is STOPPED: the dependency stopped without a
    /// STOP guarding it (it crashed, was killed, or reported STOPPED on its own). A STOP
    /// delivered to the dependency counts until a dependent of it starts again: by (a) it was
    /// delivered while no dependent was active, and by (b) no dependent started since — so
    /// no dependent can be RUNNING if the dependency stopped because of it.
    fn check_dependencies(&self, states: &BTreeMap<String, ServiceState>) -> Result<(), String> {
        for (key, deps) in &self.deps {
            if states.get(key) != Some(&ServiceState::Running) {
                continue;
            }
            for d in deps {
                if states.get(d) == Some(&ServiceState::Stopped)
                    && self.stop_sent.get(d).copied().unwrap_or(false)
                {
                    return Err(format!(
                        "{key} is RUNNING but its dependency {d} was stopped by a STOP"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// (4) A change the service reported to RUNNING, PAUSED or STOPPED is followed by its 7036.
fn check_7036_follows(
    e: &TraceEntry,
    service: &str,
    to: ServiceState,
    prev: Option<&TraceEntry>,
    next: Option<&TraceEntry>,
) -> Result<(), String> {
    let reported = matches!(
        prev.map(|p| &p.kind),
        Some(TraceKind::StatusReported { service: s, accepted_by_scm: true, .. })
            if s.eq_ignore_ascii_case(service)
    );
    let logged = matches!(
        next.map(|n| &n.kind),
        Some(TraceKind::Event { id: 7036, service: Some(s) }) if s.eq_ignore_ascii_case(service)
    );
    let wants_7036 = matches!(
        to,
        ServiceState::Running | ServiceState::Paused | ServiceState::Stopped
    ) && reported;
    if wants_7036 && !logged {
        return Err(format!("{e}: no event 7036"));
    }
    Ok(())
}

/// (2) and (5): the records against the trace, the processes and the registry.
fn check_database(
    m: &mut Machine,
    scm: ScHandle,
    checker: &Checker,
    handles: &[Option<ScHandle>],
) -> Result<(), String> {
    let all = m
        .enum_services_status(scm, ServiceType::ALL, ServiceStateFilter::ALL, None)
        .map_err(|e| format!("enum: {e:?}"))?;
    let mut states = BTreeMap::new();
    for e in &all {
        let key = e.service_name.to_ascii_uppercase();
        let state = e.status.current_state;
        if state != checker.state(&key) {
            let traced = checker.state(&key);
            return Err(format!(
                "{} is {state:?} but the trace says {traced:?}",
                e.service_name
            ));
        }
        states.insert(key, state);
    }
    records_match_processes(m, scm)?;
    checker.check_dependencies(&states)?;
    // The database holds what the registry holds; the registry and QueryServiceConfig agree.
    let reg = m.registry();
    let in_registry: BTreeSet<String> = service_names(&reg, &Caller::local_system())
        .into_iter()
        .collect();
    let in_database: BTreeSet<String> = all.iter().map(|e| e.service_name.clone()).collect();
    if in_registry != in_database {
        return Err(format!(
            "registry {in_registry:?} but database {in_database:?}"
        ));
    }
    for (i, h) in handles.iter().enumerate() {
        if let Some(h) = *h {
            config_matches_key(m, h, &name(i), &reg)?;
        }
    }
    Ok(())
}

// ----- running a case ---------------------------------------------------------------------------

fn name(i: usize) -> String {
    format!("S{i}")
}

fn params(case: &Case, i: usize) -> CreateServiceParams {
    let slot = &case.slots[i];
    let mut p = match (&slot.kind, slot.shared) {
        (Kind::Scripted(_), Some(g)) => CreateServiceParams::share_process(
            &name(i),
            &format!(r"C:\svc\host{g}.exe -k group{g}"),
        ),
        (Kind::Scripted(_), None) => {
            CreateServiceParams::own_process(&name(i), &format!(r"C:\svc\s{i}.exe"))
        }
        (Kind::Chaotic(_), _) => {
            CreateServiceParams::own_process(&name(i), &format!(r"C:\svc\chaos{i}.exe"))
        }
    };
    if slot.other_account {
        p.account = Some(r"NT AUTHORITY\LocalService".into());
    }
    p.dependencies = slot.deps.iter().map(|&d| name(d)).collect();
    p
}

/// Creates service `i` (and its failure actions); the handle.
fn create(m: &mut Machine, scm: ScHandle, case: &Case, i: usize) -> Result<ScHandle, Win32Error> {
    let h = m.create_service(scm, &params(case, i))?;
    if let Some(delay) = case.slots[i].restart {
        m.change_service_config2(
            h,
            &ServiceConfig2::FailureActions {
                reset_period: 3_600,
                reboot_message: None,
                command: None,
                actions: Some(vec![ScAction::new(ScActionKind::Restart, delay)]),
            },
        )?;
    }
    Ok(h)
}

fn fail(m: &Machine, step: usize, op: Option<Op>, what: String) -> TestCaseError {
    TestCaseError::fail(format!(
        "step {step} ({op:?}): {what}\n--- trace ---\n{}",
        render_text(&m.trace())
    ))
}

/// `Ok` when `ok`, else the failure `what`.
fn expect(ok: bool, what: String) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(what)
    }
}

/// A machine with the case's services installed (scripted behaviours or chaotic Rust
/// services), and where the chaotic services report anomalies.
fn build_machine(case: &Case) -> (Machine, Anomalies) {
    let mut m = Machine::builder()
        .seed(case.seed)
        .build()
        .expect("an empty machine");
    let anomalies: Anomalies = Arc::default();
    for (i, slot) in case.slots.iter().enumerate() {
        match slot.kind {
            Kind::Scripted(profile) => m.set_behavior(&name(i), profile.behavior()),
            Kind::Chaotic(seed) => m.install(
                &format!(r"C:\svc\chaos{i}.exe"),
                ServiceTable::single(&name(i), chaotic(seed, anomalies.clone())),
            ),
        }
    }
    (m, anomalies)
}

/// One case being run: the machine, the SCM handle, a handle per slot (None once closed and
/// not reopened), which slots are marked for delete, and the invariant checker.
struct Run<'a> {
    case: &'a Case,
    m: Machine,
    anomalies: Anomalies,
    scm: ScHandle,
    handles: Vec<Option<ScHandle>>,
    marked: [bool; SLOTS],
    checker: Checker,
}

impl<'a> Run<'a> {
    /// Creates every service, starts those the case starts, and checks the invariants
    /// (step 0).
    fn start(case: &'a Case) -> Result<Run<'a>, TestCaseError> {
        let (mut m, anomalies) = build_machine(case);
        let scm = m
            .open_sc_manager(SC_MANAGER_ALL_ACCESS)
            .expect("admin SCM handle");
        let mut handles: Vec<Option<ScHandle>> = vec![None; SLOTS];
        for (i, h) in handles.iter_mut().enumerate() {
            *h = Some(
                create(&mut m, scm, case, i)
                    .map_err(|e| fail(&m, 0, None, format!("create: {e:?}")))?,
            );
        }
        for (i, slot) in case.slots.iter().enumerate() {
            if let (true, Some(h)) = (slot.started, handles[i]) {
                // Any outcome: a dependency may fail, an account may clash (1079).
                let _ = m.start_service(h, &[]);
            }
        }
        let mut run = Run {
            case,
            m,
            anomalies,
            scm,
            handles,
            marked: [false; SLOTS],
            checker: Checker::new(case),
        };
        run.check_invariants()
            .map_err(|w| fail(&run.m, 0, None, w))?;
        Ok(run)
    }

    /// (1) to (5): the new trace entries, then the database.
    fn check_invariants(&mut self) -> Result<(), String> {
        self.checker.check_trace(&self.m)?;
        check_database(&mut self.m, self.scm, &self.checker, &self.handles)
    }

    /// Each slot's state before a step (None without a handle or when the query fails).
    fn states_before(&mut self) -> Vec<Option<ServiceState>> {
        let m = &mut self.m;
        self.handles
            .iter()
            .map(|h| {
                h.and_then(|h| m.query_service_status(h).ok())
                    .map(|s| s.current_state)
            })
            .collect()
    }

    /// Step `step`: applies `op`, checks its outcome (6), then every invariant.
    fn step(&mut self, step: usize, op: Op) -> Result<(), TestCaseError> {
        let before = self.states_before();
        self.apply(op, &before)
            .map_err(|w| fail(&self.m, step, Some(op), w))?;
        if self.m.trace().len() > 20_000 {
            return Err(fail(
                &self.m,
                step,
                Some(op),
                "runaway: the trace keeps growing".into(),
            ));
        }
        self.check_invariants()
            .map_err(|w| fail(&self.m, step, Some(op), w))?;
        let seen = self.anomalies.lock().unwrap().clone();
        if !seen.is_empty() {
            return Err(fail(
                &self.m,
                step,
                Some(op),
                format!("the chaotic service saw {seen:?}"),
            ));
        }
        Ok(())
    }

    /// Applies `op` and checks the outcomes the state decides (6).
    fn apply(&mut self, op: Op, before: &[Option<ServiceState>]) -> Result<(), String> {
        match op {
            Op::Create(i) => self.create_again(i),
            Op::Start(i) => self.start_service(i, before[i]),
            Op::Control(i, control) => self.control(i, control, before[i]),
            Op::Delete(i) => self.delete(i),
            Op::CloseReopen(i) => self.close_reopen(i),
            Op::Crash(i) => {
                let r = self.m.crash(&name(i));
                expect(matches!(code(&r), 0 | 1062 | 1060), format!("crash: {r:?}"))
            }
            Op::Advance(ms) => {
                self.m.advance(Duration::from_millis(ms));
                Ok(())
            }
            Op::SetStartType(i, start) => self.set_start_type(i, start),
        }
    }

    /// CreateService: a duplicate while our handle keeps the record alive (1073, or 1072
    /// once marked for delete); otherwise the new handle.
    fn create_again(&mut self, i: usize) -> Result<(), String> {
        let r = create(&mut self.m, self.scm, self.case, i);
        match self.handles[i] {
            // Our handle keeps the record alive: a duplicate.
            Some(_) => {
                let want = if self.marked[i] { 1072 } else { 1073 };
                expect(
                    code(&r) == want,
                    format!("create again: {r:?}, want {want}"),
                )
            }
            None => {
                if let Ok(h) = r {
                    self.handles[i] = Some(h);
                    self.marked[i] = false;
                }
                Ok(())
            }
        }
    }

    /// StartService: 1056 when already active (not marked, not disabled), 1072 when marked.
    fn start_service(&mut self, i: usize, before: Option<ServiceState>) -> Result<(), String> {
        let Some(h) = self.handles[i] else {
            return Ok(());
        };
        let r = self.m.start_service(h, &[]);
        let disabled = self
            .m
            .query_service_config(h)
            .map(|c| c.start_type == ServiceStartType::Disabled)
            .unwrap_or(false);
        let marked = self.marked[i];
        match before {
            Some(s) if active(s) && !marked && !disabled => {
                expect(code(&r) == 1056, format!("start while {s:?}: {r:?}"))
            }
            _ if marked => expect(code(&r) == 1072, format!("start marked: {r:?}")),
            _ => Ok(()),
        }
    }

    /// ControlService: 87 for SHUTDOWN, 1062 on a STOPPED service (or 1051 for STOP).
    fn control(
        &mut self,
        i: usize,
        control: u32,
        before: Option<ServiceState>,
    ) -> Result<(), String> {
        let Some(h) = self.handles[i] else {
            return Ok(());
        };
        let r = ServiceControl::from_raw(control).and_then(|c| self.m.control_service(h, c));
        if control == 5 {
            expect(code(&r) == 87, format!("SHUTDOWN from a client: {r:?}"))
        } else if before == Some(ServiceState::Stopped) && control != 1 {
            expect(
                code(&r) == 1062,
                format!("control {control} on STOPPED: {r:?}"),
            )
        } else if before == Some(ServiceState::Stopped) {
            // STOP: 1051 may come first (checked before the state).
            expect(
                matches!(code(&r), 1062 | 1051),
                format!("STOP on STOPPED: {r:?}"),
            )
        } else {
            Ok(())
        }
    }

    /// DeleteService: 0, then 1072 once marked.
    fn delete(&mut self, i: usize) -> Result<(), String> {
        let Some(h) = self.handles[i] else {
            return Ok(());
        };
        let r = self.m.delete_service(h);
        let want = if self.marked[i] { 1072 } else { 0 };
        self.marked[i] = true;
        expect(code(&r) == want, format!("delete: {r:?}, want {want}"))
    }

    /// CloseServiceHandle then OpenService: the service is gone (1060) once deleted.
    fn close_reopen(&mut self, i: usize) -> Result<(), String> {
        if let Some(h) = self.handles[i].take() {
            self.m
                .close_service_handle(h)
                .map_err(|e| format!("close: {e:?}"))?;
        }
        match self.m.open_service(self.scm, &name(i), SERVICE_ALL_ACCESS) {
            Ok(h) => {
                self.handles[i] = Some(h);
                Ok(())
            }
            Err(Win32Error::SERVICE_DOES_NOT_EXIST) => {
                self.marked[i] = false;
                Ok(())
            }
            Err(e) => Err(format!("reopen: {e:?}")),
        }
    }

    /// ChangeServiceConfig of the start type: 0, or 1072 once marked.
    fn set_start_type(&mut self, i: usize, start: ServiceStartType) -> Result<(), String> {
        let Some(h) = self.handles[i] else {
            return Ok(());
        };
        let r = self.m.change_service_config(
            h,
            &ChangeConfigParams {
                start_type: Some(start),
                ..ChangeConfigParams::default()
            },
        );
        let want = if self.marked[i] { 1072 } else { 0 };
        expect(code(&r) == want, format!("change start type: {r:?}"))
    }
}

fn run_case(case: &Case) -> Result<(), TestCaseError> {
    let mut run = Run::start(case)?;
    for (step, &op) in case.ops.iter().enumerate() {
        run.step(step + 1, op)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    /// 64 random sequences of up to 30 calls; every invariant after every step.
    #[test]
    fn random_api_sequences_keep_the_invariants(case in case_strategy(false)) {
        run_case(&case)?;
    }
}

/// The same with the behaviours that hit known engine bugs.
#[test]
fn random_api_sequences_with_known_bug_behaviours() {
    let mut runner = TestRunner::new(config());
    if let Err(e) = runner.run(&case_strategy(true), |case| run_case(&case)) {
        panic!("{e}");
    }
}
