//! Commands that write to clients: replies and the emergency reschedule.

use anyhow::Result;

use super::args::ReplyArgs;
use super::{Ctx, output, parse_id};
use crate::compose::{Delivery, TemplateValues, client_time_text};
use crate::domain::slots::{SlotSearch, free_slots};
use crate::error::BadInput;
use crate::flows::emergency;
use crate::model::{DeliveryState, ReplyKind};
use crate::outgoing::{coach_values, deliver_reply, guard_outgoing, templates};
use crate::store::{ClientQueries, PartnerQueries, RequestQueries, SessionQueries, Store};

pub fn reply(ctx: &Ctx, args: ReplyArgs) -> Result<()> {
    let id = parse_id(&args.id, "request")?;
    let now = ctx.now();
    let promise = args.promise.as_deref().map(|w| ctx.when(w)).transpose()?;
    if promise.is_some_and(|at| at <= now) {
        return Err(BadInput("--promise must be a time still to come".into()).into());
    }
    let mut store = ctx.open()?;
    let request = store.request(id)?;
    let client = request.client_id.map(|c| store.client(c)).transpose()?;
    let (subject, body, kind) = match (&args.choice.text, &args.choice.template) {
        (Some(text), _) => (
            request.subject.as_ref().map(|s| format!("Re: {s}")),
            text.clone(),
            ReplyKind::Reply,
        ),
        (None, Some(template)) => {
            let templates = templates(&ctx.config)?;
            let tz = client.as_ref().map_or(ctx.config.tz, |c| c.tz);
            let options = match args.options {
                Some(count) => {
                    let search = SlotSearch {
                        count,
                        ..SlotSearch::new(60, now, tz)
                    };
                    let busy = store.busy_between(now, now + chrono::Duration::days(8))?;
                    free_slots(&search, &busy, &ctx.config.hours, ctx.config.tz)
                        .into_iter()
                        .map(|s| client_time_text(s, tz))
                        .collect()
                }
                None => Vec::new(),
            };
            let values = TemplateValues {
                client_first_name: client.as_ref().map(|c| c.first_name().to_string()),
                client_name: client.as_ref().map(|c| c.name.clone()),
                request_summary: Some(request.summary()),
                promised_time: promise.map(|at| client_time_text(at, tz)),
                options,
                context: client
                    .as_ref()
                    .and_then(|c| c.current_context(ctx.today()).map(str::to_string)),
                ..coach_values(&ctx.config)
            };
            let rendered = templates
                .render(template, &values)
                .map_err(|e| BadInput(e.to_string()))?;
            let kind = crate::flows::reply::kind_for_template(template);
            (Some(rendered.subject), rendered.body, kind)
        }
        (None, None) => return Err(BadInput("give --text or --template".into()).into()),
    };
    if body.trim().is_empty() {
        return Err(BadInput("a reply needs some text".into()).into());
    }
    // The client's own words (their subject, quoted in "Re: …") are theirs.
    let quoted: Vec<String> = request.subject.iter().cloned().collect();
    crate::outgoing::guard_outgoing_quoting(
        "the reply",
        subject.as_deref().unwrap_or(""),
        &body,
        &quoted,
        args.force,
    )?;
    let answer = crate::flows::reply::Answer {
        subject,
        body,
        kind,
        promise,
        send: !args.no_send,
    };
    let reply_id = crate::flows::reply::record(
        &mut store,
        &ctx.config,
        &request,
        client.as_ref(),
        &answer,
        now,
    )?
    .reply_id;
    sayln!(
        "recorded reply #{reply_id} to request #{id} from {}",
        request.client_name
    );
    if let Some(due) = promise {
        sayln!(
            "promised by {}: added a follow-up",
            output::local(due, ctx.config.tz)
        );
    }
    let delivered = if args.no_send {
        Ok(())
    } else {
        report_delivery(&mut store, ctx, reply_id)
    };
    let request = store.request(id)?;
    match request.first_reply_minutes() {
        Some(minutes) => sayln!(
            "request #{id} is answered; first reply after {}",
            crate::dashboard::short_span(minutes)
        ),
        None => sayln!(
            "request #{id} still counts as unanswered until the reply reaches {} \
             (coachbook deliver --mark-sent {reply_id} once you sent it)",
            request.client_name
        ),
    }
    delivered
}

/// Deliver a recorded reply and say where it went. A failed delivery is
/// reported (exit 1) but the reply stays recorded, marked for a retry.
pub(super) fn report_delivery(store: &mut Store, ctx: &Ctx, reply_id: i64) -> Result<()> {
    let outcome = deliver_reply(store, &ctx.config, reply_id, ctx.now())?;
    match &outcome {
        Delivery::Failed { .. } => {
            anyhow::bail!(
                "reply #{reply_id} is recorded but not delivered: {}",
                outcome.message()
            )
        }
        Delivery::Outbox { path } => {
            sayln!("{}", outcome.message());
            copy_to_clipboard(path);
        }
        Delivery::Sent { .. } => sayln!("{}", outcome.message()),
    }
    Ok(())
}

/// With no send command, the message also goes to the clipboard (OSC 52),
/// but only when stdout is a terminal that can take the escape sequence.
fn copy_to_clipboard(path: &std::path::Path) {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return;
    }
    if let Ok(text) = std::fs::read_to_string(path) {
        // The one escape sequence coachbook sends on purpose (OSC 52 copy).
        print!("{}", crate::compose::osc52_copy(&text));
        sayln!("(copied to the clipboard)");
    }
}

/// How `emergency` was asked to go.
pub struct EmergencyChoices {
    /// Move the session to the first offered time, held for the client.
    pub hold: bool,
    pub dry_run: bool,
    /// Send a text the guardrails flagged anyway.
    pub force: bool,
}

pub fn emergency(
    ctx: &Ctx,
    session_id: &str,
    for_client: Option<&str>,
    options: usize,
    template: &str,
    choices: EmergencyChoices,
) -> Result<()> {
    let EmergencyChoices {
        hold,
        dry_run,
        force,
    } = choices;
    let session_id = parse_id(session_id, "session")?;
    let now = ctx.now();
    let mut store = ctx.open()?;
    let templates = templates(&ctx.config)?;
    let crisis = for_client
        .map(|name| -> Result<_> { emergency::crisis_for(&store, ctx.client(&store, name)?, now) })
        .transpose()?;
    let mut plan = emergency::plan(
        &store,
        &ctx.config,
        &templates,
        now,
        session_id,
        crisis,
        options,
        template,
    )?;
    if hold {
        plan = emergency::with_held_slot(&ctx.config, &templates, plan)?;
    }
    say!("{}", describe(&plan, ctx));
    if dry_run {
        sayln!("dry run: nothing changed");
        return Ok(());
    }
    // The same guardrails as every other message, before anything is written.
    guard_outgoing(
        "the apology",
        &plan.apology.subject,
        &plan.apology.body,
        force,
    )?;
    if let Some(confirmation) = &plan.crisis_confirmation {
        guard_outgoing(
            "the crisis confirmation",
            &confirmation.subject,
            &confirmation.body,
            force,
        )?;
    }
    let applied = emergency::apply(&mut store, &ctx.config, &plan, &plan.apology.body, now)?;
    sayln!(
        "session #{session_id} with {} is {}; the apology is reply #{}",
        plan.client.name,
        if hold {
            "moved to the first offered time"
        } else {
            "rescheduled (awaiting their choice)"
        },
        applied.apology_reply
    );
    if let Some(id) = applied.crisis_session {
        sayln!("booked the crisis call as session #{id}");
    }
    let apology = report_delivery(&mut store, ctx, applied.apology_reply);
    let confirmation = match applied.crisis_confirmation {
        Some(reply_id) => {
            sayln!("confirmation to the client in crisis is reply #{reply_id}");
            report_delivery(&mut store, ctx, reply_id)
        }
        None => Ok(()),
    };
    if let Some(id) = applied.callback_followup {
        sayln!(
            "the client in crisis has no email: follow-up #{id} reminds you to call them back \
             (coachbook followup done {id} records it as their first reply)"
        );
    }
    // Both failures are said: the crisis client's matters as much.
    match (apology, confirmation) {
        (Err(apology), Err(confirmation)) => Err(anyhow::anyhow!(
            "{}; {}",
            crate::error::one_line(&apology),
            crate::error::one_line(&confirmation)
        )),
        (apology, confirmation) => apology.and(confirmation),
    }
}

fn describe(plan: &emergency::Plan, ctx: &Ctx) -> String {
    let tz = ctx.config.tz;
    let s = &plan.candidate.session;
    let mut out = format!(
        "Free session #{} with {}, {} ({}m)\n",
        s.id,
        plan.client.name,
        output::local(s.start, tz),
        s.minutes
    );
    out.push_str(&format!(
        "  moved by you {}x in the last 90 days{}\n",
        plan.candidate.coach_moves,
        if plan.candidate.first_session {
            "; it is their FIRST session"
        } else {
            ""
        }
    ));
    if let Some(crisis) = &plan.crisis {
        out.push_str(&format!(
            "  crisis call: {} at {}{}\n",
            crisis.client.name,
            output::local(s.start, tz),
            crisis
                .request
                .as_ref()
                .map(|r| format!(" (answers request #{})", r.id))
                .unwrap_or_default()
        ));
    }
    out.push_str("Offer:\n");
    for (n, slot) in plan.slots.iter().enumerate() {
        out.push_str(&format!(
            "  {}. {}   (yours: {}){}\n",
            n + 1,
            client_time_text(*slot, plan.client.tz),
            output::local(*slot, tz),
            if n == 0 && plan.hold_first_slot {
                "  held"
            } else {
                ""
            }
        ));
    }
    out.push_str(&format!(
        "Apology ({}):\n  Subject: {}\n",
        plan.template, plan.apology.subject
    ));
    for line in plan.apology.body.lines() {
        out.push_str(&format!("  | {line}\n"));
    }
    if plan.guardrails.is_empty() {
        out.push_str("Guardrails: nothing flagged\n");
    }
    for flag in &plan.guardrails {
        out.push_str(&format!("Guardrail: {}\n", flag.message()));
    }
    out
}

/// `undo [CHANGE_ID] [--notify]`: revert a change without rewinding what a
/// client holds; with `notify`, each client told of it gets a "please
/// disregard — our session stands at TIME" note with a higher SEQUENCE.
pub fn undo(ctx: &Ctx, change_id: Option<&str>, notify: bool, force: bool) -> Result<()> {
    let now = ctx.now();
    let mut store = ctx.open()?;
    let id = match change_id {
        Some(text) => parse_id(text, "change")?,
        None => {
            store
                .last_undoable_change()?
                .ok_or_else(|| BadInput("nothing to undo".into()))?
                .id
        }
    };
    // A broken templates folder refuses before anything changes.
    let templates = templates(&ctx.config)?;
    if notify {
        crate::flows::reassure::check_template(&ctx.config, &templates, force)?;
    }
    let undone = store.undo_truthfully(id, now)?;
    sayln!("undone: {}", undone.change.summary);
    for name in &undone.told_of_removed {
        sayln!(
            "{name} was sent the invitation for the call this change booked; a follow-up on the dashboard reminds you to tell them it was undone"
        );
    }
    let mut delivered = Ok(());
    for session_id in &undone.to_reassure {
        let session = store.session(*session_id)?;
        let client = store.client(session.client_id)?;
        if !notify {
            sayln!(
                "{} was already told about this change; `coachbook undo --notify` would have sent \
                 a note that the session stands ({})",
                client.name,
                output::local(session.start, ctx.config.tz)
            );
            continue;
        }
        let reply_id = match crate::flows::reassure::record_stands_note(
            &mut store,
            &ctx.config,
            &templates,
            *session_id,
            force,
            now,
        ) {
            Ok(reply_id) => reply_id,
            Err(err) => {
                warnln!("coachbook: {}", crate::error::one_line(&err));
                delivered = Err(anyhow::anyhow!("the note to {} was not sent", client.name));
                continue;
            }
        };
        sayln!(
            "told {} the session stands at {} (reply #{reply_id})",
            client.name,
            output::local(session.start, ctx.config.tz)
        );
        delivered = delivered.and(report_delivery(&mut store, ctx, reply_id));
    }
    delivered
}

/// `session mark ID cancelled [--notify] [--following]`: cancel, and with
/// `notify` send the client the note with a calendar cancellation.
pub fn cancel(
    ctx: &Ctx,
    id: &str,
    occurrences: crate::flows::booking::Occurrences,
    notify: bool,
    force: bool,
) -> Result<()> {
    let id = parse_id(id, "session")?;
    let mut store = ctx.open()?;
    let session = store.session(id)?;
    let templates = templates(&ctx.config)?;
    let cancelled = crate::flows::cancel::cancel_sessions(
        &mut store,
        &ctx.config,
        &templates,
        (id, occurrences),
        (notify, force),
        ctx.now(),
    )?;
    sayln!(
        "session #{id} with {} on {}: cancelled{}",
        session.client_name,
        output::local(session.start, ctx.config.tz),
        match cancelled.count {
            1 => String::new(),
            n => format!(", and the {} after it", n - 1),
        }
    );
    match cancelled.note {
        Some(reply_id) => report_delivery(&mut store, ctx, reply_id),
        None => {
            sayln!(
                "{} was not told (--notify sends the note)",
                session.client_name
            );
            Ok(())
        }
    }
}

/// `deliver --mark-sent ID`: the coach sent a reply from the outbox (or a
/// failed one) with their own mail; it reached the client at `at`.
pub fn mark_sent(ctx: &Ctx, reply_id: &str, at: Option<&str>) -> Result<()> {
    let id = parse_id(reply_id, "reply")?;
    let at = at.map(|w| ctx.when(w)).transpose()?.unwrap_or(ctx.now());
    let mut store = ctx.open()?;
    let reply = store.change(
        "deliver mark-sent",
        &format!("reply #{id} marked sent"),
        ctx.now(),
        |tx| tx.mark_reply_sent(id, at, "marked sent by the coach"),
    )?;
    sayln!(
        "reply #{id} marked sent at {}",
        output::local(reply.delivered_at.unwrap_or(at), ctx.config.tz)
    );
    if let Some(request_id) = reply.request_id {
        let request = store.request(request_id)?;
        if let Some(minutes) = request.first_reply_minutes() {
            sayln!(
                "request #{request_id} from {} is answered; first reply after {}",
                request.client_name,
                crate::dashboard::short_span(minutes)
            );
        }
    }
    Ok(())
}

/// Retry delivery of failed replies: one by id, or all of them.
pub fn redeliver(ctx: &Ctx, reply_id: Option<&str>) -> Result<()> {
    let mut store = ctx.open()?;
    let ids: Vec<i64> = match reply_id {
        Some(text) => {
            let id = parse_id(text, "reply")?;
            let reply = store.reply(id)?;
            if matches!(
                reply.delivery,
                DeliveryState::Sent | DeliveryState::Recorded
            ) {
                return Err(BadInput(format!("reply #{id} was {} already", reply.delivery)).into());
            }
            vec![id]
        }
        None => store.undelivered_replies()?.iter().map(|r| r.id).collect(),
    };
    if ids.is_empty() {
        sayln!("nothing waits for delivery");
    }
    let mut failed = 0;
    for id in ids {
        if let Err(err) = report_delivery(&mut store, ctx, id) {
            warnln!("coachbook: {}", crate::error::one_line(&err));
            failed += 1;
        }
    }
    if failed > 0 {
        anyhow::bail!(
            "{failed} repl{} still not delivered",
            if failed == 1 { "y" } else { "ies" }
        );
    }
    Ok(())
}

pub fn handoff(
    ctx: &Ctx,
    request_id: &str,
    partner: &str,
    dry_run: bool,
    force: bool,
) -> Result<()> {
    let request_id = parse_id(request_id, "request")?;
    let mut store = ctx.open()?;
    let partners: Vec<(i64, String)> = store
        .partners()?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    if partners.is_empty() {
        return Err(
            BadInput("no partners yet (coachbook partner add NAME --email E)".into()).into(),
        );
    }
    let partner_id = crate::domain::lookup::find_client(partner, &partners)
        .map_err(|e| BadInput(e.0.replace("client", "partner")))?;
    let templates = templates(&ctx.config)?;
    let plan = crate::flows::handoff::plan(
        &store,
        &ctx.config,
        &templates,
        request_id,
        partner_id,
        ctx.today(),
    )?;
    for (who, text) in [
        (&plan.client.name, &plan.note_to_client),
        (&plan.partner.name, &plan.brief_to_partner),
    ] {
        sayln!("To {who}: {}", text.subject);
        for line in text.body.lines() {
            sayln!("  | {line}");
        }
    }
    if dry_run {
        sayln!("dry run: nothing changed");
        return Ok(());
    }
    let quoted = crate::flows::handoff::quoted(&plan, ctx.today());
    for (what, text) in [
        ("the hand-off note", &plan.note_to_client),
        ("the partner brief", &plan.brief_to_partner),
    ] {
        crate::outgoing::guard_outgoing_quoting(what, &text.subject, &text.body, &quoted, force)?;
    }
    let applied = crate::flows::handoff::apply(&mut store, &ctx.config, &plan, ctx.now())?;
    sayln!(
        "handed request #{request_id} to {}: note #{} to {}, brief #{} to the partner",
        plan.partner.name,
        applied.note_reply,
        plan.client.name,
        applied.brief_reply
    );
    let note = report_delivery(&mut store, ctx, applied.note_reply);
    let brief = report_delivery(&mut store, ctx, applied.brief_reply);
    note.and(brief)
}

/// `session move`: the new time in one change (refused on a clash unless
/// allowed; never into the past); with `notify`, the client gets a note and
/// the calendar update in that same change, then delivery.
pub fn move_session(
    ctx: &Ctx,
    id: &str,
    when: &str,
    (by, reason): (&str, Option<&str>),
    (notify, force): (bool, bool),
    (allow, occurrences): (
        crate::flows::booking::Allow,
        crate::flows::booking::Occurrences,
    ),
) -> Result<()> {
    let id = parse_id(id, "session")?;
    let to = ctx.when(when)?;
    let by = crate::model::MovedBy::parse(by)?;
    let now = ctx.now();
    let mut store = ctx.open()?;
    let plan = crate::flows::booking::plan_move(
        &store,
        ctx.config.tz,
        id,
        to,
        (by, reason.map(str::to_string)),
        occurrences,
    )?;
    // Render before anything is written: a missing value refuses the move.
    let note = if notify {
        let note =
            crate::flows::moving::draft_note(&store, &ctx.config, &templates(&ctx.config)?, &plan)?;
        guard_outgoing("template session_moved", &note.subject, &note.body, force)?;
        Some(note)
    } else {
        None
    };
    let moved = crate::flows::moving::record_move(
        &mut store,
        &ctx.config,
        &plan,
        note.as_ref(),
        allow,
        now,
    )?;
    sayln!(
        "moved session #{id} with {} from {} to {}{}",
        moved.session.client_name,
        output::local(plan.session.start, ctx.config.tz),
        output::local(moved.session.start, ctx.config.tz),
        match moved.count {
            1 => String::new(),
            n => format!(", and the {} after it", n - 1),
        }
    );
    match moved.note {
        Some(reply_id) => report_delivery(&mut store, ctx, reply_id),
        None => Ok(()),
    }
}
