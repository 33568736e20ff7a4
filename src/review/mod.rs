//! The end-of-day review: how long each client waited for a first answer,
//! who waited too long, what became of the sessions, promises and
//! follow-ups, and who is at risk.
//!
//! `gather` reads the book through the store's queries; `compute` turns what
//! was read into figures in plain Rust (no SQL, no clock, no terminal), so
//! every figure can be checked against hand-computed values. The exports
//! (`text`, `markdown`, `csv_rows`, `json`) and the TUI screen (`view`) only
//! present a computed [`Review`].

mod at_risk;
mod compute;
pub mod csv_rows;
mod gather;
pub mod json;
pub mod markdown;
mod offsets;
pub mod text;
pub mod view;
pub mod words;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

pub use at_risk::{
    AtRisk, BOOKED_AHEAD_DAYS, ClientFacts, NO_CONTACT_DAYS, RiskReason, at_risk_clients,
    missed_reply_bys, risk_reasons,
};
pub use compute::{
    ReviewInput, compute, followup_counts, judge, nearest_rank, outcome, outcome_in,
    promise_counts, session_counts,
};
pub use gather::{ToJudge, client_facts, facts_of, facts_of_clients, gather};

use crate::error::BadInput;
use crate::model::Urgency;

/// How many days the trend chart covers, ending on the review's last day.
pub const TREND_DAYS: i64 = 14;

/// The days a review covers, both included, in the coach's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl ReviewRange {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<ReviewRange, BadInput> {
        if to < from {
            return Err(BadInput(format!(
                "--to {to} is before --from {from}; the range runs forward"
            )));
        }
        Ok(ReviewRange { from, to })
    }

    pub fn day(date: NaiveDate) -> ReviewRange {
        ReviewRange {
            from: date,
            to: date,
        }
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }

    pub fn is_one_day(&self) -> bool {
        self.from == self.to
    }
}

/// How a request stands against its reply-by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// First reply sent by the reply-by.
    Met,
    /// First reply sent after the reply-by, or still none past it.
    Missed,
    /// No reply yet, and the reply-by is still ahead.
    Pending,
    /// No reply, and none is owed now: closed, or waiting on the client
    /// (the clock is paused), before its reply-by passed.
    NotJudged,
}

impl Verdict {
    /// `Some(true)` met, `Some(false)` missed, `None` not decided.
    pub fn within_target(self) -> Option<bool> {
        match self {
            Verdict::Met => Some(true),
            Verdict::Missed => Some(false),
            Verdict::Pending | Verdict::NotJudged => None,
        }
    }
}

/// One request received in the range, with its wait and its target.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestOutcome {
    pub id: i64,
    /// The client's name (shared by the outcomes of one review).
    pub client: std::sync::Arc<str>,
    pub urgency: Urgency,
    /// Instants in seconds since 1970-01-01 UTC, as stored (whole
    /// seconds); [`utc`] makes a time of one.
    pub received_at: i64,
    pub reply_by: i64,
    pub first_reply_at: Option<i64>,
    /// Clock minutes to the first reply; for a request still waiting for the
    /// coach, the minutes waited so far; `None` when no reply is owed.
    pub waited_minutes: Option<i64>,
    /// The same wait counted in working hours only.
    pub waited_working_minutes: Option<i64>,
    /// Clock minutes from receipt to the reply-by: the wait allowed.
    pub target_minutes: i64,
    pub verdict: Verdict,
    /// Still waiting for the coach (open or snoozed, no delivered reply).
    pub awaiting_coach: bool,
    /// How it ended: answered, handed off, closed without reply, still waiting.
    pub resolution: crate::model::Resolution,
    /// A reply that waits for delivery (failed or in the outbox), if any.
    pub undelivered: Option<crate::model::DeliveryState>,
}

/// A stored instant (seconds since 1970-01-01 UTC) as a time: every one
/// the store gives is in the years coachbook accepts, which chrono holds.
pub fn utc(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

impl RequestOutcome {
    /// Its reply-by has passed at `now`.
    pub fn overdue_at(&self, now: DateTime<Utc>) -> bool {
        utc(self.reply_by) < now
    }

    /// Minutes past the reply-by (0 when within it).
    pub fn late_minutes(&self) -> i64 {
        match self.waited_minutes {
            Some(waited) => (waited - self.target_minutes).max(0),
            None => 0,
        }
    }
}

/// First-reply times of the answered requests: nearest-rank median and p90.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReplyTimes {
    pub count: usize,
    pub median_minutes: Option<i64>,
    pub p90_minutes: Option<i64>,
    pub max_minutes: Option<i64>,
}

/// Answered within target, for one urgency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetShare {
    pub urgency: Urgency,
    pub met: usize,
    /// Met plus missed; pending requests are not counted yet.
    pub total: usize,
}

impl TargetShare {
    pub fn percent(&self) -> Option<u64> {
        (self.total > 0).then(|| (self.met * 100 / self.total) as u64)
    }
}

/// What became of the sessions set in the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SessionCounts {
    pub held: usize,
    /// Sessions originally set in the range that the coach moved.
    pub rescheduled_by_coach: usize,
    pub rescheduled_by_client: usize,
    pub cancelled: usize,
    pub no_show: usize,
    /// Still booked (in the future, or not yet marked).
    pub booked: usize,
}

/// Promises (follow-ups of kind promise) due in the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PromiseCounts {
    /// Done by the time promised.
    pub kept: usize,
    /// Done late, or not done and past due.
    pub broken: usize,
    /// Not done, not due yet.
    pub pending: usize,
}

/// Follow-ups of every kind due in the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FollowUpCounts {
    pub done: usize,
    pub overdue: usize,
    pub pending: usize,
}

/// The median first reply of the requests received on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DailyMedian {
    pub date: NaiveDate,
    pub answered: usize,
    pub median_minutes: Option<i64>,
}

/// Every figure of the review, ready to present.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub range: ReviewRange,
    pub tz: Tz,
    /// When the review was taken: waits of unanswered requests run to here.
    pub now: DateTime<Utc>,
    /// Requests received in the range, in order of receipt.
    pub requests: Vec<RequestOutcome>,
    /// In clock minutes.
    pub first_reply: ReplyTimes,
    /// In working-hours minutes.
    pub first_reply_working: ReplyTimes,
    /// One per urgency, most urgent first.
    pub within_target: Vec<TargetShare>,
    /// Missed reply-bys, in order of receipt.
    pub breaches: Vec<RequestOutcome>,
    /// Still waiting for the coach, oldest first.
    pub unanswered: Vec<RequestOutcome>,
    pub sessions: SessionCounts,
    pub apologies_sent: usize,
    pub promises: PromiseCounts,
    pub followups: FollowUpCounts,
    pub at_risk: Vec<AtRisk>,
    /// Partings in the range, in order.
    pub endings: Vec<Ending>,
    /// The last [`TREND_DAYS`] days up to the range's last day, oldest first.
    pub daily_medians: Vec<DailyMedian>,
}

/// A client the coach parted ways with.
#[derive(Debug, Clone, PartialEq)]
pub struct Ending {
    pub client: String,
    pub ended_at: DateTime<Utc>,
    pub reason: String,
    pub refund_cents: Option<i64>,
    /// The partner the client was referred to.
    pub referral: Option<String>,
}

/// `120.50`: cents as an amount.
pub fn amount(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, (cents % 100).abs())
}

impl Review {
    /// Refunds given at partings in the range, in cents.
    pub fn refunds_cents(&self) -> i64 {
        self.endings.iter().filter_map(|e| e.refund_cents).sum()
    }

    pub fn answered(&self) -> usize {
        self.first_reply.count
    }

    pub fn share(&self, urgency: Urgency) -> Option<&TargetShare> {
        self.within_target.iter().find(|s| s.urgency == urgency)
    }
}

#[cfg(test)]
mod tests;
