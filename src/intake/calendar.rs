//! What a calendar occurrence becomes in the book.
//!
//! - An occurrence with a client in it becomes a **session** for that
//!   client: an ATTENDEE or the ORGANIZER has one of the client's mail
//!   addresses (the coach's own addresses are ignored), and exactly one
//!   client is found that way. With no address match, a SUMMARY that names
//!   exactly one client by full name (case-insensitive, whole words, e.g.
//!   "Coaching: Ann Example") is enough. Two or more clients is a group
//!   event: busy time, not a session. All-day events are never sessions.
//! - Everything else is **busy** time that free-slot finding avoids, unless
//!   a timed event is marked free (`TRANSP:TRANSPARENT`): then nothing is
//!   kept. All-day events are busy for their whole days even when marked
//!   free, since Google and Exchange mark every all-day event free by
//!   default, and a day off must still block the day.
//! - Each occurrence is keyed `<UID>/<original start>` (see
//!   [`Occurrence::key`]); a key already in the book, as a session or busy
//!   time, is a duplicate, so a second import adds nothing. An event whose
//!   UID is a session's own (the book's export read back) is a duplicate too.
//! - A known key with a later version (a higher SEQUENCE, or the same one
//!   with a later LAST-MODIFIED/DTSTAMP) updates its session or busy block:
//!   a new start is a move "in the calendar". STATUS:CANCELLED (on the event
//!   or one instance) or METHOD:CANCEL cancels the session or drops the busy
//!   block; a client's PARTSTAT=DECLINED cancels, by the client.
//! - Each item keeps its source (the file's full path); a re-import of the
//!   whole file removes what of that source is gone from it in the window
//!   (sessions are cancelled, so the history stays; busy blocks are deleted).

use std::collections::HashSet;

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::intake::ics::{Expansion, Occurrence, Skipped};
use crate::model::{Client, ClientId, MovedBy};
use crate::store::{
    BusyQueries, CalendarItemQueries, NewBusy, NewSession, Provenance, SessionQueries, SourceItem,
    Tx, Version,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CalendarImportSummary {
    pub events: usize,
    pub occurrences: usize,
    pub sessions: usize,
    pub busy: usize,
    /// Marked free in the calendar: not recorded.
    pub free: usize,
    pub duplicates: usize,
    /// Known items the calendar has a later version of.
    pub updated: usize,
    /// Known items the calendar cancelled.
    pub cancelled: usize,
    /// Known items gone from a full re-import of their source.
    pub removed: usize,
    pub skipped: Vec<Skipped>,
}

impl CalendarImportSummary {
    pub fn imported(&self) -> usize {
        self.sessions + self.busy
    }
}

/// What one occurrence becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Becomes {
    Session(ClientId),
    Busy,
    Free,
}

pub fn classify(
    occurrence: &Occurrence,
    clients: &[Client],
    coach_addresses: &[String],
) -> Becomes {
    if !occurrence.all_day
        && let Some(client) = client_of(occurrence, clients, coach_addresses)
    {
        return Becomes::Session(client);
    }
    if occurrence.transparent && !occurrence.all_day {
        Becomes::Free
    } else {
        Becomes::Busy
    }
}

fn client_of(
    occurrence: &Occurrence,
    clients: &[Client],
    coach_addresses: &[String],
) -> Option<ClientId> {
    let mut by_mail: Vec<ClientId> = occurrence
        .people
        .iter()
        .filter(|p| !coach_addresses.iter().any(|c| c.eq_ignore_ascii_case(p)))
        .filter_map(|p| {
            clients
                .iter()
                .find(|c| c.emails.iter().any(|e| e.eq_ignore_ascii_case(p)))
                .map(|c| c.id)
        })
        .collect();
    by_mail.sort_unstable();
    by_mail.dedup();
    match by_mail.len() {
        1 => return by_mail.first().copied(),
        0 => {}
        _ => return None,
    }
    let named: Vec<ClientId> = clients
        .iter()
        .filter(|c| names(&occurrence.summary, &c.name))
        .map(|c| c.id)
        .collect();
    match named.as_slice() {
        [only] => Some(*only),
        _ => None,
    }
}

/// Whether `text` holds `name` as whole words, ignoring case.
fn names(text: &str, name: &str) -> bool {
    let text = text.to_lowercase();
    let name = name.trim().to_lowercase();
    if name.is_empty() {
        return false;
    }
    let mut from = 0;
    while let Some(pos) = text[from..].find(&name) {
        let start = from + pos;
        let end = start + name.len();
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        if !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric) {
            return true;
        }
        from = start + name.chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Where an import reads from: a name the book keeps with each item
/// (the file's full path, or a vdir file), and whether the calendar was
/// read whole, so that what is gone from it inside the window is removed.
#[derive(Debug, Clone, Copy)]
pub struct ImportSource<'a> {
    pub name: &'a str,
    pub full: bool,
    /// The calendar's version replaces the book's whatever its SEQUENCE
    /// (a sync that knows the calendar changed and the book did not).
    pub trust: bool,
    /// Sessions that belong to this source besides those read from it (the
    /// book's own file in a vdir): also cancelled when gone from it.
    pub also: &'a [i64],
}

/// Record the occurrences of an expansion in one change of the book: new
/// ones are added, later versions of known ones update them, cancelled ones
/// cancel them, and (for a full import) those of the same source that are
/// gone from the calendar are removed. Unchanged ones touch nothing.
pub fn record(
    tx: &Tx,
    expansion: Expansion,
    clients: &[Client],
    coach_addresses: &[String],
    source: Option<ImportSource>,
) -> Result<CalendarImportSummary> {
    let mut summary = CalendarImportSummary {
        events: expansion.events,
        occurrences: expansion.occurrences.len(),
        skipped: expansion.skipped,
        ..CalendarImportSummary::default()
    };
    // What the calendar still has, by row, for the removal at the end.
    let mut seen_sessions: HashSet<i64> = HashSet::new();
    let mut seen_busy: HashSet<i64> = HashSet::new();
    let trusted = source.is_some_and(|s| s.trust);
    for occurrence in expansion.occurrences {
        let version = Version {
            sequence: occurrence.sequence,
            stamp: occurrence.stamp,
        };
        let instance = occurrence.recurrence_id.as_deref();
        if let Some(held) = tx.session_by_key(&occurrence.key, &occurrence.uid, instance)? {
            seen_sessions.insert(held.id);
            if occurrence.declined {
                if tx.cancel_session_from_calendar(
                    held.id,
                    MovedBy::Client,
                    "declined in the calendar",
                )? {
                    summary.cancelled += 1;
                } else {
                    summary.duplicates += 1;
                }
            } else if (trusted || held.version.is_older_than(&version))
                && tx.update_session_from_calendar(
                    &held,
                    occurrence.start,
                    (occurrence.end - occurrence.start).num_minutes(),
                    occurrence.location.as_deref(),
                    version,
                )?
            {
                summary.updated += 1;
            } else {
                summary.duplicates += 1;
            }
            continue;
        }
        if let Some(held) = tx.busy_by_key(&occurrence.key, &occurrence.uid, instance)? {
            seen_busy.insert(held.id);
            if (trusted || held.version.is_older_than(&version))
                && tx.update_busy_from_calendar(&held, &busy_of(&occurrence), version)?
            {
                summary.updated += 1;
            } else {
                summary.duplicates += 1;
            }
            continue;
        }
        if tx.calendar_key_known(&occurrence.uid)? {
            // The book's own session, exported and read back.
            summary.duplicates += 1;
            continue;
        }
        let provenance = Provenance {
            source: source.map(|s| s.name),
            stamp: occurrence.stamp,
            event_uid: Some(&occurrence.uid),
            recurrence_id: occurrence.recurrence_id.as_deref(),
            sequence: occurrence.sequence,
        };
        match classify(&occurrence, clients, coach_addresses) {
            Becomes::Session(client_id) => {
                let minutes = (occurrence.end - occurrence.start).num_minutes();
                if minutes <= 0 {
                    summary.skipped.push(Skipped {
                        item: item(&occurrence),
                        reason: "a session with a client needs a length (DTEND or DURATION)".into(),
                    });
                    continue;
                }
                let session = NewSession {
                    client_id,
                    start: occurrence.start,
                    minutes,
                    place: occurrence.location.clone(),
                    request_id: None,
                };
                let id = tx.add_imported_session(&session, &occurrence.key, occurrence.sequence)?;
                tx.set_provenance(Some(id), None, &provenance)?;
                seen_sessions.insert(id);
                summary.sessions += 1;
            }
            Becomes::Busy => {
                let id = tx.add_busy(&busy_of(&occurrence))?;
                tx.set_provenance(None, Some(id), &provenance)?;
                seen_busy.insert(id);
                summary.busy += 1;
            }
            Becomes::Free => summary.free += 1,
        }
    }
    for occurrence in expansion.cancelled {
        let by = if occurrence.declined {
            MovedBy::Client
        } else {
            MovedBy::Coach
        };
        let instance = occurrence.recurrence_id.as_deref();
        if let Some(held) = tx.session_by_key(&occurrence.key, &occurrence.uid, instance)? {
            seen_sessions.insert(held.id);
            if tx.cancel_session_from_calendar(held.id, by, "cancelled in the calendar")? {
                summary.cancelled += 1;
            }
        } else if let Some(held) = tx.busy_by_key(&occurrence.key, &occurrence.uid, instance)?
            && tx.remove_busy(held.id)?
        {
            summary.cancelled += 1;
        }
    }
    if let (Some(source), Some((from, to))) = (source, expansion.window)
        && source.full
    {
        let mut gone_items = tx.items_of_source(source.name, from, to)?;
        for id in source.also {
            let session = tx.session(*id)?;
            if session.start >= from && session.start < to {
                gone_items.push(SourceItem::Session { id: *id });
            }
        }
        for gone in gone_items {
            let removed = match gone {
                SourceItem::Session { id } if !seen_sessions.contains(&id) => tx
                    .cancel_session_from_calendar(
                        id,
                        MovedBy::Coach,
                        "removed from the calendar",
                    )?,
                SourceItem::Busy { id } if !seen_busy.contains(&id) => tx.remove_busy(id)?,
                _ => false,
            };
            summary.removed += usize::from(removed);
        }
    }
    Ok(summary)
}

fn busy_of(occurrence: &Occurrence) -> NewBusy {
    NewBusy {
        start: occurrence.start,
        end: occurrence.end,
        all_day: occurrence.all_day,
        summary: occurrence.summary.clone(),
        ical_uid: occurrence.key.clone(),
    }
}

fn item(occurrence: &Occurrence) -> String {
    format!("{} at {}", occurrence.summary, stamp(occurrence.start))
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%MZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ClientStatus;

    fn client(id: ClientId, name: &str, email: &str) -> Client {
        Client {
            id,
            name: name.into(),
            emails: vec![email.into()],
            phone: None,
            tz: chrono_tz::Europe::Berlin,
            status: ClientStatus::Active,
            notes: String::new(),
            context: None,
            context_until: None,
            parting: None,
        }
    }

    fn occurrence(summary: &str, people: &[&str]) -> Occurrence {
        let start = DateTime::parse_from_rfc3339("2026-11-24T09:00:00Z")
            .expect("instant")
            .with_timezone(&Utc);
        Occurrence {
            uid: "u".into(),
            key: "u/x".into(),
            start,
            end: start + chrono::Duration::hours(1),
            all_day: false,
            summary: summary.into(),
            location: None,
            people: people.iter().map(|p| p.to_string()).collect(),
            transparent: false,
            sequence: 0,
            stamp: None,
            recurrence_id: None,
            declined: false,
        }
    }

    #[test]
    fn clients_are_found_by_address_then_by_name() {
        let clients = [
            client(1, "Ann Example", "ann@x.org"),
            client(2, "Bo Berg", "bo@y.org"),
        ];
        let coach = vec!["sam@example.org".to_string()];
        let by_mail = occurrence("Call", &["sam@example.org", "ANN@x.org"]);
        assert_eq!(classify(&by_mail, &clients, &coach), Becomes::Session(1));
        let by_name = occurrence("Coaching: bo berg", &[]);
        assert_eq!(classify(&by_name, &clients, &coach), Becomes::Session(2));
        let part_of_a_word = occurrence("Bo Bergman lunch", &[]);
        assert_eq!(classify(&part_of_a_word, &clients, &coach), Becomes::Busy);
        let group = occurrence("Workshop", &["ann@x.org", "bo@y.org"]);
        assert_eq!(classify(&group, &clients, &coach), Becomes::Busy);
        let mut free = occurrence("Lunch", &[]);
        free.transparent = true;
        assert_eq!(classify(&free, &clients, &coach), Becomes::Free);
        let mut all_day = occurrence("Ann Example birthday", &[]);
        all_day.all_day = true;
        all_day.transparent = true;
        assert_eq!(classify(&all_day, &clients, &coach), Becomes::Busy);
    }
}
