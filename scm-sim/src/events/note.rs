//! The text of a trace note ([`NoteText`]): free text, or one of the notes the engine writes
//! on every start and stop, kept as fields and rendered only when read — so a traced round
//! trip formats and allocates no note text. (It names its types in full, `Cow<'static, str>`
//! and `Arc<str>`, the trace's `Label` and `SharedName`, so that `trace` can use it.)
//!
//! ```
//! use scm_sim::events::{NoteText, TraceKind};
//!
//! let note = NoteText::DispatcherConnected { pid: 1004 };
//! assert_eq!(note.to_string(), "process 1004 connected its dispatcher");
//! // A note compares and serializes as its text: typed or not, the same text is the same
//! // note.
//! assert_eq!(note, NoteText::from("process 1004 connected its dispatcher"));
//! let json = serde_json::to_string(&TraceKind::Note { text: note }).unwrap();
//! assert_eq!(json, r#"{"kind":"Note","text":"process 1004 connected its dispatcher"}"#);
//! ```

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a note says. Compares and serializes (as a string) as its rendered text; read back
/// from JSON, every note is [`NoteText::Text`].
///
/// The trace digest takes a typed note by its fields (rendering it on every push would cost
/// what keeping it typed saves), so a trace read back from JSON, whose notes are all free
/// text, equals the original but digests differently when it holds typed notes: compare
/// digests of traces of the same kind (two runs, or two read-back files).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum NoteText {
    /// Free text.
    Text(Cow<'static, str>),
    /// `process {pid} connected its dispatcher`.
    DispatcherConnected {
        /// The process.
        pid: u32,
    },
    /// `{service} registered its control handler`.
    HandlerRegistered {
        /// The service, as its ServiceMain knows it.
        service: Arc<str>,
    },
    /// `ServiceMain of {service} (pid {pid}, start #{instance}) returned`.
    ServiceMainReturned {
        /// The service.
        service: Arc<str>,
        /// Its process.
        pid: u32,
        /// Which start of the service it was.
        instance: u64,
    },
}

impl NoteText {
    /// The text: borrowed for free text, rendered for the others.
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            NoteText::Text(t) => Cow::Borrowed(t),
            other => Cow::Owned(other.to_string()),
        }
    }

    /// Heap bytes the note owns (an owned text, or a shared name counted once per note).
    pub(crate) fn heap_bytes(&self) -> usize {
        match self {
            NoteText::Text(Cow::Borrowed(_)) | NoteText::DispatcherConnected { .. } => 0,
            NoteText::Text(Cow::Owned(s)) => s.capacity(),
            NoteText::HandlerRegistered { service }
            | NoteText::ServiceMainReturned { service, .. } => service.len() + 16,
        }
    }
}

impl fmt::Display for NoteText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoteText::Text(t) => f.write_str(t),
            NoteText::DispatcherConnected { pid } => {
                write!(f, "process {pid} connected its dispatcher")
            }
            NoteText::HandlerRegistered { service } => {
                write!(f, "{service} registered its control handler")
            }
            NoteText::ServiceMainReturned {
                service,
                pid,
                instance,
            } => write!(
                f,
                "ServiceMain of {service} (pid {pid}, start #{instance}) returned"
            ),
        }
    }
}

impl PartialEq for NoteText {
    fn eq(&self, other: &NoteText) -> bool {
        self.text() == other.text()
    }
}

impl Eq for NoteText {}

impl PartialEq<str> for NoteText {
    fn eq(&self, other: &str) -> bool {
        self.text() == other
    }
}

impl PartialEq<&str> for NoteText {
    fn eq(&self, other: &&str) -> bool {
        self.text() == *other
    }
}

impl From<&'static str> for NoteText {
    fn from(text: &'static str) -> NoteText {
        NoteText::Text(Cow::Borrowed(text))
    }
}

impl From<String> for NoteText {
    fn from(text: String) -> NoteText {
        NoteText::Text(Cow::Owned(text))
    }
}

impl From<Cow<'static, str>> for NoteText {
    fn from(text: Cow<'static, str>) -> NoteText {
        NoteText::Text(text)
    }
}

impl Serialize for NoteText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            NoteText::Text(t) => serializer.serialize_str(t),
            other => serializer.collect_str(other),
        }
    }
}

impl<'de> Deserialize<'de> for NoteText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<NoteText, D::Error> {
        Ok(NoteText::Text(Cow::Owned(String::deserialize(
            deserializer,
        )?)))
    }
}
