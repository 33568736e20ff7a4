//! Whether a session being booked or moved clashes with the coach's time:
//! another session that takes time (booked or held), a busy block from the
//! coach's own calendar, or the past. One check for every path (the command
//! line's `session add` and `session move`, a series, the dashboard's book
//! and move flows).
//!
//! No buffer is kept here: back-to-back sessions are the coach's choice.
//! The buffer belongs to the emergency flow's *proposals* (`slots.rs`),
//! where coachbook picks the time and should leave a breath around it.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use crate::model::Session;
use crate::store::BusyBlock;

/// One thing a wanted time runs into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clash {
    /// Another client's (or the same client's) session.
    Session {
        session_id: i64,
        client: String,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    /// A block the coach's calendar says is taken.
    Busy {
        summary: String,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    /// It starts before now.
    Past,
}

impl Clash {
    /// "clashes with Amara Okafor's session Tue 3 Dec 10:00–11:00",
    /// "busy: Dentist Tue 3 Dec 10:00–11:00", "is in the past".
    pub fn describe(&self, tz: Tz) -> String {
        match self {
            Clash::Session {
                client, start, end, ..
            } => format!("clashes with {client}'s session {}", span(*start, *end, tz)),
            Clash::Busy {
                summary,
                start,
                end,
            } => format!("busy: {} {}", one_line(summary), span(*start, *end, tz)),
            Clash::Past => "is in the past".to_string(),
        }
    }

    /// Whether `--allow-overlap` (or the dashboard's "book anyway") may
    /// override it: the past never can (see `--allow-past`).
    pub fn is_overlap(&self) -> bool {
        !matches!(self, Clash::Past)
    }
}

fn one_line(text: &str) -> String {
    let text = crate::text::one_line_field(text);
    if text.is_empty() {
        "(no title)".to_string()
    } else {
        text
    }
}

/// "Tue 3 Dec 10:00–11:00" in the coach's zone (the end's day when it differs).
pub fn span(start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz) -> String {
    let (s, e) = (start.with_timezone(&tz), end.with_timezone(&tz));
    if s.date_naive() == e.date_naive() {
        format!("{}–{}", s.format("%a %-d %b %H:%M"), e.format("%H:%M"))
    } else {
        format!(
            "{}–{}",
            s.format("%a %-d %b %H:%M"),
            e.format("%a %-d %b %H:%M")
        )
    }
}

/// What the book holds around the wanted times.
pub struct Taken<'a> {
    pub sessions: &'a [Session],
    pub busy: &'a [BusyBlock],
    /// Sessions that do not count: the ones being moved.
    pub ignore: &'a [i64],
}

/// Every clash of sessions of `minutes` at `starts` (one, or a series),
/// each with the start it concerns, in order of the starts.
pub fn clashes(
    starts: &[DateTime<Utc>],
    minutes: i64,
    now: DateTime<Utc>,
    taken: &Taken,
) -> Vec<(DateTime<Utc>, Clash)> {
    let length = Duration::try_minutes(minutes).unwrap_or(Duration::zero());
    let mut found = Vec::new();
    for &start in starts {
        let Some(end) = start.checked_add_signed(length) else {
            continue;
        };
        if start < now {
            found.push((start, Clash::Past));
        }
        for s in taken.sessions {
            if s.occupies_time()
                && !taken.ignore.contains(&s.id)
                && s.start < end
                && start < s.end()
            {
                found.push((
                    start,
                    Clash::Session {
                        session_id: s.id,
                        client: s.client_name.clone(),
                        start: s.start,
                        end: s.end(),
                    },
                ));
            }
        }
        for b in taken.busy {
            if b.start < end && start < b.end {
                found.push((
                    start,
                    Clash::Busy {
                        summary: b.summary.clone(),
                        start: b.start,
                        end: b.end,
                    },
                ));
            }
        }
    }
    found
}

/// The one line a refusal says: the first clash, and how many more.
pub fn refusal(what: &str, found: &[(DateTime<Utc>, Clash)], tz: Tz) -> String {
    let Some((start, first)) = found.first() else {
        return String::new();
    };
    let more = match found.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    let at = start.with_timezone(&tz).format("%a %-d %b %H:%M");
    let past = found.iter().any(|(_, c)| !c.is_overlap());
    let overlap = found.iter().any(|(_, c)| c.is_overlap());
    let how = match (past, overlap) {
        (true, true) => {
            " (--allow-past records a session that already happened; --allow-overlap books onto taken time)"
        }
        (true, false) => " (--allow-past records a session that already happened)",
        _ => " (--allow-overlap books it anyway)",
    };
    format!("{what} {at} {}{more}{how}", first.describe(tz))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::model::SessionStatus;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn session(id: i64, start: &str, minutes: i64, status: SessionStatus) -> Session {
        Session {
            id,
            client_id: 1,
            client_name: "Amara Okafor".into(),
            start: at(start),
            minutes,
            place: None,
            status,
            moved_by: None,
            series_id: None,
            ical_uid: String::new(),
            ical_sequence: 0,
            notes: String::new(),
            event_uid: None,
            recurrence_id: None,
            ical_source: None,
            changed_in_calendar: false,
        }
    }

    const NOW: &str = "2026-12-01T08:00:00Z";

    #[test]
    fn an_overlap_with_a_booked_session_is_named() {
        let sessions = [session(
            7,
            "2026-12-03T09:00:00Z",
            60,
            SessionStatus::Booked,
        )];
        let taken = Taken {
            sessions: &sessions,
            busy: &[],
            ignore: &[],
        };
        let found = clashes(&[at("2026-12-03T09:30:00Z")], 60, at(NOW), &taken);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].1.describe(chrono_tz::Europe::Berlin),
            "clashes with Amara Okafor's session Thu 3 Dec 10:00–11:00"
        );
    }

    #[test]
    fn back_to_back_cancelled_and_ignored_sessions_do_not_clash() {
        let sessions = [
            session(1, "2026-12-03T09:00:00Z", 60, SessionStatus::Booked),
            session(2, "2026-12-03T11:00:00Z", 60, SessionStatus::Cancelled),
            session(3, "2026-12-03T12:00:00Z", 60, SessionStatus::Booked),
        ];
        let taken = Taken {
            sessions: &sessions,
            busy: &[],
            ignore: &[3],
        };
        let found = clashes(&[at("2026-12-03T10:00:00Z")], 150, at(NOW), &taken);
        assert_eq!(found, Vec::new());
    }

    #[test]
    fn busy_blocks_and_the_past_clash() {
        let busy = [BusyBlock {
            id: 1,
            start: at("2026-12-03T09:00:00Z"),
            end: at("2026-12-03T10:00:00Z"),
            all_day: false,
            summary: "Dentist".into(),
            ical_uid: "x".into(),
        }];
        let taken = Taken {
            sessions: &[],
            busy: &busy,
            ignore: &[],
        };
        let found = clashes(
            &[at("2026-11-30T09:00:00Z"), at("2026-12-03T09:45:00Z")],
            30,
            at(NOW),
            &taken,
        );
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].1, Clash::Past);
        assert_eq!(
            found[1].1.describe(chrono_tz::UTC),
            "busy: Dentist Thu 3 Dec 09:00–10:00"
        );
        let line = refusal("session add:", &found, chrono_tz::UTC);
        assert!(line.contains("is in the past (and 1 more)"), "{line}");
        assert!(line.contains("--allow-past"), "{line}");
    }
}
