//! Getting a recorded reply to its reader. coachbook never talks to the
//! network: the coach's own send command gets an RFC 5322 message on stdin,
//! or the message goes to the outbox folder. A reply is recorded *before*
//! delivery is tried, so a failure leaves it visible as not delivered, with a
//! retry, and nothing is lost.

use anyhow::Result;
use chrono::{DateTime, Duration, Utc};

use crate::compose::{
    CalendarEvent, CalendarPerson, Delivery, Guardrail, Mailbox, OutgoingMessage, Rendered,
    TemplateValues, Templates, build_message, check_reply, deliver, session_cancel_ics,
    session_update_ics, sessions_ics,
};
use crate::config::Config;
use crate::error::BadInput;
use crate::model::{DeliveryState, Reply, ReplyKind, SessionStatus};
use crate::store::{ClientQueries, PartnerQueries, RequestQueries, SessionQueries, Store};

/// Where a message to nobody in particular would claim to come from.
const FALLBACK_ADDRESS: &str = "coach@coachbook.invalid";

/// The coach as a mail sender.
pub fn coach_mailbox(config: &Config) -> Mailbox {
    Mailbox {
        name: config.coach_name.clone(),
        address: config
            .addresses
            .first()
            .cloned()
            .unwrap_or_else(|| FALLBACK_ADDRESS.to_string()),
    }
}

/// The shipped templates, with the coach's overrides; a broken override is
/// bad input naming the file.
pub fn templates(config: &Config) -> Result<Templates, BadInput> {
    Templates::load(Some(&config.templates_folder)).map_err(|e| BadInput(e.to_string()))
}

/// The values every template may use about the coach.
pub fn coach_values(config: &Config) -> TemplateValues {
    TemplateValues {
        coach_name: Some(config.coach_name.clone()),
        signature: Some(config.signature.clone()),
        ..TemplateValues::default()
    }
}

/// The guardrails every outgoing text passes, on every path (reply,
/// acknowledgement, apology, hand-off note and partner brief, session-moved
/// note, crisis confirmation, cancellation note, "please disregard" note,
/// recap, and whatever a custom template produces): the subject and the body
/// are checked alike. A flag refuses the text with the phrase named (bad
/// input, exit 2) unless `force`; the flags overridden are returned so the
/// caller can say so. Missing or empty placeholders are refused earlier, by
/// name, when the template renders (see [`render_outgoing`]).
pub fn guard_outgoing(
    what: &str,
    subject: &str,
    body: &str,
    force: bool,
) -> Result<Vec<Guardrail>, BadInput> {
    guard_outgoing_quoting(what, subject, body, &[], force)
}

/// [`guard_outgoing`] for a text that quotes the client's own words (their
/// message, their subject, their context note): those are the client's,
/// not the coach's phrasing, so they are left out of the check.
pub fn guard_outgoing_quoting(
    what: &str,
    subject: &str,
    body: &str,
    quoted: &[String],
    force: bool,
) -> Result<Vec<Guardrail>, BadInput> {
    let unquote = |text: &str| {
        quoted
            .iter()
            .map(|q| q.trim())
            .filter(|q| !q.is_empty())
            .fold(text.to_string(), |text, q| text.replace(q, " … "))
    };
    let mut flags = check_reply(&unquote(subject));
    flags.extend(check_reply(&unquote(body)));
    match flags.first() {
        Some(flag) if !force => Err(BadInput(format!(
            "{what}: {} (reword it, or add --force to send it anyway)",
            flag.message()
        ))),
        _ => Ok(flags),
    }
}

/// Render template `name` (a missing or empty value is refused by name) and
/// pass the result through [`guard_outgoing`]. Every new outgoing path
/// (recaps, parting notes…) should call this, or `guard_outgoing` on text
/// the coach wrote, before anything is recorded.
pub fn render_outgoing(
    templates: &Templates,
    name: &str,
    values: &TemplateValues,
    force: bool,
) -> Result<(Rendered, Vec<Guardrail>), BadInput> {
    let rendered = templates
        .render(name, values)
        .map_err(|e| BadInput(e.to_string()))?;
    let flags = guard_outgoing(
        &format!("template {name}"),
        &rendered.subject,
        &rendered.body,
        force,
    )?;
    Ok((rendered, flags))
}

/// Mark a recorded reply as waiting for delivery, then deliver it and record
/// how it went (each in its own small change).
pub fn deliver_reply(
    store: &mut Store,
    config: &Config,
    reply_id: i64,
    now: DateTime<Utc>,
) -> Result<Delivery> {
    let reply = store.reply(reply_id)?;
    let outcome = match build_for(store, config, &reply, now)? {
        Some(message) => deliver(
            &message,
            config
                .send_command
                .as_deref()
                .filter(|_| reply.to_addr.is_some()),
            &config.outbox,
            &format!("{}-reply-{reply_id}", now.format("%Y%m%dT%H%M%S")),
        ),
        None => Delivery::Failed {
            reason: "nobody to send it to".into(),
        },
    };
    let (state, note) = match &outcome {
        Delivery::Sent { .. } => (DeliveryState::Sent, outcome.message()),
        Delivery::Outbox { .. } => (DeliveryState::Outbox, outcome.message()),
        Delivery::Failed { .. } => (DeliveryState::Failed, outcome.message()),
    };
    store.change(
        "deliver",
        &format!("delivery of reply #{reply_id}: {}", state.as_str()),
        now,
        |tx| tx.set_delivery(reply_id, state, Some(&note)),
    )?;
    Ok(outcome)
}

/// The subject of a message that names none.
pub const DEFAULT_SUBJECT: &str = "A note from your coach";

/// The subject an answer to `request` starts with: "Re: <their subject>"
/// for a request that came by mail (one "Re:", however many replies and
/// languages — "Re:", "RE:", "Aw:", "Sv:", "Antw:" — came before; the
/// subject is stored decoded from RFC 2047 and is made one plain line
/// here), else the template's subject, else [`DEFAULT_SUBJECT`].
pub fn answer_subject(request: &crate::model::Request, template: Option<&str>) -> String {
    let from_mail = request.channel == crate::model::Channel::Email;
    match request.subject.as_deref().map(crate::text::one_line_field) {
        Some(subject) if from_mail && !subject.is_empty() => {
            format!("Re: {}", strip_reply_prefixes(&subject))
        }
        _ => template
            .map(crate::text::one_line_field)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| DEFAULT_SUBJECT.to_string()),
    }
}

/// "Re: RE: Aw: [Fwd] x" → "x" for the reply prefixes mail programs add.
fn strip_reply_prefixes(subject: &str) -> &str {
    const PREFIXES: &[&str] = &["re", "aw", "sv", "antw", "wg", "vs", "ref", "odp", "res"];
    let mut rest = subject.trim();
    loop {
        let Some((head, tail)) = rest.split_once(':') else {
            return rest;
        };
        // "Re[2]:" and "RE :" count too.
        let word = head.trim().split('[').next().unwrap_or_default().trim();
        if !PREFIXES.iter().any(|p| word.eq_ignore_ascii_case(p)) {
            return rest;
        }
        rest = tail.trim_start();
        if rest.is_empty() {
            return subject.trim();
        }
    }
}

/// The RFC 5322 message for a recorded reply, rebuilt from the book (so a
/// retry sends exactly what the book says). A reply to a moved session
/// carries the calendar update.
fn build_for(
    store: &Store,
    config: &Config,
    reply: &Reply,
    now: DateTime<Utc>,
) -> Result<Option<Vec<u8>>> {
    let coach = coach_mailbox(config);
    let to = if let Some(partner_id) = reply.partner_id {
        let partner = store.partner(partner_id)?;
        Mailbox {
            name: partner.name,
            address: reply.to_addr.clone().or(partner.email).unwrap_or_default(),
        }
    } else if let Some(client_id) = reply.client_id {
        let client = store.client(client_id)?;
        Mailbox {
            name: client.name,
            address: reply.to_addr.clone().unwrap_or_default(),
        }
    } else if let Some(address) = reply.to_addr.clone() {
        Mailbox {
            name: String::new(),
            address,
        }
    } else {
        return Ok(None);
    };
    let in_reply_to = match reply.request_id {
        Some(id) => store.request_message_id(id)?,
        None => None,
    };
    // The request's References and its own id: the reply joins the thread.
    let references = match reply.request_id {
        Some(id) if in_reply_to.is_some() => store.request_thread(id)?,
        _ => Vec::new(),
    };
    // A message about a session to its client carries the calendar entry.
    let about_session =
        matches!(reply.kind, ReplyKind::Apology | ReplyKind::Reply) && reply.partner_id.is_none();
    let calendar = match reply.session_id {
        Some(session_id) if about_session && !to.address.is_empty() => {
            let session = store.session(session_id)?;
            // "This and the following" changed more occurrences in the same
            // change: they travel in the same calendar message.
            let mut sessions = vec![session.clone()];
            sessions.extend(store.series_companions(&session, reply.sent_at)?);
            let events: Vec<CalendarEvent> = sessions
                .iter()
                .map(|s| calendar_event_for(s, config, &coach, &to, now))
                .collect();
            let cancel = matches!(
                session.status,
                SessionStatus::Rescheduled | SessionStatus::Cancelled
            );
            Some(match events.as_slice() {
                [event] if cancel => session_cancel_ics(event),
                [event] => session_update_ics(event),
                events => sessions_ics(events, cancel),
            })
        }
        _ => None,
    };
    let message_id = reply
        .message_id
        .clone()
        .unwrap_or_else(|| crate::compose::new_message_id(&coach.address, now));
    Ok(Some(build_message(&OutgoingMessage {
        from: coach,
        to,
        subject: reply
            .subject
            .clone()
            .unwrap_or_else(|| DEFAULT_SUBJECT.into()),
        body: reply.body.clone(),
        date: reply.sent_at.with_timezone(&config.tz).fixed_offset(),
        message_id,
        references,
        in_reply_to,
        calendar,
    })))
}

/// One session as the calendar event its client holds. One session of a
/// series (the book's, or one imported from a calendar) goes out under the
/// series' UID with its RECURRENCE-ID, so the client's calendar changes that
/// occurrence only.
fn calendar_event_for(
    session: &crate::model::Session,
    config: &Config,
    coach: &Mailbox,
    to: &Mailbox,
    now: DateTime<Utc>,
) -> CalendarEvent {
    let recurrence_id = session
        .recurrence_id
        .as_deref()
        .and_then(crate::sync::entries::parse_recurrence);
    let uid = match (&session.event_uid, recurrence_id) {
        (Some(series), Some(_)) => series.clone(),
        (Some(event), None) if session.ical_source.is_some() => event.clone(),
        _ => session.ical_uid.clone(),
    };
    CalendarEvent {
        uid,
        recurrence_id,
        sequence: u32::try_from(session.ical_sequence).unwrap_or(0),
        stamp: now,
        start: session.start,
        end: session.start + Duration::minutes(session.minutes),
        summary: format!("Coaching with {}", config.coach_name),
        description: None,
        location: session.place.clone(),
        organizer: CalendarPerson {
            name: coach.name.clone(),
            email: coach.address.clone(),
        },
        attendee: CalendarPerson {
            name: to.name.clone(),
            email: to.address.clone(),
        },
    }
}

#[cfg(test)]
mod subject_tests {
    use super::*;

    #[test]
    fn one_re_however_many_came_before() {
        assert_eq!(
            strip_reply_prefixes("Re: RE: Aw: Termin ändern"),
            "Termin ändern"
        );
        assert_eq!(strip_reply_prefixes("Re[2]: Sv: plan"), "plan");
        assert_eq!(
            strip_reply_prefixes("Meeting: tomorrow"),
            "Meeting: tomorrow"
        );
        assert_eq!(strip_reply_prefixes("Refund"), "Refund");
    }
}
