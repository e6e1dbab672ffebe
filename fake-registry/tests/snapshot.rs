//! Snapshots: JSON round trips, atomic saves, and refusal of foreign files.

use std::path::Path;

use fake_registry::snapshot::{write_atomic, FORMAT, VERSION};
use fake_registry::{Caller, RegValue, Registry, SnapshotError, ValueType};
use rstest::rstest;

fn sys() -> Caller {
    Caller::local_system()
}

fn fixture() -> Registry {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scm-sim/images/windows10-services.reg"
    );
    let mut reg = Registry::new();
    fake_registry::regfile::import(&mut reg, &sys(), &std::fs::read(path).unwrap()).unwrap();
    reg
}

/// A registry with odd content: every value type, raw bytes that are not canonical, a user
/// hive, non-ASCII names, and a changed environment.
fn odd_registry() -> Registry {
    let mut reg = Registry::new();
    let k = r"HKLM\SOFTWARE\Ünïcödé\Sub";
    reg.create_key(&sys(), k).unwrap();
    for (name, v) in [
        ("", RegValue::sz("default")),
        ("sz", RegValue::sz("a \"quoted\" \\ string")),
        ("expand", RegValue::expand_sz("%SystemRoot%\\x")),
        ("multi", RegValue::multi_sz(&["a", "b"])),
        ("dword", RegValue::dword(0xdead_beef)),
        ("be", RegValue::dword_big_endian(7)),
        ("qword", RegValue::qword(u64::MAX)),
        ("bin", RegValue::binary(vec![0, 1, 255])),
        ("none", RegValue::none(vec![])),
        ("odd", RegValue::from_raw(ValueType(0x1234), vec![1, 2, 3])),
        (
            "unterminated",
            RegValue::from_raw(ValueType::SZ, vec![0x41, 0]),
        ),
    ] {
        reg.set_value(&sys(), k, name, v).unwrap();
    }
    let bob = Caller::standard_user("bob", "S-1-5-21-1-2-3-1001");
    reg.create_key(&bob, r"HKCU\Software\Bob").unwrap();
    reg.environment_mut().set("SystemRoot", r"D:\Win");
    reg.environment_mut().remove("TEMP");
    reg
}

fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

#[test]
fn fixture_round_trips_through_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("win10.json");
    let mut reg = fixture();
    reg.save_atomic(&path).unwrap();
    let back = Registry::load(&path).unwrap();
    assert_eq!(back, reg);
    assert_eq!(back.count(), reg.count());
    assert_eq!(
        back.to_snapshot_json().unwrap(),
        reg.to_snapshot_json().unwrap()
    );
    assert!(temp_files(dir.path()).is_empty());
    // The loaded registry is fully usable: resolution, typed reads, access checks.
    let mut back = back;
    assert_eq!(
        back.get_dword(
            &sys(),
            r"HKLM\SYSTEM\CurrentControlSet\Services\Spooler",
            "Start"
        )
        .unwrap(),
        reg.get_dword(
            &sys(),
            r"HKLM\SYSTEM\CurrentControlSet\Services\Spooler",
            "Start"
        )
        .unwrap()
    );
}

#[test]
fn odd_content_round_trips_in_memory() {
    let reg = odd_registry();
    let json = reg.to_snapshot_json().unwrap();
    let back = Registry::from_snapshot_json(json.as_bytes()).unwrap();
    assert_eq!(back, reg);
    assert_eq!(back.environment().get("systemroot"), Some(r"D:\Win"));
    assert_eq!(back.environment().get("TEMP"), None);
    let mut back = back;
    assert_eq!(
        back.get_expanded_string(&sys(), r"HKLM\SOFTWARE\ünïcödé\sub", "expand")
            .unwrap(),
        r"D:\Win\x"
    );
    assert!(back.key_exists(&sys(), r"HKU\S-1-5-21-1-2-3-1001\Software\Bob"));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["format"], FORMAT);
    assert_eq!(v["version"], VERSION);
}

#[test]
fn saving_replaces_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snap.json");
    let mut reg = Registry::new();
    reg.save_atomic(&path).unwrap();
    reg.create_key(&sys(), r"HKLM\SOFTWARE\Later").unwrap();
    reg.save_atomic(&path).unwrap();
    assert!(Registry::load(&path)
        .unwrap()
        .key_exists(&sys(), r"HKLM\SOFTWARE\Later"));
    assert!(temp_files(dir.path()).is_empty());
}

#[test]
fn a_failed_save_leaves_the_old_file_intact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snap.json");
    odd_registry().save_atomic(&path).unwrap();
    let before = std::fs::read(&path).unwrap();

    // The content fails half-way through: nothing of it reaches the target.
    let err = write_atomic(&path, |out| {
        std::io::Write::write_all(out, b"{\"format\": \"fake-registry-snap").unwrap();
        Err(SnapshotError::Serialize {
            reason: "simulated failure".into(),
        })
    })
    .unwrap_err();
    assert!(matches!(err, SnapshotError::Serialize { .. }));
    assert_eq!(err.code(), 13);
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(temp_files(dir.path()).is_empty());
    assert_eq!(Registry::load(&path).unwrap(), odd_registry());
}

#[test]
fn saving_onto_a_directory_or_into_a_missing_folder_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("occupied");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("keep.txt"), b"keep").unwrap();
    let err = Registry::new().save_atomic(&sub).unwrap_err();
    assert!(
        matches!(err, SnapshotError::Io { saving: true, .. }),
        "{err}"
    );
    assert_eq!(std::fs::read(sub.join("keep.txt")).unwrap(), b"keep");
    assert!(temp_files(dir.path()).is_empty());

    let err = Registry::new()
        .save_atomic(dir.path().join("missing").join("snap.json"))
        .unwrap_err();
    assert_eq!(err.code(), 2, "{err}");
    let err = Registry::load(dir.path().join("absent.json")).unwrap_err();
    assert_eq!(err.code(), 2, "{err}");
    assert!(matches!(err, SnapshotError::Io { saving: false, .. }));
    // The conversion for callers that speak RegError.
    let reg_err: fake_registry::RegError = err.into();
    assert!(matches!(reg_err.kind(), fake_registry::RegErrorKind::Io(_)));
}

#[cfg(unix)]
#[test]
fn saving_keeps_the_old_file_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snap.json");
    std::fs::write(&path, b"old").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    Registry::new().save_atomic(&path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o640);
}

fn current_doc() -> serde_json::Value {
    serde_json::from_str(&Registry::new().to_snapshot_json().unwrap()).unwrap()
}

#[rstest]
#[case::not_json("this is not json".to_string(), "NotJson")]
#[case::truncated(Registry::new().to_snapshot_json().unwrap()[..40].to_string(), "NotJson")]
#[case::empty(String::new(), "NotJson")]
#[case::array("[1, 2, 3]".to_string(), "NotASnapshot")]
#[case::other_object(r#"{"name": "package", "version": 1}"#.to_string(), "NotASnapshot")]
#[case::other_format(r#"{"format": "something-else", "version": 1}"#.to_string(), "NotASnapshot")]
#[case::numeric_format(r#"{"format": 7}"#.to_string(), "NotASnapshot")]
#[case::future_version({
    let mut d = current_doc();
    d["version"] = 2.into();
    d.to_string()
}, "UnsupportedVersion")]
#[case::no_version({
    let mut d = current_doc();
    d.as_object_mut().unwrap().remove("version");
    d.to_string()
}, "Malformed")]
#[case::no_machine({
    let mut d = current_doc();
    d.as_object_mut().unwrap().remove("machine");
    d.to_string()
}, "Malformed")]
#[case::bad_hex({
    let mut d = current_doc();
    d["machine"]["children"][1]["children"][1]["values"][0][1]["data"] = "zz".into();
    d.to_string()
}, "Malformed")]
#[case::duplicate_subkeys({
    let mut d = current_doc();
    let dup = d["machine"]["children"][0].clone();
    d["machine"]["children"].as_array_mut().unwrap().push(dup);
    d.to_string()
}, "Malformed")]
fn foreign_files_are_rejected_and_left_untouched(#[case] content: String, #[case] kind: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("foreign.json");
    std::fs::write(&path, &content).unwrap();
    let err = Registry::load(&path).unwrap_err();
    let got = match &err {
        SnapshotError::NotJson { .. } => "NotJson",
        SnapshotError::NotASnapshot { .. } => "NotASnapshot",
        SnapshotError::UnsupportedVersion { version } => {
            assert_eq!(*version, 2);
            "UnsupportedVersion"
        }
        SnapshotError::Malformed { .. } => "Malformed",
        other => panic!("unexpected {other}"),
    };
    assert_eq!(got, kind, "{err}");
    assert_eq!(err.code(), 13);
    assert!(!err.to_string().is_empty());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), content);
}
