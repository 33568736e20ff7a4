//! Every statement the dashboard (`today`, the TUI's day), the care it makes
//! due first and the review run on a generated book is recorded as it runs
//! (SQLite's statement trace), and `EXPLAIN QUERY PLAN` of each must search
//! its large tables through an index: a SCAN of sessions, requests,
//! replies, follow-ups, session moves, the change log or the undo log grows
//! with the book, and a book is kept for a whole career. Scanning a small
//! partial index (the requests still waiting, the pending follow-ups) is
//! fine: it holds only what is open. `store::risk_facts` checks its batched
//! queries the same way, with and without ANALYZE.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use coachbook::config::Config;
use coachbook::store::Store;

const LARGE_TABLES: &[&str] = &[
    "sessions",
    "requests",
    "replies",
    "followups",
    "session_moves",
    "changes",
    "undo_log",
];

/// Partial indexes that hold only open rows: scanning them is bounded by
/// what is open, not by the book.
const OPEN_ROWS_ONLY: &[&str] = &[
    "requests_waiting",
    "followups_pending",
    "replies_undelivered",
    "requests_snoozed_client",
    "requests_waiting_client",
];

static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn record(sql: &str) {
    SEEN.lock().unwrap().push(sql.to_string());
}

fn now() -> DateTime<Utc> {
    "2026-11-23T13:20:00Z".parse().unwrap()
}

/// The names a statement gives the large tables: themselves and their
/// aliases (`FROM requests r`, `JOIN sessions AS s`).
fn large_names(sql: &str) -> BTreeSet<String> {
    let words: Vec<String> = sql
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut names: BTreeSet<String> = LARGE_TABLES.iter().map(|t| t.to_string()).collect();
    for (i, word) in words.iter().enumerate() {
        if !LARGE_TABLES.contains(&word.as_str()) {
            continue;
        }
        let mut next = words.get(i + 1);
        if next.is_some_and(|w| w == "as") {
            next = words.get(i + 2);
        }
        if let Some(alias) = next.filter(|w| {
            w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !matches!(
                    w.as_str(),
                    "where"
                        | "join"
                        | "left"
                        | "inner"
                        | "on"
                        | "order"
                        | "group"
                        | "set"
                        | "values"
                        | "limit"
                        | "union"
                        | "using"
                        | "indexed"
                        | "not"
                )
        }) {
            names.insert(alias.clone());
        }
    }
    names
}

/// Why `plan` of `sql` scans a large table, if it does.
fn scanned_large_table(sql: &str, plan: &[String]) -> Option<String> {
    let large_names = large_names(sql);
    plan.iter()
        .find(|line| {
            let Some(rest) = line
                .trim_start_matches(['|', '-', '`', ' '])
                .strip_prefix("SCAN ")
            else {
                return false;
            };
            let table = rest.split_whitespace().next().unwrap_or("").to_lowercase();
            let large = large_names.contains(&table);
            let bounded = OPEN_ROWS_ONLY
                .iter()
                .any(|index| rest.contains(&format!("INDEX {index}")));
            large && !bounded
        })
        .cloned()
}

#[test]
fn the_dashboard_care_and_review_queries_scan_no_large_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.sqlite");
    let config = Config::parse(
        "[coach]\ntime_zone = \"Europe/Berlin\"\naddresses = [\"sam@coach.example\"]\n",
        &dir.path().join("config.toml"),
    )
    .unwrap();
    {
        let mut store = Store::open(&path).unwrap();
        coachbook::demo::years::write_years(&mut store, &config, now(), 2).unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    store.trace_statements(Some(record));
    coachbook::care::generate::generate(&mut store, &config, now()).unwrap();
    let today = coachbook::domain::when::local_date(now(), config.tz);
    for date in [today, today + Duration::days(1), today - Duration::days(1)] {
        coachbook::dashboard::load(&store, &config, date, now()).unwrap();
        // The TUI's first frame: a window of the requests and their counts.
        let window = coachbook::dashboard::Window {
            requests: 13,
            followups: 8,
        };
        coachbook::dashboard::load_window(&store, &config, date, now(), Some(window)).unwrap();
    }
    // A week and a quarter: on this two-year book a whole year is half of
    // every table, where a scan is the right plan.
    for (from, to) in [
        (today - Duration::days(6), today),
        (today - Duration::days(90), today),
    ] {
        let range = coachbook::review::ReviewRange::new(from, to).unwrap();
        coachbook::review::gather(&store, &config, range, now()).unwrap();
    }
    store.trace_statements(None);
    let statements: BTreeSet<String> = SEEN.lock().unwrap().drain(..).collect();
    assert!(
        statements.len() >= 10,
        "too few statements seen: {statements:?}"
    );

    let conn = rusqlite::Connection::open(&path).unwrap();
    // As the store's connection: plans never read bound values.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )
    .unwrap();
    let mut failures = Vec::new();
    let mut plans_seen = Vec::new();
    for analyzed in [false, true] {
        if analyzed {
            conn.execute_batch("ANALYZE").unwrap();
        }
        for sql in &statements {
            let word = sql.split_whitespace().next().unwrap_or("").to_uppercase();
            if matches!(
                word.as_str(),
                "PRAGMA" | "BEGIN" | "COMMIT" | "ROLLBACK" | "SAVEPOINT" | "RELEASE" | "ANALYZE"
            ) {
                continue;
            }
            let plan: Vec<String> = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .and_then(|mut stmt| {
                    // The trace gives the SQL with its placeholders, never
                    // a value; with the store's settings the plan does not
                    // depend on them.
                    let nulls = std::iter::repeat_n(rusqlite::types::Null, stmt.parameter_count());
                    stmt.query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3))?
                        .collect::<rusqlite::Result<Vec<String>>>()
                })
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
            plans_seen.extend(plan.iter().cloned());
            if let Some(line) = scanned_large_table(sql, &plan) {
                failures.push(format!(
                    "{}{line}\n    in: {sql}\n    plan: {plan:?}",
                    if analyzed { "(after ANALYZE) " } else { "" }
                ));
            }
        }
    }
    // The review reads its range from the indexes that hold what it needs
    // (v10), never from the tables' rows.
    for index in [
        "COVERING INDEX requests_review",
        "COVERING INDEX sessions_start_status",
        "COVERING INDEX session_moves_from_by",
        "COVERING INDEX followups_due_kind",
        "INDEX replies_apologies",
        "INDEX replies_handed_off",
        "INDEX replies_awaiting_delivery",
    ] {
        assert!(
            plans_seen.iter().any(|line| line.contains(index)),
            "no review query searches {index}: {plans_seen:?}"
        );
    }
    assert!(
        failures.is_empty(),
        "{} statements scan a large table:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_check_catches_a_scan_by_table_or_alias() {
    let sql = "SELECT * FROM requests r JOIN clients c ON c.id = r.client_id";
    assert!(scanned_large_table(sql, &["SCAN r".to_string()]).is_some());
    assert!(scanned_large_table(sql, &["SCAN requests".to_string()]).is_some());
    assert!(scanned_large_table(sql, &["SCAN c".to_string()]).is_none());
    let bounded = ["SCAN r USING INDEX requests_waiting".to_string()];
    assert!(scanned_large_table(sql, &bounded).is_none());
    let sql = "SELECT 1 FROM session_moves AS m WHERE m.reason = 'x'";
    assert!(scanned_large_table(sql, &["SCAN m".to_string()]).is_some());
}
