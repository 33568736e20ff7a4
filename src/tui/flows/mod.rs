//! Modal flows over the dashboard, each a pure enum state machine with its
//! own file: the emergency reschedule and the hand-off (`work` is what they
//! ask of the book; undo and delivery retries too), the triage of a request
//! and quick capture (`triage_routing`), and the care flows. What they ask of
//! the book is run in one place, `tui::effects`.

pub mod capture;
pub mod care;

pub mod emergency;
pub mod followup;
pub mod handoff;
pub mod picker;
pub mod session;
pub mod triage;
mod triage_routing;
pub mod work;

pub use triage_routing::*;

use crate::compose::Delivery;
use crate::tui::action::{Command, Effect, TerminalWork};
use crate::tui::keymap::Scope;
use crate::tui::model::{Model, Notice, NoticeKind, Screen};
use work::{FlowEvent, FlowWork};

pub fn flow(work: FlowWork) -> Effect {
    Effect::Flow(Box::new(work))
}

pub fn say(model: &mut Model, text: impl Into<String>) {
    model.notice = Some(Notice {
        kind: NoticeKind::Info,
        text: text.into(),
    });
}

pub fn say_error(model: &mut Model, text: impl Into<String>) {
    model.notice = Some(Notice {
        kind: NoticeKind::Error,
        text: text.into(),
    });
}

/// After a write: everything on screen (the day's panes, an open view or
/// list) and the undelivered replies again.
pub fn refresh(model: &Model) -> Vec<Effect> {
    crate::tui::update::reload(model)
}

/// Where a form's save stands, as for the emergency flow: the coach edits,
/// the book is asked (Saving: a second confirm is ignored), and it is Done
/// (the form closes) or Failed (the draft is kept and the reason shown; the
/// next edit or confirm carries on from there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveState {
    /// Being edited; `Some` says what to fix before it can be saved.
    Editing(Option<String>),
    Saving,
    Done,
    Failed(String),
}

impl Default for SaveState {
    fn default() -> Self {
        SaveState::Editing(None)
    }
}

impl SaveState {
    /// Waiting on the book: keys other than cancel are ignored.
    pub fn busy(&self) -> bool {
        matches!(self, SaveState::Saving)
    }

    /// What to tell the coach: the problem to fix, or why the save failed.
    pub fn error(&self) -> Option<&str> {
        match self {
            SaveState::Editing(problem) => problem.as_deref(),
            SaveState::Failed(reason) => Some(reason),
            SaveState::Saving | SaveState::Done => None,
        }
    }
}

/// The flows' commands; `None` when the command is not theirs here.
pub fn on_command(model: &mut Model, command: Command) -> Option<Vec<Effect>> {
    match (&model.screen, command) {
        (Screen::Emergency(_), _) => Some(emergency::command(model, command)),
        (Screen::Handoff(_), _) => Some(handoff::command(model, command)),
        (Screen::Dashboard, Command::Emergency) => Some(emergency::start_on_session(model)),
        (Screen::Dashboard, Command::Crisis) => Some(emergency::start_on_crisis(model)),
        (Screen::Dashboard, Command::Handoff) => Some(handoff::start(model)),
        // A request's detail: the same flows, on that request.
        (Screen::Detail(detail), Command::Crisis | Command::Handoff)
            if matches!(detail.item, crate::tui::model::Item::Request(_)) =>
        {
            Some(if command == Command::Crisis {
                emergency::start_on_crisis(model)
            } else {
                handoff::start(model)
            })
        }
        (Screen::Dashboard, Command::Undo) => Some(undo(model)),
        (Screen::Dashboard, Command::RetryDelivery) => Some(retry(model)),
        (Screen::Dashboard, Command::MarkSent) => Some(mark_sent(model)),
        _ => None,
    }
}

/// `u`: revert the last change this session made, in one step.
pub(crate) fn undo(model: &mut Model) -> Vec<Effect> {
    match model.undo_stack.pop() {
        Some(entry) => vec![flow(FlowWork::Undo {
            change_id: entry.change_id,
            delivered: entry.delivered,
        })],
        None => {
            say(model, "nothing to undo");
            Vec::new()
        }
    }
}

/// `M` on a request whose reply waits in the outbox (or failed): the coach
/// sent it from their own mail, so it reaches the client now.
fn mark_sent(model: &mut Model) -> Vec<Effect> {
    match model.selected_item(crate::tui::model::Pane::Requests) {
        Some(crate::tui::model::Item::Request(row)) if row.request.undelivered.is_some() => {
            vec![flow(FlowWork::MarkSent {
                request_id: row.request.id,
            })]
        }
        Some(_) => {
            say(model, "this request has no reply waiting for delivery");
            Vec::new()
        }
        None => {
            say(model, "pick a request whose reply is in the outbox");
            Vec::new()
        }
    }
}

/// `D`: deliver again every reply that is recorded but not delivered.
fn retry(model: &mut Model) -> Vec<Effect> {
    if model.undelivered.is_empty() {
        say(model, "every reply is delivered; nothing to retry");
        return Vec::new();
    }
    say(model, "delivering…");
    vec![flow(FlowWork::RetryDeliveries)]
}

pub fn on_event(model: &mut Model, event: FlowEvent) -> Vec<Effect> {
    match event {
        FlowEvent::Undone {
            summary,
            delivered,
            to_reassure,
        } => {
            let mut text = format!("undone: {summary}");
            if delivered {
                text.push_str(" (the message already went out and stays recorded as sent)");
            }
            say(model, text);
            // The client holds the undone version: offer to set it right.
            if !to_reassure.is_empty() {
                let names: Vec<String> = to_reassure
                    .iter()
                    .map(|(_, client, at)| format!("{client} ({at})"))
                    .collect();
                model.overlay = crate::tui::model::Overlay::Confirm(Box::new(
                    crate::tui::model::Confirm {
                        question: format!(
                            "Undone, but {} already got the message. Tell them it stands?",
                            names.join(", ")
                        ),
                        yes: (
                            "send \"please disregard — our session stands\" with the calendar entry"
                                .into(),
                            vec![flow(FlowWork::Reassure {
                                session_ids: to_reassure.iter().map(|(id, _, _)| *id).collect(),
                            })],
                        ),
                        alternative: None,
                        declined: "no note sent; their calendar still shows the undone change"
                            .into(),
                    },
                ));
            }
            refresh(model)
        }
        FlowEvent::Reassured(sent) => {
            let text: Vec<String> = sent
                .iter()
                .map(|s| format!("{}: {}", s.what, s.delivery.message()))
                .collect();
            if sent.iter().all(|s| s.delivered()) {
                say(model, text.join("; "));
            } else {
                let retry = model
                    .keymap
                    .key_name(&[Scope::Dashboard], Command::RetryDelivery);
                say_error(model, format!("{} — {retry} retries", text.join("; ")));
            }
            refresh(model)
        }
        FlowEvent::Retried { sent, clipboard } => {
            let failed: Vec<String> = sent
                .iter()
                .filter(|s| !s.delivered())
                .map(|s| format!("{}: {}", s.what, s.delivery.message()))
                .collect();
            if failed.is_empty() {
                let last = sent
                    .last()
                    .map(|s| s.delivery.message())
                    .unwrap_or_default();
                say(
                    model,
                    format!("delivered {} repl(ies); last {last}", sent.len()),
                );
            } else {
                say_error(
                    model,
                    format!("still not delivered — {}", failed.join("; ")),
                );
            }
            let mut effects = refresh(model);
            if let Some(text) = clipboard {
                effects.push(Effect::Terminal(TerminalWork::CopyToClipboard(text)));
            }
            effects
        }
        FlowEvent::MarkedSent { change_id, message } => {
            model.undo_stack.push(crate::tui::model::UndoEntry {
                change_id,
                delivered: false,
            });
            say(model, message);
            refresh(model)
        }
        FlowEvent::Undelivered(replies) => {
            model.undelivered = replies;
            Vec::new()
        }
        event => match &model.screen {
            Screen::Emergency(_) => emergency::event(model, event),
            Screen::Handoff(_) => handoff::event(model, event),
            _ => {
                if let FlowEvent::FlowFailed(message) = event {
                    say_error(model, message);
                }
                Vec::new()
            }
        },
    }
}

/// Whether a delivery reached anyone (sent, or waiting in the outbox).
pub fn reached(delivery: &Delivery) -> bool {
    !matches!(delivery, Delivery::Failed { .. })
}
