//! Windows' registry size limits ("Registry element size limits",
//! https://learn.microsoft.com/en-us/windows/win32/sysinfo/registry-element-size-limits) with
//! the Win32 errors Windows gives: depth 512 (ERROR_NO_SYSTEM_RESOURCES 1450 beyond), key
//! names 255 characters (ERROR_INVALID_NAME 123), value names 16,383 characters
//! (ERROR_INVALID_PARAMETER 87), value data above the simulator's 64 MiB grant (1450). A
//! refused create or import leaves the registry as it was.

use fake_registry::limits::{
    MAX_KEY_DEPTH, MAX_KEY_NAME_CHARS, MAX_VALUE_DATA_BYTES, MAX_VALUE_NAME_CHARS,
};
use fake_registry::{Caller, RegValue, Registry, WatchFilter};

fn sys() -> Caller {
    Caller::local_system()
}

fn deep(root: &str, levels: usize) -> String {
    format!("{root}{}", r"\k".repeat(levels))
}

#[test]
fn a_key_512_levels_deep_is_created_and_513_is_error_no_system_resources_1450() {
    let mut reg = Registry::new();
    assert_eq!(
        reg.create_key(&sys(), &deep("HKLM", MAX_KEY_DEPTH)),
        Ok(true)
    );
    assert!(reg.key_exists(&sys(), &deep("HKLM", MAX_KEY_DEPTH)));
    let before = reg.clone();
    let err = reg
        .create_key(&sys(), &deep("HKLM", MAX_KEY_DEPTH + 1))
        .unwrap_err();
    assert_eq!(
        (err.code(), err.win32_name()),
        (1450, "ERROR_NO_SYSTEM_RESOURCES")
    );
    assert!(reg == before, "a refused create changed the registry");
    // A path far deeper fails the same way, without building the levels.
    let err = reg.create_key(&sys(), &deep("HKLM", 50_000)).unwrap_err();
    assert_eq!(err.code(), 1450);
    assert!(reg == before);
}

#[test]
fn depth_counts_where_hkcu_lands_error_no_system_resources_1450() {
    // HKCU is HKU\<sid>: its keys are one level deeper than they look.
    let mut reg = Registry::new();
    let svc = Caller::local_service();
    assert!(reg
        .create_key(&svc, &deep("HKCU", MAX_KEY_DEPTH - 1))
        .is_ok());
    let err = reg
        .create_key(&svc, &deep("HKCU", MAX_KEY_DEPTH))
        .unwrap_err();
    assert_eq!(err.code(), 1450);
}

#[test]
fn deep_creates_notify_watchers_once_per_created_key_with_its_path() {
    let mut reg = Registry::new();
    reg.create_key(&sys(), r"HKLM\SOFTWARE\W").unwrap();
    let watch = reg
        .watch(&sys(), r"HKLM\SOFTWARE\W", WatchFilter::all())
        .unwrap();
    let path = deep(r"HKLM\SOFTWARE\W", 3);
    reg.create_key(&sys(), &path).unwrap();
    // The filter watches the subtree: one notification per created key, each with its
    // full path (built one name per level).
    let paths: Vec<String> = watch.take_changes().into_iter().map(|c| c.path).collect();
    assert_eq!(
        paths,
        [
            r"HKEY_LOCAL_MACHINE\SOFTWARE\W\k",
            r"HKEY_LOCAL_MACHINE\SOFTWARE\W\k\k",
            r"HKEY_LOCAL_MACHINE\SOFTWARE\W\k\k\k"
        ]
    );
}

#[test]
fn a_key_name_over_255_characters_is_error_invalid_name_123() {
    let mut reg = Registry::new();
    let ok = format!(r"HKLM\SOFTWARE\{}", "n".repeat(MAX_KEY_NAME_CHARS));
    assert_eq!(reg.create_key(&sys(), &ok), Ok(true));
    let long = format!(r"HKLM\SOFTWARE\{}", "n".repeat(MAX_KEY_NAME_CHARS + 1));
    let err = reg.create_key(&sys(), &long).unwrap_err();
    assert_eq!((err.code(), err.win32_name()), (123, "ERROR_INVALID_NAME"));
}

#[test]
fn a_value_name_over_16383_characters_is_error_invalid_parameter_87() {
    let mut reg = Registry::new();
    let k = r"HKLM\SOFTWARE\V";
    reg.create_key(&sys(), k).unwrap();
    let ok = "v".repeat(MAX_VALUE_NAME_CHARS);
    reg.set_value(&sys(), k, &ok, RegValue::dword(1)).unwrap();
    let long = "v".repeat(MAX_VALUE_NAME_CHARS + 1);
    let err = reg
        .set_value(&sys(), k, &long, RegValue::dword(1))
        .unwrap_err();
    assert_eq!(err.code(), 87);
    assert_eq!(reg.enum_values(&sys(), k).unwrap().len(), 1);
}

#[test]
fn value_data_above_the_memory_grant_is_error_no_system_resources_1450() {
    let mut reg = Registry::new();
    let k = r"HKLM\SOFTWARE\V";
    reg.create_key(&sys(), k).unwrap();
    let big = RegValue::binary(vec![0; MAX_VALUE_DATA_BYTES + 1]);
    assert_eq!(
        reg.set_value(&sys(), k, "big", big).unwrap_err().code(),
        1450
    );
    let fits = RegValue::binary(vec![0; 4096]);
    reg.set_value(&sys(), k, "fits", fits).unwrap();
}

#[test]
fn a_reg_file_breaking_a_limit_changes_nothing_error_no_system_resources_1450() {
    let mut reg = Registry::new();
    let before = reg.clone();
    let deep_section = deep(r"HKEY_LOCAL_MACHINE\SOFTWARE", MAX_KEY_DEPTH);
    let text = format!(
        "Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\First]\n\
         \"x\"=dword:00000001\n\n[{deep_section}]\n"
    );
    let err = reg.import_reg(&sys(), text.as_bytes()).unwrap_err();
    assert_eq!((err.code(), err.line()), (1450, 6), "{err}");
    assert!(reg == before, "the first section was applied");

    let long_name = "v".repeat(MAX_VALUE_NAME_CHARS + 1);
    let text = format!(
        "Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\First]\n\
         \"x\"=dword:00000001\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Second]\n\"{long_name}\"=\"y\"\n"
    );
    let err = reg.import_reg(&sys(), text.as_bytes()).unwrap_err();
    assert_eq!((err.code(), err.line()), (87, 6), "{err}");
    assert!(reg == before);
}

#[test]
fn a_snapshot_of_a_512_level_key_loads_back() {
    let mut reg = Registry::new();
    reg.create_key(&sys(), &deep("HKLM", MAX_KEY_DEPTH))
        .unwrap();
    let json = reg.to_snapshot_json().unwrap();
    let back = Registry::from_snapshot_json(json.as_bytes()).unwrap();
    assert!(back == reg);
}

#[test]
fn a_snapshot_nested_past_the_depth_limit_is_error_invalid_data_13_not_a_stack_overflow() {
    let json = format!(
        "{{\"format\": \"fake-registry-snapshot\", \"version\": 1, \"machine\": {}}}",
        "[".repeat(200_000)
    );
    let err = Registry::from_snapshot_json(json.as_bytes()).unwrap_err();
    assert_eq!(err.code(), 13);
}
