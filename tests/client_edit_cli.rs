//! `coachbook client edit`: every flag through the binary, refusals with
//! exit 2 and the book unchanged, undo, and the context's expiry.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::Book;

#[test]
fn every_flag_changes_the_record_in_one_undoable_change() {
    let book = Book::new();
    book.ok(&[
        "client",
        "add",
        "Dana Whitfield",
        "--email",
        "dana@example.com",
    ]);
    let out = book.ok(&[
        "client",
        "edit",
        "dana",
        "--name",
        "Dana Whitfield-Moore",
        "--email",
        "dana@work.example",
        "--remove-email",
        "dana@example.com",
        "--phone",
        "+1 555 0100",
        "--tz",
        "America/Chicago",
        "--notes",
        "Prefers mornings",
        "--context",
        "Board vote on Thursday",
        "--until",
        "thu",
    ]);
    assert!(
        out.starts_with("edited client #1 Dana Whitfield-Moore"),
        "{out}"
    );
    // One edit, one change: undo (straight after it) puts everything back.
    let undone = book.ok(&["undo"]);
    assert!(undone.contains("edit client Dana Whitfield"), "{undone}");
    let json = book.json(&["client", "list", "--json"]);
    assert_eq!(json[0]["name"], "Dana Whitfield");
    assert_eq!(json[0]["emails"], serde_json::json!(["dana@example.com"]));
    assert!(json[0]["context"].is_null());
    let json = book.json(&[
        "client",
        "edit",
        "dana",
        "--name",
        "Dana Whitfield-Moore",
        "--email",
        "dana@work.example",
        "--remove-email",
        "dana@example.com",
        "--phone",
        "+1 555 0100",
        "--tz",
        "America/Chicago",
        "--notes",
        "Prefers mornings",
        "--context",
        "Board vote on Thursday",
        "--until",
        "thu",
        "--json",
    ]);
    assert_eq!(json["name"], "Dana Whitfield-Moore");
    assert_eq!(json["emails"], serde_json::json!(["dana@work.example"]));
    assert_eq!(json["phone"], "+1 555 0100");
    assert_eq!(json["tz"], "America/Chicago");
    assert_eq!(json["context"], "Board vote on Thursday");
    assert_eq!(json["context_until"], "2026-11-26");
    let shown = book.ok(&["client", "show", "dana"]);
    assert!(
        shown.contains("Board vote on Thursday") && shown.contains("Prefers mornings"),
        "{shown}"
    );
    // --json prints the record after the edit; --clear-context removes it.
    book.ok(&[
        "client",
        "edit",
        "dana",
        "--context",
        "Pitch",
        "--until",
        "fri",
    ]);
    let after = book.json(&["client", "edit", "dana", "--clear-context", "--json"]);
    assert!(
        after["context"].is_null() && after["context_until"].is_null(),
        "{after}"
    );
}

#[test]
fn refusals_exit_2_with_one_line_and_the_book_unchanged() {
    let book = Book::new();
    book.ok(&[
        "client",
        "add",
        "Dana Whitfield",
        "--email",
        "dana@example.com",
    ]);
    book.ok(&[
        "client",
        "add",
        "Jonas Becker",
        "--email",
        "jonas@example.de",
    ]);
    let before = book.dump();
    for (args, says) in [
        (&["client", "edit", "dana"][..], "nothing to change"),
        (
            &["client", "edit", "zebedee", "--phone", "+1 555 0100"],
            "no client matches",
        ),
        (
            &["client", "edit", "dana", "--phone", "call me"],
            "not a phone number",
        ),
        (
            &["client", "edit", "dana", "--tz", "Mars/Olympus"],
            "unknown time zone",
        ),
        (
            &["client", "edit", "dana", "--email", "not-an-address"],
            "not a mail address",
        ),
        (
            &["client", "edit", "dana", "--email", "jonas@example.de"],
            "already belongs to Jonas",
        ),
        (
            &["client", "edit", "dana", "--remove-email", "x@example.com"],
            "not one of",
        ),
        (
            &["client", "edit", "dana", "--name", "Jonas Becker"],
            "exists already",
        ),
        (&["client", "edit", "dana", "--name", " "], "needs a name"),
        (&["client", "edit", "dana", "--context", "Pitch"], "--until"),
        (
            &[
                "client",
                "edit",
                "dana",
                "--context",
                "Pitch",
                "--until",
                "yesterday",
            ],
            "before today",
        ),
        (
            &[
                "client",
                "edit",
                "dana",
                "--context",
                "Pitch",
                "--until",
                "someday",
            ],
            "day",
        ),
        (
            &[
                "client",
                "edit",
                "dana",
                "--context",
                "Pitch",
                "--until",
                "fri",
                "--clear-context",
            ],
            "cannot be used",
        ),
        (&["client", "edit", "dana", "--until", "fri"], "--context"),
    ] {
        let run = book.run(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
        assert_eq!(
            run.stderr.trim().lines().count(),
            1,
            "{args:?}: {}",
            run.stderr
        );
        assert_eq!(book.dump(), before, "{args:?} changed the book");
    }
    let long = "x".repeat(301);
    let run = book.run(&[
        "client",
        "edit",
        "dana",
        "--context",
        &long,
        "--until",
        "fri",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(book.dump(), before);
}

#[test]
fn the_context_shows_until_its_day_has_passed_in_the_coachs_zone() {
    let book = Book::new();
    book.ok(&[
        "client",
        "add",
        "Dana Whitfield",
        "--email",
        "dana@example.com",
    ]);
    book.ok(&[
        "client",
        "edit",
        "dana",
        "--context",
        "Board vote",
        "--until",
        "today",
    ]);
    book.ok(&["session", "add", "dana", "today 16:00"]);
    let shown = book.ok(&["client", "show", "dana"]);
    assert!(shown.contains("Board vote"), "{shown}");
    // The next day (23:30 UTC on the 23rd is already the 24th in Berlin).
    let later = book
        .command(&["client", "show", "dana"])
        .env("COACHBOOK_NOW", "2026-11-23T23:30:00Z")
        .output()
        .expect("runs");
    let later = String::from_utf8_lossy(&later.stdout).to_string();
    assert!(later.contains("Board vote (expired 2026-11-23)"), "{later}");
}
