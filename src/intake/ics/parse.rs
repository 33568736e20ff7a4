//! From content lines to the calendar's events and time zones, one VEVENT
//! at a time: a broken event is kept with its problems so the caller can
//! skip it with a reason, and the rest of the file still counts.

use std::collections::HashMap;

use chrono::{NaiveDateTime, Weekday};

use super::lines::{BadLine, ContentLine, parse_line, unfold};
use super::rrule::{Freq, Rule, Until, parse_rule};
use super::zones::{CustomZone, Observance, clean_tzid, parse_offset};

/// One VEVENT as read: its own properties (not those of a VALARM inside).
#[derive(Debug, Clone, Default)]
pub struct RawEvent {
    pub line_no: usize,
    pub props: Vec<ContentLine>,
    pub bad_lines: Vec<BadLine>,
    /// No END:VEVENT before the next BEGIN:VEVENT or the end of the file.
    pub unclosed: bool,
}

impl RawEvent {
    pub fn prop(&self, name: &str) -> Option<&ContentLine> {
        self.props.iter().find(|p| p.name == name)
    }

    pub fn props_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a ContentLine> + 'a {
        self.props.iter().filter(move |p| p.name == name)
    }
}

/// A VTIMEZONE: its name, an IANA hint, its observances.
#[derive(Debug, Clone, Default)]
pub struct RawTimezone {
    pub tzid: String,
    pub location: Option<String>,
    pub observances: Vec<Observance>,
}

#[derive(Debug, Clone, Default)]
pub struct Calendar {
    pub saw_vcalendar: bool,
    /// `METHOD:CANCEL`: every event in the file is cancelled.
    pub method_cancel: bool,
    pub events: Vec<RawEvent>,
    /// By cleaned TZID.
    pub timezones: HashMap<String, RawTimezone>,
}

/// Read a whole calendar text. Never fails: what it cannot read it notes.
pub fn read_calendar(text: &str) -> Calendar {
    let mut calendar = Calendar::default();
    let mut stack: Vec<String> = Vec::new();
    let mut event: Option<RawEvent> = None;
    let mut zone: Option<RawTimezone> = None;
    let mut observance: Option<Vec<ContentLine>> = None;
    for (line_no, raw) in unfold(text) {
        let parsed = parse_line(line_no, &raw);
        let line = match parsed {
            Ok(line) => line,
            Err(bad) => {
                if let Some(ev) = event.as_mut() {
                    ev.bad_lines.push(bad);
                }
                continue;
            }
        };
        match line.name.as_str() {
            "BEGIN" => {
                let what = line.value.trim().to_ascii_uppercase();
                match what.as_str() {
                    "VCALENDAR" => calendar.saw_vcalendar = true,
                    "VEVENT" => {
                        if let Some(mut open) = event.take() {
                            open.unclosed = true;
                            calendar.events.push(open);
                            stack.retain(|c| c != "VEVENT");
                        }
                        event = Some(RawEvent {
                            line_no,
                            ..RawEvent::default()
                        });
                    }
                    "VTIMEZONE" => zone = Some(RawTimezone::default()),
                    "STANDARD" | "DAYLIGHT" if zone.is_some() => observance = Some(Vec::new()),
                    _ => {}
                }
                stack.push(what);
            }
            "END" => {
                let what = line.value.trim().to_ascii_uppercase();
                if let Some(pos) = stack.iter().rposition(|c| *c == what) {
                    stack.truncate(pos);
                }
                match what.as_str() {
                    "VEVENT" => {
                        if let Some(done) = event.take() {
                            calendar.events.push(done);
                        }
                    }
                    "VTIMEZONE" => {
                        if let Some(done) = zone.take()
                            && !done.tzid.is_empty()
                        {
                            calendar.timezones.insert(done.tzid.clone(), done);
                        }
                    }
                    "STANDARD" | "DAYLIGHT" => {
                        if let (Some(lines), Some(z)) = (observance.take(), zone.as_mut())
                            && let Some(obs) = read_observance(&lines)
                        {
                            z.observances.push(obs);
                        }
                    }
                    _ => {}
                }
            }
            _ => {
                let innermost = stack.last().map(String::as_str);
                match innermost {
                    Some("VEVENT") => {
                        if let Some(ev) = event.as_mut() {
                            ev.props.push(line);
                        }
                    }
                    Some("STANDARD" | "DAYLIGHT") => {
                        if let Some(lines) = observance.as_mut() {
                            lines.push(line);
                        }
                    }
                    Some("VCALENDAR") if line.name == "METHOD" => {
                        calendar.method_cancel = line.value.trim().eq_ignore_ascii_case("CANCEL");
                    }
                    Some("VTIMEZONE") => {
                        if let Some(z) = zone.as_mut() {
                            match line.name.as_str() {
                                "TZID" => z.tzid = clean_tzid(&line.value),
                                "X-LIC-LOCATION" => {
                                    z.location = Some(line.value.trim().to_string())
                                }
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    if let Some(mut open) = event.take() {
        open.unclosed = true;
        calendar.events.push(open);
    }
    calendar
}

fn read_observance(lines: &[ContentLine]) -> Option<Observance> {
    let get = |name: &str| {
        lines
            .iter()
            .find(|l| l.name == name)
            .map(|l| l.value.trim())
    };
    let onset = NaiveDateTime::parse_from_str(get("DTSTART")?, "%Y%m%dT%H%M%S").ok()?;
    let offset_to = parse_offset(get("TZOFFSETTO")?)?;
    let offset_from = get("TZOFFSETFROM")
        .and_then(parse_offset)
        .unwrap_or(offset_to);
    let rule = get("RRULE").and_then(|r| parse_rule(r).ok());
    let yearly = rule.as_ref().and_then(yearly_rule);
    // UNTIL in UTC is an instant; the onset it bounds is local, before the change.
    let until = rule.as_ref().and_then(|r| match r.until? {
        Until::Utc(at) => Some(at.naive_utc() + chrono::Duration::seconds(offset_from)),
        Until::Local(local) => Some(local),
        Until::Date(day) => day.and_hms_opt(23, 59, 59),
    });
    let extra_onsets = lines
        .iter()
        .filter(|l| l.name == "RDATE")
        .flat_map(|l| l.value.split(','))
        .filter_map(|v| NaiveDateTime::parse_from_str(v.trim(), "%Y%m%dT%H%M%S").ok())
        .collect();
    Some(Observance {
        onset,
        offset_to,
        offset_from,
        yearly,
        until,
        extra_onsets,
    })
}

/// `FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU` → (3, -1, Sun).
fn yearly_rule(rule: &Rule) -> Option<(u32, i32, Weekday)> {
    if rule.freq != Freq::Yearly {
        return None;
    }
    let month = *rule.by_month.first()?;
    let (nth, weekday) = *rule.by_day.first()?;
    Some((month, nth?, weekday))
}

/// A custom zone from a VTIMEZONE (used when its name is no known zone).
pub fn custom_zone(raw: &RawTimezone) -> Option<CustomZone> {
    (!raw.observances.is_empty()).then(|| CustomZone {
        observances: raw.observances.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_keep_their_own_properties_not_their_alarms() {
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nSUMMARY:Real\nBEGIN:VALARM\nDESCRIPTION:alarm\nEND:VALARM\nEND:VEVENT\nEND:VCALENDAR\n";
        let cal = read_calendar(text);
        assert!(cal.saw_vcalendar);
        assert_eq!(cal.events.len(), 1);
        assert!(cal.events[0].prop("DESCRIPTION").is_none());
        assert_eq!(
            cal.events[0].prop("SUMMARY").map(|p| p.value.as_str()),
            Some("Real")
        );
    }

    #[test]
    fn a_timezone_after_the_events_is_still_read() {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nEND:VEVENT\r\nBEGIN:VTIMEZONE\r\nTZID:Kuala Lumpur\\, Singapore\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\nTZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n";
        let cal = read_calendar(text);
        let zone = cal
            .timezones
            .get("Kuala Lumpur, Singapore")
            .expect("zone read");
        assert_eq!(zone.observances.len(), 1);
        assert_eq!(zone.observances[0].offset_to, 8 * 3600);
    }

    #[test]
    fn bad_lines_stay_with_their_event_and_unclosed_events_are_marked() {
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART;TZID=Europe/Berlin\nBEGIN:VEVENT\nUID:b\n";
        let cal = read_calendar(text);
        assert_eq!(cal.events.len(), 2);
        assert!(cal.events[0].unclosed);
        assert_eq!(cal.events[0].bad_lines.len(), 1);
        assert!(cal.events[1].unclosed);
    }
}
