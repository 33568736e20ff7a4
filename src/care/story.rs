//! The whole story of one client, for `client show` and the dashboard's
//! client view: contact details and their local time, context with its
//! expiry, the agreement's steps, sessions past and to come with their
//! notes, requests and replies with each wait, open follow-ups and action
//! items by owner, the reschedule ledger, at-risk reasons and a parting.
//! `load` reads it; `sections` turns it into titled rows both screens show.

use anyhow::Result;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use super::message::one_line;
use crate::dashboard::short_span;
use crate::model::{Agreement, Client, FollowUp, Owner, Reply, Request, Session};
use crate::review::RiskReason;
use crate::store::{
    FollowUpQueries, PartnerQueries, Queries, RequestQueries, SessionMove, SessionQueries,
};

/// How many of each kind the story shows.
const PAST_SESSIONS: i64 = 12;
const UPCOMING_DAYS: i64 = 90;
const TIMELINE: i64 = 30;
const MOVES: i64 = 20;
const DONE_FOLLOWUPS: usize = 5;

#[derive(Debug, Clone, PartialEq)]
pub struct Story {
    pub client: Client,
    pub agreement: Option<Agreement>,
    pub upcoming: Vec<Session>,
    /// Newest first.
    pub past: Vec<Session>,
    pub requests: Vec<Request>,
    pub replies: Vec<Reply>,
    /// Pending first by due date, then the latest done ones.
    pub followups: Vec<FollowUp>,
    pub moves: Vec<SessionMove>,
    pub risk: Vec<RiskReason>,
    /// The partner the client was referred to at a parting.
    pub referral: Option<String>,
}

pub fn load(store: &impl Queries, client: Client, now: DateTime<Utc>) -> Result<Story> {
    let id = client.id;
    let mut followups = store.client_followups(id)?;
    let pending = followups.iter().filter(|f| f.done_at.is_none()).count();
    followups.truncate(pending + DONE_FOLLOWUPS);
    let referral = client
        .parting
        .as_ref()
        .and_then(|p| p.referral_partner_id)
        .map(|pid| store.partner(pid).map(|p| p.name))
        .transpose()?;
    Ok(Story {
        agreement: store.agreement(id)?,
        upcoming: store.client_sessions_between(id, now, now + Duration::days(UPCOMING_DAYS))?,
        past: store.client_sessions_before(id, now, PAST_SESSIONS)?,
        requests: store.client_requests(id, TIMELINE)?,
        replies: store.client_replies(id, TIMELINE)?,
        followups,
        moves: store.client_moves(id, MOVES)?,
        risk: super::risk::reasons_of(store, id, now)?,
        referral,
        client,
    })
}

/// One row of a section: a time (or label) column and the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub head: String,
    pub text: String,
    /// Needs the coach's eye: overdue, unsigned, at risk, waiting.
    pub warn: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: &'static str,
    pub rows: Vec<Row>,
}

fn row(head: impl Into<String>, text: impl AsRef<str>, warn: bool) -> Row {
    Row {
        head: head.into(),
        text: one_line(text.as_ref()),
        warn,
    }
}

fn when(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%a %d %b %H:%M").to_string()
}

/// The story in titled sections; times in the coach's zone `tz`.
pub fn sections(story: &Story, tz: Tz, now: DateTime<Utc>, today: NaiveDate) -> Vec<Section> {
    let c = &story.client;
    let mut about = vec![row("Status", c.status.as_str(), false)];
    about.push(row(
        "Email",
        if c.emails.is_empty() {
            "—".to_string()
        } else {
            c.emails.join(", ")
        },
        false,
    ));
    if let Some(phone) = &c.phone {
        about.push(row("Phone", phone, false));
    }
    about.push(row(
        "Their time",
        format!(
            "{} ({})",
            now.with_timezone(&c.tz).format("%a %d %b %H:%M"),
            c.tz.name()
        ),
        false,
    ));
    match (&c.context, c.current_context(today)) {
        (_, Some(context)) => {
            let until = c
                .context_until
                .map(|d| format!(" (until {d})"))
                .unwrap_or_default();
            about.push(row("At stake", format!("{context}{until}"), true));
        }
        (Some(old), None) if !old.trim().is_empty() => {
            let until = c
                .context_until
                .map(|d| format!(" (expired {d})"))
                .unwrap_or_default();
            about.push(row("At stake", format!("{old}{until}"), false));
        }
        _ => about.push(row("At stake", "nothing noted", false)),
    }
    about.push(agreement_row(story.agreement.as_ref(), tz));
    if !c.notes.trim().is_empty() {
        about.push(row("Notes", &c.notes, false));
    }
    if let Some(parting) = &c.parting {
        let mut text = format!("{}: {}", when(parting.ended_at, tz), parting.reason);
        if let Some(cents) = parting.refund_cents {
            text.push_str(&format!("; refund {}", crate::review::amount(cents)));
        }
        if let Some(partner) = &story.referral {
            text.push_str(&format!("; referred to {partner}"));
        }
        about.push(row("Parted", text, false));
    }
    let mut sections = vec![Section {
        title: "Client",
        rows: about,
    }];
    sections.push(Section {
        title: "At risk",
        rows: if story.risk.is_empty() {
            vec![row("", "no reason to worry", false)]
        } else {
            story
                .risk
                .iter()
                .map(|r| row("", r.to_string(), true))
                .collect()
        },
    });
    sections.push(Section {
        title: "Sessions to come",
        rows: session_rows(&story.upcoming, story, tz, now),
    });
    sections.push(Section {
        title: "Past sessions",
        rows: session_rows(&story.past, story, tz, now),
    });
    sections.push(followup_section(
        "Open: the client's action items",
        story,
        Owner::Client,
        tz,
        now,
    ));
    sections.push(followup_section(
        "Open: yours (actions, promises, chases, check-ins)",
        story,
        Owner::Coach,
        tz,
        now,
    ));
    sections.push(Section {
        title: "Requests and replies",
        rows: timeline_rows(story, tz, now),
    });
    sections.push(Section {
        title: "Reschedules",
        rows: if story.moves.is_empty() {
            vec![row("", "never moved", false)]
        } else {
            story
                .moves
                .iter()
                .map(|m| {
                    let to = m
                        .to_start
                        .map_or("(new time not agreed)".to_string(), |t| when(t, tz));
                    let reason = m
                        .reason
                        .as_deref()
                        .map(|r| format!(": {r}"))
                        .unwrap_or_default();
                    row(
                        when(m.moved_at, tz),
                        format!(
                            "session #{} {} → {}, asked by the {}{reason}",
                            m.session_id,
                            when(m.from_start, tz),
                            to,
                            m.moved_by
                        ),
                        false,
                    )
                })
                .collect()
        },
    });
    sections
}

fn agreement_row(agreement: Option<&Agreement>, tz: Tz) -> Row {
    let Some(a) = agreement else {
        return row("Agreement", "none on record", false);
    };
    let mut steps = vec![format!(
        "drafted {}",
        a.drafted_at.with_timezone(&tz).format("%Y-%m-%d")
    )];
    for (word, at) in [
        ("sent", a.sent_at),
        ("signed", a.signed_at),
        ("countersigned", a.countersigned_at),
    ] {
        if let Some(at) = at {
            steps.push(format!(
                "{word} {}",
                at.with_timezone(&tz).format("%Y-%m-%d")
            ));
        }
    }
    let unsigned = a.signed_at.is_none();
    let state = if unsigned {
        format!("{} — NOT SIGNED YET", a.status)
    } else {
        a.status.to_string()
    };
    row(
        "Agreement",
        format!("{state} ({})", steps.join(", ")),
        unsigned,
    )
}

fn session_rows(sessions: &[Session], story: &Story, tz: Tz, now: DateTime<Utc>) -> Vec<Row> {
    if sessions.is_empty() {
        return vec![row("", "none", false)];
    }
    let mut rows = Vec::new();
    for s in sessions {
        rows.push(row(
            when(s.start, tz),
            format!("#{} {}m {}", s.id, s.minutes, s.status),
            false,
        ));
        if !s.notes.trim().is_empty() {
            rows.push(row("", format!("notes: {}", s.notes), false));
        }
        for f in story
            .followups
            .iter()
            .filter(|f| f.session_id == Some(s.id))
        {
            rows.push(row(
                "",
                format!(
                    "{} item: {} (due {}{})",
                    f.owner,
                    f.text,
                    when(f.due, tz),
                    if f.done_at.is_some() { ", done" } else { "" }
                ),
                f.done_at.is_none() && f.due < now,
            ));
        }
    }
    rows
}

fn followup_section(
    title: &'static str,
    story: &Story,
    owner: Owner,
    tz: Tz,
    now: DateTime<Utc>,
) -> Section {
    let rows: Vec<Row> = story
        .followups
        .iter()
        .filter(|f| f.owner == owner && f.done_at.is_none())
        .map(|f| {
            let overdue = f.due < now;
            row(
                when(f.due, tz),
                format!(
                    "#{} {}: {}{}",
                    f.id,
                    f.kind,
                    f.text,
                    if overdue { " (overdue)" } else { "" }
                ),
                overdue,
            )
        })
        .collect();
    Section {
        title,
        rows: if rows.is_empty() {
            vec![row("", "nothing open", false)]
        } else {
            rows
        },
    }
}

/// Requests (with the wait for the first reply) and replies (with their
/// delivery), newest first.
fn timeline_rows(story: &Story, tz: Tz, now: DateTime<Utc>) -> Vec<Row> {
    let mut entries: Vec<(DateTime<Utc>, Row)> = Vec::new();
    for r in &story.requests {
        let (wait, warn) = match r.first_reply_minutes() {
            Some(minutes) => (
                format!("answered after {}", short_span(minutes)),
                r.first_reply_at.is_some_and(|at| at > r.reply_by),
            ),
            None if r.awaits_coach() => (
                format!(
                    "waiting {}{}",
                    short_span((now - r.received_at).num_minutes()),
                    if r.reply_by < now {
                        ", past its reply-by"
                    } else {
                        ""
                    }
                ),
                r.reply_by < now,
            ),
            None => (format!("{}, no reply", r.status), false),
        };
        entries.push((
            r.received_at,
            row(
                when(r.received_at, tz),
                format!(
                    "request #{} ({}, {}): {} — {wait}",
                    r.id,
                    r.channel,
                    r.urgency,
                    r.summary()
                ),
                warn,
            ),
        ));
    }
    for r in &story.replies {
        let about = r
            .subject
            .clone()
            .unwrap_or_else(|| r.body.lines().next().unwrap_or("").to_string());
        entries.push((
            r.sent_at,
            row(
                when(r.sent_at, tz),
                format!("{} #{}: {} ({})", r.kind, r.id, about, r.delivery),
                r.delivery == crate::model::DeliveryState::Failed,
            ),
        ));
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.0));
    if entries.is_empty() {
        return vec![row("", "nothing yet", false)];
    }
    entries.into_iter().map(|(_, row)| row).collect()
}

/// The story as plain text for `client show`.
pub fn text(story: &Story, tz: Tz, now: DateTime<Utc>, today: NaiveDate) -> String {
    let mut out = format!("#{} {}\n", story.client.id, one_line(&story.client.name));
    for section in sections(story, tz, now, today) {
        out.push_str(&format!("{}\n", section.title));
        for r in &section.rows {
            let mark = if r.warn { "!" } else { " " };
            out.push_str(&format!("{mark} {:<18} {}\n", r.head, r.text));
        }
    }
    out
}
