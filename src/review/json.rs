//! The review as JSON: PRODUCT.md's contract (`from`, `to`,
//! `requests_received`, `first_reply`, `within_target`, `breaches`,
//! `unanswered`, `sessions`, `at_risk`) plus figures scripts may want:
//! working-hours times, apologies, promises, follow-ups, the daily trend and
//! every request. Instants carry the coach's offset; durations are minutes.

use serde_json::{Map, Value, json};

use super::{ReplyTimes, RequestOutcome, Review};
use crate::domain::when::rfc3339_in;

pub fn review_json(review: &Review) -> Value {
    let tz = review.tz;
    let mut within_target = Map::new();
    for share in &review.within_target {
        within_target.insert(
            share.urgency.as_str().to_string(),
            json!({"met": share.met, "total": share.total}),
        );
    }
    let s = &review.sessions;
    json!({
        "from": review.range.from.to_string(),
        "to": review.range.to.to_string(),
        "time_zone": tz.name(),
        "as_of": rfc3339_in(review.now, tz),
        "requests_received": review.requests.len(),
        "first_reply": times_json(&review.first_reply),
        "first_reply_working": times_json(&review.first_reply_working),
        "within_target": within_target,
        "breaches": review.breaches.iter().map(|o| {
            let mut value = json!({
                "request": o.id,
                "client": o.client,
                "waited_minutes": o.waited_minutes,
                "target_minutes": o.target_minutes,
            });
            extend(&mut value, outcome_details(o, review));
            value
        }).collect::<Vec<_>>(),
        "unanswered": review.unanswered.iter().map(|o| {
            let mut value = json!({
                "request": o.id,
                "client": o.client,
                "waiting_minutes": o.waited_minutes,
            });
            extend(&mut value, outcome_details(o, review));
            set(&mut value, "overdue", json!(o.reply_by < review.now));
            value
        }).collect::<Vec<_>>(),
        "sessions": {
            "held": s.held,
            "rescheduled_by_coach": s.rescheduled_by_coach,
            "rescheduled_by_client": s.rescheduled_by_client,
            "cancelled": s.cancelled,
            "no_show": s.no_show,
            "booked": s.booked,
        },
        "at_risk": review.at_risk.iter().map(|a| json!({
            "client": a.client,
            "client_id": a.client_id,
            "reasons": a.reasons.iter().map(ToString::to_string).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "endings": review.endings.iter().map(|e| json!({
            "client": e.client,
            "ended_at": rfc3339_in(e.ended_at, review.tz),
            "reason": e.reason,
            "refund": e.refund_cents.map(super::amount),
            "referral": e.referral,
        })).collect::<Vec<_>>(),
        "endings_count": review.endings.len(),
        "refunds_total": super::amount(review.refunds_cents()),
        "apologies_sent": review.apologies_sent,
        "promises": {
            "kept": review.promises.kept,
            "broken": review.promises.broken,
            "pending": review.promises.pending,
        },
        "followups": {
            "done": review.followups.done,
            "overdue": review.followups.overdue,
            "pending": review.followups.pending,
        },
        "daily_median_first_reply": review.daily_medians.iter().map(|d| json!({
            "date": d.date.to_string(),
            "answered": d.answered,
            "median_minutes": d.median_minutes,
        })).collect::<Vec<_>>(),
        "requests": review.requests.iter().map(|o| {
            let mut value = json!({"request": o.id, "client": o.client});
            extend(&mut value, outcome_details(o, review));
            set(&mut value, "waited_minutes", json!(o.waited_minutes));
            set(&mut value, "target_minutes", json!(o.target_minutes));
            value
        }).collect::<Vec<_>>(),
    })
}

fn times_json(times: &ReplyTimes) -> Value {
    json!({
        "count": times.count,
        "median_minutes": times.median_minutes,
        "p90_minutes": times.p90_minutes,
        "max_minutes": times.max_minutes,
    })
}

fn outcome_details(o: &RequestOutcome, review: &Review) -> Value {
    let tz = review.tz;
    json!({
        "urgency": o.urgency.as_str(),
        "received_at": rfc3339_in(o.received_at, tz),
        "reply_by": rfc3339_in(o.reply_by, tz),
        "first_reply_at": o.first_reply_at.map(|at| rfc3339_in(at, tz)),
        "waited_working_minutes": o.waited_working_minutes,
        "within_target": o.verdict.within_target(),
        "resolution": o.resolution.as_str(),
        "undelivered": o.undelivered.map(|d| d.as_str()),
    })
}

/// Set `key` of a JSON object (replacing any value there); other values are left alone.
pub(crate) fn set(value: &mut Value, key: &str, field: Value) {
    if let Value::Object(map) = value {
        map.insert(key.to_owned(), field);
    }
}

fn extend(value: &mut Value, more: Value) {
    if let (Value::Object(target), Value::Object(more)) = (value, more) {
        for (key, item) in more {
            target.entry(key).or_insert(item);
        }
    }
}
