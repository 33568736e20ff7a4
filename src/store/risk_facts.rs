//! The at-risk facts of a set of clients at once: one query per kind of
//! fact for all of them (over the same per-client indexes the single-client
//! queries use), so the dashboard's reload and the review cost a handful of
//! queries however many clients they judge. What counts is decided by the
//! caller (`review::gather`); these only count what they are asked to.

use std::collections::BTreeMap;

use anyhow::Result;
use chrono::{DateTime, Utc};
use rusqlite::params;

use super::requests::{REQUEST_SELECT, request_from_row};
use super::{Queries, parse_ts, read_word, ts};
use crate::model::{
    AgreementStatus, ClientId, ClientStatus, FollowUpKind, Owner, Request, SessionStatus,
};

/// The set of client ids as one bound parameter (a JSON array for
/// `json_each`): one prepared statement for any number of clients.
fn id_set(ids: &[ClientId]) -> String {
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("[{}]", list.join(","))
}

const IDS: &str = "(SELECT value FROM json_each(?1))";

fn counts(rows: rusqlite::Rows<'_>) -> Result<BTreeMap<ClientId, i64>> {
    Ok(rows
        .mapped(|r| Ok((r.get(0)?, r.get(1)?)))
        .collect::<rusqlite::Result<_>>()?)
}

pub trait RiskFactQueries: Queries {
    /// Id, name and status of each of `ids` that exists.
    fn clients_to_judge(&self, ids: &[ClientId]) -> Result<Vec<(ClientId, String, ClientStatus)>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT id, name, status FROM clients WHERE id IN {IDS} ORDER BY id"
        ))?;
        let rows = stmt
            .query_map([id_set(ids)], |r| {
                Ok((r.get(0)?, r.get(1)?, read_word(r, 2, ClientStatus::parse)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Per client, their sessions with `status` starting in `[from, to)`.
    fn sessions_counted_by_client(
        &self,
        ids: &[ClientId],
        status: SessionStatus,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<BTreeMap<ClientId, i64>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT client_id, count(*) FROM sessions WHERE client_id IN {IDS} \
             AND start_at >= ?2 AND start_at < ?3 AND status = ?4 GROUP BY client_id"
        ))?;
        counts(stmt.query(params![id_set(ids), ts(from), ts(to), status.as_str()])?)
    }

    /// Per client, how often the coach moved their sessions since `since`.
    fn coach_moves_by_client(
        &self,
        ids: &[ClientId],
        since: DateTime<Utc>,
    ) -> Result<BTreeMap<ClientId, i64>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT client_id, count(*) FROM session_moves WHERE client_id IN {IDS} \
             AND moved_at >= ?2 AND moved_by = 'coach' GROUP BY client_id"
        ))?;
        counts(stmt.query(params![id_set(ids), ts(since)])?)
    }

    /// Per client, their follow-ups of `owner` and `kind` due before
    /// `before` and not done.
    fn open_followups_due_by_client(
        &self,
        ids: &[ClientId],
        owner: Owner,
        kind: FollowUpKind,
        before: DateTime<Utc>,
    ) -> Result<BTreeMap<ClientId, i64>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT client_id, count(*) FROM followups WHERE client_id IN {IDS} \
             AND due_at < ?2 AND done_at IS NULL AND owner = ?3 AND kind = ?4 GROUP BY client_id"
        ))?;
        counts(stmt.query(params![
            id_set(ids),
            ts(before),
            owner.as_str(),
            kind.as_str()
        ])?)
    }

    /// The status of each client's latest agreement, where they have one.
    fn latest_agreement_status(
        &self,
        ids: &[ClientId],
    ) -> Result<BTreeMap<ClientId, AgreementStatus>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT client_id, status FROM agreements WHERE id IN \
             (SELECT max(id) FROM agreements WHERE client_id IN {IDS} GROUP BY client_id)"
        ))?;
        let rows = stmt
            .query_map([id_set(ids)], |r| {
                Ok((r.get(0)?, read_word(r, 1, AgreementStatus::parse)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The requests of `ids` received in `[from, to)`, in order of receipt.
    fn requests_of_clients_received_between(
        &self,
        ids: &[ClientId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Request>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{REQUEST_SELECT} WHERE r.client_id IN {IDS} AND r.received_at >= ?2 \
             AND r.received_at < ?3 ORDER BY r.received_at, r.id"
        ))?;
        let rows = stmt
            .query_map(params![id_set(ids), ts(from), ts(to)], request_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Per client, when they last wrote, were written to or met (a held
    /// session up to `now`); clients with no contact at all are absent.
    /// The same as `RequestQueries::last_contact`, for many at once.
    fn last_contacts(
        &self,
        ids: &[ClientId],
        now: DateTime<Utc>,
    ) -> Result<BTreeMap<ClientId, DateTime<Utc>>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT j.value, (SELECT max(at) FROM ( \
               SELECT max(received_at) AS at FROM requests WHERE client_id = j.value \
               UNION ALL SELECT max(sent_at) FROM replies WHERE client_id = j.value \
               UNION ALL SELECT max(start_at) FROM sessions WHERE client_id = j.value \
                 AND status = 'held' AND start_at <= ?2)) \
             FROM json_each(?1) j",
        )?;
        let rows: Vec<(ClientId, Option<String>)> = stmt
            .query_map(params![id_set(ids), ts(now)], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, at)| Some((id, at.as_deref().and_then(parse_ts)?)))
            .collect())
    }
}

impl<T: Queries> RiskFactQueries for T {}
