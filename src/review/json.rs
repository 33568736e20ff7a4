//! The review as JSON: PRODUCT.md's contract (`from`, `to`,
//! `requests_received`, `first_reply`, `within_target`, `breaches`,
//! `unanswered`, `sessions`, `at_risk`) plus figures scripts may want:
//! working-hours times, apologies, promises, follow-ups, the daily trend and
//! every request. Instants carry the coach's offset; durations are minutes.

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value, json};

use super::{ReplyTimes, RequestOutcome, Review};
use crate::domain::when::rfc3339_in;

/// The review as a JSON value (tests and callers that want to look inside).
/// The command streams [`ReviewJson`] instead, which writes the same text
/// without building the tree.
pub fn review_json(review: &Review) -> Value {
    serde_json::to_value(ReviewJson(review)).unwrap_or(Value::Null)
}

/// Write the review as pretty JSON (and a line end) to `out`, one request
/// at a time: a ten-year review never holds its JSON in memory. The text is
/// [`ReviewJson`]'s through `serde_json::to_writer_pretty`, byte for byte
/// (test `the_written_json_is_serde_jsons_pretty_text`); the lists of
/// requests, most of it, are written field by field from fixed pieces.
pub fn write_review_json(review: &Review, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let Value::Object(head) = review_json_head(review) else {
        return Err(std::io::Error::other("the review's JSON is not an object"));
    };
    out.write_all(b"{")?;
    let mut first = true;
    let mut entry = |out: &mut dyn std::io::Write, key: &str| -> std::io::Result<()> {
        out.write_all(if first { b"\n  " } else { b",\n  " })?;
        first = false;
        write_str(out, key)?;
        out.write_all(b": ")
    };
    for (key, value) in &head {
        match key.as_str() {
            "breaches" | "unanswered" | "requests" => {
                let (list, shape) = match key.as_str() {
                    "breaches" => (&review.breaches, Shape::Breach),
                    "unanswered" => (&review.unanswered, Shape::Unanswered),
                    _ => (&review.requests, Shape::Request),
                };
                entry(out, key)?;
                write_outcomes(out, review, list, shape)?;
            }
            _ => {
                entry(out, key)?;
                // Pretty text one level in: every line after the first indented.
                let text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
                let mut lines = text.split('\n');
                if let Some(line) = lines.next() {
                    out.write_all(line.as_bytes())?;
                }
                for line in lines {
                    out.write_all(b"\n  ")?;
                    out.write_all(line.as_bytes())?;
                }
            }
        }
    }
    out.write_all(if first { b"}\n" } else { b"\n}\n" })
}

/// Every field of the review but the lists of requests (left `null`, in
/// their place): small, and written through `serde_json`.
fn review_json_head(review: &Review) -> Value {
    let empty = Review {
        requests: Vec::new(),
        breaches: Vec::new(),
        unanswered: Vec::new(),
        ..review_without_lists(review)
    };
    let mut head = review_json(&empty);
    if let Value::Object(map) = &mut head {
        for key in ["breaches", "unanswered", "requests"] {
            if let Some(value) = map.get_mut(key) {
                *value = Value::Null;
            }
        }
        if let Some(count) = map.get_mut("requests_received") {
            *count = json!(review.requests.len());
        }
    }
    head
}

/// The review with empty lists of requests (copied without them).
fn review_without_lists(review: &Review) -> Review {
    Review {
        range: review.range,
        tz: review.tz,
        now: review.now,
        requests: Vec::new(),
        first_reply: review.first_reply,
        first_reply_working: review.first_reply_working,
        within_target: review.within_target.clone(),
        breaches: Vec::new(),
        unanswered: Vec::new(),
        sessions: review.sessions,
        apologies_sent: review.apologies_sent,
        promises: review.promises,
        followups: review.followups,
        at_risk: review.at_risk.clone(),
        endings: review.endings.clone(),
        daily_medians: review.daily_medians.clone(),
    }
}

/// A list of requests as `serde_json` prints it two levels in.
fn write_outcomes(
    out: &mut dyn std::io::Write,
    review: &Review,
    list: &[RequestOutcome],
    shape: Shape,
) -> std::io::Result<()> {
    if list.is_empty() {
        return out.write_all(b"[]");
    }
    let tz = review.tz;
    let mut instant = InstantText::new(tz);
    out.write_all(b"[")?;
    for (n, o) in list.iter().enumerate() {
        out.write_all(if n == 0 { b"\n    {" } else { b",\n    {" })?;
        out.write_all(b"\n      \"request\": ")?;
        write_int(out, o.id)?;
        out.write_all(b",\n      \"client\": ")?;
        write_str(out, &o.client)?;
        match shape {
            Shape::Breach => {
                out.write_all(b",\n      \"waited_minutes\": ")?;
                write_opt_int(out, o.waited_minutes)?;
                out.write_all(b",\n      \"target_minutes\": ")?;
                write_int(out, o.target_minutes)?;
            }
            Shape::Unanswered => {
                out.write_all(b",\n      \"waiting_minutes\": ")?;
                write_opt_int(out, o.waited_minutes)?;
            }
            Shape::Request => {}
        }
        out.write_all(b",\n      \"urgency\": ")?;
        write_str(out, o.urgency.as_str())?;
        out.write_all(b",\n      \"received_at\": \"")?;
        out.write_all(instant.of(o.received_at).as_bytes())?;
        out.write_all(b"\",\n      \"reply_by\": \"")?;
        out.write_all(instant.of(o.reply_by).as_bytes())?;
        out.write_all(b"\",\n      \"first_reply_at\": ")?;
        match o.first_reply_at {
            Some(at) => {
                out.write_all(b"\"")?;
                out.write_all(instant.of(at).as_bytes())?;
                out.write_all(b"\"")?;
            }
            None => out.write_all(b"null")?,
        }
        out.write_all(b",\n      \"waited_working_minutes\": ")?;
        write_opt_int(out, o.waited_working_minutes)?;
        out.write_all(b",\n      \"within_target\": ")?;
        out.write_all(match o.verdict.within_target() {
            Some(true) => b"true",
            Some(false) => b"false",
            None => b"null",
        })?;
        out.write_all(b",\n      \"resolution\": ")?;
        write_str(out, o.resolution.as_str())?;
        out.write_all(b",\n      \"undelivered\": ")?;
        match o.undelivered {
            Some(d) => write_str(out, d.as_str())?,
            None => out.write_all(b"null")?,
        }
        match shape {
            Shape::Breach => {}
            Shape::Unanswered => {
                out.write_all(b",\n      \"overdue\": ")?;
                out.write_all(if o.reply_by < review.now {
                    b"true"
                } else {
                    b"false"
                })?;
            }
            Shape::Request => {
                out.write_all(b",\n      \"waited_minutes\": ")?;
                write_opt_int(out, o.waited_minutes)?;
                out.write_all(b",\n      \"target_minutes\": ")?;
                write_int(out, o.target_minutes)?;
            }
        }
        out.write_all(b"\n    }")?;
    }
    out.write_all(b"\n  ]")
}

/// A JSON string, escaped as `serde_json` escapes it.
fn write_str(out: &mut dyn std::io::Write, text: &str) -> std::io::Result<()> {
    serde_json::to_writer(out, text).map_err(std::io::Error::other)
}

/// A whole number in decimal, as `serde_json` writes it.
fn write_int(out: &mut dyn std::io::Write, n: i64) -> std::io::Result<()> {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        at -= 1;
        if let Some(slot) = digits.get_mut(at) {
            *slot = b'0' + (rest % 10) as u8;
        }
        rest /= 10;
        if rest == 0 || at == 0 {
            break;
        }
    }
    if n < 0 {
        out.write_all(b"-")?;
    }
    out.write_all(digits.get(at..).unwrap_or_default())
}

fn write_opt_int(out: &mut dyn std::io::Write, n: Option<i64>) -> std::io::Result<()> {
    match n {
        Some(n) => write_int(out, n),
        None => out.write_all(b"null"),
    }
}

/// [`rfc3339_in`] for many instants in one zone, into one reused buffer:
/// the digits written directly, the zone's offset looked up once per UTC
/// day when it is the same at both ends of the day (else for the instant
/// itself); an unusual year or an offset with seconds goes to `rfc3339_in`.
pub(crate) struct InstantText {
    tz: chrono_tz::Tz,
    text: String,
    /// Days seen lately (by day number modulo the size) and their offset.
    days: [(i64, Option<i32>); 64],
}

impl InstantText {
    pub(crate) fn new(tz: chrono_tz::Tz) -> InstantText {
        InstantText {
            tz,
            text: String::with_capacity(32),
            days: [(i64::MIN, None); 64],
        }
    }

    fn offset_at(&self, seconds: i64) -> Option<i32> {
        use chrono::{Offset, TimeZone};
        chrono::DateTime::from_timestamp(seconds, 0).map(|t| {
            self.tz
                .offset_from_utc_datetime(&t.naive_utc())
                .fix()
                .local_minus_utc()
        })
    }

    /// The zone's offset at `at`, in seconds east of UTC.
    fn offset(&mut self, at: chrono::DateTime<chrono::Utc>) -> Option<i32> {
        let day = at.timestamp().div_euclid(86_400);
        let slot = usize::try_from(day.rem_euclid(64)).unwrap_or(0);
        let steady = match self.days.get(slot) {
            Some((seen, offset)) if *seen == day => *offset,
            _ => {
                let start = self.offset_at(day * 86_400);
                let steady = start.filter(|s| Some(*s) == self.offset_at(day * 86_400 + 86_399));
                if let Some(entry) = self.days.get_mut(slot) {
                    *entry = (day, steady);
                }
                steady
            }
        };
        // A day the clock changes on: the offset of the instant itself.
        steady.or_else(|| self.offset_at(at.timestamp()))
    }

    pub(crate) fn of(&mut self, at: chrono::DateTime<chrono::Utc>) -> &str {
        use chrono::{Datelike, Timelike};
        self.text.clear();
        let local = self.offset(at).and_then(|o| {
            at.checked_add_signed(chrono::Duration::seconds(i64::from(o)))
                .map(|l| (l.naive_utc(), o))
        });
        match local {
            Some((local, offset)) if (0..=9999).contains(&local.year()) && offset % 60 == 0 => {
                let minutes = offset.unsigned_abs() / 60;
                let year = local.year().unsigned_abs();
                let text = &mut self.text;
                two_digits(text, year / 100);
                two_digits(text, year % 100);
                text.push('-');
                two_digits(text, local.month());
                text.push('-');
                two_digits(text, local.day());
                text.push('T');
                two_digits(text, local.hour());
                text.push(':');
                two_digits(text, local.minute());
                text.push(':');
                two_digits(text, local.second());
                text.push(if offset < 0 { '-' } else { '+' });
                two_digits(text, minutes / 60);
                text.push(':');
                two_digits(text, minutes % 60);
            }
            _ => self.text.push_str(&rfc3339_in(at, self.tz)),
        }
        &self.text
    }
}

/// `n` (below 100) as two digits.
fn two_digits(text: &mut String, n: u32) {
    for digit in [n / 10 % 10, n % 10] {
        text.push(char::from_digit(digit, 10).unwrap_or('0'));
    }
}

/// The review, serialized field by field in the contract's order.
pub struct ReviewJson<'a>(pub &'a Review);

impl Serialize for ReviewJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let review = self.0;
        let tz = review.tz;
        let mut within_target = Map::new();
        for share in &review.within_target {
            within_target.insert(
                share.urgency.as_str().to_string(),
                json!({"met": share.met, "total": share.total}),
            );
        }
        let s = &review.sessions;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("from", &review.range.from.to_string())?;
        map.serialize_entry("to", &review.range.to.to_string())?;
        map.serialize_entry("time_zone", tz.name())?;
        map.serialize_entry("as_of", &rfc3339_in(review.now, tz))?;
        map.serialize_entry("requests_received", &review.requests.len())?;
        map.serialize_entry("first_reply", &times_json(&review.first_reply))?;
        map.serialize_entry(
            "first_reply_working",
            &times_json(&review.first_reply_working),
        )?;
        map.serialize_entry("within_target", &within_target)?;
        map.serialize_entry(
            "breaches",
            &Outcomes(review, &review.breaches, Shape::Breach),
        )?;
        map.serialize_entry(
            "unanswered",
            &Outcomes(review, &review.unanswered, Shape::Unanswered),
        )?;
        map.serialize_entry(
            "sessions",
            &json!({
                "held": s.held,
                "rescheduled_by_coach": s.rescheduled_by_coach,
                "rescheduled_by_client": s.rescheduled_by_client,
                "cancelled": s.cancelled,
                "no_show": s.no_show,
                "booked": s.booked,
            }),
        )?;
        map.serialize_entry(
            "at_risk",
            &review
                .at_risk
                .iter()
                .map(|a| {
                    json!({
                        "client": a.client,
                        "client_id": a.client_id,
                        "reasons": a.reasons.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    })
                })
                .collect::<Vec<_>>(),
        )?;
        map.serialize_entry(
            "endings",
            &review
                .endings
                .iter()
                .map(|e| {
                    json!({
                        "client": e.client,
                        "ended_at": rfc3339_in(e.ended_at, review.tz),
                        "reason": e.reason,
                        "refund": e.refund_cents.map(super::amount),
                        "referral": e.referral,
                    })
                })
                .collect::<Vec<_>>(),
        )?;
        map.serialize_entry("endings_count", &review.endings.len())?;
        map.serialize_entry("refunds_total", &super::amount(review.refunds_cents()))?;
        map.serialize_entry("apologies_sent", &review.apologies_sent)?;
        map.serialize_entry(
            "promises",
            &json!({
                "kept": review.promises.kept,
                "broken": review.promises.broken,
                "pending": review.promises.pending,
            }),
        )?;
        map.serialize_entry(
            "followups",
            &json!({
                "done": review.followups.done,
                "overdue": review.followups.overdue,
                "pending": review.followups.pending,
            }),
        )?;
        map.serialize_entry(
            "daily_median_first_reply",
            &review
                .daily_medians
                .iter()
                .map(|d| {
                    json!({
                        "date": d.date.to_string(),
                        "answered": d.answered,
                        "median_minutes": d.median_minutes,
                    })
                })
                .collect::<Vec<_>>(),
        )?;
        map.serialize_entry(
            "requests",
            &Outcomes(review, &review.requests, Shape::Request),
        )?;
        map.end()
    }
}

/// Which list a request is shown in: each has its own first fields.
#[derive(Clone, Copy)]
enum Shape {
    Breach,
    Unanswered,
    Request,
}

/// A list of requests, serialized one object at a time.
struct Outcomes<'a>(&'a Review, &'a [RequestOutcome], Shape);

impl Serialize for Outcomes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.1.len()))?;
        for outcome in self.1 {
            seq.serialize_element(&OutcomeJson(self.0, outcome, self.2))?;
        }
        seq.end()
    }
}

struct OutcomeJson<'a>(&'a Review, &'a RequestOutcome, Shape);

impl Serialize for OutcomeJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let OutcomeJson(review, o, shape) = *self;
        let tz = review.tz;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("request", &o.id)?;
        map.serialize_entry("client", &o.client)?;
        match shape {
            Shape::Breach => {
                map.serialize_entry("waited_minutes", &o.waited_minutes)?;
                map.serialize_entry("target_minutes", &o.target_minutes)?;
            }
            Shape::Unanswered => map.serialize_entry("waiting_minutes", &o.waited_minutes)?,
            Shape::Request => {}
        }
        map.serialize_entry("urgency", o.urgency.as_str())?;
        map.serialize_entry("received_at", &rfc3339_in(o.received_at, tz))?;
        map.serialize_entry("reply_by", &rfc3339_in(o.reply_by, tz))?;
        map.serialize_entry(
            "first_reply_at",
            &o.first_reply_at.map(|at| rfc3339_in(at, tz)),
        )?;
        map.serialize_entry("waited_working_minutes", &o.waited_working_minutes)?;
        map.serialize_entry("within_target", &o.verdict.within_target())?;
        map.serialize_entry("resolution", o.resolution.as_str())?;
        map.serialize_entry("undelivered", &o.undelivered.map(|d| d.as_str()))?;
        match shape {
            Shape::Breach => {}
            Shape::Unanswered => map.serialize_entry("overdue", &(o.reply_by < review.now))?,
            Shape::Request => {
                map.serialize_entry("waited_minutes", &o.waited_minutes)?;
                map.serialize_entry("target_minutes", &o.target_minutes)?;
            }
        }
        map.end()
    }
}

fn times_json(times: &ReplyTimes) -> Value {
    json!({
        "count": times.count,
        "median_minutes": times.median_minutes,
        "p90_minutes": times.p90_minutes,
        "max_minutes": times.max_minutes,
    })
}

/// Set `key` of a JSON object (replacing any value there); other values are left alone.
pub(crate) fn set(value: &mut Value, key: &str, field: Value) {
    if let Value::Object(map) = value {
        map.insert(key.to_owned(), field);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_are_written_as_serde_json_writes_them() {
        for n in [0, 7, -7, 10, 99, 100, -100, 123_456_789, i64::MAX, i64::MIN] {
            let mut out = Vec::new();
            write_int(&mut out, n).expect("written");
            assert_eq!(out, serde_json::to_vec(&n).expect("serde"), "{n}");
        }
    }
}
