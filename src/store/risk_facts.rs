//! The at-risk facts of a set of clients at once: one query per kind of
//! fact for all of them (over the same per-client indexes the single-client
//! queries use), so the dashboard's reload and the review cost a handful of
//! queries however many clients they judge. What counts is decided by the
//! caller (`review::gather`); these only count what they are asked to.

use crate::store::Conn;
use std::collections::BTreeMap;

use anyhow::Result;
use chrono::{DateTime, Timelike, Utc};
use rusqlite::params;

use super::requests::{REQUEST_SELECT, request_from_row};
use super::{Queries, parse_ts, read_word, ts};
use crate::model::{
    AgreementStatus, ClientId, ClientStatus, FollowUpKind, Owner, Request, SessionStatus,
};

/// The set of client ids as one bound parameter (a JSON array for
/// `json_each`): one prepared statement for any number of clients.
fn id_set(ids: &[ClientId]) -> String {
    // Each client once, or a count would be doubled.
    let ids: std::collections::BTreeSet<&ClientId> = ids.iter().collect();
    let list: Vec<String> = ids.into_iter().map(i64::to_string).collect();
    format!("[{}]", list.join(","))
}

// Each query reads only the index range of each client in the set (see the
// test below: no scan of a table, only of the id list).
// `json_each` first and CROSS JOIN: SQLite keeps that order, so each
// client's rows are found through the per-client index.
const CLIENTS: &str = "SELECT c.id, c.name, c.status FROM json_each(?1) j \
     CROSS JOIN clients c ON c.id = j.value ORDER BY c.id";
const SESSIONS_COUNTED: &str = "SELECT s.client_id, count(*) FROM json_each(?1) j \
     CROSS JOIN sessions s ON s.client_id = j.value \
     WHERE s.start_at >= ?2 AND s.start_at < ?3 AND s.status = ?4 GROUP BY s.client_id";
// Every count of the at-risk rules for each client of the set, in one
// statement (one prepare, one pass over the ids): each sub-query reads that
// client's index range only. Booked sessions in `[?2, ?3)` and no-shows in
// `[?4, ?5)` (sessions by client, start and status); moves by the coach
// since `?6` (moves by client and time); open follow-ups of `?7`/`?8` due
// before `?9` (follow-ups by client and kind, open ones first); the status
// of the latest agreement; the last contact up to `?9` (a request, a reply,
// a held session).
const RISK_COUNTS: &str = "SELECT j.value, \
     (SELECT count(*) FROM sessions s WHERE s.client_id = j.value \
       AND s.start_at >= ?2 AND s.start_at < ?3 AND s.status = ?10), \
     (SELECT count(*) FROM sessions s WHERE s.client_id = j.value \
       AND s.start_at >= ?4 AND s.start_at < ?5 AND s.status = ?11), \
     (SELECT count(*) FROM session_moves m WHERE m.client_id = j.value \
       AND m.moved_at >= ?6 AND m.moved_by = 'coach'), \
     (SELECT count(*) FROM followups f INDEXED BY followups_client_kind \
       WHERE f.client_id = j.value AND f.kind = ?8 AND f.done_at IS NULL \
       AND f.due_at < ?9 AND f.owner = ?7), \
     (SELECT a.status FROM agreements a WHERE a.client_id = j.value \
       ORDER BY a.id DESC LIMIT 1), \
     (SELECT max(at) FROM ( \
       SELECT max(received_at) AS at FROM requests WHERE client_id = j.value \
       UNION ALL SELECT max(sent_at) FROM replies WHERE client_id = j.value \
       UNION ALL SELECT max(start_at) FROM sessions WHERE client_id = j.value \
         AND status = 'held' AND start_at <= ?9)) \
     FROM json_each(?1) j";

// Care generation's question on every `today`: which active clients have
// drifted (no contact since `?2`, or nothing booked in `[?3, ?4)`) and have
// no check-in open or made since `?5`. Each look-up is one client's index
// range (the client list is the only table scanned: clients are few). The
// check-in is asked first: a client with one open or made lately needs
// no other look-up.
const DRIFTING: &str = "SELECT c.id FROM clients c WHERE c.status = ?6 \
     AND NOT EXISTS (SELECT 1 FROM followups f INDEXED BY followups_client_kind \
            WHERE f.client_id = c.id AND f.kind = ?1 AND (f.done_at IS NULL OR f.created_at > ?5)) \
     AND (NOT EXISTS (SELECT 1 FROM sessions s WHERE s.client_id = c.id \
            AND s.start_at >= ?3 AND s.start_at < ?4 AND s.status = ?7) \
          OR NOT (EXISTS (SELECT 1 FROM requests r WHERE r.client_id = c.id AND r.received_at > ?2) \
            OR EXISTS (SELECT 1 FROM replies p WHERE p.client_id = c.id AND p.sent_at > ?2) \
            OR EXISTS (SELECT 1 FROM sessions s WHERE s.client_id = c.id AND s.status = 'held' \
              AND s.start_at > ?2 AND s.start_at <= ?3))) \
     ORDER BY c.name COLLATE NOCASE, c.id";

fn requests_received_sql() -> String {
    format!(
        "{REQUEST_SELECT} WHERE r.client_id IN (SELECT value FROM json_each(?1)) \
         AND r.received_at >= ?2 AND r.received_at < ?3 \
         AND r.reply_by >= ?4 AND r.reply_by <= ?5 ORDER BY r.received_at, r.id"
    )
}

/// Per client of the set, the requests received in `[?2, ?3)` with a
/// reply-by in `[?4, ?5]` that missed it, by `review::judge`'s rules, in
/// one pass over `requests_not_met` (the requests not answered by their
/// reply-by, by client and reply-by: the window of reply-bys is the range
/// scanned):
/// - answered after the reply-by;
/// - never answered and stopped (closed, or set waiting on the client)
///   after it: the instant it stopped (`closed_at` / `waiting_since`, else
///   the receipt) is the only column not in the index, so only those rare
///   rows are read from the table (SQLite seeks a table row only when a
///   column it lacks is needed);
/// - never answered, not stopped (open, snoozed, history mail), and the
///   reply-by passed (`?6` is the first stored second not before `now`).
///
/// The index's own condition is repeated as a term, so SQLite may use it.
/// Stored instants are whole seconds in one fixed-width UTC form, so they
/// compare as text. `lean_counts_judge_the_same_missed_reply_bys_as_whole_requests`
/// checks this against `judge` on whole requests.
const MISSED_REPLY_BYS: &str = "SELECT r.client_id, count(*) \
     FROM requests r INDEXED BY requests_not_met \
     WHERE r.client_id IN (SELECT value FROM json_each(?1)) \
     AND r.reply_by >= ?4 AND r.reply_by <= ?5 \
     AND r.received_at >= ?2 AND r.received_at < ?3 \
     AND (r.first_reply_at IS NULL OR r.first_reply_at > r.reply_by) \
     AND (r.first_reply_at > r.reply_by OR CASE r.status \
       WHEN 'closed' THEN coalesce(r.closed_at, r.received_at) > r.reply_by \
       WHEN 'waiting' THEN coalesce(r.waiting_since, r.received_at) > r.reply_by \
       ELSE r.reply_by < ?6 END) \
     GROUP BY r.client_id";

/// `at` rounded up to the whole second (stored instants have no fractions).
fn ceil_second(at: DateTime<Utc>) -> DateTime<Utc> {
    let floor = at.with_nanosecond(0).unwrap_or(at);
    if floor < at {
        floor + chrono::Duration::seconds(1)
    } else {
        floor
    }
}

/// What [`RiskFactQueries::risk_counts_by_client`] counts: the ranges and
/// instants of the at-risk rules (chosen by `review::gather`).
#[derive(Debug, Clone, Copy)]
pub struct RiskCountsAsked {
    /// Booked sessions starting in `[from, to)`.
    pub booked: (DateTime<Utc>, DateTime<Utc>),
    /// No-shows starting in `[from, to)`.
    pub no_shows: (DateTime<Utc>, DateTime<Utc>),
    /// Moves by the coach since then.
    pub coach_moves_since: DateTime<Utc>,
    /// Open follow-ups of this owner and kind, due before `now`.
    pub open: (Owner, FollowUpKind),
    /// The instant judged at.
    pub now: DateTime<Utc>,
}

/// One client's at-risk counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RiskCounts {
    pub booked_ahead: usize,
    pub no_shows: usize,
    pub coach_moves: i64,
    pub open_followups: usize,
    /// The status of their latest agreement, if they have one.
    pub latest_agreement: Option<AgreementStatus>,
    /// When they last wrote, were written to or met (a held session up to
    /// `now`); `None` with no contact at all. The same as
    /// `RequestQueries::last_contact`, for many at once.
    pub last_contact: Option<DateTime<Utc>>,
}

fn counts(rows: rusqlite::Rows<'_>) -> Result<BTreeMap<ClientId, i64>> {
    Ok(rows
        .mapped(|r| Ok((r.get(0)?, r.get(1)?)))
        .collect::<rusqlite::Result<_>>()?)
}

pub trait RiskFactQueries: Queries {
    /// Id, name and status of each of `ids` that exists.
    fn clients_to_judge(&self, ids: &[ClientId]) -> Result<Vec<(ClientId, String, ClientStatus)>> {
        let mut stmt = self.conn().prepare_cached(CLIENTS)?;
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
        let mut stmt = self.conn().prepare_cached(SESSIONS_COUNTED)?;
        counts(stmt.query(params![id_set(ids), ts(from), ts(to), status.as_str()])?)
    }

    /// The at-risk counts of each of `ids` ([`RISK_COUNTS`]), in one
    /// statement: what `review::gather` turns into each client's facts.
    fn risk_counts_by_client(
        &self,
        ids: &[ClientId],
        ask: &RiskCountsAsked,
    ) -> Result<BTreeMap<ClientId, RiskCounts>> {
        let mut stmt = self.conn().prepare_cached(RISK_COUNTS)?;
        let mut rows = stmt.query(params![
            id_set(ids),
            ts(ask.booked.0),
            ts(ask.booked.1),
            ts(ask.no_shows.0),
            ts(ask.no_shows.1),
            ts(ask.coach_moves_since),
            ask.open.0.as_str(),
            ask.open.1.as_str(),
            ts(ask.now),
            SessionStatus::Booked.as_str(),
            SessionStatus::NoShow.as_str()
        ])?;
        let mut out = BTreeMap::new();
        while let Some(row) = rows.next()? {
            let count = |i: usize| -> rusqlite::Result<usize> {
                Ok(usize::try_from(row.get::<_, i64>(i)?).unwrap_or(0))
            };
            let agreement = match row.get_ref(5)? {
                rusqlite::types::ValueRef::Null => None,
                _ => Some(read_word(row, 5, AgreementStatus::parse)?),
            };
            let last_contact = row.get::<_, Option<String>>(6)?;
            out.insert(
                row.get(0)?,
                RiskCounts {
                    booked_ahead: count(1)?,
                    no_shows: count(2)?,
                    coach_moves: row.get(3)?,
                    open_followups: count(4)?,
                    latest_agreement: agreement,
                    last_contact: last_contact.as_deref().and_then(parse_ts),
                },
            );
        }
        Ok(out)
    }

    /// The requests of `ids` received in `received` (`[from, to)`) whose
    /// reply-by falls in `reply_by` (both ends, to the stored second), in
    /// order of receipt.
    fn requests_of_clients_received_between(
        &self,
        ids: &[ClientId],
        received: (DateTime<Utc>, DateTime<Utc>),
        reply_by: (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<Vec<Request>> {
        let mut stmt = self.conn().prepare_cached(&requests_received_sql())?;
        let rows = stmt
            .query_map(
                params![
                    id_set(ids),
                    ts(received.0),
                    ts(received.1),
                    ts(ceil_second(reply_by.0)),
                    ts(reply_by.1)
                ],
                request_from_row,
            )?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Per client of `ids`, how many of the requests
    /// `requests_of_clients_received_between` returns missed their reply-by
    /// as of `reply_by.1` (`now`): `review::judge`'s verdict, counted as
    /// `review::missed_reply_bys` counts, in one statement
    /// ([`MISSED_REPLY_BYS`]). Clients with none are left out.
    fn missed_reply_bys_of_clients(
        &self,
        ids: &[ClientId],
        received: (DateTime<Utc>, DateTime<Utc>),
        reply_by: (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<BTreeMap<ClientId, usize>> {
        let mut stmt = self.conn().prepare_cached(MISSED_REPLY_BYS)?;
        let mut rows = stmt.query(params![
            id_set(ids),
            ts(received.0),
            ts(received.1),
            ts(ceil_second(reply_by.0)),
            ts(reply_by.1),
            ts(ceil_second(reply_by.1))
        ])?;
        let mut out = BTreeMap::new();
        while let Some(row) = rows.next()? {
            let missed: i64 = row.get(1)?;
            out.insert(row.get(0)?, usize::try_from(missed).unwrap_or(0));
        }
        Ok(out)
    }

    /// The active clients who may be due a check-in at `now`, in the order
    /// of the client list: no contact since `silent_since` (a request,
    /// reply or held session after it) or no booked session in `[now,
    /// booked_until)`, and no check-in open or made after `made_since`.
    /// The caller judges each with the full rules; this only narrows them.
    fn clients_drifting(
        &self,
        now: DateTime<Utc>,
        silent_since: DateTime<Utc>,
        booked_until: DateTime<Utc>,
        made_since: DateTime<Utc>,
    ) -> Result<Vec<ClientId>> {
        let mut stmt = self.conn().prepare_cached(DRIFTING)?;
        let rows = stmt
            .query_map(
                params![
                    FollowUpKind::CheckIn.as_str(),
                    ts(silent_since),
                    ts(now),
                    ts(booked_until),
                    ts(made_since),
                    ClientStatus::Active.as_str(),
                    SessionStatus::Booked.as_str()
                ],
                |r| r.get(0),
            )?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }
}

impl<T: Queries> RiskFactQueries for T {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo book, made at 2026-11-23 14:20 Berlin time, and that instant.
    fn demo_book() -> (tempfile::TempDir, super::super::Store, DateTime<Utc>) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = super::super::Store::open(&dir.path().join("book.sqlite")).expect("opens");
        let config = crate::config::Config::parse(
            "[coach]\ntime_zone = \"Europe/Berlin\"\n",
            &dir.path().join("config.toml"),
        )
        .expect("config");
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-23T14:20:00+01:00")
            .expect("instant")
            .with_timezone(&Utc);
        crate::demo::generate(&mut store, &config, now).expect("demo book");
        (dir, store, now)
    }

    /// The plan of each batched query on the demo book, with and without
    /// `ANALYZE`'s statistics: every table is searched through an index, only the list
    /// of ids is scanned.
    #[test]
    fn the_batched_queries_search_indexes_and_scan_no_table() {
        let (_dir, store, now) = demo_book();
        let queries = [
            CLIENTS.to_string(),
            SESSIONS_COUNTED.to_string(),
            RISK_COUNTS.to_string(),
            requests_received_sql(),
            MISSED_REPLY_BYS.to_string(),
        ];
        // The missed reply-bys are counted through the index of the
        // requests not answered in time (the rows of the few closed or
        // waiting ones without a reply are read for the instant they
        // stopped).
        let by_client_index = [MISSED_REPLY_BYS.to_string()];
        for analyzed in [false, true] {
            if analyzed {
                store.conn().execute_batch("ANALYZE").expect("analyze");
            }
            for sql in &queries {
                let mut stmt = store
                    .conn()
                    .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                    .expect("plan");
                // The ids, then an instant for every other parameter.
                stmt.raw_bind_parameter(1, "[1,2,3]").expect("ids");
                for n in 2..=stmt.parameter_count() {
                    stmt.raw_bind_parameter(n, ts(now)).expect("bind");
                }
                let plan: Vec<String> = stmt
                    .raw_query()
                    .mapped(|r| r.get::<_, String>(3))
                    .collect::<rusqlite::Result<_>>()
                    .expect("plan rows");
                assert!(
                    plan.iter().any(|line| line.starts_with("SEARCH")),
                    "{sql}: {plan:?}"
                );
                if by_client_index.contains(sql) {
                    assert!(
                        plan.iter()
                            .any(|line| line.starts_with("SEARCH r USING INDEX requests_not_met")),
                        "{sql}: {plan:?}"
                    );
                }
                for line in &plan {
                    if let Some(scanned) = line.strip_prefix("SCAN ") {
                        assert!(
                            scanned.contains("json_each") || scanned.starts_with("j VIRTUAL"),
                            "{sql} scans a table: {plan:?}"
                        );
                    }
                }
            }
        }
    }

    /// SQLite's count of missed reply-bys on the stored instants is the
    /// count of `judge`'s verdicts on whole requests: on the demo book with history mail added (never answered,
    /// answered late, closed, waiting), for every client, at several
    /// instants, on whole seconds and between them, with reply-bys on the
    /// very second of `now` and of the window's start.
    #[test]
    fn lean_counts_judge_the_same_missed_reply_bys_as_whole_requests() {
        let (_dir, store, start) = demo_book();
        let ids: Vec<ClientId> = store
            .clients_to_judge(&(1..=40).collect::<Vec<_>>())
            .expect("clients")
            .into_iter()
            .map(|(id, _, _)| id)
            .collect();
        let client = ids.first().copied().expect("a client");
        let half = chrono::Duration::milliseconds(500);
        let instants: Vec<DateTime<Utc>> = [-20, -3, 0, 2, 9]
            .into_iter()
            .map(|days| start + chrono::Duration::days(days))
            .flat_map(|now| [now, now + half])
            .collect();
        // History mail of every kind, and requests whose reply-by is on the
        // second of an instant or of its window's start.
        let add = |received: DateTime<Utc>,
                   reply_by: DateTime<Utc>,
                   status: &str,
                   first_reply: Option<DateTime<Utc>>,
                   stopped: Option<DateTime<Utc>>| {
            store
                .conn()
                .execute(
                    "INSERT INTO requests (client_id, received_at, channel, urgency, status, \
                     body, reply_by, first_reply_at, waiting_since, closed_at, created_at) \
                     VALUES (?1, ?2, 'email', 'normal', ?3, 'b', ?4, ?5, ?6, ?6, ?2)",
                    params![
                        client,
                        ts(received),
                        status,
                        ts(reply_by),
                        first_reply.map(ts),
                        stopped.map(ts)
                    ],
                )
                .expect("request added");
        };
        for &now in &instants {
            let hour = chrono::Duration::hours(1);
            for status in [
                "history", "open", "snoozed", "closed", "waiting", "answered",
            ] {
                for reply_by in [now, now - chrono::Duration::days(30), now - hour] {
                    let received = reply_by - chrono::Duration::days(2);
                    add(received, reply_by, status, None, Some(reply_by + hour));
                    add(received, reply_by, status, None, Some(reply_by - hour));
                    add(received, reply_by, status, None, None);
                    add(received, reply_by, status, Some(reply_by + hour), None);
                    add(received, reply_by, status, Some(reply_by), None);
                }
            }
        }
        let mut missed_any = false;
        for now in instants {
            let received = (
                now - chrono::Duration::days(60),
                now + chrono::Duration::seconds(1),
            );
            let reply_by = (now - chrono::Duration::days(30), now);
            let whole = store
                .requests_of_clients_received_between(&ids, received, reply_by)
                .expect("whole");
            let counted = store
                .missed_reply_bys_of_clients(&ids, received, reply_by)
                .expect("counted");
            let missed = crate::review::missed_reply_bys(&whole, now);
            assert_eq!(counted, missed, "at {now}");
            missed_any |= !missed.is_empty();
        }
        assert!(
            missed_any,
            "the demo book has no missed reply-by to compare"
        );
    }
}
