//! The changing commands: create, config, description, failure, failureflag, sidtype, privs,
//! triggerinfo and delete. Options are checked before any handle is opened: a missing value,
//! an unknown option or a value sc.exe does not accept prints the command's usage text and
//! exits with 1639, changing nothing.

use fake_registry::service::{ScAction, ScActionKind};

use crate::scm::access::{
    ServiceAccess, SC_MANAGER_CONNECT, SC_MANAGER_CREATE_SERVICE, SERVICE_CHANGE_CONFIG,
    SERVICE_QUERY_CONFIG, SERVICE_START,
};
use crate::scm::{ChangeConfigParams, CreateServiceParams, ServiceConfig2};
use crate::service::{ServiceErrorControl, ServiceStartType, ServiceType};
use crate::Machine;

use super::{failed, parse_options, usage, Sc};
use crate::cli::output::Output;
use crate::cli::session::Exit;

const CONFIG_OPTIONS: &[&str] = &[
    "type=",
    "start=",
    "error=",
    "binpath=",
    "group=",
    "tag=",
    "depend=",
    "obj=",
    "displayname=",
    "password=",
];

/// The options shared by create and config, checked and decoded.
#[derive(Debug, Default)]
struct ConfigOptions {
    base_type: Option<ServiceType>,
    interactive: bool,
    start: Option<ServiceStartType>,
    delayed: Option<bool>,
    error: Option<ServiceErrorControl>,
    binary_path: Option<String>,
    group: Option<String>,
    tag: Option<bool>,
    depend: Option<Vec<String>>,
    account: Option<String>,
    password: Option<String>,
    display_name: Option<String>,
}

fn decode(opts: &[(String, String)]) -> Option<ConfigOptions> {
    let mut c = ConfigOptions::default();
    for (name, value) in opts {
        let v = value.to_ascii_lowercase();
        match name.as_str() {
            "type=" => match v.as_str() {
                "own" => c.base_type = Some(ServiceType::OWN_PROCESS),
                "share" => c.base_type = Some(ServiceType::SHARE_PROCESS),
                "interact" => c.interactive = true,
                "kernel" => c.base_type = Some(ServiceType::KERNEL_DRIVER),
                "filesys" => c.base_type = Some(ServiceType::FILE_SYSTEM_DRIVER),
                "rec" => c.base_type = Some(ServiceType::RECOGNIZER_DRIVER),
                "adapt" => c.base_type = Some(ServiceType::ADAPTER),
                "userown" => {
                    c.base_type = Some(ServiceType::USER_SERVICE | ServiceType::OWN_PROCESS)
                }
                "usershare" => {
                    c.base_type = Some(ServiceType::USER_SERVICE | ServiceType::SHARE_PROCESS)
                }
                _ => return None,
            },
            "start=" => {
                let (s, d) = match v.as_str() {
                    "boot" => (ServiceStartType::BootStart, None),
                    "system" => (ServiceStartType::SystemStart, None),
                    "auto" => (ServiceStartType::AutoStart, Some(false)),
                    "demand" => (ServiceStartType::OnDemand, None),
                    "disabled" => (ServiceStartType::Disabled, None),
                    "delayed-auto" => (ServiceStartType::AutoStart, Some(true)),
                    _ => return None,
                };
                c.start = Some(s);
                c.delayed = d;
            }
            "error=" => {
                c.error = Some(match v.as_str() {
                    "ignore" => ServiceErrorControl::Ignore,
                    "normal" => ServiceErrorControl::Normal,
                    "severe" => ServiceErrorControl::Severe,
                    "critical" => ServiceErrorControl::Critical,
                    _ => return None,
                })
            }
            "binpath=" => c.binary_path = Some(value.clone()),
            "group=" => c.group = Some(value.clone()),
            "tag=" => {
                c.tag = Some(match v.as_str() {
                    "yes" => true,
                    "no" => false,
                    _ => return None,
                })
            }
            "depend=" => {
                c.depend = Some(
                    value
                        .split('/')
                        .filter(|d| !d.is_empty())
                        .map(str::to_string)
                        .collect(),
                )
            }
            "obj=" => c.account = Some(value.clone()),
            "password=" => c.password = Some(value.clone()),
            _ => c.display_name = Some(value.clone()),
        }
    }
    Some(c)
}

/// `sc create NAME binPath= … [options]`.
pub(crate) fn create(m: &mut Machine, args: &[String], out: &mut Output) -> Exit {
    let Some(name) = args.first() else {
        return usage(out, super::usage::CREATE);
    };
    let Some(c) = parse_options(&args[1..], CONFIG_OPTIONS).and_then(|o| decode(&o)) else {
        return usage(out, super::usage::CREATE);
    };
    let Some(binary_path) = c.binary_path.clone() else {
        return usage(out, super::usage::CREATE);
    };
    let mut service_type = c.base_type.unwrap_or(ServiceType::OWN_PROCESS);
    if c.interactive {
        service_type = service_type | ServiceType::INTERACTIVE_PROCESS;
    }
    let params = CreateServiceParams {
        name: name.clone(),
        display_name: c.display_name.clone(),
        desired_access: SERVICE_CHANGE_CONFIG | SERVICE_QUERY_CONFIG,
        service_type,
        start_type: c.start.unwrap_or(ServiceStartType::OnDemand),
        error_control: c.error.unwrap_or(ServiceErrorControl::Normal),
        binary_path,
        load_order_group: c.group.clone(),
        want_tag: c.tag == Some(true),
        dependencies: c.depend.clone().unwrap_or_default(),
        account: c.account.clone(),
        password: c.password.clone(),
    };
    let mut sc = Sc::new(m);
    let scm = match sc.manager(SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE) {
        Ok(h) => h,
        Err(e) => return failed(out, "OpenSCManager", e, false),
    };
    let h = match sc.create(scm, &params) {
        Ok(h) => h,
        Err(e) => return failed(out, "CreateService", e, true),
    };
    let close = sc.close(h);
    debug_assert!(close.is_ok());
    if c.delayed == Some(true) {
        let h = match sc.service(scm, name, SERVICE_CHANGE_CONFIG) {
            Ok(h) => h,
            Err(e) => return failed(out, "OpenService", e, true),
        };
        if let Err(e) = sc.change_service_config2(h, &ServiceConfig2::DelayedAutoStart(true)) {
            return failed(out, "ChangeServiceConfig2", e, true);
        }
    }
    out.out("[SC] CreateService SUCCESS\n");
    Exit::touched(0)
}

/// `sc config NAME options…`.
pub(crate) fn config(m: &mut Machine, args: &[String], out: &mut Output) -> Exit {
    let (Some(name), true) = (args.first(), args.len() > 1) else {
        return usage(out, super::usage::CONFIG);
    };
    let Some(c) = parse_options(&args[1..], CONFIG_OPTIONS).and_then(|o| decode(&o)) else {
        return usage(out, super::usage::CONFIG);
    };
    let (mut sc, h) =
        match super::open_service(m, name, SERVICE_CHANGE_CONFIG | SERVICE_QUERY_CONFIG, out) {
            Ok(x) => x,
            Err(exit) => return exit,
        };
    let current = match sc.query_service_config(h) {
        Ok(q) => q,
        Err(e) => return failed(out, "QueryServiceConfig", e, false),
    };
    let service_type = match (c.base_type, c.interactive) {
        (None, false) => None,
        (Some(t), false) => Some(t),
        (t, true) => Some(
            t.unwrap_or(ServiceType(
                current.service_type.to_raw() & !ServiceType::INTERACTIVE_PROCESS.0,
            )) | ServiceType::INTERACTIVE_PROCESS,
        ),
    };
    let params = ChangeConfigParams {
        service_type,
        start_type: c.start,
        error_control: c.error,
        binary_path: c.binary_path.clone(),
        load_order_group: c.group.clone(),
        want_tag: c.tag == Some(true),
        dependencies: c.depend.clone(),
        account: c.account.clone(),
        password: c.password.clone(),
        display_name: c.display_name.clone(),
    };
    if let Err(e) = sc.change_service_config(h, &params) {
        return failed(out, "ChangeServiceConfig", e, true);
    }
    let delayed = match c.delayed {
        Some(true) => Some(true),
        Some(false) if current.delayed_auto_start => Some(false),
        _ => None,
    };
    if let Some(on) = delayed {
        if let Err(e) = sc.change_service_config2(h, &ServiceConfig2::DelayedAutoStart(on)) {
            return failed(out, "ChangeServiceConfig2", e, true);
        }
    }
    out.out("[SC] ChangeServiceConfig SUCCESS\n");
    Exit::touched(0)
}

/// Opens NAME for a change and sets one ChangeServiceConfig2 level.
fn set2(
    m: &mut Machine,
    name: &str,
    access: ServiceAccess,
    value: ServiceConfig2,
    out: &mut Output,
) -> Exit {
    let (mut sc, h) = match super::open_service(m, name, access, out) {
        Ok(x) => x,
        Err(exit) => return exit,
    };
    match sc.change_service_config2(h, &value) {
        Ok(()) => {
            out.out("[SC] ChangeServiceConfig2 SUCCESS\n");
            Exit::touched(0)
        }
        Err(e) => failed(out, "ChangeServiceConfig2", e, true),
    }
}

/// `sc description NAME TEXT` (`""` removes the description).
pub(crate) fn description(m: &mut Machine, args: &[String], out: &mut Output) -> Exit {
    let (Some(name), Some(text)) = (args.first(), args.get(1)) else {
        return usage(out, super::usage::DESCRIPTION);
    };
    set2(
        m,
        name,
        SERVICE_CHANGE_CONFIG,
        ServiceConfig2::Description(Some(text.clone())),
        out,
    )
}

fn parse_actions(text: &str) -> Option<Vec<ScAction>> {
    if text.is_empty() {
        return Some(Vec::new());
    }
    let parts: Vec<&str> = text.split('/').collect();
    if !parts.len().is_multiple_of(2) {
        return None;
    }
    parts
        .chunks(2)
        .map(|p| {
            let kind = match p[0].to_ascii_lowercase().as_str() {
                "run" => ScActionKind::RunCommand,
                "restart" => ScActionKind::Restart,
                "reboot" => ScActionKind::Reboot,
                "" | "none" => ScActionKind::None,
                _ => return None,
            };
            Some(ScAction::new(kind, p[1].parse().ok()?))
        })
        .collect()
}

/// `sc failure NAME reset= … actions= … [reboot= …] [command= …]`.
pub(crate) fn failure(m: &mut Machine, args: &[String], out: &mut Output) -> Exit {
    let bad = |out: &mut Output| usage(out, super::usage::FAILURE);
    let (Some(name), true) = (args.first(), args.len() > 1) else {
        return bad(out);
    };
    let Some(opts) = parse_options(&args[1..], &["reset=", "reboot=", "command=", "actions="])
    else {
        return bad(out);
    };
    let get = |k: &str| {
        opts.iter()
            .rev()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
    };
    let reset = match get("reset=") {
        None => None,
        Some(r) if r.eq_ignore_ascii_case("infinite") => Some(u32::MAX),
        Some(r) => match r.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => return bad(out),
        },
    };
    let actions = match get("actions=") {
        None => None,
        Some(a) => match parse_actions(&a) {
            Some(list) => Some(list),
            None => return bad(out),
        },
    };
    if reset.is_some() != actions.is_some() {
        return bad(out);
    }
    let needs_start = actions
        .as_ref()
        .is_some_and(|a| a.iter().any(|x| x.kind == ScActionKind::Restart));
    let access = SERVICE_CHANGE_CONFIG
        | if needs_start {
            SERVICE_START
        } else {
            ServiceAccess::empty()
        };
    set2(
        m,
        name,
        access,
        ServiceConfig2::FailureActions {
            reset_period: reset.unwrap_or(0),
            reboot_message: get("reboot="),
            command: get("command="),
            actions,
        },
        out,
    )
}

/// `sc failureflag NAME 0|1`.
pub(crate) fn failureflag(m: &mut Machine, args: &[String], out: &mut Output) -> Exit {
    let flag = match args.get(1).map(String::as_str) {
        Some("0") => false,
        Some("1") => true,
        _ => return usage(out, super::usage::FAILUREFLAG),
    };
    set2(
        m,
        &args[0],
        SERVICE_CHANGE_CONFIG,
        ServiceConfig2::FailureActionsFlag(flag),
        out,
    )
}

/// `sc sidtype NAME none|unrestricted|restricted`.
pub(crate) fn sidtype(m: &mut Machine, args: &[String], out: &mut Output) -> Exit {
    let t = match args.get(1).map(|s| s.to_ascii_lowercase()).as_deref() {
        Some("none") => 0,
        Some("unrestricted") => 1,
        Some("restricted") => 3,
        _ => return usage(out, super::usage::SIDTYPE),
    };
    set2(
        m,
        &args[0],
        SERVICE_CHANGE_CONFIG,
        ServiceConfig2::SidInfo(t),
        out,
    )
}

/// `sc privs NAME SeA/SeB/…`.
pub(crate) fn privs(m: &mut Machine, args: &[String], out: &mut Output) -> Exit {
    let (Some(name), Some(list)) = (args.first(), args.get(1)) else {
        return usage(out, super::usage::PRIVS);
    };
    let privileges = list
        .split('/')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    set2(
        m,
        name,
        SERVICE_CHANGE_CONFIG,
        ServiceConfig2::RequiredPrivileges(privileges),
        out,
    )
}

/// `sc triggerinfo NAME option…` (replaces the service's triggers; `delete` clears them).
pub(crate) fn triggerinfo(m: &mut Machine, args: &[String], out: &mut Output) -> Exit {
    let Some(name) = args.first() else {
        return usage(out, super::usage::TRIGGERINFO);
    };
    let Some(triggers) = super::triggers::parse(&args[1..]) else {
        return usage(out, super::usage::TRIGGERINFO);
    };
    set2(
        m,
        name,
        SERVICE_CHANGE_CONFIG,
        ServiceConfig2::TriggerInfo(triggers),
        out,
    )
}

/// `sc delete NAME`.
pub(crate) fn delete(m: &mut Machine, args: &[String], out: &mut Output) -> Exit {
    let Some(name) = args.first() else {
        return usage(out, super::usage::DELETE);
    };
    let (mut sc, h) = match super::open_service(m, name, ServiceAccess::DELETE, out) {
        Ok(x) => x,
        Err(exit) => return exit,
    };
    match sc.delete_service(h) {
        Ok(()) => {
            out.out("[SC] DeleteService SUCCESS\n");
            Exit::touched(0)
        }
        Err(e) => failed(out, "DeleteService", e, true),
    }
}
