//! `coachbook import ics|contacts` and `export ics` end to end: the real
//! binary on a temporary book (Berlin, Monday 23 November 2026 14:20), with
//! the small fixtures in tests/fixtures/ics/ and tests/fixtures/vcf/, and,
//! when COACHBOOK_REAL_FIXTURES names the shared fixtures folder, the real
//! exports from Google, Outlook, Exchange and Apple.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::Book;
use serde_json::Value;

fn fixture(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
        .display()
        .to_string()
}

/// A book with Ann (by address) and Bo (found by name in a SUMMARY).
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

fn import(book: &Book, file: &str) -> Value {
    book.json(&["import", "ics", &fixture(file), "--json"])
}

fn count(value: &Value, field: &str) -> u64 {
    value[field]
        .as_u64()
        .unwrap_or_else(|| panic!("no count {field} in {value}"))
}

#[test]
fn a_week_becomes_sessions_and_busy_time_and_reimport_adds_nothing() {
    let book = book();
    let first = import(&book, "ics/coach_week.ics");
    // Ann weekly x3 minus one EXDATE = 2, Bo by name = 1, dentist, day off,
    // focus time (free); the broken rule is skipped, 2025 is outside.
    assert_eq!(count(&first, "events"), 7);
    assert_eq!(count(&first, "occurrences"), 6);
    assert_eq!(count(&first, "sessions"), 3);
    assert_eq!(count(&first, "busy"), 2);
    assert_eq!(count(&first, "free"), 1);
    assert_eq!(count(&first, "imported"), 5);
    assert_eq!(count(&first, "duplicates"), 0);
    let skipped = first["skipped"].as_array().expect("skipped list");
    assert_eq!(skipped.len(), 1);
    assert!(
        skipped[0]["item"]
            .as_str()
            .unwrap_or("")
            .contains("Broken rule")
    );
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap_or("")
            .contains("RRULE")
    );

    let sessions = book.json(&[
        "session",
        "list",
        "--from",
        "2026-11-23",
        "--to",
        "2026-12-31",
        "--json",
    ]);
    let rows: Vec<(String, String, i64)> = sessions
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| {
            (
                s["client"].as_str().unwrap_or("").to_string(),
                s["start"].as_str().unwrap_or("").to_string(),
                s["minutes"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "Ann Example".to_string(),
                "2026-11-24T10:00:00+01:00".to_string(),
                60
            ),
            (
                "Bo Berg".to_string(),
                "2026-11-25T11:00:00+01:00".to_string(),
                45
            ),
            (
                "Ann Example".to_string(),
                "2026-12-08T10:00:00+01:00".to_string(),
                60
            ),
        ]
    );

    let before = book.dump();
    let again = import(&book, "ics/coach_week.ics");
    assert_eq!(count(&again, "imported"), 0);
    assert_eq!(count(&again, "duplicates"), 6 - 1); // the free one is never recorded
    let after = book.dump();
    let without_log = |dump: &str| {
        dump.lines()
            .filter(|l| !l.contains("import ics"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        without_log(&before),
        without_log(&after),
        "a re-import changed rows"
    );
}

#[test]
fn quirks_override_first_folded_exdate_tab_fold_quote_and_custom_zone() {
    let book = book();
    let out = import(&book, "ics/quirks_lf.ics");
    assert_eq!(out["skipped"].as_array().map(Vec::len), Some(0), "{out}");
    // Standup 5 days - 2 EXDATEs (one moved) = 3; quote line 1; custom zone 1;
    // last Friday monthly x4 all inside the default window = 4.
    assert_eq!(count(&out, "occurrences"), 9, "{out}");
    assert_eq!(count(&out, "busy"), 9);
    let dump = book.dump();
    // The moved standup keeps the key of the instance it replaces.
    assert!(
        dump.contains("override-first@test/20261201T073000Z"),
        "{dump}"
    );
    assert!(
        dump.contains("\"2026-12-01T11:00:00Z\""),
        "moved to 12:00 Berlin: {dump}"
    );
    assert!(
        !dump.contains("override-first@test/20261202"),
        "EXDATE ignored"
    );
    // Quote swallowed the value: 15:00 Berlin. Custom zone at +01:00: 14:00 Berlin.
    assert!(dump.contains("\"2026-11-26T14:00:00Z\""), "{dump}");
    assert!(dump.contains("\"2026-11-25T13:00:00Z\""), "{dump}");
    assert!(dump.contains("Standup with a title that is folded with aTAB continuation"));
}

#[test]
fn broken_events_are_skipped_one_by_one() {
    let book = book();
    let out = import(&book, "ics/broken_events.ics");
    assert_eq!(count(&out, "imported"), 1);
    let reasons: Vec<String> = out["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| s["reason"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    assert!(reasons[0].contains("no DTSTART"));
    assert!(reasons[1].contains("unknown time zone"));
    assert!(reasons[2].contains("not supported"));
    assert!(reasons[3].contains("not closed"));
}

#[test]
fn bad_input_is_one_line_exit_2_and_leaves_the_book_unchanged() {
    let book = book();
    import(&book, "ics/coach_week.ics");
    let before = book.dump();
    let missing = fixture("ics/no_such_file.ics");
    for (path, says) in [
        (missing.as_str(), "no such file"),
        (&fixture("ics/not_a_calendar.ics"), "not an iCalendar file"),
        (&fixture("ics/empty.ics"), "is empty"),
        (&fixture("ics/no_events.ics"), "no events"),
        (&fixture("ics"), "folder"),
    ] {
        let run = book.run(&["import", "ics", path]);
        assert_eq!(run.code, 2, "{path}: {}", run.stderr);
        assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
        assert!(run.stderr.contains(says), "{path}: {}", run.stderr);
    }
    let run = book.run(&[
        "import",
        "ics",
        &fixture("ics/coach_week.ics"),
        "--from",
        "2026-12-01",
        "--to",
        "2026-11-01",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = book.run(&["import", "contacts", &fixture("ics/coach_week.ics")]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(book.dump(), before);
}

#[test]
fn the_window_is_set_with_from_and_to() {
    let book = book();
    let out = book.json(&[
        "import",
        "ics",
        &fixture("ics/coach_week.ics"),
        "--from",
        "2024-12-01",
        "--to",
        "2025-01-31",
        "--json",
    ]);
    assert_eq!(count(&out, "occurrences"), 1);
    assert_eq!(count(&out, "busy"), 1);
}

/// The first offered time ("yours: 2026-11-23 14:30") of a dry run.
fn offers(book: &Book, session: &str) -> Vec<String> {
    book.ok(&["emergency", session, "--dry-run"])
        .lines()
        .filter_map(|l| l.split("(yours: ").nth(1))
        .map(|rest| rest.trim_end_matches(')').to_string())
        .collect()
}

#[test]
fn free_slots_avoid_imported_busy_time() {
    let book = book();
    book.ok(&["session", "add", "Bo", "2026-11-23 16:00"]);
    let before = offers(&book, "1");
    // Monday 14:30 is free before the import: the dentist (15:00-17:00) is not known yet.
    assert!(
        before.contains(&"2026-11-23 14:30".to_string()),
        "{before:?}"
    );
    import(&book, "ics/coach_week.ics");
    let after = offers(&book, "1");
    assert!(
        !after.contains(&"2026-11-23 14:30".to_string()),
        "{after:?}"
    );
    for offer in &after {
        assert!(
            !offer.starts_with("2026-11-27"),
            "the day off was offered: {after:?}"
        );
    }
}

#[test]
fn contacts_add_clients_and_fill_in_missing_details() {
    let book = book();
    let out = book.json(&[
        "import",
        "contacts",
        &fixture("vcf/mixed_versions.vcf"),
        "--json",
    ]);
    assert_eq!(count(&out, "cards"), 4);
    assert_eq!(count(&out, "imported"), 2); // Jens Müller (2.1 QP Latin-1), Kim Lee (4.0)
    assert_eq!(count(&out, "updated"), 1); // Ann gains her home address and phone
    assert_eq!(out["skipped"][0]["reason"], "no name (FN or N)");
    let clients = book.json(&["client", "list", "--json"]);
    let names: Vec<&str> = clients
        .as_array()
        .expect("clients")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["Ann Example", "Bo Berg", "Jens Müller", "Kim Lee"]);
    let ann = book.ok(&["client", "show", "Ann"]);
    assert!(ann.contains("ann.home@example.org"), "{ann}");
    assert!(ann.contains("+49 170 000000"), "{ann}");
    let again = book.json(&[
        "import",
        "contacts",
        &fixture("vcf/mixed_versions.vcf"),
        "--json",
    ]);
    assert_eq!(count(&again, "imported"), 0);
    assert_eq!(count(&again, "updated"), 0);
    assert_eq!(count(&again, "duplicates"), 3);
}

#[test]
fn export_publishes_the_sessions_and_reimporting_it_adds_nothing() {
    let book = book();
    book.ok(&[
        "session",
        "add",
        "Ann",
        "2026-11-30 09:00",
        "--minutes",
        "50",
    ]);
    import(&book, "ics/coach_week.ics");
    let ics = book.ok(&["export", "ics"]);
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(ics.contains("METHOD:PUBLISH\r\n"));
    assert!(ics.contains("DTSTART:20261130T080000Z\r\n"));
    assert!(ics.contains("DTEND:20261130T085000Z\r\n"));
    assert!(ics.contains("SUMMARY:Coaching: Ann Example\r\n"));
    assert!(
        ics.contains("SEQUENCE:2\r\n"),
        "the imported session keeps its SEQUENCE"
    );
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 4);

    let out: PathBuf = book.dir.path().join("sessions.ics");
    let out_text = out.display().to_string();
    book.ok(&["export", "ics", "--out", &out_text]);
    let mode = std::fs::metadata(&out)
        .expect("written")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    let again = book.json(&["import", "ics", &out_text, "--json"]);
    assert_eq!(count(&again, "imported"), 0, "{again}");
    assert_eq!(count(&again, "duplicates"), 4);
}

/// The real exports, if COACHBOOK_REAL_FIXTURES names the shared folder.
fn real_fixtures() -> Option<PathBuf> {
    match std::env::var_os("COACHBOOK_REAL_FIXTURES") {
        Some(dir) => Some(PathBuf::from(dir)),
        None => {
            eprintln!(
                "COACHBOOK_REAL_FIXTURES is not set: skipping the real calendar and vCard files"
            );
            None
        }
    }
}

#[test]
fn every_real_calendar_imports_event_by_event() {
    let Some(dir) = real_fixtures() else { return };
    // Occurrences in a wide window, where SOURCES.md (or the file) says.
    let expected: &[(&str, u64)] = &[
        ("apple_ical2_exdate_duration.ics", 5),
        ("google_recurring_with_override.ics", 3),
        ("google_us_holidays_allday.ics", 111),
    ];
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("ics"))
        .expect("ics folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ics"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 8);
    for file in files {
        let book = Book::new();
        let path = file.display().to_string();
        let out = book.json(&[
            "import",
            "ics",
            &path,
            "--from",
            "1990-01-01",
            "--to",
            "2035-12-31",
            "--json",
        ]);
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
        assert!(count(&out, "occurrences") > 0, "{name}: {out}");
        if let Some((_, n)) = expected.iter().find(|(f, _)| *f == name) {
            assert_eq!(count(&out, "occurrences"), *n, "{name}: {out}");
        }
        match name {
            "google_weekly_exdate_valarm.ics" => {
                let skipped = out["skipped"].as_array().expect("skipped");
                assert_eq!(skipped.len(), 1, "{out}");
                assert!(
                    skipped[0]["reason"]
                        .as_str()
                        .unwrap_or("")
                        .contains("RRULE")
                );
            }
            "outlook_exchange2010_windows_tz.ics" => {
                // The malformed quoted TZID line is recovered: all 4 events count.
                assert_eq!(out["skipped"].as_array().map(Vec::len), Some(0), "{out}");
            }
            _ => {}
        }
        let again = book.json(&[
            "import",
            "ics",
            &path,
            "--from",
            "1990-01-01",
            "--to",
            "2035-12-31",
            "--json",
        ]);
        assert_eq!(count(&again, "imported"), 0, "{name}");
    }
}

#[test]
fn the_real_vcards_import() {
    let Some(dir) = real_fixtures() else { return };
    let book = Book::new();
    for (file, name, email) in [
        (
            "gmail_vcard30.vcf",
            "Mr. John Richter, James Doe Sr.",
            "john.doe@ibm.com",
        ),
        (
            "outlook2003_vcard21_qp.vcf",
            "John Doe III",
            "jdoe@hotmail.com",
        ),
        (
            "outlook_vcard21_photo_qp.vcf",
            "Mr. John Richter James Doe Sr.",
            "john.doe@ibm.cm",
        ),
    ] {
        let path = dir.join("vcf").join(file).display().to_string();
        let out = book.json(&["import", "contacts", &path, "--json"]);
        assert_eq!(count(&out, "imported"), 1, "{file}: {out}");
        let shown = book.ok(&["client", "show", name]);
        assert!(shown.contains(email), "{file}: {shown}");
    }
}
