//! Properties: no input panics the importer, a failed import changes nothing, whatever was
//! imported exports and imports back unchanged, and export-then-import of random trees is
//! the identity in every encoding.

use fake_registry::regfile::{ExportOptions, LineEnding, RegFormat, TextEncoding};
use fake_registry::{Caller, Key, RegPath, RegValue, Registry, Root, ValueType};
use proptest::collection::vec;
use proptest::prelude::*;

const TOP: &str = r"HKLM\SOFTWARE\T";

fn sys() -> Caller {
    Caller::local_system()
}

fn callers() -> impl Strategy<Value = Caller> {
    prop_oneof![
        Just(Caller::local_system()),
        Just(Caller::standard_user("bob", "S-1-5-21-1-2-3-1001")),
    ]
}

fn options() -> impl Strategy<Value = ExportOptions> {
    (
        prop_oneof![Just(TextEncoding::Utf8), Just(TextEncoding::Utf16Le)],
        prop_oneof![Just(LineEnding::Lf), Just(LineEnding::CrLf)],
    )
        .prop_map(|(e, l)| {
            ExportOptions::regedit()
                .with_encoding(e)
                .with_line_ending(l)
        })
}

/// Imports `bytes`; on failure checks that nothing changed, on success that the result
/// survives an export and a re-import (or that export refuses a name it cannot write).
fn import_checked(caller: &Caller, bytes: &[u8]) -> Result<(), TestCaseError> {
    let mut reg = Registry::new();
    let before = reg.clone();
    match reg.import_reg(caller, bytes) {
        Err(err) => {
            prop_assert!(reg == before, "failed import changed the registry: {err}");
            prop_assert!(err.line() >= 1 && err.column() >= 1);
            prop_assert!(matches!(err.code(), 5 | 13), "{err}");
        }
        Ok(_) => {
            let mut copy = Registry::bare();
            for root in ["HKEY_LOCAL_MACHINE", "HKEY_USERS"] {
                match reg.export_reg(&sys(), root, &ExportOptions::regedit()) {
                    Ok(text) => {
                        copy.import_reg(&sys(), &text)
                            .map_err(|e| TestCaseError::fail(e.to_string()))?;
                    }
                    Err(e) => {
                        prop_assert_eq!(e.code(), 13);
                        return Ok(());
                    }
                }
            }
            prop_assert!(copy == reg, "export and re-import changed the tree");
        }
    }
    Ok(())
}

/// Pieces of `.reg` syntax, to reach deep into the parser more often than random bytes do.
const PIECES: &[&str] = &[
    "\n",
    "\r\n",
    "\r",
    "[",
    "[-",
    "]",
    "HKEY_LOCAL_MACHINE\\SOFTWARE\\",
    "HKEY_CURRENT_USER\\",
    "HKEY_USERS\\",
    "HKLM\\SYSTEM\\CurrentControlSet\\",
    "HKEY_LOCAL_MACHINE",
    "A",
    "b",
    "\\",
    "\"",
    "\\\"",
    "\\\\",
    "=",
    "@",
    "-",
    "hex:",
    "hex(2):",
    "hex(7):",
    "hex(b):",
    "hex(ffffffff):",
    "hex(",
    "):",
    "dword:",
    "dword:0000000a",
    "00",
    "ff",
    "1",
    ",",
    ",\\\n  ",
    " ",
    "\t",
    ";",
    "é",
    "😀",
    "zz",
    "\0",
];

fn soup(max: usize) -> impl Strategy<Value = String> {
    vec(proptest::sample::select(PIECES), 0..max).prop_map(|p| p.concat())
}

/// Value data: mostly well-formed, sometimes broken by a piece of syntax soup.
fn data() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("-".to_string()),
        "\"[a\\\\\" é]{0,6}\"",
        "dword:[0-9a-fA-Fz]{0,9}",
        vec("[0-9a-f]{2}", 0..30).prop_map(|b| format!("hex:{}", b.join(","))),
        (any::<u32>(), vec("[0-9a-f]{2}", 0..30))
            .prop_map(|(t, b)| format!("hex({t:x}):{}", b.join(",\\\n  "))),
        soup(6),
    ]
}

fn section() -> impl Strategy<Value = String> {
    let root = prop_oneof![
        Just("HKEY_LOCAL_MACHINE\\SOFTWARE"),
        Just("HKEY_CURRENT_USER"),
        Just("HKEY_USERS\\S-1-5-18"),
        Just("HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet"),
        Just("HKEY_LOCAL_MACHINE"),
    ];
    (prop::bool::weighted(0.2), root, vec("[A-Ca-c]{1,2}", 0..3)).prop_map(|(del, root, names)| {
        let mut path = root.to_string();
        for n in names {
            path.push('\\');
            path.push_str(&n);
        }
        format!("[{}{path}]", if del { "-" } else { "" })
    })
}

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => section(),
        6 => ("[a-cA-C]{0,2}", data()).prop_map(|(name, data)| {
            if name.is_empty() { format!("@={data}") } else { format!("\"{name}\"={data}") }
        }),
        1 => Just("; a comment".to_string()),
        1 => Just(String::new()),
        1 => soup(8),
    ]
}

fn reg_like_text() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            8 => Just("Windows Registry Editor Version 5.00"),
            4 => Just("REGEDIT4"),
            1 => Just(""),
        ],
        section(),
        vec(line(), 0..16),
        prop_oneof![Just("\n"), Just("\r\n")],
    )
        .prop_map(|(head, first, lines, eol)| {
            let mut text = head.to_string();
            for l in std::iter::once(first).chain(lines) {
                text.push_str(eol);
                text.push_str(&l);
            }
            text
        })
}

fn utf16le_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        out.extend_from_slice(&u.to_le_bytes());
    }
    out
}

fn key_name() -> impl Strategy<Value = String> {
    prop_oneof!["[^\\\\\r\n]{1,8}", "[a-zA-Z_\\]\\[ ]{1,6}"]
}

fn value_name() -> impl Strategy<Value = String> {
    prop_oneof!["[^\r\n]{0,8}", "[a\"\\\\@=;]{0,4}"]
}

fn value() -> impl Strategy<Value = RegValue> {
    prop_oneof![
        any::<String>().prop_map(|s| RegValue::sz(&s)),
        "[a\"\\\\\r\n ;]{0,8}".prop_map(|s| RegValue::sz(&s)),
        any::<String>().prop_map(|s| RegValue::expand_sz(&s)),
        vec(any::<String>(), 0..3).prop_map(|v| RegValue::multi_sz(&v)),
        any::<u32>().prop_map(RegValue::dword),
        any::<u64>().prop_map(RegValue::qword),
        // Strings of any length, odd ones included, and other types with any bytes.
        (0u32..12, vec(any::<u8>(), 0..9)).prop_map(|(t, d)| RegValue::from_raw(ValueType(t), d)),
        (any::<u32>(), vec(any::<u8>(), 0..120))
            .prop_map(|(t, d)| RegValue::from_raw(ValueType(t), d)),
    ]
}

/// A key below `HKLM\SOFTWARE\T` (its names from there) and values to set on it.
type KeySpec = (Vec<String>, Vec<(String, RegValue)>);

/// Keys below `HKLM\SOFTWARE\T`, each with some values.
fn tree() -> impl Strategy<Value = Vec<KeySpec>> {
    vec(
        (vec(key_name(), 0..4), vec((value_name(), value()), 0..4)),
        0..10,
    )
}

/// Every value below `key` as (key path + value name, value), depth-first.
fn all_values(key: &Key) -> Vec<(String, RegValue)> {
    let mut out: Vec<(String, RegValue)> = key
        .values()
        .map(|(n, v)| (format!("{}|{n}", key.name()), v.clone()))
        .collect();
    for child in key.subkeys() {
        out.extend(
            all_values(child)
                .into_iter()
                .map(|(p, v)| (format!("{}\\{p}", key.name()), v)),
        );
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(
        head in prop_oneof![
            Just(&b""[..]),
            Just(&b"Windows Registry Editor Version 5.00\n"[..]),
            Just(&b"REGEDIT4\n"[..]),
            Just(&b"\xFF\xFE"[..]),
            Just(&b"\xEF\xBB\xBF"[..]),
        ],
        tail in vec(any::<u8>(), 0..400),
        caller in callers(),
    ) {
        import_checked(&caller, &[head, &tail[..]].concat())?;
    }

    #[test]
    fn reg_like_text_never_panics(text in reg_like_text(), caller in callers(), wide in any::<bool>()) {
        let bytes = if wide { utf16le_bom(&text) } else { text.into_bytes() };
        import_checked(&caller, &bytes)?;
    }

    #[test]
    fn export_then_import_is_the_identity(
        keys in tree(),
        options in options(),
        regedit4 in any::<bool>(),
    ) {
        let mut reg = Registry::new();
        reg.create_key(&sys(), TOP).unwrap();
        for (names, values) in &keys {
            let parts = ["SOFTWARE", "T"].iter().map(|s| s.to_string()).chain(names.iter().cloned());
            let path = RegPath::new(Root::LocalMachine, parts);
            reg.create_key(&sys(), &path).unwrap();
            for (name, value) in values {
                reg.set_value(&sys(), &path, name, value.clone()).unwrap();
            }
        }
        // REGEDIT4 narrows hex(2)/hex(7) text to ANSI; only the other types stay exact.
        let options = if regedit4 { options.with_format(RegFormat::Regedit4) } else { options };
        let text = reg.export_reg(&sys(), TOP, &options).unwrap();
        let mut copy = Registry::new();
        copy.import_reg(&sys(), &text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let (a, b) = (reg.open_key(&sys(), TOP).unwrap(), copy.open_key(&sys(), TOP).unwrap());
        if regedit4 {
            prop_assert_eq!(a.count_keys(), b.count_keys());
            let exact = |v: &RegValue| !matches!(v.value_type(), ValueType::EXPAND_SZ | ValueType::MULTI_SZ);
            let (va, vb) = (all_values(a), all_values(b));
            prop_assert_eq!(va.len(), vb.len());
            for (x, y) in va.iter().zip(&vb) {
                prop_assert_eq!(&x.0, &y.0);
                prop_assert_eq!(x.1.value_type(), y.1.value_type());
                if exact(&x.1) {
                    prop_assert_eq!(&x.1, &y.1);
                }
            }
        } else {
            prop_assert_eq!(a, b);
        }
    }
}
