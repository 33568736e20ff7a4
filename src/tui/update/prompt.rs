//! The find-client prompt.

use super::*;

pub(super) fn prompt(model: &mut Model, command: Command) -> Vec<Effect> {
    let Overlay::FindClient(prompt) = &mut model.overlay else {
        return Vec::new();
    };
    match command {
        Command::PromptCancel => model.overlay = Overlay::None,
        Command::PromptErase => {
            prompt.query.input(&crate::tui::editor::Edit::Key(
                crate::tui::editor::EditKey::Backspace,
            ));
            refresh_matches(prompt);
        }
        Command::PromptNext => {
            prompt.chosen = (prompt.chosen + 1).min(prompt.matches.len().saturating_sub(1));
        }
        Command::PromptPrev => prompt.chosen = prompt.chosen.saturating_sub(1),
        Command::PromptSubmit => {
            let Some((client_id, _)) = prompt.matches.get(prompt.chosen).cloned() else {
                let query = prompt.query.value();
                let text = if query.trim().is_empty() {
                    "type part of a client's name".to_string()
                } else {
                    format!("no client matches '{}'", query.trim())
                };
                model.notice = Some(Notice {
                    kind: NoticeKind::Info,
                    text,
                });
                return Vec::new();
            };
            model.overlay = Overlay::None;
            model.go_to(Screen::Client(Box::new(ClientView {
                client_id,
                card: Loadable::Loading,
                scroll: 0,
            })));
            return vec![Effect::LoadClient {
                client_id,
                history: CLIENT_HISTORY,
            }];
        }
        _ => {}
    }
    Vec::new()
}

pub(super) fn refresh_matches(prompt: &mut FindClient) {
    let Loadable::Ready(names) = &prompt.names else {
        return;
    };
    let query = prompt.query.value();
    let query = query.trim();
    prompt.matches = if query.is_empty() {
        names.clone()
    } else {
        fuzzy_matches(query, names)
    };
    prompt.chosen = prompt.chosen.min(prompt.matches.len().saturating_sub(1));
    if !query.is_empty() {
        prompt.chosen = 0;
    }
}
