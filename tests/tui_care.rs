//! Care between sessions on the dashboard: a held session's notes, action
//! items and recap; agreement keys in the client view; the at-risk list;
//! parting ways; generation when the dashboard opens and each minute.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod tui_fixture;

use chrono::Duration;
use coachbook::model::{AgreementStatus, ClientStatus, FollowUpKind, Owner, SessionStatus};
use coachbook::store::{ClientQueries, FollowUpQueries, PartnerQueries, SessionQueries};
use coachbook::tui::action::Action;
use coachbook::tui::app::App;
use coachbook::tui::flows::care::CareStep;
use coachbook::tui::input;
use coachbook::tui::keymap::Keymap;
use coachbook::tui::model::{Overlay, Screen};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_fixture::{Book, now, type_text};

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

/// The sessions pane with the cursor on `client`'s session today.
fn on_session(app: &mut App, client: &str) {
    press(app, &["1", "g"]);
    let sheet = app.model().sheet.clone().expect("sheet");
    let at = sheet
        .sessions
        .iter()
        .position(|r| r.session.client_name == client)
        .expect("a session of theirs today");
    for _ in 0..at {
        press(app, &["j"]);
    }
}

fn open_client(app: &mut App, name: &str) {
    press(app, &["/"]);
    type_text(app, name);
    press(app, &["enter"]);
    assert!(matches!(app.model().screen, Screen::Client(_)));
}

fn notice(app: &App) -> String {
    app.model()
        .notice
        .clone()
        .map(|n| n.text)
        .unwrap_or_default()
}

#[test]
fn d_on_a_session_takes_notes_and_action_items_then_sends_the_recap() {
    let book = book();
    let mut app = book.app(120, 40);
    on_session(&mut app, "Chen Wei");
    press(&mut app, &["d"]);
    assert!(
        matches!(app.model().overlay, Overlay::Care(_)),
        "the notes editor"
    );
    // The cursor starts on the notes line; the action items come by $EDITOR.
    type_text(&mut app, "Good progress on the routine");
    let form = "Notes:\nGood progress on the routine\n\nAction items:\n\
                client: Journal three mornings by fri\ncoach: Send the reading list by tue\n";
    app.dispatch(Action::EditedExternally(Ok(form.into())));
    press(&mut app, &["ctrl-s"]);
    let Overlay::Care(flow) = &app.model().overlay else {
        panic!("still in the flow: {:?}", app.model().notice);
    };
    let CareStep::Recap { draft, .. } = &flow.step else {
        panic!("the recap step: {:?}", flow.step);
    };
    let body = draft.editor.text();
    // Friday 17:00 in Berlin is already Saturday in Shanghai: their day.
    assert!(
        body.contains("- Journal three mornings (by Saturday 28 November)"),
        "{body}"
    );
    assert!(!body.contains("reading list"), "only their items: {body}");
    assert!(
        body.contains("Tuesday 24 November, 17:00 (Shanghai time, CST)"),
        "the next session in their zone: {body}"
    );
    press(&mut app, &["ctrl-s"]);
    assert_eq!(app.model().overlay, Overlay::None, "{}", notice(&app));
    assert!(
        notice(&app).contains("held, 2 action item(s); recap #"),
        "{}",
        notice(&app)
    );

    let store = book.open();
    let chen = store
        .client_names()
        .expect("names")
        .into_iter()
        .find(|(_, n)| n == "Chen Wei")
        .map(|(id, _)| id)
        .expect("chen");
    let session = store
        .client_sessions_between(chen, now() - Duration::hours(6), now())
        .expect("sessions")
        .pop()
        .expect("today's session");
    assert_eq!(session.status, SessionStatus::Held);
    assert_eq!(session.notes, "Good progress on the routine");
    let items: Vec<_> = store
        .client_followups(chen)
        .expect("follow-ups")
        .into_iter()
        .filter(|f| f.session_id == Some(session.id))
        .collect();
    assert_eq!(items.len(), 2);
    assert!(
        items
            .iter()
            .any(|f| f.owner == Owner::Client && f.kind == FollowUpKind::Action)
    );
    // Undo takes the whole of it back.
    press(&mut app, &["u"]);
    let store = book.open();
    assert_eq!(
        store.session(session.id).expect("s").status,
        SessionStatus::Booked
    );
}

#[test]
fn a_session_not_begun_cannot_be_held_and_a_bad_action_item_is_shown_in_the_editor() {
    let book = book();
    let mut app = book.app(60, 15);
    on_session(&mut app, "Mateo García");
    press(&mut app, &["d"]);
    assert_eq!(app.model().overlay, Overlay::None);
    assert!(
        notice(&app).contains("has not begun yet"),
        "{}",
        notice(&app)
    );
    on_session(&mut app, "Chen Wei");
    press(&mut app, &["d"]);
    app.dispatch(Action::EditedExternally(Ok(
        "Notes:\n\nAction items:\nclient: Journal\n".into(),
    )));
    press(&mut app, &["ctrl-s"]);
    let Overlay::Care(flow) = &app.model().overlay else {
        panic!("stays open");
    };
    assert!(
        flow.error
            .as_deref()
            .is_some_and(|e| e.contains("no due day")),
        "{:?}",
        flow.error
    );
}

#[test]
fn agreement_keys_in_the_client_view_follow_the_order_and_signing_closes_the_chase() {
    let book = book();
    // Sofia's agreement went out on Friday 20th: the chase came on opening.
    let mut app = book.app(120, 40);
    let store = book.open();
    let sofia = store
        .client_names()
        .expect("names")
        .into_iter()
        .find(|(_, n)| n == "Sofia Lindqvist")
        .map(|(id, _)| id)
        .expect("sofia");
    let chases = |store: &coachbook::store::Store| {
        store
            .client_followups(sofia)
            .expect("follow-ups")
            .into_iter()
            .filter(|f| f.kind == FollowUpKind::Agreement)
            .collect::<Vec<_>>()
    };
    assert_eq!(chases(&store).len(), 1);
    // The minute tick makes nothing twice.
    app.dispatch(Action::Tick(now() + Duration::minutes(1)));
    assert_eq!(chases(&book.open()).len(), 1);

    open_client(&mut app, "Sofia");
    press(&mut app, &["K"]);
    assert!(
        notice(&app).contains("not signed by them yet"),
        "{}",
        notice(&app)
    );
    press(&mut app, &["S"]);
    assert!(notice(&app).contains("signed"), "{}", notice(&app));
    let store = book.open();
    assert_eq!(
        store.agreement(sofia).expect("a").map(|a| a.status),
        Some(AgreementStatus::Signed)
    );
    assert!(chases(&store).iter().all(|f| f.done_at.is_some()));
    press(&mut app, &["K"]);
    assert_eq!(
        book.open().agreement(sofia).expect("a").map(|a| a.status),
        Some(AgreementStatus::Countersigned)
    );
}

#[test]
fn the_at_risk_list_is_one_key_away_and_opens_the_clients_story() {
    let book = book();
    let mut app = book.app(60, 15);
    press(&mut app, &["A"]);
    let Screen::AtRisk(view) = &app.model().screen else {
        panic!("the at-risk list");
    };
    let list = view.clients.ready().expect("loaded").clone();
    let sofia = list
        .iter()
        .find(|a| a.client == "Sofia Lindqvist")
        .expect("Sofia is at risk");
    assert!(
        sofia
            .reasons
            .iter()
            .any(|r| r.to_string() == "agreement not signed")
    );
    press(&mut app, &["enter"]);
    assert!(matches!(app.model().screen, Screen::Client(_)));
    // And the mark is on the client in the panes.
    press(&mut app, &["esc"]);
    let sheet = app.model().sheet.clone().expect("sheet");
    let first = list.first().expect("someone");
    assert!(!sheet.risk_of(Some(first.client_id)).is_empty() || !sheet.at_risk.is_empty());
}

#[test]
fn parting_from_the_client_view_ends_the_client_and_they_leave_the_panes() {
    let book = book();
    {
        let mut store = book.open();
        store
            .change("partner add", "add partner", now(), |tx| {
                tx.add_partner("Dana Cole", Some("dana@example.org"), None)
            })
            .expect("partner");
    }
    let mut app = book.app(120, 40);
    let amara_today = |app: &App| {
        app.model()
            .sheet
            .as_ref()
            .expect("sheet")
            .sessions
            .iter()
            .any(|r| r.session.client_name == "Amara Okafor")
    };
    assert!(amara_today(&app));
    open_client(&mut app, "Amara");
    press(&mut app, &["E"]);
    app.dispatch(Action::EditedExternally(Ok(
        "Reason: She needs a business mentor\nRefund: 75\nReferral: Dana\n".into(),
    )));
    press(&mut app, &["ctrl-s"]);
    let Overlay::Care(flow) = &app.model().overlay else {
        panic!("the final note: {}", notice(&app));
    };
    let CareStep::PartingNote { draft, .. } = &flow.step else {
        panic!("the note step");
    };
    assert!(
        draft.editor.text().contains("Dana Cole"),
        "{}",
        draft.editor.text()
    );
    press(&mut app, &["ctrl-s"]);
    assert!(
        notice(&app).contains("parted ways with Amara Okafor, referred to Dana Cole"),
        "{}",
        notice(&app)
    );
    press(&mut app, &["esc"]);
    assert!(!amara_today(&app), "gone from the sessions pane");
    let store = book.open();
    let amara = store
        .client_names()
        .expect("names")
        .into_iter()
        .find(|(_, n)| n == "Amara Okafor")
        .map(|(id, _)| id)
        .expect("still in the book");
    let client = store.client(amara).expect("client");
    assert_eq!(client.status, ClientStatus::Ended);
    let parting = client.parting.expect("recorded");
    assert_eq!(parting.refund_cents, Some(7500));
    assert_eq!(
        parting
            .referral_partner_id
            .map(|id| store.partner(id).expect("p").name),
        Some("Dana Cole".to_string())
    );
}

#[test]
fn the_help_lists_every_care_key() {
    let sections = Keymap::defaults().help_sections();
    let all: Vec<(String, &str)> = sections.into_iter().flat_map(|(_, rows)| rows).collect();
    for (key, says) in [
        ("A", "the clients at risk"),
        ("o", "open the selected row's client"),
        ("d", "held: notes, action items and a recap"),
        ("s", "agreement: sent"),
        ("S", "agreement: signed"),
        ("K", "agreement: countersigned"),
        ("m", "check-in message"),
        ("E", "part ways"),
        ("r", "work with an ended client again"),
        ("Ctrl-o", "save the notes without a recap"),
        ("x", "mark the follow-up done"),
    ] {
        assert!(
            all.iter()
                .any(|(k, d)| k.split(", ").any(|k| k == key) && d.contains(says)),
            "{key}: {says}"
        );
    }
}

#[test]
fn typed_notes_survive_one_esc_and_go_on_the_second() {
    let book = book();
    let mut app = book.app(120, 40);
    on_session(&mut app, "Chen Wei");
    press(&mut app, &["d"]);
    // Esc on the untouched form closes it at once.
    press(&mut app, &["esc"]);
    assert_eq!(
        app.model().overlay,
        Overlay::None,
        "nothing typed, nothing asked"
    );
    press(&mut app, &["d"]);
    type_text(&mut app, "Some notes");
    press(&mut app, &["esc"]);
    let Overlay::Care(flow) = &app.model().overlay else {
        panic!("one Esc must not drop typed notes");
    };
    assert!(flow.text().contains("Some notes"));
    assert!(flow.discard_armed);
    // The warning names the key in effect (drawn from the keymap).
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    app.draw(&mut terminal).unwrap();
    let screen = format!("{:?}", terminal.backend().buffer());
    assert!(screen.contains("Esc again discards them"), "{screen}");
    // Typing again disarms; the next Esc only warns again.
    type_text(&mut app, "!");
    press(&mut app, &["esc"]);
    assert!(matches!(app.model().overlay, Overlay::Care(_)));
    press(&mut app, &["esc"]);
    assert_eq!(
        app.model().overlay,
        Overlay::None,
        "the second Esc discards"
    );
}

fn screen_text(app: &App, columns: u16, rows: u16) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(columns, rows))
        .expect("terminal");
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

#[test]
fn the_client_view_edits_the_context_and_the_details_with_errors_in_the_form() {
    let book = book();
    for (columns, rows) in [(120, 40), (60, 15)] {
        let mut app = book.app(columns, rows);
        open_client(&mut app, "Chen");
        let before = book.open().client(2).expect("chen");
        assert_eq!(before.name, "Chen Wei");
        // c: the context form; a day already past is refused in the form.
        press(&mut app, &["c"]);
        type_text(&mut app, "Moving to Berlin");
        press(&mut app, &["down", "end"]);
        type_text(&mut app, "yesterday");
        press(&mut app, &["ctrl-s"]);
        let Overlay::Care(flow) = &app.model().overlay else {
            panic!("the form closed on a refusal");
        };
        assert!(matches!(flow.step, CareStep::ClientForm { .. }));
        let error = flow.error.clone().unwrap_or_default();
        assert!(error.contains("before today"), "{error}");
        assert!(
            screen_text(&app, columns, rows).contains("already be over"),
            "{}",
            screen_text(&app, columns, rows)
        );
        assert_eq!(book.open().client(2).expect("chen"), before);
        for _ in 0.."yesterday".len() {
            press(&mut app, &["backspace"]);
        }
        type_text(&mut app, "fri");
        press(&mut app, &["ctrl-s"]);
        assert_eq!(app.model().overlay, Overlay::None, "{}", notice(&app));
        let after = book.open().client(2).expect("chen");
        assert_eq!(after.context.as_deref(), Some("Moving to Berlin"));
        assert_eq!(after.context_until, "2026-11-27".parse().ok());
        assert!(screen_text(&app, columns, rows).contains("Moving to Berlin"));
        // u on the dashboard undoes it in one step.
        press(&mut app, &["esc", "u"]);
        assert_eq!(book.open().client(2).expect("chen"), before);

        // e: the details form; a bad phone is refused inline, a good one saved.
        open_client(&mut app, "Chen");
        press(&mut app, &["e", "down", "down", "end"]);
        type_text(&mut app, "call me");
        press(&mut app, &["ctrl-s"]);
        let Overlay::Care(flow) = &app.model().overlay else {
            panic!("the form closed on a refusal");
        };
        assert!(
            flow.error
                .clone()
                .unwrap_or_default()
                .contains("not a phone number"),
            "{:?}",
            flow.error
        );
        assert_eq!(book.open().client(2).expect("chen"), before);
        for _ in 0.."call me".len() {
            press(&mut app, &["backspace"]);
        }
        type_text(&mut app, "+86 10 5555 0100");
        press(&mut app, &["ctrl-s"]);
        assert_eq!(app.model().overlay, Overlay::None, "{}", notice(&app));
        let after = book.open().client(2).expect("chen");
        assert_eq!(after.phone.as_deref(), Some("+86 10 5555 0100"));
        assert_eq!(after.emails, before.emails);
        press(&mut app, &["esc", "u"]);
        assert_eq!(book.open().client(2).expect("chen"), before);
    }
}
