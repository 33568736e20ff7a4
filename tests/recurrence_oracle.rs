//! Occurrence counts of the real calendar exports (COACHBOOK_REAL_FIXTURES)
//! against an independent RFC 5545 expander, Python's `recurring-ical-events`.
//!
//! The expected numbers below were obtained with recurring-ical-events 3.8.2
//! on icalendar 7.3.2 (`pip install recurring-ical-events`), over
//! 1990-01-01 to 2036-01-01 in Europe/Berlin:
//!
//! ```text
//! cal = icalendar.Calendar.from_ical(open(path, "rb").read())
//! events = recurring_ical_events.of(cal, skip_bad_series=True).between(start, end)
//! collections.Counter(str(e["UID"]) for e in events)
//! ```
//!
//! Where coachbook reads an event differently, on purpose, the test says so
//! (see DIFFERENCES). With COACHBOOK_PYTHON naming a Python that has
//! recurring-ical-events (.ci/run sets it), the oracle also runs live.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use chrono::NaiveDate;
use coachbook::domain::when::start_of_day;
use coachbook::intake::ics::{expand_calendar, read_calendar};

const BERLIN: chrono_tz::Tz = chrono_tz::Europe::Berlin;

/// (file, the oracle's total) — per UID where a file has several series.
const ORACLE: &[(&str, usize)] = &[
    ("apple_ical2_exdate_duration.ics", 5),
    ("apple_icloud_allday_rrule.ics", 4864),
    ("google_recurring_with_override.ics", 3),
    ("google_us_holidays_allday.ics", 111),
    ("google_weekly_exdate_valarm.ics", 11940),
    ("outlook2007_weekly_tabfold.ics", 1418),
    ("outlook_exchange2010_windows_tz.ics", 137),
    ("outlook_exchange_allday_moved_instance.ics", 51),
];

/// (file, UID prefix, the oracle's count, coachbook's count, why).
const DIFFERENCES: &[(&str, &str, usize, usize, &str)] = &[
    (
        "google_weekly_exdate_valarm.ics",
        "11le1ep09hvog7dbotn6foj38e",
        3997,
        0,
        "`RRULE:RRULE:AnythingRandom;FREQ=WEEKLY;…` is skipped with a reason rather than guessed at; \
         the oracle drops the unknown part and expands the rest",
    ),
    (
        "outlook_exchange2010_windows_tz.ics",
        "8001F1896B63D3",
        0,
        235,
        "`DTSTART;TZID=\"W. Europe Standard Time:20200609T090000\"` (the quote swallows the value) is \
         recovered; icalendar cannot read the DTSTART and the oracle skips the series",
    ),
    (
        "outlook_exchange_allday_moved_instance.ics",
        "exchange-moved-recurrence",
        51,
        52,
        "an all-day series with `UNTIL=20260817T220000Z` (Exchange's local midnight of the last day, \
         in UTC): the 18 August instance starts at that instant in Europe/Berlin and is included; the \
         oracle compares the date with UNTIL in UTC and leaves it out",
    ),
];

fn real_fixtures() -> Option<PathBuf> {
    match std::env::var_os("COACHBOOK_REAL_FIXTURES") {
        Some(dir) => Some(PathBuf::from(dir).join("ics")),
        None => {
            eprintln!("skipped: COACHBOOK_REAL_FIXTURES is not set (the real calendar exports)");
            None
        }
    }
}

fn window() -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("day");
    (
        start_of_day(day(1990, 1, 1), BERLIN),
        start_of_day(day(2036, 1, 1), BERLIN),
    )
}

/// coachbook's occurrences of a file, per UID.
fn ours(text: &str) -> BTreeMap<String, usize> {
    let (from, to) = window();
    let expansion = expand_calendar(&read_calendar(text), from, to, BERLIN);
    let mut counts = BTreeMap::new();
    for occurrence in expansion.occurrences {
        *counts.entry(occurrence.uid).or_insert(0) += 1;
    }
    counts
}

fn uid_count(counts: &BTreeMap<String, usize>, prefix: &str) -> usize {
    counts
        .iter()
        .filter(|(uid, _)| uid.starts_with(prefix) || uid.contains(prefix))
        .map(|(_, n)| n)
        .sum()
}

#[test]
fn real_calendars_expand_like_an_independent_expander() {
    let Some(dir) = real_fixtures() else { return };
    for (file, oracle_total) in ORACLE {
        let text = std::fs::read_to_string(dir.join(file)).expect("fixture");
        let counts = ours(&text);
        let total: usize = counts.values().sum();
        let (oracle_diff, our_diff) = DIFFERENCES
            .iter()
            .filter(|d| d.0 == *file)
            .fold((0, 0), |(o, c), d| (o + d.2, c + d.3));
        for (_, prefix, _, expected, why) in DIFFERENCES.iter().filter(|d| d.0 == *file) {
            assert_eq!(
                uid_count(&counts, prefix),
                *expected,
                "{file} {prefix}: {why}"
            );
        }
        assert_eq!(
            total - our_diff,
            oracle_total - oracle_diff,
            "{file}: {counts:?}"
        );
    }
}

const ORACLE_SCRIPT: &str = r#"
import collections, datetime, json, sys, zoneinfo
import icalendar, recurring_ical_events
tz = zoneinfo.ZoneInfo("Europe/Berlin")
start = datetime.datetime(1990, 1, 1, tzinfo=tz)
end = datetime.datetime(2036, 1, 1, tzinfo=tz)
out = {}
for path in sys.argv[1:]:
    cal = icalendar.Calendar.from_ical(open(path, "rb").read())
    events = recurring_ical_events.of(cal, skip_bad_series=True).between(start, end)
    out[path.rsplit("/", 1)[-1]] = collections.Counter(str(e["UID"]) for e in events)
print(json.dumps(out))
"#;

/// A Python with recurring-ical-events and icalendar, or why not.
pub fn oracle_python() -> Option<PathBuf> {
    let Some(python) = std::env::var_os("COACHBOOK_PYTHON").map(PathBuf::from) else {
        eprintln!(
            "skipped: recurring-ical-events not installed (COACHBOOK_PYTHON is not set; bash .ci/run sets it)"
        );
        return None;
    };
    let ok = Command::new(&python)
        .args(["-c", "import recurring_ical_events, icalendar"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!(
            "skipped: recurring-ical-events not installed for {}",
            python.display()
        );
        return None;
    }
    Some(python)
}

#[test]
fn the_oracle_agrees_live_where_it_is_installed() {
    let Some(dir) = real_fixtures() else { return };
    let Some(python) = oracle_python() else {
        return;
    };
    let paths: Vec<String> = ORACLE
        .iter()
        .map(|(f, _)| dir.join(f).display().to_string())
        .collect();
    let out = Command::new(&python)
        .arg("-c")
        .arg(ORACLE_SCRIPT)
        .args(&paths)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let live: BTreeMap<String, BTreeMap<String, usize>> =
        serde_json::from_slice(&out.stdout).expect("oracle JSON");
    for (file, oracle_total) in ORACLE {
        let theirs = live.get(*file).expect("file counted");
        assert_eq!(
            theirs.values().sum::<usize>(),
            *oracle_total,
            "{file}: the numbers above are stale"
        );
        let text = std::fs::read_to_string(dir.join(file)).expect("fixture");
        let mine = ours(&text);
        for (uid, n) in theirs {
            let differs = DIFFERENCES
                .iter()
                .any(|d| d.0 == *file && uid.contains(d.1));
            if !differs {
                assert_eq!(mine.get(uid), Some(n), "{file} {uid}");
            }
        }
    }
}
