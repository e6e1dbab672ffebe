//! The svchost group table, `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Svchost`
//! (scm-facts §2.7): one REG_MULTI_SZ value per group listing its services, and optional
//! per-group subkeys with COM security and host settings; plus the parser for svchost command
//! lines (`svchost.exe -k <group> [-p] [-s <service>]`, §2.6).
//!
//! ```
//! use fake_registry::{Registry, Caller};
//! use fake_registry::svchost::{SvchostCommandLine, SvchostTable};
//!
//! let mut reg = Registry::new();
//! let sys = Caller::local_system();
//! let mut table = SvchostTable::new();
//! table.set_group("netsvcs", vec!["BITS".into(), "Schedule".into()]);
//! table.set_group("LocalService", vec!["nsi".into()]);
//! table.group_mut("NETSVCS").unwrap().settings.authentication_level = Some(6);
//! table.write(&mut reg, &sys).unwrap();
//!
//! let read = SvchostTable::read(&reg, &sys).unwrap();
//! assert_eq!(read, table);
//! assert_eq!(read.members("NetSvcs").unwrap(), ["BITS", "Schedule"]);
//! assert_eq!(read.group_of("schedule").unwrap().name(), "netsvcs");
//! assert_eq!(read.group("localservice").unwrap().settings.authentication_level(), 4);
//!
//! let cmd = SvchostCommandLine::parse(r"%SystemRoot%\system32\svchost.exe -k netsvcs -p")
//!     .unwrap()
//!     .unwrap();
//! assert_eq!((cmd.group.as_str(), cmd.p_flag, cmd.s_name), ("netsvcs", true, None));
//! assert_eq!(SvchostCommandLine::parse(r"%SystemRoot%\System32\spoolsv.exe").unwrap(), None);
//! ```

use crate::caller::Caller;
use crate::error::{RegError, RegErrorKind};
use crate::key::Key;
use crate::registry::Registry;
use crate::value::{RegValue, ValueType};

/// The key that holds the group table.
pub const SVCHOST_KEY: &str = r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Svchost";

/// Why the group table could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SvchostError {
    /// A value has a type the table does not accept (ERROR_UNSUPPORTED_TYPE, 1630). `value`
    /// is a group name, or `group\setting` for a per-group setting.
    #[error("svchost table: {value} is {found}, expected {expected}")]
    WrongType {
        /// The value (`netsvcs`, `netsvcs\AuthenticationLevel`).
        value: String,
        /// Its type.
        found: ValueType,
        /// The type expected there.
        expected: &'static str,
    },
    /// A DWORD setting that is not four bytes long (ERROR_INVALID_DATA, 13).
    #[error("svchost table: {value} is invalid: {reason}")]
    InvalidData {
        /// The value.
        value: String,
        /// What is wrong.
        reason: String,
    },
    /// The registry refused an operation.
    #[error("svchost table: {0}")]
    Registry(#[from] RegError),
}

impl SvchostError {
    /// The Win32 error code.
    pub fn code(&self) -> u32 {
        match self {
            SvchostError::WrongType { .. } => 1630,
            SvchostError::InvalidData { .. } => 13,
            SvchostError::Registry(e) => e.code(),
        }
    }
}

/// The per-group settings of `Svchost\<group>`; `None` when the value is absent. The
/// accessor methods give the effective value with svchost's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SvchostGroupSettings {
    /// `CoInitializeSecurityParam`: non-zero makes the host initialise COM security.
    pub co_initialize_security_param: Option<u32>,
    /// `AuthenticationLevel` (default 4, RPC_C_AUTHN_LEVEL_PKT).
    pub authentication_level: Option<u32>,
    /// `ImpersonationLevel` (default 2, IDENTIFY).
    pub impersonation_level: Option<u32>,
    /// `AuthenticationCapabilities` (default 0x3000).
    pub authentication_capabilities: Option<u32>,
    /// `CoInitializeSecurityAppID`: an AppID GUID string.
    pub co_initialize_security_app_id: Option<String>,
    /// `DeferredCoInitializeSecurityServices`: defer COM security until one of these starts.
    pub deferred_co_initialize_security_services: Option<Vec<String>>,
    /// `DefaultRpcStackSize` in KB (default 0: the image's stack commit size).
    pub default_rpc_stack_size: Option<u32>,
    /// `SystemCritical`: non-zero makes the host a critical process.
    pub system_critical: Option<u32>,
}

const DWORD_SETTINGS: [&str; 6] = [
    "CoInitializeSecurityParam",
    "AuthenticationLevel",
    "ImpersonationLevel",
    "AuthenticationCapabilities",
    "DefaultRpcStackSize",
    "SystemCritical",
];
const APP_ID: &str = "CoInitializeSecurityAppID";
const DEFERRED: &str = "DeferredCoInitializeSecurityServices";

impl SvchostGroupSettings {
    /// True when no setting is present.
    pub fn is_empty(&self) -> bool {
        *self == SvchostGroupSettings::default()
    }

    /// True when the host initialises COM security.
    pub fn co_initialize_security(&self) -> bool {
        self.co_initialize_security_param.unwrap_or(0) != 0
    }

    /// The effective authentication level (default 4).
    pub fn authentication_level(&self) -> u32 {
        self.authentication_level.unwrap_or(4)
    }

    /// The effective impersonation level (default 2).
    pub fn impersonation_level(&self) -> u32 {
        self.impersonation_level.unwrap_or(2)
    }

    /// The effective authentication capabilities (default 0x3000).
    pub fn authentication_capabilities(&self) -> u32 {
        self.authentication_capabilities.unwrap_or(0x3000)
    }

    /// The effective RPC stack size in KB (0: the image default).
    pub fn default_rpc_stack_size(&self) -> u32 {
        self.default_rpc_stack_size.unwrap_or(0)
    }

    /// True when the host is a critical process.
    pub fn system_critical(&self) -> bool {
        self.system_critical.unwrap_or(0) != 0
    }

    fn dwords(&self) -> [Option<u32>; 6] {
        [
            self.co_initialize_security_param,
            self.authentication_level,
            self.impersonation_level,
            self.authentication_capabilities,
            self.default_rpc_stack_size,
            self.system_critical,
        ]
    }

    fn read(group: &str, key: &Key) -> Result<SvchostGroupSettings, SvchostError> {
        let label = |name: &str| format!("{group}\\{name}");
        let mut d = [None; 6];
        for (slot, name) in d.iter_mut().zip(DWORD_SETTINGS) {
            if let Some(v) = key.value(name) {
                *slot = Some(v.as_dword().map_err(|e| match e.kind() {
                    RegErrorKind::WrongType { found, .. } => SvchostError::WrongType {
                        value: label(name),
                        found: *found,
                        expected: "REG_DWORD",
                    },
                    _ => SvchostError::InvalidData {
                        value: label(name),
                        reason: format!("{} bytes, not 4", v.bytes().len()),
                    },
                })?);
            }
        }
        let app_id = match key.value(APP_ID) {
            None => None,
            Some(v) if v.value_type().is_string() => Some(v.as_string()?),
            Some(v) => {
                return Err(SvchostError::WrongType {
                    value: label(APP_ID),
                    found: v.value_type(),
                    expected: "REG_SZ",
                })
            }
        };
        let deferred = match key.value(DEFERRED) {
            None => None,
            Some(v) => Some(v.as_multi_sz().map_err(|_| SvchostError::WrongType {
                value: label(DEFERRED),
                found: v.value_type(),
                expected: "REG_MULTI_SZ",
            })?),
        };
        let [a, b, c, e, f, g] = d;
        Ok(SvchostGroupSettings {
            co_initialize_security_param: a,
            authentication_level: b,
            impersonation_level: c,
            authentication_capabilities: e,
            co_initialize_security_app_id: app_id,
            deferred_co_initialize_security_services: deferred,
            default_rpc_stack_size: f,
            system_critical: g,
        })
    }
}

/// One group: its name (case as stored), its services, its settings.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SvchostGroup {
    name: String,
    /// The services the group hosts, in listed order.
    pub members: Vec<String>,
    /// The settings of the `Svchost\<group>` subkey.
    pub settings: SvchostGroupSettings,
}

impl SvchostGroup {
    /// The group name as stored.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn has_subkey_name(&self) -> bool {
        !self.name.is_empty() && !self.name.contains('\\')
    }

    /// True when the group lists `service` (case-insensitive).
    pub fn contains(&self, service: &str) -> bool {
        self.members.iter().any(|m| m.eq_ignore_ascii_case(service))
    }
}

/// The svchost group table. Group names are unique ignoring case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SvchostTable {
    groups: Vec<SvchostGroup>,
}

impl SvchostTable {
    /// An empty table.
    pub fn new() -> SvchostTable {
        SvchostTable::default()
    }

    /// Reads the table: each REG_MULTI_SZ value of the `Svchost` key is a group (in value
    /// order), with the settings of its subkey. Subkeys without a group value are ignored
    /// (svchost cannot start such a group). A missing key reads as an empty table; a group
    /// value of another type is [`SvchostError::WrongType`].
    pub fn read(reg: &Registry, caller: &Caller) -> Result<SvchostTable, SvchostError> {
        let key = match reg.open_key(caller, SVCHOST_KEY) {
            Ok(key) => key,
            Err(e) if *e.kind() == RegErrorKind::NotFound => return Ok(SvchostTable::new()),
            Err(e) => return Err(e.into()),
        };
        let mut table = SvchostTable::new();
        for (name, value) in key.values() {
            let members = value.as_multi_sz().map_err(|_| SvchostError::WrongType {
                value: name.to_string(),
                found: value.value_type(),
                expected: "REG_MULTI_SZ",
            })?;
            let settings = match key.child(name) {
                Some(sub) => SvchostGroupSettings::read(name, sub)?,
                None => SvchostGroupSettings::default(),
            };
            if table.group(name).is_none() {
                table.groups.push(SvchostGroup {
                    name: name.to_string(),
                    members,
                    settings,
                });
            }
        }
        Ok(table)
    }

    /// Writes the table: one REG_MULTI_SZ value per group (REG_MULTI_SZ values of groups not
    /// in the table are deleted), and the settings of each group to its subkey — present
    /// settings are set, absent ones deleted; the subkey is created only when a setting is
    /// present and never deleted. A group with settings whose name is empty or contains `\`
    /// (no usable subkey name) is [`SvchostError::InvalidData`], checked before anything is
    /// written. Needs a caller that may write HKLM.
    pub fn write(&self, reg: &mut Registry, caller: &Caller) -> Result<(), SvchostError> {
        if let Some(g) = self
            .groups
            .iter()
            .find(|g| !g.has_subkey_name() && !g.settings.is_empty())
        {
            return Err(SvchostError::InvalidData {
                value: g.name.clone(),
                reason: "a group with settings needs a name usable as a subkey".into(),
            });
        }
        reg.create_key(caller, SVCHOST_KEY)?;
        let stale: Vec<String> = reg
            .open_key(caller, SVCHOST_KEY)?
            .values()
            .filter(|(n, v)| v.value_type() == ValueType::MULTI_SZ && self.group(n).is_none())
            .map(|(n, _)| n.to_string())
            .collect();
        for name in stale {
            reg.delete_value(caller, SVCHOST_KEY, &name)?;
        }
        for g in &self.groups {
            reg.set_value(caller, SVCHOST_KEY, &g.name, RegValue::multi_sz(&g.members))?;
            let s = &g.settings;
            if !g.has_subkey_name() {
                continue;
            }
            let sub = format!(r"{SVCHOST_KEY}\{}", g.name);
            if s.is_empty() && !reg.key_exists(caller, &sub) {
                continue;
            }
            reg.create_key(caller, &sub)?;
            let mut plan: Vec<(&str, Option<RegValue>)> = DWORD_SETTINGS
                .iter()
                .zip(s.dwords())
                .map(|(n, v)| (*n, v.map(RegValue::dword)))
                .collect();
            plan.push((
                APP_ID,
                s.co_initialize_security_app_id.as_deref().map(RegValue::sz),
            ));
            plan.push((
                DEFERRED,
                s.deferred_co_initialize_security_services
                    .as_deref()
                    .map(RegValue::multi_sz),
            ));
            for (name, value) in plan {
                match value {
                    Some(v) => reg.set_value(caller, &sub, name, v)?,
                    None => {
                        if reg.open_key(caller, &sub)?.value(name).is_some() {
                            reg.delete_value(caller, &sub, name)?;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The groups, in table order.
    pub fn groups(&self) -> &[SvchostGroup] {
        &self.groups
    }

    /// The number of groups.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// True without groups.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The number of members over all groups.
    pub fn member_count(&self) -> usize {
        self.groups.iter().map(|g| g.members.len()).sum()
    }

    /// The group named `name` (case-insensitive).
    pub fn group(&self, name: &str) -> Option<&SvchostGroup> {
        self.groups
            .iter()
            .find(|g| g.name.eq_ignore_ascii_case(name))
    }

    /// The group named `name`, mutable.
    pub fn group_mut(&mut self, name: &str) -> Option<&mut SvchostGroup> {
        self.groups
            .iter_mut()
            .find(|g| g.name.eq_ignore_ascii_case(name))
    }

    /// The services of group `name` (case-insensitive).
    pub fn members(&self, name: &str) -> Option<&[String]> {
        self.group(name).map(|g| g.members.as_slice())
    }

    /// The first group (in table order) that lists `service` (case-insensitive).
    pub fn group_of(&self, service: &str) -> Option<&SvchostGroup> {
        self.groups.iter().find(|g| g.contains(service))
    }

    /// Sets the members of group `name`: replaces them in place (keeping the stored name and
    /// the settings) or appends a new group without settings.
    pub fn set_group(&mut self, name: &str, members: Vec<String>) -> &mut SvchostGroup {
        let index = match self
            .groups
            .iter()
            .position(|g| g.name.eq_ignore_ascii_case(name))
        {
            Some(i) => {
                self.groups[i].members = members;
                i
            }
            None => {
                self.groups.push(SvchostGroup {
                    name: name.to_string(),
                    members,
                    settings: SvchostGroupSettings::default(),
                });
                self.groups.len() - 1
            }
        };
        &mut self.groups[index]
    }

    /// Removes group `name`, returning it.
    pub fn remove_group(&mut self, name: &str) -> Option<SvchostGroup> {
        let i = self
            .groups
            .iter()
            .position(|g| g.name.eq_ignore_ascii_case(name))?;
        Some(self.groups.remove(i))
    }
}

/// The parts of an svchost command line that matter to the SCM.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SvchostCommandLine {
    /// The group after `-k` (case as written; look it up case-insensitively).
    pub group: String,
    /// `-p` was given (Windows 10 1703+ images: the host applies mitigation policies).
    pub p_flag: bool,
    /// The service after `-s` (a split-out host for one service), if any.
    pub s_name: Option<String>,
}

/// An svchost command line that names no usable group.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SvchostCommandLineError {
    /// A `"` without its closing partner.
    #[error("unterminated quote in {0:?}")]
    UnterminatedQuote(String),
    /// svchost without `-k <group>` (or with an empty group).
    #[error("svchost command line without a -k group: {0:?}")]
    MissingGroup(String),
}

/// Splits a command line into arguments: whitespace separates, `"` toggles quoting and is
/// removed (`-k"Local Service"` is one argument, `-kLocal Service`). The flag is true when a
/// quote is left open (the last argument then runs to the end).
fn split_args(text: &str) -> (Vec<String>, bool) {
    let mut args = Vec::new();
    let mut current: Option<String> = None;
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.get_or_insert_with(String::new);
            }
            c if c.is_whitespace() && !quoted => {
                if let Some(arg) = current.take() {
                    args.push(arg);
                }
            }
            c => current.get_or_insert_with(String::new).push(c),
        }
    }
    args.extend(current);
    (args, quoted)
}

impl SvchostCommandLine {
    /// Parses an ImagePath (expanded or not). `Ok(None)` when the program is not
    /// `svchost.exe` (or `svchost`, any case, any folder, quoted or not), whatever follows.
    ///
    /// Options start with `-` or `/`, any case: `-k GROUP` (or `-kGROUP`, group possibly
    /// quoted; the first `-k` wins), `-p`, `-s NAME`. Other arguments are ignored.
    pub fn parse(image_path: &str) -> Result<Option<SvchostCommandLine>, SvchostCommandLineError> {
        let (args, unterminated) = split_args(image_path);
        let Some(program) = args.first() else {
            return Ok(None);
        };
        let file = program.rsplit(['\\', '/']).next().unwrap_or(program);
        if !file.eq_ignore_ascii_case("svchost.exe") && !file.eq_ignore_ascii_case("svchost") {
            return Ok(None);
        }
        if unterminated {
            return Err(SvchostCommandLineError::UnterminatedQuote(
                image_path.to_string(),
            ));
        }
        let missing = || SvchostCommandLineError::MissingGroup(image_path.to_string());
        let mut group = None;
        let mut p_flag = false;
        let mut s_name = None;
        let mut rest = args[1..].iter();
        while let Some(arg) = rest.next() {
            let mut chars = arg.chars();
            if !matches!(chars.next(), Some('-' | '/')) {
                continue;
            }
            let Some(opt) = chars.next().map(|c| c.to_ascii_lowercase()) else {
                continue;
            };
            let attached = chars.as_str();
            let mut value = || -> Option<String> {
                if !attached.is_empty() {
                    return Some(attached.to_string());
                }
                let next = rest.clone().next()?;
                if next.starts_with(['-', '/']) {
                    return None;
                }
                rest.next().cloned()
            };
            match opt {
                'k' => {
                    let v = value().filter(|v| !v.is_empty()).ok_or_else(missing)?;
                    group.get_or_insert(v);
                }
                'p' if attached.is_empty() => p_flag = true,
                's' => {
                    if let Some(v) = value() {
                        s_name.get_or_insert(v);
                    }
                }
                _ => {}
            }
        }
        let group = group.ok_or_else(missing)?;
        Ok(Some(SvchostCommandLine {
            group,
            p_flag,
            s_name,
        }))
    }
}
