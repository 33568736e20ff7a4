//! Events to occurrences inside a window.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use super::event::{Event, Length, Moment, item_label, read_event};
use super::parse::Calendar;
use super::rrule::expand;
use crate::domain::when::start_of_day;

/// One occurrence of an event.
#[derive(Debug, Clone, PartialEq)]
pub struct Occurrence {
    pub uid: String,
    /// `<UID>/<original start>`: the original start is the RECURRENCE-ID
    /// (UTC, `20260201T150000Z`, or a date, `20260219`), so a moved
    /// instance keeps its key.
    pub key: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub all_day: bool,
    pub summary: String,
    pub location: Option<String>,
    pub people: Vec<String>,
    pub transparent: bool,
    pub sequence: i64,
    /// LAST-MODIFIED, else DTSTAMP, of the event (or override) it comes from.
    pub stamp: Option<DateTime<Utc>>,
    /// For an instance of a series: the key's original start, which the
    /// calendar calls its RECURRENCE-ID. `None` for a lone event.
    pub recurrence_id: Option<String>,
    /// The client declined it (an ATTENDEE with PARTSTAT=DECLINED).
    pub declined: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub item: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default)]
pub struct Expansion {
    /// VEVENTs in the file.
    pub events: usize,
    pub occurrences: Vec<Occurrence>,
    /// Instances the calendar cancelled (STATUS:CANCELLED on the event or an
    /// override, or METHOD:CANCEL), so the book can cancel what it holds.
    pub cancelled: Vec<Occurrence>,
    pub skipped: Vec<Skipped>,
    /// The window expanded, `[from, to)`.
    pub window: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

/// Which instance an occurrence is: a day for all-day series, else an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum InstanceKey {
    Day(NaiveDate),
    At(DateTime<Utc>),
}

impl InstanceKey {
    fn text(&self) -> String {
        match self {
            InstanceKey::Day(day) => day.format("%Y%m%d").to_string(),
            InstanceKey::At(at) => at.format("%Y%m%dT%H%M%SZ").to_string(),
        }
    }

    /// A RECURRENCE-ID or EXDATE, read the way the master's instances are keyed.
    fn of(moment: &Moment, all_day_master: bool, coach: Tz) -> InstanceKey {
        if all_day_master {
            return InstanceKey::Day(moment.date());
        }
        match moment {
            Moment::Date(day) => InstanceKey::Day(*day),
            Moment::Time(..) => InstanceKey::At(moment.to_utc(coach)),
        }
    }
}

pub fn expand_calendar(
    calendar: &Calendar,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    coach: Tz,
) -> Expansion {
    let mut out = Expansion {
        events: calendar.events.len(),
        window: Some((from, to)),
        ..Expansion::default()
    };
    let mut masters: Vec<Event> = Vec::new();
    let mut overrides: HashMap<String, Vec<Event>> = HashMap::new();
    let mut seen_masters = HashSet::new();
    for raw in &calendar.events {
        let event = match read_event(raw, calendar, coach) {
            Ok(event) => event,
            Err(reason) => {
                out.skipped.push(Skipped {
                    item: item_label(raw),
                    reason,
                });
                continue;
            }
        };
        if event.recurrence_id.is_some() {
            overrides.entry(event.uid.clone()).or_default().push(event);
        } else if !seen_masters.insert(event.uid.clone()) {
            out.skipped.push(Skipped {
                item: event.item.clone(),
                reason: format!("another event has the same UID {}", event.uid),
            });
        } else {
            masters.push(event);
        }
    }
    let in_window =
        |o: &Occurrence| o.start < to && (o.end > from || (o.end == o.start && o.start >= from));
    for master in &masters {
        let moved = overrides.remove(&master.uid).unwrap_or_default();
        let all_day = matches!(master.start, Moment::Date(_));
        let by_key: HashMap<InstanceKey, &Event> = moved
            .iter()
            .filter_map(|o| {
                let id = o.recurrence_id.as_ref()?;
                Some((InstanceKey::of(id, all_day, coach), o))
            })
            .collect();
        let mut used = HashSet::new();
        let recurs = master.rule.is_some() || !master.rdates.is_empty() || !by_key.is_empty();
        for (key, start) in instances(master, coach, to) {
            let (mut occurrence, cancelled) = match by_key.get(&key) {
                Some(replacement) => {
                    used.insert(key);
                    (
                        single(replacement, &master.uid, key, coach),
                        replacement.cancelled || master.cancelled,
                    )
                }
                None => (occurrence_at(master, key, start, coach), master.cancelled),
            };
            if recurs {
                occurrence.recurrence_id = Some(key.text());
            }
            if in_window(&occurrence) {
                if cancelled {
                    out.cancelled.push(occurrence);
                } else {
                    out.occurrences.push(occurrence);
                }
            }
        }
        // Overrides of instances the rule no longer makes (or that lie past
        // the window end the expansion stopped at) still stand on their own.
        for (key, replacement) in by_key {
            if used.contains(&key) {
                continue;
            }
            let mut occurrence = single(replacement, &master.uid, key, coach);
            occurrence.recurrence_id = Some(key.text());
            if in_window(&occurrence) {
                if replacement.cancelled || master.cancelled {
                    out.cancelled.push(occurrence);
                } else {
                    out.occurrences.push(occurrence);
                }
            }
        }
    }
    // Overrides whose master is not in the file: each is one occurrence.
    for orphans in overrides.into_values() {
        for event in &orphans {
            let all_day = matches!(event.start, Moment::Date(_));
            let key = event
                .recurrence_id
                .as_ref()
                .map_or(InstanceKey::At(event.start.to_utc(coach)), |id| {
                    InstanceKey::of(id, all_day, coach)
                });
            let mut occurrence = single(event, &event.uid, key, coach);
            occurrence.recurrence_id = Some(key.text());
            if in_window(&occurrence) {
                if event.cancelled {
                    out.cancelled.push(occurrence);
                } else {
                    out.occurrences.push(occurrence);
                }
            }
        }
    }
    out.occurrences
        .sort_by(|a, b| (a.start, &a.key).cmp(&(b.start, &b.key)));
    out
}

/// The master's instances up to `to`: the rule (or DTSTART alone) plus
/// RDATEs, minus EXDATEs.
fn instances(master: &Event, coach: Tz, to: DateTime<Utc>) -> Vec<(InstanceKey, DateTime<Utc>)> {
    let all_day = matches!(master.start, Moment::Date(_));
    let (wall_start, zone_moment) = match &master.start {
        Moment::Date(day) => (day.and_time(NaiveTime::MIN), None),
        Moment::Time(local, zone) => (*local, Some(zone.clone())),
    };
    let to_utc = |local: chrono::NaiveDateTime| match &zone_moment {
        Some(zone) => zone.to_utc(local, coach),
        None => start_of_day(local.date(), coach),
    };
    let walls = match &master.rule {
        Some(rule) => expand(rule, wall_start, &to_utc, to),
        None => vec![wall_start],
    };
    let mut list: Vec<(InstanceKey, DateTime<Utc>, NaiveDate)> = walls
        .into_iter()
        .map(|wall| {
            let at = to_utc(wall);
            let key = if all_day {
                InstanceKey::Day(wall.date())
            } else {
                InstanceKey::At(at)
            };
            (key, at, wall.date())
        })
        .collect();
    for rdate in &master.rdates {
        let key = InstanceKey::of(rdate, all_day, coach);
        if !list.iter().any(|(k, _, _)| *k == key) {
            list.push((key, rdate.to_utc(coach), rdate.date()));
        }
    }
    let excluded: HashSet<InstanceKey> = master
        .exdates
        .iter()
        .map(|ex| InstanceKey::of(ex, all_day, coach))
        .collect();
    list.into_iter()
        .filter(|(key, _, wall_date)| {
            !excluded.contains(key) && !excluded.contains(&InstanceKey::Day(*wall_date))
        })
        .map(|(key, at, _)| (key, at))
        .collect()
}

fn occurrence_at(event: &Event, key: InstanceKey, start: DateTime<Utc>, coach: Tz) -> Occurrence {
    let (end, all_day) = match (event.length, key) {
        // Lengths come from the file: checked, so an absurd one cannot overflow.
        (Length::Days(days), InstanceKey::Day(day)) => {
            let last = Duration::try_days(days).and_then(|d| day.checked_add_signed(d));
            (last.map_or(start, |last| start_of_day(last, coach)), true)
        }
        (Length::Days(days), InstanceKey::At(_)) => (
            Duration::try_days(days)
                .and_then(|d| start.checked_add_signed(d))
                .unwrap_or(start),
            true,
        ),
        (Length::Exact(length), _) => (start.checked_add_signed(length).unwrap_or(start), false),
    };
    Occurrence {
        uid: event.uid.clone(),
        key: format!("{}/{}", event.uid, key.text()),
        start,
        end,
        all_day,
        summary: event.summary.clone(),
        location: event.location.clone(),
        people: event.people.clone(),
        transparent: event.transparent,
        sequence: event.sequence,
        stamp: event.stamp,
        recurrence_id: None,
        declined: event.declined,
    }
}

/// An override (or a lone event): its own start and length, the key of
/// the instance it replaces.
fn single(event: &Event, uid: &str, key: InstanceKey, coach: Tz) -> Occurrence {
    let start = event.start.to_utc(coach);
    let own_key = match event.start {
        Moment::Date(day) => InstanceKey::Day(day),
        Moment::Time(..) => InstanceKey::At(start),
    };
    let mut occurrence = occurrence_at(event, own_key, start, coach);
    occurrence.uid = uid.to_string();
    occurrence.key = format!("{uid}/{}", key.text());
    occurrence
}

#[cfg(test)]
mod tests;
