//! Triage of one request: the keys that start each flow and the state
//! machine of the ones that need a choice (reply, acknowledge, urgency,
//! snooze, follow-up). Waiting, crisis and close are one keystroke.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::model::{ReplyKind, Request, Urgency};
use crate::tui::action::{Command, Effect, TerminalWork};
use crate::tui::editor::{Edit, EditKey, TextEditor};
use crate::tui::flows::picker::TimePicker;
use crate::tui::flows::{SaveState, TriageEffect, TriageResult};
use crate::tui::keymap::Scope;
use crate::tui::model::{Item, Loadable, Model, Notice, NoticeKind, Overlay, Pane, Screen};

/// The first choice in the template list.
pub const BLANK_REPLY: &str = "(blank reply)";

#[derive(Debug, Clone, PartialEq)]
pub struct TriageFlow {
    pub request: Request,
    pub step: TriageStep,
    /// Editing → Saving (an effect is running; keys other than cancel
    /// wait) → Done | Failed (why the book refused; shown until the next
    /// key, the draft kept).
    pub state: SaveState,
    /// The coach was warned that this puts a crisis or urgent request aside
    /// past its reply-by; the next confirm does it anyway.
    pub risk_confirmed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimePurpose {
    Acknowledge,
    Snooze,
    FollowUp,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TriageStep {
    /// Templates by name, `BLANK_REPLY` first.
    ChooseTemplate {
        names: Loadable<Vec<String>>,
        chosen: usize,
    },
    EditReply(Box<ReplyDraft>),
    ChooseTime {
        purpose: TimePurpose,
        picker: TimePicker,
    },
    ChooseUrgency {
        chosen: usize,
    },
    /// The follow-up's text, prefilled from the request.
    FollowUpText {
        due: DateTime<Utc>,
        text: TextEditor,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReplyDraft {
    pub editor: TextEditor,
    /// The subject, editable (a one-line field above the text).
    pub subject: TextEditor,
    /// The focus is on the subject line rather than the text.
    pub on_subject: bool,
    pub kind: ReplyKind,
    /// The guardrails' warnings on the current text.
    pub warnings: Vec<String>,
    /// Send was pressed once past a warning; the next press sends.
    pub send_anyway: bool,
    /// The text as drafted: a changed draft is not discarded on one Esc.
    pub original: String,
    pub original_subject: Option<String>,
    /// Esc was pressed once on a changed draft; the next Esc discards it.
    pub discard_armed: bool,
    /// The client's own words the draft quotes (their subject): not checked.
    pub quoted: Vec<String>,
}

impl ReplyDraft {
    pub fn new(subject: Option<String>, body: &str, kind: ReplyKind) -> ReplyDraft {
        let mut draft = ReplyDraft {
            editor: TextEditor::new(body),
            subject: TextEditor::single_line(subject.as_deref().unwrap_or_default()),
            on_subject: false,
            kind,
            warnings: Vec::new(),
            send_anyway: false,
            original: body.to_string(),
            original_subject: subject
                .as_deref()
                .map(crate::text::one_line_field)
                .filter(|s| !s.is_empty()),
            discard_armed: false,
            quoted: Vec::new(),
        };
        draft.check();
        draft
    }

    /// The subject as it will be sent; `None` when the coach emptied it
    /// (the message then goes out under the default subject).
    pub fn subject_text(&self) -> Option<String> {
        let subject = crate::text::one_line_field(&self.subject.value());
        (!subject.is_empty()).then_some(subject)
    }

    /// A keystroke or a paste into the focused field (subject or text).
    pub fn input(&mut self, edit: &Edit) {
        if self.on_subject {
            self.subject.input(edit);
        } else {
            self.editor.input(edit);
        }
        self.send_anyway = false;
        self.discard_armed = false;
        self.check();
    }

    /// The draft differs from what was drafted (text or subject).
    pub fn changed(&self) -> bool {
        self.editor.text() != self.original || self.subject_text() != self.original_subject
    }

    fn check(&mut self) {
        // The same check as every outgoing path (forced: only the flags).
        self.warnings = crate::outgoing::guard_outgoing_quoting(
            "the reply",
            &self.subject.value(),
            &self.editor.text(),
            &self.quoted,
            true,
        )
        .unwrap_or_default()
        .iter()
        .map(|flag| flag.message())
        .collect();
    }
}

/// What the flow does after a command.
pub enum Next {
    Stay(Vec<Effect>),
    Close,
}

pub fn starts_a_flow(command: Command) -> bool {
    matches!(
        command,
        Command::Reply
            | Command::Acknowledge
            | Command::SetUrgency
            | Command::Snooze
            | Command::WaitOnClient
            | Command::RaiseToCrisis
            | Command::MakeFollowUp
            | Command::CloseRequest
    )
}

/// The request the coach is on: the requests pane's selection, or the
/// request a detail view shows.
fn current_request(model: &Model) -> Option<Request> {
    match &model.screen {
        Screen::Detail(detail) => match &detail.item {
            Item::Request(row) if !detail.gone => Some(row.request.clone()),
            _ => None,
        },
        Screen::Dashboard if model.focus == Pane::Requests => {
            match model.selected_item(Pane::Requests)? {
                Item::Request(row) => Some(row.request),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A key on a request: open the flow's first step, or do it at once.
pub fn start(model: &mut Model, command: Command) -> Vec<Effect> {
    let Some(request) = current_request(model) else {
        model.notice = Some(Notice {
            kind: NoticeKind::Info,
            text: "choose a request first".into(),
        });
        return Vec::new();
    };
    let request_id = request.id;
    let (now, tz) = (model.now, model.tz);
    let open = |step| {
        Overlay::Triage(Box::new(TriageFlow {
            request: request.clone(),
            step,
            state: SaveState::default(),
            risk_confirmed: false,
        }))
    };
    let time = |purpose, picker| TriageStep::ChooseTime { purpose, picker };
    let (overlay, effect) = match command {
        Command::Reply => (
            open(TriageStep::ChooseTemplate {
                names: Loadable::Loading,
                chosen: 0,
            }),
            TriageEffect::LoadTemplateNames,
        ),
        Command::Acknowledge => {
            let step = time(TimePurpose::Acknowledge, TimePicker::promise(now, tz));
            model.overlay = open(step);
            return Vec::new();
        }
        Command::Snooze => {
            model.overlay = open(time(TimePurpose::Snooze, TimePicker::snooze(now, tz)));
            return Vec::new();
        }
        Command::MakeFollowUp => {
            if request.client_id.is_none() {
                model.notice = Some(Notice {
                    kind: NoticeKind::Error,
                    text: "an unknown sender has no client to follow up with; add them first"
                        .into(),
                });
                return Vec::new();
            }
            model.overlay = open(time(TimePurpose::FollowUp, TimePicker::due(now, tz)));
            return Vec::new();
        }
        Command::SetUrgency => {
            let chosen = Urgency::ALL
                .iter()
                .position(|u| *u == request.urgency)
                .unwrap_or(0);
            model.overlay = open(TriageStep::ChooseUrgency { chosen });
            return Vec::new();
        }
        Command::WaitOnClient => {
            // Waiting has no end: a crisis or urgent request asks first.
            if let Some(risk) = request.put_aside_risk(None) {
                model.overlay = Overlay::Confirm(Box::new(crate::tui::model::Confirm {
                    question: format!("{risk}. Set it waiting on the client anyway?"),
                    yes: (
                        "waiting anyway (it still counts in the pane title)".into(),
                        vec![Effect::Triage(TriageEffect::WaitOnClient {
                            request_id,
                            force: true,
                        })],
                    ),
                    alternative: None,
                    declined: "left open".into(),
                }));
                return Vec::new();
            }
            (
                Overlay::None,
                TriageEffect::WaitOnClient {
                    request_id,
                    force: false,
                },
            )
        }
        Command::RaiseToCrisis => (Overlay::None, TriageEffect::RaiseToCrisis { request_id }),
        Command::CloseRequest => (Overlay::None, TriageEffect::Close { request_id }),
        _ => return Vec::new(),
    };
    model.overlay = overlay;
    vec![Effect::Triage(effect)]
}

/// Which keys apply: the editor's while editing, else the picker's.
impl TriageFlow {
    pub fn busy(&self) -> bool {
        self.state.busy()
    }

    pub fn error(&self) -> Option<&str> {
        self.state.error()
    }

    pub fn scope(&self) -> Scope {
        match self.step {
            TriageStep::EditReply(_) => Scope::ReplyEditor,
            _ => Scope::Picker,
        }
    }

    pub fn edit(&mut self, key: EditKey) {
        self.edit_with(&Edit::Key(key));
    }

    pub fn edit_with(&mut self, edit: &Edit) {
        if self.state.busy() {
            return;
        }
        match &mut self.step {
            TriageStep::EditReply(draft) => draft.input(edit),
            TriageStep::FollowUpText { text, .. } => {
                text.input(edit);
                self.risk_confirmed = false;
            }
            TriageStep::ChooseTime { picker, .. } => {
                picker.edit(edit);
                self.risk_confirmed = false;
            }
            _ => return,
        }
        self.state = SaveState::Editing(None);
    }

    pub fn refused(&mut self, reason: String) {
        self.state = SaveState::Failed(reason);
    }

    /// A template list, a drafted reply or text back from $EDITOR.
    pub fn take(&mut self, result: TriageResult) {
        self.state = SaveState::Editing(None);
        match result {
            TriageResult::TemplateNames(mut names) => {
                if let TriageStep::ChooseTemplate { names: slot, .. } = &mut self.step {
                    names.insert(0, BLANK_REPLY.to_string());
                    *slot = Loadable::Ready(names);
                }
            }
            TriageResult::Drafted {
                subject,
                body,
                kind,
            } => {
                let mut draft = ReplyDraft::new(subject, &body, kind);
                draft.quoted = self.request.subject.iter().cloned().collect();
                draft.check();
                self.step = TriageStep::EditReply(Box::new(draft));
            }
            TriageResult::EditedExternally(text) => {
                if let TriageStep::EditReply(draft) = &mut self.step {
                    draft.editor.set_text(&text);
                    draft.send_anyway = false;
                    draft.check();
                }
            }
            TriageResult::Done { .. } | TriageResult::Refused(_) => {}
        }
    }
}

pub fn type_char(flow: &mut TriageFlow, c: char) -> Vec<Effect> {
    if flow.busy() {
        return Vec::new();
    }
    flow.state = SaveState::Editing(None);
    flow.risk_confirmed = false;
    match &mut flow.step {
        TriageStep::ChooseTime { picker, .. } => picker.type_char(c),
        TriageStep::FollowUpText { text, .. } => text.input(&Edit::Key(EditKey::Char(c))),
        _ => {}
    }
    Vec::new()
}

pub fn command(
    flow: &mut TriageFlow,
    command: Command,
    now: DateTime<Utc>,
    tz: Tz,
    keymap: &crate::tui::keymap::Keymap,
) -> Next {
    if command == Command::FlowCancel {
        // A changed draft is never thrown away on one key.
        if let TriageStep::EditReply(draft) = &mut flow.step
            && draft.changed()
            && !draft.discard_armed
        {
            // The view says which keys discard or send (from the keymap).
            draft.discard_armed = true;
            return Next::Stay(Vec::new());
        }
        return Next::Close;
    }
    if flow.busy() {
        return Next::Stay(Vec::new());
    }
    flow.state = SaveState::Editing(None);
    let request_id = flow.request.id;
    let effect = match (&mut flow.step, command) {
        (TriageStep::ChooseTemplate { names, chosen }, _) => {
            let count = names.ready().map_or(0, Vec::len);
            match command {
                Command::FlowNext => *chosen = (*chosen + 1).min(count.saturating_sub(1)),
                Command::FlowPrev => *chosen = chosen.saturating_sub(1),
                Command::FlowConfirm => {
                    let Some(name) = names.ready().and_then(|n| n.get(*chosen)) else {
                        return Next::Stay(Vec::new());
                    };
                    // The acknowledgement needs a promised time: its own flow.
                    if name == "acknowledgement" {
                        flow.step = TriageStep::ChooseTime {
                            purpose: TimePurpose::Acknowledge,
                            picker: TimePicker::promise(now, tz),
                        };
                        return Next::Stay(Vec::new());
                    }
                    let template = (name != BLANK_REPLY).then(|| name.clone());
                    flow.state = SaveState::Saving;
                    return Next::Stay(vec![Effect::Triage(TriageEffect::DraftReply {
                        request_id,
                        template,
                    })]);
                }
                _ => {}
            }
            None
        }
        (TriageStep::EditReply(draft), Command::FieldNext | Command::FieldPrev) => {
            draft.on_subject = !draft.on_subject;
            None
        }
        (TriageStep::EditReply(draft), Command::EditExternally) => {
            return Next::Stay(vec![Effect::Terminal(TerminalWork::EditExternally(
                draft.editor.text(),
            ))]);
        }
        (TriageStep::EditReply(draft), Command::FlowConfirm) => {
            let body = draft.editor.text();
            if body.trim().is_empty() {
                flow.state = SaveState::Editing(Some("the reply is empty".into()));
                return Next::Stay(Vec::new());
            }
            if !draft.warnings.is_empty() && !draft.send_anyway {
                draft.send_anyway = true;
                return Next::Stay(Vec::new());
            }
            Some(TriageEffect::SendReply {
                request_id,
                subject: draft.subject_text(),
                body,
                kind: draft.kind,
            })
        }
        (TriageStep::ChooseTime { purpose, picker }, _) => match command {
            Command::FlowNext => {
                picker.next();
                flow.risk_confirmed = false;
                None
            }
            Command::FlowPrev => {
                picker.prev();
                flow.risk_confirmed = false;
                None
            }
            Command::FlowErase => {
                picker.erase();
                flow.risk_confirmed = false;
                None
            }
            Command::FlowConfirm => match picker.choice(now, tz) {
                Err(reason) => {
                    flow.state = SaveState::Editing(Some(reason));
                    None
                }
                Ok(at) => match purpose {
                    TimePurpose::Acknowledge => Some(TriageEffect::Acknowledge {
                        request_id,
                        promise_at: at,
                    }),
                    TimePurpose::Snooze => match flow.request.put_aside_risk(Some(at)) {
                        Some(risk) if !flow.risk_confirmed => {
                            flow.risk_confirmed = true;
                            flow.state = SaveState::Editing(Some(format!(
                                "{risk}: {} again snoozes it anyway, or pick an earlier time",
                                keymap.key_name(&[Scope::Picker], Command::FlowConfirm)
                            )));
                            None
                        }
                        risk => Some(TriageEffect::Snooze {
                            request_id,
                            until: at,
                            force: risk.is_some(),
                        }),
                    },
                    TimePurpose::FollowUp => {
                        let text = format!("Follow up: {}", flow.request.summary());
                        flow.step = TriageStep::FollowUpText {
                            due: at,
                            text: TextEditor::single_line(&text),
                        };
                        None
                    }
                },
            },
            _ => None,
        },
        (TriageStep::ChooseUrgency { chosen }, _) => match command {
            Command::FlowNext => {
                *chosen = (*chosen + 1).min(Urgency::ALL.len() - 1);
                None
            }
            Command::FlowPrev => {
                *chosen = chosen.saturating_sub(1);
                None
            }
            Command::FlowConfirm => {
                Urgency::ALL
                    .get(*chosen)
                    .map(|urgency| TriageEffect::SetUrgency {
                        request_id,
                        urgency: *urgency,
                    })
            }
            _ => None,
        },
        (TriageStep::FollowUpText { due, text }, _) => match command {
            Command::FlowErase => {
                text.input(&Edit::Key(EditKey::Backspace));
                None
            }
            Command::FlowConfirm if text.value().trim().is_empty() => {
                flow.state = SaveState::Editing(Some("say what to follow up on".into()));
                None
            }
            Command::FlowConfirm => Some(TriageEffect::MakeFollowUp {
                request_id,
                due: *due,
                text: text.value().trim().to_string(),
            }),
            _ => None,
        },
        (TriageStep::EditReply(_), _) => None,
    };
    match effect {
        Some(effect) => {
            flow.state = SaveState::Saving;
            Next::Stay(vec![Effect::Triage(effect)])
        }
        None => Next::Stay(Vec::new()),
    }
}
