//! RFC 5322 messages, checked by parsing them back with mailparse.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use coachbook::compose::{
    CalendarEvent, CalendarPerson, Mailbox, OutgoingMessage, build_message, new_message_id,
    session_cancel_ics, session_update_ics,
};
use mailparse::{MailHeaderMap, ParsedMail, addrparse_header, dateparse, parse_mail};

fn berlin_date() -> DateTime<FixedOffset> {
    FixedOffset::east_opt(3600)
        .and_then(|offset| offset.with_ymd_and_hms(2026, 11, 24, 9, 5, 0).single())
        .expect("valid date")
}

fn message() -> OutgoingMessage {
    OutgoingMessage {
        from: Mailbox {
            name: "Sam Rivera".to_string(),
            address: "sam@example.org".to_string(),
        },
        to: Mailbox {
            name: "Ada Lovelace".to_string(),
            address: "ada@example.com".to_string(),
        },
        subject: "Could we move our session?".to_string(),
        body: "Dear Ada,\n\nThank you.\n\nWarmly,\nSam\n".to_string(),
        date: berlin_date(),
        message_id: "reply-17@example.org".to_string(),
        in_reply_to: None,
        references: Vec::new(),
        calendar: None,
    }
}

fn event() -> CalendarEvent {
    let utc = |h| {
        Utc.with_ymd_and_hms(2026, 11, 25, h, 0, 0)
            .single()
            .expect("valid instant")
    };
    CalendarEvent {
        uid: "session-42@coachbook".to_string(),
        sequence: 2,
        stamp: utc(8),
        start: utc(9),
        end: utc(10),
        summary: "Coaching session with Sam Rivera".to_string(),
        description: None,
        location: Some("https://meet.example.org/sam-ada".to_string()),
        organizer: CalendarPerson {
            name: "Sam Rivera".to_string(),
            email: "sam@example.org".to_string(),
        },
        attendee: CalendarPerson {
            name: "Ada Lovelace".to_string(),
            email: "ada@example.com".to_string(),
        },
        recurrence_id: None,
    }
}

fn parse(bytes: &[u8]) -> ParsedMail<'_> {
    parse_mail(bytes).expect("message parses")
}

fn header(mail: &ParsedMail<'_>, name: &str) -> String {
    mail.headers
        .get_first_value(name)
        .unwrap_or_else(|| panic!("no {name} header"))
}

fn body(part: &ParsedMail<'_>) -> String {
    part.get_body().expect("body decodes").replace("\r\n", "\n")
}

#[test]
fn plain_message_round_trips() {
    let bytes = build_message(&message());
    let mail = parse(&bytes);
    assert_eq!(header(&mail, "Subject"), "Could we move our session?");
    assert_eq!(header(&mail, "Message-ID"), "<reply-17@example.org>");
    assert_eq!(header(&mail, "MIME-Version"), "1.0");
    assert_eq!(header(&mail, "Date"), "Tue, 24 Nov 2026 09:05:00 +0100");
    assert_eq!(
        dateparse(&header(&mail, "Date")).expect("date parses"),
        berlin_date().timestamp()
    );
    let from = addrparse_header(mail.headers.get_first_header("From").expect("From"))
        .expect("From parses");
    let from = from.extract_single_info().expect("one sender");
    assert_eq!(from.display_name.as_deref(), Some("Sam Rivera"));
    assert_eq!(from.addr, "sam@example.org");
    let to = addrparse_header(mail.headers.get_first_header("To").expect("To")).expect("To parses");
    assert_eq!(
        to.extract_single_info().expect("one recipient").addr,
        "ada@example.com"
    );
    assert_eq!(mail.ctype.mimetype, "text/plain");
    assert_eq!(mail.ctype.charset.to_lowercase(), "utf-8");
    assert_eq!(body(&mail), "Dear Ada,\n\nThank you.\n\nWarmly,\nSam\n");
    assert!(mail.headers.get_first_value("In-Reply-To").is_none());
}

#[test]
fn every_line_is_crlf_and_short() {
    let mut m = message();
    m.body = format!("{}\n{}\n", "word ".repeat(60), "é".repeat(200));
    m.subject = "A long subject line that keeps going and going well past the width a mail reader shows comfortably".to_string();
    m.calendar = Some(session_update_ics(&event()));
    let bytes = build_message(&m);
    assert!(bytes.is_ascii(), "8-bit bytes must be encoded");
    let text = String::from_utf8(bytes.clone()).expect("ascii");
    assert_eq!(text.matches('\n').count(), text.matches("\r\n").count());
    for line in text.split("\r\n") {
        assert!(line.len() <= 78, "{} chars: {line}", line.len());
    }
    let mail = parse(&bytes);
    assert_eq!(header(&mail, "Subject"), m.subject);
    assert_eq!(body(&mail.subparts[0]), m.body);
}

#[test]
fn non_ascii_subject_and_names_are_encoded() {
    let mut m = message();
    m.subject = "Réunion déplacée — merci pour votre compréhension, à très bientôt ✨".to_string();
    m.to.name = "Zoë Ångström".to_string();
    m.from.name = "Rivera, Sam".to_string();
    m.body = "Chère Zoë,\nmerci ✨\n".to_string();
    let bytes = build_message(&m);
    assert!(bytes.is_ascii(), "8-bit bytes must be encoded");
    let head = String::from_utf8_lossy(&bytes);
    for line in head.split("\r\n") {
        assert!(line.len() <= 78, "{} chars: {line}", line.len());
    }
    let mail = parse(&bytes);
    assert_eq!(header(&mail, "Subject"), m.subject);
    let to = addrparse_header(mail.headers.get_first_header("To").expect("To")).expect("To parses");
    let to = to.extract_single_info().expect("one recipient");
    assert_eq!(to.display_name.as_deref(), Some("Zoë Ångström"));
    let from = addrparse_header(mail.headers.get_first_header("From").expect("From"))
        .expect("From parses");
    assert_eq!(
        from.extract_single_info()
            .expect("one")
            .display_name
            .as_deref(),
        Some("Rivera, Sam")
    );
    assert_eq!(body(&mail), m.body);
}

#[test]
fn header_values_cannot_inject_headers() {
    let mut m = message();
    m.subject = "Hello\r\nBcc: someone@evil.example".to_string();
    m.to.name = "Ada\nX-Evil: 1".to_string();
    let bytes = build_message(&m);
    let mail = parse(&bytes);
    assert!(mail.headers.get_first_value("Bcc").is_none());
    assert!(mail.headers.get_first_value("X-Evil").is_none());
    assert_eq!(header(&mail, "Subject"), "Hello Bcc: someone@evil.example");
}

#[test]
fn a_reply_names_the_request_it_answers() {
    let mut m = message();
    m.in_reply_to = Some("<abc@client.example>".to_string());
    m.references = vec!["root@client.example".to_string()];
    let bytes = build_message(&m);
    let mail = parse(&bytes);
    assert_eq!(header(&mail, "In-Reply-To"), "<abc@client.example>");
    let references = header(&mail, "References");
    let references: Vec<&str> = references.split_whitespace().collect();
    assert_eq!(
        references,
        vec!["<root@client.example>", "<abc@client.example>"]
    );
}

#[test]
fn calendar_update_goes_along_as_an_alternative_to_the_text() {
    let mut m = message();
    m.calendar = Some(session_update_ics(&event()));
    let bytes = build_message(&m);
    let mail = parse(&bytes);
    // Outlook and Gmail show an invitation only inside multipart/alternative.
    assert_eq!(mail.ctype.mimetype, "multipart/alternative");
    assert_eq!(mail.subparts.len(), 2);

    let text = &mail.subparts[0];
    assert_eq!(text.ctype.mimetype, "text/plain");
    assert_eq!(body(text), m.body);

    let calendar = &mail.subparts[1];
    assert_eq!(calendar.ctype.mimetype, "text/calendar");
    assert_eq!(
        calendar.ctype.params.get("method").map(String::as_str),
        Some("REQUEST")
    );
    assert_eq!(calendar.ctype.charset.to_lowercase(), "utf-8");
    let ics = body(calendar).replace("\n ", "");
    assert!(ics.contains("UID:session-42@coachbook\n"), "{ics}");
    assert!(ics.contains("SEQUENCE:2\n"), "{ics}");
    assert!(ics.contains("METHOD:REQUEST\n"));
    assert!(ics.contains("DTSTART:20261125T090000Z\n"));
    assert!(ics.contains("LOCATION:https://meet.example.org/sam-ada\n"));
}

#[test]
fn one_session_of_a_series_goes_out_under_the_series_uid() {
    let mut m = message();
    let mut one = event();
    one.uid = "series-7@coachbook".into();
    one.recurrence_id = Some(
        Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0)
            .single()
            .expect("valid"),
    );
    m.calendar = Some(session_update_ics(&one));
    let bytes = build_message(&m);
    let mail = parse(&bytes);
    let ics = body(&mail.subparts[1]).replace("\n ", "");
    assert!(ics.contains("UID:series-7@coachbook\n"), "{ics}");
    assert!(ics.contains("RECURRENCE-ID:20261124T090000Z\n"), "{ics}");
}

#[test]
fn a_cancellation_part_says_cancel() {
    let mut m = message();
    let mut cancelled = event();
    cancelled.sequence = 3;
    m.calendar = Some(session_cancel_ics(&cancelled));
    let bytes = build_message(&m);
    let mail = parse(&bytes);
    assert_eq!(mail.ctype.mimetype, "multipart/alternative");
    assert_eq!(mail.subparts[0].ctype.mimetype, "text/plain");
    let calendar = &mail.subparts[1];
    assert_eq!(
        calendar.ctype.params.get("method").map(String::as_str),
        Some("CANCEL")
    );
    assert!(body(calendar).contains("SEQUENCE:3"));
}

#[test]
fn message_ids_are_unique_and_on_the_sender_domain() {
    let now = Utc
        .with_ymd_and_hms(2026, 11, 24, 8, 0, 0)
        .single()
        .expect("valid");
    let first = new_message_id("sam@example.org", now);
    let second = new_message_id("sam@example.org", now);
    assert_ne!(first, second);
    assert!(first.ends_with("@example.org"), "{first}");
    assert!(new_message_id("not-an-address", now).ends_with("@coachbook.invalid"));

    let mut m = message();
    m.message_id = first.clone();
    let bytes = build_message(&m);
    let mail = parse(&bytes);
    assert_eq!(header(&mail, "Message-ID"), format!("<{first}>"));
}
