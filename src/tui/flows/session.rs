//! Sessions from the dashboard: book one session or a series, move one to
//! an agreed time, cancel one, with a note to the client. One enum state
//! machine kept in `Overlay::Session`:
//!
//! Editing → Checking → (Confirm, on a clash) → (Note, when the client is
//! told) → Saving → Done | Failed.
//!
//! It is pure: the clash check, the note's draft and the change itself go
//! out as `SessionWork` (run by `tui::effects::session`, which calls the same
//! `flows::booking`, `flows::moving` and `flows::cancel` as the command line)
//! and come back as `SessionResult`s.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::compose::Rendered;
use crate::domain::lookup::fuzzy_matches;
use crate::domain::when::parse_when;
use crate::flows::booking::{MovePlan, Occurrences};
use crate::model::{ClientId, MovedBy, Repeat, Repeating, Session};
use crate::tui::action::{Action, Command, Effect, TerminalWork};
use crate::tui::editor::{Edit, EditKey, TextEditor};
use crate::tui::keymap::Scope;
use crate::tui::model::{Item, Loadable, Model, Notice, NoticeKind, Overlay, Pane, Screen};

/// What the flow does.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionKind {
    Book,
    Move(Box<Session>),
    Cancel(Box<Session>),
}

/// The form's fields; each kind shows some of them (see [`SessionFlow::fields`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Client,
    When,
    Minutes,
    Place,
    Repeat,
    Count,
    By,
    Reason,
    Occurrences,
    Tell,
}

impl Field {
    pub fn label(self) -> &'static str {
        match self {
            Field::Client => "Client",
            Field::When => "When",
            Field::Minutes => "Minutes",
            Field::Place => "Place",
            Field::Repeat => "Repeat",
            Field::Count => "Count",
            Field::By => "Asked by",
            Field::Reason => "Reason",
            Field::Occurrences => "Sessions",
            Field::Tell => "Tell them",
        }
    }

    /// Fields the coach types into (the others cycle through choices).
    pub fn typed(self) -> bool {
        matches!(
            self,
            Field::Client
                | Field::When
                | Field::Minutes
                | Field::Place
                | Field::Count
                | Field::Reason
        )
    }
}

/// What the coach filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionForm {
    pub field: Field,
    pub client_query: TextEditor,
    pub names: Loadable<Vec<(ClientId, String)>>,
    pub matches: Vec<(ClientId, String)>,
    pub chosen: usize,
    pub when: TextEditor,
    pub minutes: TextEditor,
    pub place: TextEditor,
    pub repeat: Option<Repeat>,
    pub count: TextEditor,
    pub by: MovedBy,
    pub reason: TextEditor,
    pub occurrences: Occurrences,
    pub tell: bool,
}

/// A checked request, ready for the book.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionRequest {
    Book {
        client_id: ClientId,
        client_name: String,
        start: DateTime<Utc>,
        minutes: i64,
        place: Option<String>,
        repeat: Option<Repeating>,
    },
    Move {
        session_id: i64,
        to: DateTime<Utc>,
        by: MovedBy,
        reason: Option<String>,
        occurrences: Occurrences,
        tell: bool,
    },
    Cancel {
        session_id: i64,
        occurrences: Occurrences,
        tell: bool,
    },
}

/// Store work for the session flows.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionWork {
    /// The clash check (book, move), the move's plan and the note's draft.
    Check(SessionRequest),
    /// The change, then delivery of the note. `force`: the coach sends a
    /// note the guardrails flagged (a second press).
    Save {
        request: SessionRequest,
        plan: Option<Box<MovePlan>>,
        allow_overlap: bool,
        note: Option<Rendered>,
        force: bool,
    },
}

/// Results of session work.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionResult {
    Checked {
        plan: Option<Box<MovePlan>>,
        /// Clashes with sessions and busy blocks: a confirmation books anyway.
        clashes: Vec<String>,
        /// Why it cannot be booked at all (the past).
        refused: Option<String>,
        note: Option<Rendered>,
    },
    Done {
        change_id: i64,
        message: String,
        problem: Option<String>,
        sent: bool,
        clipboard: Option<String>,
    },
    /// Nothing was written.
    Refused(String),
}

/// Where the flow is.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionStep {
    Editing {
        error: Option<String>,
    },
    Checking,
    /// The clashes found; the coach may book anyway.
    Confirm {
        clashes: Vec<String>,
    },
    /// The note to the client, editable before it goes.
    Note {
        editor: Box<TextEditor>,
        subject: String,
        warnings: Vec<String>,
        /// Send was pressed once past a warning; the next press sends.
        send_anyway: bool,
    },
    Saving,
    Done(String),
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SessionFlow {
    pub kind: SessionKind,
    pub form: SessionForm,
    pub step: SessionStep,
    /// The request as last checked, with the move's plan.
    pub checked: Option<(SessionRequest, Option<Box<MovePlan>>)>,
    /// The coach agreed to book onto a clash.
    pub allow_overlap: bool,
    /// The note drafted at the check, kept while a clash is confirmed.
    pub note_draft: Option<Rendered>,
}

impl SessionFlow {
    pub fn new(kind: SessionKind, client: Option<(ClientId, String)>) -> SessionFlow {
        let (when, minutes, place, field) = match &kind {
            SessionKind::Book => (
                String::new(),
                "60".to_string(),
                String::new(),
                Field::Client,
            ),
            SessionKind::Move(s) => (
                String::new(),
                s.minutes.to_string(),
                String::new(),
                Field::When,
            ),
            SessionKind::Cancel(s) => (
                String::new(),
                s.minutes.to_string(),
                String::new(),
                if s.series_id.is_some() {
                    Field::Occurrences
                } else {
                    Field::Tell
                },
            ),
        };
        let has_client = client.is_some();
        let mut flow = SessionFlow {
            kind,
            form: SessionForm {
                field,
                client_query: TextEditor::single_line(
                    &client.as_ref().map(|c| c.1.clone()).unwrap_or_default(),
                ),
                names: Loadable::Loading,
                matches: client.into_iter().collect(),
                chosen: 0,
                when: TextEditor::single_line(&when),
                minutes: TextEditor::single_line(&minutes),
                place: TextEditor::single_line(&place),
                repeat: None,
                count: TextEditor::single_line("6"),
                by: MovedBy::Client,
                reason: TextEditor::default(),
                occurrences: Occurrences::This,
                tell: true,
            },
            step: SessionStep::Editing { error: None },
            checked: None,
            allow_overlap: false,
            note_draft: None,
        };
        if has_client {
            flow.form.field = Field::When;
        }
        flow
    }

    /// The fields this kind shows, in Tab order.
    pub fn fields(&self) -> Vec<Field> {
        match &self.kind {
            SessionKind::Book => {
                let mut fields = vec![
                    Field::Client,
                    Field::When,
                    Field::Minutes,
                    Field::Place,
                    Field::Repeat,
                ];
                if self.form.repeat.is_some() {
                    fields.push(Field::Count);
                }
                fields
            }
            SessionKind::Move(s) => {
                let mut fields = vec![Field::When, Field::By, Field::Reason];
                if s.series_id.is_some() {
                    fields.push(Field::Occurrences);
                }
                fields.push(Field::Tell);
                fields
            }
            SessionKind::Cancel(s) => {
                let mut fields = Vec::new();
                if s.series_id.is_some() {
                    fields.push(Field::Occurrences);
                }
                fields.push(Field::Tell);
                fields
            }
        }
    }

    /// Where its keys are looked up.
    pub fn scopes(&self) -> Vec<Scope> {
        match self.step {
            SessionStep::Editing { .. } | SessionStep::Checking | SessionStep::Saving => {
                vec![Scope::SessionForm]
            }
            SessionStep::Confirm { .. } => vec![Scope::Confirm],
            SessionStep::Note { .. } => vec![Scope::SessionNote],
            SessionStep::Done(_) | SessionStep::Failed(_) => vec![Scope::FlowResult],
        }
    }

    pub fn busy(&self) -> bool {
        matches!(self.step, SessionStep::Checking | SessionStep::Saving)
    }

    pub fn take_names(&mut self, names: Vec<(ClientId, String)>) {
        self.form.names = Loadable::Ready(names);
        if self.form.matches.is_empty() {
            self.refresh_matches();
        }
    }

    fn refresh_matches(&mut self) {
        let query = self.form.client_query.value();
        let query = query.trim();
        self.form.chosen = 0;
        let names = self
            .form
            .names
            .ready()
            .map(Vec::as_slice)
            .unwrap_or_default();
        self.form.matches = if query.is_empty() {
            Vec::new()
        } else {
            fuzzy_matches(query, names)
        };
    }

    fn text_of(&mut self) -> Option<&mut TextEditor> {
        let form = &mut self.form;
        match form.field {
            Field::Client => Some(&mut form.client_query),
            Field::When => Some(&mut form.when),
            Field::Minutes => Some(&mut form.minutes),
            Field::Place => Some(&mut form.place),
            Field::Count => Some(&mut form.count),
            Field::Reason => Some(&mut form.reason),
            _ => None,
        }
    }

    pub fn type_char(&mut self, c: char) {
        if !matches!(self.step, SessionStep::Editing { .. }) {
            return;
        }
        self.step = SessionStep::Editing { error: None };
        if c == ' ' && !self.form.field.typed() {
            self.cycle(1);
            return;
        }
        self.edit_field(&Edit::Key(EditKey::Char(c)));
    }

    fn erase(&mut self) {
        self.edit_field(&Edit::Key(EditKey::Backspace));
    }

    /// A keystroke or a paste into the form's typed field with the focus.
    fn edit_field(&mut self, edit: &Edit) {
        let client = self.form.field == Field::Client;
        if let Some(text) = self.text_of() {
            text.input(edit);
        }
        if client {
            self.refresh_matches();
        }
    }

    fn step_field(&mut self, by: isize) {
        let fields = self.fields();
        let at = fields
            .iter()
            .position(|f| *f == self.form.field)
            .unwrap_or(0) as isize;
        let len = fields.len().max(1) as isize;
        if let Some(field) = fields.get((at + by).rem_euclid(len) as usize) {
            self.form.field = *field;
        }
    }

    /// Down/up: the next client match or the next choice.
    fn cycle(&mut self, by: isize) {
        let form = &mut self.form;
        match form.field {
            Field::Client => {
                let last = form.matches.len().saturating_sub(1);
                form.chosen = form.chosen.saturating_add_signed(by).min(last);
            }
            Field::Repeat => {
                let all = [
                    None,
                    Some(Repeat::Weekly),
                    Some(Repeat::Fortnightly),
                    Some(Repeat::Monthly),
                ];
                form.repeat = cycled(&all, form.repeat, by);
            }
            Field::By => {
                form.by = cycled(&[MovedBy::Client, MovedBy::Coach], form.by, by);
            }
            Field::Occurrences => {
                form.occurrences = cycled(
                    &[Occurrences::This, Occurrences::Following],
                    form.occurrences,
                    by,
                );
            }
            Field::Tell => form.tell = !form.tell,
            _ => {}
        }
    }

    /// The request to check, or the field to fix and why.
    pub fn request(&self, now: DateTime<Utc>, tz: Tz) -> Result<SessionRequest, (Field, String)> {
        let form = &self.form;
        let when = |field| -> Result<DateTime<Utc>, (Field, String)> {
            let typed_when = form.when.value();
            if typed_when.trim().is_empty() {
                return Err((
                    field,
                    "say when: tomorrow 14:00, mon 9:30, 2026-12-03 10:00".into(),
                ));
            }
            parse_when(&typed_when, now, tz)
                .map(|w| w.at)
                .map_err(|e| (field, e.0))
        };
        match &self.kind {
            SessionKind::Book => {
                let (client_id, client_name) = form
                    .matches
                    .get(form.chosen)
                    .cloned()
                    .ok_or_else(|| (Field::Client, "type the client's name".to_string()))?;
                let start = when(Field::When)?;
                let minutes =
                    crate::domain::bounds::parse_session_minutes(form.minutes.value().trim())
                        .map_err(|e| (Field::Minutes, e))?;
                let repeat = match form.repeat {
                    None => None,
                    Some(repeat) => {
                        let count = form
                            .count
                            .value()
                            .trim()
                            .parse::<i64>()
                            .ok()
                            .filter(|n| (1..=520).contains(n))
                            .ok_or_else(|| {
                                (Field::Count, "how many sessions: 1 to 520".to_string())
                            })?;
                        Some(Repeating { repeat, count, tz })
                    }
                };
                let place = form.place.value();
                let place = place.trim();
                Ok(SessionRequest::Book {
                    client_id,
                    client_name,
                    start,
                    minutes,
                    place: (!place.is_empty()).then(|| place.to_string()),
                    repeat,
                })
            }
            SessionKind::Move(session) => {
                let to = when(Field::When)?;
                let reason = form.reason.value();
                let reason = reason.trim();
                Ok(SessionRequest::Move {
                    session_id: session.id,
                    to,
                    by: form.by,
                    reason: (!reason.is_empty()).then(|| reason.to_string()),
                    occurrences: form.occurrences,
                    tell: form.tell,
                })
            }
            SessionKind::Cancel(session) => Ok(SessionRequest::Cancel {
                session_id: session.id,
                occurrences: form.occurrences,
                tell: form.tell,
            }),
        }
    }

    pub fn edit(&mut self, key: EditKey) {
        self.edit_with(&Edit::Key(key));
    }

    /// A keystroke or a paste: into the form's typed field while editing,
    /// into the note while drafting it.
    pub fn edit_with(&mut self, edit: &Edit) {
        if matches!(self.step, SessionStep::Editing { .. }) {
            self.step = SessionStep::Editing { error: None };
            self.edit_field(edit);
            return;
        }
        if let SessionStep::Note {
            editor,
            warnings,
            send_anyway,
            ..
        } = &mut self.step
        {
            editor.input(edit);
            *send_anyway = false;
            *warnings = crate::care::message::warnings(&editor.text());
        }
    }

    fn set_note_text(&mut self, text: &str) {
        if let SessionStep::Note {
            editor,
            warnings,
            send_anyway,
            ..
        } = &mut self.step
        {
            editor.set_text(text);
            *send_anyway = false;
            *warnings = crate::care::message::warnings(text);
        }
    }

    /// The save to ask for, with the note as it stands.
    fn save(&mut self, note: Option<Rendered>, force: bool) -> Vec<Effect> {
        let Some((request, plan)) = self.checked.clone() else {
            self.step = SessionStep::Editing {
                error: Some("check it again first".into()),
            };
            return Vec::new();
        };
        self.step = SessionStep::Saving;
        vec![effect(SessionWork::Save {
            request,
            plan,
            allow_overlap: self.allow_overlap,
            note,
            force,
        })]
    }

    /// After the check or the confirmation: the note, or the save.
    fn next_after_check(&mut self, note: Option<Rendered>) -> Vec<Effect> {
        match note {
            Some(note) => {
                let warnings = crate::care::message::warnings(&note.body);
                self.step = SessionStep::Note {
                    editor: Box::new(TextEditor::new(&note.body)),
                    subject: note.subject,
                    warnings,
                    send_anyway: false,
                };
                Vec::new()
            }
            None => self.save(None, false),
        }
    }
}

fn cycled<T: Copy + PartialEq>(all: &[T], current: T, by: isize) -> T {
    let at = all.iter().position(|v| *v == current).unwrap_or(0) as isize;
    all.get((at + by).rem_euclid(all.len().max(1) as isize) as usize)
        .copied()
        .unwrap_or(current)
}

fn effect(work: SessionWork) -> Effect {
    Effect::Session(Box::new(work))
}

/// Route an action to the session flows; `Err` gives it back when not theirs.
pub fn update(model: &mut Model, action: Action) -> Result<Vec<Effect>, Action> {
    match action {
        Action::Command(command) if ours(model, command) => {
            model.notice = None;
            Ok(command_effects(model, command))
        }
        Action::Type(c) => match &mut model.overlay {
            Overlay::Session(flow) => {
                flow.type_char(c);
                Ok(Vec::new())
            }
            _ => Err(Action::Type(c)),
        },
        Action::Edit(key) => match &mut model.overlay {
            Overlay::Session(flow) => {
                flow.edit(key);
                Ok(Vec::new())
            }
            _ => Err(Action::Edit(key)),
        },
        Action::Paste(text) => match &mut model.overlay {
            Overlay::Session(flow) if !flow.busy() => {
                flow.edit_with(&Edit::Paste(text));
                Ok(Vec::new())
            }
            _ => Err(Action::Paste(text)),
        },
        Action::EditedExternally(edited) => match &mut model.overlay {
            Overlay::Session(flow) => {
                match edited {
                    Ok(text) => flow.set_note_text(&text),
                    Err(reason) => {
                        model.notice = Some(Notice {
                            kind: NoticeKind::Error,
                            text: format!("$EDITOR: {reason}"),
                        })
                    }
                }
                Ok(Vec::new())
            }
            _ => Err(Action::EditedExternally(edited)),
        },
        Action::ClientNamesLoaded(names) => match &mut model.overlay {
            Overlay::Session(flow) => {
                flow.take_names(names);
                Ok(Vec::new())
            }
            _ => Err(Action::ClientNamesLoaded(names)),
        },
        Action::Session(result) => Ok(take_result(model, *result)),
        other => Err(other),
    }
}

fn ours(model: &Model, command: Command) -> bool {
    if command == Command::Quit {
        return false;
    }
    match (&model.overlay, &model.screen) {
        (Overlay::Session(_), _) => true,
        (Overlay::None, Screen::Dashboard) => matches!(
            command,
            Command::BookSession | Command::MoveSession | Command::MarkCancelled
        ),
        (Overlay::None, Screen::Client(_)) => command == Command::BookSession,
        _ => false,
    }
}

fn command_effects(model: &mut Model, command: Command) -> Vec<Effect> {
    let (now, tz) = (model.now, model.tz);
    if let Overlay::Session(flow) = &mut model.overlay {
        return match flow_command(flow, command, now, tz) {
            Some(effects) => effects,
            None => {
                model.overlay = Overlay::None;
                Vec::new()
            }
        };
    }
    match command {
        Command::BookSession => start_booking(model),
        Command::MoveSession | Command::MarkCancelled => {
            let Some(Item::Session(row)) = model.selected_item(Pane::Sessions) else {
                model.notice = Some(Notice {
                    kind: NoticeKind::Info,
                    text: "choose a session first".into(),
                });
                return Vec::new();
            };
            let session = Box::new(row.session);
            let kind = if command == Command::MoveSession {
                SessionKind::Move(session)
            } else {
                SessionKind::Cancel(session)
            };
            model.overlay = Overlay::Session(Box::new(SessionFlow::new(kind, None)));
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// `b`: book for the client of the row (or the client view) the coach is on.
fn start_booking(model: &mut Model) -> Vec<Effect> {
    let client = match &model.screen {
        Screen::Client(view) => view
            .card
            .ready()
            .map(|card| (card.client.id, card.client.name.clone())),
        _ => model
            .selected_item(model.focus)
            .and_then(|item| match item {
                Item::Session(row) => Some((row.session.client_id, row.session.client_name)),
                Item::FollowUp(row) => Some((row.followup.client_id, row.followup.client_name)),
                Item::Request(row) => row
                    .request
                    .client_id
                    .map(|id| (id, row.request.client_name)),
            })
            .filter(|_| model.focus != Pane::Sessions),
    };
    model.overlay = Overlay::Session(Box::new(SessionFlow::new(SessionKind::Book, client)));
    vec![Effect::LoadClientNames]
}

/// A key in an open flow; `None` closes it.
fn flow_command(
    flow: &mut SessionFlow,
    command: Command,
    now: DateTime<Utc>,
    tz: Tz,
) -> Option<Vec<Effect>> {
    match &mut flow.step {
        SessionStep::Done(_) | SessionStep::Failed(_) => match command {
            Command::Back | Command::FlowCancel | Command::FlowConfirm => None,
            _ => Some(Vec::new()),
        },
        SessionStep::Checking | SessionStep::Saving => Some(Vec::new()),
        SessionStep::Confirm { .. } => match command {
            Command::FlowConfirm => {
                flow.allow_overlap = true;
                let note = flow.note_draft.clone();
                Some(flow.next_after_check(note))
            }
            Command::FlowCancel => {
                flow.step = SessionStep::Editing {
                    error: Some("not booked; change the time or the length".into()),
                };
                Some(Vec::new())
            }
            _ => Some(Vec::new()),
        },
        SessionStep::Note {
            editor,
            subject,
            warnings,
            send_anyway,
        } => match command {
            Command::FlowConfirm => {
                let body = editor.text();
                if body.trim().is_empty() {
                    return Some(Vec::new());
                }
                if !warnings.is_empty() && !*send_anyway {
                    *send_anyway = true;
                    return Some(Vec::new());
                }
                let force = *send_anyway;
                let note = Rendered {
                    subject: subject.clone(),
                    body,
                };
                Some(flow.save(Some(note), force))
            }
            Command::EditExternally => Some(vec![Effect::Terminal(TerminalWork::EditExternally(
                editor.text(),
            ))]),
            Command::FlowCancel => {
                flow.step = SessionStep::Editing { error: None };
                Some(Vec::new())
            }
            _ => Some(Vec::new()),
        },
        SessionStep::Editing { .. } => {
            flow.step = SessionStep::Editing { error: None };
            match command {
                Command::FlowCancel => return None,
                Command::FieldNext => flow.step_field(1),
                Command::FieldPrev => flow.step_field(-1),
                Command::FlowNext => flow.cycle(1),
                Command::FlowPrev => flow.cycle(-1),
                Command::FlowErase => flow.erase(),
                Command::FlowConfirm => match flow.request(now, tz) {
                    Ok(request) => {
                        flow.allow_overlap = false;
                        flow.checked = Some((request.clone(), None));
                        flow.step = SessionStep::Checking;
                        return Some(vec![effect(SessionWork::Check(request))]);
                    }
                    Err((field, reason)) => {
                        flow.form.field = field;
                        flow.step = SessionStep::Editing {
                            error: Some(reason),
                        };
                    }
                },
                _ => {}
            }
            Some(Vec::new())
        }
    }
}

fn take_result(model: &mut Model, result: SessionResult) -> Vec<Effect> {
    let Overlay::Session(flow) = &mut model.overlay else {
        if let SessionResult::Refused(reason) = result {
            model.notice = Some(Notice {
                kind: NoticeKind::Error,
                text: reason,
            });
        }
        return Vec::new();
    };
    match result {
        SessionResult::Checked {
            plan,
            clashes,
            refused,
            note,
        } => {
            if let Some((_, kept)) = &mut flow.checked {
                *kept = plan;
            }
            if let Some(reason) = refused {
                flow.step = SessionStep::Editing {
                    error: Some(reason),
                };
                flow.form.field = Field::When;
                return Vec::new();
            }
            flow.note_draft = note.clone();
            if !clashes.is_empty() {
                flow.step = SessionStep::Confirm { clashes };
                return Vec::new();
            }
            flow.next_after_check(note)
        }
        SessionResult::Refused(reason) => {
            // A refused check goes back to the form; a refused save is final.
            flow.step = match flow.step {
                SessionStep::Checking => SessionStep::Editing {
                    error: Some(reason),
                },
                _ => SessionStep::Failed(reason),
            };
            Vec::new()
        }
        SessionResult::Done {
            change_id,
            message,
            problem,
            sent,
            clipboard,
        } => {
            model.undo_stack.push(crate::tui::model::UndoEntry {
                change_id,
                delivered: sent,
            });
            let text = match &problem {
                Some(problem) => format!("{message}; {problem}"),
                None => message,
            };
            flow.step = SessionStep::Done(text.clone());
            model.notice = Some(Notice {
                kind: if problem.is_some() {
                    NoticeKind::Error
                } else {
                    NoticeKind::Info
                },
                text,
            });
            let mut effects = crate::tui::update::reload(model);
            effects.push(super::flow(super::work::FlowWork::LoadUndelivered));
            if let Some(text) = clipboard {
                effects.push(Effect::Terminal(TerminalWork::CopyToClipboard(text)));
            }
            effects
        }
    }
}
