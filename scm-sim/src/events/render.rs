//! Text and JSON renderings of a [`Trace`].
//!
//! ```
//! use scm_sim::events::{render_json, render_text, Trace, TraceKind};
//! use std::time::Duration;
//!
//! let mut trace = Trace::new();
//! trace.push(Duration::ZERO, TraceKind::Note { text: "boot".into() });
//! assert_eq!(render_text(&trace), "   0.000s  note       boot\n");
//! assert!(render_json(&trace).contains("\"kind\": \"Note\""));
//! ```

use super::timeline::Trace;

/// One line per entry: the virtual time as seconds with milliseconds, right-aligned to nine
/// columns (`  42.250s`), a kind tag padded to nine columns, then a description. Line breaks
/// and tabs inside fields are written as `\n`, `\r`, `\t` so an entry never spans lines.
pub fn render_text(trace: &Trace) -> String {
    let mut out = String::new();
    for entry in trace.entries() {
        out.push_str(&entry.to_string());
        out.push('\n');
    }
    out
}

/// A pretty-printed JSON array of entries. Field order is fixed: `seq`, `time_ns`, `kind`,
/// then the kind's fields in declaration order.
pub fn render_json(trace: &Trace) -> String {
    // Serializing plain strings, numbers and booleans cannot fail; the fallback keeps this
    // function panic-free anyway.
    serde_json::to_string_pretty(trace).unwrap_or_else(|e| format!("[{:?}]", e.to_string()))
}
