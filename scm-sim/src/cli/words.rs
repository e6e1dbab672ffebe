//! Splitting a script line into words as cmd.exe hands them to a program (the Microsoft C
//! runtime's rules, minus backslash escapes):
//!
//! * spaces and tabs separate words;
//! * a double quote starts or ends a quoted part, in which spaces are kept; the quotes
//!   themselves are removed, and `""` gives an empty word (`group= ""`);
//! * inside a quoted part, `""` is one literal quote (`binPath= """C:\Program Files\a.exe"" -k x"`
//!   gives `"C:\Program Files\a.exe" -k x`);
//! * backslashes are ordinary characters, so Windows paths need no escaping;
//! * a quote left open runs to the end of the line (cmd.exe does not complain either).
//!
//! ```
//! use scm_sim::cli::split_words;
//!
//! assert_eq!(split_words(r#"sc create Demo binPath= "C:\Program Files\demo.exe""#),
//!            ["sc", "create", "Demo", "binPath=", r"C:\Program Files\demo.exe"]);
//! assert_eq!(split_words(r#"sc query group= """#), ["sc", "query", "group=", ""]);
//! assert_eq!(split_words(r#"a"b c"d"#), ["ab cd"]);
//! ```

/// Splits `line` into words (see the module documentation for the rules).
pub fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                in_word = true;
                if quoted && chars.peek() == Some(&'"') {
                    chars.next();
                    current.push('"');
                } else {
                    quoted = !quoted;
                }
            }
            ' ' | '\t' if !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            '\r' | '\n' if !quoted => {}
            c => {
                in_word = true;
                current.push(c);
            }
        }
    }
    if in_word {
        words.push(current);
    }
    words
}

/// Quotes a word for echoing so that [`split_words`] gives it back.
pub fn quote_word(word: &str) -> String {
    if !word.is_empty() && !word.contains([' ', '\t', '"']) {
        return word.to_string();
    }
    format!("\"{}\"", word.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    #[rstest]
    #[case("", &[])]
    #[case("   ", &[])]
    #[case("sc query", &["sc", "query"])]
    #[case("  sc\t query  ", &["sc", "query"])]
    #[case(r"reg query HKLM\SYSTEM", &["reg", "query", r"HKLM\SYSTEM"])]
    #[case(r#"sc description Demo "A demo service""#, &["sc", "description", "Demo", "A demo service"])]
    #[case(r#"sc description Demo """#, &["sc", "description", "Demo", ""])]
    #[case(r#"x "open quote"#, &["x", "open quote"])]
    #[case(r#""a""b""#, &[r#"a"b"#])]
    #[case(r#"x \"y"#, &["x", r#"\y"#])]
    fn splits_like_cmd(#[case] line: &str, #[case] expected: &[&str]) {
        assert_eq!(split_words(line), expected);
    }

    proptest! {
        #[test]
        fn quoting_round_trips(words in proptest::collection::vec("[ -~]{0,12}", 0..6)) {
            let line = words.iter().map(|w| quote_word(w)).collect::<Vec<_>>().join(" ");
            prop_assert_eq!(split_words(&line), words);
        }
    }
}
