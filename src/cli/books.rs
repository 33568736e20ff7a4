//! The commands that read and change the book.

use std::path::PathBuf;

use anyhow::Result;
use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;

use super::args::{ClientCommand, FollowupCommand, PartnerCommand, RequestCommand, SessionCommand};
use super::output;
use super::{Ctx, parse_id};
use crate::domain::when::day_bounds;
use crate::error::BadInput;
use crate::model::{
    Channel, FollowUpKind, Owner, Repeat, Repeating, RequestStatus, SessionStatus, Urgency,
};
use crate::store::{
    ClientQueries, FollowUpQueries, NewClient, NewFollowUp, NewRequest, NewSession, PartnerQueries,
    RequestFilter, RequestQueries, SessionQueries, Store,
};

pub fn write_demo(ctx: &Ctx, force: bool, announce: bool) -> Result<()> {
    let path = &ctx.book;
    if path.is_dir() {
        return Err(BadInput(format!(
            "{} is a directory, not a book file",
            path.display()
        ))
        .into());
    }
    if path.exists() {
        if !force {
            return Err(BadInput(format!(
                "{} exists already; add --force to replace it with a demo book",
                path.display()
            ))
            .into());
        }
        // Only ever replace a demo book or an empty file, never a real book.
        let store = Store::open(path)?;
        if !crate::demo::is_demo(&store)? && !store.client_names()?.is_empty() {
            return Err(BadInput(format!(
                "{} holds a real book; refusing to replace it with a demo",
                path.display()
            ))
            .into());
        }
        drop(store);
        for suffix in ["", "-wal", "-shm"] {
            let file = PathBuf::from(format!("{}{suffix}", path.display()));
            if file.exists() {
                std::fs::remove_file(&file)?;
            }
        }
    }
    let mut store = Store::open(path)?;
    let summary = crate::demo::generate(&mut store, &ctx.config, ctx.now())?;
    if announce {
        println!("wrote a demo book to {}: {summary}", path.display());
    }
    Ok(())
}

pub fn today(ctx: &Ctx, date: Option<&str>, json: bool) -> Result<()> {
    let date = match date {
        Some(text) => ctx.day(text)?,
        None => ctx.today(),
    };
    let store = ctx.open()?;
    let sheet = crate::dashboard::load(&store, &ctx.config, date, ctx.now())?;
    if json {
        output::print_json(&output::today_json(&sheet, ctx.config.tz));
    } else {
        print!("{}", output::today_text(&sheet, &ctx.config));
    }
    Ok(())
}

pub fn client(ctx: &Ctx, command: ClientCommand) -> Result<()> {
    match command {
        ClientCommand::Add {
            name,
            email,
            phone,
            tz,
            context,
            until,
        } => {
            let tz = tz
                .map(|zone| {
                    zone.parse::<Tz>().map_err(|_| {
                        BadInput(format!(
                            "unknown time zone '{zone}' (use an IANA name such as Europe/London)"
                        ))
                    })
                })
                .transpose()?;
            let until = until.map(|d| ctx.day(&d)).transpose()?;
            let new = NewClient {
                name: name.clone(),
                emails: email,
                phone,
                tz,
                notes: String::new(),
                context,
                context_until: until,
            };
            let mut store = ctx.open()?;
            if store
                .client_names()?
                .iter()
                .any(|(_, n)| n.eq_ignore_ascii_case(name.trim()))
            {
                return Err(
                    BadInput(format!("a client named '{}' exists already", name.trim())).into(),
                );
            }
            let id = store.change(
                "client add",
                &format!("add client {}", name.trim()),
                ctx.now(),
                |tx| tx.add_client(&new, ctx.config.tz),
            )?;
            println!("added client #{id} {}", name.trim());
        }
        ClientCommand::List { json } => {
            let store = ctx.open()?;
            let clients = store.clients()?;
            if json {
                output::print_json(&output::clients_json(&clients));
            } else {
                print!("{}", output::clients_text(&clients));
            }
        }
        ClientCommand::Show { name } => {
            let store = ctx.open()?;
            let client = ctx.client(&store, &name)?;
            print!("{}", output::client_text(&store, &client, ctx)?);
        }
    }
    Ok(())
}

pub fn session(ctx: &Ctx, command: SessionCommand) -> Result<()> {
    match command {
        SessionCommand::Add {
            client,
            when,
            minutes,
            repeat,
            count,
            place,
        } => {
            let start = ctx.when(&when.join(" "))?;
            if minutes <= 0 {
                return Err(BadInput(format!(
                    "--minutes must be a positive number, not {minutes}"
                ))
                .into());
            }
            let repeat = match (repeat, count) {
                (Some(r), count) => Some(Repeating {
                    repeat: Repeat::parse(&r)?,
                    count: count.unwrap_or(6),
                    tz: ctx.config.tz,
                }),
                (None, Some(_)) => {
                    return Err(BadInput(
                        "--count goes with --repeat weekly|fortnightly|monthly".into(),
                    )
                    .into());
                }
                (None, None) => None,
            };
            let mut store = ctx.open()?;
            let client = ctx.client(&store, &client)?;
            let new = NewSession {
                client_id: client.id,
                start,
                minutes,
                place,
                request_id: None,
            };
            let ids = store.change(
                "session add",
                &format!(
                    "book {} for {}",
                    output::local(start, ctx.config.tz),
                    client.name
                ),
                ctx.now(),
                |tx| tx.add_sessions(&new, repeat),
            )?;
            match ids.as_slice() {
                [id] => println!(
                    "booked session #{id}: {} {minutes}m with {}",
                    output::local(start, ctx.config.tz),
                    client.name
                ),
                _ => println!(
                    "booked {} sessions #{}-#{} with {}, first {}",
                    ids.len(),
                    ids.first().copied().unwrap_or_default(),
                    ids.last().copied().unwrap_or_default(),
                    client.name,
                    output::local(start, ctx.config.tz)
                ),
            }
        }
        SessionCommand::List { from, to, json } => {
            let from = match from {
                Some(d) => ctx.day(&d)?,
                None => ctx.today(),
            };
            let to = match to {
                Some(d) => ctx.day(&d)?,
                None => from + Duration::days(13),
            };
            if to < from {
                return Err(BadInput(format!("--to {to} is before --from {from}")).into());
            }
            let store = ctx.open()?;
            let sessions = store.sessions_between(
                day_bounds(from, ctx.config.tz).0,
                day_bounds(to, ctx.config.tz).1,
            )?;
            if json {
                output::print_json(&output::sessions_json(&sessions, ctx.config.tz));
            } else {
                print!("{}", output::sessions_text(&sessions, ctx.config.tz));
            }
        }
        SessionCommand::Mark { id, outcome } => {
            let id = parse_id(&id, "session")?;
            let outcome = session_outcome(&outcome)?;
            let mut store = ctx.open()?;
            let session = store.session(id)?;
            let summary = format!("session #{id} of {}: {outcome}", session.client_name);
            store.change("session mark", &summary, ctx.now(), |tx| {
                tx.mark_session(id, outcome, tx.now)
            })?;
            println!(
                "session #{id} with {} on {}: {outcome}",
                session.client_name,
                output::local(session.start, ctx.config.tz)
            );
        }
        SessionCommand::Move {
            id,
            when,
            by,
            reason,
            notify,
        } => super::flows::move_session(ctx, &id, &when.join(" "), &by, reason.as_deref(), notify)?,
    }
    Ok(())
}

pub fn request(ctx: &Ctx, command: RequestCommand) -> Result<()> {
    match command {
        RequestCommand::Add {
            client,
            text,
            channel,
            urgency,
            at,
        } => {
            let channel = Channel::parse(&channel)?;
            let urgency = Urgency::parse(&urgency)?;
            let received_at = match at {
                Some(at) => ctx.when(&at)?,
                None => ctx.now(),
            };
            if received_at > ctx.now() + Duration::minutes(1) {
                return Err(BadInput(
                    "--at is in the future; a request is logged when it came in".into(),
                )
                .into());
            }
            if text.trim().is_empty() {
                return Err(BadInput("a request needs some text".into()).into());
            }
            let mut store = ctx.open()?;
            let client = ctx.client(&store, &client)?;
            let new = NewRequest {
                client_id: Some(client.id),
                unknown_sender: None,
                received_at,
                channel,
                urgency,
                subject: None,
                body: text,
                message_id: None,
            };
            let clock = ctx.config.reply_clock();
            let id = store.change(
                "request add",
                &format!("{urgency} request from {}", client.name),
                ctx.now(),
                |tx| tx.add_request(&new, &clock),
            )?;
            let request = store.request(id)?;
            println!(
                "logged request #{id} from {} ({urgency}, {channel}); reply by {}",
                client.name,
                output::local(request.reply_by, ctx.config.tz)
            );
        }
        RequestCommand::List { open, json } => {
            let store = ctx.open()?;
            let filter = if open {
                RequestFilter::NotDone
            } else {
                RequestFilter::All
            };
            let requests = store.requests(filter)?;
            if json {
                output::print_json(&output::requests_json(&requests, ctx.config.tz));
            } else {
                print!("{}", output::requests_text(&requests, ctx));
            }
        }
        RequestCommand::Reply(args) => super::flows::reply(ctx, args)?,
        RequestCommand::Handoff {
            id,
            partner,
            dry_run,
        } => super::flows::handoff(ctx, &id, &partner, dry_run)?,
        RequestCommand::Snooze { id, until } => {
            let id = parse_id(&id, "request")?;
            let until = ctx.when(&until.join(" "))?;
            let mut store = ctx.open()?;
            store.request(id)?;
            store.change(
                "request snooze",
                &format!("snooze request #{id}"),
                ctx.now(),
                |tx| tx.set_request_status(id, RequestStatus::Snoozed, Some(until)),
            )?;
            println!(
                "snoozed request #{id} until {} (sooner if the client writes again)",
                output::local(until, ctx.config.tz)
            );
        }
        RequestCommand::Wait { id } => {
            let id = parse_id(&id, "request")?;
            let mut store = ctx.open()?;
            store.request(id)?;
            store.change(
                "request wait",
                &format!("request #{id} waits on the client"),
                ctx.now(),
                |tx| tx.set_request_status(id, RequestStatus::WaitingOnClient, None),
            )?;
            println!("request #{id} waits on the client; its clock restarts when they write again");
        }
        RequestCommand::Urgency { id, urgency } => {
            let id = parse_id(&id, "request")?;
            let urgency = Urgency::parse(&urgency)?;
            let mut store = ctx.open()?;
            store.request(id)?;
            let clock = ctx.config.reply_clock();
            let request = store.change(
                "request urgency",
                &format!("request #{id} is {urgency}"),
                ctx.now(),
                |tx| tx.set_urgency(id, urgency, &clock),
            )?;
            println!(
                "request #{id} is {urgency} now; reply by {}",
                output::local(request.reply_by, ctx.config.tz)
            );
        }
        RequestCommand::Close { id } => {
            let id = parse_id(&id, "request")?;
            let mut store = ctx.open()?;
            store.request(id)?;
            store.change(
                "request close",
                &format!("close request #{id}"),
                ctx.now(),
                |tx| tx.set_request_status(id, RequestStatus::Closed, None),
            )?;
            println!("closed request #{id}");
        }
    }
    Ok(())
}

pub fn followup(ctx: &Ctx, command: FollowupCommand) -> Result<()> {
    match command {
        FollowupCommand::Add {
            client,
            due,
            text,
            owner,
            kind,
        } => {
            let due = ctx.due(&due)?;
            let owner = Owner::parse(&owner)?;
            let kind = FollowUpKind::parse(&kind)?;
            if text.trim().is_empty() {
                return Err(BadInput("a follow-up needs some text".into()).into());
            }
            let mut store = ctx.open()?;
            let client = ctx.client(&store, &client)?;
            let new = NewFollowUp {
                client_id: client.id,
                request_id: None,
                due,
                text,
                owner,
                kind,
            };
            let id = store.change(
                "followup add",
                &format!("follow-up for {}", client.name),
                ctx.now(),
                |tx| tx.add_followup(&new),
            )?;
            println!(
                "added follow-up #{id} for {}, due {}",
                client.name,
                output::local(due, ctx.config.tz)
            );
        }
        FollowupCommand::List { overdue, json } => {
            let store = ctx.open()?;
            let followups = if overdue {
                store.followups_due_before(ctx.now())?
            } else {
                store.followups()?
            };
            if json {
                output::print_json(&output::followups_json(&followups, ctx.config.tz));
            } else {
                print!("{}", output::followups_text(&followups, ctx));
            }
        }
        FollowupCommand::Done { id } => {
            let id = parse_id(&id, "follow-up")?;
            let mut store = ctx.open()?;
            store.followup(id)?;
            let done = store.change(
                "followup done",
                &format!("follow-up #{id} done"),
                ctx.now(),
                |tx| tx.complete_followup(id),
            )?;
            println!(
                "done: follow-up #{id} for {} ({})",
                done.client_name, done.text
            );
        }
    }
    Ok(())
}

pub fn partner(ctx: &Ctx, command: PartnerCommand) -> Result<()> {
    match command {
        PartnerCommand::Add { name, email, phone } => {
            if email.as_deref().is_some_and(|e| !e.contains('@')) {
                return Err(BadInput(format!(
                    "'{}' is not a mail address",
                    email.unwrap_or_default()
                ))
                .into());
            }
            let mut store = ctx.open()?;
            let id = store.change(
                "partner add",
                &format!("add partner {}", name.trim()),
                ctx.now(),
                |tx| tx.add_partner(&name, email.as_deref(), phone.as_deref()),
            )?;
            println!("added partner #{id} {}", name.trim());
        }
        PartnerCommand::List { json } => {
            let store = ctx.open()?;
            let partners = store.partners()?;
            if json {
                output::print_json(&output::partners_json(&partners));
            } else {
                for p in partners {
                    println!(
                        "#{:<4} {:<24} {:<28} {}",
                        p.id,
                        p.name,
                        p.email.unwrap_or_default(),
                        p.phone.unwrap_or_default()
                    );
                }
            }
        }
    }
    Ok(())
}

pub fn backup(ctx: &Ctx, out: Option<PathBuf>) -> Result<()> {
    let store = ctx.open()?;
    let dest = out.unwrap_or_else(|| {
        backup_folder(&store).join(format!(
            "book-{}.sqlite",
            ctx.now().format("%Y%m%dT%H%M%SZ")
        ))
    });
    store.backup_to(&dest)?;
    println!("backed up the book to {}", dest.display());
    Ok(())
}

pub fn check(ctx: &Ctx) -> Result<()> {
    let store = ctx.open()?;
    let problems = store.check()?;
    if problems.is_empty() {
        println!(
            "the book at {} is healthy (schema {})",
            store.path().display(),
            store.schema_version()?
        );
        Ok(())
    } else {
        for problem in &problems {
            println!("{problem}");
        }
        anyhow::bail!("the book has {} problem(s)", problems.len())
    }
}

fn backup_folder(store: &Store) -> PathBuf {
    store
        .path()
        .parent()
        .map(|p| p.join("backups"))
        .unwrap_or_else(|| PathBuf::from("backups"))
}

/// How many daily backups are kept.
const KEEP_BACKUPS: usize = 14;

/// Once a day, copy the book to `backups/book-DAY.sqlite` and keep the
/// latest 14. A failure here is logged, never fatal.
pub fn daily_backup(store: &Store, today: NaiveDate) {
    let folder = backup_folder(store);
    let dest = folder.join(format!("book-{today}.sqlite"));
    if dest.exists() {
        return;
    }
    if let Err(err) = store.backup_to(&dest) {
        crate::log::line(&format!(
            "daily backup failed: {}",
            crate::error::one_line(&err)
        ));
        return;
    }
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return;
    };
    let mut daily: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with("book-") && n.len() == "book-2026-11-23.sqlite".len()
            })
        })
        .collect();
    daily.sort();
    while daily.len() > KEEP_BACKUPS {
        let oldest = daily.remove(0);
        let _ = std::fs::remove_file(oldest);
    }
}

/// The outcomes a coach records for a session.
fn session_outcome(text: &str) -> Result<SessionStatus, BadInput> {
    match SessionStatus::parse(text)? {
        status @ (SessionStatus::Held | SessionStatus::NoShow | SessionStatus::Cancelled) => {
            Ok(status)
        }
        other => Err(BadInput(format!(
            "a session is marked held, no-show or cancelled, not {other}"
        ))),
    }
}
