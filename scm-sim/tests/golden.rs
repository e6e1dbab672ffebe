//! Golden transcripts: every `tests/golden/*.scm` script (and the guided tour,
//! `examples/tour.scm`) runs on a fresh machine and its transcript — each command echoed as
//! `> command`, its stdout and stderr in order, `[exit N]` after a non-zero exit code, and the
//! script's own exit code at the end — must equal the checked-in `*.out` byte for byte.
//!
//! A script's first lines may say `# options: --image empty --seed 3`. Scripts run in a
//! temporary folder holding copies of the other files of `tests/golden/` (fixtures such as
//! `broken.reg`), so they can write files.
//!
//! To regenerate the expected output after a deliberate change, run
//! `UPDATE_GOLDEN=1 cargo test -p scm-sim --test golden` and read the diff.

use std::path::{Path, PathBuf};

use scm_sim::cli::{run_script, ImageSpec, Output, Runner, ScriptOptions, Session};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// `--image` and `--seed` from `# options:` lines.
fn options(text: &str, dir: &Path) -> (ImageSpec, u64) {
    let mut image = ImageSpec::Windows10;
    let mut seed = 0;
    for line in text.lines().filter_map(|l| l.strip_prefix("# options:")) {
        let words: Vec<&str> = line.split_whitespace().collect();
        for pair in words.chunks(2) {
            match pair {
                ["--image", v] => image = ImageSpec::parse(v, dir).expect("image option"),
                ["--seed", v] => seed = v.parse().expect("seed option"),
                other => panic!("unknown golden option {other:?}"),
            }
        }
    }
    (image, seed)
}

fn transcript(script: &Path) -> String {
    let text = std::fs::read_to_string(script).expect("script");
    let (image, seed) = options(&text, &golden_dir());
    let work = tempfile::tempdir().expect("temporary folder");
    for entry in std::fs::read_dir(golden_dir()).expect("golden folder") {
        let path = entry.expect("entry").path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if path.is_file() && ext != "scm" && ext != "out" {
            std::fs::copy(&path, work.path().join(path.file_name().expect("name")))
                .expect("copy fixture");
        }
    }
    let mut session = Session::new(image, seed).expect("machine");
    session.set_cwd(work.path());
    let mut runner = Runner::new(session, None);
    let mut out = Output::new();
    let opts = ScriptOptions {
        exit_codes: true,
        stream: false,
    };
    let code = run_script(&mut runner, &text, opts, &mut out);
    format!("{}[script exit {code}]\n", out.merged())
}

fn first_difference(expected: &str, actual: &str) -> String {
    for (i, (e, a)) in expected.lines().zip(actual.lines()).enumerate() {
        if e != a {
            return format!("line {}:\n  expected: {e:?}\n  actual:   {a:?}", i + 1);
        }
    }
    format!(
        "lengths differ: expected {} lines, got {}",
        expected.lines().count(),
        actual.lines().count()
    )
}

#[test]
fn golden_transcripts() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut scripts: Vec<(PathBuf, PathBuf)> = std::fs::read_dir(golden_dir())
        .expect("golden folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "scm"))
        .map(|p| (p.clone(), p.with_extension("out")))
        .collect();
    scripts.sort();
    let tour = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/tour.scm");
    scripts.push((tour, golden_dir().join("tour.out")));
    assert!(scripts.len() > 1, "no golden scripts found");
    let mut failures = Vec::new();
    for (script, expected_path) in &scripts {
        let actual = transcript(script);
        if update {
            std::fs::write(expected_path, &actual).expect("write golden output");
            continue;
        }
        match std::fs::read_to_string(expected_path) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => failures.push(format!(
                "{}: {}",
                script.display(),
                first_difference(&expected, &actual)
            )),
            Err(_) => failures.push(format!(
                "{}: no {} (run with UPDATE_GOLDEN=1)",
                script.display(),
                expected_path.display()
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "golden transcripts differ (UPDATE_GOLDEN=1 regenerates them):\n{}",
        failures.join("\n")
    );
}

#[test]
fn transcripts_are_deterministic() {
    let script = golden_dir().join("sc_control.scm");
    assert_eq!(transcript(&script), transcript(&script));
}
