//! The emergency reschedule as an enum state machine: pick the session to
//! free → choose the slots to offer → read (and edit) the apology → confirm
//! → saving → done or failed. Each step is plain data the view draws.

use chrono::{DateTime, Utc};

use crate::compose::{Delivery, Rendered};
use crate::flows::emergency::{Candidate, Crisis, Plan};
use crate::model::Urgency;
use crate::tui::action::{Command, Effect, TerminalWork};
use crate::tui::editor::{Edit, EditKey, TextEditor};
use crate::tui::flows::work::{FlowEvent, FlowWork, Sent};
use crate::tui::flows::{flow, refresh, say, say_error};
use crate::tui::keymap::Scope;
use crate::tui::model::{Item, Model, Pane, Screen, UndoEntry};

/// How many times are offered unless the coach changes it.
pub const DEFAULT_OFFER: usize = 3;
/// The most times one apology offers.
pub const MAX_OFFER: usize = 5;

#[derive(Debug, Clone, PartialEq)]
pub struct Emergency {
    /// Who the freed hour is for, when started from a crisis request.
    pub crisis: Option<Crisis>,
    /// The sessions the coach could free (empty when started on a session).
    pub candidates: Vec<Candidate>,
    pub step: Step,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Waiting for the book: the candidates or the plan.
    Loading,
    PickSession {
        chosen: usize,
    },
    Slots(SlotChoice),
    /// The apology is being rendered for the chosen slots.
    Rendering(SlotChoice),
    Apology(Box<Draft>),
    Saving,
    Done(Outcome),
    Failed(String),
}

/// The times found for the moved client and which of them are offered.
#[derive(Debug, Clone, PartialEq)]
pub struct SlotChoice {
    pub plan: Box<Plan>,
    /// Every free time found, soonest first.
    pub pool: Vec<DateTime<Utc>>,
    pub dropped: Vec<DateTime<Utc>>,
    pub count: usize,
    /// The selected row among the offered times.
    pub chosen: usize,
    pub hold_first_slot: bool,
}

impl SlotChoice {
    fn new(plan: Plan) -> SlotChoice {
        SlotChoice {
            pool: plan.slots.clone(),
            dropped: Vec::new(),
            count: DEFAULT_OFFER,
            chosen: 0,
            hold_first_slot: plan.hold_first_slot,
            plan: Box::new(plan),
        }
    }

    /// The times the apology offers, soonest first.
    pub fn offered(&self) -> Vec<DateTime<Utc>> {
        self.pool
            .iter()
            .filter(|slot| !self.dropped.contains(slot))
            .take(self.count)
            .copied()
            .collect()
    }

    /// The plan with the offered times and the hold choice.
    pub fn chosen_plan(&self) -> Plan {
        let mut plan = (*self.plan).clone();
        plan.slots = self.offered();
        plan.hold_first_slot = self.hold_first_slot;
        plan
    }
}

/// The apology as the coach will send it.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub choice: SlotChoice,
    pub apology: Rendered,
    pub editor: TextEditor,
    pub editing: bool,
    /// Confirm was pressed once past a guardrail flag; the next press sends.
    pub send_anyway: bool,
    /// Back was pressed once on an edited apology; the next press drops it.
    pub discard_armed: bool,
}

impl Draft {
    /// The guardrails' flags on what would go out now: the apology as
    /// edited (subject and body) and the crisis client's confirmation.
    pub fn flags(&self) -> Vec<String> {
        let mut flags: Vec<String> = crate::flows::emergency::flags_of(&Rendered {
            subject: self.apology.subject.clone(),
            body: self.editor.text(),
        })
        .iter()
        .map(|g| g.message())
        .collect();
        if let Some(confirmation) = &self.choice.plan.crisis_confirmation {
            flags.extend(
                crate::flows::emergency::flags_of(confirmation)
                    .iter()
                    .map(|g| format!("crisis confirmation: {}", g.message())),
            );
        }
        flags
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub summary: String,
    pub crisis_booked: bool,
    pub sent: Sent,
}

/// `e` on a session: free that session (no crisis client).
pub fn start_on_session(model: &mut Model) -> Vec<Effect> {
    let Some(Item::Session(row)) = model.selected_item(Pane::Sessions) else {
        say(model, "no session selected");
        return Vec::new();
    };
    if row.session.start <= model.now {
        say_error(
            model,
            format!(
                "the session with {} has already begun; only an upcoming session can be freed",
                row.session.client_name
            ),
        );
        return Vec::new();
    }
    model.go_to(Screen::Emergency(Box::new(Emergency {
        crisis: None,
        candidates: Vec::new(),
        step: Step::Loading,
    })));
    vec![flow(FlowWork::EmergencyPlan {
        session_id: row.session.id,
        crisis: None,
    })]
}

/// `!`: free a session for the crisis in the selected request, or (with the
/// cursor elsewhere) the most urgent open crisis request.
pub fn start_on_crisis(model: &mut Model) -> Vec<Effect> {
    let in_detail = match &model.screen {
        Screen::Detail(detail) => match &detail.item {
            Item::Request(row) if !detail.gone => Some(row.request.clone()),
            _ => None,
        },
        _ => None,
    };
    let selected = match (model.focus, model.selected_item(Pane::Requests)) {
        _ if in_detail.is_some() => in_detail,
        (Pane::Requests, Some(Item::Request(row))) => Some(row.request),
        _ => model.sheet.as_ref().and_then(|sheet| {
            sheet
                .requests
                .iter()
                .filter(|r| r.request.urgency == Urgency::Crisis && r.request.client_id.is_some())
                .min_by_key(|r| r.request.received_at)
                .map(|r| r.request.clone())
        }),
    };
    let Some(request) = selected else {
        say(
            model,
            "no open crisis request; put the cursor on a request to free a session for it",
        );
        return Vec::new();
    };
    if request.client_id.is_none() {
        say_error(
            model,
            format!(
                "request #{} is from an unknown sender; add them as a client first",
                request.id
            ),
        );
        return Vec::new();
    }
    model.go_to(Screen::Emergency(Box::new(Emergency {
        crisis: None,
        candidates: Vec::new(),
        step: Step::Loading,
    })));
    vec![flow(FlowWork::EmergencyCandidates {
        request_id: request.id,
    })]
}

/// Where the flow's keys are looked up.
pub fn scopes(emergency: &Emergency) -> Vec<Scope> {
    match &emergency.step {
        Step::PickSession { .. } => vec![Scope::EmergencyPick, Scope::Anywhere],
        Step::Slots(_) => vec![Scope::EmergencySlots, Scope::Anywhere],
        Step::Apology(draft) if draft.editing => vec![Scope::EmergencyEditor],
        Step::Apology(_) => vec![Scope::EmergencyApology, Scope::Anywhere],
        Step::Loading | Step::Rendering(_) | Step::Saving => vec![Scope::Anywhere],
        Step::Done(_) | Step::Failed(_) => vec![Scope::FlowResult, Scope::Anywhere],
    }
}

pub fn command(model: &mut Model, command: Command) -> Vec<Effect> {
    let Screen::Emergency(emergency) = &mut model.screen else {
        return Vec::new();
    };
    let Emergency {
        crisis,
        candidates,
        step,
    } = emergency.as_mut();
    match step {
        Step::PickSession { chosen } => match command {
            Command::Down => *chosen = (*chosen + 1).min(candidates.len().saturating_sub(1)),
            Command::Up => *chosen = chosen.saturating_sub(1),
            Command::Top => *chosen = 0,
            Command::Bottom => *chosen = candidates.len().saturating_sub(1),
            Command::FlowNext => {
                let Some(candidate) = candidates.get(*chosen) else {
                    return Vec::new();
                };
                let session_id = candidate.session.id;
                let crisis = crisis.clone().map(Box::new);
                *step = Step::Loading;
                return vec![flow(FlowWork::EmergencyPlan { session_id, crisis })];
            }
            Command::Back => return model.go_back(),
            _ => {}
        },
        Step::Slots(choice) => {
            if let Some(refusal) = slots_command(choice, command) {
                if let Some(text) = refusal {
                    say(model, text);
                }
                return Vec::new();
            }
            let from_crisis = !candidates.is_empty();
            match command {
                Command::FlowNext => return next_from_slots(model),
                Command::Back if from_crisis => {
                    let chosen = candidate_index(emergency_ref(model));
                    set_step(model, Step::PickSession { chosen });
                }
                Command::Back => return model.go_back(),
                _ => {}
            }
        }
        Step::Apology(draft) => match command {
            Command::EditInline => draft.editing = true,
            Command::StopEditing => draft.editing = false,
            Command::EditExternally => {
                return vec![Effect::Terminal(TerminalWork::EditExternally(
                    draft.editor.text(),
                ))];
            }
            Command::FlowConfirm => {
                let body = draft.editor.text();
                if body.trim().is_empty() {
                    say(
                        model,
                        "the apology is empty; write something before sending",
                    );
                    return Vec::new();
                }
                // A flagged text goes out only on a second, explicit confirm.
                let flags = draft.flags();
                if !flags.is_empty() && !draft.send_anyway {
                    draft.send_anyway = true;
                    let first = flags.first().cloned().unwrap_or_default();
                    say_error(
                        model,
                        format!(
                            "{} flagged ({first}); reword it, or confirm again to send anyway",
                            flags.len()
                        ),
                    );
                    return Vec::new();
                }
                let plan = draft.choice.chosen_plan();
                *step = Step::Saving;
                return vec![flow(FlowWork::EmergencyApply {
                    plan: Box::new(plan),
                    body,
                })];
            }
            Command::Back => {
                // An edited apology is never thrown away on one key.
                if draft.editor.text() != draft.apology.body && !draft.discard_armed {
                    draft.discard_armed = true;
                    let scopes = [Scope::EmergencyApology];
                    let text = format!(
                        "the apology has your edits: {} again discards them, {} sends",
                        model.keymap.key_name(&scopes, Command::Back),
                        model.keymap.key_name(&scopes, Command::FlowConfirm)
                    );
                    say_error(model, text);
                    return Vec::new();
                }
                let choice = draft.choice.clone();
                *step = Step::Slots(choice);
            }
            _ => {}
        },
        Step::Done(_) | Step::Failed(_) => {
            if matches!(command, Command::Back | Command::FlowNext) {
                return model.go_back();
            }
        }
        Step::Loading | Step::Rendering(_) | Step::Saving => {}
    }
    Vec::new()
}

fn emergency_ref(model: &Model) -> Option<&Emergency> {
    match &model.screen {
        Screen::Emergency(emergency) => Some(emergency),
        _ => None,
    }
}

fn candidate_index(emergency: Option<&Emergency>) -> usize {
    let Some(emergency) = emergency else { return 0 };
    let Step::Slots(choice) = &emergency.step else {
        return 0;
    };
    emergency
        .candidates
        .iter()
        .position(|c| c.session.id == choice.plan.candidate.session.id)
        .unwrap_or(0)
}

fn set_step(model: &mut Model, step: Step) {
    if let Screen::Emergency(emergency) = &mut model.screen {
        emergency.step = step;
    }
}

/// A change to the offered slots: `None` when the command is not about
/// slots, `Some(refusal)` when it was handled (with a notice if refused).
fn slots_command(choice: &mut SlotChoice, command: Command) -> Option<Option<String>> {
    let offered = choice.offered().len();
    match command {
        Command::Down => choice.chosen = (choice.chosen + 1).min(offered.saturating_sub(1)),
        Command::Up => choice.chosen = choice.chosen.saturating_sub(1),
        Command::HoldSlot => choice.hold_first_slot = !choice.hold_first_slot,
        Command::DropSlot => {
            let Some(slot) = choice.offered().get(choice.chosen).copied() else {
                return Some(Some("no time to drop".into()));
            };
            if offered <= 1 {
                return Some(Some(
                    "the apology must offer at least one time; this is the last".into(),
                ));
            }
            choice.dropped.push(slot);
            choice.chosen = choice.chosen.min(choice.offered().len().saturating_sub(1));
        }
        Command::MoreSlots => {
            if choice.count >= MAX_OFFER || offered < choice.count {
                return Some(Some(format!("no more free times to offer ({offered})")));
            }
            choice.count += 1;
            if choice.offered().len() == offered {
                choice.count -= 1;
                return Some(Some(format!("no more free times to offer ({offered})")));
            }
        }
        Command::FewerSlots => {
            if offered <= 1 {
                return Some(Some("the apology must offer at least one time".into()));
            }
            choice.count = offered - 1;
            choice.chosen = choice.chosen.min(choice.count - 1);
        }
        _ => return None,
    }
    Some(None)
}

fn next_from_slots(model: &mut Model) -> Vec<Effect> {
    let Some(Emergency {
        step: Step::Slots(choice),
        ..
    }) = emergency_ref(model)
    else {
        return Vec::new();
    };
    let choice = choice.clone();
    let plan = choice.chosen_plan();
    set_step(model, Step::Rendering(choice));
    vec![flow(FlowWork::EmergencyRender {
        plan: Box::new(plan),
    })]
}

/// A keystroke for the inline editor.
pub fn edit(model: &mut Model, key: EditKey) {
    edit_with(model, &Edit::Key(key));
}

/// A keystroke or a paste into the apology being edited.
pub fn edit_with(model: &mut Model, edit: &Edit) {
    if let Screen::Emergency(emergency) = &mut model.screen
        && let Step::Apology(draft) = &mut emergency.step
        && draft.editing
    {
        draft.editor.input(edit);
        draft.send_anyway = false;
        draft.discard_armed = false;
    }
}

/// The text back from `$EDITOR`.
pub fn edited_externally(model: &mut Model, result: Result<String, String>) {
    match result {
        Ok(text) => {
            if let Screen::Emergency(emergency) = &mut model.screen
                && let Step::Apology(draft) = &mut emergency.step
            {
                draft.editor.set_text(&text);
                draft.send_anyway = false;
            }
        }
        Err(message) => say_error(model, format!("could not edit in $EDITOR: {message}")),
    }
}

/// The book's answer to the flow's work.
pub fn event(model: &mut Model, event: FlowEvent) -> Vec<Effect> {
    let Screen::Emergency(emergency) = &mut model.screen else {
        return Vec::new();
    };
    match event {
        FlowEvent::EmergencyCandidates { crisis, candidates } => {
            emergency.crisis = Some(*crisis);
            emergency.candidates = candidates;
            // Soonest first: the first candidate is preselected.
            emergency.step = Step::PickSession { chosen: 0 };
        }
        FlowEvent::EmergencyPlanned(plan) => {
            emergency.step = Step::Slots(SlotChoice::new(*plan));
        }
        FlowEvent::EmergencyRendered(apology) => {
            if let Step::Rendering(choice) = &emergency.step {
                emergency.step = Step::Apology(Box::new(Draft {
                    choice: choice.clone(),
                    editor: TextEditor::new(&apology.body),
                    apology,
                    editing: false,
                    send_anyway: false,
                    discard_armed: false,
                }));
            }
        }
        FlowEvent::EmergencyDone {
            change_id,
            crisis_session,
            sent,
            clipboard,
            crisis_told,
        } => {
            let summary = match crisis_session {
                Some(_) => "session freed; crisis call booked",
                None => "session freed",
            }
            .to_string();
            let delivered = sent.delivered();
            emergency.step = Step::Done(Outcome {
                summary,
                crisis_booked: crisis_session.is_some(),
                sent: sent.clone(),
            });
            model.undo_stack.push(UndoEntry {
                change_id,
                delivered,
            });
            let mut effects = refresh(model);
            if let Some(text) = clipboard {
                effects.push(Effect::Terminal(TerminalWork::CopyToClipboard(text)));
            }
            let notice = match &sent.delivery {
                Delivery::Failed { .. } => format!(
                    "saved; the apology is NOT delivered ({}) — {} retries",
                    sent.delivery.message(),
                    model
                        .keymap
                        .key_name(&[Scope::Dashboard], Command::RetryDelivery)
                ),
                other => format!("saved; the apology was {}", other.message()),
            };
            let notice = match crisis_told {
                Some(told) => format!("{notice}; crisis client: {told}"),
                None => notice,
            };
            say(model, notice);
            return effects;
        }
        FlowEvent::FlowFailed(message) => {
            if matches!(emergency.step, Step::Saving) {
                emergency.step = Step::Failed(message);
            } else if matches!(emergency.step, Step::Rendering(_)) {
                if let Step::Rendering(choice) = &emergency.step {
                    emergency.step = Step::Slots(choice.clone());
                }
                say_error(model, message);
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
