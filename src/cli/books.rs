//! The commands that read and change the book.

use std::path::PathBuf;

use anyhow::Result;
use chrono::Duration;
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
    let mut store = make_room_for_demo(ctx, force)?;
    let summary = crate::demo::generate(&mut store, &ctx.config, ctx.now())?;
    if announce {
        sayln!("wrote a demo book to {}: {summary}", ctx.book.display());
    }
    Ok(())
}

/// `demo --years N`: a whole career's book, for measuring.
pub fn write_years(ctx: &Ctx, years: u32, force: bool) -> Result<()> {
    let mut store = make_room_for_demo(ctx, force)?;
    let summary = crate::demo::years::write_years(&mut store, &ctx.config, ctx.now(), years)?;
    sayln!("wrote a demo book to {}: {summary}", ctx.book.display());
    Ok(())
}

/// `demo --mbox N --out PATH`: a year of mail from the demo book's clients.
pub fn write_demo_mbox(
    ctx: &Ctx,
    count: usize,
    out: Option<&std::path::Path>,
    force: bool,
) -> Result<()> {
    let out = out.ok_or_else(|| BadInput("--mbox needs --out PATH".into()))?;
    let existing = crate::files::check_destination(out, &ctx.book, force)?;
    if !ctx.book.is_file() {
        return Err(BadInput(format!(
            "there is no book at {}; write one first with 'coachbook demo --years N --db PATH'",
            ctx.book.display()
        ))
        .into());
    }
    let store = Store::open(&ctx.book)?;
    // The file names the book's clients: only a generated book may lend them.
    if !crate::demo::is_demo(&store)? {
        return Err(BadInput(format!(
            "{} is not a demo book; --mbox writes mail from a demo book's clients only",
            ctx.book.display()
        ))
        .into());
    }
    let clients: Vec<crate::demo::mbox::Sender> = store
        .clients()?
        .into_iter()
        .filter(|c| c.status == crate::model::ClientStatus::Active)
        .filter_map(|c| {
            c.emails.first().map(|email| crate::demo::mbox::Sender {
                name: c.name.clone(),
                email: email.clone(),
            })
        })
        .collect();
    let coach = crate::demo::mbox::Sender {
        name: ctx.config.coach_name.clone(),
        email: ctx
            .config
            .addresses
            .first()
            .cloned()
            .unwrap_or_else(|| "coach@example.org".into()),
    };
    let mut bytes = Vec::new();
    let summary = crate::demo::mbox::write_mbox(&mut bytes, &clients, &coach, ctx.now(), count)?;
    crate::files::write_file(out, &bytes, existing)?;
    sayln!("wrote {}: {summary}", out.display());
    if ctx.config.addresses.is_empty() {
        sayln!(
            "note: the coach's replies come from {}; list it in [coach] addresses for 'import mail' to count them as replies",
            coach.email
        );
    }
    Ok(())
}

/// Open an empty book at the demo path, having removed a demo book there
/// (`--force`); a real book is never touched.
fn make_room_for_demo(ctx: &Ctx, force: bool) -> Result<Store> {
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
    Store::open(path)
}

pub fn today(ctx: &Ctx, date: Option<&str>, json: bool) -> Result<()> {
    let date = match date {
        Some(text) => ctx.day(text)?,
        None => ctx.today(),
    };
    let mut store = ctx.open()?;
    super::care::generate(ctx, &mut store)?;
    let sheet = crate::dashboard::load(&store, &ctx.config, date, ctx.now())?;
    if json {
        output::print_json(&output::today_json(&sheet, ctx.config.tz));
    } else {
        say!("{}", output::today_text(&sheet, &ctx.config));
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
            sayln!("added client #{id} {}", crate::text::one_line_field(&name));
        }
        ClientCommand::List { json, at_risk } => super::care::list(ctx, json, at_risk)?,
        ClientCommand::Show { name } => super::care::show(ctx, &name)?,
        ClientCommand::End {
            client,
            reason,
            refund,
            referral,
            force,
            dry_run,
        } => super::care::end(
            ctx,
            &client,
            &reason,
            refund.as_deref(),
            referral.as_deref(),
            force,
            dry_run,
        )?,
        ClientCommand::Reactivate { client } => super::care::reactivate(ctx, &client)?,
        ClientCommand::CheckIn {
            client,
            force,
            dry_run,
        } => super::care::check_in(ctx, &client, force, dry_run)?,
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
                [id] => sayln!(
                    "booked session #{id}: {} {minutes}m with {}",
                    output::local(start, ctx.config.tz),
                    client.name
                ),
                _ => sayln!(
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
                say!("{}", output::sessions_text(&sessions, ctx.config.tz));
            }
        }
        SessionCommand::Mark {
            id,
            outcome,
            notes,
            actions,
            recap,
            notify,
            force,
        } => {
            let status = session_outcome(&outcome)?;
            let cancelled = status == crate::model::SessionStatus::Cancelled;
            if notify && !cancelled {
                return Err(BadInput("--notify goes with cancelled".into()).into());
            }
            if cancelled && notes.is_some() && notify {
                return Err(BadInput(
                    "--notes and --notify: cancel with --notify first, then add the notes with `session mark ID cancelled --notes`".into(),
                )
                .into());
            }
            if cancelled && notes.is_none() {
                return super::flows::cancel(ctx, &id, notify, force);
            }
            super::care::mark_session(ctx, &id, &outcome, notes, &actions, recap, force)?
        }
        SessionCommand::Move {
            id,
            when,
            by,
            reason,
            notify,
            force,
        } => super::flows::move_session(
            ctx,
            &id,
            &when.join(" "),
            &by,
            reason.as_deref(),
            (notify, force),
        )?,
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
            sayln!(
                "logged request #{id} from {} ({urgency}, {channel}); reply by {}",
                client.name,
                output::local(request.reply_by, ctx.config.tz)
            );
        }
        RequestCommand::List { open, status, json } => {
            let filter = match status.as_deref().map(crate::model::RequestStatus::parse) {
                Some(Err(err)) => return Err(BadInput(format!("--status: {}", err.0)).into()),
                Some(Ok(status)) => RequestFilter::Status(status),
                None if open => RequestFilter::NotDone,
                None => RequestFilter::All,
            };
            let store = ctx.open()?;
            let requests = store.requests(filter)?;
            if json {
                output::print_json(&output::requests_json(&requests, ctx.config.tz));
            } else {
                say!("{}", output::requests_text(&requests, ctx));
            }
        }
        RequestCommand::Reply(args) => super::flows::reply(ctx, args)?,
        RequestCommand::Handoff {
            id,
            partner,
            dry_run,
            force,
        } => super::flows::handoff(ctx, &id, &partner, dry_run, force)?,
        RequestCommand::Snooze { id, until, force } => {
            let id = parse_id(&id, "request")?;
            let until = ctx.when(&until.join(" "))?;
            let mut store = ctx.open()?;
            if let Some(risk) = store.request(id)?.put_aside_risk(Some(until))
                && !force
            {
                return Err(BadInput(format!("{risk} (answer it first, or add --force)")).into());
            }
            store.change(
                "request snooze",
                &format!("snooze request #{id}"),
                ctx.now(),
                |tx| tx.set_request_status(id, RequestStatus::Snoozed, Some(until)),
            )?;
            sayln!(
                "snoozed request #{id} until {} (sooner if the client writes again)",
                output::local(until, ctx.config.tz)
            );
        }
        RequestCommand::Wait { id, force } => {
            let id = parse_id(&id, "request")?;
            let mut store = ctx.open()?;
            if let Some(risk) = store.request(id)?.put_aside_risk(None)
                && !force
            {
                return Err(BadInput(format!("{risk} (answer it first, or add --force)")).into());
            }
            store.change(
                "request wait",
                &format!("request #{id} waits on the client"),
                ctx.now(),
                |tx| tx.set_request_status(id, RequestStatus::WaitingOnClient, None),
            )?;
            sayln!("request #{id} waits on the client; its clock restarts when they write again");
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
            sayln!(
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
            sayln!("closed request #{id}");
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
                made_by_reply: None,
                callback: false,
            };
            let id = store.change(
                "followup add",
                &format!("follow-up for {}", client.name),
                ctx.now(),
                |tx| tx.add_followup(&new),
            )?;
            sayln!(
                "added follow-up #{id} for {}, due {}",
                client.name,
                output::local(due, ctx.config.tz)
            );
        }
        FollowupCommand::List { overdue, json } => {
            let mut store = ctx.open()?;
            super::care::generate(ctx, &mut store)?;
            let followups = if overdue {
                store.followups_due_before(ctx.now())?
            } else {
                store.followups()?
            };
            if json {
                output::print_json(&output::followups_json(&followups, ctx.config.tz));
            } else {
                say!("{}", output::followups_text(&followups, ctx));
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
            sayln!(
                "done: follow-up #{id} for {} ({})",
                done.client_name,
                done.text
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
            sayln!("added partner #{id} {}", crate::text::one_line_field(&name));
        }
        PartnerCommand::List { json } => {
            let store = ctx.open()?;
            let partners = store.partners()?;
            if json {
                output::print_json(&output::partners_json(&partners));
            } else {
                for p in partners {
                    sayln!(
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

pub fn backup(ctx: &Ctx, out: Option<PathBuf>, force: bool) -> Result<()> {
    let (dest, existing) = match out {
        Some(out) => {
            let existing = crate::files::check_destination(&out, &ctx.book, force)?;
            (out, existing)
        }
        None => {
            let folder = crate::store::backup::folder(&ctx.book);
            create_private_folder(&folder)?;
            let stem = ctx
                .book
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "book".into());
            let name = format!("{stem}-{}.sqlite", ctx.now().format("%Y%m%dT%H%M%SZ"));
            (folder.join(name), crate::files::Existing::Keep)
        }
    };
    let store = ctx.open()?;
    store.backup_to(&dest, existing)?;
    sayln!("backed up the book to {} (verified)", dest.display());
    Ok(())
}

fn create_private_folder(folder: &std::path::Path) -> Result<()> {
    use anyhow::Context as _;
    use std::os::unix::fs::DirBuilderExt as _;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(folder)
        .with_context(|| format!("cannot create the folder {}", folder.display()))
}

pub fn check(ctx: &Ctx) -> Result<()> {
    let store = match ctx.open() {
        Ok(store) => store,
        Err(err) if crate::store::is_damaged(&err) => {
            // Say what SQLite finds, without changing the file.
            for problem in crate::store::check_damaged(&ctx.book) {
                sayln!("{problem}");
            }
            return Err(err);
        }
        Err(err) => return Err(err),
    };
    let problems = store.check()?;
    if problems.is_empty() {
        sayln!(
            "the book at {} is healthy (schema {})",
            store.path().display(),
            store.schema_version()?
        );
        Ok(())
    } else {
        for problem in &problems {
            sayln!("{problem}");
        }
        anyhow::bail!("the book has {} problem(s)", problems.len())
    }
}

/// The outcomes a coach records for a session.
pub(super) fn session_outcome(text: &str) -> Result<SessionStatus, BadInput> {
    match SessionStatus::parse(text)? {
        status @ (SessionStatus::Held | SessionStatus::NoShow | SessionStatus::Cancelled) => {
            Ok(status)
        }
        other => Err(BadInput(format!(
            "a session is marked held, no-show or cancelled, not {other}"
        ))),
    }
}
