//! Machine files (`--machine PATH`) against kills and hand edits: orphaned temporary files
//! are removed by the next load or save, a new file gets the umask's permissions, each
//! recorded command's exit code must come back on replay (ERROR_INVALID_DATA, 13, otherwise),
//! and version 1 files without exit codes still load.

use std::path::Path;
use std::process::{Command, Output};

fn scm_sim(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scm-sim"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run scm-sim")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `sim time`'s answer (`38.500s`) in seconds.
fn seconds(stdout: &[u8]) -> f64 {
    text(stdout)
        .trim()
        .trim_end_matches('s')
        .parse()
        .expect("sim time")
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn temporaries_left_by_a_killed_save_are_removed_by_the_next_load_and_save() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let empty = ["--machine", "m.json", "--image", "empty"];
    assert!(
        scm_sim(d, &[&empty[..], &["sim", "advance", "1s"]].concat())
            .status
            .success()
    );
    // What a SIGKILL during a save leaves: this scm-sim's name and the older one's.
    for orphan in [".m.json.snapshot-AbC123.tmp", ".snapshot-XyZ789.tmp"] {
        std::fs::write(d.join(orphan), "half a machine").unwrap();
    }
    let o = scm_sim(d, &["--machine", "m.json", "sim", "time"]);
    assert_eq!(text(&o.stdout), "1.000s\n");
    assert_eq!(names(d), ["m.json"]);
    // A save alone cleans too.
    std::fs::write(d.join(".m.json.snapshot-Q.tmp"), "x").unwrap();
    fake_registry::Registry::new()
        .save_atomic(d.join("m.json.reg-snapshot"))
        .unwrap();
    assert!(scm_sim(d, &["--machine", "m.json", "sim", "advance", "1s"])
        .status
        .success());
    assert_eq!(names(d), ["m.json", "m.json.reg-snapshot"]);
}

#[cfg(unix)]
#[test]
fn a_new_machine_file_gets_the_umask_permissions_not_0600() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    // The child inherits this process's umask (022 unless the environment says otherwise);
    // compare with a file made the ordinary way.
    std::fs::write(dir.path().join("probe"), "").unwrap();
    let expected = std::fs::metadata(dir.path().join("probe"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert!(
        scm_sim(dir.path(), &["--machine", "m.json", "sim", "advance", "1s"])
            .status
            .success()
    );
    let mode = std::fs::metadata(dir.path().join("m.json"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, expected);
}

#[test]
fn each_command_records_its_exit_code_and_a_replay_must_give_it_again() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    scm_sim(
        d,
        &[
            "--machine",
            "m.json",
            "sc",
            "create",
            "Demo",
            "binPath=",
            r"C:\d.exe",
        ],
    );
    let o = scm_sim(d, &["--machine", "m.json", "sc", "delete", "Demo"]);
    assert!(o.status.success());
    // A failing command that changed the machine (it took 30 s) is recorded with its code.
    scm_sim(
        d,
        &[
            "--machine",
            "m.json",
            "sim",
            "behavior",
            "Fax",
            "hang=connect",
        ],
    );
    let before = seconds(&scm_sim(d, &["--machine", "m.json", "sim", "time"]).stdout);
    let o = scm_sim(d, &["--machine", "m.json", "sc", "start", "Fax"]);
    assert_eq!(o.status.code(), Some(1053 & 0xFF), "{}", text(&o.stdout));
    let file = std::fs::read_to_string(d.join("m.json")).unwrap();
    assert!(
        file.contains(r#"{"words":["sc","delete","Demo"],"exit":0}"#),
        "{file}"
    );
    assert!(
        file.contains(r#"{"words":["sc","start","Fax"],"exit":1053}"#),
        "{file}"
    );
    // The replay comes back past the 30 s connect timeout (and the failed start's cleanup,
    // which the built-in Fax profile times in fractions of a second).
    let o = scm_sim(d, &["--machine", "m.json", "sim", "time"]);
    let after = seconds(&o.stdout);
    assert!(
        (30.0..31.0).contains(&(after - before)),
        "{before} → {after}: {}",
        text(&o.stderr)
    );
    assert!(file.contains(r#""version": 2"#));

    // Hand-edited so that the delete now names another service: it would fail with 1060.
    let edited = file.replace(r#"["sc","delete","Demo"]"#, r#"["sc","delete","Other"]"#);
    std::fs::write(d.join("m.json"), &edited).unwrap();
    let o = scm_sim(d, &["--machine", "m.json", "sim", "time"]);
    assert_eq!(o.status.code(), Some(13));
    assert!(
        text(&o.stderr).contains(
            "command 2 (sc delete Other) recorded exit code 0 but gave 1060 when replayed"
        ),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(std::fs::read_to_string(d.join("m.json")).unwrap(), edited);

    // Version 2 requires the code.
    let stripped = file.replacen(r#","exit":0"#, "", 1);
    std::fs::write(d.join("m.json"), stripped).unwrap();
    let o = scm_sim(d, &["--machine", "m.json", "sim", "time"]);
    assert_eq!(o.status.code(), Some(13));
    assert!(text(&o.stderr).contains("command 1 has no exit code"));
}

#[test]
fn version_1_files_without_exit_codes_still_load() {
    let dir = tempfile::tempdir().unwrap();
    let v1 = r#"{"format": "scm-sim-machine", "version": 1, "image": {"kind": "empty"},
        "seed": 0, "commands": [{"words": ["sim", "advance", "5s"]}]}"#;
    std::fs::write(dir.path().join("m.json"), v1).unwrap();
    let o = scm_sim(dir.path(), &["--machine", "m.json", "sim", "time"]);
    assert_eq!(text(&o.stdout), "5.000s\n", "{}", text(&o.stderr));
}

/// Issue 12: a machine file that cannot be saved fails the command with a non-zero exit code
/// (the Win32 code of the failure: 5, ERROR_ACCESS_DENIED, for a folder nobody may write), even
/// when the command itself only queried.
#[test]
fn a_failed_save_fails_the_command() {
    let sys = Path::new("/sys");
    if !sys.is_dir() {
        return; // no unwritable folder to try on this system
    }
    let dir = tempfile::tempdir().unwrap();
    for cmd in [&["sim", "advance", "1s"][..], &["sc", "query", "Nope"]] {
        let mut args = vec!["--machine", "/sys/scm-sim-test.json", "--image", "empty"];
        args.extend(cmd);
        let o = scm_sim(dir.path(), &args);
        assert_eq!(o.status.code(), Some(5), "{args:?}: {}", text(&o.stderr));
        assert!(
            text(&o.stderr).contains("cannot save machine file"),
            "{}",
            text(&o.stderr)
        );
    }
}
