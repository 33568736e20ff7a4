//! The book's sessions as calendar entries (see `compose::calendar_file`):
//! a series booked here is one entry (RRULE, EXDATE, overrides); any other
//! session is an entry of its own, under the UID of the event it was
//! imported from (with its RECURRENCE-ID) or its own.

use std::collections::HashMap;

use anyhow::Result;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use chrono_tz::Tz;

use crate::compose::CalendarPerson;
use crate::compose::calendar_file::{Entry, EntryEvent};
use crate::config::Config;
use crate::domain::series::{rrule_of, series_starts};
use crate::model::{Client, ClientId, Session, SessionStatus};
use crate::store::{ClientQueries, Queries, Series, SessionQueries};

/// An entry and the sessions it was made from.
#[derive(Debug, Clone, PartialEq)]
pub struct BookEntry {
    pub entry: Entry,
    pub session_ids: Vec<i64>,
}

/// Which sessions to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// Those that take up time (a published calendar: `export ics`).
    Occupying,
    /// Every one, cancelled ones as STATUS:CANCELLED (a synced folder).
    All,
}

/// A RECURRENCE-ID as the book keeps it (`20261124T090000Z`).
pub fn parse_recurrence(text: &str) -> Option<DateTime<Utc>> {
    let utc = text.strip_suffix('Z')?;
    NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S")
        .ok()
        .map(|local| local.and_utc())
}

pub fn book_entries<Q: Queries>(
    book: &Q,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    config: &Config,
    which: Which,
    keep: impl Fn(&Session) -> bool,
) -> Result<Vec<BookEntry>> {
    let clients: HashMap<ClientId, Client> =
        book.clients()?.into_iter().map(|c| (c.id, c)).collect();
    let organizer = config.addresses.first().map(|address| CalendarPerson {
        name: config.coach_name.clone(),
        email: address.clone(),
    });
    let attendee = |id: ClientId| {
        clients.get(&id).and_then(|c| {
            c.emails.first().map(|email| CalendarPerson {
                name: c.name.clone(),
                email: email.clone(),
            })
        })
    };
    let name_of = |id: ClientId| {
        clients
            .get(&id)
            .map_or_else(String::new, |c| c.name.clone())
    };
    let mut out = Vec::new();
    let mut in_series = std::collections::HashSet::new();
    for series in book.calendar_series_between(from, to)? {
        let members: Vec<Session> = book
            .series_sessions(series.id)?
            .into_iter()
            .filter(|s| keep(s))
            .collect();
        let Some(entry) = series_entry(&series, &members, &name_of(series.client_id)) else {
            continue;
        };
        in_series.extend(members.iter().map(|s| s.id));
        out.push(BookEntry {
            entry: Entry {
                organizer: organizer.clone(),
                attendee: attendee(series.client_id),
                ..entry
            },
            session_ids: members.iter().map(|s| s.id).collect(),
        });
    }
    for session in book.sessions_between(from, to)? {
        if in_series.contains(&session.id) || !keep(&session) {
            continue;
        }
        if which == Which::Occupying && !session.occupies_time() {
            continue;
        }
        let cancelled = !session.occupies_time();
        let recurrence_id = session.recurrence_id.as_deref().and_then(parse_recurrence);
        let uid = match (&session.event_uid, recurrence_id) {
            (Some(uid), _) => uid.clone(),
            (None, _) => session.ical_uid.clone(),
        };
        out.push(BookEntry {
            entry: Entry {
                uid,
                summary: format!("Coaching: {}", session.client_name),
                tz: Tz::UTC,
                organizer: organizer.clone(),
                attendee: attendee(session.client_id),
                events: vec![EntryEvent {
                    start: session.start,
                    end: session.end(),
                    sequence: session.ical_sequence + i64::from(cancelled),
                    cancelled,
                    recurrence_id,
                    rule: None,
                    exdates: Vec::new(),
                    location: session.place.clone(),
                }],
            },
            session_ids: vec![session.id],
        });
    }
    Ok(out)
}

/// A series as one entry: the rule from the first original start, EXDATEs
/// for the sessions cancelled (or waiting for a new time), an override for
/// each one moved or changed on its own.
fn series_entry(series: &Series, members: &[Session], client: &str) -> Option<Entry> {
    let originals: Vec<(DateTime<Utc>, &Session)> = members
        .iter()
        .filter_map(|s| Some((s.recurrence_id.as_deref().and_then(parse_recurrence)?, s)))
        .collect();
    let (first_original, pattern) = originals.iter().min_by_key(|(at, _)| *at)?;
    let rule_starts = series_starts(*first_original, series.repeat, series.count, series.tz);
    let mut master = EntryEvent {
        start: *first_original,
        end: *first_original + Duration::minutes(pattern.minutes),
        sequence: series.ical_sequence,
        cancelled: false,
        recurrence_id: None,
        rule: Some(format!(
            "{};COUNT={}",
            rrule_of(series.repeat, *first_original, series.tz),
            rule_starts.len()
        )),
        exdates: Vec::new(),
        location: pattern.place.clone(),
    };
    let mut overrides = Vec::new();
    for (original, session) in &originals {
        master.sequence += session.ical_sequence;
        if !session.occupies_time() || session.status == SessionStatus::Rescheduled {
            master.exdates.push(*original);
            master.sequence += 1;
            continue;
        }
        if session.start != *original
            || session.minutes != pattern.minutes
            || session.place != pattern.place
        {
            overrides.push(EntryEvent {
                start: session.start,
                end: session.end(),
                sequence: session.ical_sequence,
                cancelled: false,
                recurrence_id: Some(*original),
                rule: None,
                exdates: Vec::new(),
                location: session.place.clone(),
            });
        }
    }
    // Instances of the rule the book holds no session for are not the
    // coach's: leave them out too (a series cut short by undo, say).
    for start in &rule_starts {
        if !originals.iter().any(|(o, _)| o == start) {
            master.exdates.push(*start);
        }
    }
    master.exdates.sort();
    let mut events = vec![master];
    events.extend(overrides);
    Some(Entry {
        uid: series.ical_uid.clone(),
        summary: format!("Coaching: {client}"),
        tz: series.tz,
        organizer: None,
        attendee: None,
        events,
    })
}
