//! One VEVENT read into what expansion needs: its start, its length, its
//! rule and exceptions, and who is in it. A problem here skips the event.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use sha2::{Digest, Sha256};

use super::lines::{ContentLine, unescape_text};
use super::parse::{Calendar, RawEvent, custom_zone};
use super::rrule::{Rule, parse_rule};
use super::zones::{EventZone, clean_tzid, iana_zone};
use crate::domain::when::start_of_day;

/// A DATE or a DATE-TIME with its zone.
#[derive(Debug, Clone, PartialEq)]
pub enum Moment {
    Date(NaiveDate),
    Time(NaiveDateTime, EventZone),
}

impl Moment {
    pub fn to_utc(&self, coach: Tz) -> DateTime<Utc> {
        match self {
            Moment::Date(day) => start_of_day(*day, coach),
            Moment::Time(local, zone) => zone.to_utc(*local, coach),
        }
    }

    /// The wall-clock date as written.
    pub fn date(&self) -> NaiveDate {
        match self {
            Moment::Date(day) => *day,
            Moment::Time(local, _) => local.date(),
        }
    }
}

/// How long each occurrence lasts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Length {
    Days(i64),
    Exact(Duration),
}

#[derive(Debug, Clone)]
pub struct Event {
    pub uid: String,
    /// For the skipped list: "line 12 (Team call)".
    pub item: String,
    pub start: Moment,
    pub length: Length,
    pub recurrence_id: Option<Moment>,
    pub rule: Option<Rule>,
    pub exdates: Vec<Moment>,
    pub rdates: Vec<Moment>,
    pub summary: String,
    pub location: Option<String>,
    /// Lower-cased mail addresses of ATTENDEEs and the ORGANIZER.
    pub people: Vec<String>,
    pub transparent: bool,
    pub cancelled: bool,
    pub sequence: i64,
    /// LAST-MODIFIED, else DTSTAMP: which version of the event this is.
    pub stamp: Option<DateTime<Utc>>,
    /// An ATTENDEE other than the coach declined (PARTSTAT=DECLINED).
    pub declined: bool,
}

/// Properties whose damage makes an event unusable.
const VITAL: &[&str] = &[
    "UID",
    "DTSTART",
    "DTEND",
    "DURATION",
    "RRULE",
    "EXDATE",
    "RDATE",
    "RECURRENCE-ID",
];

pub fn item_label(raw: &RawEvent) -> String {
    let summary = raw
        .prop("SUMMARY")
        .map(|p| unescape_text(&p.value))
        .filter(|s| !s.trim().is_empty());
    match summary {
        Some(s) => format!("event at line {} ({})", raw.line_no, short(&s)),
        None => format!("event at line {}", raw.line_no),
    }
}

fn short(text: &str) -> String {
    let mut s: String = text.chars().take(50).collect();
    if text.chars().count() > 50 {
        s.push('…');
    }
    s
}

pub fn read_event(raw: &RawEvent, calendar: &Calendar, coach: Tz) -> Result<Event, String> {
    if raw.unclosed {
        return Err("not closed by END:VEVENT (is the file cut short?)".into());
    }
    if let Some(bad) = raw
        .bad_lines
        .iter()
        .find(|b| b.name.as_deref().is_some_and(|n| VITAL.contains(&n)))
    {
        return Err(format!("line {}: {}", bad.line_no, bad.reason));
    }
    let start_line = raw.prop("DTSTART").ok_or("no DTSTART")?;
    let start = read_moment(start_line, calendar)?;
    let length = read_length(raw, &start, calendar, coach)?;
    let rule = raw
        .prop("RRULE")
        .map(|p| parse_rule(&p.value))
        .transpose()?;
    let recurrence_id = raw
        .prop("RECURRENCE-ID")
        .map(|p| read_moment(p, calendar))
        .transpose()?;
    let exdates = read_list(raw, "EXDATE", calendar)?;
    let rdates = read_list(raw, "RDATE", calendar)?;
    let summary = raw
        .prop("SUMMARY")
        .map(|p| unescape_text(&p.value).trim().to_string())
        .unwrap_or_default();
    let uid = raw
        .prop("UID")
        .map(|p| p.value.trim().to_string())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| synthetic_uid(&start_line.value, &summary));
    let people = raw
        .props
        .iter()
        .filter(|p| p.name == "ATTENDEE" || p.name == "ORGANIZER")
        .filter_map(mail_address)
        .collect();
    let word = |name: &str| {
        raw.prop(name)
            .map(|p| p.value.trim().to_ascii_uppercase())
            .unwrap_or_default()
    };
    Ok(Event {
        uid,
        item: item_label(raw),
        start,
        length,
        recurrence_id,
        rule,
        exdates,
        rdates,
        summary,
        location: raw
            .prop("LOCATION")
            .map(|p| unescape_text(&p.value).trim().to_string())
            .filter(|l| !l.is_empty()),
        people,
        transparent: word("TRANSP") == "TRANSPARENT",
        cancelled: word("STATUS") == "CANCELLED" || calendar.method_cancel,
        sequence: word("SEQUENCE").parse().unwrap_or(0),
        stamp: stamp_of(raw, "LAST-MODIFIED").or_else(|| stamp_of(raw, "DTSTAMP")),
        declined: raw
            .props_named("ATTENDEE")
            .any(|p| p.has_param_value("PARTSTAT", "DECLINED")),
    })
}

/// A UTC stamp property (`20261124T090000Z`); anything else is no stamp.
fn stamp_of(raw: &RawEvent, name: &str) -> Option<DateTime<Utc>> {
    let value = raw.prop(name)?.value.trim();
    let local = NaiveDateTime::parse_from_str(value.strip_suffix('Z')?, "%Y%m%dT%H%M%S").ok()?;
    Some(local.and_utc())
}

/// A stable UID for an event without one, so a second import finds it.
fn synthetic_uid(start: &str, summary: &str) -> String {
    let digest = Sha256::digest(format!("{start}\n{summary}").as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("no-uid-{hex}")
}

fn mail_address(line: &ContentLine) -> Option<String> {
    let value = line.value.trim();
    let address = match value.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("mailto:") => &value[7..],
        _ => line.param("EMAIL").unwrap_or(value),
    };
    let address = address.trim().to_lowercase();
    address.contains('@').then_some(address)
}

/// A DATE or DATE-TIME property, in the years coachbook accepts.
pub fn read_moment(line: &ContentLine, calendar: &Calendar) -> Result<Moment, String> {
    read_value(line.value.trim(), line, calendar)
}

fn read_value(value: &str, line: &ContentLine, calendar: &Calendar) -> Result<Moment, String> {
    let moment = read_unbounded(value, line, calendar)?;
    crate::domain::bounds::day(moment.date()).map_err(|err| format!("{}: {err}", line.name))?;
    Ok(moment)
}

fn read_unbounded(value: &str, line: &ContentLine, calendar: &Calendar) -> Result<Moment, String> {
    let bad = || {
        format!(
            "{} {} is not a date or time",
            line.name,
            crate::text::quoted(value)
        )
    };
    let is_date = line.has_param_value("VALUE", "DATE") || value.len() == 8;
    if is_date {
        let day = NaiveDate::parse_from_str(value.get(..8).ok_or_else(bad)?, "%Y%m%d")
            .map_err(|_| bad())?;
        return Ok(Moment::Date(day));
    }
    if let Some(utc) = value.strip_suffix('Z').or_else(|| value.strip_suffix('z')) {
        let local = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
        return Ok(Moment::Time(local, EventZone::Utc));
    }
    let local = NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
    let zone = match line.param("TZID") {
        Some(tzid) => resolve_zone(tzid, calendar)?,
        None => EventZone::Floating,
    };
    Ok(Moment::Time(local, zone))
}

/// IANA or Windows name; else the file's VTIMEZONE (its X-LIC-LOCATION,
/// else its offsets).
pub fn resolve_zone(tzid: &str, calendar: &Calendar) -> Result<EventZone, String> {
    if let Some(tz) = iana_zone(tzid) {
        return Ok(EventZone::Iana(tz));
    }
    let clean = clean_tzid(tzid);
    let raw = calendar
        .timezones
        .get(&clean)
        .ok_or_else(|| format!("unknown time zone '{clean}' (no VTIMEZONE for it)"))?;
    if let Some(tz) = raw.location.as_deref().and_then(iana_zone) {
        return Ok(EventZone::Iana(tz));
    }
    custom_zone(raw)
        .map(EventZone::Custom)
        .ok_or_else(|| format!("time zone '{clean}' has a VTIMEZONE without offsets"))
}

fn read_list(raw: &RawEvent, name: &str, calendar: &Calendar) -> Result<Vec<Moment>, String> {
    let mut out = Vec::new();
    for line in raw.props_named(name) {
        for value in line
            .value
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            if value.contains('/') {
                continue; // RDATE;VALUE=PERIOD is not supported; ignore it.
            }
            out.push(read_value(value, line, calendar)?);
        }
    }
    Ok(out)
}

fn read_length(
    raw: &RawEvent,
    start: &Moment,
    calendar: &Calendar,
    coach: Tz,
) -> Result<Length, String> {
    let length = read_unbounded_length(raw, start, calendar, coach)?;
    let span = match length {
        Length::Days(days) => Duration::try_days(days),
        Length::Exact(exact) => Some(exact),
    };
    span.and_then(|span| crate::domain::bounds::span(span).ok())
        .ok_or_else(|| {
            format!(
                "it lasts longer than the {} days (five years) coachbook accepts",
                crate::domain::bounds::MAX_SPAN_DAYS
            )
        })?;
    Ok(length)
}

fn read_unbounded_length(
    raw: &RawEvent,
    start: &Moment,
    calendar: &Calendar,
    coach: Tz,
) -> Result<Length, String> {
    if let Some(end) = raw.prop("DTEND") {
        let end = read_moment(end, calendar)?;
        return Ok(match (start, &end) {
            (Moment::Date(s), _) => Length::Days((end.date() - *s).num_days().max(1)),
            _ => {
                let length = end.to_utc(coach) - start.to_utc(coach);
                if length < Duration::zero() {
                    return Err("DTEND is before DTSTART".into());
                }
                Length::Exact(length)
            }
        });
    }
    if let Some(duration) = raw.prop("DURATION") {
        let length = parse_duration(duration.value.trim()).ok_or_else(|| {
            format!(
                "DURATION {} is not understood",
                crate::text::quoted(duration.value.trim())
            )
        })?;
        return Ok(match start {
            Moment::Date(_) => Length::Days(length.num_days().max(1)),
            Moment::Time(..) => Length::Exact(length),
        });
    }
    // RFC 5545: a DATE lasts the day; a DATE-TIME alone lasts no time.
    Ok(match start {
        Moment::Date(_) => Length::Days(1),
        Moment::Time(..) => Length::Exact(Duration::zero()),
    })
}

/// `PT1H`, `P1D`, `P2W`, `P1DT30M`, `PT45M10S` (a negative one is refused).
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.strip_prefix('+').unwrap_or(text);
    let rest = text.strip_prefix('P')?;
    let mut total = Duration::zero();
    let mut number = String::new();
    let mut in_time = false;
    let mut any = false;
    for c in rest.chars() {
        match c {
            '0'..='9' => number.push(c),
            'T' if number.is_empty() => in_time = true,
            _ => {
                let n: i64 = number.parse().ok()?;
                number.clear();
                any = true;
                let part = match (c, in_time) {
                    ('W', false) => Duration::try_weeks(n),
                    ('D', false) => Duration::try_days(n),
                    ('H', true) => Duration::try_hours(n),
                    ('M', true) => Duration::try_minutes(n),
                    ('S', true) => Duration::try_seconds(n),
                    _ => None,
                }?;
                total = total.checked_add(&part)?;
            }
        }
    }
    (any && number.is_empty()).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("PT1H"), Some(Duration::hours(1)));
        assert_eq!(
            parse_duration("P1DT30M"),
            Some(Duration::minutes(24 * 60 + 30))
        );
        assert_eq!(parse_duration("P2W"), Some(Duration::weeks(2)));
        assert_eq!(parse_duration("-PT1H"), None);
        assert_eq!(parse_duration("PT"), None);
        assert_eq!(parse_duration("1H"), None);
        assert_eq!(parse_duration("P99999999999999999W"), None);
    }
}
