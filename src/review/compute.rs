//! The figures, from what was read out of the book. Pure: the same input
//! gives the same review, and nothing here reads a clock or a file.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::at_risk::{ClientFacts, at_risk_clients};
use super::offsets::DayOffsets;
use super::{
    DailyMedian, FollowUpCounts, PromiseCounts, ReplyTimes, RequestOutcome, Review, ReviewRange,
    SessionCounts, TREND_DAYS, TargetShare, Verdict, utc,
};
use crate::domain::hours::{ReplyClock, WorkingDays};
use crate::domain::when::local_date;
use crate::model::{
    FollowUp, FollowUpKind, MovedBy, Request, RequestStatus, Resolution, Session, SessionStatus,
    Urgency,
};
use crate::store::{ReviewRequests, ReviewRow, SessionMove};

/// What the review reads from the book.
#[derive(Debug, Clone, Default)]
pub struct ReviewInput {
    /// Requests received from the first day of the trend (or of the range,
    /// when earlier) to the end of the range. Others are ignored.
    pub requests: Vec<Request>,
    /// What became of the sessions set in the range ([`session_counts`]).
    pub sessions: SessionCounts,
    /// Apologies sent in the range.
    pub apologies_sent: usize,
    /// Promises due in the range ([`promise_counts`]).
    pub promises: PromiseCounts,
    /// Follow-ups of every kind due in the range ([`followup_counts`]).
    pub followups: FollowUpCounts,
    /// The facts the at-risk rules read, for every client.
    pub clients: Vec<ClientFacts>,
    /// Clients the coach parted ways with in the range.
    pub endings: Vec<super::Ending>,
}

/// The value at rank ⌈percent/100 · n⌉ of `sorted` (ascending), if any.
pub fn nearest_rank(sorted: &[i64], percent: usize) -> Option<i64> {
    let rank = (percent * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

impl ReplyTimes {
    /// The figures of `minutes`, as [`nearest_rank`] reads them from the
    /// sorted list; found by selection (the values at two ranks and the
    /// largest), not by sorting them all.
    pub fn of(minutes: impl IntoIterator<Item = i64>) -> ReplyTimes {
        let mut values: Vec<i64> = minutes.into_iter().collect();
        let count = values.len();
        let rank = |percent: usize| (percent * count).div_ceil(100).max(1) - 1;
        let max_minutes = values.iter().copied().max();
        // Each selection leaves the smaller values before its rank.
        let p90_minutes = (count > 0).then(|| *values.select_nth_unstable(rank(90)).1);
        let median_minutes = values
            .get_mut(..=rank(90))
            .filter(|_| count > 0)
            .map(|below| *below.select_nth_unstable(rank(50)).1);
        ReplyTimes {
            count,
            median_minutes,
            p90_minutes,
            max_minutes,
        }
    }
}

/// How a request stands against its reply-by at `now`. Only a reply that
/// reached the client answers it; closing it, setting it waiting or turning
/// it into a follow-up after its reply-by passed leaves the breach standing.
pub fn judge(request: &Request, now: DateTime<Utc>) -> Verdict {
    judge_row(&row_of(request, 0), Now::of(now))
}

/// [`judge`] of a row as the store reads it.
fn judge_row(request: &ReviewRow, now: Now) -> Verdict {
    match (request.first_reply_at, stopped_without_reply_at(request)) {
        (Some(at), _) if at <= request.reply_by => Verdict::Met,
        (Some(_), _) => Verdict::Missed,
        (None, Some(stopped)) if stopped > request.reply_by => Verdict::Missed,
        (None, Some(_)) => Verdict::NotJudged,
        (None, None) if now.after(request.reply_by) => Verdict::Missed,
        (None, None) => Verdict::Pending,
    }
}

/// `Request::stopped_without_reply_at` of a row.
fn stopped_without_reply_at(request: &ReviewRow) -> Option<i64> {
    crate::model::stopped_without_reply(
        request.first_reply_at,
        request.status,
        request.closed_at,
        request.waiting_since,
        request.received_at,
    )
}

/// `Request::resolution` of a row.
fn resolution(request: &ReviewRow) -> Resolution {
    Resolution::of(
        request.first_reply_at.is_some(),
        request.handed_off,
        request.status,
    )
}

/// The row the review judges of a whole request, its client `client`
/// (instants to the whole second, as the store keeps them).
fn row_of(request: &Request, client: u32) -> ReviewRow {
    ReviewRow {
        id: request.id,
        client,
        received_at: request.received_at.timestamp(),
        reply_by: request.reply_by.timestamp(),
        first_reply_at: request.first_reply_at.map(|at| at.timestamp()),
        waiting_since: request.waiting_since.map(|at| at.timestamp()),
        closed_at: request.closed_at.map(|at| at.timestamp()),
        urgency: request.urgency,
        status: request.status,
        handed_off: request.handed_off,
        undelivered: request.undelivered,
    }
}

/// The rows of whole requests, one name per distinct client name: what
/// the store's `requests_to_review` reads of them.
pub fn rows_of(requests: &[Request]) -> ReviewRequests {
    let mut slots: HashMap<&str, u32> = HashMap::new();
    let mut names: Vec<Arc<str>> = Vec::new();
    let rows = requests
        .iter()
        .map(|request| {
            let name = request.client_name.as_str();
            let client = *slots.entry(name).or_insert_with(|| {
                names.push(name.into());
                u32::try_from(names.len() - 1).unwrap_or(u32::MAX)
            });
            row_of(request, client)
        })
        .collect();
    ReviewRequests { names, rows }
}

/// The moment of the review, and its whole seconds (stored instants are
/// whole seconds).
#[derive(Clone, Copy)]
struct Now {
    at: DateTime<Utc>,
    seconds: i64,
    /// A fraction of a second past `seconds`.
    fraction: bool,
}

impl Now {
    fn of(at: DateTime<Utc>) -> Now {
        Now {
            at,
            seconds: at.timestamp(),
            fraction: at.timestamp_subsec_nanos() > 0,
        }
    }

    /// Later than the stored instant `seconds`.
    fn after(&self, seconds: i64) -> bool {
        self.seconds > seconds || (self.seconds == seconds && self.fraction)
    }
}

/// [`utc`], the date from the days `offsets` remembers.
fn utc_in(offsets: &mut DayOffsets, seconds: i64) -> DateTime<Utc> {
    offsets.utc(seconds).unwrap_or_else(|| utc(seconds))
}

/// The local date of a stored instant.
fn date_of(offsets: &mut DayOffsets, seconds: i64) -> NaiveDate {
    match offsets.local_date_of(seconds) {
        Some(date) => date,
        None => offsets.local_date(utc(seconds)),
    }
}

/// Where a wait ended: at a stored instant, or it runs on to now.
#[derive(Clone, Copy)]
enum Until {
    At(i64),
    Now,
}

/// One request's wait and target, as the review shows it.
pub fn outcome(request: &Request, clock: &ReplyClock, now: DateTime<Utc>) -> RequestOutcome {
    let days = WorkingDays::covering(
        &clock.hours,
        clock.tz,
        local_date(request.received_at, clock.tz),
        local_date(now.max(request.received_at), clock.tz),
    );
    outcome_in(request, &days, now)
}

/// [`outcome`] with the working time looked up in `days` (built once for
/// the whole range; instants outside it are walked day by day, with the
/// same result).
pub fn outcome_in(request: &Request, days: &WorkingDays, now: DateTime<Utc>) -> RequestOutcome {
    let client = request.client_name.as_str().into();
    outcome_at(
        &row_of(request, 0),
        client,
        days,
        &mut DayOffsets::new(days.tz()),
        Now::of(now),
    )
}

/// [`outcome_in`] of a row, with local dates from `offsets` (of the zone
/// of `days`).
fn outcome_at(
    request: &ReviewRow,
    client: Arc<str>,
    days: &WorkingDays,
    offsets: &mut DayOffsets,
    now: Now,
) -> RequestOutcome {
    let unanswered = request.first_reply_at.is_none();
    let awaiting_coach =
        unanswered && matches!(request.status, RequestStatus::Open | RequestStatus::Snoozed);
    let verdict = judge_row(request, now);
    // A request that stopped without a reply past its reply-by waited until
    // it stopped: that is the breach the client lived.
    let stopped_late = stopped_without_reply_at(request).filter(|_| verdict == Verdict::Missed);
    // History mail no reply reached waited, and waits, as long as an open
    // request: never made kinder for being old.
    let runs_on = awaiting_coach || (unanswered && request.status == RequestStatus::History);
    let received = request.received_at;
    let waited_until = request
        .first_reply_at
        .map(Until::At)
        .or(runs_on.then_some(if now.seconds >= received {
            Until::Now
        } else {
            Until::At(received)
        }))
        .or(stopped_late.map(Until::At));
    RequestOutcome {
        id: request.id,
        client,
        urgency: request.urgency,
        received_at: received,
        reply_by: request.reply_by,
        first_reply_at: request.first_reply_at,
        // Whole seconds: minutes as chrono counts them (toward zero).
        waited_minutes: waited_until.map(|until| match until {
            Until::At(at) => (at - received) / 60,
            Until::Now => (now.seconds - received) / 60,
        }),
        waited_working_minutes: waited_until.map(|until| {
            let until = match until {
                Until::At(at) => (utc_in(offsets, at), date_of(offsets, at)),
                Until::Now => (now.at, offsets.local_date(now.at)),
            };
            let from = (utc_in(offsets, received), date_of(offsets, received));
            days.between_on(from, until)
        }),
        target_minutes: (request.reply_by - received) / 60,
        verdict,
        awaiting_coach,
        resolution: resolution(request),
        undelivered: request.undelivered,
    }
}

/// Every figure of the review of `range`, as seen at `now`.
pub fn compute(
    input: &ReviewInput,
    range: ReviewRange,
    clock: &ReplyClock,
    now: DateTime<Utc>,
) -> Review {
    compute_rows(input, &rows_of(&input.requests), range, clock, now)
}

/// [`compute`] of the requests as the store reads them (`requests` in
/// place of `input.requests`, which is not looked at).
pub fn compute_rows(
    input: &ReviewInput,
    requests: &ReviewRequests,
    range: ReviewRange,
    clock: &ReplyClock,
    now: DateTime<Utc>,
) -> Review {
    let tz = clock.tz;
    let mut offsets = DayOffsets::new(tz);
    let mut rows: Vec<&ReviewRow> = requests
        .rows
        .iter()
        .filter(|r| range.contains(date_of(&mut offsets, r.received_at)))
        .collect();
    // The store reads them in this order already: sorted only if not.
    if !rows.is_sorted_by_key(|r| (r.received_at, r.id)) {
        rows.sort_by_key(|r| (r.received_at, r.id));
    }
    let days = range_days(range, clock, now);
    let at = Now::of(now);
    let outcomes: Vec<RequestOutcome> = rows
        .iter()
        .map(|r| {
            // One shared name per client, not one copy per request.
            let client = requests
                .names
                .get(r.client as usize)
                .cloned()
                .unwrap_or_else(|| "".into());
            outcome_at(r, client, &days, &mut offsets, at)
        })
        .collect();
    drop(rows);
    let answered = || outcomes.iter().filter(|o| o.first_reply_at.is_some());

    let mut unanswered: Vec<RequestOutcome> = outcomes
        .iter()
        .filter(|o| o.awaiting_coach)
        .cloned()
        .collect();
    unanswered.sort_by_key(|o| (o.received_at, o.id));

    Review {
        range,
        tz,
        now,
        first_reply: ReplyTimes::of(answered().filter_map(|o| o.waited_minutes)),
        first_reply_working: ReplyTimes::of(answered().filter_map(|o| o.waited_working_minutes)),
        within_target: within_target(&outcomes),
        breaches: outcomes
            .iter()
            .filter(|o| o.verdict == Verdict::Missed)
            .cloned()
            .collect(),
        unanswered,
        sessions: input.sessions,
        apologies_sent: input.apologies_sent,
        promises: input.promises,
        followups: input.followups,
        at_risk: at_risk_clients(&input.clients),
        endings: input.endings.clone(),
        daily_medians: daily_medians(&requests.rows, range.to, &mut offsets),
        requests: outcomes,
    }
}

/// The working days a review of `range` looks up: from its first day to a
/// year past its last (first replies come within days) or to today, when
/// sooner; a wait that runs past them is walked day by day.
fn range_days(range: ReviewRange, clock: &ReplyClock, now: DateTime<Utc>) -> WorkingDays {
    let year_after = range
        .to
        .checked_add_signed(Duration::days(366))
        .unwrap_or(range.to);
    let last = local_date(now, clock.tz).max(range.to).min(year_after);
    WorkingDays::spanning(&clock.hours, clock.tz, range.from, last)
}

fn within_target(outcomes: &[RequestOutcome]) -> Vec<TargetShare> {
    Urgency::ALL
        .iter()
        .map(|&urgency| {
            let judged = outcomes
                .iter()
                .filter(|o| o.urgency == urgency)
                .filter_map(|o| o.verdict.within_target());
            let (met, total) =
                judged.fold((0, 0), |(met, total), ok| (met + ok as usize, total + 1));
            TargetShare {
                urgency,
                met,
                total,
            }
        })
        .collect()
}

/// Statuses from the sessions set in the range; moves from the log of
/// moves of sessions originally set in the range, each moved session
/// counted once per mover (a session moved twice by the coach is one
/// session the coach rescheduled). The definition the store's
/// `sessions_tallied` counts in SQL.
pub fn session_counts(sessions: &[Session], moves: &[SessionMove]) -> SessionCounts {
    let mut counts = SessionCounts::default();
    for session in sessions {
        match session.status {
            SessionStatus::Held => counts.held += 1,
            SessionStatus::Cancelled => counts.cancelled += 1,
            SessionStatus::NoShow => counts.no_show += 1,
            SessionStatus::Booked => counts.booked += 1,
            // Counted from the moves below, which know who asked.
            SessionStatus::Rescheduled => {}
        }
    }
    let moved: BTreeSet<(i64, MovedBy)> =
        moves.iter().map(|m| (m.session_id, m.moved_by)).collect();
    for (_, by) in moved {
        match by {
            MovedBy::Coach => counts.rescheduled_by_coach += 1,
            MovedBy::Client => counts.rescheduled_by_client += 1,
        }
    }
    counts
}

/// Promises due in the range: kept when done by the time promised, broken
/// when done late or past due and not done, pending otherwise. The
/// definition the store's `followups_tallied` counts in SQL.
pub fn promise_counts(followups: &[FollowUp], now: DateTime<Utc>) -> PromiseCounts {
    let mut counts = PromiseCounts::default();
    for promise in followups.iter().filter(|f| f.kind == FollowUpKind::Promise) {
        match promise.done_at {
            Some(done) if done <= promise.due => counts.kept += 1,
            Some(_) => counts.broken += 1,
            None if promise.due < now => counts.broken += 1,
            None => counts.pending += 1,
        }
    }
    counts
}

/// Follow-ups of every kind due in the range: done, overdue (past due, not
/// done) or pending.
pub fn followup_counts(followups: &[FollowUp], now: DateTime<Utc>) -> FollowUpCounts {
    let mut counts = FollowUpCounts::default();
    for followup in followups {
        match followup.done_at {
            Some(_) => counts.done += 1,
            None if followup.due < now => counts.overdue += 1,
            None => counts.pending += 1,
        }
    }
    counts
}

/// The median clock first reply of each of the [`TREND_DAYS`] days ending on
/// `last_day`, by the day each request was received.
fn daily_medians(
    requests: &[ReviewRow],
    last_day: NaiveDate,
    offsets: &mut DayOffsets,
) -> Vec<DailyMedian> {
    let first_day = last_day - Duration::days(TREND_DAYS - 1);
    // Only instants within a day of the trend's UTC days can fall on its
    // local days (no zone is a day or more off UTC): the rest are passed
    // over without a look-up.
    let utc_midnight =
        |date: NaiveDate| date.and_time(chrono::NaiveTime::MIN).and_utc().timestamp();
    let near = |date: NaiveDate, days: i64| date.checked_add_signed(Duration::days(days));
    match (near(first_day, -1), near(last_day, 2)) {
        (Some(low), Some(high)) => {
            let (low, high) = (utc_midnight(low), utc_midnight(high));
            let near_trend = requests
                .iter()
                .filter(|r| low <= r.received_at && r.received_at < high);
            trend_of(near_trend, first_day, last_day, offsets)
        }
        _ => trend_of(requests, first_day, last_day, offsets),
    }
}

/// [`daily_medians`] of `requests` (all of them, or at least those that
/// may fall in the trend's days).
fn trend_of<'a>(
    requests: impl IntoIterator<Item = &'a ReviewRow>,
    first_day: NaiveDate,
    last_day: NaiveDate,
    offsets: &mut DayOffsets,
) -> Vec<DailyMedian> {
    let mut by_day: BTreeMap<NaiveDate, Vec<i64>> = BTreeMap::new();
    for request in requests {
        let day = date_of(offsets, request.received_at);
        // Whole seconds: minutes as chrono counts them (toward zero).
        if let Some(minutes) = request
            .first_reply_at
            .map(|at| (at - request.received_at) / 60)
            && (first_day..=last_day).contains(&day)
        {
            by_day.entry(day).or_default().push(minutes);
        }
    }
    first_day
        .iter_days()
        .take(TREND_DAYS as usize)
        .map(|date| {
            let times = ReplyTimes::of(by_day.remove(&date).unwrap_or_default());
            DailyMedian {
                date,
                answered: times.count,
                median_minutes: times.median_minutes,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Channel;

    /// The row's rules are the request's: for every status, a reply before,
    /// at or after the reply-by or none, closing and waiting instants
    /// before or after it or none, handed off or not, and `now` before, at,
    /// a fraction past or after the reply-by.
    #[test]
    fn a_row_is_judged_as_its_request_is_judged() {
        let at = |text: &str| -> DateTime<Utc> {
            DateTime::parse_from_rfc3339(text)
                .map(|t| t.with_timezone(&Utc))
                .expect("instant")
        };
        let received = at("2026-11-23T09:00:00Z");
        let reply_by = at("2026-11-23T13:00:00Z");
        let instants = [
            None,
            Some(at("2026-11-23T08:00:00Z")),
            Some(at("2026-11-23T12:59:59Z")),
            Some(reply_by),
            Some(at("2026-11-23T13:00:01Z")),
        ];
        let nows = [
            at("2026-11-23T12:00:00Z"),
            reply_by,
            reply_by + Duration::milliseconds(500),
            at("2026-11-24T08:00:00Z"),
        ];
        let mut judged = 0;
        for status in RequestStatus::ALL {
            for first_reply_at in instants {
                for stopped in instants {
                    for handed_off in [false, true] {
                        let request = Request {
                            id: 7,
                            client_id: Some(1),
                            client_name: "Ada".into(),
                            unknown_sender: None,
                            received_at: received,
                            channel: Channel::Email,
                            urgency: Urgency::Urgent,
                            status: *status,
                            subject: None,
                            body: String::new(),
                            reply_by,
                            first_reply_at,
                            snoozed_until: None,
                            waiting_since: stopped,
                            closed_at: stopped,
                            handed_off,
                            undelivered: None,
                        };
                        let row = row_of(&request, 0);
                        assert_eq!(resolution(&row), request.resolution());
                        assert_eq!(
                            stopped_without_reply_at(&row),
                            request.stopped_without_reply_at().map(|t| t.timestamp())
                        );
                        for now in nows {
                            let verdict = judge_row(&row, Now::of(now));
                            assert_eq!(
                                verdict,
                                reference_judge(&request, now),
                                "{status:?} {first_reply_at:?} {stopped:?} {now}"
                            );
                            let outcome = outcome_in(
                                &request,
                                &WorkingDays::covering(
                                    &crate::domain::hours::WorkingHours::default(),
                                    chrono_tz::Europe::Berlin,
                                    local_date(received, chrono_tz::Europe::Berlin),
                                    local_date(now, chrono_tz::Europe::Berlin),
                                ),
                                now,
                            );
                            assert_eq!(outcome.verdict, verdict);
                            assert_eq!(
                                outcome.awaiting_coach,
                                first_reply_at.is_none() && request.awaits_coach()
                            );
                            // A wait that runs on runs to now, to chrono's minute.
                            if outcome.awaiting_coach || request.never_answered() {
                                assert_eq!(
                                    outcome.waited_minutes,
                                    Some((now.max(received) - received).num_minutes())
                                );
                            }
                            judged += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(judged, 6 * 5 * 5 * 2 * 4);
    }

    /// The rules as they read on whole requests (before rows).
    fn reference_judge(request: &Request, now: DateTime<Utc>) -> Verdict {
        match (request.first_reply_at, request.stopped_without_reply_at()) {
            (Some(at), _) if at <= request.reply_by => Verdict::Met,
            (Some(_), _) => Verdict::Missed,
            (None, Some(stopped)) if stopped > request.reply_by => Verdict::Missed,
            (None, Some(_)) => Verdict::NotJudged,
            (None, None) if now > request.reply_by => Verdict::Missed,
            (None, None) => Verdict::Pending,
        }
    }
}
