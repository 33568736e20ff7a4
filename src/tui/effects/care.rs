//! Runs the care flows' effects against the book (see `flows::care`): the
//! same pieces as the command line (`crate::care`), each change in one
//! transaction, delivery after it. A refusal comes back as text.

use anyhow::Result;
use chrono::{DateTime, Utc};

use super::triage::deliver_and_say;
use crate::care::client_edit;
use crate::care::{self, held, parting};
use crate::compose::{Rendered, TemplateValues};
use crate::config::Config;
use crate::error::{BadInput, one_line};
use crate::model::{ClientStatus, FollowUpKind, ReplyKind};
use crate::outgoing::{coach_values, templates};
use crate::store::{ClientQueries, FollowUpQueries, PartnerQueries, SessionQueries, Store};
use crate::tui::flows::care::{CareEffect, CareResult, ClientPart};

pub fn run(work: CareEffect, store: &mut Store, config: &Config, now: DateTime<Utc>) -> CareResult {
    attempt(work, store, config, now).unwrap_or_else(|err| CareResult::Refused(one_line(&err)))
}

fn attempt(
    work: CareEffect,
    store: &mut Store,
    config: &Config,
    now: DateTime<Utc>,
) -> Result<CareResult> {
    Ok(match work {
        CareEffect::Generate => {
            let made = care::generate(store, config, now)?;
            CareResult::Generated((!made.is_empty()).then(|| format!("made {}", made.summary())))
        }
        CareEffect::LoadAtRisk => CareResult::AtRisk(care::risk::at_risk(store, now)?),
        CareEffect::DraftRecap { session_id, form } => {
            let (session, client) = session_and_client(store, session_id)?;
            let (_, actions) = held::parse_form(&form, |day| held::due_from(day, now, config))?;
            let text = held::render_recap(
                store,
                config,
                &templates(config)?,
                &session,
                &client,
                &actions,
            )?;
            CareResult::Drafted {
                subject: text.subject,
                body: text.body,
            }
        }
        CareEffect::SaveHeld {
            session_id,
            form,
            recap,
        } => {
            let (session, client) = session_and_client(store, session_id)?;
            let (notes, actions) = held::parse_form(&form, |day| held::due_from(day, now, config))?;
            let plan = held::Held {
                session,
                client,
                notes,
                actions,
                recap: recap.map(|(subject, body)| Rendered { subject, body }),
            };
            let recorded = held::record(store, config, &plan, now)?;
            let mut message = format!(
                "session #{session_id} with {} held, {} action item(s)",
                plan.client.name,
                plan.actions.len()
            );
            let (problem, clipboard) = match recorded.recap_reply {
                Some(reply_id) => {
                    message.push_str(&format!("; recap #{reply_id}"));
                    deliver_and_say(store, config, reply_id, now, &mut message)
                }
                None => (None, None),
            };
            CareResult::Done {
                change_id: recorded.change_id,
                sent: recorded.recap_reply.is_some() && problem.is_none(),
                message,
                problem,
                clipboard,
            }
        }
        CareEffect::StartClientEdit { client_id, part } => {
            let client = store.client(client_id)?;
            let text = match part {
                ClientPart::Details => client_edit::details_form(&client),
                ClientPart::Context => client_edit::context_form(&client),
            };
            CareResult::ClientForm {
                client_id,
                name: client.name,
                part,
                text,
            }
        }
        CareEffect::SaveClient {
            client_id,
            part,
            form,
        } => save_client(store, config, now, client_id, part, &form)?,
        CareEffect::StartParting { client_id } => {
            let client = store.client(client_id)?;
            if client.status == ClientStatus::Ended {
                return Err(BadInput(format!(
                    "{} has ended already; r works with them again",
                    client.name
                ))
                .into());
            }
            let partners: Vec<String> = store.partners()?.into_iter().map(|p| p.name).collect();
            CareResult::PartingForm {
                client_id,
                name: client.name,
                text: parting::form_template(&partners),
            }
        }
        CareEffect::DraftParting { client_id, form } => {
            let plan = parting_plan(store, client_id, &form)?;
            let note = parting::render_note(config, &templates(config)?, &plan)?;
            CareResult::Drafted {
                subject: note.subject,
                body: note.body,
            }
        }
        CareEffect::SaveParting {
            client_id,
            form,
            subject,
            body,
        } => {
            let plan = parting_plan(store, client_id, &form)?;
            let ended = parting::record(store, config, &plan, &Rendered { subject, body }, now)?;
            let mut message = format!("parted ways with {}", plan.client.name);
            if let Some(partner) = &plan.partner {
                message.push_str(&format!(", referred to {}", partner.name));
            }
            let (problem, clipboard) =
                deliver_and_say(store, config, ended.note_reply, now, &mut message);
            CareResult::Done {
                change_id: ended.change_id,
                sent: problem.is_none(),
                message,
                problem,
                clipboard,
            }
        }
        CareEffect::DraftCheckIn { client_id } => {
            let client = store.client(client_id)?;
            let today = crate::domain::when::local_date(now, config.tz);
            let values = TemplateValues {
                client_first_name: Some(client.first_name().to_string()),
                client_name: Some(client.name.clone()),
                context: client.current_context(today).map(str::to_string),
                ..coach_values(config)
            };
            let text = templates(config)?
                .render("check_in", &values)
                .map_err(|e| BadInput(e.to_string()))?;
            CareResult::CheckInDrafted {
                client_id,
                name: client.name,
                subject: text.subject,
                body: text.body,
            }
        }
        CareEffect::SendCheckIn {
            client_id,
            subject,
            body,
        } => {
            let client = store.client(client_id)?;
            let reply = care::message::reply_to(
                config,
                &client,
                ReplyKind::CheckIn,
                None,
                &Rendered { subject, body },
                now,
            );
            let (change_id, reply_id) = store.change(
                "client check-in",
                &format!("check in with {}", client.name),
                now,
                |tx| {
                    let id = tx.add_reply(&reply)?;
                    tx.close_followups(client.id, FollowUpKind::CheckIn)?;
                    Ok((tx.change_id, id))
                },
            )?;
            let mut message = format!("check-in #{reply_id} to {}", client.name);
            let (problem, clipboard) = deliver_and_say(store, config, reply_id, now, &mut message);
            CareResult::Done {
                change_id,
                sent: problem.is_none(),
                message,
                problem,
                clipboard,
            }
        }
        CareEffect::Agreement { client_id, step } => {
            let client = store.client(client_id)?;
            let summary = format!("agreement with {} {step}", client.name);
            let change_id = store.change("agreement", &summary, now, |tx| {
                care::agreement::record(tx, &client, step, now)?;
                Ok(tx.change_id)
            })?;
            done(change_id, summary)
        }
        CareEffect::Reactivate { client_id } => {
            let client = store.client(client_id)?;
            if client.status == ClientStatus::Active {
                return Err(BadInput(format!("{} is active already", client.name)).into());
            }
            let summary = format!("{} is active again", client.name);
            let change_id = store.change("client reactivate", &summary, now, |tx| {
                tx.reactivate_client(client_id)?;
                Ok(tx.change_id)
            })?;
            done(change_id, summary)
        }
        CareEffect::FollowUpDone { followup_id } => {
            let followup = store.followup(followup_id)?;
            let summary = format!("done: {} ({})", followup.text, followup.client_name);
            let change_id = store.change("followup done", &summary, now, |tx| {
                tx.complete_followup(followup_id)?;
                Ok(tx.change_id)
            })?;
            done(change_id, summary)
        }
    })
}

fn done(change_id: i64, message: String) -> CareResult {
    CareResult::Done {
        change_id,
        message,
        problem: None,
        sent: false,
        clipboard: None,
    }
}

fn session_and_client(
    store: &Store,
    session_id: i64,
) -> Result<(crate::model::Session, crate::model::Client)> {
    let session = store.session(session_id)?;
    let client = store.client(session.client_id)?;
    Ok((session, client))
}

fn parting_plan(store: &Store, client_id: i64, form: &str) -> Result<parting::Plan> {
    let form = parting::parse_form(form);
    let refund = form
        .refund
        .as_deref()
        .map(parting::parse_amount)
        .transpose()?;
    let partner = match form.referral.as_deref() {
        Some(name) => {
            let partners: Vec<(i64, String)> = store
                .partners()?
                .into_iter()
                .map(|p| (p.id, p.name))
                .collect();
            let id = crate::domain::lookup::find_client(name, &partners)
                .map_err(|e| BadInput(e.0.replace("client", "partner")))?;
            Some(store.partner(id)?)
        }
        None => None,
    };
    Ok(parting::plan(
        store.client(client_id)?,
        &form.reason,
        refund,
        partner,
    )?)
}

/// The client view's form saved: the same checks as `client edit`, one
/// change of the book; a refusal stays in the form.
fn save_client(
    store: &mut Store,
    config: &Config,
    now: DateTime<Utc>,
    client_id: i64,
    part: ClientPart,
    form: &str,
) -> Result<CareResult> {
    let client = store.client(client_id)?;
    let today = crate::domain::when::local_date(now, config.tz);
    let edit = match part {
        ClientPart::Details => client_edit::parse_details_form(form, &client)?,
        ClientPart::Context => client_edit::parse_context_form(form, &client, today, |day| {
            crate::domain::when::parse_day(day, now, config.tz)
        })?,
    };
    if edit.is_empty() {
        return Err(BadInput("nothing to save: the form says what the book says".into()).into());
    }
    if let Some(name) = &edit.name
        && store
            .client_names()?
            .iter()
            .any(|(id, n)| *id != client_id && n.eq_ignore_ascii_case(name))
    {
        return Err(BadInput(format!("a client named '{name}' exists already")).into());
    }
    let what = edit.describe();
    let change_id = store.change(
        "client edit",
        &format!("edit client {}: {what}", client.name),
        now,
        |tx| {
            tx.edit_client(client_id, &edit)?;
            Ok(tx.change_id)
        },
    )?;
    Ok(CareResult::Done {
        change_id,
        message: format!(
            "edited {}: {what}",
            crate::text::visible_line(edit.name.as_deref().unwrap_or(&client.name))
        ),
        problem: None,
        sent: false,
        clipboard: None,
    })
}
