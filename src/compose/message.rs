//! RFC 5322 messages for the coach's own mail tool to send: a UTF-8 text
//! body, and the session's calendar update alongside when there is one.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, FixedOffset, Utc};

use super::encoding::{encoded_words, quoted_printable};

/// A name and a mail address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    pub name: String,
    pub address: String,
}

/// Everything that goes into one outgoing message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    pub from: Mailbox,
    pub to: Mailbox,
    pub subject: String,
    pub body: String,
    /// In the coach's offset, as the client's mail program will show it.
    pub date: DateTime<FixedOffset>,
    /// `unique@domain`, without angle brackets; see `new_message_id`. The
    /// caller records it to match the client's answer later.
    pub message_id: String,
    /// Message-ID of the client's message this answers, if any.
    pub in_reply_to: Option<String>,
    /// Message-IDs of the thread so far, oldest first.
    pub references: Vec<String>,
    /// An iCalendar object (see `session_update_ics`) sent along as a
    /// `text/calendar` part; its METHOD line names the part's method.
    pub calendar: Option<String>,
}

/// A fresh Message-ID (without angle brackets) on the domain of the
/// sender's address: unique per instant, process and call.
pub fn new_message_id(from_address: &str, now: DateTime<Utc>) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let domain = from_address
        .rsplit_once('@')
        .map(|(_, domain)| clean_id_part(domain))
        .filter(|domain| !domain.is_empty())
        .unwrap_or_else(|| "coachbook.invalid".to_string());
    format!(
        "coachbook.{}.{}.{}.{count}@{domain}",
        now.format("%Y%m%dT%H%M%S"),
        now.timestamp_subsec_nanos(),
        std::process::id()
    )
}

/// The message as bytes with CRLF line ends, ready for `sendmail -t` or an
/// `.eml` file.
pub fn build_message(m: &OutgoingMessage) -> Vec<u8> {
    let mut headers = vec![
        format!("From: {}", mailbox_header(&m.from, "From: ")),
        format!("To: {}", mailbox_header(&m.to, "To: ")),
        format!("Subject: {}", subject_header(&m.subject)),
        format!("Date: {}", m.date.to_rfc2822()),
        format!("Message-ID: {}", angle_id(&m.message_id)),
    ];
    if let Some(parent) = &m.in_reply_to {
        headers.push(format!("In-Reply-To: {}", angle_id(parent)));
    }
    let mut references: Vec<String> = m.references.iter().map(|id| angle_id(id)).collect();
    if let Some(parent) = &m.in_reply_to
        && !references.contains(&angle_id(parent))
    {
        references.push(angle_id(parent));
    }
    if !references.is_empty() {
        headers.push(format!("References: {}", references.join("\r\n ")));
    }
    headers.push("MIME-Version: 1.0".to_string());

    let text_part = [
        "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: quoted-printable",
    ];
    let mut out = String::new();
    for header in &headers {
        out.push_str(header);
        out.push_str("\r\n");
    }
    match &m.calendar {
        None => {
            push_part(&mut out, &text_part, &m.body);
        }
        Some(calendar) => {
            // multipart/alternative, the plain text first: Outlook, Gmail and
            // Apple Mail recognise an invitation (with its accept buttons)
            // only there; a reader without calendar support shows the text.
            // "=_" never occurs in quoted-printable text, so the boundary
            // cannot collide with either part (RFC 2045, 6.7).
            let boundary = boundary_for(&m.message_id);
            out.push_str(&format!(
                "Content-Type: multipart/alternative;\r\n boundary=\"{boundary}\"\r\n\r\n"
            ));
            out.push_str(&format!("--{boundary}\r\n"));
            push_part(&mut out, &text_part, &m.body);
            out.push_str(&format!("\r\n--{boundary}\r\n"));
            let calendar_type = format!(
                "Content-Type: text/calendar; method={}; charset=UTF-8",
                calendar_method(calendar)
            );
            push_part(
                &mut out,
                &[
                    &calendar_type,
                    "Content-Transfer-Encoding: quoted-printable",
                ],
                calendar,
            );
            out.push_str(&format!("\r\n--{boundary}--\r\n"));
        }
    }
    out.into_bytes()
}

fn push_part(out: &mut String, headers: &[&str], content: &str) {
    for header in headers {
        out.push_str(header);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out.push_str(&quoted_printable(content));
    if !out.ends_with("\r\n") {
        out.push_str("\r\n");
    }
}

/// The METHOD of an iCalendar object, `REQUEST` when it names none.
fn calendar_method(calendar: &str) -> String {
    calendar
        .lines()
        .find_map(|line| line.strip_prefix("METHOD:"))
        .map(|method| {
            method
                .trim()
                .chars()
                .filter(|ch| ch.is_ascii_alphanumeric() || *ch == '-')
                .collect::<String>()
        })
        .filter(|method| !method.is_empty())
        .unwrap_or_else(|| "REQUEST".to_string())
}

/// `Name <address>`, the name quoted or encoded as needed.
fn mailbox_header(mailbox: &Mailbox, header_name: &str) -> String {
    let address: String = mailbox
        .address
        .chars()
        .filter(|ch| !ch.is_control() && !ch.is_whitespace() && !matches!(ch, '<' | '>'))
        .collect();
    let name = single_line(&mailbox.name);
    if name.is_empty() {
        format!("<{address}>")
    } else {
        format!("{} <{address}>", display_name(&name, header_name.len()))
    }
}

/// A display name as atoms when it can be, a quoted string when it holds
/// specials, encoded words when it is not ASCII.
fn display_name(name: &str, first_line_used: usize) -> String {
    let is_atom_text = |ch: char| ch.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~ ".contains(ch);
    if name.chars().all(is_atom_text) {
        name.to_string()
    } else if name.is_ascii() {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        encoded_words(name, first_line_used)
    }
}

/// The subject on one logical line: plain when it is ASCII (folded at
/// spaces when long), encoded words otherwise.
fn subject_header(subject: &str) -> String {
    let subject = single_line(subject);
    if !subject.is_ascii() || subject.contains("=?") {
        return encoded_words(&subject, "Subject: ".len());
    }
    let mut folded = String::new();
    let mut width = "Subject: ".len();
    for (index, word) in subject.split(' ').enumerate() {
        if index > 0 {
            if width + 1 + word.len() > 78 {
                folded.push_str("\r\n");
                width = 0;
            }
            folded.push(' ');
            width += 1;
        }
        folded.push_str(word);
        width += word.len();
    }
    folded
}

/// Header values never carry line breaks of their own: that would let a
/// value add headers.
fn single_line(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A boundary unique to this message, of characters RFC 2046 allows.
fn boundary_for(message_id: &str) -> String {
    let unique: String = message_id
        .chars()
        .filter(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '.' | '-' | '_'))
        .take(50)
        .collect();
    format!("=_coachbook_{unique}")
}

fn angle_id(id: &str) -> String {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    format!("<{}>", clean_id_part(id))
}

/// Only characters that are safe inside a msg-id or boundary.
fn clean_id_part(value: &str) -> String {
    value
        .chars()
        .filter(|ch| ch.is_ascii_graphic() && !matches!(ch, '<' | '>' | '"' | '\\' | '(' | ')'))
        .collect()
}
