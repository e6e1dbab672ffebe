//! The `scm-sim` command line: sc.exe, reg.exe and tasklist on a simulated Windows machine,
//! the simulation verbs, scripts and a shell. See `scm-sim help` and [`scm_sim::cli`].

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(scm_sim::cli::main_with_args(args));
}
