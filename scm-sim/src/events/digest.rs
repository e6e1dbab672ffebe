//! The trace digest: FNV-1a's constants folded over 64-bit words of each entry's fields
//! (sequence number, virtual time, kind tag and every field; strings by length and bytes),
//! computed incrementally as entries are pushed.

use super::note::NoteText;
use super::trace::{TraceEntry, TraceKind};
use std::sync::Arc;

/// FNV-1a's 64-bit offset basis: the digest of an empty trace.
pub(super) const DIGEST_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a's 64-bit prime.
pub(super) const DIGEST_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Folds 64-bit words into the digest (FNV-1a's constants, a word at a time, with the high
/// half folded down so that every bit reaches every later one).
struct Digest(u64);

impl Digest {
    fn word(&mut self, w: u64) {
        let h = (self.0 ^ w).wrapping_mul(DIGEST_PRIME);
        self.0 = h ^ (h >> 29);
    }

    fn str(&mut self, s: &str) {
        self.word(s.len() as u64);
        let mut chunks = s.as_bytes().chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.word(u64::from_le_bytes(b));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.word(u64::from_le_bytes(b));
        }
    }

    /// A note: free text by its text, the engine's typed notes by their fields (no rendering
    /// on the hot path; see [`NoteText`] for what that means for traces read back from JSON).
    fn note(&mut self, note: &NoteText) {
        match note {
            NoteText::Text(t) => {
                self.word(0);
                self.str(t);
            }
            NoteText::DispatcherConnected { pid } => self.word(pair(1, *pid)),
            NoteText::HandlerRegistered { service } => {
                self.word(2);
                self.str(service);
            }
            NoteText::ServiceMainReturned {
                service,
                pid,
                instance,
            } => {
                self.word(pair(3, *pid));
                self.str(service);
                self.word(*instance);
            }
        }
    }

    fn opt(&mut self, s: &Option<Arc<str>>) {
        match s {
            Some(s) => {
                self.word(1);
                self.str(s);
            }
            None => self.word(0),
        }
    }
}

/// The digest after `entry`, from the digest before it.
pub(super) fn digest_entry(basis: u64, entry: &TraceEntry) -> u64 {
    let mut d = Digest(basis);
    d.word(entry.seq);
    // Nanoseconds fit 64 bits for 584 years of virtual time.
    d.word(entry.time.as_nanos() as u64);
    use TraceKind as K;
    match &entry.kind {
        K::ApiCall { .. }
        | K::ApiReturn { .. }
        | K::ControlSent { .. }
        | K::HandlerReturned { .. }
        | K::StatusReported { .. } => d.control_path(&entry.kind),
        K::StateChanged { .. }
        | K::ProcessStarted { .. }
        | K::ProcessExited { .. }
        | K::ServiceMainCalled { .. }
        | K::Timeout { .. }
        | K::Violation { .. }
        | K::Event { .. }
        | K::Note { .. } => d.outcomes(&entry.kind),
    }
    d.0
}

/// Two 32-bit fields as one word.
fn pair(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

impl Digest {
    /// The kinds of a call's way in: API calls and returns, controls, handler results and
    /// status reports (kind tags 1–5).
    fn control_path(&mut self, kind: &TraceKind) {
        use TraceKind as K;
        match kind {
            K::ApiCall {
                caller,
                api,
                service,
                args,
            } => {
                self.word(1);
                self.str(caller);
                self.str(api);
                self.opt(service);
                self.str(args);
            }
            K::ApiReturn {
                api,
                service,
                result,
            } => {
                self.word(2);
                self.str(api);
                self.opt(service);
                self.word(u64::from(*result));
            }
            K::ControlSent {
                service,
                control,
                name,
            } => {
                self.word(3);
                self.str(service);
                self.word(u64::from(*control));
                self.str(name);
            }
            K::HandlerReturned {
                service,
                control,
                result,
            } => {
                self.word(4);
                self.str(service);
                self.word(pair(*control, *result));
            }
            K::StatusReported {
                service,
                pid,
                state,
                state_name,
                accepted,
                exit_code,
                specific_exit_code,
                checkpoint,
                wait_hint,
                accepted_by_scm,
            } => {
                self.word(5);
                self.str(service);
                self.word(pair(*pid, *state));
                self.str(state_name);
                self.word(pair(*accepted, *exit_code));
                self.word(pair(*specific_exit_code, *checkpoint));
                self.word(pair(*wait_hint, u32::from(*accepted_by_scm)));
            }
            _ => {}
        }
    }

    /// The kinds of what came of it: state changes, processes, ServiceMain, timeouts,
    /// violations, events and notes (kind tags 6–13).
    fn outcomes(&mut self, kind: &TraceKind) {
        use TraceKind as K;
        match kind {
            K::StateChanged { service, from, to } => {
                self.word(6);
                self.str(service);
                self.str(from.sc_label());
                self.str(to.sc_label());
            }
            K::ProcessStarted { pid, image } => {
                self.word(7);
                self.word(u64::from(*pid));
                self.str(image);
            }
            K::ProcessExited {
                pid,
                image,
                exit_code,
                crashed,
            } => {
                self.word(8);
                self.word(pair(*pid, *exit_code));
                self.str(image);
                self.word(u64::from(*crashed));
            }
            K::ServiceMainCalled { service, pid, args } => {
                self.word(9);
                self.str(service);
                self.word(pair(*pid, args.len() as u32));
                for a in args.iter() {
                    self.str(a);
                }
            }
            K::Timeout {
                service,
                what,
                after_ms,
            } => {
                self.word(10);
                self.opt(service);
                self.str(what);
                self.word(*after_ms);
            }
            K::Violation {
                service,
                rule,
                detail,
            } => {
                self.word(11);
                self.str(service);
                self.str(rule);
                self.str(detail);
            }
            K::Event { id, service } => {
                self.word(12);
                self.word(u64::from(*id));
                self.opt(service);
            }
            K::Note { text } => {
                self.word(13);
                self.note(text);
            }
            _ => {}
        }
    }
}
