//! Hand-off: when the coach cannot take a crisis, a backup partner does. The
//! client gets a warm note naming the partner; the partner gets a short
//! brief. Both are recorded in one change; the note is the first reply.

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::compose::{Rendered, TemplateValues, Templates, new_message_id};
use crate::config::Config;
use crate::error::BadInput;
use crate::model::{Client, DeliveryState, Partner, ReplyKind, Request, RequestStatus};
use crate::outgoing::{coach_mailbox, coach_values};
use crate::store::{ClientQueries, NewReply, PartnerQueries, Queries, RequestQueries, Store};

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub request: Request,
    pub client: Client,
    pub partner: Partner,
    pub note_to_client: Rendered,
    pub brief_to_partner: Rendered,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub change_id: i64,
    pub note_reply: i64,
    pub brief_reply: i64,
}

/// How the partner and the client can reach each other.
fn contact(email: Option<&str>, phone: Option<&str>) -> Option<String> {
    let parts: Vec<&str> = [email, phone]
        .into_iter()
        .flatten()
        .filter(|p| !p.trim().is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

pub fn plan(
    store: &impl Queries,
    config: &Config,
    templates: &Templates,
    request_id: i64,
    partner_id: i64,
    today: chrono::NaiveDate,
) -> Result<Plan> {
    let request = store.request(request_id)?;
    let client_id = request.client_id.ok_or_else(|| {
        BadInput(format!(
            "request #{request_id} is from an unknown sender; add them as a client first"
        ))
    })?;
    if matches!(request.status, RequestStatus::Closed) {
        return Err(BadInput(format!("request #{request_id} is closed")).into());
    }
    let client = store.client(client_id)?;
    let partner = store.partner(partner_id)?;
    let client_contact = contact(
        client.emails.first().map(String::as_str),
        client.phone.as_deref(),
    )
    .ok_or_else(|| {
        BadInput(format!(
            "{} has no email or phone in the book; add one so the partner can reach them",
            client.name
        ))
    })?;
    let partner_contact =
        contact(partner.email.as_deref(), partner.phone.as_deref()).ok_or_else(|| {
            BadInput(format!(
                "partner {} has no email or phone in the book",
                partner.name
            ))
        })?;
    let values = TemplateValues {
        client_first_name: Some(client.first_name().to_string()),
        client_name: Some(client.name.clone()),
        client_contact: Some(client_contact),
        partner_name: Some(partner.name.clone()),
        partner_contact: Some(partner_contact),
        context: Some(
            client
                .current_context(today)
                .unwrap_or("nothing noted beyond their message")
                .to_string(),
        ),
        request_summary: Some(request.summary()),
        ..coach_values(config)
    };
    let render = |name: &str| {
        templates
            .render(name, &values)
            .map_err(|e| BadInput(e.to_string()))
    };
    Ok(Plan {
        note_to_client: render("handoff_client")?,
        brief_to_partner: render("partner_brief")?,
        request,
        client,
        partner,
    })
}

/// The client's own words the note and brief quote (their message, what is
/// at stake for them): theirs, so the guardrails leave them out.
pub fn quoted(plan: &Plan, today: chrono::NaiveDate) -> Vec<String> {
    let mut out = vec![plan.request.summary()];
    if let Some(context) = plan.client.current_context(today) {
        out.push(context.to_string());
    }
    out
}

pub fn apply(
    store: &mut Store,
    config: &Config,
    plan: &Plan,
    now: DateTime<Utc>,
) -> Result<Applied> {
    let coach = coach_mailbox(config);
    let summary = format!(
        "hand request #{} of {} to {}",
        plan.request.id, plan.client.name, plan.partner.name
    );
    store.change("handoff", &summary, now, |tx| {
        let note_reply = tx.add_reply(&NewReply {
            client_id: Some(plan.client.id),
            partner_id: None,
            request_id: Some(plan.request.id),
            session_id: None,
            kind: ReplyKind::HandOff,
            sent_at: now,
            to_addr: plan.client.emails.first().cloned(),
            subject: Some(plan.note_to_client.subject.clone()),
            body: plan.note_to_client.body.clone(),
            message_id: Some(new_message_id(&coach.address, now)),
            delivery: DeliveryState::Failed,
        })?;
        let brief_reply = tx.add_reply(&NewReply {
            client_id: Some(plan.client.id),
            partner_id: Some(plan.partner.id),
            request_id: None,
            session_id: None,
            kind: ReplyKind::PartnerBrief,
            sent_at: now,
            to_addr: plan.partner.email.clone(),
            subject: Some(plan.brief_to_partner.subject.clone()),
            body: plan.brief_to_partner.body.clone(),
            message_id: Some(new_message_id(
                &coach.address,
                now + chrono::Duration::seconds(1),
            )),
            delivery: DeliveryState::Failed,
        })?;
        Ok(Applied {
            change_id: tx.change_id,
            note_reply,
            brief_reply,
        })
    })
}
