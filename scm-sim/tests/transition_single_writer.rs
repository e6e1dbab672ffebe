//! The transition function is the only writer of a service's status (issue 10): in long random
//! runs mixing starts, stops, pauses, crashes, hangs, slow services, failed starts and virtual
//! time, every state change the SCM's record went through has exactly one `StateChanged` trace
//! entry, chained from the previous one, ending in the state the SCM reports; and every event
//! 7036 matches one of those entries (same service, same instant, same state).
//!
//! A write that bypassed the transition function would break the chain (a trace entry whose
//! `from` is not the previous `to`) or leave the record in a state the trace never reached.

use scm_sim::service::ServiceControl;
use std::collections::BTreeMap;
use std::time::Duration;

use scm_sim::events::TraceKind;
use scm_sim::machine::Image;
use scm_sim::scm::access::{ServiceAccess, SC_MANAGER_ALL_ACCESS};
use scm_sim::scm::{CreateServiceParams, ScHandle};
use scm_sim::service::scripted::Behavior;
use scm_sim::service::ServiceState;
use scm_sim::Machine;

/// A small deterministic generator (the test must not depend on a crate's stream).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

const BEHAVIORS: [&[(&str, &str)]; 8] = [
    &[],
    &[("start-time", "3s"), ("stop-time", "2s")],
    &[("accept", "stop,pause"), ("pause-time", "1s")],
    &[("hang", "start")],
    &[("crash", "after:4s")],
    &[("exit-code", "5")],
    &[("hang", "stop")],
    &[("exit", "before-connect")],
];

fn machine(seed: u64) -> (Machine, Vec<(String, ScHandle)>) {
    let mut m = Machine::builder()
        .image(Image::Empty)
        .seed(seed)
        .pipe_timeout(Duration::from_secs(5))
        .build()
        .expect("the empty image loads");
    let scm = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).expect("admin");
    let mut services = Vec::new();
    for (i, settings) in BEHAVIORS.iter().enumerate() {
        let name = format!("Svc{i}");
        let params = CreateServiceParams::own_process(&name, &format!(r"C:\svc\{name}.exe"));
        let h = m.create_service(scm, &params).expect("create");
        let mut b = Behavior::default();
        for (k, v) in settings.iter() {
            b.set(k, v).expect("valid behaviour");
        }
        m.set_behavior(&name, b);
        services.push((name, h));
    }
    (m, services)
}

fn random_run(seed: u64, steps: usize) -> Machine {
    let (mut m, services) = machine(seed);
    let mut rng = Lcg(seed);
    for _ in 0..steps {
        let (name, h) = &services[rng.below(services.len() as u64) as usize];
        match rng.below(7) {
            0 | 1 => drop(m.start_service(*h, &[])),
            2 => drop(m.control_service(*h, ServiceControl::Stop)),
            3 => drop(m.control_service(*h, ServiceControl::Pause)),
            4 => drop(m.control_service(*h, ServiceControl::Continue)),
            5 => drop(m.crash(name)),
            _ => m.advance(Duration::from_millis(rng.below(12_000))),
        }
    }
    m.advance(Duration::from_secs(200));
    m
}

/// Checks the chain of state changes of every service and returns, per service, the instants
/// and states of its changes.
fn check_chain(m: &mut Machine, seed: u64) -> BTreeMap<String, Vec<(Duration, ServiceState)>> {
    let mut last: BTreeMap<String, ServiceState> = BTreeMap::new();
    let mut changes: BTreeMap<String, Vec<(Duration, ServiceState)>> = BTreeMap::new();
    for e in m.trace().entries() {
        if let TraceKind::StateChanged { service, from, to } = &e.kind {
            let before = last
                .get(&**service)
                .copied()
                .unwrap_or(ServiceState::Stopped);
            assert_eq!(
                *from,
                before,
                "seed {seed}: {service} changed from {from} at {:?}, but its last change left it {}",
                e.time,
                before.sc_label()
            );
            assert_ne!(from, to, "seed {seed}: a change to the same state");
            last.insert(service.to_string(), *to);
            changes
                .entry(service.to_string())
                .or_default()
                .push((e.time, *to));
        }
    }
    let scm = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).expect("admin");
    for (name, state) in &last {
        let h = m
            .open_service(scm, name, ServiceAccess::QUERY_STATUS)
            .expect("open");
        let now = m.query_service_status(h).expect("query").current_state;
        assert_eq!(
            now, *state,
            "seed {seed}: {name} is {now:?} but its trace ends in {state:?}"
        );
    }
    changes
}

#[test]
fn every_state_change_has_one_trace_entry_and_every_7036_matches_one() {
    for seed in [1_u64, 2, 3, 4] {
        let mut m = random_run(seed, 400);
        let changes = check_chain(&mut m, seed);
        let total: usize = changes.values().map(Vec::len).sum();
        assert!(total > 100, "seed {seed}: only {total} state changes");
        let mut logged = 0;
        for ev in m.events().iter().filter(|e| e.id == 7036) {
            let service = ev.service.as_deref().expect("7036 names its service");
            let matched = changes.get(service).is_some_and(|list| {
                list.iter().any(|(t, s)| {
                    *t == ev.time && ev.message().contains(&format!("{} state", word(*s)))
                })
            });
            assert!(
                matched,
                "seed {seed}: event 7036 `{}` at {:?} has no state change",
                ev.message(),
                ev.time
            );
            logged += 1;
        }
        assert!(logged > 50, "seed {seed}: only {logged} events 7036");
    }
}

fn word(s: ServiceState) -> &'static str {
    match s {
        ServiceState::Running => "running",
        ServiceState::Stopped => "stopped",
        ServiceState::Paused => "paused",
        _ => "pending",
    }
}
