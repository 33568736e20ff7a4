//! Launch → first frame: the release binary in a pseudo-terminal, from the
//! spawn to the moment the dashboard's requests title (with its count, so
//! the day is loaded) reaches the terminal, against a bare terminal pane: a
//! program that enters the alternate screen with ratatui, draws one frame
//! with the same title and waits for `q` (this bench binary itself, run with
//! `--bare-pane`). Each launch quits with `q`.
//!
//! Each book is launched twice over: with today's backup already there, and
//! as the first launch of the day: before each launch, today's backup is
//! renamed to yesterday's, as a morning finds the folder, so the daily
//! backup is due, and flushed to disk, as yesterday's copy long is (the
//! launch before it has just written it: its writing-back is not the next
//! launch's). Books: the demo book, then those of
//! `books` (`COACHBOOK_BENCH_BOOKS`, `COACHBOOK_BENCH_HUNDRED`, see there).
//! Run: `cargo bench --bench first_frame` (release build); `FIRST_FRAME_RUNS`
//! sets the launches per row (default 15); `FIRST_FRAME_BIN=PATH` launches
//! another build of coachbook instead (to compare a before and an after).

// Benches may unwrap and index: a panic there is a failed bench, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod books;

use std::io::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use expectrl::Session;

/// What the first frame shows once the day is loaded (on the parsed
/// screen: ratatui skips blank cells with cursor moves).
const MARKER: &str = "Open requests · ";
const WAIT: Duration = Duration::from_secs(60);

fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--bare-pane") {
        // The floor starts as coachbook does (its heap on huge pages).
        coachbook::heap::use_huge_pages(coachbook::heap::Heap::Dashboard);
        return bare_pane();
    }
    let runs: usize = std::env::var("FIRST_FRAME_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(15);
    let dir = tempfile::tempdir()?;
    let config_path = dir.path().join("config.toml");
    std::fs::write(&config_path, "[coach]\ntime_zone = \"Europe/Berlin\"\n")?;
    let demo = dir.path().join("demo").join("book.sqlite");
    std::fs::create_dir_all(demo.parent().unwrap())?;
    {
        let mut store = coachbook::store::Store::open(&demo)?;
        coachbook::demo::generate(&mut store, &books::config()?, books::now())?;
    }
    let mut list = vec![("demo".to_string(), demo)];
    for (label, path) in books::books()? {
        // A copy in a folder of its own: its backups go next to it.
        let copy = dir.path().join(&label).join("book.sqlite");
        std::fs::create_dir_all(copy.parent().unwrap())?;
        std::fs::copy(&path, &copy)?;
        list.push((label, copy));
    }

    // `FIRST_FRAME_BIN=PATH` measures another build (a before and after).
    let bin = std::env::var_os("FIRST_FRAME_BIN").map_or_else(
        || env!("CARGO_BIN_EXE_coachbook").into(),
        std::path::PathBuf::from,
    );
    let me = std::env::current_exe()?;
    let bare = measure(runs, || {
        let mut command = Command::new(&me);
        command.arg("--bare-pane");
        command
    })?;
    println!("{:<44} {}", "bare terminal pane", stats(&bare));
    let bare_median = median(&bare);
    for (label, book) in &list {
        let launch = || {
            let mut command = Command::new(&bin);
            command
                .arg("--db")
                .arg(book)
                .env("COACHBOOK_NOW", "2026-11-23T14:20:00+01:00")
                .env("COACHBOOK_CONFIG", &config_path)
                .env("XDG_DATA_HOME", dir.path().join("data"))
                .env_remove("COACHBOOK_DB");
            command
        };
        // The first launch ever makes what was due; not measured.
        measure(1, launch)?;
        let warm = measure(runs, launch)?;
        let first_of_day = measure_each(runs, launch, || yesterdays_backup(book))?;
        for (what, times) in [("", &warm), (", first launch of the day", &first_of_day)] {
            println!(
                "{:<44} {}  {:.2}x the bare pane",
                format!("coachbook, {label} book{what}"),
                stats(times),
                median(times).as_secs_f64() / bare_median.as_secs_f64()
            );
        }
        wait_for_backup(book);
    }
    Ok(())
}

fn measure(runs: usize, command: impl Fn() -> Command) -> anyhow::Result<Vec<Duration>> {
    measure_each(runs, command, || {})
}

/// `runs` launches, each after `before`: spawn → the marker on screen.
fn measure_each(
    runs: usize,
    command: impl Fn() -> Command,
    before: impl Fn(),
) -> anyhow::Result<Vec<Duration>> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        before();
        let mut command = command();
        command.env("TERM", "xterm-256color").env_remove("NO_COLOR");
        let started = Instant::now();
        let mut session = Session::spawn(command)?;
        let size = |n| std::num::NonZeroU16::new(n).unwrap();
        let mut screen = vt100::Parser::new(size(24), size(80), 0);
        let mut buf = [0u8; 65536];
        loop {
            match session.try_read(&mut buf) {
                Ok(0) => anyhow::bail!("the program ended before its first frame"),
                Ok(n) => {
                    screen.process(&buf[..n]);
                    if screen.screen().contents().contains(MARKER) {
                        break;
                    }
                }
                Err(_) => std::thread::sleep(Duration::from_micros(100)),
            }
            if started.elapsed() > WAIT {
                anyhow::bail!(
                    "no first frame within {WAIT:?}: {}",
                    screen.screen().contents()
                );
            }
        }
        times.push(started.elapsed());
        session.write_all(b"q")?;
        session.flush()?;
        // Drain until it exits, so the next launch starts on a quiet machine.
        let until = Instant::now() + WAIT;
        while expectrl::process::Healthcheck::is_alive(session.get_process()).unwrap_or(false)
            && Instant::now() < until
        {
            let _ = session.try_read(&mut buf);
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    Ok(times)
}

/// Make today's backup of `book` yesterday's, on disk.
fn yesterdays_backup(book: &Path) {
    use coachbook::store::backup::daily_path;
    let today = books::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive();
    let yesterday = today.pred_opt().unwrap();
    let (from, to) = (daily_path(book, today), daily_path(book, yesterday));
    if std::fs::rename(&from, &to).is_ok() {
        std::fs::File::open(&to).unwrap().sync_all().unwrap();
        let folder = to.parent().unwrap();
        std::fs::File::open(folder).unwrap().sync_all().unwrap();
    }
}

/// A quit may leave today's backup to finish; wait for it before the next
/// book, so one book's copy never slows another's launch.
fn wait_for_backup(book: &Path) {
    let until = Instant::now() + WAIT;
    let folder = coachbook::store::backup::folder(book);
    while Instant::now() < until {
        let busy = std::fs::read_dir(&folder).is_ok_and(|entries| {
            entries.filter_map(Result::ok).any(|e| {
                e.file_name()
                    .to_string_lossy()
                    .contains(coachbook::files::TEMP_MARKER)
            })
        });
        if !busy {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

fn stats(times: &[Duration]) -> String {
    let mut sorted = times.to_vec();
    sorted.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "n={:<3} min {:>7.1} ms  median {:>7.1} ms  max {:>7.1} ms",
        sorted.len(),
        ms(sorted[0]),
        ms(sorted[sorted.len() / 2]),
        ms(sorted[sorted.len() - 1])
    )
}

/// The floor: enter the alternate screen, draw one frame, wait for `q`.
fn bare_pane() -> anyhow::Result<()> {
    use ratatui::crossterm::event::{self, Event, KeyCode};
    use ratatui::widgets::{Block, Paragraph};
    let mut terminal = ratatui::try_init()?;
    let drawn = terminal.draw(|frame| {
        let block = Block::bordered().title(" Open requests · 0 ");
        frame.render_widget(Paragraph::new("nothing").block(block), frame.area());
    });
    coachbook::heap::start_up_done();
    let result = drawn
        .map(|_| ())
        .map_err(anyhow::Error::from)
        .and_then(|()| {
            loop {
                if let Event::Key(key) = event::read()?
                    && key.code == KeyCode::Char('q')
                {
                    return Ok(());
                }
            }
        });
    ratatui::restore();
    result
}
