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
    /// What is at stake for the client now (filled where the day is known).
    pub context: Option<String>,
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
    /// The confirmation to the client in crisis (template `crisis_booked`,
    /// their time zone), when they have an email address.
    pub crisis_confirmation: Option<Rendered>,
}

/// What one confirmed emergency changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub change_id: i64,
    pub apology_reply: i64,
    pub crisis_session: Option<i64>,
    /// The confirmation to the client in crisis, to deliver.
    pub crisis_confirmation: Option<i64>,
    /// No address for the client in crisis: the follow-up to call them back.
    pub callback_followup: Option<i64>,
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
        context: None,
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
        false,
    )?;
    let guardrails = flags_of(&apology);
    let crisis_confirmation = match &crisis {
        Some(crisis) if !crisis.client.emails.is_empty() => Some(render_crisis_booked(
            templates,
            config,
            &crisis.client,
            candidate.session.start,
        )?),
        _ => None,
    };
    Ok(Plan {
        candidate,
        client,
        crisis,
        slots,
        template: template.to_string(),
        apology,
        guardrails,
        hold_first_slot: false,
        crisis_confirmation,
    })
}

/// The guardrails' flags on a rendered text, subject and body alike.
pub fn flags_of(text: &Rendered) -> Vec<Guardrail> {
    let mut flags = check_reply(&text.subject);
    flags.extend(check_reply(&text.body));
    flags
}

/// The plan with its first slot held for the client: the apology says that
/// time is kept for them and offers the others as alternatives.
pub fn with_held_slot(config: &Config, templates: &Templates, mut plan: Plan) -> Result<Plan> {
    plan.hold_first_slot = true;
    plan.apology = render_apology(
        templates,
        config,
        &plan.template,
        &plan.candidate.session,
        &plan.client,
        &plan.slots,
        true,
    )?;
    plan.guardrails = flags_of(&plan.apology);
    Ok(plan)
}

/// "We will speak on TIME": the confirmation for the client in crisis.
pub fn render_crisis_booked(
    templates: &Templates,
    config: &Config,
    client: &Client,
    at: DateTime<Utc>,
) -> Result<Rendered, BadInput> {
    let values = crate::compose::TemplateValues {
        client_first_name: Some(client.first_name().to_string()),
        client_name: Some(client.name.clone()),
        session_time: Some(client_time_text(at, client.tz)),
        ..coach_values(config)
    };
    templates
        .render("crisis_booked", &values)
        .map_err(|e| BadInput(e.to_string()))
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
    hold_first: bool,
) -> Result<Rendered, BadInput> {
    // A held first slot is named as held; the others stay on offer.
    let (held, offered) = match slots.split_first() {
        Some((first, rest)) if hold_first => (Some(*first), rest),
        _ => (None, slots),
    };
    let mut values = crate::compose::TemplateValues {
        client_first_name: Some(client.first_name().to_string()),
        client_name: Some(client.name.clone()),
        old_time: Some(client_time_text(session.start, client.tz)),
        options: offered
            .iter()
            .map(|s| client_time_text(*s, client.tz))
            .collect(),
        ..coach_values(config)
    };
    if let Some(held) = held {
        values
            .extra
            .insert("held_time".into(), client_time_text(held, client.tz));
    }
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
        tx.move_session(
            session.id,
            to,
            MovedBy::Coach,
            Some(crate::store::EMERGENCY_REASON),
        )?;
        let mut confirmation = None;
        let mut callback = None;
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
                let request_id = crisis.request.as_ref().map(|r| r.id);
                // The client in crisis always hears back: a confirmation
                // with the invitation (its delivery is their first reply),
                // or, with no address, a call-back the coach marks done.
                match (&plan.crisis_confirmation, crisis.client.emails.first()) {
                    (Some(text), Some(address)) => {
                        confirmation = Some(tx.add_reply(&NewReply {
                            client_id: Some(crisis.client.id),
                            partner_id: None,
                            request_id,
                            session_id: ids.first().copied(),
                            kind: ReplyKind::Reply,
                            sent_at: now,
                            to_addr: Some(address.clone()),
                            subject: Some(text.subject.clone()),
                            body: text.body.clone(),
                            message_id: Some(new_message_id(
                                &coach.address,
                                now + Duration::seconds(1),
                            )),
                            delivery: DeliveryState::Failed,
                        })?);
                    }
                    _ => {
                        callback = Some(tx.add_followup(&crate::store::NewFollowUp {
                            client_id: crisis.client.id,
                            request_id,
                            due: session.start,
                            text: format!(
                                "Call {} back at {} (crisis call booked)",
                                crisis.client.name,
                                crate::domain::when::show_local(session.start, config.tz)
                            ),
                            owner: crate::model::Owner::Coach,
                            kind: crate::model::FollowUpKind::Promise,
                            made_by_reply: None,
                            callback: true,
                        })?);
                    }
                }
                ids.first().copied()
            }
            None => None,
        };
        Ok(Applied {
            change_id: tx.change_id,
            apology_reply,
            crisis_session,
            crisis_confirmation: confirmation,
            callback_followup: callback,
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
