//! `coachbook client …`: add, list, show, and the rest of a client's record.

use anyhow::Result;
use chrono_tz::Tz;

use super::Ctx;
use super::args::ClientCommand;
use crate::error::BadInput;
use crate::store::{ClientQueries, NewClient};

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
