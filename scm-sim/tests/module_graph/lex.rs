//! Lexing for the module graph: identifiers and punctuation with line numbers; comments
//! and literals are dropped.

#[derive(Debug, Clone, PartialEq)]
pub struct Tok {
    pub text: String,
    pub line: usize,
}

pub fn lex(src: &str) -> Vec<Tok> {
    let c: Vec<char> = src.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    let mut line = 1;
    let n = c.len();
    while i < n {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && at(&c, i + 1) == '/' {
            i = skip_line_comment(&c, i);
        } else if ch == '/' && at(&c, i + 1) == '*' {
            i = skip_block_comment(&c, i, &mut line);
        } else if ch == '"' || ((ch == 'r' || ch == 'b') && raw_or_byte_string_start(&c, i)) {
            i = skip_string_literal(&c, i, &mut line);
        } else if ch == '\'' {
            i = skip_char_or_lifetime(&c, i);
        } else if ch.is_alphabetic() || ch == '_' {
            let (end, text) = identifier(&c, i);
            i = end;
            toks.push(Tok { text, line });
        } else if ch.is_ascii_digit() {
            i = skip_word(&c, i);
        } else if ch == ':' && at(&c, i + 1) == ':' {
            toks.push(Tok {
                text: "::".into(),
                line,
            });
            i += 2;
        } else {
            toks.push(Tok {
                text: ch.to_string(),
                line,
            });
            i += 1;
        }
    }
    toks
}

/// The char at `j`, or `'\0'` past the end.
fn at(c: &[char], j: usize) -> char {
    if j < c.len() {
        c[j]
    } else {
        '\0'
    }
}

/// Skips alphanumerics and `_` from `i`; returns the index after them.
fn skip_word(c: &[char], mut i: usize) -> usize {
    while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
        i += 1;
    }
    i
}

/// Skips a `// …` comment at `i`, up to (not past) its newline.
fn skip_line_comment(c: &[char], mut i: usize) -> usize {
    while i < c.len() && c[i] != '\n' {
        i += 1;
    }
    i
}

/// Skips a (possibly nested) `/* … */` comment at `i`, counting the newlines inside.
fn skip_block_comment(c: &[char], mut i: usize, line: &mut usize) -> usize {
    let n = c.len();
    let mut depth = 0;
    while i < n {
        if c[i] == '/' && at(c, i + 1) == '*' {
            depth += 1;
            i += 2;
        } else if c[i] == '*' && at(c, i + 1) == '/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                break;
            }
        } else {
            if c[i] == '\n' {
                *line += 1;
            }
            i += 1;
        }
    }
    i
}

/// Skips a string literal at `i`: plain, raw (`r#"…"#`) or byte (`b"…"`, `br"…"`), counting
/// the newlines inside.
fn skip_string_literal(c: &[char], i: usize, line: &mut usize) -> usize {
    let mut j = i;
    if c[j] == 'b' {
        j += 1;
    }
    if c[j] == 'r' {
        skip_raw_string_body(c, j + 1, line)
    } else {
        skip_escaped_string_body(c, j, line)
    }
}

/// Skips a raw string from its hashes at `j` (just after the `r`) to past its closing quote
/// and hashes.
fn skip_raw_string_body(c: &[char], mut j: usize, line: &mut usize) -> usize {
    let n = c.len();
    let mut hashes = 0;
    while c[j] == '#' {
        hashes += 1;
        j += 1;
    }
    j += 1; // opening quote
    loop {
        if j >= n {
            break;
        }
        if c[j] == '"' && (0..hashes).all(|k| at(c, j + 1 + k) == '#') {
            j += 1 + hashes;
            break;
        }
        if c[j] == '\n' {
            *line += 1;
        }
        j += 1;
    }
    j
}

/// Skips a string with backslash escapes from its opening quote at `j` to past its closing
/// quote.
fn skip_escaped_string_body(c: &[char], mut j: usize, line: &mut usize) -> usize {
    let n = c.len();
    j += 1; // opening quote
    while j < n && c[j] != '"' {
        if c[j] == '\\' {
            j += 1;
        }
        if j < n && c[j] == '\n' {
            *line += 1;
        }
        j += 1;
    }
    j + 1
}

/// Skips a char literal ('a', '\n', '\u{1F600}') or a lifetime ('a) at `i`.
fn skip_char_or_lifetime(c: &[char], i: usize) -> usize {
    if at(c, i + 1) == '\\' {
        let mut j = i + 2;
        while j < c.len() && c[j] != '\'' {
            j += 1;
        }
        j + 1
    } else if at(c, i + 2) == '\'' {
        i + 3
    } else {
        i + 1
    }
}

/// The identifier at `i` (a raw identifier, r#type, without its `r#`) and the index after it.
fn identifier(c: &[char], i: usize) -> (usize, String) {
    let mut end = skip_word(c, i);
    let mut text: String = c[i..end].iter().collect();
    if text == "r" && at(c, end) == '#' {
        let start = end + 1;
        end = skip_word(c, start);
        text = c[start..end].iter().collect();
    }
    (end, text)
}

fn raw_or_byte_string_start(c: &[char], i: usize) -> bool {
    // Only at the start of a token: `r"`, `r#"`, `b"`, `br"`, `br#"`.
    if i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_') {
        return false;
    }
    let mut j = i;
    if c[j] == 'b' {
        j += 1;
        if j < c.len() && c[j] == '"' {
            return true;
        }
    }
    if j < c.len() && c[j] == 'r' {
        j += 1;
        while j < c.len() && c[j] == '#' {
            j += 1;
        }
        return j < c.len() && c[j] == '"';
    }
    false
}
