//! `.reg` value forms in both directions, REGEDIT4, deletes, path resolution and rights.

use fake_registry::regfile::{self, ExportOptions, RegFormat};
use fake_registry::{Caller, RegValue, Registry, ValueType, WatchFilter};
use rstest::rstest;

const V5: &str = "Windows Registry Editor Version 5.00";
const KEY: &str = r"HKLM\SOFTWARE\T";

fn sys() -> Caller {
    Caller::local_system()
}

fn bob() -> Caller {
    Caller::standard_user("bob", "S-1-5-21-1-2-3-1001")
}

/// A registry with `HKLM\SOFTWARE\T` holding one value `v`.
fn with_value(value: RegValue) -> Registry {
    let mut reg = Registry::new();
    reg.create_key(&sys(), KEY).unwrap();
    reg.set_value(&sys(), KEY, "v", value).unwrap();
    reg
}

/// The lines of an export of `HKLM\SOFTWARE\T` between its `[key]` line and the blank line.
fn exported_values(reg: &Registry, options: &ExportOptions) -> Vec<String> {
    let text = regfile::export_text(reg, &sys(), KEY, options).unwrap();
    text.split('\n')
        .skip(3)
        .take_while(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn import_one(line: &str) -> RegValue {
    let text = format!("{V5}\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\T]\n{line}\n");
    let mut reg = Registry::new();
    reg.import_reg(&sys(), text.as_bytes()).unwrap();
    let key = reg.open_key(&sys(), KEY).unwrap();
    let (_, value) = key.values().next().expect("one value");
    value.clone()
}

#[rstest]
#[case::sz(RegValue::sz(r#"a"b\c"#), r#""v"="a\"b\\c""#)]
#[case::sz_empty(RegValue::sz(""), r#""v"="""#)]
#[case::sz_unicode(RegValue::sz("ünï😀"), r#""v"="ünï😀""#)]
#[case::sz_newline(RegValue::sz("a\nb"), r#""v"=hex(1):61,00,0a,00,62,00,00,00"#)]
#[case::sz_odd_length(RegValue::from_raw(ValueType::SZ, vec![0x61]), r#""v"=hex(1):61"#)]
#[case::sz_no_nul(RegValue::from_raw(ValueType::SZ, vec![0x61, 0]), r#""v"=hex(1):61,00"#)]
#[case::sz_no_bytes(RegValue::from_raw(ValueType::SZ, vec![]), r#""v"=hex(1):"#)]
#[case::sz_embedded_nul(RegValue::from_raw(ValueType::SZ, vec![0x61, 0, 0, 0, 0x62, 0, 0, 0]), r#""v"=hex(1):61,00,00,00,62,00,00,00"#)]
#[case::dword(RegValue::dword(0x20), r#""v"=dword:00000020"#)]
#[case::dword_max(RegValue::dword(u32::MAX), r#""v"=dword:ffffffff"#)]
#[case::dword_short(RegValue::from_raw(ValueType::DWORD, vec![1, 2]), r#""v"=hex(4):01,02"#)]
#[case::dword_big_endian(RegValue::dword_big_endian(1), r#""v"=hex(5):00,00,00,01"#)]
#[case::qword(
    RegValue::qword(0x1_0000_00ff),
    r#""v"=hex(b):ff,00,00,00,01,00,00,00"#
)]
#[case::binary(RegValue::binary(vec![0, 0xab]), r#""v"=hex:00,ab"#)]
#[case::binary_empty(RegValue::binary(vec![]), r#""v"=hex:"#)]
#[case::none(RegValue::none(vec![1]), r#""v"=hex(0):01"#)]
#[case::expand_sz(RegValue::expand_sz("%a%"), r#""v"=hex(2):25,00,61,00,25,00,00,00"#)]
#[case::link(RegValue::link(r"\a"), r#""v"=hex(6):5c,00,61,00"#)]
#[case::multi_sz(RegValue::multi_sz(&["a", "b"]), r#""v"=hex(7):61,00,00,00,62,00,00,00,00,00"#)]
#[case::resource_list(RegValue::from_raw(ValueType(8), vec![7]), r#""v"=hex(8):07"#)]
#[case::requirements(RegValue::from_raw(ValueType(10), vec![7]), r#""v"=hex(a):07"#)]
#[case::odd_type(RegValue::from_raw(ValueType(0x12345), vec![0xff]), r#""v"=hex(12345):ff"#)]
#[case::max_type(RegValue::from_raw(ValueType(u32::MAX), vec![]), r#""v"=hex(ffffffff):"#)]
fn each_value_exports_and_imports(#[case] value: RegValue, #[case] line: &str) {
    let reg = with_value(value.clone());
    assert_eq!(
        exported_values(&reg, &ExportOptions::utf8_lf()),
        vec![line.to_string()]
    );
    assert_eq!(import_one(line), value);
}

#[rstest]
#[case::short_dword("\"v\"=dword:1f", RegValue::dword(0x1f))]
#[case::upper_case(
    "\"v\"=HEX(B):01,02,03,04,05,06,07,08",
    RegValue::qword(0x0807060504030201)
)]
#[case::spaces(" \"v\" = hex: 01 , 02 ; comment", RegValue::binary(vec![1, 2]))]
#[case::tab_indent("\"v\"=hex:01,\\\n\t02", RegValue::binary(vec![1, 2]))]
#[case::continuation_first("\"v\"=hex:\\\n  01", RegValue::binary(vec![1]))]
#[case::unknown_escape(r#""v"="a\tb""#, RegValue::sz(r"a\tb"))]
#[case::comment_after_string("\"v\"=\"x\" ; c", RegValue::sz("x"))]
#[case::hex_sz_kept_exactly("\"v\"=hex(1):61", RegValue::from_raw(ValueType::SZ, vec![0x61]))]
fn lenient_forms_import(#[case] line: &str, #[case] value: RegValue) {
    assert_eq!(import_one(line), value);
}

#[test]
fn default_value_is_written_with_at() {
    let mut reg = with_value(RegValue::dword(1));
    reg.set_value(&sys(), KEY, "", RegValue::sz("d")).unwrap();
    assert_eq!(
        exported_values(&reg, &ExportOptions::utf8_lf()),
        ["\"v\"=dword:00000001", "@=\"d\""]
    );
    assert_eq!(import_one("@=\"d\""), RegValue::sz("d"));
}

/// Lines of hex data for `n` bytes after a prefix of `prefix` UTF-16 units, by regedit's
/// rule: after each `xx,` that takes the line to 77 or more, wrap.
fn expected_wrap(prefix: usize, n: usize) -> Vec<usize> {
    let (mut lines, mut count, mut col) = (Vec::new(), 0, prefix);
    for i in 0..n {
        count += 1;
        if i + 1 < n {
            col += 3;
            if col >= 77 {
                lines.push(count);
                count = 0;
                col = 2;
            }
        }
    }
    lines.push(count);
    lines
}

#[rstest]
#[case::short_name("n", 8)]
#[case::long_name(
    "Volume{c03de950-ae96-43ec-852b-887d283c0dde}ComputeIgnorableProduct (Enter)",
    83
)]
#[case::escaped_name(r#"a"b"#, 11)]
// One character outside the BMP counts as two units, as in regedit's UTF-16 buffers.
#[case::surrogate_pair("ab😀", 11)]
fn hex_wraps_as_regedit(#[case] name: &str, #[case] prefix: usize) {
    for n in [0, 1, 22, 23, 24, 48, 49, 100, 257] {
        let mut reg = Registry::new();
        reg.create_key(&sys(), KEY).unwrap();
        reg.set_value(&sys(), KEY, name, RegValue::binary(vec![0x5a; n]))
            .unwrap();
        let lines = exported_values(&reg, &ExportOptions::utf8_lf());
        let per_line: Vec<usize> = lines.iter().map(|l| l.matches("5a").count()).collect();
        assert_eq!(per_line, expected_wrap(prefix, n), "{n} bytes");
        for (i, l) in lines.iter().enumerate() {
            assert_eq!(l.ends_with(",\\"), i + 1 < lines.len());
            assert_eq!(l.starts_with("  "), i > 0);
        }
        let text = regfile::export(&reg, &sys(), KEY, &ExportOptions::regedit()).unwrap();
        let mut copy = Registry::new();
        copy.import_reg(&sys(), &text).unwrap();
        assert!(copy == reg);
    }
}

#[test]
fn regedit4_string_data_is_ansi() {
    let mut file = b"REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\T]\r\n".to_vec();
    file.extend_from_slice(b"\"e\"=hex(2):25,53,25,00\r\n");
    file.extend_from_slice(b"\"m\"=hex(7):61,00,80,00,00\r\n");
    file.extend_from_slice(b"\"b\"=hex:80\r\n");
    file.extend_from_slice(b"\"n\xe9\"=\"\xe9\x80\"\r\n"); // not UTF-8: read as Windows-1252
    let mut reg = Registry::new();
    reg.import_reg(&sys(), &file).unwrap();
    let key = reg.open_key(&sys(), KEY).unwrap();
    assert_eq!(key.value("e"), Some(&RegValue::expand_sz("%S%")));
    assert_eq!(key.value("m"), Some(&RegValue::multi_sz(&["a", "€"])));
    assert_eq!(key.value("b"), Some(&RegValue::binary(vec![0x80])));
    assert_eq!(key.value("né"), Some(&RegValue::sz("é€")));
}

#[test]
fn regedit4_export_narrows_strings_and_reads_back() {
    let mut reg = Registry::new();
    reg.create_key(&sys(), KEY).unwrap();
    for (name, value) in [
        ("e", RegValue::expand_sz("%S%€")),
        ("m", RegValue::multi_sz(&["a", "b"])),
        ("s", RegValue::sz("é")),
        ("q", RegValue::qword(5)),
    ] {
        reg.set_value(&sys(), KEY, name, value).unwrap();
    }
    let options = ExportOptions::utf8_lf().with_format(RegFormat::Regedit4);
    let text = regfile::export_text(&reg, &sys(), KEY, &options).unwrap();
    assert!(text.starts_with("REGEDIT4\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\T]\n"));
    assert!(text.contains("\"e\"=hex(2):25,53,25,80,00\n"));
    assert!(text.contains("\"m\"=hex(7):61,00,62,00,00\n"));
    let mut copy = Registry::new();
    copy.import_reg(&sys(), text.as_bytes()).unwrap();
    assert!(copy == reg);
    // Characters outside Windows-1252 become '?', as WideCharToMultiByte makes them.
    let lossy = with_value(RegValue::expand_sz("ā"));
    let text = regfile::export_text(&lossy, &sys(), KEY, &options).unwrap();
    assert!(text.contains("\"v\"=hex(2):3f,00\n"));
}

#[test]
fn deletes_keys_and_values() {
    let mut reg = Registry::new();
    for k in [r"HKLM\SOFTWARE\T\A\B", r"HKLM\SOFTWARE\T\C"] {
        reg.create_key(&sys(), k).unwrap();
    }
    for name in ["x", "y", ""] {
        reg.set_value(&sys(), KEY, name, RegValue::dword(1))
            .unwrap();
    }
    let text = format!(
        "{V5}\n\n[-HKEY_LOCAL_MACHINE\\SOFTWARE\\T\\A]\n\n[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Nope]\n\n\
         [HKEY_LOCAL_MACHINE\\SOFTWARE\\T]\n\"x\"=-\n\"missing\"=-\n@=-\n\"y\"=dword:00000002\n"
    );
    let summary = reg.import_reg(&sys(), text.as_bytes()).unwrap();
    assert_eq!(summary.keys_deleted, 2); // A and B
    assert_eq!(summary.values_deleted, 2); // x and the default value
    assert_eq!((summary.keys_created, summary.values_set), (0, 1));
    let key = reg.open_key(&sys(), KEY).unwrap();
    assert_eq!(key.subkeys().map(|k| k.name()).collect::<Vec<_>>(), ["C"]);
    assert_eq!(
        key.values().collect::<Vec<_>>(),
        [("y", &RegValue::dword(2))]
    );
}

#[test]
fn sections_resolve_like_any_call() {
    let mut reg = Registry::new();
    // CurrentControlSet follows Select\Current.
    reg.create_key(&sys(), r"HKLM\SYSTEM\ControlSet002")
        .unwrap();
    reg.set_value(&sys(), r"HKLM\SYSTEM\Select", "Current", RegValue::dword(2))
        .unwrap();
    let text = format!(
        "{V5}\n\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\X]\n\n\
         [HKEY_CURRENT_USER\\Software\\Y]\n\n[HKLM\\SOFTWARE\\Short]\n"
    );
    reg.import_reg(&bob_or_admin(), text.as_bytes()).unwrap();
    assert!(reg.key_exists(&sys(), r"HKLM\SYSTEM\ControlSet002\Services\X"));
    assert!(!reg.key_exists(&sys(), r"HKLM\SYSTEM\ControlSet001\Services\X"));
    assert!(reg.key_exists(&sys(), r"HKU\S-1-5-21-1-2-3-500\Software\Y"));
    assert!(reg.key_exists(&sys(), r"HKLM\SOFTWARE\Short"));
}

fn bob_or_admin() -> Caller {
    Caller::administrator("Admin", "S-1-5-21-1-2-3-500")
}

#[rstest]
#[case::standard_user_hklm(bob(), "[HKEY_LOCAL_MACHINE\\SOFTWARE\\T]\n\"x\"=dword:1", 3)]
#[case::standard_user_existing_key(bob(), "[HKEY_LOCAL_MACHINE\\SOFTWARE]", 3)]
#[case::standard_user_other_hive(bob(), "[HKEY_USERS\\S-1-5-18\\X]", 3)]
#[case::standard_user_hku_root(bob(), "[HKEY_USERS]\n\"x\"=dword:1", 3)]
#[case::service_account_hklm(
    Caller::local_service(),
    "[HKEY_CURRENT_USER\\A]\n\"x\"=dword:1\n[HKEY_LOCAL_MACHINE\\A]",
    5
)]
#[case::after_good_sections(sys(), "[HKEY_LOCAL_MACHINE\\SOFTWARE\\T\\N]\n[-HKEY_LOCAL_MACHINE\\SOFTWARE\\T]\n[-HKEY_LOCAL_MACHINE]", 5)]
#[case::delete_link(sys(), "[-HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet]", 3)]
fn refused_imports_change_nothing(#[case] caller: Caller, #[case] body: &str, #[case] line: u32) {
    let mut reg = Registry::new();
    reg.create_key(&sys(), KEY).unwrap();
    let before = reg.clone();
    let log_len = reg.access_log().total();
    let text = format!("{V5}\n\n{body}\n");
    let err = reg.import_reg(&caller, text.as_bytes()).unwrap_err();
    assert_eq!(err.code(), 5, "{err}");
    assert_eq!((err.line(), err.column()), (line, 1));
    assert!(err.to_string().contains("ERROR_ACCESS_DENIED"), "{err}");
    assert!(std::error::Error::source(&err).is_some());
    assert!(reg == before);
    assert_eq!(reg.access_log().total(), log_len);
}

#[test]
fn standard_user_imports_own_hive() {
    let mut reg = Registry::new();
    let text = format!("{V5}\n\n[HKEY_CURRENT_USER\\Software\\Bob]\n\"x\"=\"y\"\n");
    reg.import_reg(&bob(), text.as_bytes()).unwrap();
    assert_eq!(
        reg.get_string(&sys(), r"HKU\S-1-5-21-1-2-3-1001\Software\Bob", "x")
            .unwrap(),
        "y"
    );
}

#[test]
fn import_writes_are_logged_and_watched() {
    let mut reg = Registry::new();
    reg.create_key(&sys(), KEY).unwrap();
    let watch = reg.watch(&sys(), KEY, WatchFilter::all()).unwrap();
    let text = format!("{V5}\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\T\\N]\n\"x\"=dword:00000001\n");
    reg.import_reg(&sys(), text.as_bytes()).unwrap();
    let changes = watch.take_changes();
    assert_eq!(changes.len(), 2, "{changes:?}"); // N created, x set
    assert!(reg
        .access_log()
        .iter()
        .any(|r| r.path.ends_with(r"SOFTWARE\T\N")));
}

#[test]
fn setting_an_existing_value_keeps_its_place_and_case() {
    let mut reg = Registry::new();
    reg.create_key(&sys(), KEY).unwrap();
    for n in ["First", "Second"] {
        reg.set_value(&sys(), KEY, n, RegValue::dword(0)).unwrap();
    }
    let text = format!("{V5}\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\T]\n\"FIRST\"=dword:00000007\n");
    reg.import_reg(&sys(), text.as_bytes()).unwrap();
    let key = reg.open_key(&sys(), KEY).unwrap();
    let values: Vec<_> = key.values().collect();
    assert_eq!(
        values,
        [
            ("First", &RegValue::dword(7)),
            ("Second", &RegValue::dword(0))
        ]
    );
}

#[test]
fn export_of_missing_key_or_unwritable_names_fails() {
    let reg = Registry::new();
    let err = reg
        .export_reg(&sys(), r"HKLM\SOFTWARE\Nope", &ExportOptions::regedit())
        .unwrap_err();
    assert_eq!(err.code(), 2);
    let reg = {
        let mut reg = with_value(RegValue::dword(1));
        reg.set_value(&sys(), KEY, "a\nb", RegValue::dword(1))
            .unwrap();
        reg
    };
    let err = reg
        .export_reg(&sys(), KEY, &ExportOptions::regedit())
        .unwrap_err();
    assert_eq!(err.code(), 13);
}

#[test]
fn top_key_is_printed_as_the_caller_spelled_it() {
    let mut reg = Registry::new();
    reg.create_key(&sys(), r"HKLM\SYSTEM\CurrentControlSet\Services\Demo\Sub")
        .unwrap();
    let text = regfile::export_text(
        &reg,
        &sys(),
        r"hklm\system\currentcontrolset\services\demo",
        &ExportOptions::utf8_lf(),
    )
    .unwrap();
    assert_eq!(
        text,
        "Windows Registry Editor Version 5.00\n\n\
         [HKEY_LOCAL_MACHINE\\system\\currentcontrolset\\services\\demo]\n\n\
         [HKEY_LOCAL_MACHINE\\system\\currentcontrolset\\services\\demo\\Sub]\n\n"
    );
}
