//! Benchmarks that print figures (`NAME VALUE UNIT`), never asserted by tests. Wall time is
//! read here only, to measure the simulator's throughput; the simulations themselves run on
//! virtual time.
//!
//! | figure | what it measures |
//! |---|---|
//! | `roundtrip_own_process` | start → RUNNING → stop → STOPPED of one own-process service, tracing off (ops/s) |
//! | `roundtrip_traced`, `roundtrip_traced_ratio` | the same with the trace and event log on (the default); untraced ÷ traced |
//! | `roundtrip_10k_services`, `roundtrip_10k_ratio` | the same beside 10,000 installed, stopped services; plain ÷ this |
//! | `machines_parallel`, `machines_parallel_speedup` | one machine per core, each on its own thread (total ops/s); ÷ `roundtrip_own_process` |
//! | `boot_windows10` | build and boot the parsed built-in machine (ms, median) |
//! | `boot_1k_auto`, `boot_10k_auto`, `boot_10k_1k_ratio` | build and boot N services, half auto-start in dependency chains of 10, until settled (ms) |
//! | `trace_memory_1m` (`trace_memory` for another count), `trace_memory_trips` | growth of the process's resident memory over building a traced machine and that many round trips (bytes; Linux, from `/proc/self/status`; measured first, in a fresh process) |
//! | `timeout_scenario`, `timeout_scenario_virtual_per_wall` | a 30 s connect timeout plus a 3 min stop (µs of wall time; virtual ÷ wall) |
//! | `set_behavior_3k`, `install_3k` | 3,000 `Machine::set_behavior` / `Machine::install` calls (ms) |
//!
//! `scm-sim bench-soak` prints the resource bounds of long runs ([`crate::cli::soak`]): memory after
//! 10,000 `reg query HKLM\SYSTEM /s` and after a 24-hour virtual crash-and-restart loop, and
//! the cost of a 512-level key.
//!
//! ```
//! let figures = scm_sim::bench::run_quick();
//! assert!(figures.iter().any(|f| f.name == "roundtrip_own_process"));
//! for f in &figures {
//!     println!("{f}");
//! }
//! ```

mod boot;
mod roundtrip;
mod scenario;

pub use boot::{auto_start_registry, boot_auto, boot_windows10, CHAIN};
pub use roundtrip::{
    bench_machine, machines_parallel, minimal_service, registry_with_services, roundtrip_among,
    roundtrip_own_process, roundtrip_traced, steady_rate, trace_memory, trips,
};
pub use scenario::{install_n, set_behavior_n, timeout_scenario};

use std::fmt;

/// One measured figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// Its name (`roundtrip_own_process`).
    pub name: &'static str,
    /// The value.
    pub value: f64,
    /// The unit (`ops/s`, `ms`, `us`, `x`, `bytes`, `count`).
    pub unit: &'static str,
}

impl Figure {
    /// A figure.
    pub fn new(name: &'static str, value: f64, unit: &'static str) -> Figure {
        Figure { name, value, unit }
    }
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value >= 100.0 {
            write!(f, "{} {:.0} {}", self.name, self.value, self.unit)
        } else {
            write!(f, "{} {:.3} {}", self.name, self.value, self.unit)
        }
    }
}

/// The process's resident memory now (VmRSS of `/proc/self/status`, in bytes), as the
/// operating system counts it: `None` where there is no such file (not Linux).
pub fn resident_bytes() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// A group of figures, selectable with `bench --only`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Group {
    /// `roundtrip_own_process`, `roundtrip_traced`, `roundtrip_10k_services` and their ratios.
    Roundtrip,
    /// `boot_windows10`, `boot_1k_auto`, `boot_10k_auto` and their ratio.
    Boot,
    /// `timeout_scenario`.
    Timeout,
    /// `trace_memory_1m`.
    Memory,
    /// `machines_parallel` and its speedup (measures `roundtrip_own_process` too).
    Parallel,
    /// `set_behavior_3k`, `install_3k`.
    Config,
}

impl Group {
    /// Every group, in the order they run.
    pub const ALL: [Group; 6] = [
        Group::Roundtrip,
        Group::Boot,
        Group::Timeout,
        Group::Config,
        Group::Parallel,
        Group::Memory,
    ];

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Group::Roundtrip => "roundtrip",
            Group::Boot => "boot",
            Group::Timeout => "timeout",
            Group::Memory => "memory",
            Group::Parallel => "parallel",
            Group::Config => "config",
        }
    }

    /// The group of that name.
    pub fn from_name(name: &str) -> Option<Group> {
        Group::ALL.into_iter().find(|g| g.name() == name)
    }
}

/// Sizes and selection of a full run ([`run_with`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Round trips per round-trip figure (default 20,000).
    pub roundtrips: u32,
    /// Traced round trips before `trace_memory` is read (default 1,000,000).
    pub trips: u32,
    /// Services of the larger synthetic boot (default 10,000; the figure is `boot_10k_auto`
    /// only at that size, else `boot_large_auto` with `boot_large_services` beside it).
    pub boot_large: u32,
    /// The groups to run (default all).
    pub groups: Vec<Group>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            roundtrips: 20_000,
            trips: 1_000_000,
            boot_large: 10_000,
            groups: Group::ALL.to_vec(),
        }
    }
}

/// Every benchmark with full sizes.
pub fn run() -> Vec<Figure> {
    run_with(&Options::default())
}

/// The boot group: the built-in machine, 1,000 synthetic services, and `large` of them with
/// how many run afterwards.
fn boot_figures(large: u32) -> Vec<Figure> {
    let mut out = vec![boot_windows10(21), boot_auto("boot_1k_auto", 1_000, 5).0];
    let (name, label) = if large == 10_000 {
        ("boot_10k_auto", "boot_10k_auto_running")
    } else {
        ("boot_large_auto", "boot_large_auto_running")
    };
    // The median of three runs (the 1k figure is the median of five), so that one run
    // disturbed by the other core's work does not make the ratio.
    let (figure, running) = boot_auto(name, large, 3);
    out.push(figure);
    if large != 10_000 {
        out.push(Figure::new(
            "boot_large_services",
            f64::from(large),
            "count",
        ));
    }
    // How many services run after it (the auto-start half when the boot went right).
    out.push(Figure::new(label, running as f64, "count"));
    out
}

/// The benchmarks of `opts.groups` with its sizes.
pub fn run_with(opts: &Options) -> Vec<Figure> {
    let n = opts.roundtrips;
    let mut out = Vec::new();
    // Memory first, while the process has allocated (and freed) little: its figure is the
    // growth of resident memory.
    let memory_first = Group::ALL.into_iter().filter(|g| *g == Group::Memory);
    let others = Group::ALL.into_iter().filter(|g| *g != Group::Memory);
    for group in memory_first
        .chain(others)
        .filter(|g| opts.groups.contains(g))
    {
        match group {
            Group::Roundtrip => {
                out.push(roundtrip_own_process(n));
                out.push(roundtrip_traced(n));
                out.push(roundtrip_among(10_000, n));
            }
            Group::Boot => out.extend(boot_figures(opts.boot_large)),
            Group::Timeout => out.extend(timeout_scenario()),
            Group::Config => {
                out.push(set_behavior_n("set_behavior_3k", 3_000));
                out.push(install_n("install_3k", 3_000));
            }
            Group::Parallel => {
                if !out.iter().any(|f| f.name == "roundtrip_own_process") {
                    out.push(roundtrip_own_process(n));
                }
                let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
                out.push(machines_parallel(cores, n));
                out.push(Figure::new(
                    "machines_parallel_threads",
                    cores as f64,
                    "count",
                ));
            }
            Group::Memory => out.extend(trace_memory(opts.trips).unwrap_or_default()),
        }
    }
    let ratios = [
        (
            "roundtrip_traced_ratio",
            "roundtrip_own_process",
            "roundtrip_traced",
        ),
        (
            "roundtrip_10k_ratio",
            "roundtrip_own_process",
            "roundtrip_10k_services",
        ),
        ("boot_10k_1k_ratio", "boot_10k_auto", "boot_1k_auto"),
        ("boot_large_1k_ratio", "boot_large_auto", "boot_1k_auto"),
        (
            "machines_parallel_speedup",
            "machines_parallel",
            "roundtrip_own_process",
        ),
    ];
    for (name, num, den) in ratios {
        let value = |n: &str| out.iter().find(|f| f.name == n).map(|f| f.value);
        if let (Some(a), Some(b)) = (value(num), value(den)) {
            out.push(Figure::new(name, a / b, "x"));
        }
    }
    out
}

/// Every cheap benchmark with small sizes (a smoke run; the heavy figures are left out).
pub fn run_quick() -> Vec<Figure> {
    let mut out = vec![roundtrip_own_process(50), boot_windows10(1)];
    out.extend(timeout_scenario());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_synthetic_boot_starts_every_auto_start_service() {
        let (f, running) = boot_auto("boot_small_auto", 100, 1);
        assert_eq!(f.unit, "ms");
        assert_eq!(running, 50);
    }

    #[test]
    fn the_small_runs_of_the_heavy_figures_complete() {
        let reg = registry_with_services(30);
        let sys = fake_registry::Caller::local_system();
        assert_eq!(fake_registry::service_names(&reg, &sys).len(), 30);
        assert!(roundtrip_among(30, 5).value > 0.0);
        assert!(roundtrip_traced(5).value > 0.0);
        assert!(machines_parallel(2, 5).value > 0.0);
        assert!(set_behavior_n("set_behavior", 20).value >= 0.0);
        assert!(install_n("install", 20).value >= 0.0);
        // Resident memory where the system reports it (Linux), no figure elsewhere.
        let memory = trace_memory(5);
        assert_eq!(memory.is_some(), resident_bytes().is_some());
    }

    #[test]
    fn groups_round_trip_through_their_names() {
        for g in Group::ALL {
            assert_eq!(Group::from_name(g.name()), Some(g));
        }
        assert_eq!(Group::from_name("everything"), None);
    }
}
