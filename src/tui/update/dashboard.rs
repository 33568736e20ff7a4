//! Keys on the dashboard panes: open, mark a session, answer a confirmation.

use super::*;

pub(super) fn dashboard(model: &mut Model, command: Command) -> Vec<Effect> {
    let pane = model.focus;
    let rows = model.rows(pane);
    let cursor = &mut model.cursor[pane];
    let last = rows.saturating_sub(1);
    let page = page(model.size) as usize;
    match command {
        Command::NextPane => model.focus = pane.next(),
        Command::PrevPane => model.focus = pane.prev(),
        Command::FocusSessions => model.focus = Pane::Sessions,
        Command::FocusRequests => model.focus = Pane::Requests,
        Command::FocusFollowUps => model.focus = Pane::FollowUps,
        Command::Down => *cursor = (*cursor + 1).min(last),
        Command::Up => *cursor = cursor.saturating_sub(1),
        Command::Top => *cursor = 0,
        Command::Bottom => *cursor = last,
        Command::PageDown => *cursor = (*cursor + page).min(last),
        Command::PageUp => *cursor = cursor.saturating_sub(page),
        Command::Open => return open(model),
        Command::Review => return open_review(model, model.day),
        Command::MarkHeld | Command::MarkNoShow => {
            return mark_session(model, command);
        }
        Command::PrevDay | Command::NextDay | Command::Today => {
            model.day = match command {
                Command::PrevDay => model.day - Duration::days(1),
                Command::NextDay => model.day + Duration::days(1),
                _ => model.today(),
            };
            model.cursor[Pane::Sessions] = 0;
            return vec![load_day(model)];
        }
        _ => {}
    }
    Vec::new()
}

/// Enter on a row: its detail, with the client's card loading behind it.
pub(super) fn open(model: &mut Model) -> Vec<Effect> {
    match model.selected_item(model.focus) {
        // The sheet holds each request's first line only: read it whole.
        Some(Item::Request(row)) => vec![Effect::LoadRequest {
            request_id: row.request.id,
            now: model.now,
        }],
        Some(item) => open_item(model, item),
        None => Vec::new(),
    }
}

pub(super) fn open_item(model: &mut Model, item: Item) -> Vec<Effect> {
    let client_id = item.client_id();
    model.go_to(Screen::Detail(Box::new(Detail {
        item,
        client: client_id.map(|_| Loadable::Loading),
        gone: false,
        scroll: 0,
    })));
    client_id
        .map(|client_id| Effect::LoadClient {
            client_id,
            history: DETAIL_HISTORY,
        })
        .into_iter()
        .collect()
}

/// `d` / `N` on a session: record how it went. No-show asks first (one
/// key); cancelling is the session flow's (flows/session.rs).
pub(super) fn mark_session(model: &mut Model, command: Command) -> Vec<Effect> {
    let Some(Item::Session(row)) = model.selected_item(Pane::Sessions) else {
        return Vec::new();
    };
    let session = &row.session;
    let effect = |outcome, notify| Effect::MarkSession {
        session_id: session.id,
        outcome,
        notify,
        now: model.now,
    };
    let when = crate::domain::when::show_local(session.start, model.tz);
    use crate::model::SessionStatus;
    let confirm = match command {
        Command::MarkHeld => return vec![effect(SessionStatus::Held, false)],
        Command::MarkNoShow => crate::tui::model::Confirm {
            question: format!("Mark {}'s session {when} a no-show?", session.client_name),
            yes: ("no-show".into(), vec![effect(SessionStatus::NoShow, false)]),
            alternative: None,
            declined: "kept as it was".into(),
        },
        _ => return Vec::new(),
    };
    model.overlay = Overlay::Confirm(Box::new(confirm));
    Vec::new()
}

/// The coach's answer to a question: only `y`, `s` (when offered), `n` and
/// Esc mean anything; other keys leave the question open.
pub(super) fn answer(
    model: &mut Model,
    confirm: crate::tui::model::Confirm,
    command: Command,
) -> Vec<Effect> {
    let chosen = match (command, confirm.alternative) {
        (Command::FlowConfirm, _) => confirm.yes.1,
        (Command::ConfirmAlternative, Some((_, effects))) => effects,
        (Command::FlowCancel, _) => {
            model.overlay = Overlay::None;
            model.notice = Some(Notice {
                kind: NoticeKind::Info,
                text: confirm.declined,
            });
            return Vec::new();
        }
        _ => return Vec::new(),
    };
    model.overlay = Overlay::None;
    chosen
}
