//! The books and the mail that the figures are measured on
//! (`coachbook demo --years N`, `coachbook demo --mbox N --out PATH`): the
//! same clock gives the same bytes, the panes of today are full, the mail
//! imports with the counts the generator announced, and a bad N writes
//! nothing.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Book, dump};

fn count(db: &std::path::Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn two_runs_write_identical_books_with_the_yearly_rows_and_full_panes() {
    let first = Book::new();
    let out = first.ok(&["demo", "--years", "1"]);
    assert!(out.contains("1 years: 30 clients"), "{out}");
    let second = Book::new();
    second.ok(&["demo", "--years", "1"]);
    assert_eq!(dump(&first.db), dump(&second.db));

    let db = &first.db;
    assert_eq!(count(db, "SELECT count(*) FROM clients"), 30);
    let sessions = count(db, "SELECT count(*) FROM sessions");
    assert!((1_490..=1_510).contains(&sessions), "{sessions} sessions");
    assert_eq!(count(db, "SELECT count(*) FROM requests"), 5_000);
    let replies = count(db, "SELECT count(*) FROM replies");
    assert!((5_800..=6_000).contains(&replies), "{replies} replies");
    assert_eq!(count(db, "SELECT count(*) FROM followups"), 2_000);

    // Today has its sessions, waiting requests (some overdue) and due
    // follow-ups, as the dashboard shows them.
    let today = first.json(&["today", "--json"]);
    let sessions = today["sessions"].as_array().unwrap();
    let requests = today["requests"].as_array().unwrap();
    let followups = today["followups"].as_array().unwrap();
    assert!(sessions.len() >= 5, "{today}");
    assert!(requests.len() >= 10, "{today}");
    assert!(requests.iter().any(|r| r["overdue"] == true), "{today}");
    assert!(followups.len() >= 5, "{today}");
}

#[test]
fn years_out_of_range_exit_2_and_write_no_file() {
    let book = Book::new();
    for bad in ["0", "101", "-3", "ten", "99999999999"] {
        let run = book.run(&["demo", &format!("--years={bad}")]);
        assert_eq!(run.code, 2, "--years {bad}: {}", run.stderr);
        assert!(run.stderr.contains("--years"), "{}", run.stderr);
        assert!(!book.db.exists(), "--years {bad} wrote a book");
    }
}

#[test]
fn a_real_book_is_never_replaced_by_a_generated_one() {
    let book = Book::new();
    book.ok(&["client", "add", "Amara Okafor"]);
    let before = book.dump();
    let run = book.run(&["demo", "--years", "1"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = book.run(&["demo", "--years", "1", "--force"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("real book"), "{}", run.stderr);
    assert_eq!(book.dump(), before);
}

#[test]
fn the_generated_mail_imports_with_the_announced_counts() {
    let book = Book::new();
    book.ok(&["demo", "--years", "1"]);
    let mbox = book.dir.path().join("year.mbox");
    let out = book.ok(&["demo", "--mbox", "600", "--out", mbox.to_str().unwrap()]);
    // "600 messages: A from clients, B from unknown senders, C auto-replies, D replies by the coach"
    let numbers: Vec<usize> = out
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    let [.., messages, clients, strangers, autos, replies] = numbers[..] else {
        panic!("no counts in {out}");
    };
    assert_eq!(messages, 600);
    assert_eq!(strangers, 200, "a third from unknown senders: {out}");
    assert!(autos > 0 && replies > 0, "{out}");
    assert_eq!(clients + strangers + autos + replies, 600);

    let raw = std::fs::read_to_string(&mbox).unwrap();
    assert!(raw.contains("multipart/alternative"));
    assert!(raw.contains("=?UTF-8?B?") && raw.contains("=?ISO-8859-1?Q?"));
    assert!(raw.contains("In-Reply-To: <m"));
    assert!(raw.contains("Auto-Submitted: auto-replied"));

    let again = book.dir.path().join("again.mbox");
    book.ok(&["demo", "--mbox", "600", "--out", again.to_str().unwrap()]);
    assert_eq!(std::fs::read(&again).unwrap(), raw.as_bytes());

    let summary = book.json(&["import", "mail", mbox.to_str().unwrap(), "--json"]);
    assert_eq!(summary["messages"], 600);
    assert_eq!(summary["requests"], clients + strangers);
    assert_eq!(summary["unknown_senders"], strangers);
    assert_eq!(summary["auto_replies"], autos);
    assert_eq!(summary["replies"], replies);
    assert_eq!(summary["unthreaded_replies"], 0);
    assert_eq!(summary["skipped"].as_array().unwrap().len(), 0);
}

#[test]
fn mbox_out_of_range_or_without_a_demo_book_exits_2_and_writes_nothing() {
    let book = Book::new();
    let mbox = book.dir.path().join("mail.mbox");
    let path = mbox.to_str().unwrap();
    for bad in ["0", "200001", "x"] {
        let run = book.run(&["demo", "--mbox", bad, "--out", path]);
        assert_eq!(run.code, 2, "--mbox {bad}: {}", run.stderr);
        assert!(!mbox.exists());
    }
    // No book yet: nothing to take the clients from.
    let run = book.run(&["demo", "--mbox", "10", "--out", path]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!mbox.exists() && !book.db.exists());
    // A real book lends no addresses.
    book.ok(&[
        "client",
        "add",
        "Amara Okafor",
        "--email",
        "amara@example.org",
    ]);
    let run = book.run(&["demo", "--mbox", "10", "--out", path]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!mbox.exists());
    // An existing file is kept unless --force.
    let other = Book::new();
    other.ok(&["demo", "--years", "1"]);
    std::fs::write(&mbox, "keep me").unwrap();
    let run = other.run(&["demo", "--mbox", "10", "--out", path]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&mbox).unwrap(), "keep me");
    other.ok(&["demo", "--mbox", "10", "--out", path, "--force"]);
    assert!(std::fs::read_to_string(&mbox).unwrap().starts_with("From "));
}
