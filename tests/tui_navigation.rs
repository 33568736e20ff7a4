//! The keymap drives every hint, every flow is reachable where a coach
//! expects it, and Back returns to where the coach came from.
//!
//! The hint test is generic: for every screen below and every command bound
//! there, a `[keys]` override puts that command on F12; every row of the
//! screen that changes must then show F12 where the old key was, and a
//! static sweep keeps literal key names out of the views and flows.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod tui_fixture;

use std::collections::BTreeMap;

use coachbook::tui::action::{Action, Command};
use coachbook::tui::app::App;
use coachbook::tui::keymap::Keymap;
use coachbook::tui::model::{Pane, Screen};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tui_fixture::Book;

/// A screen to look at, reached by commands (not keys), so the same state
/// is reached whatever the keymap.
struct State {
    name: &'static str,
    commands: Vec<Command>,
}

fn states() -> Vec<State> {
    use Command::*;
    let s = |name, commands: &[Command]| State {
        name,
        commands: commands.to_vec(),
    };
    vec![
        s("dashboard", &[]),
        s("requests", &[FocusRequests]),
        s("follow-ups", &[FocusFollowUps]),
        s("help", &[Help]),
        s("find client", &[FindClient]),
        s("quick capture", &[QuickCapture]),
        s("reply: templates", &[FocusRequests, Reply]),
        s("reply editor", &[FocusRequests, Reply, FlowConfirm]),
        s("snooze picker", &[FocusRequests, Snooze]),
        s("urgency picker", &[FocusRequests, SetUrgency]),
        s("confirm no-show", &[MarkNoShow]),
        s("cancel form", &[MarkCancelled]),
        s("book form", &[BookSession]),
        s("move form", &[MoveSession]),
        s("follow-up add", &[FocusFollowUps, FollowUpAdd]),
        s("all follow-ups", &[AllFollowUps]),
        s(
            "client edit",
            &[FocusRequests, Open, OpenClient, EditClient],
        ),
        s(
            "context edit",
            &[FocusRequests, Open, OpenClient, EditContext],
        ),
        s("request detail", &[FocusRequests, Open]),
        s("client view", &[FocusRequests, Open, OpenClient]),
        s("review", &[Review]),
        s("emergency", &[Emergency]),
        s("held: notes", &[MarkHeld]),
        s("at risk", &[AtRiskList]),
    ]
}

fn app_in(book: &Book, keymap: Keymap, state: &State) -> App {
    let mut app = book.app_with(120, 40, keymap);
    for command in &state.commands {
        app.dispatch(Action::Command(*command));
    }
    app
}

fn rows(app: &App) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    app.draw(&mut terminal).unwrap();
    let buffer = terminal.backend().buffer();
    (0..40)
        .map(|y| {
            (0..120)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect()
}

fn f12_for(command: Command) -> Keymap {
    let mut keys = BTreeMap::new();
    keys.insert("f12".to_string(), command.name().to_string());
    Keymap::with_overrides(&keys).expect("f12 is free")
}

#[test]
fn a_keys_override_shows_in_every_hint_that_names_the_action() {
    let book = Book::new();
    let mut rebound = 0;
    let mut looked_at = Vec::new();
    for state in states() {
        let app = app_in(&book, Keymap::defaults(), &state);
        let before = rows(&app);
        let scopes = app.model().scopes();
        let defaults = Keymap::defaults();
        let mut commands: Vec<Command> = defaults
            .bindings()
            .iter()
            .filter(|b| scopes.contains(&b.scope))
            .map(|b| b.command)
            .collect();
        commands.sort();
        commands.dedup();
        for command in commands {
            let old = defaults.keys_for(&scopes, command);
            let Some(old) = old.first().map(ToString::to_string) else {
                continue;
            };
            let after = rows(&app_in(&book, f12_for(command), &state));
            let changed: Vec<(&String, &String)> =
                before.iter().zip(&after).filter(|(b, a)| b != a).collect();
            let status_row = before.len() - 1;
            for (b, a) in &changed {
                // The status bar shows whole hints only: a longer key may
                // push the last one out instead.
                let status = before.iter().position(|r| r == *b) == Some(status_row)
                    // The help overlay lists every key: its rows move.
                    || (state.name == "help" && after.iter().any(|r| r.contains("F12")));
                assert!(
                    a.contains("F12") || status,
                    "{}: rebinding {} changed a row without naming F12:\n{b}\n{a}",
                    state.name,
                    command.name()
                );
                // The help overlay and a question's choices list every key
                // of an action: the coach's own comes first there.
                let lists_all = state.name == "help" || a.find(&format!("F12 or {old}")).is_some();
                assert!(
                    status
                        || lists_all
                        || a.matches(old.as_str()).count() < b.matches(old.as_str()).count(),
                    "{}: the hint for {} still names {old}:\n{b}\n{a}",
                    state.name,
                    command.name()
                );
            }
            if !changed.is_empty() {
                rebound += 1;
                looked_at.push(format!("{}: {}", state.name, command.name()));
            }
        }
    }
    // Each screen's title and status hints: a good many pairs at least.
    assert!(
        rebound >= 40,
        "only {rebound} hints followed: {looked_at:#?}"
    );
    // The ones the issue names.
    for needle in [
        "reply editor: flow-confirm",
        "reply editor: flow-cancel",
        "reply editor: edit-externally",
        "quick capture: flow-confirm",
        "quick capture: field-next",
        "find client: prompt-submit",
        "confirm no-show: flow-confirm",
        "cancel form: flow-cancel",
        "book form: flow-cancel",
        "all follow-ups: followup-done",
        "request detail: back",
        "help: back",
    ] {
        assert!(
            looked_at.iter().any(|l| l == needle),
            "{needle} is not hinted from the keymap: {looked_at:#?}"
        );
    }
}

#[test]
fn no_view_or_flow_writes_a_key_name_of_its_own() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui");
    let mut found = Vec::new();
    for dir in ["view", "flows", "update", "effects"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.trim_start();
                if code.starts_with("//") {
                    continue;
                }
                // Only text inside string literals.
                let literals: Vec<&str> = code.split('"').skip(1).step_by(2).collect();
                for literal in literals {
                    let words: Vec<&str> = literal
                        .split(|c: char| !c.is_alphanumeric() && c != '-')
                        .collect();
                    let named = words.iter().any(|w| {
                        matches!(*w, "Esc" | "Enter" | "Tab" | "Backspace")
                            || w.starts_with("Ctrl-")
                            || w.starts_with("Alt-")
                    }) || literal.starts_with("y: ")
                        || literal.contains(" D retries");
                    if named {
                        found.push(format!("{}:{}: {literal}", path.display(), n + 1));
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "key names written by hand: {found:#?}");
}

#[test]
fn esc_from_a_request_opened_in_the_review_returns_to_the_review() {
    let book = Book::new();
    let mut app = book.app(120, 40);
    app.dispatch(Action::Command(Command::Review));
    assert!(matches!(app.model().screen, Screen::Review(_)));
    // Down to the first unanswered request or breach that opens.
    // Down to the first unanswered request from a client in the book; a
    // request from a stranger is opened and left with Back on the way.
    let mut opened = false;
    let mut returned = 0;
    for _ in 0..20 {
        app.dispatch(Action::Command(Command::Open));
        if let Screen::Detail(detail) = &app.model().screen {
            if detail.item.client_id().is_some() {
                opened = true;
                break;
            }
            app.dispatch(Action::Command(Command::Back));
            assert!(matches!(app.model().screen, Screen::Review(_)));
            returned += 1;
        }
        app.dispatch(Action::Command(Command::Down));
    }
    assert!(opened, "the review offers a client's request to open");
    assert!(returned <= 20);
    // On to the client, and back twice: client → request → review.
    app.dispatch(Action::Command(Command::OpenClient));
    assert!(matches!(app.model().screen, Screen::Client(_)));
    app.dispatch(Action::Command(Command::Back));
    assert!(matches!(app.model().screen, Screen::Detail(_)));
    app.dispatch(Action::Command(Command::Back));
    assert!(
        matches!(app.model().screen, Screen::Review(_)),
        "Esc leads back to the review"
    );
    app.dispatch(Action::Command(Command::Back));
    assert!(matches!(app.model().screen, Screen::Dashboard));
    // Opened from the dashboard, Esc goes back to the dashboard.
    app.dispatch(Action::Command(Command::FocusRequests));
    app.dispatch(Action::Command(Command::Open));
    assert!(matches!(app.model().screen, Screen::Detail(_)));
    app.dispatch(Action::Command(Command::Back));
    assert!(matches!(app.model().screen, Screen::Dashboard));
    assert_eq!(app.model().focus, Pane::Requests);
}

#[test]
fn crisis_and_hand_off_work_in_a_requests_detail_and_lead_back_to_it() {
    let book = Book::new();
    let mut store = book.open();
    store
        .change("test", "a partner", tui_fixture::now(), |tx| {
            tx.add_partner("Dana Brooks", Some("dana@example.org"), None)
        })
        .unwrap();
    drop(store);
    let mut app = book.app(120, 40);
    tui_fixture::press(&mut app, &["2"]);
    // The first request from a client in the book.
    let sheet = app.model().sheet.clone().unwrap();
    let at = sheet
        .requests
        .iter()
        .position(|r| r.request.client_id.is_some())
        .unwrap();
    for _ in 0..at {
        tui_fixture::press(&mut app, &["j"]);
    }
    tui_fixture::press(&mut app, &["enter"]);
    let Screen::Detail(detail) = &app.model().screen else {
        panic!("a request's detail is open");
    };
    let opened = detail.item.clone();
    tui_fixture::press(&mut app, &["H"]);
    assert!(
        matches!(app.model().screen, Screen::Handoff(_)),
        "H hands off the request in the detail: {:?}",
        app.model().notice
    );
    tui_fixture::press(&mut app, &["esc"]);
    let Screen::Detail(detail) = &app.model().screen else {
        panic!("Esc from the hand-off returns to the request");
    };
    assert_eq!(detail.item, opened);
    tui_fixture::press(&mut app, &["!"]);
    assert!(
        matches!(app.model().screen, Screen::Emergency(_)),
        "! frees a session for the request in the detail: {:?}",
        app.model().notice
    );
    tui_fixture::press(&mut app, &["esc"]);
    assert!(matches!(app.model().screen, Screen::Detail(_)));
}
