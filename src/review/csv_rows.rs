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

pub fn review_csv(review: &Review) -> Result<String> {
    let mut bytes = Vec::new();
    write_review_csv(review, &mut bytes)?;
    Ok(String::from_utf8(bytes)?)
}

/// Write the CSV to `out` row by row (the command streams it to stdout).
pub fn write_review_csv(review: &Review, out: &mut impl std::io::Write) -> Result<()> {
    let tz = review.tz;
    let mut writer = csv::Writer::from_writer(&mut *out);
    writer.write_record(HEADER)?;
    let mut numbers = [itoa_buffer(), itoa_buffer(), itoa_buffer(), itoa_buffer()];
    let mut instants = [
        InstantText::new(tz),
        InstantText::new(tz),
        InstantText::new(tz),
    ];
    for o in &review.requests {
        let [id, waited, target, working] = &mut numbers;
        let [received, reply_by, first_reply] = &mut instants;
        writer.write_record([
            number(id, Some(o.id)),
            o.client.as_str(),
            received.of(o.received_at),
            o.urgency.as_str(),
            reply_by.of(o.reply_by),
            match o.first_reply_at {
                Some(at) => first_reply.of(at),
                None => "",
            },
            number(waited, o.waited_minutes),
            number(target, Some(o.target_minutes)),
            match o.verdict.within_target() {
                Some(true) => "true",
                Some(false) => "false",
                None => "",
            },
            number(working, o.waited_working_minutes),
            status_word(o),
            o.resolution.as_str(),
        ])?;
    }
    writer.flush()?;
    drop(writer);
    if !review.endings.is_empty() {
        // A second table after an empty line: the partings of the range.
        out.write_all(b"\n")?;
        let mut endings = csv::Writer::from_writer(&mut *out);
        endings.write_record(ENDINGS_HEADER)?;
        for e in &review.endings {
            endings.write_record([
                e.client.clone(),
                rfc3339_in(e.ended_at, tz),
                e.reason.clone(),
                e.refund_cents.map(super::amount).unwrap_or_default(),
                e.referral.clone().unwrap_or_default(),
            ])?;
        }
        endings.flush()?;
    }
    Ok(())
}

fn itoa_buffer() -> String {
    String::with_capacity(20)
}

/// A whole number written into a reused buffer (empty for none).
fn number(buffer: &mut String, n: Option<i64>) -> &str {
    use std::fmt::Write as _;
    buffer.clear();
    if let Some(n) = n {
        let _ = write!(buffer, "{n}");
    }
    buffer.as_str()
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
