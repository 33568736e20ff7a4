//! Moving a session to an agreed time, told to the client: the
//! `session_moved` note (through the same guardrails as every message) and
//! the calendar update (same UID, higher SEQUENCE) recorded in the change
//! that moves it; delivery follows. `session move` and the dashboard's move
//! flow both come here.

use anyhow::Result;
use chrono::{DateTime, Utc};

use super::booking::{Allow, MovePlan, apply_move};
use crate::compose::{Rendered, TemplateValues, Templates, client_time_text, new_message_id};
use crate::config::Config;
use crate::error::BadInput;
use crate::model::{Client, DeliveryState, ReplyKind, Session};
use crate::outgoing::{coach_mailbox, coach_values};
use crate::store::{ClientQueries, NewReply, Store};

/// The `session_moved` note for a plan, rendered (a missing value is
/// refused by name); the caller passes it through the guardrails.
pub fn draft_note(
    store: &Store,
    config: &Config,
    templates: &Templates,
    plan: &MovePlan,
) -> Result<Rendered> {
    let client = store.client(plan.session.client_id)?;
    let values = TemplateValues {
        client_first_name: Some(client.first_name().to_string()),
        client_name: Some(client.name.clone()),
        old_time: Some(client_time_text(plan.session.start, client.tz)),
        session_time: Some(client_time_text(plan.to(), client.tz)),
        ..coach_values(config)
    };
    Ok(templates
        .render("session_moved", &values)
        .map_err(|e| BadInput(e.to_string()))?)
}

/// What a move changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Moved {
    pub change_id: i64,
    pub session: Session,
    /// The note to the client, to deliver.
    pub note: Option<i64>,
    /// How many sessions moved (more than one for "this and the following").
    pub count: usize,
}

/// Move as planned in one change, refused on a clash `allow` does not let
/// through; with a note (already past the guardrails), record it for the
/// client in that change.
pub fn record_move(
    store: &mut Store,
    config: &Config,
    plan: &MovePlan,
    note: Option<&Rendered>,
    allow: Allow,
    now: DateTime<Utc>,
) -> Result<Moved> {
    let client = store.client(plan.session.client_id)?;
    let coach = coach_mailbox(config).address;
    let id = plan.session.id;
    let summary = match plan.moves.len() {
        1 => format!("move session #{id} of {}", plan.session.client_name),
        n => format!(
            "move session #{id} of {} and the {} after it",
            plan.session.client_name,
            n - 1
        ),
    };
    store.change("session move", &summary, now, |tx| {
        let session = apply_move(tx, plan, allow, config.tz)?;
        let note = match note {
            Some(note) => Some(tx.add_reply(&note_reply(&client, id, note, &coach, now))?),
            None => None,
        };
        Ok(Moved {
            change_id: tx.change_id,
            session,
            note,
            count: plan.moves.len(),
        })
    })
}

/// A note to a client about one of their sessions, to be delivered.
pub fn note_reply(
    client: &Client,
    session_id: i64,
    note: &Rendered,
    coach_address: &str,
    now: DateTime<Utc>,
) -> NewReply {
    NewReply {
        client_id: Some(client.id),
        partner_id: None,
        request_id: None,
        session_id: Some(session_id),
        kind: ReplyKind::Reply,
        sent_at: now,
        to_addr: client.emails.first().cloned(),
        subject: Some(note.subject.clone()),
        body: note.body.clone(),
        message_id: Some(new_message_id(coach_address, now)),
        delivery: DeliveryState::Failed,
    }
}
