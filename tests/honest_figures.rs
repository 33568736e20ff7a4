//! Issue 9 through the real binary: no action of the coach makes the review
//! kinder than what clients lived, every outgoing path passes the same
//! guardrails, and the client in crisis always hears back. The send command
//! saves every message it receives (one file per message).

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::Book;
use serde_json::Value;

/// A send command that saves each message as `sent/N.eml`.
fn saving_sends(book: &Book) -> std::path::PathBuf {
    let dir = book.dir.path().join("sent");
    std::fs::create_dir_all(&dir).expect("sent dir");
    set_send_command(book, &format!("cat > {}/$(date +%s%N).eml", dir.display()));
    dir
}

fn set_send_command(book: &Book, command: &str) {
    let mut config = std::fs::read_to_string(&book.config).expect("config");
    config.push_str(&format!("[delivery]\nsend_command = \"{command}\"\n"));
    std::fs::write(&book.config, config).expect("config");
}

fn sent_messages(dir: &std::path::Path) -> Vec<String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("sent")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("message"))
        .collect()
}

/// Today's first session still booked (the one an emergency frees).
fn first_booked_session(book: &Book) -> Value {
    book.json(&["today", "--json"])["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .find(|s| s["status"] == "booked")
        .cloned()
        .expect("booked")
}

fn sql(book: &Book, query: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(&book.db).expect("open");
    conn.query_row(query, [], |row| {
        (0..row.as_ref().column_count())
            .map(|i| {
                row.get::<_, rusqlite::types::Value>(i).map(|v| match v {
                    rusqlite::types::Value::Null => "NULL".to_string(),
                    rusqlite::types::Value::Integer(n) => n.to_string(),
                    rusqlite::types::Value::Text(t) => t,
                    other => format!("{other:?}"),
                })
            })
            .collect()
    })
    .expect("row")
}

/// A small book: Ada's urgent request from this morning, overdue by now
/// (14:20; urgent = 4 working hours from 08:00 → 13:00).
fn overdue_book() -> Book {
    let book = Book::new();
    book.ok(&[
        "client",
        "add",
        "Ada Lovelace",
        "--email",
        "ada@example.com",
    ]);
    book.ok(&[
        "partner",
        "add",
        "Helen Park",
        "--email",
        "helen@example.org",
    ]);
    book.ok(&[
        "request",
        "add",
        "Ada",
        "Can we talk today?",
        "--urgency",
        "urgent",
        "--at",
        "2026-11-23 09:00",
    ]);
    book
}

fn review(book: &Book) -> Value {
    book.json(&["review", "--format", "json"])
}

fn breach_ids(review: &Value) -> Vec<i64> {
    review["breaches"]
        .as_array()
        .expect("breaches")
        .iter()
        .map(|b| b["request"].as_i64().expect("id"))
        .collect()
}

fn resolution(review: &Value, id: i64) -> String {
    review["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .find(|r| r["request"] == id)
        .map(|r| r["resolution"].as_str().unwrap_or("").to_string())
        .unwrap_or_default()
}

#[test]
fn closing_an_overdue_request_keeps_its_breach() {
    let book = overdue_book();
    let before = review(&book);
    assert_eq!(breach_ids(&before), [1]);
    assert_eq!(resolution(&before, 1), "still waiting");
    book.ok(&["request", "close", "1"]);
    let after = review(&book);
    assert_eq!(breach_ids(&after), [1], "closing erased nothing");
    assert_eq!(after["within_target"]["urgent"]["met"], 0);
    assert_eq!(after["within_target"]["urgent"]["total"], 1);
    assert_eq!(resolution(&after, 1), "closed without reply");
    let csv = book.ok(&["review", "--format", "csv"]);
    assert!(csv.contains(",unanswered,closed without reply"), "{csv}");
    let md = book.ok(&["review", "--format", "md"]);
    assert!(md.contains("closed without reply"), "{md}");
    let text = book.ok(&["review"]);
    assert!(text.contains("1 closed without reply"), "{text}");
}

#[test]
fn waiting_on_the_client_after_the_reply_by_keeps_the_breach() {
    let book = overdue_book();
    book.ok(&["request", "wait", "1", "--force"]);
    let after = review(&book);
    assert_eq!(breach_ids(&after), [1]);
    assert_eq!(resolution(&after, 1), "still waiting");
}

#[test]
fn a_late_handoff_is_a_breach_and_counts_once_the_note_is_delivered() {
    let book = overdue_book();
    let sent = saving_sends(&book);
    book.ok(&["request", "handoff", "1", "--partner", "Helen"]);
    let after = review(&book);
    assert_eq!(breach_ids(&after), [1], "handed off late is still late");
    assert_eq!(resolution(&after, 1), "handed off");
    assert_eq!(after["first_reply"]["count"], 1);
    assert_eq!(sent_messages(&sent).len(), 2, "note and brief");
}

#[test]
fn a_failed_send_leaves_the_request_unanswered_and_on_the_dashboard() {
    let book = overdue_book();
    set_send_command(&book, "exit 3");
    let run = book.run(&["request", "reply", "1", "--text", "Yes: today at 16:00?"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let listed = book.json(&["request", "list", "--json"]);
    assert!(listed[0]["first_reply_at"].is_null());
    assert_eq!(listed[0]["status"], "open");
    assert_eq!(listed[0]["undelivered"], "failed");
    let today = book.json(&["today", "--json"]);
    assert_eq!(today["requests"][0]["id"], 1, "still on the dashboard");
    assert_eq!(today["requests"][0]["undelivered"], "failed");
    let text = book.ok(&["today"]);
    assert!(text.contains("[reply failed]"), "{text}");
    let r = review(&book);
    assert_eq!(r["first_reply"]["count"], 0);
    assert_eq!(r["unanswered"][0]["request"], 1);
}

#[test]
fn a_promise_kept_and_a_promise_broken() {
    let book = overdue_book();
    book.ok(&[
        "request",
        "add",
        "Ada",
        "One more thing",
        "--at",
        "2026-11-23 10:00",
    ]);
    let sent = saving_sends(&book);
    // Two acknowledgements with promises: 15:00 and 14:30.
    book.ok(&[
        "request",
        "reply",
        "1",
        "--template",
        "acknowledgement",
        "--promise",
        "15:00",
    ]);
    book.ok(&[
        "request",
        "reply",
        "2",
        "--template",
        "acknowledgement",
        "--promise",
        "14:30",
    ]);
    let open = sql(
        &book,
        "SELECT count(*) FROM followups WHERE kind = 'promise' AND done_at IS NULL",
    );
    assert_eq!(
        open,
        ["2"],
        "an acknowledgement does not keep its own promise"
    );
    // The real answer to #1 goes out at 14:20: kept. #2 is answered at 14:45: broken.
    book.ok(&[
        "request",
        "reply",
        "1",
        "--text",
        "Here is the plan we spoke about, with two times.",
    ]);
    let late = book
        .command(&[
            "request",
            "reply",
            "2",
            "--text",
            "Here is the note, and a time on Thursday.",
        ])
        .env("COACHBOOK_NOW", "2026-11-23T14:45:00+01:00")
        .output()
        .expect("runs");
    assert!(late.status.success());
    let r = book
        .command(&["review", "--format", "json"])
        .env("COACHBOOK_NOW", "2026-11-23T14:50:00+01:00")
        .output()
        .expect("runs");
    let r: Value = serde_json::from_slice(&r.stdout).expect("json");
    assert_eq!(r["promises"]["kept"], 1);
    assert_eq!(r["promises"]["broken"], 1);
    assert_eq!(sent_messages(&sent).len(), 4);
}

#[test]
fn a_dismissive_custom_apology_is_refused_without_force() {
    let book = Book::demo();
    let folder = book.dir.path().join("templates");
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::write(
        folder.join("emergency_apology.txt"),
        "Subject: Moving {{ old_time }}\n\nHi {{ client_first_name }}, thanks for your patience, per my last email.\n{% for option in options %}- {{ option }}\n{% endfor %}{{ signature }}\n",
    )
    .expect("template");
    let mut config = std::fs::read_to_string(&book.config).expect("config");
    config.push_str(&format!("[templates]\nfolder = \"{}\"\n", folder.display()));
    std::fs::write(&book.config, config).expect("config");
    let session = first_booked_session(&book);
    let id = session["id"].to_string();
    let before = book.dump();
    let run = book.run(&["emergency", &id]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("patience"), "{}", run.stderr);
    assert_eq!(book.dump(), before, "refused: the book is unchanged");
    saving_sends(&book);
    book.ok(&["emergency", &id, "--force"]);
}

#[test]
fn a_crisis_client_with_email_gets_a_confirmation_that_is_their_first_reply() {
    let book = Book::demo();
    let sent = saving_sends(&book);
    let session = first_booked_session(&book);
    let crisis = sql(
        &book,
        "SELECT r.id FROM requests r JOIN clients c ON c.id = r.client_id \
         WHERE c.name = 'Sofia Lindqvist' AND r.urgency = 'crisis' AND r.status = 'open'",
    );
    book.ok(&["emergency", &session["id"].to_string(), "--for", "Sofia"]);
    let messages = sent_messages(&sent);
    assert_eq!(messages.len(), 2, "apology and crisis confirmation");
    let confirmation = messages
        .iter()
        .find(|m| m.contains("I have time for you"))
        .expect("the crisis_booked confirmation");
    assert!(
        confirmation.contains("METHOD:REQUEST"),
        "with the invitation"
    );
    let answered = sql(
        &book,
        &format!(
            "SELECT status, first_reply_at IS NOT NULL FROM requests WHERE id = {}",
            crisis[0]
        ),
    );
    assert_eq!(answered, ["answered", "1"]);
}

#[test]
fn a_crisis_client_without_email_gets_a_call_back_follow_up() {
    let book = Book::demo();
    saving_sends(&book);
    book.ok(&["client", "add", "Noor Haddad", "--phone", "+49 30 1234"]);
    book.ok(&[
        "request",
        "add",
        "Noor",
        "Please call me",
        "--channel",
        "phone",
        "--urgency",
        "crisis",
        "--at",
        "14:00",
    ]);
    let request = sql(&book, "SELECT max(id) FROM requests");
    let session = first_booked_session(&book);
    let out = book.ok(&["emergency", &session["id"].to_string(), "--for", "Noor"]);
    assert!(out.contains("call them back"), "{out}");
    let followup = sql(
        &book,
        "SELECT id, text, callback FROM followups WHERE callback = 1",
    );
    assert!(
        followup[1].starts_with("Call Noor Haddad back at"),
        "{followup:?}"
    );
    let waiting = sql(
        &book,
        &format!(
            "SELECT first_reply_at FROM requests WHERE id = {}",
            request[0]
        ),
    );
    assert_eq!(waiting, ["NULL"]);
    book.ok(&["followup", "done", &followup[0]]);
    let answered = sql(
        &book,
        &format!(
            "SELECT status, first_reply_at IS NOT NULL FROM requests WHERE id = {}",
            request[0]
        ),
    );
    assert_eq!(answered, ["answered", "1"]);
}

#[test]
fn a_crisis_cannot_be_snoozed_past_its_reply_by_without_force() {
    let book = Book::new();
    book.ok(&[
        "client",
        "add",
        "Ada Lovelace",
        "--email",
        "ada@example.com",
    ]);
    book.ok(&[
        "request",
        "add",
        "Ada",
        "I am not okay",
        "--urgency",
        "crisis",
        "--at",
        "14:00",
    ]);
    let before = book.dump();
    let run = book.run(&["request", "snooze", "1", "tomorrow", "09:00"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("past its reply-by"), "{}", run.stderr);
    assert_eq!(book.dump(), before);
    // Within its reply-by (15:00) is fine, and it is counted, not hidden.
    book.ok(&["request", "snooze", "1", "14:50"]);
    let today = book.json(&["today", "--json"]);
    assert_eq!(today["requests"].as_array().map(Vec::len), Some(0));
    assert_eq!(today["snoozed"][0]["id"], 1);
    assert_eq!(today["snoozed"][0]["urgency"], "crisis");
    // Once its reply-by passes, it is back, overdue (even though snoozed).
    let later = book
        .command(&["today", "--json"])
        .env("COACHBOOK_NOW", "2026-11-23T15:05:00+01:00")
        .output()
        .expect("runs");
    let later: Value = serde_json::from_slice(&later.stdout).expect("json");
    let row = &later["requests"][0];
    assert_eq!(row["id"], 1);
    assert_eq!(row["overdue"], true);
}

#[test]
fn undo_after_a_delivered_apology_only_raises_the_sequence() {
    let book = Book::demo();
    let sent = saving_sends(&book);
    let session = first_booked_session(&book);
    let id = session["id"].as_i64().expect("id");
    book.ok(&["emergency", &id.to_string(), "--hold"]);
    let out = book.ok(&["undo", "--notify"]);
    assert!(out.contains("the session stands"), "{out}");
    let state = sql(
        &book,
        &format!("SELECT status, start_at FROM sessions WHERE id = {id}"),
    );
    assert_eq!(state[0], "booked");
    // The apology stays recorded as sent; the disregard note is a new reply.
    let apology = sql(
        &book,
        &format!("SELECT kind, delivery FROM replies WHERE session_id = {id} ORDER BY id LIMIT 1"),
    );
    assert_eq!(apology, ["apology", "sent"]);
    let messages = sent_messages(&sent);
    assert_eq!(messages.len(), 2);
    assert!(messages[1].contains("Please disregard"), "{}", messages[1]);
    let sequence = |m: &str| -> i64 {
        m.lines()
            .find_map(|l| l.trim().strip_prefix("SEQUENCE:"))
            .and_then(|n| n.trim().parse().ok())
            .expect("a SEQUENCE")
    };
    assert!(
        sequence(&messages[1]) > sequence(&messages[0]),
        "SEQUENCE rises"
    );
    // The next update goes higher still, never repeating one the client holds.
    book.ok(&[
        "session",
        "move",
        &id.to_string(),
        "tomorrow 11:00",
        "--notify",
        // The demo book is full around then; the test is about the move.
        "--allow-overlap",
    ]);
    let messages = sent_messages(&sent);
    assert!(sequence(&messages[2]) > sequence(&messages[1]));
}

#[test]
fn the_clients_pick_after_an_emergency_is_one_move_by_the_coach() {
    let book = Book::demo();
    saving_sends(&book);
    let session = first_booked_session(&book);
    let id = session["id"].as_i64().expect("id");
    let before = book.json(&["review", "--format", "json"]);
    book.ok(&["emergency", &id.to_string()]);
    book.ok(&[
        "session",
        "move",
        &id.to_string(),
        "2026-11-26 11:00",
        "--by",
        "client",
        "--notify",
        // The demo book is full around then; the test is about the move.
        "--allow-overlap",
    ]);
    let after = book.json(&["review", "--format", "json"]);
    let moved = |r: &Value, by: &str| r["sessions"][by].as_i64().expect("count");
    assert_eq!(
        moved(&after, "rescheduled_by_coach"),
        moved(&before, "rescheduled_by_coach") + 1
    );
    assert_eq!(
        moved(&after, "rescheduled_by_client"),
        moved(&before, "rescheduled_by_client")
    );
}

#[test]
fn an_outbox_reply_found_in_the_coachs_own_mail_answers_the_request() {
    let book = overdue_book();
    // No send command: the reply waits in the outbox.
    book.ok(&[
        "request",
        "reply",
        "1",
        "--text",
        "Yes, today at 16:00 works for me.",
    ]);
    let listed = book.json(&["request", "list", "--json"]);
    assert!(listed[0]["first_reply_at"].is_null());
    // The coach sent it from their mail program; importing their sent mail
    // finds it by its Message-ID.
    let outbox = book.dir.path().join("data/coachbook/outbox");
    let file = std::fs::read_dir(&outbox)
        .expect("outbox")
        .next()
        .expect("one message")
        .expect("entry")
        .path();
    let out = book.ok(&["import", "mail", file.to_str().expect("path")]);
    assert!(!out.is_empty());
    let listed = book.json(&["request", "list", "--json"]);
    assert_eq!(listed[0]["status"], "answered", "{listed}");
    assert_eq!(listed[0]["first_reply_at"], "2026-11-23T14:20:00+01:00");
    let replies = sql(&book, "SELECT count(*), max(delivery) FROM replies");
    assert_eq!(replies, ["1", "sent"], "the same reply, not a second one");
}

#[test]
fn undoing_a_crisis_booking_leaves_the_coach_a_follow_up_to_tell_the_crisis_client() {
    let book = Book::demo();
    saving_sends(&book);
    let session = first_booked_session(&book);
    book.ok(&["emergency", &session["id"].to_string(), "--for", "Sofia"]);
    let out = book.ok(&["undo", "--notify"]);
    assert!(
        out.contains("Sofia Lindqvist was sent the invitation"),
        "{out}"
    );
    // Her confirmation stays recorded as sent, and the dashboard says to tell her.
    let kept = sql(
        &book,
        "SELECT r.delivery FROM replies r JOIN clients c ON c.id = r.client_id \
         WHERE c.name = 'Sofia Lindqvist' AND r.subject LIKE 'I have time for you%'",
    );
    assert_eq!(kept, ["sent"]);
    let followups = book.json(&["followup", "list", "--json"]);
    assert!(
        followups
            .as_array()
            .expect("list")
            .iter()
            .any(|f| f["client"] == "Sofia Lindqvist"
                && f["text"].as_str().unwrap_or("").contains("was undone")),
        "{followups}"
    );
}

#[test]
fn a_flagged_disregard_template_refuses_the_undo_before_anything_changes() {
    let book = Book::demo();
    saving_sends(&book);
    let session = first_booked_session(&book);
    book.ok(&["emergency", &session["id"].to_string()]);
    let folder = book.dir.path().join("templates");
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::write(
        folder.join("session_stands.txt"),
        "Subject: Our session\n\nHi {{ client_first_name }}, thanks for your patience: we meet {{ session_time }}.\n{{ signature }}\n",
    )
    .expect("template");
    let mut config = std::fs::read_to_string(&book.config).expect("config");
    config.push_str(&format!("[templates]\nfolder = \"{}\"\n", folder.display()));
    std::fs::write(&book.config, config).expect("config");
    let before = book.dump();
    let run = book.run(&["undo", "--notify"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("patience"), "{}", run.stderr);
    assert_eq!(book.dump(), before, "nothing undone");
    let out = book.ok(&["undo", "--notify", "--force"]);
    assert!(out.contains("the session stands"), "{out}");
}
