//! The [`Trace`]: a bounded window of the newest entries, a digest of every entry ever pushed,
//! and optionally a stream of the whole run to a writer.
//!
//! Memory stays bounded under any run length: the trace keeps the newest
//! [`Trace::DEFAULT_CAPACITY`] entries (settable with
//! [`MachineBuilder::trace_capacity`](crate::MachineBuilder::trace_capacity)) and drops the
//! oldest. Sequence numbers keep counting every entry ever pushed, so a reader sees what was
//! dropped: [`Trace::dropped`] entries, the first retained one numbered [`Trace::first_seq`].
//! To keep a whole run, stream it ([`TraceStream`], as JSON lines or text) to a file.
//!
//! ```
//! use scm_sim::events::{Trace, TraceKind};
//! use std::time::Duration;
//!
//! let mut trace = Trace::with_capacity(2);
//! for text in ["one", "two", "three"] {
//!     trace.push(Duration::ZERO, TraceKind::Note { text: text.into() });
//! }
//! assert_eq!(trace.len(), 2);           // the newest two
//! assert_eq!(trace.dropped(), 1);       // "one" was dropped
//! assert_eq!(trace.first_seq(), 1);
//! assert_eq!(trace.entries()[0].seq, 1);
//! assert_eq!(trace.pushed(), 3);
//! ```
//!
//! The digest covers every entry ever pushed, dropped ones included: it is computed
//! incrementally at each push, over each entry's fields (not over its rendered text, which
//! would cost a formatting per entry). Two runs have equal digests exactly when they pushed
//! equal entries in the same order (up to hash collisions).

use super::digest::{digest_entry, DIGEST_BASIS, DIGEST_PRIME};
use super::trace::{TraceEntry, TraceKind};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::VecDeque;
use std::fmt;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How a [`TraceStream`] writes each entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamFormat {
    /// One JSON object per line, the same object as in [`render_json`](super::render_json)'s
    /// array (`seq`, `time_ns`, `kind`, the kind's fields).
    JsonLines,
    /// One [`render_text`](super::render_text) line per entry.
    Text,
}

/// Where a trace streams every entry as it is pushed: a writer shared by the machine's trace
/// (cloning the stream shares the writer). Write errors stop the stream and are kept
/// ([`Trace::stream_error`]); the simulation goes on.
///
/// ```
/// use scm_sim::events::{Trace, TraceKind, TraceStream};
/// use std::time::Duration;
///
/// let dir = std::env::temp_dir().join(format!("scm-sim-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("trace.jsonl");
/// let mut trace = Trace::with_capacity(1);
/// trace.set_stream(TraceStream::create_json_lines(&path).unwrap());
/// trace.push(Duration::ZERO, TraceKind::Note { text: "a".into() });
/// trace.push(Duration::ZERO, TraceKind::Note { text: "b".into() });
/// trace.flush_stream().unwrap();
/// let lines = std::fs::read_to_string(&path).unwrap();
/// assert_eq!(lines.lines().count(), 2); // the stream has both, the ring only "b"
/// assert!(lines.starts_with(r#"{"seq":0,"time_ns":0,"kind":"Note","text":"a"}"#));
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[derive(Clone)]
pub struct TraceStream {
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    format: StreamFormat,
}

impl fmt::Debug for TraceStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TraceStream")
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl TraceStream {
    /// Streams to `writer` in `format` (wrap a file in a `BufWriter`; see
    /// [`TraceStream::create_json_lines`]).
    pub fn new(writer: impl Write + Send + 'static, format: StreamFormat) -> TraceStream {
        TraceStream {
            writer: Arc::new(Mutex::new(Box::new(writer))),
            format,
        }
    }

    /// JSON lines to `writer`.
    pub fn json_lines(writer: impl Write + Send + 'static) -> TraceStream {
        TraceStream::new(writer, StreamFormat::JsonLines)
    }

    /// Text lines to `writer`.
    pub fn text(writer: impl Write + Send + 'static) -> TraceStream {
        TraceStream::new(writer, StreamFormat::Text)
    }

    /// JSON lines to a new (truncated) file at `path`, buffered.
    pub fn create_json_lines(path: impl AsRef<Path>) -> std::io::Result<TraceStream> {
        let file = std::fs::File::create(path)?;
        Ok(TraceStream::json_lines(std::io::BufWriter::new(file)))
    }

    /// Its format.
    pub fn format(&self) -> StreamFormat {
        self.format
    }

    fn write(&self, entry: &TraceEntry) -> std::io::Result<()> {
        let mut w = match self.writer.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        match self.format {
            StreamFormat::JsonLines => {
                serde_json::to_writer(&mut **w, entry).map_err(std::io::Error::other)?;
                w.write_all(b"\n")
            }
            StreamFormat::Text => writeln!(w, "{entry}"),
        }
    }

    fn flush(&self) -> std::io::Result<()> {
        match self.writer.lock() {
            Ok(mut g) => g.flush(),
            Err(p) => p.into_inner().flush(),
        }
    }
}

/// The timeline of one simulation: a bounded window of the newest entries (see the module
/// docs). Serializes as a JSON array of the retained entries.
///
/// Cloning copies the retained entries, the counters and the digest, not the stream (a copy
/// is a snapshot: what is pushed to it is not streamed).
#[derive(Debug)]
pub struct Trace {
    entries: VecDeque<TraceEntry>,
    capacity: usize,
    next_seq: u64,
    digest: u64,
    /// Heap bytes the retained entries own (strings, argv), see [`Trace::retained_bytes`].
    heap_bytes: usize,
    stream: Option<TraceStream>,
    stream_error: Option<String>,
}

impl Default for Trace {
    fn default() -> Trace {
        Trace::with_capacity(Trace::DEFAULT_CAPACITY)
    }
}

impl Clone for Trace {
    fn clone(&self) -> Trace {
        Trace {
            entries: self.entries.clone(),
            capacity: self.capacity,
            next_seq: self.next_seq,
            digest: self.digest,
            heap_bytes: self.heap_bytes,
            stream: None,
            stream_error: self.stream_error.clone(),
        }
    }
}

impl PartialEq for Trace {
    /// Equal when they retain equal entries and pushed as many (capacity and stream aside).
    fn eq(&self, other: &Trace) -> bool {
        self.next_seq == other.next_seq && self.entries == other.entries
    }
}

impl Eq for Trace {}

impl Trace {
    /// How many entries a trace keeps unless told otherwise (65,536: about 6 MiB).
    pub const DEFAULT_CAPACITY: usize = 1 << 16;

    /// An empty trace keeping the newest [`Trace::DEFAULT_CAPACITY`] entries.
    pub fn new() -> Trace {
        Trace::default()
    }

    /// An empty trace keeping the newest `capacity` entries (0 keeps none: entries are only
    /// counted, digested and streamed).
    pub fn with_capacity(capacity: usize) -> Trace {
        Trace {
            entries: VecDeque::new(),
            capacity,
            next_seq: 0,
            digest: DIGEST_BASIS,
            heap_bytes: 0,
            stream: None,
            stream_error: None,
        }
    }

    /// How many entries it keeps at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Changes how many entries it keeps, dropping the oldest if it holds more.
    pub fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity;
        self.evict();
        self.entries.shrink_to(capacity);
    }

    /// Streams every entry pushed from now on to `stream` (replacing any previous stream).
    pub fn set_stream(&mut self, stream: TraceStream) {
        self.stream = Some(stream);
        self.stream_error = None;
    }

    /// Flushes the stream's writer (a no-op without a stream).
    pub fn flush_stream(&self) -> std::io::Result<()> {
        self.stream.as_ref().map_or(Ok(()), TraceStream::flush)
    }

    /// The write error that stopped the stream, if any.
    pub fn stream_error(&self) -> Option<&str> {
        self.stream_error.as_deref()
    }

    /// Appends an entry and returns its sequence number; drops the oldest entry when full.
    pub fn push(&mut self, time: Duration, kind: TraceKind) -> u64 {
        let seq = self.next_seq;
        self.next_seq = self.next_seq.saturating_add(1);
        let entry = TraceEntry { seq, time, kind };
        tracing::trace!(target: "scm_sim::trace", seq, "{}", entry);
        self.digest = digest_entry(self.digest, &entry);
        if let Some(stream) = &self.stream {
            if let Err(e) = stream.write(&entry) {
                self.stream_error = Some(e.to_string());
                self.stream = None;
            }
        }
        if self.capacity > 0 {
            if self.entries.len() >= self.capacity {
                self.pop_oldest();
            }
            self.heap_bytes += heap_bytes(&entry.kind);
            self.entries.push_back(entry);
        }
        seq
    }

    /// The retained entries, oldest first (index 0 is sequence number [`Trace::first_seq`]).
    pub fn entries(&self) -> &VecDeque<TraceEntry> {
        &self.entries
    }

    /// The retained entries about service `name` (ASCII case ignored).
    pub fn for_service<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a TraceEntry> + 'a {
        self.entries.iter().filter(move |e| {
            e.kind
                .service()
                .is_some_and(|s| s.eq_ignore_ascii_case(name))
        })
    }

    /// Number of retained entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no entry is retained.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many entries were ever pushed (the next sequence number).
    pub fn pushed(&self) -> u64 {
        self.next_seq
    }

    /// The sequence number of the oldest retained entry (or the next one when none is).
    pub fn first_seq(&self) -> u64 {
        self.entries.front().map_or(self.next_seq, |e| e.seq)
    }

    /// How many entries were dropped from the front of the window (sequence numbers below
    /// [`Trace::first_seq`]).
    pub fn dropped(&self) -> u64 {
        self.first_seq()
    }

    /// An estimate of the memory the retained entries hold: the ring's slots plus the strings
    /// and argument lists they own (names shared with the engine counted once per entry, so
    /// this errs high).
    pub fn retained_bytes(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<TraceEntry>() + self.heap_bytes
    }

    /// A stable 64-bit digest of every entry ever pushed (dropped ones included), computed
    /// incrementally: FNV-1a's constants over 64-bit words of each entry's fields (sequence
    /// number, virtual time, kind and every field, strings by length and bytes). Equal for
    /// two runs exactly when they pushed equal entries (up to hash collisions). A trace read
    /// back from JSON digests the entries it read.
    pub fn digest(&self) -> u64 {
        self.digest
    }

    /// 64-bit FNV-1a of `bytes` (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
    pub fn fnv1a64(bytes: &[u8]) -> u64 {
        bytes.iter().fold(DIGEST_BASIS, |hash, &b| {
            (hash ^ u64::from(b)).wrapping_mul(DIGEST_PRIME)
        })
    }

    fn pop_oldest(&mut self) {
        if let Some(old) = self.entries.pop_front() {
            self.heap_bytes -= heap_bytes(&old.kind);
        }
    }

    fn evict(&mut self) {
        while self.entries.len() > self.capacity {
            self.pop_oldest();
        }
    }
}

/// Heap bytes an entry owns (strings, argv), shared names included.
fn heap_bytes(kind: &TraceKind) -> usize {
    use std::borrow::Cow;
    // Needs the Cow itself: only an owned label holds heap memory.
    #[allow(clippy::ptr_arg)]
    fn label(l: &Cow<'static, str>) -> usize {
        match l {
            Cow::Borrowed(_) => 0,
            Cow::Owned(s) => s.capacity(),
        }
    }
    fn name(n: &Option<Arc<str>>) -> usize {
        n.as_ref().map_or(0, |n| n.len() + 16)
    }
    use TraceKind as K;
    match kind {
        K::ApiCall {
            caller,
            api,
            service,
            args,
        } => label(caller) + label(api) + name(service) + label(args),
        K::ApiReturn { api, service, .. } => label(api) + name(service),
        K::ControlSent {
            service, name: n, ..
        } => service.len() + 16 + label(n),
        K::HandlerReturned { service, .. } => service.len() + 16,
        K::StatusReported {
            service,
            state_name,
            ..
        } => service.len() + 16 + label(state_name),
        K::StateChanged { service, .. } => service.len() + 16,
        K::ProcessStarted { image, .. } | K::ProcessExited { image, .. } => image.len() + 16,
        K::ServiceMainCalled { service, args, .. } => {
            service.len()
                + 16
                + args
                    .iter()
                    .map(|a| a.capacity() + std::mem::size_of::<String>())
                    .sum::<usize>()
        }
        K::Timeout { service, what, .. } => name(service) + label(what),
        K::Violation {
            service,
            rule,
            detail,
        } => service.len() + 16 + label(rule) + detail.capacity(),
        K::Event { service, .. } => name(service),
        K::Note { text } => text.heap_bytes(),
    }
}

impl Serialize for Trace {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.entries.iter())
    }
}

impl<'de> Deserialize<'de> for Trace {
    /// Reads the entries back with their sequence numbers; the capacity is the default or the
    /// number read, whichever is larger, so nothing read is dropped.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Trace, D::Error> {
        let entries = Vec::<TraceEntry>::deserialize(deserializer)?;
        let next_seq = entries
            .iter()
            .map(|e| e.seq.saturating_add(1))
            .max()
            .unwrap_or(0);
        let mut trace = Trace::with_capacity(Trace::DEFAULT_CAPACITY.max(entries.len()));
        for e in entries {
            trace.digest = digest_entry(trace.digest, &e);
            trace.heap_bytes += heap_bytes(&e.kind);
            trace.entries.push_back(e);
        }
        trace.next_seq = next_seq;
        Ok(trace)
    }
}
