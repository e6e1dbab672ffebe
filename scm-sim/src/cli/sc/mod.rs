//! `scm-sim sc …`: sc.exe on the simulated machine. Same syntax (`sc [\\server] command
//! [service name] option= value …`, commands case-insensitive), same output and the same exit
//! codes: the Win32 error of the failing call, 1639 after a usage text, 0 on success.
//!
//! | file | commands |
//! |---|---|
//! | `query` | query, queryex (one service or an enumeration), qc, qdescription, qfailure, qfailureflag, qsidtype, qprivs, qtriggerinfo, enumdepend, getdisplayname, getkeyname |
//! | `control` | start, stop, pause, continue, interrogate, control |
//! | `config` | create, config, description, failure, failureflag, sidtype, privs, triggerinfo, delete |
//! | `triggers` | parsing `sc triggerinfo` options |
//! | [`format`](mod@format) | the output blocks |
//! | `usage` | the help texts |
//!
//! Each command opens the handles sc.exe opens and closes them before it returns (so a
//! deleted, stopped service disappears as soon as `sc delete` ends, as on Windows).

mod config;
mod control;
pub mod format;
mod query;
pub(crate) mod triggers;
mod usage;

use crate::error::Win32Error;
use crate::scm::access::{ScmAccess, ServiceAccess};
use crate::scm::{CreateServiceParams, ScHandle};
use crate::Machine;

use super::output::Output;
use super::session::{Exit, Session};

/// The sc commands the simulator does not model yet, with the API sc.exe would call.
const NOT_YET: &[(&str, &str)] = &[
    ("managedaccount", "ChangeServiceConfig2"),
    ("qmanagedaccount", "QueryServiceConfig2"),
    ("preferrednode", "ChangeServiceConfig2"),
    ("qpreferrednode", "QueryServiceConfig2"),
    ("qprotection", "QueryServiceConfig2"),
    ("quserservice", "QueryServiceConfig2"),
    ("sdshow", "QueryServiceObjectSecurity"),
    ("sdset", "SetServiceObjectSecurity"),
    ("showsid", "LookupAccountName"),
    ("boot", "NotifyBootConfigStatus"),
    ("lock", "LockServiceDatabase"),
    ("querylock", "QueryServiceLockStatus"),
];

/// Runs `sc ARGS…`.
pub(crate) fn run(session: &mut Session, args: &[String], out: &mut Output) -> Exit {
    let mut args = args;
    // `sc \\server …`: the simulated machine is the only one; any server name reaches it.
    if args.first().is_some_and(|a| a.starts_with("\\\\")) {
        args = &args[1..];
    }
    let Some(cmd) = args.first() else {
        return usage(out, usage::MAIN);
    };
    let rest = &args[1..];
    let m = &mut session.machine;
    match cmd.to_ascii_lowercase().as_str() {
        "query" => query::query(m, rest, StatusLayoutArg::Query, out),
        "queryex" => query::query(m, rest, StatusLayoutArg::QueryEx, out),
        "qc" => query::qc(m, rest, out),
        "qdescription" => query::qdescription(m, rest, out),
        "qfailure" => query::qfailure(m, rest, out),
        "qfailureflag" => query::qfailureflag(m, rest, out),
        "qsidtype" => query::qsidtype(m, rest, out),
        "qprivs" => query::qprivs(m, rest, out),
        "qtriggerinfo" => query::qtriggerinfo(m, rest, out),
        "enumdepend" => query::enumdepend(m, rest, out),
        "getdisplayname" => query::getdisplayname(m, rest, out),
        "getkeyname" => query::getkeyname(m, rest, out),
        "start" => control::start(m, rest, out),
        "stop" => control::simple(m, rest, control::Simple::Stop, out),
        "pause" => control::simple(m, rest, control::Simple::Pause, out),
        "continue" => control::simple(m, rest, control::Simple::Continue, out),
        "interrogate" => control::simple(m, rest, control::Simple::Interrogate, out),
        "control" => control::control(m, rest, out),
        "create" => config::create(m, rest, out),
        "config" => config::config(m, rest, out),
        "description" => config::description(m, rest, out),
        "failure" => config::failure(m, rest, out),
        "failureflag" => config::failureflag(m, rest, out),
        "sidtype" => config::sidtype(m, rest, out),
        "privs" => config::privs(m, rest, out),
        "triggerinfo" => config::triggerinfo(m, rest, out),
        "delete" => config::delete(m, rest, out),
        other => match NOT_YET.iter().find(|(c, _)| *c == other) {
            Some((_, api)) => {
                out.out(&format::failure_block(
                    api,
                    Win32Error::CALL_NOT_IMPLEMENTED,
                ));
                Exit::code(Win32Error::CALL_NOT_IMPLEMENTED.code() as i32)
            }
            None => {
                out.out("ERROR:  Unrecognized command\n\n");
                usage(out, usage::MAIN)
            }
        },
    }
}

/// Which query command runs (`query` or `queryex`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StatusLayoutArg {
    Query,
    QueryEx,
}

/// Prints a usage text; exit code 1639 (ERROR_INVALID_COMMAND_LINE).
pub(crate) fn usage(out: &mut Output, text: &str) -> Exit {
    out.out(text);
    Exit::code(Win32Error::INVALID_COMMAND_LINE.code() as i32)
}

/// Prints a failure block; exit code the error's.
/// Opens the SCM (connect) and a service with `access`; prints sc's failure itself.
pub(crate) fn open_service<'a>(
    m: &'a mut Machine,
    name: &str,
    access: ServiceAccess,
    out: &mut Output,
) -> Result<(Sc<'a>, ScHandle), Exit> {
    let mut sc = Sc::new(m);
    let scm = sc
        .manager(crate::scm::access::SC_MANAGER_CONNECT)
        .map_err(|e| failed(out, "OpenSCManager", e, false))?;
    let h = sc
        .service(scm, name, access)
        .map_err(|e| failed(out, "OpenService", e, false))?;
    Ok((sc, h))
}

pub(crate) fn failed(out: &mut Output, context: &str, e: Win32Error, touched: bool) -> Exit {
    out.out(&format::failure_block(context, e));
    Exit {
        code: e.code() as i32,
        touched,
        rejected: false,
    }
}

/// `name= value` options after a command: lower-cased names (with their `=`) and values, in
/// order. `None` when a word is not one of `allowed` or a value is missing.
pub(crate) fn parse_options(args: &[String], allowed: &[&str]) -> Option<Vec<(String, String)>> {
    let mut opts = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let name = args[i].to_ascii_lowercase();
        if !allowed.contains(&name.as_str()) {
            return None;
        }
        let value = args.get(i + 1)?;
        opts.push((name, value.clone()));
        i += 2;
    }
    Some(opts)
}

/// The handles one sc command opened; closed (services first) when dropped.
///
/// Every call goes through the machine's blocking API ([`Machine::call_blocking`]: run the
/// call, then settle), reached through `Deref`; `Sc` adds only the caller sc.exe runs as and
/// the bookkeeping of the handles to close: open and create through [`Sc::manager`],
/// [`Sc::service`] and [`Sc::create`] (not the machine's methods) so the handles are closed.
/// The one exception to settling is [`Sc::start_unsettled`], where sc.exe prints the status
/// right after StartService returned.
pub(crate) struct Sc<'a> {
    m: &'a mut Machine,
    opened: Vec<ScHandle>,
}

impl std::ops::Deref for Sc<'_> {
    type Target = Machine;
    fn deref(&self) -> &Machine {
        self.m
    }
}

impl std::ops::DerefMut for Sc<'_> {
    fn deref_mut(&mut self) -> &mut Machine {
        self.m
    }
}

impl<'a> Sc<'a> {
    pub(crate) fn new(m: &'a mut Machine) -> Sc<'a> {
        Sc {
            m,
            opened: Vec::new(),
        }
    }

    /// OpenSCManager, as the administrator reg.exe and sc.exe run as.
    pub(crate) fn manager(&mut self, access: ScmAccess) -> Result<ScHandle, Win32Error> {
        let caller = crate::cli::reg::caller();
        let h = self
            .m
            .call_blocking(|scm| async move { scm.open_sc_manager(&caller, access) })?;
        self.opened.push(h);
        Ok(h)
    }

    /// OpenService (the handle is closed with the others).
    pub(crate) fn service(
        &mut self,
        scm: ScHandle,
        name: &str,
        access: ServiceAccess,
    ) -> Result<ScHandle, Win32Error> {
        let h = self.m.open_service(scm, name, access)?;
        self.opened.push(h);
        Ok(h)
    }

    /// CloseServiceHandle of a handle this command opened.
    pub(crate) fn close(&mut self, h: ScHandle) -> Result<(), Win32Error> {
        self.opened.retain(|x| *x != h);
        self.m.close_service_handle(h)
    }

    /// CreateService (the handle it returns is closed with the others).
    pub(crate) fn create(
        &mut self,
        scm: ScHandle,
        p: &CreateServiceParams,
    ) -> Result<ScHandle, Win32Error> {
        let h = self.m.create_service(scm, p)?;
        self.opened.push(h);
        Ok(h)
    }

    /// StartService; returns when ServiceMain runs, without settling
    /// ([`Machine::call_unsettled`]): `sc start` prints the status right after.
    pub(crate) fn start_unsettled(&mut self, h: ScHandle, args: &[&str]) -> Result<(), Win32Error> {
        self.m
            .call_unsettled(|scm| async move { scm.start_service(h, args).await })
    }
}

impl Drop for Sc<'_> {
    fn drop(&mut self) {
        while let Some(h) = self.opened.pop() {
            let _ = self.m.close_service_handle(h);
        }
    }
}
