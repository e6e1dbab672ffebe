//! The insertion strings of an [`ScmEvent`] (%1, %2, …), as Event Viewer resolves them: error
//! codes turned into their message text, states and start types into their logged words.

use super::insert::error_insertion;
use super::scm_event::ScmEvent;
use crate::Win32Error;

impl ScmEvent {
    /// The insertion strings %1, %2, … as Event Viewer resolves them (error codes already
    /// turned into their message text).
    pub fn insertion_strings(&self) -> Vec<String> {
        use ScmEvent as E;
        match self {
            E::StartFailed { .. }
            | E::DependencyFailed { .. }
            | E::DependOnGroupFailed { .. }
            | E::DependencyMissing { .. }
            | E::BootDriversFailed { .. }
            | E::LogonFailed { .. }
            | E::LogonTypeNotGranted { .. } => self.start_failure_strings(),
            E::ConnectTimeout { .. }
            | E::TransactionTimeout { .. }
            | E::StartHung { .. }
            | E::PreshutdownFailed { .. }
            | E::RepeatedControlHang { .. }
            | E::SlowStart { .. } => self.timeout_strings(),
            E::BadServiceState { .. }
            | E::ExitFailed { .. }
            | E::ExitFailedSpecific { .. }
            | E::Crash { .. }
            | E::RecoveryFailed { .. }
            | E::CrashNoAction { .. }
            | E::DifferentProcessConnected { .. } => self.exit_strings(),
            E::ControlSent { .. }
            | E::EnteredState { .. }
            | E::StopWithReason { .. }
            | E::StartTypeChanged { .. }
            | E::Installed { .. }
            | E::ServiceMainStart { .. }
            | E::ServiceMainStop { .. } => self.report_strings(),
        }
    }

    /// Insertion strings of the events of a start that could not begin (7000–7003, 7026,
    /// 7038, 7041).
    fn start_failure_strings(&self) -> Vec<String> {
        use ScmEvent as E;
        match self {
            E::StartFailed {
                display_name,
                error,
            } => vec![display_name.clone(), error_insertion(*error)],
            E::DependencyFailed {
                display_name,
                dependency_display_name,
                error,
            } => vec![
                display_name.clone(),
                dependency_display_name.clone(),
                error_insertion(*error),
            ],
            E::DependOnGroupFailed {
                display_name,
                group: other,
            }
            | E::DependencyMissing {
                display_name,
                dependency: other,
            } => vec![display_name.clone(), other.clone()],
            E::BootDriversFailed { drivers } => {
                let list: String = drivers.iter().map(|d| format!("\n{d}")).collect();
                vec![list]
            }
            E::LogonFailed {
                display_name,
                account,
                error,
            } => vec![
                display_name.clone(),
                account.clone(),
                error_insertion(*error),
            ],
            E::LogonTypeNotGranted {
                display_name,
                account,
            } => vec![display_name.clone(), account.clone()],
            other => unreachable!("not a start-failure event: {other:?}"),
        }
    }

    /// Insertion strings of timeouts and hangs (7009, 7011, 7022, 7043, 7044, 7046, simulator 1).
    fn timeout_strings(&self) -> Vec<String> {
        use ScmEvent as E;
        match self {
            E::ConnectTimeout {
                timeout_ms,
                display_name,
            }
            | E::TransactionTimeout {
                timeout_ms,
                display_name,
            } => vec![timeout_ms.to_string(), display_name.clone()],
            E::StartHung { display_name }
            | E::PreshutdownFailed { display_name }
            | E::RepeatedControlHang { display_name } => vec![display_name.clone()],
            E::SlowStart {
                display_name,
                minutes,
            } => vec![display_name.clone(), minutes.to_string()],
            other => unreachable!("not a timeout event: {other:?}"),
        }
    }

    /// Insertion strings of bad reports, exits and crashes (7016, 7023, 7024, 7031, 7032,
    /// 7034, 7039).
    fn exit_strings(&self) -> Vec<String> {
        use ScmEvent as E;
        match self {
            E::BadServiceState {
                display_name,
                state,
            } => vec![display_name.clone(), state.to_string()],
            E::ExitFailed {
                display_name,
                error,
            } => vec![display_name.clone(), error_insertion(*error)],
            E::ExitFailedSpecific { display_name, code } => {
                vec![display_name.clone(), error_insertion(Win32Error(*code))]
            }
            E::Crash {
                display_name,
                count,
                delay_ms,
                action_type,
            } => vec![
                display_name.clone(),
                count.to_string(),
                delay_ms.to_string(),
                action_type.code().to_string(),
                action_type.text(),
            ],
            E::RecoveryFailed {
                display_name,
                action_type,
                error,
            } => vec![
                display_name.clone(),
                action_type.text(),
                display_name.clone(),
                error_insertion(*error),
            ],
            E::CrashNoAction {
                display_name,
                count,
            } => vec![display_name.clone(), count.to_string()],
            E::DifferentProcessConnected {
                display_name,
                launched_pid,
                connected_pid,
            } => vec![
                display_name.clone(),
                launched_pid.to_string(),
                connected_pid.to_string(),
            ],
            other => unreachable!("not an exit event: {other:?}"),
        }
    }

    /// Insertion strings of controls, state changes, configuration and svchost's ServiceMain
    /// (7035, 7036, 7040, 7042, 7045, svchost 101/102).
    fn report_strings(&self) -> Vec<String> {
        use ScmEvent as E;
        match self {
            E::ControlSent {
                display_name,
                control,
            } => vec![display_name.clone(), control.text()],
            E::EnteredState {
                display_name,
                state,
            } => vec![display_name.clone(), state.as_str().to_string()],
            E::StopWithReason {
                display_name,
                control,
                reason_code,
                reason_text,
                comment,
            } => vec![
                display_name.clone(),
                control.text(),
                format!("{reason_code:#010x}"),
                reason_text.clone(),
                comment.clone(),
            ],
            E::StartTypeChanged {
                display_name,
                from,
                to,
            } => vec![
                display_name.clone(),
                from.as_str().to_string(),
                to.as_str().to_string(),
            ],
            E::Installed {
                service_name,
                image_path,
                service_type,
                start_type,
                account,
            } => vec![
                service_name.clone(),
                image_path.clone(),
                service_type.as_str().to_string(),
                start_type.as_str().to_string(),
                account.clone(),
            ],
            E::ServiceMainStart { service_name, dll }
            | E::ServiceMainStop { service_name, dll } => {
                vec![service_name.clone(), dll.clone()]
            }
            other => unreachable!("not a report event: {other:?}"),
        }
    }
}
