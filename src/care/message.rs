//! A message from the care flows to a client: rendered from a template in
//! the client's zone, checked by the guardrails, recorded as a reply that
//! waits for delivery (the same path as every reply).

use chrono::{DateTime, Utc};

use crate::compose::{Rendered, check_reply, new_message_id};
use crate::config::Config;
use crate::error::BadInput;
use crate::model::{Client, DeliveryState, ReplyKind};
use crate::outgoing::coach_mailbox;
use crate::store::NewReply;

/// Refuse a flagged text unless the coach said `--force`: one line naming
/// the phrase, as `request reply` does.
/// The same check as every other outgoing text (subject and body alike).
pub fn guard(text: &Rendered, force: bool) -> Result<(), BadInput> {
    crate::outgoing::guard_outgoing("the message", &text.subject, &text.body, force).map(|_| ())
}

/// The guardrails' warnings on a text, for a preview.
pub fn warnings(body: &str) -> Vec<String> {
    check_reply(body)
        .iter()
        .map(|flag| flag.message())
        .collect()
}

/// The reply that records a care message to `client`, waiting for delivery
/// (or recorded only, when the client has no mail address to send to).
pub fn reply_to(
    config: &Config,
    client: &Client,
    kind: ReplyKind,
    session_id: Option<i64>,
    text: &Rendered,
    now: DateTime<Utc>,
) -> NewReply {
    NewReply {
        client_id: Some(client.id),
        partner_id: None,
        request_id: None,
        session_id,
        kind,
        sent_at: now,
        to_addr: client.emails.first().cloned(),
        subject: Some(text.subject.clone()),
        body: text.body.clone(),
        message_id: Some(new_message_id(&coach_mailbox(config).address, now)),
        delivery: DeliveryState::Failed,
    }
}

/// `Friday 27 November`: a due day as the client reads it, in their zone.
pub fn client_day(at: DateTime<Utc>, client: &Client) -> String {
    at.with_timezone(&client.tz).format("%A %-d %B").to_string()
}

/// Text from the book made safe for one terminal line: control characters
/// become spaces, runs of white space one space.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flagged_text_is_refused_naming_the_phrase_unless_forced() {
        let text = Rendered {
            subject: "Hi".into(),
            body: "Please have patience.\n".into(),
        };
        let err = guard(&text, false).expect_err("flagged");
        assert!(err.0.contains("patience"), "{}", err.0);
        assert!(err.0.contains("--force"), "{}", err.0);
        assert!(guard(&text, true).is_ok());
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        assert_eq!(one_line("a\u{1b}[31mb\nc"), "a [31mb c");
    }
}
