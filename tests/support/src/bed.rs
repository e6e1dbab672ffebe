//! [`Bed`]: an empty, booted machine with one SCM handle, and the ways tests put services on it.

use std::time::Duration;

use scm_sim::machine::Image;
use scm_sim::registry::service::Trigger;
use scm_sim::scm::{CreateServiceParams, ScHandle, ServiceConfig2, Settings};
use scm_sim::service::{Service, ServiceState, ServiceTable};
use scm_sim::{Machine, MachineBuilder};

use crate::calls::{admin_scm, state};

/// The image path the shared services of a bed run in (one process for all of them).
pub const HOST: &str = r"C:\svc\host.exe";

/// An empty machine and an SCM handle with every right.
#[derive(Debug)]
pub struct Bed {
    /// The machine.
    pub m: Machine,
    /// SC_MANAGER_ALL_ACCESS, as the machine's default caller (an administrator).
    pub scm: ScHandle,
}

impl Bed {
    /// An empty, booted machine with `seed` and default settings.
    pub fn new(seed: u64) -> Bed {
        Bed::from_builder(Machine::builder().image(Image::Empty).seed(seed))
    }

    /// An empty, booted machine with `seed` and these settings.
    pub fn with_settings(seed: u64, settings: Settings) -> Bed {
        Bed::from_builder(
            Machine::builder()
                .image(Image::Empty)
                .seed(seed)
                .settings(settings),
        )
    }

    /// A machine from a builder.
    pub fn from_builder(b: MachineBuilder) -> Bed {
        let mut m = b.build().expect("the machine builds");
        let scm = admin_scm(&mut m);
        Bed { m, scm }
    }

    /// CreateService, made on the machine's runtime.
    ///
    /// An earlier engine stamped a call made outside the runtime with the real clock: its trace
    /// entry and event 7045 showed real milliseconds and differed from run to run
    /// (`harness_replay.rs`, `calls_made_outside_the_runtime_have_virtual_time`, checks the
    /// fix). Going through the runtime keeps the bed's creates independent of that.
    pub fn create(&mut self, params: &CreateServiceParams) -> ScHandle {
        let scm = self.m.scm();
        let h = self.scm;
        self.m
            .block_on(async move { scm.create_service(h, params) })
            .expect("create")
    }

    /// CreateService of an own-process service `name` running `image` with `dependencies`,
    /// then ChangeServiceConfig2(TriggerInfo) when there are triggers.
    pub fn create_triggered(
        &mut self,
        name: &str,
        image: &str,
        triggers: Vec<Trigger>,
        dependencies: &[&str],
    ) -> ScHandle {
        let mut params = CreateServiceParams::own_process(name, image);
        params.dependencies = dependencies.iter().map(|d| d.to_string()).collect();
        let h = self.create(&params);
        if !triggers.is_empty() {
            self.m
                .change_service_config2(h, &ServiceConfig2::TriggerInfo(triggers))
                .expect("ChangeServiceConfig2(TriggerInfo)");
        }
        h
    }

    /// Installs `service` as the own-process service `name` (image `C:\svc\<name>.exe`).
    pub fn own(&mut self, name: &str, service: impl Service) -> ScHandle {
        self.rust(name, service, Vec::new())
    }

    /// Installs `service` as the own-process service `name` (image `C:\svc\<name>.exe`) with
    /// `triggers`.
    pub fn rust(&mut self, name: &str, service: impl Service, triggers: Vec<Trigger>) -> ScHandle {
        let image = format!(r"C:\svc\{name}.exe");
        self.m.install(&image, ServiceTable::single(name, service));
        self.create_triggered(name, &image, triggers, &[])
    }

    /// A scripted own-process service (no Rust code: the scripted behaviour runs), its
    /// behaviour set from `key=value` pairs.
    pub fn scripted(&mut self, name: &str, behavior: &[(&str, &str)]) -> ScHandle {
        let mut b = scm_sim::service::scripted::Behavior::default();
        for (k, v) in behavior {
            b.set(k, v).expect("a valid behaviour");
        }
        self.m.set_behavior(name, b);
        self.scripted_triggered(name, Vec::new())
    }

    /// A scripted own-process service with the default behaviour and `triggers`.
    pub fn scripted_triggered(&mut self, name: &str, triggers: Vec<Trigger>) -> ScHandle {
        self.create_triggered(name, &format!(r"C:\scripted\{name}.exe"), triggers, &[])
    }

    /// Installs `table` at [`HOST`] and creates one share-process service per entry.
    pub fn shared(&mut self, table: ServiceTable) -> Vec<ScHandle> {
        let names: Vec<String> = table.names().map(str::to_string).collect();
        self.m.install(HOST, table);
        names
            .iter()
            .map(|n| self.create(&CreateServiceParams::share_process(n, HOST)))
            .collect()
    }

    /// Lets virtual time run until `t` (since boot).
    pub fn until(&mut self, t: Duration) {
        let now = self.m.now();
        assert!(t >= now, "already at {now:?}, asked for {t:?}");
        self.m.advance(t - now);
    }

    /// The current state of a service.
    pub fn state(&mut self, h: ScHandle) -> ServiceState {
        state(&mut self.m, h)
    }
}
