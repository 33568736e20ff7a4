//! iCalendar (RFC 5545) objects for a session, so a moved or cancelled
//! session follows into the client's calendar.

use chrono::{DateTime, Utc};

/// A person on an invitation: the coach as organizer, the client as attendee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarPerson {
    pub name: String,
    pub email: String,
}

/// One session as a calendar event. `uid` stays the same for the life of a
/// session; `sequence` goes up by one with each update the client receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEvent {
    pub uid: String,
    pub sequence: u32,
    /// When this version of the event was made.
    pub stamp: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: String,
    pub description: Option<String>,
    pub location: Option<String>,
    pub organizer: CalendarPerson,
    pub attendee: CalendarPerson,
    /// For one session of a series: its original start. `uid` is then the
    /// series' UID, so the client's calendar changes that one occurrence.
    pub recurrence_id: Option<DateTime<Utc>>,
}

/// A new or moved session: `METHOD:REQUEST`, `STATUS:CONFIRMED`.
pub fn session_update_ics(ev: &CalendarEvent) -> String {
    calendar_object(ev, "REQUEST", "CONFIRMED")
}

/// A cancelled session: `METHOD:CANCEL`, `STATUS:CANCELLED`. Give it a
/// higher `sequence` than the last update sent.
pub fn session_cancel_ics(ev: &CalendarEvent) -> String {
    calendar_object(ev, "CANCEL", "CANCELLED")
}

/// Several occurrences of one series changed together ("this and the
/// following"): one iTIP message, one VEVENT per occurrence, each with its
/// RECURRENCE-ID. `cancel` gives `METHOD:CANCEL`, else `METHOD:REQUEST`.
pub fn sessions_ics(events: &[CalendarEvent], cancel: bool) -> String {
    let (method, status) = if cancel {
        ("CANCEL", "CANCELLED")
    } else {
        ("REQUEST", "CONFIRMED")
    };
    let mut lines = calendar_head(method);
    for ev in events {
        lines.extend(event_lines(ev, status));
    }
    lines.push("END:VCALENDAR".to_string());
    lines.iter().map(|line| fold_line(line)).collect()
}

fn calendar_head(method: &str) -> Vec<String> {
    vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//coachbook//coachbook//EN".to_string(),
        format!("METHOD:{method}"),
    ]
}

fn calendar_object(ev: &CalendarEvent, method: &str, status: &str) -> String {
    let mut lines = calendar_head(method);
    lines.extend(event_lines(ev, status));
    lines.push("END:VCALENDAR".to_string());
    lines.iter().map(|line| fold_line(line)).collect()
}

fn event_lines(ev: &CalendarEvent, status: &str) -> Vec<String> {
    let mut lines = vec![
        "BEGIN:VEVENT".to_string(),
        format!("UID:{}", escape_text(&ev.uid)),
        format!("SEQUENCE:{}", ev.sequence),
        format!("DTSTAMP:{}", utc_stamp(ev.stamp)),
    ];
    if let Some(original) = ev.recurrence_id {
        lines.push(format!("RECURRENCE-ID:{}", utc_stamp(original)));
    }
    lines.extend([
        format!("DTSTART:{}", utc_stamp(ev.start)),
        format!("DTEND:{}", utc_stamp(ev.end)),
        format!("SUMMARY:{}", escape_text(&ev.summary)),
    ]);
    if let Some(description) = &ev.description {
        lines.push(format!("DESCRIPTION:{}", escape_text(description)));
    }
    if let Some(location) = &ev.location {
        lines.push(format!("LOCATION:{}", escape_text(location)));
    }
    lines.push(format!("ORGANIZER{}", person_value(&ev.organizer, "")));
    lines.push(format!(
        "ATTENDEE{}",
        person_value(
            &ev.attendee,
            ";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE"
        )
    ));
    lines.push(format!("STATUS:{status}"));
    lines.push("END:VEVENT".to_string());
    lines
}

fn utc_stamp(instant: DateTime<Utc>) -> String {
    instant.format("%Y%m%dT%H%M%SZ").to_string()
}

/// `;CN="Name"<params>:mailto:address`.
fn person_value(person: &CalendarPerson, params: &str) -> String {
    format!(
        ";CN={}{params}:mailto:{}",
        param_value(&person.name),
        mail_address(&person.email)
    )
}

/// A parameter value is always quoted (names often hold `,` or `;`). A
/// quoted value cannot hold `"` or control characters, so those go.
fn param_value(value: &str) -> String {
    let clean: String = value
        .chars()
        .map(|ch| if ch.is_control() { ' ' } else { ch })
        .filter(|&ch| ch != '"')
        .collect();
    format!("\"{}\"", clean.trim())
}

fn mail_address(address: &str) -> String {
    address
        .chars()
        .filter(|ch| !ch.is_control() && !ch.is_whitespace())
        .collect()
}

/// RFC 5545 TEXT escaping: backslash, semicolon, comma and line breaks.
pub fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            ch if ch.is_control() && ch != '\t' => {}
            ch => out.push(ch),
        }
    }
    out
}

/// One content line, folded so no physical line exceeds 75 octets (the
/// leading space of a continuation counts), never inside a UTF-8
/// character, ending in CRLF.
pub fn fold_line(line: &str) -> String {
    const MAX_OCTETS: usize = 75;
    let mut out = String::with_capacity(line.len() + line.len() / 37 + 2);
    let mut width = 0;
    for ch in line.chars() {
        let octets = ch.len_utf8();
        if width + octets > MAX_OCTETS {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += octets;
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .expect("valid test instant")
    }

    fn event() -> CalendarEvent {
        CalendarEvent {
            uid: "session-42@coachbook".to_string(),
            sequence: 3,
            stamp: utc(2026, 11, 20, 9, 15),
            start: utc(2026, 11, 24, 14, 0),
            end: utc(2026, 11, 24, 15, 0),
            summary: "Coaching: Ada, Sam; weekly\\check".to_string(),
            description: Some("Line one\nLine two".to_string()),
            location: None,
            organizer: CalendarPerson {
                name: "Sam Rivera".to_string(),
                email: "sam@example.org".to_string(),
            },
            attendee: CalendarPerson {
                name: "Lovelace, \"Ada\"".to_string(),
                email: "ada@example.com".to_string(),
            },
            recurrence_id: None,
        }
    }

    fn unfold(ics: &str) -> String {
        ics.replace("\r\n ", "")
    }

    #[test]
    fn update_has_every_required_property() {
        let ics = session_update_ics(&event());
        let text = unfold(&ics);
        for expected in [
            "BEGIN:VCALENDAR\r\n",
            "VERSION:2.0\r\n",
            "METHOD:REQUEST\r\n",
            "UID:session-42@coachbook\r\n",
            "SEQUENCE:3\r\n",
            "DTSTAMP:20261120T091500Z\r\n",
            "DTSTART:20261124T140000Z\r\n",
            "DTEND:20261124T150000Z\r\n",
            "SUMMARY:Coaching: Ada\\, Sam\\; weekly\\\\check\r\n",
            "DESCRIPTION:Line one\\nLine two\r\n",
            "ORGANIZER;CN=\"Sam Rivera\":mailto:sam@example.org\r\n",
            "ATTENDEE;CN=\"Lovelace, Ada\";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:ada@example.com\r\n",
            "STATUS:CONFIRMED\r\n",
            "END:VCALENDAR\r\n",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 1);
    }

    #[test]
    fn every_line_ends_in_crlf() {
        let ics = session_update_ics(&event());
        assert!(ics.ends_with("\r\n"));
        assert_eq!(ics.matches('\n').count(), ics.matches("\r\n").count());
    }

    #[test]
    fn cancel_variant() {
        let ics = session_cancel_ics(&event());
        assert!(ics.contains("METHOD:CANCEL\r\n"));
        assert!(ics.contains("STATUS:CANCELLED\r\n"));
    }

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let line = format!("SUMMARY:{}", "Größenwahn ✓ ".repeat(20));
        let folded = fold_line(&line);
        for physical in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(
                physical.len() <= 75,
                "{} octets: {physical}",
                physical.len()
            );
        }
        assert_eq!(folded.replace("\r\n ", ""), format!("{line}\r\n"));
        // A short line is left alone.
        assert_eq!(fold_line("UID:x"), "UID:x\r\n");
    }

    #[test]
    fn folding_uses_the_full_width() {
        let folded = fold_line(&"a".repeat(200));
        let lines: Vec<&str> = folded.trim_end().split("\r\n").collect();
        assert_eq!(lines[0].len(), 75);
        assert_eq!(lines[1].len(), 75);
        assert!(lines[1].starts_with(' '));
    }

    #[test]
    fn escapes_text_values() {
        assert_eq!(escape_text("a\\b;c,d\r\ne\nf"), "a\\\\b\\;c\\,d\\ne\\nf");
    }
}
