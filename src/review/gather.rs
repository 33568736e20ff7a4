//! Reading what the review needs from the book, through the store's
//! indexed queries (requests by receipt, replies by sending, sessions by
//! start, moves by original start, follow-ups by due date, and per client).

use std::collections::BTreeMap;

use anyhow::Result;
use chrono::{DateTime, Duration, Utc};

use super::at_risk::{
    BOOKED_AHEAD_DAYS, COACH_MOVES_DAYS, ClientFacts, MISSED_REPLY_DAYS, missed_reply_bys,
};
use super::compute::{ReviewInput, compute};
use super::{Review, ReviewRange, TREND_DAYS};
use crate::config::Config;
use crate::domain::when::start_of_day;
use crate::model::{ClientStatus, SessionStatus};
use crate::store::{
    ClientQueries, FollowUpQueries, Queries, RequestFilter, RequestQueries, SessionQueries,
};

/// How far back to look for requests whose reply-by fell in the last
/// [`MISSED_REPLY_DAYS`] days: longer than any sane reply-by target.
const MISSED_LOOKBACK_DAYS: i64 = 2 * MISSED_REPLY_DAYS;

/// Read the book and compute the review of `range` as seen at `now`.
pub fn gather(
    store: &impl Queries,
    config: &Config,
    range: ReviewRange,
    now: DateTime<Utc>,
) -> Result<Review> {
    let tz = config.tz;
    let range_start = start_of_day(range.from, tz);
    let range_end = start_of_day(range.to + Duration::days(1), tz);
    let trend_start = start_of_day(range.to - Duration::days(TREND_DAYS - 1), tz);

    let input = ReviewInput {
        requests: store.requests(RequestFilter::ReceivedBetween(
            range_start.min(trend_start),
            range_end,
        ))?,
        sessions: store.sessions_between(range_start, range_end)?,
        moves: store.moves_of_sessions_between(range_start, range_end)?,
        replies: store.replies_between(range_start, range_end)?,
        followups: store.followups_due_between(range_start, range_end)?,
        clients: client_facts(store, now)?,
    };
    Ok(compute(&input, range, &config.reply_clock(), now))
}

/// The at-risk facts of every client, as of `now`.
fn client_facts(store: &impl Queries, now: DateTime<Utc>) -> Result<Vec<ClientFacts>> {
    let mut booked_ahead: BTreeMap<i64, usize> = BTreeMap::new();
    for session in store.sessions_between(now, now + Duration::days(BOOKED_AHEAD_DAYS))? {
        if session.status == SessionStatus::Booked {
            *booked_ahead.entry(session.client_id).or_insert(0) += 1;
        }
    }
    let recent = store.requests(RequestFilter::ReceivedBetween(
        now - Duration::days(MISSED_LOOKBACK_DAYS),
        now + Duration::seconds(1),
    ))?;
    let missed = missed_reply_bys(&recent, now);
    let moves_since = now - Duration::days(COACH_MOVES_DAYS);

    let mut facts = Vec::new();
    // Only active clients are judged; the others need no queries.
    for client in store.clients()? {
        if client.status != ClientStatus::Active {
            continue;
        }
        facts.push(ClientFacts {
            client_id: client.id,
            status: client.status,
            now,
            last_contact: store.last_contact(client.id, now)?,
            booked_ahead: booked_ahead.get(&client.id).copied().unwrap_or(0),
            coach_moves: store.coach_moves_since(client.id, moves_since)?,
            missed_reply_bys: missed.get(&client.id).copied().unwrap_or(0),
            name: client.name,
        });
    }
    Ok(facts)
}
