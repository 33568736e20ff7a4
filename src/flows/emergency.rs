//! Emergency reschedule: free an upcoming session for a crisis, offer the
//! moved client 2-3 concrete times with a gracious apology in their own time
//! zone, and (from a crisis) book the crisis call into the freed slot.

use anyhow::Result;
use chrono::{DateTime, Duration, Utc};

use crate::compose::{
    Guardrail, Rendered, Templates, check_reply, client_time_text, new_message_id,
};
use crate::config::Config;
use crate::dashboard::MOVES_LOOKBACK_DAYS;
use crate::domain::slots::{SlotSearch, free_slots};
use crate::error::BadInput;
use crate::model::{Client, DeliveryState, MovedBy, ReplyKind, Request, Session, SessionStatus};
use crate::outgoing::{coach_mailbox, coach_values};
use crate::store::{
    ClientQueries, NewReply, NewSession, Queries, RequestQueries, SessionQueries, Store,
};

/// The default apology template.
pub const APOLOGY_TEMPLATE: &str = "emergency_apology";
/// How far ahead a session can be picked to free.
pub const CANDIDATE_DAYS: i64 = 7;

/// A session the coach could free, with what to weigh before moving it.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub session: Session,
    /// How often the coach already moved this client in the last 90 days.
    pub coach_moves: i64,
    /// Whether it is the client's first session (moving it costs more trust).
    pub first_session: bool,
}

/// Who the freed hour is for.
#[derive(Debug, Clone, PartialEq)]
pub struct Crisis {
    pub client: Client,
    /// The request the crisis call answers, when there is one.
    pub request: Option<Request>,
}

/// Everything the coach sees before confirming.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub candidate: Candidate,
    pub client: Client,
    pub crisis: Option<Crisis>,
    /// Times offered to the moved client, soonest first.
    pub slots: Vec<DateTime<Utc>>,
    pub template: String,
    pub apology: Rendered,
    pub guardrails: Vec<Guardrail>,
    /// Keep the first offered time booked for the client until they answer.
    pub hold_first_slot: bool,
}

/// What one confirmed emergency changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub change_id: i64,
    pub apology_reply: i64,
    pub crisis_session: Option<i64>,
}

/// Upcoming booked sessions the coach could free, soonest first.
pub fn candidates(store: &impl Queries, now: DateTime<Utc>) -> Result<Vec<Candidate>> {
    let since = now - Duration::days(MOVES_LOOKBACK_DAYS);
    let mut out = Vec::new();
    for session in store.sessions_between(now, now + Duration::days(CANDIDATE_DAYS))? {
        if session.status != SessionStatus::Booked {
            continue;
        }
        out.push(candidate_for(store, session, since)?);
    }
    Ok(out)
}

fn candidate_for(
    store: &impl Queries,
    session: Session,
    since: DateTime<Utc>,
) -> Result<Candidate> {
    Ok(Candidate {
        coach_moves: store.coach_moves_since(session.client_id, since)?,
        first_session: !store.has_session_before(session.client_id, session.start)?,
        session,
    })
}

/// The plan for freeing `session_id`; refuses a session that cannot move.
#[allow(clippy::too_many_arguments)]
pub fn plan(
    store: &impl Queries,
    config: &Config,
    templates: &Templates,
    now: DateTime<Utc>,
    session_id: i64,
    crisis: Option<Crisis>,
    options: usize,
    template: &str,
) -> Result<Plan> {
    let session = store.session(session_id)?;
    if session.start <= now {
        return Err(BadInput(format!(
            "session #{session_id} with {} began at {}; only an upcoming session can be freed",
            session.client_name,
            crate::domain::when::show_local(session.start, config.tz)
        ))
        .into());
    }
    if session.status != SessionStatus::Booked {
        return Err(BadInput(format!(
            "session #{session_id} is {}; only a booked session can be freed",
            session.status
        ))
        .into());
    }
    if !(1..=5).contains(&options) {
        return Err(BadInput(format!("--options must be 1 to 5, not {options}")).into());
    }
    if let Some(crisis) = &crisis
        && crisis.client.id == session.client_id
    {
        return Err(BadInput(format!(
            "session #{session_id} is {}'s own; pick another client's session to free",
            crisis.client.name
        ))
        .into());
    }
    let client = store.client(session.client_id)?;
    let since = now - Duration::days(MOVES_LOOKBACK_DAYS);
    let candidate = candidate_for(store, session, since)?;
    let slots = offer_slots(store, config, &candidate.session, &client, now, options)?;
    let apology = render_apology(
        templates,
        config,
        template,
        &candidate.session,
        &client,
        &slots,
    )?;
    let guardrails = check_reply(&apology.body);
    Ok(Plan {
        candidate,
        client,
        crisis,
        slots,
        template: template.to_string(),
        apology,
        guardrails,
        hold_first_slot: false,
    })
}

/// Free times for the moved client: working hours, 7 days, no clash (the
/// freed slot stays taken: the crisis call goes there), humane for them.
pub fn offer_slots(
    store: &impl Queries,
    config: &Config,
    session: &Session,
    client: &Client,
    now: DateTime<Utc>,
    count: usize,
) -> Result<Vec<DateTime<Utc>>> {
    let search = SlotSearch {
        count,
        ..SlotSearch::new(session.minutes, now, client.tz)
    };
    let horizon = now + Duration::days(search.within_days + 1);
    let busy = store.busy_between(now, horizon)?;
    let slots = free_slots(&search, &busy, &config.hours, config.tz);
    if slots.is_empty() {
        return Err(BadInput(format!(
            "no free slot within {} days fits a {}-minute session for {} (working hours, no clashes, 08:00-20:00 their time)",
            search.within_days, session.minutes, client.name
        ))
        .into());
    }
    Ok(slots)
}

/// The apology in the client's time zone; a missing value is refused by name.
pub fn render_apology(
    templates: &Templates,
    config: &Config,
    template: &str,
    session: &Session,
    client: &Client,
    slots: &[DateTime<Utc>],
) -> Result<Rendered, BadInput> {
    let values = crate::compose::TemplateValues {
        client_first_name: Some(client.first_name().to_string()),
        client_name: Some(client.name.clone()),
        old_time: Some(client_time_text(session.start, client.tz)),
        options: slots
            .iter()
            .map(|s| client_time_text(*s, client.tz))
            .collect(),
        ..coach_values(config)
    };
    templates
        .render(template, &values)
        .map_err(|e| BadInput(e.to_string()))
}

/// Apply the plan, with the coach's final text, as one change of the book.
pub fn apply(
    store: &mut Store,
    config: &Config,
    plan: &Plan,
    body: &str,
    now: DateTime<Utc>,
) -> Result<Applied> {
    if body.trim().is_empty() {
        return Err(BadInput("the apology is empty; write something before sending".into()).into());
    }
    let session = &plan.candidate.session;
    let summary = format!(
        "emergency: free {}'s session {}",
        plan.client.name,
        crate::domain::when::show_local(session.start, config.tz)
    );
    let coach = coach_mailbox(config);
    store.change("emergency", &summary, now, |tx| {
        let to = if plan.hold_first_slot {
            plan.slots.first().copied()
        } else {
            None
        };
        tx.move_session(session.id, to, MovedBy::Coach, Some("coach emergency"))?;
        let apology_reply = tx.add_reply(&NewReply {
            client_id: Some(plan.client.id),
            partner_id: None,
            request_id: None,
            session_id: Some(session.id),
            kind: ReplyKind::Apology,
            sent_at: now,
            to_addr: plan.client.emails.first().cloned(),
            subject: Some(plan.apology.subject.clone()),
            body: body.to_string(),
            message_id: Some(new_message_id(&coach.address, now)),
            delivery: DeliveryState::Failed,
        })?;
        let crisis_session = match &plan.crisis {
            Some(crisis) => {
                let ids = tx.add_sessions(
                    &NewSession {
                        client_id: crisis.client.id,
                        start: session.start,
                        minutes: session.minutes,
                        place: session.place.clone(),
                        request_id: crisis.request.as_ref().map(|r| r.id),
                    },
                    None,
                )?;
                if let Some(request) = &crisis.request {
                    // Booking the call is the first answer to the crisis.
                    tx.add_reply(&NewReply {
                        client_id: Some(crisis.client.id),
                        partner_id: None,
                        request_id: Some(request.id),
                        session_id: ids.first().copied(),
                        kind: ReplyKind::Reply,
                        sent_at: now,
                        to_addr: None,
                        subject: None,
                        body: format!(
                            "Crisis call booked for {}",
                            client_time_text(session.start, crisis.client.tz)
                        ),
                        message_id: None,
                        delivery: DeliveryState::Recorded,
                    })?;
                }
                ids.first().copied()
            }
            None => None,
        };
        Ok(Applied {
            change_id: tx.change_id,
            apology_reply,
            crisis_session,
        })
    })
}

/// The crisis a client is in: their most urgent open request, if any.
pub fn crisis_for(store: &impl Queries, client: Client, now: DateTime<Utc>) -> Result<Crisis> {
    let request = store
        .requests_awaiting_reply(now)?
        .into_iter()
        .filter(|r| r.client_id == Some(client.id))
        .min_by_key(|r| (r.urgency, r.received_at));
    Ok(Crisis { client, request })
}
