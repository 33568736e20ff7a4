//! Care between sessions from the command line, with a fixed clock: the
//! agreement chase, check-ins, reminders, agreement steps in order, a held
//! session's action items and recap, and parting ways.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Book, Run, dump, dump_except, finish};

/// Run at another instant (RFC 3339).
fn run_at(book: &Book, now: &str, args: &[&str]) -> Run {
    finish(
        book.command(args)
            .env("COACHBOOK_NOW", now)
            .output()
            .expect("runs"),
    )
}

fn ok_at(book: &Book, now: &str, args: &[&str]) -> String {
    let run = run_at(book, now, args);
    assert_eq!(run.code, 0, "{args:?} at {now} failed: {}", run.stderr);
    run.stdout
}

fn json_at(book: &Book, now: &str, args: &[&str]) -> serde_json::Value {
    let out = ok_at(book, now, args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: no JSON ({e}): {out}"))
}

fn of_kind(list: &serde_json::Value, kind: &str) -> Vec<serde_json::Value> {
    list.as_array()
        .expect("a list")
        .iter()
        .filter(|f| f["kind"] == kind)
        .cloned()
        .collect()
}

fn changes(book: &Book) -> i64 {
    let conn = rusqlite::Connection::open(&book.db).expect("open");
    conn.query_row("SELECT count(*) FROM changes", [], |r| r.get(0))
        .expect("count")
}

/// A book with Ada (New York) and a session booked next week, so only
/// what a test sets up is due.
fn book_with_ada() -> Book {
    let book = Book::new();
    book.ok(&[
        "client",
        "add",
        "Ada Lovelace",
        "--email",
        "ada@example.org",
        "--tz",
        "America/New_York",
    ]);
    book.ok(&["session", "add", "Ada", "2026-11-23 10:00", "--allow-past"]);
    book.ok(&["session", "mark", "1", "held"]);
    book.ok(&["session", "add", "Ada", "2026-11-30 10:00"]);
    book
}

#[test]
fn the_agreement_chase_comes_on_day_3_once_and_signing_closes_it() {
    let book = book_with_ada();
    book.ok(&["agreement", "sent", "Ada", "--at", "2026-11-23 09:00"]);
    // Day 2 and just before day 3: no chase.
    for now in ["2026-11-25T12:00:00+01:00", "2026-11-26T08:59:00+01:00"] {
        let list = json_at(&book, now, &["followup", "list", "--json"]);
        assert!(of_kind(&list, "agreement").is_empty(), "{now}: {list}");
    }
    // Day 3: one chase, due when it came.
    let list = json_at(
        &book,
        "2026-11-26T09:00:00+01:00",
        &["followup", "list", "--json"],
    );
    let chases = of_kind(&list, "agreement");
    assert_eq!(chases.len(), 1, "{list}");
    assert_eq!(chases[0]["due"], "2026-11-26T09:00:00+01:00");
    // Asked again and again, later that day and the next: still one.
    for now in ["2026-11-26T09:05:00+01:00", "2026-11-27T16:00:00+01:00"] {
        let list = json_at(&book, now, &["followup", "list", "--json"]);
        assert_eq!(of_kind(&list, "agreement").len(), 1, "{now}: {list}");
    }
    // Signing closes it, and no new chase comes after.
    ok_at(
        &book,
        "2026-11-27T16:30:00+01:00",
        &["agreement", "signed", "Ada"],
    );
    let list = json_at(
        &book,
        "2026-12-15T10:00:00+01:00",
        &["followup", "list", "--json"],
    );
    let chases = of_kind(&list, "agreement");
    assert_eq!(chases.len(), 1, "{list}");
    assert!(chases[0]["done_at"].is_string(), "{list}");
}

#[test]
fn a_chase_done_without_signing_comes_back_five_working_days_later() {
    let book = book_with_ada();
    book.ok(&["agreement", "sent", "Ada", "--at", "2026-11-23 09:00"]);
    let list = json_at(
        &book,
        "2026-11-26T10:00:00+01:00",
        &["followup", "list", "--json"],
    );
    let id = of_kind(&list, "agreement")[0]["id"].to_string();
    ok_at(
        &book,
        "2026-11-26T11:00:00+01:00",
        &["followup", "done", &id],
    );
    // Thursday 26th 11:00 + 5 working days = Thursday 3 December 11:00.
    let list = json_at(
        &book,
        "2026-12-03T10:59:00+01:00",
        &["followup", "list", "--json"],
    );
    assert_eq!(of_kind(&list, "agreement").len(), 1, "{list}");
    let list = json_at(
        &book,
        "2026-12-03T11:00:00+01:00",
        &["followup", "list", "--json"],
    );
    let chases = of_kind(&list, "agreement");
    assert_eq!(chases.len(), 2, "{list}");
    assert_eq!(chases[0]["due"], "2026-12-03T11:00:00+01:00");
}

#[test]
fn agreement_steps_out_of_order_are_refused_and_change_nothing() {
    let book = book_with_ada();
    let before = dump(&book.db);
    for (step, says) in [
        ("signed", "has not been sent"),
        ("countersigned", "not signed by them yet"),
        ("drafted", "unknown agreement step"),
    ] {
        let run = book.run(&["agreement", step, "Ada"]);
        assert_eq!(run.code, 2, "{step}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{step}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    }
    assert_eq!(dump(&book.db), before);
    book.ok(&["agreement", "sent", "Ada"]);
    let before = dump(&book.db);
    let run = book.run(&["agreement", "countersigned", "Ada"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = book.run(&["agreement", "sent", "Ada"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = book.run(&["agreement", "signed", "Ada", "--at", "2026-11-22 10:00"]);
    assert_eq!(run.code, 2, "signed before it was sent: {}", run.stderr);
    assert_eq!(dump(&book.db), before);
    book.ok(&["agreement", "signed", "Ada"]);
    book.ok(&["agreement", "countersigned", "Ada"]);
    let shown = book.ok(&["client", "show", "Ada"]);
    assert!(shown.contains("countersigned (drafted 2026-11-23, sent 2026-11-23, signed 2026-11-23, countersigned 2026-11-23)"), "{shown}");
}

#[test]
fn a_check_in_comes_after_21_silent_days_once() {
    let book = Book::new();
    book.ok(&["client", "add", "Bo Berg", "--email", "bo@example.org"]);
    book.ok(&[
        "request",
        "add",
        "Bo",
        "Thanks for today",
        "--at",
        "2026-11-23 10:00",
    ]);
    book.ok(&["request", "close", "1"]);
    // Something booked within 14 days keeps only the silence rule in play.
    book.ok(&["session", "add", "Bo", "2026-12-01 10:00"]);
    let list = json_at(
        &book,
        "2026-11-30T12:00:00+01:00",
        &["followup", "list", "--json"],
    );
    assert!(of_kind(&list, "check-in").is_empty(), "{list}");
    book.ok(&["session", "add", "Bo", "2026-12-16 10:00"]);
    // 20 days after the last contact: nothing; day 21: one check-in.
    ok_at(
        &book,
        "2026-12-13T09:00:00+01:00",
        &["session", "move", "2", "2026-12-20 10:00"],
    );
    let list = json_at(
        &book,
        "2026-12-14T09:59:00+01:00",
        &["followup", "list", "--json"],
    );
    assert!(of_kind(&list, "check-in").is_empty(), "{list}");
    let count = changes(&book);
    let list = json_at(
        &book,
        "2026-12-14T10:00:00+01:00",
        &["followup", "list", "--json"],
    );
    let check_ins = of_kind(&list, "check-in");
    assert_eq!(check_ins.len(), 1, "{list}");
    assert!(
        check_ins[0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("no contact for 21 days")),
        "{list}"
    );
    assert_eq!(changes(&book), count + 1);
    // Running again changes nothing: no new row, no change-log row.
    let before = dump(&book.db);
    for now in ["2026-12-14T10:01:00+01:00", "2026-12-20T08:00:00+01:00"] {
        ok_at(&book, now, &["today", "--json"]);
        ok_at(&book, now, &["followup", "list", "--json"]);
    }
    assert_eq!(dump(&book.db), before);
    // The message is ready from the check_in template; sending it closes it.
    let out = ok_at(
        &book,
        "2026-12-14T11:00:00+01:00",
        &["client", "check-in", "Bo"],
    );
    assert!(out.contains("Dear Bo,"), "{out}");
    let list = json_at(
        &book,
        "2026-12-14T11:01:00+01:00",
        &["followup", "list", "--json"],
    );
    assert!(
        of_kind(&list, "check-in")[0]["done_at"].is_string(),
        "{list}"
    );
}

#[test]
fn nothing_due_writes_nothing_not_even_a_change_row() {
    let book = book_with_ada();
    let before = dump(&book.db);
    book.ok(&["today", "--json"]);
    book.ok(&["followup", "list", "--overdue", "--json"]);
    book.ok(&["client", "list", "--at-risk", "--json"]);
    book.ok(&["client", "show", "Ada"]);
    assert_eq!(dump(&book.db), before);
}

fn reminders(book: &Book) -> Vec<(i64, String, String)> {
    let conn = rusqlite::Connection::open(&book.db).expect("open");
    let mut stmt = conn
        .prepare(
            "SELECT session_id, about_start, body FROM replies WHERE kind = 'reminder' ORDER BY id",
        )
        .expect("prepare");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("read")
}

#[test]
fn a_reminder_goes_the_day_before_once_and_a_moved_session_gets_one_for_its_new_time() {
    let book = book_with_ada();
    let mut config = std::fs::read_to_string(&book.config).expect("config");
    config.push_str("[reminders]\nday_before = true\n");
    std::fs::write(&book.config, config).expect("config");
    // Monday 30 November 10:00 Berlin is 04:00 in New York: the day before
    // is Sunday 29th on Ada's calendar.
    ok_at(&book, "2026-11-28T20:00:00+01:00", &["today"]);
    assert!(reminders(&book).is_empty());
    let run = run_at(&book, "2026-11-29T09:00:00+01:00", &["today", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("generated 1 reminder"),
        "{}",
        run.stderr
    );
    let sent = reminders(&book);
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0]
            .2
            .contains("Monday 30 November, 04:00 (New York time, EST)"),
        "{}",
        sent[0].2
    );
    // Never twice.
    ok_at(&book, "2026-11-29T18:00:00+01:00", &["today"]);
    assert_eq!(reminders(&book).len(), 1);
    let outbox: Vec<_> = std::fs::read_dir(book.dir.path().join("data/coachbook/outbox"))
        .expect("outbox")
        .collect();
    assert_eq!(outbox.len(), 1);
    // Moved to Wednesday: none now, one on Tuesday for the new time.
    ok_at(
        &book,
        "2026-11-29T18:05:00+01:00",
        &["session", "move", "2", "2026-12-02 15:00"],
    );
    ok_at(&book, "2026-11-30T10:00:00+01:00", &["today"]);
    assert_eq!(reminders(&book).len(), 1);
    ok_at(&book, "2026-12-01T10:00:00+01:00", &["today"]);
    let sent = reminders(&book);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1].1, "2026-12-02T14:00:00Z");
    // A cancelled session gets none.
    ok_at(
        &book,
        "2026-12-01T10:05:00+01:00",
        &["session", "add", "Ada", "2026-12-03 15:00"],
    );
    ok_at(
        &book,
        "2026-12-01T10:06:00+01:00",
        &["session", "mark", "3", "cancelled"],
    );
    ok_at(&book, "2026-12-02T10:00:00+01:00", &["today"]);
    assert_eq!(reminders(&book).len(), 2);
}

#[test]
fn a_held_session_keeps_notes_and_two_action_items_and_recaps_only_the_clients_in_their_zone() {
    let book = Book::new();
    book.ok(&[
        "client",
        "add",
        "Ada Lovelace",
        "--email",
        "ada@example.org",
        "--tz",
        "America/New_York",
    ]);
    book.ok(&["session", "add", "Ada", "2026-11-23 10:00", "--allow-past"]);
    book.ok(&["session", "add", "Ada", "2026-11-30 10:00"]);
    let out = book.ok(&[
        "session",
        "mark",
        "1",
        "held",
        "--notes",
        "Talked about the board",
        "--action",
        "client: Draft the pitch outline by fri",
        "--action",
        "coach: Send the negotiation article by wed",
        "--recap",
    ]);
    assert!(out.contains("held, 2 action item(s)"), "{out}");
    let conn = rusqlite::Connection::open(&book.db).expect("open");
    let (subject, body): (String, String) = conn
        .query_row(
            "SELECT subject, body FROM replies WHERE kind = 'recap'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("recap");
    assert_eq!(
        subject,
        "Recap of our session on Monday 23 November, 04:00 (New York time, EST)"
    );
    assert!(
        body.contains("- Draft the pitch outline (by Friday 27 November)"),
        "{body}"
    );
    assert!(
        !body.contains("negotiation article"),
        "the coach's item is not theirs: {body}"
    );
    assert!(
        body.contains("We meet again on Monday 30 November, 04:00 (New York time, EST)."),
        "{body}"
    );
    let notes: String = conn
        .query_row("SELECT notes FROM sessions WHERE id = 1", [], |r| r.get(0))
        .expect("notes");
    assert_eq!(notes, "Talked about the board");
    let list = book.json(&["followup", "list", "--json"]);
    let actions = of_kind(&list, "action");
    assert_eq!(actions.len(), 2, "{list}");
    // The next session's story shows the open items; the client's overdue
    // item makes them at risk after Friday.
    let shown = book.ok(&["client", "show", "Ada"]);
    assert!(
        shown.contains("client item: Draft the pitch outline"),
        "{shown}"
    );
    let risky = json_at(
        &book,
        "2026-11-28T10:00:00+01:00",
        &["client", "list", "--at-risk", "--json"],
    );
    assert!(
        risky[0]["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .any(|r| r == "an overdue action item"),
        "{risky}"
    );
}

#[test]
fn bad_action_items_and_flagged_recaps_are_refused_with_the_book_unchanged() {
    let book = Book::new();
    book.ok(&[
        "client",
        "add",
        "Ada Lovelace",
        "--email",
        "ada@example.org",
    ]);
    book.ok(&["session", "add", "Ada", "2026-11-23 10:00", "--allow-past"]);
    let before = dump(&book.db);
    for args in [
        vec![
            "session",
            "mark",
            "1",
            "held",
            "--action",
            "Draft the pitch by fri",
        ],
        vec![
            "session",
            "mark",
            "1",
            "held",
            "--action",
            "client: Draft the pitch",
        ],
        vec!["session", "mark", "1", "no-show", "--recap"],
        // The recap needs the client's own items.
        vec![
            "session",
            "mark",
            "1",
            "held",
            "--action",
            "coach: Send it by fri",
            "--recap",
        ],
    ] {
        let run = book.run(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    }
    let templates = book.dir.path().join("config/coachbook/templates");
    std::fs::create_dir_all(&templates).expect("dir");
    std::fs::write(
        templates.join("recap.txt"),
        "Subject: Recap\n\nDear {{ client_first_name }}, as I said:\n{% for item in action_items %}- {{ item }}\n{% endfor %}\n",
    )
    .expect("template");
    let run = book.run(&[
        "session",
        "mark",
        "1",
        "held",
        "--action",
        "client: Draft it by fri",
        "--recap",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("as I said"), "{}", run.stderr);
    assert_eq!(dump(&book.db), before);
    book.ok(&[
        "session",
        "mark",
        "1",
        "held",
        "--action",
        "client: Draft it by fri",
        "--recap",
        "--force",
    ]);
}

#[test]
fn parting_records_the_referral_and_the_client_leaves_the_panes_but_not_the_book() {
    let book = Book::new();
    book.ok(&["client", "add", "Cy Young", "--email", "cy@example.org"]);
    book.ok(&["partner", "add", "Dana Cole", "--email", "dana@example.org"]);
    book.ok(&["session", "add", "Cy", "2026-11-23 16:00"]);
    book.ok(&["session", "add", "Cy", "2026-11-30 16:00"]);
    book.ok(&["followup", "add", "Cy", "2026-11-22", "Send the workbook"]);
    let today = book.json(&["today", "--json"]);
    assert_eq!(
        today["sessions"].as_array().map(Vec::len),
        Some(1),
        "{today}"
    );
    let out = book.ok(&[
        "client",
        "end",
        "Cy",
        "--reason",
        "Needs a therapist, not a coach",
        "--refund",
        "120.50",
        "--referral",
        "Dana",
    ]);
    assert!(out.contains("referred to Dana Cole"), "{out}");
    assert!(out.contains("I believe Dana Cole can give you what you need next; you can reach them at dana@example.org."), "{out}");
    assert!(out.contains("I have refunded 120.50 to you."), "{out}");
    // Gone from the panes and the lists that feed them.
    let today = book.json(&["today", "--json"]);
    assert_eq!(
        today["sessions"].as_array().map(Vec::len),
        Some(0),
        "{today}"
    );
    assert_eq!(
        today["followups"].as_array().map(Vec::len),
        Some(0),
        "{today}"
    );
    let overdue = book.json(&["followup", "list", "--overdue", "--json"]);
    assert_eq!(overdue.as_array().map(Vec::len), Some(0), "{overdue}");
    let risky = book.json(&["client", "list", "--at-risk", "--json"]);
    assert_eq!(risky.as_array().map(Vec::len), Some(0), "{risky}");
    // No generator touches them, even weeks later.
    let before = dump_except(&book.db, &[]);
    ok_at(&book, "2027-01-20T10:00:00+01:00", &["today"]);
    assert_eq!(dump(&book.db), before);
    // The history stays.
    let shown = book.ok(&["client", "show", "Cy"]);
    assert!(shown.contains("ended"), "{shown}");
    assert!(
        shown.contains("Needs a therapist, not a coach; refund 120.50; referred to Dana Cole"),
        "{shown}"
    );
    assert!(shown.contains("parting #"), "{shown}");
    let review = book.json(&["review", "--format", "json"]);
    assert_eq!(review["endings_count"], 1, "{review}");
    assert_eq!(review["refunds_total"], "120.50", "{review}");
    assert_eq!(review["endings"][0]["referral"], "Dana Cole", "{review}");
    let text = book.ok(&["review"]);
    assert!(text.contains("Partings"), "{text}");
    let csv = book.ok(&["review", "--format", "csv"]);
    assert!(
        csv.contains("ended_client,ended_at,reason,refund,referral"),
        "{csv}"
    );
    let md = book.ok(&["review", "--format", "md"]);
    assert!(md.contains("## Partings: 1 (refunds 120.50)"), "{md}");
    // Ending twice is refused; reactivating brings them back.
    let run = book.run(&["client", "end", "Cy", "--reason", "again"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    book.ok(&["client", "reactivate", "Cy"]);
    let clients = book.json(&["client", "list", "--json"]);
    assert_eq!(clients[0]["status"], "active", "{clients}");
}

/// The length of the book's WAL file (0 when there is none).
fn wal_len(book: &Book) -> u64 {
    let wal = format!("{}-wal", book.db.display());
    std::fs::metadata(wal).map_or(0, |m| m.len())
}

/// A `today` that writes (here the check-in it generates) checkpoints what
/// it wrote into the book as it closes, so no later open has to read a WAL
/// to rebuild its index; one that only reads leaves nothing behind either,
/// and the next one sees everything.
#[test]
fn a_today_that_writes_leaves_its_changes_in_the_book_not_in_the_wal() {
    let book = Book::new();
    book.ok(&["client", "add", "Bo Berg", "--email", "bo@example.org"]);
    book.ok(&["request", "add", "Bo", "Thanks", "--at", "2026-11-23 10:00"]);
    book.ok(&["request", "close", "1"]);
    assert_eq!(wal_len(&book), 0);
    let count = changes(&book);
    // 21 silent days later: the check-in is generated by `today` itself.
    // (The WAL is looked at first: any other connection's close would
    // checkpoint it.)
    let day = json_at(&book, "2026-12-14T10:00:00+01:00", &["today", "--json"]);
    assert_eq!(wal_len(&book), 0, "the WAL holds the check-in");
    assert_eq!(changes(&book), count + 1, "{day}");
    let again = json_at(&book, "2026-12-14T10:01:00+01:00", &["today", "--json"]);
    assert_eq!(wal_len(&book), 0);
    assert_eq!(again["followups"], day["followups"]);
    assert_eq!(changes(&book), count + 1);
}
