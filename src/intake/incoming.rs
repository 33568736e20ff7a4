//! One raw message read for the book: who sent it, to whom, when, and what
//! it becomes. Pure: no book, no terminal.
//!
//! # Policy
//!
//! - **Auto-replies** (see [`crate::mail`] for the headers that mark them)
//!   are skipped and counted, whoever sent them: a vacation notice is no
//!   request and no answer.
//! - **From the coach** (an address in the config's `coach.addresses`): a
//!   reply, threaded later by In-Reply-To and References.
//! - **Anyone else**: a request, from the client who owns the address, or
//!   marked with the sender's address when no client does.
//! - A message with **no From: address** is still a request (a broken
//!   mailer is no reason to miss a client), from the unknown sender
//!   [`NO_SENDER`].
//! - **Message-ID** makes re-import idempotent. A message without one gets a
//!   stable synthetic id, `sha256.<first 32 hex digits of the SHA-256 of its
//!   raw bytes>@coachbook.invalid`, so the same file imported twice is the
//!   same message (the same mail saved with other line ends is not).
//! - **Time**: the Date header; without one, the file's modification time
//!   (a single `.eml` or a Maildir file); without that (an mbox entry), the
//!   time of the import.
//! - **Urgency**: normal, raised to urgent when the sender marked the mail
//!   important (`Importance: high`, `X-Priority: 1` or `2`, `Priority:
//!   urgent`). Never crisis: that is the coach's call.
//! - **Text**: the decoded Subject and the readable body. A mail with no
//!   text at all is kept with a note saying so, never dropped.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::mail::{MailItem, parse_message};
use crate::model::Urgency;

/// Stands in for the sender of a mail with no From: address.
pub const NO_SENDER: &str = "(no sender address)";

/// Stands in for the text of a mail that has none (say, only an attachment).
pub const NO_TEXT: &str = "(the mail has no text)";

/// What the import needs to know to read one message.
#[derive(Clone, Copy)]
pub struct Reading<'a> {
    /// The coach's own addresses, lower case.
    pub coach_addresses: &'a [String],
    /// The file's modification time, when the message is a file of its own;
    /// asked only when the Date header is missing.
    pub file_time: &'a dyn Fn() -> Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

/// A message ready to be recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    /// Names the message in a summary (file name or `mbox message N`).
    pub label: String,
    pub message_id: String,
    /// The sender's address, lower case.
    pub from: String,
    /// To and Cc addresses, lower case, in header order.
    pub recipients: Vec<String>,
    pub from_coach: bool,
    /// Sent (for a reply) or received (for a request).
    pub at: DateTime<Utc>,
    pub subject: Option<String>,
    pub body: String,
    pub urgency: Urgency,
    /// Message-IDs that may lead to the request this answers, nearest first.
    pub thread: Vec<String>,
}

/// What reading one message gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Read {
    Mail(Box<Incoming>),
    AutoReply,
    /// Not recordable, with a reason that never quotes the message.
    Unreadable(String),
}

/// Decode one raw message and decide what it is.
pub fn read_item(item: &MailItem, reading: Reading<'_>) -> Read {
    let message = match parse_message(&item.raw) {
        Ok(message) => message,
        Err(error) => return Read::Unreadable(short_reason(&error.to_string())),
    };
    if message.auto_reply {
        return Read::AutoReply;
    }
    if let Some(date) = message.date
        && let Err(err) = crate::domain::bounds::instant(date)
    {
        return Read::Unreadable(format!("its Date header: {err}"));
    }
    let from = message
        .from
        .map_or_else(|| NO_SENDER.to_string(), |address| address.email);
    let from_coach = reading.coach_addresses.contains(&from);
    let subject = message.subject.filter(|s| !s.trim().is_empty());
    let mut body = message.body_text;
    if body.trim().is_empty() && (from_coach || subject.is_none()) {
        body = NO_TEXT.to_string();
    }
    let mut thread = message.in_reply_to;
    for id in message.references.into_iter().rev() {
        if !thread.contains(&id) {
            thread.push(id);
        }
    }
    Read::Mail(Box::new(Incoming {
        label: item.label.clone(),
        message_id: message
            .message_id
            .filter(|id| !id.trim().is_empty())
            .unwrap_or_else(|| synthetic_message_id(&item.raw)),
        from,
        recipients: message
            .to
            .into_iter()
            .chain(message.cc)
            .map(|address| address.email)
            .collect(),
        from_coach,
        at: message
            .date
            .or_else(|| {
                (reading.file_time)().filter(|at| crate::domain::bounds::instant(*at).is_ok())
            })
            .unwrap_or(reading.now),
        subject,
        body,
        urgency: if message.important {
            Urgency::Urgent
        } else {
            Urgency::Normal
        },
        thread,
    }))
}

/// A stable id for a message that has none: the same bytes, the same id.
pub fn synthetic_message_id(raw: &[u8]) -> String {
    let digest = Sha256::digest(raw);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("sha256.{hex}@coachbook.invalid")
}

/// Urgent when the sender marked the mail important, else normal.
pub fn urgency_from_headers(raw: &[u8]) -> Urgency {
    let raw = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);
    let raw = match raw.strip_prefix(b"From ") {
        Some(rest) => rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(&[][..], |end| rest.get(end + 1..).unwrap_or_default()),
        None => raw,
    };
    let Ok((headers, _)) = mailparse::parse_headers(raw) else {
        return Urgency::Normal;
    };
    if crate::mail::marked_important(&headers) {
        Urgency::Urgent
    } else {
        Urgency::Normal
    }
}

/// Reasons go to the summary and may be logged: one line, bounded.
fn short_reason(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= 120 {
        return line;
    }
    let mut cut: String = line.chars().take(119).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(raw: &str) -> MailItem {
        MailItem {
            label: "test.eml".into(),
            raw: raw.as_bytes().to_vec(),
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-11-23T09:00:00Z".parse().expect("a valid instant")
    }

    fn read(raw: &str, coach: &[String]) -> Read {
        read_item(
            &item(raw),
            Reading {
                coach_addresses: coach,
                file_time: &|| None,
                now: now(),
            },
        )
    }

    fn mail(read: Read) -> Incoming {
        match read {
            Read::Mail(incoming) => *incoming,
            other => panic!("expected mail, got {other:?}"),
        }
    }

    #[test]
    fn a_client_message_is_read_with_its_thread_nearest_first() {
        let raw = "From: Ann <ANN@Example.org>\r\nTo: sam@coach.example, Bo <bo@x.example>\r\n\
                   Cc: cc@x.example\r\nSubject: Friday\r\nDate: Mon, 23 Nov 2026 08:00:00 +0000\r\n\
                   Message-ID: <m2@x>\r\nIn-Reply-To: <m1@x>\r\nReferences: <m0@x> <m1@x>\r\n\r\nHello\r\n";
        let incoming = mail(read(raw, &["sam@coach.example".into()]));
        assert_eq!(incoming.from, "ann@example.org");
        assert!(!incoming.from_coach);
        assert_eq!(incoming.message_id, "m2@x");
        assert_eq!(
            incoming.thread,
            vec!["m1@x".to_string(), "m0@x".to_string()]
        );
        assert_eq!(
            incoming.recipients,
            vec!["sam@coach.example", "bo@x.example", "cc@x.example"]
        );
        assert_eq!(incoming.at.to_rfc3339(), "2026-11-23T08:00:00+00:00");
        assert_eq!(incoming.urgency, Urgency::Normal);
        assert_eq!(incoming.body.trim(), "Hello");
    }

    #[test]
    fn mail_from_the_coach_is_marked_so() {
        let raw = "From: sam@coach.example\nTo: ann@example.org\nSubject: Re: x\n\nYes\n";
        assert!(mail(read(raw, &["sam@coach.example".into()])).from_coach);
    }

    #[test]
    fn a_missing_message_id_gets_a_stable_synthetic_one() {
        let raw = "From: a@b.example\nSubject: x\n\nbody\n";
        let first = mail(read(raw, &[])).message_id;
        let second = mail(read(raw, &[])).message_id;
        assert_eq!(first, second);
        assert!(first.starts_with("sha256.") && first.ends_with("@coachbook.invalid"));
        let other = mail(read("From: a@b.example\nSubject: y\n\nbody\n", &[])).message_id;
        assert_ne!(first, other);
    }

    #[test]
    fn a_missing_date_falls_back_to_the_file_time_then_now() {
        let raw = "From: a@b.example\nSubject: x\n\nbody\n";
        assert_eq!(mail(read(raw, &[])).at, now());
        let file_time: DateTime<Utc> = "2026-01-02T03:04:05Z".parse().expect("instant");
        let incoming = mail(read_item(
            &item(raw),
            Reading {
                coach_addresses: &[],
                file_time: &|| Some(file_time),
                now: now(),
            },
        ));
        assert_eq!(incoming.at, file_time);
    }

    #[test]
    fn importance_raises_to_urgent_never_crisis() {
        for header in [
            "Importance: High",
            "X-Priority: 1 (Highest)",
            "X-Priority: 2",
            "Priority: urgent",
        ] {
            let raw = format!("From: a@b.example\n{header}\nSubject: x\n\nbody\n");
            assert_eq!(mail(read(&raw, &[])).urgency, Urgency::Urgent, "{header}");
        }
        for header in ["Importance: normal", "X-Priority: 3", "Priority: normal"] {
            let raw = format!("From: a@b.example\n{header}\nSubject: x\n\nbody\n");
            assert_eq!(mail(read(&raw, &[])).urgency, Urgency::Normal, "{header}");
        }
        let with_envelope =
            "From a@b.example Mon Nov 23 08:00:00 2026\nFrom: a@b.example\nImportance: high\n\nx\n";
        assert_eq!(
            urgency_from_headers(with_envelope.as_bytes()),
            Urgency::Urgent
        );
    }

    #[test]
    fn auto_replies_no_sender_and_garbage_are_told_apart() {
        let auto = "From: a@b.example\nAuto-Submitted: auto-replied\nSubject: away\n\nbody\n";
        assert_eq!(read(auto, &[]), Read::AutoReply);
        let no_from = "To: a@b.example\nSubject: x\n\nbody\n";
        let incoming = mail(read(no_from, &[]));
        assert_eq!(incoming.from, NO_SENDER);
        assert!(!incoming.from_coach);
        assert!(matches!(
            read("just words, no headers", &[]),
            Read::Unreadable(_)
        ));
    }

    #[test]
    fn a_mail_without_text_keeps_a_note() {
        let raw = "From: a@b.example\n\n\n";
        assert_eq!(mail(read(raw, &[])).body, NO_TEXT);
        let with_subject = "From: a@b.example\nSubject: call me\n\n";
        assert_eq!(mail(read(with_subject, &[])).body, "");
    }
}
