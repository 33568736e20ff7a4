//! One RFC 5322 message decoded into a [`MailMessage`].

use chrono::{DateTime, Utc};

use super::body::Node;
use super::scan::{RawHeader, TopLevel};
use super::{auto_reply, body, headers, words};

/// A mail message decoded into plain values, ready for import as a request or reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailMessage {
    /// The Message-ID without the surrounding `<>`.
    pub message_id: Option<String>,
    pub from: Option<Address>,
    pub to: Vec<Address>,
    pub cc: Vec<Address>,
    /// The subject with encoded words decoded and folding removed.
    pub subject: Option<String>,
    pub date: Option<DateTime<Utc>>,
    /// Message ids (without `<>`) this message answers.
    pub in_reply_to: Vec<String>,
    /// Message ids (without `<>`) of the thread, oldest first.
    pub references: Vec<String>,
    /// The readable text of the message, with `\n` line ends.
    pub body_text: String,
    /// True when headers (or, secondarily, the subject) mark the message as
    /// sent by a machine on its own; see the module documentation.
    pub auto_reply: bool,
    /// The sender marked the mail important (`Importance: high`,
    /// `X-Priority: 1` or `2`, `Priority: urgent`).
    pub important: bool,
}

/// One mailbox: an optional display name and a lower-cased address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub name: Option<String>,
    /// Lower-cased, so the same person matches however they typed it.
    pub email: String,
}

/// Why a message could not be read. The reason never quotes the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    #[error("empty message")]
    Empty,
    #[error("not a mail message: {0}")]
    NotMail(&'static str),
    #[error("malformed message: {0}")]
    Malformed(String),
}

/// The largest header block read (real ones stay under 100 KiB; past this
/// a message is refused before the header parser sees it).
pub const MAX_HEADER_BLOCK_BYTES: usize = 1024 * 1024;

/// Decode the raw bytes of one message (an .eml file, one mbox entry, one
/// Maildir file). Missing headers become `None` or empty lists; only bytes
/// that are not a message at all give an error.
pub fn parse_message(raw: &[u8]) -> Result<MailMessage, MailError> {
    let raw = checked(raw)?;
    read(raw, TopLevel::read(raw))
}

/// The message from its first header on, once it is known to be mail: not
/// empty, headers within the cap and without NUL, a header field first.
fn checked(raw: &[u8]) -> Result<&[u8], MailError> {
    let raw = headers::skip_leading_blank_lines(skip_envelope_line(strip_utf8_bom(raw)));
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(MailError::Empty);
    }
    // NUL in the headers means binary data; in a body it may be a legal
    // binary-encoded attachment.
    let header_block = headers::header_block(raw);
    if header_block.len() > MAX_HEADER_BLOCK_BYTES {
        return Err(MailError::NotMail("headers longer than 1 MiB"));
    }
    if header_block.contains(&0) {
        return Err(MailError::NotMail("NUL bytes in the headers"));
    }
    if !headers::starts_with_header_field(raw) {
        return Err(MailError::NotMail("does not start with a header field"));
    }
    Ok(raw)
}

/// The message decoded from its top level as `scan` read it, else (`None`:
/// what that reader leaves, see `scan`) as mailparse reads it whole: the
/// same answer either way.
fn read(raw: &[u8], top: Option<TopLevel<'_>>) -> Result<MailMessage, MailError> {
    if let Some(top) = top {
        return Ok(decode(&top.fields, Node::Top(&top)));
    }
    let parsed =
        mailparse::parse_mail(raw).map_err(|error| MailError::Malformed(error.to_string()))?;
    Ok(decode(&parsed.headers, Node::Part(&parsed)))
}

/// [`parse_message`] with every message read by mailparse whole (what the
/// lean reader is compared with).
#[cfg(test)]
pub(crate) fn parse_message_by_mailparse(raw: &[u8]) -> Result<MailMessage, MailError> {
    read(checked(raw)?, None)
}

fn decode<H: RawHeader>(header_map: &[H], root: Node<'_, '_>) -> MailMessage {
    let charset = message_charset(root);
    let subject = headers::first_header(header_map, "Subject").map(|header| {
        words::decode_header(header.value_raw(), charset)
            .trim()
            .to_string()
    });
    MailMessage {
        message_id: headers::message_ids(header_map, "Message-ID")
            .into_iter()
            .next(),
        from: headers::addresses(header_map, "From", charset)
            .into_iter()
            .next(),
        to: headers::addresses(header_map, "To", charset),
        cc: headers::addresses(header_map, "Cc", charset),
        date: headers::date(header_map),
        in_reply_to: headers::message_ids(header_map, "In-Reply-To"),
        references: headers::message_ids(header_map, "References"),
        body_text: body::readable_text(root),
        auto_reply: auto_reply::is_auto_reply(header_map, subject.as_deref()),
        important: marked_important(header_map),
        subject,
    }
}

/// Whether the sender marked the mail important: `Importance: high`,
/// `X-Priority: 1` or `2`, or `Priority: urgent`.
pub(crate) fn marked_important<H: RawHeader>(headers: &[H]) -> bool {
    let value =
        |name: &str| headers::first_value(headers, name).map(|v| v.trim().to_ascii_lowercase());
    let importance_high = value("Importance").is_some_and(|v| v == "high");
    let x_priority_high =
        value("X-Priority").is_some_and(|v| v.starts_with('1') || v.starts_with('2'));
    let priority_urgent = value("Priority").is_some_and(|v| v == "urgent");
    importance_high || x_priority_high || priority_urgent
}

/// The charset unencoded 8-bit header text is read in: the message's own
/// (its Content-Type), else that of its first text part.
fn message_charset<'p>(root: Node<'p, '_>) -> Option<&'p str> {
    if let Some(charset) = root.ctype().params.get("charset") {
        return Some(charset.as_str());
    }
    root.subparts()
        .into_iter()
        .find(|part| part.ctype().mimetype.starts_with("text/"))
        .and_then(|part| part.ctype().params.get("charset"))
        .map(String::as_str)
}

/// A single message saved from an mbox keeps its `From sender date` line;
/// it is not a header, so it is skipped (a `From:` header is kept).
fn skip_envelope_line(raw: &[u8]) -> &[u8] {
    if !raw.starts_with(b"From ") {
        return raw;
    }
    match raw.iter().position(|&b| b == b'\n') {
        Some(line_end) => raw.get(line_end + 1..).unwrap_or_default(),
        None => &[],
    }
}

fn strip_utf8_bom(raw: &[u8]) -> &[u8] {
    raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
}
