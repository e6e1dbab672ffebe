//! The command line under hostile input: arguments and script lines that are not UTF-8
//! (ERROR_NO_UNICODE_TRANSLATION, 1113), input files that are folders, endless or too large
//! (ERROR_ACCESS_DENIED 5, ERROR_FILE_TOO_LARGE 223 — never a Unix errno), machine files left
//! by killed saves or edited by hand, and `sim advance` beyond tokio's 30-year horizon.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use scm_sim::cli::{run_script_bytes, ImageSpec, Output as CliOutput, Runner, ScriptOptions};
use scm_sim::cli::{Session, NO_UNICODE_TRANSLATION};

fn scm_sim_os(dir: &Path, args: &[std::ffi::OsString]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scm-sim"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run scm-sim")
}

fn scm_sim(dir: &Path, args: &[&str]) -> Output {
    let args: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
    scm_sim_os(dir, &args)
}

fn with_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scm-sim"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(unix)]
#[test]
fn a_non_utf8_argument_is_error_no_unicode_translation_1113_naming_it() {
    use std::os::unix::ffi::OsStringExt;
    let dir = tempfile::tempdir().unwrap();
    let bad = std::ffi::OsString::from_vec(vec![0xff]);
    let args = [
        "--image".into(),
        "empty".into(),
        "sc".into(),
        "query".into(),
        bad,
    ];
    let o = scm_sim_os(dir.path(), &args);
    assert_eq!(o.status.code(), Some(1113 & 0xFF));
    assert_eq!(
        text(&o.stderr),
        "scm-sim: argument 5 (\"\\xFF\") is not valid UTF-8 text: No mapping for the Unicode \
         character exists in the target multi-byte code page. (1113)\n"
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn a_non_utf8_script_line_is_reported_and_the_others_run_error_1113() {
    let mut runner = Runner::new(Session::new(ImageSpec::Empty, 0).unwrap(), None);
    let mut out = CliOutput::new();
    let script = b"sim advance 1s\nsc query \xff\xfe\r\nsim time\n";
    let opts = ScriptOptions {
        exit_codes: true,
        stream: false,
    };
    let code = run_script_bytes(&mut runner, script, opts, &mut out);
    assert_eq!(
        code, 1,
        "a bad line makes the script fail, after every line ran"
    );
    assert_eq!(
        out.merged(),
        "> sim advance 1s\n> sc query \\xFF\\xFE\nscm-sim: line 2 (\"sc query \\xFF\\xFE\") is not \
         valid UTF-8 text: No mapping for the Unicode character exists in the target multi-byte \
         code page. (1113)\n[exit 1113]\n> sim time\n1.000s\n"
    );
    assert_eq!(NO_UNICODE_TRANSLATION, 1113);
}

#[test]
fn run_from_standard_input_keeps_going_past_a_non_utf8_line() {
    let dir = tempfile::tempdir().unwrap();
    let o = with_stdin(
        dir.path(),
        &["--image", "empty", "run", "-"],
        b"sim advance 2s\n\x80\nsim time\n",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stdout).ends_with("> sim time\n2.000s\n"),
        "{}",
        text(&o.stdout)
    );
    assert!(text(&o.stderr).contains("line 2 (\"\\x80\")"));
}

#[test]
fn the_shell_reads_on_after_a_non_utf8_line() {
    let dir = tempfile::tempdir().unwrap();
    let o = with_stdin(
        dir.path(),
        &["--image", "empty", "shell"],
        b"sim advance 3s\n\xff\xff\nsim time\nexit\n",
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o.stdout).contains("3.000s\n"), "{}", text(&o.stdout));
    assert!(text(&o.stderr).contains("(1113)"), "{}", text(&o.stderr));
}

#[test]
fn sim_advance_past_thirty_years_arrives_whole() {
    // tokio clamps one sleep at about 30 years; the clock advances in steps.
    let mut runner = Runner::new(Session::new(ImageSpec::Empty, 0).unwrap(), None);
    let mut out = CliOutput::new();
    let script = "sim advance 1000000h\nsim time\nsim advance 1000000000000001ms\n";
    let code = run_script_bytes(
        &mut runner,
        script.as_bytes(),
        ScriptOptions::default(),
        &mut out,
    );
    assert_eq!(code, 1, "the too-long advance is refused");
    let merged = out.merged();
    assert!(merged.contains("> sim time\n3600000000.000s\n"), "{merged}");
    assert!(
        merged.contains("is too long (at most 1000000000000000ms"),
        "{merged}"
    );
}

#[test]
fn input_files_that_are_folders_give_error_access_denied_5_not_errno_21() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("folder")).unwrap();
    for args in [
        &["--machine", "folder", "sim", "time"][..],
        &["--image", "folder", "sim", "time"],
        &["--image", "empty", "run", "folder"],
    ] {
        let o = scm_sim(dir.path(), args);
        assert_eq!(o.status.code(), Some(5), "{args:?}: {}", text(&o.stderr));
    }
}

#[cfg(unix)]
#[test]
fn endless_input_files_stop_at_the_cap_with_error_file_too_large_223() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["--machine", "/dev/zero", "sim", "time"][..],
        &["--image", "/dev/zero", "sim", "time"],
        &["--image", "empty", "run", "/dev/zero"],
    ] {
        let o = scm_sim(dir.path(), args);
        assert_eq!(o.status.code(), Some(223), "{args:?}: {}", text(&o.stderr));
        assert!(text(&o.stderr).contains("64 MiB input limit"), "{args:?}");
    }
    let o = scm_sim(
        dir.path(),
        &["--image", "empty", "reg", "import", "/dev/zero"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("64 MiB input limit"));
}

#[cfg(unix)]
#[test]
fn an_unreadable_machine_file_is_error_access_denied_5_not_errno_13() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.json");
    std::fs::write(&path, "{}").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&path).is_ok() {
        return; // running as root: permissions do not stop reads
    }
    let o = scm_sim(dir.path(), &["--machine", "m.json", "sim", "time"]);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o.stderr));
}
