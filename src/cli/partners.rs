//! `coachbook partner …`: the colleagues a coach hands clients to.

use anyhow::Result;

use super::Ctx;
use super::args::PartnerCommand;
use super::output;
use crate::error::BadInput;
use crate::store::PartnerQueries;

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
