//! The README's screen captures are what the real program draws: the binary
//! runs in a pseudo-terminal on the demo book at a fixed clock, and each
//! capture between `<!-- capture: NAME -->` and `<!-- /capture -->` in
//! README.md must equal the screen it draws now. A stale README fails here;
//! `COACHBOOK_UPDATE_README=1 cargo test --test readme_captures` rewrites
//! the captures from the program.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write as _;
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use expectrl::Session;

/// The clock of every capture (and of the README's command-line tour).
const NOW: &str = "2026-11-23T14:20:00+01:00";
const WAIT: Duration = Duration::from_secs(30);
/// The screen counts as drawn once nothing new came for this long.
const SETTLED: Duration = Duration::from_millis(700);
const REGENERATE: &str = "COACHBOOK_UPDATE_README=1 cargo test --test readme_captures";

/// What each capture shows: its name, the terminal size, the keys pressed
/// after the dashboard is drawn, and the text to wait for after them.
const CAPTURES: &[(&str, u16, u16, &str, &str)] = &[
    ("dashboard-120x40", 120, 40, "", "Follow-ups due"),
    (
        "emergency-pick-120x40",
        120,
        40,
        "!",
        "Which session to free?",
    ),
    ("dashboard-60x15", 60, 15, "", "Follow-ups due"),
];

struct Demo {
    dir: tempfile::TempDir,
}

impl Demo {
    fn new() -> Demo {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("config.toml"),
            "[coach]\nname = \"Sam Rivera\"\ntime_zone = \"Europe/Berlin\"\n",
        )
        .expect("config");
        let demo = Demo { dir };
        let out = demo
            .command()
            .arg("demo")
            .output()
            .expect("coachbook demo runs");
        assert!(
            out.status.success(),
            "demo: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        demo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_coachbook"));
        command
            .arg("--db")
            .arg(self.path().join("demo.sqlite"))
            .env("COACHBOOK_NOW", NOW)
            .env("COACHBOOK_CONFIG", self.path().join("config.toml"))
            .env("XDG_DATA_HOME", self.path().join("data"))
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("TERM", "xterm-256color")
            .env_remove("COACHBOOK_DB");
        command
    }
}

/// The screen the program draws at `columns` x `rows` after `keys`, each
/// line without its trailing spaces.
fn capture(demo: &Demo, columns: u16, rows: u16, keys: &str, wait_for: &str) -> String {
    let nonzero = |n: u16| NonZeroU16::new(n).unwrap_or(NonZeroU16::MIN);
    let mut session = Session::spawn(demo.command()).expect("spawns in a pty");
    session
        .get_process_mut()
        .set_window_size(columns, rows)
        .expect("window size");
    let mut screen = vt100::Parser::new(nonzero(rows), nonzero(columns), 0);
    let settle = |session: &mut Session<_, _>, screen: &mut vt100::Parser, text: &str| {
        let start = Instant::now();
        let mut last = Instant::now();
        let mut buf = [0u8; 8192];
        loop {
            while let Ok(n) = session.try_read(&mut buf) {
                if n == 0 {
                    break;
                }
                screen.process(&buf[..n]);
                last = Instant::now();
            }
            if screen.screen().contents().contains(text) && last.elapsed() >= SETTLED {
                return;
            }
            assert!(
                start.elapsed() < WAIT,
                "'{text}' was not drawn within {WAIT:?}:\n{}",
                screen.screen().contents()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    settle(&mut session, &mut screen, "Follow-ups due");
    if !keys.is_empty() {
        session.write_all(keys.as_bytes()).expect("keys");
        session.flush().expect("flush");
        settle(&mut session, &mut screen, wait_for);
    }
    let text: Vec<String> = screen
        .screen()
        .rows(0, columns)
        .map(|row| row.trim_end().to_string())
        .collect();
    // Quit (Esc first, out of a flow) and wait for the program to end.
    let _ = session.write_all(b"\x1b");
    let _ = session.flush();
    std::thread::sleep(Duration::from_millis(300));
    let _ = session.write_all(b"q");
    let _ = session.flush();
    let start = Instant::now();
    let mut buf = [0u8; 8192];
    while start.elapsed() < WAIT {
        let _ = session.try_read(&mut buf);
        if matches!(
            session.get_process().status(),
            Ok(expectrl::process::unix::WaitStatus::Exited(..))
        ) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    text.join("\n")
}

fn readme() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")
}

/// README.md with every capture block replaced by `captures`; the names
/// found in the README, in order.
fn with_captures(readme: &str, captures: &[(&str, String)]) -> (String, Vec<String>) {
    let mut out = String::with_capacity(readme.len());
    let mut names = Vec::new();
    let mut rest = readme;
    while let Some(start) = rest.find("<!-- capture: ") {
        let (before, from) = rest.split_at(start);
        out.push_str(before);
        let header_end = from.find("-->").expect("a capture marker ends with -->") + 3;
        let name = from["<!-- capture: ".len()..header_end - 3]
            .trim()
            .to_string();
        let end = from
            .find("<!-- /capture -->")
            .unwrap_or_else(|| panic!("capture {name} has no <!-- /capture --> end marker"));
        let screen = captures
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| s.as_str())
            .unwrap_or_else(|| panic!("the README names an unknown capture {name}"));
        out.push_str(&from[..header_end]);
        out.push_str("\n```\n");
        out.push_str(screen);
        out.push_str("\n```\n");
        out.push_str("<!-- /capture -->");
        rest = &from[end + "<!-- /capture -->".len()..];
        names.push(name);
    }
    out.push_str(rest);
    (out, names)
}

#[test]
fn the_readme_captures_are_what_the_program_draws() {
    let demo = Demo::new();
    let captures: Vec<(&str, String)> = CAPTURES
        .iter()
        .map(|(name, columns, rows, keys, wait)| {
            (*name, capture(&demo, *columns, *rows, keys, wait))
        })
        .collect();
    let path = readme();
    let now = std::fs::read_to_string(&path).expect("README.md");
    let (fresh, names) = with_captures(&now, &captures);
    for (name, ..) in CAPTURES {
        assert!(
            names.iter().any(|n| n == name),
            "README.md has no <!-- capture: {name} --> block"
        );
    }
    if std::env::var_os("COACHBOOK_UPDATE_README").is_some() {
        if fresh != now {
            std::fs::write(&path, &fresh).expect("writes README.md");
            eprintln!("README.md: captures rewritten from the program");
        }
        return;
    }
    if fresh != now {
        let first = now
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "README.md's screen captures are stale (first difference at line {}):\n  README: {}\n  drawn:  {}\nregenerate them with: {REGENERATE}",
            first + 1,
            now.lines().nth(first).unwrap_or(""),
            fresh.lines().nth(first).unwrap_or("")
        );
    }
}

#[test]
fn capture_blocks_are_replaced_in_place() {
    let readme = "a\n<!-- capture: x -->\n```\nold\n```\n<!-- /capture -->\nb\n";
    let (out, names) = with_captures(readme, &[("x", "new screen".to_string())]);
    assert_eq!(names, vec!["x".to_string()]);
    assert_eq!(
        out,
        "a\n<!-- capture: x -->\n```\nnew screen\n```\n<!-- /capture -->\nb\n"
    );
}
