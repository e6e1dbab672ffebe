//! The machine's builder: image, seed, settings, tracing and log bounds, boot.

use std::collections::BTreeMap;
use std::time::Duration;

use super::{Image, ImageError, Machine};
use crate::events::{EventLog, Trace, TraceStream};
use crate::scm::Settings;

/// Builds a [`Machine`].
#[derive(Debug, Clone)]
pub struct MachineBuilder {
    pub(super) image: Image,
    pub(super) seed: u64,
    pub(super) settings: Option<Settings>,
    pub(super) pipe_timeout: Option<Duration>,
    pub(super) memory_kb: Option<u64>,
    pub(super) boot: bool,
    pub(super) tracing: bool,
    pub(super) trace_capacity: usize,
    pub(super) trace_stream: Option<TraceStream>,
    pub(super) event_log_capacity: usize,
}

impl Default for MachineBuilder {
    fn default() -> Self {
        MachineBuilder {
            image: Image::Empty,
            seed: 0,
            settings: None,
            pipe_timeout: None,
            memory_kb: None,
            boot: true,
            tracing: true,
            trace_capacity: Trace::DEFAULT_CAPACITY,
            trace_stream: None,
            event_log_capacity: EventLog::DEFAULT_CAPACITY,
        }
    }
}

impl MachineBuilder {
    /// The image to start from (default: [`Image::Empty`]).
    pub fn image(mut self, image: Image) -> Self {
        self.image = image;
        self
    }

    /// The root seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// SCM settings, replacing what the registry says.
    pub fn settings(mut self, settings: Settings) -> Self {
        self.settings = Some(settings);
        self
    }

    /// Overrides ServicesPipeTimeout.
    pub fn pipe_timeout(mut self, timeout: Duration) -> Self {
        self.pipe_timeout = Some(timeout);
        self
    }

    /// Whether to run the boot sequence (default true). Without it no service is started.
    pub fn boot(mut self, boot: bool) -> Self {
        self.boot = boot;
        self
    }

    /// The machine's physical memory in KB (default 16 GB); above
    /// `Control\SvcHostSplitThresholdInKB` svchost services run one per host.
    pub fn memory_kb(mut self, kb: u64) -> Self {
        self.memory_kb = Some(kb);
        self
    }

    /// Whether to record the trace and the event log (default true; benchmarks turn both off).
    pub fn tracing(mut self, on: bool) -> Self {
        self.tracing = on;
        self
    }

    /// How many trace entries the machine keeps, the newest (default
    /// [`Trace::DEFAULT_CAPACITY`]); older ones are dropped, sequence numbers keep counting.
    pub fn trace_capacity(mut self, entries: usize) -> Self {
        self.trace_capacity = entries;
        self
    }

    /// Streams every trace entry, from boot on, to `stream` (e.g.
    /// [`TraceStream::create_json_lines`]), so that a whole run is kept whatever the capacity.
    pub fn trace_stream(mut self, stream: TraceStream) -> Self {
        self.trace_stream = Some(stream);
        self
    }

    /// How many event-log records the machine keeps, the newest (default
    /// [`EventLog::DEFAULT_CAPACITY`]); older ones are overwritten, record ids keep counting.
    pub fn event_log_capacity(mut self, records: usize) -> Self {
        self.event_log_capacity = records;
        self
    }

    /// Loads the image, starts the SCM and, unless disabled, boots.
    pub fn build(mut self) -> Result<Machine, ImageError> {
        // A ready registry is moved in, not copied; its label stays for the replay token.
        let (registry, mui) = match std::mem::replace(&mut self.image, Image::Empty) {
            Image::Registry(reg) => {
                self.image = Image::Registry(Box::default());
                (*reg, BTreeMap::new())
            }
            other => {
                let loaded = other.load()?;
                self.image = other;
                loaded
            }
        };
        let mut m = Machine::from_registry(registry, mui, &self)?;
        // The image's own behaviours (the built-in services' profiles); `set_behavior`
        // replaces them service by service.
        let behaviors = self.image.behaviors();
        m.scm.core.lock().behaviors.extend(behaviors);
        if self.boot {
            m.boot();
        }
        Ok(m)
    }
}
