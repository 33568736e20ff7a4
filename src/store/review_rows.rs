//! What the review reads, and nothing more: the rows of the range with the
//! columns its figures use, each from an index that holds them (v10
//! `requests_review`, `sessions_start_status`, `session_moves_from_by`,
//! `followups_due_kind`), so no row of a table (whose bodies are most of the
//! book) is visited. What is a plain count is counted by SQLite. The cost
//! follows the range reviewed, not the size of the book.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::store::Conn;
use anyhow::Result;
use chrono::{DateTime, Datelike, Duration, SubsecRound, Timelike, Utc};
use rusqlite::params;
use rusqlite::types::ValueRef;

use super::{
    Queries, bad_column, canonical_date, canonical_time, parse_ts, read_word, split_instant,
    text_at, ts,
};
use crate::model::{ClientId, ClientStatus, DeliveryState, RequestStatus, Urgency};

/// The requests received in a range, by receipt, from `requests_review`
/// alone: no join, no subquery per row (names, hand-offs and deliveries
/// are read once for the whole range, below). Only the columns the review
/// judges by: not the channel nor the snooze (nothing in the review reads
/// them).
const REQUESTS: &str = "SELECT r.id, r.client_id, r.unknown_sender, r.received_at, r.urgency, \
     r.status, r.reply_by, r.first_reply_at, r.waiting_since, r.closed_at \
     FROM requests r INDEXED BY requests_review \
     WHERE r.received_at >= ?1 AND r.received_at < ?2 ORDER BY r.received_at, r.id";
/// The active clients (the ones the at-risk rules judge), in the order of
/// the client list: by name, ignoring case.
const ACTIVE_CLIENTS: &str = "SELECT id, name, status FROM clients WHERE status = 'active' \
     ORDER BY name COLLATE NOCASE, id";
/// The names of a set of clients (a JSON array of ids).
const NAMES: &str =
    "SELECT c.id, c.name FROM json_each(?1) j CROSS JOIN clients c ON c.id = j.value";
/// Requests (by id span) a hand-off note to the client reached: the same
/// test as `REQUEST_SELECT`'s `handed_off`, over the partial index of them.
const HANDED_OFF: &str = "SELECT DISTINCT p.request_id FROM replies p INDEXED BY replies_handed_off \
     WHERE p.kind = 'hand-off' AND p.delivered_at IS NOT NULL \
     AND p.request_id >= ?1 AND p.request_id <= ?2";
/// Replies (by request id span) still waiting for delivery, oldest first:
/// the last one of a request is `REQUEST_SELECT`'s `undelivered`.
const AWAITING_DELIVERY: &str = "SELECT p.request_id, p.delivery FROM replies p \
     INDEXED BY replies_awaiting_delivery \
     WHERE p.delivered_at IS NULL AND p.delivery IN ('failed', 'outbox') \
     AND p.kind != 'partner-brief' AND p.request_id >= ?1 AND p.request_id <= ?2 ORDER BY p.id";
/// Sessions starting in a range by status, counted in one pass over
/// `sessions_start_status` (no grouping, so no sort). Each count filters
/// its rows (`FILTER`): a row steps one aggregate, not one per status.
const SESSIONS_BY_STATUS: &str = "SELECT count(*), count(*) FILTER (WHERE status = 'held'), \
     count(*) FILTER (WHERE status = 'cancelled'), count(*) FILTER (WHERE status = 'no-show'), \
     count(*) FILTER (WHERE status = 'booked'), count(*) FILTER (WHERE status = 'rescheduled') \
     FROM sessions INDEXED BY sessions_start_status WHERE start_at >= ?1 AND start_at < ?2";
/// Sessions originally set in the range that were moved, once per mover.
const MOVED_BY: &str = "SELECT count(DISTINCT CASE WHEN moved_by = 'coach' THEN session_id END), \
     count(DISTINCT CASE WHEN moved_by = 'client' THEN session_id END), \
     count(*) FILTER (WHERE moved_by NOT IN ('coach', 'client')) \
     FROM session_moves INDEXED BY session_moves_from_by WHERE from_start >= ?1 AND from_start < ?2";
/// Follow-ups due in the range, one small number each: 4 for a promise,
/// plus where it stands: 0 not due yet at `?3`, 1 past due and not done,
/// 2 done by its due time, 3 done late. `?3` is the first whole second not
/// before now. Instants are stored in one form (`ts`), so text order is
/// time order. (Summing in SQL costs more per row than this.)
const FOLLOWUPS_BY_STATE: &str = "SELECT 4 * (kind = 'promise') + CASE WHEN done_at IS NULL \
     THEN due_at < ?3 ELSE 2 + (done_at > due_at) END \
     FROM followups INDEXED BY followups_due_kind WHERE due_at >= ?1 AND due_at < ?2";
const APOLOGIES: &str = "SELECT count(*) FROM replies INDEXED BY replies_apologies \
     WHERE sent_at >= ?1 AND sent_at < ?2 AND kind = 'apology'";

/// Sessions set in a range, by what became of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SessionTally {
    pub held: usize,
    pub cancelled: usize,
    pub no_show: usize,
    pub booked: usize,
    /// Sessions originally set in the range the coach moved (each once).
    pub moved_by_coach: usize,
    pub moved_by_client: usize,
}

/// Follow-ups due in a range, as they stand at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FollowUpTally {
    /// Promises done by the time promised.
    pub promises_kept: usize,
    /// Promises done late, or not done and past due.
    pub promises_broken: usize,
    pub promises_pending: usize,
    /// Every kind: done (in time or not), past due and not done, not due yet.
    pub done: usize,
    pub overdue: usize,
    pub pending: usize,
}

pub trait ReviewQueries: Queries {
    /// Requests received in `[from, to)`, by receipt, as the review judges
    /// them ([`ReviewRow`]): instants as seconds, the client as an index
    /// into the names of the read (one per client, not one per request).
    fn requests_to_review(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<ReviewRequests> {
        let mut stmt = self.conn().prepare_cached(REQUESTS)?;
        let mut rows = stmt.query([ts(from), ts(to)])?;
        let mut requests = Vec::new();
        let mut instants = Instants::new();
        let mut who = Who::default();
        while let Some(row) = rows.next()? {
            requests.push(lean_row(row, &mut instants, &mut who)?);
        }
        drop(rows);
        let (Some(low), Some(high)) = (
            requests.iter().map(|r| r.id).min(),
            requests.iter().map(|r| r.id).max(),
        ) else {
            return Ok(ReviewRequests {
                names: Vec::new(),
                rows: requests,
            });
        };

        let ids: BTreeSet<ClientId> = who.slots.iter().filter_map(|(id, _)| *id).collect();
        let names = self.names_of(&ids)?;
        let mut handed_off = BTreeSet::new();
        let mut stmt = self.conn().prepare_cached(HANDED_OFF)?;
        let mut rows = stmt.query([low, high])?;
        while let Some(row) = rows.next()? {
            handed_off.insert(row.get::<_, i64>(0)?);
        }
        drop(rows);
        let mut undelivered = BTreeMap::new();
        let mut stmt = self.conn().prepare_cached(AWAITING_DELIVERY)?;
        let mut rows = stmt.query([low, high])?;
        while let Some(row) = rows.next()? {
            // Oldest first: the last one standing is the latest.
            let delivery = read_word(row, 1, DeliveryState::parse)?;
            undelivered.insert(row.get::<_, i64>(0)?, delivery);
        }
        drop(rows);

        if !handed_off.is_empty() || !undelivered.is_empty() {
            for request in &mut requests {
                request.handed_off = handed_off.contains(&request.id);
                request.undelivered = undelivered.get(&request.id).copied();
            }
        }
        // `coalesce(c.name, r.unknown_sender)`, as the full select reads it.
        let names = who
            .slots
            .into_iter()
            .map(
                |(id, sender)| match (id.and_then(|id| names.get(&id)), sender) {
                    (Some(name), _) => name.as_str().into(),
                    (None, Some(sender)) => sender.into(),
                    (None, None) => "".into(),
                },
            )
            .collect();
        Ok(ReviewRequests {
            names,
            rows: requests,
        })
    }

    /// Id, name and status of every active client, by name: no more of
    /// them is read (the client list reads every column of every client).
    fn active_clients(&self) -> Result<Vec<(ClientId, String, ClientStatus)>> {
        let mut stmt = self.conn().prepare_cached(ACTIVE_CLIENTS)?;
        let clients = stmt
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, read_word(r, 2, ClientStatus::parse)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(clients)
    }

    /// The name of each of `ids` that exists.
    fn names_of(&self, ids: &BTreeSet<ClientId>) -> Result<BTreeMap<ClientId, String>> {
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        let mut stmt = self.conn().prepare_cached(NAMES)?;
        let names = stmt
            .query_map([format!("[{}]", list.join(","))], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(names)
    }

    /// Sessions starting in `[from, to)` by status, and the sessions
    /// originally set then that were moved, by mover.
    fn sessions_tallied(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<SessionTally> {
        let (all, held, cancelled, no_show, booked, rescheduled) = self
            .conn()
            .prepare_cached(SESSIONS_BY_STATUS)?
            .query_row([ts(from), ts(to)], |r| {
                Ok((
                    count_at(r, 0)?,
                    count_at(r, 1)?,
                    count_at(r, 2)?,
                    count_at(r, 3)?,
                    count_at(r, 4)?,
                    count_at(r, 5)?,
                ))
            })?;
        // The table's CHECK allows only these; a damaged book says so, as
        // reading the sessions whole would.
        if held + cancelled + no_show + booked + rescheduled != all {
            anyhow::bail!("a session starting between {from} and {to} has an unknown status");
        }
        let (moved_by_coach, moved_by_client, unknown) = self
            .conn()
            .prepare_cached(MOVED_BY)?
            .query_row([ts(from), ts(to)], |r| {
                Ok((count_at(r, 0)?, count_at(r, 1)?, count_at(r, 2)?))
            })?;
        if unknown > 0 {
            anyhow::bail!("a session move between {from} and {to} has an unknown mover");
        }
        Ok(SessionTally {
            held,
            cancelled,
            no_show,
            booked,
            moved_by_coach,
            moved_by_client,
        })
    }

    /// Follow-ups due in `[from, to)`, done or not, as they stand at `now`.
    fn followups_tallied(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<FollowUpTally> {
        // Stored instants are whole seconds: `due < now` is `due < ceil(now)`.
        let whole = now.trunc_subsecs(0);
        let now_or_next = if whole < now {
            whole + Duration::seconds(1)
        } else {
            whole
        };
        let mut tally = FollowUpTally::default();
        let mut stmt = self.conn().prepare_cached(FOLLOWUPS_BY_STATE)?;
        let mut rows = stmt.query(params![ts(from), ts(to), ts(now_or_next)])?;
        while let Some(row) = rows.next()? {
            let code: i64 = row.get(0)?;
            let (promise, state) = (code >= 4, code % 4);
            match state {
                0 => tally.pending += 1,
                1 => tally.overdue += 1,
                _ => tally.done += 1,
            }
            if promise {
                match state {
                    0 => tally.promises_pending += 1,
                    2 => tally.promises_kept += 1,
                    _ => tally.promises_broken += 1,
                }
            }
        }
        Ok(tally)
    }

    /// Apologies sent in `[from, to)`.
    fn apologies_sent_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<usize> {
        let count: i64 = self
            .conn()
            .prepare_cached(APOLOGIES)?
            .query_row([ts(from), ts(to)], |r| r.get(0))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }
}

impl<T: Queries> ReviewQueries for T {}

fn count_at(row: &rusqlite::Row, index: usize) -> rusqlite::Result<usize> {
    let count: i64 = row.get(index)?;
    Ok(usize::try_from(count).unwrap_or(0))
}

/// One request as the review judges it: its instants as seconds since
/// 1970-01-01 UTC (stored instants are whole seconds), its client as an
/// index into [`ReviewRequests::names`]. The closing and waiting instants
/// are read only where they count: no reply, and closed or waiting on the
/// client (`Request::stopped_without_reply_at`); else `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewRow {
    pub id: i64,
    pub client: u32,
    pub received_at: i64,
    pub reply_by: i64,
    pub first_reply_at: Option<i64>,
    pub waiting_since: Option<i64>,
    pub closed_at: Option<i64>,
    pub urgency: Urgency,
    pub status: RequestStatus,
    /// A hand-off note to the client was delivered.
    pub handed_off: bool,
    /// A reply still waits for delivery (failed, or in the outbox).
    pub undelivered: Option<DeliveryState>,
}

/// The requests of a review: the rows by receipt, and the names their
/// `client` indexes (the client's name, else the unknown sender's address).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewRequests {
    pub names: Vec<Arc<str>>,
    pub rows: Vec<ReviewRow>,
}

/// Who sent each request of a read: one slot per (client id, unknown
/// sender) pair seen, named once the read is done.
#[derive(Default)]
struct Who {
    /// Slots of a client id with no unknown sender (almost every request).
    by_client: BTreeMap<ClientId, u32>,
    /// Slots with an unknown sender, by client id (if any) and address.
    by_sender: BTreeMap<Option<ClientId>, BTreeMap<Box<[u8]>, u32>>,
    /// The slot of neither.
    nobody: Option<u32>,
    slots: Vec<(Option<ClientId>, Option<String>)>,
}

impl Who {
    /// The slot of columns 1 (client id) and 2 (unknown sender) of `row`.
    fn slot(&mut self, row: &rusqlite::Row) -> rusqlite::Result<u32> {
        let client_id: Option<ClientId> = row.get(1)?;
        let sender = match row.get_ref(2)? {
            ValueRef::Null => None,
            ValueRef::Text(bytes) => Some(bytes),
            // Not text: the error `Request`'s read gives.
            _ => row.get::<_, Option<String>>(2)?.map(|_| &[][..]),
        };
        let found = match (client_id, sender) {
            (Some(id), None) => self.by_client.get(&id).copied(),
            (None, None) => self.nobody,
            (_, Some(bytes)) => self
                .by_sender
                .get(&client_id)
                .and_then(|senders| senders.get(bytes))
                .copied(),
        };
        if let Some(slot) = found {
            return Ok(slot);
        }
        let next = u32::try_from(self.slots.len())
            .map_err(|_| bad_column(1, "more than 4 billion senders"))?;
        let sender = match (client_id, sender) {
            (_, Some(bytes)) => {
                // Read as text once (its UTF-8 checked, as `Request` reads it).
                let text: String = row.get(2)?;
                self.by_sender
                    .entry(client_id)
                    .or_default()
                    .insert(bytes.into(), next);
                Some(text)
            }
            (Some(id), None) => {
                self.by_client.insert(id, next);
                None
            }
            (None, None) => {
                self.nobody = Some(next);
                None
            }
        };
        self.slots.push((client_id, sender));
        Ok(next)
    }
}

/// One row of `REQUESTS`; the hand-off and delivery are filled in after.
fn lean_row(
    row: &rusqlite::Row,
    instants: &mut Instants,
    who: &mut Who,
) -> rusqlite::Result<ReviewRow> {
    let id = row.get(0)?;
    let client = who.slot(row)?;
    let received_at = instants.at(row, 3)?;
    let urgency = read_word(row, 4, Urgency::parse)?;
    let status = read_word(row, 5, RequestStatus::parse)?;
    let reply_by = instants.at(row, 6)?;
    let first_reply_at = instants.opt_at(row, 7)?;
    let (waiting_since, closed_at) = match (first_reply_at, status) {
        (None, RequestStatus::WaitingOnClient) => (instants.opt_at(row, 8)?, None),
        (None, RequestStatus::Closed) => (None, instants.opt_at(row, 9)?),
        _ => (None, None),
    };
    Ok(ReviewRow {
        id,
        client,
        received_at,
        reply_by,
        first_reply_at,
        waiting_since,
        closed_at,
        urgency,
        status,
        handed_off: false,
        undelivered: None,
    })
}

/// How many dates [`Instants`] remembers.
const RECENT_DATES: usize = 4;

/// Days from 0001-01-01 (chrono's day 1 of the common era) to 1970-01-01.
const UNIX_EPOCH_DAY_FROM_CE: i64 = 719_163;

/// The stored instants of one read, as seconds since 1970-01-01 UTC, the
/// dates they fall on remembered: the requests come by receipt, and a
/// request's reply-by and replies fall on days just seen, so most instants
/// need only their time of day read. Gives what [`parse_ts`] gives, to the
/// whole second (test
/// `remembered_dates_read_as_the_rfc3339_parser_reads_them`).
pub(crate) struct Instants {
    /// `YYYY-MM-DD` as stored, and its day from 1970-01-01 (only dates in
    /// the accepted years: the check is made once, when the date is read).
    recent: [([u8; 10], i64); RECENT_DATES],
    /// The slot the next new date takes.
    next: usize,
}

impl Instants {
    pub(crate) fn new() -> Instants {
        Instants {
            // Never matched: a stored date is looked up only once its
            // separators are checked, and these have none.
            recent: [([0; 10], 0); RECENT_DATES],
            next: 0,
        }
    }

    /// The store's own form, as `store::canonical_instant` reads it, in
    /// seconds since 1970-01-01 UTC.
    pub(crate) fn canonical(&mut self, b: &[u8]) -> Option<i64> {
        let (date, time) = split_instant(b)?;
        let time = i64::from(canonical_time(time)?.num_seconds_from_midnight());
        let day = match self.recent.iter().find(|(text, _)| *text == date) {
            Some((_, known)) => *known,
            None => {
                let read =
                    i64::from(canonical_date(date)?.num_days_from_ce()) - UNIX_EPOCH_DAY_FROM_CE;
                if let Some(slot) = self.recent.get_mut(self.next) {
                    *slot = (date, read);
                }
                self.next = (self.next + 1) % RECENT_DATES;
                read
            }
        };
        Some(day * 86_400 + time)
    }

    /// The instant in column `index`: the stored form straight from
    /// SQLite's bytes (one column look-up); anything else through the text
    /// and the RFC 3339 parser (to its whole second), or the column's one
    /// clear error.
    fn at(&mut self, row: &rusqlite::Row, index: usize) -> rusqlite::Result<i64> {
        if let ValueRef::Text(bytes) = row.get_ref(index)?
            && let Some(at) = self.canonical(bytes)
        {
            return Ok(at);
        }
        let text = text_at(row, index)?;
        parse_ts(text)
            .map(|at| at.timestamp())
            .ok_or_else(|| bad_column(index, text))
    }

    /// [`Instants::at`] of a column that may be NULL.
    fn opt_at(&mut self, row: &rusqlite::Row, index: usize) -> rusqlite::Result<Option<i64>> {
        match row.get_ref(index)? {
            ValueRef::Null => Ok(None),
            ValueRef::Text(bytes) => match self.canonical(bytes) {
                Some(at) => Ok(Some(at)),
                None => self.at(row, index).map(Some),
            },
            _ => self.at(row, index).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::canonical_instant;

    /// What chrono's RFC 3339 parser reads, inside the accepted years: the
    /// reading the digit-by-digit one must give.
    fn chrono_reads(text: &str) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .and_then(|d| crate::domain::bounds::instant(d.with_timezone(&Utc)).ok())
    }

    /// The digit-by-digit reading gives what the RFC 3339 parser gives, for
    /// the stored form and for every near miss (which it leaves to it).
    #[test]
    fn stored_instants_read_as_the_rfc3339_parser_reads_them() {
        for text in [
            "2026-11-23T13:20:00Z",
            "2024-02-29T23:59:59Z",
            "2023-02-29T10:00:00Z",
            "2026-13-01T10:00:00Z",
            "2026-11-23T24:00:00Z",
            "2026-11-23T13:60:00Z",
            "2016-12-31T23:59:60Z",
            "2026-11-23T13:20:00+01:00",
            "2026-11-23 13:20:00Z",
            "2026-11-23T13:20:00z",
            "2026-1a-23T13:20:00Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "+026-11-23T13:20:00Z",
            "",
        ] {
            assert_eq!(parse_ts(text), chrono_reads(text), "{text}");
        }
        let at: DateTime<Utc> = "2026-11-23T13:20:07Z".parse().expect("instant");
        assert_eq!(canonical_instant(ts(at).as_bytes()), Some(at));
    }

    /// The remembered dates change nothing: a long run of stored instants,
    /// each read after its neighbours (so its date is often remembered,
    /// and the near misses come after their good twins), reads as the
    /// RFC 3339 parser reads it, at the bounds of the accepted years too.
    #[test]
    fn remembered_dates_read_as_the_rfc3339_parser_reads_them() {
        let mut texts: Vec<String> = Vec::new();
        for date in [
            "1900-01-01",
            "1899-12-31",
            "2200-12-31",
            "2201-01-01",
            "2024-02-29",
            "2023-02-29",
            "2026-11-23",
            "2026-11-31",
            "2026-00-10",
            "0000-01-01",
            "9999-12-31",
        ] {
            for time in [
                "T00:00:00Z",
                "T23:59:59Z",
                "T23:59:60Z",
                "T24:00:00Z",
                "T12:60:00Z",
                "T12:00:00z",
                "T12:00:00+01:00",
                " 12:00:00Z",
                "T1a:00:00Z",
            ] {
                texts.push(format!("{date}{time}"));
            }
        }
        for odd in [
            "2026-11-23",
            "2026/11/23T10:00:00Z",
            "+026-11-23T13:20:00Z",
            "",
        ] {
            texts.push(odd.to_string());
        }
        let mut instants = Instants::new();
        // Twice over, so every date is also read when remembered.
        for text in texts.iter().chain(texts.iter()) {
            let remembered = instants
                .canonical(text.as_bytes())
                .or_else(|| parse_ts(text).map(|at| at.timestamp()));
            assert_eq!(
                remembered,
                parse_ts(text).map(|at| at.timestamp()),
                "{text}"
            );
            assert_eq!(parse_ts(text), chrono_reads(text), "{text}");
        }
        // The first and last seconds coachbook accepts are read; the ones
        // just outside are not, by either reading.
        for (text, read) in [
            ("1900-01-01T00:00:00Z", true),
            ("2200-12-31T23:59:59Z", true),
            ("1899-12-31T23:59:59Z", false),
            ("2201-01-01T00:00:00Z", false),
        ] {
            assert_eq!(
                instants.canonical(text.as_bytes()).is_some(),
                read,
                "{text}"
            );
            assert_eq!(parse_ts(text).is_some(), read, "{text}");
        }
    }
}
