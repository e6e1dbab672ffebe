//! Is the machine consistent? The records, the processes and the registry agree, whatever the
//! services did: the check random tests run after every step.
//!
//! ```
//! use scm_sim_test_support::consistency::machine_consistent;
//! use scm_sim_test_support::Bed;
//!
//! let mut bed = Bed::new(1);
//! bed.scripted("Svc", &[]);
//! machine_consistent(&mut bed.m, bed.scm).unwrap();
//! ```

use std::collections::BTreeSet;

use scm_sim::registry::service::{service_names, ServiceKey};
use scm_sim::registry::{Caller, Registry};
use scm_sim::scm::access::SERVICE_QUERY_CONFIG;
use scm_sim::scm::ScHandle;
use scm_sim::service::{ServiceState, ServiceStateFilter, ServiceType};
use scm_sim::Machine;

/// The records against the processes (every active service lives in a process that lists it,
/// every process lists only active services of its own) and the database against the registry
/// (the same services, each configured as its key says). `Err` says what disagrees.
pub fn machine_consistent(m: &mut Machine, scm: ScHandle) -> Result<(), String> {
    records_match_processes(m, scm)?;
    database_matches_registry(m, scm)
}

/// Statuses that only pending states may carry, and pids only active services.
pub fn records_match_processes(m: &mut Machine, scm: ScHandle) -> Result<(), String> {
    let all = m
        .enum_services_status(scm, ServiceType::ALL, ServiceStateFilter::ALL, None)
        .map_err(|e| format!("enum: {e:?}"))?;
    let processes = m.processes();
    for e in &all {
        let s = e.status;
        if !s.current_state.is_pending() && (s.checkpoint, s.wait_hint_ms) != (0, 0) {
            return Err(format!(
                "{}: checkpoint/wait hint outside pending: {s:?}",
                e.service_name
            ));
        }
        if s.current_state == ServiceState::Stopped {
            if s.process_id != 0 || !s.controls_accepted.is_empty() {
                return Err(format!("{} STOPPED with {s:?}", e.service_name));
            }
            continue;
        }
        let hosted = processes
            .iter()
            .any(|(pid, _, names)| *pid == s.process_id && names.contains(&e.service_name));
        if s.process_id == 0 || !hosted {
            return Err(format!(
                "{} is {:?} in pid {} but the processes are {processes:?}",
                e.service_name, s.current_state, s.process_id
            ));
        }
    }
    for (pid, image, names) in &processes {
        for n in names {
            let s = all.iter().find(|e| &e.service_name == n).map(|e| e.status);
            let ok =
                s.is_some_and(|s| s.process_id == *pid && s.current_state != ServiceState::Stopped);
            if !ok {
                return Err(format!("process {pid} ({image}) lists {n}, which is {s:?}"));
            }
        }
    }
    Ok(())
}

/// The database holds the registry's services, and QueryServiceConfig shows each key.
pub fn database_matches_registry(m: &mut Machine, scm: ScHandle) -> Result<(), String> {
    let all = m
        .enum_services_status(scm, ServiceType::ALL, ServiceStateFilter::ALL, None)
        .map_err(|e| format!("enum: {e:?}"))?;
    let reg = m.registry();
    let sys = Caller::local_system();
    let in_registry: BTreeSet<String> = service_names(&reg, &sys).into_iter().collect();
    let in_database: BTreeSet<String> = all.iter().map(|e| e.service_name.clone()).collect();
    if in_registry != in_database {
        return Err(format!(
            "registry {in_registry:?} but database {in_database:?}"
        ));
    }
    for name in &in_database {
        let h = match m.open_service(scm, name, SERVICE_QUERY_CONFIG) {
            Ok(h) => h,
            // ERROR_SERVICE_MARKED_FOR_DELETE: its key goes with its last handle.
            Err(e) if e.code() == 1072 => continue,
            Err(e) => return Err(format!("OpenService({name}): {e:?}")),
        };
        let agree = config_matches_key(m, h, name, &reg);
        let _ = m.close_service_handle(h);
        agree?;
    }
    Ok(())
}

/// QueryServiceConfig through `h` shows what `name`'s key in `reg` holds.
pub fn config_matches_key(
    m: &mut Machine,
    h: ScHandle,
    name: &str,
    reg: &Registry,
) -> Result<(), String> {
    let sys = Caller::local_system();
    let q = m
        .query_service_config(h)
        .map_err(|e| format!("QueryServiceConfig({name}): {e:?}"))?;
    let k =
        ServiceKey::read(reg, &sys, name).map_err(|e| format!("ServiceKey::read({name}): {e}"))?;
    let mut deps = k.depend_on_service.clone();
    deps.extend(k.depend_on_group.iter().map(|g| format!("+{g}")));
    // QueryServiceConfig shows ImagePath expanded (as `sc qc` does) and LocalSystem for a Win32
    // service without ObjectName.
    let image = reg
        .environment()
        .expand(k.image_path.as_deref().unwrap_or(""));
    let account = k.object_name.as_deref().unwrap_or("LocalSystem");
    let agree = q.service_type.to_raw() == k.service_type
        && q.start_type.code() == k.start
        && q.error_control.code() == k.error_control
        && (q.binary_path_name == image || Some(&q.binary_path_name) == k.image_path.as_ref())
        && q.load_order_group == k.group.clone().unwrap_or_default()
        && q.tag_id == k.tag.unwrap_or(0)
        && q.dependencies == deps
        && q.service_start_name == account
        && q.display_name == k.display_name.clone().unwrap_or_else(|| name.to_string());
    if agree {
        Ok(())
    } else {
        Err(format!("{name}: config {q:?} but registry {k:?}"))
    }
}
