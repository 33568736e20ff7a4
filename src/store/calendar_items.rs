//! What the book holds from a calendar, by calendar key: the version read,
//! where it came from, and the updates, cancellations and removals a
//! re-import or a sync makes. Every write here changes a row only when a
//! value really differs, so a re-import of an unchanged calendar touches
//! nothing (see [`super::Store::change_if_any`]).

use anyhow::Result;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Queries, Tx, read_opt_ts, read_ts, read_word, ts};
use crate::model::{MovedBy, SessionStatus};

/// The version of an event the book holds: SEQUENCE, then LAST-MODIFIED.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    pub sequence: i64,
    pub stamp: Option<DateTime<Utc>>,
}

impl Version {
    /// Whether `other` is a later version than this one (RFC 5546 §2.1.5:
    /// a higher SEQUENCE, else a later DTSTAMP/LAST-MODIFIED).
    pub fn is_older_than(&self, other: &Version) -> bool {
        match other.sequence.cmp(&self.sequence) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Less => false,
            std::cmp::Ordering::Equal => match (self.stamp, other.stamp) {
                (Some(mine), Some(theirs)) => theirs > mine,
                (None, Some(_)) => true,
                _ => false,
            },
        }
    }
}

/// A session the book holds under a calendar key.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyedSession {
    pub id: i64,
    pub start: DateTime<Utc>,
    pub minutes: i64,
    pub place: Option<String>,
    pub status: SessionStatus,
    pub version: Version,
}

/// A busy block the book holds under a calendar key.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyedBusy {
    pub id: i64,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub all_day: bool,
    pub summary: String,
    pub version: Version,
}

/// Something of one source, for removal when a full re-import lacks it.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceItem {
    Session { id: i64 },
    Busy { id: i64 },
}

/// Where an imported row came from and which event and instance it is.
#[derive(Debug, Clone, Default)]
pub struct Provenance<'a> {
    pub source: Option<&'a str>,
    pub stamp: Option<DateTime<Utc>>,
    pub event_uid: Option<&'a str>,
    pub recurrence_id: Option<&'a str>,
    pub sequence: i64,
}

pub trait CalendarItemQueries: Queries {
    /// The session under `key`, else the one of event `uid` and instance
    /// `recurrence_id` (a lone event moved since; a series of the book's
    /// own, read back).
    fn session_by_key(
        &self,
        key: &str,
        uid: &str,
        recurrence_id: Option<&str>,
    ) -> Result<Option<KeyedSession>> {
        Ok(self
            .cached_row(
                "SELECT id, start_at, minutes, place, status, ical_sequence, ical_stamp \
                 FROM sessions WHERE ical_uid = ?1 \
                 OR (event_uid = ?2 AND recurrence_id IS ?3) \
                 OR (?3 IS NULL AND ical_uid = ?2 AND event_uid IS NULL) \
                 ORDER BY ical_uid = ?1 DESC, id DESC LIMIT 1",
                params![key, uid, recurrence_id],
                |r| {
                    Ok(KeyedSession {
                        id: r.get(0)?,
                        start: read_ts(r, 1)?,
                        minutes: r.get(2)?,
                        place: r.get(3)?,
                        status: read_word(r, 4, SessionStatus::parse)?,
                        version: Version {
                            sequence: r.get(5)?,
                            stamp: read_opt_ts(r, 6)?,
                        },
                    })
                },
            )
            .optional()?)
    }

    /// The busy block under `key`, else the one of event `uid` and instance
    /// `recurrence_id`.
    fn busy_by_key(
        &self,
        key: &str,
        uid: &str,
        recurrence_id: Option<&str>,
    ) -> Result<Option<KeyedBusy>> {
        Ok(self
            .cached_row(
                "SELECT id, start_at, end_at, all_day, summary, ical_sequence, ical_stamp \
                 FROM busy WHERE ical_uid = ?1 \
                 OR (event_uid = ?2 AND recurrence_id IS ?3) \
                 ORDER BY ical_uid = ?1 DESC, id DESC LIMIT 1",
                params![key, uid, recurrence_id],
                |r| {
                    Ok(KeyedBusy {
                        id: r.get(0)?,
                        start: read_ts(r, 1)?,
                        end: read_ts(r, 2)?,
                        all_day: r.get(3)?,
                        summary: r.get(4)?,
                        version: Version {
                            sequence: r.get(5)?,
                            stamp: read_opt_ts(r, 6)?,
                        },
                    })
                },
            )
            .optional()?)
    }

    /// Sessions and busy blocks read from `source` that start in `[from, to)`.
    fn items_of_source(
        &self,
        source: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<SourceItem>> {
        let mut out = Vec::new();
        let mut stmt = self.conn().prepare_cached(
            "SELECT id FROM sessions WHERE ical_source = ?1 \
             AND start_at >= ?2 AND start_at < ?3 AND status IN ('booked', 'rescheduled') ORDER BY id",
        )?;
        for row in stmt.query_map(params![source, ts(from), ts(to)], |r| {
            Ok(SourceItem::Session { id: r.get(0)? })
        })? {
            out.push(row?);
        }
        let mut stmt = self.conn().prepare_cached(
            "SELECT id FROM busy WHERE source = ?1 AND start_at >= ?2 AND start_at < ?3 ORDER BY id",
        )?;
        for row in stmt.query_map(params![source, ts(from), ts(to)], |r| {
            Ok(SourceItem::Busy { id: r.get(0)? })
        })? {
            out.push(row?);
        }
        Ok(out)
    }
}

impl<T: Queries> CalendarItemQueries for T {}

impl Tx<'_> {
    /// Note where an imported session or busy block came from.
    pub fn set_provenance(
        &self,
        session_id: Option<i64>,
        busy_id: Option<i64>,
        p: &Provenance,
    ) -> Result<()> {
        if let Some(id) = session_id {
            self.run(
                "UPDATE sessions SET ical_source = ?1, ical_stamp = ?2, event_uid = ?3, recurrence_id = ?4 WHERE id = ?5",
                params![p.source, p.stamp.map(ts), p.event_uid, p.recurrence_id, id],
            )?;
        }
        if let Some(id) = busy_id {
            self.run(
                "UPDATE busy SET source = ?1, ical_stamp = ?2, ical_sequence = ?3, event_uid = ?4, \
                 recurrence_id = ?5 WHERE id = ?6",
                params![
                    p.source,
                    p.stamp.map(ts),
                    p.sequence.max(0),
                    p.event_uid,
                    p.recurrence_id,
                    id
                ],
            )?;
        }
        Ok(())
    }

    /// A later version of an imported session: its time, length and place
    /// as the calendar now has them. A new start is a move read from the
    /// calendar; a cancelled or waiting session comes back as booked.
    pub fn update_session_from_calendar(
        &self,
        held: &KeyedSession,
        start: DateTime<Utc>,
        minutes: i64,
        place: Option<&str>,
        version: Version,
    ) -> Result<bool> {
        let revived = matches!(
            held.status,
            SessionStatus::Cancelled | SessionStatus::Rescheduled
        );
        let same = held.start == start
            && held.minutes == minutes
            && held.place.as_deref() == place
            && !revived;
        if same {
            return Ok(false);
        }
        if held.start != start || revived {
            self.record_calendar_move(
                held.id,
                Some(start),
                MovedBy::Coach,
                "moved in the calendar",
            )?;
        }
        self.run(
            "UPDATE sessions SET start_at = ?1, minutes = ?2, place = ?3, status = 'booked', \
             ical_sequence = max(ical_sequence, ?4), ical_stamp = ?5 WHERE id = ?6",
            params![
                ts(start),
                minutes.max(1),
                place,
                version.sequence,
                version.stamp.map(ts),
                held.id
            ],
        )?;
        Ok(true)
    }

    /// The calendar cancelled a session (or it is gone from it).
    pub fn cancel_session_from_calendar(&self, id: i64, by: MovedBy, reason: &str) -> Result<bool> {
        let status: Option<String> = self
            .cached_row("SELECT status FROM sessions WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        if !matches!(status.as_deref(), Some("booked" | "rescheduled")) {
            return Ok(false);
        }
        self.record_calendar_move(id, None, by, reason)?;
        self.run(
            "UPDATE sessions SET status = 'cancelled' WHERE id = ?1",
            [id],
        )?;
        Ok(true)
    }

    fn record_calendar_move(
        &self,
        id: i64,
        to: Option<DateTime<Utc>>,
        by: MovedBy,
        reason: &str,
    ) -> Result<()> {
        self.run(
            "INSERT INTO session_moves (session_id, client_id, moved_by, reason, from_start, to_start, moved_at, via)
             SELECT id, client_id, ?1, ?2, start_at, ?3, ?4, 'calendar' FROM sessions WHERE id = ?5",
            params![by.as_str(), reason, to.map(ts), ts(self.now), id],
        )?;
        Ok(())
    }

    /// A later version of a busy block.
    pub fn update_busy_from_calendar(
        &self,
        held: &KeyedBusy,
        block: &super::NewBusy,
        version: Version,
    ) -> Result<bool> {
        let end = block.end.max(block.start);
        if held.start == block.start
            && held.end == end
            && held.all_day == block.all_day
            && held.summary == block.summary
        {
            return Ok(false);
        }
        self.run(
            "UPDATE busy SET start_at = ?1, end_at = ?2, all_day = ?3, summary = ?4, \
             ical_sequence = max(ical_sequence, ?5), ical_stamp = ?6 WHERE id = ?7",
            params![
                ts(block.start),
                ts(end),
                block.all_day,
                block.summary,
                version.sequence,
                version.stamp.map(ts),
                held.id
            ],
        )?;
        Ok(true)
    }

    pub fn remove_busy(&self, id: i64) -> Result<bool> {
        Ok(self.run("DELETE FROM busy WHERE id = ?1", [id])? > 0)
    }
}

/// What one file of a vdir held at the last sync.
#[derive(Debug, Clone, PartialEq)]
pub struct VdirItem {
    pub file: String,
    pub uid: String,
    /// A hash of the file as last seen or written (`deleted`: the calendar
    /// deleted it).
    pub file_hash: String,
    /// A hash of the book's version of it then (`-`: the calendar's file).
    pub book_hash: String,
    pub synced_at: DateTime<Utc>,
}

pub trait VdirQueries: Queries {
    fn vdir_items(&self, vdir: &str) -> Result<Vec<VdirItem>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT file, uid, file_hash, book_hash, synced_at FROM vdir_items WHERE vdir = ?1 ORDER BY file",
        )?;
        let rows = stmt
            .query_map([vdir], |r| {
                Ok(VdirItem {
                    file: r.get(0)?,
                    uid: r.get(1)?,
                    file_hash: r.get(2)?,
                    book_hash: r.get(3)?,
                    synced_at: read_ts(r, 4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The time of the book's latest change after `since` (a sync's own
    /// changes do not count).
    fn last_change_since(&self, since: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
        let at: Option<String> = self.cached_row(
            "SELECT max(at) FROM changes WHERE at > ?1 AND command <> 'sync vdir'",
            [ts(since)],
            |r| r.get(0),
        )?;
        Ok(at.as_deref().and_then(super::parse_ts))
    }

    /// Whether a calendar UID is still the book's: a session's or a series'.
    fn calendar_uid_in_book(&self, uid: &str) -> Result<bool> {
        Ok(self.cached_row(
            "SELECT EXISTS (SELECT 1 FROM sessions WHERE ical_uid = ?1 OR event_uid = ?1) \
             OR EXISTS (SELECT 1 FROM series WHERE ical_uid = ?1)",
            [uid],
            |r| r.get(0),
        )?)
    }
}

impl<T: Queries> VdirQueries for T {}

impl Tx<'_> {
    pub fn set_vdir_item(
        &self,
        vdir: &str,
        file: &str,
        uid: &str,
        file_hash: &str,
        book_hash: &str,
    ) -> Result<()> {
        self.run(
            "INSERT INTO vdir_items (vdir, file, uid, file_hash, book_hash, synced_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
             ON CONFLICT (vdir, file) DO UPDATE SET uid = excluded.uid, file_hash = excluded.file_hash, \
             book_hash = excluded.book_hash, synced_at = excluded.synced_at",
            params![vdir, file, uid, file_hash, book_hash, ts(self.now)],
        )?;
        Ok(())
    }

    pub fn remove_vdir_item(&self, vdir: &str, file: &str) -> Result<()> {
        self.run(
            "DELETE FROM vdir_items WHERE vdir = ?1 AND file = ?2",
            params![vdir, file],
        )?;
        Ok(())
    }
}
