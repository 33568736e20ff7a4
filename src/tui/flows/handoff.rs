//! Hand a request to a backup partner: pick the partner → read the note to
//! the client and the brief to the partner → confirm → saving → done/failed.

use crate::flows::handoff::Plan;
use crate::model::Partner;
use crate::tui::action::{Command, Effect, TerminalWork};
use crate::tui::flows::work::{FlowEvent, FlowWork, Sent};
use crate::tui::flows::{flow, refresh, say, say_error};
use crate::tui::keymap::Scope;
use crate::tui::model::{Item, Model, Pane, Screen, UndoEntry};

#[derive(Debug, Clone, PartialEq)]
pub struct Handoff {
    pub request_id: i64,
    pub partners: Vec<Partner>,
    pub step: HandoffStep,
}

#[derive(Debug, Clone, PartialEq)]
pub enum HandoffStep {
    Loading,
    PickPartner {
        chosen: usize,
    },
    /// `send_anyway`: confirm was pressed once past a guardrail flag.
    Preview {
        plan: Box<Plan>,
        scroll: u16,
        send_anyway: bool,
    },
    Saving,
    Done(Vec<Sent>),
    Failed(String),
}

/// `H` on a request.
pub fn start(model: &mut Model) -> Vec<Effect> {
    // The request in the detail view, else the requests pane's selection.
    let in_detail = match &model.screen {
        Screen::Detail(detail) if !detail.gone => Some(detail.item.clone()),
        _ => None,
    };
    let Some(Item::Request(row)) = in_detail.or_else(|| model.selected_item(Pane::Requests)) else {
        say(model, "put the cursor on a request to hand it off");
        return Vec::new();
    };
    if row.request.client_id.is_none() {
        say_error(
            model,
            format!(
                "request #{} is from an unknown sender; add them as a client first",
                row.request.id
            ),
        );
        return Vec::new();
    }
    model.go_to(Screen::Handoff(Box::new(Handoff {
        request_id: row.request.id,
        partners: Vec::new(),
        step: HandoffStep::Loading,
    })));
    vec![flow(FlowWork::HandoffPartners {
        request_id: row.request.id,
    })]
}

/// The guardrails' flags on the note to the client and the brief.
pub fn flags(plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    for (who, text) in [
        ("note", &plan.note_to_client),
        ("brief", &plan.brief_to_partner),
    ] {
        out.extend(
            crate::outgoing::guard_outgoing_quoting(
                who,
                &text.subject,
                &text.body,
                &crate::flows::handoff::quoted(plan, chrono::NaiveDate::MIN),
                true,
            )
            .unwrap_or_default()
            .iter()
            .map(|g| format!("{who}: {}", g.message())),
        );
    }
    out
}

pub fn scopes(handoff: &Handoff) -> Vec<Scope> {
    match handoff.step {
        HandoffStep::PickPartner { .. } | HandoffStep::Preview { .. } => {
            vec![Scope::HandoffPreview, Scope::Anywhere]
        }
        HandoffStep::Done(_) | HandoffStep::Failed(_) => vec![Scope::FlowResult, Scope::Anywhere],
        HandoffStep::Loading | HandoffStep::Saving => vec![Scope::Anywhere],
    }
}

pub fn command(model: &mut Model, command: Command) -> Vec<Effect> {
    let Screen::Handoff(handoff) = &mut model.screen else {
        return Vec::new();
    };
    let request_id = handoff.request_id;
    let last = handoff.partners.len().saturating_sub(1);
    match &mut handoff.step {
        HandoffStep::PickPartner { chosen } => match command {
            Command::Down => *chosen = (*chosen + 1).min(last),
            Command::Up => *chosen = chosen.saturating_sub(1),
            Command::FlowNext | Command::FlowConfirm => {
                let Some(partner) = handoff.partners.get(*chosen) else {
                    return Vec::new();
                };
                let partner_id = partner.id;
                handoff.step = HandoffStep::Loading;
                return vec![flow(FlowWork::HandoffPlan {
                    request_id,
                    partner_id,
                })];
            }
            Command::Back => return model.go_back(),
            _ => {}
        },
        HandoffStep::Preview {
            plan,
            scroll,
            send_anyway,
        } => match command {
            Command::Down => *scroll = scroll.saturating_add(1),
            Command::Up => *scroll = scroll.saturating_sub(1),
            Command::FlowConfirm => {
                let flags = flags(plan);
                if !flags.is_empty() && !*send_anyway {
                    *send_anyway = true;
                    let first = flags.first().cloned().unwrap_or_default();
                    say_error(
                        model,
                        format!(
                            "{} flagged ({first}); confirm again to send anyway",
                            flags.len()
                        ),
                    );
                    return Vec::new();
                }
                let plan = plan.clone();
                handoff.step = HandoffStep::Saving;
                return vec![flow(FlowWork::HandoffApply { plan })];
            }
            Command::Back => {
                let chosen = handoff
                    .partners
                    .iter()
                    .position(|p| p.id == plan.partner.id)
                    .unwrap_or(0);
                handoff.step = HandoffStep::PickPartner { chosen };
            }
            _ => {}
        },
        HandoffStep::Done(_) | HandoffStep::Failed(_) => {
            if matches!(command, Command::Back | Command::FlowNext) {
                return model.go_back();
            }
        }
        HandoffStep::Loading | HandoffStep::Saving => {}
    }
    Vec::new()
}

pub fn event(model: &mut Model, event: FlowEvent) -> Vec<Effect> {
    let Screen::Handoff(handoff) = &mut model.screen else {
        return Vec::new();
    };
    match event {
        FlowEvent::HandoffPartners { partners, .. } => {
            if partners.is_empty() {
                // Back where the flow was started from; the error says why.
                let _ = model.go_back();
                say_error(
                    model,
                    "no partners in the book; add one with `coachbook partner add`",
                );
                return Vec::new();
            }
            handoff.partners = partners;
            handoff.step = HandoffStep::PickPartner { chosen: 0 };
        }
        FlowEvent::HandoffPlanned(plan) => {
            handoff.step = HandoffStep::Preview {
                plan,
                scroll: 0,
                send_anyway: false,
            };
        }
        FlowEvent::HandoffDone {
            change_id,
            sent,
            clipboard,
        } => {
            let delivered = sent.iter().any(Sent::delivered);
            let failed = sent.iter().filter(|s| !s.delivered()).count();
            handoff.step = HandoffStep::Done(sent);
            model.undo_stack.push(UndoEntry {
                change_id,
                delivered,
            });
            let mut effects = refresh(model);
            if let Some(text) = clipboard {
                effects.push(Effect::Terminal(TerminalWork::CopyToClipboard(text)));
            }
            if failed > 0 {
                let retry = model
                    .keymap
                    .key_name(&[Scope::Dashboard], Command::RetryDelivery);
                say_error(
                    model,
                    format!("handed off; {failed} message(s) NOT delivered — {retry} retries"),
                );
            } else {
                say(model, "handed off; both messages delivered");
            }
            return effects;
        }
        FlowEvent::FlowFailed(message) => {
            if matches!(handoff.step, HandoffStep::Saving) {
                handoff.step = HandoffStep::Failed(message);
            } else {
                // Back where the flow was started from; the error says why.
                let _ = model.go_back();
                say_error(model, message);
            }
        }
        _ => {}
    }
    Vec::new()
}
