//! After a session: it is marked held with the coach's notes and the action
//! items (owner coach or client, a due day), and the client may get a recap
//! of *their* items and the next session, in their own time zone. All of it
//! is one change of the book; delivery of the recap follows.

use anyhow::Result;
use chrono::{DateTime, Duration, Utc};

use super::message::{client_day, reply_to};
use crate::compose::{Rendered, TemplateValues, Templates, client_time_text};
use crate::config::Config;
use crate::error::BadInput;
use crate::model::{Client, FollowUpKind, Owner, ReplyKind, Session, SessionStatus};
use crate::outgoing::coach_values;
use crate::store::{NewFollowUp, Queries, SessionQueries, Store};

/// Longest action item text kept.
pub const MAX_ACTION_CHARS: usize = 300;
/// Longest session notes kept.
pub const MAX_NOTES_CHARS: usize = 20_000;
/// How far ahead the recap looks for the next session.
const NEXT_SESSION_DAYS: i64 = 120;

#[derive(Debug, Clone, PartialEq)]
pub struct ActionItem {
    pub owner: Owner,
    pub text: String,
    pub due: DateTime<Utc>,
}

/// A due time as typed: a WHEN, or a bare DAY meaning the end of that
/// working day (the end of the day when the coach does not work then).
pub fn due_from(
    text: &str,
    now: DateTime<Utc>,
    config: &Config,
) -> Result<DateTime<Utc>, BadInput> {
    use crate::domain::when::{day_bounds, parse_day, parse_when};
    match parse_when(text, now, config.tz) {
        Ok(instant) => Ok(instant.at),
        Err(when_err) => match parse_day(text, now, config.tz) {
            Ok(day) => Ok(config
                .hours
                .window(day, config.tz)
                .map(|(_, close)| close)
                .unwrap_or_else(|| day_bounds(day, config.tz).1 - Duration::minutes(1))),
            Err(_) => Err(when_err),
        },
    }
}

/// Read `client: TEXT by DAY` (or `coach: …`). `due` turns the DAY (or
/// WHEN) into an instant, as `followup add` does.
pub fn parse_action(
    text: &str,
    due: impl Fn(&str) -> Result<DateTime<Utc>, BadInput>,
) -> Result<ActionItem, BadInput> {
    let bad = |why: &str| {
        BadInput(format!(
            "action item '{}': {why} (write it as \"client: TEXT by DAY\" or \"coach: TEXT by DAY\")",
            super::message::one_line(text)
        ))
    };
    let (owner, rest) = text.split_once(':').ok_or_else(|| bad("no owner"))?;
    let owner = Owner::parse(owner).map_err(|_| bad("the owner is coach or client"))?;
    let lower = rest.to_lowercase();
    let at = lower.rfind(" by ").ok_or_else(|| bad("no due day"))?;
    let (what, day) = (
        rest.get(..at).unwrap_or(""),
        rest.get(at + 4..).unwrap_or(""),
    );
    let what = super::message::one_line(what);
    if what.is_empty() {
        return Err(bad("nothing to do"));
    }
    if what.chars().count() > MAX_ACTION_CHARS {
        return Err(bad(&format!("longer than {MAX_ACTION_CHARS} characters")));
    }
    let due = due(day.trim()).map_err(|e| bad(&e.0))?;
    Ok(ActionItem {
        owner,
        text: what,
        due,
    })
}

/// The notes and action items written in one text (the dashboard's editor):
/// lines `client: … by DAY` / `coach: … by DAY` under "Action items", the
/// rest under "Notes" is the notes.
pub fn parse_form(
    text: &str,
    due: impl Fn(&str) -> Result<DateTime<Utc>, BadInput>,
) -> Result<(String, Vec<ActionItem>), BadInput> {
    let mut notes = Vec::new();
    let mut actions = Vec::new();
    let mut in_actions = false;
    for line in text.lines() {
        let trimmed = line.trim();
        let lower = trimmed.to_lowercase();
        if lower.starts_with('#') {
            continue;
        }
        if lower == "notes:" {
            in_actions = false;
            continue;
        }
        if lower == "action items:" {
            in_actions = true;
            continue;
        }
        if in_actions {
            let item = trimmed.trim_start_matches(['-', '*']).trim();
            if !item.is_empty() {
                actions.push(parse_action(item, &due)?);
            }
        } else {
            notes.push(line);
        }
    }
    Ok((notes.join("\n").trim().to_string(), actions))
}

/// The editor's starting text for a held session.
pub fn form_template(session_notes: &str) -> String {
    format!(
        "Notes:\n{}\n\nAction items:\n# one a line: client: TEXT by DAY   or   coach: TEXT by DAY\n",
        session_notes.trim()
    )
}

/// The client's next booked session after `session`, if any.
pub fn next_session(store: &impl Queries, session: &Session) -> Result<Option<Session>> {
    Ok(store
        .client_sessions_between(
            session.client_id,
            session.start + Duration::minutes(1),
            session.start + Duration::days(NEXT_SESSION_DAYS),
        )?
        .into_iter()
        .find(|s| s.status == SessionStatus::Booked && s.id != session.id))
}

/// The recap: the client's own action items (never the coach's) with their
/// due days, and the next session, all in the client's zone.
pub fn render_recap(
    store: &impl Queries,
    config: &Config,
    templates: &Templates,
    session: &Session,
    client: &Client,
    actions: &[ActionItem],
) -> Result<Rendered> {
    let next = next_session(store, session)?;
    let values = TemplateValues {
        client_first_name: Some(client.first_name().to_string()),
        client_name: Some(client.name.clone()),
        session_time: Some(client_time_text(session.start, client.tz)),
        next_time: next.map(|s| client_time_text(s.start, client.tz)),
        action_items: actions
            .iter()
            .filter(|a| a.owner == Owner::Client)
            .map(|a| format!("{} (by {})", a.text, client_day(a.due, client)))
            .collect(),
        ..coach_values(config)
    };
    templates
        .render("recap", &values)
        .map_err(|e| BadInput(e.to_string()).into())
}

#[derive(Debug, Clone, PartialEq)]
pub struct Held {
    pub session: Session,
    pub client: Client,
    pub notes: String,
    pub actions: Vec<ActionItem>,
    /// The recap as the coach will send it (after any editing).
    pub recap: Option<Rendered>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    pub change_id: i64,
    pub recap_reply: Option<i64>,
}

/// One change: the session held, its notes, its action items, the recap.
pub fn record(
    store: &mut Store,
    config: &Config,
    held: &Held,
    now: DateTime<Utc>,
) -> Result<Recorded> {
    if held.notes.chars().count() > MAX_NOTES_CHARS {
        return Err(BadInput(format!(
            "the notes are longer than {MAX_NOTES_CHARS} characters"
        ))
        .into());
    }
    let summary = format!(
        "session #{} with {} held: {} action item(s){}",
        held.session.id,
        held.client.name,
        held.actions.len(),
        if held.recap.is_some() { ", recap" } else { "" }
    );
    store.change("session mark", &summary, now, |tx| {
        tx.mark_session(held.session.id, SessionStatus::Held, now)?;
        if !held.notes.trim().is_empty() {
            tx.set_session_notes(held.session.id, &held.notes)?;
        }
        for action in &held.actions {
            tx.add_followup_from(
                &NewFollowUp {
                    client_id: held.client.id,
                    request_id: None,
                    due: action.due,
                    text: action.text.clone(),
                    owner: action.owner,
                    kind: FollowUpKind::Action,
                    made_by_reply: None,
                    callback: false,
                },
                Some(held.session.id),
            )?;
        }
        let recap_reply = match &held.recap {
            Some(text) => Some(tx.add_reply(&reply_to(
                config,
                &held.client,
                ReplyKind::Recap,
                Some(held.session.id),
                text,
                now,
            ))?),
            None => None,
        };
        Ok(Recorded {
            change_id: tx.change_id,
            recap_reply,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(text: &str) -> Result<DateTime<Utc>, BadInput> {
        match text {
            "fri" => Ok(DateTime::parse_from_rfc3339("2026-11-27T17:00:00Z")
                .map(|d| d.with_timezone(&Utc))
                .map_err(|e| BadInput(e.to_string()))?),
            other => Err(BadInput(format!("'{other}' is not a day"))),
        }
    }

    #[test]
    fn an_action_item_has_an_owner_a_text_and_a_due_day() {
        let item = parse_action("client: Draft the pitch by the board by fri", due).expect("ok");
        assert_eq!(item.owner, Owner::Client);
        assert_eq!(item.text, "Draft the pitch by the board");
        let err = parse_action("Draft the pitch by fri", due).expect_err("no owner");
        assert!(err.0.contains("client: TEXT by DAY"), "{}", err.0);
        let err = parse_action("partner: x by fri", due).expect_err("bad owner");
        assert!(err.0.contains("coach or client"), "{}", err.0);
        let err = parse_action("coach: call back", due).expect_err("no day");
        assert!(err.0.contains("no due day"), "{}", err.0);
        let err = parse_action("coach: call by someday", due).expect_err("bad day");
        assert!(err.0.contains("someday"), "{}", err.0);
    }

    #[test]
    fn the_form_splits_notes_from_action_items() {
        let text = format!(
            "{}client: Draft the pitch by fri\n- coach: Send the article by fri\n",
            form_template("Talked about the board.")
        );
        let (notes, actions) = parse_form(&text, due).expect("ok");
        assert_eq!(notes, "Talked about the board.");
        assert_eq!(actions.len(), 2);
        assert_eq!(actions.get(1).map(|a| a.owner), Some(Owner::Coach));
    }
}
