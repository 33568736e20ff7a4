//! Sessions, repeating series and every move of a session.

use anyhow::Result;
use chrono::{DateTime, Duration, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Queries, Tx, read_minutes, read_opt_ts, read_ts, read_word, ts};
use crate::domain::series::series_starts;
use crate::error::BadInput;
use crate::model::{ClientId, MovedBy, Repeat, Repeating, Session, SessionStatus};

#[derive(Debug, Clone)]
pub struct NewSession {
    pub client_id: ClientId,
    pub start: DateTime<Utc>,
    pub minutes: i64,
    pub place: Option<String>,
    /// Set for a crisis call booked for a request.
    pub request_id: Option<i64>,
}

/// A series that goes to calendars as one event with an RRULE.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub id: i64,
    pub client_id: ClientId,
    pub repeat: Repeat,
    pub tz: chrono_tz::Tz,
    pub count: i64,
    pub ical_uid: String,
    pub ical_sequence: i64,
}

/// One move of a session, as the review and the at-risk rules read it.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionMove {
    pub session_id: i64,
    pub client_id: ClientId,
    pub moved_by: MovedBy,
    pub reason: Option<String>,
    pub from_start: DateTime<Utc>,
    pub to_start: Option<DateTime<Utc>>,
    pub moved_at: DateTime<Utc>,
}

/// Why an emergency moved a session (`emergency`); the client's later pick
/// completes that same move.
pub const EMERGENCY_REASON: &str = "coach emergency";
const EMERGENCY_CHOSEN_REASON: &str = "coach emergency (client chose the time)";

const SESSION_SELECT: &str = "SELECT s.id, s.client_id, c.name, s.start_at, s.minutes, s.place, \
     s.status, s.series_id, s.ical_uid, s.ical_sequence, \
     (SELECT moved_by || coalesce(' ' || via, '') FROM session_moves m WHERE m.session_id = s.id \
      ORDER BY m.id DESC LIMIT 1), \
     s.notes, s.event_uid, s.recurrence_id, s.ical_source \
     FROM sessions s JOIN clients c ON c.id = s.client_id";

fn session_from_row(row: &rusqlite::Row) -> rusqlite::Result<Session> {
    // The last move: who asked for it, and "calendar" when it was read there.
    let last_move: Option<String> = row.get(10)?;
    let (moved_by, via) = match last_move.as_deref().map(|m| m.split_once(' ')) {
        Some(Some((by, via))) => (Some(by.to_string()), Some(via.to_string())),
        Some(None) => (last_move.clone(), None),
        None => (None, None),
    };
    Ok(Session {
        id: row.get(0)?,
        client_id: row.get(1)?,
        client_name: row.get(2)?,
        start: read_ts(row, 3)?,
        minutes: read_minutes(row, 4)?,
        place: row.get(5)?,
        status: read_word(row, 6, SessionStatus::parse)?,
        series_id: row.get(7)?,
        ical_uid: row.get(8)?,
        ical_sequence: row.get(9)?,
        moved_by: moved_by.and_then(|m| MovedBy::parse(&m).ok()),
        notes: row.get(11)?,
        event_uid: row.get(12)?,
        recurrence_id: row.get(13)?,
        ical_source: row.get(14)?,
        changed_in_calendar: via.as_deref() == Some("calendar"),
    })
}

fn move_from_row(r: &rusqlite::Row) -> rusqlite::Result<SessionMove> {
    Ok(SessionMove {
        session_id: r.get(0)?,
        client_id: r.get(1)?,
        moved_by: read_word(r, 2, MovedBy::parse)?,
        reason: r.get(3)?,
        from_start: read_ts(r, 4)?,
        to_start: read_opt_ts(r, 5)?,
        moved_at: read_ts(r, 6)?,
    })
}

pub trait SessionQueries: Queries {
    /// Sessions starting in `[from, to)`, in order.
    fn sessions_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Session>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{SESSION_SELECT} WHERE s.start_at >= ?1 AND s.start_at < ?2 ORDER BY s.start_at, s.id"
        ))?;
        let rows = stmt
            .query_map([ts(from), ts(to)], session_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Every session of a series, in order.
    fn series_sessions(&self, series_id: i64) -> Result<Vec<Session>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{SESSION_SELECT} WHERE s.series_id = ?1 ORDER BY s.recurrence_id, s.id"
        ))?;
        let rows = stmt
            .query_map([series_id], session_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The series that go to calendars as one event (booked since series
    /// have a UID), with a session starting in `[from, to)`.
    fn calendar_series_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Series>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, client_id, repeat, tz, count, ical_uid, ical_sequence FROM series \
             WHERE ical_uid IS NOT NULL AND repeat IS NOT NULL AND tz IS NOT NULL AND EXISTS \
             (SELECT 1 FROM sessions s WHERE s.series_id = series.id AND s.start_at >= ?1 AND s.start_at < ?2) \
             ORDER BY id",
        )?;
        let rows = stmt
            .query_map([ts(from), ts(to)], |r| {
                let tz: String = r.get(3)?;
                Ok(Series {
                    id: r.get(0)?,
                    client_id: r.get(1)?,
                    repeat: read_word(r, 2, Repeat::parse)?,
                    tz: tz.parse().unwrap_or(chrono_tz::UTC),
                    count: r.get(4)?,
                    ical_uid: r.get(5)?,
                    ical_sequence: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn session(&self, id: i64) -> Result<Session> {
        self.cached_row(
            &format!("{SESSION_SELECT} WHERE s.id = ?1"),
            [id],
            session_from_row,
        )
        .optional()?
        .ok_or_else(|| BadInput(format!("no session has id {id}")).into())
    }

    /// A client's sessions starting in `[from, to)`.
    fn client_sessions_between(
        &self,
        client_id: ClientId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Session>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{SESSION_SELECT} WHERE s.client_id = ?1 AND s.start_at >= ?2 AND s.start_at < ?3 \
             ORDER BY s.start_at"
        ))?;
        let rows = stmt
            .query_map(params![client_id, ts(from), ts(to)], session_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Time already taken in `[from, to)`: booked and held sessions, and
    /// the busy blocks imported from the coach's calendar. A session may
    /// start before `from` and still overlap, so look back a day.
    fn busy_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
        let mut taken: Vec<(DateTime<Utc>, DateTime<Utc>)> = self
            .sessions_between(from - Duration::days(1), to)?
            .into_iter()
            .filter(|s| s.occupies_time() && s.end() > from)
            .map(|s| (s.start, s.end()))
            .collect();
        taken.extend(
            super::busy::busy_blocks(self.conn(), from, to)?
                .into_iter()
                .filter(|b| b.end > b.start)
                .map(|b| (b.start, b.end)),
        );
        taken.sort();
        Ok(taken)
    }

    /// How often the coach moved this client's sessions since `since`.
    fn coach_moves_since(&self, client_id: ClientId, since: DateTime<Utc>) -> Result<i64> {
        Ok(self.cached_row(
            "SELECT count(*) FROM session_moves WHERE client_id = ?1 AND moved_at >= ?2 AND moved_by = 'coach'",
            params![client_id, ts(since)],
            |r| r.get(0),
        )?)
    }

    /// Whether the client had any session before `before`.
    fn has_session_before(&self, client_id: ClientId, before: DateTime<Utc>) -> Result<bool> {
        Ok(self.cached_row(
            "SELECT EXISTS (SELECT 1 FROM sessions WHERE client_id = ?1 AND start_at < ?2)",
            params![client_id, ts(before)],
            |r| r.get(0),
        )?)
    }

    /// Every move of a client's sessions, newest first (at most `limit`).
    fn client_moves(&self, client_id: ClientId, limit: i64) -> Result<Vec<SessionMove>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT session_id, client_id, moved_by, reason, from_start, to_start, moved_at \
             FROM session_moves WHERE client_id = ?1 ORDER BY moved_at DESC, id DESC LIMIT ?2",
        )?;
        let rows = stmt
            .query_map(params![client_id, limit], move_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// A client's latest sessions that started before `before`, newest first.
    fn client_sessions_before(
        &self,
        client_id: ClientId,
        before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Session>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{SESSION_SELECT} WHERE s.client_id = ?1 AND s.start_at < ?2 \
             ORDER BY s.start_at DESC LIMIT ?3"
        ))?;
        let rows = stmt
            .query_map(params![client_id, ts(before), limit], session_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Moves of sessions originally set in `[from, to)`.
    fn moves_of_sessions_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<SessionMove>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT session_id, client_id, moved_by, reason, from_start, to_start, moved_at \
             FROM session_moves WHERE from_start >= ?1 AND from_start < ?2 ORDER BY id",
        )?;
        let rows = stmt
            .query_map([ts(from), ts(to)], move_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }
}

impl<T: Queries> SessionQueries for T {}

impl Tx<'_> {
    /// Book one session, or a series repeating on the wall clock of its
    /// zone (so "Tuesdays 10:00" stays 10:00 across daylight-saving changes).
    /// A series has one calendar UID; each session in it keeps its original
    /// start as its RECURRENCE-ID.
    pub fn add_sessions(&self, first: &NewSession, repeat: Option<Repeating>) -> Result<Vec<i64>> {
        crate::domain::bounds::session_minutes(first.minutes).map_err(BadInput::from)?;
        crate::domain::bounds::instant(first.start).map_err(BadInput::from)?;
        let (starts, series) = match repeat {
            Some(plan) => {
                if !(1..=520).contains(&plan.count) {
                    return Err(BadInput(format!(
                        "--count must be between 1 and 520, not {}",
                        plan.count
                    ))
                    .into());
                }
                let series_uid = format!(
                    "{}-c{}-{}-series@coachbook",
                    recurrence_text(first.start),
                    first.client_id,
                    self.change_id
                );
                self.run(
                    "INSERT INTO series (client_id, every_days, count, repeat, tz, ical_uid) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        first.client_id,
                        plan.repeat.days(),
                        plan.count,
                        plan.repeat.as_str(),
                        plan.tz.name(),
                        series_uid
                    ],
                )?;
                let starts = series_starts(first.start, plan.repeat, plan.count, plan.tz);
                (starts, Some((self.conn.last_insert_rowid(), series_uid)))
            }
            None => (vec![first.start], None),
        };
        let mut ids = Vec::new();
        for (n, start) in (0_i64..).zip(starts) {
            self.run(
                "INSERT INTO sessions (client_id, series_id, request_id, start_at, minutes, place, ical_uid, \
                 event_uid, recurrence_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    first.client_id,
                    series.as_ref().map(|(id, _)| *id),
                    first.request_id,
                    ts(start),
                    first.minutes,
                    first.place.as_deref().map(crate::text::one_line_field),
                    new_uid(first.client_id, self.change_id, n, start),
                    series.as_ref().map(|(_, uid)| uid.as_str()),
                    series.as_ref().map(|_| recurrence_text(start)),
                    ts(self.now),
                ],
            )?;
            ids.push(self.conn.last_insert_rowid());
        }
        Ok(ids)
    }

    /// Move a session to a new start (or, with `to = None`, mark it
    /// rescheduled until a new time is agreed). The calendar entry keeps its
    /// UID and gets a higher SEQUENCE, so the client's calendar follows.
    pub fn move_session(
        &self,
        id: i64,
        to: Option<DateTime<Utc>>,
        moved_by: MovedBy,
        reason: Option<&str>,
    ) -> Result<Session> {
        let session = self.session(id)?;
        if matches!(
            session.status,
            SessionStatus::Cancelled | SessionStatus::Held | SessionStatus::NoShow
        ) {
            return Err(BadInput(format!(
                "session {id} is {}; only a booked session can move",
                session.status
            ))
            .into());
        }
        // The client's pick after an emergency finishes the coach's move: it
        // is one move, by the coach, and counted once in the review.
        let open_emergency: Option<i64> = if moved_by == MovedBy::Client {
            self.cached_row(
                "SELECT id FROM session_moves WHERE session_id = ?1 \
                     AND id = (SELECT max(id) FROM session_moves WHERE session_id = ?1) \
                     AND moved_by = 'coach' AND reason = ?2 \
                     AND (to_start IS NULL OR to_start = ?3)",
                params![id, EMERGENCY_REASON, ts(session.start)],
                |r| r.get(0),
            )
            .optional()?
        } else {
            None
        };
        if let (Some(move_id), Some(start)) = (open_emergency, to) {
            self.run(
                "UPDATE session_moves SET to_start = ?1, reason = ?2 WHERE id = ?3",
                params![ts(start), EMERGENCY_CHOSEN_REASON, move_id],
            )?;
            self.run(
                "UPDATE sessions SET start_at = ?1, status = 'booked', ical_sequence = ical_sequence + 1 WHERE id = ?2",
                params![ts(start), id],
            )?;
            return self.session(id);
        }
        self.run(
            "INSERT INTO session_moves (session_id, client_id, moved_by, reason, from_start, to_start, moved_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                id,
                session.client_id,
                moved_by.as_str(),
                reason,
                ts(session.start),
                to.map(ts),
                ts(self.now),
            ],
        )?;
        match to {
            Some(start) => self.run(
                "UPDATE sessions SET start_at = ?1, status = 'booked', ical_sequence = ical_sequence + 1 WHERE id = ?2",
                params![ts(start), id],
            )?,
            None => self.run(
                "UPDATE sessions SET status = 'rescheduled', ical_sequence = ical_sequence + 1 WHERE id = ?1",
                params![id],
            )?,
        };
        self.session(id)
    }

    /// Record how a session went. Held and no-show only once it has begun;
    /// a session waiting for a new time cannot be marked.
    pub fn mark_session(&self, id: i64, outcome: SessionStatus, now: DateTime<Utc>) -> Result<()> {
        let session = self.session(id)?;
        if session.status == SessionStatus::Rescheduled {
            return Err(BadInput(format!(
                "session #{id} is waiting for a new time; move it first"
            ))
            .into());
        }
        if matches!(outcome, SessionStatus::Held | SessionStatus::NoShow) && session.start > now {
            return Err(BadInput(format!(
                "session #{id} has not begun yet; it can be {outcome} once it has"
            ))
            .into());
        }
        self.set_session_status(id, outcome)
    }

    pub fn set_session_notes(&self, id: i64, notes: &str) -> Result<()> {
        self.run(
            "UPDATE sessions SET notes = ?1 WHERE id = ?2",
            params![notes.trim(), id],
        )?;
        Ok(())
    }

    /// A new version of the session's calendar entry (a higher SEQUENCE).
    pub fn raise_sequence(&self, id: i64) -> Result<()> {
        self.run(
            "UPDATE sessions SET ical_sequence = ical_sequence + 1 WHERE id = ?1",
            [id],
        )?;
        Ok(())
    }

    pub fn set_session_status(&self, id: i64, status: SessionStatus) -> Result<()> {
        self.session(id)?;
        self.run(
            "UPDATE sessions SET status = ?1 WHERE id = ?2",
            params![status.as_str(), id],
        )?;
        Ok(())
    }
}

/// A RECURRENCE-ID as the book keeps it: the original start in UTC.
pub fn recurrence_text(start: DateTime<Utc>) -> String {
    start.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A calendar UID: the start, the client, the change that booked it and its
/// place in a series. Stable (a demo book for a day is the same every time)
/// and, with the start instant in it, unique in practice across books.
fn new_uid(client_id: ClientId, change_id: i64, n: i64, start: DateTime<Utc>) -> String {
    format!(
        "{}-c{client_id}-{change_id}-{n}@coachbook",
        start.format("%Y%m%dT%H%M%SZ")
    )
}
