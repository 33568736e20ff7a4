//! Pure state transitions: an action in, the model and the effects out.
//! The sheet comes from the fixture book once; after that nothing touches it.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod tui_fixture;

use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use coachbook::dashboard::{self, DaySheet};
use coachbook::store::RequestQueries as _;
use coachbook::tui::action::{Action, Effect};
use coachbook::tui::input;
use coachbook::tui::keymap::Keymap;
use coachbook::tui::model::{Item, Loadable, Model, NoticeKind, Overlay, Pane, Screen};
use coachbook::tui::update::{CLIENT_HISTORY, DETAIL_HISTORY, update};
use tui_fixture::{Book, key, now};

fn sheet(book: &Book, date: NaiveDate) -> DaySheet {
    dashboard::load(&book.open(), &book.config, date, now()).expect("sheet")
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).expect("date")
}

/// A model with today's sheet taken.
fn model(book: &Book) -> Model {
    let mut model = Model::new(
        now(),
        book.config.tz,
        (120, 40),
        Arc::new(Keymap::defaults()),
    );
    let effects = update(
        &mut model,
        Action::DayLoaded(Box::new(sheet(book, today()))),
    );
    assert!(effects.is_empty());
    model
}

/// Enter on a request: the sheet holds its first line only, so it is read
/// whole (the effect the loop runs), then its detail opens.
fn enter_on_request(book: &Book, model: &mut Model) -> Vec<Effect> {
    let effects = press(model, "enter");
    let [Effect::LoadRequest { request_id, now }] = effects.as_slice() else {
        panic!("Enter on a request reads it whole first, got {effects:?}");
    };
    let store = book.open();
    let request = store.request(*request_id).expect("request");
    let row = dashboard::request_row(&store, &book.config, request, *now).expect("row");
    update(model, Action::RequestLoaded(Box::new(row)))
}

/// A key press through the keymap, as the loop does it.
fn press(model: &mut Model, text: &str) -> Vec<Effect> {
    match input::action_for(model, &key(text)) {
        Some(action) => update(model, action),
        None => Vec::new(),
    }
}

#[test]
fn tab_and_shift_tab_cycle_the_panes_without_effects() {
    let book = Book::new();
    let mut model = model(&book);
    assert_eq!(model.focus, Pane::Sessions);
    assert!(press(&mut model, "tab").is_empty());
    assert_eq!(model.focus, Pane::Requests);
    press(&mut model, "tab");
    press(&mut model, "tab");
    assert_eq!(model.focus, Pane::Sessions);
    press(&mut model, "backtab");
    assert_eq!(model.focus, Pane::FollowUps);
    press(&mut model, "2");
    assert_eq!(model.focus, Pane::Requests);
}

#[test]
fn the_sessions_cursor_starts_at_the_next_session_to_come() {
    let book = Book::new();
    let model = model(&book);
    // 09:00 and 11:00 are past at 14:20; 15:00 is next.
    assert_eq!(model.now_line_at(), Some(2));
    assert_eq!(model.cursor[Pane::Sessions], 2);
}

#[test]
fn moving_stays_inside_the_pane() {
    let book = Book::new();
    let mut model = model(&book);
    press(&mut model, "tab");
    let rows = model.rows(Pane::Requests);
    assert_eq!(rows, 5);
    press(&mut model, "k");
    assert_eq!(model.cursor[Pane::Requests], 0);
    for _ in 0..10 {
        press(&mut model, "j");
    }
    assert_eq!(model.cursor[Pane::Requests], rows - 1);
    press(&mut model, "g");
    assert_eq!(model.cursor[Pane::Requests], 0);
    press(&mut model, "G");
    assert_eq!(model.cursor[Pane::Requests], rows - 1);
    press(&mut model, "up");
    assert_eq!(model.cursor[Pane::Requests], rows - 2);
}

#[test]
fn enter_opens_the_detail_and_asks_for_the_clients_card_esc_goes_back() {
    let book = Book::new();
    let mut model = model(&book);
    press(&mut model, "tab");
    let effects = enter_on_request(&book, &mut model);
    let Screen::Detail(detail) = &model.screen else {
        panic!("expected the detail, got {:?}", model.screen);
    };
    let Item::Request(row) = &detail.item else {
        panic!("expected a request");
    };
    assert!(row.overdue, "the overdue request comes first");
    assert_eq!(detail.client, Some(Loadable::Loading));
    assert_eq!(
        effects,
        vec![Effect::LoadClient {
            client_id: row.request.client_id.expect("a client"),
            history: DETAIL_HISTORY
        }]
    );
    assert!(press(&mut model, "esc").is_empty());
    assert_eq!(model.screen, Screen::Dashboard);
}

#[test]
fn a_request_from_an_unknown_sender_opens_without_a_client_card() {
    let book = Book::new();
    let mut model = model(&book);
    press(&mut model, "tab");
    press(&mut model, "G");
    assert!(enter_on_request(&book, &mut model).is_empty());
    let Screen::Detail(detail) = &model.screen else {
        panic!("expected the detail");
    };
    assert_eq!(detail.client, None);
}

#[test]
fn days_move_in_the_sessions_pane_and_results_for_another_day_are_ignored() {
    let book = Book::new();
    let mut model = model(&book);
    let tomorrow = today() + Duration::days(1);
    assert_eq!(
        press(&mut model, "]"),
        vec![Effect::LoadDay {
            date: tomorrow,
            now: now()
        }]
    );
    assert_eq!(model.day, tomorrow);
    update(
        &mut model,
        Action::DayLoaded(Box::new(sheet(&book, tomorrow))),
    );
    assert_eq!(model.sheet.as_ref().map(|s| s.date), Some(tomorrow));
    // A late answer for today does not replace tomorrow's sheet.
    update(
        &mut model,
        Action::DayLoaded(Box::new(sheet(&book, today()))),
    );
    assert_eq!(model.sheet.as_ref().map(|s| s.date), Some(tomorrow));
    assert_eq!(model.now_line_at(), None, "no now-line on another day");
    press(&mut model, "h");
    press(&mut model, "h");
    assert_eq!(model.day, today() - Duration::days(1));
    press(&mut model, "t");
    assert_eq!(model.day, today());
    // The day keys belong to the sessions pane.
    press(&mut model, "tab");
    assert!(press(&mut model, "]").is_empty());
    assert_eq!(model.day, today());
}

#[test]
fn a_tick_moves_the_clock_and_reloads_and_midnight_moves_today() {
    let book = Book::new();
    let mut model = model(&book);
    let later = now() + Duration::minutes(1);
    // Each minute also makes what became due (chases, check-ins, reminders).
    assert_eq!(
        update(&mut model, Action::Tick(later)),
        vec![
            Effect::Care(coachbook::tui::flows::care::CareEffect::Generate),
            Effect::LoadDay {
                date: today(),
                now: later
            }
        ]
    );
    assert_eq!(model.now, later);
    // 23:00 UTC is midnight in Berlin: the dashboard follows to the new day.
    let midnight = tui_fixture::at("2026-11-24T00:00:00+01:00");
    update(&mut model, Action::Tick(midnight));
    assert_eq!(model.day, today() + Duration::days(1));
}

#[test]
fn another_process_writing_reloads_what_is_on_screen() {
    let book = Book::new();
    let mut model = model(&book);
    // The day, and the replies not delivered (for the retry line).
    assert_eq!(update(&mut model, Action::BookChanged).len(), 2);
    press(&mut model, "enter");
    let effects = update(&mut model, Action::BookChanged);
    assert_eq!(effects.len(), 3, "{effects:?}");
    assert!(matches!(effects[1], Effect::LoadClient { .. }));
}

#[test]
fn the_selection_stays_on_the_same_item_when_the_list_changes() {
    let book = Book::new();
    let mut model = model(&book);
    press(&mut model, "tab");
    press(&mut model, "j");
    let chosen = model.selected_item(Pane::Requests);
    let mut fresh = sheet(&book, today());
    fresh.requests.remove(0);
    update(&mut model, Action::DayLoaded(Box::new(fresh)));
    assert_eq!(model.cursor[Pane::Requests], 0);
    assert_eq!(model.selected_item(Pane::Requests), chosen);
}

#[test]
fn an_open_item_that_leaves_the_dashboard_is_marked_gone() {
    let book = Book::new();
    let mut model = model(&book);
    press(&mut model, "tab");
    enter_on_request(&book, &mut model);
    let mut fresh = sheet(&book, today());
    fresh.requests.remove(0);
    update(&mut model, Action::DayLoaded(Box::new(fresh)));
    let Screen::Detail(detail) = &model.screen else {
        panic!("still the detail");
    };
    assert!(detail.gone);
}

#[test]
fn a_failure_is_a_notice_until_the_next_key() {
    let book = Book::new();
    let mut model = model(&book);
    update(&mut model, Action::Failed("database is locked".into()));
    let notice = model.notice.clone().expect("a notice");
    assert_eq!(notice.kind, NoticeKind::Error);
    assert_eq!(notice.text, "database is locked");
    press(&mut model, "j");
    assert_eq!(model.notice, None);
}

#[test]
fn find_client_is_a_prompt_then_a_client_view() {
    let book = Book::new();
    let mut model = model(&book);
    assert_eq!(press(&mut model, "/"), vec![Effect::LoadClientNames]);
    let names = book.open();
    let names = coachbook::store::ClientQueries::client_names(&names).expect("names");
    update(&mut model, Action::ClientNamesLoaded(names));
    // Letters type into the prompt, even those bound elsewhere (q, j).
    for c in "chn".chars() {
        press(&mut model, &c.to_string());
    }
    let Overlay::FindClient(prompt) = &model.overlay else {
        panic!("the prompt is open");
    };
    assert_eq!(prompt.query.value(), "chn");
    assert_eq!(
        prompt.matches.first().map(|m| m.1.as_str()),
        Some("Chen Wei")
    );
    let chen = prompt.matches[0].0;
    let effects = press(&mut model, "enter");
    assert_eq!(
        effects,
        vec![Effect::LoadClient {
            client_id: chen,
            history: CLIENT_HISTORY
        }]
    );
    assert_eq!(model.overlay, Overlay::None);
    assert!(matches!(&model.screen, Screen::Client(view) if view.client_id == chen));
}

#[test]
fn a_prompt_without_a_match_says_so_and_stays_open() {
    let book = Book::new();
    let mut model = model(&book);
    press(&mut model, "/");
    update(
        &mut model,
        Action::ClientNamesLoaded(vec![(1, "Chen Wei".into())]),
    );
    for c in "zzz".chars() {
        press(&mut model, &c.to_string());
    }
    assert!(press(&mut model, "enter").is_empty());
    assert!(matches!(model.overlay, Overlay::FindClient(_)));
    assert_eq!(
        model.notice.as_ref().map(|n| n.text.as_str()),
        Some("no client matches 'zzz'")
    );
    press(&mut model, "backspace");
    press(&mut model, "esc");
    assert_eq!(model.overlay, Overlay::None);
    assert!(!model.quit, "q in a prompt types, it does not quit");
}

#[test]
fn help_toggles_and_q_quits() {
    let book = Book::new();
    let mut model = model(&book);
    press(&mut model, "?");
    assert_eq!(model.overlay, Overlay::Help { scroll: 0 });
    press(&mut model, "j");
    assert_eq!(model.overlay, Overlay::Help { scroll: 1 });
    press(&mut model, "?");
    assert_eq!(model.overlay, Overlay::None);
    press(&mut model, "?");
    press(&mut model, "esc");
    assert_eq!(model.overlay, Overlay::None);
    press(&mut model, "q");
    assert!(model.quit);
}

#[test]
fn help_scrolling_is_bounded_by_the_screen() {
    let book = Book::new();
    let mut model = model(&book);
    update(&mut model, Action::Resize(60, 15));
    press(&mut model, "?");
    press(&mut model, "G");
    let Overlay::Help { scroll } = model.overlay else {
        panic!("help is open");
    };
    assert!(scroll > 0);
    press(&mut model, "j");
    assert_eq!(model.overlay, Overlay::Help { scroll });
}

#[test]
fn a_click_focuses_a_pane_and_selects_then_opens_a_row() {
    let book = Book::new();
    let mut model = model(&book);
    // At 120x40 the requests pane spans rows 11..26: border, header, rows.
    let first_request_row = 13;
    update(
        &mut model,
        Action::Click {
            column: 10,
            row: first_request_row + 1,
        },
    );
    assert_eq!(model.focus, Pane::Requests);
    assert_eq!(model.cursor[Pane::Requests], 1);
    let effects = update(
        &mut model,
        Action::Click {
            column: 10,
            row: first_request_row + 1,
        },
    );
    // The request is read whole, then its detail opens.
    assert!(
        matches!(effects.as_slice(), [Effect::LoadRequest { request_id, .. }]
        if Some(*request_id) == model.selected_item(Pane::Requests).map(|item| match item {
            Item::Request(row) => row.request.id,
            _ => 0,
        })),
        "{effects:?}"
    );
}

#[test]
fn a_rebound_key_drives_dispatch() {
    let book = Book::new();
    let mut keys = std::collections::BTreeMap::new();
    keys.insert("x".to_string(), "quit".to_string());
    keys.insert("q".to_string(), "none".to_string());
    let keymap = Keymap::with_overrides(&keys).expect("valid");
    let mut model = model(&book);
    model.keymap = Arc::new(keymap);
    press(&mut model, "q");
    assert!(!model.quit);
    press(&mut model, "x");
    assert!(model.quit);
}

#[test]
fn the_review_opens_on_the_day_shown_and_enter_opens_an_unanswered_request() {
    let book = Book::new();
    let mut model = model(&book);
    let effects = press(&mut model, "R");
    assert_eq!(
        effects,
        vec![Effect::LoadReview {
            date: today(),
            now: now()
        }]
    );
    assert!(matches!(&model.screen, Screen::Review(view) if view.review == Loadable::Loading));
    let review = coachbook::review::gather(
        &book.open(),
        &book.config,
        coachbook::review::ReviewRange::day(today()),
        now(),
    )
    .expect("review");
    let first = coachbook::review::view::request_rows(&review)
        .first()
        .map(|row| row.id)
        .expect("the fixture has an unanswered request today");
    update(&mut model, Action::ReviewLoaded(Box::new(review)));
    assert_eq!(
        press(&mut model, "enter"),
        vec![Effect::LoadRequest {
            request_id: first,
            now: now()
        }]
    );
    // The previous day is gathered anew; Esc goes back to the dashboard.
    let effects = press(&mut model, "[");
    assert_eq!(
        effects,
        vec![Effect::LoadReview {
            date: today() - Duration::days(1),
            now: now()
        }]
    );
    press(&mut model, "esc");
    assert_eq!(model.screen, Screen::Dashboard);
}

#[test]
fn a_past_session_is_marked_from_the_sessions_pane_and_undone() {
    let book = Book::new();
    let mut app = book.app(120, 40);
    // The cursor starts on Sofia at 15:00; Chen's 11:00 session is above it.
    // No-show asks first; `y` says yes.
    tui_fixture::press(&mut app, &["k", "N"]);
    assert!(matches!(
        app.model().overlay,
        coachbook::tui::model::Overlay::Confirm(_)
    ));
    tui_fixture::press(&mut app, &["y"]);
    let chen = |app: &coachbook::tui::app::App| {
        app.model().sheet.as_ref().expect("sheet").sessions[1]
            .session
            .clone()
    };
    assert_eq!(chen(&app).client_name, "Chen Wei");
    assert_eq!(chen(&app).status, coachbook::model::SessionStatus::NoShow);
    tui_fixture::press(&mut app, &["u"]);
    assert_eq!(chen(&app).status, coachbook::model::SessionStatus::Booked);
    // A session still to come cannot be held yet: said, nothing written.
    tui_fixture::press(&mut app, &["j", "d"]);
    let notice = app.model().notice.clone().expect("a notice");
    assert_eq!(notice.kind, NoticeKind::Error);
    assert!(notice.text.contains("has not begun yet"), "{}", notice.text);
}

#[test]
fn moving_around_the_dashboard_never_reloads_the_day() {
    let book = Book::new();
    let mut model = model(&book);
    // Every pane, every way of moving: no effect at all, so no reload of
    // the day and no at-risk facts read from the book.
    for _ in 0..3 {
        for text in ["j", "k", "down", "up", "G", "g", "j"] {
            let effects = press(&mut model, text);
            assert!(effects.is_empty(), "{text}: {effects:?}");
        }
        assert!(press(&mut model, "tab").is_empty());
    }
    assert!(press(&mut model, "backtab").is_empty());
    assert!(model.sheet.is_some());
}
