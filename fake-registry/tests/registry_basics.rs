//! The registry's basic contract: case-insensitive lookup, delete rules, access by caller,
//! Windows' subkey order, typed reads with Win32 errors, value order and the
//! CurrentControlSet link (moved out of `registry.rs` to keep that module small).

use fake_registry::{Caller, RegValue, Registry};

fn sys() -> Caller {
    Caller::local_system()
}

#[test]
fn lookup_is_case_insensitive_and_names_keep_their_case() {
    let mut reg = Registry::new();
    reg.create_key(&sys(), r"HKLM\SOFTWARE\MyApp\Sub").unwrap();
    assert!(reg.key_exists(&sys(), r"hklm\software\MYAPP\sub"));
    let names = reg.enum_subkeys(&sys(), r"HKLM\SOFTWARE").unwrap();
    assert_eq!(names, ["Classes", "MyApp"]);
}

#[test]
fn delete_with_subkeys_is_access_denied_and_recursive_delete_works() {
    let mut reg = Registry::new();
    reg.create_key(&sys(), r"HKLM\SOFTWARE\A\B").unwrap();
    assert_eq!(
        reg.delete_key(&sys(), r"HKLM\SOFTWARE\A")
            .unwrap_err()
            .code(),
        5
    );
    reg.delete_key_recursive(&sys(), r"HKLM\SOFTWARE\A")
        .unwrap();
    assert!(!reg.key_exists(&sys(), r"HKLM\SOFTWARE\A"));
    assert_eq!(
        reg.delete_key(&sys(), r"HKLM\SOFTWARE\A")
            .unwrap_err()
            .code(),
        2
    );
}

#[test]
fn standard_user_cannot_write_machine_keys_but_can_write_own_hive() {
    let mut reg = Registry::new();
    let user = Caller::standard_user("bob", "S-1-5-21-9-9-9-1001");
    assert_eq!(
        reg.create_key(&user, r"HKLM\SOFTWARE\X")
            .unwrap_err()
            .code(),
        5
    );
    reg.create_key(&user, r"HKCU\Software\X").unwrap();
    assert!(reg.key_exists(&sys(), r"HKU\S-1-5-21-9-9-9-1001\Software\X"));
    assert_eq!(
        reg.create_key(&user, r"HKU\S-1-5-18\X").unwrap_err().code(),
        5
    );
    let denied = reg.access_log().iter().filter(|r| !r.allowed).count();
    assert_eq!(denied, 2);
}

#[test]
fn subkeys_sort_by_upper_case_as_windows() {
    let mut reg = Registry::new();
    for n in ["b", "A_x", "Ab", "a"] {
        reg.create_key(&sys(), &format!(r"HKLM\SOFTWARE\T\{n}"))
            .unwrap();
    }
    // '_' (0x5F) sorts after the letters once names are upper-cased.
    assert_eq!(
        reg.enum_subkeys(&sys(), r"HKLM\SOFTWARE\T").unwrap(),
        ["a", "Ab", "A_x", "b"]
    );
}

#[test]
fn typed_reads_give_win32_errors() {
    let mut reg = Registry::new();
    let k = r"HKLM\SOFTWARE\T";
    reg.create_key(&sys(), k).unwrap();
    reg.set_value(&sys(), k, "s", RegValue::expand_sz("%SystemRoot%\\x"))
        .unwrap();
    assert_eq!(reg.get_dword(&sys(), k, "s").unwrap_err().code(), 1630);
    assert_eq!(reg.get_dword(&sys(), k, "missing").unwrap_err().code(), 2);
    assert_eq!(
        reg.get_expanded_string(&sys(), k, "S").unwrap(),
        r"C:\Windows\x"
    );
    assert_eq!(reg.get_string(&sys(), k, "S").unwrap(), r"%SystemRoot%\x");
    assert_eq!(
        reg.set_value(&sys(), r"HKLM\SOFTWARE\Nope", "x", RegValue::dword(1))
            .unwrap_err()
            .code(),
        2
    );
}

#[test]
fn values_keep_insertion_order_and_default_value() {
    let mut reg = Registry::new();
    let k = r"HKLM\SOFTWARE\T";
    reg.create_key(&sys(), k).unwrap();
    for n in ["z", "a", ""] {
        reg.set_value(&sys(), k, n, RegValue::sz(n)).unwrap();
    }
    reg.set_value(&sys(), k, "Z", RegValue::dword(1)).unwrap();
    let names: Vec<String> = reg
        .enum_values(&sys(), k)
        .unwrap()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["z", "a", ""]);
    assert_eq!(reg.get_dword(&sys(), k, "z").unwrap(), 1);
}

#[test]
fn system_lists_the_current_control_set_link() {
    let mut reg = Registry::new();
    let names = reg.enum_subkeys(&sys(), r"HKLM\SYSTEM").unwrap();
    assert_eq!(names, ["ControlSet001", "CurrentControlSet", "Select"]);
    assert_eq!(
        reg.delete_key_recursive(&sys(), r"HKLM\SYSTEM\CurrentControlSet")
            .unwrap_err()
            .code(),
        5
    );
}
