//! Where a command's text goes: standard output and standard error, kept in the order written
//! so that a transcript shows them interleaved as a console would.
//!
//! ```
//! use scm_sim::cli::{Output, Stream};
//!
//! let mut out = Output::new();
//! out.out("[SC] DeleteService SUCCESS\n");
//! out.err("ERROR: Invalid syntax.\n");
//! assert_eq!(out.merged(), "[SC] DeleteService SUCCESS\nERROR: Invalid syntax.\n");
//! assert_eq!(out.stream(Stream::Stderr), "ERROR: Invalid syntax.\n");
//! ```

use std::io::Write;

/// One of the two console streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// Text written by commands, in order, tagged with its stream.
#[derive(Debug, Default, Clone)]
pub struct Output {
    chunks: Vec<(Stream, String)>,
    discard: bool,
}

impl Output {
    /// An empty buffer.
    pub fn new() -> Output {
        Output::default()
    }

    /// A sink that drops everything (machine-file replays).
    pub fn discarding() -> Output {
        Output {
            chunks: Vec::new(),
            discard: true,
        }
    }

    /// Writes to standard output.
    pub fn out(&mut self, text: &str) {
        self.write(Stream::Stdout, text);
    }

    /// Writes to standard error.
    pub fn err(&mut self, text: &str) {
        self.write(Stream::Stderr, text);
    }

    /// Writes to `stream`.
    pub fn write(&mut self, stream: Stream, text: &str) {
        if self.discard || text.is_empty() {
            return;
        }
        match self.chunks.last_mut() {
            Some((s, t)) if *s == stream => t.push_str(text),
            _ => self.chunks.push((stream, text.to_string())),
        }
    }

    /// Everything written, both streams interleaved.
    pub fn merged(&self) -> String {
        self.chunks.iter().map(|(_, t)| t.as_str()).collect()
    }

    /// What was written to one stream.
    pub fn stream(&self, stream: Stream) -> String {
        self.chunks
            .iter()
            .filter(|(s, _)| *s == stream)
            .map(|(_, t)| t.as_str())
            .collect()
    }

    /// True when nothing was written.
    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// Moves everything to the process's stdout and stderr. Write errors (a closed pipe) are
    /// ignored: the command already ran.
    pub fn flush_to_console(&mut self) {
        let stdout = std::io::stdout();
        let stderr = std::io::stderr();
        for (stream, text) in self.chunks.drain(..) {
            let _ = match stream {
                Stream::Stdout => {
                    let mut o = stdout.lock();
                    o.write_all(text.as_bytes()).and_then(|_| o.flush())
                }
                Stream::Stderr => {
                    let mut e = stderr.lock();
                    e.write_all(text.as_bytes()).and_then(|_| e.flush())
                }
            };
        }
    }
}
