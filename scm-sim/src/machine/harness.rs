//! The test harness: seeds from the environment, determinism checks and failure reports
//! that carry the replay token.
//!
//! ```
//! use scm_sim::machine::harness::Harness;
//! use scm_sim::Machine;
//!
//! let h = Harness::new("empty_machine_boots", 1);
//! let m = h.run(|seed| Machine::builder().seed(seed).build().unwrap());
//! h.assert_clean(&m);
//! ```
//!
//! `SCM_SIM_SEED=N` replaces the case's seed (to replay a failure);
//! `SCM_SIM_CHECK_DETERMINISM=1` runs the case twice and fails at the first trace entry that
//! differs, naming it.

use crate::events::{render_text, Trace};
use crate::sim::{seed_from_env, CHECK_DETERMINISM_ENV};
use crate::Machine;

/// One named case of a test.
#[derive(Debug, Clone)]
pub struct Harness {
    name: String,
    default_seed: u64,
}

impl Harness {
    /// A case named `name` whose seed is `default_seed` unless `SCM_SIM_SEED` says otherwise.
    pub fn new(name: &str, default_seed: u64) -> Harness {
        Harness {
            name: name.to_string(),
            default_seed,
        }
    }

    /// The seed this run uses.
    pub fn seed(&self) -> u64 {
        seed_from_env(self.default_seed)
    }

    /// Runs the case. With `SCM_SIM_CHECK_DETERMINISM=1` it runs it twice with the same seed
    /// and panics at the first differing trace entry.
    pub fn run(&self, case: impl Fn(u64) -> Machine) -> Machine {
        let seed = self.seed();
        let first = case(seed);
        if std::env::var(CHECK_DETERMINISM_ENV).is_ok_and(|v| v == "1") {
            let second = case(seed);
            if let Some(diff) = first_difference(&first.trace(), &second.trace()) {
                panic!(
                    "{}: not deterministic with seed {seed}: {diff}\nreplay: {}",
                    self.name,
                    first.replay_token()
                );
            }
        }
        first
    }

    /// Panics with the reports of every violation, the replay token and how to rerun.
    pub fn assert_clean(&self, m: &Machine) {
        let v = m.violations();
        if !v.is_empty() {
            let reports: Vec<String> = v.iter().map(|v| v.report()).collect();
            panic!(
                "{}: {} protocol violation(s) with seed {}:\n{}\nrerun: SCM_SIM_SEED={} cargo test {}",
                self.name,
                v.len(),
                m.seed(),
                reports.join("\n"),
                m.seed(),
                self.name
            );
        }
    }
}

/// The first entry where two traces differ, described; `None` when they are equal.
pub fn first_difference(a: &Trace, b: &Trace) -> Option<String> {
    let ta = render_text(a);
    let tb = render_text(b);
    let la: Vec<&str> = ta.lines().collect();
    let lb: Vec<&str> = tb.lines().collect();
    for i in 0..la.len().max(lb.len()) {
        let x = la.get(i).copied().unwrap_or("<end of trace>");
        let y = lb.get(i).copied().unwrap_or("<end of trace>");
        if x != y {
            return Some(format!(
                "entry {i} differs:\n  first run:  {x}\n  second run: {y}"
            ));
        }
    }
    None
}
