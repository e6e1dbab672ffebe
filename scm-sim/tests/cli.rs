//! The `scm-sim` binary end to end: exit codes, standard streams, scripts from standard input,
//! and machine files (`--machine PATH`) kept across invocations.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use scm_sim::cli::{run_script, ImageSpec, Output as CliOutput, Runner, ScriptOptions, Session};

fn scm_sim(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scm-sim"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run scm-sim")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn sc_output_and_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let o = scm_sim(dir.path(), &["sc", "query", "Nope"]);
    assert_eq!(
        stdout(&o),
        "[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\n\n\
         The specified service does not exist as an installed service.\n\n"
    );
    // Unix keeps the low 8 bits of the exit code: 1060 & 0xFF.
    assert_eq!(o.status.code(), Some(1060 & 0xFF));
    let o = scm_sim(dir.path(), &["sc", "query", "Spooler"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("        STATE              : 4  RUNNING \n"));
}

#[test]
fn help_and_bad_options() {
    let dir = tempfile::tempdir().unwrap();
    let o = scm_sim(dir.path(), &[]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("USAGE:"));
    let o = scm_sim(dir.path(), &["--seed", "many", "sim", "time"]);
    assert_eq!(o.status.code(), Some(87));
    assert!(stderr(&o).starts_with("scm-sim: --seed wants a number"));
    let o = scm_sim(dir.path(), &["--colour", "sim", "time"]);
    assert_eq!(o.status.code(), Some(1639 & 0xFF));
    let o = scm_sim(dir.path(), &["--image", "missing.reg", "sim", "time"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn bench_arguments_and_the_heap_figure() {
    let dir = tempfile::tempdir().unwrap();
    for bad in [
        &["bench", "--trips"][..],
        &["bench", "--trips", "0"],
        &["bench", "--only", "everything"],
        &["bench", "--fast"],
    ] {
        let o = scm_sim(dir.path(), bad);
        assert_eq!(o.status.code(), Some(87), "{bad:?}");
        assert!(
            stderr(&o).contains("usage: bench"),
            "{bad:?}: {}",
            stderr(&o)
        );
    }
    // The binary counts its heap, so the memory figure is there (named for its count). The
    // figure is resident memory in pages: 20 trips can fit in the allocator's slack and read
    // 0 bytes, 200 cannot.
    let o = scm_sim(dir.path(), &["bench", "--only", "memory", "--trips", "200"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("trace_memory_trips 200 count\n"), "{text}");
    let bytes: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("trace_memory "))
        .and_then(|rest| rest.strip_suffix(" bytes"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no trace_memory figure in {text}"));
    assert!(bytes > 0.0, "{text}");
}

#[test]
fn scripts_from_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_scm-sim"))
        .args(["--image", "empty", "run", "--exit-codes", "-"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"# comment\nsim advance 1s\nsim time\nsc delete Nope\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    assert_eq!(
        stdout(&o),
        "# comment\n> sim advance 1s\n> sim time\n1.000s\n> sc delete Nope\n[SC] OpenService FAILED 1060:\n\n\
         The specified service does not exist as an installed service.\n\n[exit 1060]\n"
    );
    // A line that cannot be parsed makes the script fail, after every line ran.
    let script = dir.path().join("bad.scm");
    std::fs::write(&script, "sim bogus\nsim time\n").unwrap();
    let o = scm_sim(dir.path(), &["--image", "empty", "run", "bad.scm"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).ends_with("> sim time\n0.000s\n"));
}

const SCRIPT: &[&str] = &[
    "sim behavior Fax start-time=3s pause-time=1s accept=stop,pause_continue",
    "sc start Fax",
    "sim advance 5s",
    "sc pause Fax",
    "sim advance 1s",
    "reg add HKLM\\SOFTWARE\\Kept /v Answer /t REG_DWORD /d 42",
    "sc create Extra binPath= C:\\extra.exe",
];

#[test]
fn machine_files_replay_to_the_same_machine() {
    let dir = tempfile::tempdir().unwrap();
    for line in SCRIPT {
        let words = scm_sim_words(line);
        let mut args = vec!["--machine", "m.json"];
        args.extend(words.iter().map(String::as_str));
        let o = scm_sim(dir.path(), &args);
        assert!(o.status.success(), "{line}: {}", stderr(&o));
    }
    // Read-only commands are not recorded; the file holds the seven changes.
    let before = std::fs::read_to_string(dir.path().join("m.json")).unwrap();
    let o = scm_sim(dir.path(), &["--machine", "m.json", "sc", "query", "Fax"]);
    assert!(stdout(&o).contains("STATE              : 7  PAUSED"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("m.json")).unwrap(),
        before
    );
    assert_eq!(before.matches("\"words\"").count(), SCRIPT.len());

    // The replayed machine equals one that ran the same commands in one process: same
    // clock, same registry, same trace.
    let mut runner = Runner::new(Session::new(ImageSpec::Windows10, 0).unwrap(), None);
    let mut out = CliOutput::new();
    run_script(
        &mut runner,
        &SCRIPT.join("\n"),
        ScriptOptions::default(),
        &mut out,
    );
    for view in [
        &["sim", "time"][..],
        &["sim", "trace"],
        &["sim", "events"],
        &["reg", "query", "HKLM\\SOFTWARE\\Kept"],
        &["sc", "qc", "Extra"],
    ] {
        let mut args = vec!["--machine", "m.json"];
        args.extend(view);
        let from_file = stdout(&scm_sim(dir.path(), &args));
        let mut direct = CliOutput::new();
        let words: Vec<String> = view.iter().map(|w| w.to_string()).collect();
        runner.execute(&words, &mut direct);
        assert_eq!(
            virtual_only(&from_file),
            virtual_only(&direct.merged()),
            "{view:?}"
        );
    }
}

/// Drops the trace notes of boot-time trigger events: `Machine::boot` raises them outside the
/// machine's runtime, so their timestamps are real elapsed time, not virtual (an engine gap).
fn virtual_only(text: &str) -> String {
    text.lines()
        .filter(|l| !l.contains("note       trigger event #"))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn scm_sim_words(line: &str) -> Vec<String> {
    scm_sim::cli::split_words(line)
}

#[test]
fn bad_input_and_foreign_files_leave_the_machine_file_alone() {
    let dir = tempfile::tempdir().unwrap();
    let o = scm_sim(
        dir.path(),
        &["--machine", "m.json", "sim", "advance", "10s"],
    );
    assert!(o.status.success());
    let before = std::fs::read(dir.path().join("m.json")).unwrap();
    for bad in [
        &["sim", "advance", "5x"][..],
        &["sc", "start"],
        &["sc", "config", "Spooler", "start=", "sometimes"],
        &["bogus"],
        &["reg", "add"],
    ] {
        let mut args = vec!["--machine", "m.json"];
        args.extend(bad);
        let o = scm_sim(dir.path(), &args);
        assert!(!o.status.success(), "{bad:?}");
        assert_eq!(std::fs::read(dir.path().join("m.json")).unwrap(), before);
    }
    let o = scm_sim(
        dir.path(),
        &["--machine", "m.json", "--image", "empty", "sim", "time"],
    );
    assert_eq!(o.status.code(), Some(87));
    assert!(stderr(&o).contains("--image windows10"));

    for (name, content) in [
        ("garbage.json", "this is not json"),
        ("foreign.json", "{\"format\": \"fake-registry-snapshot\", \"version\": 1}"),
        ("future.json", "{\"format\": \"scm-sim-machine\", \"version\": 99}"),
        (
            "damaged.json",
            "{\"format\": \"scm-sim-machine\", \"version\": 1, \"image\": {\"kind\": \"windows10\"}, \"seed\": 0, \"commands\": [{\"words\": [\"frobnicate\"]}]}",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let o = scm_sim(dir.path(), &["--machine", name, "sc", "stop", "Spooler"]);
        assert_eq!(o.status.code(), Some(13), "{name}");
        assert!(
            stderr(&o).contains("is not a usable scm-sim machine file"),
            "{name}: {}",
            stderr(&o)
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), content);
    }
}

#[test]
fn files_read_by_commands_are_kept_in_the_machine_file() {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("image.reg");
    std::fs::write(
        &image,
        "Windows Registry Editor Version 5.00\r\n\r\n\
         [HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Demo]\r\n\
         \"Type\"=dword:00000010\r\n\"Start\"=dword:00000003\r\n\"ErrorControl\"=dword:00000001\r\n\
         \"ImagePath\"=\"C:\\\\demo.exe\"\r\n",
    )
    .unwrap();
    let import = dir.path().join("more.reg");
    std::fs::write(
        &import,
        "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\More]\r\n\"x\"=\"y\"\r\n",
    )
    .unwrap();
    let o = scm_sim(
        dir.path(),
        &[
            "--image",
            "image.reg",
            "--machine",
            "m.json",
            "reg",
            "import",
            "more.reg",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stderr(&o), "The operation completed successfully.\n");
    std::fs::remove_file(&image).unwrap();
    std::fs::remove_file(&import).unwrap();
    let o = scm_sim(dir.path(), &["--machine", "m.json", "sc", "start", "Demo"]);
    assert!(o.status.success(), "{}", stdout(&o));
    let o = scm_sim(
        dir.path(),
        &[
            "--machine",
            "m.json",
            "reg",
            "query",
            "HKLM\\SOFTWARE\\More",
        ],
    );
    assert_eq!(
        stdout(&o),
        "\nHKEY_LOCAL_MACHINE\\SOFTWARE\\More\n    x    REG_SZ    y\n\n"
    );
}

/// Issue 12: `sim behavior` on a service that is not stopped says that the change applies from
/// its next start (a behaviour is read when the service starts) instead of silently changing
/// nothing now; `default` goes back to the built-in service's Windows 10 profile; comment lines
/// of a script are part of its transcript.
#[test]
fn sim_behavior_says_when_it_applies_and_default_is_the_profile() {
    let mut runner = Runner::new(Session::new(ImageSpec::Windows10, 0).unwrap(), None);
    let mut out = CliOutput::new();
    let script = "# Spooler runs after boot\n\
                  sim behavior Spooler start-time=3s\n\
                  sim behavior Spooler\n\
                  sim behavior Spooler default\n\
                  sim behavior Spooler\n\
                  sc stop Spooler\n\
                  sim advance 1s\n\
                  sim behavior Spooler start-time=3s\n";
    run_script(&mut runner, script, ScriptOptions::default(), &mut out);
    let text = out.merged();
    assert!(
        text.starts_with("# Spooler runs after boot\n> sim behavior"),
        "{text}"
    );
    let note = "Spooler is RUNNING: the new behaviour applies from its next start.\n";
    assert_eq!(text.matches(note).count(), 2, "{text}");
    assert!(text.contains("Spooler: start-time=3s "), "{text}");
    // The profile's own start time (the built-in data), not the generic scripted program's.
    let profile = scm_sim::machine::profiles::windows10_profiles()["SPOOLER"]
        .behavior
        .clone();
    let words = scm_sim::cli::behavior_words(&profile).join(" ");
    assert!(text.contains(&format!("Spooler: {words}\n")), "{text}");
    // `sc stop` shows STOP_PENDING (the profile's stop takes 500 ms); once STOPPED, no note.
    let after_stop = &text[text.find("> sim advance 1s").unwrap()..];
    assert!(
        !after_stop.contains("applies from its next start"),
        "{after_stop}"
    );
}
