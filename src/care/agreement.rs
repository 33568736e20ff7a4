//! The coaching agreement's steps, in order: sent, signed (returned by the
//! client), countersigned. A step out of order is refused in one line and
//! the book is left as it was; signing closes the open chase.

use anyhow::Result;
use chrono::{DateTime, Duration, Utc};

use crate::error::BadInput;
use crate::model::{Agreement, AgreementStatus, Client, FollowUpKind};
use crate::store::{PartnerQueries, Tx};

/// How far ahead of the clock `--at` may be (a clock a little fast).
const FUTURE_SLACK_MINUTES: i64 = 1;

/// The steps the coach records; drafting is implied by sending.
pub fn parse_step(text: &str) -> Result<AgreementStatus, BadInput> {
    match AgreementStatus::parse(text) {
        Ok(
            step @ (AgreementStatus::Sent
            | AgreementStatus::Signed
            | AgreementStatus::Countersigned),
        ) => Ok(step),
        _ => Err(BadInput(format!(
            "unknown agreement step '{text}' (expected one of: sent, signed, countersigned)"
        ))),
    }
}

/// Why `step` cannot follow `current` (at `at`), if it cannot.
pub fn refusal(
    client: &Client,
    current: Option<&Agreement>,
    step: AgreementStatus,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<String> {
    let name = &client.name;
    if at > now + Duration::minutes(FUTURE_SLACK_MINUTES) {
        return Some(format!(
            "--at is in the future; record the agreement {step} when it happened"
        ));
    }
    let status = current.map(|a| a.status);
    let order = match (step, status) {
        (AgreementStatus::Sent, None | Some(AgreementStatus::Drafted)) => None,
        (AgreementStatus::Sent, Some(done)) => {
            Some(format!("the agreement with {name} is {done} already"))
        }
        (AgreementStatus::Signed, Some(AgreementStatus::Sent)) => None,
        (AgreementStatus::Signed, None | Some(AgreementStatus::Drafted)) => Some(format!(
            "the agreement with {name} has not been sent; record 'agreement sent' first"
        )),
        (AgreementStatus::Signed, Some(done)) => {
            Some(format!("the agreement with {name} is {done} already"))
        }
        (AgreementStatus::Countersigned, Some(AgreementStatus::Signed)) => None,
        (AgreementStatus::Countersigned, Some(AgreementStatus::Countersigned)) => Some(format!(
            "the agreement with {name} is countersigned already"
        )),
        (AgreementStatus::Countersigned, _) => Some(format!(
            "the agreement with {name} is not signed by them yet; record 'agreement signed' first"
        )),
        (AgreementStatus::Drafted, _) => Some("an agreement is drafted by sending it".to_string()),
    };
    if order.is_some() {
        return order;
    }
    let previous = current.and_then(|a| match step {
        AgreementStatus::Signed => a.sent_at,
        AgreementStatus::Countersigned => a.signed_at,
        _ => None,
    });
    match previous {
        Some(before) if at < before => Some(format!(
            "--at is before the agreement with {name} reached its previous step ({})",
            before.format("%Y-%m-%d %H:%M UTC")
        )),
        _ => None,
    }
}

/// Record `step` at `at` inside a change: refused (the whole change rolls
/// back) when out of order. Signing closes the chase follow-ups.
pub fn record(
    tx: &Tx,
    client: &Client,
    step: AgreementStatus,
    at: DateTime<Utc>,
) -> Result<Agreement> {
    let current = tx.agreement(client.id)?;
    if let Some(reason) = refusal(client, current.as_ref(), step, at, tx.now) {
        return Err(BadInput(reason).into());
    }
    tx.set_agreement(client.id, step, at)?;
    if step == AgreementStatus::Signed {
        tx.close_followups(client.id, FollowUpKind::Agreement)?;
    }
    tx.agreement(client.id)?
        .ok_or_else(|| anyhow::anyhow!("the agreement with {} was not recorded", client.name))
}
