//! Triage of a request (reply, acknowledge, urgency, snooze, waiting,
//! crisis, follow-up, close) and quick capture of a call or message.
//!
//! Each flow is an enum state machine kept in an `Overlay`; `update` here is
//! pure and asks for store work as `TriageEffect`s, which `book` runs; their
//! results come back as `TriageResult`s.

use chrono::{DateTime, Utc};

use crate::model::{Channel, ReplyKind, Urgency};
use crate::tui::action::{Action, Command, Effect};
use crate::tui::editor::Edit;
use crate::tui::keymap::Scope;
use crate::tui::model::{Model, Notice, NoticeKind, Overlay};

pub use super::capture::{CaptureField, CaptureForm, ClientChoice};
use super::triage;
pub use super::triage::{TriageFlow, TriageStep};

/// Store work for the triage flows.
#[derive(Debug, Clone, PartialEq)]
pub enum TriageEffect {
    /// The reply templates' names.
    LoadTemplateNames,
    /// Render `template` (or a blank reply) for the request.
    DraftReply {
        request_id: i64,
        template: Option<String>,
    },
    SendReply {
        request_id: i64,
        subject: Option<String>,
        body: String,
        kind: ReplyKind,
    },
    /// The acknowledgement template with `promise_at`, plus a promise follow-up.
    Acknowledge {
        request_id: i64,
        promise_at: DateTime<Utc>,
    },
    SetUrgency {
        request_id: i64,
        urgency: Urgency,
    },
    /// Urgency crisis; the result asks for the hand-over to the emergency flow.
    RaiseToCrisis {
        request_id: i64,
    },
    /// `force`: the coach confirmed putting a crisis or urgent request
    /// aside past its reply-by.
    Snooze {
        request_id: i64,
        until: DateTime<Utc>,
        force: bool,
    },
    WaitOnClient {
        request_id: i64,
        force: bool,
    },
    Close {
        request_id: i64,
    },
    /// A follow-up due at `due` with `text`; the request is closed.
    MakeFollowUp {
        request_id: i64,
        due: DateTime<Utc>,
        text: String,
    },
    /// A new request (and, if asked, a new client) from quick capture.
    Capture(NewCapture),
}

/// What quick capture saves.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCapture {
    pub client: ClientChoice,
    /// The caller's number, if the coach typed one.
    pub phone: Option<String>,
    pub channel: Channel,
    pub urgency: Urgency,
    pub received_at: DateTime<Utc>,
    pub text: String,
}

/// Results of triage effects.
#[derive(Debug, Clone, PartialEq)]
pub enum TriageResult {
    TemplateNames(Vec<String>),
    Drafted {
        subject: Option<String>,
        body: String,
        kind: ReplyKind,
    },
    /// The text came back from $EDITOR.
    EditedExternally(String),
    /// One change of the book is done. `change_id` is for undo; `problem`
    /// is set when the change holds but something after it failed (delivery).
    Done {
        change_id: i64,
        message: String,
        problem: Option<String>,
        handover_to_crisis: bool,
        /// A message went out (sent, or in the outbox): undo cannot unsend it.
        sent: bool,
        /// The outbox message, for the clipboard (OSC 52).
        clipboard: Option<String>,
    },
    /// Nothing was written: shown in the open flow, else as a notice.
    Refused(String),
}

/// The config name of the emergency flow's command (the other branch adds
/// it); raising to crisis hands over to it when the keymap knows it.
pub const CRISIS_COMMAND: &str = "crisis";

/// Route an action to the flows. `Err` gives the action back when it is
/// none of theirs.
pub fn update(model: &mut Model, action: Action) -> Result<Vec<Effect>, Action> {
    match action {
        Action::Command(command) if ours(model, command) => {
            model.notice = None;
            Ok(command_effects(model, command))
        }
        Action::Type(c) => match &mut model.overlay {
            Overlay::Triage(flow) => Ok(triage::type_char(flow, c)),
            Overlay::Capture(form) => {
                form.type_char(c);
                Ok(Vec::new())
            }
            _ => Err(Action::Type(c)),
        },
        Action::Edit(key) => match &mut model.overlay {
            Overlay::Capture(form) => {
                form.edit(&Edit::Key(key));
                Ok(Vec::new())
            }
            Overlay::Triage(flow)
                if flow.scope() == Scope::ReplyEditor
                    || matches!(
                        flow.step,
                        triage::TriageStep::ChooseTime { .. }
                            | triage::TriageStep::FollowUpText { .. }
                    ) =>
            {
                flow.edit(key);
                Ok(Vec::new())
            }
            _ => Err(Action::Edit(key)),
        },
        Action::Paste(text) => match &mut model.overlay {
            // The reply, the typed WHEN or the follow-up text: one edit.
            Overlay::Triage(flow) => {
                flow.edit_with(&Edit::Paste(text));
                Ok(Vec::new())
            }
            _ => Err(Action::Paste(text)),
        },
        Action::EditedExternally(edited) => match &model.overlay {
            Overlay::Triage(_) => Ok(take_result(
                model,
                match edited {
                    Ok(text) => TriageResult::EditedExternally(text),
                    Err(reason) => TriageResult::Refused(format!("$EDITOR: {reason}")),
                },
            )),
            _ => Err(Action::EditedExternally(edited)),
        },
        Action::ClientNamesLoaded(names) => match &mut model.overlay {
            Overlay::Capture(form) => {
                form.take_names(names);
                Ok(Vec::new())
            }
            _ => Err(Action::ClientNamesLoaded(names)),
        },
        Action::Triage(result) => Ok(take_result(model, result)),
        other => Err(other),
    }
}

/// Whether a command belongs to the flows: any key while one is open, and
/// the keys that start one.
fn ours(model: &Model, command: Command) -> bool {
    if command == Command::Quit {
        return false;
    }
    matches!(model.overlay, Overlay::Triage(_) | Overlay::Capture(_))
        || triage::starts_a_flow(command)
        || command == Command::QuickCapture
}

fn command_effects(model: &mut Model, command: Command) -> Vec<Effect> {
    let (now, tz) = (model.now, model.tz);
    let keymap = model.keymap.clone();
    match &mut model.overlay {
        Overlay::Triage(flow) => match triage::command(flow, command, now, tz, &keymap) {
            triage::Next::Stay(effects) => effects,
            triage::Next::Close => {
                model.overlay = Overlay::None;
                Vec::new()
            }
        },
        Overlay::Capture(form) => match form.command(command, now, tz) {
            triage::Next::Stay(effects) => effects,
            triage::Next::Close => {
                model.overlay = Overlay::None;
                Vec::new()
            }
        },
        Overlay::None if command == Command::QuickCapture => {
            model.overlay = Overlay::Capture(Box::default());
            vec![Effect::LoadClientNames]
        }
        Overlay::None => triage::start(model, command),
        _ => Vec::new(),
    }
}

fn take_result(model: &mut Model, result: TriageResult) -> Vec<Effect> {
    match result {
        TriageResult::Done {
            change_id,
            message,
            problem,
            handover_to_crisis,
            sent,
            clipboard,
        } => {
            // `u` undoes triage changes too, in the order they were made.
            model.undo_stack.push(crate::tui::model::UndoEntry {
                change_id,
                delivered: sent,
            });
            // Done: the form's last state, then it closes.
            match &mut model.overlay {
                Overlay::Capture(form) => form.saved(),
                Overlay::Triage(flow) => flow.state = super::SaveState::Done,
                _ => {}
            }
            if matches!(model.overlay, Overlay::Triage(_) | Overlay::Capture(_)) {
                model.overlay = Overlay::None;
            }
            model.notice = Some(match problem {
                Some(problem) => Notice {
                    kind: NoticeKind::Error,
                    text: format!("{message}; {problem}"),
                },
                None => Notice {
                    kind: NoticeKind::Info,
                    text: message,
                },
            });
            let mut effects = crate::tui::update::reload(model);
            effects.push(super::flow(super::work::FlowWork::LoadUndelivered));
            if let Some(text) = clipboard {
                effects.push(Effect::Terminal(
                    crate::tui::action::TerminalWork::CopyToClipboard(text),
                ));
            }
            if handover_to_crisis {
                // The hand-over to the emergency flow, once its command exists:
                if let Some(crisis) = Command::from_name(CRISIS_COMMAND) {
                    effects.extend(crate::tui::update::update(model, Action::Command(crisis)));
                }
            }
            effects
        }
        TriageResult::Refused(reason) => {
            match &mut model.overlay {
                Overlay::Triage(flow) => flow.refused(reason),
                Overlay::Capture(form) => form.refused(reason),
                _ => {
                    model.notice = Some(Notice {
                        kind: NoticeKind::Error,
                        text: reason,
                    })
                }
            }
            Vec::new()
        }
        other => {
            if let Overlay::Triage(flow) = &mut model.overlay {
                flow.take(other);
            }
            Vec::new()
        }
    }
}
