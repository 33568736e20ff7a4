//! The review as CSV for a spreadsheet: one row per request received in the
//! range, with its wait and its target (clock minutes), and whether it was
//! answered within target (`true`, `false`, or empty while undecided).

use anyhow::Result;

use super::Review;
use super::json::InstantText;
use crate::domain::when::rfc3339_in;

pub const HEADER: [&str; 12] = [
    "id",
    "client",
    "received_at",
    "urgency",
    "reply_by",
    "first_reply_at",
    "waited_minutes",
    "target_minutes",
    "within_target",
    "waited_working_minutes",
    "status",
    "resolution",
];

/// The review as CSV, as the command writes it.
pub fn review_csv(review: &Review) -> Result<String> {
    let mut bytes = Vec::new();
    write_review_csv(review, &mut bytes)?;
    Ok(String::from_utf8(bytes)?)
}

/// Write the CSV to `out` row by row (the command streams it to stdout),
/// ready for a terminal: every field of text from the book (names, reasons)
/// goes through the sanitizer of `say!` (`text::visible`), after quoting;
/// the rest is digits, words and instants, which it leaves as they are.
/// The rows of requests are written field by field into a reused buffer,
/// quoted as the `csv` crate quotes them (RFC 4180: a field with a comma,
/// a quote, a CR or an LF in double quotes, quotes doubled): byte for byte
/// `text::visible` of the text of [`write_review_csv_by_records`] (test
/// `the_written_csv_is_the_csv_crates_text_made_visible`); the partings go
/// through the crate.
pub fn write_review_csv(review: &Review, out: &mut impl std::io::Write) -> Result<()> {
    /// Written to `out` in pieces of about this size.
    const CHUNK: usize = 8 * 1024;
    let tz = review.tz;
    let mut row: Vec<u8> = Vec::with_capacity(CHUNK + 512);
    for (n, field) in HEADER.iter().enumerate() {
        if n > 0 {
            row.push(b',');
        }
        push_field(&mut row, field);
    }
    row.push(b'\n');
    let mut instant = InstantText::new(tz);
    for o in &review.requests {
        push_int(&mut row, o.id);
        row.push(b',');
        push_visible_field(&mut row, &o.client);
        row.push(b',');
        row.extend_from_slice(instant.of_seconds(o.received_at));
        row.push(b',');
        row.extend_from_slice(o.urgency.as_str().as_bytes());
        row.push(b',');
        row.extend_from_slice(instant.of_seconds(o.reply_by));
        row.push(b',');
        if let Some(at) = o.first_reply_at {
            row.extend_from_slice(instant.of_seconds(at));
        }
        row.push(b',');
        if let Some(waited) = o.waited_minutes {
            push_int(&mut row, waited);
        }
        row.push(b',');
        push_int(&mut row, o.target_minutes);
        row.push(b',');
        row.extend_from_slice(match o.verdict.within_target() {
            Some(true) => b"true",
            Some(false) => b"false",
            None => b"",
        });
        row.push(b',');
        if let Some(working) = o.waited_working_minutes {
            push_int(&mut row, working);
        }
        row.push(b',');
        row.extend_from_slice(status_word(o).as_bytes());
        row.push(b',');
        row.extend_from_slice(o.resolution.as_str().as_bytes());
        row.push(b'\n');
        if row.len() >= CHUNK {
            out.write_all(&row)?;
            row.clear();
        }
    }
    out.write_all(&row)?;
    // The partings are few: through the crate, then the sanitizer.
    let mut endings = Vec::new();
    write_endings(review, &mut endings)?;
    out.write_all(crate::text::visible(&String::from_utf8(endings)?).as_bytes())?;
    Ok(())
}

/// The review as CSV through the `csv` crate's `write_record`, record by
/// record, not sanitized: the reference [`write_review_csv`] is tested
/// against.
pub fn write_review_csv_by_records(review: &Review, out: &mut impl std::io::Write) -> Result<()> {
    let tz = review.tz;
    let mut writer = csv::Writer::from_writer(&mut *out);
    writer.write_record(HEADER)?;
    for o in &review.requests {
        writer.write_record([
            o.id.to_string(),
            o.client.to_string(),
            rfc3339_in(super::utc(o.received_at), tz),
            o.urgency.as_str().to_string(),
            rfc3339_in(super::utc(o.reply_by), tz),
            o.first_reply_at
                .map(|at| rfc3339_in(super::utc(at), tz))
                .unwrap_or_default(),
            o.waited_minutes.map(|m| m.to_string()).unwrap_or_default(),
            o.target_minutes.to_string(),
            match o.verdict.within_target() {
                Some(true) => "true".into(),
                Some(false) => "false".into(),
                None => String::new(),
            },
            o.waited_working_minutes
                .map(|m| m.to_string())
                .unwrap_or_default(),
            status_word(o).to_string(),
            o.resolution.as_str().to_string(),
        ])?;
    }
    writer.flush()?;
    drop(writer);
    write_endings(review, out)
}

/// After an empty line, the partings of the range (when it has any).
fn write_endings(review: &Review, out: &mut impl std::io::Write) -> Result<()> {
    if review.endings.is_empty() {
        return Ok(());
    }
    out.write_all(b"\n")?;
    let mut endings = csv::Writer::from_writer(&mut *out);
    endings.write_record(ENDINGS_HEADER)?;
    for e in &review.endings {
        endings.write_record([
            e.client.clone(),
            rfc3339_in(e.ended_at, review.tz),
            e.reason.clone(),
            e.refund_cents.map(super::amount).unwrap_or_default(),
            e.referral.clone().unwrap_or_default(),
        ])?;
    }
    endings.flush()?;
    Ok(())
}

/// One field as the `csv` crate writes it with its defaults (comma, LF,
/// `QuoteStyle::Necessary`, doubled quotes): quoted when it holds a comma,
/// a quote, a CR or an LF. (A record of one empty field, which the crate
/// writes as `""`, never happens here: every row has twelve fields.)
fn push_field(row: &mut Vec<u8>, field: &str) {
    let bytes = field.as_bytes();
    if !bytes
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
    {
        row.extend_from_slice(bytes);
        return;
    }
    row.push(b'"');
    for &b in bytes {
        if b == b'"' {
            row.push(b'"');
        }
        row.push(b);
    }
    row.push(b'"');
}

/// [`push_field`], through `text::visible`.
fn push_visible_field(row: &mut Vec<u8>, field: &str) {
    if field
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
    {
        let mut quoted = Vec::with_capacity(field.len() + 2);
        push_field(&mut quoted, field);
        row.extend_from_slice(crate::text::visible(&String::from_utf8_lossy(&quoted)).as_bytes());
    } else {
        row.extend_from_slice(crate::text::visible(field).as_bytes());
    }
}

/// A whole number in decimal.
fn push_int(row: &mut Vec<u8>, n: i64) {
    if n < 0 {
        row.push(b'-');
    }
    row.extend_from_slice(super::json::decimal(n.unsigned_abs(), &mut [0u8; 20]));
}

/// The header of the partings table that follows the requests (only when
/// the range has partings).
pub const ENDINGS_HEADER: [&str; 5] = ["ended_client", "ended_at", "reason", "refund", "referral"];

/// A word for where the request stands, for filtering in a spreadsheet.
fn status_word(o: &super::RequestOutcome) -> &'static str {
    match (o.first_reply_at.is_some(), o.awaiting_coach) {
        (true, _) => "answered",
        (false, true) => "waiting",
        (false, false) if o.verdict == super::Verdict::Missed => "unanswered",
        (false, false) => "no reply owed",
    }
}
