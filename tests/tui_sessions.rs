//! Sessions and follow-ups from the dashboard, driven by key scripts against
//! a temporary book: each flow checked on the screen and in the book.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod tui_fixture;

use coachbook::model::{Owner, SessionStatus};
use coachbook::store::{FollowUpQueries, SessionQueries};
use coachbook::tui::app::App;
use coachbook::tui::input;
use coachbook::tui::keymap::Keymap;
use coachbook::tui::model::{Overlay, Screen};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_fixture::{Book, at, type_text};

fn key(text: &str) -> Event {
    if let Some(letter) = text.strip_prefix("ctrl-") {
        let c = letter.chars().next().expect("a letter");
        return Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    }
    tui_fixture::key(text)
}

fn press(app: &mut App, keys: &[&str]) {
    for text in keys {
        if let Some(action) = input::action_for(app.model(), &key(text)) {
            app.dispatch(action);
        }
    }
}

fn book() -> Book {
    let mut book = Book::new();
    book.config.outbox = book.path().join("outbox");
    book
}

fn screen(app: &App) -> String {
    let (columns, rows) = app.model().size;
    let mut terminal = Terminal::new(TestBackend::new(columns, rows)).expect("terminal");
    app.draw(&mut terminal).expect("draws");
    let buffer = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

fn notice(app: &App) -> String {
    app.model()
        .notice
        .clone()
        .map(|n| n.text)
        .unwrap_or_default()
}

fn sessions_on(book: &Book, day: &str) -> Vec<(String, String, SessionStatus)> {
    let from = at(&format!("{day}T00:00:00+01:00"));
    book.open()
        .sessions_between(from, from + chrono::Duration::days(1))
        .unwrap()
        .into_iter()
        .map(|s| {
            (
                s.client_name,
                s.start
                    .with_timezone(&chrono_tz::Europe::Berlin)
                    .format("%H:%M")
                    .to_string(),
                s.status,
            )
        })
        .collect()
}

/// `b`, the client, Tab, the time.
fn start_booking(app: &mut App, client: &str, when: &str) {
    press(app, &["b"]);
    assert!(matches!(app.model().overlay, Overlay::Session(_)));
    type_text(app, client);
    press(app, &["tab"]);
    type_text(app, when);
}

#[test]
fn b_books_a_session_for_the_client_typed_and_u_undoes_it() {
    let book = book();
    let mut app = book.app(120, 40);
    start_booking(&mut app, "mateo", "wed 11:00");
    assert!(
        screen(&app).contains("= Wed 25 Nov 11:00"),
        "{}",
        screen(&app)
    );
    press(&mut app, &["enter"]);
    assert!(
        screen(&app).contains("booked session #7 with Mateo García"),
        "{}",
        screen(&app)
    );
    assert_eq!(
        sessions_on(&book, "2026-11-25"),
        [("Mateo García".into(), "11:00".into(), SessionStatus::Booked)]
    );
    press(&mut app, &["enter"]);
    assert_eq!(app.model().overlay, Overlay::None);
    press(&mut app, &["u"]);
    assert!(notice(&app).starts_with("undone: book"), "{}", notice(&app));
    assert_eq!(sessions_on(&book, "2026-11-25"), []);
}

#[test]
fn a_clash_is_shown_and_refused_then_booked_on_confirmation() {
    let book = book();
    let mut app = book.app(120, 40);
    // Chen Wei has a session tomorrow 10:00–11:00.
    start_booking(&mut app, "sofia", "tomorrow 10:30");
    press(&mut app, &["enter"]);
    let shown = screen(&app);
    assert!(shown.contains("That time is taken"), "{shown}");
    assert!(
        shown.contains("clashes with Chen Wei's session Tue 24 Nov 10:00–11:00"),
        "{shown}"
    );
    assert!(shown.contains("y book anyway"), "{shown}");
    // No: back to the form, nothing booked.
    press(&mut app, &["n"]);
    assert!(screen(&app).contains("not booked"), "{}", screen(&app));
    assert_eq!(sessions_on(&book, "2026-11-24").len(), 1);
    // Again, and yes.
    press(&mut app, &["enter", "y"]);
    assert!(screen(&app).contains("booked session"), "{}", screen(&app));
    assert_eq!(
        sessions_on(&book, "2026-11-24"),
        [
            ("Chen Wei".into(), "10:00".into(), SessionStatus::Booked),
            (
                "Sofia Lindqvist".into(),
                "10:30".into(),
                SessionStatus::Booked
            )
        ]
    );
}

#[test]
fn the_past_is_refused_in_the_form_and_nothing_is_booked() {
    let book = book();
    let before = tui_fixture_dump(&book);
    let mut app = book.app(120, 40);
    start_booking(&mut app, "sofia", "2026-11-20 10:00");
    press(&mut app, &["enter"]);
    let shown = screen(&app);
    assert!(shown.contains("is in the past"), "{shown}");
    assert!(matches!(app.model().overlay, Overlay::Session(_)));
    assert_eq!(tui_fixture_dump(&book), before);
}

fn tui_fixture_dump(book: &Book) -> String {
    let store = book.open();
    let all = store
        .sessions_between(at("2000-01-01T00:00:00Z"), at("2100-01-01T00:00:00Z"))
        .unwrap();
    format!("{all:?}")
}

#[test]
fn a_weekly_series_then_this_and_the_following_move_together() {
    let book = book();
    let mut app = book.app(120, 40);
    start_booking(&mut app, "mateo", "wed 9:00");
    // Minutes, Place, Repeat: weekly; Count 3.
    press(&mut app, &["tab", "tab", "tab", "down", "tab"]);
    for _ in 0..3 {
        press(&mut app, &["backspace"]);
    }
    type_text(&mut app, "3");
    press(&mut app, &["enter"]);
    assert!(
        screen(&app).contains("booked 3 sessions"),
        "{}",
        screen(&app)
    );
    press(&mut app, &["enter"]);
    // Wednesday's sheet: the first of the series.
    press(&mut app, &["1", "]", "]", "g", "m"]);
    type_text(&mut app, "thu 15:00");
    // Asked by, Reason, Sessions: and the following; Tell them: no.
    press(&mut app, &["tab", "tab", "tab", "down", "tab", "down"]);
    let shown = screen(&app);
    assert!(shown.contains("this one and the following"), "{shown}");
    press(&mut app, &["enter"]);
    assert!(
        screen(&app).contains("and the 2 after it"),
        "{}",
        screen(&app)
    );
    for day in ["2026-11-26", "2026-12-03", "2026-12-10"] {
        assert_eq!(
            sessions_on(&book, day),
            [("Mateo García".into(), "15:00".into(), SessionStatus::Booked)],
            "{day}"
        );
    }
    assert_eq!(sessions_on(&book, "2026-12-02"), []);
    // One undo takes the whole move back.
    press(&mut app, &["enter", "u"]);
    assert_eq!(sessions_on(&book, "2026-12-02").len(), 1);
}

#[test]
fn m_moves_a_session_and_sends_the_edited_note_with_the_calendar_update() {
    let book = book();
    let mut app = book.app(120, 40);
    // The cursor starts on the next session to come: Sofia at 15:00.
    press(&mut app, &["1", "m"]);
    type_text(&mut app, "fri 16:00");
    press(&mut app, &["enter"]);
    let shown = screen(&app);
    assert!(shown.contains("Subject: Our session is now on"), "{shown}");
    assert!(shown.contains("Ctrl-s save and send"), "{shown}");
    press(&mut app, &["up", "up"]);
    type_text(&mut app, "See you Friday. ");
    press(&mut app, &["ctrl-s"]);
    assert!(
        screen(&app).contains("moved Sofia Lindqvist's session"),
        "{}",
        screen(&app)
    );
    assert_eq!(
        sessions_on(&book, "2026-11-27"),
        [(
            "Sofia Lindqvist".into(),
            "16:00".into(),
            SessionStatus::Booked
        )]
    );
    let outbox: Vec<_> = std::fs::read_dir(book.path().join("outbox"))
        .unwrap()
        .collect();
    assert_eq!(outbox.len(), 1);
    let message = std::fs::read_to_string(outbox[0].as_ref().unwrap().path()).unwrap();
    assert!(message.contains("See you Friday."), "{message}");
    assert!(message.contains("METHOD:REQUEST"), "{message}");
    assert!(message.contains("SEQUENCE:1"), "{message}");
}

#[test]
fn c_cancels_with_an_editable_note_and_a_calendar_cancellation() {
    let book = book();
    let mut app = book.app(120, 40);
    press(&mut app, &["1", "C"]);
    assert!(screen(&app).contains("Cancel Sofia Lindqvist's session"));
    press(&mut app, &["enter"]);
    assert!(screen(&app).contains("is cancelled"), "{}", screen(&app));
    type_text(&mut app, "I am so sorry. ");
    press(&mut app, &["ctrl-s"]);
    assert!(screen(&app).contains("cancelled"), "{}", screen(&app));
    assert_eq!(
        sessions_on(&book, "2026-11-23")
            .into_iter()
            .filter(|s| s.0 == "Sofia Lindqvist")
            .map(|s| s.2)
            .collect::<Vec<_>>(),
        [SessionStatus::Cancelled]
    );
    let outbox: Vec<_> = std::fs::read_dir(book.path().join("outbox"))
        .unwrap()
        .collect();
    let message = std::fs::read_to_string(outbox[0].as_ref().unwrap().path()).unwrap();
    assert!(message.contains("I am so sorry."), "{message}");
    assert!(message.contains("METHOD:CANCEL"), "{message}");
}

#[test]
fn a_flagged_note_needs_a_second_press() {
    let book = book();
    let mut app = book.app(120, 40);
    press(&mut app, &["1", "C", "enter"]);
    type_text(&mut app, "Thank you for your patience. ");
    press(&mut app, &["ctrl-s"]);
    assert!(screen(&app).contains("Guardrails flag"), "{}", screen(&app));
    assert!(screen(&app).contains("send anyway"), "{}", screen(&app));
    assert_eq!(
        book.open()
            .sessions_between(
                at("2026-11-23T15:00:00+01:00"),
                at("2026-11-23T15:01:00+01:00")
            )
            .unwrap()[0]
            .status,
        SessionStatus::Booked
    );
    press(&mut app, &["ctrl-s"]);
    assert!(screen(&app).contains("cancelled"), "{}", screen(&app));
}

/// The follow-ups pane with the cursor on the row whose text starts so.
fn on_followup(app: &mut App, text: &str) {
    press(app, &["3", "g"]);
    let sheet = app.model().sheet.clone().expect("sheet");
    let at = sheet
        .followups
        .iter()
        .position(|r| r.followup.text.starts_with(text))
        .expect("the follow-up is in the pane");
    for _ in 0..at {
        press(app, &["j"]);
    }
}

#[test]
fn follow_up_keys_move_snooze_add_and_the_list_of_all_open_ones() {
    let book = book();
    let mut app = book.app(120, 40);
    // A promise keeps the time the client was told.
    on_followup(&mut app, "Send the three-month plan");
    press(&mut app, &["t", "enter"]);
    assert!(
        screen(&app).contains("a promise made to Amara"),
        "{}",
        screen(&app)
    );
    // Mateo's check-in: to the first preset, tomorrow 09:00.
    press(&mut app, &["esc"]);
    on_followup(&mut app, "Check in after the move");
    press(&mut app, &["t", "enter"]);
    assert!(notice(&app).contains("now due"), "{}", notice(&app));
    let due_of = |text: &str| {
        book.open()
            .open_followups()
            .unwrap()
            .into_iter()
            .find(|f| f.text == text)
            .unwrap()
            .due
    };
    assert_eq!(
        due_of("Check in after the move"),
        at("2026-11-24T09:00:00+01:00")
    );
    // Snooze Chen's action item to the first preset: in 1 hour.
    on_followup(&mut app, "Try the morning routine");
    press(&mut app, &["s", "enter"]);
    assert!(notice(&app).contains("snoozed until"), "{}", notice(&app));
    assert_eq!(
        due_of("Try the morning routine"),
        at("2026-11-23T15:20:00+01:00")
    );
    // Add one for Chen (the row's client comes filled in), owned by the
    // client, due next week.
    press(&mut app, &["a"]);
    type_text(&mut app, "2026-12-01 10:00");
    press(&mut app, &["tab"]);
    type_text(&mut app, "Read chapter 3");
    press(&mut app, &["tab", "down", "enter"]);
    assert!(notice(&app).contains("added follow-up"), "{}", notice(&app));
    let added = book
        .open()
        .open_followups()
        .unwrap()
        .into_iter()
        .find(|f| f.text == "Read chapter 3")
        .unwrap();
    assert_eq!(added.owner, Owner::Client);
    assert_eq!(added.client_name, "Chen Wei");
    // Not due yet: not in the pane, but in the list of all open ones.
    assert!(!screen(&app).contains("Read chapter 3"));
    press(&mut app, &["F"]);
    assert!(matches!(app.model().screen, Screen::FollowUps(_)));
    let shown = screen(&app);
    let open = book.open().open_followups().unwrap().len();
    assert!(
        shown.contains(&format!("All open follow-ups ({open})")),
        "{shown}"
    );
    assert!(shown.contains("Read chapter 3"), "{shown}");
    // Done from the list, then undone.
    let listed = |app: &App| match &app.model().screen {
        Screen::FollowUps(view) => view
            .followups
            .ready()
            .unwrap()
            .iter()
            .any(|f| f.text == "Read chapter 3"),
        _ => panic!("not the list"),
    };
    press(&mut app, &["G", "x"]);
    assert!(!listed(&app), "{}", screen(&app));
    press(&mut app, &["u"]);
    assert!(notice(&app).starts_with("undone"), "{}", notice(&app));
    assert!(listed(&app), "{}", screen(&app));
    press(&mut app, &["o"]);
    assert!(matches!(app.model().screen, Screen::Client(_)));
}

#[test]
fn help_lists_every_new_key() {
    let book = book();
    let mut app = book.app(120, 40);
    press(&mut app, &["?"]);
    // The whole help, page by page.
    let mut shown = screen(&app);
    for _ in 0..30 {
        press(&mut app, &["ctrl-d"]);
        shown.push_str(&screen(&app));
    }
    for line in [
        "book a session or a series",
        "move the session to an agreed time",
        "cancel it, with a note (or its series)",
        "move the due time",
        "snooze the follow-up",
        "add a follow-up",
        "all open follow-ups",
        "Book, move or cancel a session",
        "All open follow-ups",
    ] {
        assert!(shown.contains(line), "help lacks {line:?}:\n{shown}");
    }
}

#[test]
fn a_rebound_key_shows_in_the_forms_hints() {
    let book = book();
    let overrides = [
        ("tab".to_string(), "none".to_string()),
        ("ctrl-t".to_string(), "field-next".to_string()),
    ]
    .into_iter()
    .collect();
    let keymap = Keymap::with_overrides(&overrides).unwrap();
    let mut app = book.app_with(120, 40, keymap);
    press(&mut app, &["b"]);
    let shown = screen(&app);
    assert!(shown.contains("Ctrl-t next field"), "{shown}");
    assert!(!shown.contains("Tab next field"), "{shown}");
}
