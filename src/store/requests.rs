//! Requests (client messages waiting for the coach) and replies (everything
//! the coach sends). A request's first reply is what response times measure.

use crate::store::Conn;
use std::collections::HashMap;

use anyhow::Result;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Queries, Tx, read_opt_ts, read_ts, read_word, ts};
use crate::domain::hours::ReplyClock;
use crate::error::BadInput;
use crate::model::{
    Channel, ClientId, DeliveryState, Reply, ReplyKind, Request, RequestStatus, Urgency,
};

#[derive(Debug, Clone)]
pub struct NewRequest {
    pub client_id: Option<ClientId>,
    /// The sender's address when no client matched.
    pub unknown_sender: Option<String>,
    pub received_at: DateTime<Utc>,
    pub channel: Channel,
    pub urgency: Urgency,
    pub subject: Option<String>,
    pub body: String,
    pub message_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewReply {
    pub client_id: Option<ClientId>,
    pub partner_id: Option<i64>,
    pub request_id: Option<i64>,
    pub session_id: Option<i64>,
    pub kind: ReplyKind,
    pub sent_at: DateTime<Utc>,
    pub to_addr: Option<String>,
    pub subject: Option<String>,
    pub body: String,
    pub message_id: Option<String>,
    pub delivery: DeliveryState,
}

/// Which requests a listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestFilter {
    All,
    /// Open, waiting on the client, or snoozed.
    NotDone,
    /// Received in `[from, to)`.
    ReceivedBetween(DateTime<Utc>, DateTime<Utc>),
    /// With this status, in order of receipt.
    Status(RequestStatus),
}

/// The clients of requests snoozed or waiting on them, through the partial
/// index of waiting requests (see [`Tx::clients_with_requests_put_aside`]).
pub(super) const PUT_ASIDE_CLIENTS: &str = "SELECT client_id FROM requests \
     INDEXED BY requests_waiting \
     WHERE status IN ('open', 'snoozed', 'waiting') AND status != 'open'";

/// A request's columns, whether a hand-off reached its client, and (in
/// `REQUEST_SELECT`) the state of its latest reply not yet delivered.
macro_rules! request_columns {
    ($undelivered:literal) => {
        concat!(
            "SELECT r.id, r.client_id, coalesce(c.name, r.unknown_sender), \
             r.unknown_sender, r.received_at, r.channel, r.urgency, r.status, r.subject, r.body, \
             r.reply_by, r.first_reply_at, r.snoozed_until, r.waiting_since, r.closed_at, \
             EXISTS (SELECT 1 FROM replies p WHERE p.request_id = r.id AND p.kind = 'hand-off' \
               AND p.delivered_at IS NOT NULL), ",
            $undelivered,
            " FROM requests r LEFT JOIN clients c ON c.id = r.client_id"
        )
    };
}

pub(super) const REQUEST_SELECT: &str = request_columns!(
    "(SELECT p.delivery FROM replies p WHERE p.request_id = r.id AND p.delivered_at IS NULL \
       AND p.delivery IN ('failed', 'outbox') AND p.kind != 'partner-brief' ORDER BY p.id DESC LIMIT 1)"
);

/// `REQUEST_SELECT` without the look-up of an undelivered reply for each
/// row (`NULL` in its place): a whole pane reads those once, from the
/// index of the replies still awaiting delivery ([`UNDELIVERED_REPLIES`]),
/// instead of a search of every reply by request for each of its rows.
const REQUEST_PANE_SELECT: &str = request_columns!("NULL");

/// The replies not yet delivered (failed, or in the outbox) that count for
/// their request (a brief to a partner does not): a partial index of
/// what is still open.
const UNDELIVERED_REPLIES: &str = "SELECT p.request_id, p.id, p.delivery \
     FROM replies p INDEXED BY replies_awaiting_delivery \
     WHERE p.delivered_at IS NULL AND p.delivery IN ('failed', 'outbox') \
     AND p.kind != 'partner-brief' AND p.request_id IS NOT NULL";

pub(super) fn request_from_row(row: &rusqlite::Row) -> rusqlite::Result<Request> {
    read_request(row, row.get(9)?)
}

/// A request as a list of them shows it: its `body` cut after the line its
/// `summary` shows (so the summary, raw or made visible, is the one of the
/// whole body), the rest never copied out of SQLite's row. The dashboard
/// holds thousands of these; a detail view loads the whole request.
pub(super) fn request_line_from_row(row: &rusqlite::Row) -> rusqlite::Result<Request> {
    let body = through_summary_line(super::text_at(row, 9)?).to_string();
    read_request(row, body)
}

/// `body` up to the end of its first line that is not blank (before its
/// `\n`), or all of it.
fn through_summary_line(body: &str) -> &str {
    let mut start = 0;
    for line in body.split('\n') {
        let end = start + line.len();
        if !line.trim().is_empty() {
            return body.get(..end).unwrap_or(body);
        }
        start = end + 1;
    }
    body
}

fn read_request(row: &rusqlite::Row, body: String) -> rusqlite::Result<Request> {
    Ok(Request {
        id: row.get(0)?,
        client_id: row.get(1)?,
        client_name: row.get::<_, Option<String>>(2)?.unwrap_or_default(),
        unknown_sender: row.get(3)?,
        received_at: read_ts(row, 4)?,
        channel: read_word(row, 5, Channel::parse)?,
        urgency: read_word(row, 6, Urgency::parse)?,
        status: read_word(row, 7, RequestStatus::parse)?,
        subject: row.get(8)?,
        body,
        reply_by: read_ts(row, 10)?,
        first_reply_at: read_opt_ts(row, 11)?,
        snoozed_until: read_opt_ts(row, 12)?,
        waiting_since: read_opt_ts(row, 13)?,
        closed_at: read_opt_ts(row, 14)?,
        handed_off: row.get(15)?,
        undelivered: match row.get::<_, Option<String>>(16)? {
            Some(_) => Some(read_word(row, 16, DeliveryState::parse)?),
            None => None,
        },
    })
}

const REPLY_SELECT: &str = "SELECT id, client_id, request_id, session_id, kind, sent_at, subject, \
     body, delivery, delivery_note, partner_id, to_addr, message_id, delivered_at FROM replies";

fn reply_from_row(row: &rusqlite::Row) -> rusqlite::Result<Reply> {
    Ok(Reply {
        id: row.get(0)?,
        client_id: row.get(1)?,
        request_id: row.get(2)?,
        session_id: row.get(3)?,
        kind: read_word(row, 4, ReplyKind::parse)?,
        sent_at: read_ts(row, 5)?,
        subject: row.get(6)?,
        body: row.get(7)?,
        delivery: read_word(row, 8, DeliveryState::parse)?,
        delivery_note: row.get(9)?,
        partner_id: row.get(10)?,
        to_addr: row.get(11)?,
        message_id: row.get(12)?,
        delivered_at: read_opt_ts(row, 13)?,
    })
}

/// The dashboard's three request panes, each by reply-by.
#[derive(Debug, Default)]
pub struct DashboardRequests {
    /// As `requests_awaiting_reply`.
    pub awaiting: Vec<Request>,
    /// Still snoozed, as the first of `requests_put_aside`.
    pub snoozed: Vec<Request>,
    /// Waiting on the client, as the second of `requests_put_aside`.
    pub waiting: Vec<Request>,
}

pub trait RequestQueries: Queries {
    /// The requests pane: open ones, snoozes that have run out, and snoozed
    /// ones whose reply-by has passed (they come back as overdue), by
    /// reply-by. Served by the partial index on waiting requests, never a scan.
    /// Each `body` is cut after its summary line; `request` reads it whole.
    fn requests_awaiting_reply(&self, now: DateTime<Utc>) -> Result<Vec<Request>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{REQUEST_SELECT} WHERE r.status IN ('open', 'snoozed', 'waiting') \
             AND (r.status = 'open' OR (r.status = 'snoozed' \
               AND (r.snoozed_until <= ?1 OR r.reply_by <= ?1))) \
             ORDER BY r.reply_by, r.id"
        ))?;
        let rows = stmt
            .query_map([ts(now)], request_line_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The requests put aside: still snoozed (and not yet past their
    /// reply-by), and waiting on the client, by reply-by. Bodies cut as above.
    /// Found through the partial indexes of snoozed and of waiting requests,
    /// which hold only those: a book with thousands of open requests reads
    /// none of them here.
    fn requests_put_aside(&self, now: DateTime<Utc>) -> Result<(Vec<Request>, Vec<Request>)> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{REQUEST_SELECT} WHERE r.id IN ( \
               SELECT id FROM requests INDEXED BY requests_snoozed_client \
                 WHERE status = 'snoozed' AND snoozed_until > ?1 AND reply_by > ?1 \
               UNION ALL \
               SELECT id FROM requests INDEXED BY requests_waiting_client \
                 WHERE status = 'waiting') \
             ORDER BY r.reply_by, r.id"
        ))?;
        let rows: Vec<Request> = stmt
            .query_map([ts(now)], request_line_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows
            .into_iter()
            .partition(|r| r.status == RequestStatus::Snoozed))
    }

    /// `requests_awaiting_reply(now)` and `requests_put_aside(now)` in one
    /// read (one statement, one pass over the partial index of waiting
    /// requests), split here by the same rules, in the same order.
    fn requests_on_dashboard(&self, now: DateTime<Utc>) -> Result<DashboardRequests> {
        // Per request, the state of its latest reply not yet delivered.
        let mut undelivered: HashMap<i64, (i64, DeliveryState)> = HashMap::new();
        let mut stmt = self.conn().prepare_cached(UNDELIVERED_REPLIES)?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let (request_id, reply_id): (i64, i64) = (row.get(0)?, row.get(1)?);
            let state = read_word(row, 2, DeliveryState::parse)?;
            let latest = undelivered.entry(request_id).or_insert((reply_id, state));
            if reply_id > latest.0 {
                *latest = (reply_id, state);
            }
        }
        let mut stmt = self.conn().prepare_cached(&format!(
            "{REQUEST_PANE_SELECT} WHERE r.status IN ('open', 'snoozed', 'waiting') \
             ORDER BY r.reply_by, r.id"
        ))?;
        let mut rows = stmt.query([])?;
        let mut out = DashboardRequests::default();
        // Stored instants are whole seconds: `<=` and `>` against `now`
        // decide as the SQL of the two panes does against `ts(now)`; a
        // snooze with no end is neither run out nor still running.
        while let Some(row) = rows.next()? {
            let mut request = request_line_from_row(row)?;
            request.undelivered = undelivered.get(&request.id).map(|(_, state)| *state);
            let ran_out = request.snoozed_until.is_some_and(|until| until <= now);
            let runs = request.snoozed_until.is_some_and(|until| until > now);
            match request.status {
                RequestStatus::Open => out.awaiting.push(request),
                RequestStatus::Snoozed if ran_out || request.reply_by <= now => {
                    out.awaiting.push(request)
                }
                RequestStatus::Snoozed if runs && request.reply_by > now => {
                    out.snoozed.push(request)
                }
                RequestStatus::WaitingOnClient => out.waiting.push(request),
                _ => {}
            }
        }
        Ok(out)
    }

    fn requests(&self, filter: RequestFilter) -> Result<Vec<Request>> {
        let (clause, args): (&str, Vec<String>) = match filter {
            RequestFilter::All => ("1 = 1 ORDER BY r.received_at, r.id", vec![]),
            RequestFilter::NotDone => (
                "r.status IN ('open', 'snoozed', 'waiting') ORDER BY r.reply_by, r.id",
                vec![],
            ),
            RequestFilter::Status(status) => (
                "r.status = ?1 ORDER BY r.received_at, r.id",
                vec![status.as_str().to_string()],
            ),
            RequestFilter::ReceivedBetween(from, to) => (
                "r.received_at >= ?1 AND r.received_at < ?2 ORDER BY r.received_at, r.id",
                vec![ts(from), ts(to)],
            ),
        };
        let mut stmt = self
            .conn()
            .prepare_cached(&format!("{REQUEST_SELECT} WHERE {clause}"))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), request_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn request(&self, id: i64) -> Result<Request> {
        self.cached_row(
            &format!("{REQUEST_SELECT} WHERE r.id = ?1"),
            [id],
            request_from_row,
        )
        .optional()?
        .ok_or_else(|| BadInput(format!("no request has id {id}")).into())
    }

    /// The Message-IDs a reply to this request threads under: the
    /// request's References (oldest first), then its own Message-ID.
    fn request_thread(&self, id: i64) -> Result<Vec<String>> {
        let found: Option<(Option<String>, Option<String>)> = self
            .conn()
            .query_row(
                "SELECT message_id, mail_references FROM requests WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((message_id, references)) = found else {
            return Ok(Vec::new());
        };
        let mut thread: Vec<String> = references
            .as_deref()
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect();
        if let Some(message_id) = message_id
            && !thread.contains(&message_id)
        {
            thread.push(message_id);
        }
        Ok(thread)
    }

    fn request_by_message_id(&self, message_id: &str) -> Result<Option<i64>> {
        Ok(self
            .cached_row(
                "SELECT id FROM requests WHERE message_id = ?1",
                [message_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The Message-ID of the mail a request came in as, if it did.
    fn request_message_id(&self, id: i64) -> Result<Option<String>> {
        Ok(self
            .cached_row("SELECT message_id FROM requests WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?
            .flatten())
    }

    /// Replies whose delivery failed, oldest first: the retry list.
    fn undelivered_replies(&self) -> Result<Vec<Reply>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{REPLY_SELECT} WHERE delivery = 'failed' ORDER BY id"
        ))?;
        let rows = stmt
            .query_map([], reply_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The latest reply to a request that has not reached the client yet
    /// (failed, or waiting in the outbox).
    fn waiting_reply_of(&self, request_id: i64) -> Result<Option<Reply>> {
        Ok(self
            .cached_row(
                &format!(
                    "{REPLY_SELECT} WHERE request_id = ?1 AND delivered_at IS NULL \
                     AND delivery IN ('failed', 'outbox') AND kind != 'partner-brief' \
                     ORDER BY id DESC LIMIT 1"
                ),
                [request_id],
                reply_from_row,
            )
            .optional()?)
    }

    fn reply_by_message_id(&self, message_id: &str) -> Result<Option<i64>> {
        Ok(self
            .cached_row(
                "SELECT id FROM replies WHERE message_id = ?1",
                [message_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn reply(&self, id: i64) -> Result<Reply> {
        self.cached_row(
            &format!("{REPLY_SELECT} WHERE id = ?1"),
            [id],
            reply_from_row,
        )
        .optional()?
        .ok_or_else(|| BadInput(format!("no reply has id {id}")).into())
    }

    /// Replies sent in `[from, to)`.
    fn replies_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Reply>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{REPLY_SELECT} WHERE sent_at >= ?1 AND sent_at < ?2 ORDER BY sent_at, id"
        ))?;
        let rows = stmt
            .query_map([ts(from), ts(to)], reply_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The latest requests, replies and sessions of a client up to `now`, newest first.
    fn client_history(
        &self,
        client_id: ClientId,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<(DateTime<Utc>, String)>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT at, what FROM ( \
               SELECT received_at AS at, 'request: ' || coalesce(subject, substr(body, 1, 80)) AS what \
                 FROM requests WHERE client_id = ?1 \
               UNION ALL \
               SELECT sent_at, kind || ': ' || coalesce(subject, substr(body, 1, 80)) \
                 FROM replies WHERE client_id = ?1 \
               UNION ALL \
               SELECT start_at, 'session (' || status || ')' FROM sessions WHERE client_id = ?1 \
             ) WHERE at <= ?3 ORDER BY at DESC LIMIT ?2",
        )?;
        let rows = stmt
            .query_map(params![client_id, limit, ts(now)], |r| {
                Ok((read_ts(r, 0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Whether a reminder for the session at `start` was recorded.
    fn reminder_sent(&self, session_id: i64, start: DateTime<Utc>) -> Result<bool> {
        Ok(self.cached_row(
            "SELECT EXISTS (SELECT 1 FROM replies WHERE kind = 'reminder' AND session_id = ?1 \
             AND about_start = ?2)",
            params![session_id, ts(start)],
            |r| r.get(0),
        )?)
    }

    /// A client's replies, newest first (at most `limit`).
    fn client_replies(&self, client_id: ClientId, limit: i64) -> Result<Vec<Reply>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{REPLY_SELECT} WHERE client_id = ?1 ORDER BY sent_at DESC, id DESC LIMIT ?2"
        ))?;
        let rows = stmt
            .query_map(params![client_id, limit], reply_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// A client's requests received since `since`, in order of receipt.
    fn client_requests_received_since(
        &self,
        client_id: ClientId,
        since: DateTime<Utc>,
    ) -> Result<Vec<Request>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{REQUEST_SELECT} WHERE r.client_id = ?1 AND r.received_at >= ?2 \
             ORDER BY r.received_at, r.id"
        ))?;
        let rows = stmt
            .query_map(params![client_id, ts(since)], request_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// A client's requests, newest first (at most `limit`).
    fn client_requests(&self, client_id: ClientId, limit: i64) -> Result<Vec<Request>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{REQUEST_SELECT} WHERE r.client_id = ?1 ORDER BY r.received_at DESC, r.id DESC LIMIT ?2"
        ))?;
        let rows = stmt
            .query_map(params![client_id, limit], request_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// When the client last wrote or was written to or met, if ever.
    fn last_contact(
        &self,
        client_id: ClientId,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>> {
        let text: Option<String> = self.cached_row(
            "SELECT max(at) FROM ( \
               SELECT max(received_at) AS at FROM requests WHERE client_id = ?1 \
               UNION ALL SELECT max(sent_at) FROM replies WHERE client_id = ?1 \
               UNION ALL SELECT max(start_at) FROM sessions WHERE client_id = ?1 \
                 AND status = 'held' AND start_at <= ?2)",
            params![client_id, ts(now)],
            |r| r.get(0),
        )?;
        Ok(text.as_deref().and_then(super::parse_ts))
    }
}

impl<T: Queries> RequestQueries for T {}

impl Tx<'_> {
    /// Record a new request. A client writing again wakes their snoozed
    /// requests and restarts the clock of those waiting on them.
    pub fn add_request(&self, request: &NewRequest, clock: &ReplyClock) -> Result<i64> {
        let id = self.insert_request(request, clock, RequestStatus::Open)?;
        if let Some(client_id) = request.client_id {
            self.client_wrote_again(client_id, id, request.received_at, clock)?;
        }
        Ok(id)
    }

    /// Insert a request with `status` (open, or history for old mail) and
    /// nothing else: the caller decides whether it wakes the client's other
    /// requests ([`Tx::client_wrote_again`]).
    pub fn insert_request(
        &self,
        request: &NewRequest,
        clock: &ReplyClock,
        status: RequestStatus,
    ) -> Result<i64> {
        self.insert_request_with_references(request, clock, status, &[])
    }

    /// [`Tx::insert_request`] for a mail request, with its thread (its
    /// References, oldest first) kept in the same INSERT, bounded by
    /// [`kept_references`]: one write per request.
    pub fn insert_request_with_references(
        &self,
        request: &NewRequest,
        clock: &ReplyClock,
        status: RequestStatus,
        references: &[String],
    ) -> Result<i64> {
        self.request_inserts()?
            .insert(request, clock, status, references)
    }

    /// The INSERT of [`Tx::insert_request_with_references`] taken from the
    /// statement cache once for a run of many requests (an import's batch),
    /// not once per request.
    pub fn request_inserts(&self) -> Result<RequestInserts<'_>> {
        Ok(RequestInserts {
            conn: self.conn,
            now: self.now,
            statement: self.conn.prepare_cached(INSERT_REQUEST)?,
        })
    }
    /// The clients with a request snoozed or waiting on them: only their
    /// new mail can wake something ([`Tx::client_wrote_again`]). Read
    /// through the partial index of waiting requests.
    pub fn clients_with_requests_put_aside(&self) -> Result<std::collections::HashSet<ClientId>> {
        // The status terms match the partial index's own, so SQLite walks it
        // (a `client_id IS NOT NULL` here made it walk every request).
        let mut stmt = self.conn.prepare_cached(PUT_ASIDE_CLIENTS)?;
        let ids: Vec<Option<ClientId>> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ids.into_iter().flatten().collect())
    }

    /// A client wrote again at `at` (request `new_request`): their snoozed
    /// requests received before it wake, and those waiting on them resume.
    pub fn client_wrote_again(
        &self,
        client_id: ClientId,
        new_request: i64,
        at: DateTime<Utc>,
        clock: &ReplyClock,
    ) -> Result<()> {
        // Only a message written *after* them wakes them: importing an old
        // mail must not undo today's snooze or end today's wait.
        self.run(
            "UPDATE requests SET status = 'open', snoozed_until = NULL \
             WHERE client_id = ?1 AND status = 'snoozed' AND id != ?2 AND received_at < ?3",
            params![client_id, new_request, ts(at)],
        )?;
        let waiting: Vec<Request> = {
            let mut stmt = self.conn.prepare_cached(&format!(
                "{REQUEST_SELECT} WHERE r.client_id = ?1 AND r.status = 'waiting' AND r.id != ?2 \
                 AND (r.waiting_since IS NULL OR r.waiting_since <= ?3)"
            ))?;
            stmt.query_map(params![client_id, new_request, ts(at)], request_from_row)?
                .collect::<rusqlite::Result<_>>()?
        };
        for request in waiting {
            let paused_at = request.waiting_since.unwrap_or(at);
            let reply_by = clock.resume(
                request.reply_by,
                request.urgency,
                paused_at,
                at.max(paused_at),
            );
            self.run(
                "UPDATE requests SET status = 'open', waiting_since = NULL, reply_by = ?1 WHERE id = ?2",
                params![ts(reply_by), request.id],
            )?;
        }
        Ok(())
    }

    /// Record a reply. It answers its request only once it reached the
    /// client: at once when given by phone or in person (`Recorded`) or found
    /// sent in the coach's own mail (`Sent`); otherwise when delivery succeeds.
    pub fn add_reply(&self, reply: &NewReply) -> Result<i64> {
        if reply.body.trim().is_empty() {
            return Err(BadInput("a reply needs some text".into()).into());
        }
        let delivered_at = matches!(
            reply.delivery,
            DeliveryState::Recorded | DeliveryState::Sent
        )
        .then(|| ts(reply.sent_at));
        self.run(
            "INSERT INTO replies (client_id, partner_id, request_id, session_id, kind, sent_at, to_addr, subject, body, message_id, delivery, delivered_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                reply.client_id,
                reply.partner_id,
                reply.request_id,
                reply.session_id,
                reply.kind.as_str(),
                ts(reply.sent_at),
                reply.to_addr,
                reply.subject,
                reply.body,
                reply.message_id,
                reply.delivery.as_str(),
                delivered_at,
                ts(self.now),
            ],
        )?;
        let id = self.conn.last_insert_rowid();
        if let Some(request_id) = reply.request_id {
            self.refresh_answer(request_id)?;
        }
        Ok(id)
    }

    /// An open request the coach's own imported mail answers arrived
    /// answered: it becomes history. True when it did.
    pub fn make_history(&self, request_id: i64) -> Result<bool> {
        let changed = self.run(
            "UPDATE requests SET status = 'history', snoozed_until = NULL \
             WHERE id = ?1 AND status = 'open'",
            [request_id],
        )?;
        Ok(changed > 0)
    }

    /// Mark a reply as the reminder for the session's start `start`; the
    /// book refuses a second reminder for the same session and time.
    pub fn set_reply_about_start(&self, reply_id: i64, start: DateTime<Utc>) -> Result<()> {
        self.run(
            "UPDATE replies SET about_start = ?1 WHERE id = ?2",
            params![ts(start), reply_id],
        )?;
        Ok(())
    }

    /// Derive a request's answer from its delivered replies: `first_reply_at`
    /// is the earliest delivered one (a partner's brief never counts), the
    /// status follows, and a later delivered reply closes the promise an
    /// earlier one made (kept when delivered by the promised time).
    pub fn refresh_answer(&self, request_id: i64) -> Result<()> {
        self.run(
            "UPDATE requests SET first_reply_at = (SELECT min(p.delivered_at) FROM replies p \
               WHERE p.request_id = ?1 AND p.kind != 'partner-brief' AND p.delivered_at IS NOT NULL) \
             WHERE id = ?1",
            [request_id],
        )?;
        self.run(
            "UPDATE requests SET \
               status = CASE \
                 WHEN first_reply_at IS NOT NULL AND status IN ('open', 'snoozed') THEN 'answered' \
                 WHEN first_reply_at IS NULL AND status = 'answered' THEN 'open' \
                 ELSE status END, \
               snoozed_until = CASE WHEN first_reply_at IS NOT NULL THEN NULL ELSE snoozed_until END \
             WHERE id = ?1",
            [request_id],
        )?;
        self.run(
            "UPDATE followups SET done_at = (SELECT min(p.delivered_at) FROM replies p \
               WHERE p.request_id = ?1 AND p.delivered_at IS NOT NULL \
               AND p.kind IN ('reply', 'options', 'hand-off') \
               AND p.id > coalesce(followups.made_by_reply, 0)) \
             WHERE request_id = ?1 AND kind = 'promise' AND done_at IS NULL AND callback = 0 \
               AND EXISTS (SELECT 1 FROM replies p WHERE p.request_id = ?1 AND p.delivered_at IS NOT NULL \
                 AND p.kind IN ('reply', 'options', 'hand-off') \
                 AND p.id > coalesce(followups.made_by_reply, 0))",
            [request_id],
        )?;
        Ok(())
    }

    /// Record how delivery went. A reply the send command took is delivered
    /// now (and answers its request); a failed or outboxed one is not.
    pub fn set_delivery(
        &self,
        reply_id: i64,
        state: DeliveryState,
        note: Option<&str>,
    ) -> Result<()> {
        let delivered_at = (state == DeliveryState::Sent).then(|| ts(self.now));
        self.run(
            "UPDATE replies SET delivery = ?1, delivery_note = ?2, \
               delivered_at = coalesce(delivered_at, ?3) WHERE id = ?4",
            params![state.as_str(), note, delivered_at, reply_id],
        )?;
        if let Some(request_id) = self.reply(reply_id)?.request_id {
            self.refresh_answer(request_id)?;
        }
        Ok(())
    }

    /// The coach confirms a reply left through their own mail (after the
    /// outbox, or a failed send) at `at`: it is delivered from then on.
    pub fn mark_reply_sent(&self, reply_id: i64, at: DateTime<Utc>, how: &str) -> Result<Reply> {
        let reply = self.reply(reply_id)?;
        if reply.delivered_at.is_some() {
            return Err(BadInput(format!("reply #{reply_id} was delivered already")).into());
        }
        if at > self.now {
            return Err(BadInput("a reply cannot be marked sent in the future".into()).into());
        }
        self.run(
            "UPDATE replies SET delivery = 'sent', delivered_at = ?1, delivery_note = ?2 WHERE id = ?3",
            params![ts(at.max(reply.sent_at)), how, reply_id],
        )?;
        if let Some(request_id) = reply.request_id {
            self.refresh_answer(request_id)?;
        }
        self.reply(reply_id)
    }

    /// Move a request to `status`, refusing moves that make no sense.
    pub fn set_request_status(
        &self,
        id: i64,
        status: RequestStatus,
        snoozed_until: Option<DateTime<Utc>>,
    ) -> Result<Request> {
        let request = self.request(id)?;
        if request.status == RequestStatus::Closed && status != RequestStatus::Open {
            return Err(BadInput(format!("request {id} is closed already")).into());
        }
        match status {
            RequestStatus::Snoozed => {
                let until = snoozed_until.ok_or_else(|| BadInput("snooze needs a time".into()))?;
                if until <= self.now {
                    return Err(BadInput("snooze until a time in the future".into()).into());
                }
                self.run(
                    "UPDATE requests SET status = 'snoozed', snoozed_until = ?1 WHERE id = ?2",
                    params![ts(until), id],
                )?;
            }
            RequestStatus::WaitingOnClient => {
                self.run(
                    "UPDATE requests SET status = 'waiting', waiting_since = ?1 WHERE id = ?2",
                    params![ts(self.now), id],
                )?;
            }
            RequestStatus::Closed => {
                self.run(
                    "UPDATE requests SET status = 'closed', closed_at = ?1, snoozed_until = NULL WHERE id = ?2",
                    params![ts(self.now), id],
                )?;
            }
            RequestStatus::Open | RequestStatus::Answered | RequestStatus::History => {
                self.run(
                    "UPDATE requests SET status = ?1, snoozed_until = NULL, closed_at = NULL WHERE id = ?2",
                    params![status.as_str(), id],
                )?;
            }
        }
        self.request(id)
    }

    /// Change a request's urgency; its reply-by follows.
    pub fn set_urgency(&self, id: i64, urgency: Urgency, clock: &ReplyClock) -> Result<Request> {
        let request = self.request(id)?;
        let reply_by = clock.reply_by(request.received_at, urgency);
        self.run(
            "UPDATE requests SET urgency = ?1, reply_by = ?2 WHERE id = ?3",
            params![urgency.as_str(), ts(reply_by), id],
        )?;
        self.request(id)
    }
}

/// A mail thread as the book keeps it: the ids space separated, each plain
/// (no spaces or control characters) and at most 250 bytes, at most 50 of
/// them; `None` when none is left.
fn kept_references<'r>(references: impl IntoIterator<Item = &'r str>) -> Option<String> {
    let kept: Vec<&str> = references
        .into_iter()
        .map(str::trim)
        .filter(|r| {
            !r.is_empty()
                && r.len() <= 250
                && !r.chars().any(|c| c.is_whitespace() || c.is_control())
        })
        .take(50)
        .collect();
    (!kept.is_empty()).then(|| kept.join(" "))
}

const INSERT_REQUEST: &str = "INSERT INTO requests (client_id, unknown_sender, received_at, channel, urgency, subject, body, reply_by, message_id, created_at, status, mail_references)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

/// Requests inserted one by one through one prepared statement
/// ([`Tx::request_inserts`]).
pub struct RequestInserts<'t> {
    conn: &'t rusqlite::Connection,
    now: DateTime<Utc>,
    statement: rusqlite::CachedStatement<'t>,
}

impl RequestInserts<'_> {
    /// [`Tx::insert_request_with_references`] through the prepared INSERT.
    pub fn insert(
        &mut self,
        request: &NewRequest,
        clock: &ReplyClock,
        status: RequestStatus,
        references: &[String],
    ) -> Result<i64> {
        self.insert_fields(
            RequestFields {
                client_id: request.client_id,
                unknown_sender: request.unknown_sender.as_deref(),
                received_at: request.received_at,
                channel: request.channel,
                urgency: request.urgency,
                subject: request.subject.as_deref(),
                body: &request.body,
                message_id: request.message_id.as_deref(),
            },
            clock,
            status,
            references.iter().map(String::as_str),
        )
    }

    /// [`RequestInserts::insert`] of borrowed fields (an import's message
    /// is not copied into a [`NewRequest`]); `references` oldest first.
    pub fn insert_fields<'r>(
        &mut self,
        request: RequestFields<'_>,
        clock: &ReplyClock,
        status: RequestStatus,
        references: impl IntoIterator<Item = &'r str>,
    ) -> Result<i64> {
        if request.body.trim().is_empty() && request.subject.is_none_or(|s| s.trim().is_empty()) {
            return Err(BadInput("a request needs some text".into()).into());
        }
        crate::domain::bounds::instant(request.received_at).map_err(BadInput::from)?;
        let reply_by = clock.reply_by(request.received_at, request.urgency);
        self.statement.execute(params![
            request.client_id,
            request.unknown_sender.map(crate::text::one_line_field),
            ts(request.received_at),
            request.channel.as_str(),
            request.urgency.as_str(),
            request.subject.map(crate::text::one_line_field),
            request.body,
            ts(reply_by),
            request.message_id,
            ts(self.now),
            status.as_str(),
            kept_references(references),
        ])?;
        Ok(self.conn.last_insert_rowid())
    }
}

/// The fields of a [`NewRequest`], borrowed.
#[derive(Debug, Clone, Copy)]
pub struct RequestFields<'a> {
    pub client_id: Option<ClientId>,
    pub unknown_sender: Option<&'a str>,
    pub received_at: DateTime<Utc>,
    pub channel: Channel,
    pub urgency: Urgency,
    pub subject: Option<&'a str>,
    pub body: &'a str,
    pub message_id: Option<&'a str>,
}

#[cfg(test)]
mod summary_line_tests {
    use super::through_summary_line;

    fn summary(subject: Option<&str>, body: &str) -> String {
        crate::model::Request {
            id: 1,
            client_id: None,
            client_name: String::new(),
            unknown_sender: None,
            received_at: chrono::DateTime::UNIX_EPOCH,
            channel: crate::model::Channel::Email,
            urgency: crate::model::Urgency::Normal,
            status: crate::model::RequestStatus::Open,
            subject: subject.map(str::to_string),
            body: body.to_string(),
            reply_by: chrono::DateTime::UNIX_EPOCH,
            first_reply_at: None,
            snoozed_until: None,
            waiting_since: None,
            closed_at: None,
            handed_off: false,
            undelivered: None,
        }
        .summary()
    }

    #[test]
    fn the_cut_body_has_the_summary_of_the_whole_raw_and_made_visible() {
        let bodies = [
            "",
            "one line",
            "first\nsecond\nthird",
            "\n\n   \n  Hello there  \nmore",
            "Hi\r\nline two\r\n",
            "\r\n\r\nafter blank CRLF lines\r\nrest",
            "\u{1b}[2J\nafter an escape",
            "\t\n\u{2003}\nwide space line\nrest",
            "   \n\t \n",
            "\r\nlate\r",
        ];
        for body in bodies {
            let cut = through_summary_line(body);
            assert!(body.starts_with(cut));
            assert_eq!(summary(None, cut), summary(None, body), "{body:?}");
            let (whole_visible, cut_visible) =
                (crate::text::visible(body), crate::text::visible(cut));
            assert_eq!(
                summary(None, &cut_visible),
                summary(None, &whole_visible),
                "made visible: {body:?}"
            );
        }
        assert_eq!(through_summary_line("a\nb"), "a");
        assert_eq!(
            summary(Some("Subject"), through_summary_line("x\ny")),
            "Subject"
        );
    }
}
