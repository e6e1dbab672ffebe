//! The graph for one level, the edges on cycles, and the allowlist comparison.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::scan::{show, Edge, ModPath};

/// The graph among `parent`'s direct submodules (and `parent` itself, for its `mod.rs`):
/// every edge inside `parent`'s subtree, cut to one level below `parent`.
pub type Graph = BTreeMap<ModPath, BTreeMap<ModPath, Vec<String>>>;

pub fn level_graph(edges: &[Edge], parent: &[String]) -> Graph {
    let cut = |m: &ModPath| -> Option<ModPath> {
        if !m.starts_with(parent) {
            return None;
        }
        Some(m[..(parent.len() + 1).min(m.len())].to_vec())
    };
    let mut g: Graph = BTreeMap::new();
    for e in edges {
        let (Some(a), Some(b)) = (cut(&e.from), cut(&e.to)) else {
            continue;
        };
        if a == b || a.as_slice() == parent || b.as_slice() == parent {
            continue;
        }
        g.entry(a)
            .or_default()
            .entry(b)
            .or_default()
            .push(e.site.clone());
    }
    g
}

/// The edges that lie on a cycle (`a -> b` where `b` reaches `a`), each with the shortest
/// cycle through it (starting at `a`).
fn cyclic_edges(g: &Graph) -> BTreeMap<(ModPath, ModPath), Vec<ModPath>> {
    let mut out = BTreeMap::new();
    for (a, tos) in g {
        for b in tos.keys() {
            if let Some(back) = shortest_path(g, b, a) {
                let mut cycle = vec![a.clone()];
                cycle.extend(back.into_iter().take_while(|m| m != a));
                out.insert((a.clone(), b.clone()), cycle);
            }
        }
    }
    out
}

/// The shortest path from `from` to `to` (both included), breadth first.
fn shortest_path(g: &Graph, from: &ModPath, to: &ModPath) -> Option<Vec<ModPath>> {
    let mut prev: BTreeMap<ModPath, ModPath> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([from.clone()]);
    let mut seen = BTreeSet::from([from.clone()]);
    while let Some(m) = queue.pop_front() {
        if &m == to {
            let mut path = vec![m.clone()];
            let mut cur = m;
            while let Some(p) = prev.get(&cur) {
                path.push(p.clone());
                cur = p.clone();
            }
            path.reverse();
            return Some(path);
        }
        for next in g.get(&m).into_iter().flat_map(|t| t.keys()) {
            if seen.insert(next.clone()) {
                prev.insert(next.clone(), m.clone());
                queue.push_back(next.clone());
            }
        }
    }
    None
}

/// `a -> b -> … -> a`, one line per edge with the first site that makes it.
fn describe_cycle(g: &Graph, cycle: &[ModPath]) -> String {
    let chain: Vec<String> = cycle.iter().chain(&cycle[..1]).map(|m| show(m)).collect();
    let mut s = format!("  {}\n", chain.join(" -> "));
    for (k, a) in cycle.iter().enumerate() {
        let b = &cycle[(k + 1) % cycle.len()];
        let sites = &g[a][b];
        let more = if sites.len() > 1 {
            format!(" (+{} more)", sites.len() - 1)
        } else {
            String::new()
        };
        let _ = writeln!(s, "    {} -> {}  at {}{}", show(a), show(b), sites[0], more);
    }
    s
}

pub fn print_graph(title: &str, g: &Graph) {
    println!("== {title}");
    for (a, tos) in g {
        for (b, sites) in tos {
            println!("  {} -> {}  ({})", show(a), show(b), sites.join(", "));
        }
    }
}

/// Compares the edges on cycles with an allowlist of edges; returns the failure messages.
///
/// A new cycle always has an edge that was on no cycle before (otherwise all its edges, and
/// so the cycle, existed already), so "every edge on a cycle is listed" fails exactly when a
/// cycle appears; "every listed edge is on a cycle" makes the list shrink as cycles go.
pub fn check(g: &Graph, allowed: &[(&str, &str, &str)], scope: &str) -> Vec<String> {
    let on_cycles = cyclic_edges(g);
    let mut problems = Vec::new();
    let key = |a: &str, b: &str| -> (ModPath, ModPath) {
        let split = |s: &str| s.split("::").map(String::from).collect::<ModPath>();
        (split(a), split(b))
    };
    let allowed_keys: BTreeSet<(ModPath, ModPath)> =
        allowed.iter().map(|(a, b, _)| key(a, b)).collect();
    for ((a, b), cycle) in &on_cycles {
        if !allowed_keys.contains(&(a.clone(), b.clone())) {
            problems.push(format!(
                "new module cycle in {scope}: the edge {} -> {} closes\n{}",
                show(a),
                show(b),
                describe_cycle(g, cycle)
            ));
        }
    }
    for (a, b, reason) in allowed {
        if !on_cycles.contains_key(&key(a, b)) {
            problems.push(format!(
                "{a} -> {b} is on no cycle of {scope} any more: remove it from the allowlist \
                 (it was there because: {reason})"
            ));
        }
    }
    problems
}

pub fn print_cycles(g: &Graph) {
    let on_cycles = cyclic_edges(g);
    let mut shown = BTreeSet::new();
    for cycle in on_cycles.values() {
        let mut key = cycle.clone();
        key.sort();
        if shown.insert(key) {
            print!("cycle:\n{}", describe_cycle(g, cycle));
        }
    }
}
