//! Scenario and configuration benchmarks: a timeout scenario on virtual time, and the cost of
//! configuring many services (`set_behavior`, `install`).

use std::time::Instant;

use super::Figure;
use crate::machine::Image;
use crate::scm::access::SC_MANAGER_ALL_ACCESS;
use crate::scm::CreateServiceParams;
use crate::service::scripted::Behavior;
use crate::service::{ServiceControl, ServiceState};
use crate::Machine;

fn empty_machine() -> Machine {
    Machine::builder()
        .image(Image::Empty)
        .tracing(false)
        .build()
        .expect("the empty image loads")
}

/// A service that never connects (30 s pipe timeout) and one that hangs 3 minutes in
/// STOP_PENDING: wall time of the whole scenario, and virtual time per wall time.
pub fn timeout_scenario() -> [Figure; 2] {
    let mut m = empty_machine();
    let scm_h = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).expect("admin");
    let never = m
        .create_service(
            scm_h,
            &CreateServiceParams::own_process("Never", r"C:\never.exe"),
        )
        .expect("create");
    let slow = m
        .create_service(
            scm_h,
            &CreateServiceParams::own_process("Slow", r"C:\slow.exe"),
        )
        .expect("create");
    let mut hang = Behavior::default();
    let _ = hang.set("hang", "connect");
    m.set_behavior("Never", hang);
    let mut slow_stop = Behavior::default();
    let _ = slow_stop.set("stop-time", "3m");
    m.set_behavior("Slow", slow_stop);
    let scm = m.scm();
    let v0 = m.now();
    let t = Instant::now();
    m.block_on(async {
        let _ = scm.start_service(never, &[]).await;
        // StartService returns before ServiceMain runs (as on Windows): wait for RUNNING, or
        // the STOP would find the service START_PENDING and be refused (1061).
        let running = scm.notify_service_status_change(slow, ServiceState::Running.notify_bit());
        let _ = scm.start_service(slow, &[]).await;
        if let Ok(n) = running {
            let _ = n.wait().await;
        }
        let stopped = scm.notify_service_status_change(slow, ServiceState::Stopped.notify_bit());
        let _ = scm.control_service(slow, ServiceControl::Stop).await;
        if let Ok(n) = stopped {
            let _ = n.wait().await;
        }
    });
    let wall = t.elapsed();
    let virt = m.now() - v0;
    [
        Figure::new("timeout_scenario", wall.as_secs_f64() * 1e6, "us"),
        Figure::new(
            "timeout_scenario_virtual_per_wall",
            virt.as_secs_f64() / wall.as_secs_f64().max(1e-9),
            "x",
        ),
    ]
}

/// Wall time (ms) of `n` [`Machine::set_behavior`] calls, each for another service, followed
/// by one read of the replay token.
pub fn set_behavior_n(name: &'static str, n: u32) -> Figure {
    let mut m = empty_machine();
    let t = Instant::now();
    for i in 0..n {
        let b = Behavior {
            exit_code: i,
            ..Behavior::default()
        };
        m.set_behavior(&format!("Svc{i:05}"), b);
    }
    let _ = m.replay_token();
    Figure::new(name, t.elapsed().as_secs_f64() * 1000.0, "ms")
}

/// Wall time (ms) of `n` [`Machine::install`] calls, each for another image, followed by one
/// read of the replay token.
pub fn install_n(name: &'static str, n: u32) -> Figure {
    let mut m = empty_machine();
    let t = Instant::now();
    for i in 0..n {
        m.install(
            &format!(r"C:\bench\svc{i:05}.exe"),
            super::roundtrip::minimal_service(),
        );
    }
    let _ = m.replay_token();
    Figure::new(name, t.elapsed().as_secs_f64() * 1000.0, "ms")
}
