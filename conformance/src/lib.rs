//! conformance: rule checks for Windows service code and service libraries, run on scm-sim.
//!
//! Where `scm-sim` records every protocol violation as it happens, this crate turns a run into a
//! report a library maintainer can act on: which Microsoft rules were broken, how often, by
//! which services, the rule in one sentence with where Microsoft states it, and the replay
//! token to reproduce the run.
//!
//! ```
//! use conformance::Report;
//! use scm_sim::Machine;
//!
//! let m = Machine::builder().build().unwrap();
//! let report = Report::from_machine(&m);
//! assert!(report.passed());
//! assert_eq!(report.to_string(), "conformance: no rule broken\n");
//! ```
//!
//! # Limitations
//!
//! The suite that expands one service library's contract across configurations (the
//! ripgrep-style tester of the design) is not built yet; today the crate reports on any run
//! of the simulator.

#![deny(missing_docs)]

use std::collections::BTreeMap;
use std::fmt;

use scm_sim::sim::{Rule, Violation};
use scm_sim::Machine;

/// The rules a run broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    violations: Vec<Violation>,
}

impl Report {
    /// The report of everything a machine recorded so far.
    pub fn from_machine(machine: &Machine) -> Report {
        Report::from_violations(machine.violations())
    }

    /// A report of given violations.
    pub fn from_violations(violations: Vec<Violation>) -> Report {
        Report { violations }
    }

    /// True when no rule was broken.
    pub fn passed(&self) -> bool {
        self.violations.is_empty()
    }

    /// Every violation, in the order they happened.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// How often each rule was broken, and by which services.
    pub fn by_rule(&self) -> BTreeMap<Rule, (usize, Vec<String>)> {
        let mut out: BTreeMap<Rule, (usize, Vec<String>)> = BTreeMap::new();
        for v in &self.violations {
            let entry = out.entry(v.rule).or_default();
            entry.0 += 1;
            if !entry.1.contains(&v.service) {
                entry.1.push(v.service.clone());
            }
        }
        out
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.passed() {
            return writeln!(f, "conformance: no rule broken");
        }
        let rules = self.by_rule();
        writeln!(
            f,
            "conformance: {} rule(s) broken, {} violation(s)",
            rules.len(),
            self.violations.len()
        )?;
        for (rule, (count, services)) in &rules {
            writeln!(f, "  {} x{} by {}", rule.id(), count, services.join(", "))?;
            writeln!(f, "    {}", rule.text())?;
        }
        if let Some(first) = self.violations.first() {
            writeln!(f, "  replay: {} ({})", first.replay, first.replay.command())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scm_sim::sim::ReplayToken;
    use std::time::Duration;

    fn v(rule: Rule, service: &str) -> Violation {
        Violation {
            rule,
            service: service.into(),
            time: Duration::from_millis(5),
            seen: "seen".into(),
            replay: ReplayToken {
                seed: 3,
                config_hash: 9,
            },
        }
    }

    #[test]
    fn groups_by_rule_and_names_services() {
        let r = Report::from_violations(vec![
            v(Rule::HungStart, "A"),
            v(Rule::HungStart, "B"),
            v(Rule::HungStart, "A"),
            v(Rule::IllegalTransition, "A"),
        ]);
        assert!(!r.passed());
        let by = r.by_rule();
        assert_eq!(
            by[&Rule::HungStart],
            (3, vec!["A".to_string(), "B".to_string()])
        );
        let text = r.to_string();
        assert!(
            text.starts_with("conformance: 2 rule(s) broken, 4 violation(s)\n"),
            "{text}"
        );
        assert!(text.contains("hung-start x3 by A, B"));
        assert!(text.contains("replay: scm-sim:v1:3:0000000000000009"));
    }
}
