//! `coachbook session …`: book, list, move and mark sessions.

use anyhow::Result;
use chrono::Duration;

use super::Ctx;
use super::args::SessionCommand;
use super::output;
use crate::domain::when::day_bounds;
use crate::error::BadInput;
use crate::flows::booking::{Allow, Occurrences};
use crate::model::{Repeat, Repeating, SessionStatus};
use crate::store::{NewSession, SessionQueries};

pub fn session(ctx: &Ctx, command: SessionCommand) -> Result<()> {
    match command {
        SessionCommand::Add {
            client,
            when,
            minutes,
            repeat,
            count,
            place,
            allow_overlap,
            allow_past,
        } => {
            let start = ctx.when(&when.join(" "))?;
            if minutes <= 0 {
                return Err(BadInput(format!(
                    "--minutes must be a positive number, not {minutes}"
                ))
                .into());
            }
            let repeat = match (repeat, count) {
                (Some(r), count) => Some(Repeating {
                    repeat: Repeat::parse(&r)?,
                    count: count.unwrap_or(6),
                    tz: ctx.config.tz,
                }),
                (None, Some(_)) => {
                    return Err(BadInput(
                        "--count goes with --repeat weekly|fortnightly|monthly".into(),
                    )
                    .into());
                }
                (None, None) => None,
            };
            let mut store = ctx.open()?;
            let client = ctx.client(&store, &client)?;
            let new = NewSession {
                client_id: client.id,
                start,
                minutes,
                place,
                request_id: None,
            };
            let allow = Allow {
                overlap: allow_overlap,
                past: allow_past,
            };
            let summary = format!(
                "book {} for {}",
                output::local(start, ctx.config.tz),
                client.name
            );
            let ids = crate::flows::booking::book(
                &mut store,
                ctx.config.tz,
                &new,
                repeat,
                allow,
                &summary,
                ctx.now(),
            )?
            .ids;
            match ids.as_slice() {
                [id] => sayln!(
                    "booked session #{id}: {} {minutes}m with {}",
                    output::local(start, ctx.config.tz),
                    client.name
                ),
                _ => sayln!(
                    "booked {} sessions #{}-#{} with {}, first {}",
                    ids.len(),
                    ids.first().copied().unwrap_or_default(),
                    ids.last().copied().unwrap_or_default(),
                    client.name,
                    output::local(start, ctx.config.tz)
                ),
            }
        }
        SessionCommand::List { from, to, json } => {
            let from = match from {
                Some(d) => ctx.day(&d)?,
                None => ctx.today(),
            };
            let to = match to {
                Some(d) => ctx.day(&d)?,
                None => from + Duration::days(13),
            };
            if to < from {
                return Err(BadInput(format!("--to {to} is before --from {from}")).into());
            }
            let store = ctx.open()?;
            let sessions = store.sessions_between(
                day_bounds(from, ctx.config.tz).0,
                day_bounds(to, ctx.config.tz).1,
            )?;
            if json {
                output::print_json(&output::sessions_json(&sessions, ctx.config.tz));
            } else {
                say!(
                    "{}",
                    output::for_stdout(&output::sessions_text(&sessions, ctx.config.tz))
                );
            }
        }
        SessionCommand::Mark {
            id,
            outcome,
            notes,
            actions,
            recap,
            notify,
            force,
            following,
        } => {
            let status = session_outcome(&outcome)?;
            let cancelled = status == crate::model::SessionStatus::Cancelled;
            if notify && !cancelled {
                return Err(BadInput("--notify goes with cancelled".into()).into());
            }
            if cancelled && notes.is_some() && notify {
                return Err(BadInput(
                    "--notes and --notify: cancel with --notify first, then add the notes with `session mark ID cancelled --notes`".into(),
                )
                .into());
            }
            if following && !cancelled {
                return Err(BadInput("--following goes with cancelled".into()).into());
            }
            if cancelled && notes.is_none() {
                return super::flows::cancel(ctx, &id, occurrences(following), notify, force);
            }
            if following {
                return Err(BadInput(
                    "--notes and --following: cancel the series first, then add the notes".into(),
                )
                .into());
            }
            super::care::mark_session(ctx, &id, &outcome, notes, &actions, recap, force)?
        }
        SessionCommand::Move {
            id,
            when,
            by,
            reason,
            notify,
            force,
            allow_overlap,
            following,
        } => super::flows::move_session(
            ctx,
            &id,
            &when.join(" "),
            (&by, reason.as_deref()),
            (notify, force),
            (
                Allow {
                    overlap: allow_overlap,
                    past: false,
                },
                occurrences(following),
            ),
        )?,
    }
    Ok(())
}

fn occurrences(following: bool) -> Occurrences {
    if following {
        Occurrences::Following
    } else {
        Occurrences::This
    }
}

/// The outcomes a coach records for a session.
pub(super) fn session_outcome(text: &str) -> Result<SessionStatus, BadInput> {
    match SessionStatus::parse(text)? {
        status @ (SessionStatus::Held | SessionStatus::NoShow | SessionStatus::Cancelled) => {
            Ok(status)
        }
        other => Err(BadInput(format!(
            "a session is marked held, no-show or cancelled, not {other}"
        ))),
    }
}
