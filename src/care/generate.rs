//! Follow-ups and reminders that appear by themselves: the agreement chase
//! (3 days after sending, then every 5 working days, one open at a time,
//! closed by signing), the check-in for a client drifting away (no contact
//! for 21 days, or nothing booked in the next 14; one at a time, and not
//! again within 21 days), and, with `[reminders] day_before = true`, a
//! reminder the day before each booked session (once per session and time,
//! so a moved session gets one for its new time only).
//!
//! Generation runs when the book is opened for the dashboard and the
//! commands that show the day, and at the dashboard's minute tick. What is
//! due is worked out twice: once to see if anything is (nothing due writes
//! nothing, not even a change-log row), and again inside the change, so two
//! processes at once never make anything twice.

use anyhow::Result;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use super::message::{reply_to, warnings};
use crate::compose::{Delivery, Rendered, TemplateValues, Templates, client_time_text};
use crate::config::Config;
use crate::domain::hours::WorkingHours;
use crate::domain::when::{first_instant_at_or_after, local_date, naive_local};
use crate::model::{Client, ClientStatus, FollowUpKind, Owner, ReplyKind, Session, SessionStatus};
use crate::outgoing::{coach_values, deliver_reply, templates};
use crate::review::{BOOKED_AHEAD_DAYS, NO_CONTACT_DAYS};
use crate::store::{
    ClientQueries, FollowUpQueries, NewFollowUp, PartnerQueries, Queries, RequestQueries,
    RiskFactQueries, SessionQueries, Store, Tx,
};

/// The first chase comes this many days after the agreement went out.
pub const CHASE_FIRST_DAYS: i64 = 3;
/// Then one every this many working days.
pub const CHASE_EVERY_WORKING_DAYS: u32 = 5;
/// A check-in is not made again within this many days of the last one.
pub const CHECK_IN_AGAIN_DAYS: i64 = NO_CONTACT_DAYS;

/// What one run made.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Generated {
    /// Clients whose agreement got a chase.
    pub chases: Vec<String>,
    /// Clients who got a check-in, with why.
    pub check_ins: Vec<String>,
    /// Reminders recorded: (reply id, client).
    pub reminders: Vec<(i64, String)>,
    /// How each reminder's delivery went.
    pub deliveries: Vec<Delivery>,
    /// What was due but not done, and why.
    pub skipped: Vec<String>,
}

impl Generated {
    pub fn is_empty(&self) -> bool {
        self.chases.is_empty() && self.check_ins.is_empty() && self.reminders.is_empty()
    }

    /// "1 agreement chase, 2 check-ins, 1 reminder".
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        let count = |n: usize, one: &str, many: &str| match n {
            1 => format!("1 {one}"),
            n => format!("{n} {many}"),
        };
        if !self.chases.is_empty() {
            parts.push(count(
                self.chases.len(),
                "agreement chase",
                "agreement chases",
            ));
        }
        if !self.check_ins.is_empty() {
            parts.push(count(self.check_ins.len(), "check-in", "check-ins"));
        }
        if !self.reminders.is_empty() {
            parts.push(count(self.reminders.len(), "reminder", "reminders"));
        }
        parts.join(", ")
    }
}

/// One thing that is due now.
#[derive(Debug, Clone, PartialEq)]
enum Due {
    Chase {
        client_id: i64,
        name: String,
        due: DateTime<Utc>,
        sent: DateTime<Utc>,
    },
    CheckIn {
        client_id: i64,
        name: String,
        due: DateTime<Utc>,
        why: String,
    },
    Reminder {
        session: Box<Session>,
        client: Box<Client>,
        text: Rendered,
    },
}

/// Nothing was due after all (another process made it first).
#[derive(Debug, thiserror::Error)]
#[error("nothing is due")]
struct NothingDue;

/// Make what is due now; deliver the reminders. Nothing due, nothing written.
pub fn generate(store: &mut Store, config: &Config, now: DateTime<Utc>) -> Result<Generated> {
    let templates = if config.reminders_day_before {
        Some(templates(config)?)
    } else {
        None
    };
    let (due, skipped) = plan(store, config, templates.as_ref(), now)?;
    let mut generated = Generated {
        skipped,
        ..Generated::default()
    };
    if due.is_empty() {
        return Ok(generated);
    }
    let summary = describe(&due);
    let made = store.change("care", &summary, now, |tx| {
        let (due, _) = plan(tx, config, templates.as_ref(), now)?;
        if due.is_empty() {
            return Err(NothingDue.into());
        }
        apply(tx, config, &due)
    });
    let made = match made {
        Ok(made) => made,
        Err(err) if err.is::<NothingDue>() => return Ok(generated),
        Err(err) => return Err(err),
    };
    generated.chases = made.chases;
    generated.check_ins = made.check_ins;
    generated.reminders = made.reminders;
    for (reply_id, client) in &generated.reminders {
        match deliver_reply(store, config, *reply_id, now) {
            Ok(delivery) => generated.deliveries.push(delivery),
            Err(err) => generated.skipped.push(format!(
                "reminder to {client} recorded but not delivered: {}",
                crate::error::one_line(&err)
            )),
        }
    }
    Ok(generated)
}

fn describe(due: &[Due]) -> String {
    let mut made = Generated::default();
    for item in due {
        match item {
            Due::Chase { name, .. } => made.chases.push(name.clone()),
            Due::CheckIn { name, .. } => made.check_ins.push(name.clone()),
            Due::Reminder { client, .. } => made.reminders.push((0, client.name.clone())),
        }
    }
    format!("generated {}", made.summary())
}

fn apply(tx: &Tx, config: &Config, due: &[Due]) -> Result<Generated> {
    let mut made = Generated::default();
    for item in due {
        match item {
            Due::Chase {
                client_id,
                name,
                due,
                sent,
            } => {
                tx.add_followup(&NewFollowUp {
                    client_id: *client_id,
                    request_id: None,
                    due: *due,
                    text: format!(
                        "Chase the agreement with {name} (sent {}, not signed yet)",
                        sent.format("%Y-%m-%d")
                    ),
                    owner: Owner::Coach,
                    kind: FollowUpKind::Agreement,
                    made_by_reply: None,
                    callback: false,
                })?;
                made.chases.push(name.clone());
            }
            Due::CheckIn {
                client_id,
                name,
                due,
                why,
            } => {
                tx.add_followup(&NewFollowUp {
                    client_id: *client_id,
                    request_id: None,
                    due: *due,
                    text: format!("Check in with {name}: {why}"),
                    owner: Owner::Coach,
                    kind: FollowUpKind::CheckIn,
                    made_by_reply: None,
                    callback: false,
                })?;
                made.check_ins.push(format!("{name} ({why})"));
            }
            Due::Reminder {
                session,
                client,
                text,
            } => {
                let reply = reply_to(
                    config,
                    client,
                    ReplyKind::Reminder,
                    Some(session.id),
                    text,
                    tx.now,
                );
                let reply_id = tx.add_reply(&reply)?;
                tx.set_reply_about_start(reply_id, session.start)?;
                made.reminders.push((reply_id, client.name.clone()));
            }
        }
    }
    Ok(made)
}

/// Everything due at `now`, and what was due but cannot be done.
fn plan(
    q: &impl Queries,
    config: &Config,
    templates: Option<&Templates>,
    now: DateTime<Utc>,
) -> Result<(Vec<Due>, Vec<String>)> {
    let mut due = Vec::new();
    let mut skipped = Vec::new();
    chases(q, config, now, &mut due)?;
    check_ins(q, config, now, &mut due)?;
    if let Some(templates) = templates {
        reminders(q, config, templates, now, &mut due, &mut skipped)?;
    }
    Ok((due, skipped))
}

fn chases(q: &impl Queries, config: &Config, now: DateTime<Utc>, due: &mut Vec<Due>) -> Result<()> {
    // Each with its client's name and status, read in the same query.
    for awaiting in q.agreements_awaiting_signature()? {
        let agreement = awaiting.agreement;
        let Some(sent) = agreement.sent_at else {
            continue;
        };
        let Some((name, status)) = awaiting.client else {
            return Err(anyhow::anyhow!(
                "no client has id {} (agreement {})",
                agreement.client_id,
                agreement.id
            ));
        };
        if status != ClientStatus::Active {
            continue;
        }
        if let Some(next) = next_chase(q, config, agreement.client_id, sent)?
            && next <= now
        {
            due.push(Due::Chase {
                client_id: agreement.client_id,
                name,
                due: next,
                sent,
            });
        }
    }
    Ok(())
}

/// When the next chase of an agreement sent at `sent` is due; `None` while
/// one is still open.
fn next_chase(
    q: &impl Queries,
    config: &Config,
    client_id: i64,
    sent: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>> {
    let marks: Vec<_> = q
        .followup_marks(client_id, FollowUpKind::Agreement)?
        .into_iter()
        .filter(|m| m.created_at >= sent || m.due >= sent)
        .collect();
    if marks.iter().any(|m| m.done_at.is_none()) {
        return Ok(None);
    }
    Ok(Some(
        match marks
            .iter()
            .map(|m| m.due.max(m.done_at.unwrap_or(m.due)))
            .max()
        {
            None => sent + Duration::days(CHASE_FIRST_DAYS),
            Some(last) => {
                add_working_days(last, CHASE_EVERY_WORKING_DAYS, &config.hours, config.tz)
            }
        },
    ))
}

/// The instant `days` working days after `from`, at the same local time.
pub fn add_working_days(
    from: DateTime<Utc>,
    days: u32,
    hours: &WorkingHours,
    tz: Tz,
) -> DateTime<Utc> {
    let local = naive_local(from, tz);
    let mut date = local.date();
    let mut counted = 0;
    // A config has at least one working day, so 8 days per step is plenty.
    for _ in 0..(u64::from(days) * 8 + 8) {
        if counted == days {
            break;
        }
        match date.succ_opt() {
            Some(next) => date = next,
            None => break,
        }
        if hours.works_on(date.weekday()) {
            counted += 1;
        }
    }
    first_instant_at_or_after(date.and_time(local.time()), tz)
}

fn check_ins(
    q: &impl Queries,
    config: &Config,
    now: DateTime<Utc>,
    due: &mut Vec<Due>,
) -> Result<()> {
    let recent = now - Duration::days(CHECK_IN_AGAIN_DAYS);
    let ahead = now + Duration::days(BOOKED_AHEAD_DAYS);
    // The book narrows the clients to those who may be due (usually none);
    // each of those is judged here with the whole rule.
    let drifting = q.clients_drifting(now, now - Duration::days(NO_CONTACT_DAYS), ahead, recent)?;
    for client_id in drifting {
        let client = q.client(client_id)?;
        if client.status != ClientStatus::Active {
            continue;
        }
        let booked = q
            .sessions_counted_by_client(&[client.id], SessionStatus::Booked, now, ahead)?
            .get(&client.id)
            .is_some_and(|n| *n > 0);
        let why = match q.last_contact(client.id, now)? {
            None => Some("no contact on record".to_string()),
            Some(at) if now - at >= Duration::days(NO_CONTACT_DAYS) => {
                Some(format!("no contact for {} days", (now - at).num_days()))
            }
            _ if !booked => Some(format!(
                "nothing booked in the next {BOOKED_AHEAD_DAYS} days"
            )),
            _ => None,
        };
        let Some(why) = why else {
            continue;
        };
        let marks = q.followup_marks(client.id, FollowUpKind::CheckIn)?;
        if marks
            .iter()
            .any(|m| m.done_at.is_none() || m.created_at > recent)
        {
            continue;
        }
        due.push(Due::CheckIn {
            client_id: client.id,
            name: client.name,
            due: end_of_working_day(config, now),
            why,
        });
    }
    Ok(())
}

/// Today's close of work if still ahead, else now: due today.
fn end_of_working_day(config: &Config, now: DateTime<Utc>) -> DateTime<Utc> {
    config
        .hours
        .window(local_date(now, config.tz), config.tz)
        .map(|(_, close)| close)
        .filter(|close| *close > now)
        .unwrap_or(now)
}

fn reminders(
    q: &impl Queries,
    config: &Config,
    templates: &Templates,
    now: DateTime<Utc>,
    due: &mut Vec<Due>,
    skipped: &mut Vec<String>,
) -> Result<()> {
    for session in q.sessions_between(now, now + Duration::days(2))? {
        if session.status != SessionStatus::Booked {
            continue;
        }
        let client = q.client(session.client_id)?;
        if client.status != ClientStatus::Active || !is_day_before(&session, &client, now) {
            continue;
        }
        if q.reminder_sent(session.id, session.start)? {
            continue;
        }
        if client.emails.is_empty() {
            skipped.push(format!("no reminder to {}: no mail address", client.name));
            continue;
        }
        let values = TemplateValues {
            client_first_name: Some(client.first_name().to_string()),
            client_name: Some(client.name.clone()),
            session_time: Some(client_time_text(session.start, client.tz)),
            extra: session
                .place
                .iter()
                .map(|place| ("place".to_string(), place.clone()))
                .collect(),
            ..coach_values(config)
        };
        let text = match templates.render("reminder", &values) {
            Ok(text) => text,
            Err(err) => {
                skipped.push(format!("no reminder to {}: {err}", client.name));
                continue;
            }
        };
        if let Some(flag) = warnings(&text.body).first() {
            skipped.push(format!("no reminder to {}: {flag}", client.name));
            continue;
        }
        due.push(Due::Reminder {
            session: Box::new(session),
            client: Box::new(client),
            text,
        });
    }
    Ok(())
}

/// Whether, on the client's own calendar, the session is tomorrow.
fn is_day_before(session: &Session, client: &Client, now: DateTime<Utc>) -> bool {
    let today: NaiveDate = local_date(now, client.tz);
    today.succ_opt() == Some(local_date(session.start, client.tz))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every active client judged one by one with the whole rule, as
    /// generation did before the book narrowed them: the check-ins due.
    fn check_ins_judging_everyone(q: &impl Queries, now: DateTime<Utc>) -> Vec<String> {
        let ahead = q
            .sessions_between(now, now + Duration::days(BOOKED_AHEAD_DAYS))
            .expect("sessions");
        let mut due = Vec::new();
        for client in q.clients().expect("clients") {
            if client.status != ClientStatus::Active {
                continue;
            }
            let booked = ahead
                .iter()
                .any(|s| s.client_id == client.id && s.status == SessionStatus::Booked);
            let silent = match q.last_contact(client.id, now).expect("contact") {
                None => true,
                Some(at) => now - at >= Duration::days(NO_CONTACT_DAYS),
            };
            let recent = now - Duration::days(CHECK_IN_AGAIN_DAYS);
            let blocked = q
                .followup_marks(client.id, FollowUpKind::CheckIn)
                .expect("marks")
                .iter()
                .any(|m| m.done_at.is_none() || m.created_at > recent);
            if (silent || !booked) && !blocked {
                due.push(client.name);
            }
        }
        due
    }

    /// On the demo book, day after day for two months (each day's check-ins
    /// made, as `today` would), the clients the book narrows to get exactly
    /// the check-ins judging every client would make, in the same order.
    #[test]
    fn narrowed_check_ins_are_those_of_judging_everyone_as_time_passes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Store::open(&dir.path().join("book.sqlite")).expect("opens");
        let config = Config::parse(
            "[coach]\ntime_zone = \"Europe/Berlin\"\n",
            &dir.path().join("config.toml"),
        )
        .expect("config");
        let start = DateTime::parse_from_rfc3339("2026-11-23T14:20:00+01:00")
            .expect("instant")
            .with_timezone(&Utc);
        crate::demo::generate(&mut store, &config, start).expect("demo book");
        let mut made = 0;
        for day in 0..60 {
            let now = start + Duration::days(day) + Duration::minutes(day * 37);
            if day % 9 == 8 {
                // The coach did the open check-ins: the again-rule takes over.
                let active: Vec<i64> = store
                    .clients()
                    .expect("clients")
                    .into_iter()
                    .map(|c| c.id)
                    .collect();
                store
                    .change("test", "check-ins done", now, |tx| {
                        for id in &active {
                            tx.close_followups(*id, FollowUpKind::CheckIn)?;
                        }
                        Ok(())
                    })
                    .expect("done");
            }
            let expected = check_ins_judging_everyone(&store, now);
            let mut due = Vec::new();
            check_ins(&store, &config, now, &mut due).expect("check-ins");
            let names: Vec<String> = due
                .iter()
                .filter_map(|d| match d {
                    Due::CheckIn { name, .. } => Some(name.clone()),
                    _ => None,
                })
                .collect();
            assert_eq!(names, expected, "day {day}");
            made += names.len();
            generate(&mut store, &config, now).expect("generates");
            assert!(
                check_ins_judging_everyone(&store, now).is_empty(),
                "day {day}: a check-in is still due after generating"
            );
        }
        assert!(made > 0, "the demo book never had a check-in due");
    }

    #[test]
    fn working_days_skip_the_weekend() {
        let hours = WorkingHours::default();
        let tz: Tz = "Europe/Berlin".parse().expect("tz");
        // Thursday 26 November 2026, 10:00 Berlin.
        let from = DateTime::parse_from_rfc3339("2026-11-26T09:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        let later = add_working_days(from, 5, &hours, tz);
        assert_eq!(later.to_rfc3339(), "2026-12-03T09:00:00+00:00");
    }
}
