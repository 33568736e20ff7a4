//! `coachbook import mail` end to end: the real binary on a temporary book,
//! with the fixtures in tests/fixtures/import/ (a Maildir inbox, an mbox
//! whose reply comes before its request, an .eml with no Date).

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use rusqlite::types::Value as SqlValue;
use serde_json::Value;

const NOW: &str = "2026-11-23T15:00:00+01:00";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

/// A temporary book with the coach's config and two clients.
struct Book {
    dir: tempfile::TempDir,
}

impl Book {
    fn new() -> Book {
        let book = Book::empty();
        book.ok(&[
            "client",
            "add",
            "Ann Example",
            "--email",
            "ann@work.example",
            "--email",
            "ann.home@example.org",
        ]);
        book.ok(&["client", "add", "Bo Berg", "--email", "bo@example.net"]);
        book
    }

    /// No book file yet, only the config.
    fn empty() -> Book {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::copy(fixture("config.toml"), dir.path().join("config.toml")).expect("config");
        Book { dir }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("book.sqlite")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_coachbook"));
        command
            .arg("--db")
            .arg(self.db())
            .args(args)
            .env("COACHBOOK_NOW", NOW)
            .env("COACHBOOK_CONFIG", self.dir.path().join("config.toml"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env_remove("COACHBOOK_DB");
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run coachbook")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "coachbook {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    fn json(&self, args: &[&str]) -> Value {
        let text = self.ok(args);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    }

    fn import(&self, path: &Path) -> Value {
        let path = path.to_str().expect("UTF-8 path");
        self.json(&["import", "mail", path, "--json"])
    }

    fn requests(&self) -> Vec<Value> {
        match self.json(&["request", "list", "--json"]) {
            Value::Array(list) => list,
            other => panic!("request list is no array: {other}"),
        }
    }

    /// Every row of every table, in rowid order: "the book unchanged" means
    /// this is equal before and after.
    fn dump(&self) -> Vec<String> {
        let conn = rusqlite::Connection::open(self.db()).expect("open the book");
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .expect("table names");
        let mut rows = Vec::new();
        for table in tables {
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))
                .expect("select");
            let columns = stmt.column_count();
            let table_rows: Vec<String> = stmt
                .query_map([], |r| {
                    let values: Vec<SqlValue> = (0..columns)
                        .map(|i| r.get(i))
                        .collect::<rusqlite::Result<_>>()?;
                    Ok(format!("{table}: {values:?}"))
                })
                .and_then(|rows| rows.collect())
                .expect("rows");
            rows.extend(table_rows);
        }
        rows
    }
}

fn by_summary<'a>(requests: &'a [Value], summary: &str) -> &'a Value {
    requests
        .iter()
        .find(|r| r["summary"] == summary)
        .unwrap_or_else(|| panic!("no request '{summary}' in {requests:?}"))
}

#[test]
fn an_inbox_becomes_requests_and_threaded_replies() {
    let book = Book::new();
    let summary = book.import(&fixture("inbox"));
    assert_eq!(summary["messages"], 9, "{summary}");
    assert_eq!(summary["imported"], 6, "{summary}");
    assert_eq!(summary["requests"], 3, "{summary}");
    assert_eq!(summary["replies"], 3, "{summary}");
    assert_eq!(summary["unknown_senders"], 1, "{summary}");
    assert_eq!(summary["auto_replies"], 1, "{summary}");
    assert_eq!(summary["duplicates"], 0, "{summary}");
    assert_eq!(summary["unthreaded_replies"], 1, "{summary}");
    assert_eq!(summary["coach_to_others"], 1, "{summary}");
    assert_eq!(
        summary["batches"], 1,
        "one import of a small inbox is one change"
    );

    let requests = book.requests();
    assert_eq!(requests.len(), 3);

    // Ann wrote from her second address; the coach's reply lies *before*
    // her request in the folder and is threaded by In-Reply-To.
    let ann = by_summary(&requests, "Before Friday’s pitch");
    assert_eq!(ann["client"], "Ann Example");
    assert_eq!(ann["channel"], "email");
    assert_eq!(ann["urgency"], "normal");
    assert_eq!(ann["received_at"], "2026-11-23T09:00:00+01:00");
    assert_eq!(ann["first_reply_at"], "2026-11-23T09:40:00+01:00");
    assert_eq!(ann["first_reply_minutes"], 40);
    // It arrived answered (the coach's own mail of the same import): history,
    // with its real wait.
    assert_eq!(ann["status"], "history");

    // Bo marked his mail important; the reply names it only in References.
    let bo = by_summary(&requests, "Rescheduling");
    assert_eq!(bo["client"], "Bo Berg");
    assert_eq!(bo["urgency"], "urgent");
    assert_eq!(bo["first_reply_minutes"], 90);

    // A stranger is never dropped: a request marked with the address.
    let casey = by_summary(&requests, "Do you take new clients?");
    assert_eq!(casey["unknown_sender"], "casey@elsewhere.example");
    assert_eq!(casey["status"], "open");
    assert_eq!(casey["first_reply_minutes"], Value::Null);
}

#[test]
fn an_unparseable_item_is_skipped_with_its_reason_and_the_import_goes_on() {
    let book = Book::new();
    let summary = book.import(&fixture("inbox"));
    let skipped = summary["skipped"].as_array().expect("skipped list");
    assert_eq!(skipped.len(), 1, "{summary}");
    assert_eq!(skipped[0]["item"], "1700000600.M6P1.host");
    let reason = skipped[0]["reason"].as_str().expect("reason");
    assert!(reason.contains("header"), "{reason}");
    assert!(
        !reason.contains("only a note"),
        "a reason never quotes the message"
    );

    let mbox = book.import(&fixture("thread.mbox"));
    let skipped = mbox["skipped"].as_array().expect("skipped list");
    assert_eq!(skipped.len(), 1, "{mbox}");
    assert_eq!(skipped[0]["item"], "mbox message 2");
    assert_eq!(mbox["requests"], 1, "{mbox}");
    assert_eq!(mbox["replies"], 1, "{mbox}");
}

#[test]
fn a_reply_before_its_request_in_an_mbox_is_still_threaded() {
    let book = Book::new();
    book.import(&fixture("thread.mbox"));
    let requests = book.requests();
    let request = by_summary(&requests, "Can we move?");
    assert_eq!(request["client"], "Ann Example");
    assert_eq!(request["first_reply_minutes"], 90);
}

#[test]
fn re_import_adds_nothing() {
    let book = Book::new();
    book.import(&fixture("inbox"));
    book.import(&fixture("thread.mbox"));
    let before = book.dump();

    let again = book.import(&fixture("inbox"));
    assert_eq!(again["imported"], 0, "{again}");
    assert_eq!(again["duplicates"], 6, "{again}");
    assert_eq!(
        again["auto_replies"], 1,
        "auto-replies are counted each time"
    );
    let again = book.import(&fixture("thread.mbox"));
    assert_eq!(again["imported"], 0, "{again}");
    assert_eq!(again["duplicates"], 2, "{again}");

    assert_eq!(
        book.dump(),
        before,
        "the book, change log included, is as it was"
    );
}

#[test]
fn a_message_without_date_takes_the_file_time() {
    let book = Book::new();
    let eml = book.dir.path().join("no_date.eml");
    std::fs::copy(fixture("no_date.eml"), &eml).expect("copy");
    let mtime = std::time::UNIX_EPOCH + Duration::from_secs(1_795_420_800); // 2026-11-23T08:00:00Z
    std::fs::File::options()
        .write(true)
        .open(&eml)
        .and_then(|f| f.set_modified(mtime))
        .expect("set mtime");
    let summary = book.import(&eml);
    assert_eq!(summary["kind"], "message");
    assert_eq!(summary["requests"], 1);
    let requests = book.requests();
    assert_eq!(requests[0]["received_at"], "2026-11-23T09:00:00+01:00");
}

#[test]
fn the_json_summary_has_the_contract_fields() {
    let book = Book::new();
    let summary = book.import(&fixture("inbox"));
    for field in [
        "imported",
        "duplicates",
        "skipped",
        "requests",
        "replies",
        "unknown_senders",
        "auto_replies",
    ] {
        assert!(summary.get(field).is_some(), "missing {field}: {summary}");
    }
    assert!(summary["imported"].is_u64());
    assert!(summary["skipped"].is_array());
    let item = &summary["skipped"][0];
    assert!(item["item"].is_string() && item["reason"].is_string());
}

#[test]
fn the_text_summary_says_what_happened() {
    let book = Book::new();
    let inbox = fixture("inbox");
    let text = book.ok(&["import", "mail", inbox.to_str().expect("path")]);
    assert!(text.starts_with("imported 6 of 9 messages from "), "{text}");
    assert!(
        text.contains("3 requests (1 from an unknown sender)"),
        "{text}"
    );
    assert!(
        text.contains("3 replies (1 with no request in the thread)"),
        "{text}"
    );
    assert!(text.contains("1 auto-reply skipped"), "{text}");
    assert!(text.contains("1700000600.M6P1.host: "), "{text}");
    assert!(!text.contains("nervous"), "no message text in the summary");
}

#[test]
fn bad_inputs_are_one_line_exit_2_and_leave_the_book_unchanged() {
    let book = Book::new();
    book.import(&fixture("inbox"));
    let before = book.dump();

    let scratch = book.dir.path();
    let not_maildir = scratch.join("plain-folder");
    std::fs::create_dir(&not_maildir).expect("folder");
    let binary = scratch.join("picture.png");
    std::fs::write(&binary, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00").expect("binary");
    let empty_mbox = scratch.join("empty.mbox");
    std::fs::write(&empty_mbox, b"From nobody Mon Nov 23 08:00:00 2026\n\n").expect("mbox");
    let empty_file = scratch.join("empty.eml");
    std::fs::write(&empty_file, b"").expect("empty");
    let missing = scratch.join("no-such-path");

    for path in [&missing, &not_maildir, &binary, &empty_mbox, &empty_file] {
        let path = path.to_str().expect("path");
        for extra in [&[][..], &["--json"][..], &["--watch"][..]] {
            let mut args = vec!["import", "mail", path];
            args.extend_from_slice(extra);
            let out = book.run(&args);
            assert_eq!(out.status.code(), Some(2), "{args:?}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
            assert!(stderr.starts_with("coachbook: "), "{stderr}");
            assert!(out.stdout.is_empty(), "{args:?}");
        }
    }
    assert_eq!(book.dump(), before);
}

#[test]
fn bad_input_creates_no_book() {
    let book = Book::empty();
    let missing = book.dir.path().join("nothing-here");
    let out = book.run(&["import", "mail", missing.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!book.db().exists(), "no book file was created");
}

#[test]
fn a_big_mbox_is_recorded_in_batches_of_500() {
    let book = Book::new();
    let mbox = book.dir.path().join("big.mbox");
    let mut text = String::new();
    for n in 0..1201 {
        text.push_str(&format!(
            "From ann@work.example Mon Nov 23 08:00:00 2026\nFrom: ann@work.example\n\
             To: sam@coach.example\nSubject: note {n}\nDate: Mon, 23 Nov 2026 08:{:02}:00 +0000\n\
             Message-ID: <big-{n}@mail.example>\n\nnote number {n}\n\n",
            n % 60
        ));
    }
    std::fs::write(&mbox, text).expect("mbox");
    let summary = book.import(&mbox);
    assert_eq!(summary["requests"], 1201, "{summary}");
    assert_eq!(summary["batches"], 3, "{summary}");
    let text = book.ok(&["import", "mail", mbox.to_str().expect("path")]);
    assert!(
        text.contains("1201 duplicates already in the book"),
        "{text}"
    );
}

/// Lines the child prints, read on a thread so waiting can be bounded.
fn lines_of(child: &mut std::process::Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().expect("piped stdout");
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    receive
}

fn wait_for_line(lines: &mpsc::Receiver<String>, wanted: &str) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(line) if line.contains(wanted) => return line,
            Ok(line) => seen.push(line),
            Err(_) => break,
        }
    }
    panic!("no line with '{wanted}' within 30 s; saw {seen:?}");
}

/// Kills the child however the test ends.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn watch_imports_mail_dropped_into_new() {
    let book = Book::new();
    let maildir = book.dir.path().join("Mail");
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).expect("maildir");
    }
    std::fs::copy(
        fixture("inbox/cur/1700000200.M2P1.host:2,S"),
        maildir.join("cur/1700000200.M2P1.host:2,S"),
    )
    .expect("copy");
    let mut child = Killed(
        book.command(&["import", "mail", "--watch", maildir.to_str().expect("path")])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the watcher"),
    );
    let lines = lines_of(&mut child.0);
    // What was there already is imported first, with the usual summary.
    wait_for_line(&lines, "imported 1 of 1 message");

    // A syncer writes into tmp/, then moves the file into new/.
    let name = "1700000999.M9P9.host";
    std::fs::copy(
        fixture("inbox/cur/1700000100.M1P1.host:2,S"),
        maildir.join("tmp").join(name),
    )
    .expect("copy");
    std::fs::rename(
        maildir.join("tmp").join(name),
        maildir.join("new").join(name),
    )
    .expect("move");
    let line = wait_for_line(&lines, "request #");
    assert!(line.contains("from Ann Example"), "{line}");
    assert!(!line.contains("nervous"), "never the body: {line}");

    // A mail client marking it read (new/ to cur/) is not a new message.
    std::fs::rename(
        maildir.join("new").join(name),
        maildir.join("cur").join(format!("{name}:2,S")),
    )
    .expect("move");
    // The coach's answer arrives and is threaded to the request.
    std::fs::copy(
        fixture("inbox/cur/1700000000.M0P1.host:2,S"),
        maildir.join("new/1700001000.M10P9.host"),
    )
    .expect("copy");
    let line = wait_for_line(&lines, "reply #");
    assert!(
        line.contains("to Ann Example, answering request #"),
        "{line}"
    );
    drop(child);

    let requests = book.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!(
        by_summary(&requests, "Before Friday’s pitch")["first_reply_minutes"],
        40
    );
}

fn real_fixtures(test: &str) -> Option<PathBuf> {
    match std::env::var_os("COACHBOOK_REAL_FIXTURES") {
        Some(folder) => Some(PathBuf::from(folder)),
        None => {
            println!("{test}: skipped (COACHBOOK_REAL_FIXTURES is not set)");
            None
        }
    }
}

#[test]
fn real_eml_files_import_and_a_second_import_adds_nothing() {
    let Some(real) = real_fixtures("real_eml_files_import_and_a_second_import_adds_nothing") else {
        return;
    };
    let book = Book::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(real.join("eml"))
        .expect("eml folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    // 07 is an Exchange auto-reply; 05 and 06 are two variants of one mail
    // with the same Message-ID, so the second is a duplicate; 04 has no
    // From: and still becomes a request. The rest are requests.
    let mut totals = [0u64; 3];
    for file in &files {
        let summary = book.import(file);
        assert_eq!(summary["messages"], 1, "{}: {summary}", file.display());
        assert_eq!(
            summary["skipped"].as_array().map(Vec::len),
            Some(0),
            "{}: {summary}",
            file.display()
        );
        let counts = ["requests", "auto_replies", "duplicates"]
            .map(|field| summary[field].as_u64().unwrap_or(0));
        assert_eq!(
            counts.iter().sum::<u64>(),
            1,
            "{}: {summary}",
            file.display()
        );
        for (total, count) in totals.iter_mut().zip(counts) {
            *total += count;
        }
    }
    assert_eq!(totals, [8, 1, 1]);
    assert_eq!(book.requests().len(), 8);
    let before = book.dump();
    for file in &files {
        let summary = book.import(file);
        assert_eq!(summary["imported"], 0, "{}: {summary}", file.display());
    }
    assert_eq!(book.dump(), before);
}

#[test]
fn real_gmail_mbox_imports_and_a_second_import_adds_nothing() {
    let Some(real) = real_fixtures("real_gmail_mbox_imports_and_a_second_import_adds_nothing")
    else {
        return;
    };
    let book = Book::new();
    book.ok(&["client", "add", "Sender", "--email", "sender@example.com"]);
    let mbox = real.join("mbox/gmail_takeout_style_4msgs.mbox");
    let summary = book.import(&mbox);
    assert_eq!(summary["kind"], "mbox");
    assert_eq!(summary["messages"], 4, "{summary}");
    assert_eq!(summary["requests"], 4, "{summary}");
    assert_eq!(summary["unknown_senders"], 0, "{summary}");
    let requests = book.requests();
    let mut subjects: Vec<String> = requests
        .iter()
        .map(|r| {
            assert_eq!(r["client"], "Sender");
            r["summary"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    subjects.sort();
    assert_eq!(
        subjects,
        ["Message 1", "Message 2", "Message 3", "Message 4"]
    );
    assert_eq!(
        by_summary(&requests, "Message 1")["received_at"],
        "2025-09-26T19:18:40+02:00"
    );

    let before = book.dump();
    let again = book.import(&mbox);
    assert_eq!(again["imported"], 0, "{again}");
    assert_eq!(again["duplicates"], 4, "{again}");
    assert_eq!(book.dump(), before);

    let unmunged = real.join("mbox/unmunged_from_lines_bom.mbox");
    let first = book.import(&unmunged);
    let second = book.import(&unmunged);
    assert_eq!(second["imported"], 0, "{first} then {second}");
}

#[test]
fn old_mail_does_not_wake_a_snooze_but_new_mail_does() {
    let book = Book::new();
    let added = book.ok(&["request", "add", "Bo Berg", "Call me when you can"]);
    let id = added
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| !w.is_empty())
        .expect("the new request's id")
        .to_string();
    let id_number: u64 = id.parse().expect("a number");
    book.ok(&["request", "snooze", &id, "tomorrow", "09:00"]);
    let status = |book: &Book| {
        book.requests()
            .iter()
            .find(|r| r["id"] == id_number)
            .map(|r| r["status"].clone())
            .expect("the request")
    };
    assert_eq!(status(&book), "snoozed");

    let mail = |name: &str, date: &str| {
        let path = book.dir.path().join(name);
        std::fs::write(
            &path,
            format!(
                "From: bo@example.net\nTo: sam@coach.example\nSubject: {name}\n\
                 Date: {date}\nMessage-ID: <{name}@mail.example>\n\nHello\n"
            ),
        )
        .expect("write");
        path
    };
    book.import(&mail("last-week.eml", "Mon, 16 Nov 2026 10:00:00 +0100"));
    assert_eq!(
        status(&book),
        "snoozed",
        "an old mail leaves the snooze alone"
    );
    book.import(&mail("just-now.eml", "Mon, 23 Nov 2026 15:30:00 +0100"));
    assert_eq!(status(&book), "open", "Bo writing again wakes it");
}

/// An mbox of a year of Ann's mail up to NOW (2026-11-23 15:00 Berlin):
/// one message every 5 days at 08:00 UTC, `days` ago; every third one
/// answered by the coach two hours later. Returns the mbox and the days
/// whose message was answered.
fn a_year_of_mail(book: &Book) -> (PathBuf, Vec<i64>) {
    let now = chrono::DateTime::parse_from_rfc3339(NOW).expect("now");
    let mut text = String::new();
    let mut answered = Vec::new();
    for days in (0..365).step_by(5) {
        let at = (now - chrono::Duration::days(days))
            .date_naive()
            .and_hms_opt(8, 0, 0)
            .expect("08:00")
            .and_utc();
        let date = at.to_rfc2822();
        text.push_str(&format!(
            "From ann@work.example Mon Nov 23 08:00:00 2026\nFrom: ann@work.example\n\
             To: sam@coach.example\nSubject: note {days}\nDate: {date}\n\
             Message-ID: <year-{days}@mail.example>\n\nnote from {days} days ago\n\n"
        ));
        if days % 3 == 0 {
            answered.push(days);
            let date = (at + chrono::Duration::hours(2)).to_rfc2822();
            text.push_str(&format!(
                "From sam@coach.example Mon Nov 23 10:00:00 2026\nFrom: sam@coach.example\n\
                 To: ann@work.example\nSubject: Re: note {days}\nDate: {date}\n\
                 Message-ID: <answer-{days}@coach.example>\nIn-Reply-To: <year-{days}@mail.example>\n\n\
                 Thank you, Ann.\n\n"
            ));
        }
    }
    let mbox = book.dir.path().join("year.mbox");
    std::fs::write(&mbox, text).expect("mbox");
    (mbox, answered)
}

#[test]
fn a_year_of_mail_puts_only_the_last_14_days_unanswered_on_the_dashboard() {
    let book = Book::new();
    let (mbox, answered) = a_year_of_mail(&book);
    let summary = book.import(&mbox);
    let all: Vec<i64> = (0..365).step_by(5).collect();
    // Waiting: received in the last 14 days and not answered by the coach's
    // own mail (days 5 and 10; 0 was answered). Everything else is history.
    let waiting: Vec<i64> = all
        .iter()
        .copied()
        .filter(|d| *d < 14 && !answered.contains(d))
        .collect();
    assert_eq!(waiting, vec![5, 10]);
    assert_eq!(summary["requests"], all.len(), "{summary}");
    assert_eq!(summary["history"], all.len() - waiting.len(), "{summary}");

    let today = book.json(&["today", "--json"]);
    let on_dashboard: Vec<String> = today["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|r| r["summary"].as_str().unwrap_or("").to_string())
        .collect();
    let mut expected: Vec<String> = waiting.iter().map(|d| format!("note {d}")).collect();
    expected.sort();
    let mut got = on_dashboard.clone();
    got.sort();
    assert_eq!(got, expected, "{today}");
    for pane in ["snoozed", "waiting"] {
        assert_eq!(today[pane].as_array().map(Vec::len), Some(0), "{today}");
    }

    // The history is all there, listed with its summary and its real waits.
    let history = book.json(&["request", "list", "--status", "history", "--json"]);
    let history = history.as_array().expect("list");
    assert_eq!(history.len(), all.len() - waiting.len());
    let old_answered = by_summary(history, "note 300");
    assert_eq!(old_answered["status"], "history");
    assert_eq!(old_answered["first_reply_minutes"], 120);
    let old_unanswered = by_summary(history, "note 200");
    assert_eq!(old_unanswered["first_reply_at"], Value::Null);
    let open = book.json(&["request", "list", "--status", "open", "--json"]);
    assert_eq!(open.as_array().map(Vec::len), Some(2), "{open}");
    // And in the client's story.
    let story = book.ok(&["client", "show", "Ann"]);
    assert!(story.contains("history"), "{story}");

    // Importing it again changes nothing at all.
    let before = book.dump();
    let again = book.import(&mbox);
    assert_eq!(again["imported"], 0, "{again}");
    assert_eq!(again["history"], 0, "{again}");
    assert_eq!(book.dump(), before);
}

#[test]
fn the_review_of_an_old_day_counts_its_history_honestly() {
    let book = Book::new();
    let (mbox, _) = a_year_of_mail(&book);
    book.import(&mbox);
    let now = chrono::DateTime::parse_from_rfc3339(NOW).expect("now");
    let day = |days: i64| {
        (now - chrono::Duration::days(days))
            .date_naive()
            .to_string()
    };

    // Answered by the coach's own mail: counted with its real wait.
    let review = book.json(&["review", "--date", &day(300), "--format", "json"]);
    assert_eq!(review["requests_received"], 1, "{review}");
    assert_eq!(review["first_reply"]["count"], 1, "{review}");
    assert_eq!(review["first_reply"]["median_minutes"], 120, "{review}");

    // Never answered: a breach that waited (and waits) from then to now,
    // said to be never answered; not hidden, not made kinder.
    let review = book.json(&["review", "--date", &day(200), "--format", "json"]);
    assert_eq!(review["requests_received"], 1, "{review}");
    assert_eq!(review["first_reply"]["count"], 0, "{review}");
    let breaches = review["breaches"].as_array().expect("breaches");
    assert_eq!(breaches.len(), 1, "{review}");
    assert_eq!(breaches[0]["resolution"], "never answered", "{review}");
    let received = chrono::DateTime::parse_from_rfc3339(
        breaches[0]["received_at"].as_str().expect("received"),
    )
    .expect("instant");
    assert_eq!(
        breaches[0]["waited_minutes"],
        (now - received).num_minutes(),
        "{review}"
    );
    assert_eq!(review["within_target"]["normal"]["met"], 0, "{review}");
    assert_eq!(review["within_target"]["normal"]["total"], 1, "{review}");
    let text = book.ok(&["review", "--date", &day(200)]);
    assert!(text.contains("1 never answered (history)"), "{text}");
}

#[test]
fn since_moves_the_line_and_is_bounded_like_every_day() {
    let book = Book::new();
    let (mbox, _) = a_year_of_mail(&book);
    let path = mbox.to_str().expect("path");
    let before = book.dump();
    for bad in ["someday", "10000-01-01", "tomorrow", ""] {
        let out = book.run(&["import", "mail", path, "--since", bad]);
        assert_eq!(out.status.code(), Some(2), "--since {bad:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains("--since"), "{err}");
    }
    assert_eq!(
        book.dump(),
        before,
        "a refused --since leaves the book alone"
    );

    // A month back: the unanswered mail of the last 30 days waits.
    let summary = book.json(&["import", "mail", path, "--since", "2026-10-24", "--json"]);
    let waiting = book.json(&["request", "list", "--open", "--json"]);
    let waiting = waiting.as_array().expect("list");
    // Days 5, 10, 20, 25 (0, 15 and 30 were answered; 30 is before the line).
    assert_eq!(waiting.len(), 4, "{waiting:?}");
    assert_eq!(
        summary["history"],
        summary["requests"].as_u64().unwrap_or(0) - 4
    );
}

#[test]
fn watched_mail_is_history_only_when_older_than_since() {
    let book = Book::new();
    let maildir = book.dir.path().join("Mail");
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).expect("maildir");
    }
    let mut child = Killed(
        book.command(&[
            "import",
            "mail",
            "--watch",
            maildir.to_str().expect("path"),
            "--json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the watcher"),
    );
    let lines = lines_of(&mut child.0);
    wait_for_line(&lines, "\"messages\":0");
    let drop_mail = |name: &str, date: &str| {
        let raw = format!(
            "From: ann@work.example\nTo: sam@coach.example\nSubject: {name}\n\
             Date: {date}\nMessage-ID: <{name}@mail.example>\n\nHello\n"
        );
        std::fs::write(maildir.join("tmp").join(name), raw).expect("write");
        std::fs::rename(
            maildir.join("tmp").join(name),
            maildir.join("new").join(name),
        )
        .expect("move");
    };
    drop_mail("fresh", "Mon, 23 Nov 2026 14:00:00 +0100");
    let line: Value = serde_json::from_str(&wait_for_line(&lines, "\"outcome\"")).expect("json");
    assert_eq!(line["history"], false, "{line}");
    drop_mail("old", "Mon, 2 Mar 2026 14:00:00 +0100");
    let line: Value = serde_json::from_str(&wait_for_line(&lines, "\"outcome\"")).expect("json");
    assert_eq!(line["history"], true, "{line}");
    drop(child);
    let today = book.json(&["today", "--json"]);
    let requests = today["requests"].as_array().expect("requests");
    assert_eq!(requests.len(), 1, "{today}");
    assert_eq!(requests[0]["summary"], "fresh");
}

#[test]
fn a_message_id_seen_twice_in_one_batch_is_recorded_once() {
    // The book is asked once per batch which Message-IDs it holds; the
    // batch's own mail must still be told apart: the same request twice, and
    // the coach's copy of a mail carrying a request's id, are duplicates.
    let book = Book::new();
    let mbox = book.dir.path().join("twice.mbox");
    let message = |from: &str, to: &str, id: &str, extra: &str, body: &str| {
        format!(
            "From {from} Mon Nov 23 08:00:00 2026\nFrom: {from}\nTo: {to}\nSubject: Friday\n\
             Date: Mon, 23 Nov 2026 08:00:00 +0000\nMessage-ID: <{id}>\n{extra}\n{body}\n\n"
        )
    };
    let text = [
        message(
            "ann@work.example",
            "sam@coach.example",
            "one@x",
            "References: <zero@x>\n",
            "Can we move Friday?",
        ),
        message(
            "ann@work.example",
            "sam@coach.example",
            "one@x",
            "",
            "Can we move Friday?",
        ),
        message(
            "sam@coach.example",
            "ann@work.example",
            "one@x",
            "",
            "a copy",
        ),
        message(
            "sam@coach.example",
            "ann@work.example",
            "two@x",
            "In-Reply-To: <one@x>\n",
            "Yes, Thursday.",
        ),
        message(
            "sam@coach.example",
            "ann@work.example",
            "two@x",
            "In-Reply-To: <one@x>\n",
            "Yes, Thursday.",
        ),
    ]
    .concat();
    std::fs::write(&mbox, text).expect("mbox");
    let summary = book.import(&mbox);
    assert_eq!(summary["requests"], 1, "{summary}");
    assert_eq!(summary["replies"], 1, "{summary}");
    assert_eq!(summary["duplicates"], 3, "{summary}");
    assert_eq!(summary["unthreaded_replies"], 0, "{summary}");
    let conn = rusqlite::Connection::open(book.db()).expect("open");
    let (references, status): (Option<String>, String) = conn
        .query_row(
            "SELECT mail_references, status FROM requests WHERE message_id = 'one@x'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the request");
    assert_eq!(references.as_deref(), Some("zero@x"), "its thread is kept");
    assert_eq!(
        status, "history",
        "answered by the coach's mail of the same import"
    );
    let before = book.dump();
    let again = book.import(&mbox);
    assert_eq!(again["duplicates"], 5, "{again}");
    assert_eq!(book.dump(), before, "a second import changes nothing");
}
