//! `coachbook request …`: capture, list and triage what clients asked.

use anyhow::Result;
use chrono::Duration;

use super::args::RequestCommand;
use super::output;
use super::{Ctx, parse_id};
use crate::error::BadInput;
use crate::model::{Channel, RequestStatus, Urgency};
use crate::store::{NewRequest, RequestFilter, RequestQueries};

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
                say!(
                    "{}",
                    output::for_stdout(&output::requests_text(&requests, ctx))
                );
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
