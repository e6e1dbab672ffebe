//! Malformed `.reg` files: each gives its kind, line and column, ERROR_INVALID_DATA, and
//! leaves the registry exactly as it was. Every case runs in three encodings (UTF-8 with LF,
//! UTF-8 with CRLF, UTF-16LE with a mark and CRLF), which must agree on the position.

use fake_registry::regfile::RegFileErrorKind as K;
use fake_registry::{Caller, RegValue, Registry};
use rstest::rstest;

/// Lines 1–3 of most cases: the header, a blank line, a key.
const HEAD: &str = "Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\T]\n";

#[derive(Debug, Clone, Copy)]
enum Encoding {
    Utf8,
    Utf8CrLf,
    Utf16CrLf,
}

fn encode(text: &str, encoding: Encoding) -> Vec<u8> {
    match encoding {
        Encoding::Utf8 => text.as_bytes().to_vec(),
        Encoding::Utf8CrLf => text.replace('\n', "\r\n").into_bytes(),
        Encoding::Utf16CrLf => {
            let mut out = vec![0xFF, 0xFE];
            for u in text.replace('\n', "\r\n").encode_utf16() {
                out.extend_from_slice(&u.to_le_bytes());
            }
            out
        }
    }
}

/// A registry with some content, to check that a failed import leaves it alone.
fn populated() -> Registry {
    let sys = Caller::local_system();
    let mut reg = Registry::new();
    reg.create_key(&sys, r"HKLM\SOFTWARE\T").unwrap();
    reg.set_value(&sys, r"HKLM\SOFTWARE\T", "keep", RegValue::dword(1))
        .unwrap();
    reg
}

fn assert_rejected(bytes: &[u8], kind: &K, line: u32, column: u32) {
    let mut reg = populated();
    let before = reg.clone();
    let log_len = reg.access_log().total();
    let err = reg
        .import_reg(&Caller::local_system(), bytes)
        .expect_err("malformed file must fail");
    assert_eq!(
        (err.kind(), err.line(), err.column()),
        (kind, line, column),
        "{err}"
    );
    assert_eq!(err.code(), 13);
    assert!(err
        .to_string()
        .starts_with(&format!("line {line}, column {column}: ")));
    assert!(reg == before, "registry changed");
    assert_eq!(reg.access_log().total(), log_len, "registry was touched");
}

#[rstest]
#[case::missing_header("[HKEY_LOCAL_MACHINE\\SOFTWARE\\T]\n", K::MissingHeader, 1, 1)]
#[case::empty_file("", K::MissingHeader, 1, 1)]
#[case::wrong_version("Windows Registry Editor Version 4.00\n", K::MissingHeader, 1, 1)]
#[case::value_before_key("REGEDIT4\n\n\"a\"=dword:1\n", K::ValueOutsideKey, 3, 1)]
#[case::value_in_delete_section(
    "REGEDIT4\n[-HKEY_LOCAL_MACHINE\\SOFTWARE\\T]\n  @=\"x\"\n",
    K::ValueOutsideKey,
    3,
    3
)]
#[case::unterminated_bracket(
    "REGEDIT4\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\T\n",
    K::UnterminatedKey,
    3,
    1
)]
#[case::unknown_root("REGEDIT4\n[HKEY_NOPE\\A]\n", K::InvalidKeyPath("unknown root key in \"HKEY_NOPE\\\\A\"".into()), 2, 2)]
#[case::empty_key_name("REGEDIT4\n[-HKEY_LOCAL_MACHINE\\A\\\\B]\n", K::InvalidKeyPath("empty key name in \"HKEY_LOCAL_MACHINE\\\\A\\\\\\\\B\"".into()), 2, 3)]
#[case::unexpected_line("REGEDIT4\nhello\n", K::UnexpectedLine, 2, 1)]
#[case::text_after_key("REGEDIT4\n[HKEY_LOCAL_MACHINE\\A] x\n", K::TrailingText, 2, 24)]
#[case::unterminated_name(&format!("{HEAD}\"abc=dword:1\n"), K::UnterminatedString, 4, 1)]
#[case::unterminated_string(&format!("{HEAD}\"a\"=\"abc\n"), K::UnterminatedString, 4, 5)]
#[case::unterminated_at_eof(&format!("{HEAD}\"a\"=\"abc\\\""), K::UnterminatedString, 4, 5)]
#[case::missing_equals(&format!("{HEAD}\"a\" dword:1\n"), K::ExpectedEquals, 4, 5)]
#[case::missing_data(&format!("{HEAD}\"a\"=\n"), K::UnknownType(String::new()), 4, 5)]
#[case::unknown_type(&format!("{HEAD}\"a\"=foo:12\n"), K::UnknownType("foo:".into()), 4, 5)]
#[case::hex_without_colon(&format!("{HEAD}\"a\"=hex(2)01\n"), K::UnknownType("hex(2)01".into()), 4, 5)]
#[case::bad_type_number(&format!("{HEAD}\"a\"=hex(zz):00\n"), K::BadTypeNumber, 4, 9)]
#[case::type_number_too_long(&format!("{HEAD}\"a\"=hex(123456789):00\n"), K::BadTypeNumber, 4, 17)]
#[case::dword_empty(&format!("{HEAD}\"a\"=dword:\n"), K::BadDword, 4, 11)]
#[case::dword_not_hex(&format!("{HEAD}\"a\"=dword:xyz\n"), K::BadDword, 4, 11)]
#[case::dword_too_long(&format!("{HEAD}\"a\"=dword:123456789\n"), K::BadDword, 4, 19)]
#[case::dword_bad_digit(&format!("{HEAD}\"a\"=dword:12z\n"), K::BadDword, 4, 13)]
#[case::bad_hex_digit(&format!("{HEAD}\"a\"=hex:01,0g\n"), K::BadHexDigit, 4, 13)]
#[case::three_digits(&format!("{HEAD}\"a\"=hex:01,023\n"), K::BadHexDigit, 4, 14)]
#[case::bad_separator(&format!("{HEAD}\"a\"=hex:01;02\n\"b\"=hex:01.02\n"), K::BadHexDigit, 5, 11)]
#[case::backslash_without_comma(&format!("{HEAD}\"a\"=hex:01\\\n  02\n"), K::BadHexDigit, 4, 11)]
#[case::backslash_not_at_end(&format!("{HEAD}\"a\"=hex:01,\\ 02\n"), K::BadHexDigit, 4, 12)]
#[case::truncated_after_comma(&format!("{HEAD}\"a\"=hex:01,\n"), K::TruncatedHex, 4, 12)]
#[case::truncated_digit(&format!("{HEAD}\"a\"=hex:01,0\n"), K::TruncatedHex, 4, 13)]
#[case::truncated_at_eof(&format!("{HEAD}\"a\"=hex:01,02,\\"), K::TruncatedHex, 4, 15)]
#[case::truncated_after_newline(&format!("{HEAD}\"a\"=hex:01,02,\\\n"), K::TruncatedHex, 4, 15)]
#[case::truncated_by_blank_line(&format!("{HEAD}\"a\"=hex(7):01,\\\n\n\"b\"=-\n"), K::TruncatedHex, 4, 15)]
#[case::text_after_string(&format!("{HEAD}\"a\"=\"b\" c\n"), K::TrailingText, 4, 9)]
#[case::text_after_delete(&format!("{HEAD}\"a\"=-x\n"), K::TrailingText, 4, 6)]
#[case::columns_count_characters(&format!("{HEAD}\"ünï😀\"=hex:zz\n"), K::BadHexDigit, 4, 12)]
#[case::late_error_after_good_sections(
    &format!("{HEAD}\"new\"=dword:2\n\n[-HKEY_LOCAL_MACHINE\\SOFTWARE\\T]\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\U]\n\"x\"=hex:0\n"),
    K::TruncatedHex, 9, 10
)]
fn malformed_files_are_rejected_whole(
    #[case] text: &str,
    #[case] kind: K,
    #[case] line: u32,
    #[case] column: u32,
    #[values(Encoding::Utf8, Encoding::Utf8CrLf, Encoding::Utf16CrLf)] encoding: Encoding,
) {
    assert_rejected(&encode(text, encoding), &kind, line, column);
}

#[rstest]
// "a" LF then an unpaired low surrogate.
#[case::unpaired_surrogate(b"\xFF\xFEa\0\n\0\x00\xDC".to_vec(), K::InvalidUtf16, 2, 1)]
#[case::odd_length(b"\xFF\xFEa\0b".to_vec(), K::InvalidUtf16, 1, 2)]
#[case::bad_utf8(b"Windows Registry Editor Version 5.00\n\n\"\xC3(\"".to_vec(), K::InvalidUtf8, 3, 2)]
#[case::bad_utf8_after_bom(b"\xEF\xBB\xBFREGEDIT4\n\xFF".to_vec(), K::InvalidUtf8, 2, 1)]
#[case::utf16_big_endian(b"\xFE\xFF\0R".to_vec(), K::InvalidUtf8, 1, 1)]
fn undecodable_files_are_rejected(
    #[case] bytes: Vec<u8>,
    #[case] kind: K,
    #[case] line: u32,
    #[case] column: u32,
) {
    assert_rejected(&bytes, &kind, line, column);
}
