//! Parsing and resolution for the module graph: modules, item definitions, `use`
//! bindings, path references, and each path resolved to the module defining the item.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::lex::{lex, Tok};
use crate::syntax::{code_path, is_ident, skip_attribute, skip_visibility, use_tree};

pub type ModPath = Vec<String>;

pub fn show(m: &[String]) -> String {
    if m.is_empty() {
        "crate".to_string()
    } else {
        m.join("::")
    }
}

// Parsing: modules, item definitions, `use` bindings and path references.

/// A path as written, before resolution, with where it was written.
#[derive(Debug, Clone)]
struct RawRef {
    module: ModPath,
    segments: Vec<String>,
    file: String,
    line: usize,
    /// From a `pub use`: a re-export when it points into the module's own subtree.
    reexport: bool,
}

#[derive(Debug, Default)]
pub struct Crate {
    /// Every module, with the items it defines.
    pub modules: BTreeMap<ModPath, BTreeSet<String>>,
    /// Per module, the names its `use` declarations bind, to the path written (unresolved).
    bindings: BTreeMap<ModPath, BTreeMap<String, Vec<String>>>,
    /// Per module, its `use …::*` globs (unresolved).
    globs: BTreeMap<ModPath, Vec<Vec<String>>>,
    refs: Vec<RawRef>,
}

const ITEM_KEYWORDS: &[&str] = &[
    "fn", "struct", "enum", "trait", "type", "const", "static", "union", "mod",
];

fn file_module(rel: &Path) -> ModPath {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts
}

/// Makes a path written in `module` absolute (`crate`-relative, without the `crate`), or `None`
/// for a path into another crate (std, tokio …) or a local name.
fn absolutize(krate: &Crate, module: &[String], segs: &[String]) -> Option<Vec<String>> {
    let first = segs.first()?;
    let mut base: Vec<String> = module.to_vec();
    let mut rest = segs;
    match first.as_str() {
        "crate" => {
            base.clear();
            rest = &segs[1..];
        }
        "self" => rest = &segs[1..],
        "super" => {
            while rest.first().map(String::as_str) == Some("super") {
                base.pop()?;
                rest = &rest[1..];
            }
        }
        _ => {
            let mut child = module.to_vec();
            child.push(first.clone());
            if !krate.modules.contains_key(&child) {
                return None;
            }
        }
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

fn parse_file(krate: &mut Crate, file: &str, module: ModPath, toks: &[Tok]) {
    // Module stack for inline `mod x { … }`: (module, brace depth inside it).
    let mut stack: Vec<(ModPath, usize)> = vec![(module.clone(), 0)];
    krate.modules.entry(module).or_default();
    let mut depth = 0usize;
    let mut i = 0;
    let mut pending_pub = false;
    while i < toks.len() {
        let t = toks[i].text.as_str();
        let cur = stack.last().unwrap().0.clone();
        let at_module_level = depth == stack.last().unwrap().1;
        match t {
            "#" => {
                i = skip_attribute(toks, i);
                continue;
            }
            "{" => depth += 1,
            "}" => {
                if depth == stack.last().unwrap().1 && stack.len() > 1 {
                    stack.pop();
                }
                depth = depth.saturating_sub(1);
            }
            "pub" => {
                pending_pub = true;
                i = skip_visibility(toks, i);
                continue;
            }
            "use" => {
                i = parse_use(krate, file, &cur, toks, i, pending_pub);
                pending_pub = false;
                continue;
            }
            "mod" if at_module_level => {
                let child = declare_module(krate, &cur, toks, i);
                if toks.get(i + 2).map(|t| t.text.as_str()) == Some("{") {
                    depth += 1;
                    stack.push((child, depth));
                    i += 3;
                    pending_pub = false;
                    continue;
                }
            }
            kw if at_module_level && ITEM_KEYWORDS.contains(&kw) => {
                let name = toks
                    .get(i + 1)
                    .filter(|name| name.text != "(" && name.text != "<");
                define_item(krate, &cur, name);
            }
            "macro_rules" if at_module_level => define_item(krate, &cur, toks.get(i + 2)),
            _ => {
                if let Some(end) = path_reference(krate, file, &cur, toks, i) {
                    i = end;
                    continue;
                }
            }
        }
        if t != "pub" && t != "#" {
            pending_pub = false;
        }
        i += 1;
    }
}

/// Records the bindings and references of the `use` at `i` in `module`; returns the index
/// after its `;`.
fn parse_use(
    krate: &mut Crate,
    file: &str,
    module: &ModPath,
    toks: &[Tok],
    i: usize,
    public: bool,
) -> usize {
    let (end, trees) = use_tree(toks, i + 1);
    for (segs, alias, line) in trees {
        record_use(krate, file, module, segs, alias, line, public);
    }
    end
}

/// Records the `mod name` at `i` as a module and as an item of `parent`; returns its path.
fn declare_module(krate: &mut Crate, parent: &ModPath, toks: &[Tok], i: usize) -> ModPath {
    let name = toks[i + 1].text.clone();
    let mut child = parent.clone();
    child.push(name.clone());
    krate.modules.entry(child.clone()).or_default();
    krate.modules.get_mut(parent).unwrap().insert(name);
    child
}

/// Records `name`, when there is one, as an item defined in `module`.
fn define_item(krate: &mut Crate, module: &ModPath, name: Option<&Tok>) {
    if let Some(name) = name {
        krate
            .modules
            .get_mut(module)
            .unwrap()
            .insert(name.text.clone());
    }
}

/// Records the path starting at `i` (`a::b…`, not itself after a `::`) as a reference from
/// `module`; returns the index after it, or `None` when no path starts at `i`.
fn path_reference(
    krate: &mut Crate,
    file: &str,
    module: &ModPath,
    toks: &[Tok],
    i: usize,
) -> Option<usize> {
    let t = toks[i].text.as_str();
    let after_colons = i > 0 && toks[i - 1].text == "::";
    let is_path_start =
        toks.get(i + 1).map(|t| t.text.as_str()) == Some("::") && !after_colons && is_ident(t);
    if !is_path_start {
        return None;
    }
    let (end, segs) = code_path(toks, i);
    krate.refs.push(RawRef {
        module: module.clone(),
        segments: segs,
        file: file.to_string(),
        line: toks[i].line,
        reexport: false,
    });
    Some(end)
}

fn record_use(
    krate: &mut Crate,
    file: &str,
    module: &ModPath,
    segs: Vec<String>,
    alias: Option<String>,
    line: usize,
    public: bool,
) {
    let mut path = segs.clone();
    if path.last().map(String::as_str) == Some("*") {
        path.pop();
        krate
            .globs
            .entry(module.clone())
            .or_default()
            .push(path.clone());
    } else {
        // `use a::b::{self}` binds `b`.
        if path.last().map(String::as_str) == Some("self") {
            path.pop();
        }
        if let Some(last) = path.last() {
            let name = alias.unwrap_or_else(|| last.clone());
            if name != "_" {
                krate
                    .bindings
                    .entry(module.clone())
                    .or_default()
                    .insert(name, path.clone());
            }
        }
    }
    krate.refs.push(RawRef {
        module: module.clone(),
        segments: path,
        file: file.to_string(),
        line,
        reexport: public,
    });
}

// Resolution: a written path to the module that defines the item.

/// The module defining what `abs` (crate-relative) names, or `None` outside this crate.
fn resolve(krate: &Crate, abs: &[String], fuel: usize) -> Option<ModPath> {
    if fuel == 0 {
        return None;
    }
    // The longest prefix that is a module.
    let mut k = abs.len();
    while k > 0 && !krate.modules.contains_key(&abs[..k]) {
        k -= 1;
    }
    let module = abs[..k].to_vec();
    let Some(item) = abs.get(k) else {
        return Some(module);
    };
    let defined_here = krate.modules.get(&module).is_some_and(|d| d.contains(item));
    if defined_here {
        return Some(module);
    }
    if let Some(target) = krate.bindings.get(&module).and_then(|b| b.get(item)) {
        let mut next = absolutize(krate, &module, target)?;
        next.extend(abs[k + 1..].iter().cloned());
        return resolve(krate, &next, fuel - 1);
    }
    for glob in krate.globs.get(&module).into_iter().flatten() {
        let Some(mut next) = absolutize(krate, &module, glob) else {
            continue;
        };
        next.extend(abs[k..].iter().cloned());
        if let Some(found) = resolve(krate, &next, fuel - 1) {
            if found != module {
                return Some(found);
            }
        }
    }
    if module.is_empty() {
        // An unknown name at the crate root (a derive, an external crate in scope …).
        return None;
    }
    Some(module)
}

/// One dependency: `from` uses `to`, at file:line.
#[derive(Debug, Clone)]
pub struct Edge {
    pub from: ModPath,
    pub to: ModPath,
    pub site: String,
}

pub fn load() -> (Crate, Vec<Edge>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&src, &mut files);
    files.sort();
    let mut krate = Crate::default();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        if rel == Path::new("main.rs") {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        let shown = format!("src/{}", rel.display());
        parse_file(&mut krate, &shown, file_module(rel), &lex(&text));
    }
    let mut edges = Vec::new();
    for r in &krate.refs {
        let Some(abs) = absolutize(&krate, &r.module, &r.segments) else {
            continue;
        };
        let Some(to) = resolve(&krate, &abs, 32) else {
            continue;
        };
        if to.is_empty() || to == r.module {
            continue;
        }
        if r.reexport && to.starts_with(&r.module) {
            continue; // a facade re-exporting its own submodule
        }
        edges.push(Edge {
            from: r.module.clone(),
            to,
            site: format!("{}:{}", r.file, r.line),
        });
    }
    (krate, edges)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}
