//! The first frame is drawn from the first window of the day (as many
//! request rows as the terminal has lines, every count exact), and the
//! whole day follows before the first key: the first frame is the frame of
//! the whole day, never a placeholder, and every key then sees every row.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod tui_fixture;

use chrono::Duration;
use coachbook::dashboard;
use coachbook::model::{Channel, Urgency};
use coachbook::store::NewRequest;
use coachbook::tui::action::Action;
use coachbook::tui::app::App;
use coachbook::tui::keymap::Keymap;
use coachbook::tui::model::Pane;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tui_fixture::{Book, at, now, press};

/// The fixture book and 60 more requests from unknown senders, received
/// over the last 30 days: most overdue, some still in time.
fn busy_book() -> Book {
    let book = Book::new();
    let clock = book.config.reply_clock();
    let received = at("2026-11-23T14:00:00+01:00");
    book.open()
        .change("fixture", "many open requests", now(), |tx| {
            for n in 0..60 {
                tx.add_request(
                    &NewRequest {
                        client_id: None,
                        unknown_sender: Some(format!("sender{n}@example.com")),
                        received_at: received - Duration::hours(12 * n),
                        channel: Channel::Email,
                        urgency: if n % 3 == 0 {
                            Urgency::Urgent
                        } else {
                            Urgency::Normal
                        },
                        subject: Some(format!("Question number {n}")),
                        body: format!("Hello,\nquestion {n} in detail."),
                        message_id: None,
                    },
                    &clock,
                )?;
            }
            Ok(())
        })
        .unwrap();
    book
}

fn screen(app: &App, columns: u16, rows: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(columns, rows)).unwrap();
    app.draw(&mut terminal).unwrap();
    let buffer = terminal.backend().buffer();
    (0..rows)
        .map(|y| {
            (0..columns)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_window_of_the_day_has_the_first_rows_and_the_counts_of_the_whole() {
    let book = busy_book();
    let store = book.open();
    let today = coachbook::domain::when::local_date(now(), book.config.tz);
    let whole = dashboard::load(&store, &book.config, today, now()).unwrap();
    assert_eq!(whole.requests.len(), 65);
    assert!(whole.overdue_requests() > 0 && whole.overdue_requests() < 65);
    assert!(!whole.is_window());
    let followups = whole.followups.len();
    assert!(followups > 1);
    for (rows, marked) in [
        (0, 0),
        (1, 1),
        (7, 2),
        (40, 9),
        (64, 1),
        (65, 1),
        (65, 9),
        (66, 9),
        (500, 1),
    ] {
        let what = format!("window of {rows} requests, {marked} follow-ups");
        let window = dashboard::Window {
            requests: rows,
            followups: marked,
        };
        let window =
            dashboard::load_window(&store, &book.config, today, now(), Some(window)).unwrap();
        let shown = rows.min(65);
        assert_eq!(window.requests[..], whole.requests[..shown], "{what}");
        assert_eq!(window.request_count(), whole.request_count(), "{what}");
        assert_eq!(
            window.overdue_requests(),
            whole.overdue_requests(),
            "{what}"
        );
        assert_eq!(
            window.is_window(),
            rows < 65 || marked < followups,
            "{what}"
        );
        assert_eq!(window.sessions, whole.sessions);
        assert_eq!(window.followups, whole.followups);
        assert_eq!(window.snoozed, whole.snoozed);
        assert_eq!(window.waiting, whole.waiting);
        // The marks of every client whose row the window shows.
        let sessions = window.sessions.iter().map(|r| Some(r.session.client_id));
        let requests = window.requests.iter().map(|r| r.request.client_id);
        let followups = (window.followups.iter().take(marked)).map(|r| Some(r.followup.client_id));
        for client in sessions.chain(requests).chain(followups) {
            assert_eq!(window.risk_of(client), whole.risk_of(client), "{what}");
        }
        if !window.is_window() {
            assert_eq!(window, whole, "{what}");
        }
    }
}

#[test]
fn the_first_frame_is_the_frame_of_the_whole_day() {
    let book = busy_book();
    for (columns, rows) in [(120, 40), (60, 15)] {
        let first = book.first_frame_app(columns, rows, Keymap::defaults());
        let sheet = first
            .model()
            .sheet
            .as_ref()
            .expect("the first window is loaded");
        assert!(sheet.is_window(), "{columns}x{rows} loads a window first");
        assert!(sheet.requests.len() <= usize::from(rows));
        let first_frame = screen(&first, columns, rows);
        assert!(first_frame.contains("65"), "{first_frame}");

        // The same app once the rest is loaded (nothing made, so the day is
        // the same): the same frame.
        let mut whole = book.first_frame_app(columns, rows, Keymap::defaults());
        whole.dispatch(Action::LoadRest);
        let sheet = whole.model().sheet.as_ref().expect("the day is loaded");
        assert!(!sheet.is_window());
        assert_eq!(sheet.requests.len(), 65);
        assert_eq!(
            screen(&whole, columns, rows),
            first_frame,
            "{columns}x{rows}"
        );
    }
}

#[test]
fn after_the_first_frame_every_row_is_there_for_the_keys() {
    let book = busy_book();
    // What the loop does before it reads the first key.
    let mut app = book.app(60, 15);
    let sheet = app.model().sheet.as_ref().expect("the day is loaded");
    assert!(!sheet.is_window());
    let last = sheet.requests.last().map(|r| r.request.id);
    press(&mut app, &["tab", "G"]);
    assert_eq!(app.model().focus, Pane::Requests);
    assert_eq!(app.model().cursor[Pane::Requests], 64);
    let shown = screen(&app, 60, 15);
    let subject = app
        .model()
        .sheet
        .as_ref()
        .and_then(|s| s.requests.last())
        .and_then(|r| r.request.subject.clone())
        .unwrap();
    assert_eq!(
        app.model()
            .sheet
            .as_ref()
            .and_then(|s| s.requests.last())
            .map(|r| r.request.id),
        last
    );
    assert!(shown.contains(&subject[..10]), "{shown}");
}
