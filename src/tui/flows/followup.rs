//! Follow-ups from the dashboard: move the due time (a typed WHEN or a
//! preset), snooze (PRODUCT.md's presets), add one with owner and kind, and
//! the list of every open follow-up (not only those due), where the pane's
//! keys work too. Done is `CareEffect::FollowUpDone` (flows/care.rs).
//!
//! One enum state machine in `Overlay::FollowUp`: Editing → Saving → Done
//! (closes, with a notice) | Failed (back to Editing, the reason shown).
//! Store work goes out as `FollowUpWork` (run by `tui::effects::followup`),
//! each change one transaction that `u` undoes.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::domain::lookup::fuzzy_matches;
use crate::domain::when::parse_when;
use crate::model::{ClientId, FollowUp, FollowUpKind, Owner};
use crate::tui::action::{Action, Command, Effect};
use crate::tui::editor::{Edit, EditKey, TextEditor};
use crate::tui::flows::care::CareEffect;
use crate::tui::flows::picker::TimePicker;
use crate::tui::keymap::Scope;
use crate::tui::model::{ClientView, Item, Loadable, Model, Notice, NoticeKind, Overlay, Screen};

/// The list of all open follow-ups.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpListView {
    pub followups: Loadable<Vec<FollowUp>>,
    pub chosen: usize,
}

impl FollowUpListView {
    pub fn selected(&self) -> Option<&FollowUp> {
        self.followups.ready()?.get(self.chosen)
    }
}

/// The fields of the add form, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddField {
    Client,
    Due,
    Text,
    Owner,
    Kind,
}

impl AddField {
    pub const ALL: [AddField; 5] = [
        AddField::Client,
        AddField::Due,
        AddField::Text,
        AddField::Owner,
        AddField::Kind,
    ];

    pub fn label(self) -> &'static str {
        match self {
            AddField::Client => "Client",
            AddField::Due => "Due",
            AddField::Text => "Text",
            AddField::Owner => "Owner",
            AddField::Kind => "Kind",
        }
    }
}

/// The kinds a coach adds by hand (chases and check-ins are generated).
pub const ADDED_KINDS: [FollowUpKind; 2] = [FollowUpKind::Action, FollowUpKind::Promise];

#[derive(Debug, Clone, PartialEq)]
pub struct AddForm {
    pub field: AddField,
    pub client_query: TextEditor,
    pub names: Loadable<Vec<(ClientId, String)>>,
    pub matches: Vec<(ClientId, String)>,
    pub chosen: usize,
    pub due: TextEditor,
    pub text: TextEditor,
    pub owner: Owner,
    pub kind: FollowUpKind,
}

/// What the flow does.
#[derive(Debug, Clone, PartialEq)]
pub enum FollowUpTask {
    /// A new due time, preset or typed.
    MoveDue {
        followup: Box<FollowUp>,
        picker: TimePicker,
    },
    /// Put it off to one of the snooze presets (or a typed time).
    Snooze {
        followup: Box<FollowUp>,
        picker: TimePicker,
    },
    Add(Box<AddForm>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum FollowUpStep {
    Editing { error: Option<String> },
    Saving,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpFlow {
    pub task: FollowUpTask,
    pub step: FollowUpStep,
}

/// Store work for the follow-up flows.
#[derive(Debug, Clone, PartialEq)]
pub enum FollowUpWork {
    LoadOpen,
    SetDue {
        followup_id: i64,
        due: DateTime<Utc>,
        snoozed: bool,
    },
    Add {
        client_id: ClientId,
        due: DateTime<Utc>,
        text: String,
        owner: Owner,
        kind: FollowUpKind,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum FollowUpResult {
    Open(Vec<FollowUp>),
    Done { change_id: i64, message: String },
    Refused(String),
}

impl FollowUpFlow {
    pub fn scopes(&self) -> Vec<Scope> {
        vec![Scope::FollowUpForm]
    }

    fn type_char(&mut self, c: char) {
        if let FollowUpTask::Add(form) = &mut self.task
            && matches!(form.field, AddField::Owner | AddField::Kind)
        {
            if self.step == FollowUpStep::Saving {
                return;
            }
            self.step = FollowUpStep::Editing { error: None };
            match form.field {
                AddField::Owner if c == ' ' => form.owner = other_owner(form.owner),
                AddField::Kind if c == ' ' => form.kind = next_kind(form.kind, 1),
                _ => {}
            }
            return;
        }
        self.edit(&Edit::Key(EditKey::Char(c)));
    }

    /// A keystroke or a paste into the typed field with the focus (the
    /// picker's WHEN, or the add form's client, due or text). Nothing
    /// changes while saving.
    fn edit(&mut self, edit: &Edit) {
        if self.step == FollowUpStep::Saving {
            return;
        }
        self.step = FollowUpStep::Editing { error: None };
        match &mut self.task {
            FollowUpTask::MoveDue { picker, .. } | FollowUpTask::Snooze { picker, .. } => {
                picker.edit(edit)
            }
            FollowUpTask::Add(form) => match form.field {
                AddField::Client => {
                    form.client_query.input(edit);
                    refresh_matches(form);
                }
                AddField::Due => form.due.input(edit),
                AddField::Text => form.text.input(edit),
                AddField::Owner | AddField::Kind => {}
            },
        }
    }

    fn command(&mut self, command: Command, now: DateTime<Utc>, tz: Tz) -> Option<Vec<Effect>> {
        if command == Command::FlowCancel {
            return None;
        }
        if self.step == FollowUpStep::Saving {
            return Some(Vec::new());
        }
        self.step = FollowUpStep::Editing { error: None };
        let snoozed = matches!(self.task, FollowUpTask::Snooze { .. });
        match &mut self.task {
            FollowUpTask::MoveDue { followup, picker }
            | FollowUpTask::Snooze { followup, picker } => match command {
                Command::FlowNext | Command::FieldNext => picker.next(),
                Command::FlowPrev | Command::FieldPrev => picker.prev(),
                Command::FlowErase => picker.erase(),
                Command::FlowConfirm => match picker.choice(now, tz) {
                    Ok(due) => {
                        let followup_id = followup.id;
                        self.step = FollowUpStep::Saving;
                        return Some(vec![effect(FollowUpWork::SetDue {
                            followup_id,
                            due,
                            snoozed,
                        })]);
                    }
                    Err(reason) => {
                        self.step = FollowUpStep::Editing {
                            error: Some(reason),
                        }
                    }
                },
                _ => {}
            },
            FollowUpTask::Add(form) => match command {
                Command::FieldNext => form.field = step_field(form.field, 1),
                Command::FieldPrev => form.field = step_field(form.field, -1),
                Command::FlowNext | Command::FlowPrev => {
                    let by = if command == Command::FlowNext { 1 } else { -1 };
                    match form.field {
                        AddField::Client => {
                            let last = form.matches.len().saturating_sub(1);
                            form.chosen = form.chosen.saturating_add_signed(by).min(last);
                        }
                        AddField::Owner => form.owner = other_owner(form.owner),
                        AddField::Kind => form.kind = next_kind(form.kind, by),
                        _ => {}
                    }
                }
                Command::FlowErase => {
                    let backspace = Edit::Key(EditKey::Backspace);
                    match form.field {
                        AddField::Client => {
                            form.client_query.input(&backspace);
                            refresh_matches(form);
                        }
                        AddField::Due => form.due.input(&backspace),
                        AddField::Text => form.text.input(&backspace),
                        _ => {}
                    }
                }
                Command::FlowConfirm => match checked(form, now, tz) {
                    Ok(work) => {
                        self.step = FollowUpStep::Saving;
                        return Some(vec![effect(work)]);
                    }
                    Err((field, reason)) => {
                        form.field = field;
                        self.step = FollowUpStep::Editing {
                            error: Some(reason),
                        };
                    }
                },
                _ => {}
            },
        }
        Some(Vec::new())
    }
}

fn refresh_matches(form: &mut AddForm) {
    let query = form.client_query.value();
    let query = query.trim();
    form.chosen = 0;
    let names = form.names.ready().map(Vec::as_slice).unwrap_or_default();
    form.matches = if query.is_empty() {
        Vec::new()
    } else {
        fuzzy_matches(query, names)
    };
}

fn step_field(field: AddField, by: isize) -> AddField {
    let at = AddField::ALL.iter().position(|f| *f == field).unwrap_or(0) as isize;
    let len = AddField::ALL.len() as isize;
    AddField::ALL
        .get((at + by).rem_euclid(len) as usize)
        .copied()
        .unwrap_or(field)
}

fn other_owner(owner: Owner) -> Owner {
    match owner {
        Owner::Coach => Owner::Client,
        Owner::Client => Owner::Coach,
    }
}

fn next_kind(kind: FollowUpKind, by: isize) -> FollowUpKind {
    let at = ADDED_KINDS.iter().position(|k| *k == kind).unwrap_or(0) as isize;
    let len = ADDED_KINDS.len() as isize;
    ADDED_KINDS
        .get((at + by).rem_euclid(len) as usize)
        .copied()
        .unwrap_or(kind)
}

/// The follow-up to add, or the field to fix and why.
fn checked(form: &AddForm, now: DateTime<Utc>, tz: Tz) -> Result<FollowUpWork, (AddField, String)> {
    let (client_id, _) = form
        .matches
        .get(form.chosen)
        .cloned()
        .ok_or_else(|| (AddField::Client, "type the client's name".to_string()))?;
    let typed_due = form.due.value();
    let due_text = if typed_due.trim().is_empty() {
        "tomorrow 09:00"
    } else {
        typed_due.trim()
    };
    let due = parse_when(due_text, now, tz)
        .map_err(|e| (AddField::Due, e.0))?
        .at;
    if due <= now {
        return Err((AddField::Due, format!("'{due_text}' has passed")));
    }
    let typed_text = form.text.value();
    let text = typed_text.trim();
    if text.is_empty() {
        return Err((AddField::Text, "say what is to be done".into()));
    }
    Ok(FollowUpWork::Add {
        client_id,
        due,
        text: text.to_string(),
        owner: form.owner,
        kind: form.kind,
    })
}

fn effect(work: FollowUpWork) -> Effect {
    Effect::FollowUp(work)
}

/// Route an action to the follow-up flows; `Err` gives it back when not theirs.
pub fn update(model: &mut Model, action: Action) -> Result<Vec<Effect>, Action> {
    match action {
        Action::Command(command) if ours(model, command) => {
            model.notice = None;
            Ok(command_effects(model, command))
        }
        Action::Type(c) => match &mut model.overlay {
            Overlay::FollowUp(flow) => {
                flow.type_char(c);
                Ok(Vec::new())
            }
            _ => Err(Action::Type(c)),
        },
        Action::Edit(key) => match &mut model.overlay {
            Overlay::FollowUp(flow) => {
                flow.edit(&Edit::Key(key));
                Ok(Vec::new())
            }
            _ => Err(Action::Edit(key)),
        },
        Action::Paste(text) => match &mut model.overlay {
            Overlay::FollowUp(flow) => {
                flow.edit(&Edit::Paste(text));
                Ok(Vec::new())
            }
            _ => Err(Action::Paste(text)),
        },
        Action::ClientNamesLoaded(names) => match &mut model.overlay {
            Overlay::FollowUp(flow) => {
                if let FollowUpTask::Add(form) = &mut flow.task {
                    form.names = Loadable::Ready(names);
                    if form.matches.is_empty() {
                        refresh_matches(form);
                    }
                }
                Ok(Vec::new())
            }
            _ => Err(Action::ClientNamesLoaded(names)),
        },
        Action::FollowUp(result) => Ok(take_result(model, *result)),
        other => Err(other),
    }
}

fn ours(model: &Model, command: Command) -> bool {
    if command == Command::Quit {
        return false;
    }
    let pane_keys = matches!(
        command,
        Command::FollowUpMoveDue | Command::FollowUpSnooze | Command::FollowUpAdd
    );
    match (&model.overlay, &model.screen) {
        (Overlay::FollowUp(_), _) => true,
        (Overlay::None, Screen::FollowUps(_)) => {
            pane_keys
                || matches!(
                    command,
                    Command::Down
                        | Command::Up
                        | Command::Top
                        | Command::Bottom
                        | Command::PageDown
                        | Command::PageUp
                        | Command::Back
                        | Command::FollowUpDone
                        | Command::OpenClient
                        | Command::Undo
                )
        }
        (Overlay::None, Screen::Dashboard) => pane_keys || command == Command::AllFollowUps,
        (Overlay::None, Screen::Client(_)) => command == Command::FollowUpAdd,
        _ => false,
    }
}

/// The follow-up the coach is on: the pane's row, or the list's.
fn current(model: &Model) -> Option<FollowUp> {
    match &model.screen {
        Screen::FollowUps(view) => view.selected().cloned(),
        Screen::Dashboard => match model.selected_item(crate::tui::model::Pane::FollowUps) {
            Some(Item::FollowUp(row)) => Some(row.followup),
            _ => None,
        },
        _ => None,
    }
}

fn command_effects(model: &mut Model, command: Command) -> Vec<Effect> {
    let (now, tz) = (model.now, model.tz);
    if let Overlay::FollowUp(flow) = &mut model.overlay {
        return match flow.command(command, now, tz) {
            Some(effects) => effects,
            None => {
                model.overlay = Overlay::None;
                Vec::new()
            }
        };
    }
    if let Screen::FollowUps(view) = &mut model.screen
        && let Some(effects) = list_command(view, command)
    {
        if effects.is_empty() && command == Command::Back {
            model.screen = Screen::Dashboard;
        }
        return effects;
    }
    match command {
        Command::AllFollowUps => {
            model.screen = Screen::FollowUps(Box::new(FollowUpListView {
                followups: Loadable::Loading,
                chosen: 0,
            }));
            vec![effect(FollowUpWork::LoadOpen)]
        }
        Command::FollowUpMoveDue | Command::FollowUpSnooze => {
            let Some(followup) = current(model) else {
                say(model, NoticeKind::Info, "choose a follow-up first");
                return Vec::new();
            };
            let followup = Box::new(followup);
            let task = if command == Command::FollowUpSnooze {
                FollowUpTask::Snooze {
                    followup,
                    picker: TimePicker::snooze(now, tz),
                }
            } else {
                FollowUpTask::MoveDue {
                    followup,
                    picker: TimePicker::due(now, tz),
                }
            };
            model.overlay = Overlay::FollowUp(Box::new(FollowUpFlow {
                task,
                step: FollowUpStep::Editing { error: None },
            }));
            Vec::new()
        }
        Command::FollowUpAdd => {
            let client = match &model.screen {
                Screen::Client(view) => view
                    .card
                    .ready()
                    .map(|c| (c.client.id, c.client.name.clone())),
                _ => current(model).map(|f| (f.client_id, f.client_name)),
            };
            let form = AddForm {
                field: if client.is_some() {
                    AddField::Due
                } else {
                    AddField::Client
                },
                client_query: TextEditor::single_line(
                    &client.as_ref().map(|c| c.1.clone()).unwrap_or_default(),
                ),
                names: Loadable::Loading,
                matches: client.into_iter().collect(),
                chosen: 0,
                due: TextEditor::default(),
                text: TextEditor::default(),
                owner: Owner::Coach,
                kind: FollowUpKind::Action,
            };
            model.overlay = Overlay::FollowUp(Box::new(FollowUpFlow {
                task: FollowUpTask::Add(Box::new(form)),
                step: FollowUpStep::Editing { error: None },
            }));
            vec![Effect::LoadClientNames]
        }
        Command::Undo => super::undo(model),
        Command::FollowUpDone => match current(model) {
            Some(f) => vec![Effect::Care(CareEffect::FollowUpDone { followup_id: f.id })],
            None => Vec::new(),
        },
        Command::OpenClient => match current(model) {
            Some(f) => {
                model.screen = Screen::Client(Box::new(ClientView {
                    client_id: f.client_id,
                    card: Loadable::Loading,
                    scroll: 0,
                }));
                vec![Effect::LoadClient {
                    client_id: f.client_id,
                    history: crate::tui::update::CLIENT_HISTORY,
                }]
            }
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// Moving around the list; `None` leaves the command to the pane's keys.
fn list_command(view: &mut FollowUpListView, command: Command) -> Option<Vec<Effect>> {
    let last = view.followups.ready().map_or(0, Vec::len).saturating_sub(1);
    let chosen = view.chosen;
    view.chosen = match command {
        Command::Down => (chosen + 1).min(last),
        Command::Up => chosen.saturating_sub(1),
        Command::Top => 0,
        Command::Bottom => last,
        Command::PageDown => (chosen + 10).min(last),
        Command::PageUp => chosen.saturating_sub(10),
        Command::Back => chosen,
        _ => return None,
    };
    Some(Vec::new())
}

fn say(model: &mut Model, kind: NoticeKind, text: impl Into<String>) {
    model.notice = Some(Notice {
        kind,
        text: text.into(),
    });
}

fn take_result(model: &mut Model, result: FollowUpResult) -> Vec<Effect> {
    match result {
        FollowUpResult::Open(list) => {
            if let Screen::FollowUps(view) = &mut model.screen {
                view.chosen = view.chosen.min(list.len().saturating_sub(1));
                view.followups = Loadable::Ready(list);
            }
            Vec::new()
        }
        FollowUpResult::Done { change_id, message } => {
            model.undo_stack.push(crate::tui::model::UndoEntry {
                change_id,
                delivered: false,
            });
            if matches!(model.overlay, Overlay::FollowUp(_)) {
                model.overlay = Overlay::None;
            }
            say(model, NoticeKind::Info, message);
            crate::tui::update::reload(model)
        }
        FollowUpResult::Refused(reason) => {
            match &mut model.overlay {
                Overlay::FollowUp(flow) => {
                    flow.step = FollowUpStep::Editing {
                        error: Some(reason),
                    }
                }
                _ => say(model, NoticeKind::Error, reason),
            }
            Vec::new()
        }
    }
}
