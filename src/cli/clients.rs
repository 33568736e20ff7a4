//! `coachbook client …`: add, list, show, and the rest of a client's record.

use anyhow::Result;

use super::Ctx;
use super::args::{ClientCommand, ClientEditArgs};
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
            use crate::domain::bounds;
            let tz = tz
                .as_deref()
                .map(crate::care::client_edit::time_zone)
                .transpose()?;
            let until = until.map(|d| ctx.day(&d)).transpose()?;
            let email = email
                .iter()
                .map(|e| bounds::email(e))
                .collect::<Result<Vec<_>, _>>()
                .map_err(BadInput::from)?;
            if email.len() > bounds::MAX_EMAILS {
                return Err(BadInput(format!(
                    "at most {} mail addresses per client",
                    bounds::MAX_EMAILS
                ))
                .into());
            }
            let phone = match phone {
                Some(p) => bounds::phone(&p).map_err(BadInput::from)?,
                None => None,
            };
            let context = context
                .map(|c| bounds::context(&c))
                .transpose()
                .map_err(BadInput::from)?;
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
        ClientCommand::Edit(args) => edit(ctx, args)?,
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

/// `client edit`: every value checked before the book is opened for
/// writing; what really changes is one change of the book.
fn edit(ctx: &Ctx, args: ClientEditArgs) -> Result<()> {
    use crate::care::client_edit::{self, ClientEdit, ContextChange};
    let tz = args.tz.as_deref().map(client_edit::time_zone).transpose()?;
    let context = match (&args.context, &args.until, args.clear_context) {
        (_, _, true) => Some(ContextChange::Clear),
        (Some(text), until, false) => {
            let until = until.as_deref().map(|d| ctx.day(d)).transpose()?;
            Some(client_edit::context(text, until, ctx.today())?)
        }
        (None, _, false) => None,
    };
    let asked = ClientEdit {
        name: args.name,
        add_emails: args.email,
        remove_emails: args.remove_email,
        phone: args.phone.map(Some),
        tz,
        notes: args.notes,
        context,
    };
    if asked.is_empty() {
        return Err(BadInput(
            "nothing to change: give --name, --email, --remove-email, --phone, --tz, --notes, --context with --until, or --clear-context".into(),
        )
        .into());
    }
    let mut store = ctx.open()?;
    let client = ctx.client(&store, &args.client)?;
    let edit = asked.against(&client)?;
    if edit.is_empty() {
        sayln!(
            "client #{} {}: nothing changed (the record already says so)",
            client.id,
            client.name
        );
    } else {
        if let Some(name) = &edit.name
            && store
                .client_names()?
                .iter()
                .any(|(id, n)| *id != client.id && n.eq_ignore_ascii_case(name))
        {
            return Err(BadInput(format!("a client named '{name}' exists already")).into());
        }
        let what = edit.describe();
        store.change(
            "client edit",
            &format!("edit client {}: {what}", client.name),
            ctx.now(),
            |tx| tx.edit_client(client.id, &edit),
        )?;
        if !args.json {
            sayln!(
                "edited client #{} {}: {what}",
                client.id,
                edit.name.as_deref().unwrap_or(&client.name)
            );
        }
    }
    if args.json {
        let after = store.client(client.id)?;
        super::output::print_json(&super::output::client_json(&after));
    }
    Ok(())
}
