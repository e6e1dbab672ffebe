//! Fuzzing the command line with proptest: argument vectors for sc, reg, tasklist and sim
//! (words from each tool's vocabulary mixed with random text and bytes that are not UTF-8),
//! whole scripts, and `.reg` files mutated from the built-in Windows 10 fixture (bytes
//! flipped, inserted or cut; lines deleted, doubled or replaced; sections 513 levels deep,
//! over-long names and huge values added).
//!
//! Properties, for every case: nothing panics; every failure carries a Win32 code (an exit
//! code in 1..=15999 with a message); the machine stays consistent — every process the SCM
//! reports for a service is one `tasklist /svc` shows, and the registry keeps Windows' limits
//! (depth 512, names 255 / 16,383 characters); a failed `.reg` import changes nothing.
//!
//! The case budget is fixed so that CI runs it in seconds ([`DEFAULT_CASES`] per area);
//! `SCM_SIM_FUZZ_CASES=N` runs N per area (e.g. `SCM_SIM_FUZZ_CASES=20000 cargo test
//! --release -p scm-sim --test fuzz`). A failure prints the shrunk case and proptest's seed.

use std::cell::RefCell;
use std::ffi::OsString;

use proptest::prelude::*;
use scm_sim::cli::{run_script_bytes, utf8_arguments, ImageSpec, Output, Runner};
use scm_sim::cli::{ScriptOptions, Session};
use scm_sim::machine::image::WINDOWS10_SERVICES_REG;
use scm_sim::registry::{limits, Caller, Key, Registry, Root};

/// Cases per area when `SCM_SIM_FUZZ_CASES` is not set.
const DEFAULT_CASES: u32 = 48;

fn config() -> ProptestConfig {
    let cases = std::env::var("SCM_SIM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

const VERBS: &[&str] = &["sc", "reg", "tasklist", "sim", "SC.EXE", "Reg"];
const WORDS: &[&str] = &[
    "query",
    "queryex",
    "qc",
    "start",
    "stop",
    "pause",
    "continue",
    "interrogate",
    "control",
    "create",
    "config",
    "delete",
    "description",
    "failure",
    "failureflag",
    "sidtype",
    "privs",
    "triggerinfo",
    "qtriggerinfo",
    "qfailure",
    "enumdepend",
    "getdisplayname",
    "getkeyname",
    "add",
    "import",
    "export",
    "/v",
    "/ve",
    "/t",
    "/d",
    "/f",
    "/s",
    "/k",
    "/va",
    "/y",
    "/svc",
    "/fi",
    "advance",
    "time",
    "events",
    "trace",
    "violations",
    "crash",
    "behavior",
    "boot",
    "trigger",
    "lowmemory",
    "Spooler",
    "Fax",
    "Demo",
    "Nope",
    "w32time",
    "type=",
    "state=",
    "all",
    "own",
    "binPath=",
    "start=",
    "auto",
    "demand",
    "reset=",
    "actions=",
    "restart/0",
    "crash=after:1h",
    "hang=connect",
    "accept=stop,pause_continue",
    "REG_DWORD",
    "REG_SZ",
    "REG_BINARY",
    "REG_MULTI_SZ",
    "0x7fffffff",
    "-1",
    "4294967296",
    "1s",
    "30s",
    "2m",
    "HKLM\\SOFTWARE\\Fuzz",
    "HKCU\\Software",
    "HKLM\\SYSTEM\\CurrentControlSet\\Services\\Fax",
    "HKLM\\SYSTEM\\CurrentControlSet\\Services\\Demo\\Parameters",
    "HKXX\\Bad",
    "HKLM\\a\\\\b",
    "x.reg",
    "\"quoted word\"",
    "",
    "--format",
    "json",
    "mermaid",
    "networkon",
    "device",
];

/// One argument: a vocabulary word, random text, or random bytes (often not UTF-8).
fn word() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => proptest::sample::select(WORDS).prop_map(|w| w.as_bytes().to_vec()),
        1 => "[ -~]{0,12}".prop_map(String::into_bytes),
        1 => proptest::collection::vec(any::<u8>(), 0..6),
        1 => Just(format!("HKLM\\SOFTWARE{}", "\\k".repeat(513)).into_bytes()),
        1 => Just("n".repeat(300).into_bytes()),
    ]
}

fn argv() -> impl Strategy<Value = Vec<Vec<u8>>> {
    (
        proptest::sample::select(VERBS),
        proptest::collection::vec(word(), 0..7),
    )
        .prop_map(|(verb, mut rest)| {
            rest.insert(0, verb.as_bytes().to_vec());
            rest
        })
}

#[cfg(unix)]
fn os(bytes: &[u8]) -> OsString {
    use std::os::unix::ffi::OsStringExt;
    OsString::from_vec(bytes.to_vec())
}

#[cfg(not(unix))]
fn os(bytes: &[u8]) -> OsString {
    OsString::from(String::from_utf8_lossy(bytes).into_owned())
}

thread_local! {
    /// One machine per test thread, driven by every case in turn (a long random session).
    static RUNNER: RefCell<Option<(tempfile::TempDir, Runner)>> = const { RefCell::new(None) };
}

fn with_runner<R>(f: impl FnOnce(&mut Runner) -> R) -> R {
    RUNNER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let (_, runner) = slot.get_or_insert_with(|| {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("x.reg"), FUZZ_REG).unwrap();
            let mut session = Session::new(ImageSpec::Windows10, 1).unwrap();
            session.set_cwd(dir.path());
            (dir, Runner::new(session, None))
        });
        f(runner)
    })
}

const FUZZ_REG: &str = "Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Fuzz]\n\"v\"=dword:00000001\n";

/// A failure must carry a Win32 code and say something.
fn check_exit(code: i32, out: &Output, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        (0..16_000).contains(&code),
        "{what}: exit {code} is not a Win32 code"
    );
    if code != 0 {
        prop_assert!(!out.is_empty(), "{what}: exit {code} without a message");
    }
    Ok(())
}

/// Processes = records, and the registry within Windows' limits.
fn check_consistent(runner: &mut Runner) -> Result<(), TestCaseError> {
    let run = |runner: &mut Runner, line: &str| {
        let mut out = Output::new();
        runner.execute(&scm_sim::cli::split_words(line), &mut out);
        out.merged()
    };
    let services = run(runner, "sc queryex type= service state= all");
    let tasks = run(runner, "tasklist /svc");
    for pid in services
        .lines()
        .filter_map(|l| l.trim().strip_prefix("PID                : "))
        .filter(|p| *p != "0")
    {
        let listed = tasks.split_whitespace().any(|w| w == pid);
        prop_assert!(
            listed,
            "pid {pid} of a service is not in tasklist:\n{tasks}"
        );
    }
    let reg = runner
        .session()
        .machine()
        .with_registry(|reg| registry_within_limits(reg));
    prop_assert!(reg.is_ok(), "{}", reg.unwrap_err());
    Ok(())
}

/// Every key and value of both hives within Windows' limits.
fn registry_within_limits(reg: &Registry) -> Result<(), String> {
    fn walk(key: &Key, depth: usize) -> Result<(), String> {
        if depth > limits::MAX_KEY_DEPTH {
            return Err(format!("key {} is {depth} deep", key.name()));
        }
        if depth > 0 {
            let name = key.name();
            if name.is_empty() || name.contains('\\') || limits::check_key_name(name).is_err() {
                return Err(format!("bad key name {name:?}"));
            }
        }
        for (name, value) in key.values() {
            limits::check_value(name, value).map_err(|e| e.to_string())?;
        }
        key.subkeys().try_for_each(|k| walk(k, depth + 1))
    }
    for root in [Root::LocalMachine, Root::Users] {
        walk(reg.hive_root(root).expect("a stored hive"), 0)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn argument_vectors_never_panic_and_fail_with_win32_codes(args in argv()) {
        let os_args: Vec<OsString> = args.iter().map(|a| os(a)).collect();
        let words = match utf8_arguments(os_args) {
            Ok(words) => words,
            Err(e) => {
                prop_assert_eq!(e.code, 1113);
                prop_assert!(args.iter().any(|a| std::str::from_utf8(a).is_err()));
                return Ok(());
            }
        };
        with_runner(|runner| {
            let mut out = Output::new();
            let exit = runner.execute(&words, &mut out);
            check_exit(exit.code, &out, &words.join(" "))?;
            check_consistent(runner)
        })?;
    }

    #[test]
    fn scripts_never_panic_and_every_line_runs(
        lines in proptest::collection::vec(argv(), 1..6),
    ) {
        let mut text = Vec::new();
        for line in &lines {
            for (i, w) in line.iter().enumerate() {
                if i > 0 {
                    text.push(b' ');
                }
                text.extend_from_slice(w);
            }
            text.push(b'\n');
        }
        with_runner(|runner| {
            let mut out = Output::new();
            let code = run_script_bytes(runner, &text, ScriptOptions::default(), &mut out);
            prop_assert!(code == 0 || code == 1);
            check_consistent(runner)
        })?;
    }
}

/// A change to the fixture `.reg` file.
#[derive(Debug, Clone)]
enum Mutation {
    /// Set the byte at this fraction of the file.
    Flip(f64, u8),
    /// Insert bytes there.
    Insert(f64, Vec<u8>),
    /// Cut the file there.
    Truncate(f64),
    /// Remove the line at this fraction of the lines.
    DeleteLine(f64),
    /// Repeat that line.
    DoubleLine(f64),
    /// Put this line in its place.
    ReplaceLine(f64, String),
}

const HOSTILE_LINES: &[&str] = &[
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Fuzz]",
    "[-HKEY_LOCAL_MACHINE\\SYSTEM]",
    "[HKEY_LOCAL_MACHINE]",
    "[HKEY_CURRENT_USER\\Software\\Fuzz]",
    "\"Start\"=dword:zzzz",
    "\"Start\"=dword:ffffffffff",
    "\"x\"=hex(7):41,00,00",
    "\"x\"=hex:0",
    "@=-",
    "\"unterminated",
    "Windows Registry Editor Version 5.00",
    "REGEDIT4",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = 0.0..1.0f64;
    let hostile = prop_oneof![
        proptest::sample::select(HOSTILE_LINES).prop_map(str::to_string),
        Just(format!(
            "[HKEY_LOCAL_MACHINE\\SOFTWARE{}]",
            "\\k".repeat(513)
        )),
        Just(format!(
            "[HKEY_LOCAL_MACHINE\\SOFTWARE\\{}]",
            "n".repeat(256)
        )),
        Just(format!("\"{}\"=dword:00000001", "v".repeat(16_384))),
        "[ -~]{0,40}",
    ];
    prop_oneof![
        (at.clone(), any::<u8>()).prop_map(|(p, b)| Mutation::Flip(p, b)),
        (at.clone(), proptest::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(p, b)| Mutation::Insert(p, b)),
        at.clone().prop_map(Mutation::Truncate),
        at.clone().prop_map(Mutation::DeleteLine),
        at.clone().prop_map(Mutation::DoubleLine),
        (at, hostile).prop_map(|(p, l)| Mutation::ReplaceLine(p, l)),
    ]
}

fn index(fraction: f64, len: usize) -> usize {
    ((fraction * len as f64) as usize).min(len.saturating_sub(1))
}

/// The fixture with `mutations` applied in order.
fn mutate(mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = WINDOWS10_SERVICES_REG.to_vec();
    for m in mutations {
        match m {
            Mutation::Flip(p, b) => {
                let i = index(*p, bytes.len());
                bytes[i] = *b;
            }
            Mutation::Insert(p, ins) => {
                let i = index(*p, bytes.len());
                bytes.splice(i..i, ins.iter().copied());
            }
            Mutation::Truncate(p) => bytes.truncate(index(*p, bytes.len())),
            Mutation::DeleteLine(p) | Mutation::DoubleLine(p) | Mutation::ReplaceLine(p, _) => {
                let mut lines: Vec<Vec<u8>> =
                    bytes.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
                let i = index(*p, lines.len());
                match m {
                    Mutation::DeleteLine(_) => {
                        lines.remove(i);
                    }
                    Mutation::DoubleLine(_) => lines.insert(i, lines[i].clone()),
                    Mutation::ReplaceLine(_, l) => lines[i] = l.clone().into_bytes(),
                    _ => unreachable!("matched above"),
                }
                bytes = lines.join(&b'\n');
            }
        }
    }
    bytes
}

thread_local! {
    static BASE: Registry = Registry::new();
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_reg_files_import_whole_or_not_at_all_with_win32_codes(
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let bytes = mutate(&mutations);
        let mut reg = BASE.with(Registry::clone);
        match reg.import_reg(&Caller::local_system(), &bytes) {
            Ok(_) => {
                let within = registry_within_limits(&reg);
                prop_assert!(within.is_ok(), "{}", within.unwrap_err());
            }
            Err(e) => {
                prop_assert!((1..16_000).contains(&e.code()), "{e}: code {}", e.code());
                prop_assert!(BASE.with(|base| reg == *base), "a failed import changed the registry: {e}");
            }
        }
    }
}
