//! How fast a big book opens and yields the dashboard's first frame of data.
//!
//! Builds the ten-year book of `coachbook demo --years 10` (300 clients,
//! 15,000 sessions, 50,000 requests, 60,000 replies, 20,000 follow-ups; the
//! library's own generator, `coachbook::demo::years`) and the hundred-year
//! one (ten times the rows), then times, on a fresh process-like connection
//! each round: `Store::open` + `dashboard::load`, against one
//! plain `SELECT count(*)` query on the same file (what the `sqlite3` shell
//! answers). Run: `cargo bench --bench ten_year_book`.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Utc};
use coachbook::config::Config;
use coachbook::store::Store;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T14:20:00+01:00")
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|_| Utc::now())
}

fn median(mut samples: Vec<StdDuration>) -> StdDuration {
    samples.sort();
    samples[samples.len() / 2]
}

fn measure(
    path: &std::path::Path,
    config: &Config,
) -> anyhow::Result<(StdDuration, StdDuration, usize)> {
    let mut first_frame = Vec::new();
    let mut one_query = Vec::new();
    let mut rows = 0;
    for _ in 0..21 {
        let started = Instant::now();
        let store = Store::open(path)?;
        let date = coachbook::domain::when::local_date(now(), config.tz);
        let sheet = coachbook::dashboard::load(&store, config, date, now())?;
        first_frame.push(started.elapsed());
        rows = sheet.sessions.len() + sheet.requests.len() + sheet.followups.len();
        drop(store);

        let started = Instant::now();
        let conn = rusqlite::Connection::open(path)?;
        let _: i64 = conn.query_row("SELECT count(*) FROM clients", [], |r| r.get(0))?;
        one_query.push(started.elapsed());
    }
    Ok((median(first_frame), median(one_query), rows))
}

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let config = Config::parse(
        "[coach]\ntime_zone = \"Europe/Berlin\"\n",
        std::path::Path::new("bench.toml"),
    )?;
    println!(
        "{:<34} {:>12} {:>14} {:>10}",
        "book", "first frame", "sqlite3 query", "pane rows"
    );
    for (label, years) in [
        ("ten-year (15k sessions, 50k req)", 10),
        ("hundred-year (ten times the rows)", 100),
    ] {
        let path = dir.path().join(format!("book-{years}.sqlite"));
        let built = Instant::now();
        let mut store = Store::open(&path)?;
        coachbook::demo::years::write_years(&mut store, &config, now(), years)?;
        drop(store);
        let size = std::fs::metadata(&path)?.len();
        let (frame, query, rows) = measure(&path, &config)?;
        println!(
            "{label:<34} {:>10.2}ms {:>12.2}ms {rows:>10}   (built in {:.0}s, {} MB)",
            frame.as_secs_f64() * 1000.0,
            query.as_secs_f64() * 1000.0,
            built.elapsed().as_secs_f64(),
            size / 1_000_000
        );
    }
    Ok(())
}
