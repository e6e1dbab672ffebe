//! SCM settings: the timeouts and limits read from the registry at boot, unless the machine
//! builder overrides them, and what the harness does after a hang.

use std::time::Duration;

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
