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
/// at a time: a ten-year review never holds its JSON in memory.
pub fn write_review_json(review: &Review, out: &mut impl std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &ReviewJson(review))?;
    out.write_all(b"\n")
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
