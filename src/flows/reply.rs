//! Answering a request: the reply, and the promise follow-up when the coach
//! promised a concrete time, recorded as one change. Delivery follows (see
//! `outgoing::deliver_reply`); until it succeeds the reply shows as not
//! delivered, so nothing is lost.

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::compose::new_message_id;
use crate::config::Config;
use crate::model::{Client, DeliveryState, FollowUpKind, Owner, ReplyKind, Request};
use crate::outgoing::coach_mailbox;
use crate::store::{NewFollowUp, NewReply, Store};

/// What the coach wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub subject: Option<String>,
    pub body: String,
    pub kind: ReplyKind,
    /// A time promised to come back by: it becomes a follow-up.
    pub promise: Option<DateTime<Utc>>,
    /// `false` when the coach answered by phone or in person: recorded only.
    pub send: bool,
}

/// The change that recorded the reply, and the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    pub change_id: i64,
    pub reply_id: i64,
}

/// The template a reply was written from says what kind of reply it is.
pub fn kind_for_template(template: &str) -> ReplyKind {
    match template {
        "acknowledgement" => ReplyKind::Acknowledgement,
        "options" => ReplyKind::Options,
        _ => ReplyKind::Reply,
    }
}

pub fn record(
    store: &mut Store,
    config: &Config,
    request: &Request,
    client: Option<&Client>,
    answer: &Answer,
    now: DateTime<Utc>,
) -> Result<Recorded> {
    let to_addr = if answer.send {
        client
            .and_then(|c| c.emails.first().cloned())
            .or(request.unknown_sender.clone())
    } else {
        None
    };
    let reply = NewReply {
        client_id: request.client_id,
        partner_id: None,
        request_id: Some(request.id),
        session_id: None,
        kind: answer.kind,
        sent_at: now,
        to_addr,
        subject: answer.subject.clone(),
        body: answer.body.clone(),
        message_id: Some(new_message_id(&coach_mailbox(config).address, now)),
        delivery: if answer.send {
            DeliveryState::Failed
        } else {
            DeliveryState::Recorded
        },
    };
    store.change(
        "request reply",
        &format!("reply to request #{}", request.id),
        now,
        |tx| {
            let reply_id = tx.add_reply(&reply)?;
            if let (Some(due), Some(client_id)) = (answer.promise, request.client_id) {
                tx.add_followup(&NewFollowUp {
                    client_id,
                    request_id: Some(request.id),
                    due,
                    text: format!(
                        "Come back on: {}",
                        crate::review::words::fit(&request.summary(), 60)
                    ),
                    owner: Owner::Coach,
                    kind: FollowUpKind::Promise,
                    made_by_reply: Some(reply_id),
                    callback: false,
                })?;
            }
            Ok(Recorded {
                change_id: tx.change_id,
                reply_id,
            })
        },
    )
}
