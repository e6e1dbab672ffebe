//! The Windows 10 services fixture: import counts, byte-for-byte export, round trips and
//! encodings.

use fake_registry::regfile::{ExportOptions, LineEnding, TextEncoding};
use fake_registry::{Caller, Registry, Root};
use rstest::rstest;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../scm-sim/images/windows10-services.reg"
);
const SERVICES: &str = r"HKLM\SYSTEM\CurrentControlSet\Services";
const SVCHOST_SECTION: &str =
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Svchost]\n";

fn fixture() -> String {
    std::fs::read_to_string(FIXTURE).expect("fixture readable")
}

fn sys() -> Caller {
    Caller::local_system()
}

fn imported(bytes: &[u8]) -> Registry {
    let mut reg = Registry::new();
    reg.import_reg(&sys(), bytes).expect("imports");
    reg
}

fn utf16le_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        out.extend_from_slice(&u.to_le_bytes());
    }
    out
}

#[test]
fn fixture_imports_with_the_readme_counts() {
    let mut reg = Registry::new();
    let summary = reg.import_reg(&sys(), fixture().as_bytes()).unwrap();
    // 1675 keys below Services plus the Svchost key; every section is a new key.
    assert_eq!(summary.keys_created, 1676);
    assert_eq!(summary.values_set, 7531);
    assert_eq!((summary.keys_deleted, summary.values_deleted), (0, 0));

    let services = reg.open_key(&sys(), SERVICES).unwrap();
    assert_eq!(services.subkey_count(), 230);
    assert_eq!(services.count_keys() - 1, 1675);
    assert_eq!(services.count_values(), 7497);
    let svchost = reg
        .open_key(
            &sys(),
            r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Svchost",
        )
        .unwrap();
    assert_eq!(svchost.value_count(), 34);
    assert_eq!(services.count_values() + svchost.value_count(), 7531);

    // The live link put everything into ControlSet001.
    assert_eq!(
        reg.get_expanded_string(
            &sys(),
            r"HKLM\SYSTEM\ControlSet001\Services\AJRouter",
            "ImagePath"
        )
        .unwrap(),
        r"C:\Windows\system32\svchost.exe -k LocalServiceNetworkRestricted"
    );
    assert_eq!(
        reg.get_dword(&sys(), r"HKLM\SYSTEM\ControlSet001\Services\ALG", "Start")
            .unwrap(),
        3
    );
}

#[test]
fn services_export_is_the_fixture_byte_for_byte() {
    let text = fixture();
    let reg = imported(text.as_bytes());
    let exported = reg
        .export_reg(&sys(), SERVICES, &ExportOptions::utf8_lf())
        .unwrap();
    let exported = String::from_utf8(exported).unwrap();

    let header_section = "Windows Registry Editor Version 5.00\n\n\
        [HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services]\n\n";
    let services_part = exported
        .strip_prefix(header_section)
        .expect("export opens with the Services key");
    let svchost_at = text.find(SVCHOST_SECTION).expect("fixture has Svchost");
    let fixture_part = text[..svchost_at]
        .strip_prefix("Windows Registry Editor Version 5.00\n\n")
        .unwrap();
    assert_eq!(services_part.len(), fixture_part.len());
    if services_part != fixture_part {
        let line = services_part
            .lines()
            .zip(fixture_part.lines())
            .position(|(a, b)| a != b);
        panic!("export differs from the fixture at services line {line:?}");
    }
}

#[rstest]
#[case::utf16_crlf(ExportOptions::regedit())]
#[case::utf8_lf(ExportOptions::utf8_lf())]
#[case::utf8_crlf(ExportOptions::utf8_lf().with_line_ending(LineEnding::CrLf))]
#[case::utf16_lf(ExportOptions::utf8_lf().with_encoding(TextEncoding::Utf16Le))]
fn export_then_import_gives_an_equal_tree(#[case] options: ExportOptions) {
    let reg = imported(fixture().as_bytes());
    let mut copy = Registry::bare();
    for root in ["HKEY_LOCAL_MACHINE", "HKEY_USERS"] {
        let bytes = reg.export_reg(&sys(), root, &options).unwrap();
        copy.import_reg(&sys(), &bytes).unwrap();
    }
    assert_eq!(
        copy.hive_root(Root::LocalMachine),
        reg.hive_root(Root::LocalMachine)
    );
    assert_eq!(copy.hive_root(Root::Users), reg.hive_root(Root::Users));
    assert!(copy == reg);
}

#[rstest]
#[case::utf16le_bom_crlf(utf16le_bom(&fixture().replace('\n', "\r\n")))]
#[case::utf16le_bom_lf(utf16le_bom(&fixture()))]
#[case::utf8_bom(["\u{feff}", &fixture()].concat().into_bytes())]
#[case::utf8_crlf(fixture().replace('\n', "\r\n").into_bytes())]
fn other_encodings_import_the_same_tree(#[case] bytes: Vec<u8>) {
    let expected = imported(fixture().as_bytes());
    assert!(imported(&bytes) == expected);
}
