//! Cancelling a session (or it and the rest of its series): the status,
//! and (when the coach chooses) a note to the client from the
//! `session_cancelled` template with a METHOD:CANCEL calendar part, recorded
//! in the same change. Delivery follows. `session mark ID cancelled` and the
//! dashboard's cancel flow both come here.

use anyhow::Result;
use chrono::{DateTime, Utc};

use super::booking::{Occurrences, following};
use crate::compose::{Rendered, TemplateValues, Templates, client_time_text};
use crate::config::Config;
use crate::error::BadInput;
use crate::model::{Session, SessionStatus};
use crate::outgoing::{coach_mailbox, coach_values, guard_outgoing};
use crate::store::{ClientQueries, SessionQueries, Store};

/// What a cancellation changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled {
    pub change_id: i64,
    /// The note to the client, to deliver.
    pub note: Option<i64>,
    /// How many sessions were cancelled.
    pub count: usize,
}

/// The `session_cancelled` note for session `id`, rendered (a missing value
/// is refused by name); the caller passes it through the guardrails.
pub fn draft_note(
    store: &Store,
    config: &Config,
    templates: &Templates,
    id: i64,
) -> Result<Rendered> {
    let session = store.session(id)?;
    let client = store.client(session.client_id)?;
    let values = TemplateValues {
        client_first_name: Some(client.first_name().to_string()),
        client_name: Some(client.name.clone()),
        old_time: Some(client_time_text(session.start, client.tz)),
        ..coach_values(config)
    };
    Ok(templates
        .render("session_cancelled", &values)
        .map_err(|e| BadInput(e.to_string()))?)
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
    cancel_sessions(
        store,
        config,
        templates,
        (id, Occurrences::This),
        (notify, force),
        now,
    )
}

/// [`cancel_session`] for just this one or this and the following.
pub fn cancel_sessions(
    store: &mut Store,
    config: &Config,
    templates: &Templates,
    (id, occurrences): (i64, Occurrences),
    (notify, force): (bool, bool),
    now: DateTime<Utc>,
) -> Result<Cancelled> {
    let note = if notify {
        let note = draft_note(store, config, templates, id)?;
        guard_outgoing(
            "template session_cancelled",
            &note.subject,
            &note.body,
            force,
        )?;
        Some(note)
    } else {
        None
    };
    record_cancel(store, config, (id, occurrences), note.as_ref(), now)
}

/// The sessions a cancellation takes: this one, and with `Following` the
/// later booked ones of its series.
pub fn to_cancel(
    store: &Store,
    id: i64,
    occurrences: Occurrences,
) -> Result<(Session, Vec<Session>)> {
    let session = store.session(id)?;
    let later = match occurrences {
        Occurrences::This => Vec::new(),
        Occurrences::Following if session.series_id.is_none() => {
            return Err(BadInput(format!(
                "session #{id} is not part of a series; cancel it alone"
            ))
            .into());
        }
        Occurrences::Following => following(store, &session)?,
    };
    Ok((session, later))
}

/// Cancel in one change; with a note (already past the guardrails), record
/// it for the client in that change, with each cancelled session's calendar
/// entry at a new version.
pub fn record_cancel(
    store: &mut Store,
    config: &Config,
    (id, occurrences): (i64, Occurrences),
    note: Option<&Rendered>,
    now: DateTime<Utc>,
) -> Result<Cancelled> {
    let (session, later) = to_cancel(store, id, occurrences)?;
    let client = store.client(session.client_id)?;
    let coach = coach_mailbox(config).address;
    let summary = match later.len() {
        0 => format!("session #{id} of {}: cancelled", session.client_name),
        n => format!(
            "session #{id} of {} and the {n} after it: cancelled",
            session.client_name
        ),
    };
    let ids: Vec<i64> = std::iter::once(id)
        .chain(later.iter().map(|s| s.id))
        .collect();
    store.change("session mark", &summary, now, |tx| {
        for sid in &ids {
            tx.mark_session(*sid, SessionStatus::Cancelled, now)?;
        }
        let note = match note {
            Some(text) => {
                // The cancellation is a new version of each calendar entry.
                for sid in &ids {
                    tx.raise_sequence(*sid)?;
                }
                Some(tx.add_reply(&super::moving::note_reply(&client, id, text, &coach, now))?)
            }
            None => None,
        };
        Ok(Cancelled {
            change_id: tx.change_id,
            note,
            count: ids.len(),
        })
    })
}
