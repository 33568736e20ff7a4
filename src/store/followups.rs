//! Follow-ups: action items, promises, agreement chases and check-ins.

use anyhow::Result;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Queries, Tx, read_opt_ts, read_ts, read_word, ts};
use crate::error::BadInput;
use crate::model::{ClientId, FollowUp, FollowUpKind, Owner};

/// When a follow-up was made, was due and was done: what the generators
/// read so they never make one twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowUpMark {
    pub id: i64,
    pub due: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewFollowUp {
    pub client_id: ClientId,
    pub request_id: Option<i64>,
    pub due: DateTime<Utc>,
    pub text: String,
    pub owner: Owner,
    pub kind: FollowUpKind,
    /// The reply that made this promise (a later reply keeps it).
    pub made_by_reply: Option<i64>,
    /// Doing it answers its request (a crisis client to call back).
    pub callback: bool,
}

const FOLLOWUP_SELECT: &str = "SELECT f.id, f.client_id, c.name, f.due_at, f.text, f.owner, \
     f.kind, f.request_id, f.done_at, f.session_id, f.callback FROM followups f JOIN clients c ON c.id = f.client_id";

fn followup_from_row(row: &rusqlite::Row) -> rusqlite::Result<FollowUp> {
    Ok(FollowUp {
        id: row.get(0)?,
        client_id: row.get(1)?,
        client_name: row.get(2)?,
        due: read_ts(row, 3)?,
        text: row.get(4)?,
        owner: read_word(row, 5, Owner::parse)?,
        kind: read_word(row, 6, FollowUpKind::parse)?,
        request_id: row.get(7)?,
        done_at: read_opt_ts(row, 8)?,
        session_id: row.get(9)?,
        callback: row.get(10)?,
    })
}

pub trait FollowUpQueries: Queries {
    /// Pending follow-ups due before `until`, oldest first (overdue first),
    /// leaving out clients the coach parted ways with.
    fn followups_due_before(&self, until: DateTime<Utc>) -> Result<Vec<FollowUp>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{FOLLOWUP_SELECT} WHERE f.done_at IS NULL AND f.due_at < ?1 \
             AND c.status != 'ended' ORDER BY f.due_at, f.id"
        ))?;
        let rows = stmt
            .query_map([ts(until)], followup_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Every follow-up, pending ones by due date first, then done ones.
    fn followups(&self) -> Result<Vec<FollowUp>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{FOLLOWUP_SELECT} ORDER BY f.done_at IS NOT NULL, f.due_at, f.id"
        ))?;
        let rows = stmt
            .query_map([], followup_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn followup(&self, id: i64) -> Result<FollowUp> {
        self.cached_row(
            &format!("{FOLLOWUP_SELECT} WHERE f.id = ?1"),
            [id],
            followup_from_row,
        )
        .optional()?
        .ok_or_else(|| BadInput(format!("no follow-up has id {id}")).into())
    }

    /// A client's follow-ups of one kind, oldest due first.
    fn followup_marks(&self, client_id: ClientId, kind: FollowUpKind) -> Result<Vec<FollowUpMark>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, due_at, done_at, created_at FROM followups \
             WHERE client_id = ?1 AND kind = ?2 ORDER BY due_at, id",
        )?;
        let rows = stmt
            .query_map(params![client_id, kind.as_str()], |r| {
                Ok(FollowUpMark {
                    id: r.get(0)?,
                    due: read_ts(r, 1)?,
                    done_at: read_opt_ts(r, 2)?,
                    created_at: read_ts(r, 3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// A client's follow-ups, pending first by due date, then done ones.
    fn client_followups(&self, client_id: ClientId) -> Result<Vec<FollowUp>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{FOLLOWUP_SELECT} WHERE f.client_id = ?1 \
             ORDER BY f.done_at IS NOT NULL, f.due_at, f.id"
        ))?;
        let rows = stmt
            .query_map([client_id], followup_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Follow-ups due in `[from, to)`, done or not.
    fn followups_due_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<FollowUp>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{FOLLOWUP_SELECT} WHERE f.due_at >= ?1 AND f.due_at < ?2 ORDER BY f.due_at, f.id"
        ))?;
        let rows = stmt
            .query_map([ts(from), ts(to)], followup_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }
}

impl<T: Queries> FollowUpQueries for T {}

impl Tx<'_> {
    pub fn add_followup(&self, followup: &NewFollowUp) -> Result<i64> {
        self.add_followup_from(followup, None)
    }

    /// A follow-up that came out of a session (an action item).
    pub fn add_followup_from(
        &self,
        followup: &NewFollowUp,
        session_id: Option<i64>,
    ) -> Result<i64> {
        if followup.text.trim().is_empty() {
            return Err(BadInput("a follow-up needs some text".into()).into());
        }
        self.run(
            "INSERT INTO followups (client_id, request_id, due_at, text, owner, kind, made_by_reply, callback, created_at, session_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                followup.client_id,
                followup.request_id,
                ts(followup.due),
                followup.text.trim(),
                followup.owner.as_str(),
                followup.kind.as_str(),
                followup.made_by_reply,
                followup.callback,
                ts(self.now),
                session_id,
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Close every open follow-up of `kind` for the client (a signed
    /// agreement closes its chase); returns how many.
    pub fn close_followups(&self, client_id: ClientId, kind: FollowUpKind) -> Result<usize> {
        Ok(self.run(
            "UPDATE followups SET done_at = ?1 WHERE client_id = ?2 AND kind = ?3 AND done_at IS NULL",
            params![ts(self.now), client_id, kind.as_str()],
        )?)
    }

    pub fn complete_followup(&self, id: i64) -> Result<FollowUp> {
        let followup = self.followup(id)?;
        if followup.done_at.is_some() {
            return Err(BadInput(format!("follow-up {id} is done already")).into());
        }
        self.run(
            "UPDATE followups SET done_at = ?1 WHERE id = ?2",
            params![ts(self.now), id],
        )?;
        // Calling a crisis client back is their first answer, given by phone.
        if followup.callback
            && let Some(request_id) = followup.request_id
        {
            self.add_reply(&super::NewReply {
                client_id: Some(followup.client_id),
                partner_id: None,
                request_id: Some(request_id),
                session_id: None,
                kind: crate::model::ReplyKind::Reply,
                sent_at: self.now,
                to_addr: None,
                subject: None,
                body: followup.text.clone(),
                message_id: None,
                delivery: crate::model::DeliveryState::Recorded,
            })?;
        }
        self.followup(id)
    }
}
