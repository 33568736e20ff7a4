//! Commands for the care between sessions: how a session went with its
//! notes, action items and recap; the agreement's steps; check-ins; the
//! at-risk list; the client's whole story; parting ways and coming back.

use anyhow::Result;
use serde_json::json;

use super::flows::report_delivery;
use super::{Ctx, output, parse_id};
use crate::care::{self, held, parting};
use crate::compose::TemplateValues;
use crate::error::BadInput;
use crate::model::{ClientStatus, FollowUpKind, ReplyKind, SessionStatus};
use crate::outgoing::{coach_values, templates};
use crate::store::{ClientQueries, PartnerQueries, SessionQueries, Store};

/// Make what is due (chases, check-ins, reminders) before showing the day;
/// a note on stderr says what was made, so JSON on stdout stays clean.
pub fn generate(ctx: &Ctx, store: &mut Store) -> Result<()> {
    let made = care::generate(store, &ctx.config, ctx.now())?;
    if !made.is_empty() {
        warnln!("coachbook: note: generated {}", made.summary());
    }
    for skipped in &made.skipped {
        warnln!("coachbook: note: {skipped}");
    }
    for delivery in &made.deliveries {
        warnln!("coachbook: note: reminder: {}", delivery.message());
    }
    Ok(())
}

pub fn agreement(ctx: &Ctx, step: &str, client: &str, at: Option<&str>) -> Result<()> {
    let step = care::agreement::parse_step(step)?;
    let at = match at {
        Some(text) => ctx.when(text)?,
        None => ctx.now(),
    };
    let mut store = ctx.open()?;
    let client = ctx.client(&store, client)?;
    let agreement = store.change(
        "agreement",
        &format!("agreement with {} {step}", client.name),
        ctx.now(),
        |tx| care::agreement::record(tx, &client, step, at),
    )?;
    sayln!(
        "the agreement with {} is {} ({})",
        client.name,
        agreement.status,
        output::local(at, ctx.config.tz)
    );
    Ok(())
}

/// `session mark ID OUTCOME [--notes] [--action]… [--recap] [--force]`.
pub fn mark_session(
    ctx: &Ctx,
    id: &str,
    outcome: &str,
    notes: Option<String>,
    actions: &[String],
    recap: bool,
    force: bool,
) -> Result<()> {
    let id = parse_id(id, "session")?;
    let outcome = super::sessions::session_outcome(outcome)?;
    if outcome != SessionStatus::Held && (!actions.is_empty() || recap) {
        return Err(BadInput(format!(
            "--action and --recap go with a held session, not {outcome}"
        ))
        .into());
    }
    let actions = actions
        .iter()
        .map(|text| held::parse_action(text, |day| ctx.due(day)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut store = ctx.open()?;
    let session = store.session(id)?;
    let client = store.client(session.client_id)?;
    if outcome != SessionStatus::Held {
        let summary = format!("session #{id} of {}: {outcome}", session.client_name);
        store.change("session mark", &summary, ctx.now(), |tx| {
            tx.mark_session(id, outcome, tx.now)?;
            if let Some(notes) = &notes {
                tx.set_session_notes(id, notes)?;
            }
            Ok(())
        })?;
        sayln!(
            "session #{id} with {} on {}: {outcome}",
            session.client_name,
            output::local(session.start, ctx.config.tz)
        );
        return Ok(());
    }
    let recap = if recap {
        let text = held::render_recap(
            &store,
            &ctx.config,
            &templates(&ctx.config)?,
            &session,
            &client,
            &actions,
        )?;
        care::message::guard(&text, force)?;
        Some(text)
    } else {
        None
    };
    let plan = held::Held {
        session: session.clone(),
        client,
        notes: notes.unwrap_or_default(),
        actions,
        recap,
    };
    let recorded = held::record(&mut store, &ctx.config, &plan, ctx.now())?;
    sayln!(
        "session #{id} with {} on {}: held, {} action item(s)",
        session.client_name,
        output::local(session.start, ctx.config.tz),
        plan.actions.len()
    );
    for action in &plan.actions {
        sayln!(
            "  {}: {} (due {})",
            action.owner,
            action.text,
            output::local(action.due, ctx.config.tz)
        );
    }
    match recorded.recap_reply {
        Some(reply_id) => {
            sayln!("the recap is reply #{reply_id}");
            report_delivery(&mut store, ctx, reply_id)
        }
        None => Ok(()),
    }
}

pub fn list(ctx: &Ctx, json: bool, at_risk: bool) -> Result<()> {
    let mut store = ctx.open()?;
    generate(ctx, &mut store)?;
    let clients = store.clients()?;
    if !at_risk {
        if json {
            output::print_json(&output::clients_json(&clients));
        } else {
            say!("{}", output::for_stdout(&output::clients_text(&clients)));
        }
        return Ok(());
    }
    let risky = care::risk::at_risk(&store, ctx.now())?;
    if json {
        let rows: Vec<_> = risky
            .iter()
            .filter_map(|a| {
                let c = clients.iter().find(|c| c.id == a.client_id)?;
                Some(json!({
                    "id": c.id,
                    "name": c.name,
                    "email": c.emails.first(),
                    "tz": c.tz.name(),
                    "status": c.status.as_str(),
                    "reasons": a.reasons.iter().map(ToString::to_string).collect::<Vec<_>>(),
                }))
            })
            .collect();
        output::print_json(&json!(rows));
    } else if risky.is_empty() {
        sayln!("nobody is at risk");
    } else {
        for a in &risky {
            let reasons: Vec<String> = a.reasons.iter().map(ToString::to_string).collect();
            sayln!(
                "#{:<4} {:<24} {}",
                a.client_id,
                care::message::one_line(&a.client),
                reasons.join("; ")
            );
        }
    }
    Ok(())
}

pub fn show(ctx: &Ctx, name: &str) -> Result<()> {
    let mut store = ctx.open()?;
    // A name that matches nobody is refused before anything is made.
    let client_id = ctx.client(&store, name)?.id;
    generate(ctx, &mut store)?;
    let client = store.client(client_id)?;
    let story = care::story::load(&store, client, ctx.now())?;
    say!(
        "{}",
        care::story::text(&story, ctx.config.tz, ctx.now(), ctx.today())
    );
    Ok(())
}

pub fn end(
    ctx: &Ctx,
    client: &str,
    reason: &str,
    refund: Option<&str>,
    referral: Option<&str>,
    force: bool,
    dry_run: bool,
) -> Result<()> {
    let refund = refund.map(parting::parse_amount).transpose()?;
    let mut store = ctx.open()?;
    let client = ctx.client(&store, client)?;
    let partner = match referral {
        Some(name) => {
            let partners: Vec<(i64, String)> = store
                .partners()?
                .into_iter()
                .map(|p| (p.id, p.name))
                .collect();
            if partners.is_empty() {
                return Err(BadInput(
                    "no partners yet (coachbook partner add NAME --email E)".into(),
                )
                .into());
            }
            let id = crate::domain::lookup::find_client(name, &partners)
                .map_err(|e| BadInput(e.0.replace("client", "partner")))?;
            Some(store.partner(id)?)
        }
        None => None,
    };
    let plan = parting::plan(client, reason, refund, partner)?;
    let note = parting::render_note(&ctx.config, &templates(&ctx.config)?, &plan)?;
    sayln!("To {}: {}", plan.client.name, note.subject);
    for line in note.body.lines() {
        sayln!("  | {line}");
    }
    if dry_run {
        sayln!("dry run: nothing changed");
        return Ok(());
    }
    care::message::guard(&note, force)?;
    let ended = parting::record(&mut store, &ctx.config, &plan, &note, ctx.now())?;
    sayln!(
        "parted ways with {}{}{}; the note is reply #{}",
        plan.client.name,
        plan.partner
            .as_ref()
            .map(|p| format!(", referred to {}", p.name))
            .unwrap_or_default(),
        match ended.cancelled_sessions {
            0 => String::new(),
            n => format!(", {n} session(s) to come cancelled"),
        },
        ended.note_reply
    );
    report_delivery(&mut store, ctx, ended.note_reply)
}

pub fn reactivate(ctx: &Ctx, client: &str) -> Result<()> {
    let mut store = ctx.open()?;
    let client = ctx.client(&store, client)?;
    if client.status == ClientStatus::Active {
        return Err(BadInput(format!("{} is active already", client.name)).into());
    }
    store.change(
        "client reactivate",
        &format!("work with {} again", client.name),
        ctx.now(),
        |tx| tx.reactivate_client(client.id),
    )?;
    sayln!(
        "{} is active again (the parting stays on record)",
        client.name
    );
    Ok(())
}

/// The check-in message from the `check_in` template; sending it closes the
/// client's open check-in follow-up.
pub fn check_in(ctx: &Ctx, client: &str, force: bool, dry_run: bool) -> Result<()> {
    let mut store = ctx.open()?;
    let client = ctx.client(&store, client)?;
    let text = render_check_in(ctx, &client)?;
    sayln!("To {}: {}", client.name, text.subject);
    for line in text.body.lines() {
        sayln!("  | {line}");
    }
    if dry_run {
        sayln!("dry run: nothing changed");
        return Ok(());
    }
    care::message::guard(&text, force)?;
    let reply = care::message::reply_to(
        &ctx.config,
        &client,
        ReplyKind::CheckIn,
        None,
        &text,
        ctx.now(),
    );
    let reply_id = store.change(
        "client check-in",
        &format!("check in with {}", client.name),
        ctx.now(),
        |tx| {
            let id = tx.add_reply(&reply)?;
            tx.close_followups(client.id, FollowUpKind::CheckIn)?;
            Ok(id)
        },
    )?;
    sayln!("the check-in is reply #{reply_id}");
    report_delivery(&mut store, ctx, reply_id)
}

fn render_check_in(ctx: &Ctx, client: &crate::model::Client) -> Result<crate::compose::Rendered> {
    let values = TemplateValues {
        client_first_name: Some(client.first_name().to_string()),
        client_name: Some(client.name.clone()),
        context: client.current_context(ctx.today()).map(str::to_string),
        ..coach_values(&ctx.config)
    };
    Ok(templates(&ctx.config)?
        .render("check_in", &values)
        .map_err(|e| BadInput(e.to_string()))?)
}
