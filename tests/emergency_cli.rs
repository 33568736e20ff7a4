//! The emergency reschedule from the command line, on the demo book: the
//! plan, one coherent change, the message the send command receives, and
//! every refusal leaving the book unchanged.

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

/// The next booked session today after the demo's fixed "now" (15:00 Berlin).
fn next_session(book: &Book) -> Value {
    let today = book.json(&["today", "--json"]);
    today["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .find(|s| s["status"] == "booked")
        .cloned()
        .expect("a booked session later today")
}

fn with_send_command(book: &Book, command: &str) {
    let mut config = std::fs::read_to_string(&book.config).expect("config");
    config.push_str(&format!("[delivery]\nsend_command = \"{command}\"\n"));
    std::fs::write(&book.config, config).expect("config");
}

fn sql_row(book: &Book, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(&book.db).expect("open");
    conn.query_row(sql, [], |row| {
        let n = row.as_ref().column_count();
        (0..n)
            .map(|i| {
                row.get::<_, rusqlite::types::Value>(i).map(|v| match v {
                    rusqlite::types::Value::Text(t) => t,
                    rusqlite::types::Value::Integer(i) => i.to_string(),
                    rusqlite::types::Value::Null => "NULL".into(),
                    other => format!("{other:?}"),
                })
            })
            .collect()
    })
    .expect("row")
}

#[test]
fn a_dry_run_shows_the_plan_and_changes_nothing() {
    let book = Book::demo();
    let session = next_session(&book);
    let id = session["id"].to_string();
    let before = book.dump();
    let out = book.ok(&["emergency", &id, "--for", "Sofia", "--dry-run"]);
    assert!(
        out.contains("I would beg you to let me reschedule this"),
        "{out}"
    );
    assert!(out.contains("Offer:\n  1. "), "{out}");
    assert!(out.contains("  3. "), "three options by default: {out}");
    assert!(out.contains("crisis call: Sofia Lindqvist"), "{out}");
    assert!(out.contains("dry run: nothing changed"), "{out}");
    assert_eq!(book.dump(), before);
}

#[test]
fn the_emergency_is_one_change_and_the_client_gets_a_calendar_update() {
    let book = Book::demo();
    let session = next_session(&book);
    let id = session["id"].as_i64().expect("id");
    let sent = book.dir.path().join("sent.eml");
    // The first message (the apology) to sent.eml, the next to sent.eml.2.
    with_send_command(
        &book,
        &format!("f={0}; [ -e $f ] && f={0}.2; cat > $f", sent.display()),
    );
    let uid_before = sql_row(
        &book,
        &format!("SELECT ical_uid, ical_sequence FROM sessions WHERE id = {id}"),
    );
    let crisis_request = sql_row(
        &book,
        "SELECT r.id FROM requests r JOIN clients c ON c.id = r.client_id \
         WHERE c.name = 'Sofia Lindqvist' AND r.urgency = 'crisis' AND r.status = 'open'",
    );

    let out = book.ok(&["emergency", &id.to_string(), "--for", "Sofia", "--hold"]);
    assert!(out.contains("sent with"), "{out}");

    // One change did it all (then delivery recorded how it went).
    let changes = sql_row(
        &book,
        "SELECT group_concat(command, ',') FROM (SELECT command FROM changes WHERE command != 'demo' ORDER BY id)",
    );
    // The apology and the confirmation to the client in crisis.
    assert_eq!(changes[0], "emergency,deliver,deliver");
    let moved = sql_row(
        &book,
        &format!("SELECT status, ical_sequence FROM sessions WHERE id = {id}"),
    );
    assert_eq!(moved[0], "booked", "held at the first offered time");
    assert!(moved[1].parse::<i64>().expect("seq") > uid_before[1].parse::<i64>().expect("seq"));
    let the_move = sql_row(
        &book,
        &format!(
            "SELECT moved_by, reason FROM session_moves WHERE session_id = {id} ORDER BY id DESC LIMIT 1"
        ),
    );
    assert_eq!(the_move, ["coach", "coach emergency"]);
    let apology = sql_row(
        &book,
        &format!("SELECT kind, delivery FROM replies WHERE session_id = {id}"),
    );
    assert_eq!(apology, ["apology", "sent"]);
    let crisis = sql_row(
        &book,
        &format!(
            "SELECT status, first_reply_at IS NOT NULL FROM requests WHERE id = {}",
            crisis_request[0]
        ),
    );
    assert_eq!(
        crisis,
        ["answered", "1"],
        "the booked call is the first reply"
    );
    let call = sql_row(
        &book,
        &format!(
            "SELECT c.name, s.start_at FROM sessions s JOIN clients c ON c.id = s.client_id WHERE s.request_id = {}",
            crisis_request[0]
        ),
    );
    assert_eq!(call[0], "Sofia Lindqvist");
    assert_eq!(
        call[1], "2026-11-23T14:00:00Z",
        "the crisis call takes the freed slot"
    );

    // The send command got a real RFC 5322 message with the calendar update.
    let raw = std::fs::read(&sent).expect("the send command saved the message");
    let mail = mailparse::parse_mail(&raw).expect("valid RFC 5322");
    let header = |name: &str| {
        mail.headers
            .iter()
            .find(|h| h.get_key().eq_ignore_ascii_case(name))
            .map(|h| h.get_value())
    };
    assert_eq!(
        header("To").as_deref(),
        Some("Jonas Becker <jonas.becker@example.de>")
    );
    assert!(header("From").expect("From").contains("sam@example.org"));
    assert!(header("Message-ID").is_some() && header("Date").is_some());
    let text = mail
        .subparts
        .iter()
        .find(|p| p.ctype.mimetype == "text/plain")
        .expect("text part");
    assert!(text.get_body().expect("body").contains("Dear Jonas"));
    let calendar = mail
        .subparts
        .iter()
        .find(|p| p.ctype.mimetype == "text/calendar")
        .expect("calendar part");
    let ics = calendar.get_body().expect("ics").replace("\r\n ", "");
    assert!(ics.contains("METHOD:REQUEST"), "{ics}");
    assert!(
        ics.contains(&format!("UID:{}", uid_before[0])),
        "same UID: {ics}"
    );
    assert!(
        ics.contains(&format!("SEQUENCE:{}", moved[1])),
        "higher SEQUENCE: {ics}"
    );
    // Sofia, in crisis, is told too: the crisis_booked confirmation with
    // the invitation for the freed slot.
    let raw = std::fs::read(book.dir.path().join("sent.eml.2")).expect("the confirmation");
    let mail = mailparse::parse_mail(&raw).expect("valid RFC 5322");
    let to = mail
        .headers
        .iter()
        .find(|h| h.get_key().eq_ignore_ascii_case("To"))
        .map(|h| h.get_value());
    assert_eq!(to.as_deref(), Some("Sofia Lindqvist <sofia.l@example.se>"));
    assert!(
        mail.subparts
            .iter()
            .any(|p| p.ctype.mimetype == "text/calendar"),
        "with the invitation"
    );
}

#[test]
fn without_holding_a_time_the_old_entry_is_cancelled_and_waits_for_the_client() {
    let book = Book::demo();
    let id = next_session(&book)["id"].to_string();
    let sent = book.dir.path().join("sent.eml");
    with_send_command(&book, &format!("cat > {}", sent.display()));
    book.ok(&["emergency", &id, "--options", "2"]);
    let status = sql_row(
        &book,
        &format!("SELECT status FROM sessions WHERE id = {id}"),
    );
    assert_eq!(status, ["rescheduled"]);
    let raw = std::fs::read_to_string(&sent).expect("sent");
    assert!(raw.contains("METHOD:CANCEL"));
}

#[test]
fn a_failed_send_keeps_the_reply_recorded_for_a_retry() {
    let book = Book::demo();
    let id = next_session(&book)["id"].to_string();
    with_send_command(&book, "exit 3");
    let run = book.run(&["emergency", &id]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("recorded but not delivered"),
        "{}",
        run.stderr
    );
    let reply = sql_row(
        &book,
        &format!("SELECT id, delivery FROM replies WHERE session_id = {id} AND kind = 'apology'"),
    );
    assert_eq!(reply[1], "failed");
    // Fix the send command and retry.
    let sent = book.dir.path().join("retry.eml");
    let config = std::fs::read_to_string(&book.config)
        .expect("config")
        .replace("exit 3", &format!("cat > {}", sent.display()));
    std::fs::write(&book.config, config).expect("config");
    book.ok(&["deliver"]);
    let reply = sql_row(
        &book,
        &format!("SELECT delivery FROM replies WHERE id = {}", reply[0]),
    );
    assert_eq!(reply, ["sent"]);
    assert!(
        std::fs::read_to_string(&sent)
            .expect("retried")
            .contains("Dear Jonas")
    );
}

#[test]
fn without_a_send_command_the_message_goes_to_the_outbox() {
    let book = Book::demo();
    let id = next_session(&book)["id"].to_string();
    let out = book.ok(&["emergency", &id]);
    assert!(out.contains("written to"), "{out}");
    let outbox = book
        .dir
        .path()
        .join("data")
        .join("coachbook")
        .join("outbox");
    let files: Vec<_> = std::fs::read_dir(&outbox).expect("outbox").collect();
    assert_eq!(files.len(), 1);
}

fn assert_refused(book: &Book, args: &[&str], says: &str) {
    let before = book.dump();
    let run = book.run(args);
    assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(says),
        "{args:?} said {:?}, expected {says:?}",
        run.stderr
    );
    assert_eq!(book.dump(), before, "{args:?} changed the book");
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let book = Book::demo();
    let next = next_session(&book)["id"].to_string();
    let past = book.json(&["today", "--json"])["sessions"][0]["id"].to_string();
    assert_refused(&book, &["emergency", "99999"], "no session has id 99999");
    assert_refused(
        &book,
        &["emergency", &past],
        "only an upcoming session can be freed",
    );
    assert_refused(&book, &["emergency", &next, "--template", "nope"], "nope");
    assert_refused(
        &book,
        &["emergency", &next, "--options", "9"],
        "--options must be 1 to 5",
    );
    assert_refused(&book, &["emergency", &next, "--for", "Jonas"], "own");

    // A coach's template with a placeholder nobody fills.
    let folder = book
        .dir
        .path()
        .join("config")
        .join("coachbook")
        .join("templates");
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::write(
        folder.join("emergency_apology.txt"),
        "Subject: Sorry\n\nDear {{ client_first_name }}, about {{ favourite_colour }}.\n",
    )
    .expect("template");
    assert_refused(&book, &["emergency", &next], "favourite_colour");
}

#[test]
fn no_free_slot_within_a_week_is_refused() {
    let book = Book::demo();
    let next = next_session(&book)["id"].to_string();
    // Fill every working hour of the coming week.
    book.ok(&["client", "add", "Busy Bee"]);
    let first = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
    for day in 0..9 {
        let date = (first + chrono::Duration::days(day)).to_string();
        for hour in (8..18).step_by(2) {
            book.ok(&[
                "session",
                "add",
                "Busy Bee",
                &date,
                &format!("{hour}:00"),
                "--minutes",
                "120",
                "--allow-past",
                "--allow-overlap",
            ]);
        }
    }
    assert_refused(&book, &["emergency", &next], "no free slot within 7 days");
}

#[test]
fn a_handoff_records_the_note_and_the_brief_in_one_change() {
    let book = Book::demo();
    let request = sql_row(
        &book,
        "SELECT r.id FROM requests r JOIN clients c ON c.id = r.client_id \
         WHERE c.name = 'Sofia Lindqvist' AND r.urgency = 'crisis' AND r.status = 'open'",
    );
    let sent = book.dir.path().join("sent.eml");
    with_send_command(&book, &format!("cat >> {}", sent.display()));
    let out = book.ok(&["request", "handoff", &request[0], "--partner", "Helen"]);
    assert!(out.contains("handed request"), "{out}");
    let kinds = sql_row(
        &book,
        &format!(
            "SELECT group_concat(kind, ','), count(DISTINCT created_at) FROM replies \
             WHERE (request_id = {0} AND kind = 'hand-off') OR (partner_id IS NOT NULL)",
            request[0]
        ),
    );
    assert_eq!(kinds, ["hand-off,partner-brief", "1"]);
    let status = sql_row(
        &book,
        &format!("SELECT status FROM requests WHERE id = {}", request[0]),
    );
    assert_eq!(
        status,
        ["answered"],
        "the delivered note to the client is the first reply"
    );
    let listed = book.json(&["request", "list", "--json"]);
    let listed = listed
        .as_array()
        .expect("list")
        .iter()
        .find(|r| r["id"].as_i64().map(|n| n.to_string()).as_deref() == Some(request[0].as_str()))
        .cloned()
        .expect("the request");
    assert_eq!(listed["resolution"], "handed off");
    assert_refused(
        &book,
        &["request", "handoff", &request[0], "--partner", "Nobody"],
        "no partner matches",
    );
}

#[test]
fn when_the_client_picks_a_time_the_move_updates_their_calendar() {
    let book = Book::demo();
    let id = next_session(&book)["id"].to_string();
    let sent = book.dir.path().join("sent.eml");
    with_send_command(&book, &format!("cat > {}", sent.display()));
    book.ok(&["emergency", &id]);
    let cancelled = sql_row(
        &book,
        &format!("SELECT ical_uid, ical_sequence FROM sessions WHERE id = {id}"),
    );
    // Refused before anything is written: a template value nobody fills.
    let folder = book
        .dir
        .path()
        .join("config")
        .join("coachbook")
        .join("templates");
    std::fs::create_dir_all(&folder).expect("folder");
    let override_file = folder.join("session_moved.txt");
    std::fs::write(&override_file, "Subject: New time\n\n{{ room_number }}\n").expect("template");
    assert_refused(
        &book,
        &[
            "session",
            "move",
            &id,
            "2026-11-26",
            "09:00",
            "--by",
            "client",
            "--notify",
        ],
        "room_number",
    );
    std::fs::remove_file(&override_file).expect("remove");

    let out = book.ok(&[
        "session",
        "move",
        &id,
        "2026-11-26",
        "09:00",
        "--by",
        "client",
        "--notify",
    ]);
    assert!(out.contains("sent with"), "{out}");
    let moved = sql_row(
        &book,
        &format!("SELECT status, start_at, ical_sequence FROM sessions WHERE id = {id}"),
    );
    assert_eq!(moved[0], "booked");
    assert_eq!(moved[1], "2026-11-26T08:00:00Z");
    let raw = std::fs::read(&sent).expect("sent");
    let mail = mailparse::parse_mail(&raw).expect("valid RFC 5322");
    let text = mail
        .subparts
        .iter()
        .find(|p| p.ctype.mimetype == "text/plain")
        .expect("text");
    assert!(
        text.get_body()
            .expect("body")
            .contains("Thursday 26 November, 09:00")
    );
    let calendar = mail
        .subparts
        .iter()
        .find(|p| p.ctype.mimetype == "text/calendar")
        .expect("calendar");
    let ics = calendar.get_body().expect("ics").replace("\r\n ", "");
    assert!(ics.contains("METHOD:REQUEST"), "{ics}");
    assert!(ics.contains(&format!("UID:{}", cancelled[0])), "{ics}");
    assert!(ics.contains("DTSTART:20261126T080000Z"), "{ics}");
    let sequence: i64 = moved[2].parse().expect("sequence");
    assert!(sequence > cancelled[1].parse::<i64>().expect("sequence"));
    assert!(ics.contains(&format!("SEQUENCE:{sequence}")), "{ics}");
}
