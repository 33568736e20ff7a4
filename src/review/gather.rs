//! Reading what the review needs from the book, through the store's
//! indexed queries (requests by receipt, replies by sending, sessions by
//! start, moves by original start, follow-ups by due date, and per client).

use anyhow::Result;
use chrono::{DateTime, Duration, Utc};

use super::at_risk::{
    BOOKED_AHEAD_DAYS, COACH_MOVES_DAYS, ClientFacts, MISSED_REPLY_DAYS, NO_SHOW_DAYS,
};
use super::compute::{ReviewInput, compute_rows};
use super::{FollowUpCounts, PromiseCounts, Review, ReviewRange, SessionCounts, TREND_DAYS};
use crate::config::Config;
use crate::domain::when::start_of_day;
use crate::model::{AgreementStatus, Client, ClientId, ClientStatus, FollowUpKind, Owner};
use crate::store::{
    ClientQueries, PartnerQueries, Queries, ReviewQueries, RiskCountsAsked, RiskFactQueries,
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

    // Only the range's rows, and only the columns the figures use, from
    // indexes that hold them; counts are counted by SQLite: the cost
    // follows the range reviewed, not the size of the book.
    let sessions = store.sessions_tallied(range_start, range_end)?;
    let followups = store.followups_tallied(range_start, range_end, now)?;
    let requests = store.requests_to_review(range_start.min(trend_start), range_end)?;
    let input = ReviewInput {
        // Read as rows (`requests`), not whole requests.
        requests: Vec::new(),
        sessions: SessionCounts {
            held: sessions.held,
            rescheduled_by_coach: sessions.moved_by_coach,
            rescheduled_by_client: sessions.moved_by_client,
            cancelled: sessions.cancelled,
            no_show: sessions.no_show,
            booked: sessions.booked,
        },
        apologies_sent: store.apologies_sent_between(range_start, range_end)?,
        promises: PromiseCounts {
            kept: followups.promises_kept,
            broken: followups.promises_broken,
            pending: followups.promises_pending,
        },
        followups: FollowUpCounts {
            done: followups.done,
            overdue: followups.overdue,
            pending: followups.pending,
        },
        clients: client_facts(store, now)?,
        endings: endings(store, range_start, range_end)?,
    };
    Ok(compute_rows(
        &input,
        &requests,
        range,
        &config.reply_clock(),
        now,
    ))
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

/// The at-risk facts of every active client, as of `now`.
pub fn client_facts(store: &impl Queries, now: DateTime<Utc>) -> Result<Vec<ClientFacts>> {
    // Only active clients are judged; the others need no queries.
    facts_of_clients(store, store.active_clients()?, now)
}

/// The at-risk facts of one client, as of `now`: what the client view
/// marks, with the review's rules.
pub fn facts_of(store: &impl Queries, client: Client, now: DateTime<Utc>) -> Result<ClientFacts> {
    let id = client.id;
    facts_of_clients(store, vec![(client.id, client.name, client.status)], now)?
        .pop()
        .ok_or_else(|| anyhow::anyhow!("no at-risk facts came back for client {id}"))
}

/// A client to judge: id, name and status.
pub type ToJudge = (ClientId, String, ClientStatus);

/// The at-risk facts of `clients` (in their order), as of `now`: one
/// query per kind of fact for all of them, over the per-client indexes.
/// The one definition of each fact, for the review, `client list
/// --at-risk` and the dashboard's marks alike.
pub fn facts_of_clients(
    store: &impl Queries,
    clients: Vec<ToJudge>,
    now: DateTime<Utc>,
) -> Result<Vec<ClientFacts>> {
    if clients.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<ClientId> = clients.iter().map(|(id, _, _)| *id).collect();
    let counts = store.risk_counts_by_client(
        &ids,
        &RiskCountsAsked {
            booked: (now, now + Duration::days(BOOKED_AHEAD_DAYS)),
            no_shows: (now - Duration::days(NO_SHOW_DAYS), now),
            coach_moves_since: now - Duration::days(COACH_MOVES_DAYS),
            open: (Owner::Client, FollowUpKind::Action),
            now,
        },
    )?;
    // Received in the review's look-back, with a reply-by in the window,
    // judged by SQLite on the stored instants (`missed_reply_bys_of_clients`).
    let received = (
        now - Duration::days(MISSED_LOOKBACK_DAYS),
        now + Duration::seconds(1),
    );
    let reply_by = (now - Duration::days(MISSED_REPLY_DAYS), now);
    let missed = store.missed_reply_bys_of_clients(&ids, received, reply_by)?;
    Ok(clients
        .into_iter()
        .map(|(client_id, name, status)| {
            let counts = counts.get(&client_id).copied().unwrap_or_default();
            ClientFacts {
                client_id,
                name,
                status,
                now,
                last_contact: counts.last_contact,
                booked_ahead: counts.booked_ahead,
                coach_moves: counts.coach_moves,
                missed_reply_bys: missed.get(&client_id).copied().unwrap_or(0),
                overdue_client_actions: counts.open_followups,
                agreement_unsigned: counts.latest_agreement.is_some_and(|status| {
                    matches!(status, AgreementStatus::Drafted | AgreementStatus::Sent)
                }),
                no_shows: counts.no_shows,
            }
        })
        .collect())
}
