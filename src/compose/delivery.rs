//! Handing a finished message to the coach's own mail tool, or leaving it in
//! the outbox folder. coachbook itself never talks to the network.

use std::fs::DirBuilder;
use std::io::{Read, Write};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use super::encoding::base64;

/// A send command that has not finished by then is stopped and the
/// delivery counted as failed, so a hung mail tool cannot hang the book.
const SEND_TIMEOUT: Duration = Duration::from_secs(60);

/// What became of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The send command took the message and exited 0.
    Sent { command: String },
    /// No send command: the message waits in the outbox as this file.
    Outbox { path: PathBuf },
    /// Not delivered; the reply stays recorded as not delivered, to retry.
    Failed { reason: String },
}

impl Delivery {
    /// One line for the status bar.
    pub fn message(&self) -> String {
        match self {
            Delivery::Sent { command } => format!("sent with `{command}`"),
            Delivery::Outbox { path } => format!("written to {}", path.display()),
            Delivery::Failed { reason } => format!("not sent: {reason}"),
        }
    }
}

/// Deliver `message`: through `send_command` (run with `sh -c`, the message
/// on standard input) when one is configured, else into `outbox` as
/// `<file_stem>.eml`.
pub fn deliver(
    message: &[u8],
    send_command: Option<&str>,
    outbox: &Path,
    file_stem: &str,
) -> Delivery {
    match send_command.map(str::trim).filter(|c| !c.is_empty()) {
        Some(command) => run_send_command(message, command, SEND_TIMEOUT),
        None => write_to_outbox(message, outbox, file_stem),
    }
}

/// The OSC 52 escape sequence that puts `text` on the terminal's clipboard,
/// for the caller to write to the terminal.
pub fn osc52_copy(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64(text.as_bytes()))
}

fn run_send_command(message: &[u8], command: &str, timeout: Duration) -> Delivery {
    let failed = |reason: String| Delivery::Failed { reason };
    let mut child = match Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(error) => return failed(format!("cannot start `{command}`: {error}")),
    };

    // Feed stdin and drain stderr on their own threads so a tool that
    // writes a lot before reading cannot deadlock us.
    let (stdin_done, stdin_result) = mpsc::channel();
    if let Some(mut stdin) = child.stdin.take() {
        let message = message.to_vec();
        thread::spawn(move || {
            let result = stdin.write_all(&message);
            // Dropping stdin closes the pipe: the tool sees end of input.
            drop(stdin);
            let _ = stdin_done.send(result.map_err(|e| e.to_string()));
        });
    }
    let (stderr_done, stderr_text) = mpsc::channel();
    if let Some(mut stderr) = child.stderr.take() {
        thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            let _ = stderr_done.send(text);
        });
    }

    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return failed(format!(
                    "`{command}` did not finish within {} s and was stopped",
                    timeout.as_secs()
                ));
            }
            Ok(None) => thread::sleep(Duration::from_millis(10)),
            Err(error) => return failed(format!("lost track of `{command}`: {error}")),
        }
    };
    let stderr = stderr_text
        .recv_timeout(Duration::from_secs(1))
        .unwrap_or_default();
    let last_stderr_line = stderr.lines().rev().find(|l| !l.trim().is_empty());
    if !status.success() {
        let exit = status
            .code()
            .map_or_else(|| "was killed".to_string(), |code| format!("exited {code}"));
        return failed(match last_stderr_line {
            Some(line) => format!("`{command}` {exit}: {}", line.trim()),
            None => format!("`{command}` {exit}"),
        });
    }
    match stdin_result.recv_timeout(Duration::from_secs(1)) {
        Ok(Ok(())) => Delivery::Sent {
            command: command.to_string(),
        },
        Ok(Err(error)) => failed(format!(
            "`{command}` exited before reading the whole message: {error}"
        )),
        Err(_) => failed(format!("`{command}` did not take the whole message")),
    }
}

fn write_to_outbox(message: &[u8], outbox: &Path, file_stem: &str) -> Delivery {
    let failed = |reason: String| Delivery::Failed { reason };
    if let Err(error) = DirBuilder::new().recursive(true).mode(0o700).create(outbox) {
        return failed(format!(
            "cannot create outbox {}: {error}",
            outbox.display()
        ));
    }
    let stem = safe_file_stem(file_stem);
    // Never overwrite an earlier message waiting in the outbox, and never
    // leave a half-written one for a mail program to pick up.
    let names = (1..1000).map(|attempt| {
        outbox.join(if attempt == 1 {
            format!("{stem}.eml")
        } else {
            format!("{stem}-{attempt}.eml")
        })
    });
    match crate::files::write_new_file(names, message) {
        Ok(path) => Delivery::Outbox { path },
        Err(error) => failed(crate::error::one_line(&error)),
    }
}

/// The stem as a plain file name: no folders, no hidden files.
fn safe_file_stem(file_stem: &str) -> String {
    let stem: String = file_stem
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.') {
                ch
            } else {
                '-'
            }
        })
        .collect();
    let stem = stem.trim_start_matches('.');
    if stem.is_empty() {
        "message".to_string()
    } else {
        stem.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_wraps_base64_of_the_text() {
        assert_eq!(osc52_copy("hi"), "\x1b]52;c;aGk=\x07");
    }

    #[test]
    fn file_stem_cannot_escape_the_outbox() {
        assert_eq!(safe_file_stem("../../etc/passwd"), "-..-etc-passwd");
        assert_eq!(safe_file_stem(".hidden"), "hidden");
        assert_eq!(safe_file_stem(""), "message");
        assert_eq!(safe_file_stem("reply-42 Ada"), "reply-42-Ada");
    }

    #[test]
    fn a_hung_send_command_is_stopped() {
        let delivery = run_send_command(b"x", "exec sleep 5", Duration::from_millis(200));
        let Delivery::Failed { reason } = delivery else {
            panic!("expected failure, got {delivery:?}");
        };
        assert!(reason.contains("did not finish"), "{reason}");
    }
}
