//! The book's series in calendars: on the coach's wall clock across a
//! daylight-saving change, exported as RRULE + EXDATE + overrides, and read
//! by Python's `icalendar` strictly (every property parsed, no errors) and
//! expanded by recurring-ical-events where COACHBOOK_PYTHON has them.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::Book;

fn book() -> Book {
    let book = Book::new();
    book.ok(&[
        "client",
        "add",
        "Ann Example",
        "--email",
        "ann@work.example",
    ]);
    book
}

fn starts(book: &Book, from: &str, to: &str) -> Vec<String> {
    book.json(&["session", "list", "--from", from, "--to", to, "--json"])
        .as_array()
        .expect("list")
        .iter()
        .map(|s| s["start"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_weekly_session_stays_at_its_local_time_across_the_end_of_march() {
    let book = book();
    book.ok(&[
        "session",
        "add",
        "Ann",
        "2027-03-16 10:00",
        "--repeat",
        "weekly",
        "--count",
        "4",
    ]);
    assert_eq!(
        starts(&book, "2027-03-01", "2027-04-30"),
        [
            "2027-03-16T10:00:00+01:00",
            "2027-03-23T10:00:00+01:00",
            "2027-03-30T10:00:00+02:00",
            "2027-04-06T10:00:00+02:00",
        ]
    );
}

#[test]
fn monthly_repeats_on_the_weekday_of_the_month() {
    let book = book();
    // The 2nd Tuesday of December 2026.
    book.ok(&[
        "session",
        "add",
        "Ann",
        "2026-12-08 09:00",
        "--repeat",
        "monthly",
        "--count",
        "3",
    ]);
    assert_eq!(
        starts(&book, "2026-12-01", "2027-03-31"),
        [
            "2026-12-08T09:00:00+01:00",
            "2027-01-12T09:00:00+01:00",
            "2027-02-09T09:00:00+01:00",
        ]
    );
    let ics = book.ok(&["export", "ics"]).replace("\r\n ", "");
    assert!(
        ics.contains("RRULE:FREQ=MONTHLY;BYDAY=2TU;COUNT=3\r\n"),
        "{ics}"
    );
}

#[test]
fn a_series_exports_as_one_event_with_exceptions_and_reimports_as_itself() {
    let book = book();
    book.ok(&[
        "session",
        "add",
        "Ann",
        "2027-03-16 10:00",
        "--repeat",
        "weekly",
        "--count",
        "4",
    ]);
    book.ok(&["session", "move", "2", "2027-03-24 15:00"]);
    book.ok(&["session", "mark", "3", "cancelled"]);
    let ics = book.ok(&["export", "ics"]).replace("\r\n ", "");
    assert_eq!(
        ics.matches("BEGIN:VEVENT").count(),
        2,
        "master + override: {ics}"
    );
    assert!(
        ics.contains("DTSTART;TZID=Europe/Berlin:20270316T100000\r\n"),
        "{ics}"
    );
    assert!(
        ics.contains("RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=4\r\n"),
        "{ics}"
    );
    assert!(
        ics.contains("EXDATE;TZID=Europe/Berlin:20270330T100000\r\n"),
        "{ics}"
    );
    assert!(
        ics.contains("RECURRENCE-ID;TZID=Europe/Berlin:20270323T100000\r\n"),
        "{ics}"
    );
    assert!(
        ics.contains("DTSTART;TZID=Europe/Berlin:20270324T150000\r\n"),
        "{ics}"
    );
    assert!(
        ics.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"),
        "{ics}"
    );

    let file = book.dir.path().join("export.ics");
    std::fs::write(&file, &ics).expect("write");
    let again = book.json(&["import", "ics", &file.display().to_string(), "--json"]);
    assert_eq!(
        again["imported"], 0,
        "the book's own series read back: {again}"
    );

    let Some(python) = oracle_python() else {
        return;
    };
    let out = Command::new(&python)
        .arg("-c")
        .arg(STRICT_READ)
        .arg(&file)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "icalendar refused the export: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        printed.lines().collect::<Vec<_>>(),
        [
            "2027-03-16 10:00 Europe/Berlin",
            "2027-03-24 15:00 Europe/Berlin",
            "2027-04-06 10:00 Europe/Berlin",
        ],
        "recurring-ical-events reads the series as the book has it"
    );
}

/// Parse with icalendar, insist on no parse errors anywhere, and expand.
const STRICT_READ: &str = r#"
import datetime, sys, zoneinfo
import icalendar, recurring_ical_events
data = open(sys.argv[1], "rb").read()
cal = icalendar.Calendar.from_ical(data)
for component in cal.walk():
    if component.errors:
        sys.exit(f"{component.name}: {component.errors}")
    for name in component:
        component.decoded(name)  # raises on a value it cannot read
tz = zoneinfo.ZoneInfo("Europe/Berlin")
events = recurring_ical_events.of(cal).between(datetime.datetime(2027, 1, 1, tzinfo=tz), datetime.datetime(2028, 1, 1, tzinfo=tz))
for e in sorted(events, key=lambda e: e["DTSTART"].dt):
    start = e["DTSTART"].dt
    print(start.strftime("%Y-%m-%d %H:%M"), start.tzinfo)
"#;

fn oracle_python() -> Option<PathBuf> {
    let Some(python) = std::env::var_os("COACHBOOK_PYTHON").map(PathBuf::from) else {
        eprintln!(
            "skipped: icalendar not installed (COACHBOOK_PYTHON is not set; bash .ci/run sets it)"
        );
        return None;
    };
    let ok = Command::new(&python)
        .args(["-c", "import recurring_ical_events, icalendar"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("skipped: icalendar not installed for {}", python.display());
        return None;
    }
    Some(python)
}
