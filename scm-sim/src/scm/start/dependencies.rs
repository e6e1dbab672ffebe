//! A start's dependencies: every DependOnService entry started first and RUNNING, at least
//! one member of every DependOnGroup group RUNNING, with events 7001/7003/7002 when not.

use std::sync::Arc;

use crate::error::Win32Error;
use crate::events::ScmEvent;
use crate::scm::Core;
use crate::service::ServiceState;

use super::StartReason;

impl Core {
    /// Starts what `key` depends on: each DependOnService service (started if stopped and
    /// waited for until RUNNING), then each DependOnGroup group (at least one member RUNNING),
    /// then re-checks the services (one may have stopped meanwhile).
    pub(super) async fn start_dependencies(
        self: &Arc<Core>,
        key: &str,
        services: &[String],
        groups: &[String],
        chain: &[String],
    ) -> Result<(), Win32Error> {
        for dep in services {
            self.start_dependency(key, dep, chain).await?;
        }
        for group in groups {
            self.start_group(key, group, chain).await?;
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

    /// One DependOnService entry: missing or deleted is 1075 with event 7003; disabled or
    /// failing to start is 1068 with event 7001.
    async fn start_dependency(
        self: &Arc<Core>,
        key: &str,
        dep: &str,
        chain: &[String],
    ) -> Result<(), Win32Error> {
        let found = {
            let st = self.lock();
            st.record(dep)
                .filter(|r| !r.marked_for_delete)
                .map(|r| (r.start_type_raw() == 4, r.status().state))
        };
        let Some((disabled, state)) = found else {
            let mut st = self.lock();
            let display = st.display_name(key);
            let missing = ScmEvent::DependencyMissing {
                display_name: display,
                dependency: dep.to_string(),
            };
            st.event(key, missing);
            return Err(Win32Error::SERVICE_DEPENDENCY_DELETED);
        };
        if disabled {
            self.dependency_failed(key, dep, Win32Error::SERVICE_DISABLED);
            return Err(Win32Error::SERVICE_DEPENDENCY_FAIL);
        }
        if state == ServiceState::Stopped {
            let started = self
                .start_service(
                    dep.to_string(),
                    Vec::new(),
                    StartReason::Dependency,
                    chain.to_vec(),
                )
                .await;
            match started {
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
        Ok(())
    }

    /// One DependOnGroup entry: every stopped member is started; at least one must run, else
    /// 1068 with event 7002.
    async fn start_group(
        self: &Arc<Core>,
        key: &str,
        group: &str,
        chain: &[String],
    ) -> Result<(), Win32Error> {
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
            if self.state_of(&m) == Some(ServiceState::Stopped) {
                let reason = StartReason::Dependency;
                let _ = self
                    .start_service(m.clone(), Vec::new(), reason, chain.to_vec())
                    .await;
            }
            if self.wait_running(&m).await.is_ok() {
                any_running = true;
            }
        }
        if any_running {
            return Ok(());
        }
        let mut st = self.lock();
        let display = st.display_name(key);
        let failed = ScmEvent::DependOnGroupFailed {
            display_name: display,
            group: group.to_string(),
        };
        st.event(key, failed);
        Err(Win32Error::SERVICE_DEPENDENCY_FAIL)
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
        let key = crate::service::ServiceName::fold(name).into_owned();
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
