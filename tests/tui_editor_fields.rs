//! The one-line fields of the prompts and forms are `TextEditor`s: a
//! bracketed paste is text (a newline in it a space, never Enter), and
//! ctrl-z takes an edit back. Driven through `App::dispatch` against a
//! temporary book, which must be left as it was.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
mod tui_fixture;

use coachbook::tui::action::Action;
use coachbook::tui::app::App;
use coachbook::tui::flows::followup::{AddField, FollowUpTask};
use coachbook::tui::flows::triage::TriageStep;
use coachbook::tui::input;
use coachbook::tui::model::{Overlay, Screen};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_fixture::{Book, press, type_text};

fn undo(app: &mut App) {
    let event = Event::Key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL));
    if let Some(action) = input::action_for(app.model(), &event) {
        app.dispatch(action);
    }
}

fn paste(app: &mut App, text: &str) {
    app.dispatch(Action::Paste(text.into()));
}

fn query(app: &App) -> String {
    let Overlay::FindClient(prompt) = &app.model().overlay else {
        panic!("the prompt is open, got {:?}", app.model().overlay);
    };
    prompt.query.value()
}

#[test]
fn find_client_takes_a_paste_as_text_and_undoes_it() {
    let book = Book::new();
    let mut app = book.app(120, 40);
    // The app's start (care generation) may write; nothing after it.
    let before = common::dump(&book.db);
    press(&mut app, &["/"]);
    type_text(&mut app, "che");
    paste(&mut app, "n\nWei");
    // Text, not Enter: the prompt is still open, the screen unchanged.
    assert_eq!(query(&app), "chen Wei");
    assert_eq!(app.model().screen, Screen::Dashboard);
    let Overlay::FindClient(prompt) = &app.model().overlay else {
        panic!("the prompt is open");
    };
    assert_eq!(
        prompt.matches.first().map(|m| m.1.as_str()),
        Some("Chen Wei")
    );
    // One undo takes the whole paste back, and the matches follow.
    undo(&mut app);
    assert_eq!(query(&app), "che");
    press(&mut app, &["backspace"]);
    assert_eq!(query(&app), "ch");
    undo(&mut app);
    assert_eq!(query(&app), "che");
    assert_eq!(common::dump(&book.db), before);
}

fn add_form(app: &App) -> coachbook::tui::flows::followup::AddForm {
    let Overlay::FollowUp(flow) = &app.model().overlay else {
        panic!("the follow-up form is open, got {:?}", app.model().overlay);
    };
    let FollowUpTask::Add(form) = &flow.task else {
        panic!("the add form");
    };
    (**form).clone()
}

#[test]
fn the_follow_up_form_takes_pastes_in_every_text_field_and_undoes_them() {
    let book = Book::new();
    let mut app = book.app(120, 40);
    // The app's start (care generation) may write; nothing after it.
    let before = common::dump(&book.db);
    press(&mut app, &["3", "a"]);
    // Opened on a follow-up: its client is filled in, the due time focused.
    assert_eq!(add_form(&app).field, AddField::Due);
    press(&mut app, &["backtab"]);
    assert_eq!(add_form(&app).field, AddField::Client);
    let client = add_form(&app).client_query.value();
    assert!(!client.is_empty());
    paste(&mut app, "zz\nzz");
    assert_eq!(
        add_form(&app).client_query.value(),
        format!("{client}zz zz")
    );
    undo(&mut app);
    assert_eq!(add_form(&app).client_query.value(), client);
    assert_eq!(
        add_form(&app).matches.first().map(|m| m.1.as_str()),
        Some(client.as_str())
    );
    press(&mut app, &["tab"]);
    paste(&mut app, "tomorrow\n10:00");
    assert_eq!(add_form(&app).due.value(), "tomorrow 10:00");
    press(&mut app, &["tab"]);
    type_text(&mut app, "call");
    paste(&mut app, " back\nabout Friday");
    let form = add_form(&app);
    assert_eq!(form.field, AddField::Text);
    assert_eq!(form.text.value(), "call back about Friday");
    // Nothing was submitted: the form is open, the book as it was.
    assert_eq!(common::dump(&book.db), before);
    undo(&mut app);
    assert_eq!(add_form(&app).text.value(), "call");
    assert_eq!(common::dump(&book.db), before);
    // Enter still saves what the fields hold.
    press(&mut app, &["enter"]);
    assert_eq!(app.model().overlay, Overlay::None);
    assert_ne!(common::dump(&book.db), before);
}

fn triage_step(app: &App) -> TriageStep {
    let Overlay::Triage(flow) = &app.model().overlay else {
        panic!("a triage flow is open, got {:?}", app.model().overlay);
    };
    flow.step.clone()
}

#[test]
fn the_time_picker_and_the_follow_up_text_take_pastes_as_text() {
    let book = Book::new();
    let mut app = book.app(120, 40);
    // The app's start (care generation) may write; nothing after it.
    let before = common::dump(&book.db);
    press(&mut app, &["2", "f"]);
    paste(&mut app, "tomorrow\n10:0");
    let start = cursor(&app);
    paste(&mut app, "0");
    // The cursor is drawn on the WHEN line and follows the text.
    assert_eq!((cursor(&app).x - start.x, cursor(&app).y), (1, start.y));
    let TriageStep::ChooseTime { picker, .. } = triage_step(&app) else {
        panic!("still choosing the time");
    };
    assert_eq!(picker.typed.value(), "tomorrow 10:00");
    assert!(picker.typing());
    // Each paste is one edit: two undos take both back.
    undo(&mut app);
    let TriageStep::ChooseTime { picker, .. } = triage_step(&app) else {
        panic!("still choosing the time");
    };
    assert_eq!(picker.typed.value(), "tomorrow 10:0");
    undo(&mut app);
    let TriageStep::ChooseTime { picker, .. } = triage_step(&app) else {
        panic!("still choosing the time");
    };
    assert_eq!(picker.typed.value(), "");
    paste(&mut app, "tomorrow 10:00");
    press(&mut app, &["enter"]);
    let TriageStep::FollowUpText { text, .. } = triage_step(&app) else {
        panic!("the follow-up text, got {:?}", triage_step(&app));
    };
    let prefilled = text.value();
    assert!(prefilled.starts_with("Follow up: "), "{prefilled}");
    paste(&mut app, "\nand ask about Friday");
    let TriageStep::FollowUpText { text, .. } = triage_step(&app) else {
        panic!("the paste did not submit the follow-up");
    };
    assert_eq!(text.value(), format!("{prefilled} and ask about Friday"));
    assert_eq!(common::dump(&book.db), before);
    undo(&mut app);
    let TriageStep::FollowUpText { text, .. } = triage_step(&app) else {
        panic!("the follow-up text");
    };
    assert_eq!(text.value(), prefilled);
}

#[test]
fn the_session_form_takes_pastes_as_text() {
    let book = Book::new();
    let mut app = book.app(120, 40);
    // The app's start (care generation) may write; nothing after it.
    let before = common::dump(&book.db);
    press(&mut app, &["b"]);
    paste(&mut app, "chen\n");
    press(&mut app, &["tab"]);
    paste(&mut app, "tomorrow\n14:00");
    let Overlay::Session(flow) = &app.model().overlay else {
        panic!("the booking form is open, got {:?}", app.model().overlay);
    };
    assert_eq!(flow.form.client_query.value(), "chen ");
    assert_eq!(flow.form.when.value(), "tomorrow 14:00");
    assert_eq!(
        flow.form.matches.first().map(|m| m.1.as_str()),
        Some("Chen Wei")
    );
    assert_eq!(common::dump(&book.db), before);
    undo(&mut app);
    let Overlay::Session(flow) = &app.model().overlay else {
        panic!("the booking form is open");
    };
    assert_eq!(flow.form.when.value(), "");
}

/// Where the app leaves the terminal cursor.
fn cursor(app: &App) -> ratatui::layout::Position {
    use ratatui::backend::Backend as _;
    let (columns, rows) = app.model().size;
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(columns, rows))
        .expect("terminal");
    app.draw(&mut terminal).expect("draws");
    terminal
        .backend_mut()
        .get_cursor_position()
        .expect("cursor")
}

#[test]
fn the_form_cursors_move_by_display_cells() {
    let book = Book::new();
    // The session form: a wide character moves the cursor two cells.
    let mut app = book.app(120, 40);
    press(&mut app, &["b"]);
    let start = cursor(&app);
    paste(&mut app, "日");
    // (The popup grows by the matches shown, so only the column is compared.)
    assert_eq!(cursor(&app).x - start.x, 2);
    // The follow-up form, on its text field: a combining mark takes none.
    let mut app = book.app(120, 40);
    press(&mut app, &["3", "a", "tab"]);
    assert_eq!(add_form(&app).field, AddField::Text);
    let start = cursor(&app);
    paste(&mut app, "e\u{301}");
    let after = cursor(&app);
    assert_eq!((after.x - start.x, after.y), (1, start.y));
}
