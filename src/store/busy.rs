//! Busy time from the coach's own calendar, and the keys that make a
//! calendar import idempotent.

use anyhow::Result;
use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Queries, Tx, read_ts, ts};

/// A block of time the coach's calendar says is taken.
#[derive(Debug, Clone, PartialEq)]
pub struct BusyBlock {
    pub id: i64,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub all_day: bool,
    pub summary: String,
    pub ical_uid: String,
}

#[derive(Debug, Clone)]
pub struct NewBusy {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub all_day: bool,
    pub summary: String,
    pub ical_uid: String,
}

/// Busy blocks overlapping `[from, to)`, in order.
pub(super) fn busy_blocks(
    conn: &rusqlite::Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<BusyBlock>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, start_at, end_at, all_day, summary, ical_uid FROM busy \
         WHERE end_at > ?1 AND start_at < ?2 ORDER BY start_at, id",
    )?;
    let rows = stmt
        .query_map([ts(from), ts(to)], |r| {
            Ok(BusyBlock {
                id: r.get(0)?,
                start: read_ts(r, 1)?,
                end: read_ts(r, 2)?,
                all_day: r.get(3)?,
                summary: r.get(4)?,
                ical_uid: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

pub trait BusyQueries: Queries {
    /// Busy blocks overlapping `[from, to)`, in order.
    fn busy_blocks_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<BusyBlock>> {
        busy_blocks(self.conn(), from, to)
    }

    /// Whether a calendar key is in the book already, as a session or as busy time.
    fn calendar_key_known(&self, key: &str) -> Result<bool> {
        Ok(self.cached_row(
            "SELECT EXISTS (SELECT 1 FROM sessions WHERE ical_uid = ?1) \
             OR EXISTS (SELECT 1 FROM busy WHERE ical_uid = ?1) \
             OR EXISTS (SELECT 1 FROM series WHERE ical_uid = ?1)",
            [key],
            |r| r.get(0),
        )?)
    }
}

impl<T: Queries> BusyQueries for T {}

impl Tx<'_> {
    pub fn add_busy(&self, block: &NewBusy) -> Result<i64> {
        self.run(
            "INSERT INTO busy (start_at, end_at, all_day, summary, ical_uid, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                ts(block.start),
                ts(block.end.max(block.start)),
                block.all_day,
                block.summary,
                block.ical_uid,
                ts(self.now),
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Book a session imported from a calendar, keyed by its calendar key.
    pub fn add_imported_session(
        &self,
        session: &super::NewSession,
        ical_uid: &str,
        sequence: i64,
    ) -> Result<i64> {
        self.run(
            "INSERT INTO sessions (client_id, start_at, minutes, place, ical_uid, ical_sequence, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                session.client_id,
                ts(session.start),
                session.minutes,
                session.place,
                ical_uid,
                sequence.max(0),
                ts(self.now),
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }
}
