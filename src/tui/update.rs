//! The pure heart of the dashboard: `update(&mut Model, Action) -> Vec<Effect>`.
//! No SQLite, no terminal, no clock: time arrives as `Action::Tick`.

use chrono::Duration;

use crate::domain::lookup::fuzzy_matches;
use crate::review::view::ReviewViewState;
use crate::tui::action::{Action, Command, Effect};
use crate::tui::flows::work::FlowWork;
use crate::tui::model::{
    ClientView, Detail, FindClient, Item, Loadable, Model, Notice, NoticeKind, Overlay, Pane,
    ReviewView, Screen,
};
use crate::tui::view;
use crate::tui::{flows, layout};

/// History entries shown in the detail view and the client view.
pub const DETAIL_HISTORY: i64 = 8;
pub const CLIENT_HISTORY: i64 = 20;

pub fn update(model: &mut Model, action: Action) -> Vec<Effect> {
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
            flows::emergency::edit(model, key);
            Vec::new()
        }
        Action::EditedExternally(result) => {
            flows::emergency::edited_externally(model, result);
            Vec::new()
        }
        Action::Flow(event) => flows::on_event(model, *event),
        Action::Type(c) => {
            if let Overlay::FindClient(prompt) = &mut model.overlay {
                prompt.query.push(c);
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
        Action::Start | Action::Care(_) => Vec::new(),
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
            model.overlay = Overlay::FindClient(FindClient {
                query: String::new(),
                names: Loadable::Loading,
                matches: Vec::new(),
                chosen: 0,
            });
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
                | Overlay::Confirm(_),
                _,
            ) => Vec::new(),
            (Overlay::None, Screen::Dashboard) => dashboard(model, command),
            (Overlay::None, Screen::Detail(_) | Screen::Client(_)) => full_view(model, command),
            (Overlay::None, Screen::Review(_)) => review_screen(model, command),
            (Overlay::None, Screen::Emergency(_) | Screen::Handoff(_) | Screen::AtRisk(_)) => {
                Vec::new()
            }
        },
    }
}

fn dashboard(model: &mut Model, command: Command) -> Vec<Effect> {
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
        Command::MarkHeld | Command::MarkNoShow | Command::MarkCancelled => {
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
fn open(model: &mut Model) -> Vec<Effect> {
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

fn open_item(model: &mut Model, item: Item) -> Vec<Effect> {
    let client_id = item.client_id();
    model.screen = Screen::Detail(Box::new(Detail {
        item,
        client: client_id.map(|_| Loadable::Loading),
        gone: false,
        scroll: 0,
    }));
    client_id
        .map(|client_id| Effect::LoadClient {
            client_id,
            history: DETAIL_HISTORY,
        })
        .into_iter()
        .collect()
}

/// `d` / `N` / `C` on a session: record how it went. No-show and cancel
/// ask first (one key); cancelling offers the note to the client.
fn mark_session(model: &mut Model, command: Command) -> Vec<Effect> {
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
            yes: (
                "y: no-show".into(),
                vec![effect(SessionStatus::NoShow, false)],
            ),
            alternative: None,
            declined: "kept as it was".into(),
        },
        _ => crate::tui::model::Confirm {
            question: format!("Cancel {}'s session {when}?", session.client_name),
            yes: (
                "y: cancel and send them the note (with a calendar cancellation)".into(),
                vec![effect(SessionStatus::Cancelled, true)],
            ),
            alternative: Some((
                "s: cancel without a note".into(),
                vec![effect(SessionStatus::Cancelled, false)],
            )),
            declined: "not cancelled".into(),
        },
    };
    model.overlay = Overlay::Confirm(Box::new(confirm));
    Vec::new()
}

/// The coach's answer to a question: only `y`, `s` (when offered), `n` and
/// Esc mean anything; other keys leave the question open.
fn answer(model: &mut Model, confirm: crate::tui::model::Confirm, command: Command) -> Vec<Effect> {
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

/// The review of `date`, gathered by an effect.
fn open_review(model: &mut Model, date: chrono::NaiveDate) -> Vec<Effect> {
    model.screen = Screen::Review(Box::new(ReviewView {
        date,
        review: Loadable::Loading,
        state: ReviewViewState::default(),
    }));
    vec![Effect::LoadReview {
        date,
        now: model.now,
    }]
}

/// Keys on the review screen: move through breaches and unanswered
/// requests, open one to answer it, step through the days.
fn review_screen(model: &mut Model, command: Command) -> Vec<Effect> {
    let Screen::Review(view) = &mut model.screen else {
        return Vec::new();
    };
    let page = page(model.size) as isize;
    let date = view.date;
    match command {
        Command::Back => model.screen = Screen::Dashboard,
        Command::PrevDay => return open_review(model, date - Duration::days(1)),
        Command::NextDay => return open_review(model, date + Duration::days(1)),
        Command::Today => {
            let today = model.today();
            return open_review(model, today);
        }
        _ => {
            let Loadable::Ready(review) = &view.review else {
                return Vec::new();
            };
            match command {
                Command::Down => view.state.select_next(review),
                Command::Up => view.state.select_previous(),
                Command::Top => view.state.select_first(),
                Command::Bottom => view.state.select_last(review),
                Command::PageDown => view.state.select_by(review, page),
                Command::PageUp => view.state.select_by(review, -page),
                Command::Open => {
                    if let Some(request_id) = view.state.selected_request(review) {
                        return vec![Effect::LoadRequest {
                            request_id,
                            now: model.now,
                        }];
                    }
                }
                _ => {}
            }
        }
    }
    Vec::new()
}

fn full_view(model: &mut Model, command: Command) -> Vec<Effect> {
    if command == Command::Back {
        model.screen = Screen::Dashboard;
        return Vec::new();
    }
    let limit = view::detail::scroll_limit(model);
    let page = page(model.size);
    match &mut model.screen {
        Screen::Detail(detail) => detail.scroll = scrolled(detail.scroll, command, limit, page),
        Screen::Client(view) => view.scroll = scrolled(view.scroll, command, limit, page),
        _ => {}
    }
    Vec::new()
}

fn scrolled(scroll: u16, command: Command, limit: u16, page: u16) -> u16 {
    let next = match command {
        Command::Down => scroll.saturating_add(1),
        Command::Up => scroll.saturating_sub(1),
        Command::Top => 0,
        Command::Bottom => limit,
        Command::PageDown => scroll.saturating_add(page),
        Command::PageUp => scroll.saturating_sub(page),
        _ => scroll,
    };
    next.min(limit)
}

/// Half the screen: what page up/down moves by.
fn page(size: (u16, u16)) -> u16 {
    (size.1 / 2).max(1)
}

fn prompt(model: &mut Model, command: Command) -> Vec<Effect> {
    let Overlay::FindClient(prompt) = &mut model.overlay else {
        return Vec::new();
    };
    match command {
        Command::PromptCancel => model.overlay = Overlay::None,
        Command::PromptErase => {
            prompt.query.pop();
            refresh_matches(prompt);
        }
        Command::PromptNext => {
            prompt.chosen = (prompt.chosen + 1).min(prompt.matches.len().saturating_sub(1));
        }
        Command::PromptPrev => prompt.chosen = prompt.chosen.saturating_sub(1),
        Command::PromptSubmit => {
            let Some((client_id, _)) = prompt.matches.get(prompt.chosen).cloned() else {
                let text = if prompt.query.trim().is_empty() {
                    "type part of a client's name".to_string()
                } else {
                    format!("no client matches '{}'", prompt.query.trim())
                };
                model.notice = Some(Notice {
                    kind: NoticeKind::Info,
                    text,
                });
                return Vec::new();
            };
            model.overlay = Overlay::None;
            model.screen = Screen::Client(Box::new(ClientView {
                client_id,
                card: Loadable::Loading,
                scroll: 0,
            }));
            return vec![Effect::LoadClient {
                client_id,
                history: CLIENT_HISTORY,
            }];
        }
        _ => {}
    }
    Vec::new()
}

fn refresh_matches(prompt: &mut FindClient) {
    let Loadable::Ready(names) = &prompt.names else {
        return;
    };
    let query = prompt.query.trim();
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

fn load_day(model: &Model) -> Effect {
    Effect::LoadDay {
        date: model.day,
        now: model.now,
    }
}

/// Fetch again everything on screen: the book changed underneath.
pub(crate) fn reload(model: &Model) -> Vec<Effect> {
    let mut effects = vec![load_day(model)];
    match &model.screen {
        Screen::Detail(detail) => {
            if let Some(client_id) = detail.item.client_id() {
                effects.push(Effect::LoadClient {
                    client_id,
                    history: DETAIL_HISTORY,
                });
            }
        }
        Screen::Client(view) => effects.push(Effect::LoadClient {
            client_id: view.client_id,
            history: CLIENT_HISTORY,
        }),
        Screen::Review(view) => effects.push(Effect::LoadReview {
            date: view.date,
            now: model.now,
        }),
        Screen::AtRisk(_) => effects.push(Effect::Care(flows::care::CareEffect::LoadAtRisk)),
        Screen::Dashboard | Screen::Emergency(_) | Screen::Handoff(_) => {}
    }
    if let Overlay::FindClient(_) = model.overlay {
        effects.push(Effect::LoadClientNames);
    }
    effects.push(flows::flow(FlowWork::LoadUndelivered));
    effects
}

/// Take a fresh sheet, keeping each pane's selection on the same item.
fn take_sheet(model: &mut Model, sheet: crate::dashboard::DaySheet) {
    let old_ids =
        Pane::ALL.map(|pane| (pane, model.selected_item(pane).map(|item| item_id(&item))));
    let same_day = model.sheet.as_ref().is_some_and(|s| s.date == sheet.date);
    model.sheet = Some(sheet);
    for (pane, old_id) in old_ids {
        let rows = model.rows(pane);
        let found = old_id
            .filter(|_| same_day)
            .and_then(|id| (0..rows).find(|at| selected_id(model, pane, *at) == Some(id)));
        let cursor = &mut model.cursor[pane];
        *cursor = found.unwrap_or((*cursor).min(rows.saturating_sub(1)));
    }
    // A fresh day opens on the next session to come.
    if !same_day && let Some(at) = model.now_line_at() {
        let rows = model.rows(Pane::Sessions);
        model.cursor[Pane::Sessions] = at.min(rows.saturating_sub(1));
    }
    // The open detail follows its item, or says it has left the dashboard.
    if let Screen::Detail(detail) = &mut model.screen {
        let sheet = model.sheet.as_ref();
        let fresh = sheet.and_then(|sheet| match &detail.item {
            Item::Session(row) => sheet
                .sessions
                .iter()
                .find(|r| r.session.id == row.session.id)
                .cloned()
                .map(Item::Session),
            // The sheet's row has the first line of the text; keep the whole.
            Item::Request(row) => sheet
                .requests
                .iter()
                .find(|r| r.request.id == row.request.id)
                .map(|fresh| {
                    let mut fresh = fresh.clone();
                    fresh.request.body.clone_from(&row.request.body);
                    Item::Request(fresh)
                }),
            Item::FollowUp(row) => sheet
                .followups
                .iter()
                .find(|r| r.followup.id == row.followup.id)
                .cloned()
                .map(Item::FollowUp),
        });
        match fresh {
            Some(item) => {
                detail.item = item;
                detail.gone = false;
            }
            // A session of another day is simply not on this sheet.
            None => detail.gone = !matches!(detail.item, Item::Session(_)),
        }
    }
}

fn item_id(item: &Item) -> i64 {
    match item {
        Item::Session(row) => row.session.id,
        Item::Request(row) => row.request.id,
        Item::FollowUp(row) => row.followup.id,
    }
}

fn selected_id(model: &Model, pane: Pane, at: usize) -> Option<i64> {
    let sheet = model.sheet.as_ref()?;
    match pane {
        Pane::Sessions => sheet.sessions.get(at).map(|r| r.session.id),
        Pane::Requests => sheet.requests.get(at).map(|r| r.request.id),
        Pane::FollowUps => sheet.followups.get(at).map(|r| r.followup.id),
    }
}

fn clamp_scrolls(model: &mut Model) {
    let limit = view::detail::scroll_limit(model);
    match &mut model.screen {
        Screen::Detail(detail) => detail.scroll = detail.scroll.min(limit),
        Screen::Client(view) => view.scroll = view.scroll.min(limit),
        _ => {}
    }
    if let Overlay::Help { scroll } = &mut model.overlay {
        *scroll = (*scroll).min(view::help::scroll_limit(&model.keymap, model.size));
    }
}

/// A click focuses the pane under it and selects the row; a click on the
/// row already selected opens it.
fn click(model: &mut Model, column: u16, row: u16) -> Vec<Effect> {
    if model.overlay != Overlay::None || model.screen != Screen::Dashboard {
        return Vec::new();
    }
    let area = layout::full(model.size);
    if layout::too_small(area) {
        return Vec::new();
    }
    let (main, _) = layout::screen(area);
    let position = ratatui::layout::Position::new(column, row);
    let Some((pane, rect)) = Pane::ALL
        .into_iter()
        .zip(layout::panes(main))
        .find(|(_, rect)| rect.contains(position))
    else {
        return Vec::new();
    };
    model.focus = pane;
    // Rows start below the top border and the header.
    let Some(visual) = row.checked_sub(layout::first_row_y(rect)).map(usize::from) else {
        return Vec::new();
    };
    let visible = layout::visible_rows(rect);
    if visual >= visible {
        return Vec::new();
    }
    let now_line = if pane == Pane::Sessions {
        model.now_line_at()
    } else {
        None
    };
    let cursor = model.cursor[pane];
    let selected_visual = cursor + usize::from(now_line.is_some_and(|at| at <= cursor));
    let offset = layout::table_offset(selected_visual, visible);
    let table_row = offset + visual;
    let index = match now_line {
        Some(at) if table_row == at => return Vec::new(),
        Some(at) if table_row > at => table_row - 1,
        _ => table_row,
    };
    if index >= model.rows(pane) {
        return Vec::new();
    }
    if index == cursor {
        return open(model);
    }
    model.cursor[pane] = index;
    Vec::new()
}
