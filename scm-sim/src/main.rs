//! The `scm-sim` command line (for now: boot the built-in Windows 10 machine and list what runs).

use scm_sim::machine::Image;
use scm_sim::scm::access::SC_MANAGER_ALL_ACCESS;
use scm_sim::Machine;

fn main() {
    let mut m = match Machine::builder().image(Image::Windows10).build() {
        Ok(m) => m,
        Err(e) => {
            eprintln!("scm-sim: {e}");
            std::process::exit(1);
        }
    };
    let scm = match m.open_sc_manager(SC_MANAGER_ALL_ACCESS) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("scm-sim: {e}");
            std::process::exit(e.code() as i32);
        }
    };
    match m.enum_services_status(scm, 0x30, 1, None) {
        Ok(list) => {
            for s in &list {
                println!(
                    "{:<8} {:<40} {}",
                    s.status.process_id, s.service_name, s.display_name
                );
            }
            println!(
                "{} Win32 services running at {:?} of virtual time",
                list.len(),
                m.now()
            );
        }
        Err(e) => {
            eprintln!("scm-sim: {e}");
            std::process::exit(e.code() as i32);
        }
    }
}
