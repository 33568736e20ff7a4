//! The command line on real temporary books: the contract of PRODUCT.md, and
//! every refusal leaving the book exactly as it was.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::os::unix::fs::PermissionsExt;

use common::{Book, dump};

fn small_book() -> Book {
    let book = Book::new();
    book.ok(&[
        "client",
        "add",
        "Amara Okafor",
        "--email",
        "amara@example.org",
        "--tz",
        "Europe/London",
    ]);
    book.ok(&[
        "client",
        "add",
        "Amir Haddad",
        "--email",
        "amir@example.org",
    ]);
    book.ok(&["client", "add", "Chen Wei", "--tz", "Asia/Shanghai"]);
    book.ok(&[
        "session",
        "add",
        "Chen",
        "2026-11-24",
        "10:00",
        "--minutes",
        "45",
    ]);
    book.ok(&[
        "request",
        "add",
        "Amara",
        "Can we talk about the pitch?",
        "--urgency",
        "urgent",
        "--at",
        "2h ago",
    ]);
    book.ok(&[
        "followup",
        "add",
        "Chen",
        "2026-11-22 12:00",
        "Send the worksheet",
    ]);
    book
}

#[test]
fn the_book_is_created_private() {
    let book = small_book();
    let mode = std::fs::metadata(&book.db)
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(book.ok(&["check"]).contains("healthy"));
}

#[test]
fn today_json_follows_the_contract() {
    let book = Book::demo();
    let today = book.json(&["today", "--json"]);
    assert_eq!(today["date"], "2026-11-23");
    let sessions = today["sessions"].as_array().expect("sessions");
    assert!(
        (4..=6).contains(&sessions.len()),
        "{} sessions today",
        sessions.len()
    );
    for s in sessions {
        for key in ["id", "client", "start", "minutes", "status"] {
            assert!(!s[key].is_null(), "session lacks {key}: {s}");
        }
        assert!(s["start"].as_str().expect("start").ends_with("+01:00"));
    }
    let requests = today["requests"].as_array().expect("requests");
    assert!(requests.len() >= 5);
    let reply_bys: Vec<&str> = requests
        .iter()
        .map(|r| r["reply_by"].as_str().expect("reply_by"))
        .collect();
    let mut sorted = reply_bys.clone();
    sorted.sort();
    assert_eq!(reply_bys, sorted, "requests are in reply-by order");
    assert!(
        requests.iter().any(|r| r["overdue"] == true),
        "some are overdue"
    );
    for urgency in ["crisis", "urgent", "normal", "low"] {
        assert!(
            requests.iter().any(|r| r["urgency"] == urgency),
            "no {urgency} request"
        );
    }
    let followups = today["followups"].as_array().expect("followups");
    assert!(followups.iter().any(|f| f["overdue"] == true));
    let overdue_flags: Vec<bool> = followups.iter().map(|f| f["overdue"] == true).collect();
    let mut sorted = overdue_flags.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(overdue_flags, sorted, "overdue follow-ups come first");
    for f in followups {
        for key in ["id", "client", "due", "text", "owner", "kind"] {
            assert!(!f[key].is_null(), "follow-up lacks {key}: {f}");
        }
    }
}

#[test]
fn the_demo_is_the_same_for_the_same_day() {
    let a = Book::demo();
    let b = Book::demo();
    assert_eq!(a.dump(), b.dump());
}

#[test]
fn the_demo_refuses_to_replace_a_real_book() {
    let book = small_book();
    let before = book.dump();
    let run = book.run(&["demo", "--force"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("real book"), "{}", run.stderr);
    assert_eq!(book.dump(), before);
}

#[test]
fn a_series_books_every_week() {
    let book = small_book();
    book.ok(&[
        "session",
        "add",
        "Amir",
        "2026-11-25 09:30",
        "--repeat",
        "weekly",
        "--count",
        "4",
    ]);
    let sessions = book.json(&[
        "session",
        "list",
        "--from",
        "2026-11-25",
        "--to",
        "2026-12-31",
        "--json",
    ]);
    let starts: Vec<&str> = sessions
        .as_array()
        .expect("list")
        .iter()
        .filter(|s| s["client"] == "Amir Haddad")
        .map(|s| s["start"].as_str().expect("start"))
        .collect();
    assert_eq!(
        starts,
        [
            "2026-11-25T09:30:00+01:00",
            "2026-12-02T09:30:00+01:00",
            "2026-12-09T09:30:00+01:00",
            "2026-12-16T09:30:00+01:00"
        ]
    );
}

#[test]
fn a_reply_measures_the_first_response() {
    let book = small_book();
    // No send command: the reply waits in the outbox, so it has not reached
    // the client and the request is not answered yet.
    let out = book.ok(&["request", "reply", "1", "--text", "Yes, tomorrow at 10?"]);
    assert!(out.contains("still counts as unanswered"), "{out}");
    let requests = book.json(&["request", "list", "--json"]);
    assert_eq!(requests[0]["status"], "open");
    assert!(requests[0]["first_reply_at"].is_null());
    assert_eq!(requests[0]["undelivered"], "outbox");
    // The coach sent it from their own mail: now it answers the request.
    let out = book.ok(&["deliver", "--mark-sent", "1"]);
    assert!(
        out.contains("is answered; first reply after 2h 00m"),
        "{out}"
    );
    let requests = book.json(&["request", "list", "--json"]);
    let r = &requests[0];
    assert_eq!(r["status"], "answered");
    assert_eq!(r["resolution"], "answered");
    assert_eq!(r["first_reply_minutes"], 120);
    assert_eq!(r["first_reply_at"], "2026-11-23T14:20:00+01:00");
    assert_eq!(r["summary"], "Can we talk about the pitch?");
    for key in [
        "id",
        "client",
        "received_at",
        "channel",
        "urgency",
        "reply_by",
    ] {
        assert!(!r[key].is_null(), "request lacks {key}");
    }
}

#[test]
fn client_list_json_follows_the_contract() {
    let book = small_book();
    let clients = book.json(&["client", "list", "--json"]);
    let first = &clients[0];
    assert_eq!(first["name"], "Amara Okafor");
    assert_eq!(first["email"], "amara@example.org");
    assert_eq!(first["tz"], "Europe/London");
    assert_eq!(first["status"], "active");
    assert!(first["id"].is_i64());
    assert_eq!(
        clients[1]["tz"], "Europe/Berlin",
        "the coach's zone by default"
    );
}

#[test]
fn moving_a_session_keeps_its_calendar_identity() {
    let book = small_book();
    let out = book.ok(&[
        "session",
        "move",
        "1",
        "2026-11-26",
        "11:00",
        "--by",
        "client",
    ]);
    assert!(out.contains("2026-11-26 11:00"), "{out}");
    let sessions = book.json(&["session", "list", "--from", "2026-11-20", "--json"]);
    assert_eq!(sessions[0]["start"], "2026-11-26T11:00:00+01:00");
    assert_eq!(sessions[0]["status"], "booked");
}

/// Each refusal: one line on stderr, the expected exit code, the book unchanged.
fn assert_refused(book: &Book, args: &[&str], code: i32, says: &str) {
    let before = book.dump();
    let run = book.run(args);
    assert_eq!(run.code, code, "{args:?}: {}", run.stderr);
    assert_eq!(
        run.stderr.trim_end().lines().count(),
        1,
        "{args:?} said: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains(says),
        "{args:?} said {:?}, expected {says:?}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{args:?} printed {}", run.stdout);
    assert_eq!(book.dump(), before, "{args:?} changed the book");
}

#[test]
fn bad_input_is_one_line_exit_2_and_changes_nothing() {
    let book = small_book();
    let cases: &[(&[&str], &str)] = &[
        (
            &["request", "add", "Zebedee", "hello"],
            "no client matches 'Zebedee'",
        ),
        (
            &["request", "add", "Am", "hello"],
            "could be Amara Okafor, Amir Haddad",
        ),
        (
            &["session", "add", "Chen", "2026-02-31", "10:00"],
            "no day 2026-02-31",
        ),
        (
            &["session", "add", "Chen", "tomorrow", "25:00"],
            "no time 25:00",
        ),
        (
            &["session", "add", "Chen", "2026-03-29", "02:30"],
            "does not exist in Europe/Berlin",
        ),
        (
            &[
                "session",
                "add",
                "Chen",
                "tomorrow",
                "10:00",
                "--minutes",
                "0",
            ],
            "positive",
        ),
        (
            &[
                "session",
                "add",
                "Chen",
                "tomorrow",
                "10:00",
                "--minutes",
                "-30",
            ],
            "positive",
        ),
        (
            &["session", "add", "Chen", "whenever"],
            "cannot read 'whenever'",
        ),
        (
            &[
                "session", "add", "Chen", "tomorrow", "10:00", "--repeat", "daily",
            ],
            "unknown repeat 'daily'",
        ),
        (&["request", "add", "Chen", ""], "needs some text"),
        (&["request", "add", "Chen", "   "], "needs some text"),
        (
            &["request", "add", "Chen", "hi", "--urgency", "asap"],
            "unknown urgency 'asap'",
        ),
        (
            &["request", "add", "Chen", "hi", "--channel", "pigeon"],
            "unknown channel 'pigeon'",
        ),
        (&["request", "add", "Chen", "hi", "--at", "+2h"], "future"),
        (&["request", "close", "99"], "no request has id 99"),
        (&["request", "close", "abc"], "not a request id"),
        (&["request", "reply", "1", "--text", ""], "needs some text"),
        (
            &["session", "move", "42", "tomorrow", "10:00"],
            "no session has id 42",
        ),
        (&["followup", "done", "5"], "no follow-up has id 5"),
        (
            &["followup", "add", "Chen", "soonish", "x"],
            "cannot read 'soonish'",
        ),
        (
            &[
                "followup", "add", "Chen", "tomorrow", "x", "--owner", "boss",
            ],
            "unknown owner 'boss'",
        ),
        (&["client", "add", "  "], "needs a name"),
        (&["client", "add", "Chen Wei"], "exists already"),
        (
            &["client", "add", "Dana", "--tz", "Mars/Base"],
            "unknown time zone",
        ),
        (
            &["client", "add", "Dana", "--email", "not-an-address"],
            "not a mail address",
        ),
        (
            &["client", "add", "Dana", "--email", "amara@example.org"],
            "already belongs to Amara Okafor",
        ),
        (&["client", "show", "Nobody"], "no client matches"),
        (&["today", "--date", "2026-13-01"], "no day 2026-13-01"),
        (
            &["today", "--date", "someday"],
            "cannot read 'someday' as a day",
        ),
        (
            &[
                "session",
                "list",
                "--from",
                "2026-12-01",
                "--to",
                "2026-11-01",
            ],
            "before",
        ),
        (&["request", "snooze", "1", "yesterday", "10:00"], "future"),
        (&["frobnicate"], "unrecognized subcommand"),
        (&["request", "reply", "1"], "required"),
    ];
    for (args, says) in cases {
        assert_refused(&book, args, 2, says);
    }
    // The id of a follow-up given where a request is expected.
    assert_refused(&book, &["request", "close", "3"], 2, "no request has id 3");
}

#[test]
fn the_ambiguous_autumn_hour_is_taken_first_with_a_note() {
    let book = small_book();
    let run = book.run(&[
        "session",
        "add",
        "Chen",
        "2026-10-25",
        "02:30",
        "--allow-past",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("happens twice"), "{}", run.stderr);
    let sessions = book.json(&[
        "session",
        "list",
        "--from",
        "2026-10-25",
        "--to",
        "2026-10-25",
        "--json",
    ]);
    assert_eq!(sessions[0]["start"], "2026-10-25T02:30:00+02:00");
}

#[test]
fn a_book_path_that_is_a_directory_is_refused() {
    let book = Book::new();
    let dir = book.dir.path().join("folder");
    std::fs::create_dir(&dir).expect("dir");
    let run = book.command_on(&dir, &["today"]).output().expect("runs");
    let run = common::finish(run);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("is a directory"), "{}", run.stderr);
}

#[test]
fn a_file_that_is_not_a_book_is_refused_and_untouched() {
    let book = Book::new();
    std::fs::write(&book.db, "name,email\nAmara,amara@example.org\n").expect("write");
    let run = book.run(&["client", "list"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("not a SQLite file"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(&book.db).expect("read"),
        "name,email\nAmara,amara@example.org\n"
    );

    let other = Book::new();
    {
        let conn = rusqlite::Connection::open(&other.db).expect("open");
        conn.execute_batch("CREATE TABLE photos (path TEXT); INSERT INTO photos VALUES ('a.jpg');")
            .expect("schema");
    }
    let before = std::fs::read(&other.db).expect("read");
    let run = other.run(&["today"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("another application"), "{}", run.stderr);
    assert_eq!(std::fs::read(&other.db).expect("read"), before);
}

#[test]
fn a_book_from_a_newer_coachbook_is_refused_and_untouched() {
    let book = small_book();
    {
        let conn = rusqlite::Connection::open(&book.db).expect("open");
        conn.pragma_update(None, "user_version", 999).expect("bump");
    }
    let before = dump(&book.db);
    let run = book.run(&["request", "add", "Chen", "hello"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("newer coachbook"), "{}", run.stderr);
    assert_eq!(dump(&book.db), before);
}

#[test]
fn an_unwritable_path_is_an_environment_failure() {
    let book = Book::new();
    let blocker = book.dir.path().join("plain-file");
    std::fs::write(&blocker, "x").expect("write");
    let inside = blocker.join("book.sqlite");
    let run = common::finish(book.command_on(&inside, &["today"]).output().expect("runs"));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("cannot create"), "{}", run.stderr);
}

#[test]
fn an_invalid_config_names_the_key_and_changes_nothing() {
    let book = small_book();
    let before = book.dump();
    std::fs::write(&book.config, "[hours]\nstart = \"25:00\"\n").expect("write");
    let run = book.run(&["request", "add", "Chen", "hello"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("`hours.start`"), "{}", run.stderr);
    assert_eq!(book.dump(), before);
}

#[test]
fn a_bad_clock_is_refused() {
    let book = small_book();
    let run = common::finish(
        book.command(&["today"])
            .env("COACHBOOK_NOW", "soon")
            .output()
            .expect("runs"),
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("COACHBOOK_NOW"), "{}", run.stderr);
}

#[test]
fn waiting_on_the_client_pauses_the_clock_until_they_write_again() {
    let book = small_book();
    // Urgent and unanswered: waiting has no end, so it takes --force.
    assert_eq!(book.run(&["request", "wait", "1"]).code, 2);
    book.ok(&["request", "wait", "1", "--force"]);
    let today = book.json(&["today", "--json"]);
    assert!(
        today["requests"].as_array().expect("requests").is_empty(),
        "a paused request leaves the pane"
    );
    // Amara writes again the next morning.
    let run = common::finish(
        book.command(&["request", "add", "Amara", "Here is the deck"])
            .env("COACHBOOK_NOW", "2026-11-24T10:00:00+01:00")
            .output()
            .expect("runs"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let requests = book.json(&["request", "list", "--open", "--json"]);
    let first = requests
        .as_array()
        .expect("list")
        .iter()
        .find(|r| r["id"] == 1)
        .expect("request 1");
    assert_eq!(first["status"], "open", "the client wrote again");
    // Received 12:20 urgent (4 working hours, due 16:20): paused at 14:20 with
    // 2 working hours left, resumed at 10:00 the next day: due 12:00.
    assert_eq!(first["reply_by"], "2026-11-24T12:00:00+01:00");
}

#[test]
fn raising_the_urgency_moves_the_reply_by() {
    let book = small_book();
    let out = book.ok(&["request", "urgency", "1", "crisis"]);
    assert!(out.contains("reply by 2026-11-23 13:20"), "{out}");
}

#[test]
fn a_session_is_marked_held_or_no_show_once_it_has_begun() {
    let book = small_book();
    book.ok(&[
        "session",
        "add",
        "Amir",
        "2026-11-23",
        "09:00",
        "--allow-past",
    ]);
    let out = book.ok(&["session", "mark", "2", "no-show"]);
    assert!(out.contains("no-show"), "{out}");
    assert_refused(
        &book,
        &["session", "mark", "1", "held"],
        2,
        "has not begun yet",
    );
    assert_refused(
        &book,
        &["session", "mark", "2", "booked"],
        2,
        "held, no-show or cancelled",
    );
    assert_refused(
        &book,
        &["session", "mark", "9", "held"],
        2,
        "no session has id 9",
    );
    book.ok(&["session", "mark", "1", "cancelled"]);
}
