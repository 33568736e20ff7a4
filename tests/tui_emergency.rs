//! The emergency reschedule, undo, hand-off and delivery retry in the TUI:
//! pure transitions of the state machine, and key scripts that drive the
//! real `App` against a temporary demo book and check screen and book.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
mod tui_fixture;

use std::sync::Arc;

use coachbook::clock::Clock;
use coachbook::config::Config;
use coachbook::store::{PartnerQueries, Store};
use coachbook::tui::action::{Action, TerminalWork};
use coachbook::tui::app::App;
use coachbook::tui::flows::emergency::{Emergency, Step};
use coachbook::tui::flows::handoff::HandoffStep;
use coachbook::tui::flows::work::FlowEvent;
use coachbook::tui::keymap::Keymap;
use coachbook::tui::model::{NoticeKind, Screen};
use coachbook::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tui_fixture::{Book, CONFIG, key, now, press};

/// The demo book (as `coachbook --demo` builds it) at the fixture's now,
/// with the outbox in the temporary folder.
struct Demo {
    dir: tempfile::TempDir,
    db: std::path::PathBuf,
    config: Config,
}

impl Demo {
    /// `delivery` goes into the `[delivery]` table (a send command, say).
    fn new(delivery: &str) -> Demo {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("book.sqlite");
        let config_path = dir.path().join("config.toml");
        let text = format!(
            "{CONFIG}\n[delivery]\noutbox = \"{}\"\n{delivery}\n",
            dir.path().join("outbox").display()
        );
        let config = Config::parse(&text, &config_path).expect("config parses");
        let mut store = Store::open(&db).expect("book opens");
        coachbook::demo::generate(&mut store, &config, now()).expect("demo book");
        Demo { dir, db, config }
    }

    fn app(&self, columns: u16, rows: u16) -> App {
        // As the loop has it before the first key.
        let mut app = App::new(
            Store::open(&self.db).expect("book opens"),
            self.config.clone(),
            Clock::Fixed(now()),
            Arc::new(Keymap::defaults()),
            Theme::colored(),
            (columns, rows),
        );
        app.after_first_frame();
        app
    }

    fn sql(&self, query: &str) -> Vec<String> {
        let conn = rusqlite::Connection::open(&self.db).expect("open");
        let mut stmt = conn.prepare(query).expect("query");
        stmt.query_map([], |r| r.get::<_, rusqlite::types::Value>(0))
            .expect("rows")
            .map(|v| format!("{:?}", v.expect("value")))
            .collect()
    }

    /// Every row of the coach's tables (the change log aside: undo adds to it).
    fn dump(&self) -> String {
        common::dump_except(&self.db, &["changes", "undo_log"])
    }
}

fn screen_text(app: &App, columns: u16, rows: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(columns, rows)).expect("terminal");
    app.draw(&mut terminal).expect("draws");
    let buffer = terminal.backend().buffer();
    let mut text = String::new();
    for y in 0..rows {
        for x in 0..columns {
            text.push_str(buffer[(x, y)].symbol());
        }
        text.push('\n');
    }
    text
}

fn emergency(app: &App) -> &Emergency {
    match &app.model().screen {
        Screen::Emergency(emergency) => emergency,
        other => panic!("not in the emergency flow: {other:?}"),
    }
}

const CRISIS_KEYS: [&str; 4] = ["!", "enter", "enter", "y"];

#[test]
fn freeing_the_next_session_for_the_crisis_takes_at_most_six_keys_from_the_dashboard() {
    let demo = Demo::new("");
    let mut app = demo.app(120, 40);
    let mut pressed = 0;
    for key_text in CRISIS_KEYS {
        press(&mut app, &[key_text]);
        pressed += 1;
        if matches!(emergency(&app).step, Step::Done(_)) {
            break;
        }
    }
    assert!(matches!(emergency(&app).step, Step::Done(_)));
    assert!(pressed <= 6, "took {pressed} keys");
    assert_eq!(pressed, 4);
}

#[test]
fn the_crisis_flow_changes_the_book_as_one_change_and_undo_reverts_all_of_it() {
    let demo = Demo::new("");
    let before = demo.dump();
    let mut app = demo.app(120, 40);
    press(&mut app, &["!"]);
    let pick = screen_text(&app, 120, 40);
    assert!(
        pick.contains("free a session for Sofia Lindqvist"),
        "{pick}"
    );
    assert!(
        pick.contains("> Mon 23 Nov 15:00 Jonas Becker       moved 1x/90d"),
        "{pick}"
    );
    press(&mut app, &["enter"]);
    let slots = screen_text(&app, 120, 40);
    assert!(slots.contains("Times to offer them"), "{slots}");
    press(&mut app, &["enter"]);
    let apology = screen_text(&app, 120, 40);
    assert!(apology.contains("Dear Jonas"), "{apology}");
    assert!(apology.contains("Guardrails: nothing flagged"), "{apology}");
    press(&mut app, &["y"]);
    let done = screen_text(&app, 120, 40);
    assert!(done.contains("session freed; crisis call booked"), "{done}");
    assert!(done.contains("outbox"), "{done}");
    // The outbox message also goes to the clipboard, by the app loop.
    let work = app.take_terminal_work();
    assert!(
        matches!(work.as_slice(), [TerminalWork::CopyToClipboard(text)] if text.contains("Jonas")),
        "{work:?}"
    );

    // The book: Jonas's session rescheduled by the coach, the apology recorded,
    // Sofia's crisis call in the freed slot, her request answered.
    let jonas = demo.sql(
        "SELECT s.status || '/' || m.moved_by FROM sessions s JOIN clients c ON c.id = s.client_id JOIN session_moves m ON m.session_id = s.id WHERE c.name = 'Jonas Becker' AND s.start_at = '2026-11-23T14:00:00Z'",
    );
    assert_eq!(jonas, vec!["Text(\"rescheduled/coach\")".to_string()]);
    let apologies = demo.sql("SELECT kind FROM replies WHERE kind = 'apology'");
    assert_eq!(apologies.len(), 1);
    let crisis = demo.sql(
        "SELECT s.status FROM sessions s JOIN clients c ON c.id = s.client_id WHERE c.name = 'Sofia Lindqvist' AND s.start_at = '2026-11-23T14:00:00Z'",
    );
    assert_eq!(crisis.len(), 1, "{crisis:?}");
    // Sofia is told too; her confirmation waits in the outbox (no send
    // command), so her crisis request is not answered until it goes out.
    let told = demo.sql(
        "SELECT p.delivery FROM replies p JOIN clients c ON c.id = p.client_id WHERE c.name = 'Sofia Lindqvist' AND p.subject LIKE 'I have time for you%'",
    );
    assert_eq!(told, vec!["Text(\"outbox\")".to_string()]);
    let answered = demo.sql(
        "SELECT r.first_reply_at FROM requests r JOIN clients c ON c.id = r.client_id WHERE c.name = 'Sofia Lindqvist' AND r.urgency = 'crisis' AND r.status = 'open'",
    );
    assert_eq!(answered, vec!["Null".to_string()]);
    let sequence_before: Vec<String> = demo.sql(
        "SELECT s.ical_sequence FROM sessions s JOIN clients c ON c.id = s.client_id WHERE c.name = 'Jonas Becker' AND s.start_at = '2026-11-23T14:00:00Z'",
    );

    press(&mut app, &["esc", "u"]);
    let notice = app.model().notice.clone().expect("a notice");
    assert!(
        notice
            .text
            .starts_with("undone: emergency: free Jonas Becker's session"),
        "{notice:?}"
    );
    assert!(notice.text.contains("stays recorded as sent"), "{notice:?}");
    assert_ne!(demo.dump(), before, "what went out is not unsent");
    // Jonas's session is back, at a higher SEQUENCE; the apology stays.
    let jonas = demo.sql(
        "SELECT s.status || '/' || s.ical_sequence FROM sessions s JOIN clients c ON c.id = s.client_id WHERE c.name = 'Jonas Becker' AND s.start_at = '2026-11-23T14:00:00Z'",
    );
    let seq = |v: &str| -> i64 {
        v.trim_start_matches("Integer(")
            .trim_end_matches(')')
            .parse()
            .expect("number")
    };
    let after = jonas[0]
        .trim_start_matches("Text(\"")
        .trim_end_matches("\")");
    let (status, after_seq) = after.split_once('/').expect("status/seq");
    assert_eq!(status, "booked");
    assert!(after_seq.parse::<i64>().expect("seq") > seq(&sequence_before[0]));
    assert_eq!(
        demo.sql("SELECT kind FROM replies WHERE kind = 'apology'")
            .len(),
        1
    );
    // It offers to tell Jonas the session stands; y sends it.
    assert!(matches!(
        app.model().overlay,
        coachbook::tui::model::Overlay::Confirm(_)
    ));
    assert!(
        screen_text(&app, 60, 15).contains("Tell them it"),
        "{}",
        screen_text(&app, 60, 15)
    );
    press(&mut app, &["y"]);
    let notes = demo.sql("SELECT subject FROM replies WHERE subject LIKE 'Please disregard%'");
    assert_eq!(notes.len(), 1, "{notes:?}");
    press(&mut app, &["u"]);
    assert_eq!(
        app.model().notice.as_ref().map(|n| n.text.as_str()),
        Some("nothing to undo")
    );
}

#[test]
fn slots_can_be_dropped_counted_and_the_first_held() {
    let demo = Demo::new("");
    let mut app = demo.app(120, 40);
    press(&mut app, &["!", "enter"]);
    let Step::Slots(choice) = &emergency(&app).step else {
        panic!("not at the slots")
    };
    assert_eq!(choice.offered().len(), 3);
    let first_three = choice.offered();
    press(&mut app, &["x"]);
    let Step::Slots(choice) = &emergency(&app).step else {
        panic!("not at the slots")
    };
    assert_eq!(choice.offered().len(), 3, "the next free time fills in");
    assert!(!choice.offered().contains(&first_three[0]));
    press(&mut app, &["-", "-"]);
    let Step::Slots(choice) = &emergency(&app).step else {
        panic!("not at the slots")
    };
    assert_eq!(choice.offered().len(), 1);
    press(&mut app, &["-"]);
    assert!(app.model().notice.is_some(), "the last time cannot go");
    press(&mut app, &["+", "h"]);
    let Step::Slots(choice) = &emergency(&app).step else {
        panic!("not at the slots")
    };
    assert_eq!(choice.offered().len(), 2);
    assert!(choice.hold_first_slot);
    assert!(screen_text(&app, 120, 40).contains("HELD"));
    // Back to the sessions, then out.
    press(&mut app, &["esc"]);
    assert!(matches!(
        emergency(&app).step,
        Step::PickSession { chosen: 0 }
    ));
    press(&mut app, &["esc"]);
    assert_eq!(app.model().screen, Screen::Dashboard);
}

#[test]
fn the_apology_is_edited_inline_and_the_guardrails_speak_up() {
    let demo = Demo::new("");
    let mut app = demo.app(120, 40);
    press(&mut app, &["!", "enter", "enter", "i"]);
    for c in "Calm down. ".chars() {
        let event = key(&c.to_string());
        if let Some(action) = coachbook::tui::input::action_for(app.model(), &event) {
            app.dispatch(action);
        }
    }
    let Step::Apology(draft) = &emergency(&app).step else {
        panic!("not at the apology")
    };
    assert!(draft.editing);
    assert!(draft.editor.text().starts_with("Calm down. Dear Jonas"));
    let text = screen_text(&app, 120, 40);
    assert!(text.contains("! "), "a guardrail warning is shown: {text}");
    // q types in the editor instead of quitting.
    press(&mut app, &["q"]);
    assert!(!app.model().quit);
    press(&mut app, &["esc"]);
    let Step::Apology(draft) = &emergency(&app).step else {
        panic!("not at the apology")
    };
    assert!(!draft.editing);
    // Ctrl-E asks the loop for $EDITOR; its text comes back as an action.
    let ctrl_e = ratatui::crossterm::event::Event::Key(ratatui::crossterm::event::KeyEvent::new(
        ratatui::crossterm::event::KeyCode::Char('e'),
        ratatui::crossterm::event::KeyModifiers::CONTROL,
    ));
    let action = coachbook::tui::input::action_for(app.model(), &ctrl_e).expect("bound");
    app.dispatch(action);
    assert!(matches!(
        app.take_terminal_work().as_slice(),
        [TerminalWork::EditExternally(_)]
    ));
    app.dispatch(Action::EditedExternally(Ok("Dear Jonas, sorry.".into())));
    let Step::Apology(draft) = &emergency(&app).step else {
        panic!("not at the apology")
    };
    assert_eq!(draft.editor.text().trim_end(), "Dear Jonas, sorry.");
}

#[test]
fn a_session_in_the_past_is_refused_with_a_notice() {
    let book = Book::new();
    let mut app = book.app(120, 40);
    // The cursor starts on 15:00; 11:00 is in the past.
    press(&mut app, &["k", "e"]);
    assert_eq!(app.model().screen, Screen::Dashboard);
    let notice = app.model().notice.clone().expect("a notice");
    assert_eq!(notice.kind, NoticeKind::Error);
    assert!(notice.text.contains("already begun"), "{notice:?}");
}

#[test]
fn e_on_an_upcoming_session_goes_straight_to_the_slots() {
    let book = Book::new();
    let mut app = book.app(120, 40);
    press(&mut app, &["e"]);
    assert!(matches!(emergency(&app).step, Step::Slots(_)));
    assert!(emergency(&app).crisis.is_none());
}

#[test]
fn a_refusal_from_the_book_closes_the_flow_with_a_notice() {
    let book = Book::new();
    let mut app = book.app(120, 40);
    press(&mut app, &["e"]);
    app.dispatch(Action::Flow(Box::new(FlowEvent::FlowFailed(
        "no free slot within 7 days fits a 50-minute session".into(),
    ))));
    // The plan had arrived already; a late refusal while at the slots is a notice.
    let notice = app.model().notice.clone().expect("a notice");
    assert!(notice.text.contains("no free slot"), "{notice:?}");
}

#[test]
fn a_failed_send_is_shown_and_d_retries_it() {
    let demo = Demo::new("send_command = \"exit 3\"");
    let mut app = demo.app(120, 40);
    press(&mut app, &CRISIS_KEYS);
    let done = screen_text(&app, 120, 40);
    assert!(done.contains("NOT delivered"), "{done}");
    press(&mut app, &["esc"]);
    let dashboard = screen_text(&app, 120, 40);
    assert!(
        dashboard.contains("2 undelivered: D retries"),
        "{dashboard}"
    );
    press(&mut app, &["D"]);
    let notice = app.model().notice.clone().expect("a notice");
    assert_eq!(notice.kind, NoticeKind::Error, "{notice:?}");
    assert!(notice.text.contains("still not delivered"), "{notice:?}");
    // The apology and the confirmation to the client in crisis.
    assert_eq!(app.model().undelivered.len(), 2);
}

#[test]
fn a_handoff_previews_both_texts_and_records_them() {
    let demo = Demo::new("");
    let mut store = Store::open(&demo.db).expect("open");
    if store.partners().expect("partners").is_empty() {
        store
            .change("test", "a partner", now(), |tx| {
                tx.add_partner("Dana Weiss", Some("dana@example.org"), None)
            })
            .expect("partner");
    }
    drop(store);
    let mut app = demo.app(120, 40);
    // The crisis request is the fourth in reply-by order.
    press(&mut app, &["2", "j", "j", "j", "H"]);
    assert!(matches!(
        &app.model().screen,
        Screen::Handoff(h) if matches!(h.step, HandoffStep::PickPartner { .. })
    ));
    press(&mut app, &["enter"]);
    let preview = screen_text(&app, 120, 40);
    assert!(preview.contains("(the client)"), "{preview}");
    assert!(preview.contains("(the partner)"), "{preview}");
    press(&mut app, &["y"]);
    let done = screen_text(&app, 120, 40);
    assert!(done.contains("Handed off"), "{done}");
    let kinds = demo
        .sql("SELECT kind FROM replies WHERE kind IN ('hand-off', 'partner-brief') ORDER BY id");
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    let _ = &demo.dir;
}

/// Each flow screen at both sizes.
#[test]
fn snapshots_of_each_flow_screen() {
    let demo = Demo::new("");
    let steps: [(&str, &[&str]); 5] = [
        ("emergency_pick", &["!"]),
        ("emergency_slots", &["!", "enter", "x", "h"]),
        ("emergency_apology", &["!", "enter", "enter"]),
        ("emergency_editing", &["!", "enter", "enter", "i"]),
        ("emergency_done", &CRISIS_KEYS),
    ];
    for (name, keys) in steps {
        for (columns, rows) in [(120, 40), (60, 15)] {
            // A send command keeps the done screen free of temporary paths.
            let demo = Demo::new("send_command = \"cat > /dev/null\"");
            let mut app = demo.app(columns, rows);
            press(&mut app, keys);
            let text = screen_text(&app, columns, rows);
            // The outbox path holds the temporary folder's name.
            let text = text.replace(&demo.dir.path().display().to_string(), "<tmp>");
            insta::assert_snapshot!(format!("{name}_{columns}x{rows}"), text);
        }
    }
    let _ = demo;
}

// ---- issue 9: questions before acting, and flags drawn at every size ----

/// The demo book with a custom `emergency_apology` that says dismissive things.
fn demo_with_dismissive_apology() -> Demo {
    let mut demo = Demo::new("");
    let folder = demo.dir.path().join("templates");
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::write(
        folder.join("emergency_apology.txt"),
        "Subject: Moving {{ old_time }}\n\nHi {{ client_first_name }}, thanks for your patience, per my last email, calm down.\n{% for option in options %}- {{ option }}\n{% endfor %}{{ signature }}\n",
    )
    .expect("template");
    let text = format!(
        "{CONFIG}\n[delivery]\noutbox = \"{}\"\n[templates]\nfolder = \"{}\"\n",
        demo.dir.path().join("outbox").display(),
        folder.display()
    );
    demo.config =
        Config::parse(&text, &demo.dir.path().join("config.toml")).expect("config parses");
    demo
}

#[test]
fn a_flagged_apology_shows_its_flags_at_60x15_and_takes_a_second_confirm() {
    let demo = demo_with_dismissive_apology();
    let mut app = demo.app(60, 15);
    let before = demo.dump();
    press(&mut app, &["!", "enter", "enter"]);
    let small = screen_text(&app, 60, 15);
    assert!(small.contains("3 FLAGGED"), "{small}");
    assert!(small.contains("patience"), "{small}");
    press(&mut app, &["y"]);
    assert!(
        matches!(emergency(&app).step, Step::Apology(_)),
        "one y sends nothing"
    );
    assert_eq!(demo.dump(), before, "the book is unchanged after one y");
    let warned = screen_text(&app, 60, 15);
    assert!(warned.contains("again sends anyway"), "{warned}");
    press(&mut app, &["y"]);
    let done = screen_text(&app, 60, 15);
    assert!(done.contains("session freed"), "{done}");
    assert_eq!(
        demo.sql("SELECT kind FROM replies WHERE kind = 'apology'")
            .len(),
        1
    );
}

#[test]
fn cancel_asks_and_offers_the_note_with_a_calendar_cancellation() {
    let demo = Demo::new("");
    let mut app = demo.app(120, 40);
    let before = demo.dump();
    // The cursor starts on the next session (Jonas, 15:00). The cancel
    // flow (tests/tui_sessions.rs has the rest): Esc leaves it as it was.
    press(&mut app, &["C"]);
    let asked = screen_text(&app, 120, 40);
    assert!(asked.contains("Cancel Jonas Becker"), "{asked}");
    press(&mut app, &["esc"]);
    assert_eq!(demo.dump(), before, "Esc keeps the session");
    // Enter shows the note; confirming sends it.
    press(&mut app, &["C", "enter"]);
    app.dispatch(Action::Command(
        coachbook::tui::action::Command::FlowConfirm,
    ));
    let status = demo.sql(
        "SELECT s.status FROM sessions s JOIN clients c ON c.id = s.client_id WHERE c.name = 'Jonas Becker' AND s.start_at = '2026-11-23T14:00:00Z'",
    );
    assert_eq!(status, vec!["Text(\"cancelled\")".to_string()]);
    let outbox = demo.dir.path().join("outbox");
    let note = std::fs::read_dir(&outbox)
        .expect("outbox")
        .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("eml"))
        .find(|m| m.contains("is cancelled"))
        .expect("the cancellation note");
    assert!(
        note.replace("\r\n ", "").contains("METHOD:CANCEL"),
        "{note}"
    );
}

#[test]
fn no_show_asks_first() {
    let demo = Demo::new("");
    let mut app = demo.app(120, 40);
    let before = demo.dump();
    // Kwame's 13:00 session has begun: one row up from Jonas.
    press(&mut app, &["k", "N"]);
    assert!(screen_text(&app, 120, 40).contains("a no-show?"));
    press(&mut app, &["esc"]);
    assert_eq!(demo.dump(), before);
    press(&mut app, &["N", "y"]);
    let status = demo.sql(
        "SELECT s.status FROM sessions s JOIN clients c ON c.id = s.client_id WHERE c.name = 'Kwame Mensah' AND s.start_at = '2026-11-23T12:00:00Z'",
    );
    assert_eq!(status, vec!["Text(\"no-show\")".to_string()]);
}

#[test]
fn an_edited_apology_is_not_dropped_on_one_esc() {
    let demo = Demo::new("");
    let mut app = demo.app(120, 40);
    press(&mut app, &["!", "enter", "enter", "i"]);
    app.dispatch(Action::Edit(coachbook::tui::editor::EditKey::Char('!')));
    press(&mut app, &["esc", "esc"]);
    assert!(
        matches!(emergency(&app).step, Step::Apology(_)),
        "first Esc stops editing"
    );
    let notice = app
        .model()
        .notice
        .clone()
        .map(|n| n.text)
        .unwrap_or_default();
    assert!(notice.contains("Esc again discards"), "{notice}");
    press(&mut app, &["esc"]);
    assert!(matches!(emergency(&app).step, Step::Slots(_)));
}

#[test]
fn the_no_show_question_hints_only_its_own_keys() {
    let demo = Demo::new("");
    let mut app = demo.app(120, 40);
    press(&mut app, &["k", "N"]);
    let screen = screen_text(&app, 120, 40);
    let hints = screen.lines().last().unwrap_or_default();
    assert!(hints.contains("y confirm"), "{hints}");
    assert!(!hints.contains("other choice"), "{hints}");
}
