//! Importing a mail source into the book: requests first, then the coach's
//! replies threaded to them.
//!
//! Messages are decoded outside any transaction and recorded in batches of
//! [`BATCH_SIZE`], each one change of the book, so the write lock is held
//! only while rows are inserted and a huge mbox never blocks the dashboard
//! for long. An import of up to one batch is a single change (one undo).
//!
//! The coach's own mail is held back until every request of the source is
//! in, then recorded in date order, so a reply stored before its request in
//! the files still finds it. A reply whose thread leads to no request in the
//! book is still recorded as a reply to the client it was sent to; one sent
//! to nobody who is a client is counted and not recorded. A reply imported
//! *before* its request (in an earlier import) stays unthreaded.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

use super::incoming::{Incoming, Read, Reading, read_item};
use crate::domain::hours::ReplyClock;
use crate::mail::{MailItem, MailSource, SourceKind};
use crate::model::{Channel, ClientId, DeliveryState, ReplyKind, RequestStatus};
use crate::store::{
    ClientQueries, MailThreadQueries, NewReply, Queries, RequestFields, RequestInserts,
    RequestQueries, Store, Tx,
};

/// Messages recorded per transaction.
pub const BATCH_SIZE: usize = 500;

/// What the import needs besides the book and the source.
#[derive(Debug, Clone)]
pub struct MailIntake {
    /// The coach's own addresses, lower case.
    pub coach_addresses: Vec<String>,
    pub clock: ReplyClock,
    pub now: DateTime<Utc>,
    /// Mail received before this is history: recorded with status
    /// `history`, never on the dashboard (default: 14 days before now).
    pub since: DateTime<Utc>,
    pub batch_size: usize,
}

/// How far back imported mail still counts as waiting, by default.
pub const HISTORY_DAYS: i64 = 14;

impl MailIntake {
    /// The status a request received at `at` is recorded with.
    fn status_at(&self, at: DateTime<Utc>) -> RequestStatus {
        if at < self.since {
            RequestStatus::History
        } else {
            RequestStatus::Open
        }
    }
}

/// What became of one message.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Request {
        id: i64,
        client_id: Option<ClientId>,
        /// Set when no client owns the sender's address.
        unknown_sender: Option<String>,
        /// Recorded as history: older than `since`.
        history: bool,
    },
    Reply {
        id: i64,
        client_id: Option<ClientId>,
        /// The request it answers, when the thread led to one.
        request_id: Option<i64>,
        /// It answered a request of this same import, which became history.
        made_history: bool,
    },
    /// Its Message-ID is in the book already.
    Duplicate,
    AutoReply,
    /// Sent by the coach to no client: not the book's business.
    CoachToOthers,
    Skipped(String),
}

/// One message that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedItem {
    pub item: String,
    pub reason: String,
}

/// The counts of one import.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MailImportSummary {
    /// Messages read from the source, whatever became of them.
    pub messages: usize,
    pub requests: usize,
    pub replies: usize,
    /// Replies whose thread led to no request.
    pub unthreaded_replies: usize,
    /// Requests from senders who are no client.
    pub unknown_senders: usize,
    /// Requests recorded as history: received before `since`, or answered
    /// by the coach's own mail of the same import.
    pub history: usize,
    pub auto_replies: usize,
    pub duplicates: usize,
    pub coach_to_others: usize,
    pub skipped: Vec<SkippedItem>,
    /// Transactions the import was recorded in.
    pub batches: usize,
}

impl MailImportSummary {
    /// Requests and replies added to the book.
    pub fn imported(&self) -> usize {
        self.requests + self.replies
    }

    pub fn count(&mut self, label: &str, outcome: &Outcome) {
        match outcome {
            Outcome::Request {
                unknown_sender,
                history,
                ..
            } => {
                self.requests += 1;
                if unknown_sender.is_some() {
                    self.unknown_senders += 1;
                }
                if *history {
                    self.history += 1;
                }
            }
            Outcome::Reply {
                request_id,
                made_history,
                ..
            } => {
                self.replies += 1;
                if request_id.is_none() {
                    self.unthreaded_replies += 1;
                }
                if *made_history {
                    self.history += 1;
                }
            }
            Outcome::Duplicate => self.duplicates += 1,
            Outcome::AutoReply => self.auto_replies += 1,
            Outcome::CoachToOthers => self.coach_to_others += 1,
            Outcome::Skipped(reason) => self.skipped.push(SkippedItem {
                item: label.to_string(),
                reason: reason.clone(),
            }),
        }
    }
}

/// Where the messages come from, to find a file's time when Date is missing.
#[derive(Debug, Clone)]
pub struct Origin {
    pub path: PathBuf,
    pub kind: SourceKind,
}

impl Origin {
    /// The modification time of the file that holds `label`, if it is a
    /// file of its own (a single message, or a Maildir entry).
    pub fn file_time(&self, label: &str) -> Option<DateTime<Utc>> {
        let file = match self.kind {
            SourceKind::SingleMessage => self.path.clone(),
            SourceKind::Maildir => ["new", "cur"]
                .iter()
                .map(|sub| self.path.join(sub).join(label))
                .find(|path| path.is_file())?,
            SourceKind::Mbox => return None,
        };
        modified(&file)
    }
}

pub fn modified(file: &Path) -> Option<DateTime<Utc>> {
    let time = std::fs::metadata(file).ok()?.modified().ok()?;
    Some(DateTime::<Utc>::from(time))
}

/// Import every message of `source`. `progress` hears after each message
/// how many were read and how many raw bytes they held.
pub fn import_source(
    store: &mut Store,
    source: MailSource,
    origin: &Origin,
    intake: &MailIntake,
    progress: &mut dyn FnMut(usize, u64),
) -> Result<MailImportSummary> {
    // Each batch is one change; the disk is flushed once, after the last
    // (or after the one that failed), not once per batch.
    store.defer_sync()?;
    let imported = import_batches(store, source, origin, intake, progress);
    let synced = store.end_deferred_sync();
    let summary = imported?;
    synced?;
    Ok(summary)
}

fn import_batches(
    store: &mut Store,
    source: MailSource,
    origin: &Origin,
    intake: &MailIntake,
    progress: &mut dyn FnMut(usize, u64),
) -> Result<MailImportSummary> {
    let mut summary = MailImportSummary::default();
    let mut requests: Vec<Incoming> = Vec::new();
    let mut replies: Vec<Incoming> = Vec::new();
    let mut bytes = 0u64;
    let batch_size = intake.batch_size.max(1);
    let mut batch = Batch {
        source_name: origin.path.file_name().map_or_else(
            || origin.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        intake,
        recorded_requests: HashSet::new(),
        senders: Senders::default(),
    };
    for item in source {
        summary.messages += 1;
        match item {
            Err(error) => {
                let label = error_label(&error);
                summary.count(&label, &Outcome::Skipped(error.to_string()));
            }
            Ok(item) => {
                bytes += item.raw.len() as u64;
                match read(&item, origin, intake) {
                    Read::Mail(incoming) if incoming.from_coach => replies.push(*incoming),
                    Read::Mail(incoming) => requests.push(*incoming),
                    Read::AutoReply => summary.count(&item.label, &Outcome::AutoReply),
                    Read::Unreadable(reason) => {
                        summary.count(&item.label, &Outcome::Skipped(reason));
                    }
                }
            }
        }
        progress(summary.messages, bytes);
        if requests.len() >= batch_size {
            batch.record(store, &requests, &[], &mut summary)?;
            requests.clear();
        }
    }
    // The last requests and the first replies share a change, so an import
    // of up to one batch is exactly one change of the book.
    replies.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.label.cmp(&b.label)));
    let mut chunks = replies.chunks(batch_size);
    let first = chunks.next().unwrap_or(&[]);
    if !requests.is_empty() || !first.is_empty() {
        batch.record(store, &requests, first, &mut summary)?;
    }
    for chunk in chunks {
        batch.record(store, &[], chunk, &mut summary)?;
    }
    Ok(summary)
}

/// Records one batch of messages as one change of the book.
struct Batch<'a> {
    source_name: String,
    intake: &'a MailIntake,
    /// The requests this import recorded: one the coach's own mail of the
    /// same import answers arrived answered, so it becomes history.
    recorded_requests: HashSet<i64>,
    /// The client of each sender address, kept from one change to the next
    /// while no other connection commits (see [`Senders::valid_at`]).
    senders: Senders,
}

impl Batch<'_> {
    fn record(
        &mut self,
        store: &mut Store,
        requests: &[Incoming],
        replies: &[Incoming],
        summary: &mut MailImportSummary,
    ) -> Result<()> {
        // Messages already in the book, and the coach's mail to nobody in it,
        // are counted without opening a change, so a re-import leaves the
        // book (change log included) as it was. The checks are repeated
        // inside the change, where they are authoritative.
        let version = store.commits_by_others()?;
        let mut known_before = HashSet::new();
        let fresh_requests = not_in_book(store, requests, summary, &mut known_before)?;
        let batch_ids: HashSet<&str> = fresh_requests
            .iter()
            .map(|r| r.message_id.as_str())
            .collect();
        let mut fresh_replies = Vec::new();
        for incoming in not_in_book(store, replies, summary, &mut known_before)? {
            let answers_this_batch = incoming
                .thread
                .iter()
                .any(|id| batch_ids.contains(id.as_str()));
            if answers_this_batch || reply_target(store, incoming)?.is_some() {
                fresh_replies.push(incoming);
            } else {
                summary.count(&incoming.label, &Outcome::CoachToOthers);
            }
        }
        if fresh_requests.is_empty() && fresh_replies.is_empty() {
            return Ok(());
        }
        let what = format!(
            "mail from {}: {} messages",
            self.source_name,
            fresh_requests.len() + fresh_replies.len()
        );
        let intake = self.intake;
        let recorded = &self.recorded_requests;
        let senders = &mut self.senders;
        let outcomes = store
            .change("import mail", &what, intake.now, |tx| {
                // Only a client with a request put aside can have it woken
                // by new mail: asked once per batch, not once per message.
                let put_aside = tx.clients_with_requests_put_aside()?;
                // The Message-IDs the book holds, asked again under the
                // write lock (authoritative), once for the whole batch —
                // unless no other connection committed since they were
                // asked above: then that answer is still the book's.
                let fresh = fresh_requests.iter().chain(&fresh_replies).copied();
                let inside = tx.commits_by_others()?;
                senders.valid_at(inside);
                let mut seen = if inside == version {
                    Seen::known_before(
                        fresh,
                        fresh_requests.len() + fresh_replies.len(),
                        &known_before,
                    )
                } else {
                    Seen::of(tx, fresh)?
                };
                let mut outcomes = Vec::with_capacity(fresh_requests.len() + fresh_replies.len());
                let mut this_batch = HashSet::with_capacity(fresh_requests.len());
                let mut inserts = tx.request_inserts()?;
                for incoming in &fresh_requests {
                    let outcome = record_request(
                        tx,
                        &mut inserts,
                        incoming,
                        intake,
                        &put_aside,
                        &mut seen,
                        senders,
                    )?;
                    if let Outcome::Request { id, .. } = outcome {
                        this_batch.insert(id);
                    }
                    outcomes.push(outcome);
                }
                for incoming in &fresh_replies {
                    let of_this_import =
                        |id: i64| recorded.contains(&id) || this_batch.contains(&id);
                    outcomes.push(record_reply(tx, incoming, &of_this_import, &mut seen)?);
                }
                Ok(outcomes)
            })
            .with_context(|| import_stopped(summary))?;
        summary.batches += 1;
        self.recorded_requests.reserve(fresh_requests.len());
        for (incoming, outcome) in fresh_requests.iter().chain(&fresh_replies).zip(&outcomes) {
            if let Outcome::Request { id, .. } = outcome {
                self.recorded_requests.insert(*id);
            }
            summary.count(&incoming.label, outcome);
        }
        Ok(())
    }
}

/// Whether the book holds this message already. A reply coachbook wrote
/// that has not been delivered does not count: finding it among the coach's
/// own sent mail is what confirms it went out.
fn already_recorded(store: &Store, incoming: &Incoming) -> Result<bool> {
    if !store.message_id_known(&incoming.message_id)? {
        return Ok(false);
    }
    if !incoming.from_coach {
        return Ok(true);
    }
    Ok(match store.reply_by_message_id(&incoming.message_id)? {
        Some(reply_id) => store.reply(reply_id)?.delivered_at.is_some(),
        None => true,
    })
}

/// The messages whose Message-ID the book does not hold yet; the others
/// are counted as duplicates. The book is asked once for the whole batch;
/// only a message it knows is looked at closer. The ids the book knew are
/// added to `known`.
fn not_in_book<'a>(
    store: &Store,
    messages: &'a [Incoming],
    summary: &mut MailImportSummary,
    known: &mut HashSet<String>,
) -> Result<Vec<&'a Incoming>> {
    let ids: Vec<&str> = messages.iter().map(|m| m.message_id.as_str()).collect();
    known.extend(store.known_message_ids(&ids)?);
    let mut fresh = Vec::with_capacity(messages.len());
    for incoming in messages {
        if known.contains(&incoming.message_id) && already_recorded(store, incoming)? {
            summary.count(&incoming.label, &Outcome::Duplicate);
        } else {
            fresh.push(incoming);
        }
    }
    Ok(fresh)
}

fn import_stopped(summary: &MailImportSummary) -> String {
    format!(
        "the import stopped after recording {} requests and {} replies",
        summary.requests, summary.replies
    )
}

fn error_label(error: &crate::mail::SourceError) -> String {
    match error {
        crate::mail::SourceError::Io { path, .. }
        | crate::mail::SourceError::Refused { path, .. } => path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        other => other.to_string(),
    }
}

/// Decode one item of `origin`.
pub fn read(item: &MailItem, origin: &Origin, intake: &MailIntake) -> Read {
    read_item(
        item,
        Reading {
            coach_addresses: &intake.coach_addresses,
            file_time: &|| origin.file_time(&item.label),
            now: intake.now,
        },
    )
}

/// The Message-IDs a change has to tell apart: those the book held when the
/// change began (asked once, inside it) and those the change recorded since.
struct Seen {
    in_book: HashSet<String>,
    recorded: HashSet<String>,
}

impl Seen {
    fn of<'a>(tx: &Tx, messages: impl Iterator<Item = &'a Incoming>) -> Result<Seen> {
        let ids: Vec<&str> = messages.map(|m| m.message_id.as_str()).collect();
        Ok(Seen {
            in_book: tx.known_message_ids(&ids)?,
            // Room for every id of the change, so it never has to grow.
            recorded: HashSet::with_capacity(ids.len()),
        })
    }

    /// As [`Seen::of`] asked of a book that has not changed since `known`
    /// (the ids among a superset of `messages` that it held) was read.
    /// `count`: how many `messages` there are (room for the ids recorded).
    fn known_before<'a>(
        messages: impl Iterator<Item = &'a Incoming>,
        count: usize,
        known: &HashSet<String>,
    ) -> Seen {
        let recorded = HashSet::with_capacity(count);
        Seen {
            in_book: messages
                .filter(|m| known.contains(&m.message_id))
                .map(|m| m.message_id.clone())
                .collect(),
            recorded,
        }
    }

    /// Whether a request or a reply of the book carries `message_id` now.
    fn known(&self, message_id: &str) -> bool {
        self.in_book.contains(message_id) || self.recorded.contains(message_id)
    }
}

/// Record one message in its own change: what the watcher does.
pub fn record_one(store: &mut Store, incoming: &Incoming, intake: &MailIntake) -> Result<Outcome> {
    if already_recorded(store, incoming)? {
        return Ok(Outcome::Duplicate);
    }
    if incoming.from_coach && reply_target(store, incoming)?.is_none() {
        return Ok(Outcome::CoachToOthers);
    }
    let what = if incoming.from_coach {
        "1 reply from mail"
    } else {
        "1 request from mail"
    };
    store.change("import mail", what, intake.now, |tx| {
        let mut seen = Seen::of(tx, std::iter::once(incoming))?;
        if incoming.from_coach {
            // Live mail: the coach's reply answers, it makes no history.
            record_reply(tx, incoming, &|_| false, &mut seen)
        } else {
            let put_aside = tx.clients_with_requests_put_aside()?;
            let mut senders = Senders::default();
            let mut inserts = tx.request_inserts()?;
            record_request(
                tx,
                &mut inserts,
                incoming,
                intake,
                &put_aside,
                &mut seen,
                &mut senders,
            )
        }
    })
}

/// The client each sender address belongs to, asked of the book once per
/// address (an import adds no client address) for as long as no other
/// connection commits: a change of the book's `data_version` forgets them.
#[derive(Default)]
struct Senders {
    clients: HashMap<String, Option<ClientId>>,
    /// The `data_version` the answers were read at.
    version: Option<i64>,
}

impl Senders {
    /// Keep the answers only if they were read at this `data_version`.
    fn valid_at(&mut self, version: i64) {
        if self.version != Some(version) {
            self.clients.clear();
            self.version = Some(version);
        }
    }

    fn client(&mut self, tx: &Tx, address: &str) -> Result<Option<ClientId>> {
        if let Some(known) = self.clients.get(address) {
            return Ok(*known);
        }
        let client_id = tx.client_by_email(address)?;
        self.clients.insert(address.to_string(), client_id);
        Ok(client_id)
    }
}

/// A message from a client or a stranger becomes a request: history when
/// it is older than `since` (it wakes nothing then), else open. `put_aside`:
/// the clients with a request snoozed or waiting on them.
fn record_request(
    tx: &Tx,
    inserts: &mut RequestInserts<'_>,
    incoming: &Incoming,
    intake: &MailIntake,
    put_aside: &HashSet<ClientId>,
    seen: &mut Seen,
    senders: &mut Senders,
) -> Result<Outcome> {
    if seen.known(&incoming.message_id) {
        return Ok(Outcome::Duplicate);
    }
    let client_id = senders.client(tx, &incoming.from)?;
    let status = intake.status_at(incoming.at);
    let id = inserts.insert_fields(
        RequestFields {
            client_id,
            unknown_sender: client_id.is_none().then_some(incoming.from.as_str()),
            received_at: incoming.at,
            channel: Channel::Email,
            urgency: incoming.urgency,
            subject: incoming.subject.as_deref(),
            body: &incoming.body,
            message_id: Some(&incoming.message_id),
        },
        &intake.clock,
        status,
        // `thread` is nearest first; References run oldest first.
        incoming.thread.iter().rev().map(String::as_str),
    )?;
    let unknown_sender = client_id.is_none().then(|| incoming.from.clone());
    seen.recorded.insert(incoming.message_id.clone());
    if let Some(client_id) = client_id
        && status == RequestStatus::Open
        && put_aside.contains(&client_id)
    {
        tx.client_wrote_again(client_id, id, incoming.at, &intake.clock)?;
    }
    Ok(Outcome::Request {
        id,
        client_id,
        unknown_sender,
        history: status == RequestStatus::History,
    })
}

/// Whom a reply from the coach goes to: the request its thread leads to,
/// else the first recipient who is a client. `None`: nobody in the book.
struct ReplyTarget {
    client_id: Option<ClientId>,
    request_id: Option<i64>,
    to_addr: Option<String>,
}

fn reply_target<Q: Queries>(book: &Q, incoming: &Incoming) -> Result<Option<ReplyTarget>> {
    let mut recipient_client = None;
    for address in &incoming.recipients {
        if let Some(client_id) = book.client_by_email(address)? {
            recipient_client = Some((client_id, address.clone()));
            break;
        }
    }
    let threaded = book.request_in_thread(&incoming.thread)?;
    let (client_id, request_id) = match (threaded, &recipient_client) {
        (Some(request), _) => (
            request
                .client_id
                .or(recipient_client.as_ref().map(|(id, _)| *id)),
            Some(request.request_id),
        ),
        (None, Some((client_id, _))) => (Some(*client_id), None),
        (None, None) => return Ok(None),
    };
    let to_addr = recipient_client
        .map(|(_, address)| address)
        .or_else(|| incoming.recipients.first().cloned());
    Ok(Some(ReplyTarget {
        client_id,
        request_id,
        to_addr,
    }))
}

/// A message from the coach becomes a reply to its [`ReplyTarget`]. A
/// request `of_this_import` it answers arrived answered: it becomes history.
fn record_reply(
    tx: &Tx,
    incoming: &Incoming,
    of_this_import: &dyn Fn(i64) -> bool,
    seen: &mut Seen,
) -> Result<Outcome> {
    // A reply coachbook left in the outbox (or failed to send), found among
    // the coach's own sent mail: it reached the client when that mail went.
    // Only a Message-ID the book holds can be one.
    if seen.known(&incoming.message_id)
        && let Some(reply_id) = tx.reply_by_message_id(&incoming.message_id)?
    {
        let reply = tx.reply(reply_id)?;
        if reply.delivered_at.is_some() {
            return Ok(Outcome::Duplicate);
        }
        tx.mark_reply_sent(
            reply_id,
            incoming.at.min(tx.now),
            "found in the coach's own mail",
        )?;
        return Ok(Outcome::Reply {
            id: reply_id,
            client_id: reply.client_id,
            request_id: reply.request_id,
            made_history: false,
        });
    }
    if seen.known(&incoming.message_id) {
        return Ok(Outcome::Duplicate);
    }
    let Some(target) = reply_target(tx, incoming)? else {
        return Ok(Outcome::CoachToOthers);
    };
    let made_history = match target.request_id {
        Some(request_id) if of_this_import(request_id) => tx.make_history(request_id)?,
        _ => false,
    };
    let id = tx.add_reply(&NewReply {
        client_id: target.client_id,
        partner_id: None,
        request_id: target.request_id,
        session_id: None,
        kind: ReplyKind::Reply,
        sent_at: incoming.at,
        to_addr: target.to_addr,
        subject: incoming.subject.clone(),
        body: incoming.body.clone(),
        message_id: Some(incoming.message_id.clone()),
        delivery: DeliveryState::Sent,
    })?;
    seen.recorded.insert(incoming.message_id.clone());
    Ok(Outcome::Reply {
        id,
        client_id: target.client_id,
        request_id: target.request_id,
        made_history,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::hours::{ReplyTargets, WorkingHours};
    use crate::store::NewClient;

    fn instant(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|d| d.with_timezone(&Utc))
            .expect("instant")
    }

    fn message(n: usize, from: &str) -> String {
        format!(
            "From {from} Mon Nov 16 09:00:00 2026\nFrom: {from}\nTo: sam@coach.example\n\
             Subject: question {n}\nMessage-ID: <q{n}@mail.example>\n\
             Date: Mon, 16 Nov 2026 09:0{n}:00 +0100\n\nCan we talk, part {n}?\n\n"
        )
    }

    /// The sender → client answers are kept from one batch to the next only
    /// while no other connection commits: an address given to a client by
    /// another connection between two batches is that client's from the next
    /// batch on.
    #[test]
    fn an_address_added_between_batches_by_another_connection_is_seen() {
        let dir = tempfile::tempdir().expect("temp dir");
        let book = dir.path().join("book.sqlite");
        let mbox = dir.path().join("in.mbox");
        let text: String = (1..=3).map(|n| message(n, "dana@mail.example")).collect();
        std::fs::write(&mbox, text).expect("mbox");
        let now = instant("2026-11-23T10:00:00Z");
        let client = {
            let mut store = Store::open(&book).expect("book");
            store
                .change("test", "client", now, |tx| {
                    tx.add_client(
                        &NewClient {
                            name: "Dana Lee".into(),
                            emails: vec!["dana.lee@work.example".into()],
                            ..NewClient::default()
                        },
                        chrono_tz::UTC,
                    )
                })
                .expect("client")
        };
        let hours = WorkingHours::default();
        let intake = MailIntake {
            coach_addresses: vec!["sam@coach.example".into()],
            clock: ReplyClock {
                targets: ReplyTargets::defaults(&hours),
                hours,
                tz: chrono_tz::Europe::Berlin,
            },
            now,
            since: instant("2026-11-01T00:00:00Z"),
            batch_size: 1,
        };
        let origin = Origin {
            path: mbox.clone(),
            kind: SourceKind::Mbox,
        };
        let source = crate::mail::read_source(&mbox).expect("source");
        let mut store = Store::open(&book).expect("book");
        let mut progress = |read: usize, _bytes: u64| {
            // After the first message's batch, before the second's.
            if read == 2 {
                let mut other = Store::open(&book).expect("second connection");
                other
                    .change("test", "address", now, |tx| {
                        tx.add_client_email(client, "dana@mail.example")
                    })
                    .expect("address");
            }
        };
        let summary =
            import_source(&mut store, source, &origin, &intake, &mut progress).expect("import");
        assert_eq!(summary.requests, 3);
        assert_eq!(summary.batches, 3);
        assert_eq!(summary.unknown_senders, 1, "only the first came before");
        drop(store);
        let owners: Vec<Option<ClientId>> = rusqlite::Connection::open(&book)
            .expect("open")
            .prepare("SELECT client_id FROM requests ORDER BY received_at")
            .expect("select")
            .query_map([], |r| r.get(0))
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        assert_eq!(owners, vec![None, Some(client), Some(client)]);
    }
}
