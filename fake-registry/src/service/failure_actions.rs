//! The `FailureActions` REG_BINARY value (scm-facts §2.4, §6): a 20-byte header of
//! little-endian DWORDs — reset period, reboot-message placeholder, command placeholder,
//! action count, action-array offset — followed by one 8-byte `SC_ACTION` (type, delay in ms)
//! per action.
//!
//! Decoding keeps the placeholders and any bytes after the array, so
//! `encode(decode(bytes)) == bytes` for every blob that decodes.
//!
//! ```
//! use fake_registry::service::{FailureActions, ScAction, ScActionKind};
//!
//! // TermService on Windows 10: reset after a day; restart, restart, then nothing, each
//! // after 60 s.
//! let bytes = [
//!     0x80, 0x51, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0x14, 0, 0, 0,
//!     1, 0, 0, 0, 0x60, 0xea, 0, 0, 1, 0, 0, 0, 0x60, 0xea, 0, 0, 0, 0, 0, 0, 0x60, 0xea, 0, 0,
//! ];
//! let fa = FailureActions::decode(&bytes).unwrap();
//! assert_eq!(fa.reset_period, 86_400);
//! assert_eq!(fa.actions[1], ScAction::new(ScActionKind::Restart, 60_000));
//! assert_eq!(fa.action_for_failure(7), Some(&ScAction::new(ScActionKind::None, 60_000)));
//! assert_eq!(fa.encode(), bytes);
//!
//! let built = FailureActions::new(FailureActions::INFINITE, vec![
//!     ScAction::new(ScActionKind::Restart, 60_000),
//! ]);
//! assert_eq!(FailureActions::decode(&built.encode()).unwrap(), built);
//! ```

use std::fmt;

/// What the SCM does on a failure (`SC_ACTION_TYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScActionKind {
    /// SC_ACTION_NONE (0): do nothing.
    None,
    /// SC_ACTION_RESTART (1): restart the service.
    Restart,
    /// SC_ACTION_REBOOT (2): reboot the machine (after broadcasting the reboot message).
    Reboot,
    /// SC_ACTION_RUN_COMMAND (3): run the failure command.
    RunCommand,
    /// Any other number, kept as stored (4 is the undocumented SC_ACTION_OWN_RESTART).
    Other(u32),
}

impl ScActionKind {
    /// The kind for an `SC_ACTION_TYPE` number.
    pub fn from_u32(n: u32) -> ScActionKind {
        match n {
            0 => ScActionKind::None,
            1 => ScActionKind::Restart,
            2 => ScActionKind::Reboot,
            3 => ScActionKind::RunCommand,
            n => ScActionKind::Other(n),
        }
    }

    /// The `SC_ACTION_TYPE` number.
    pub fn to_u32(self) -> u32 {
        match self {
            ScActionKind::None => 0,
            ScActionKind::Restart => 1,
            ScActionKind::Reboot => 2,
            ScActionKind::RunCommand => 3,
            ScActionKind::Other(n) => n,
        }
    }
}

/// One `SC_ACTION`: what to do and how long to wait first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScAction {
    /// The action.
    pub kind: ScActionKind,
    /// The delay before it, in milliseconds.
    pub delay_ms: u32,
}

impl ScAction {
    /// An action of `kind` after `delay_ms` milliseconds.
    pub fn new(kind: ScActionKind, delay_ms: u32) -> ScAction {
        ScAction { kind, delay_ms }
    }
}

/// A decoded `FailureActions` value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FailureActions {
    /// Seconds without failure after which the failure count resets to 0;
    /// [`FailureActions::INFINITE`] never resets.
    pub reset_period: u32,
    /// The header's lpRebootMsg slot: 0 in practice (the text lives in `RebootMessage`).
    pub reboot_msg_placeholder: u32,
    /// The header's lpCommand slot: 0, or 1 when a command was configured (the text lives in
    /// `FailureCommand`).
    pub command_placeholder: u32,
    /// The header's lpsaActions slot: 20 (the array's offset) in practice; 0 and stale
    /// pointers are seen in real exports.
    pub actions_offset: u32,
    /// The actions, in failure order.
    pub actions: Vec<ScAction>,
    /// Bytes stored after the action array (normally none), kept for exact round trips.
    pub trailing: Vec<u8>,
}

/// Why a `FailureActions` blob cannot be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureActionsError {
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for FailureActionsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for FailureActionsError {}

const HEADER_LEN: usize = 20;
const ACTION_LEN: usize = 8;

fn dword_at(bytes: &[u8], offset: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&bytes[offset..offset + 4]);
    u32::from_le_bytes(b)
}

impl FailureActions {
    /// `INFINITE` (0xFFFFFFFF): a reset period that never elapses.
    pub const INFINITE: u32 = 0xFFFF_FFFF;
    /// The most actions the API accepts (MS-SCMR: cActions 0–1024).
    pub const MAX_ACTIONS: usize = 1024;

    /// Failure actions as `ChangeServiceConfig2` stores them: the given reset period and
    /// actions, placeholders 0, array offset 20.
    pub fn new(reset_period: u32, actions: Vec<ScAction>) -> FailureActions {
        FailureActions {
            reset_period,
            reboot_msg_placeholder: 0,
            command_placeholder: 0,
            actions_offset: HEADER_LEN as u32,
            actions,
            trailing: Vec::new(),
        }
    }

    /// True when the failure count never resets.
    pub fn never_resets(&self) -> bool {
        self.reset_period == FailureActions::INFINITE
    }

    /// The action for the `n`th failure since the last reset (1-based): the `n`th action,
    /// or the last one when `n` is past the end (§6.3). `None` without actions or for `n == 0`.
    pub fn action_for_failure(&self, n: u32) -> Option<&ScAction> {
        if n == 0 {
            return None;
        }
        let index = usize::try_from(n - 1).unwrap_or(usize::MAX);
        self.actions.get(index).or_else(|| self.actions.last())
    }

    /// Decodes the §2.4 layout. Fails when the blob is shorter than its header or than the
    /// action count says, or when the count is over [`FailureActions::MAX_ACTIONS`].
    pub fn decode(bytes: &[u8]) -> Result<FailureActions, FailureActionsError> {
        if bytes.len() < HEADER_LEN {
            return Err(FailureActionsError {
                reason: format!(
                    "{} bytes, shorter than the {HEADER_LEN}-byte header",
                    bytes.len()
                ),
            });
        }
        let count = dword_at(bytes, 12) as usize;
        if count > FailureActions::MAX_ACTIONS {
            return Err(FailureActionsError {
                reason: format!("{count} actions, more than {}", FailureActions::MAX_ACTIONS),
            });
        }
        let end = HEADER_LEN + count * ACTION_LEN;
        if bytes.len() < end {
            return Err(FailureActionsError {
                reason: format!(
                    "{count} actions need {end} bytes, the value has {}",
                    bytes.len()
                ),
            });
        }
        let actions = (0..count)
            .map(|k| {
                let at = HEADER_LEN + k * ACTION_LEN;
                ScAction::new(
                    ScActionKind::from_u32(dword_at(bytes, at)),
                    dword_at(bytes, at + 4),
                )
            })
            .collect();
        Ok(FailureActions {
            reset_period: dword_at(bytes, 0),
            reboot_msg_placeholder: dword_at(bytes, 4),
            command_placeholder: dword_at(bytes, 8),
            actions_offset: dword_at(bytes, 16),
            actions,
            trailing: bytes[end..].to_vec(),
        })
    }

    /// Encodes the §2.4 layout (the inverse of [`FailureActions::decode`]).
    pub fn encode(&self) -> Vec<u8> {
        let mut out =
            Vec::with_capacity(HEADER_LEN + self.actions.len() * ACTION_LEN + self.trailing.len());
        for n in [
            self.reset_period,
            self.reboot_msg_placeholder,
            self.command_placeholder,
            u32::try_from(self.actions.len()).unwrap_or(u32::MAX),
            self.actions_offset,
        ] {
            out.extend_from_slice(&n.to_le_bytes());
        }
        for a in &self.actions {
            out.extend_from_slice(&a.kind.to_u32().to_le_bytes());
            out.extend_from_slice(&a.delay_ms.to_le_bytes());
        }
        out.extend_from_slice(&self.trailing);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_blobs_are_errors_not_panics() {
        assert!(FailureActions::decode(&[0; 19]).is_err());
        let mut b = FailureActions::new(0, vec![ScAction::new(ScActionKind::Restart, 1)]).encode();
        b.truncate(27);
        assert!(FailureActions::decode(&b).is_err());
        let mut huge = vec![0u8; 20];
        huge[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(FailureActions::decode(&huge).is_err());
    }

    #[test]
    fn last_action_repeats() {
        let fa = FailureActions::new(
            0,
            vec![
                ScAction::new(ScActionKind::Restart, 1),
                ScAction::new(ScActionKind::Other(4), 2),
            ],
        );
        assert_eq!(fa.action_for_failure(0), None);
        assert_eq!(fa.action_for_failure(1).unwrap().delay_ms, 1);
        assert_eq!(
            fa.action_for_failure(9).unwrap().kind,
            ScActionKind::Other(4)
        );
        assert_eq!(FailureActions::new(0, vec![]).action_for_failure(1), None);
    }

    #[test]
    fn placeholders_and_trailing_bytes_survive() {
        let mut fa = FailureActions::new(5, vec![ScAction::new(ScActionKind::RunCommand, 9)]);
        fa.command_placeholder = 1;
        fa.actions_offset = 0x0070_0061;
        fa.trailing = vec![1, 2, 3];
        let bytes = fa.encode();
        assert_eq!(bytes.len(), 31);
        assert_eq!(FailureActions::decode(&bytes).unwrap(), fa);
    }
}
