//! The `scm-sim` command line: sc.exe, reg.exe and tasklist on a simulated Windows machine,
//! the simulation verbs, scripts and a shell. See `scm-sim help` and [`scm_sim::cli`].

fn main() {
    // As OS strings: an argument that is not UTF-8 is an error to report, not a panic.
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    std::process::exit(scm_sim::cli::main_with_os_args(args));
}
