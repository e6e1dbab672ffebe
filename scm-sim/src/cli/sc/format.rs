//! sc.exe's output blocks, byte for byte as Windows 10 prints them (scm-facts §7): status
//! blocks (query, queryex, start, stop …), enumeration entries, `qc`, the QueryServiceConfig2
//! blocks and the failure block. Lines end with `\n` (Windows writes `\r\n`); trailing spaces
//! are kept where sc.exe prints them.
//!
//! ```
//! use scm_sim::cli::sc::format::{failure_block, status_block, StatusLayout};
//! use scm_sim::service::{ServiceControlAccept, ServiceState, ServiceStatusProcess, ServiceType};
//! use scm_sim::Win32Error;
//!
//! let status = ServiceStatusProcess {
//!     service_type: ServiceType::OWN_PROCESS,
//!     current_state: ServiceState::Running,
//!     controls_accepted: ServiceControlAccept::STOP | ServiceControlAccept::SHUTDOWN,
//!     win32_exit_code: 0,
//!     service_specific_exit_code: 0,
//!     checkpoint: 0,
//!     wait_hint_ms: 0,
//!     process_id: 1234,
//!     service_flags: 0,
//! };
//! assert_eq!(status_block("Tailscale", None, &status, StatusLayout::Query), concat!(
//!     "\n",
//!     "SERVICE_NAME: Tailscale \n",
//!     "        TYPE               : 10  WIN32_OWN_PROCESS  \n",
//!     "        STATE              : 4  RUNNING \n",
//!     "                                (STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)\n",
//!     "        WIN32_EXIT_CODE    : 0  (0x0)\n",
//!     "        SERVICE_EXIT_CODE  : 0  (0x0)\n",
//!     "        CHECKPOINT         : 0x0\n",
//!     "        WAIT_HINT          : 0x0\n",
//!     "\n",
//! ));
//! assert_eq!(failure_block("OpenService", Win32Error::SERVICE_DOES_NOT_EXIST),
//!     "[SC] OpenService FAILED 1060:\n\nThe specified service does not exist as an installed service.\n\n");
//! ```

use fake_registry::service::{ScActionKind, Trigger, TriggerAction, TriggerDataType};

use crate::error::Win32Error;
use crate::scm::QueryServiceConfig;
use crate::service::{ServiceControlAccept, ServiceState, ServiceStatusProcess, ServiceType};

/// Which status block to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusLayout {
    /// `sc query NAME`, `sc stop` …: SERVICE_STATUS.
    Query,
    /// `sc queryex NAME`, `sc start`: SERVICE_STATUS_PROCESS (adds PID and FLAGS).
    QueryEx,
}

/// A label indented 8 and padded to 19 columns, then `: ` (values start at column 29).
fn field(label: &str) -> String {
    format!("        {label:<19}: ")
}

/// `[SC] CONTEXT FAILED n:`, a blank line, the message, a blank line.
pub fn failure_block(context: &str, e: Win32Error) -> String {
    format!("[SC] {context} FAILED {}:\n\n{}\n\n", e.code(), e.message())
}

/// The type text of status blocks: hex number, two spaces, label, two spaces (where
/// `(interactive)` goes).
fn query_type(t: ServiceType) -> String {
    let base = ServiceType(t.0 & !ServiceType::INTERACTIVE_PROCESS.0).sc_label();
    let interactive = if t.contains(ServiceType::INTERACTIVE_PROCESS) {
        "(interactive)"
    } else {
        ""
    };
    format!("{:x}  {base}  {interactive}", t.0)
}

/// The type text of `sc qc`: hex number, two spaces, label, one space (where
/// `(interactive)` goes).
fn qc_type(t: ServiceType) -> String {
    let t = t.to_raw();
    let base = ServiceType(t & !ServiceType::INTERACTIVE_PROCESS.0).sc_label();
    let interactive = if t & ServiceType::INTERACTIVE_PROCESS.0 != 0 {
        "(interactive)"
    } else {
        ""
    };
    format!("{t:x}  {base} {interactive}")
}

/// The accept-flags text, `(STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)`.
pub fn accept_flags(a: ServiceControlAccept) -> String {
    let stop = if a.contains(ServiceControlAccept::STOP) {
        "STOPPABLE"
    } else {
        "NOT_STOPPABLE"
    };
    let pause = if a.contains(ServiceControlAccept::PAUSE_CONTINUE) {
        "PAUSABLE"
    } else {
        "NOT_PAUSABLE"
    };
    let shutdown = if a.contains(ServiceControlAccept::SHUTDOWN) {
        "ACCEPTS_SHUTDOWN"
    } else if a.contains(ServiceControlAccept::PRESHUTDOWN) {
        "ACCEPTS_PRESHUTDOWN"
    } else {
        "IGNORES_SHUTDOWN"
    };
    format!("({stop}, {pause}, {shutdown})")
}

/// The status lines (TYPE … WAIT_HINT, and PID and FLAGS for `QueryEx`).
pub fn status_lines(s: &ServiceStatusProcess, layout: StatusLayout) -> String {
    let mut o = String::new();
    o += &format!("{}{}\n", field("TYPE"), query_type(s.service_type));
    o += &format!(
        "{}{}  {} \n",
        field("STATE"),
        s.current_state.to_raw(),
        s.current_state.sc_label()
    );
    if s.current_state != ServiceState::Stopped {
        o += &format!("{}{}\n", " ".repeat(32), accept_flags(s.controls_accepted));
    }
    o += &format!(
        "{}{}  (0x{:x})\n",
        field("WIN32_EXIT_CODE"),
        s.win32_exit_code,
        s.win32_exit_code
    );
    o += &format!(
        "{}{}  (0x{:x})\n",
        field("SERVICE_EXIT_CODE"),
        s.service_specific_exit_code,
        s.service_specific_exit_code
    );
    o += &format!("{}0x{:x}\n", field("CHECKPOINT"), s.checkpoint);
    o += &format!("{}0x{:x}\n", field("WAIT_HINT"), s.wait_hint_ms);
    if layout == StatusLayout::QueryEx {
        o += &format!("{}{}\n", field("PID"), s.process_id);
        let flags = if s.service_flags & 1 != 0 {
            "RUNS_IN_SYSTEM_PROCESS"
        } else {
            ""
        };
        o += &format!("{}{flags}\n", field("FLAGS"));
    }
    o
}

/// A status block. With `display: None` the single-service form (blank line,
/// `SERVICE_NAME: X ` with its trailing space, the lines, blank line); with a display name the
/// enumeration form (`SERVICE_NAME: X`, `DISPLAY_NAME: Y`, the lines, blank line).
pub fn status_block(
    name: &str,
    display: Option<&str>,
    s: &ServiceStatusProcess,
    layout: StatusLayout,
) -> String {
    match display {
        None => format!("\nSERVICE_NAME: {name} \n{}\n", status_lines(s, layout)),
        Some(d) => format!(
            "SERVICE_NAME: {name}\nDISPLAY_NAME: {d}\n{}\n",
            status_lines(s, layout)
        ),
    }
}

/// `sc qc`.
pub fn qc_block(name: &str, c: &QueryServiceConfig) -> String {
    let mut o = String::from("[SC] QueryServiceConfig SUCCESS\n\n");
    o += &format!("SERVICE_NAME: {name}\n");
    o += &format!("{}{}\n", field("TYPE"), qc_type(c.service_type));
    let start = c.start_type.sc_label();
    let delayed = if c.delayed_auto_start {
        "  (DELAYED)"
    } else {
        ""
    };
    o += &format!(
        "{}{}   {start}{delayed}\n",
        field("START_TYPE"),
        c.start_type.code()
    );
    let error = c.error_control.sc_label();
    o += &format!(
        "{}{}   {error}\n",
        field("ERROR_CONTROL"),
        c.error_control.code()
    );
    o += &format!("{}{}\n", field("BINARY_PATH_NAME"), c.binary_path_name);
    o += &format!("{}{}\n", field("LOAD_ORDER_GROUP"), c.load_order_group);
    o += &format!("{}{}\n", field("TAG"), c.tag_id);
    o += &format!("{}{}\n", field("DISPLAY_NAME"), c.display_name);
    let mut deps = c.dependencies.iter();
    o += &format!(
        "{}{}\n",
        field("DEPENDENCIES"),
        deps.next().map_or("", String::as_str)
    );
    for d in deps {
        o += &format!("{}: {d}\n", " ".repeat(27));
    }
    o += &format!("{}{}\n", field("SERVICE_START_NAME"), c.service_start_name);
    o.push('\n');
    o
}

fn header2(name: &str) -> String {
    format!("[SC] QueryServiceConfig2 SUCCESS\n\nSERVICE_NAME: {name}\n")
}

/// `sc qdescription`.
pub fn qdescription_block(name: &str, description: Option<&str>) -> String {
    format!(
        "{}DESCRIPTION:  {}\n\n",
        header2(name),
        description.unwrap_or("")
    )
}

/// A label of `sc qfailure`: indented 8, padded to 29 columns, then `: `.
fn field29(label: &str) -> String {
    format!("        {label:<29}: ")
}

/// `sc qfailure`. NONE actions are not printed; without printable actions the
/// FAILURE_ACTIONS line is left out.
pub fn qfailure_block(
    name: &str,
    reset_period: u32,
    reboot_message: Option<&str>,
    command: Option<&str>,
    actions: &[fake_registry::service::ScAction],
) -> String {
    let mut o = header2(name);
    let reset = if reset_period == u32::MAX {
        "INFINITE".to_string()
    } else {
        reset_period.to_string()
    };
    o += &format!("{}{reset}\n", field29("RESET_PERIOD (in seconds)"));
    o += &format!(
        "{}{}\n",
        field29("REBOOT_MESSAGE"),
        reboot_message.unwrap_or("")
    );
    o += &format!("{}{}\n", field29("COMMAND_LINE"), command.unwrap_or(""));
    let lines: Vec<String> = actions
        .iter()
        .filter_map(|a| {
            let word = match a.kind {
                ScActionKind::Restart => "RESTART",
                ScActionKind::Reboot => "REBOOT",
                ScActionKind::RunCommand => "RUN PROCESS",
                _ => return None,
            };
            Some(format!("{word} -- Delay = {} milliseconds.", a.delay_ms))
        })
        .collect();
    for (i, l) in lines.iter().enumerate() {
        if i == 0 {
            o += &format!("{}{l}\n", field29("FAILURE_ACTIONS"));
        } else {
            o += &format!("{}{l}\n", " ".repeat(39));
        }
    }
    o.push('\n');
    o
}

/// `sc qfailureflag`.
pub fn qfailureflag_block(name: &str, flag: bool) -> String {
    format!(
        "{}        FAILURE_ACTIONS_ON_NONCRASH_FAILURES: {}\n\n",
        header2(name),
        if flag { "TRUE" } else { "FALSE" }
    )
}

/// `sc qsidtype`.
pub fn qsidtype_block(name: &str, sid_type: u32) -> String {
    let text = match sid_type {
        0 => "NONE".to_string(),
        1 => "UNRESTRICTED".to_string(),
        3 => "RESTRICTED".to_string(),
        n => n.to_string(),
    };
    format!("{}SERVICE_SID_TYPE:  {text}\n\n", header2(name))
}

/// `sc qprivs`: the first privilege after `PRIVILEGES       : `, the others below it.
pub fn qprivs_block(name: &str, privileges: &[String]) -> String {
    let mut o = header2(name);
    let mut it = privileges.iter();
    o += &format!(
        "        PRIVILEGES       : {}\n",
        it.next().map_or("", String::as_str)
    );
    for p in it {
        o += &format!("{}: {p}\n", " ".repeat(25));
    }
    o.push('\n');
    o
}

/// The label and subtype tag `sc qtriggerinfo` shows for a trigger.
fn trigger_label(t: &Trigger) -> (&'static str, &'static str) {
    use fake_registry::service::subtypes as g;
    let sub = t.subtype;
    let tag = |pairs: &[(fake_registry::service::Guid, &'static str)]| {
        pairs
            .iter()
            .find(|(guid, _)| Some(*guid) == sub)
            .map_or("", |(_, tag)| tag)
    };
    match t.trigger_type.0 {
        1 => ("DEVICE INTERFACE ARRIVAL", "[INTERFACE CLASS GUID]"),
        2 => (
            "IP ADDRESS AVAILABILITY",
            tag(&[
                (g::FIRST_IP_ADDRESS_ARRIVAL, "[FIRST IP ADDRESS AVAILABLE]"),
                (g::LAST_IP_ADDRESS_REMOVAL, "[LAST IP ADDRESS REMOVAL]"),
            ]),
        ),
        3 => (
            "DOMAIN JOINED STATUS",
            tag(&[
                (g::DOMAIN_JOIN, "[DOMAIN JOINED]"),
                (g::DOMAIN_LEAVE, "[NOT DOMAIN JOINED]"),
            ]),
        ),
        4 => (
            "FIREWALL PORT EVENT",
            tag(&[
                (g::FIREWALL_PORT_OPEN, "[PORT OPEN]"),
                (g::FIREWALL_PORT_CLOSE, "[PORT CLOSE]"),
            ]),
        ),
        5 => (
            "GROUP POLICY",
            tag(&[
                (g::MACHINE_POLICY_PRESENT, "[MACHINE POLICY PRESENT]"),
                (g::USER_POLICY_PRESENT, "[USER POLICY PRESENT]"),
            ]),
        ),
        6 => (
            "NETWORK EVENT",
            tag(&[
                (g::RPC_INTERFACE_EVENT, "[RPC INTERFACE EVENT]"),
                (g::NAMED_PIPE_EVENT, "[NAMED PIPE EVENT]"),
            ]),
        ),
        7 => (
            "CUSTOM SYSTEM STATE CHANGE",
            tag(&[(
                g::CUSTOM_SYSTEM_STATE_CHANGE_EVENT,
                "[CUSTOM SYSTEM STATE CHANGE EVENT]",
            )]),
        ),
        20 => ("CUSTOM", "[ETW PROVIDER UUID]"),
        30 => ("AGGREGATE", ""),
        _ => ("UNKNOWN TRIGGER TYPE", ""),
    }
}

/// How a data item is shown: strings as text (several joined with `;`), bytes as two-digit
/// hex separated by spaces, a level as a number, keywords as 0x-hex.
fn data_text(item: &fake_registry::service::TriggerDataItem) -> String {
    let bytes_hex = || {
        item.data
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    match item.data_type {
        TriggerDataType::String => item.strings().unwrap_or_default().join(";"),
        TriggerDataType::Level if item.data.len() == 1 => item.data[0].to_string(),
        TriggerDataType::KeywordAny | TriggerDataType::KeywordAll if item.data.len() == 8 => {
            let mut b = [0u8; 8];
            b.copy_from_slice(&item.data);
            format!("0x{:x}", u64::from_le_bytes(b))
        }
        _ => bytes_hex(),
    }
}

/// `sc qtriggerinfo`.
pub fn qtriggerinfo_block(name: &str, triggers: &[Trigger]) -> String {
    let mut o = header2(name);
    o.push('\n');
    if triggers.is_empty() {
        o += &format!(
            "        The service {name} has not registered for any start or stop triggers.\n"
        );
        return o;
    }
    for t in triggers {
        let action = match t.action {
            TriggerAction::Start => "START SERVICE",
            TriggerAction::Stop => "STOP SERVICE",
            TriggerAction::Other(_) => "UNKNOWN ACTION",
        };
        o += &format!("        {action}\n");
        let (label, tag) = trigger_label(t);
        let guid = t
            .subtype
            .map(|g| g.to_string().to_ascii_lowercase())
            .unwrap_or_default();
        let tail = if tag.is_empty() {
            String::new()
        } else {
            format!(" {tag}")
        };
        o += &format!("          {label:<29}: {guid}{tail}\n");
        for d in &t.data {
            o += &format!("            {:<27}: {}\n", "DATA", data_text(d));
        }
    }
    o
}
