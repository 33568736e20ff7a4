//! A hand-drawn progress bar on stderr, for imports of more than a few
//! hundred messages. Drawn only when stderr is a terminal, at most ten times
//! a second, and wiped when done so the summary starts on a clean line.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Below this many messages an import is quick enough to need no bar.
const SHOW_AFTER_MESSAGES: usize = 300;
const WIDTH: usize = 30;
const REDRAW_EVERY: Duration = Duration::from_millis(100);

pub struct ProgressBar {
    /// Bytes the whole source holds (0 when unknown).
    total_bytes: u64,
    enabled: bool,
    drawn: bool,
    last_draw: Option<Instant>,
}

impl ProgressBar {
    pub fn new(total_bytes: u64) -> ProgressBar {
        ProgressBar {
            total_bytes,
            enabled: std::io::stderr().is_terminal(),
            drawn: false,
            last_draw: None,
        }
    }

    pub fn update(&mut self, messages: usize, bytes: u64) {
        if !self.enabled || messages < SHOW_AFTER_MESSAGES {
            return;
        }
        if self.last_draw.is_some_and(|at| at.elapsed() < REDRAW_EVERY) {
            return;
        }
        self.last_draw = Some(Instant::now());
        self.drawn = true;
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "\r{}", bar_line(messages, bytes, self.total_bytes));
        let _ = stderr.flush();
    }

    pub fn finish(&mut self) {
        if self.drawn {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2K");
            let _ = stderr.flush();
            self.drawn = false;
        }
    }
}

impl Drop for ProgressBar {
    fn drop(&mut self) {
        self.finish();
    }
}

/// `[#########.....................]  31%  1,204 messages`
fn bar_line(messages: usize, bytes: u64, total_bytes: u64) -> String {
    let counted = format!("{} messages", thousands(messages));
    if total_bytes == 0 {
        return format!("importing… {counted}");
    }
    let share = (bytes as f64 / total_bytes as f64).clamp(0.0, 1.0);
    let filled = (share * WIDTH as f64).round() as usize;
    format!(
        "[{}{}] {:>3}%  {counted}",
        "#".repeat(filled),
        ".".repeat(WIDTH - filled),
        (share * 100.0).round() as u32
    )
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_fills_with_the_bytes_read() {
        assert_eq!(
            bar_line(1204, 31, 100),
            "[#########.....................]  31%  1,204 messages"
        );
        assert_eq!(
            bar_line(5000, 200, 100),
            "[##############################] 100%  5,000 messages"
        );
        assert_eq!(bar_line(300, 5, 0), "importing… 300 messages");
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
