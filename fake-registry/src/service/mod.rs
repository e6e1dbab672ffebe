//! A typed view of one service key, `HKLM\SYSTEM\CurrentControlSet\Services\<name>`
//! (scm-facts §2.3–§2.6): the values the SCM reads, the decoded `FailureActions` blob, the
//! `TriggerInfo\<n>` subkeys and the svchost `Parameters` values.
//!
//! ```
//! use fake_registry::{Registry, Caller};
//! use fake_registry::service::{
//!     service_names, FailureActions, ScAction, ScActionKind, ServiceKey, ServiceParameters,
//!     Trigger, TriggerAction, TriggerType, subtypes,
//! };
//!
//! let mut reg = Registry::new();
//! let sys = Caller::local_system();
//! let mut svc = ServiceKey::new(0x20, 3, 1);
//! svc.image_path = Some(r"%SystemRoot%\system32\svchost.exe -k netsvcs -p".into());
//! svc.object_name = Some("LocalSystem".into());
//! svc.depend_on_service = vec!["RpcSs".into()];
//! svc.failure_actions = Some(FailureActions::new(86_400, vec![
//!     ScAction::new(ScActionKind::Restart, 60_000),
//! ]));
//! svc.triggers.push(Trigger::new(TriggerType::GROUP_POLICY, TriggerAction::Start)
//!     .with_subtype(subtypes::MACHINE_POLICY_PRESENT));
//! svc.parameters = ServiceParameters::with_dll(r"%SystemRoot%\system32\demo.dll");
//! svc.write(&mut reg, &sys, "Demo").unwrap();
//!
//! assert_eq!(ServiceKey::read(&reg, &sys, "demo").unwrap(), svc);
//! assert_eq!(service_names(&reg, &sys), ["Demo"]);
//! assert_eq!(
//!     reg.get_dword(&sys, r"HKLM\SYSTEM\CurrentControlSet\Services\Demo\TriggerInfo\0", "Type").unwrap(),
//!     5
//! );
//! ```
//!
//! | module | job |
//! |---|---|
//! | [`failure_actions`] | the §2.4 `FailureActions` binary layout |
//! | [`triggers`] | `TriggerInfo\<n>`: types, actions, subtypes, data items |
//! | [`guid`] | GUIDs in their 16-byte in-memory layout |
//! | `parameters` | `ServiceDll` and friends, with where each was found |
//! | `error` | [`ServiceKeyError`] |

mod error;
pub mod failure_actions;
mod fields;
pub mod guid;
mod parameters;
pub mod triggers;

pub use error::ServiceKeyError;
pub use failure_actions::{FailureActions, FailureActionsError, ScAction, ScActionKind};
pub use guid::{Guid, GuidParseError};
pub use parameters::{DllLoadProblem, ParamLocation, ParamValue, ServiceParameters};
pub use triggers::{
    subtypes, Trigger, TriggerAction, TriggerDataItem, TriggerDataType, TriggerType,
};

use crate::caller::Caller;
use crate::error::RegErrorKind;
use crate::registry::Registry;
use crate::value::RegValue;
use fields::{dword, flag, multi, sz, Fields, Writer};

/// The key that holds one subkey per service.
pub const SERVICES_KEY: &str = r"HKLM\SYSTEM\CurrentControlSet\Services";

/// The registry path of a service's key.
pub fn service_key_path(name: &str) -> String {
    format!(r"{SERVICES_KEY}\{name}")
}

/// The names (case as stored) of the subkeys of `Services` that have a `Type` value — the
/// keys the SCM loads as services — in registry order. Empty when `Services` is missing.
pub fn service_names(reg: &Registry, caller: &Caller) -> Vec<String> {
    reg.open_key(caller, SERVICES_KEY)
        .map(|services| {
            services
                .subkeys()
                .filter(|k| k.value("Type").is_some())
                .map(|k| k.name().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The configuration stored in a service key.
///
/// Reading accepts REG_SZ or REG_EXPAND_SZ for every string and keeps DWORD flags as
/// `Option<bool>` (non-zero is true); writing uses the types of §2.3 (REG_EXPAND_SZ for
/// `ImagePath`, REG_SZ for the other strings, 0/1 for flags). `Option` fields are `None` when the
/// value is absent; list fields are empty when it is absent (a REG_MULTI_SZ ends at its first
/// empty string, so lists cannot hold empty strings). Values the view does not know
/// (`Owners`, `WOW64`, the `Security` subkey …) are neither read nor touched by a write.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServiceKey {
    /// `Type`: service type bits (0x10 own process, 0x20 share process, 0x100 interactive …).
    pub service_type: u32,
    /// `Start`: 0 boot, 1 system, 2 auto, 3 demand, 4 disabled.
    pub start: u32,
    /// `ErrorControl`: 0 ignore, 1 normal, 2 severe, 3 critical.
    pub error_control: u32,
    /// `ImagePath`, unexpanded.
    pub image_path: Option<String>,
    /// `DisplayName` (often an indirect `@dll,-id` string).
    pub display_name: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `ObjectName`: the account (or a driver's object name).
    pub object_name: Option<String>,
    /// `DependOnService`: services started first.
    pub depend_on_service: Vec<String>,
    /// `DependOnGroup`: load-order groups started first (stored without the API's `+`).
    pub depend_on_group: Vec<String>,
    /// `Group`: the load-order group.
    pub group: Option<String>,
    /// `Tag`: the order inside the group (drivers).
    pub tag: Option<u32>,
    /// `DelayedAutostart` (also spelled `DelayedAutoStart`); only meaningful with `Start` = 2.
    pub delayed_autostart: Option<bool>,
    /// `FailureActions`, decoded.
    pub failure_actions: Option<FailureActions>,
    /// `FailureActionsOnNonCrashFailures`.
    pub failure_actions_on_non_crash_failures: Option<bool>,
    /// `FailureCommand`: the command line of SC_ACTION_RUN_COMMAND.
    pub failure_command: Option<String>,
    /// `RebootMessage`: broadcast before SC_ACTION_REBOOT.
    pub reboot_message: Option<String>,
    /// `ServiceSidType`: 0 none, 1 unrestricted, 3 restricted.
    pub service_sid_type: Option<u32>,
    /// `RequiredPrivileges`: privilege names.
    pub required_privileges: Vec<String>,
    /// `PreshutdownTimeout` in milliseconds.
    pub preshutdown_timeout: Option<u32>,
    /// `DeleteFlag`: marked for deletion.
    pub delete_flag: Option<bool>,
    /// `SvcHostSplitDisable`: never split out of its svchost group.
    pub svchost_split_disable: Option<bool>,
    /// `LaunchProtected`: 0 none, 1 windows, 2 windows-light, 3 antimalware-light.
    pub launch_protected: Option<u32>,
    /// `TriggerInfo\0`, `\1` …, in index order.
    pub triggers: Vec<Trigger>,
    /// `ServiceDll` and friends from `Parameters` or the service key.
    pub parameters: ServiceParameters,
}

impl ServiceKey {
    /// A service with the three required values and nothing else.
    pub fn new(service_type: u32, start: u32, error_control: u32) -> ServiceKey {
        ServiceKey {
            service_type,
            start,
            error_control,
            image_path: None,
            display_name: None,
            description: None,
            object_name: None,
            depend_on_service: Vec::new(),
            depend_on_group: Vec::new(),
            group: None,
            tag: None,
            delayed_autostart: None,
            failure_actions: None,
            failure_actions_on_non_crash_failures: None,
            failure_command: None,
            reboot_message: None,
            service_sid_type: None,
            required_privileges: Vec::new(),
            preshutdown_timeout: None,
            delete_flag: None,
            svchost_split_disable: None,
            launch_protected: None,
            triggers: Vec::new(),
            parameters: ServiceParameters::default(),
        }
    }

    /// True for `Start` = 2 with `DelayedAutostart` non-zero.
    pub fn is_delayed_auto_start(&self) -> bool {
        self.start == 2 && self.delayed_autostart == Some(true)
    }

    /// Reads `Services\<name>` (name case-insensitive).
    ///
    /// Errors: [`ServiceKeyError::InvalidName`] for a name with `\` or `/`,
    /// [`ServiceKeyError::NotFound`] without the key, [`ServiceKeyError::MissingValue`] without
    /// `Type`, `Start` or `ErrorControl` (or a trigger's `Type`/`Action`),
    /// [`ServiceKeyError::WrongType`] / [`ServiceKeyError::InvalidData`] for a value the view
    /// cannot decode. Nothing panics on registry content.
    pub fn read(
        reg: &Registry,
        caller: &Caller,
        name: &str,
    ) -> Result<ServiceKey, ServiceKeyError> {
        check_name(name)?;
        let key = reg
            .open_key(caller, &service_key_path(name))
            .map_err(|source| match source.kind() {
                RegErrorKind::NotFound => ServiceKeyError::NotFound {
                    service: name.to_string(),
                },
                _ => ServiceKeyError::Registry {
                    service: name.to_string(),
                    source,
                },
            })?;
        ServiceKey::from_key(name, key)
    }

    /// Reads a service's configuration from its key already found (a subkey of
    /// [`SERVICES_KEY`], as [`ServiceKey::read`] finds it): what a reader of every service
    /// does without resolving each one's path again. `name` only labels the errors, which
    /// are those of [`ServiceKey::read`].
    ///
    /// ```
    /// use fake_registry::{Caller, Registry};
    /// use fake_registry::service::{ServiceKey, SERVICES_KEY};
    ///
    /// let mut reg = Registry::new();
    /// let sys = Caller::local_system();
    /// ServiceKey::new(0x10, 3, 1).write(&mut reg, &sys, "Demo").unwrap();
    /// let services = reg.open_key(&sys, SERVICES_KEY).unwrap();
    /// let key = services.subkeys().next().unwrap();
    /// assert_eq!(ServiceKey::from_key(key.name(), key).unwrap(), ServiceKey::new(0x10, 3, 1));
    /// ```
    pub fn from_key(name: &str, key: &crate::key::Key) -> Result<ServiceKey, ServiceKeyError> {
        check_name(name)?;
        let f = Fields {
            service: name,
            prefix: "",
            key,
        };
        let failure_actions = match f.binary("FailureActions")? {
            None => None,
            Some(bytes) => Some(
                FailureActions::decode(bytes).map_err(|e| f.invalid("FailureActions", e.reason))?,
            ),
        };
        Ok(ServiceKey {
            service_type: f.required_dword("Type")?,
            start: f.required_dword("Start")?,
            error_control: f.required_dword("ErrorControl")?,
            image_path: f.string("ImagePath")?,
            display_name: f.string("DisplayName")?,
            description: f.string("Description")?,
            object_name: f.string("ObjectName")?,
            depend_on_service: f.multi_sz("DependOnService")?.unwrap_or_default(),
            depend_on_group: f.multi_sz("DependOnGroup")?.unwrap_or_default(),
            group: f.string("Group")?,
            tag: f.dword("Tag")?,
            delayed_autostart: f.flag("DelayedAutostart")?,
            failure_actions,
            failure_actions_on_non_crash_failures: f.flag("FailureActionsOnNonCrashFailures")?,
            failure_command: f.string("FailureCommand")?,
            reboot_message: f.string("RebootMessage")?,
            service_sid_type: f.dword("ServiceSidType")?,
            required_privileges: f.multi_sz("RequiredPrivileges")?.unwrap_or_default(),
            preshutdown_timeout: f.dword("PreshutdownTimeout")?,
            delete_flag: f.flag("DeleteFlag")?,
            svchost_split_disable: f.flag("SvcHostSplitDisable")?,
            launch_protected: f.dword("LaunchProtected")?,
            triggers: triggers::read(name, key.child("TriggerInfo"))?,
            parameters: ServiceParameters::read(name, key)?,
        })
    }

    /// Writes this configuration to `Services\<name>`, creating the key when missing.
    ///
    /// Every `Some` field (and every non-empty list) is set with its §2.3 type; every `None`
    /// field (and empty list) is deleted when present, so `read(write(x)) == x`. The
    /// `TriggerInfo` subtree is replaced as a whole (and removed for an empty list). The
    /// `Parameters` values go to their recorded location and are removed from the other one
    /// (see [`ServiceParameters`]). Needs a caller that may write HKLM; a refused write is
    /// [`ServiceKeyError::Registry`] with ERROR_ACCESS_DENIED (5).
    pub fn write(
        &self,
        reg: &mut Registry,
        caller: &Caller,
        name: &str,
    ) -> Result<(), ServiceKeyError> {
        check_name(name)?;
        let mut w = Writer {
            reg,
            caller,
            service: name,
            path: service_key_path(name),
        };
        w.create()?;
        let non_empty = |list: &Vec<String>| (!list.is_empty()).then(|| list.clone());
        let plan: [(&str, Option<RegValue>); 22] = [
            ("Type", Some(RegValue::dword(self.service_type))),
            ("Start", Some(RegValue::dword(self.start))),
            ("ErrorControl", Some(RegValue::dword(self.error_control))),
            (
                "ImagePath",
                self.image_path.as_deref().map(RegValue::expand_sz),
            ),
            ("DisplayName", sz(&self.display_name)),
            ("Description", sz(&self.description)),
            ("ObjectName", sz(&self.object_name)),
            ("Group", sz(&self.group)),
            ("Tag", dword(self.tag)),
            (
                "DependOnService",
                multi(&non_empty(&self.depend_on_service)),
            ),
            ("DependOnGroup", multi(&non_empty(&self.depend_on_group))),
            ("DelayedAutostart", flag(self.delayed_autostart)),
            (
                "FailureActions",
                self.failure_actions
                    .as_ref()
                    .map(|fa| RegValue::binary(fa.encode())),
            ),
            (
                "FailureActionsOnNonCrashFailures",
                flag(self.failure_actions_on_non_crash_failures),
            ),
            ("FailureCommand", sz(&self.failure_command)),
            ("RebootMessage", sz(&self.reboot_message)),
            ("ServiceSidType", dword(self.service_sid_type)),
            (
                "RequiredPrivileges",
                multi(&non_empty(&self.required_privileges)),
            ),
            ("PreshutdownTimeout", dword(self.preshutdown_timeout)),
            ("DeleteFlag", flag(self.delete_flag)),
            ("SvcHostSplitDisable", flag(self.svchost_split_disable)),
            ("LaunchProtected", dword(self.launch_protected)),
        ];
        for (value, data) in plan {
            w.put(value, data)?;
        }
        triggers::write(&mut w, &self.triggers)?;
        self.parameters.write(&mut w)
    }
}

/// Service names are 1–256 characters without `\` or `/` (ERROR_INVALID_NAME otherwise).
fn check_name(name: &str) -> Result<(), ServiceKeyError> {
    let len = name.chars().count();
    if len == 0 || len > 256 || name.contains(['\\', '/']) {
        return Err(ServiceKeyError::InvalidName {
            service: name.to_string(),
        });
    }
    Ok(())
}
