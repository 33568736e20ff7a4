//! A book of a whole career, for measuring: `coachbook demo --years N`.
//!
//! Per year of practice: 30 new clients (each coached for about two years),
//! 1,500 sessions, 5,000 requests (6,000 replies) and 2,000 follow-ups, laid
//! on working days in the coach's time zone and ending today: today has its
//! sessions, the last days their unanswered requests, the last fortnight its
//! slipped follow-ups, so every pane of the dashboard is full. Ten years is
//! the figures' "ten-year book"; a hundred years is ten times its rows at the
//! same density per day.
//!
//! Written through the store like any change: one `Store::change` per month
//! of history (its `now` is the end of that month, so closing times read as
//! they would have), every statement from the connection's cache. The same
//! clock and the same N give the same book, row for row.

use std::fmt;

use anyhow::{Context, Result};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;

use super::{DemoText, Dice, at_local};
use crate::config::Config;
use crate::domain::hours::ReplyClock;
use crate::domain::when::{day_bounds, local_date};
use crate::model::{
    AgreementStatus, Channel, FollowUpKind, MovedBy, Owner, Parting, RequestStatus, SessionStatus,
};
use crate::store::{NewClient, NewFollowUp, NewRequest, NewSession, Store, Tx};

/// The most years `--years` accepts.
pub const MAX_YEARS: u32 = 100;

/// Rows per year of practice.
const CLIENTS_PER_YEAR: i64 = 30;
const SESSIONS_PER_YEAR: i64 = 1_500;
const REQUESTS_PER_YEAR: i64 = 5_000;
const FOLLOWUPS_PER_YEAR: i64 = 2_000;
/// How long a client is coached.
const CLIENT_DAYS: i64 = 730;
/// Sessions and follow-ups are booked this far ahead.
const AHEAD_DAYS: i64 = 14;
/// One change of the book per this many days of history.
const BATCH_DAYS: i64 = 30;
/// Requests older than this were all answered; newer ones may still wait.
const RECENT_DAYS: i64 = 3;
/// Follow-ups due before this many days ago were all done.
const SLIPPED_DAYS: i64 = 14;

/// What `write_years` wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearsSummary {
    pub years: u32,
    pub clients: usize,
    pub sessions: usize,
    pub requests: usize,
    pub replies: usize,
    pub followups: usize,
    pub open_requests: usize,
    pub sessions_today: usize,
}

impl fmt::Display for YearsSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} years: {} clients, {} sessions ({} today), {} requests ({} waiting), {} replies, {} follow-ups",
            self.years,
            self.clients,
            self.sessions,
            self.sessions_today,
            self.requests,
            self.open_requests,
            self.replies,
            self.followups
        )
    }
}

pub(super) const FIRST_NAMES: &[&str] = &[
    "Amara", "Chen", "Sofia", "Mateo", "Priya", "Jonas", "Aiyana", "Kwame", "Yuki", "Fatima",
    "Liam", "Ana", "Olu", "Ingrid", "Ravi", "Hana", "Tomás", "Leila", "Noah", "Mei", "Samir",
    "Elena", "Kofi", "Astrid", "Diego", "Aisha", "Lukas", "Nadia", "Hiroshi", "Zara", "Pavel",
    "Imani", "Emil", "Lucía", "Arjun", "Freya", "Omar", "Chloé", "Tariq", "Maren",
];
const LAST_NAMES: &[&str] = &[
    "Okafor",
    "Wei",
    "Lindqvist",
    "García",
    "Raghunathan",
    "Becker",
    "Redcloud",
    "Mensah",
    "Tanaka",
    "Al-Sayed",
    "O'Connor",
    "Ferreira",
    "Adeyemi",
    "Berg",
    "Kapoor",
    "Kim",
    "Silva",
    "Haddad",
    "Schmidt",
    "Zhang",
    "Nasser",
    "Popescu",
    "Asante",
    "Nilsson",
    "Morales",
    "Bello",
    "Weber",
    "Petrova",
    "Sato",
    "Khan",
    "Novak",
    "Mwangi",
    "Larsen",
    "Ruiz",
    "Iyer",
    "Hughes",
    "Farouk",
    "Dubois",
    "Aziz",
    "Janssen",
];
const ZONES: &[&str] = &[
    "Europe/Berlin",
    "Europe/London",
    "Europe/Madrid",
    "America/New_York",
    "America/Denver",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Africa/Lagos",
    "Australia/Sydney",
    "Europe/Stockholm",
];
const SUBJECTS: &[&str] = &[
    "About our next session",
    "Quick question",
    "Thoughts after Tuesday",
    "Can we move Thursday?",
    "The exercise you suggested",
    "Invoice",
    "Need to talk",
    "Update on the job offer",
];
const CONTEXTS: &[&str] = &[
    "Preparing for a promotion panel",
    "Back from parental leave this month",
    "Negotiating a new contract",
    "Moving house; sleeps badly",
];
const SESSION_SLOTS: [(u32, u32); 7] = [
    (9, 0),
    (10, 30),
    (12, 0),
    (14, 0),
    (15, 30),
    (17, 0),
    (18, 30),
];

/// The plan of the whole book: how many of each row, over which days.
struct Plan {
    first_day: NaiveDate,
    today: NaiveDate,
    now: DateTime<Utc>,
    tz: Tz,
    clients: i64,
    sessions: i64,
    requests: i64,
    followups: i64,
    history_days: i64,
    /// Working days from the first day to the last booked one.
    working_days: i64,
}

impl Plan {
    fn new(years: u32, now: DateTime<Utc>, tz: Tz) -> Result<Plan> {
        if !(1..=MAX_YEARS).contains(&years) {
            return Err(crate::error::BadInput(format!(
                "--years must be 1 to {MAX_YEARS}, not {years}"
            ))
            .into());
        }
        let today = local_date(now, tz);
        let history_days = 365 * i64::from(years);
        let first_day = today
            .checked_sub_signed(Duration::days(history_days))
            .filter(|d| crate::domain::bounds::date_in_range(*d))
            .ok_or_else(|| {
                crate::error::BadInput(format!("{years} years before {today} is out of range"))
            })?;
        let n = i64::from(years);
        let working_days = (0..=history_days + AHEAD_DAYS)
            .filter(|d| is_working(first_day + Duration::days(*d), today))
            .count()
            .max(1) as i64;
        Ok(Plan {
            working_days,
            first_day,
            today,
            now,
            tz,
            clients: CLIENTS_PER_YEAR * n,
            sessions: SESSIONS_PER_YEAR * n,
            requests: REQUESTS_PER_YEAR * n,
            followups: FOLLOWUPS_PER_YEAR * n,
            history_days,
        })
    }

    fn day(&self, offset: i64) -> NaiveDate {
        self.first_day + Duration::days(offset)
    }

    /// The day client `k` starts (the first ones started before the book).
    fn client_begins(&self, k: i64) -> i64 {
        k * self.history_days / self.clients.max(1) - CLIENT_DAYS / 2
    }

    /// The clients being coached on day `offset` (a contiguous range).
    fn coached_on(&self, offset: i64) -> (i64, i64) {
        let per = |day: i64| (day + CLIENT_DAYS / 2) * self.clients / self.history_days.max(1);
        let last = per(offset).clamp(0, self.clients - 1);
        let first = (per(offset - CLIENT_DAYS) + 1).clamp(0, last);
        (first, last)
    }

    fn pick_client(&self, offset: i64, dice: &mut Dice) -> i64 {
        let (first, last) = self.coached_on(offset);
        first + dice.below((last - first + 1) as u64) as i64
    }

    fn ended(&self, k: i64) -> bool {
        self.client_begins(k) + CLIENT_DAYS < self.history_days
    }
}

/// Sessions happen on working days, and today whatever the weekday.
fn is_working(day: NaiveDate, today: NaiveDate) -> bool {
    day == today || !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Write a book of `years` years ending at `now` into the (empty) store.
pub fn write_years(
    store: &mut Store,
    config: &Config,
    now: DateTime<Utc>,
    years: u32,
) -> Result<YearsSummary> {
    let text: DemoText =
        toml::from_str(super::DEMO_TEXT).context("the demo data in assets/demo is broken")?;
    let plan = Plan::new(years, now, config.tz)?;
    let clock = config.reply_clock();
    let mut dice = Dice(0x00C0_AC4B_00C0 ^ u64::from(years));
    let mut summary = YearsSummary {
        years,
        ..YearsSummary::default()
    };
    let mut client_ids: Vec<i64> = Vec::new();
    let mut next = Cursor::default();
    let last_day = plan.history_days + AHEAD_DAYS;
    let mut batch_start = 0;
    while batch_start <= last_day {
        let batch_end = (batch_start + BATCH_DAYS).min(last_day + 1);
        let batch_now = day_bounds(plan.day(batch_end - 1), plan.tz).1.min(plan.now);
        let label = format!(
            "demo book of {years} years: {} to {}",
            plan.day(batch_start),
            plan.day(batch_end - 1)
        );
        store.change("demo", &label, batch_now, |tx| {
            if batch_start == 0 {
                for p in &text.partners {
                    tx.add_partner(&p.name, Some(&p.email), Some(&p.phone))?;
                }
            }
            let batch = Batch {
                tx,
                plan: &plan,
                text: &text,
                clock: &clock,
                days: batch_start..batch_end,
            };
            batch.add_clients(&mut client_ids, &mut next, &mut dice, &mut summary)?;
            batch.add_sessions(&client_ids, &mut next, &mut dice, &mut summary)?;
            batch.add_requests(&client_ids, &mut next, &mut dice, &mut summary)?;
            batch.add_followups(&client_ids, &mut next, &mut dice, &mut summary)?;
            batch.end_clients(&client_ids, &mut next)?;
            Ok(())
        })?;
        batch_start = batch_end;
    }
    Ok(summary)
}

/// How far each kind of row has been written.
#[derive(Default)]
struct Cursor {
    client: i64,
    ended: i64,
    working_day: i64,
    session: i64,
    request: i64,
    followup: i64,
}

struct Batch<'a, 'tx> {
    tx: &'a Tx<'tx>,
    plan: &'a Plan,
    text: &'a DemoText,
    clock: &'a ReplyClock,
    days: std::ops::Range<i64>,
}

impl Batch<'_, '_> {
    fn add_clients(
        &self,
        ids: &mut Vec<i64>,
        next: &mut Cursor,
        dice: &mut Dice,
        summary: &mut YearsSummary,
    ) -> Result<()> {
        let plan = self.plan;
        while next.client < plan.clients && plan.client_begins(next.client) < self.days.end {
            let k = next.client;
            let first = FIRST_NAMES
                .get(k as usize % FIRST_NAMES.len())
                .copied()
                .unwrap_or("Alex");
            let last = LAST_NAMES
                .get((k as usize / FIRST_NAMES.len() + k as usize * 7) % LAST_NAMES.len())
                .copied()
                .unwrap_or("Doe");
            let ascii = |s: &str| -> String {
                s.chars()
                    .filter_map(|c| match c {
                        'á' => Some('a'),
                        'é' => Some('e'),
                        'í' => Some('i'),
                        'ó' => Some('o'),
                        'ú' => Some('u'),
                        c if c.is_ascii_alphabetic() => Some(c.to_ascii_lowercase()),
                        _ => None,
                    })
                    .collect()
            };
            let begins = plan.client_begins(k).max(0);
            let recent = plan.history_days - begins < 60;
            let zone: Tz = dice.pick(ZONES).parse().unwrap_or(plan.tz);
            let id = self.tx.add_client(
                &NewClient {
                    name: format!("{first} {last} {}", k + 1),
                    emails: vec![format!(
                        "{}.{}{}@example.org",
                        ascii(first),
                        ascii(last),
                        k + 1
                    )],
                    phone: Some(format!("+49 30 {:07}", 1_000_000 + k)),
                    tz: Some(zone),
                    notes: String::new(),
                    context: (recent && dice.chance(30)).then(|| dice.pick(CONTEXTS).to_string()),
                    context_until: Some(plan.today + Duration::days(10)),
                },
                plan.tz,
            )?;
            let at = at_local(plan.day(begins), 10, 0, plan.tz).unwrap_or(self.tx.now);
            self.tx.set_agreement(id, AgreementStatus::Sent, at)?;
            // A few agreements never came back signed.
            if !dice.chance(4) {
                self.tx
                    .set_agreement(id, AgreementStatus::Signed, at + Duration::days(2))?;
            }
            ids.push(id);
            summary.clients += 1;
            next.client += 1;
        }
        Ok(())
    }

    /// Clients whose two years ended in this batch part ways.
    fn end_clients(&self, ids: &[i64], next: &mut Cursor) -> Result<()> {
        let plan = self.plan;
        while next.ended < next.client
            && plan.ended(next.ended)
            && plan.client_begins(next.ended) + CLIENT_DAYS < self.days.end
        {
            let k = next.ended;
            let day = plan.day((plan.client_begins(k) + CLIENT_DAYS).max(0));
            if let Some(&id) = ids.get(k as usize) {
                self.tx.end_client(
                    id,
                    &Parting {
                        ended_at: at_local(day, 17, 0, plan.tz).unwrap_or(self.tx.now),
                        reason: "The coaching reached its goals".into(),
                        refund_cents: None,
                        referral_partner_id: None,
                    },
                )?;
            }
            next.ended += 1;
        }
        Ok(())
    }

    /// Sessions on working days (and today, whatever the weekday): the
    /// total spread evenly, a few cancelled, missed or moved.
    fn add_sessions(
        &self,
        ids: &[i64],
        next: &mut Cursor,
        dice: &mut Dice,
        summary: &mut YearsSummary,
    ) -> Result<()> {
        let plan = self.plan;
        let working_days = plan.working_days;
        for offset in self.days.clone() {
            if !self.is_working(offset) {
                continue;
            }
            let day = plan.day(offset);
            let index = next.working_day;
            next.working_day += 1;
            let due = (index + 1) * plan.sessions / working_days;
            let mut count = due - next.session;
            if day == plan.today {
                count = count.max(6);
            }
            for slot in SESSION_SLOTS.iter().take(count.max(0) as usize) {
                let Some(start) = at_local(day, slot.0, slot.1, plan.tz) else {
                    continue;
                };
                let k = plan.pick_client(offset, dice);
                let Some(&client_id) = ids.get(k as usize) else {
                    continue;
                };
                let minutes = if dice.chance(15) { 90 } else { 60 };
                let Some(&id) = self
                    .tx
                    .add_sessions(
                        &NewSession {
                            client_id,
                            start,
                            minutes,
                            place: Some("video call".into()),
                            request_id: None,
                        },
                        None,
                    )?
                    .first()
                else {
                    continue;
                };
                summary.sessions += 1;
                if day == plan.today {
                    summary.sessions_today += 1;
                }
                let roll = dice.below(100);
                if roll < 3 && day != plan.today {
                    let by = if dice.chance(50) {
                        MovedBy::Coach
                    } else {
                        MovedBy::Client
                    };
                    self.tx.move_session(
                        id,
                        Some(start + Duration::days(1)),
                        by,
                        Some("a clash"),
                    )?;
                }
                if start + Duration::minutes(minutes) < plan.now {
                    let status = match roll {
                        3..=5 => SessionStatus::Cancelled,
                        6..=7 => SessionStatus::NoShow,
                        _ => SessionStatus::Held,
                    };
                    self.tx.set_session_status(id, status)?;
                }
            }
            next.session = due.max(next.session + count);
        }
        Ok(())
    }

    fn is_working(&self, offset: i64) -> bool {
        is_working(self.plan.day(offset), self.plan.today)
    }

    /// Requests spread over every day, from clients being coached (and a
    /// few strangers); all answered but those of the last days.
    fn add_requests(
        &self,
        ids: &[i64],
        next: &mut Cursor,
        dice: &mut Dice,
        summary: &mut YearsSummary,
    ) -> Result<()> {
        let plan = self.plan;
        while next.request < plan.requests {
            let n = next.request;
            let offset = n * (plan.history_days + 1) / plan.requests;
            if offset >= self.days.end {
                break;
            }
            next.request += 1;
            let day = plan.day(offset);
            let minute = 7 * 60 + dice.below(15 * 60) as u32;
            let Some(mut received) = at_local(day, minute / 60, minute % 60, plan.tz) else {
                continue;
            };
            if received >= plan.now {
                received = plan.now - Duration::minutes(1 + dice.below(240) as i64);
            }
            let urgency = super::pick_urgency(dice);
            let channel = super::pick_channel(urgency, dice);
            let stranger = dice.chance(3);
            let client_id = if stranger {
                None
            } else {
                ids.get(plan.pick_client(offset, dice) as usize).copied()
            };
            let id = self.tx.add_request(
                &NewRequest {
                    client_id,
                    unknown_sender: client_id
                        .is_none()
                        .then(|| format!("someone{}@mail.example", n % 997)),
                    received_at: received,
                    channel,
                    urgency,
                    subject: (channel == Channel::Email).then(|| dice.pick(SUBJECTS).to_string()),
                    body: dice.pick(self.text.requests.for_urgency(urgency)),
                    message_id: None,
                },
                self.clock,
            )?;
            summary.requests += 1;
            let recent = plan.now - received < Duration::days(RECENT_DAYS);
            if recent && dice.chance(35) {
                summary.open_requests += 1;
                continue;
            }
            let first = super::answer_time(self.clock, received, urgency, plan.tz, dice);
            let replies = if n % 5 == 0 { 2 } else { 1 };
            let mut answered = false;
            for k in 0..replies {
                let sent = first + Duration::hours(20 * k);
                if sent >= plan.now {
                    break;
                }
                self.tx.add_reply(&super::sent_reply(client_id, id, sent))?;
                summary.replies += 1;
                answered = true;
            }
            if !answered {
                summary.open_requests += 1;
            } else if !recent && dice.chance(75) {
                self.tx
                    .set_request_status(id, RequestStatus::Closed, None)?;
            }
        }
        Ok(())
    }

    /// Follow-ups due on every day up to two weeks ahead: done, except a
    /// few of the last fortnight that slipped.
    fn add_followups(
        &self,
        ids: &[i64],
        next: &mut Cursor,
        dice: &mut Dice,
        summary: &mut YearsSummary,
    ) -> Result<()> {
        let plan = self.plan;
        let span = plan.history_days + AHEAD_DAYS + 1;
        while next.followup < plan.followups {
            let n = next.followup;
            let offset = n * span / plan.followups;
            if offset >= self.days.end {
                break;
            }
            next.followup += 1;
            let day = plan.day(offset);
            let hour = 9 + dice.below(9) as u32;
            let Some(due) = at_local(day, hour, 0, plan.tz) else {
                continue;
            };
            let Some(&client_id) = ids.get(plan.pick_client(offset, dice) as usize) else {
                continue;
            };
            let owner = if dice.chance(60) {
                Owner::Coach
            } else {
                Owner::Client
            };
            let kind = match dice.below(10) {
                0..=5 => FollowUpKind::Action,
                6..=7 => FollowUpKind::Promise,
                _ => FollowUpKind::CheckIn,
            };
            let texts = match owner {
                Owner::Coach => &self.text.followups.coach,
                Owner::Client => &self.text.followups.client,
            };
            let id = self.tx.add_followup(&NewFollowUp {
                client_id,
                request_id: None,
                due,
                text: dice.pick(texts),
                owner,
                kind,
                made_by_reply: None,
                callback: false,
            })?;
            summary.followups += 1;
            let long_ago = due < plan.now - Duration::days(SLIPPED_DAYS);
            let done = long_ago || (due < plan.now && dice.chance(70));
            if done {
                self.tx.complete_followup(id)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(years: u32) -> Plan {
        let now = "2026-11-23T13:20:00Z".parse().unwrap();
        Plan::new(years, now, chrono_tz::Europe::Berlin).unwrap()
    }

    #[test]
    fn every_day_of_the_book_has_clients_being_coached() {
        for years in [1, 10, 100] {
            let plan = plan(years);
            for offset in 0..=plan.history_days + AHEAD_DAYS {
                let (first, last) = plan.coached_on(offset);
                assert!(
                    first <= last && last < plan.clients,
                    "{years}y day {offset}"
                );
                assert!(plan.client_begins(last) <= offset.max(plan.client_begins(0)));
            }
            // Today's clients are still being coached, not parted.
            let (first, last) = plan.coached_on(plan.history_days);
            assert!(!plan.ended(last));
            assert!(last - first >= 20, "{years}y: {first}..{last}");
        }
    }

    #[test]
    fn years_outside_one_to_a_hundred_are_refused() {
        let now = "2026-11-23T13:20:00Z".parse().unwrap();
        assert!(Plan::new(0, now, chrono_tz::Europe::Berlin).is_err());
        assert!(Plan::new(101, now, chrono_tz::Europe::Berlin).is_err());
    }
}
