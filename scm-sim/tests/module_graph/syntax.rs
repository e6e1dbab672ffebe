//! Reading Rust syntax from the token stream: attributes (and whether one is `#[cfg(test)]`),
//! visibility, items to skip, paths written in code, and `use` trees.

use crate::lex::Tok;

/// A leaf of a `use` tree: (full path, alias, line).
pub type UseLeaf = (Vec<String>, Option<String>, usize);

/// Skips the attribute at `i`, and the item it marks when it is `#[cfg(test)]`; returns the
/// index after them.
pub fn skip_attribute(toks: &[Tok], i: usize) -> usize {
    let (end, is_cfg_test) = attribute(toks, i);
    if is_cfg_test {
        skip_item(toks, end)
    } else {
        end
    }
}

/// Skips `pub` at `i` with its restriction, if any (`pub(crate)`, `pub(in a::b)`); returns
/// the index after it.
pub fn skip_visibility(toks: &[Tok], mut i: usize) -> usize {
    i += 1;
    if toks.get(i).map(|t| t.text.as_str()) == Some("(") {
        while toks[i].text != ")" {
            i += 1;
        }
        i += 1;
    }
    i
}

pub fn is_ident(t: &str) -> bool {
    t.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// Reads `#[…]` or `#![…]` at `i`; returns the index after it and whether it is `cfg(test)`.
pub fn attribute(toks: &[Tok], i: usize) -> (usize, bool) {
    let mut j = i + 1;
    if toks.get(j).map(|t| t.text.as_str()) == Some("!") {
        j += 1;
    }
    if toks.get(j).map(|t| t.text.as_str()) != Some("[") {
        return (i + 1, false);
    }
    let start = j;
    let mut d = 0;
    while j < toks.len() {
        match toks[j].text.as_str() {
            "[" => d += 1,
            "]" => {
                d -= 1;
                if d == 0 {
                    break;
                }
            }
            _ => {}
        }
        j += 1;
    }
    let inner: Vec<&str> = toks[start + 1..j].iter().map(|t| t.text.as_str()).collect();
    (j + 1, inner == ["cfg", "(", "test", ")"])
}

/// Skips the item starting at `i` (after its attributes): to its `;` or its closing `}`.
pub fn skip_item(toks: &[Tok], mut i: usize) -> usize {
    let mut nest = 0i32;
    while i < toks.len() {
        match toks[i].text.as_str() {
            "(" | "[" => nest += 1,
            ")" | "]" => nest -= 1,
            ";" if nest == 0 => return i + 1,
            "{" if nest == 0 => {
                let mut d = 0;
                while i < toks.len() {
                    match toks[i].text.as_str() {
                        "{" => d += 1,
                        "}" => {
                            d -= 1;
                            if d == 0 {
                                return i + 1;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    i
}

/// A path in code starting at `i`: `a::b::C`, stopping at the first non-identifier (generic
/// arguments such as `Vec::<T>::new` end it, which is enough to find the module).
pub fn code_path(toks: &[Tok], mut i: usize) -> (usize, Vec<String>) {
    let mut segs = vec![toks[i].text.clone()];
    i += 1;
    while toks.get(i).map(|t| t.text.as_str()) == Some("::")
        && toks.get(i + 1).is_some_and(|t| is_ident(&t.text))
    {
        segs.push(toks[i + 1].text.clone());
        i += 2;
    }
    (i, segs)
}

/// A `use` tree from `i` to its `;`: the leaves, each as (full path, alias, line). A glob
/// leaf ends in `*`.
pub fn use_tree(toks: &[Tok], i: usize) -> (usize, Vec<UseLeaf>) {
    let mut out = Vec::new();
    let end = use_subtree(toks, i, &[], &mut out);
    let mut j = end;
    while j < toks.len() && toks[j].text != ";" {
        j += 1;
    }
    (j + 1, out)
}

pub fn use_subtree(toks: &[Tok], mut i: usize, prefix: &[String], out: &mut Vec<UseLeaf>) -> usize {
    let mut segs = prefix.to_vec();
    let line = toks.get(i).map_or(0, |t| t.line);
    loop {
        let Some(t) = toks.get(i) else { return i };
        match t.text.as_str() {
            "::" => i += 1,
            "{" => {
                i += 1;
                loop {
                    match toks.get(i).map(|t| t.text.as_str()) {
                        Some("}") => return i + 1,
                        Some(",") => i += 1,
                        None => return i,
                        _ => i = use_subtree(toks, i, &segs, out),
                    }
                }
            }
            "*" => {
                segs.push("*".into());
                out.push((segs, None, line));
                return i + 1;
            }
            "as" => {
                let alias = toks[i + 1].text.clone();
                out.push((segs, Some(alias), line));
                return i + 2;
            }
            "," | "}" | ";" => {
                if segs.len() > prefix.len() {
                    out.push((segs, None, line));
                }
                return i;
            }
            s => {
                segs.push(s.to_string());
                i += 1;
            }
        }
    }
}
