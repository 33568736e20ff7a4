//! `coachbook review` on the demo book: its figures against an independent
//! computation from `request list --json`, the shape of every format, and
//! the refusals of bad input.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde_json::Value;

/// Monday 23 November 2026, late afternoon in Berlin.
const NOW: &str = "2026-11-23T17:30:00+01:00";

struct Book {
    _dir: tempfile::TempDir,
    db: PathBuf,
    config: PathBuf,
}

fn demo_book() -> Book {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[coach]\ntime_zone = \"Europe/Berlin\"\n").expect("config");
    let db = dir.path().join("book.sqlite");
    let book = Book {
        _dir: dir,
        db,
        config,
    };
    let out = run(&book, &["demo"]);
    assert!(out.status.success(), "demo: {}", stderr(&out));
    book
}

fn run(book: &Book, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_coachbook"))
        .args(args)
        .arg("--db")
        .arg(&book.db)
        .env("COACHBOOK_NOW", NOW)
        .env("COACHBOOK_CONFIG", &book.config)
        .env_remove("COACHBOOK_DB")
        .output()
        .expect("coachbook runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json_of(book: &Book, args: &[&str]) -> Value {
    let out = run(book, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("valid JSON")
}

fn instant(value: &Value) -> Option<DateTime<FixedOffset>> {
    value
        .as_str()
        .map(|text| DateTime::parse_from_rfc3339(text).expect("RFC 3339"))
}

/// Nearest rank, computed the plain way: the value at rank ⌈p·n⌉.
fn rank_value(sorted: &[i64], p: f64) -> Value {
    if sorted.is_empty() {
        return Value::Null;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    Value::from(sorted[rank.max(1) - 1])
}

/// The requests whose local receipt day (the date part of `received_at`,
/// which carries the coach's offset) falls in `[from, to]`.
fn received_in<'a>(requests: &'a [Value], from: &str, to: &str) -> Vec<&'a Value> {
    requests
        .iter()
        .filter(|r| {
            let day = &r["received_at"].as_str().expect("received_at")[..10];
            from <= day && day <= to
        })
        .collect()
}

fn expected_review(requests: &[&Value]) -> Value {
    let now = DateTime::parse_from_rfc3339(NOW).expect("now");
    let mut minutes: Vec<i64> = requests
        .iter()
        .filter_map(|r| r["first_reply_minutes"].as_i64())
        .collect();
    minutes.sort_unstable();
    let mut within = serde_json::Map::new();
    for urgency in ["crisis", "urgent", "normal", "low"] {
        let (mut met, mut total) = (0, 0);
        for r in requests.iter().filter(|r| r["urgency"] == urgency) {
            let reply_by = instant(&r["reply_by"]).expect("reply_by");
            let waiting = r["status"] == "open" || r["status"] == "snoozed";
            match instant(&r["first_reply_at"]) {
                Some(first) => {
                    total += 1;
                    met += usize::from(first <= reply_by);
                }
                None if waiting && now > reply_by => total += 1,
                None => {}
            }
        }
        within.insert(
            urgency.into(),
            serde_json::json!({"met": met, "total": total}),
        );
    }
    serde_json::json!({
        "requests_received": requests.len(),
        "first_reply": {
            "count": minutes.len(),
            "median_minutes": rank_value(&minutes, 0.5),
            "p90_minutes": rank_value(&minutes, 0.9),
            "max_minutes": minutes.last().copied(),
        },
        "within_target": within,
    })
}

fn ids(values: &Value) -> Vec<i64> {
    values
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v["request"].as_i64().expect("request id"))
        .collect()
}

#[test]
fn the_review_agrees_with_the_requests_own_figures() {
    let book = demo_book();
    let listed = json_of(&book, &["request", "list", "--json"]);
    let requests = listed.as_array().expect("request list");
    let now = DateTime::parse_from_rfc3339(NOW).expect("now");

    for (from, to) in [
        ("2026-11-10", "2026-11-23"),
        ("2026-11-20", "2026-11-20"),
        ("2026-11-22", "2026-11-22"),
        ("2026-09-01", "2026-11-23"),
    ] {
        let review = json_of(
            &book,
            &["review", "--from", from, "--to", to, "--format", "json"],
        );
        let in_range = received_in(requests, from, to);
        let expected = expected_review(&in_range);
        assert_eq!(review["from"], from);
        assert_eq!(review["to"], to);
        for key in ["requests_received", "first_reply", "within_target"] {
            assert_eq!(review[key], expected[key], "{key} for {from}..{to}");
        }

        // Breaches: answered after the reply-by, or silent past it.
        let mut breaches: Vec<i64> = in_range
            .iter()
            .filter(|r| {
                let reply_by = instant(&r["reply_by"]).expect("reply_by");
                let waiting = r["status"] == "open" || r["status"] == "snoozed";
                match instant(&r["first_reply_at"]) {
                    Some(first) => first > reply_by,
                    None => waiting && now > reply_by,
                }
            })
            .map(|r| r["id"].as_i64().expect("id"))
            .collect();
        let mut reported = ids(&review["breaches"]);
        breaches.sort_unstable();
        reported.sort_unstable();
        assert_eq!(reported, breaches, "breaches for {from}..{to}");
        for breach in review["breaches"].as_array().expect("breaches") {
            let id = breach["request"].as_i64();
            let own = in_range.iter().find(|r| r["id"].as_i64() == id);
            let own = own.expect("breach is a listed request");
            if let Some(waited) = own["first_reply_minutes"].as_i64() {
                assert_eq!(breach["waited_minutes"], waited);
            }
            assert!(breach["target_minutes"].as_i64().is_some());
        }

        // Still unanswered: open or snoozed with no reply, oldest first.
        let unanswered: Vec<i64> = in_range
            .iter()
            .filter(|r| {
                r["first_reply_at"].is_null() && (r["status"] == "open" || r["status"] == "snoozed")
            })
            .map(|r| r["id"].as_i64().expect("id"))
            .collect();
        assert_eq!(ids(&review["unanswered"]), unanswered, "{from}..{to}");
    }
}

#[test]
fn the_trend_shows_the_daily_median_of_the_last_two_weeks() {
    let book = demo_book();
    let listed = json_of(&book, &["request", "list", "--json"]);
    let requests = listed.as_array().expect("request list");
    let review = json_of(&book, &["review", "--format", "json"]);
    let trend = review["daily_median_first_reply"]
        .as_array()
        .expect("trend");
    assert_eq!(trend.len(), 14);
    let last = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
    for (n, day) in trend.iter().enumerate() {
        let date = (last - chrono::Duration::days(13 - n as i64)).to_string();
        assert_eq!(day["date"], date.as_str());
        let mut minutes: Vec<i64> = received_in(requests, &date, &date)
            .iter()
            .filter_map(|r| r["first_reply_minutes"].as_i64())
            .collect();
        minutes.sort_unstable();
        assert_eq!(day["answered"], minutes.len());
        assert_eq!(day["median_minutes"], rank_value(&minutes, 0.5), "{date}");
    }
    assert!(
        trend
            .iter()
            .filter(|d| !d["median_minutes"].is_null())
            .count()
            >= 7,
        "the demo book answers requests on most days"
    );
}

#[test]
fn json_has_every_field_of_the_contract() {
    let book = demo_book();
    let review = json_of(
        &book,
        &[
            "review",
            "--from",
            "2026-11-09",
            "--to",
            "2026-11-23",
            "--format",
            "json",
        ],
    );
    for key in [
        "from",
        "to",
        "requests_received",
        "first_reply",
        "within_target",
        "breaches",
        "unanswered",
        "sessions",
        "at_risk",
    ] {
        assert!(review.get(key).is_some(), "missing {key}");
    }
    for key in ["count", "median_minutes", "p90_minutes", "max_minutes"] {
        assert!(
            review["first_reply"].get(key).is_some(),
            "first_reply.{key}"
        );
        assert!(review["first_reply_working"].get(key).is_some());
    }
    for urgency in ["crisis", "urgent", "normal", "low"] {
        assert!(review["within_target"][urgency]["met"].is_u64());
        assert!(review["within_target"][urgency]["total"].is_u64());
    }
    for key in [
        "held",
        "rescheduled_by_coach",
        "rescheduled_by_client",
        "cancelled",
        "no_show",
    ] {
        assert!(review["sessions"][key].is_u64(), "sessions.{key}");
    }
    let breach = &review["breaches"][0];
    for key in ["request", "client", "waited_minutes", "target_minutes"] {
        assert!(breach.get(key).is_some(), "breaches[].{key}");
    }
    let waiting = &review["unanswered"][0];
    for key in ["request", "client", "waiting_minutes"] {
        assert!(waiting.get(key).is_some(), "unanswered[].{key}");
    }
    let at_risk = &review["at_risk"][0];
    assert!(at_risk["client"].is_string());
    assert!(at_risk["reasons"][0].is_string());
    assert!(review["sessions"]["held"].as_u64() > Some(0));
    assert!(review["promises"]["broken"].is_u64());
    assert!(review["followups"]["overdue"].is_u64());
    assert!(review["apologies_sent"].is_u64());
}

#[test]
fn text_fits_80_columns_and_names_every_part() {
    let book = demo_book();
    let out = run(
        &book,
        &["review", "--from", "2026-11-09", "--to", "2026-11-23"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for line in text.lines() {
        assert!(line.chars().count() <= 80, "too wide: {line}");
    }
    for part in [
        "REVIEW · Mon 9 November – Mon 23 November 2026",
        "First reply",
        "work hours",
        "WITHIN TARGET",
        "BREACHES",
        "STILL UNANSWERED",
        "Sessions",
        "Apologies",
        "Promises",
        "Follow-ups",
        "AT RISK",
        "MEDIAN FIRST REPLY, LAST 14 DAYS",
    ] {
        assert!(text.contains(part), "missing {part}");
    }
}

#[test]
fn markdown_has_headings_and_tables() {
    let book = demo_book();
    let out = run(&book, &["review", "--date", "2026-11-20", "--format", "md"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let md = stdout(&out);
    assert!(md.starts_with("# Review · Friday 20 November 2026\n"));
    for heading in [
        "## First reply",
        "## Within target",
        "## Breaches",
        "## Still unanswered",
        "## At risk",
        "## Median first reply, last 14 days",
    ] {
        assert!(md.contains(heading), "missing {heading}");
    }
    assert!(md.contains("| | answered | median | p90 | max |"));
}

#[test]
fn csv_has_one_row_per_request_received() {
    let book = demo_book();
    let range = ["--from", "2026-11-09", "--to", "2026-11-23"];
    let out = run(
        &book,
        &[&["review", "--format", "csv"], &range[..]].concat(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = stdout(&out);
    let review = json_of(
        &book,
        &[&["review", "--format", "json"], &range[..]].concat(),
    );
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "id,client,received_at,urgency,reply_by,first_reply_at,waited_minutes,\
             target_minutes,within_target,waited_working_minutes,status,resolution"
        )
    );
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .expect("valid CSV");
    assert_eq!(
        Some(rows.len() as u64),
        review["requests_received"].as_u64()
    );
    let late = rows.iter().filter(|r| &r[8] == "false").count();
    assert_eq!(
        late,
        review["breaches"].as_array().map(Vec::len).unwrap_or(0)
    );
    assert!(rows.iter().all(|r| r.len() == 12));
}

#[test]
fn bad_input_is_one_line_and_exit_code_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[coach]\ntime_zone = \"Europe/Berlin\"\n").expect("config");
    let book = Book {
        db: dir.path().join("book.sqlite"),
        config,
        _dir: dir,
    };
    for args in [
        &["review", "--date", "today", "--from", "mon"][..],
        &["review", "--from", "2026-11-23", "--to", "2026-11-20"],
        &["review", "--format", "xml"],
        &["review", "--date", "someday"],
    ] {
        let out = run(&book, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(stdout(&out).is_empty());
    }
    // Refused before the book was opened: nothing was created.
    assert!(!Path::new(&book.db).exists());
}

/// A stored instant the review cannot read is one clear line naming the
/// value and a failed run, never a panic or a guessed figure; the forms
/// the RFC 3339 parser reads (a leap second, an offset) are reviewed as
/// before. Each odd value goes into the reply-by or first reply of the
/// latest request of November, read digit by digit (its date remembered
/// from the instants before it) or by the parser.
#[test]
fn odd_stored_instants_are_refused_in_one_line_or_read_as_the_parser_reads_them() {
    let book = demo_book();
    let conn = rusqlite::Connection::open(&book.db).expect("open");
    let (id, received): (i64, String) = conn
        .query_row(
            "SELECT id, received_at FROM requests WHERE received_at >= '2026-11-01' \
             ORDER BY received_at DESC, id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a November request");
    let day = &received[..10];
    let args = [
        "review",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-23",
        "--format",
        "json",
    ];
    for column in ["reply_by", "first_reply_at"] {
        for (value, read) in [
            (format!("{day}T23:59:60Z"), true),
            (format!("{day}T10:00:00+01:00"), true),
            ("1899-12-31T23:59:59Z".to_string(), false),
            ("2201-01-01T00:00:00Z".to_string(), false),
            ("2026-02-30T10:00:00Z".to_string(), false),
            (format!("{day}T24:00:00Z"), false),
            (format!("{day} 10:00:00"), false),
            ("soon".to_string(), false),
        ] {
            let old: Option<String> = conn
                .query_row(
                    &format!("SELECT {column} FROM requests WHERE id = ?1"),
                    [id],
                    |r| r.get(0),
                )
                .expect("old value");
            conn.execute(
                &format!("UPDATE requests SET {column} = ?1 WHERE id = ?2"),
                rusqlite::params![value, id],
            )
            .expect("odd value stored");
            let out = run(&book, &args);
            let err = stderr(&out);
            assert!(!err.contains("panicked"), "{column} {value}: {err}");
            if read {
                assert!(out.status.success(), "{column} {value}: {err}");
                let review: Value = serde_json::from_slice(&out.stdout).expect("json");
                let ours = review["requests"]
                    .as_array()
                    .expect("requests")
                    .iter()
                    .find(|r| r["request"] == id)
                    .unwrap_or_else(|| panic!("{column} {value}: request {id} reviewed"));
                let shown = instant(&ours[column]).expect("an instant");
                let stored = DateTime::parse_from_rfc3339(&value).expect("rfc 3339");
                assert_eq!(shown.timestamp(), stored.timestamp(), "{column} {value}");
            } else {
                assert!(!out.status.success(), "{column} {value}: read");
                assert_eq!(err.trim_end().lines().count(), 1, "{column} {value}: {err}");
                assert!(
                    err.contains("cannot read") && err.contains(value.as_str()),
                    "{column} {value}: {err}"
                );
                assert!(stdout(&out).is_empty(), "{column} {value}");
            }
            conn.execute(
                &format!("UPDATE requests SET {column} = ?1 WHERE id = ?2"),
                rusqlite::params![old, id],
            )
            .expect("value restored");
        }
    }
}
