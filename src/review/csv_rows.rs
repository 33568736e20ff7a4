//! The review as CSV for a spreadsheet: one row per request received in the
//! range, with its wait and its target (clock minutes), and whether it was
//! answered within target (`true`, `false`, or empty while undecided).

use anyhow::Result;

use super::Review;
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
    let tz = review.tz;
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(HEADER)?;
    for o in &review.requests {
        let optional = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        writer.write_record([
            o.id.to_string(),
            o.client.clone(),
            rfc3339_in(o.received_at, tz),
            o.urgency.as_str().to_string(),
            rfc3339_in(o.reply_by, tz),
            o.first_reply_at
                .map(|at| rfc3339_in(at, tz))
                .unwrap_or_default(),
            optional(o.waited_minutes),
            o.target_minutes.to_string(),
            o.verdict
                .within_target()
                .map(|ok| ok.to_string())
                .unwrap_or_default(),
            optional(o.waited_working_minutes),
            status_word(o).to_string(),
            o.resolution.as_str().to_string(),
        ])?;
    }
    let mut bytes = writer.into_inner().map_err(|err| err.into_error())?;
    if !review.endings.is_empty() {
        // A second table after an empty line: the partings of the range.
        bytes.push(b'\n');
        let mut endings = csv::Writer::from_writer(bytes);
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
        bytes = endings.into_inner().map_err(|err| err.into_error())?;
    }
    Ok(String::from_utf8(bytes)?)
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
