//! An in-memory Windows registry for simulations and tests.
//!
//! `fake-registry` holds the keys and typed values of HKEY_LOCAL_MACHINE and HKEY_USERS the way
//! Windows does (case-insensitive lookup, case-preserved names, raw typed bytes), resolves
//! HKEY_CURRENT_USER to the caller's own hive and CurrentControlSet to the current control set,
//! checks who may write where, logs who touched which hive, signals watchers on change, reads
//! and writes regedit's `.reg` text format, and snapshots the whole tree to JSON on disk.
//! It knows nothing of services beyond a typed view of a service key; the `scm-sim` crate builds
//! the Service Control Manager on top of it.
//!
//! # A short tour
//!
//! ```
//! use fake_registry::{Registry, Caller, RegValue};
//!
//! let mut reg = Registry::new();
//! let admin = Caller::administrator("Admin", "S-1-5-21-1-2-3-500");
//! let key = r"HKLM\SYSTEM\CurrentControlSet\Services\Demo";
//! reg.create_key(&admin, key).unwrap();
//! reg.set_value(&admin, key, "Start", RegValue::dword(3)).unwrap();
//! reg.set_value(&admin, key, "ImagePath", RegValue::expand_sz(r"%SystemRoot%\demo.exe")).unwrap();
//! assert_eq!(reg.get_expanded_string(&admin, key, "imagepath").unwrap(), r"C:\Windows\demo.exe");
//!
//! // A standard user may not write machine keys: ERROR_ACCESS_DENIED.
//! let bob = Caller::standard_user("bob", "S-1-5-21-1-2-3-1001");
//! assert_eq!(reg.delete_key(&bob, key).unwrap_err().code(), 5);
//! ```
//!
//! # Modules
//!
//! | module | job |
//! |---|---|
//! | [`value`] | value types and raw typed data |
//! | [`key`] | one key: values in insertion order, subkeys in Windows order |
//! | [`path`] | root keys and paths |
//! | [`caller`] | identities and what they may write |
//! | [`registry`] | the tree, resolution, access checks, reads and writes |
//! | [`regfile`] | regedit's `.reg` text: import as a caller, export a subtree |
//! | [`controlset`] | `Select`, CurrentControlSet, last-known-good |
//! | [`environment`] | `%VAR%` expansion for REG_EXPAND_SZ |
//! | [`access`] | the access log |
//! | [`limits`] | Windows' registry size limits (depth 512, names 255 / 16,383) and the input-file cap |
//! | [`watch`] | change notification |
//! | [`service`] | a typed view of a service key: failure actions, triggers, `Parameters` |
//! | [`svchost`] | the svchost group table and svchost command lines |
//! | [`snapshot`] | the whole registry to and from JSON, saved atomically |
//!
//! # Limitations
//!
//! - No security descriptors per key: access is decided by the caller's kind (LocalSystem and
//!   administrators write HKLM; everyone writes their own HKU hive).
//! - No volatile keys, no key handles, no last-write times, no registry virtualization and no
//!   WOW64 redirection (`Wow6432Node` is just a key).
//! - HKEY_CLASSES_ROOT is `HKLM\SOFTWARE\Classes` only (no per-user merge).

#![deny(missing_docs)]

pub mod access;
pub mod caller;
pub mod controlset;
pub mod environment;
pub mod error;
pub mod key;
pub mod limits;
pub mod path;
pub mod regfile;
pub mod registry;
pub mod service;
pub mod snapshot;
pub mod svchost;
pub mod value;
pub mod watch;

pub use access::{AccessOp, AccessRecord, Hive};
pub use caller::{Caller, CallerKind};
pub use controlset::{control_set_name, Select};
pub use environment::Environment;
pub use error::{RegError, RegErrorKind};
pub use key::Key;
pub use path::{RegPath, Root};
pub use regfile::{ExportOptions, ImportSummary, RegFileError, RegFileErrorKind};
pub use registry::{Registry, ToRegPath};
pub use service::{service_names, ServiceKey, ServiceKeyError};
pub use snapshot::SnapshotError;
pub use svchost::{SvchostCommandLine, SvchostTable};
pub use value::{RegValue, ValueType};
pub use watch::{ChangeKind, RegChange, WatchFilter, WatchHandle};
