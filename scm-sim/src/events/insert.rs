//! Filling a Windows message template with insertion strings, the way Event Viewer does.
//!
//! Templates use the message-compiler syntax: `%1`…`%99` are insertion strings, `%n` is a line
//! break. Event Viewer turns `%n` into CRLF; the simulator writes a plain `\n` so that texts
//! compare equal on every platform. Insertion strings are not scanned again, so an error text
//! such as "%1 is not a valid Win32 application." stays as Windows shows it.
//!
//! ```
//! use scm_sim::events::fill_template;
//!
//! let text = fill_template("The %1 service failed: %n%2", &["Spooler".into(), "Boom.".into()]);
//! assert_eq!(text, "The Spooler service failed: \nBoom.");
//! ```

use crate::Win32Error;

/// Replaces `%n` with `\n` and `%<number>` with the matching insertion string (1-based).
/// A number with no insertion string is kept as written; a lone `%` is kept.
pub fn fill_template(template: &str, insertions: &[String]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('n') => {
                chars.next();
                out.push('\n');
            }
            Some(d) if d.is_ascii_digit() => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                    digits.push(d);
                    chars.next();
                }
                let slot = digits
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| i.checked_sub(1))
                    .and_then(|i| insertions.get(i));
                match slot {
                    Some(text) => out.push_str(text),
                    None => {
                        out.push('%');
                        out.push_str(&digits);
                    }
                }
            }
            _ => out.push('%'),
        }
    }
    out
}

/// The text Event Viewer shows for a Win32 error insertion (`%%<code>` in the event data):
/// the system message for a code the simulator knows, otherwise `%%<code>` unresolved, which
/// is what Event Viewer prints for a code without a message.
///
/// ```
/// use scm_sim::{events::error_insertion, Win32Error};
///
/// assert_eq!(error_insertion(Win32Error(1062)), "The service has not been started.");
/// assert_eq!(error_insertion(Win32Error(17058)), "%%17058");
/// ```
pub fn error_insertion(error: Win32Error) -> String {
    if is_known(error) {
        error.message().to_string()
    } else {
        format!("%%{}", error.code())
    }
}

/// True when the simulator's error table names `error`.
pub(crate) fn is_known(error: Win32Error) -> bool {
    let name = error.name();
    name != "ERROR_UNKNOWN" && name != format!("ERROR_{}", error.code())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_and_lone_percent_are_kept() {
        assert_eq!(fill_template("%3 100% %", &["a".into()]), "%3 100% %");
        assert_eq!(fill_template("%0", &["a".into()]), "%0");
    }

    #[test]
    fn two_digit_insertions() {
        let ins: Vec<String> = (1..=10).map(|i| i.to_string()).collect();
        assert_eq!(fill_template("%10-%1", &ins), "10-1");
    }

    #[test]
    fn insertions_are_not_rescanned() {
        assert_eq!(fill_template("%1", &["%2".into(), "x".into()]), "%2");
    }
}
