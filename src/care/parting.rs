//! Parting ways: the final note from the `parting` template (reviewed with
//! the guardrails, delivered like every reply), the reason, a refund and a
//! referral to a partner recorded with the client, future sessions
//! cancelled, all in one change. The client leaves the panes and the
//! generators; their history stays, and `client reactivate` brings them back.

use anyhow::Result;
use chrono::{DateTime, Duration, Utc};

use super::message::reply_to;
use crate::compose::{Rendered, TemplateValues, Templates};
use crate::config::Config;
use crate::error::BadInput;
use crate::model::{Client, ClientStatus, Parting, Partner, ReplyKind, SessionStatus};
use crate::outgoing::coach_values;
use crate::store::{SessionQueries, Store};

/// Longest reason kept.
pub const MAX_REASON_CHARS: usize = 500;
/// How far ahead booked sessions are cancelled at a parting.
const CANCEL_AHEAD_DAYS: i64 = 3 * 366;

/// `120`, `120.5`, `120.50` → cents; anything else is refused.
pub fn parse_amount(text: &str) -> Result<i64, BadInput> {
    let bad = || {
        BadInput(format!(
            "--refund '{text}' is not an amount (write it like 120 or 120.50)"
        ))
    };
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || whole.len() > 9 {
        return Err(bad());
    }
    if fraction.len() > 2 || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let cents: i64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().map_err(|_| bad())? * 10,
        _ => fraction.parse().map_err(|_| bad())?,
    };
    whole
        .checked_mul(100)
        .and_then(|c| c.checked_add(cents))
        .ok_or_else(bad)
}

/// What the dashboard's parting form says: `Reason:`, `Refund:` and
/// `Referral:` lines (lines starting `#` are help).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Form {
    pub reason: String,
    pub refund: Option<String>,
    pub referral: Option<String>,
}

pub fn form_template(partners: &[String]) -> String {
    let known = if partners.is_empty() {
        "no partners yet (coachbook partner add NAME --email E)".to_string()
    } else {
        partners.join(", ")
    };
    format!(
        "Reason: \nRefund: \nReferral: \n# Refund: an amount like 120.50, or empty\n# Referral: a partner ({known}), or empty\n"
    )
}

pub fn parse_form(text: &str) -> Form {
    let mut form = Form::default();
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') {
            continue;
        }
        let Some((label, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        let value = (!value.is_empty()).then(|| value.to_string());
        match label.trim().to_lowercase().as_str() {
            "reason" => form.reason = value.unwrap_or_default(),
            "refund" => form.refund = value,
            "referral" => form.referral = value,
            _ => {}
        }
    }
    form
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub client: Client,
    pub reason: String,
    pub refund_cents: Option<i64>,
    pub partner: Option<Partner>,
}

/// Check what the coach gave: an active or paused client, a reason.
pub fn plan(
    client: Client,
    reason: &str,
    refund_cents: Option<i64>,
    partner: Option<Partner>,
) -> Result<Plan, BadInput> {
    if client.status == ClientStatus::Ended {
        return Err(BadInput(format!(
            "{} has ended already; 'client reactivate' first to work with them again",
            client.name
        )));
    }
    let reason = super::message::one_line(reason);
    if reason.is_empty() {
        return Err(BadInput("--reason is needed: why you part ways".into()));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(BadInput(format!(
            "--reason is longer than {MAX_REASON_CHARS} characters"
        )));
    }
    Ok(Plan {
        client,
        reason,
        refund_cents,
        partner,
    })
}

/// The final note, in the client's words.
pub fn render_note(
    config: &Config,
    templates: &Templates,
    plan: &Plan,
) -> Result<Rendered, BadInput> {
    let mut extra = std::collections::BTreeMap::new();
    if let Some(cents) = plan.refund_cents.filter(|c| *c > 0) {
        extra.insert("refund".to_string(), crate::review::amount(cents));
    }
    let values = TemplateValues {
        client_first_name: Some(plan.client.first_name().to_string()),
        client_name: Some(plan.client.name.clone()),
        partner_name: plan.partner.as_ref().map(|p| p.name.clone()),
        partner_contact: plan
            .partner
            .as_ref()
            .and_then(|p| p.email.clone().or(p.phone.clone())),
        extra,
        ..coach_values(config)
    };
    templates
        .render("parting", &values)
        .map_err(|e| BadInput(e.to_string()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ended {
    pub change_id: i64,
    pub note_reply: i64,
    pub cancelled_sessions: usize,
}

/// One change: the parting recorded, booked sessions to come cancelled,
/// the note recorded for delivery.
pub fn record(
    store: &mut Store,
    config: &Config,
    plan: &Plan,
    note: &Rendered,
    now: DateTime<Utc>,
) -> Result<Ended> {
    let summary = format!("part ways with {}", plan.client.name);
    store.change("client end", &summary, now, |tx| {
        tx.end_client(
            plan.client.id,
            &Parting {
                ended_at: now,
                reason: plan.reason.clone(),
                refund_cents: plan.refund_cents,
                referral_partner_id: plan.partner.as_ref().map(|p| p.id),
            },
        )?;
        let mut cancelled = 0;
        for session in tx.client_sessions_between(
            plan.client.id,
            now,
            now + Duration::days(CANCEL_AHEAD_DAYS),
        )? {
            if session.status == SessionStatus::Booked {
                tx.set_session_status(session.id, SessionStatus::Cancelled)?;
                cancelled += 1;
            }
        }
        let note_reply = tx.add_reply(&reply_to(
            config,
            &plan.client,
            ReplyKind::Parting,
            None,
            note,
            now,
        ))?;
        Ok(Ended {
            change_id: tx.change_id,
            note_reply,
            cancelled_sessions: cancelled,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_its_three_lines_and_skips_help() {
        let text = form_template(&["Dana Cole".into()])
            .replace("Reason: ", "Reason: Needs more than coaching")
            .replace("Referral: \n", "Referral: Dana\n");
        let form = parse_form(&text);
        assert_eq!(form.reason, "Needs more than coaching");
        assert_eq!(form.refund, None);
        assert_eq!(form.referral.as_deref(), Some("Dana"));
    }

    #[test]
    fn amounts_are_read_exactly_and_bounded() {
        assert_eq!(parse_amount("120"), Ok(12_000));
        assert_eq!(parse_amount("120.5"), Ok(12_050));
        assert_eq!(parse_amount("0.05"), Ok(5));
        for bad in ["", "-5", "1.234", "abc", "1e5", "9999999999", ".5"] {
            assert!(parse_amount(bad).is_err(), "{bad}");
        }
    }
}
