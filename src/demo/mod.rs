//! The demo book: about 25 clients from several cultures and time zones, a
//! week of sessions around today (5 of them today), open requests of every
//! urgency (some past their reply-by), slipped follow-ups, an unsigned
//! agreement, and 60 days of history so response times mean something.
//! Deterministic for a given day: the random numbers are seeded by it.

use anyhow::{Context, Result};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::config::Config;
use crate::domain::when::{local_date, local_instant};
use crate::model::{
    AgreementStatus, Channel, ClientStatus, DeliveryState, FollowUpKind, MovedBy, Owner, ReplyKind,
    RequestStatus, SessionStatus, Urgency,
};
use crate::store::{NewClient, NewFollowUp, NewReply, NewRequest, NewSession, Queries, Store, Tx};

pub mod mbox;
pub mod years;

const DEMO_TEXT: &str = include_str!("../../assets/demo/demo.toml");
const HISTORY_DAYS: i64 = 60;

#[derive(Debug, Deserialize)]
struct DemoText {
    clients: Vec<DemoClient>,
    partners: Vec<DemoPartner>,
    requests: RequestTexts,
    followups: FollowUpTexts,
}

#[derive(Debug, Deserialize)]
struct DemoClient {
    name: String,
    email: String,
    tz: String,
    context: Option<String>,
    context_days: Option<i64>,
    status: Option<String>,
}

#[derive(Debug, Deserialize)]
struct DemoPartner {
    name: String,
    email: String,
    phone: String,
}

#[derive(Debug, Deserialize)]
struct RequestTexts {
    crisis: Vec<String>,
    urgent: Vec<String>,
    normal: Vec<String>,
    low: Vec<String>,
}

impl RequestTexts {
    fn for_urgency(&self, urgency: Urgency) -> &[String] {
        match urgency {
            Urgency::Crisis => &self.crisis,
            Urgency::Urgent => &self.urgent,
            Urgency::Normal => &self.normal,
            Urgency::Low => &self.low,
        }
    }
}

#[derive(Debug, Deserialize)]
struct FollowUpTexts {
    coach: Vec<String>,
    client: Vec<String>,
}

/// A small deterministic generator (SplitMix64): the same day gives the same book.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One of `items` (the default value when there are none).
    fn pick<T: Clone + Default>(&mut self, items: &[T]) -> T {
        let index = self.below(items.len() as u64) as usize;
        items.get(index).cloned().unwrap_or_default()
    }
}

/// Whether the book was written by the demo generator.
pub fn is_demo(store: &impl Queries) -> Result<bool> {
    Ok(store.conn().query_row(
        "SELECT EXISTS (SELECT 1 FROM changes WHERE command = 'demo')",
        [],
        |r| r.get(0),
    )?)
}

/// Fill an empty book with the demo practice around `now`.
pub fn generate(store: &mut Store, config: &Config, now: DateTime<Utc>) -> Result<String> {
    let text: DemoText =
        toml::from_str(DEMO_TEXT).context("the demo data in assets/demo is broken")?;
    let tz = config.tz;
    let today = local_date(now, tz);
    let mut dice = Dice(today.num_days_from_ce() as u64);
    let clock = config.reply_clock();
    store.change("demo", &format!("demo book for {today}"), now, |tx| {
        let mut clients = Vec::new();
        for c in &text.clients {
            let client_tz: Tz =
                c.tz.parse()
                    .map_err(|_| anyhow::anyhow!("demo zone {}", c.tz))?;
            let id = tx.add_client(
                &NewClient {
                    name: c.name.clone(),
                    emails: vec![c.email.clone()],
                    phone: None,
                    tz: Some(client_tz),
                    notes: String::new(),
                    context: c.context.clone(),
                    context_until: c.context_days.map(|d| today + Duration::days(d)),
                },
                tz,
            )?;
            if let Some(status) = &c.status {
                tx.set_client_status(id, ClientStatus::parse(status)?, None)?;
            }
            let status = c
                .status
                .as_deref()
                .map(ClientStatus::parse)
                .transpose()?
                .unwrap_or(ClientStatus::Active);
            clients.push((id, c, status));
        }
        for p in &text.partners {
            tx.add_partner(&p.name, Some(&p.email), Some(&p.phone))?;
        }
        let active: Vec<i64> = clients
            .iter()
            .filter(|(_, _, s)| *s == ClientStatus::Active)
            .map(|(id, _, _)| *id)
            .collect();

        for (n, id) in active.iter().enumerate() {
            let at = now - Duration::days(70 + n as i64);
            tx.set_agreement(*id, AgreementStatus::Sent, at)?;
            // Two agreements went out and never came back signed.
            if n != 2 && n != 7 {
                tx.set_agreement(*id, AgreementStatus::Signed, at + Duration::days(3))?;
            }
        }

        let sessions = book_sessions(tx, &active, today, now, tz, &mut dice)?;
        let requests = write_history(tx, &active, &text, &clock, today, now, tz, &mut dice)?;
        let open = write_open_requests(tx, &active, &text, &clock, now, &mut dice)?;
        let followups = write_followups(tx, &active, &text, today, now, tz, &mut dice)?;
        Ok(format!(
            "{} clients, {sessions} sessions, {} requests ({open} waiting), {followups} follow-ups",
            clients.len(),
            requests + open
        ))
    })
}

fn at_local(date: NaiveDate, hour: u32, minute: u32, tz: Tz) -> Option<DateTime<Utc>> {
    let time = NaiveTime::from_hms_opt(hour, minute, 0)?;
    local_instant(date, time, tz).ok().map(|i| i.at)
}

/// Weekly sessions for the last 60 days and the coming week, and five today.
fn book_sessions(
    tx: &Tx,
    active: &[i64],
    today: NaiveDate,
    now: DateTime<Utc>,
    tz: Tz,
    dice: &mut Dice,
) -> Result<usize> {
    const SLOTS: [(u32, u32); 5] = [(9, 0), (10, 30), (12, 0), (14, 0), (15, 30)];
    let mut count = 0;
    let mut book = |client_id: i64, start: DateTime<Utc>, dice: &mut Dice| -> Result<i64> {
        let id = tx
            .add_sessions(
                &NewSession {
                    client_id,
                    start,
                    minutes: if dice.chance(20) { 90 } else { 60 },
                    place: Some("video call".into()),
                    request_id: None,
                },
                None,
            )?
            .first()
            .copied()
            .ok_or_else(|| anyhow::anyhow!("the demo book could not add a session"))?;
        count += 1;
        Ok(id)
    };
    for offset in -HISTORY_DAYS..=7 {
        let date = today + Duration::days(offset);
        if offset == 0 || matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            continue;
        }
        for (n, client) in active.iter().enumerate() {
            if n % 5 != date.weekday().num_days_from_monday() as usize {
                continue;
            }
            let Some(&(hour, minute)) = SLOTS.get((n / 5) % SLOTS.len()) else {
                continue;
            };
            let Some(start) = at_local(date, hour, minute, tz) else {
                continue;
            };
            let id = book(*client, start, dice)?;
            if start < now {
                let status = match dice.below(100) {
                    0..=2 => SessionStatus::NoShow,
                    3..=5 => SessionStatus::Cancelled,
                    _ => SessionStatus::Held,
                };
                tx.set_session_status(id, status)?;
            } else if dice.chance(8) {
                let by = if dice.chance(50) {
                    MovedBy::Coach
                } else {
                    MovedBy::Client
                };
                tx.move_session(id, Some(start + Duration::hours(2)), by, Some("clash"))?;
            }
        }
    }
    // Today: five sessions, whatever the weekday, so the demo day is full.
    let today_clients = [
        nth(active, 0),
        nth(active, 2),
        nth(active, 7),
        nth(active, 5),
        nth(active, 10),
    ];
    let today_slots = [(9, 0), (10, 30), (13, 0), (15, 0), (16, 30)];
    for (client, (hour, minute)) in today_clients.iter().zip(today_slots) {
        let Some(start) = at_local(today, hour, minute, tz) else {
            continue;
        };
        let id = book(*client, start, dice)?;
        if start + Duration::hours(1) < now {
            tx.set_session_status(id, SessionStatus::Held)?;
        }
    }
    // The crisis-prone client was already moved twice by the coach lately.
    let moved = nth(active, 2);
    for weeks in [3, 7] {
        let Some(start) = at_local(today - Duration::weeks(weeks), 11, 0, tz) else {
            continue;
        };
        let id = book(moved, start, dice)?;
        tx.move_session(
            id,
            Some(start + Duration::days(1)),
            MovedBy::Coach,
            Some("emergency"),
        )?;
        tx.set_session_status(id, SessionStatus::Held)?;
    }
    Ok(count)
}

fn pick_urgency(dice: &mut Dice) -> Urgency {
    match dice.below(100) {
        0..=5 => Urgency::Crisis,
        6..=25 => Urgency::Urgent,
        26..=79 => Urgency::Normal,
        _ => Urgency::Low,
    }
}

fn pick_channel(urgency: Urgency, dice: &mut Dice) -> Channel {
    match (urgency, dice.below(10)) {
        (Urgency::Crisis, 0..=5) => Channel::Phone,
        (Urgency::Crisis, _) => Channel::Text,
        (_, 0..=5) => Channel::Email,
        (_, 6..=7) => Channel::Text,
        (_, 8) => Channel::Voicemail,
        _ => Channel::Phone,
    }
}

/// 60 days of requests, nearly all answered, most within target.
#[allow(clippy::too_many_arguments)]
fn write_history(
    tx: &Tx,
    active: &[i64],
    text: &DemoText,
    clock: &crate::domain::hours::ReplyClock,
    today: NaiveDate,
    now: DateTime<Utc>,
    tz: Tz,
    dice: &mut Dice,
) -> Result<usize> {
    let mut count = 0;
    for offset in -HISTORY_DAYS..0 {
        let date = today + Duration::days(offset);
        let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        let per_day = if weekend {
            dice.below(2)
        } else {
            2 + dice.below(3)
        };
        for _ in 0..per_day {
            let minute_of_day = 7 * 60 + dice.below(14 * 60) as u32;
            let Some(received) = at_local(date, minute_of_day / 60, minute_of_day % 60, tz) else {
                continue;
            };
            let urgency = pick_urgency(dice);
            let client = dice.pick(active);
            let body = dice.pick(text.requests.for_urgency(urgency));
            let id = tx.add_request(
                &NewRequest {
                    client_id: Some(client),
                    unknown_sender: None,
                    received_at: received,
                    channel: pick_channel(urgency, dice),
                    urgency,
                    subject: None,
                    body,
                    message_id: None,
                },
                clock,
            )?;
            count += 1;
            let sent = answer_time(clock, received, urgency, tz, dice);
            if sent >= now || (offset > -4 && dice.chance(10)) {
                continue;
            }
            tx.add_reply(&sent_reply(Some(client), id, sent))?;
            if dice.chance(70) {
                tx.set_request_status(id, RequestStatus::Closed, None)?;
            }
        }
    }
    Ok(count)
}

/// When the first answer to a request went out: most well inside the
/// target, about one in eight late.
fn answer_time(
    clock: &crate::domain::hours::ReplyClock,
    received: DateTime<Utc>,
    urgency: Urgency,
    tz: Tz,
    dice: &mut Dice,
) -> DateTime<Utc> {
    let target = clock.targets.for_urgency(urgency);
    let share = if dice.chance(12) {
        105 + dice.below(80)
    } else {
        5 + dice.below(90)
    };
    let minutes = (target.minutes() as u64 * share / 100) as i64;
    match target {
        crate::domain::hours::Target::Clock(_) => received + Duration::minutes(minutes),
        crate::domain::hours::Target::Working(_) => {
            clock.hours.add_working_minutes(received, minutes, tz)
        }
    }
}

/// The coach's answer to request `request_id`, sent at `sent`.
fn sent_reply(client_id: Option<i64>, request_id: i64, sent: DateTime<Utc>) -> NewReply {
    NewReply {
        client_id,
        partner_id: None,
        request_id: Some(request_id),
        session_id: None,
        kind: ReplyKind::Reply,
        sent_at: sent,
        to_addr: None,
        subject: None,
        body: "Thank you for writing. Let's look at this together.".into(),
        message_id: None,
        delivery: DeliveryState::Sent,
    }
}

/// Requests waiting right now: every urgency, some already past reply-by.
fn write_open_requests(
    tx: &Tx,
    active: &[i64],
    text: &DemoText,
    clock: &crate::domain::hours::ReplyClock,
    now: DateTime<Utc>,
    dice: &mut Dice,
) -> Result<usize> {
    let waiting = [
        (nth(active, 2), Urgency::Crisis, Channel::Phone, 40),
        (nth(active, 0), Urgency::Urgent, Channel::Email, 4 * 24 * 60),
        (nth(active, 7), Urgency::Urgent, Channel::Text, 50),
        (nth(active, 3), Urgency::Normal, Channel::Email, 5 * 24 * 60),
        (nth(active, 12), Urgency::Normal, Channel::Voicemail, 180),
        (nth(active, 15), Urgency::Normal, Channel::Email, 26 * 60),
        (nth(active, 9), Urgency::Low, Channel::Email, 9 * 24 * 60),
        (nth(active, 18), Urgency::Low, Channel::Text, 20 * 60),
    ];
    for (client, urgency, channel, minutes_ago) in waiting {
        let body = dice.pick(text.requests.for_urgency(urgency));
        tx.add_request(
            &NewRequest {
                client_id: Some(client),
                unknown_sender: None,
                received_at: now - Duration::minutes(minutes_ago),
                channel,
                urgency,
                subject: None,
                body,
                message_id: None,
            },
            clock,
        )?;
    }
    // Somebody the coach does not know yet wrote in.
    tx.add_request(
        &NewRequest {
            client_id: None,
            unknown_sender: Some("j.doe@example.com".into()),
            received_at: now - Duration::minutes(300),
            channel: Channel::Email,
            urgency: Urgency::Normal,
            subject: Some("Do you have space for a new client?".into()),
            body: "A friend recommended you. Do you have space for a new client in January?".into(),
            message_id: None,
        },
        clock,
    )?;
    Ok(waiting.len() + 1)
}

fn write_followups(
    tx: &Tx,
    active: &[i64],
    text: &DemoText,
    today: NaiveDate,
    now: DateTime<Utc>,
    tz: Tz,
    dice: &mut Dice,
) -> Result<usize> {
    let end_of_today = crate::domain::when::day_bounds(today, tz).1 - Duration::minutes(1);
    let later_today = (now + Duration::hours(2)).min(end_of_today);
    let plan = [
        (
            Owner::Coach,
            FollowUpKind::Promise,
            now - Duration::days(2),
            false,
        ),
        (
            Owner::Coach,
            FollowUpKind::Action,
            now - Duration::days(4),
            false,
        ),
        (
            Owner::Client,
            FollowUpKind::Action,
            now - Duration::hours(20),
            false,
        ),
        (
            Owner::Coach,
            FollowUpKind::Agreement,
            now - Duration::days(1),
            false,
        ),
        (Owner::Coach, FollowUpKind::CheckIn, later_today, false),
        (Owner::Client, FollowUpKind::Action, later_today, false),
        (
            Owner::Coach,
            FollowUpKind::Action,
            now + Duration::days(3),
            false,
        ),
        (
            Owner::Coach,
            FollowUpKind::Promise,
            now - Duration::days(9),
            true,
        ),
        (
            Owner::Client,
            FollowUpKind::Action,
            now - Duration::days(12),
            true,
        ),
        // The other unsigned agreement has its chase too, as the chase
        // generator would have made it (one open at a time).
        (
            Owner::Coach,
            FollowUpKind::Agreement,
            now - Duration::days(2),
            false,
        ),
    ];
    for (n, (owner, kind, due, done)) in plan.iter().enumerate() {
        let texts = match owner {
            Owner::Coach => &text.followups.coach,
            Owner::Client => &text.followups.client,
        };
        let text = if *kind == FollowUpKind::Agreement {
            "Chase the unsigned coaching agreement".to_string()
        } else {
            dice.pick(texts)
        };
        // Agreement chases go to the clients whose agreement is unsigned.
        let client_id = if *kind == FollowUpKind::Agreement {
            nth(active, if n == 3 { 7 } else { 2 })
        } else {
            nth(active, n * 3)
        };
        let id = tx.add_followup(&NewFollowUp {
            client_id,
            request_id: None,
            due: *due,
            text,
            owner: *owner,
            kind: *kind,
            made_by_reply: None,
            callback: false,
        })?;
        if *done {
            tx.complete_followup(id)?;
        }
    }
    Ok(plan.len())
}

/// The `n`th active client, counting round (0 when there are none).
fn nth(active: &[i64], n: usize) -> i64 {
    active
        .get(n % active.len().max(1))
        .copied()
        .unwrap_or_default()
}
