//! Property tests over every reader of outside text: the WHEN, DAY and span
//! parsers, template rendering, the ics, mail, mbox and vCard readers, the
//! mail header decoder and the config loader. For any input: no panic, an
//! answer within a time bound, output bounded by the input (memory).
//!
//! CI runs a modest number of cases per parser (`PROPTEST_CASES`, default
//! 256 here). The long run, ≥100,000 cases per parser:
//!
//! ```sh
//! PROPTEST_CASES=100000 cargo test --release --test fuzz_parsers
//! ```

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use coachbook::compose::{TemplateValues, Templates};
use coachbook::domain::when::{parse_day, parse_span, parse_when};
use coachbook::intake::contacts::read_vcards;
use coachbook::intake::ics::{expand_calendar, read_calendar};
use coachbook::mail::words::decode_header;
use coachbook::mail::{parse_message, read_source};

/// The longest any one input may take, even in a debug build on a busy
/// machine: a guard against runaway loops, not a speed target.
const PER_INPUT: Duration = Duration::from_secs(5);

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256)
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 13, 20, 0).unwrap()
}

fn berlin() -> Tz {
    "Europe/Berlin".parse().unwrap()
}

/// Run `check` on `cases()` inputs from `strategy`; report the count and
/// the slowest input.
fn fuzz<S: Strategy>(name: &str, strategy: S, check: impl Fn(S::Value))
where
    S::Value: std::fmt::Debug,
{
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let slowest = std::cell::Cell::new(Duration::ZERO);
    let count = std::cell::Cell::new(0u64);
    runner
        .run(&strategy, |input| {
            let started = Instant::now();
            check(input);
            let took = started.elapsed();
            prop_assert!(took < PER_INPUT, "{name}: one input took {took:?}");
            slowest.set(slowest.get().max(took));
            count.set(count.get() + 1);
            Ok(())
        })
        .unwrap_or_else(|err| panic!("{name}: {err}"));
    println!(
        "{name}: {} cases, no panic, slowest {:?}",
        count.get(),
        slowest.get()
    );
}

/// Pieces real input is made of, so random text reaches deep branches.
fn text_from(pieces: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(pieces).prop_map(str::to_string),
            1 => any::<String>(),
            1 => "[0-9]{1,25}",
        ],
        0..max,
    )
    .prop_map(|parts| parts.concat())
}

const WHEN_PIECES: &[&str] = &[
    "+",
    "-",
    " ",
    "ago",
    "now",
    "today",
    "tomorrow",
    "yesterday",
    "mon",
    "friday",
    "h",
    "m",
    "min",
    "d",
    "days",
    "w",
    "weeks",
    ":",
    "am",
    "pm",
    "T",
    "Z",
    "2026-11-23",
    "0000-01-01",
    "99999-12-31",
    "14:00",
    "24:00",
    "9",
    "99999999999999999999",
    "+01:00",
    "2026-03-29 02:30",
];

#[test]
fn when_day_and_span_parsers() {
    fuzz("parse_when", text_from(WHEN_PIECES, 8), |text| {
        if let Ok(instant) = parse_when(&text, now(), berlin()) {
            let year = instant.at.format("%Y").to_string().parse::<i32>().unwrap();
            assert!(
                (1900..=2200).contains(&year),
                "{text:?} gave {:?}",
                instant.at
            );
        }
    });
    fuzz("parse_day", text_from(WHEN_PIECES, 4), |text| {
        if let Ok(day) = parse_day(&text, now(), berlin()) {
            let year = day.format("%Y").to_string().parse::<i32>().unwrap();
            assert!((1900..=2200).contains(&year), "{text:?} gave {day}");
        }
    });
    fuzz("parse_span", text_from(WHEN_PIECES, 8), |text| {
        let _ = parse_span(&text);
    });
}

const HEADER_PIECES: &[&str] = &[
    "=?",
    "?=",
    "?Q?",
    "?B?",
    "?q?",
    "utf-8",
    "iso-8859-1",
    "ISO-2022-JP",
    "utf-7",
    "x-unknown",
    "=C3=B6",
    "=F6",
    "_",
    " ",
    "\r\n ",
    "\t",
    "\u{f6}",
    "\u{1b}",
    "SGVsbG8=",
    "=",
    "\"",
    "<a@b.example>",
    ",",
    "*de",
];

#[test]
fn mail_header_decoder() {
    let raw = prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(HEADER_PIECES).prop_map(|p| p.as_bytes().to_vec()),
            1 => prop::collection::vec(any::<u8>(), 0..20),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat());
    fuzz("decode_header", raw, |bytes| {
        let decoded = decode_header(&bytes, Some("iso-8859-1"));
        // Each byte becomes at most one character of at most 4 bytes.
        assert!(decoded.len() <= 4 * bytes.len() + 4, "{bytes:?}");
    });
}

const MAIL_PIECES: &[&str] = &[
    "From: ",
    "To: ",
    "Subject: ",
    "Date: ",
    "Message-ID: ",
    "Content-Type: ",
    "Content-Transfer-Encoding: ",
    "MIME-Version: 1.0\n",
    "multipart/alternative; boundary=b\n",
    "text/plain; charset=iso-8859-1\n",
    "text/html\n",
    "base64\n",
    "quoted-printable\n",
    "\n",
    "\r\n",
    "--b\n",
    "--b--\n",
    "<x@y>",
    "Ann <ann@example.com>",
    "=?utf-8?q?=C3=B6?=",
    "Mon, 23 Nov 2026 10:00:00 +0100",
    "Mon, 1 Jan 0001 00:00:00 +9999",
    "<p>hi</p>",
    "=E4=\n",
    "SGVsbG8=\n",
    "Auto-Submitted: auto-replied\n",
    "From ",
    "\u{0}",
    ":",
    " ",
];

#[test]
fn mail_and_mbox_readers() {
    let message = text_from(MAIL_PIECES, 30);
    fuzz("parse_message", message, |text| {
        if let Ok(message) = parse_message(text.as_bytes()) {
            assert!(message.body_text.len() <= 4 * text.len() + 64);
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fuzz.mbox");
    let mbox = text_from(MAIL_PIECES, 40)
        .prop_map(|text| format!("From a@b Mon Nov 23 10:00:00 2026\n{text}"));
    fuzz("mbox reader", mbox, |text| {
        std::fs::write(&path, &text).unwrap();
        if let Ok(source) = read_source(&path) {
            let mut bytes = 0;
            for item in source.flatten() {
                bytes += item.raw.len();
                let _ = parse_message(&item.raw);
            }
            assert!(bytes <= text.len());
        }
    });
}

const ICS_PIECES: &[&str] = &[
    "BEGIN:VCALENDAR\r\n",
    "END:VCALENDAR\r\n",
    "BEGIN:VEVENT\r\n",
    "END:VEVENT\r\n",
    "BEGIN:VTIMEZONE\r\n",
    "END:VTIMEZONE\r\n",
    "BEGIN:STANDARD\r\n",
    "END:STANDARD\r\n",
    "TZID:X\r\n",
    "TZOFFSETFROM:+0100\r\n",
    "TZOFFSETTO:+0200\r\n",
    "UID:u\r\n",
    "DTSTART:20261124T100000Z\r\n",
    "DTSTART;VALUE=DATE:20261124\r\n",
    "DTSTART;TZID=X:20261124T100000\r\n",
    "DTSTART:99991231T000000Z\r\n",
    "DTEND:20261124T110000Z\r\n",
    "DURATION:PT1H\r\n",
    "DURATION:P99999999W\r\n",
    "RRULE:FREQ=DAILY\r\n",
    "RRULE:FREQ=SECONDLY\r\n",
    "RRULE:FREQ=WEEKLY;BYDAY=MO,TU;INTERVAL=1\r\n",
    "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\r\n",
    ";COUNT=999999999\r\n",
    ";UNTIL=21001231T000000Z\r\n",
    "EXDATE:20261125T100000Z\r\n",
    "RECURRENCE-ID:20261125T100000Z\r\n",
    "ATTENDEE:mailto:ann@example.com\r\n",
    "SUMMARY:Ann\r\n",
    " folded\r\n",
    "\t",
    ";",
    ":",
    "\"",
    "\r\n",
];

#[test]
fn ics_reader_and_expansion() {
    let from = now() - chrono::Duration::days(30);
    let to = now() + chrono::Duration::days(90);
    fuzz("ics reader", text_from(ICS_PIECES, 40), |text| {
        let calendar = read_calendar(&text);
        let expansion = expand_calendar(&calendar, from, to, berlin());
        // A window of 120 days holds at most a few thousand occurrences per event.
        assert!(expansion.occurrences.len() <= 200_000);
    });
}

const VCARD_PIECES: &[&str] = &[
    "BEGIN:VCARD\r\n",
    "END:VCARD\r\n",
    "VERSION:2.1\r\n",
    "VERSION:4.0\r\n",
    "FN:Ann Example\r\n",
    "N:Example;Ann;;;\r\n",
    "EMAIL:ann@example.com\r\n",
    "EMAIL;TYPE=work:a@b\r\n",
    "TEL:+49 30 1234\r\n",
    "item1.EMAIL:x@y\r\n",
    "FN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:J=F6rg\r\n",
    "=\r\n",
    " folded\r\n",
    ";",
    ":",
    "\u{1b}",
    "\r\n",
];

#[test]
fn vcard_reader() {
    fuzz("vCard reader", text_from(VCARD_PIECES, 30), |text| {
        let (cards, skipped) = read_vcards(&text);
        assert!(cards.len() + skipped.len() <= text.len() + 1);
    });
}

const CONFIG_PIECES: &[&str] = &[
    "[coach]\n",
    "[hours]\n",
    "[targets]\n",
    "[keys]\n",
    "name = \"Sam\"\n",
    "time_zone = \"",
    "Europe/Berlin",
    "Mars/Base",
    "\"\n",
    "days = [\"mon\", \"fri\"]\n",
    "start = \"09:00\"\n",
    "end = \"25:00\"\n",
    "crisis = \"1h\"\n",
    "normal = \"99999999999d\"\n",
    "low = \"0m\"\n",
    "addresses = [\"a@b\"]\n",
    "=",
    "[",
    "]",
    "\"",
    "\n",
    "mouse = true\n",
];

#[test]
fn config_loader() {
    fuzz("config loader", text_from(CONFIG_PIECES, 20), |text| {
        let _ = coachbook::config::Config::parse(&text, Path::new("fuzz.toml"));
    });
}

const TEMPLATE_PIECES: &[&str] = &[
    "Subject: ",
    "\n\n",
    "{{ client_first_name }}",
    "{{ coach_name }}",
    "{{ options }}",
    "{% for o in options %}",
    "{% endfor %}",
    "{{ o }}",
    "{% if context %}",
    "{% endif %}",
    "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
    "{{ missing }}",
    "{{",
    "}}",
    "{%",
    "%}",
    "|upper",
    "Dear ",
    "\u{1b}",
    "{# c #}",
];

#[test]
fn template_rendering() {
    let dir = tempfile::tempdir().unwrap();
    let values = TemplateValues {
        client_first_name: Some("Ann\u{1b}]0;x".into()),
        coach_name: Some("Sam".into()),
        options: vec!["Tue 10:00".into(), "Wed 14:00".into()],
        ..TemplateValues::default()
    };
    fuzz(
        "template rendering",
        text_from(TEMPLATE_PIECES, 12),
        |source| {
            std::fs::write(dir.path().join("fuzzed.txt"), &source).unwrap();
            if let Ok(templates) = Templates::load(Some(dir.path()))
                && let Ok(rendered) = templates.render("fuzzed", &values)
            {
                // The engine's fuel bounds the work, and so the output.
                assert!(rendered.body.len() < 10_000_000);
            }
        },
    );
}
