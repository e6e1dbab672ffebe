//! Boot benchmarks: the built-in Windows 10 machine, and synthetic machines of N services, half
//! of them auto-start in dependency chains.

use std::time::{Duration, Instant};

use fake_registry::service::ServiceKey;
use fake_registry::{Caller, Registry};

use super::Figure;
use crate::machine::Image;
use crate::scm::access::SC_MANAGER_ALL_ACCESS;
use crate::Machine;

/// Length of the dependency chains of [`auto_start_registry`].
pub const CHAIN: u32 = 10;

/// Wall time to boot the built-in Windows 10 machine from its already parsed registry until
/// its auto-start services run (median of `runs`).
pub fn boot_windows10(runs: u32) -> Figure {
    let (reg, _) = Image::Windows10.load().expect("the built-in image loads");
    let mut times = Vec::new();
    for _ in 0..runs.max(1) {
        let image = Image::Registry(Box::new(reg.clone()));
        let t = Instant::now();
        let m = Machine::builder()
            .image(image)
            .tracing(false)
            .build()
            .expect("boots");
        times.push(t.elapsed());
        drop(m);
    }
    Figure::new("boot_windows10", median_ms(times), "ms")
}

/// A registry of `n` own-process services with no program behind their images (they run
/// scripted, well-behaved, starting at once): the even-numbered half auto-start (`Auto…`),
/// each depending on the previous auto-start service within chains of [`CHAIN`]; the other
/// half demand-start (`Manual…`).
pub fn auto_start_registry(n: u32) -> Registry {
    let sys = Caller::local_system();
    let mut reg = Registry::new();
    let autos = n.div_ceil(2);
    for i in 0..autos {
        let mut key = ServiceKey::new(0x10, 2, 1);
        key.image_path = Some(format!(r"C:\bench\auto{i:05}.exe"));
        if i % CHAIN != 0 {
            key.depend_on_service = vec![format!("Auto{:05}", i - 1)];
        }
        key.write(&mut reg, &sys, &format!("Auto{i:05}"))
            .expect("a fresh registry takes a service key");
    }
    for i in 0..n - autos {
        let mut key = ServiceKey::new(0x10, 3, 1);
        key.image_path = Some(format!(r"C:\bench\manual{i:05}.exe"));
        key.write(&mut reg, &sys, &format!("Manual{i:05}"))
            .expect("a fresh registry takes a service key");
    }
    reg.drain_access_log();
    reg
}

/// Wall time (ms, median of `runs`) to build and boot a machine of `n` services from
/// [`auto_start_registry`] (already built) until boot has settled, tracing off; and the
/// number of services running after it (all auto-start ones when the boot went right).
pub fn boot_auto(name: &'static str, n: u32, runs: u32) -> (Figure, usize) {
    let reg = auto_start_registry(n);
    let mut times = Vec::new();
    let mut running = 0;
    for _ in 0..runs.max(1) {
        let image = Image::Registry(Box::new(reg.clone()));
        let t = Instant::now();
        let mut m = Machine::builder()
            .image(image)
            .tracing(false)
            .build()
            .expect("boots");
        times.push(t.elapsed());
        running = running_services(&mut m);
    }
    (Figure::new(name, median_ms(times), "ms"), running)
}

/// How many services are RUNNING.
fn running_services(m: &mut Machine) -> usize {
    let scm = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).expect("admin");
    m.enum_services_status(
        scm,
        crate::service::ServiceType::WIN32,
        crate::service::ServiceStateFilter::ACTIVE,
        None,
    )
    .expect("enumerates")
    .len()
}

fn median_ms(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1000.0
}
