//! Loading the day and keeping selections and scrolls inside it.

use super::*;

pub(super) fn load_day(model: &Model) -> Effect {
    Effect::LoadDay {
        date: model.day,
        now: model.now,
    }
}

/// The dashboard opens: the first window of the day (the request and
/// follow-up rows the panes show at this size, every count exact), and what
/// is undelivered. The whole day follows after the first frame
/// (`Action::LoadRest`).
pub(crate) fn start(model: &Model) -> Vec<Effect> {
    let (main, _) = crate::tui::layout::screen(crate::tui::layout::full(model.size));
    let [_, requests, followups] = crate::tui::layout::panes(main);
    // A pane draws at least one row (`view::dashboard::window`).
    let window = crate::dashboard::Window {
        requests: crate::tui::layout::visible_rows(requests).max(1),
        followups: crate::tui::layout::visible_rows(followups).max(1),
    };
    reload(model)
        .into_iter()
        .map(|effect| match effect {
            Effect::LoadDay { date, now } => Effect::LoadFirstWindow { date, now, window },
            other => other,
        })
        .collect()
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
        Screen::FollowUps(_) => {
            effects.push(Effect::FollowUp(flows::followup::FollowUpWork::LoadOpen))
        }
        Screen::Dashboard | Screen::Emergency(_) | Screen::Handoff(_) => {}
    }
    if let Overlay::FindClient(_) = model.overlay {
        effects.push(Effect::LoadClientNames);
    }
    effects.push(flows::flow(FlowWork::LoadUndelivered));
    effects
}

/// Take a fresh sheet, keeping each pane's selection on the same item.
pub(super) fn take_sheet(model: &mut Model, sheet: crate::dashboard::DaySheet) {
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

pub(super) fn item_id(item: &Item) -> i64 {
    match item {
        Item::Session(row) => row.session.id,
        Item::Request(row) => row.request.id,
        Item::FollowUp(row) => row.followup.id,
    }
}

pub(super) fn selected_id(model: &Model, pane: Pane, at: usize) -> Option<i64> {
    let sheet = model.sheet.as_ref()?;
    match pane {
        Pane::Sessions => sheet.sessions.get(at).map(|r| r.session.id),
        Pane::Requests => sheet.requests.get(at).map(|r| r.request.id),
        Pane::FollowUps => sheet.followups.get(at).map(|r| r.followup.id),
    }
}

pub(super) fn clamp_scrolls(model: &mut Model) {
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
