//! RegisterServiceCtrlHandlerEx and SetServiceStatus: [`register`] a control handler, report
//! status through the [`ServiceStatusHandle`] it returns.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use scm_sim::service::StatusHandle;

use crate::service::{ServiceControl, ServiceStatus};
use crate::sim::with_service;
use crate::{no_nul, Error, Result};

/// The status handles handed out, by number: a [`ServiceStatusHandle`] is `Copy`, as the
/// Win32 handle it stands for. Numbers are never reused, so machines in parallel tests do not
/// meet here.
static HANDLES: Mutex<BTreeMap<u64, StatusHandle>> = Mutex::new(BTreeMap::new());
static NEXT: AtomicU64 = AtomicU64::new(1);

/// The token for reporting a service's status; usable from any thread.
#[derive(Debug, Clone, Copy)]
pub struct ServiceStatusHandle(u64);

impl ServiceStatusHandle {
    /// SetServiceStatus: reports `service_status`; scm-sim validates it as Windows does
    /// (ERROR_INVALID_DATA, 13, for an invalid status).
    pub fn set_service_status(&self, service_status: ServiceStatus) -> Result<()> {
        let handle = match HANDLES.lock() {
            Ok(g) => g.get(&self.0).cloned(),
            Err(p) => p.into_inner().get(&self.0).cloned(),
        };
        let handle = handle.ok_or(Error::from_win32(6))?; // ERROR_INVALID_HANDLE
        handle
            .set_status_raw(service_status.to_sim_raw())
            .map_err(Error::from)
    }
}

/// What a handler returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceControlHandlerResult {
    /// NO_ERROR: done, or permission granted.
    NoError,
    /// ERROR_CALL_NOT_IMPLEMENTED.
    NotImplemented,
    /// Any other code (to deny a request, e.g. a trigger event during shutdown).
    Other(u32),
}

impl ServiceControlHandlerResult {
    /// The raw code.
    pub fn to_raw(&self) -> u32 {
        match self {
            ServiceControlHandlerResult::NoError => 0,
            ServiceControlHandlerResult::NotImplemented => 120,
            ServiceControlHandlerResult::Other(code) => *code,
        }
    }
}

/// RegisterServiceCtrlHandlerEx: installs `event_handler` for the service and returns its
/// status handle. Call it from the ServiceMain thread; elsewhere it fails with
/// ERROR_SERVICE_NOT_IN_EXE (1083).
pub fn register<F>(
    service_name: impl AsRef<OsStr>,
    mut event_handler: F,
) -> Result<ServiceStatusHandle>
where
    F: FnMut(ServiceControl) -> ServiceControlHandlerResult + 'static + Send,
{
    let _name = no_nul("service name", service_name.as_ref())?;
    let registered = with_service(|s| {
        let watch = s.watch.clone();
        s.ctx.register_handler(move |req| {
            let result = match ServiceControl::from_request(&req) {
                Ok(control) => event_handler(control),
                Err(_) => ServiceControlHandlerResult::NotImplemented,
            };
            // Model (b): the handler may have woken the ServiceMain thread.
            watch.arm();
            match result {
                ServiceControlHandlerResult::NoError => {
                    scm_sim::service::ServiceControlHandlerResult::NoError
                }
                ServiceControlHandlerResult::NotImplemented => {
                    scm_sim::service::ServiceControlHandlerResult::NotImplemented
                }
                ServiceControlHandlerResult::Other(code) => {
                    scm_sim::service::ServiceControlHandlerResult::Other(code)
                }
            }
        })
    });
    let handle = registered.ok_or(Error::from_win32(1083))??;
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    match HANDLES.lock() {
        Ok(mut g) => g.insert(id, handle),
        Err(p) => p.into_inner().insert(id, handle),
    };
    Ok(ServiceStatusHandle(id))
}
