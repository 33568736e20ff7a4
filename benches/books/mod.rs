//! The books the speed figures are measured on, shared by the benches.
//!
//! `COACHBOOK_BENCH_BOOKS="label=path,label=path"` names books already
//! written (by `coachbook demo --years N`, or a real book copied aside);
//! without it the ten-year book and the messy book (the ten-year book after
//! a year of mail: about 9,500 requests still open) are built once into the
//! bench's own target folder and reused. `COACHBOOK_BENCH_HUNDRED=1` adds
//! the hundred-year book (ten times the rows over a hundred years; it takes
//! minutes to build the first time).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use coachbook::config::Config;
use coachbook::model::{Channel, DeliveryState, FollowUpKind, Owner, ReplyKind, Urgency};
use coachbook::store::{
    ClientQueries as _, NewClient, NewFollowUp, NewReply, NewRequest, NewSession, Store,
};

/// The fixed clock of every bench book: a Monday afternoon.
pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T14:20:00+01:00")
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|_| Utc::now())
}

pub fn config() -> anyhow::Result<Config> {
    Ok(Config::parse(
        "[coach]\ntime_zone = \"Europe/Berlin\"\n",
        Path::new("bench.toml"),
    )?)
}

/// A mail body of a typical length (about 1.2 kB), different per message.
fn mail_body(n: i64) -> String {
    let mut body = format!("Hello,\n\nmessage {n}: could we find a little time to talk?\n\n");
    while body.len() < 1200 {
        body.push_str("I have been thinking about what we discussed and would like to go on. ");
    }
    body.push_str("\n\nBest wishes\n");
    body
}

/// A practice of `years` years: per ten years 300 clients, 15,000 sessions,
/// 50,000 requests (60,000 replies, a seventh left open or waiting), and
/// 20,000 follow-ups; sessions and follow-ups fall today too.
pub fn build(path: &Path, years: i64, config: &Config) -> anyhow::Result<()> {
    let scale = (years / 10).max(1);
    let mut store = Store::open(path)?;
    let clock = config.reply_clock();
    let span_minutes = years * 365 * 24 * 60;
    let start = now() - Duration::minutes(span_minutes);
    let clients = 300 * scale;
    store.change("bench", "clients", now(), |tx| {
        for n in 0..clients {
            let name = format!("Client {n:05}");
            tx.add_client(
                &NewClient {
                    name,
                    ..NewClient::default()
                },
                config.tz,
            )?;
        }
        Ok(())
    })?;
    // Sessions run a week past today so today has its own.
    let sessions = 15_000 * scale;
    store.change("bench", "sessions", now(), |tx| {
        for n in 0..sessions {
            let at = start + Duration::minutes(n * (span_minutes + 7 * 24 * 60) / sessions);
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
            let at = start + Duration::minutes(n * span_minutes / requests);
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
                    kind: if n % 97 == 0 {
                        ReplyKind::Apology
                    } else {
                        ReplyKind::Reply
                    },
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
    // Follow-ups up to two days ahead; the old ones mostly done, in
    // changes of a hundred dated just before (kept) or after (late) them.
    let followups = 20_000 * scale;
    let due_of = |n: i64| start + Duration::minutes(n * (span_minutes + 2 * 24 * 60) / followups);
    for chunk in (0..followups).step_by(100) {
        let last = (chunk + 100).min(followups);
        let done_at = if (chunk / 100) % 2 == 0 {
            due_of(chunk) - Duration::hours(1)
        } else {
            due_of(last - 1) + Duration::hours(1)
        };
        store.change("bench", "follow-ups", done_at, |tx| {
            for n in chunk..last {
                let due = due_of(n);
                let id = tx.add_followup(&NewFollowUp {
                    client_id: 1 + n % clients,
                    request_id: None,
                    due,
                    text: format!("Send the notes of session {n}"),
                    owner: if n % 3 == 0 {
                        Owner::Client
                    } else {
                        Owner::Coach
                    },
                    kind: [FollowUpKind::Action, FollowUpKind::Promise][(n % 2) as usize],
                    made_by_reply: None,
                    callback: false,
                })?;
                if n % 50 != 0 && due + Duration::days(2) < now() {
                    tx.complete_followup(id)?;
                }
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// A year of imported mail on top of a book: 10,000 messages, a third from
/// unknown senders, 500 of them answered; the rest stay open.
pub fn add_mail_year(path: &Path, config: &Config) -> anyhow::Result<()> {
    let mut store = Store::open(path)?;
    let clock = config.reply_clock();
    let clients: i64 = store.client_names()?.len().try_into()?;
    let messages = 10_000;
    let span = 365 * 24 * 60;
    let start = now() - Duration::minutes(span);
    store.change("bench", "mail", now(), |tx| {
        for n in 0..messages {
            let at = start + Duration::minutes(n * span / messages);
            let known = n % 3 != 0;
            let client = known.then_some(1 + n % clients.max(1));
            let id = tx.add_request(
                &NewRequest {
                    client_id: client,
                    unknown_sender: (!known).then(|| format!("sender{n}@example.org")),
                    received_at: at,
                    channel: Channel::Email,
                    urgency: Urgency::ALL[(n % 3) as usize + 1],
                    subject: Some(format!("=?utf-8?q?Re=3A?= About next week ({n})")),
                    body: mail_body(n),
                    message_id: Some(format!("<mail-{n}@example.org>")),
                },
                &clock,
            )?;
            if n % 20 == 0 {
                tx.add_reply(&NewReply {
                    client_id: client,
                    partner_id: None,
                    request_id: Some(id),
                    session_id: None,
                    kind: ReplyKind::Reply,
                    sent_at: at + Duration::hours(3),
                    to_addr: None,
                    subject: None,
                    body: "Thank you for writing.".into(),
                    message_id: None,
                    delivery: DeliveryState::Sent,
                })?;
            }
        }
        Ok(())
    })?;
    Ok(())
}

/// The books to measure: from `COACHBOOK_BENCH_BOOKS`, or built once.
pub fn books() -> anyhow::Result<Vec<(String, PathBuf)>> {
    if let Ok(list) = std::env::var("COACHBOOK_BENCH_BOOKS") {
        return list
            .split(',')
            .filter(|item| !item.trim().is_empty())
            .map(|item| match item.split_once('=') {
                Some((label, path)) => Ok((label.trim().to_string(), PathBuf::from(path.trim()))),
                None => anyhow::bail!("COACHBOOK_BENCH_BOOKS wants label=path,…; got {item:?}"),
            })
            .collect();
    }
    let folder = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-books");
    std::fs::create_dir_all(&folder)?;
    let config = config()?;
    let mut books = Vec::new();
    let ten = cached(&folder.join("ten-year.sqlite"), |path| {
        build(path, 10, &config)
    })?;
    books.push(("ten-year".to_string(), ten.clone()));
    let messy = cached(&folder.join("messy.sqlite"), |path| {
        std::fs::copy(&ten, path)?;
        add_mail_year(path, &config)
    })?;
    books.push(("messy".to_string(), messy));
    if std::env::var("COACHBOOK_BENCH_HUNDRED").is_ok_and(|v| v == "1") {
        let hundred = cached(&folder.join("hundred-year.sqlite"), |path| {
            build(path, 100, &config)
        })?;
        books.push(("hundred-year".to_string(), hundred));
    }
    Ok(books)
}

/// `path` if it was built before; otherwise build it under a temporary name
/// first, so an interrupted build is never taken for a book.
fn cached(path: &Path, make: impl FnOnce(&Path) -> anyhow::Result<()>) -> anyhow::Result<PathBuf> {
    if path.exists() {
        return Ok(path.to_path_buf());
    }
    let temp = path.with_extension("building");
    let _ = std::fs::remove_file(&temp);
    let started = std::time::Instant::now();
    make(&temp)?;
    std::fs::rename(&temp, path)?;
    eprintln!(
        "built {} in {:.0}s",
        path.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(path.to_path_buf())
}
