//! The book's sessions as calendar objects: a lone session is one VEVENT,
//! a series is one VEVENT with an RRULE on the coach's wall clock, EXDATEs
//! for the sessions cancelled from it, and an override (same UID, its
//! RECURRENCE-ID) for each session moved or changed on its own. Times are
//! written in the series' zone with a VTIMEZONE, so every calendar repeats
//! it at the same local time across daylight-saving changes.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use super::ics::{CalendarPerson, escape_text, fold_line};
use crate::domain::series::{month_position, weekday_code};

/// One VEVENT: a lone event, a series' master or one of its overrides.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryEvent {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub sequence: i64,
    pub cancelled: bool,
    /// For an override: the original start of the instance it replaces.
    pub recurrence_id: Option<DateTime<Utc>>,
    /// For a master: the RRULE (with COUNT) and the instances taken out.
    pub rule: Option<String>,
    pub exdates: Vec<DateTime<Utc>>,
    pub location: Option<String>,
}

/// One calendar object: every VEVENT under one UID.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub uid: String,
    pub summary: String,
    pub tz: Tz,
    pub organizer: Option<CalendarPerson>,
    pub attendee: Option<CalendarPerson>,
    pub events: Vec<EntryEvent>,
}

impl Entry {
    /// The latest instant any of its events touches.
    fn last_instant(&self) -> Option<DateTime<Utc>> {
        self.events.iter().map(|e| e.end).max()
    }
}

/// One VCALENDAR with `entries` and a VTIMEZONE for each zone they use.
/// `stamp` is the DTSTAMP; a fixed one keeps an unchanged entry's text
/// unchanged, so a file rewritten with it stays byte-identical.
pub fn calendar_text(entries: &[Entry], stamp: DateTime<Utc>, method: Option<&str>) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//coachbook//coachbook//EN".to_string(),
        "CALSCALE:GREGORIAN".to_string(),
    ];
    if let Some(method) = method {
        lines.push(format!("METHOD:{method}"));
    }
    let zones: BTreeSet<&str> = entries
        .iter()
        .filter(|e| e.tz != Tz::UTC)
        .map(|e| e.tz.name())
        .collect();
    for name in zones {
        let Ok(tz) = name.parse::<Tz>() else { continue };
        let first = entries
            .iter()
            .filter(|e| e.tz == tz)
            .flat_map(|e| e.events.iter().map(|ev| ev.start))
            .min();
        let last = entries
            .iter()
            .filter(|e| e.tz == tz)
            .filter_map(Entry::last_instant)
            .max();
        if let (Some(first), Some(last)) = (first, last) {
            lines.extend(vtimezone(tz, first, last));
        }
    }
    for entry in entries {
        for event in &entry.events {
            lines.extend(vevent(entry, event, stamp));
        }
    }
    lines.push("END:VCALENDAR".to_string());
    lines.iter().map(|line| fold_line(line)).collect()
}

fn vevent(entry: &Entry, event: &EntryEvent, stamp: DateTime<Utc>) -> Vec<String> {
    let at = |name: &str, instant: DateTime<Utc>| local_property(name, instant, entry.tz);
    let mut lines = vec![
        "BEGIN:VEVENT".to_string(),
        format!("UID:{}", escape_text(&entry.uid)),
        format!("DTSTAMP:{}", utc_text(stamp)),
    ];
    if let Some(original) = event.recurrence_id {
        lines.push(at("RECURRENCE-ID", original));
    }
    lines.push(at("DTSTART", event.start));
    lines.push(at("DTEND", event.end.max(event.start)));
    if let Some(rule) = &event.rule {
        lines.push(format!("RRULE:{rule}"));
    }
    for exdate in &event.exdates {
        lines.push(at("EXDATE", *exdate));
    }
    lines.push(format!("SEQUENCE:{}", event.sequence.max(0)));
    lines.push(format!("SUMMARY:{}", escape_text(&entry.summary)));
    if let Some(place) = event.location.as_deref().filter(|p| !p.trim().is_empty()) {
        lines.push(format!("LOCATION:{}", escape_text(place)));
    }
    if let Some(organizer) = &entry.organizer {
        lines.push(format!("ORGANIZER{}", person(organizer, "")));
    }
    if let Some(attendee) = &entry.attendee {
        lines.push(format!(
            "ATTENDEE{}",
            person(
                attendee,
                ";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE"
            )
        ));
    }
    lines.push(format!(
        "STATUS:{}",
        if event.cancelled {
            "CANCELLED"
        } else {
            "CONFIRMED"
        }
    ));
    lines.push("TRANSP:OPAQUE".to_string());
    lines.push("END:VEVENT".to_string());
    lines
}

fn person(who: &CalendarPerson, params: &str) -> String {
    let name = who.name.replace(['"', '\r', '\n'], "");
    let cn = if name.trim().is_empty() {
        String::new()
    } else {
        format!(";CN=\"{name}\"")
    };
    format!("{cn}{params}:mailto:{}", who.email.trim())
}

/// `DTSTART;TZID=Europe/Berlin:20261124T100000` (UTC: `DTSTART:…Z`).
fn local_property(name: &str, instant: DateTime<Utc>, tz: Tz) -> String {
    if tz == Tz::UTC {
        return format!("{name}:{}", utc_text(instant));
    }
    let local = instant.with_timezone(&tz).naive_local();
    format!(
        "{name};TZID={}:{}",
        tz.name(),
        local.format("%Y%m%dT%H%M%S")
    )
}

pub fn utc_text(instant: DateTime<Utc>) -> String {
    instant.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A VTIMEZONE for `tz` from the tz database: the zone's changes from the
/// year before `first` to the year after `last`, each as its own observance
/// (so zones whose rules changed are right in every year), and the current
/// yearly rule after that.
pub fn vtimezone(tz: Tz, first: DateTime<Utc>, last: DateTime<Utc>) -> Vec<String> {
    let from_year = first.year().saturating_sub(1);
    let to_year = last
        .year()
        .saturating_add(1)
        .min(from_year.saturating_add(60));
    let mut lines = vec![
        "BEGIN:VTIMEZONE".to_string(),
        format!("TZID:{}", tz.name()),
        format!("X-LIC-LOCATION:{}", tz.name()),
    ];
    let start = Utc
        .with_ymd_and_hms(from_year, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(first);
    let transitions = transitions(tz, start, to_year);
    let offset_at = |at: DateTime<Utc>| tz.offset_from_utc_datetime(&at.naive_utc());
    let initial = offset_at(start);
    let initial_seconds = initial.fix().local_minus_utc();
    if transitions.is_empty() {
        lines.extend(observance(
            "STANDARD",
            start.naive_utc() + Duration::seconds(i64::from(initial_seconds)),
            initial_seconds,
            initial_seconds,
            &initial.to_string(),
            None,
        ));
    } else {
        let count = transitions.len();
        for (index, (at, before, after)) in transitions.iter().enumerate() {
            let offset = offset_at(*at);
            let kind = if after > before {
                "DAYLIGHT"
            } else {
                "STANDARD"
            };
            let local = at.naive_utc() + Duration::seconds(i64::from(*before));
            // The last change of each kind carries on as a yearly rule.
            let last_of_kind = !transitions
                .iter()
                .skip(index + 1)
                .any(|(_, b, a)| (a > b) == (after > before));
            let rule = (last_of_kind && count >= 2).then(|| yearly_rule(local));
            lines.extend(observance(
                kind,
                local,
                *before,
                *after,
                &offset.to_string(),
                rule.as_deref(),
            ));
        }
    }
    lines.push("END:VTIMEZONE".to_string());
    lines
}

/// Zone rules say "the last Sunday" when the day is in the month's last
/// week (28 March 2027 is the 4th and the last).
fn yearly_rule(local: NaiveDateTime) -> String {
    let day = local.date();
    let (nth, weekday) = month_position(day);
    let in_last_week = day
        .checked_add_signed(Duration::days(7))
        .is_none_or(|next| next.month() != day.month());
    let nth = if in_last_week { -1 } else { nth };
    format!(
        "FREQ=YEARLY;BYMONTH={};BYDAY={nth}{}",
        local.month(),
        weekday_code(weekday)
    )
}

fn observance(
    kind: &str,
    local: NaiveDateTime,
    from: i32,
    to: i32,
    name: &str,
    rule: Option<&str>,
) -> Vec<String> {
    let mut lines = vec![
        format!("BEGIN:{kind}"),
        format!("DTSTART:{}", local.format("%Y%m%dT%H%M%S")),
        format!("TZOFFSETFROM:{}", offset_text(from)),
        format!("TZOFFSETTO:{}", offset_text(to)),
    ];
    if let Some(rule) = rule {
        lines.push(format!("RRULE:{rule}"));
    }
    let name: String = name.chars().filter(|c| c.is_ascii_graphic()).collect();
    if !name.is_empty() {
        lines.push(format!("TZNAME:{name}"));
    }
    lines.push(format!("END:{kind}"));
    lines
}

fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let abs = seconds.unsigned_abs();
    let (h, m, s) = (abs / 3600, abs / 60 % 60, abs % 60);
    if s == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{s:02}")
    }
}

/// Each change of offset from `start` to the end of `to_year`: (the instant,
/// the offset before, the offset after), found day by day, then to the second.
fn transitions(tz: Tz, start: DateTime<Utc>, to_year: i32) -> Vec<(DateTime<Utc>, i32, i32)> {
    let offset = |at: DateTime<Utc>| {
        tz.offset_from_utc_datetime(&at.naive_utc())
            .fix()
            .local_minus_utc()
    };
    let mut out = Vec::new();
    let mut day = start;
    let mut before = offset(day);
    while day.year() <= to_year {
        let Some(next) = day.checked_add_signed(Duration::days(1)) else {
            break;
        };
        let after = offset(next);
        if after != before {
            // Bisect to the second inside the day.
            let (mut low, mut high) = (day, next);
            while high - low > Duration::seconds(1) {
                let mid = low + (high - low) / 2;
                if offset(mid) == before {
                    low = mid;
                } else {
                    high = mid;
                }
            }
            out.push((high, before, after));
            before = after;
        }
        day = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("instant")
            .with_timezone(&Utc)
    }

    #[test]
    fn berlin_has_its_changes_and_a_yearly_rule() {
        let lines = vtimezone(
            chrono_tz::Europe::Berlin,
            utc("2026-03-01T00:00:00Z"),
            utc("2026-06-01T00:00:00Z"),
        );
        let text = lines.join("\n");
        assert!(
            text.contains("DTSTART:20260329T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200"),
            "{text}"
        );
        assert!(
            text.contains("DTSTART:20261025T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100"),
            "{text}"
        );
        assert!(
            text.contains("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"),
            "{text}"
        );
        assert!(
            text.contains("RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"),
            "{text}"
        );
    }

    #[test]
    fn a_series_is_one_event_with_its_rule_exceptions_and_overrides() {
        let tz = chrono_tz::Europe::Berlin;
        let entry = Entry {
            uid: "s-1@coachbook".into(),
            summary: "Coaching: Ann".into(),
            tz,
            organizer: None,
            attendee: Some(CalendarPerson {
                name: "Ann".into(),
                email: "ann@x.org".into(),
            }),
            events: vec![
                EntryEvent {
                    start: utc("2026-03-17T09:00:00Z"),
                    end: utc("2026-03-17T10:00:00Z"),
                    sequence: 0,
                    cancelled: false,
                    recurrence_id: None,
                    rule: Some("FREQ=WEEKLY;BYDAY=TU;COUNT=4".into()),
                    exdates: vec![utc("2026-03-24T09:00:00Z")],
                    location: None,
                },
                EntryEvent {
                    start: utc("2026-04-01T12:00:00Z"),
                    end: utc("2026-04-01T13:00:00Z"),
                    sequence: 1,
                    cancelled: false,
                    recurrence_id: Some(utc("2026-03-31T08:00:00Z")),
                    rule: None,
                    exdates: Vec::new(),
                    location: None,
                },
            ],
        };
        let text = calendar_text(&[entry], utc("2026-03-01T00:00:00Z"), None).replace("\r\n ", "");
        assert!(
            text.contains("DTSTART;TZID=Europe/Berlin:20260317T100000\r\n"),
            "{text}"
        );
        assert!(
            text.contains("EXDATE;TZID=Europe/Berlin:20260324T100000\r\n"),
            "{text}"
        );
        assert!(
            text.contains("RECURRENCE-ID;TZID=Europe/Berlin:20260331T100000\r\n"),
            "{text}"
        );
        assert!(
            text.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"),
            "{text}"
        );
        assert_eq!(text.matches("UID:s-1@coachbook").count(), 2);
    }
}
