//! Clients at risk of feeling like a commodity: spotted early, with the
//! reasons, so the coach can reach out before a bad experience is shared.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Duration, Utc};

use super::Verdict;
use super::compute::judge;
use crate::model::{ClientId, ClientStatus, Request};

/// No contact for this many days puts a client at risk.
pub const NO_CONTACT_DAYS: i64 = 21;
/// Nothing booked this many days ahead puts a client at risk.
pub const BOOKED_AHEAD_DAYS: i64 = 14;
/// Moved by the coach this often ...
pub const COACH_MOVES_AT_RISK: i64 = 2;
/// ... within this many days.
pub const COACH_MOVES_DAYS: i64 = 90;
/// A reply-by missed within this many days.
pub const MISSED_REPLY_DAYS: i64 = 30;
/// A no-show within this many days.
pub const NO_SHOW_DAYS: i64 = 90;

/// What the rules need to know about one client, as of now.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientFacts {
    pub client_id: ClientId,
    pub name: String,
    pub status: ClientStatus,
    pub now: DateTime<Utc>,
    /// The last request, reply or held session, if any.
    pub last_contact: Option<DateTime<Utc>>,
    /// Booked sessions in the next [`BOOKED_AHEAD_DAYS`] days.
    pub booked_ahead: usize,
    /// Sessions the coach moved in the last [`COACH_MOVES_DAYS`] days.
    pub coach_moves: i64,
    /// Reply-bys that fell in the last [`MISSED_REPLY_DAYS`] days and were missed.
    pub missed_reply_bys: usize,
    /// The client's own action items past their due day, not done.
    pub overdue_client_actions: usize,
    /// The latest agreement went out (or was drafted) and is not signed.
    pub agreement_unsigned: bool,
    /// Sessions in the last [`NO_SHOW_DAYS`] days the client did not come to.
    pub no_shows: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RiskReason {
    /// `None`: no contact on record at all.
    NoContact {
        days: Option<i64>,
    },
    NothingBooked,
    MovedByCoach {
        times: i64,
    },
    MissedReplyBy {
        times: usize,
    },
    OverdueActions {
        count: usize,
    },
    AgreementUnsigned,
    NoShow {
        times: usize,
    },
}

impl fmt::Display for RiskReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RiskReason::NoContact { days: Some(days) } => write!(f, "no contact for {days} days"),
            RiskReason::NoContact { days: None } => f.write_str("no contact on record"),
            RiskReason::NothingBooked => {
                write!(f, "nothing booked in the next {BOOKED_AHEAD_DAYS} days")
            }
            RiskReason::MovedByCoach { times } => {
                write!(f, "moved by the coach {times}x in {COACH_MOVES_DAYS} days")
            }
            RiskReason::MissedReplyBy { times: 1 } => {
                write!(f, "a missed reply-by in the last {MISSED_REPLY_DAYS} days")
            }
            RiskReason::MissedReplyBy { times } => {
                write!(
                    f,
                    "{times} missed reply-bys in the last {MISSED_REPLY_DAYS} days"
                )
            }
            RiskReason::OverdueActions { count: 1 } => f.write_str("an overdue action item"),
            RiskReason::OverdueActions { count } => write!(f, "{count} overdue action items"),
            RiskReason::AgreementUnsigned => f.write_str("agreement not signed"),
            RiskReason::NoShow { times: 1 } => {
                write!(f, "a no-show in the last {NO_SHOW_DAYS} days")
            }
            RiskReason::NoShow { times } => {
                write!(f, "{times} no-shows in the last {NO_SHOW_DAYS} days")
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtRisk {
    pub client_id: ClientId,
    pub client: String,
    pub reasons: Vec<RiskReason>,
}

/// The reasons one client is at risk (empty: not at risk). Only active
/// clients are judged: a paused or ended client is expected to be quiet.
pub fn risk_reasons(facts: &ClientFacts) -> Vec<RiskReason> {
    if facts.status != ClientStatus::Active {
        return Vec::new();
    }
    let mut reasons = Vec::new();
    match facts.last_contact {
        None => reasons.push(RiskReason::NoContact { days: None }),
        Some(at) if facts.now - at >= Duration::days(NO_CONTACT_DAYS) => {
            reasons.push(RiskReason::NoContact {
                days: Some((facts.now - at).num_days()),
            });
        }
        Some(_) => {}
    }
    if facts.booked_ahead == 0 {
        reasons.push(RiskReason::NothingBooked);
    }
    if facts.coach_moves >= COACH_MOVES_AT_RISK {
        reasons.push(RiskReason::MovedByCoach {
            times: facts.coach_moves,
        });
    }
    if facts.missed_reply_bys > 0 {
        reasons.push(RiskReason::MissedReplyBy {
            times: facts.missed_reply_bys,
        });
    }
    if facts.overdue_client_actions > 0 {
        reasons.push(RiskReason::OverdueActions {
            count: facts.overdue_client_actions,
        });
    }
    if facts.agreement_unsigned {
        reasons.push(RiskReason::AgreementUnsigned);
    }
    if facts.no_shows > 0 {
        reasons.push(RiskReason::NoShow {
            times: facts.no_shows,
        });
    }
    reasons
}

impl RiskReason {
    /// A word or two for a narrow pane: "silent 24d", "unsigned".
    pub fn short(&self) -> String {
        match self {
            RiskReason::NoContact { days: Some(days) } => format!("silent {days}d"),
            RiskReason::NoContact { days: None } => "no contact".into(),
            RiskReason::NothingBooked => "nothing booked".into(),
            RiskReason::MovedByCoach { times } => format!("moved {times}x"),
            RiskReason::MissedReplyBy { times } => format!("{times} late repl."),
            RiskReason::OverdueActions { count } => format!("{count} overdue item(s)"),
            RiskReason::AgreementUnsigned => "unsigned".into(),
            RiskReason::NoShow { times } => format!("{times} no-show(s)"),
        }
    }
}

/// Clients with at least one reason, most reasons first, then by name.
pub fn at_risk_clients(clients: &[ClientFacts]) -> Vec<AtRisk> {
    let mut at_risk: Vec<AtRisk> = clients
        .iter()
        .filter_map(|facts| {
            let reasons = risk_reasons(facts);
            (!reasons.is_empty()).then(|| AtRisk {
                client_id: facts.client_id,
                client: facts.name.clone(),
                reasons,
            })
        })
        .collect();
    at_risk.sort_by(|a, b| {
        b.reasons
            .len()
            .cmp(&a.reasons.len())
            .then_with(|| a.client.to_lowercase().cmp(&b.client.to_lowercase()))
    });
    at_risk
}

/// Per client, the reply-bys in `[now - MISSED_REPLY_DAYS, now]` that were missed.
pub fn missed_reply_bys(requests: &[Request], now: DateTime<Utc>) -> BTreeMap<ClientId, usize> {
    let since = now - Duration::days(MISSED_REPLY_DAYS);
    let mut missed = BTreeMap::new();
    for request in requests {
        if let Some(client_id) = request.client_id
            && (since..=now).contains(&request.reply_by)
            && judge(request, now) == Verdict::Missed
        {
            *missed.entry(client_id).or_insert(0) += 1;
        }
    }
    missed
}
