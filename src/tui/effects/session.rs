//! Runs the session flows' work against the book with the command line's
//! own code: `flows::booking` (the clash check, inside the transaction that
//! books or moves), `flows::moving` and `flows::cancel` (the note and the
//! calendar update recorded in the same change), then delivery like every
//! reply. A refusal writes nothing.

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::compose::Rendered;
use crate::config::Config;
use crate::domain::clash::Clash;
use crate::error::one_line;
use crate::flows::booking::{self, Allow, MovePlan};
use crate::outgoing::{guard_outgoing, templates};
use crate::store::{NewSession, Store};
use crate::tui::action::Action;
use crate::tui::flows::session::{SessionRequest, SessionResult, SessionWork};

pub fn run(work: SessionWork, store: &mut Store, config: &Config, now: DateTime<Utc>) -> Action {
    let result = match work {
        SessionWork::Check(request) => check(store, config, &request, now),
        SessionWork::Save {
            request,
            plan,
            allow_overlap,
            note,
            force,
        } => save(
            store,
            config,
            &request,
            plan.as_deref(),
            (allow_overlap, note, force),
            now,
        ),
    };
    Action::Session(Box::new(
        result.unwrap_or_else(|err| SessionResult::Refused(one_line(&err))),
    ))
}

fn new_session(request: &SessionRequest) -> Option<(NewSession, Option<crate::model::Repeating>)> {
    match request {
        SessionRequest::Book {
            client_id,
            start,
            minutes,
            place,
            repeat,
            ..
        } => Some((
            NewSession {
                client_id: *client_id,
                start: *start,
                minutes: *minutes,
                place: place.clone(),
                request_id: None,
            },
            *repeat,
        )),
        _ => None,
    }
}

/// The clashes (the past refuses outright), the move's plan, the note.
fn check(
    store: &Store,
    config: &Config,
    request: &SessionRequest,
    now: DateTime<Utc>,
) -> Result<SessionResult> {
    let tz = config.tz;
    let (found, plan, note) = match request {
        SessionRequest::Book { .. } => {
            let (first, repeat) =
                new_session(request).ok_or_else(|| anyhow::anyhow!("not a booking"))?;
            let starts = booking::starts_of(&first, repeat);
            (
                booking::check(store, &starts, first.minutes, &[], now)?,
                None,
                None,
            )
        }
        SessionRequest::Move {
            session_id,
            to,
            by,
            reason,
            occurrences,
            tell,
        } => {
            let plan = booking::plan_move(
                store,
                tz,
                *session_id,
                *to,
                (*by, reason.clone()),
                *occurrences,
            )?;
            let note = if *tell {
                Some(crate::flows::moving::draft_note(
                    store,
                    config,
                    &templates(config)?,
                    &plan,
                )?)
            } else {
                None
            };
            (booking::check_move(store, &plan, now)?, Some(plan), note)
        }
        SessionRequest::Cancel {
            session_id,
            occurrences,
            tell,
        } => {
            // Which sessions it takes is checked now (a lone one has no "following").
            crate::flows::cancel::to_cancel(store, *session_id, *occurrences)?;
            let note = if *tell {
                Some(crate::flows::cancel::draft_note(
                    store,
                    config,
                    &templates(config)?,
                    *session_id,
                )?)
            } else {
                None
            };
            (Vec::new(), None, note)
        }
    };
    let refused = found
        .iter()
        .find(|(_, c)| *c == Clash::Past)
        .map(|(start, c)| {
            format!(
                "{} {}: choose a time still to come",
                crate::domain::when::show_local(*start, tz),
                c.describe(tz)
            )
        });
    let clashes = found
        .iter()
        .filter(|(_, c)| c.is_overlap())
        .map(|(start, c)| {
            format!(
                "{} {}",
                start.with_timezone(&tz).format("%a %-d %b %H:%M"),
                c.describe(tz)
            )
        })
        .collect();
    Ok(SessionResult::Checked {
        plan: plan.map(Box::new),
        clashes,
        refused,
        note,
    })
}

fn save(
    store: &mut Store,
    config: &Config,
    request: &SessionRequest,
    plan: Option<&MovePlan>,
    (allow_overlap, note, force): (bool, Option<Rendered>, bool),
    now: DateTime<Utc>,
) -> Result<SessionResult> {
    let tz = config.tz;
    let allow = Allow {
        overlap: allow_overlap,
        past: false,
    };
    // The note the coach edited passes the same guardrails as every message.
    if let Some(note) = &note {
        if note.body.trim().is_empty() {
            return Err(crate::error::BadInput("the note is empty".into()).into());
        }
        guard_outgoing("the note", &note.subject, &note.body, force)?;
    }
    let (change_id, mut message, reply_id) = match request {
        SessionRequest::Book {
            client_name, start, ..
        } => {
            let (first, repeat) =
                new_session(request).ok_or_else(|| anyhow::anyhow!("not a booking"))?;
            let summary = format!(
                "book {} for {client_name}",
                crate::domain::when::show_local(*start, tz)
            );
            let booked = booking::book(store, tz, &first, repeat, allow, &summary, now)?;
            let what = match booked.ids.as_slice() {
                [id] => format!("booked session #{id}"),
                ids => format!("booked {} sessions", ids.len()),
            };
            (
                booked.change_id,
                format!(
                    "{what} with {client_name}, {}",
                    crate::domain::when::show_local(*start, tz)
                ),
                None,
            )
        }
        SessionRequest::Move { .. } => {
            let plan = plan.ok_or_else(|| anyhow::anyhow!("the move was not checked"))?;
            let moved =
                crate::flows::moving::record_move(store, config, plan, note.as_ref(), allow, now)?;
            let more = match moved.count {
                1 => String::new(),
                n => format!(" and the {} after it", n - 1),
            };
            (
                moved.change_id,
                format!(
                    "moved {}'s session{more} to {}",
                    moved.session.client_name,
                    crate::domain::when::show_local(moved.session.start, tz)
                ),
                moved.note,
            )
        }
        SessionRequest::Cancel {
            session_id,
            occurrences,
            ..
        } => {
            let cancelled = crate::flows::cancel::record_cancel(
                store,
                config,
                (*session_id, *occurrences),
                note.as_ref(),
                now,
            )?;
            let more = match cancelled.count {
                1 => String::new(),
                n => format!(" and the {} after it", n - 1),
            };
            (
                cancelled.change_id,
                format!("session #{session_id}{more} cancelled"),
                cancelled.note,
            )
        }
    };
    let (problem, clipboard, sent) = match reply_id {
        Some(reply_id) => {
            let (problem, clipboard) =
                super::triage::deliver_and_say(store, config, reply_id, now, &mut message);
            let sent = problem.is_none();
            (problem, clipboard, sent)
        }
        None if note.is_none() && !matches!(request, SessionRequest::Book { .. }) => {
            message.push_str("; they were not told");
            (None, None, false)
        }
        None => (None, None, false),
    };
    Ok(SessionResult::Done {
        change_id,
        message,
        problem,
        sent,
        clipboard,
    })
}
