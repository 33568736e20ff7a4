//! Terminal events to actions, through the keymap. Pure, so tests can drive
//! the whole dashboard with key events.

use ratatui::crossterm::event::{Event, KeyEvent, MouseButton, MouseEvent, MouseEventKind};

use crate::tui::action::Action;
use crate::tui::editor::edit_key_for;
use crate::tui::keymap::{Key, Scope};
use crate::tui::model::Model;

pub fn action_for(model: &Model, event: &Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.is_press() => key_action(model, key),
        Event::Paste(text) => Some(Action::Paste(text.clone())),
        Event::Resize(columns, rows) => Some(Action::Resize(*columns, *rows)),
        Event::Mouse(mouse) => mouse_action(mouse),
        _ => None,
    }
}

pub fn key_action(model: &Model, event: &KeyEvent) -> Option<Action> {
    let key = Key::from_event(event);
    let scopes = model.scopes();
    if let Some(command) = model.keymap.command_for(&scopes, key) {
        return Some(Action::Command(command));
    }
    // Multi-line editors take every editing key; one-line fields take text.
    if scopes.iter().any(|scope| {
        matches!(
            scope,
            Scope::ReplyEditor
                | Scope::EmergencyEditor
                | Scope::CareEditor
                | Scope::CareNotes
                | Scope::SessionNote
        )
    }) {
        return edit_key_for(event).map(Action::Edit);
    }
    if scopes.iter().any(|scope| scope.takes_text()) {
        if let Some(c) = key.typed_char() {
            return Some(Action::Type(c));
        }
        // Cursor keys, undo and word motions for the one-line fields.
        return edit_key_for(event).map(Action::Edit);
    }
    None
}

fn mouse_action(mouse: &MouseEvent) -> Option<Action> {
    match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) => Some(Action::Click {
            column: mouse.column,
            row: mouse.row,
        }),
        MouseEventKind::ScrollDown => Some(Action::ScrollDown),
        MouseEventKind::ScrollUp => Some(Action::ScrollUp),
        _ => None,
    }
}
