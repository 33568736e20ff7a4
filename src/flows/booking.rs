//! Booking a session or a series, and moving one (or it and the rest of its
//! series): the clash check of `domain::clash` against the book, inside the
//! same transaction that writes, so a refusal leaves the book unchanged.
//! The command line and the dashboard both call these; neither checks on
//! its own.

use anyhow::Result;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use crate::domain::clash::{Clash, Taken, clashes, refusal};
use crate::domain::series::series_starts;
use crate::domain::when::{first_instant_at_or_after, naive_local};
use crate::error::BadInput;
use crate::model::{MovedBy, Repeating, Session, SessionStatus};
use crate::store::{BusyQueries, NewSession, Queries, SessionQueries, Store};

/// What the coach lets through.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Allow {
    /// Book onto another session or a busy block (`--allow-overlap`, or
    /// "book anyway" on the dashboard).
    pub overlap: bool,
    /// Record a session that already happened (`--allow-past`).
    pub past: bool,
}

/// Which sessions of a series a move or a cancellation takes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Occurrences {
    /// Just this one.
    #[default]
    This,
    /// This one and every later booked one of its series.
    Following,
}

/// A clash found, with the start it concerns.
pub type Found = Vec<(DateTime<Utc>, Clash)>;

/// The starts a booking makes.
pub fn starts_of(first: &NewSession, repeat: Option<Repeating>) -> Vec<DateTime<Utc>> {
    match repeat {
        Some(plan) => series_starts(first.start, plan.repeat, plan.count, plan.tz),
        None => vec![first.start],
    }
}

/// Every clash of sessions of `minutes` at `starts`, leaving out `ignore`
/// (the sessions being moved).
pub fn check(
    book: &impl Queries,
    starts: &[DateTime<Utc>],
    minutes: i64,
    ignore: &[i64],
    now: DateTime<Utc>,
) -> Result<Found> {
    let (Some(first), Some(last)) = (starts.iter().min(), starts.iter().max()) else {
        return Ok(Vec::new());
    };
    let length = Duration::try_minutes(minutes).unwrap_or(Duration::zero());
    // A session starting up to a day before can still run into the first.
    let sessions = book.sessions_between(*first - Duration::days(1), *last + length)?;
    let busy = book.busy_blocks_between(*first, *last + length)?;
    Ok(clashes(
        starts,
        minutes,
        now,
        &Taken {
            sessions: &sessions,
            busy: &busy,
            ignore,
        },
    ))
}

/// The clashes `allow` does not let through.
pub fn unallowed(found: Found, allow: Allow) -> Found {
    found
        .into_iter()
        .filter(|(_, c)| match c {
            Clash::Past => !allow.past,
            _ => !allow.overlap,
        })
        .collect()
}

/// Refuse (bad input, one line naming the first clash) unless allowed.
fn refuse(what: &str, found: Found, allow: Allow, tz: Tz) -> Result<()> {
    let left = unallowed(found, allow);
    if left.is_empty() {
        Ok(())
    } else {
        Err(BadInput(refusal(what, &left, tz)).into())
    }
}

/// What a booking made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booked {
    pub change_id: i64,
    pub ids: Vec<i64>,
}

/// Book one session or a series in one change, refused on a clash `allow`
/// does not let through.
pub fn book(
    store: &mut Store,
    tz: Tz,
    first: &NewSession,
    repeat: Option<Repeating>,
    allow: Allow,
    summary: &str,
    now: DateTime<Utc>,
) -> Result<Booked> {
    let starts = starts_of(first, repeat);
    store.change("session add", summary, now, |tx| {
        let found = check(tx, &starts, first.minutes, &[], now)?;
        refuse("session add:", found, allow, tz)?;
        let ids = tx.add_sessions(first, repeat)?;
        Ok(Booked {
            change_id: tx.change_id,
            ids,
        })
    })
}

/// A move worked out: each session that moves, from where to where.
#[derive(Debug, Clone, PartialEq)]
pub struct MovePlan {
    pub session: Session,
    /// (session id, old start, new start), the chosen session first.
    pub moves: Vec<(i64, DateTime<Utc>, DateTime<Utc>)>,
    pub by: MovedBy,
    pub reason: Option<String>,
}

impl MovePlan {
    pub fn to(&self) -> DateTime<Utc> {
        self.moves.first().map_or(self.session.start, |m| m.2)
    }
}

/// The later booked sessions of `session`'s series, after it, in order.
pub fn following(book: &impl Queries, session: &Session) -> Result<Vec<Session>> {
    let Some(series_id) = session.series_id else {
        return Ok(Vec::new());
    };
    Ok(book
        .series_sessions(series_id)?
        .into_iter()
        .filter(|s| {
            s.id != session.id && s.start > session.start && s.status == SessionStatus::Booked
        })
        .collect())
}

/// Plan moving session `id` to `to`; with `Following`, every later booked
/// session of its series moves by the same days and to the same wall-clock
/// time in `tz` (so "Tuesdays 10:00" become "Wednesdays 15:00").
pub fn plan_move(
    book: &impl Queries,
    tz: Tz,
    id: i64,
    to: DateTime<Utc>,
    (by, reason): (MovedBy, Option<String>),
    occurrences: Occurrences,
) -> Result<MovePlan> {
    let session = book.session(id)?;
    crate::domain::bounds::instant(to).map_err(BadInput::from)?;
    let mut moves = vec![(id, session.start, to)];
    if occurrences == Occurrences::Following {
        if session.series_id.is_none() {
            return Err(BadInput(format!(
                "session #{id} is not part of a series; move it alone"
            ))
            .into());
        }
        let old = naive_local(session.start, tz);
        let new = naive_local(to, tz);
        let days = new.date().signed_duration_since(old.date());
        for later in following(book, &session)? {
            let day = naive_local(later.start, tz)
                .date()
                .checked_add_signed(days)
                .ok_or_else(|| BadInput("that move runs off the calendar".into()))?;
            let start = first_instant_at_or_after(day.and_time(new.time()), tz);
            moves.push((later.id, later.start, start));
        }
    }
    Ok(MovePlan {
        session,
        moves,
        by,
        reason,
    })
}

/// The clashes of a planned move (the moving sessions left out).
pub fn check_move(book: &impl Queries, plan: &MovePlan, now: DateTime<Utc>) -> Result<Found> {
    let ids: Vec<i64> = plan.moves.iter().map(|m| m.0).collect();
    let starts: Vec<DateTime<Utc>> = plan.moves.iter().map(|m| m.2).collect();
    check(book, &starts, plan.session.minutes, &ids, now)
}

/// Inside a change: refuse a clash `allow` does not let through, then move
/// every session of the plan. Returns the chosen session as moved.
pub fn apply_move(tx: &crate::store::Tx, plan: &MovePlan, allow: Allow, tz: Tz) -> Result<Session> {
    let found = check_move(tx, plan, tx.now)?;
    refuse("session move:", found, allow, tz)?;
    let mut moved = None;
    for (id, _, to) in &plan.moves {
        let session = tx.move_session(*id, Some(*to), plan.by, plan.reason.as_deref())?;
        moved.get_or_insert(session);
    }
    moved.ok_or_else(|| anyhow::anyhow!("nothing to move"))
}
