//! The real binary in a pseudo-terminal: it draws the dashboard, opens the
//! help, follows a write by another process without a key press, quits, and
//! leaves the terminal as it found it. Every wait is for text on the parsed
//! screen, with a bounded timeout.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod tui_fixture;

use std::io::Write as _;
use std::num::NonZeroU16;
use std::process::Command;
use std::time::{Duration, Instant};

use coachbook::model::{Channel, Urgency};
use coachbook::store::NewRequest;
use expectrl::Session;
use expectrl::process::unix::WaitStatus;
use tui_fixture::{Book, NOW, now};

const WAIT: Duration = Duration::from_secs(20);

fn nonzero(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).unwrap_or(NonZeroU16::MIN)
}

struct Tty {
    session: Session<expectrl::process::unix::UnixProcess, expectrl::process::unix::PtyStream>,
    screen: vt100::Parser,
    raw: Vec<u8>,
}

impl Tty {
    fn spawn(book: &Book, columns: u16, rows: u16) -> Tty {
        let mut command = Command::new(env!("CARGO_BIN_EXE_coachbook"));
        command
            .arg("--db")
            .arg(&book.db)
            .env("COACHBOOK_NOW", NOW)
            .env("COACHBOOK_CONFIG", &book.config_path)
            .env("XDG_DATA_HOME", book.path().join("data"))
            .env("XDG_CONFIG_HOME", book.path().join("config"))
            .env("TERM", "xterm-256color")
            .env_remove("COACHBOOK_DB")
            .env_remove("NO_COLOR");
        let mut session = Session::spawn(command).expect("spawns in a pty");
        session
            .get_process_mut()
            .set_window_size(columns, rows)
            .expect("window size");
        Tty {
            session,
            screen: vt100::Parser::new(nonzero(rows), nonzero(columns), 0),
            raw: Vec::new(),
        }
    }

    /// Read whatever the program wrote so far.
    fn pump(&mut self) {
        let mut buf = [0u8; 8192];
        loop {
            match self.session.try_read(&mut buf) {
                Ok(0) => return,
                Ok(n) => {
                    self.screen.process(&buf[..n]);
                    self.raw.extend_from_slice(&buf[..n]);
                }
                Err(_) => return,
            }
        }
    }

    fn contents(&self) -> String {
        self.screen.screen().contents()
    }

    /// Wait until `text` is on the screen; returns how long it took.
    /// Wait until `text` is gone from the screen (a popup closed).
    fn wait_gone(&mut self, text: &str) {
        let start = Instant::now();
        loop {
            self.pump();
            if !self.contents().contains(text) {
                return;
            }
            assert!(
                start.elapsed() < WAIT,
                "'{text}' is still there after {WAIT:?}; the screen:\n{}",
                self.contents()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn wait_for(&mut self, text: &str) -> Duration {
        let start = Instant::now();
        loop {
            self.pump();
            if self.contents().contains(text) {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < WAIT,
                "'{text}' did not appear within {WAIT:?}; the screen:\n{}",
                self.contents()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn send(&mut self, keys: &str) {
        self.session
            .write_all(keys.as_bytes())
            .expect("writes keys");
        self.session.flush().expect("flushes");
    }

    /// Wait for the program to end; returns its exit code.
    fn wait_exit(&mut self) -> i32 {
        let start = Instant::now();
        loop {
            self.pump();
            match self.session.get_process().status() {
                Ok(WaitStatus::Exited(_, code)) => {
                    self.pump();
                    return code;
                }
                Ok(WaitStatus::Signaled(_, signal, _)) => panic!("killed by {signal:?}"),
                _ => {}
            }
            assert!(start.elapsed() < WAIT, "the program did not quit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

#[test]
fn the_dashboard_draws_opens_help_quits_and_restores_the_terminal() {
    let book = Book::new();
    let mut tty = Tty::spawn(&book, 120, 40);
    tty.wait_for("Sessions · Mon 23 Nov (today)");
    tty.wait_for("Open requests");
    tty.wait_for("Follow-ups due");
    // Amara's request leads with what is at stake for her.
    tty.wait_for("◆ Pitch to investors on Friday · Can we move");
    assert!(
        tty.screen.screen().alternate_screen(),
        "drawn on the alternate screen"
    );

    tty.send("?");
    tty.wait_for("show or hide this help");
    tty.send("?");
    tty.wait_for("? help");

    tty.send("q");
    assert_eq!(tty.wait_exit(), 0);
    assert!(
        !tty.screen.screen().alternate_screen(),
        "left the alternate screen"
    );
    let raw = String::from_utf8_lossy(&tty.raw);
    assert!(
        raw.contains("\u{1b}[?1049l"),
        "the leave-alternate-screen sequence was written"
    );
}

#[test]
fn a_write_by_another_process_shows_without_a_key_press() {
    let book = Book::new();
    let mut tty = Tty::spawn(&book, 120, 40);
    tty.wait_for("Open requests · 5");

    let mut other = book.open();
    let clock = book.config.reply_clock();
    other
        .change("request add", "a new request from the test", now(), |tx| {
            tx.add_request(
                &NewRequest {
                    client_id: None,
                    unknown_sender: Some("new@example.org".into()),
                    received_at: now(),
                    channel: Channel::Email,
                    urgency: Urgency::Urgent,
                    subject: Some("A brand new worry".into()),
                    body: "Please call me.".into(),
                    message_id: None,
                },
                &clock,
            )
        })
        .expect("the other process writes");
    let took = tty.wait_for("A brand new worry");
    tty.wait_for("Open requests · 6");
    // Polled once a second; allow for a busy machine.
    assert!(took < Duration::from_secs(3), "took {took:?}");

    tty.send("q");
    assert_eq!(tty.wait_exit(), 0);
}

#[test]
fn it_survives_a_resize_to_a_tiny_terminal_and_back() {
    let book = Book::new();
    let mut tty = Tty::spawn(&book, 60, 15);
    tty.wait_for("Open requests");
    tty.session
        .get_process_mut()
        .set_window_size(20, 5)
        .expect("resize");
    tty.screen.set_size(nonzero(5), nonzero(20));
    tty.wait_for("too small");
    tty.session
        .get_process_mut()
        .set_window_size(60, 15)
        .expect("resize");
    tty.screen.set_size(nonzero(15), nonzero(60));
    tty.wait_for("Open requests");
    tty.send("q");
    assert_eq!(tty.wait_exit(), 0);
}

#[test]
fn a_bad_keys_section_is_refused_before_the_terminal_is_touched() {
    let book = Book::new();
    std::fs::write(
        &book.config_path,
        format!("{}[keys]\nx = \"qiut\"\n", tui_fixture::CONFIG),
    )
    .expect("config");
    let output = Command::new(env!("CARGO_BIN_EXE_coachbook"))
        .arg("--db")
        .arg(&book.db)
        .env("COACHBOOK_NOW", NOW)
        .env("COACHBOOK_CONFIG", &book.config_path)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unknown action 'qiut' for key 'x'"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(!String::from_utf8_lossy(&output.stdout).contains("\u{1b}[?1049h"));
}

fn requests_in(book: &Book) -> i64 {
    let conn = rusqlite::Connection::open(&book.db).unwrap();
    conn.query_row("SELECT count(*) FROM requests", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_bracketed_paste_into_quick_capture_is_text_and_never_submits() {
    let book = Book::new();
    let before = requests_in(&book);
    let mut tty = Tty::spawn(&book, 120, 40);
    tty.wait_for("Open requests");
    assert!(
        String::from_utf8_lossy(&tty.raw).contains("\u{1b}[?2004h"),
        "bracketed paste is switched on"
    );
    tty.send("n");
    tty.wait_for("New request");
    // A paste with a newline into the one-line client field.
    tty.send("\u{1b}[200~line1\nline2\u{1b}[201~");
    tty.wait_for("line1 line2");
    // Into the text, with CRLF: still one line, still not saved.
    tty.send("\t");
    tty.send("\u{1b}[200~Called about\r\nFriday\u{1b}[201~");
    tty.wait_for("Called about Friday");
    // Nothing was submitted: the form is open, the book unchanged.
    std::thread::sleep(Duration::from_millis(300));
    tty.pump();
    assert!(tty.contents().contains("New request"), "{}", tty.contents());
    assert_eq!(requests_in(&book), before, "the paste saved nothing");
    // Wide characters: the cursor sits after their display cells.
    tty.send("\u{1b}[200~ 日本\u{1b}[201~");
    tty.wait_for("Called about Friday 日本");
    let (_, column) = tty.screen.screen().cursor_position();
    let line = tty
        .contents()
        .lines()
        .find(|l| l.contains("Called about Friday"))
        .unwrap()
        .to_string();
    let label_at = line.find("Text").unwrap();
    let start = line[..label_at].chars().count() as u16;
    // "Text" label (10 cells) + "Called about Friday " (20) + 日本 (4 cells).
    assert_eq!(column, start + 10 + 20 + 4, "{line}");
    // Esc closes the form; `q` only once it is gone ("Sessions" shows
    // behind the popup too, and an Esc and a `q` read together are Alt+q).
    tty.send("\u{1b}");
    tty.wait_gone("New request");
    tty.send("q");
    assert_eq!(tty.wait_exit(), 0);
    assert!(
        String::from_utf8_lossy(&tty.raw).contains("\u{1b}[?2004l"),
        "bracketed paste is switched off again"
    );
    assert_eq!(requests_in(&book), before);
}
