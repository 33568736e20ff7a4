//! Cancelling a session: the status, and (when the coach chooses) a note to
//! the client from the `session_cancelled` template with a METHOD:CANCEL
//! calendar part, recorded in the same change. Delivery follows.

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::compose::{TemplateValues, Templates, client_time_text, new_message_id};
use crate::config::Config;
use crate::model::{DeliveryState, ReplyKind, SessionStatus};
use crate::outgoing::{coach_mailbox, coach_values, render_outgoing};
use crate::store::{ClientQueries, NewReply, SessionQueries, Store};

/// What a cancellation changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled {
    pub change_id: i64,
    /// The note to the client, to deliver.
    pub note: Option<i64>,
}

/// Cancel session `id`; with `notify`, the client gets the note (refused
/// before anything is written when the guardrails flag it, unless `force`).
pub fn cancel_session(
    store: &mut Store,
    config: &Config,
    templates: &Templates,
    id: i64,
    (notify, force): (bool, bool),
    now: DateTime<Utc>,
) -> Result<Cancelled> {
    let session = store.session(id)?;
    let client = store.client(session.client_id)?;
    let note = if notify {
        let values = TemplateValues {
            client_first_name: Some(client.first_name().to_string()),
            client_name: Some(client.name.clone()),
            old_time: Some(client_time_text(session.start, client.tz)),
            ..coach_values(config)
        };
        Some(render_outgoing(templates, "session_cancelled", &values, force)?.0)
    } else {
        None
    };
    let coach = coach_mailbox(config).address;
    let summary = format!("session #{id} of {}: cancelled", session.client_name);
    store.change("session mark", &summary, now, |tx| {
        tx.mark_session(id, SessionStatus::Cancelled, now)?;
        let note = match &note {
            Some(text) => {
                // The cancellation is a new version of the calendar entry.
                tx.raise_sequence(id)?;
                Some(tx.add_reply(&NewReply {
                    client_id: Some(client.id),
                    partner_id: None,
                    request_id: None,
                    session_id: Some(id),
                    kind: ReplyKind::Reply,
                    sent_at: now,
                    to_addr: client.emails.first().cloned(),
                    subject: Some(text.subject.clone()),
                    body: text.body.clone(),
                    message_id: Some(new_message_id(&coach, now)),
                    delivery: DeliveryState::Failed,
                })?)
            }
            None => None,
        };
        Ok(Cancelled {
            change_id: tx.change_id,
            note,
        })
    })
}
