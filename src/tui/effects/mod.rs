//! Runs the effects `update` asks for against the book and turns each result
//! into an action. A store error becomes `Action::Failed`: a notice, not a crash.

mod care;
mod flow;
mod followup;
mod session;
mod triage;

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::dashboard;
use crate::error::one_line;
use crate::store::{ClientQueries, RequestQueries, Store};
use crate::tui::action::{Action, Effect};
use crate::tui::model::ClientCard;
use crate::tui::visible::MakeVisible;

pub fn run(effect: Effect, store: &mut Store, config: &Config, now: DateTime<Utc>) -> Action {
    let result: Result<Action> = match effect {
        Effect::LoadDay { date, now } => Ok(day_loaded(
            date,
            store.snapshot(|book| dashboard::load(book, config, date, now)),
        )),
        Effect::LoadFirstWindow { date, now, window } => Ok(day_loaded(
            date,
            store.snapshot(|book| dashboard::load_window(book, config, date, now, Some(window))),
        )),
        Effect::LoadClient { client_id, history } => load_client(store, client_id, history, now)
            .map(|mut card| {
                card.make_visible();
                Action::ClientLoaded(Box::new(card))
            }),
        Effect::LoadClientNames => store.client_names().map(|mut names| {
            names.iter_mut().for_each(MakeVisible::make_visible);
            Action::ClientNamesLoaded(names)
        }),
        Effect::MarkSession {
            session_id,
            outcome,
            notify,
            now,
        } => Ok(Action::SessionMarked(mark_session(
            store,
            config,
            session_id,
            (outcome, notify),
            now,
        ))),
        Effect::LoadReview { date, now } => store
            .snapshot(|book| {
                crate::review::gather(book, config, crate::review::ReviewRange::day(date), now)
            })
            .map(|review| Action::ReviewLoaded(Box::new(review))),
        Effect::LoadRequest { request_id, now } => store
            .request(request_id)
            .and_then(|request| dashboard::request_row(store, config, request, now))
            .map(|mut row| {
                row.make_visible();
                Action::RequestLoaded(Box::new(row))
            }),
        Effect::Flow(work) => Ok(Action::Flow(Box::new(flow::run(*work, store, config, now)))),
        // The app loop does terminal work itself; here it is a no-op.
        Effect::Terminal(_) => Err(anyhow::anyhow!("terminal work reached the book runner")),
        Effect::Triage(effect) => Ok(triage::run(effect, store, config, now)),
        Effect::Care(work) => Ok(Action::Care(care::run(work, store, config, now))),
        Effect::Session(work) => Ok(session::run(*work, store, config, now)),
        Effect::FollowUp(work) => Ok(followup::run(work, store, config, now)),
    };
    result.unwrap_or_else(|err| Action::Failed(one_line(&err)))
}

fn day_loaded(date: chrono::NaiveDate, sheet: Result<dashboard::DaySheet>) -> Action {
    match sheet {
        Ok(mut sheet) => {
            sheet.make_visible();
            Action::DayLoaded(Box::new(sheet))
        }
        Err(err) => Action::DayFailed {
            date,
            reason: crate::error::one_line(&err),
        },
    }
}

fn load_client(
    store: &Store,
    client_id: i64,
    history: i64,
    now: DateTime<Utc>,
) -> Result<ClientCard> {
    let client = store.client(client_id)?;
    Ok(ClientCard {
        story: Some(Box::new(crate::care::story::load(
            store,
            client.clone(),
            now,
        )?)),
        client,
        history: store.client_history(client_id, now, history)?,
    })
}

/// Record a session's outcome as one change; a refusal comes back as text.
fn mark_session(
    store: &mut Store,
    config: &Config,
    session_id: i64,
    (outcome, notify): (crate::model::SessionStatus, bool),
    now: DateTime<Utc>,
) -> Result<(i64, String), String> {
    let session =
        crate::store::SessionQueries::session(store, session_id).map_err(|e| one_line(&e))?;
    if outcome == crate::model::SessionStatus::Cancelled {
        let templates = crate::outgoing::templates(config).map_err(|e| e.0)?;
        let cancelled = crate::flows::cancel::cancel_session(
            store,
            config,
            &templates,
            session_id,
            (notify, false),
            now,
        )
        .map_err(|e| one_line(&e))?;
        let told = match cancelled.note {
            Some(reply_id) => match crate::outgoing::deliver_reply(store, config, reply_id, now) {
                Ok(outcome) => format!("; the note was {}", outcome.message()),
                Err(err) => format!("; the note is NOT delivered ({})", one_line(&err)),
            },
            None => "; they were not told".to_string(),
        };
        return Ok((
            cancelled.change_id,
            format!(
                "session #{session_id} with {} cancelled{told}",
                session.client_name
            ),
        ));
    }
    let summary = format!(
        "session #{session_id} with {} marked {outcome}",
        session.client_name
    );
    store
        .change("session mark", &summary, now, |tx| {
            tx.mark_session(session_id, outcome, now)?;
            Ok(tx.change_id)
        })
        .map(|change_id| (change_id, summary))
        .map_err(|e| one_line(&e))
}
