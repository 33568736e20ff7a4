//! Screens of the dashboard drawn to a `TestBackend` with a fixed clock, at
//! 120x40 and 60x15, after real key presses against a temporary book.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod tui_fixture;

use coachbook::tui::app::App;
use coachbook::tui::theme::Theme;
use coachbook::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};
use tui_fixture::{Book, press, type_text};

const SIZES: [(u16, u16); 2] = [(120, 40), (60, 15)];

fn screen(app: &App, columns: u16, rows: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(columns, rows)).expect("terminal");
    app.draw(&mut terminal).expect("draws");
    terminal
}

fn check(name: &str, keys: &[&str]) {
    let book = Book::new();
    for (columns, rows) in SIZES {
        let mut app = book.app(columns, rows);
        press(&mut app, keys);
        let terminal = screen(&app, columns, rows);
        insta::assert_snapshot!(format!("{name}_{columns}x{rows}"), terminal.backend());
    }
}

#[test]
fn dashboard() {
    check("dashboard", &[]);
}

#[test]
fn dashboard_with_the_requests_pane_focused() {
    check("requests_focused", &["tab", "j"]);
}

#[test]
fn request_detail() {
    // The overdue request from Amara: first in reply-by order.
    check("request_detail", &["tab", "enter"]);
}

#[test]
fn session_detail() {
    // The cursor starts on the next session to come: Sofia at 15:00.
    check("session_detail", &["enter"]);
}

#[test]
fn help_overlay() {
    check("help", &["?"]);
}

#[test]
fn next_day() {
    check("next_day", &["]"]);
}

#[test]
fn find_client_prompt_and_client_view() {
    let book = Book::new();
    for (columns, rows) in SIZES {
        let mut app = book.app(columns, rows);
        press(&mut app, &["/"]);
        type_text(&mut app, "amr");
        let terminal = screen(&app, columns, rows);
        insta::assert_snapshot!(format!("find_prompt_{columns}x{rows}"), terminal.backend());
        press(&mut app, &["enter"]);
        let terminal = screen(&app, columns, rows);
        insta::assert_snapshot!(format!("client_view_{columns}x{rows}"), terminal.backend());
    }
}

#[test]
fn too_small_and_tiny_terminals_draw_a_note_without_panicking() {
    let book = Book::new();
    let app = book.app(30, 8);
    let terminal = screen(&app, 30, 8);
    insta::assert_snapshot!("too_small_30x8", terminal.backend());
    for (columns, rows) in [
        (1, 1),
        (2, 1),
        (1, 3),
        (39, 10),
        (40, 9),
        (40, 10),
        (200, 3),
    ] {
        let mut app = book.app(columns, rows);
        // Every screen, at every size.
        for keys in [&["?"][..], &["tab", "enter"], &["/"], &["j", "enter", "G"]] {
            press(&mut app, keys);
            screen(&app, columns, rows);
            press(&mut app, &["esc"]);
        }
    }
}

#[test]
fn no_color_uses_no_colours_but_overdue_rows_stay_marked_and_bold() {
    let book = Book::new();
    let app = book.app(120, 40);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let plain = Theme::plain();
    terminal
        .draw(|frame| view::draw(frame, app.model(), &plain))
        .expect("draws");
    let buffer = terminal.backend().buffer();
    for cell in buffer.content() {
        assert_eq!(
            cell.fg,
            Color::Reset,
            "a foreground colour at {:?}",
            cell.symbol()
        );
        assert_eq!(
            cell.bg,
            Color::Reset,
            "a background colour at {:?}",
            cell.symbol()
        );
    }
    // The overdue request's marker and time left are bold.
    let overdue_line = (0..40)
        .find(|y| {
            let line: String = (0..120).map(|x| buffer[(x, *y)].symbol()).collect();
            line.contains("Amara Okafor") && line.contains("-")
        })
        .expect("the overdue request is shown");
    let mark = &buffer[(1, overdue_line)];
    assert_eq!(mark.symbol(), "!");
    assert!(mark.modifier.contains(Modifier::BOLD));
}

#[test]
fn review_screen() {
    check("review", &["R"]);
}

/// Keys, then text typed, in turns: the new session and follow-up screens.
fn check_typed(name: &str, steps: &[(&[&str], &str)]) {
    let book = Book::new();
    for (columns, rows) in SIZES {
        let mut app = book.app(columns, rows);
        for (keys, text) in steps {
            press(&mut app, keys);
            type_text(&mut app, text);
        }
        let terminal = screen(&app, columns, rows);
        insta::assert_snapshot!(format!("{name}_{columns}x{rows}"), terminal.backend());
    }
}

#[test]
fn book_a_session_form() {
    check_typed(
        "session_book",
        &[(&["b"], "sofia"), (&["tab"], "thu 10:00")],
    );
}

#[test]
fn a_booking_onto_a_clash_asks() {
    check_typed(
        "session_clash",
        &[
            (&["b"], "sofia"),
            (&["tab"], "tomorrow 10:30"),
            (&["enter"], ""),
        ],
    );
}

#[test]
fn the_note_of_a_moved_session() {
    check_typed(
        "session_move_note",
        &[(&["1", "m"], "fri 16:00"), (&["enter"], "")],
    );
}

#[test]
fn cancel_form() {
    check_typed("session_cancel", &[(&["1", "C"], "")]);
}

#[test]
fn all_open_followups() {
    check("followups_all", &["F"]);
}

#[test]
fn add_a_followup_form() {
    check_typed(
        "followup_add",
        &[(&["3", "a"], "fri 15:00"), (&["tab"], "Send the article")],
    );
}

/// Quick capture holding wide and combining text (pasted), and the reply
/// editor with its editable subject focused, at both sizes: the wrap and
/// the columns count display cells.
#[test]
fn capture_with_wide_text_and_the_reply_subject() {
    use coachbook::tui::action::Action;
    let book = Book::new();
    for (columns, rows) in SIZES {
        let mut app = book.app(columns, rows);
        press(&mut app, &["n"]);
        type_text(&mut app, "chen");
        press(&mut app, &["tab"]);
        app.dispatch(Action::Paste(
            "電話: 金曜日の予定を変更したい 🙂\nZoe\u{308} called too".into(),
        ));
        let terminal = screen(&app, columns, rows);
        insta::assert_snapshot!(format!("capture_wide_{columns}x{rows}"), terminal.backend());
        press(&mut app, &["esc"]);
        press(&mut app, &["2", "r", "enter", "tab"]);
        type_text(&mut app, " 日本");
        let terminal = screen(&app, columns, rows);
        insta::assert_snapshot!(
            format!("reply_subject_{columns}x{rows}"),
            terminal.backend()
        );
    }
}
