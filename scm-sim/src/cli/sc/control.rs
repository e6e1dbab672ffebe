//! start, stop, pause, continue, interrogate and control.
//!
//! `sc start` is OpenService + StartService + one QueryServiceStatusEx, printed at once: the
//! status right after StartService returned (usually START_PENDING with the SCM's 2 s wait
//! hint), not a wait for RUNNING. The others are one ControlService each, printing the status
//! it returned. StartService and ControlService take virtual time (a service that never
//! connects fails with 1053 after the pipe timeout).

use crate::scm::access::{
    ServiceAccess, SC_MANAGER_CONNECT, SERVICE_INTERROGATE, SERVICE_PAUSE_CONTINUE,
    SERVICE_QUERY_STATUS, SERVICE_START, SERVICE_STOP, SERVICE_USER_DEFINED_CONTROL,
};
use crate::service::ServiceControl;
use crate::Machine;

use super::format::{self, StatusLayout};
use super::{failed, usage, Sc};
use crate::cli::output::Output;
use crate::cli::session::Exit;

/// `sc start NAME [args…]`.
pub(crate) fn start(m: &mut Machine, args: &[String], out: &mut Output) -> Exit {
    let Some(name) = args.first() else {
        return usage(out, super::usage::START);
    };
    let mut sc = Sc::new(m);
    let scm = match sc.manager(SC_MANAGER_CONNECT) {
        Ok(h) => h,
        Err(e) => return failed(out, "OpenSCManager", e, false),
    };
    let h = match sc.service(scm, name, SERVICE_START | SERVICE_QUERY_STATUS) {
        Ok(h) => h,
        Err(e) => return failed(out, "StartService: OpenService", e, false),
    };
    let argv: Vec<&str> = args[1..].iter().map(String::as_str).collect();
    if let Err(e) = sc.start_unsettled(h, &argv) {
        return failed(out, "StartService", e, true);
    }
    match sc.query_service_status(h) {
        Ok(s) => {
            out.out(&format::status_block(name, None, &s, StatusLayout::QueryEx));
            Exit::touched(0)
        }
        Err(e) => failed(out, "QueryServiceStatusEx", e, true),
    }
}

/// The controls with a command of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Simple {
    Stop,
    Pause,
    Continue,
    Interrogate,
}

/// `sc stop|pause|continue|interrogate NAME`.
pub(crate) fn simple(m: &mut Machine, args: &[String], which: Simple, out: &mut Output) -> Exit {
    let (text, control, right) = match which {
        Simple::Stop => (super::usage::STOP, ServiceControl::Stop, SERVICE_STOP),
        Simple::Pause => (
            super::usage::PAUSE,
            ServiceControl::Pause,
            SERVICE_PAUSE_CONTINUE,
        ),
        Simple::Continue => (
            super::usage::CONTINUE,
            ServiceControl::Continue,
            SERVICE_PAUSE_CONTINUE,
        ),
        Simple::Interrogate => (
            super::usage::INTERROGATE,
            ServiceControl::Interrogate,
            SERVICE_INTERROGATE,
        ),
    };
    let Some(name) = args.first() else {
        return usage(out, text);
    };
    send(m, name, control, right, out)
}

/// `sc control NAME paramchange|netbindadd|netbindremove|netbindenable|netbinddisable|128-255`.
pub(crate) fn control(m: &mut Machine, args: &[String], out: &mut Output) -> Exit {
    let (Some(name), Some(value)) = (args.first(), args.get(1)) else {
        return usage(out, super::usage::CONTROL);
    };
    let (control, right) = match value.to_ascii_lowercase().as_str() {
        "paramchange" => (ServiceControl::ParamChange, SERVICE_PAUSE_CONTINUE),
        "netbindadd" => (ServiceControl::NetBindAdd, SERVICE_PAUSE_CONTINUE),
        "netbindremove" => (ServiceControl::NetBindRemove, SERVICE_PAUSE_CONTINUE),
        "netbindenable" => (ServiceControl::NetBindEnable, SERVICE_PAUSE_CONTINUE),
        "netbinddisable" => (ServiceControl::NetBindDisable, SERVICE_PAUSE_CONTINUE),
        v => match v.parse::<u8>() {
            Ok(n) if n >= 128 => (ServiceControl::UserDefined(n), SERVICE_USER_DEFINED_CONTROL),
            _ => return usage(out, super::usage::CONTROL),
        },
    };
    send(m, name, control, right, out)
}

fn send(
    m: &mut Machine,
    name: &str,
    control: ServiceControl,
    right: ServiceAccess,
    out: &mut Output,
) -> Exit {
    let mut sc = Sc::new(m);
    let scm = match sc.manager(SC_MANAGER_CONNECT) {
        Ok(h) => h,
        Err(e) => return failed(out, "OpenSCManager", e, false),
    };
    let h = match sc.service(scm, name, right | SERVICE_QUERY_STATUS) {
        Ok(h) => h,
        Err(e) => return failed(out, "OpenService", e, false),
    };
    match sc.control_service(h, control) {
        Ok(s) => {
            out.out(&format::status_block(name, None, &s, StatusLayout::Query));
            Exit::touched(0)
        }
        Err(e) => failed(out, "ControlService", e, true),
    }
}
