//! Runs the flows' work (see `tui::flows::work`) against the book. Every
//! failure comes back as an event with a one-line message, never a panic.

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::compose::Delivery;
use crate::config::Config;
use crate::domain::when::local_date;
use crate::error::one_line;
use crate::flows::{emergency, handoff};
use crate::outgoing::{deliver_reply, templates};
use crate::store::{ClientQueries, PartnerQueries, RequestQueries, Store};

use crate::tui::flows::work::*;

pub fn run(work: FlowWork, store: &mut Store, config: &Config, now: DateTime<Utc>) -> FlowEvent {
    let result = match work {
        FlowWork::EmergencyCandidates { request_id } => {
            candidates(store, request_id, now, config.tz)
        }
        FlowWork::EmergencyPlan { session_id, crisis } => templates(config)
            .map_err(anyhow::Error::from)
            .and_then(|templates| {
                emergency::plan(
                    store,
                    config,
                    &templates,
                    now,
                    session_id,
                    crisis.map(|crisis| *crisis),
                    SLOT_POOL,
                    emergency::APOLOGY_TEMPLATE,
                )
            })
            .map(|plan| FlowEvent::EmergencyPlanned(Box::new(plan))),
        FlowWork::EmergencyRender { plan } => render(config, &plan),
        FlowWork::EmergencyApply { plan, body } => {
            apply_emergency(store, config, &plan, &body, now)
        }
        FlowWork::HandoffPartners { request_id } => {
            store.partners().map(|partners| FlowEvent::HandoffPartners {
                request_id,
                partners,
            })
        }
        FlowWork::HandoffPlan {
            request_id,
            partner_id,
        } => templates(config)
            .map_err(anyhow::Error::from)
            .and_then(|templates| {
                handoff::plan(
                    store,
                    config,
                    &templates,
                    request_id,
                    partner_id,
                    local_date(now, config.tz),
                )
            })
            .map(|plan| FlowEvent::HandoffPlanned(Box::new(plan))),
        FlowWork::HandoffApply { plan } => apply_handoff(store, config, &plan, now),
        FlowWork::Undo {
            change_id,
            delivered,
        } => store.undo_truthfully(change_id, now).and_then(|undone| {
            let mut to_reassure = Vec::new();
            for session_id in undone.to_reassure {
                let session = crate::store::SessionQueries::session(&*store, session_id)?;
                to_reassure.push((
                    session_id,
                    session.client_name,
                    crate::domain::when::show_local(session.start, config.tz),
                ));
            }
            let mut summary = undone.change.summary;
            if !undone.told_of_removed.is_empty() {
                summary.push_str(&format!(
                    "; {} still hold the invitation for the call it booked: a follow-up reminds you to tell them",
                    undone.told_of_removed.join(", ")
                ));
            }
            Ok(FlowEvent::Undone {
                summary,
                delivered,
                to_reassure,
            })
        }),
        FlowWork::Reassure { session_ids } => reassure(store, config, &session_ids, now),
        FlowWork::RetryDeliveries => retry(store, config, now),
        FlowWork::LoadUndelivered => undelivered(store),
        FlowWork::MarkSent { request_id } => mark_sent(store, request_id, now),
    };
    result.unwrap_or_else(|err| FlowEvent::FlowFailed(one_line(&err)))
}

fn candidates(
    store: &Store,
    request_id: i64,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Result<FlowEvent> {
    let request = store.request(request_id)?;
    let Some(client_id) = request.client_id else {
        return Err(crate::error::BadInput(format!(
            "request #{request_id} is from an unknown sender; add them as a client first"
        ))
        .into());
    };
    let client = store.client(client_id)?;
    let today = crate::domain::when::local_date(now, tz);
    let mut candidates: Vec<emergency::Candidate> = emergency::candidates(store, now)?
        .into_iter()
        .filter(|c| c.session.client_id != client_id)
        .collect();
    // What is at stake for each is where the coach decides whom to move.
    for candidate in &mut candidates {
        crate::tui::visible::MakeVisible::make_visible(&mut candidate.session);
        let other = store.client(candidate.session.client_id)?;
        candidate.context = other
            .current_context(today)
            .map(|c| crate::text::visible_line(c).into_owned());
    }
    if candidates.is_empty() {
        return Err(crate::error::BadInput(format!(
            "no upcoming session of another client within {} days to free for {}",
            emergency::CANDIDATE_DAYS,
            client.name
        ))
        .into());
    }
    Ok(FlowEvent::EmergencyCandidates {
        crisis: Box::new(emergency::Crisis {
            client,
            request: Some(request),
        }),
        candidates,
    })
}

fn render(config: &Config, plan: &emergency::Plan) -> Result<FlowEvent> {
    let templates = templates(config)?;
    let apology = emergency::render_apology(
        &templates,
        config,
        &plan.template,
        &plan.candidate.session,
        &plan.client,
        &plan.slots,
        plan.hold_first_slot,
    )?;
    Ok(FlowEvent::EmergencyRendered(apology))
}

fn apply_emergency(
    store: &mut Store,
    config: &Config,
    plan: &emergency::Plan,
    body: &str,
    now: DateTime<Utc>,
) -> Result<FlowEvent> {
    if plan.slots.is_empty() {
        return Err(crate::error::BadInput(
            "no time is offered; keep at least one slot before confirming".into(),
        )
        .into());
    }
    let applied = emergency::apply(store, config, plan, body, now)?;
    let sent = deliver(store, config, applied.apology_reply, "apology", now);
    let crisis_told = match (applied.crisis_confirmation, applied.callback_followup) {
        (Some(reply), _) => Some(
            deliver(
                store,
                config,
                reply,
                "confirmation to the client in crisis",
                now,
            )
            .delivery
            .message(),
        ),
        (None, Some(_)) => Some("no address: a call-back follow-up is on the dashboard".into()),
        (None, None) => None,
    };
    let clipboard = clipboard_text(&sent);
    Ok(FlowEvent::EmergencyDone {
        change_id: applied.change_id,
        crisis_session: applied.crisis_session,
        sent,
        clipboard,
        crisis_told,
    })
}

fn apply_handoff(
    store: &mut Store,
    config: &Config,
    plan: &handoff::Plan,
    now: DateTime<Utc>,
) -> Result<FlowEvent> {
    let applied = handoff::apply(store, config, plan, now)?;
    let sent = vec![
        deliver(store, config, applied.note_reply, "note to the client", now),
        deliver(
            store,
            config,
            applied.brief_reply,
            "brief to the partner",
            now,
        ),
    ];
    let clipboard = sent.iter().find_map(clipboard_text);
    Ok(FlowEvent::HandoffDone {
        change_id: applied.change_id,
        sent,
        clipboard,
    })
}

/// Deliver a recorded reply; a failure (even of the book) is reported, and
/// the reply stays recorded as not delivered.
fn deliver(
    store: &mut Store,
    config: &Config,
    reply_id: i64,
    what: &str,
    now: DateTime<Utc>,
) -> Sent {
    let delivery =
        deliver_reply(store, config, reply_id, now).unwrap_or_else(|err| Delivery::Failed {
            reason: one_line(&err),
        });
    Sent {
        what: what.to_string(),
        delivery,
    }
}

/// An outbox message also goes to the clipboard.
fn clipboard_text(sent: &Sent) -> Option<String> {
    match &sent.delivery {
        Delivery::Outbox { path } => std::fs::read_to_string(path).ok(),
        _ => None,
    }
}

fn retry(store: &mut Store, config: &Config, now: DateTime<Utc>) -> Result<FlowEvent> {
    let replies = store.undelivered_replies()?;
    let sent: Vec<Sent> = replies
        .iter()
        .map(|reply| {
            deliver(
                store,
                config,
                reply.id,
                &format!("reply #{}", reply.id),
                now,
            )
        })
        .collect();
    let clipboard = sent.iter().find_map(clipboard_text);
    Ok(FlowEvent::Retried { sent, clipboard })
}

fn reassure(
    store: &mut Store,
    config: &Config,
    session_ids: &[i64],
    now: DateTime<Utc>,
) -> Result<FlowEvent> {
    let templates = templates(config)?;
    let mut sent = Vec::new();
    for session_id in session_ids {
        let reply_id = crate::flows::reassure::record_stands_note(
            store,
            config,
            &templates,
            *session_id,
            false,
            now,
        )?;
        sent.push(deliver(
            store,
            config,
            reply_id,
            &format!("note that session #{session_id} stands"),
            now,
        ));
    }
    Ok(FlowEvent::Reassured(sent))
}

fn mark_sent(store: &mut Store, request_id: i64, now: DateTime<Utc>) -> Result<FlowEvent> {
    let reply = store.waiting_reply_of(request_id)?.ok_or_else(|| {
        crate::error::BadInput(format!("request #{request_id} has no reply waiting"))
    })?;
    let change_id = store.change(
        "deliver mark-sent",
        &format!("reply #{} marked sent", reply.id),
        now,
        |tx| {
            tx.mark_reply_sent(reply.id, now, "marked sent by the coach")?;
            Ok(tx.change_id)
        },
    )?;
    Ok(FlowEvent::MarkedSent {
        change_id,
        message: format!(
            "reply #{} marked sent: request #{request_id} is answered",
            reply.id
        ),
    })
}

fn undelivered(store: &Store) -> Result<FlowEvent> {
    let replies = store.undelivered_replies()?;
    Ok(FlowEvent::Undelivered(
        replies
            .iter()
            .map(|r| {
                let to = r
                    .to_addr
                    .clone()
                    .unwrap_or_else(|| "no address".to_string());
                (r.id, to)
            })
            .collect(),
    ))
}
