//! Service triggers as stored under `Services\<name>\TriggerInfo\<n>` (scm-facts §2.5, §5):
//! `Type` and `Action` DWORDs, the subtype `GUID` (also spelled `Guid`) as 16 bytes, and data
//! items `DataN` (raw bytes) with `DataTypeN` (their kind).
//!
//! ```
//! use fake_registry::service::{Trigger, TriggerAction, TriggerDataItem, TriggerType, subtypes};
//!
//! // AJRouter: start when a client opens the named pipe ProtectedPrefix\LocalService\MSAJPipe.
//! let t = Trigger::new(TriggerType::NETWORK_ENDPOINT, TriggerAction::Start)
//!     .with_subtype(subtypes::NAMED_PIPE_EVENT)
//!     .with_data(TriggerDataItem::string(r"ProtectedPrefix\LocalService\MSAJPipe"));
//! assert_eq!(t.trigger_type.name(), Some("NETWORK_ENDPOINT"));
//! assert_eq!(t.data[0].strings().unwrap(), [r"ProtectedPrefix\LocalService\MSAJPipe"]);
//! assert_eq!(t.subtype.unwrap().to_string(), "1F81D131-3FAC-4537-9E0C-7E7B0C2F4B55");
//! ```

use super::fields::{Fields, Writer};
use super::guid::Guid;
use super::ServiceKeyError;
use crate::key::Key;
use crate::value::{split_multi_sz, utf16z, RegValue, ValueType};
use std::fmt;

/// A `SERVICE_TRIGGER_TYPE_*` number. Any number can be stored; the constants name §5's.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TriggerType(pub u32);

impl TriggerType {
    /// 1: a device interface of the subtype class arrives (or is present at boot).
    pub const DEVICE_INTERFACE_ARRIVAL: TriggerType = TriggerType(1);
    /// 2: first IP address available / last one removed.
    pub const IP_ADDRESS_AVAILABILITY: TriggerType = TriggerType(2);
    /// 3: the machine joins or leaves a domain.
    pub const DOMAIN_JOIN: TriggerType = TriggerType(3);
    /// 4: a firewall port opens or closes.
    pub const FIREWALL_PORT_EVENT: TriggerType = TriggerType(4);
    /// 5: machine or user group policy present / changed.
    pub const GROUP_POLICY: TriggerType = TriggerType(5);
    /// 6: an RPC interface or named pipe is requested (Windows 8+).
    pub const NETWORK_ENDPOINT: TriggerType = TriggerType(6);
    /// 7: a custom system state change (Windows 8+).
    pub const CUSTOM_SYSTEM_STATE_CHANGE: TriggerType = TriggerType(7);
    /// 20: an event of the subtype ETW provider.
    pub const CUSTOM: TriggerType = TriggerType(20);
    /// 30: an aggregate event registered under `Control\ServiceAggregatedEvents`.
    pub const AGGREGATE: TriggerType = TriggerType(30);

    /// The name without its `SERVICE_TRIGGER_TYPE_` prefix, for the types Windows defines.
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            1 => "DEVICE_INTERFACE_ARRIVAL",
            2 => "IP_ADDRESS_AVAILABILITY",
            3 => "DOMAIN_JOIN",
            4 => "FIREWALL_PORT_EVENT",
            5 => "GROUP_POLICY",
            6 => "NETWORK_ENDPOINT",
            7 => "CUSTOM_SYSTEM_STATE_CHANGE",
            20 => "CUSTOM",
            30 => "AGGREGATE",
            _ => return None,
        })
    }
}

impl fmt::Debug for TriggerType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{n}({})", self.0),
            None => write!(f, "TriggerType({})", self.0),
        }
    }
}

/// The subtype GUIDs winsvc.h defines (§5.2).
pub mod subtypes {
    use super::Guid;

    const fn g(d1: u32, d2: u16, d3: u16, d4: [u8; 8]) -> Guid {
        Guid::new(d1, d2, d3, d4)
    }

    /// NETWORK_MANAGER_FIRST_IP_ADDRESS_ARRIVAL_GUID.
    pub const FIRST_IP_ADDRESS_ARRIVAL: Guid = g(
        0x4f27f2de,
        0x14e2,
        0x430b,
        [0xa5, 0x49, 0x7c, 0xd4, 0x8c, 0xbc, 0x82, 0x45],
    );
    /// NETWORK_MANAGER_LAST_IP_ADDRESS_REMOVAL_GUID.
    pub const LAST_IP_ADDRESS_REMOVAL: Guid = g(
        0xcc4ba62a,
        0x162e,
        0x4648,
        [0x84, 0x7a, 0xb6, 0xbd, 0xf9, 0x93, 0xe3, 0x35],
    );
    /// DOMAIN_JOIN_GUID.
    pub const DOMAIN_JOIN: Guid = g(
        0x1ce20aba,
        0x9851,
        0x4421,
        [0x94, 0x30, 0x1d, 0xde, 0xb7, 0x66, 0xe8, 0x09],
    );
    /// DOMAIN_LEAVE_GUID.
    pub const DOMAIN_LEAVE: Guid = g(
        0xddaf516e,
        0x58c2,
        0x4866,
        [0x95, 0x74, 0xc3, 0xb6, 0x15, 0xd4, 0x2e, 0xa1],
    );
    /// FIREWALL_PORT_OPEN_GUID.
    pub const FIREWALL_PORT_OPEN: Guid = g(
        0xb7569e07,
        0x8421,
        0x4ee0,
        [0xad, 0x10, 0x86, 0x91, 0x5a, 0xfd, 0xad, 0x09],
    );
    /// FIREWALL_PORT_CLOSE_GUID.
    pub const FIREWALL_PORT_CLOSE: Guid = g(
        0xa144ed38,
        0x8e12,
        0x4de4,
        [0x9d, 0x96, 0xe6, 0x47, 0x40, 0xb1, 0xa5, 0x24],
    );
    /// MACHINE_POLICY_PRESENT_GUID.
    pub const MACHINE_POLICY_PRESENT: Guid = g(
        0x659fcae6,
        0x5bdb,
        0x4da9,
        [0xb1, 0xff, 0xca, 0x2a, 0x17, 0x8d, 0x46, 0xe0],
    );
    /// USER_POLICY_PRESENT_GUID.
    pub const USER_POLICY_PRESENT: Guid = g(
        0x54fb46c8,
        0xf089,
        0x464c,
        [0xb1, 0xfd, 0x59, 0xd1, 0xb6, 0x2c, 0x3b, 0x50],
    );
    /// RPC_INTERFACE_EVENT_GUID.
    pub const RPC_INTERFACE_EVENT: Guid = g(
        0xbc90d167,
        0x9470,
        0x4139,
        [0xa9, 0xba, 0xbe, 0x0b, 0xbb, 0xf5, 0xb7, 0x4d],
    );
    /// NAMED_PIPE_EVENT_GUID.
    pub const NAMED_PIPE_EVENT: Guid = g(
        0x1f81d131,
        0x3fac,
        0x4537,
        [0x9e, 0x0c, 0x7e, 0x7b, 0x0c, 0x2f, 0x4b, 0x55],
    );
    /// CUSTOM_SYSTEM_STATE_CHANGE_EVENT_GUID.
    pub const CUSTOM_SYSTEM_STATE_CHANGE_EVENT: Guid = g(
        0x2d7a2816,
        0x0c5e,
        0x45fc,
        [0x9c, 0xe7, 0x57, 0x0e, 0x5e, 0xcd, 0xe9, 0xc9],
    );
}

/// What a trigger does (`SERVICE_TRIGGER_ACTION_SERVICE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TriggerAction {
    /// 1: start the service.
    Start,
    /// 2: stop the service.
    Stop,
    /// Any other number, kept as stored.
    Other(u32),
}

impl TriggerAction {
    /// The action for a stored number.
    pub fn from_u32(n: u32) -> TriggerAction {
        match n {
            1 => TriggerAction::Start,
            2 => TriggerAction::Stop,
            n => TriggerAction::Other(n),
        }
    }

    /// The stored number.
    pub fn to_u32(self) -> u32 {
        match self {
            TriggerAction::Start => 1,
            TriggerAction::Stop => 2,
            TriggerAction::Other(n) => n,
        }
    }
}

/// The kind of a data item (`SERVICE_TRIGGER_DATA_TYPE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TriggerDataType {
    /// 1: bytes, compared bitwise.
    Binary,
    /// 2: a UTF-16 string or multi-string, compared case-insensitively.
    String,
    /// 3: one byte, an ETW level (Windows 8+).
    Level,
    /// 4: a UINT64 ETW keyword mask, any bit (Windows 8+).
    KeywordAny,
    /// 5: a UINT64 ETW keyword mask, all bits (Windows 8+).
    KeywordAll,
    /// Any other number, kept as stored.
    Other(u32),
}

impl TriggerDataType {
    /// The kind for a stored number.
    pub fn from_u32(n: u32) -> TriggerDataType {
        match n {
            1 => TriggerDataType::Binary,
            2 => TriggerDataType::String,
            3 => TriggerDataType::Level,
            4 => TriggerDataType::KeywordAny,
            5 => TriggerDataType::KeywordAll,
            n => TriggerDataType::Other(n),
        }
    }

    /// The stored number.
    pub fn to_u32(self) -> u32 {
        match self {
            TriggerDataType::Binary => 1,
            TriggerDataType::String => 2,
            TriggerDataType::Level => 3,
            TriggerDataType::KeywordAny => 4,
            TriggerDataType::KeywordAll => 5,
            TriggerDataType::Other(n) => n,
        }
    }
}

/// One data item: its kind and its bytes as stored in `DataN`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TriggerDataItem {
    /// The kind (`DataTypeN`).
    pub data_type: TriggerDataType,
    /// The bytes (`DataN`); strings are UTF-16LE with their terminating NUL.
    pub data: Vec<u8>,
}

impl TriggerDataItem {
    /// A binary item.
    pub fn binary(data: Vec<u8>) -> TriggerDataItem {
        TriggerDataItem {
            data_type: TriggerDataType::Binary,
            data,
        }
    }

    /// A string item: UTF-16LE with a terminating NUL.
    pub fn string(s: &str) -> TriggerDataItem {
        TriggerDataItem {
            data_type: TriggerDataType::String,
            data: utf16z(s),
        }
    }

    /// A multi-string item (each string NUL-terminated, then one more NUL), as the firewall
    /// port trigger stores `port;protocol;…`.
    pub fn multi_string<S: AsRef<str>>(items: &[S]) -> TriggerDataItem {
        TriggerDataItem {
            data_type: TriggerDataType::String,
            data: RegValue::multi_sz(items).into_bytes(),
        }
    }

    /// An ETW level item (one byte).
    pub fn level(level: u8) -> TriggerDataItem {
        TriggerDataItem {
            data_type: TriggerDataType::Level,
            data: vec![level],
        }
    }

    /// A keyword-any item (eight bytes, little-endian).
    pub fn keyword_any(mask: u64) -> TriggerDataItem {
        TriggerDataItem {
            data_type: TriggerDataType::KeywordAny,
            data: mask.to_le_bytes().to_vec(),
        }
    }

    /// A keyword-all item (eight bytes, little-endian).
    pub fn keyword_all(mask: u64) -> TriggerDataItem {
        TriggerDataItem {
            data_type: TriggerDataType::KeywordAll,
            data: mask.to_le_bytes().to_vec(),
        }
    }

    /// The strings of a string item (one for a plain string, several for a multi-string);
    /// `None` for other kinds.
    pub fn strings(&self) -> Option<Vec<String>> {
        (self.data_type == TriggerDataType::String).then(|| split_multi_sz(&self.data))
    }
}

/// One trigger.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Trigger {
    /// The event type (`Type`).
    pub trigger_type: TriggerType,
    /// Start or stop (`Action`).
    pub action: TriggerAction,
    /// The subtype (`GUID`); `None` when the value is missing.
    pub subtype: Option<Guid>,
    /// The data items, in index order.
    pub data: Vec<TriggerDataItem>,
}

impl Trigger {
    /// A trigger without subtype or data.
    pub fn new(trigger_type: TriggerType, action: TriggerAction) -> Trigger {
        Trigger {
            trigger_type,
            action,
            subtype: None,
            data: Vec::new(),
        }
    }

    /// Sets the subtype GUID.
    pub fn with_subtype(mut self, subtype: Guid) -> Trigger {
        self.subtype = Some(subtype);
        self
    }

    /// Appends a data item.
    pub fn with_data(mut self, item: TriggerDataItem) -> Trigger {
        self.data.push(item);
        self
    }
}

/// Reads `TriggerInfo\<n>` for every decimal `n` (written without sign or leading zeros), in
/// numeric order; other subkeys are ignored. Data items are read for `0, 1, …` while `DataN` or `DataTypeN` exists.
pub(crate) fn read(service: &str, info: Option<&Key>) -> Result<Vec<Trigger>, ServiceKeyError> {
    let Some(info) = info else {
        return Ok(Vec::new());
    };
    let mut numbered: Vec<(u32, &Key)> = info
        .subkeys()
        .filter_map(|k| {
            let n: u32 = k.name().parse().ok()?;
            (n.to_string() == k.name()).then_some((n, k))
        })
        .collect();
    numbered.sort_by_key(|(n, _)| *n);
    numbered
        .into_iter()
        .map(|(_, key)| read_one(service, key))
        .collect()
}

fn read_one(service: &str, key: &Key) -> Result<Trigger, ServiceKeyError> {
    let prefix = format!("TriggerInfo\\{}\\", key.name());
    let f = Fields {
        service,
        prefix: &prefix,
        key,
    };
    let trigger_type = TriggerType(f.required_dword("Type")?);
    let action = TriggerAction::from_u32(f.required_dword("Action")?);
    let subtype =
        match f.binary("GUID")? {
            None => None,
            Some(bytes) => Some(Guid::from_slice(bytes).ok_or_else(|| {
                f.invalid("GUID", format!("{} bytes, a GUID has 16", bytes.len()))
            })?),
        };
    let mut data = Vec::new();
    for i in 0u32.. {
        let (name, type_name) = (format!("Data{i}"), format!("DataType{i}"));
        let bytes = match f.raw(&name) {
            None if f.raw(&type_name).is_none() => break,
            None => return Err(f.invalid(&name, format!("missing, but {type_name} exists"))),
            Some(v) => match v.value_type() {
                ValueType::BINARY | ValueType::SZ | ValueType::EXPAND_SZ | ValueType::MULTI_SZ => {
                    v.bytes().to_vec()
                }
                other => return Err(f.wrong_type(&name, other, "REG_BINARY (or a string type)")),
            },
        };
        let data_type = f
            .dword(&type_name)?
            .ok_or_else(|| f.invalid(&type_name, format!("missing, but {name} exists")))?;
        data.push(TriggerDataItem {
            data_type: TriggerDataType::from_u32(data_type),
            data: bytes,
        });
    }
    Ok(Trigger {
        trigger_type,
        action,
        subtype,
        data,
    })
}

/// Replaces the `TriggerInfo` subtree: deletes it, then (for a non-empty list) writes
/// `TriggerInfo\0…` with `Type`, `Action`, `GUID`, `DataN` (REG_BINARY) and `DataTypeN`.
pub(crate) fn write(
    service_key: &mut Writer<'_>,
    triggers: &[Trigger],
) -> Result<(), ServiceKeyError> {
    let mut info = service_key.sub("TriggerInfo");
    info.delete_tree()?;
    if triggers.is_empty() {
        return Ok(());
    }
    for (n, t) in triggers.iter().enumerate() {
        let mut w = info.sub(&n.to_string());
        w.create()?;
        w.put("Type", Some(RegValue::dword(t.trigger_type.0)))?;
        w.put("Action", Some(RegValue::dword(t.action.to_u32())))?;
        w.put(
            "GUID",
            t.subtype.map(|g| RegValue::binary(g.to_bytes().to_vec())),
        )?;
        for (i, item) in t.data.iter().enumerate() {
            w.put(
                &format!("Data{i}"),
                Some(RegValue::binary(item.data.clone())),
            )?;
            w.put(
                &format!("DataType{i}"),
                Some(RegValue::dword(item.data_type.to_u32())),
            )?;
        }
    }
    Ok(())
}
