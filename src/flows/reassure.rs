//! After an undo of a change the client was already told about: a short
//! "please disregard — our session stands at TIME" note (template
//! `session_stands`) with the calendar entry at a higher SEQUENCE, so what
//! the client holds follows the book again.

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::compose::{TemplateValues, Templates, client_time_text, new_message_id};
use crate::config::Config;
use crate::model::{DeliveryState, ReplyKind};
use crate::outgoing::{coach_mailbox, coach_values, render_outgoing};
use crate::store::{ClientQueries, NewReply, SessionQueries, Store};

/// Check the `session_stands` template before anything is undone: a
/// missing placeholder or flagged phrasing in it refuses the undo (exit 2,
/// nothing changed) instead of undoing and then failing to tell the client.
pub fn check_template(config: &Config, templates: &Templates, force: bool) -> Result<()> {
    let values = TemplateValues {
        client_first_name: Some("Alex".into()),
        client_name: Some("Alex Example".into()),
        session_time: Some("Monday 23 November, 15:00".into()),
        ..coach_values(config)
    };
    render_outgoing(templates, "session_stands", &values, force)?;
    Ok(())
}

/// Record the note to the client of `session_id` (one change); the caller
/// delivers it. A flagged custom template is refused unless `force`.
pub fn record_stands_note(
    store: &mut Store,
    config: &Config,
    templates: &Templates,
    session_id: i64,
    force: bool,
    now: DateTime<Utc>,
) -> Result<i64> {
    let session = store.session(session_id)?;
    let client = store.client(session.client_id)?;
    let values = TemplateValues {
        client_first_name: Some(client.first_name().to_string()),
        client_name: Some(client.name.clone()),
        session_time: Some(client_time_text(session.start, client.tz)),
        ..coach_values(config)
    };
    let (note, _) = render_outgoing(templates, "session_stands", &values, force)?;
    let coach = coach_mailbox(config).address;
    store.change(
        "undo notify",
        &format!("tell {} the session stands", client.name),
        now,
        |tx| {
            tx.add_reply(&NewReply {
                client_id: Some(client.id),
                partner_id: None,
                request_id: None,
                session_id: Some(session.id),
                kind: ReplyKind::Reply,
                sent_at: now,
                to_addr: client.emails.first().cloned(),
                subject: Some(note.subject.clone()),
                body: note.body.clone(),
                message_id: Some(new_message_id(&coach, now)),
                delivery: DeliveryState::Failed,
            })
        },
    )
}
