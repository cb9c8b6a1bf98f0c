//! Secrets typed or piped on stdin (never arguments: they would stay in the
//! shell's history and in `ps`).

use std::io::{BufRead as _, IsTerminal as _, Read as _};

use crate::CliError;

/// One line from stdin: after `prompt` at a terminal, else at most 4 KiB
/// of piped text. Empty → refused with `empty`; several lines → refused,
/// naming `what`.
pub(crate) fn secret_line(prompt: &str, what: &str, empty: &str) -> Result<String, CliError> {
    let stdin = std::io::stdin();
    let mut text = String::new();
    if stdin.is_terminal() {
        eprintln!("{prompt}");
        stdin
            .lock()
            .read_line(&mut text)
            .map_err(|e| CliError::Outside(format!("could not read {what} from stdin: {e}")))?;
    } else {
        // A key or secret is a line: more than 4 KiB is not one.
        stdin
            .lock()
            .take(4096)
            .read_to_string(&mut text)
            .map_err(|_| {
                CliError::rejected(format!(
                    "could not read {what} from stdin (it should be one line of text)"
                ))
            })?;
    }
    let text = text.trim();
    if text.is_empty() {
        return Err(CliError::rejected(empty));
    }
    if text.lines().count() > 1 {
        return Err(CliError::rejected(format!(
            "stdin has more than one line: give only {what}"
        )));
    }
    Ok(text.to_owned())
}
