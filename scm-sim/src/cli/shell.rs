//! `scm-sim shell`: an interactive prompt with line editing and history (rustyline). Each line
//! runs as a script line would (cmd.exe word splitting, `#` comments); `exit`, `quit` or
//! end-of-file leaves. A line that is not UTF-8 text is reported (ERROR_NO_UNICODE_TRANSLATION,
//! 1113) and the shell reads on. History is kept in `~/.scm-sim_history` when a home folder exists.

use rustyline::error::ReadlineError;
use rustyline::DefaultEditor;

use super::input;
use super::output::Output;
use super::words::split_words;
use super::Runner;

const BANNER: &str = "scm-sim shell: sc, reg, tasklist and sim commands on a simulated machine.
Type `help` for the commands, `exit` to leave.
";

/// The error for a shell line that is not UTF-8 (rustyline does not hand its bytes over).
fn not_utf8_line() -> super::CliError {
    input::not_utf8_unseen("the line")
}

fn history_path() -> Option<std::path::PathBuf> {
    std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".scm-sim_history"))
}

/// Runs the shell until `exit` or end of input; returns 0 (1 when the terminal fails).
pub fn run_shell(runner: &mut Runner) -> i32 {
    let mut editor = match DefaultEditor::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("scm-sim: cannot start the shell: {e}");
            return 1;
        }
    };
    let history = history_path();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    let mut banner = Output::new();
    banner.out(BANNER);
    banner.flush_to_console();
    let mut status = 0;
    loop {
        match editor.readline("scm-sim> ") {
            Ok(line) => {
                let trimmed = line.trim();
                if trimmed.is_empty() || trimmed.starts_with('#') {
                    continue;
                }
                let _ = editor.add_history_entry(trimmed);
                if matches!(trimmed.to_ascii_lowercase().as_str(), "exit" | "quit") {
                    break;
                }
                let mut out = Output::new();
                runner.execute(&split_words(trimmed), &mut out);
                out.flush_to_console();
            }
            Err(ReadlineError::Interrupted) => continue,
            // A line that is not UTF-8 (piped input): rustyline has consumed it; report it
            // as a script would and read on.
            Err(ReadlineError::Io(e)) if e.kind() == std::io::ErrorKind::InvalidData => {
                let mut out = Output::new();
                out.err(&format!("{}\n", not_utf8_line()));
                out.flush_to_console();
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("scm-sim: {e}");
                status = 1;
                break;
            }
        }
    }
    if let Some(h) = &history {
        let _ = editor.save_history(h);
    }
    status
}
