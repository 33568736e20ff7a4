//! Quick capture: log a phone call or a text in a few keystrokes. A small
//! form (client by fuzzy name or a new client, channel, urgency, received
//! time, text, phone); Enter checks it and saves, or says inline what is
//! wrong. The typed fields are one-line [`TextEditor`]s: display widths,
//! undo, word motions, and a paste that is text, never Enter.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::domain::lookup::fuzzy_matches;
use crate::domain::when::parse_when;
use crate::model::{Channel, ClientId, Urgency};
use crate::tui::action::{Command, Effect};
use crate::tui::editor::{Edit, EditKey, TextEditor};
use crate::tui::flows::triage::Next;
use crate::tui::flows::{NewCapture, SaveState, TriageEffect};
use crate::tui::model::Loadable;

/// The form's fields, in Tab order: the text right after the client, so a
/// call with the defaults is name, Tab, text, Enter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureField {
    Client,
    Text,
    Channel,
    Urgency,
    Received,
    /// The caller's number: kept on a new client (as `client add --phone`),
    /// or on an existing one who has none yet.
    Phone,
}

impl CaptureField {
    pub const ALL: [CaptureField; 6] = [
        CaptureField::Client,
        CaptureField::Text,
        CaptureField::Channel,
        CaptureField::Urgency,
        CaptureField::Received,
        CaptureField::Phone,
    ];

    pub fn label(self) -> &'static str {
        match self {
            CaptureField::Client => "Client",
            CaptureField::Text => "Text",
            CaptureField::Channel => "Channel",
            CaptureField::Urgency => "Urgency",
            CaptureField::Received => "Received",
            CaptureField::Phone => "Phone",
        }
    }

    fn step(self, by: isize) -> CaptureField {
        cycled(&CaptureField::ALL, self, by)
    }
}

/// Who the request is from: a client in the book, or one to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientChoice {
    Existing(ClientId, String),
    New(String),
}

impl ClientChoice {
    pub fn label(&self) -> String {
        match self {
            ClientChoice::Existing(_, name) => name.clone(),
            ClientChoice::New(name) => format!("new client \"{name}\""),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaptureForm {
    pub field: CaptureField,
    pub client_query: TextEditor,
    pub names: Loadable<Vec<(ClientId, String)>>,
    /// Matches best first, then "new client" with the typed name.
    pub matches: Vec<ClientChoice>,
    pub chosen: usize,
    pub channel: Channel,
    pub urgency: Urgency,
    /// Empty means now.
    pub received: TextEditor,
    pub text: TextEditor,
    pub phone: TextEditor,
    /// Editing → Saving → Done | Failed.
    pub state: SaveState,
}

impl Default for CaptureForm {
    fn default() -> Self {
        CaptureForm::new()
    }
}

impl CaptureForm {
    pub fn new() -> CaptureForm {
        CaptureForm {
            field: CaptureField::Client,
            client_query: TextEditor::default(),
            names: Loadable::Loading,
            matches: Vec::new(),
            chosen: 0,
            channel: Channel::Phone,
            urgency: Urgency::Normal,
            received: TextEditor::default(),
            text: TextEditor::default(),
            phone: TextEditor::default(),
            state: SaveState::default(),
        }
    }

    pub fn take_names(&mut self, names: Vec<(ClientId, String)>) {
        self.names = Loadable::Ready(names);
        self.refresh_matches();
    }

    pub fn chosen_client(&self) -> Option<&ClientChoice> {
        self.matches.get(self.chosen)
    }

    pub fn busy(&self) -> bool {
        self.state.busy()
    }

    pub fn error(&self) -> Option<&str> {
        self.state.error()
    }

    /// The book took the request: the form is done (and closes).
    pub fn saved(&mut self) {
        self.state = SaveState::Done;
    }

    pub fn refused(&mut self, reason: String) {
        self.state = SaveState::Failed(reason);
    }

    fn refresh_matches(&mut self) {
        let query = self.client_query.value();
        let query = query.trim();
        self.chosen = 0;
        if query.is_empty() {
            self.matches.clear();
            return;
        }
        let names = self.names.ready().map(Vec::as_slice).unwrap_or_default();
        let found = fuzzy_matches(query, names);
        let exact = found.iter().any(|(_, n)| n.eq_ignore_ascii_case(query));
        self.matches = found
            .into_iter()
            .map(|(id, name)| ClientChoice::Existing(id, name))
            .collect();
        if !exact {
            self.matches.push(ClientChoice::New(query.to_string()));
        }
    }

    /// The typed field with the focus, if the focus is on one.
    pub fn focused_editor(&self) -> Option<&TextEditor> {
        match self.field {
            CaptureField::Client => Some(&self.client_query),
            CaptureField::Text => Some(&self.text),
            CaptureField::Received => Some(&self.received),
            CaptureField::Phone => Some(&self.phone),
            CaptureField::Channel | CaptureField::Urgency => None,
        }
    }

    fn focused_editor_mut(&mut self) -> Option<&mut TextEditor> {
        match self.field {
            CaptureField::Client => Some(&mut self.client_query),
            CaptureField::Text => Some(&mut self.text),
            CaptureField::Received => Some(&mut self.received),
            CaptureField::Phone => Some(&mut self.phone),
            CaptureField::Channel | CaptureField::Urgency => None,
        }
    }

    pub fn type_char(&mut self, c: char) {
        match self.field {
            CaptureField::Channel if !self.busy() => {
                self.state = SaveState::Editing(None);
                self.channel = channel_for(c, self.channel);
            }
            CaptureField::Urgency if !self.busy() => {
                self.state = SaveState::Editing(None);
                self.urgency = urgency_for(c, self.urgency);
            }
            _ => self.edit(&Edit::Key(EditKey::Char(c))),
        }
    }

    /// A keystroke or a paste into the typed field with the focus. Nothing
    /// changes while the request is being saved.
    pub fn edit(&mut self, edit: &Edit) {
        if self.busy() {
            return;
        }
        self.state = SaveState::Editing(None);
        let client = self.field == CaptureField::Client;
        if let Some(editor) = self.focused_editor_mut() {
            editor.input(edit);
            if client {
                self.refresh_matches();
            }
        }
    }

    fn erase(&mut self) {
        self.edit(&Edit::Key(EditKey::Backspace));
    }

    /// Down/up: the next client match, or the next channel or urgency.
    fn cycle(&mut self, by: isize) {
        match self.field {
            CaptureField::Client => {
                let last = self.matches.len().saturating_sub(1);
                self.chosen = self.chosen.saturating_add_signed(by).min(last);
            }
            CaptureField::Channel => self.channel = cycled(Channel::ALL, self.channel, by),
            CaptureField::Urgency => self.urgency = cycled(Urgency::ALL, self.urgency, by),
            CaptureField::Text | CaptureField::Received | CaptureField::Phone => {}
        }
    }

    pub fn command(&mut self, command: Command, now: DateTime<Utc>, tz: Tz) -> Next {
        if command == Command::FlowCancel {
            return Next::Close;
        }
        if self.busy() {
            return Next::Stay(Vec::new());
        }
        self.state = SaveState::Editing(None);
        match command {
            Command::FieldNext => self.field = self.field.step(1),
            Command::FieldPrev => self.field = self.field.step(-1),
            Command::FlowNext => self.cycle(1),
            Command::FlowPrev => self.cycle(-1),
            Command::FlowErase => self.erase(),
            Command::FlowConfirm => match self.checked(now, tz) {
                Ok(capture) => {
                    self.state = SaveState::Saving;
                    return Next::Stay(vec![Effect::Triage(TriageEffect::Capture(capture))]);
                }
                Err((field, reason)) => {
                    self.field = field;
                    self.state = SaveState::Editing(Some(reason));
                }
            },
            _ => {}
        }
        Next::Stay(Vec::new())
    }

    /// The request to save, or the field to fix and why.
    pub fn checked(
        &self,
        now: DateTime<Utc>,
        tz: Tz,
    ) -> Result<NewCapture, (CaptureField, String)> {
        let client = self.chosen_client().cloned().ok_or_else(|| {
            (
                CaptureField::Client,
                "type the client's name (a new name adds the client)".to_string(),
            )
        })?;
        let text = self.text.value();
        let text = text.trim();
        if text.is_empty() {
            return Err((
                CaptureField::Text,
                "say what the call or message was about".into(),
            ));
        }
        let received = self.received.value();
        let received = if received.trim().is_empty() {
            "now"
        } else {
            received.trim()
        };
        let received_at = parse_when(received, now, tz)
            .map_err(|e| (CaptureField::Received, e.0))?
            .at;
        if received_at > now {
            return Err((
                CaptureField::Received,
                format!("'{received}' is in the future; a request is received in the past"),
            ));
        }
        let phone = self.phone.value().trim().to_string();
        if phone.chars().count() > PHONE_MAX {
            return Err((
                CaptureField::Phone,
                format!("a phone number has at most {PHONE_MAX} characters"),
            ));
        }
        Ok(NewCapture {
            client,
            phone: (!phone.is_empty()).then_some(phone),
            channel: self.channel,
            urgency: self.urgency,
            received_at,
            text: text.to_string(),
        })
    }
}

/// Longest phone number taken (with spaces, dashes and an extension).
const PHONE_MAX: usize = 40;

fn cycled<T: Copy + PartialEq>(all: &[T], current: T, by: isize) -> T {
    let at = all.iter().position(|v| *v == current).unwrap_or(0) as isize;
    all.get((at + by).rem_euclid(all.len().max(1) as isize) as usize)
        .copied()
        .unwrap_or(current)
}

/// A letter picks the channel it starts (p phone, e email, t text,
/// v voicemail, i in person, o other); space cycles.
fn channel_for(c: char, current: Channel) -> Channel {
    match c.to_ascii_lowercase() {
        ' ' => cycled(Channel::ALL, current, 1),
        'p' => Channel::Phone,
        'e' => Channel::Email,
        't' => Channel::Text,
        'v' => Channel::Voicemail,
        'i' => Channel::InPerson,
        'o' => Channel::Other,
        _ => current,
    }
}

/// c crisis, u urgent, n normal, l low; space cycles.
fn urgency_for(c: char, current: Urgency) -> Urgency {
    match c.to_ascii_lowercase() {
        ' ' => cycled(Urgency::ALL, current, 1),
        'c' => Urgency::Crisis,
        'u' => Urgency::Urgent,
        'n' => Urgency::Normal,
        'l' => Urgency::Low,
        _ => current,
    }
}
