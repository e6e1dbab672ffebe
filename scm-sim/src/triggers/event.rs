//! Trigger events as the system raises them, and how a configured trigger matches one.
//!
//! ```
//! use scm_sim::triggers::TriggerEvent;
//! use fake_registry::service::{subtypes, Trigger, TriggerAction, TriggerType, TriggerDataItem};
//!
//! let trigger = Trigger {
//!     trigger_type: TriggerType::NETWORK_ENDPOINT,
//!     action: TriggerAction::Start,
//!     subtype: Some(subtypes::NAMED_PIPE_EVENT),
//!     data: vec![TriggerDataItem::string("ProtectedPrefix\\LocalService\\MSAJPipe")],
//! };
//! assert!(TriggerEvent::NamedPipe("protectedprefix\\localservice\\msajpipe".into()).matches(&trigger));
//! assert!(!TriggerEvent::NamedPipe("other".into()).matches(&trigger));
//! ```

use fake_registry::service::{
    subtypes, Guid, Trigger, TriggerDataItem, TriggerDataType, TriggerType,
};

/// One occurrence of something services can be triggered by.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TriggerEvent {
    /// A device interface arrived: its class GUID and the device's hardware/compatible ids.
    DeviceArrival {
        /// The interface class GUID.
        interface_class: Guid,
        /// Hardware and compatible ids.
        hardware_ids: Vec<String>,
    },
    /// The first IP address became available.
    NetworkOn,
    /// The last IP address went away.
    NetworkOff,
    /// The machine joined a domain.
    DomainJoin,
    /// The machine left its domain.
    DomainLeave,
    /// A firewall port opened: `port;protocol[;image;service]`, split on `;`.
    PortOpen(Vec<String>),
    /// A firewall port closed.
    PortClose(Vec<String>),
    /// Machine group policy is present (applied).
    MachinePolicy,
    /// User group policy is present.
    UserPolicy,
    /// An RPC interface (UUID text) was requested.
    RpcInterface(String),
    /// A named pipe was opened.
    NamedPipe(String),
    /// An ETW event of a custom provider, with its payload items, level and keywords.
    Custom {
        /// The provider GUID.
        provider: Guid,
        /// Binary payload items.
        binary: Vec<Vec<u8>>,
        /// String payload items.
        strings: Vec<String>,
        /// The event level.
        level: u8,
        /// The event keywords.
        keywords: u64,
    },
}

impl TriggerEvent {
    /// The trigger type and subtype this event is.
    pub fn kind(&self) -> (TriggerType, Guid) {
        match self {
            TriggerEvent::DeviceArrival {
                interface_class, ..
            } => (TriggerType::DEVICE_INTERFACE_ARRIVAL, *interface_class),
            TriggerEvent::NetworkOn => (
                TriggerType::IP_ADDRESS_AVAILABILITY,
                subtypes::FIRST_IP_ADDRESS_ARRIVAL,
            ),
            TriggerEvent::NetworkOff => (
                TriggerType::IP_ADDRESS_AVAILABILITY,
                subtypes::LAST_IP_ADDRESS_REMOVAL,
            ),
            TriggerEvent::DomainJoin => (TriggerType::DOMAIN_JOIN, subtypes::DOMAIN_JOIN),
            TriggerEvent::DomainLeave => (TriggerType::DOMAIN_JOIN, subtypes::DOMAIN_LEAVE),
            TriggerEvent::PortOpen(_) => (
                TriggerType::FIREWALL_PORT_EVENT,
                subtypes::FIREWALL_PORT_OPEN,
            ),
            TriggerEvent::PortClose(_) => (
                TriggerType::FIREWALL_PORT_EVENT,
                subtypes::FIREWALL_PORT_CLOSE,
            ),
            TriggerEvent::MachinePolicy => {
                (TriggerType::GROUP_POLICY, subtypes::MACHINE_POLICY_PRESENT)
            }
            TriggerEvent::UserPolicy => (TriggerType::GROUP_POLICY, subtypes::USER_POLICY_PRESENT),
            TriggerEvent::RpcInterface(_) => {
                (TriggerType::NETWORK_ENDPOINT, subtypes::RPC_INTERFACE_EVENT)
            }
            TriggerEvent::NamedPipe(_) => {
                (TriggerType::NETWORK_ENDPOINT, subtypes::NAMED_PIPE_EVENT)
            }
            TriggerEvent::Custom { provider, .. } => (TriggerType::CUSTOM, *provider),
        }
    }

    /// A short description for traces (`device {53F5…} USBSTOR\Disk`, `networkon` …).
    pub fn describe(&self) -> String {
        match self {
            TriggerEvent::DeviceArrival {
                interface_class,
                hardware_ids,
            } => format!("device {interface_class} {}", hardware_ids.join(",")),
            TriggerEvent::NetworkOn => "networkon".into(),
            TriggerEvent::NetworkOff => "networkoff".into(),
            TriggerEvent::DomainJoin => "domainjoin".into(),
            TriggerEvent::DomainLeave => "domainleave".into(),
            TriggerEvent::PortOpen(p) => format!("portopen {}", p.join(";")),
            TriggerEvent::PortClose(p) => format!("portclose {}", p.join(";")),
            TriggerEvent::MachinePolicy => "machinepolicy".into(),
            TriggerEvent::UserPolicy => "userpolicy".into(),
            TriggerEvent::RpcInterface(u) => format!("rpcinterface {u}"),
            TriggerEvent::NamedPipe(p) => format!("namedpipe {p}"),
            TriggerEvent::Custom {
                provider,
                strings,
                binary,
                ..
            } => {
                let mut parts = vec![format!("custom {provider}")];
                parts.extend(strings.iter().cloned());
                parts.extend(
                    binary
                        .iter()
                        .map(|b| b.iter().map(|x| format!("{x:02X}")).collect::<String>()),
                );
                parts.join(" ")
            }
        }
    }

    /// The strings this event carries (hardware ids, port spec, pipe name …).
    fn strings(&self) -> Vec<String> {
        match self {
            TriggerEvent::DeviceArrival { hardware_ids, .. } => hardware_ids.clone(),
            TriggerEvent::PortOpen(p) | TriggerEvent::PortClose(p) => p.clone(),
            TriggerEvent::RpcInterface(s) | TriggerEvent::NamedPipe(s) => vec![s.clone()],
            TriggerEvent::Custom { strings, .. } => strings.clone(),
            _ => Vec::new(),
        }
    }

    /// True when `trigger` fires on this event: same type and subtype, and — when the
    /// trigger has data items — at least one item matches.
    pub fn matches(&self, trigger: &Trigger) -> bool {
        let (ty, sub) = self.kind();
        if trigger.trigger_type != ty || trigger.subtype != Some(sub) {
            return false;
        }
        trigger.data.is_empty() || trigger.data.iter().any(|item| self.item_matches(item))
    }

    fn item_matches(&self, item: &TriggerDataItem) -> bool {
        match item.data_type {
            TriggerDataType::String => {
                let wanted = item.strings().unwrap_or_default();
                let have = self.strings();
                let eq = |w: &String| have.iter().any(|h| h.eq_ignore_ascii_case(w));
                match self {
                    // Device arrival: any of the trigger's ids.
                    TriggerEvent::DeviceArrival { .. } => wanted.iter().any(eq),
                    // Otherwise a multi-string matches only when all its strings match.
                    _ => !wanted.is_empty() && wanted.iter().all(eq),
                }
            }
            TriggerDataType::Binary => match self {
                TriggerEvent::Custom { binary, .. } => binary.iter().any(|b| b == &item.data),
                _ => false,
            },
            TriggerDataType::Level => match (self, item.data.first()) {
                (TriggerEvent::Custom { level, .. }, Some(max)) => level <= max,
                _ => false,
            },
            TriggerDataType::KeywordAny | TriggerDataType::KeywordAll => {
                let TriggerEvent::Custom { keywords, .. } = self else {
                    return false;
                };
                let Ok(bytes) = <[u8; 8]>::try_from(item.data.as_slice()) else {
                    return false;
                };
                let mask = u64::from_le_bytes(bytes);
                if item.data_type == TriggerDataType::KeywordAny {
                    keywords & mask != 0
                } else {
                    keywords & mask == mask
                }
            }
            TriggerDataType::Other(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fake_registry::service::TriggerAction;

    fn trig(ty: TriggerType, sub: Guid, data: Vec<TriggerDataItem>) -> Trigger {
        Trigger {
            trigger_type: ty,
            action: TriggerAction::Start,
            subtype: Some(sub),
            data,
        }
    }

    #[test]
    fn device_arrival_matches_any_id() {
        let disk: Guid = "53f56307-b6bf-11d0-94f2-00a0c91efb8b".parse().unwrap();
        let t = trig(
            TriggerType::DEVICE_INTERFACE_ARRIVAL,
            disk,
            vec![TriggerDataItem::multi_string(&[
                "USBSTOR\\GenDisk",
                "USB\\Class_08",
            ])],
        );
        let ev = |ids: &[&str]| TriggerEvent::DeviceArrival {
            interface_class: disk,
            hardware_ids: ids.iter().map(|s| s.to_string()).collect(),
        };
        assert!(ev(&["usb\\class_08"]).matches(&t));
        assert!(!ev(&["PCI\\VEN_1"]).matches(&t));
    }

    #[test]
    fn port_multi_string_needs_all_parts() {
        let t = trig(
            TriggerType::FIREWALL_PORT_EVENT,
            subtypes::FIREWALL_PORT_OPEN,
            vec![TriggerDataItem::multi_string(&["5353", "UDP"])],
        );
        assert!(TriggerEvent::PortOpen(vec!["5353".into(), "udp".into()]).matches(&t));
        assert!(!TriggerEvent::PortOpen(vec!["5353".into(), "TCP".into()]).matches(&t));
        assert!(!TriggerEvent::PortClose(vec!["5353".into(), "UDP".into()]).matches(&t));
    }

    #[test]
    fn custom_binary_level_and_keywords() {
        let p: Guid = "11111111-2222-3333-4444-555555555555".parse().unwrap();
        let ev = TriggerEvent::Custom {
            provider: p,
            binary: vec![vec![1, 2, 3, 4]],
            strings: vec![],
            level: 3,
            keywords: 0b0110,
        };
        assert!(ev.matches(&trig(
            TriggerType::CUSTOM,
            p,
            vec![TriggerDataItem::binary(vec![1, 2, 3, 4])]
        )));
        assert!(!ev.matches(&trig(
            TriggerType::CUSTOM,
            p,
            vec![TriggerDataItem::binary(vec![1, 2, 3])]
        )));
        assert!(ev.matches(&trig(
            TriggerType::CUSTOM,
            p,
            vec![TriggerDataItem::level(4)]
        )));
        assert!(!ev.matches(&trig(
            TriggerType::CUSTOM,
            p,
            vec![TriggerDataItem::level(2)]
        )));
        assert!(ev.matches(&trig(
            TriggerType::CUSTOM,
            p,
            vec![TriggerDataItem::keyword_any(0b0010)]
        )));
        assert!(!ev.matches(&trig(
            TriggerType::CUSTOM,
            p,
            vec![TriggerDataItem::keyword_all(0b1110)]
        )));
        assert!(ev.matches(&trig(TriggerType::CUSTOM, p, vec![])));
    }
}
