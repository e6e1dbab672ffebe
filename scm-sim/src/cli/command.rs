//! One command line (`sc …`, `reg …`, `tasklist …`, `sim …`, `bench …`): its dispatch to the
//! module that runs it, with the session's bookkeeping around it. This module sits above the
//! tools, which know only the session: the session does not know the tools.

use super::output::Output;
use super::session::{Exit, RecordedCommand, Session};

impl Session {
    /// Runs one command (the words that follow `scm-sim`), then lets the machine settle.
    pub fn execute(&mut self, words: &[String], out: &mut Output) -> Exit {
        self.begin_command();
        let exit = dispatch(self, words, out);
        self.end_command(words, exit);
        exit
    }

    /// Replays a recorded command silently (machine files).
    pub(crate) fn replay(&mut self, cmd: &RecordedCommand) -> Exit {
        self.set_replay_files(Some(cmd.files.clone()));
        let mut sink = Output::discarding();
        let exit = self.execute(&cmd.words, &mut sink);
        self.set_replay_files(None);
        exit
    }
}

/// Sends one command to its module.
fn dispatch(session: &mut Session, words: &[String], out: &mut Output) -> Exit {
    let Some(verb) = words.first() else {
        return Exit::ok();
    };
    let args = &words[1..];
    let verb_lower = verb.to_ascii_lowercase();
    if session.machine.is_off() {
        if let Some(exit) = machine_off(&verb_lower, out) {
            return exit;
        }
    }
    match verb_lower.as_str() {
        "sc" | "sc.exe" => super::sc::run(session, args, out),
        "reg" | "reg.exe" => super::reg::run(session, args, out),
        "tasklist" | "tasklist.exe" => super::tasklist::run(session, args, out),
        "sim" => super::sim::run(session, args, out),
        "bench" => super::sim::bench(args, out),
        "bench-soak" => super::soak::run(args, out),
        "help" | "--help" | "-h" | "/?" => {
            out.out(super::HELP);
            Exit::ok()
        }
        "run" | "shell" => {
            out.err(&format!(
                "scm-sim: `{verb}` cannot be used inside a script or the shell\n"
            ));
            Exit::rejected(1639)
        }
        _ => {
            out.err(&format!(
                "scm-sim: unknown command \"{verb}\" (commands: sc, reg, tasklist, sim, run, shell, bench; see scm-sim help)\n"
            ));
            Exit::rejected(1639)
        }
    }
}

/// A tool's call to a machine that is off fails as a call to an unreachable machine does:
/// `sc` cannot open the SCM (1722), `reg` and `tasklist` report the RPC server unavailable.
fn machine_off(verb: &str, out: &mut Output) -> Option<Exit> {
    let e = crate::error::Win32Error::RPC_SERVER_UNAVAILABLE;
    match verb {
        "sc" | "sc.exe" => {
            out.out(&format!(
                "[SC] OpenSCManager FAILED {}:\n\n{}\n\n",
                e.code(),
                e.message()
            ));
            Some(Exit::rejected(e.code() as i32))
        }
        "reg" | "reg.exe" | "tasklist" | "tasklist.exe" => {
            out.err(&format!("ERROR: {}\n", e.message()));
            Some(Exit::rejected(1))
        }
        _ => None,
    }
}
