//! The review screen and the full-screen views that scroll.

use super::*;

/// The review of `date`, gathered by an effect.
pub(super) fn open_review(model: &mut Model, date: chrono::NaiveDate) -> Vec<Effect> {
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
pub(super) fn review_screen(model: &mut Model, command: Command) -> Vec<Effect> {
    let Screen::Review(view) = &mut model.screen else {
        return Vec::new();
    };
    let page = page(model.size) as isize;
    let date = view.date;
    match command {
        Command::Back => return model.go_back(),
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

pub(super) fn full_view(model: &mut Model, command: Command) -> Vec<Effect> {
    if command == Command::Back {
        return model.go_back();
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

pub(super) fn scrolled(scroll: u16, command: Command, limit: u16, page: u16) -> u16 {
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
pub(super) fn page(size: (u16, u16)) -> u16 {
    (size.1 / 2).max(1)
}
