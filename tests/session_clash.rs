//! Every booking and move is checked against the other sessions, the busy
//! blocks of the coach's calendar and the past: refused with the clash named
//! (exit 2, the book unchanged), booked anyway with `--allow-overlap`; a
//! session in the past only with `--allow-past` (a move never). A series'
//! "this and the following" moves and cancels the rest of it too.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::Book;

fn book() -> Book {
    let book = Book::new();
    book.ok(&[
        "client",
        "add",
        "Amara Okafor",
        "--email",
        "amara@example.org",
    ]);
    book.ok(&["client", "add", "Chen Wei", "--email", "chen@example.org"]);
    book.ok(&["session", "add", "Amara", "2026-12-01 10:00"]);
    book
}

fn refused(book: &Book, args: &[&str], says: &str) {
    let before = book.dump();
    let run = book.run(args);
    assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
    assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    assert_eq!(book.dump(), before, "{args:?} changed the book");
}

#[test]
fn booking_onto_another_session_is_refused_naming_it_then_allowed() {
    let book = book();
    refused(
        &book,
        &["session", "add", "Chen", "2026-12-01 10:30"],
        "session add: Tue 1 Dec 10:30 clashes with Amara Okafor's session Tue 1 Dec 10:00–11:00",
    );
    // Back to back is fine: no buffer on a booking the coach chose.
    book.ok(&["session", "add", "Chen", "2026-12-01 11:00"]);
    let out = book.ok(&[
        "session",
        "add",
        "Chen",
        "2026-12-01 10:30",
        "--allow-overlap",
    ]);
    assert!(out.contains("booked session #3"), "{out}");
}

#[test]
fn the_past_is_refused_and_overlap_does_not_override_it() {
    let book = book();
    refused(
        &book,
        &["session", "add", "Chen", "2026-11-23 09:00"],
        "is in the past",
    );
    refused(
        &book,
        &[
            "session",
            "add",
            "Chen",
            "2026-11-23 09:00",
            "--allow-overlap",
        ],
        "--allow-past",
    );
    book.ok(&["session", "add", "Chen", "2026-11-23 09:00", "--allow-past"]);
    // A move into the past is never taken.
    refused(
        &book,
        &[
            "session",
            "move",
            "1",
            "2026-11-20 10:00",
            "--allow-overlap",
        ],
        "session move: Fri 20 Nov 10:00 is in the past",
    );
}

#[test]
fn a_busy_block_from_the_calendar_is_named() {
    let book = book();
    let ics = book.dir.path().join("coach.ics");
    std::fs::write(
        &ics,
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:dentist-1\r\n\
         DTSTAMP:20261120T090000Z\r\nDTSTART:20261202T090000Z\r\nDTEND:20261202T100000Z\r\n\
         SUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .unwrap();
    let summary = book.json(&["import", "ics", ics.to_str().unwrap(), "--json"]);
    assert_eq!(summary["busy"], 1, "{summary}");
    refused(
        &book,
        &["session", "add", "Chen", "2026-12-02 10:30"],
        "busy: Dentist Wed 2 Dec 10:00–11:00",
    );
    refused(
        &book,
        &["session", "move", "1", "2026-12-02 09:30"],
        "session move: Wed 2 Dec 09:30 busy: Dentist",
    );
    book.ok(&[
        "session",
        "move",
        "1",
        "2026-12-02 09:30",
        "--allow-overlap",
    ]);
}

#[test]
fn a_series_is_checked_at_every_start_and_a_move_onto_itself_is_no_clash() {
    let book = book();
    // The weekly series runs into Amara's sessions on 1 and 8 December.
    book.ok(&[
        "session",
        "add",
        "Amara",
        "2026-12-08 10:15",
        "--minutes",
        "30",
    ]);
    refused(
        &book,
        &[
            "session",
            "add",
            "Chen",
            "2026-11-24 10:00",
            "--repeat",
            "weekly",
            "--count",
            "4",
        ],
        "(and 1 more)",
    );
    // Moving a session by half an hour overlaps only its own old time.
    book.ok(&["session", "move", "1", "2026-12-01 10:30"]);
}

#[test]
fn this_and_the_following_move_and_cancel_the_rest_of_a_series() {
    let book = Book::new();
    book.ok(&["client", "add", "Chen Wei", "--email", "chen@example.org"]);
    book.ok(&[
        "session",
        "add",
        "Chen",
        "2026-11-24 10:00",
        "--repeat",
        "weekly",
        "--count",
        "4",
    ]);
    let out = book.ok(&["session", "move", "2", "2026-12-02 15:00", "--following"]);
    assert!(out.contains("and the 2 after it"), "{out}");
    let list = book.json(&[
        "session",
        "list",
        "--from",
        "2026-11-23",
        "--to",
        "2026-12-31",
        "--json",
    ]);
    let starts: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap())
        .collect();
    assert_eq!(
        starts,
        [
            "2026-11-24T10:00:00+01:00",
            "2026-12-02T15:00:00+01:00",
            "2026-12-09T15:00:00+01:00",
            "2026-12-16T15:00:00+01:00"
        ]
    );
    // A lone session has no "following".
    book.ok(&["session", "add", "Chen", "2026-12-20 10:00"]);
    refused(
        &book,
        &["session", "move", "5", "2026-12-21 10:00", "--following"],
        "not part of a series",
    );
    let out = book.ok(&["session", "mark", "3", "cancelled", "--following"]);
    assert!(out.contains("and the 1 after it"), "{out}");
    let list = book.json(&[
        "session",
        "list",
        "--from",
        "2026-11-23",
        "--to",
        "2026-12-31",
        "--json",
    ]);
    let statuses: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["booked", "booked", "cancelled", "cancelled", "booked"]
    );
}

#[test]
fn a_following_move_told_to_the_client_carries_every_occurrence() {
    let book = Book::new();
    let outbox = book.dir.path().join("outbox");
    std::fs::write(
        &book.config,
        format!(
            "[coach]\nname = \"Sam Rivera\"\naddresses = [\"sam@example.org\"]\ntime_zone = \"Europe/Berlin\"\n[delivery]\noutbox = \"{}\"\n",
            outbox.display()
        ),
    )
    .unwrap();
    book.ok(&["client", "add", "Chen Wei", "--email", "chen@example.org"]);
    book.ok(&[
        "session",
        "add",
        "Chen",
        "2026-11-24 10:00",
        "--repeat",
        "weekly",
        "--count",
        "3",
    ]);
    book.ok(&[
        "session",
        "move",
        "1",
        "2026-11-25 10:00",
        "--following",
        "--notify",
    ]);
    let files: Vec<_> = std::fs::read_dir(&outbox).unwrap().collect();
    assert_eq!(files.len(), 1, "one note for the whole move");
    let message = std::fs::read_to_string(files[0].as_ref().unwrap().path()).unwrap();
    assert!(message.contains("METHOD:REQUEST"), "{message}");
    assert_eq!(message.matches("BEGIN:VEVENT").count(), 3, "{message}");
    assert_eq!(message.matches("RECURRENCE-ID").count(), 3, "{message}");
}
