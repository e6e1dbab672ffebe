//! The STOP wiring that hand-written ServiceMains share: a handler that forwards STOP to a
//! channel, the RUNNING report after it, and a ServiceMain body that runs until STOP and
//! reports STOPPED as its last act.
//!
//! ```
//! use scm_sim::service::{service_fn, ServiceContext, ServiceControl, ServiceState};
//! use scm_sim_test_support::stop::serve_until_stop;
//! use scm_sim_test_support::{secs, Bed};
//!
//! let mut bed = Bed::new(3);
//! let h = bed.own(
//!     "Svc",
//!     service_fn(|ctx: ServiceContext, _| async move { serve_until_stop(&ctx).await }),
//! );
//! bed.m.start_service(h, &[]).expect("StartService");
//! bed.until(secs(1));
//! bed.m.control_service(h, ServiceControl::Stop).expect("ControlService");
//! bed.until(secs(2));
//! assert_eq!(bed.state(h), ServiceState::Stopped);
//! ```

use scm_sim::service::{
    ServiceContext, ServiceControl, ServiceControlAccept, ServiceControlHandlerResult,
    ServiceExitCode, ServiceStatus, StatusHandle,
};

/// Where a [`stop_handler`] sends one `()` per STOP it receives.
pub type StopRx = tokio::sync::mpsc::UnboundedReceiver<()>;

/// Registers a handler that forwards STOP to the returned receiver and answers every control
/// NO_ERROR; reports nothing (the caller makes the first report). Panics if the registration
/// fails.
pub fn stop_handler(ctx: &ServiceContext) -> (StatusHandle, StopRx) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let status = ctx
        .register_handler(move |req| {
            if req.control == ServiceControl::Stop {
                let _ = tx.send(());
            }
            ServiceControlHandlerResult::NoError
        })
        .expect("register");
    (status, rx)
}

/// [`stop_handler`], then a RUNNING report accepting STOP. Panics if either fails.
pub fn run_until_stop(ctx: &ServiceContext) -> (StatusHandle, StopRx) {
    let (status, rx) = stop_handler(ctx);
    status
        .set_status(ServiceStatus::running(ServiceControlAccept::STOP))
        .expect("RUNNING");
    (status, rx)
}

/// A ServiceMain body as Microsoft writes it: [`run_until_stop`], wait for STOP, and report
/// STOPPED (exit 0) as its last act. The outcome of the STOPPED report is not checked: the
/// test looks at the service's state and the violations instead.
pub async fn serve_until_stop(ctx: &ServiceContext) {
    let (status, mut stop) = run_until_stop(ctx);
    stop.recv().await;
    let _ = status.set_status(ServiceStatus::stopped(ServiceExitCode::NO_ERROR));
}
