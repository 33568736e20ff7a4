//! Values out of range, through the real binary on temporary books: from the
//! command line one line and exit 2 with the book byte-identical; from an
//! imported file that item skipped with its reason; already in the book,
//! named by `coachbook check` and never a panic.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Book, Run};

fn book() -> Book {
    let book = Book::new();
    book.ok(&["client", "add", "Ann Example", "--email", "ann@example.com"]);
    book.ok(&["session", "add", "Ann", "tomorrow 10:00"]);
    book.ok(&[
        "request",
        "add",
        "Ann",
        "Can we talk?",
        "--at",
        "20 min ago",
    ]);
    book
}

/// Exit 2, one short line on stderr, nothing on stdout, the book unchanged.
fn refused(book: &Book, args: &[&str]) -> String {
    let before = book.dump();
    let run = book.run(args);
    assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {}", run.stderr);
    assert!(
        run.stderr.len() < 400,
        "{args:?}: a long line: {}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(book.dump(), before, "{args:?} changed the book");
    run.stderr
}

#[test]
fn far_times_and_spans_on_the_command_line_are_one_line_and_exit_2() {
    let book = book();
    for when in [
        "+99999999h",
        "+999999999999999999999m",
        "100000000w ago",
        "99999999 days ago",
        "0000-01-01 10:00",
        "1899-12-31 23:00",
        "2201-01-01 10:00",
        "9999-12-31 10:00",
        "0001-01-01T10:00:00Z",
        "+5000w",
    ] {
        let line = refused(&book, &["session", "add", "Ann", when]);
        assert!(
            line.contains("1900-2200")
                || line.contains("five years")
                || line.contains("cannot read"),
            "{when}: {line}"
        );
        refused(&book, &["session", "move", "1", when]);
        refused(&book, &["request", "add", "Ann", "x", "--at", when]);
        refused(&book, &["request", "snooze", "1", when]);
        refused(&book, &["followup", "add", "Ann", when, "call back"]);
    }
    for day in ["0000-01-01", "2201-01-01", "9999-01-01"] {
        refused(&book, &["today", "--date", day]);
        refused(&book, &["review", "--date", day]);
        refused(&book, &["session", "list", "--from", day]);
    }
    // A span inside five years still works.
    book.ok(&["session", "add", "Ann", "+200w"]);
}

#[test]
fn lengths_and_counts_are_bounded() {
    let book = book();
    for minutes in ["0", "-5", "1441", "99999999", "99999999999999999999999"] {
        let line = refused(
            &book,
            &[
                "session",
                "add",
                "Ann",
                "tomorrow 12:00",
                "--minutes",
                minutes,
            ],
        );
        assert!(line.contains("1 to 1440 minutes"), "{line}");
    }
    book.ok(&[
        "session",
        "add",
        "Ann",
        "tomorrow 12:00",
        "--minutes",
        "1440",
    ]);
    for count in ["0", "521", "99999999"] {
        refused(
            &book,
            &[
                "session",
                "add",
                "Ann",
                "tomorrow 9:00",
                "--repeat",
                "weekly",
                "--count",
                count,
            ],
        );
    }
    for options in ["0", "6", "99999"] {
        let line = refused(
            &book,
            &["emergency", "1", "--options", options, "--dry-run"],
        );
        assert!(line.contains("1 to 5"), "{line}");
        refused(
            &book,
            &[
                "request",
                "reply",
                "1",
                "--template",
                "options",
                "--options",
                options,
            ],
        );
    }
}

#[test]
fn a_far_clock_is_refused() {
    let book = book();
    let before = book.dump();
    let run = common::finish(
        book.command(&["today"])
            .env("COACHBOOK_NOW", "0001-01-01T00:00:00Z")
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("1900-2200"), "{}", run.stderr);
    assert_eq!(book.dump(), before);
}

#[test]
fn a_mail_with_a_far_date_is_skipped_and_the_rest_imported() {
    let book = book();
    let dir = book.dir.path().join("far.mbox");
    std::fs::write(
        &dir,
        "From ann@example.com Mon Nov 23 10:00:00 2026\n\
         From: Ann Example <ann@example.com>\nSubject: far\nDate: Mon, 1 Jan 1066 10:00:00 +0000\n\
         Message-ID: <far@example.com>\n\nFrom the past.\n\n\
         From ann@example.com Mon Nov 23 10:00:00 2026\n\
         From: Ann Example <ann@example.com>\nSubject: near\nDate: Mon, 23 Nov 2026 10:00:00 +0100\n\
         Message-ID: <near@example.com>\n\nFrom today.\n",
    )
    .unwrap();
    let summary = book.json(&["import", "mail", dir.to_str().unwrap(), "--json"]);
    assert_eq!(summary["imported"], 1, "{summary}");
    let skipped = summary["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{summary}");
    let reason = skipped[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("Date") && reason.contains("1900-2200"),
        "{reason}"
    );
}

#[test]
fn calendar_events_out_of_range_are_skipped_with_their_reason() {
    let book = book();
    let ics = book.dir.path().join("far.ics");
    let event = |uid: &str, lines: &str| {
        format!("BEGIN:VEVENT\r\nUID:{uid}\r\nSUMMARY:{uid}\r\n{lines}END:VEVENT\r\n")
    };
    let body = [
        event("year-99999", "DTSTART:99991231T100000Z\r\nDTEND:99991231T110000Z\r\n"),
        event("year-1066", "DTSTART:10661014T100000Z\r\nDURATION:PT1H\r\n"),
        event("long", "DTSTART:20261124T100000Z\r\nDURATION:P99999999W\r\n"),
        event("huge-end", "DTSTART:20261124T100000Z\r\nDTEND:21991124T100000Z\r\n"),
        event(
            "until",
            "DTSTART:20261124T100000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY;UNTIL=18000101T000000Z\r\n",
        ),
        event("fine", "DTSTART:20261124T100000Z\r\nDURATION:PT1H\r\n"),
    ]
    .concat();
    std::fs::write(
        &ics,
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}END:VCALENDAR\r\n"),
    )
    .unwrap();
    let summary = book.json(&["import", "ics", ics.to_str().unwrap(), "--json"]);
    let skipped = summary["skipped"].as_array().unwrap();
    let reasons: Vec<String> = skipped.iter().map(|s| s.to_string()).collect();
    assert_eq!(skipped.len(), 5, "{summary}");
    for uid in ["year-99999", "year-1066", "long", "huge-end", "until"] {
        assert!(
            reasons.iter().any(|r| r.contains(uid)),
            "{uid} not skipped: {summary}"
        );
    }
    assert_eq!(
        summary["busy"].as_u64().unwrap_or(0) + summary["sessions"].as_u64().unwrap_or(0),
        1,
        "{summary}"
    );
}

fn no_panic(run: &Run, what: &str) {
    assert_ne!(run.code, 101, "{what} panicked: {}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{what}: {}", run.stderr);
    assert!(run.stderr.lines().count() <= 1, "{what}: {}", run.stderr);
}

#[test]
fn a_stored_value_out_of_range_is_named_by_check_and_never_panics() {
    let book = book();
    let conn = rusqlite::Connection::open(&book.db).unwrap();
    conn.execute_batch(
        "UPDATE sessions SET start_at = '0000-01-01T10:00:00Z', minutes = 99999999 WHERE id = 1;
         UPDATE requests SET received_at = '+99999-01-01T00:00:00Z', reply_by = '9999-12-31T23:59:59Z' WHERE id = 1;
         UPDATE requests SET status = 'weird' WHERE id = 1;",
    )
    .unwrap_or_else(|_| {
        // The CHECK on status holds; a hand edit can still skip it.
        conn.execute_batch(
            "PRAGMA ignore_check_constraints = ON;
             UPDATE sessions SET start_at = '0000-01-01T10:00:00Z', minutes = 99999999 WHERE id = 1;
             UPDATE requests SET received_at = '+99999-01-01T00:00:00Z', reply_by = '9999-12-31T23:59:59Z', status = 'weird' WHERE id = 1;",
        )
        .unwrap();
    });
    drop(conn);
    let check = book.run(&["check"]);
    assert_eq!(check.code, 1, "{}", check.stdout);
    for expected in [
        "sessions row 1: start_at '0000-01-01T10:00:00Z' is outside the years 1900-2200",
        "sessions row 1: minutes 99999999 is not a session length",
        "requests row 1: received_at",
        "requests row 1: reply_by '9999-12-31T23:59:59Z' is outside",
        "requests row 1: status 'weird' is not a request status",
    ] {
        assert!(
            check.stdout.contains(expected),
            "{expected}: {}",
            check.stdout
        );
    }
    for args in [
        &["today"][..],
        &["today", "--json"],
        &["request", "list"],
        &["request", "list", "--json"],
        &[
            "session",
            "list",
            "--from",
            "1900-01-01",
            "--to",
            "2200-01-01",
        ],
        &["export", "ics"],
        &["emergency", "1", "--dry-run"],
        &["review"],
        &["client", "show", "Ann"],
    ] {
        let run = book.run(args);
        no_panic(&run, &format!("{args:?}"));
        if run.code != 0 {
            assert!(
                run.stderr.contains("coachbook check"),
                "{args:?}: {}",
                run.stderr
            );
        }
    }
}

#[test]
fn devices_and_fifos_are_refused_by_kind_and_big_files_by_size() {
    let book = book();
    let fifo = book.dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let big = book.dir.path().join("big.ics");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(65 * 1024 * 1024)
        .unwrap();
    for (kind, path, expected) in [
        ("ics", "/dev/zero", "character device"),
        ("contacts", "/dev/zero", "character device"),
        ("mail", "/dev/zero", "character device"),
        ("ics", fifo.to_str().unwrap(), "FIFO"),
        ("contacts", fifo.to_str().unwrap(), "FIFO"),
        ("mail", fifo.to_str().unwrap(), "FIFO"),
        ("ics", big.to_str().unwrap(), "64 MiB"),
    ] {
        // A FIFO with no writer would block a reader for ever: the refusal
        // must come before any open.
        let line = refused(&book, &["import", kind, path]);
        assert!(line.contains(expected), "{kind} {path}: {line}");
    }
    let before = book.dump();
    let run = common::finish(
        book.command(&["today"])
            .env("COACHBOOK_CONFIG", "/dev/zero")
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("character device"), "{}", run.stderr);
    assert_eq!(book.dump(), before);
    // A window too long to expand.
    let ics = book.dir.path().join("one.ics");
    std::fs::write(&ics, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n").unwrap();
    let line = refused(
        &book,
        &[
            "import",
            "ics",
            ics.to_str().unwrap(),
            "--from",
            "1900-01-01",
            "--to",
            "2200-01-01",
        ],
    );
    assert!(line.contains("100 years"), "{line}");
}

#[test]
fn a_card_with_an_overlong_name_is_skipped_and_the_rest_imported() {
    let book = book();
    let vcf = book.dir.path().join("cards.vcf");
    std::fs::write(
        &vcf,
        format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{}\r\nEMAIL:long@example.com\r\nEND:VCARD\r\n\
             BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bo\\nBerg\r\nEMAIL:bo@example.com\r\nEND:VCARD\r\n",
            "L".repeat(300)
        ),
    )
    .unwrap();
    let summary = book.json(&["import", "contacts", vcf.to_str().unwrap(), "--json"]);
    let skipped = summary["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{summary}");
    assert!(
        skipped[0]["reason"].as_str().unwrap().contains("too long"),
        "{summary}"
    );
    let clients = book.json(&["client", "list", "--json"]);
    assert!(
        clients
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "Bo Berg"),
        "{clients}"
    );
}
