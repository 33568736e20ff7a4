//! Care between sessions on the dashboard, as one enum state machine kept
//! in `Overlay::Care`: a held session's notes and action items, then its
//! recap; the check-in message; the parting form, then the final note.
//! Agreement steps, reactivation, done follow-ups and the at-risk list are
//! one keystroke each. Store work goes out as `CareEffect`s (run by
//! `care_book`) and comes back as `CareResult`s. Every message passes the
//! guardrails before it can be sent: past a warning, send takes two presses.

use crate::care::message::warnings;
use crate::model::{AgreementStatus, ClientId, ReplyKind};
use crate::review::AtRisk;
use crate::tui::action::{Action, Command, Effect, TerminalWork};
use crate::tui::editor::{Edit, EditKey, TextEditor};
use crate::tui::flows::triage::ReplyDraft;
use crate::tui::model::{
    AtRiskView, ClientView, Item, Loadable, Model, Notice, NoticeKind, Overlay, Pane, Screen,
    UndoEntry,
};

#[derive(Debug, Clone, PartialEq)]
pub struct CareFlow {
    pub client_id: ClientId,
    pub client_name: String,
    pub step: CareStep,
    /// Why the last try was refused; shown until the next key.
    pub error: Option<String>,
    /// An effect is running; keys other than cancel wait.
    pub busy: bool,
    /// The coach changed the text (notes, a draft): one Esc only warns.
    pub edited: bool,
    /// Esc was pressed once on changed text; the next Esc discards it.
    pub discard_armed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CareStep {
    /// A held session's notes and action items, in one text.
    Notes {
        session_id: i64,
        editor: TextEditor,
    },
    /// The recap drafted from the notes' action items.
    Recap {
        session_id: i64,
        form: String,
        draft: ReplyDraft,
    },
    /// Reason, refund, referral.
    Parting {
        editor: TextEditor,
    },
    /// The final note drafted from the parting form.
    PartingNote {
        form: String,
        draft: ReplyDraft,
    },
    CheckIn {
        draft: ReplyDraft,
    },
    /// The client's details or context note, as a form.
    ClientForm {
        part: ClientPart,
        editor: TextEditor,
    },
}

/// Which form of the client's record is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientPart {
    /// Name, mail addresses, phone, time zone, notes.
    Details,
    /// What is at stake now, and until when.
    Context,
}

/// Store work for the care flows.
#[derive(Debug, Clone, PartialEq)]
pub enum CareEffect {
    DraftRecap {
        session_id: i64,
        form: String,
    },
    SaveHeld {
        session_id: i64,
        form: String,
        /// Subject and body of the recap to send, if any.
        recap: Option<(String, String)>,
    },
    /// The parting form, with the partners' names in its help.
    StartParting {
        client_id: ClientId,
    },
    DraftParting {
        client_id: ClientId,
        form: String,
    },
    SaveParting {
        client_id: ClientId,
        form: String,
        subject: String,
        body: String,
    },
    DraftCheckIn {
        client_id: ClientId,
    },
    SendCheckIn {
        client_id: ClientId,
        subject: String,
        body: String,
    },
    Agreement {
        client_id: ClientId,
        step: AgreementStatus,
    },
    Reactivate {
        client_id: ClientId,
    },
    /// Open a form of the client's record, filled from the book.
    StartClientEdit {
        client_id: ClientId,
        part: ClientPart,
    },
    /// Save the form: one change of the book, or a refusal shown in it.
    SaveClient {
        client_id: ClientId,
        part: ClientPart,
        form: String,
    },
    FollowUpDone {
        followup_id: i64,
    },
    LoadAtRisk,
    /// Make the chases, check-ins and reminders that are due.
    Generate,
}

/// Results of care effects.
#[derive(Debug, Clone, PartialEq)]
pub enum CareResult {
    /// The parting form's starting text.
    PartingForm {
        client_id: ClientId,
        name: String,
        text: String,
    },
    /// A form of the client's record, to edit.
    ClientForm {
        client_id: ClientId,
        name: String,
        part: ClientPart,
        text: String,
    },
    /// A message drafted for the open step.
    Drafted {
        subject: String,
        body: String,
    },
    /// A check-in drafted (opens the editor).
    CheckInDrafted {
        client_id: ClientId,
        name: String,
        subject: String,
        body: String,
    },
    /// One change of the book is done (see `TriageResult::Done`).
    Done {
        change_id: i64,
        message: String,
        problem: Option<String>,
        sent: bool,
        clipboard: Option<String>,
    },
    /// Nothing was written.
    Refused(String),
    AtRisk(Vec<AtRisk>),
    /// What generation made, if anything.
    Generated(Option<String>),
}

fn effect(work: CareEffect) -> Effect {
    Effect::Care(work)
}

fn say(model: &mut Model, kind: NoticeKind, text: impl Into<String>) {
    model.notice = Some(Notice {
        kind,
        text: text.into(),
    });
}

/// Route an action to the care flows; `Err` gives it back when not theirs.
pub fn update(model: &mut Model, action: Action) -> Result<Vec<Effect>, Action> {
    match action {
        Action::Start => Ok(crate::tui::update::start(model)),
        Action::FirstFrameShown => Ok(vec![effect(CareEffect::Generate)]),
        Action::Care(result) => Ok(take_result(model, result)),
        Action::Command(command) if ours(model, command) => {
            model.notice = None;
            Ok(command_effects(model, command))
        }
        Action::Edit(key) => match &mut model.overlay {
            Overlay::Care(flow) => {
                flow.edit(key);
                Ok(Vec::new())
            }
            _ => Err(Action::Edit(key)),
        },
        Action::Paste(text) => match &mut model.overlay {
            Overlay::Care(flow) => {
                flow.edit_with(&Edit::Paste(text));
                Ok(Vec::new())
            }
            _ => Err(Action::Paste(text)),
        },
        Action::EditedExternally(edited) => match &mut model.overlay {
            Overlay::Care(flow) => {
                flow.busy = false;
                match edited {
                    Ok(text) => flow.set_text(&text),
                    Err(reason) => flow.error = Some(format!("$EDITOR: {reason}")),
                }
                Ok(Vec::new())
            }
            _ => Err(Action::EditedExternally(edited)),
        },
        other => Err(other),
    }
}

fn ours(model: &Model, command: Command) -> bool {
    if command == Command::Quit {
        return false;
    }
    if matches!(model.overlay, Overlay::Care(_)) {
        return true;
    }
    if model.overlay != Overlay::None {
        return false;
    }
    match &model.screen {
        Screen::AtRisk(_) => true,
        Screen::Client(_) => matches!(
            command,
            Command::AgreementSent
                | Command::AgreementSigned
                | Command::AgreementCountersigned
                | Command::CheckInMessage
                | Command::EndClient
                | Command::ReactivateClient
                | Command::EditClient
                | Command::EditContext
                | Command::OpenClient
        ),
        Screen::Detail(_) => command == Command::OpenClient,
        Screen::Dashboard => matches!(
            command,
            Command::AtRiskList
                | Command::OpenClient
                | Command::MarkHeld
                | Command::FollowUpDone
                | Command::CheckInMessage
        ),
        _ => false,
    }
}

fn command_effects(model: &mut Model, command: Command) -> Vec<Effect> {
    if let Overlay::Care(flow) = &mut model.overlay {
        return match flow_command(flow, command) {
            Some(effects) => effects,
            None => {
                model.overlay = Overlay::None;
                Vec::new()
            }
        };
    }
    if let Screen::AtRisk(view) = &model.screen {
        let chosen = view.chosen;
        return at_risk_command(model, command, chosen);
    }
    let on_dashboard = model.screen == Screen::Dashboard;
    let client_view = match &model.screen {
        Screen::Client(view) => Some(view.client_id),
        _ => None,
    };
    match (on_dashboard, client_view, command) {
        (_, _, Command::AtRiskList) => {
            model.screen = Screen::AtRisk(Box::new(AtRiskView {
                clients: Loadable::Loading,
                chosen: 0,
            }));
            vec![effect(CareEffect::LoadAtRisk)]
        }
        (_, _, Command::OpenClient) => match current_client(model) {
            Some(client_id) => open_client(model, client_id),
            None => {
                say(model, NoticeKind::Info, "choose a row with a client first");
                Vec::new()
            }
        },
        (true, _, Command::MarkHeld) => start_held(model),
        (true, _, Command::FollowUpDone) => match model.selected_item(Pane::FollowUps) {
            Some(Item::FollowUp(row)) if model.focus == Pane::FollowUps => {
                vec![effect(CareEffect::FollowUpDone {
                    followup_id: row.followup.id,
                })]
            }
            _ => Vec::new(),
        },
        (_, _, Command::CheckInMessage) => match current_client(model) {
            Some(client_id) => vec![effect(CareEffect::DraftCheckIn { client_id })],
            None => Vec::new(),
        },
        (_, Some(client_id), _) => {
            let work = match command {
                Command::AgreementSent => CareEffect::Agreement {
                    client_id,
                    step: AgreementStatus::Sent,
                },
                Command::AgreementSigned => CareEffect::Agreement {
                    client_id,
                    step: AgreementStatus::Signed,
                },
                Command::AgreementCountersigned => CareEffect::Agreement {
                    client_id,
                    step: AgreementStatus::Countersigned,
                },
                Command::EndClient => CareEffect::StartParting { client_id },
                Command::ReactivateClient => CareEffect::Reactivate { client_id },
                Command::EditClient => CareEffect::StartClientEdit {
                    client_id,
                    part: ClientPart::Details,
                },
                Command::EditContext => CareEffect::StartClientEdit {
                    client_id,
                    part: ClientPart::Context,
                },
                _ => return Vec::new(),
            };
            vec![effect(work)]
        }
        _ => Vec::new(),
    }
}

/// The client of what the coach is on: the selected row, the open item,
/// the client view.
fn current_client(model: &Model) -> Option<ClientId> {
    match &model.screen {
        Screen::Dashboard => model.selected_item(model.focus)?.client_id(),
        Screen::Detail(detail) => detail.item.client_id(),
        Screen::Client(view) => Some(view.client_id),
        _ => None,
    }
}

fn open_client(model: &mut Model, client_id: ClientId) -> Vec<Effect> {
    model.go_to(Screen::Client(Box::new(ClientView {
        client_id,
        card: Loadable::Loading,
        scroll: 0,
    })));
    vec![Effect::LoadClient {
        client_id,
        history: crate::tui::update::CLIENT_HISTORY,
    }]
}

fn at_risk_command(model: &mut Model, command: Command, chosen: usize) -> Vec<Effect> {
    let Screen::AtRisk(view) = &mut model.screen else {
        return Vec::new();
    };
    let count = view.clients.ready().map_or(0, Vec::len);
    let last = count.saturating_sub(1);
    match command {
        Command::Back => return model.go_back(),
        Command::Down => view.chosen = (chosen + 1).min(last),
        Command::Up => view.chosen = chosen.saturating_sub(1),
        Command::Top => view.chosen = 0,
        Command::Bottom => view.chosen = last,
        Command::PageDown => view.chosen = (chosen + 10).min(last),
        Command::PageUp => view.chosen = chosen.saturating_sub(10),
        Command::Open => {
            let id = view
                .clients
                .ready()
                .and_then(|list| list.get(chosen))
                .map(|a| a.client_id);
            if let Some(client_id) = id {
                return open_client(model, client_id);
            }
        }
        _ => {}
    }
    Vec::new()
}

/// `d` on a session: its notes and action items, then the recap.
fn start_held(model: &mut Model) -> Vec<Effect> {
    let Some(Item::Session(row)) = model.selected_item(Pane::Sessions) else {
        say(model, NoticeKind::Info, "choose a session first");
        return Vec::new();
    };
    if row.session.start > model.now {
        say(
            model,
            NoticeKind::Error,
            format!(
                "session #{} has not begun yet; it can be held once it has",
                row.session.id
            ),
        );
        return Vec::new();
    }
    // The cursor starts on the notes line.
    let mut editor = TextEditor::new(&crate::care::held::form_template(&row.session.notes));
    editor.apply(EditKey::Down);
    editor.apply(EditKey::End);
    model.overlay = Overlay::Care(Box::new(CareFlow {
        client_id: row.session.client_id,
        client_name: row.session.client_name.clone(),
        step: CareStep::Notes {
            session_id: row.session.id,
            editor,
        },
        error: None,
        busy: false,
        edited: false,
        discard_armed: false,
    }));
    Vec::new()
}

fn draft(subject: String, body: &str, kind: ReplyKind) -> ReplyDraft {
    let mut draft = ReplyDraft::new(Some(subject), body, kind);
    draft.warnings = warnings(body);
    draft
}

impl CareFlow {
    /// Where its keys are looked up: the notes step has one more.
    pub fn scopes(&self) -> Vec<crate::tui::keymap::Scope> {
        use crate::tui::keymap::Scope;
        match self.step {
            CareStep::Notes { .. } => vec![Scope::CareNotes, Scope::CareEditor],
            _ => vec![Scope::CareEditor],
        }
    }

    pub fn edit(&mut self, key: EditKey) {
        self.edit_with(&Edit::Key(key));
    }

    pub fn edit_with(&mut self, edit: &Edit) {
        if self.busy {
            return;
        }
        self.error = None;
        self.discard_armed = false;
        let before = self.text();
        self.apply_edit(edit);
        if self.text() != before {
            self.edited = true;
        }
    }

    fn apply_edit(&mut self, edit: &Edit) {
        match &mut self.step {
            CareStep::Notes { editor, .. }
            | CareStep::Parting { editor }
            | CareStep::ClientForm { editor, .. } => editor.input(edit),
            CareStep::Recap { draft, .. }
            | CareStep::PartingNote { draft, .. }
            | CareStep::CheckIn { draft } => {
                draft.editor.input(edit);
                draft.send_anyway = false;
                draft.warnings = warnings(&draft.editor.text());
            }
        }
    }

    fn set_text(&mut self, text: &str) {
        if text != self.text() {
            self.edited = true;
        }
        self.discard_armed = false;
        match &mut self.step {
            CareStep::Notes { editor, .. }
            | CareStep::Parting { editor }
            | CareStep::ClientForm { editor, .. } => editor.set_text(text),
            CareStep::Recap { draft, .. }
            | CareStep::PartingNote { draft, .. }
            | CareStep::CheckIn { draft } => {
                draft.editor.set_text(text);
                draft.send_anyway = false;
                draft.warnings = warnings(text);
            }
        }
    }

    /// The text being edited.
    pub fn text(&self) -> String {
        match &self.step {
            CareStep::Notes { editor, .. }
            | CareStep::Parting { editor }
            | CareStep::ClientForm { editor, .. } => editor.text(),
            CareStep::Recap { draft, .. }
            | CareStep::PartingNote { draft, .. }
            | CareStep::CheckIn { draft } => draft.editor.text(),
        }
    }

    /// The draft being sent, once past the guardrails (a second press
    /// sends anyway); `None` while waiting for that second press.
    fn ready_to_send(&mut self) -> Option<(String, String)> {
        let (CareStep::Recap { draft, .. }
        | CareStep::PartingNote { draft, .. }
        | CareStep::CheckIn { draft }) = &mut self.step
        else {
            return None;
        };
        let body = draft.editor.text();
        if body.trim().is_empty() {
            self.error = Some("the message is empty".into());
            return None;
        }
        if !draft.warnings.is_empty() && !draft.send_anyway {
            draft.send_anyway = true;
            return None;
        }
        Some((draft.subject_text().unwrap_or_default(), body))
    }
}

/// A key in an open care flow; `None` closes it.
fn flow_command(flow: &mut CareFlow, command: Command) -> Option<Vec<Effect>> {
    if command == Command::FlowCancel {
        // Typed notes or an edited draft are never thrown away on one key.
        if flow.edited && !flow.discard_armed && !flow.busy {
            // The view says which key discards (from the keymap).
            flow.discard_armed = true;
            return Some(Vec::new());
        }
        return None;
    }
    flow.discard_armed = false;
    if flow.busy {
        return Some(Vec::new());
    }
    flow.error = None;
    if command == Command::EditExternally {
        return Some(vec![Effect::Terminal(TerminalWork::EditExternally(
            flow.text(),
        ))]);
    }
    let work = match (&flow.step, command) {
        (CareStep::Notes { session_id, editor }, Command::FlowConfirm) => CareEffect::DraftRecap {
            session_id: *session_id,
            form: editor.text(),
        },
        (CareStep::Notes { session_id, editor }, Command::SaveWithoutRecap) => {
            CareEffect::SaveHeld {
                session_id: *session_id,
                form: editor.text(),
                recap: None,
            }
        }
        (CareStep::ClientForm { part, editor }, Command::FlowConfirm) => CareEffect::SaveClient {
            client_id: flow.client_id,
            part: *part,
            form: editor.text(),
        },
        (CareStep::Parting { editor }, Command::FlowConfirm) => CareEffect::DraftParting {
            client_id: flow.client_id,
            form: editor.text(),
        },
        (
            CareStep::Recap { .. } | CareStep::PartingNote { .. } | CareStep::CheckIn { .. },
            Command::FlowConfirm,
        ) => {
            let Some((subject, body)) = flow.ready_to_send() else {
                return Some(Vec::new());
            };
            match &flow.step {
                CareStep::Recap {
                    session_id, form, ..
                } => CareEffect::SaveHeld {
                    session_id: *session_id,
                    form: form.clone(),
                    recap: Some((subject, body)),
                },
                CareStep::PartingNote { form, .. } => CareEffect::SaveParting {
                    client_id: flow.client_id,
                    form: form.clone(),
                    subject,
                    body,
                },
                _ => CareEffect::SendCheckIn {
                    client_id: flow.client_id,
                    subject,
                    body,
                },
            }
        }
        _ => return Some(Vec::new()),
    };
    flow.busy = true;
    Some(vec![effect(work)])
}

fn take_result(model: &mut Model, result: CareResult) -> Vec<Effect> {
    match result {
        CareResult::PartingForm {
            client_id,
            name,
            text,
        } => {
            // The cursor starts after "Reason: ".
            let mut editor = TextEditor::new(&text);
            editor.apply(EditKey::End);
            model.overlay = Overlay::Care(Box::new(CareFlow {
                client_id,
                client_name: name,
                step: CareStep::Parting { editor },
                error: None,
                busy: false,
                edited: false,
                discard_armed: false,
            }));
            Vec::new()
        }
        CareResult::ClientForm {
            client_id,
            name,
            part,
            text,
        } => {
            // The cursor starts at the end of the first line's value.
            let mut editor = TextEditor::new(&text);
            editor.apply(EditKey::End);
            model.overlay = Overlay::Care(Box::new(CareFlow {
                client_id,
                client_name: name,
                step: CareStep::ClientForm { part, editor },
                error: None,
                busy: false,
                edited: false,
                discard_armed: false,
            }));
            Vec::new()
        }
        CareResult::CheckInDrafted {
            client_id,
            name,
            subject,
            body,
        } => {
            model.overlay = Overlay::Care(Box::new(CareFlow {
                client_id,
                client_name: name,
                step: CareStep::CheckIn {
                    draft: draft(subject, &body, ReplyKind::CheckIn),
                },
                error: None,
                busy: false,
                edited: false,
                discard_armed: false,
            }));
            Vec::new()
        }
        CareResult::Drafted { subject, body } => {
            if let Overlay::Care(flow) = &mut model.overlay {
                flow.busy = false;
                let next = match &flow.step {
                    CareStep::Notes { session_id, editor } => Some(CareStep::Recap {
                        session_id: *session_id,
                        form: editor.text(),
                        draft: draft(subject, &body, ReplyKind::Recap),
                    }),
                    CareStep::Parting { editor } => Some(CareStep::PartingNote {
                        form: editor.text(),
                        draft: draft(subject, &body, ReplyKind::Parting),
                    }),
                    _ => None,
                };
                if let Some(next) = next {
                    flow.step = next;
                }
            }
            Vec::new()
        }
        CareResult::Done {
            change_id,
            message,
            problem,
            sent,
            clipboard,
        } => {
            model.undo_stack.push(UndoEntry {
                change_id,
                delivered: sent,
            });
            if matches!(model.overlay, Overlay::Care(_)) {
                model.overlay = Overlay::None;
            }
            match problem {
                Some(problem) => say(model, NoticeKind::Error, format!("{message}; {problem}")),
                None => say(model, NoticeKind::Info, message),
            }
            let mut effects = crate::tui::update::reload(model);
            if let Some(text) = clipboard {
                effects.push(Effect::Terminal(TerminalWork::CopyToClipboard(text)));
            }
            effects
        }
        CareResult::Refused(reason) => {
            match &mut model.overlay {
                Overlay::Care(flow) => {
                    flow.busy = false;
                    flow.error = Some(reason);
                }
                _ => say(model, NoticeKind::Error, reason),
            }
            Vec::new()
        }
        CareResult::AtRisk(list) => {
            if let Screen::AtRisk(view) = &mut model.screen {
                view.chosen = view.chosen.min(list.len().saturating_sub(1));
                view.clients = Loadable::Ready(list);
            }
            Vec::new()
        }
        CareResult::Generated(Some(summary)) => {
            if model.notice.is_none() {
                say(model, NoticeKind::Info, summary);
            }
            crate::tui::update::reload(model)
        }
        CareResult::Generated(None) => Vec::new(),
    }
}
