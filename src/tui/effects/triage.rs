//! Runs the triage effects against the book: each is one change (so undo
//! can take it back by `change_id`), then delivery for replies. A refusal
//! (bad input, a closed request, a store error) writes nothing.

use anyhow::Result;

use crate::flows::reply;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::compose::{Delivery, TemplateValues, client_time_text};
use crate::config::Config;
use crate::error::one_line;
use crate::model::{Client, FollowUpKind, Owner, ReplyKind, Request, RequestStatus, Urgency};
use crate::outgoing::{coach_values, deliver_reply, templates};
use crate::store::Store;
use crate::store::{ClientQueries, NewClient, NewFollowUp, NewRequest, RequestQueries};
use crate::tui::action::Action;
use crate::tui::flows::{ClientChoice, NewCapture, TriageEffect, TriageResult};

pub fn run(effect: TriageEffect, store: &mut Store, config: &Config, now: DateTime<Utc>) -> Action {
    let result = match effect {
        TriageEffect::LoadTemplateNames => templates(config)
            .map(|t| TriageResult::TemplateNames(t.names()))
            .map_err(Into::into),
        TriageEffect::DraftReply {
            request_id,
            template,
        } => draft_reply(store, config, request_id, template.as_deref(), now),
        TriageEffect::SendReply {
            request_id,
            subject,
            body,
            kind,
        } => send_reply(store, config, request_id, subject, body, kind, None, now),
        TriageEffect::Acknowledge {
            request_id,
            promise_at,
        } => acknowledge(store, config, request_id, promise_at, now),
        TriageEffect::SetUrgency {
            request_id,
            urgency,
        } => set_urgency(store, config, request_id, urgency, now, false),
        TriageEffect::RaiseToCrisis { request_id } => {
            set_urgency(store, config, request_id, Urgency::Crisis, now, true)
        }
        TriageEffect::Snooze {
            request_id,
            until,
            force,
        } => {
            let tz = config.tz;
            status_change(store, now, request_id, "request snooze", |tx| {
                if let Some(risk) = tx.request(request_id)?.put_aside_risk(Some(until))
                    && !force
                {
                    return Err(crate::error::BadInput(format!(
                        "{risk}; pick an earlier time or answer it first"
                    ))
                    .into());
                }
                tx.set_request_status(request_id, RequestStatus::Snoozed, Some(until))?;
                Ok(format!(
                    "snoozed until {} (sooner if the client writes again)",
                    crate::domain::when::show_local(until, tz)
                ))
            })
        }
        TriageEffect::WaitOnClient { request_id, force } => {
            status_change(store, now, request_id, "request wait", |tx| {
                if let Some(risk) = tx.request(request_id)?.put_aside_risk(None)
                    && !force
                {
                    return Err(crate::error::BadInput(format!(
                        "{risk}; answer it (or acknowledge it) first"
                    ))
                    .into());
                }
                tx.set_request_status(request_id, RequestStatus::WaitingOnClient, None)?;
                Ok("waits on the client; its clock restarts when they write again".into())
            })
        }
        TriageEffect::Close { request_id } => {
            status_change(store, now, request_id, "request close", |tx| {
                tx.set_request_status(request_id, RequestStatus::Closed, None)?;
                Ok("closed".into())
            })
        }
        TriageEffect::MakeFollowUp {
            request_id,
            due,
            text,
        } => make_followup(store, config, request_id, due, text, now),
        TriageEffect::Capture(capture) => save_capture(store, config, capture, now),
    };
    Action::Triage(result.unwrap_or_else(|err| TriageResult::Refused(one_line(&err))))
}

fn done(change_id: i64, message: String) -> TriageResult {
    TriageResult::Done {
        change_id,
        message,
        problem: None,
        handover_to_crisis: false,
        sent: false,
        clipboard: None,
    }
}

fn status_change(
    store: &mut Store,
    now: DateTime<Utc>,
    request_id: i64,
    command: &str,
    apply: impl FnOnce(&crate::store::Tx) -> Result<String>,
) -> Result<TriageResult> {
    let summary = format!("{command} #{request_id}");
    let (change_id, what) =
        store.change(command, &summary, now, |tx| Ok((tx.change_id, apply(tx)?)))?;
    Ok(done(change_id, format!("request #{request_id} {what}")))
}

fn set_urgency(
    store: &mut Store,
    config: &Config,
    request_id: i64,
    urgency: Urgency,
    now: DateTime<Utc>,
    handover_to_crisis: bool,
) -> Result<TriageResult> {
    let clock = config.reply_clock();
    let (change_id, request) = store.change(
        "request urgency",
        &format!("request #{request_id} urgency {urgency}"),
        now,
        |tx| Ok((tx.change_id, tx.set_urgency(request_id, urgency, &clock)?)),
    )?;
    Ok(TriageResult::Done {
        change_id,
        message: format!(
            "request #{request_id} is {urgency}; reply by {}",
            crate::domain::when::show_local(request.reply_by, config.tz)
        ),
        problem: None,
        handover_to_crisis,
        sent: false,
        clipboard: None,
    })
}

fn client_of(store: &Store, request: &Request) -> Result<Option<Client>> {
    request.client_id.map(|id| store.client(id)).transpose()
}

fn values_for(
    config: &Config,
    client: Option<&Client>,
    request: &Request,
    now: DateTime<Utc>,
) -> TemplateValues {
    let today = crate::domain::when::local_date(now, config.tz);
    TemplateValues {
        client_first_name: client.map(|c| c.first_name().to_string()),
        client_name: client.map(|c| c.name.clone()),
        request_summary: Some(request.summary()),
        context: client.and_then(|c| c.current_context(today).map(str::to_string)),
        ..coach_values(config)
    }
}

fn draft_reply(
    store: &Store,
    config: &Config,
    request_id: i64,
    template: Option<&str>,
    now: DateTime<Utc>,
) -> Result<TriageResult> {
    let request = store.request(request_id)?;
    let Some(template) = template else {
        return Ok(TriageResult::Drafted {
            subject: Some(crate::outgoing::answer_subject(&request, None)),
            body: String::new(),
            kind: ReplyKind::Reply,
        });
    };
    let client = client_of(store, &request)?;
    let values = values_for(config, client.as_ref(), &request, now);
    let rendered = templates(config)?.render(template, &values)?;
    Ok(TriageResult::Drafted {
        subject: Some(crate::outgoing::answer_subject(
            &request,
            Some(&rendered.subject),
        )),
        body: rendered.body,
        kind: reply::kind_for_template(template),
    })
}

/// Record the reply (and a promise follow-up, if any) in one change, then
/// deliver it and say where it went.
#[allow(clippy::too_many_arguments)]
fn send_reply(
    store: &mut Store,
    config: &Config,
    request_id: i64,
    subject: Option<String>,
    body: String,
    kind: ReplyKind,
    promise: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<TriageResult> {
    let request = store.request(request_id)?;
    let client = client_of(store, &request)?;
    let answer = reply::Answer {
        subject,
        body,
        kind,
        promise,
        send: true,
    };
    let reply::Recorded {
        change_id,
        reply_id,
    } = reply::record(store, config, &request, client.as_ref(), &answer, now)?;
    let mut message = format!("reply #{reply_id} to {} recorded", request.client_name);
    if let Some(due) = promise {
        message.push_str(&format!(
            "; promised by {}",
            crate::domain::when::show_local(due, config.tz)
        ));
    }
    let (problem, clipboard) = deliver_and_say(store, config, reply_id, now, &mut message);
    Ok(TriageResult::Done {
        change_id,
        message,
        sent: problem.is_none(),
        problem,
        handover_to_crisis: false,
        clipboard,
    })
}

/// Deliver a recorded reply and add where it went to `message`. Returns the
/// problem, if it did not reach anyone, and the outbox text for the clipboard.
pub fn deliver_and_say(
    store: &mut Store,
    config: &Config,
    reply_id: i64,
    now: DateTime<Utc>,
    message: &mut String,
) -> (Option<String>, Option<String>) {
    let mut clipboard = None;
    let problem = match deliver_reply(store, config, reply_id, now) {
        Ok(outcome @ (Delivery::Sent { .. } | Delivery::Outbox { .. })) => {
            message.push_str(&format!("; {}", outcome.message()));
            if let Delivery::Outbox { path } = &outcome {
                clipboard = std::fs::read_to_string(path).ok();
                if clipboard.is_some() {
                    message.push_str(" and copied to the clipboard");
                }
            }
            None
        }
        Ok(outcome) => Some(format!(
            "{} (the reply stays recorded, to retry)",
            outcome.message()
        )),
        Err(err) => Some(format!(
            "not sent: {} (the reply stays recorded)",
            one_line(&err)
        )),
    };
    (problem, clipboard)
}

fn acknowledge(
    store: &mut Store,
    config: &Config,
    request_id: i64,
    promise_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<TriageResult> {
    let request = store.request(request_id)?;
    let client = client_of(store, &request)?;
    let tz: Tz = client.as_ref().map_or(config.tz, |c| c.tz);
    let values = TemplateValues {
        promised_time: Some(client_time_text(promise_at, tz)),
        ..values_for(config, client.as_ref(), &request, now)
    };
    // The same guardrails as every message; a flagged acknowledgement is
    // refused here (r opens it in the editor, where it can be sent anyway).
    let (rendered, _) =
        crate::outgoing::render_outgoing(&templates(config)?, "acknowledgement", &values, false)
            .map_err(|e| {
                crate::error::BadInput(format!(
                    "{}; r opens the acknowledgement in the editor",
                    e.0.replace(" (reword it, or add --force to send it anyway)", "")
                ))
            })?;
    send_reply(
        store,
        config,
        request_id,
        Some(rendered.subject),
        rendered.body,
        ReplyKind::Acknowledgement,
        Some(promise_at),
        now,
    )
}

fn make_followup(
    store: &mut Store,
    config: &Config,
    request_id: i64,
    due: DateTime<Utc>,
    text: String,
    now: DateTime<Utc>,
) -> Result<TriageResult> {
    let request = store.request(request_id)?;
    let client_id = request.client_id.ok_or_else(|| {
        crate::error::BadInput("an unknown sender has no client to follow up with".into())
    })?;
    let (change_id, followup_id) = store.change(
        "request followup",
        &format!("request #{request_id} into a follow-up"),
        now,
        |tx| {
            let followup_id = tx.add_followup(&NewFollowUp {
                client_id,
                request_id: Some(request_id),
                due,
                text: text.clone(),
                owner: Owner::Coach,
                kind: FollowUpKind::Action,
                made_by_reply: None,
                callback: false,
            })?;
            tx.set_request_status(request_id, RequestStatus::Closed, None)?;
            Ok((tx.change_id, followup_id))
        },
    )?;
    Ok(done(
        change_id,
        format!(
            "request #{request_id} is now follow-up #{followup_id}, due {}",
            crate::domain::when::show_local(due, config.tz)
        ),
    ))
}

fn save_capture(
    store: &mut Store,
    config: &Config,
    capture: NewCapture,
    now: DateTime<Utc>,
) -> Result<TriageResult> {
    let clock = config.reply_clock();
    let who = capture.client.label();
    let (change_id, request_id) = store.change(
        "request add",
        &format!("{} from {who}", capture.channel),
        now,
        |tx| {
            let client_id = match &capture.client {
                ClientChoice::Existing(id, _) => {
                    if let Some(phone) = &capture.phone {
                        tx.set_client_phone_if_missing(*id, phone)?;
                    }
                    *id
                }
                ClientChoice::New(name) => tx.add_client(
                    &NewClient {
                        name: name.clone(),
                        phone: capture.phone.clone(),
                        ..NewClient::default()
                    },
                    config.tz,
                )?,
            };
            let request_id = tx.add_request(
                &NewRequest {
                    client_id: Some(client_id),
                    unknown_sender: None,
                    received_at: capture.received_at,
                    channel: capture.channel,
                    urgency: capture.urgency,
                    subject: None,
                    body: capture.text.clone(),
                    message_id: None,
                },
                &clock,
            )?;
            Ok((tx.change_id, request_id))
        },
    )?;
    let request = store.request(request_id)?;
    Ok(done(
        change_id,
        format!(
            "logged request #{request_id} ({}) from {who}; reply by {}",
            capture.channel,
            crate::domain::when::show_local(request.reply_by, config.tz)
        ),
    ))
}
