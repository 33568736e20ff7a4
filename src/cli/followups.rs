//! `coachbook followup …`: add, list, complete and move follow-ups.

use anyhow::Result;

use super::args::FollowupCommand;
use super::output;
use super::{Ctx, parse_id};
use crate::error::BadInput;
use crate::model::{FollowUpKind, Owner};
use crate::store::{FollowUpQueries, NewFollowUp};

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
                say!(
                    "{}",
                    output::for_stdout(&output::followups_text(&followups, ctx))
                );
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
