//! The reading commands: query and queryex (one service, or an enumeration with `type=`,
//! `state=`, `group=`, `ri=`, `bufsize=`), qc, the QueryServiceConfig2 queries, enumdepend,
//! getdisplayname and getkeyname.

use crate::error::Win32Error;
use crate::scm::access::{
    SC_MANAGER_CONNECT, SC_MANAGER_ENUMERATE_SERVICE, SERVICE_ENUMERATE_DEPENDENTS,
    SERVICE_QUERY_CONFIG, SERVICE_QUERY_STATUS,
};
use crate::scm::{ScHandle, ServiceConfig2, ServiceConfig2Level};
use crate::service::{ServiceStateFilter, ServiceType};
use crate::Machine;

use super::format::{self, StatusLayout};
use super::{failed, parse_options, usage, Sc, StatusLayoutArg};
use crate::cli::output::Output;
use crate::cli::session::Exit;

fn layout(l: StatusLayoutArg) -> StatusLayout {
    match l {
        StatusLayoutArg::Query => StatusLayout::Query,
        StatusLayoutArg::QueryEx => StatusLayout::QueryEx,
    }
}

/// An optional bufsize after the service name must be a number.
fn bufsize_ok(args: &[String]) -> bool {
    args.get(1).is_none_or(|b| b.parse::<u32>().is_ok())
}

/// `sc query` / `sc queryex`.
pub(crate) fn query(
    m: &mut Machine,
    args: &[String],
    l: StatusLayoutArg,
    out: &mut Output,
) -> Exit {
    match args.first() {
        Some(name) if !name.ends_with('=') => query_one(m, name, layout(l), out),
        _ => enumerate(m, args, layout(l), out),
    }
}

fn query_one(m: &mut Machine, name: &str, l: StatusLayout, out: &mut Output) -> Exit {
    let mut sc = Sc::new(m);
    let scm = match sc.manager(SC_MANAGER_CONNECT) {
        Ok(h) => h,
        Err(e) => return failed(out, "OpenSCManager", e, false),
    };
    let h = match sc.service(scm, name, SERVICE_QUERY_STATUS) {
        Ok(h) => h,
        Err(e) => return failed(out, "EnumQueryServicesStatus:OpenService", e, false),
    };
    match sc.query_service_status(h) {
        Ok(s) => {
            out.out(&format::status_block(name, None, &s, l));
            Exit::ok()
        }
        Err(e) => failed(
            out,
            "EnumQueryServicesStatus:QueryServiceStatusEx",
            e,
            false,
        ),
    }
}

fn enumerate(m: &mut Machine, args: &[String], l: StatusLayout, out: &mut Output) -> Exit {
    let Some(opts) = parse_options(args, &["type=", "state=", "bufsize=", "ri=", "group="]) else {
        return usage(out, super::usage::QUERY);
    };
    let mut generic = ServiceType(0);
    let mut specific = ServiceType(0);
    let mut state = ServiceStateFilter::ACTIVE;
    let mut group: Option<String> = None;
    let mut resume = 0usize;
    for (name, value) in &opts {
        let v = value.to_ascii_lowercase();
        match name.as_str() {
            "type=" => match v.as_str() {
                "driver" => generic = generic | ServiceType::DRIVER,
                "service" => generic = generic | ServiceType::WIN32,
                "userservice" => {
                    generic =
                        generic | ServiceType::USER_SERVICE | ServiceType::USERSERVICE_INSTANCE
                }
                "all" => generic = generic | ServiceType::ALL,
                "own" => specific = specific | ServiceType::OWN_PROCESS,
                "share" => specific = specific | ServiceType::SHARE_PROCESS,
                "interact" => specific = specific | ServiceType::INTERACTIVE_PROCESS,
                "kernel" => specific = specific | ServiceType::KERNEL_DRIVER,
                "filesys" => specific = specific | ServiceType::FILE_SYSTEM_DRIVER,
                "rec" => specific = specific | ServiceType::RECOGNIZER_DRIVER,
                "adapt" => specific = specific | ServiceType::ADAPTER,
                _ => return usage(out, super::usage::QUERY),
            },
            "state=" => {
                state = match v.as_str() {
                    "active" => ServiceStateFilter::ACTIVE,
                    "inactive" => ServiceStateFilter::INACTIVE,
                    "all" => ServiceStateFilter::ALL,
                    _ => return usage(out, super::usage::QUERY),
                }
            }
            "bufsize=" => {
                if v.parse::<u32>().is_err() {
                    return usage(out, super::usage::QUERY);
                }
            }
            "ri=" => match v.parse::<usize>() {
                Ok(n) => resume = n,
                Err(_) => return usage(out, super::usage::QUERY),
            },
            _ => group = Some(value.clone()),
        }
    }
    let none = ServiceType(0);
    let service_type = match (specific, generic) {
        (s, g) if s == none && g == none => ServiceType::WIN32,
        (s, g) if s == none => g,
        (s, _) => s,
    };
    let mut sc = Sc::new(m);
    let scm = match sc.manager(SC_MANAGER_CONNECT | SC_MANAGER_ENUMERATE_SERVICE) {
        Ok(h) => h,
        Err(e) => return failed(out, "OpenSCManager", e, false),
    };
    match sc.enum_services_status(scm, service_type, state, group.as_deref()) {
        Ok(list) => {
            let mut text = String::from("\n");
            for s in list.iter().skip(resume) {
                text += &format::status_block(&s.service_name, Some(&s.display_name), &s.status, l);
            }
            out.out(&text);
            Exit::ok()
        }
        Err(e) => failed(out, "EnumQueryServicesStatus:EnumServicesStatus", e, false),
    }
}

/// `sc qc NAME [bufsize]`.
pub(crate) fn qc(m: &mut Machine, args: &[String], out: &mut Output) -> Exit {
    let Some(name) = args.first().filter(|_| bufsize_ok(args)) else {
        return usage(out, super::usage::QC);
    };
    let (mut sc, h) = match super::open_service(m, name, SERVICE_QUERY_CONFIG, out) {
        Ok(x) => x,
        Err(exit) => return exit,
    };
    match sc.query_service_config(h) {
        Ok(mut c) => {
            // QueryServiceConfig returns the path with environment variables expanded.
            c.binary_path_name = sc.with_registry(|r| r.environment().expand(&c.binary_path_name));
            out.out(&format::qc_block(name, &c));
            Exit::ok()
        }
        Err(e) => failed(out, "QueryServiceConfig", e, false),
    }
}

/// Runs one QueryServiceConfig2 query for the `q…` commands.
fn config2(
    m: &mut Machine,
    args: &[String],
    usage_text: &str,
    level: ServiceConfig2Level,
    out: &mut Output,
    print: impl FnOnce(&str, ServiceConfig2) -> String,
) -> Exit {
    let Some(name) = args.first().filter(|_| bufsize_ok(args)) else {
        return usage(out, usage_text);
    };
    let (mut sc, h) = match super::open_service(m, name, SERVICE_QUERY_CONFIG, out) {
        Ok(x) => x,
        Err(exit) => return exit,
    };
    match sc.query_service_config2(h, level) {
        Ok(v) => {
            out.out(&print(name, v));
            Exit::ok()
        }
        Err(e) => failed(out, "QueryServiceConfig2", e, false),
    }
}

/// `sc qdescription NAME [bufsize]`.
pub(crate) fn qdescription(m: &mut Machine, args: &[String], out: &mut Output) -> Exit {
    config2(
        m,
        args,
        super::usage::QDESCRIPTION,
        ServiceConfig2Level::Description,
        out,
        |name, v| match v {
            ServiceConfig2::Description(d) => format::qdescription_block(name, d.as_deref()),
            _ => String::new(),
        },
    )
}

/// `sc qfailure NAME [bufsize]`.
pub(crate) fn qfailure(m: &mut Machine, args: &[String], out: &mut Output) -> Exit {
    config2(
        m,
        args,
        super::usage::QFAILURE,
        ServiceConfig2Level::FailureActions,
        out,
        |name, v| match v {
            ServiceConfig2::FailureActions {
                reset_period,
                reboot_message,
                command,
                actions,
            } => format::qfailure_block(
                name,
                reset_period,
                reboot_message.as_deref(),
                command.as_deref(),
                actions.as_deref().unwrap_or(&[]),
            ),
            _ => String::new(),
        },
    )
}

/// `sc qfailureflag NAME`.
pub(crate) fn qfailureflag(m: &mut Machine, args: &[String], out: &mut Output) -> Exit {
    config2(
        m,
        args,
        super::usage::QFAILUREFLAG,
        ServiceConfig2Level::FailureActionsFlag,
        out,
        |name, v| match v {
            ServiceConfig2::FailureActionsFlag(f) => format::qfailureflag_block(name, f),
            _ => String::new(),
        },
    )
}

/// `sc qsidtype NAME`.
pub(crate) fn qsidtype(m: &mut Machine, args: &[String], out: &mut Output) -> Exit {
    config2(
        m,
        args,
        super::usage::QSIDTYPE,
        ServiceConfig2Level::SidInfo,
        out,
        |name, v| match v {
            ServiceConfig2::SidInfo(t) => format::qsidtype_block(name, t),
            _ => String::new(),
        },
    )
}

/// `sc qprivs NAME [bufsize]`.
pub(crate) fn qprivs(m: &mut Machine, args: &[String], out: &mut Output) -> Exit {
    config2(
        m,
        args,
        super::usage::QPRIVS,
        ServiceConfig2Level::RequiredPrivileges,
        out,
        |name, v| match v {
            ServiceConfig2::RequiredPrivileges(p) => format::qprivs_block(name, &p),
            _ => String::new(),
        },
    )
}

/// `sc qtriggerinfo NAME [bufsize]`.
pub(crate) fn qtriggerinfo(m: &mut Machine, args: &[String], out: &mut Output) -> Exit {
    config2(
        m,
        args,
        super::usage::QTRIGGERINFO,
        ServiceConfig2Level::TriggerInfo,
        out,
        |name, v| match v {
            ServiceConfig2::TriggerInfo(t) => format::qtriggerinfo_block(name, &t),
            _ => String::new(),
        },
    )
}

/// `sc enumdepend NAME [bufsize]`: every dependent, in any state.
pub(crate) fn enumdepend(m: &mut Machine, args: &[String], out: &mut Output) -> Exit {
    let Some(name) = args.first().filter(|_| bufsize_ok(args)) else {
        return usage(out, super::usage::ENUMDEPEND);
    };
    let (mut sc, h) = match super::open_service(m, name, SERVICE_ENUMERATE_DEPENDENTS, out) {
        Ok(x) => x,
        Err(exit) => return exit,
    };
    match sc.enum_dependent_services(h, ServiceStateFilter::ALL) {
        Ok(list) => {
            let mut text = format!(
                "[SC] EnumDependentServices: entriesread = {}\n\n",
                list.len()
            );
            for s in &list {
                text += &format::status_block(
                    &s.service_name,
                    Some(&s.display_name),
                    &s.status,
                    StatusLayout::Query,
                );
            }
            out.out(&text);
            Exit::ok()
        }
        Err(e) => failed(out, "EnumDependentServices", e, false),
    }
}

fn lookup(
    m: &mut Machine,
    args: &[String],
    usage_text: &str,
    api: &str,
    out: &mut Output,
    f: impl FnOnce(&mut Sc, ScHandle, &str) -> Result<String, Win32Error>,
) -> Exit {
    let Some(name) = args.first().filter(|_| bufsize_ok(args)) else {
        return usage(out, usage_text);
    };
    let mut sc = Sc::new(m);
    let scm = match sc.manager(SC_MANAGER_CONNECT) {
        Ok(h) => h,
        Err(e) => return failed(out, "OpenSCManager", e, false),
    };
    match f(&mut sc, scm, name) {
        Ok(v) => {
            out.out(&format!("[SC] {api} SUCCESS\nName = {v}\n"));
            Exit::ok()
        }
        Err(e) => failed(out, api, e, false),
    }
}

/// `sc getdisplayname KEY [bufsize]`.
pub(crate) fn getdisplayname(m: &mut Machine, args: &[String], out: &mut Output) -> Exit {
    lookup(
        m,
        args,
        super::usage::GETDISPLAYNAME,
        "GetServiceDisplayName",
        out,
        |sc, scm, n| sc.get_service_display_name(scm, n),
    )
}

/// `sc getkeyname "DISPLAY NAME" [bufsize]`.
pub(crate) fn getkeyname(m: &mut Machine, args: &[String], out: &mut Output) -> Exit {
    lookup(
        m,
        args,
        super::usage::GETKEYNAME,
        "GetServiceKeyName",
        out,
        |sc, scm, n| sc.get_service_key_name(scm, n),
    )
}
