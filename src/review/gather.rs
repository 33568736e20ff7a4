//! Reading what the review needs from the book, through the store's
//! indexed queries (requests by receipt, replies by sending, sessions by
//! start, moves by original start, follow-ups by due date, and per client).

use std::collections::BTreeMap;

use anyhow::Result;
use chrono::{DateTime, Duration, Utc};

use super::at_risk::{
    BOOKED_AHEAD_DAYS, COACH_MOVES_DAYS, ClientFacts, MISSED_REPLY_DAYS, NO_SHOW_DAYS,
    missed_reply_bys,
};
use super::compute::{ReviewInput, compute};
use super::{Review, ReviewRange, TREND_DAYS};
use crate::config::Config;
use crate::domain::when::start_of_day;
use crate::model::{AgreementStatus, Client, ClientStatus, FollowUpKind, Owner, SessionStatus};
use crate::store::{
    ClientQueries, FollowUpQueries, PartnerQueries, Queries, RequestFilter, RequestQueries,
    SessionQueries,
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
        endings: endings(store, range_start, range_end)?,
    };
    Ok(compute(&input, range, &config.reply_clock(), now))
}

fn endings(
    store: &impl Queries,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<super::Ending>> {
    let mut endings = Vec::new();
    for client in store.endings_between(from, to)? {
        let Some(parting) = client.parting else {
            continue;
        };
        let referral = parting
            .referral_partner_id
            .map(|id| store.partner(id).map(|p| p.name))
            .transpose()?;
        endings.push(super::Ending {
            client: client.name,
            ended_at: parting.ended_at,
            reason: parting.reason,
            refund_cents: parting.refund_cents,
            referral,
        });
    }
    Ok(endings)
}

/// The at-risk facts of every client, as of `now`.
pub fn client_facts(store: &impl Queries, now: DateTime<Utc>) -> Result<Vec<ClientFacts>> {
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

    let mut facts = Vec::new();
    // Only active clients are judged; the others need no queries.
    for client in store.clients()? {
        if client.status != ClientStatus::Active {
            continue;
        }
        let booked = booked_ahead.get(&client.id).copied().unwrap_or(0);
        let missed = missed.get(&client.id).copied().unwrap_or(0);
        facts.push(facts_with(store, client, now, booked, missed)?);
    }
    Ok(facts)
}

/// The at-risk facts of one client, as of `now`: what the dashboard marks
/// on each client it shows, with the review's rules.
pub fn facts_of(store: &impl Queries, client: Client, now: DateTime<Utc>) -> Result<ClientFacts> {
    let booked = store
        .client_sessions_between(client.id, now, now + Duration::days(BOOKED_AHEAD_DAYS))?
        .iter()
        .filter(|s| s.status == SessionStatus::Booked)
        .count();
    let recent = store
        .client_requests_received_since(client.id, now - Duration::days(MISSED_LOOKBACK_DAYS))?;
    let missed = missed_reply_bys(&recent, now)
        .get(&client.id)
        .copied()
        .unwrap_or(0);
    facts_with(store, client, now, booked, missed)
}

fn facts_with(
    store: &impl Queries,
    client: Client,
    now: DateTime<Utc>,
    booked_ahead: usize,
    missed_reply_bys: usize,
) -> Result<ClientFacts> {
    let overdue_client_actions = store
        .client_followups(client.id)?
        .iter()
        .filter(|f| {
            f.done_at.is_none()
                && f.owner == Owner::Client
                && f.kind == FollowUpKind::Action
                && f.due < now
        })
        .count();
    let agreement_unsigned = store
        .agreement(client.id)?
        .is_some_and(|a| matches!(a.status, AgreementStatus::Drafted | AgreementStatus::Sent));
    let no_shows = store
        .client_sessions_between(client.id, now - Duration::days(NO_SHOW_DAYS), now)?
        .iter()
        .filter(|s| s.status == SessionStatus::NoShow)
        .count();
    Ok(ClientFacts {
        client_id: client.id,
        status: client.status,
        now,
        last_contact: store.last_contact(client.id, now)?,
        booked_ahead,
        coach_moves: store.coach_moves_since(client.id, now - Duration::days(COACH_MOVES_DAYS))?,
        missed_reply_bys,
        overdue_client_actions,
        agreement_unsigned,
        no_shows,
        name: client.name,
    })
}
