//! The pure heart of the dashboard: `update(&mut Model, Action) -> Vec<Effect>`.
//! No SQLite, no terminal, no clock: time arrives as `Action::Tick`.

mod dashboard;
mod day;
mod mouse;
mod prompt;
mod review;

use dashboard::*;
use day::*;
pub(crate) use day::{reload, start};
use mouse::*;
use prompt::*;
use review::*;

use chrono::Duration;

use crate::domain::lookup::fuzzy_matches;
use crate::review::view::ReviewViewState;
use crate::tui::action::{Action, Command, Effect};
use crate::tui::flows::work::FlowWork;
use crate::tui::keymap::Scope;
use crate::tui::model::{
    ClientView, Detail, FindClient, Item, Loadable, Model, Notice, NoticeKind, Overlay, Pane,
    ReviewView, Screen,
};
use crate::tui::view;
use crate::tui::{flows, layout};

/// A paste that no multi-line editor took: typed into the one-line field
/// with the focus, newlines as spaces, one character at a time (so a paste
/// is exactly what typing it would do, minus any Enter). Nowhere to type,
/// nothing happens.
fn paste(model: &mut Model, text: &str) -> Vec<Effect> {
    if model.scopes().contains(&Scope::EmergencyEditor) {
        flows::emergency::edit_with(model, &crate::tui::editor::Edit::Paste(text.to_string()));
        return Vec::new();
    }
    if let Overlay::FindClient(prompt) = &mut model.overlay {
        // One edit, so one undo takes the whole paste back.
        prompt
            .query
            .input(&crate::tui::editor::Edit::Paste(text.to_string()));
        refresh_matches(prompt);
        return Vec::new();
    }
    if !model.scopes().iter().any(|scope| scope.takes_text()) {
        return Vec::new();
    }
    let mut one_line = crate::tui::editor::TextEditor::single_line("");
    one_line.paste(text);
    let mut effects = Vec::new();
    for c in one_line.value().chars() {
        effects.extend(update(model, Action::Type(c)));
    }
    effects
}

/// History entries shown in the detail view and the client view.
pub const DETAIL_HISTORY: i64 = 8;
pub const CLIENT_HISTORY: i64 = 20;

pub fn update(model: &mut Model, action: Action) -> Vec<Effect> {
    // Sessions and follow-ups from the dashboard.
    let action = match flows::session::update(model, action) {
        Ok(effects) => return effects,
        Err(action) => action,
    };
    let action = match flows::followup::update(model, action) {
        Ok(effects) => return effects,
        Err(action) => action,
    };
    // Care between sessions: its overlay, screen, keys and results.
    let action = match flows::care::update(model, action) {
        Ok(effects) => return effects,
        Err(action) => action,
    };
    // Triage and quick capture take their keys and results first (flows/).
    let action = match flows::update(model, action) {
        Ok(effects) => return effects,
        Err(action) => action,
    };
    match action {
        Action::Command(command) => {
            // A key press acknowledges the last notice.
            model.notice = None;
            if let Overlay::Confirm(confirm) = &model.overlay {
                return answer(model, (**confirm).clone(), command);
            }
            if model.overlay == Overlay::None
                && let Some(effects) = flows::on_command(model, command)
            {
                return effects;
            }
            command_effects(model, command)
        }
        // Emergency reschedule, hand-off, undo and delivery (issue 4).
        Action::Edit(key) => {
            if let Overlay::FindClient(prompt) = &mut model.overlay {
                prompt.query.input(&crate::tui::editor::Edit::Key(key));
                refresh_matches(prompt);
                return Vec::new();
            }
            flows::emergency::edit(model, key);
            Vec::new()
        }
        Action::Paste(text) => paste(model, &text),
        Action::EditedExternally(result) => {
            flows::emergency::edited_externally(model, result);
            Vec::new()
        }
        Action::Flow(event) => flows::on_event(model, *event),
        Action::Type(c) => {
            if let Overlay::FindClient(prompt) = &mut model.overlay {
                prompt.query.input(&crate::tui::editor::Edit::Key(
                    crate::tui::editor::EditKey::Char(c),
                ));
                refresh_matches(prompt);
            }
            Vec::new()
        }
        Action::Tick(now) => {
            let old_today = model.today();
            model.now = now;
            let new_today = model.today();
            if model.day == old_today && new_today != old_today {
                model.day = new_today;
            }
            // What became due this minute (chases, check-ins, reminders).
            vec![
                Effect::Care(flows::care::CareEffect::Generate),
                load_day(model),
            ]
        }
        Action::BookChanged => reload(model),
        Action::LoadRest => match &model.sheet {
            Some(sheet) if sheet.is_window() => vec![load_day(model)],
            _ => Vec::new(),
        },
        Action::Resize(columns, rows) => {
            model.size = (columns, rows);
            clamp_scrolls(model);
            Vec::new()
        }
        Action::Click { column, row } => click(model, column, row),
        Action::ScrollDown => command_effects(model, Command::Down),
        Action::ScrollUp => command_effects(model, Command::Up),
        Action::DayLoaded(sheet) => {
            if sheet.date == model.day {
                model.day_error = None;
                take_sheet(model, *sheet);
            }
            Vec::new()
        }
        Action::DayFailed { date, reason } => {
            if date == model.day {
                model.sheet = None;
                model.day_error = Some(reason.clone());
                model.notice = Some(Notice {
                    kind: NoticeKind::Error,
                    text: reason,
                });
            }
            Vec::new()
        }
        Action::ClientLoaded(card) => {
            let id = card.client.id;
            match &mut model.screen {
                Screen::Detail(detail) if detail.item.client_id() == Some(id) => {
                    detail.client = Some(Loadable::Ready(*card));
                }
                Screen::Client(view) if view.client_id == id => {
                    view.card = Loadable::Ready(*card);
                }
                _ => {}
            }
            clamp_scrolls(model);
            Vec::new()
        }
        Action::ClientNamesLoaded(names) => {
            if let Overlay::FindClient(prompt) = &mut model.overlay {
                prompt.names = Loadable::Ready(names);
                refresh_matches(prompt);
            }
            Vec::new()
        }
        Action::ReviewLoaded(review) => {
            if let Screen::Review(view) = &mut model.screen
                && review.range.to == view.date
            {
                view.review = Loadable::Ready(*review);
            }
            Vec::new()
        }
        Action::RequestLoaded(row) => open_item(model, Item::Request(*row)),
        Action::SessionMarked(Ok((change_id, summary))) => {
            model.undo_stack.push(crate::tui::model::UndoEntry {
                change_id,
                delivered: false,
            });
            model.notice = Some(Notice {
                kind: NoticeKind::Info,
                text: summary,
            });
            reload(model)
        }
        Action::SessionMarked(Err(reason)) => {
            model.notice = Some(Notice {
                kind: NoticeKind::Error,
                text: reason,
            });
            Vec::new()
        }
        // Handled by flows::update while a triage flow is open.
        Action::Triage(_) => Vec::new(),
        // Handled by flows::care::update.
        Action::Start | Action::FirstFrameShown | Action::Care(_) => Vec::new(),
        // Handled by flows::session::update and flows::followup::update.
        Action::Session(_) | Action::FollowUp(_) => Vec::new(),
        Action::Failed(message) => {
            model.notice = Some(Notice {
                kind: NoticeKind::Error,
                text: message,
            });
            Vec::new()
        }
        Action::CalendarSynced(Ok(None)) => Vec::new(),
        Action::CalendarSynced(Ok(Some(line))) => {
            model.notice = Some(Notice {
                kind: NoticeKind::Info,
                text: line,
            });
            Vec::new()
        }
        Action::CalendarSynced(Err(message)) => {
            model.notice = Some(Notice {
                kind: NoticeKind::Error,
                text: message,
            });
            Vec::new()
        }
    }
}

fn command_effects(model: &mut Model, command: Command) -> Vec<Effect> {
    match command {
        Command::Quit => {
            model.quit = true;
            Vec::new()
        }
        Command::Help => {
            model.overlay = match model.overlay {
                Overlay::Help { .. } => Overlay::None,
                _ => Overlay::Help { scroll: 0 },
            };
            Vec::new()
        }
        Command::Refresh => reload(model),
        Command::FindClient => {
            model.overlay = Overlay::FindClient(Box::new(FindClient {
                query: crate::tui::editor::TextEditor::default(),
                names: Loadable::Loading,
                matches: Vec::new(),
                chosen: 0,
            }));
            vec![Effect::LoadClientNames]
        }
        Command::PromptSubmit | Command::PromptCancel | Command::PromptNext => {
            prompt(model, command)
        }
        Command::PromptPrev | Command::PromptErase => prompt(model, command),
        _ => match (&mut model.overlay, &mut model.screen) {
            (Overlay::Help { scroll }, _) => {
                let limit = view::help::scroll_limit(&model.keymap, model.size);
                match command {
                    Command::Back => model.overlay = Overlay::None,
                    other => *scroll = scrolled(*scroll, other, limit, page(model.size)),
                }
                Vec::new()
            }
            (
                Overlay::FindClient(_)
                | Overlay::Triage(_)
                | Overlay::Capture(_)
                | Overlay::Care(_)
                | Overlay::Confirm(_)
                | Overlay::Session(_)
                | Overlay::FollowUp(_),
                _,
            ) => Vec::new(),
            (Overlay::None, Screen::Dashboard) => dashboard(model, command),
            (Overlay::None, Screen::Detail(_) | Screen::Client(_)) => full_view(model, command),
            (Overlay::None, Screen::Review(_)) => review_screen(model, command),
            (
                Overlay::None,
                Screen::Emergency(_)
                | Screen::Handoff(_)
                | Screen::AtRisk(_)
                | Screen::FollowUps(_),
            ) => Vec::new(),
        },
    }
}
