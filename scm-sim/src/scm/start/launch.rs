//! Where a start runs: the host plan (own process, shared image, svchost group), an existing
//! shared process with the same account, or a new process running the image's program.

use std::sync::{Arc, Mutex};

use crate::error::Win32Error;
use crate::events::TraceKind;
use crate::process::{panic_message, CatchUnwind, ProcessContext};
use crate::scm::{Change, Core, ProcessRecord, State};
use crate::service::ServiceType;

/// A start's process: its pid, the instance starting, ServiceMain's argv, and whether the
/// process was just launched (its dispatcher must still connect).
#[derive(Debug)]
pub(crate) struct Launch {
    pub(crate) pid: u32,
    pub(crate) instance: u64,
    pub(crate) argv: Vec<String>,
    pub(crate) launched: bool,
}

/// Splits an ImagePath into the executable and the whole command line, as CreateProcess
/// would find the executable: a quoted first token, else everything up to `.exe`, else the
/// first word.
pub(crate) fn executable_of(command_line: &str) -> String {
    let t = command_line.trim_start();
    if let Some(rest) = t.strip_prefix('"') {
        return rest.split('"').next().unwrap_or("").to_string();
    }
    let lower = t.to_ascii_lowercase();
    if let Some(i) = lower.find(".exe") {
        let end = i + 4;
        if end == t.len() || t.as_bytes()[end] == b' ' {
            return t[..end].to_string();
        }
    }
    t.split(' ').next().unwrap_or("").to_string()
}

impl Core {
    /// Picks the process for a start: the running process of a shared image (checking the
    /// account), or a new one.
    pub(super) fn find_or_launch(
        self: &Arc<Core>,
        st: &mut State,
        key: &str,
        instance: u64,
        argv: Vec<String>,
    ) -> Result<Launch, Win32Error> {
        let plan = crate::scm::svchost_host::plan_for(st, key)
            .ok_or(Win32Error::SERVICE_DOES_NOT_EXIST)?;
        let rec = st
            .records
            .get_mut(key)
            .ok_or(Win32Error::SERVICE_DOES_NOT_EXIST)?;
        let configured_share = rec.service_type().contains(ServiceType::SHARE_PROCESS);
        rec.runtime_type = (plan.split && configured_share).then_some(ServiceType::WIN32);
        let account = rec.account();
        if plan.shared {
            if let Some(pid) = self.join_shared_host(st, key, &plan.identity, &account)? {
                return Ok(Launch {
                    pid,
                    instance,
                    argv,
                    launched: false,
                });
            }
        }
        let pid = self.launch_process(st, key, &plan, account)?;
        Ok(Launch {
            pid,
            instance,
            argv,
            launched: true,
        })
    }

    /// A running shared process of the same image takes the service, if there is one; a
    /// different account is ERROR_DIFFERENT_SERVICE_ACCOUNT (1079).
    fn join_shared_host(
        &self,
        st: &mut State,
        key: &str,
        image_key: &str,
        account: &str,
    ) -> Result<Option<u32>, Win32Error> {
        let existing = st
            .processes
            .values()
            .find(|p| !p.own_process && !p.exited && p.image_key == image_key)
            .map(|p| (p.pid, p.account.clone()));
        let Some((pid, host_account)) = existing else {
            return Ok(None);
        };
        if !same_account(&host_account, account) {
            return Err(Win32Error::DIFFERENT_SERVICE_ACCOUNT);
        }
        if let Some(p) = st.processes.get_mut(&pid) {
            p.services.insert(key.to_string());
        }
        self.transition(st, key, Change::HostAssigned { pid });
        Ok(Some(pid))
    }

    /// Launches a new process for `key`: the image's installed program, the svchost program
    /// for a group, the scripted default service (or ERROR_FILE_NOT_FOUND, 2) otherwise.
    fn launch_process(
        self: &Arc<Core>,
        st: &mut State,
        key: &str,
        plan: &crate::svchost::HostPlan,
        account: String,
    ) -> Result<u32, Win32Error> {
        let command_line: Arc<str> = plan.command_line.as_str().into();
        let image: Arc<str> = executable_of(&command_line).into();
        let installed = st
            .processes
            .programs
            .by_image
            .get(&image.to_ascii_uppercase());
        let program: Arc<dyn crate::service::Program> = match (&plan.group, installed) {
            (_, Some(p)) => p.clone(),
            (Some(_), None) => Arc::new(crate::svchost::SvchostProgram::new(self.clone())),
            (None, None) if st.settings.script_unknown_images => {
                crate::service::scripted::program(self.clone())
            }
            (None, None) => return Err(Win32Error::FILE_NOT_FOUND),
        };
        let pid = st.processes.allocate_pid(&mut st.rng);
        let (tx, rx) = crate::process::inbox();
        let host: Arc<dyn crate::process::Host> = self.clone();
        let ctx = ProcessContext {
            host,
            pid,
            image: image.clone(),
            command_line: command_line.clone(),
            own_process: !plan.shared,
            handlers: Arc::new(Mutex::new(Default::default())),
            inbox: Arc::new(Mutex::new(Some(rx))),
        };
        let record = ProcessRecord {
            pid,
            image,
            image_key: plan.identity.clone(),
            command_line: command_line.clone(),
            dlls: Default::default(),
            busy: None,
            account,
            own_process: !plan.shared,
            services: std::iter::once(key.to_string()).collect(),
            connected: false,
            exited: false,
            sender: tx,
            tasks: Vec::new(),
        };
        st.processes.insert(pid, record);
        self.transition(st, key, Change::HostAssigned { pid });
        st.trace_with(|| TraceKind::ProcessStarted {
            pid,
            image: command_line,
        });
        let core = self.clone();
        let main = self.spawn(async move {
            match CatchUnwind::new(program.main(ctx)).await {
                Ok(code) => core.process_exited(pid, code, None),
                Err(panic) => core.process_exited(pid, 1067, Some(panic_message(&panic))),
            }
        });
        if let Some(p) = st.processes.get_mut(&pid) {
            p.tasks.push(main.abort_handle());
        }
        Ok(pid)
    }
}

fn same_account(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        let l = s.to_ascii_lowercase();
        if l.is_empty()
            || l == "localsystem"
            || l == ".\\localsystem"
            || l == "nt authority\\system"
        {
            "localsystem".to_string()
        } else {
            l
        }
    };
    norm(a) == norm(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executables_are_found_as_createprocess_finds_them() {
        assert_eq!(
            executable_of(r"C:\Windows\system32\svchost.exe -k netsvcs -p"),
            r"C:\Windows\system32\svchost.exe"
        );
        assert_eq!(
            executable_of(r#""C:\Program Files\App\app.exe" --service"#),
            r"C:\Program Files\App\app.exe"
        );
        assert_eq!(
            executable_of(r"C:\Program Files\App\app.exe"),
            r"C:\Program Files\App\app.exe"
        );
        assert_eq!(executable_of(r"C:\svc\run.bat arg"), r"C:\svc\run.bat");
    }

    #[test]
    fn accounts_compare_like_the_scm() {
        assert!(same_account("", "LocalSystem"));
        assert!(same_account(
            "NT AUTHORITY\\LocalService",
            "nt authority\\localservice"
        ));
        assert!(!same_account("LocalSystem", "NT AUTHORITY\\LocalService"));
    }
}
