//! StartService as the SCM performs it: checks, dependencies first (recursively, groups by
//! their members), START_PENDING with the default wait hint, then the process — reused for a
//! shared image, launched otherwise — must connect its dispatcher within the pipe timeout, and
//! the dispatcher acknowledges the ServiceMain thread. StartService returns then, not when the
//! service is RUNNING.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

use crate::error::Win32Error;
use crate::events::{ScmEvent, TraceKind};
use crate::process::{panic_message, CatchUnwind, DispatchMsg, ProcessContext};
use crate::scm::{Change, Core, ProcessRecord, State};
use crate::service::{ServiceState, ServiceType};

/// SCM settings, read from the registry at boot (ServicesPipeTimeout, WaitToKillServiceTimeout,
/// AutoStartDelay) unless the machine builder overrides them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// How long a started process has to connect its dispatcher, and a handler to return
    /// (ServicesPipeTimeout, default 30 s).
    pub pipe_timeout: Duration,
    /// How long the SCM waits for services at shutdown (WaitToKillServiceTimeout, 5 s).
    pub wait_to_kill: Duration,
    /// Delay of delayed auto-start services after boot (120 s, or Control\AutoStartDelay ms).
    pub auto_start_delay: Duration,
    /// The wait hint the SCM sets with START_PENDING before the service's first report.
    pub initial_wait_hint: Duration,
    /// Images with no program installed run the scripted default service (true), or fail to
    /// start with ERROR_FILE_NOT_FOUND as a missing file would (false).
    pub script_unknown_images: bool,
    /// What follows a hang (a pending state past its wait hint, a handler past the pipe
    /// timeout): Windows leaves the service as it is; a test may prefer to end.
    pub hang_action: HangAction,
    /// Physical memory in KB (default 16 GB).
    pub memory_kb: u64,
    /// `Control\SvcHostSplitThresholdInKB` (default 0x380000 = 3.5 GB): above it svchost
    /// services run one per host.
    pub split_threshold_kb: u64,
    /// The pre-Vista svchost rule: ServiceDll and ServiceMain only from `Parameters`.
    pub svchost_parameters_only: bool,
}

/// What the harness does after a hang is detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HangAction {
    /// Record the violation and leave the service pending, as Windows does.
    #[default]
    LeavePending,
    /// Record the violation and end the test: the next blocking call of the machine panics
    /// with the violation report and its replay token.
    EndTest,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            pipe_timeout: Duration::from_millis(30_000),
            wait_to_kill: Duration::from_millis(5_000),
            auto_start_delay: Duration::from_secs(120),
            initial_wait_hint: Duration::from_millis(2_000),
            script_unknown_images: true,
            hang_action: HangAction::LeavePending,
            memory_kb: 16 * 1024 * 1024,
            split_threshold_kb: 0x0038_0000,
            svchost_parameters_only: false,
        }
    }
}

/// Why a service is being started (QueryServiceDynamicInformation's start reasons).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StartReason {
    Demand,
    Auto,
    DelayedAuto,
    Dependency,
    Trigger,
}

type StartFuture<'a> = Pin<Box<dyn Future<Output = Result<(), Win32Error>> + Send + 'a>>;

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
    /// Starts a service and what it depends on. `chain` holds the services whose start is
    /// waiting for this one (to refuse cycles loaded from a hand-edited registry).
    pub(crate) fn start_service<'a>(
        self: &'a Arc<Core>,
        name: String,
        args: Vec<String>,
        reason: StartReason,
        chain: Vec<String>,
    ) -> StartFuture<'a> {
        Box::pin(async move {
            let key = name.to_ascii_uppercase();
            let deps = {
                let st = self.lock();
                let rec = st.record(&key).ok_or(Win32Error::SERVICE_DOES_NOT_EXIST)?;
                if rec.marked_for_delete {
                    return Err(Win32Error::SERVICE_MARKED_FOR_DELETE);
                }
                if rec.start_type_raw() == 4 {
                    return Err(Win32Error::SERVICE_DISABLED);
                }
                if rec.status().state != ServiceState::Stopped {
                    return Err(Win32Error::SERVICE_ALREADY_RUNNING);
                }
                (rec.depend_on_service(), rec.depend_on_group())
            };
            if chain.contains(&key) {
                return Err(Win32Error::CIRCULAR_DEPENDENCY);
            }
            let mut chain = chain;
            chain.push(key.clone());
            self.start_dependencies(&key, &deps.0, &deps.1, &chain)
                .await?;
            self.start_one(&key, args, reason).await
        })
    }

    async fn start_dependencies(
        self: &Arc<Core>,
        key: &str,
        services: &[String],
        groups: &[String],
        chain: &[String],
    ) -> Result<(), Win32Error> {
        for dep in services {
            let (exists, deleted, disabled, state) = {
                let st = self.lock();
                match st.record(dep) {
                    None => (false, false, false, ServiceState::Stopped),
                    Some(r) => (
                        true,
                        r.marked_for_delete,
                        r.start_type_raw() == 4,
                        r.status().state,
                    ),
                }
            };
            if !exists || deleted {
                let mut st = self.lock();
                let display = st.display_name(key);
                st.event(
                    key,
                    ScmEvent::DependencyMissing {
                        display_name: display,
                        dependency: dep.clone(),
                    },
                );
                return Err(Win32Error::SERVICE_DEPENDENCY_DELETED);
            }
            if disabled {
                self.dependency_failed(key, dep, Win32Error::SERVICE_DISABLED);
                return Err(Win32Error::SERVICE_DEPENDENCY_FAIL);
            }
            if state == ServiceState::Stopped {
                match self
                    .start_service(
                        dep.clone(),
                        Vec::new(),
                        StartReason::Dependency,
                        chain.to_vec(),
                    )
                    .await
                {
                    Ok(()) | Err(Win32Error::SERVICE_ALREADY_RUNNING) => {}
                    Err(Win32Error::CIRCULAR_DEPENDENCY) => {
                        return Err(Win32Error::CIRCULAR_DEPENDENCY)
                    }
                    Err(e) => {
                        self.dependency_failed(key, dep, e);
                        return Err(Win32Error::SERVICE_DEPENDENCY_FAIL);
                    }
                }
            }
            if let Err(e) = self.wait_running(dep).await {
                self.dependency_failed(key, dep, e);
                return Err(Win32Error::SERVICE_DEPENDENCY_FAIL);
            }
        }
        for group in groups {
            let members: Vec<String> = {
                let st = self.lock();
                st.records
                    .values()
                    .filter(|r| r.group().eq_ignore_ascii_case(group) && !r.marked_for_delete)
                    .map(|r| r.name.to_string())
                    .collect()
            };
            let mut any_running = false;
            for m in members {
                let state = self.state_of(&m);
                if state == Some(ServiceState::Stopped) {
                    let _ = self
                        .start_service(
                            m.clone(),
                            Vec::new(),
                            StartReason::Dependency,
                            chain.to_vec(),
                        )
                        .await;
                }
                if self.wait_running(&m).await.is_ok() {
                    any_running = true;
                }
            }
            if !any_running {
                let mut st = self.lock();
                let display = st.display_name(key);
                st.event(
                    key,
                    ScmEvent::DependOnGroupFailed {
                        display_name: display,
                        group: group.clone(),
                    },
                );
                return Err(Win32Error::SERVICE_DEPENDENCY_FAIL);
            }
        }
        // A dependency started earlier may have stopped while later ones were starting.
        for dep in services {
            let state = self.state_of(dep).unwrap_or(ServiceState::Stopped);
            if matches!(state, ServiceState::Stopped | ServiceState::StopPending) {
                let code = self
                    .lock()
                    .record(dep)
                    .map(|r| r.status().win32_exit_code)
                    .filter(|c| *c != 0)
                    .unwrap_or(Win32Error::SERVICE_NOT_ACTIVE.code());
                self.dependency_failed(key, dep, Win32Error(code));
                return Err(Win32Error::SERVICE_DEPENDENCY_FAIL);
            }
        }
        Ok(())
    }

    fn dependency_failed(&self, key: &str, dep: &str, error: Win32Error) {
        let mut st = self.lock();
        let display = st.display_name(key);
        let dep_display = st.display_name(dep);
        st.event(
            key,
            ScmEvent::DependencyFailed {
                display_name: display,
                dependency_display_name: dep_display,
                error,
            },
        );
    }

    /// Waits until a service leaves its start: Ok when RUNNING (or paused), the recorded
    /// exit error when it stops, ERROR_SERVICE_START_HANG when its checkpoint stalls past its
    /// wait hint.
    pub(crate) async fn wait_running(&self, name: &str) -> Result<(), Win32Error> {
        let key = name.to_ascii_uppercase();
        loop {
            let (waiters, deadline) = {
                let st = self.lock();
                let r = st.record(&key).ok_or(Win32Error::SERVICE_DOES_NOT_EXIST)?;
                if let Some(outcome) = start_outcome(r) {
                    return outcome;
                }
                (r.waiters.clone(), r.progress_deadline())
            };
            // Arm the record's notification, then re-check: a change may have slipped in.
            let notified = waiters.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let now = {
                let st = self.lock();
                let r = st.record(&key).ok_or(Win32Error::SERVICE_DOES_NOT_EXIST)?;
                if let Some(outcome) = start_outcome(r) {
                    return outcome;
                }
                st.now()
            };
            tokio::select! {
                biased;
                _ = &mut notified => {}
                _ = tokio::time::sleep(deadline.saturating_sub(now)) => {
                    let st = self.lock();
                    let overdue = st.record(&key).is_some_and(|r| {
                        r.status().state == ServiceState::StartPending
                            && r.progress_deadline() <= st.now()
                    });
                    if overdue {
                        return Err(Win32Error::SERVICE_START_HANG);
                    }
                }
            }
        }
    }

    /// Starts one service whose dependencies run: the process part of StartService.
    async fn start_one(
        self: &Arc<Core>,
        key: &str,
        args: Vec<String>,
        reason: StartReason,
    ) -> Result<(), Win32Error> {
        let launch = {
            let mut st = self.lock();
            let st = &mut *st;
            let rec = st
                .records
                .get_mut(key)
                .ok_or(Win32Error::SERVICE_DOES_NOT_EXIST)?;
            if rec.status().state != ServiceState::Stopped {
                return Err(Win32Error::SERVICE_ALREADY_RUNNING);
            }
            if rec.service_type().is_driver() {
                self.driver_started(st, key);
                None
            } else {
                st.next_instance += 1;
                let instance = st.next_instance;
                let wait_hint = st.settings.initial_wait_hint;
                self.transition(
                    st,
                    key,
                    Change::StartRequested {
                        instance,
                        wait_hint,
                    },
                );
                let overlap: Vec<String> = st
                    .ledger
                    .work
                    .values()
                    .filter(|w| {
                        w.alive && w.service.eq_ignore_ascii_case(key) && w.instance < instance
                    })
                    .map(|w| w.describe())
                    .collect();
                if !overlap.is_empty() {
                    self.violation(
                        st,
                        crate::sim::Rule::RestartOverlap,
                        key,
                        format!("started again while alive: {}", overlap.join("; ")),
                    );
                }
                let rec = st.records.get_mut(key).expect("checked");
                rec.start_reason = Some(reason);
                let name = rec.name.to_string();
                let mut argv = vec![name.clone()];
                argv.extend(args);
                Some(self.find_or_launch(st, key, instance, argv))
            }
        };
        self.wake();
        let (pid, instance, argv, launched) = match launch {
            None => return Ok(()),
            Some(Ok(l)) => l,
            Some(Err(e)) => {
                let mut st = self.lock();
                self.fail_start(&mut st, key, e, true);
                drop(st);
                self.wake();
                return Err(e);
            }
        };
        let pipe_timeout = self.lock().settings.pipe_timeout;
        if launched {
            let connected = tokio::time::timeout(
                pipe_timeout,
                self.wait_until(|st| {
                    st.processes
                        .get(&pid)
                        .is_none_or(|p| p.connected || p.exited)
                }),
            )
            .await;
            let mut st = self.lock();
            let alive_and_connected = st
                .processes
                .get(&pid)
                .is_some_and(|p| p.connected && !p.exited);
            if !alive_and_connected {
                if connected.is_err() {
                    let display = st.display_name(key);
                    let name = st
                        .record(key)
                        .map(|r| r.name.to_string())
                        .unwrap_or_default();
                    st.trace_with(|| TraceKind::Timeout {
                        service: Some(name.into()),
                        what: "dispatcher connect".into(),
                        after_ms: pipe_timeout.as_millis() as u64,
                    });
                    st.event(
                        key,
                        ScmEvent::ConnectTimeout {
                            timeout_ms: pipe_timeout.as_millis() as u32,
                            display_name: display,
                        },
                    );
                }
                self.fail_start(&mut st, key, Win32Error::SERVICE_REQUEST_TIMEOUT, true);
                let kill = st
                    .processes
                    .get(&pid)
                    .is_some_and(|p| p.services.is_empty());
                drop(st);
                if kill {
                    self.kill_process(pid, "did not connect its dispatcher");
                }
                self.wake();
                return Err(Win32Error::SERVICE_REQUEST_TIMEOUT);
            }
        }
        // The start packet: the dispatcher creates the ServiceMain "thread" and acknowledges.
        let (tx, rx) = oneshot::channel();
        let sent = {
            let mut st = self.lock();
            let (name, shared) = st
                .record(key)
                .map(|r| (r.name.to_string(), r.shared_name()))
                .unwrap_or_else(|| (String::new(), "".into()));
            st.trace_with(|| TraceKind::ServiceMainCalled {
                service: shared,
                pid,
                args: argv.as_slice().into(),
            });
            st.processes.get(&pid).map(|p| {
                p.sender
                    .send(DispatchMsg::Start {
                        service: name,
                        args: argv,
                        instance,
                        reply: tx,
                    })
                    .is_ok()
            })
        };
        let code = if sent == Some(true) {
            match tokio::time::timeout(pipe_timeout, rx).await {
                Ok(Ok(code)) => code,
                Ok(Err(_)) => Win32Error::SERVICE_REQUEST_TIMEOUT.code(),
                Err(_) => {
                    let mut st = self.lock();
                    let display = st.display_name(key);
                    st.event(
                        key,
                        ScmEvent::TransactionTimeout {
                            timeout_ms: pipe_timeout.as_millis() as u32,
                            display_name: display,
                        },
                    );
                    Win32Error::SERVICE_REQUEST_TIMEOUT.code()
                }
            }
        } else {
            Win32Error::SERVICE_REQUEST_TIMEOUT.code()
        };
        if code != 0 {
            let mut st = self.lock();
            // Only fail the start if this instance is still the one starting.
            if st.record(key).is_some_and(|r| {
                r.instance() == instance && r.status().state != ServiceState::Stopped
            }) {
                self.fail_start(&mut st, key, Win32Error(code), true);
            }
            drop(st);
            self.wake();
            return Err(Win32Error(code));
        }
        {
            // ServiceMain runs: from now on the wait hint applies.
            let mut st = self.lock();
            let starting = st.record(key).is_some_and(|r| {
                r.instance() == instance
                    && r.awaiting_dispatcher()
                    && r.status().state == ServiceState::StartPending
            });
            if starting {
                self.transition(&mut st, key, Change::ServiceMainRunning);
            }
        }
        self.wake();
        Ok(())
    }

    /// Picks the process for a start: the running process of a shared image (checking the
    /// account), or a new one. Returns (pid, instance, argv, launched).
    fn find_or_launch(
        self: &Arc<Core>,
        st: &mut State,
        key: &str,
        instance: u64,
        argv: Vec<String>,
    ) -> Result<(u32, u64, Vec<String>, bool), Win32Error> {
        let plan = crate::svchost::host_plan(st, key).ok_or(Win32Error::SERVICE_DOES_NOT_EXIST)?;
        let rec = st.records.get_mut(key).expect("caller checked");
        let configured_share = rec.service_type().contains(ServiceType::SHARE_PROCESS);
        rec.runtime_type = (plan.split && configured_share).then_some(ServiceType::WIN32);
        let account = rec.account();
        let command_line = plan.command_line.clone();
        let image = executable_of(&command_line);
        let image_key = plan.identity.clone();
        let shared = plan.shared;
        if shared {
            let existing = st
                .processes
                .values()
                .find(|p| !p.own_process && !p.exited && p.image_key == image_key)
                .map(|p| (p.pid, p.account.clone()));
            if let Some((pid, acct)) = existing {
                if !same_account(&acct, &account) {
                    return Err(Win32Error::DIFFERENT_SERVICE_ACCOUNT);
                }
                let p = st.processes.get_mut(&pid).expect("found");
                p.services.insert(key.to_string());
                self.transition(st, key, Change::HostAssigned { pid });
                return Ok((pid, instance, argv, false));
            }
        }
        let program: Arc<dyn crate::service::Program> = match (
            &plan.group,
            st.processes
                .programs
                .by_image
                .get(&image.to_ascii_uppercase()),
        ) {
            (_, Some(p)) => p.clone(),
            (Some(_), None) => Arc::new(crate::svchost::SvchostProgram),
            (None, None) if st.settings.script_unknown_images => {
                crate::service::scripted::program()
            }
            (None, None) => return Err(Win32Error::FILE_NOT_FOUND),
        };
        let pid = st.processes.allocate_pid(&mut st.rng);
        let (tx, rx) = mpsc::unbounded_channel();
        let handlers = Arc::new(Mutex::new(Default::default()));
        let ctx = ProcessContext {
            core: self.clone(),
            pid,
            image: image.clone(),
            command_line: command_line.clone(),
            own_process: !shared,
            handlers,
            inbox: Arc::new(Mutex::new(Some(rx))),
        };
        let mut services = std::collections::BTreeSet::new();
        services.insert(key.to_string());
        st.processes.insert(
            pid,
            ProcessRecord {
                pid,
                image: image.clone(),
                image_key,
                command_line: command_line.clone(),
                dlls: Default::default(),
                busy: None,
                account,
                own_process: !shared,
                services,
                connected: false,
                exited: false,
                sender: tx,
                tasks: Vec::new(),
            },
        );
        self.transition(st, key, Change::HostAssigned { pid });
        st.trace_with(|| TraceKind::ProcessStarted {
            pid,
            image: command_line.into(),
        });
        let core = self.clone();
        let main = self.spawn(async move {
            match CatchUnwind::new(program.main(ctx)).await {
                Ok(code) => core.process_exited(pid, code, None),
                Err(panic) => core.process_exited(pid, 1067, Some(panic_message(&panic))),
            }
        });
        st.processes
            .get_mut(&pid)
            .expect("inserted")
            .tasks
            .push(main.abort_handle());
        Ok((pid, instance, argv, true))
    }

    /// A driver "starts" at once: RUNNING, pid 0, accepting STOP.
    fn driver_started(&self, st: &mut State, key: &str) {
        self.transition(st, key, Change::DriverLoaded);
    }

    /// Ends a failed start: STOPPED, pid 0, the error as exit code, event 7000.
    pub(crate) fn fail_start(&self, st: &mut State, key: &str, error: Win32Error, log: bool) {
        let Some(pid) = st.record(key).map(|r| r.pid()) else {
            return;
        };
        self.transition(st, key, Change::StartFailed(error));
        let exit_process = match st.processes.get_mut(&pid) {
            Some(p) => {
                p.services.remove(key);
                p.services.is_empty() && p.connected
            }
            None => false,
        };
        if exit_process {
            if let Some(p) = st.processes.get(&pid) {
                let _ = p.sender.send(DispatchMsg::Exit);
            }
        }
        if log {
            let display = st.display_name(key);
            st.event(
                key,
                ScmEvent::StartFailed {
                    display_name: display,
                    error,
                },
            );
        }
        super::api::purge_if_deleted(st, key);
    }
}

/// How a start ended as far as a waiter is concerned: `None` while START_PENDING, Ok once
/// running (or paused), the exit error once stopping or stopped.
fn start_outcome(r: &crate::scm::ServiceRecord) -> Option<Result<(), Win32Error>> {
    let status = r.status();
    match status.state {
        ServiceState::StartPending => None,
        ServiceState::Stopped | ServiceState::StopPending => {
            let code = status.win32_exit_code;
            Some(Err(if code == 0 || code == 1077 {
                Win32Error::SERVICE_NOT_ACTIVE
            } else {
                Win32Error(code)
            }))
        }
        _ => Some(Ok(())),
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
