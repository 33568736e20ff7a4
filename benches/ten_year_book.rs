//! How fast a big book opens and yields the dashboard's first frame of data.
//!
//! Builds a ten-year book (300 clients, 15,000 sessions, 50,000 requests,
//! 60,000 replies) and one ten times larger, then times, on a fresh process-
//! like connection each round: `Store::open` + `dashboard::load`, against one
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

use chrono::{DateTime, Duration, Utc};
use coachbook::config::Config;
use coachbook::model::{Channel, DeliveryState, ReplyKind, Urgency};
use coachbook::store::{NewClient, NewReply, NewRequest, NewSession, Store};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T14:20:00+01:00")
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|_| Utc::now())
}

/// Fill a book with `scale` ten-year practices' worth of rows.
fn build(path: &std::path::Path, scale: i64, config: &Config) -> anyhow::Result<()> {
    let mut store = Store::open(path)?;
    let clock = config.reply_clock();
    let start = now() - Duration::days(3650);
    let clients = 300 * scale;
    store.change("bench", "clients", now(), |tx| {
        for n in 0..clients {
            tx.add_client(
                &NewClient {
                    name: format!("Client {n:05}"),
                    ..NewClient::default()
                },
                config.tz,
            )?;
        }
        Ok(())
    })?;
    let sessions = 15_000 * scale;
    store.change("bench", "sessions", now(), |tx| {
        for n in 0..sessions {
            let at = start + Duration::minutes(n * 3650 * 24 * 60 / sessions);
            tx.add_sessions(
                &NewSession {
                    client_id: 1 + n % clients,
                    start: at,
                    minutes: 60,
                    place: None,
                    request_id: None,
                },
                None,
            )?;
        }
        Ok(())
    })?;
    let requests = 50_000 * scale;
    store.change("bench", "requests", now(), |tx| {
        for n in 0..requests {
            let at = start + Duration::minutes(n * 3650 * 24 * 60 / requests);
            let client = 1 + n % clients;
            let id = tx.add_request(
                &NewRequest {
                    client_id: Some(client),
                    unknown_sender: None,
                    received_at: at,
                    channel: Channel::Email,
                    urgency: Urgency::ALL[(n % 4) as usize],
                    subject: Some(format!("Message {n}")),
                    body: "A message of a typical length, asking for a little time to talk.".into(),
                    message_id: None,
                },
                &clock,
            )?;
            // 60,000 replies: most requests get one, every fifth gets two.
            let replies = if n % 5 == 0 { 2 } else { 1 };
            for k in 0..replies {
                if at + Duration::hours(2) > now() {
                    break;
                }
                tx.add_reply(&NewReply {
                    client_id: Some(client),
                    partner_id: None,
                    request_id: Some(id),
                    session_id: None,
                    kind: ReplyKind::Reply,
                    sent_at: at + Duration::hours(1 + k),
                    to_addr: None,
                    subject: None,
                    body: "Thank you, let us talk on Thursday.".into(),
                    message_id: None,
                    delivery: DeliveryState::Sent,
                })?;
            }
            if n % 7 != 0 && at + Duration::days(3) < now() {
                tx.set_request_status(id, coachbook::model::RequestStatus::Closed, None)?;
            }
        }
        Ok(())
    })?;
    Ok(())
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
    for (label, scale) in [
        ("ten-year (15k sessions, 50k req)", 1),
        ("ten times larger", 10),
    ] {
        let path = dir.path().join(format!("book-{scale}.sqlite"));
        let built = Instant::now();
        build(&path, scale, &config)?;
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
