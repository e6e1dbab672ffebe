//! svchost: services as DLLs inside shared host processes. A service whose ImagePath is
//! `%SystemRoot%\System32\svchost.exe -k GROUP [-p]` runs in the host of its group — or, when
//! the machine has more memory than `Control\SvcHostSplitThresholdInKB` (Windows 10 1703+), in
//! a host of its own (`-s NAME`) unless its key says `SvcHostSplitDisable = 1`. The host loads
//! the service's `ServiceDll` (from `Parameters`, or from the service key itself unless the
//! legacy rule is selected), calls `SvchostPushServiceGlobals` if the DLL exports it, logs
//! events 101 and 102 around the entry point named by `ServiceMain` (default `ServiceMain`),
//! and unloads a DLL with `ServiceDllUnloadOnStop = 1` when its last service stops.
//!
//! ```
//! use scm_sim::svchost::ServiceDll;
//! use scm_sim::service::{service_fn, ServiceContext};
//!
//! // One DLL, two services, each with its own entry point.
//! let dll = ServiceDll::new()
//!     .export("AlphaMain", service_fn(|_ctx: ServiceContext, _args| async {}))
//!     .export("BetaMain", service_fn(|_ctx: ServiceContext, _args| async {}));
//! assert!(dll.entry("alphamain").is_some());
//! assert!(dll.entry("GammaMain").is_none());
//! ```
//!
//! A DLL path with no Rust code registered runs the scripted default service, so the built-in
//! machine's 192 svchost services and DLL services created from the command line work.

mod host;

pub(crate) use host::{host_plan, HostPlan, LoadedDll, PlanInput, SvchostHost, SvchostProgram};

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::service::Service;

/// What `SvchostPushServiceGlobals` receives (the simulated SVCHOST_GLOBAL_DATA).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SvchostGlobals {
    /// The group the host serves.
    pub group: String,
    /// The host's pid.
    pub pid: u32,
    /// The service about to start.
    pub service: String,
}

pub(crate) type PushGlobals = Arc<dyn Fn(&SvchostGlobals) + Send + Sync>;

/// A service DLL: its exported entry points and, optionally, `SvchostPushServiceGlobals`.
#[derive(Clone, Default)]
pub struct ServiceDll {
    exports: BTreeMap<String, Arc<dyn Service>>,
    push_globals: Option<PushGlobals>,
}

impl fmt::Debug for ServiceDll {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceDll")
            .field("exports", &self.exports.keys().collect::<Vec<_>>())
            .field("push_globals", &self.push_globals.is_some())
            .finish()
    }
}

impl ServiceDll {
    /// A DLL exporting nothing.
    pub fn new() -> ServiceDll {
        ServiceDll::default()
    }

    /// Exports `service` under `entry` (a ServiceMain; compared case-insensitively). One
    /// entry may serve several services and switch on `args[0]`, as real DLLs do.
    pub fn export(mut self, entry: &str, service: impl Service) -> ServiceDll {
        self.exports
            .insert(entry.to_ascii_uppercase(), Arc::new(service));
        self
    }

    /// Exports `SvchostPushServiceGlobals`.
    pub fn with_push_globals(
        mut self,
        f: impl Fn(&SvchostGlobals) + Send + Sync + 'static,
    ) -> ServiceDll {
        self.push_globals = Some(Arc::new(f));
        self
    }

    /// The entry point named `entry`, if exported.
    pub fn entry(&self, entry: &str) -> Option<Arc<dyn Service>> {
        self.exports.get(&entry.to_ascii_uppercase()).cloned()
    }

    pub(crate) fn push_globals(&self) -> Option<PushGlobals> {
        self.push_globals.clone()
    }
}
