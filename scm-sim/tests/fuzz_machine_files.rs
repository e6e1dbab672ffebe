//! Fuzzing machine files (`--machine PATH`): a valid file, written by scm-sim itself, is
//! mutated (bytes flipped, inserted or cut; recorded commands and exit codes edited; the
//! header changed) and loaded by the real binary. For every case: nothing panics; a file that
//! does not load gives a message and a non-zero exit code and is left byte for byte as it was;
//! a file that loads answers the next command.
//!
//! 48 cases by default; `SCM_SIM_FUZZ_CASES=N` runs N (each case starts the binary once).

use std::path::Path;
use std::process::{Command, Output};

use proptest::prelude::*;

fn scm_sim(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scm-sim"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run scm-sim")
}

/// A machine file with a few recorded commands, made once.
fn valid_file() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let m = ["--machine", "m.json", "--image", "empty"];
    for cmd in [
        &["sc", "create", "Fuzz", "binPath=", r"C:\fuzz.exe"][..],
        &["sim", "advance", "2s"],
        &["sc", "start", "Fuzz"],
        &["sc", "stop", "Nope"],
        &[
            "reg",
            "add",
            r"HKLM\SOFTWARE\Fuzz",
            "/v",
            "A",
            "/d",
            "1",
            "/f",
        ],
    ] {
        let args: Vec<&str> = m.iter().chain(cmd.iter()).copied().collect();
        scm_sim(d, &args);
    }
    std::fs::read(d.join("m.json")).unwrap()
}

/// One way to damage a file.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Cut(usize, usize),
    Replace(&'static str, &'static str),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(at, x)| Mutation::Flip(at, x)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, b)| Mutation::Insert(at, b)),
        (any::<usize>(), 1usize..64).prop_map(|(at, n)| Mutation::Cut(at, n)),
        prop::sample::select(vec![
            ("\"exit\":0", "\"exit\":1056"),
            ("\"exit\":1060", "\"exit\":0"),
            ("\"exit\":0", "\"exit\":\"zero\""),
            ("\"exit\":0", "\"exit\":-1"),
            ("advance", "adnavce"),
            ("2s", "99999999999999999999y"),
            ("empty", "windows11"),
            ("\"seed\":0", "\"seed\":-5"),
            ("\"seed\":0", "\"seed\":18446744073709551616"),
            ("[", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["),
            ("\"", ""),
            ("sc", "\u{0}"),
        ])
        .prop_map(|(a, b)| Mutation::Replace(a, b)),
    ]
}

fn apply(mut bytes: Vec<u8>, m: &Mutation) -> Vec<u8> {
    let len = bytes.len().max(1);
    match m {
        Mutation::Flip(at, x) => {
            let i = at % len;
            if let Some(b) = bytes.get_mut(i) {
                *b ^= x;
            }
        }
        Mutation::Insert(at, b) => {
            let i = at % (bytes.len() + 1);
            bytes.splice(i..i, b.iter().copied());
        }
        Mutation::Cut(at, n) => {
            let i = at % len;
            let end = (i + n).min(bytes.len());
            bytes.drain(i.min(end)..end);
        }
        Mutation::Replace(a, b) => {
            let text = String::from_utf8_lossy(&bytes).replacen(a, b, 1);
            bytes = text.into_bytes();
        }
    }
    bytes
}

fn cases() -> u32 {
    std::env::var("SCM_SIM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn damaged_machine_files_fail_cleanly_and_stay_untouched(
        mutations in prop::collection::vec(mutation(), 1..4)
    ) {
        let original = valid_file_cached();
        let damaged = mutations.iter().fold(original.clone(), apply);
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("m.json"), &damaged).unwrap();
        let o = scm_sim(d, &["--machine", "m.json", "sim", "time"]);
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        prop_assert!(!stderr.contains("panicked"), "{stderr}");
        if o.status.success() {
            prop_assert!(String::from_utf8_lossy(&o.stdout).ends_with("s\n"));
        } else {
            prop_assert!(o.status.code().is_some_and(|c| c != 0), "killed: {:?}", o.status);
            prop_assert!(!stderr.trim().is_empty(), "a failure with no message");
            let after = std::fs::read(d.join("m.json")).unwrap();
            prop_assert!(after == damaged, "a file that did not load was changed");
        }
    }
}

/// The valid file, made once per test process.
fn valid_file_cached() -> Vec<u8> {
    static FILE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    FILE.get_or_init(valid_file).clone()
}
