//! The loop's timers in-process: nothing to do means nothing to draw; a write
//! through another connection is picked up by the next look at the book.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod tui_fixture;

use std::time::Duration;

use coachbook::model::{FollowUpKind, Owner};
use coachbook::store::NewFollowUp;
use tui_fixture::{Book, at, now};

#[test]
fn an_idle_dashboard_finds_nothing_to_redraw() {
    let book = Book::new();
    let mut app = book.app(120, 40);
    assert!(!app.look_at_book());
    assert!(
        !app.on_timers(),
        "a fixed clock and an unchanged book: nothing to draw"
    );
    // It sleeps until the next look at the book, at most a second.
    assert!(app.timeout() <= Duration::from_secs(1));
}

#[test]
fn a_write_through_another_connection_is_picked_up() {
    let book = Book::new();
    let mut app = book.app(120, 40);
    let before = app.model().sheet.as_ref().map(|s| s.followups.len());
    let mut other = book.open();
    other
        .change("followup add", "from elsewhere", now(), |tx| {
            let chen = coachbook::store::ClientQueries::client_names(tx)?
                .into_iter()
                .find(|(_, name)| name == "Chen Wei")
                .map(|(id, _)| id)
                .ok_or_else(|| anyhow::anyhow!("no Chen"))?;
            tx.add_followup(&NewFollowUp {
                client_id: chen,
                request_id: None,
                due: at("2026-11-23T12:00:00+01:00"),
                text: "Send the recap".into(),
                owner: Owner::Coach,
                kind: FollowUpKind::Action,
                made_by_reply: None,
                callback: false,
            })
        })
        .expect("writes");
    assert!(app.look_at_book());
    let after = app.model().sheet.as_ref().map(|s| s.followups.len());
    assert_eq!(after, before.map(|n| n + 1));
    assert!(!app.look_at_book(), "only once");
}
