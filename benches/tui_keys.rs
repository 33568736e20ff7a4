//! Key-to-frame time of the dashboard: one key through the keymap, `update`,
//! its effects and a full draw on a 120x40 `TestBackend`, on the demo book
//! and on the big books of `books` (the ten-year book, the messy one, and
//! with `COACHBOOK_BENCH_HUNDRED=1` the hundred-year one; or the books named
//! by `COACHBOOK_BENCH_BOOKS=label=path,…`).
//! Run with `cargo bench --bench tui_keys` (release build).

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod books;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use coachbook::clock::Clock;
use coachbook::store::Store;
use coachbook::tui::action::Action;
use coachbook::tui::app::App;
use coachbook::tui::input;
use coachbook::tui::keymap::Keymap;
use coachbook::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

/// Key presses timed per book (`TUI_KEYS_ITERATIONS` overrides).
const ITERATIONS: usize = 2000;
const RELOADS: usize = 50;

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("book.sqlite");
    let config = books::config()?;
    let now = books::now();
    let mut store = Store::open(&db)?;
    let summary = coachbook::demo::generate(&mut store, &config, now)?;
    drop(store);
    println!("demo book: {summary}");
    measure(&db, now)?;
    for (label, path) in books::books()? {
        println!("{label} book: {}", path.display());
        // A copy, so the reloads and the care made on opening never touch
        // the cached book.
        let copy = dir.path().join(format!("{label}.sqlite"));
        std::fs::copy(&path, &copy)?;
        measure(&copy, now)?;
        std::fs::remove_file(&copy)?;
    }
    Ok(())
}

fn measure(db: &Path, now: DateTime<Utc>) -> anyhow::Result<()> {
    let config = books::config()?;
    let started = Instant::now();
    let mut app = App::new(
        Store::open(db)?,
        config,
        Clock::Fixed(now),
        Arc::new(Keymap::defaults()),
        Theme::colored(),
        (120, 40),
    );
    let mut terminal = Terminal::new(TestBackend::new(120, 40))?;
    app.draw(&mut terminal)?;
    println!(
        "  open the book, load the first window of the day, first frame: {:?}",
        started.elapsed()
    );
    let started = Instant::now();
    app.after_first_frame();
    app.draw(&mut terminal)?;
    println!(
        "  then make what is due, load the whole day and draw: {:?}",
        started.elapsed()
    );

    let keys = [
        key(KeyCode::Char('j')),
        key(KeyCode::Char('k')),
        key(KeyCode::Tab),
        key(KeyCode::Char('G')),
        key(KeyCode::Char('g')),
    ];
    let iterations = std::env::var("TUI_KEYS_ITERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(ITERATIONS);
    let mut times = Vec::with_capacity(iterations);
    let mut by_key = vec![Vec::with_capacity(iterations / keys.len() + 1); keys.len()];
    for n in 0..iterations {
        let event = &keys[n % keys.len()];
        let start = Instant::now();
        if let Some(action) = input::action_for(app.model(), event) {
            app.dispatch(action);
        }
        app.draw(&mut terminal)?;
        let took = start.elapsed();
        times.push(took);
        by_key[n % keys.len()].push(took);
    }
    // Outliers of the machine (another process on the core) fall on any
    // key; a slow path shows as one key's p99.
    let slow = times
        .iter()
        .filter(|t| **t > Duration::from_millis(1))
        .count();
    report("  key (j/k/Tab/G/g) -> update -> draw", &mut times);
    println!("    over 1 ms: {slow} of {iterations}");
    for (label, times) in ["j", "k", "Tab", "G", "g"].iter().zip(&mut by_key) {
        report(&format!("    {label:>3}"), times);
    }

    // A write elsewhere: reload the whole day from the book, then draw.
    let mut times = Vec::with_capacity(RELOADS);
    for _ in 0..RELOADS {
        let start = Instant::now();
        app.dispatch(Action::BookChanged);
        app.draw(&mut terminal)?;
        times.push(start.elapsed());
    }
    report("  book changed -> reload the day -> draw", &mut times);
    Ok(())
}

fn key(code: KeyCode) -> Event {
    let modifiers = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    Event::Key(KeyEvent::new(code, modifiers))
}

fn report(what: &str, times: &mut [Duration]) {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    println!(
        "{what}: n={} mean={mean:?} p50={:?} p99={:?} max={:?}",
        times.len(),
        at(0.5),
        at(0.99),
        times[times.len() - 1]
    );
}
