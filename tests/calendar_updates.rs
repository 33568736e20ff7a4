//! Importing the same calendar again: later versions update, cancellations
//! cancel, what is gone is removed, and an unchanged calendar leaves the
//! book file byte-identical. The versions of one calendar are the small
//! fixtures in tests/fixtures/ics/updates/, copied in turn to one path (the
//! book keeps each item's source by path).

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};

use common::Book;
use serde_json::Value;
use sha2::{Digest, Sha256};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ics/updates")
        .join(name)
}

fn book() -> Book {
    let book = Book::new();
    book.ok(&[
        "client",
        "add",
        "Ann Example",
        "--email",
        "ann@work.example",
    ]);
    book.ok(&["client", "add", "Bo Berg", "--email", "bo@example.net"]);
    book
}

/// Put version `name` at the calendar's one path and import it.
fn import_version(book: &Book, name: &str) -> Value {
    let path = book.dir.path().join("calendar.ics");
    std::fs::copy(fixture(name), &path).expect("copy fixture");
    book.json(&["import", "ics", &path.display().to_string(), "--json"])
}

fn hash(path: &Path) -> String {
    let bytes = std::fs::read(path).expect("book file");
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn sessions(book: &Book) -> Vec<(String, String, String)> {
    let list = book.json(&[
        "session",
        "list",
        "--from",
        "2026-11-20",
        "--to",
        "2026-12-31",
        "--json",
    ]);
    list.as_array()
        .expect("list")
        .iter()
        .map(|s| {
            (
                s["client"].as_str().unwrap_or("").to_string(),
                s["start"].as_str().unwrap_or("").to_string(),
                s["status"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn busy(book: &Book) -> Vec<(String, String)> {
    let conn =
        rusqlite::Connection::open_with_flags(&book.db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open");
    let mut stmt = conn
        .prepare("SELECT summary, start_at FROM busy ORDER BY start_at")
        .expect("query");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("busy")
}

fn changes(book: &Book) -> i64 {
    let conn =
        rusqlite::Connection::open_with_flags(&book.db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open");
    conn.query_row("SELECT count(*) FROM changes", [], |r| r.get(0))
        .expect("count")
}

#[test]
fn an_unchanged_reimport_leaves_the_book_byte_identical() {
    let book = book();
    let first = import_version(&book, "v1.ics");
    assert_eq!(first["sessions"], 2, "{first}");
    assert_eq!(first["busy"], 4, "{first}");
    let before = hash(&book.db);
    let log = changes(&book);
    for _ in 0..2 {
        let again = import_version(&book, "v1.ics");
        assert_eq!(again["imported"], 0, "{again}");
        assert_eq!(again["duplicates"], 6, "{again}");
        assert_eq!(again["updated"], 0, "{again}");
        assert_eq!(hash(&book.db), before, "the book file changed");
        assert_eq!(changes(&book), log, "an empty change-log row was added");
    }
}

#[test]
fn later_versions_move_cancelled_ones_cancel_and_gone_ones_go() {
    let book = book();
    import_version(&book, "v1.ics");
    assert_eq!(
        sessions(&book),
        vec![
            (
                "Ann Example".into(),
                "2026-11-25T10:00:00+01:00".into(),
                "booked".into()
            ),
            (
                "Bo Berg".into(),
                "2026-11-26T10:00:00+01:00".into(),
                "booked".into()
            ),
        ]
    );

    let second = import_version(&book, "v2.ics");
    // Ann moved (SEQUENCE 1), the dentist moved (same SEQUENCE, later
    // LAST-MODIFIED); Bo's only change is a new DTSTAMP: nothing to write.
    assert_eq!(second["updated"], 2, "{second}");
    assert_eq!(second["cancelled"], 1, "one gym instance: {second}");
    assert_eq!(second["imported"], 0, "{second}");
    assert_eq!(
        sessions(&book),
        vec![
            (
                "Ann Example".into(),
                "2026-11-25T14:00:00+01:00".into(),
                "booked".into()
            ),
            (
                "Bo Berg".into(),
                "2026-11-26T10:00:00+01:00".into(),
                "booked".into()
            ),
        ]
    );
    let blocks = busy(&book);
    assert!(
        blocks.contains(&("Dentist (moved)".into(), "2026-11-24T16:00:00Z".into())),
        "{blocks:?}"
    );
    assert_eq!(
        blocks.iter().filter(|(s, _)| s == "Gym").count(),
        2,
        "{blocks:?}"
    );
    // The move is recorded as made in the calendar.
    let shown = book.ok(&[
        "session",
        "list",
        "--from",
        "2026-11-20",
        "--to",
        "2026-12-31",
    ]);
    assert!(shown.contains("Ann Example"), "{shown}");

    let third = import_version(&book, "v3.ics");
    assert_eq!(third["cancelled"], 1, "Ann: {third}");
    assert_eq!(third["removed"], 2, "Bo's session and the dentist: {third}");
    assert_eq!(
        sessions(&book),
        vec![
            (
                "Ann Example".into(),
                "2026-11-25T14:00:00+01:00".into(),
                "cancelled".into()
            ),
            (
                "Bo Berg".into(),
                "2026-11-26T10:00:00+01:00".into(),
                "cancelled".into()
            ),
        ]
    );
    let blocks = busy(&book);
    assert!(
        !blocks.iter().any(|(s, _)| s.starts_with("Dentist")),
        "{blocks:?}"
    );
    assert_eq!(blocks.len(), 2, "{blocks:?}");

    // And the book is unchanged by the same file again.
    let before = hash(&book.db);
    import_version(&book, "v3.ics");
    assert_eq!(hash(&book.db), before);
}

#[test]
fn method_cancel_cancels_the_session_it_names() {
    let book = book();
    import_version(&book, "v1.ics");
    let path = fixture("cancel_bo.ics").display().to_string();
    let out = book.json(&["import", "ics", &path, "--json"]);
    assert_eq!(out["cancelled"], 1, "{out}");
    let bo = sessions(&book)
        .into_iter()
        .find(|(client, _, _)| client == "Bo Berg")
        .expect("Bo's session");
    assert_eq!(bo.2, "cancelled");
    // A cancellation file that only cancels removes nothing else.
    assert_eq!(out["removed"], 0, "{out}");
}
