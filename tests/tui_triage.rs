//! Triage and quick capture: the pure state machines, the real `App`
//! against a temporary book (checked afterwards), and snapshots of the
//! capture form, the reply editor and the snooze picker.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod tui_fixture;

use std::sync::Arc;

use chrono::Duration;
use coachbook::model::{Channel, FollowUpKind, RequestStatus, Urgency};
use coachbook::store::{ClientQueries, FollowUpQueries, RequestQueries};
use coachbook::tui::action::{Action, Command, Effect};
use coachbook::tui::app::App;
use coachbook::tui::editor::TextEditor;
use coachbook::tui::flows::{CaptureField, CaptureForm, ClientChoice, TriageEffect, TriageStep};
use coachbook::tui::input;
use coachbook::tui::keymap::Keymap;
use coachbook::tui::model::{Model, Overlay, Pane};
use coachbook::tui::update::update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_fixture::{Book, now};

/// A key as the terminal reports it, with `ctrl-s` style chords.
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

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, &[&c.to_string()]);
    }
}

/// A book whose outbox is inside its temporary folder.
fn book() -> Book {
    let mut book = Book::new();
    book.config.outbox = book.path().join("outbox");
    book
}

/// The app with the requests pane focused on the request from `client`.
fn on_request(book: &Book, client: &str, size: (u16, u16)) -> (App, i64) {
    let mut app = book.app(size.0, size.1);
    press(&mut app, &["2"]);
    let sheet = app.model().sheet.clone().expect("sheet loaded");
    let at = sheet
        .requests
        .iter()
        .position(|row| row.request.client_name == client)
        .expect("the client's request is on the dashboard");
    press(&mut app, &["g"]);
    for _ in 0..at {
        press(&mut app, &["j"]);
    }
    (app, sheet.requests[at].request.id)
}

fn on_dashboard(app: &App, request_id: i64) -> bool {
    app.model()
        .sheet
        .as_ref()
        .is_some_and(|s| s.requests.iter().any(|r| r.request.id == request_id))
}

fn notice(app: &App) -> String {
    app.model()
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

// ---- the real App against a temporary book ----

#[test]
fn acknowledge_records_the_first_reply_and_a_promise_followup() {
    let book = book();
    let (mut app, id) = on_request(&book, "Chen Wei", (120, 40));
    press(&mut app, &["a", "enter"]);
    assert_eq!(app.model().overlay, Overlay::None, "{}", notice(&app));
    let store = book.open();
    let request = store.request(id).expect("request");
    // In the outbox, not yet with the client: still unanswered, still shown.
    assert_eq!(request.first_reply_at, None);
    assert_eq!(request.status, RequestStatus::Open);
    assert!(
        on_dashboard(&app, id),
        "an undelivered reply answers nothing"
    );
    press(&mut app, &["M"]);
    assert!(notice(&app).contains("marked sent"), "{}", notice(&app));
    let store = book.open();
    let request = store.request(id).expect("request");
    assert_eq!(request.first_reply_at, Some(now()));
    assert_eq!(request.status, RequestStatus::Answered);
    let promise = store
        .followups()
        .expect("follow-ups")
        .into_iter()
        .find(|f| f.request_id == Some(id))
        .expect("a promise follow-up");
    assert_eq!(promise.kind, FollowUpKind::Promise);
    // The soonest preset: about 15:00 today, 40 minutes on.
    assert_eq!(promise.due, now() + Duration::minutes(40));
    // The acknowledgement itself does not keep its own promise.
    assert_eq!(promise.done_at, None);
    assert!(!on_dashboard(&app, id));
}

#[test]
fn reply_from_a_blank_text_is_recorded_and_delivered_to_the_outbox() {
    let book = book();
    let (mut app, id) = on_request(&book, "Mateo García", (120, 40));
    press(&mut app, &["r", "enter"]);
    assert!(matches!(&app.model().overlay, Overlay::Triage(flow)
        if matches!(flow.step, TriageStep::EditReply(_))));
    type_text(
        &mut app,
        "Here it is: the reading list, attached. Talk on Thursday.",
    );
    press(&mut app, &["ctrl-s"]);
    assert_eq!(app.model().overlay, Overlay::None, "{}", notice(&app));
    let request = book.open().request(id).expect("request");
    assert_eq!(request.first_reply_at, None, "the outbox is not the client");
    assert_eq!(
        request.undelivered,
        Some(coachbook::model::DeliveryState::Outbox)
    );
    assert!(
        book.path()
            .join("outbox")
            .read_dir()
            .expect("outbox")
            .count()
            >= 1
    );
    // The outbox message goes to the clipboard too, and the screen says so.
    assert!(
        app.take_terminal_work().iter().any(|work| matches!(work,
            coachbook::tui::action::TerminalWork::CopyToClipboard(text) if text.contains("reading list"))),
        "no clipboard copy queued"
    );
    assert!(notice(&app).contains("clipboard"), "{}", notice(&app));
    // `u` takes the whole reply back, and says it already went out.
    press(&mut app, &["u"]);
    assert!(
        notice(&app).contains("stays recorded as sent"),
        "{}",
        notice(&app)
    );
    let request = book.open().request(id).expect("request");
    assert_eq!(request.first_reply_at, None);
}

#[test]
fn undo_takes_back_a_triage_change() {
    let book = book();
    let (mut app, chen) = on_request(&book, "Chen Wei", (120, 40));
    press(&mut app, &["x"]);
    assert_eq!(
        book.open().request(chen).expect("request").status,
        RequestStatus::Closed
    );
    press(&mut app, &["u"]);
    assert!(notice(&app).starts_with("undone:"), "{}", notice(&app));
    assert_eq!(
        book.open().request(chen).expect("request").status,
        RequestStatus::Open
    );
}

#[test]
fn a_guardrail_warning_needs_a_second_send() {
    let book = book();
    let (mut app, id) = on_request(&book, "Mateo García", (120, 40));
    press(&mut app, &["r", "enter"]);
    type_text(&mut app, "As I said before, be patient.");
    press(&mut app, &["ctrl-s"]);
    let Overlay::Triage(flow) = &app.model().overlay else {
        panic!("the editor stays open");
    };
    let TriageStep::EditReply(draft) = &flow.step else {
        panic!("still editing");
    };
    assert!(!draft.warnings.is_empty());
    assert!(draft.send_anyway);
    assert_eq!(
        book.open().request(id).expect("request").first_reply_at,
        None
    );
    press(&mut app, &["ctrl-s"]);
    let request = book.open().request(id).expect("request");
    assert!(request.undelivered.is_some(), "sent anyway, to the outbox");
}

#[test]
fn snooze_hides_the_request_until_its_time() {
    let book = book();
    let (mut app, id) = on_request(&book, "Chen Wei", (120, 40));
    press(&mut app, &["s", "enter"]);
    let request = book.open().request(id).expect("request");
    assert_eq!(request.status, RequestStatus::Snoozed);
    assert_eq!(request.snoozed_until, Some(now() + Duration::hours(1)));
    assert!(!on_dashboard(&app, id));
    // Back on the dashboard once the hour has passed.
    app.dispatch(Action::Tick(now() + Duration::minutes(61)));
    assert!(on_dashboard(&app, id));
}

#[test]
fn a_typed_snooze_time_is_checked_and_used() {
    let book = book();
    let (mut app, id) = on_request(&book, "Chen Wei", (120, 40));
    press(&mut app, &["s"]);
    type_text(&mut app, "yesterday 9:00");
    press(&mut app, &["enter"]);
    let Overlay::Triage(flow) = &app.model().overlay else {
        panic!("the picker stays open on a past time");
    };
    assert!(flow.error().is_some());
    for _ in 0.."yesterday 9:00".len() {
        press(&mut app, &["backspace"]);
    }
    type_text(&mut app, "+3h");
    press(&mut app, &["enter"]);
    let request = book.open().request(id).expect("request");
    assert_eq!(request.snoozed_until, Some(now() + Duration::hours(3)));
}

#[test]
fn waiting_on_the_client_pauses_the_clock() {
    let book = book();
    let (mut app, id) = on_request(&book, "Chen Wei", (120, 40));
    press(&mut app, &["w"]);
    let request = book.open().request(id).expect("request");
    assert_eq!(request.status, RequestStatus::WaitingOnClient);
    assert_eq!(request.waiting_since, Some(now()));
    assert!(!on_dashboard(&app, id));
}

#[test]
fn a_new_urgency_moves_the_reply_by() {
    let book = book();
    let (mut app, id) = on_request(&book, "Chen Wei", (120, 40));
    let before = book.open().request(id).expect("request").reply_by;
    // normal → urgent: one up in the list.
    press(&mut app, &["U", "up", "enter"]);
    let request = book.open().request(id).expect("request");
    assert_eq!(request.urgency, Urgency::Urgent);
    assert!(
        request.reply_by < before,
        "{} !< {before}",
        request.reply_by
    );
    assert!(notice(&app).contains("reply by"));
}

#[test]
fn raising_to_crisis_sets_the_urgency() {
    let book = book();
    let (mut app, id) = on_request(&book, "Chen Wei", (120, 40));
    press(&mut app, &["c"]);
    let request = book.open().request(id).expect("request");
    assert_eq!(request.urgency, Urgency::Crisis);
}

#[test]
fn close_and_turn_into_a_followup() {
    let book = book();
    let (mut app, chen) = on_request(&book, "Chen Wei", (120, 40));
    press(&mut app, &["x"]);
    assert_eq!(
        book.open().request(chen).expect("request").status,
        RequestStatus::Closed
    );
    assert!(!on_dashboard(&app, chen));

    let (mut app, mateo) = on_request(&book, "Mateo García", (120, 40));
    press(&mut app, &["f", "enter"]);
    let Overlay::Triage(flow) = &app.model().overlay else {
        panic!("the follow-up text comes next");
    };
    assert!(
        matches!(&flow.step, TriageStep::FollowUpText { text, .. } if text.value().contains("reading"))
    );
    press(&mut app, &["enter"]);
    let store = book.open();
    let followup = store
        .followups()
        .expect("follow-ups")
        .into_iter()
        .find(|f| f.request_id == Some(mateo))
        .expect("the follow-up");
    assert!(followup.text.contains("reading"));
    assert_eq!(
        store.request(mateo).expect("request").status,
        RequestStatus::Closed
    );
}

#[test]
fn quick_capture_logs_a_phone_call_from_a_new_client_twenty_minutes_ago() {
    let book = book();
    let mut app = book.app(120, 40);
    press(&mut app, &["n"]);
    type_text(&mut app, "Priya Natarajan");
    press(&mut app, &["tab"]);
    type_text(
        &mut app,
        "Called about her promotion talk; wants a session this week",
    );
    press(&mut app, &["tab", "tab", "tab"]);
    type_text(&mut app, "20 min ago");
    press(&mut app, &["enter"]);
    assert_eq!(app.model().overlay, Overlay::None, "{}", notice(&app));
    let store = book.open();
    let names = store.client_names().expect("names");
    let (client_id, _) = names
        .iter()
        .find(|(_, name)| name == "Priya Natarajan")
        .expect("the new client");
    let request = store
        .requests(coachbook::store::RequestFilter::NotDone)
        .expect("requests")
        .into_iter()
        .find(|r| r.client_id == Some(*client_id))
        .expect("the request");
    assert_eq!(request.channel, Channel::Phone);
    assert_eq!(request.urgency, Urgency::Normal);
    assert_eq!(request.received_at, now() - Duration::minutes(20));
    assert!(on_dashboard(&app, request.id));
}

#[test]
fn quick_capture_refuses_bad_input_and_writes_nothing() {
    let book = book();
    let mut app = book.app(120, 40);
    let before = book
        .open()
        .requests(coachbook::store::RequestFilter::All)
        .expect("all")
        .len();
    press(&mut app, &["n"]);
    type_text(&mut app, "amara");
    press(&mut app, &["enter"]);
    let error = |app: &App| match &app.model().overlay {
        Overlay::Capture(form) => (form.field, form.error().unwrap_or_default().to_string()),
        other => panic!("the form stays open, not {other:?}"),
    };
    assert_eq!(error(&app).0, CaptureField::Text);
    type_text(&mut app, "Texted: running late");
    press(&mut app, &["tab", "tab", "tab"]);
    type_text(&mut app, "+2h");
    press(&mut app, &["enter"]);
    let (field, reason) = error(&app);
    assert_eq!(field, CaptureField::Received);
    assert!(reason.contains("future"), "{reason}");
    for _ in 0..3 {
        press(&mut app, &["backspace"]);
    }
    type_text(&mut app, "whenever");
    press(&mut app, &["enter"]);
    assert_eq!(error(&app).0, CaptureField::Received);
    press(&mut app, &["esc"]);
    assert_eq!(app.model().overlay, Overlay::None);
    let after = book
        .open()
        .requests(coachbook::store::RequestFilter::All)
        .expect("all")
        .len();
    assert_eq!(before, after);
}

#[test]
fn keys_work_from_a_requests_detail_view() {
    let book = book();
    let (mut app, id) = on_request(&book, "Chen Wei", (120, 40));
    press(&mut app, &["enter", "w"]);
    assert_eq!(
        book.open().request(id).expect("request").status,
        RequestStatus::WaitingOnClient
    );
}

// ---- pure state machines ----

fn model(book: &Book) -> Model {
    let mut model = Model::new(
        now(),
        book.config.tz,
        (120, 40),
        Arc::new(Keymap::defaults()),
    );
    let sheet =
        coachbook::dashboard::load(&book.open(), &book.config, model.day, now()).expect("sheet");
    update(&mut model, Action::DayLoaded(Box::new(sheet)));
    model.focus = Pane::Requests;
    model
}

fn pure_press(model: &mut Model, text: &str) -> Vec<Effect> {
    match input::action_for(model, &key(text)) {
        Some(action) => update(model, action),
        None => Vec::new(),
    }
}

#[test]
fn each_triage_key_opens_its_step_or_asks_for_its_change() {
    let book = book();
    let mut model = model(&book);
    let id = match model.selected_item(Pane::Requests) {
        Some(coachbook::tui::model::Item::Request(row)) => row.request.id,
        other => panic!("a request, not {other:?}"),
    };
    assert_eq!(
        pure_press(&mut model, "r"),
        vec![Effect::Triage(TriageEffect::LoadTemplateNames)]
    );
    pure_press(&mut model, "esc");
    assert_eq!(model.overlay, Overlay::None);
    for (key, step) in [
        ("a", "ChooseTime"),
        ("s", "ChooseTime"),
        ("U", "ChooseUrgency"),
    ] {
        assert!(pure_press(&mut model, key).is_empty());
        let Overlay::Triage(flow) = &model.overlay else {
            panic!("{key} opens a step");
        };
        assert!(format!("{:?}", flow.step).starts_with(step), "{key}");
        pure_press(&mut model, "esc");
    }
    // Urgent and unanswered: waiting on the client asks first.
    assert!(pure_press(&mut model, "w").is_empty());
    assert!(matches!(model.overlay, Overlay::Confirm(_)));
    assert_eq!(
        pure_press(&mut model, "y"),
        vec![Effect::Triage(TriageEffect::WaitOnClient {
            request_id: id,
            force: true
        })]
    );
    assert_eq!(
        pure_press(&mut model, "x"),
        vec![Effect::Triage(TriageEffect::Close { request_id: id })]
    );
    // The snooze picker's first preset is an hour from now.
    // Urgent and unanswered: snoozing it past its reply-by asks first.
    pure_press(&mut model, "s");
    assert!(pure_press(&mut model, "enter").is_empty());
    let Overlay::Triage(flow) = &model.overlay else {
        panic!("the snooze picker stays open");
    };
    assert!(
        flow.error()
            .is_some_and(|e| e.contains("past its reply-by")),
        "{:?}",
        flow.error()
    );
    assert_eq!(
        pure_press(&mut model, "enter"),
        vec![Effect::Triage(TriageEffect::Snooze {
            request_id: id,
            until: now() + Duration::hours(1),
            force: true
        })]
    );
    // Busy until the result comes back: more keys ask for nothing.
    assert!(pure_press(&mut model, "enter").is_empty());
}

#[test]
fn triage_keys_are_not_live_in_other_panes() {
    let book = book();
    let mut model = model(&book);
    model.focus = Pane::Sessions;
    assert!(pure_press(&mut model, "x").is_empty());
    assert_eq!(model.overlay, Overlay::None);
}

#[test]
fn the_capture_form_picks_a_client_or_offers_a_new_one() {
    let tz = chrono_tz::Europe::Berlin;
    let mut form = CaptureForm::new();
    form.take_names(vec![(1, "Amara Okafor".into()), (2, "Chen Wei".into())]);
    for c in "chen".chars() {
        form.type_char(c);
    }
    assert_eq!(
        form.chosen_client(),
        Some(&ClientChoice::Existing(2, "Chen Wei".into()))
    );
    assert_eq!(form.matches.last(), Some(&ClientChoice::New("chen".into())));
    form.text = TextEditor::single_line("call");
    let capture = form.checked(now(), tz).expect("valid");
    assert_eq!(capture.received_at, now());
    assert_eq!(capture.channel, Channel::Phone);
    form.client_query = TextEditor::default();
    for c in "Zoe Park".chars() {
        form.type_char(c);
    }
    assert_eq!(
        form.chosen_client(),
        Some(&ClientChoice::New("Zoe Park".into()))
    );
    form.field = CaptureField::Channel;
    form.type_char('t');
    assert_eq!(form.channel, Channel::Text);
    form.field = CaptureField::Urgency;
    form.type_char('u');
    assert_eq!(form.urgency, Urgency::Urgent);
    assert_eq!(
        update(
            &mut Model::new(now(), tz, (120, 40), Arc::new(Keymap::defaults())),
            Action::Command(Command::QuickCapture)
        ),
        vec![Effect::LoadClientNames]
    );
}

// ---- snapshots ----

const SIZES: [(u16, u16); 2] = [(120, 40), (60, 15)];

fn snapshot(app: &App, name: &str, (columns, rows): (u16, u16)) {
    let mut terminal = Terminal::new(TestBackend::new(columns, rows)).expect("terminal");
    app.draw(&mut terminal).expect("draws");
    insta::assert_snapshot!(format!("{name}_{columns}x{rows}"), terminal.backend());
}

#[test]
fn capture_form_snapshots() {
    let book = book();
    for size in SIZES {
        let mut app = book.app(size.0, size.1);
        press(&mut app, &["n"]);
        type_text(&mut app, "sof");
        press(&mut app, &["tab"]);
        type_text(&mut app, "Called: can we talk today?");
        press(&mut app, &["tab", "tab", "tab"]);
        type_text(&mut app, "20 min ago");
        snapshot(&app, "capture_form", size);
    }
}

#[test]
fn reply_editor_with_a_guardrail_warning_snapshots() {
    let book = book();
    for size in SIZES {
        let (mut app, _) = on_request(&book, "Mateo García", size);
        press(&mut app, &["r", "enter"]);
        type_text(&mut app, "As I said before, it is in the shared folder.");
        snapshot(&app, "reply_editor_warning", size);
    }
}

#[test]
fn snooze_picker_snapshots() {
    let book = book();
    for size in SIZES {
        let (mut app, _) = on_request(&book, "Chen Wei", size);
        press(&mut app, &["s"]);
        snapshot(&app, "snooze_picker", size);
    }
}

#[test]
fn a_changed_reply_draft_is_not_thrown_away_on_one_esc() {
    let book = book();
    let (mut app, id) = on_request(&book, "Mateo García", (60, 15));
    press(&mut app, &["r", "enter"]);
    type_text(
        &mut app,
        "Thursday at 10 works; I will send the worksheet first.",
    );
    press(&mut app, &["esc"]);
    let Overlay::Triage(flow) = &app.model().overlay else {
        panic!("one Esc keeps the changed draft");
    };
    let TriageStep::EditReply(draft) = &flow.step else {
        panic!("still editing");
    };
    assert!(draft.editor.text().contains("Thursday at 10"));
    assert!(draft.discard_armed);
    // The warning names the keys in effect (drawn from the keymap).
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    app.draw(&mut terminal).unwrap();
    let screen = format!("{:?}", terminal.backend().buffer());
    assert!(
        screen.contains("Esc again discards it, Ctrl-s sends it"),
        "{screen}"
    );
    press(&mut app, &["esc"]);
    assert_eq!(
        app.model().overlay,
        Overlay::None,
        "the second Esc discards"
    );
    assert_eq!(
        book.open().request(id).expect("request").first_reply_at,
        None
    );
    // An untouched draft closes on one Esc.
    press(&mut app, &["r", "enter", "esc"]);
    assert_eq!(app.model().overlay, Overlay::None);
}

#[test]
fn turning_an_overdue_request_into_a_followup_keeps_its_breach() {
    let book = book();
    // Amara's urgent request of Friday 10:00 was due by 14:00 that day.
    let (mut app, amara) = on_request(&book, "Amara Okafor", (120, 40));
    let review = |book: &Book| {
        let range = coachbook::review::ReviewRange::new(
            now().date_naive() - Duration::days(7),
            now().date_naive(),
        )
        .expect("range");
        coachbook::review::gather(&book.open(), &book.config, range, now()).expect("review")
    };
    let breached =
        |review: &coachbook::review::Review| review.breaches.iter().any(|b| b.id == amara);
    let before = review(&book);
    assert!(breached(&before), "overdue before");
    press(&mut app, &["f", "enter", "enter"]);
    assert_eq!(
        book.open().request(amara).expect("request").status,
        RequestStatus::Closed
    );
    let after = review(&book);
    assert!(
        breached(&after),
        "still a breach after turning it into a follow-up"
    );
    assert_eq!(after.share(Urgency::Urgent), before.share(Urgency::Urgent));
    let outcome = after
        .requests
        .iter()
        .find(|o| o.id == amara)
        .expect("in the review");
    assert_eq!(
        outcome.resolution,
        coachbook::model::Resolution::ClosedWithoutReply
    );
}

/// Quick capture's save as a state machine: Editing → Saving → Done |
/// Failed, pure (no book).
#[test]
fn capture_moves_from_editing_to_saving_to_failed_or_done() {
    use coachbook::tui::flows::SaveState;
    use coachbook::tui::flows::TriageResult;
    let tz = chrono_tz::Europe::Berlin;
    let mut model = Model::new(now(), tz, (120, 40), Arc::new(Keymap::defaults()));
    update(&mut model, Action::Command(Command::QuickCapture));
    update(
        &mut model,
        Action::ClientNamesLoaded(vec![(1, "Amara Okafor".into())]),
    );
    let form = |model: &Model| match &model.overlay {
        Overlay::Capture(form) => form.clone(),
        other => panic!("the capture form is open, not {other:?}"),
    };
    assert_eq!(form(&model).state, SaveState::Editing(None));
    // Nothing typed: still editing, with what to fix.
    assert!(update(&mut model, Action::Command(Command::FlowConfirm)).is_empty());
    assert!(matches!(form(&model).state, SaveState::Editing(Some(_))));
    for c in "amara".chars() {
        update(&mut model, Action::Type(c));
    }
    update(&mut model, Action::Command(Command::FieldNext));
    update(&mut model, Action::Paste("Called about\nFriday".into()));
    let effects = update(&mut model, Action::Command(Command::FlowConfirm));
    assert!(
        matches!(effects.as_slice(), [Effect::Triage(TriageEffect::Capture(c))] if c.text == "Called about Friday"),
        "{effects:?}"
    );
    assert_eq!(form(&model).state, SaveState::Saving);
    // A second save while saving is ignored, and so is typing.
    assert!(update(&mut model, Action::Command(Command::FlowConfirm)).is_empty());
    update(&mut model, Action::Type('x'));
    assert_eq!(form(&model).state, SaveState::Saving);
    assert_eq!(form(&model).text.value(), "Called about Friday");
    // The book refused: the draft stays, the reason shows.
    update(
        &mut model,
        Action::Triage(TriageResult::Refused("the book is locked".into())),
    );
    assert_eq!(
        form(&model).state,
        SaveState::Failed("the book is locked".into())
    );
    assert_eq!(form(&model).error(), Some("the book is locked"));
    assert_eq!(form(&model).text.value(), "Called about Friday");
    // Saving again works from Failed, and Done closes the form.
    assert_eq!(
        update(&mut model, Action::Command(Command::FlowConfirm)).len(),
        1
    );
    assert_eq!(form(&model).state, SaveState::Saving);
    update(
        &mut model,
        Action::Triage(TriageResult::Done {
            change_id: 1,
            message: "logged".into(),
            problem: None,
            handover_to_crisis: false,
            sent: false,
            clipboard: None,
        }),
    );
    assert_eq!(model.overlay, Overlay::None);
}

/// The triage flow's save: a second send while sending is ignored, a
/// refusal keeps the reply and shows why.
#[test]
fn a_reply_being_sent_ignores_a_second_send_and_a_refusal_keeps_it() {
    use coachbook::tui::flows::{SaveState, TriageResult};
    let book = book();
    let mut model = model(&book);
    pure_press(&mut model, "r");
    update(
        &mut model,
        Action::Triage(TriageResult::Drafted {
            subject: Some("Re: Friday".into()),
            body: String::new(),
            kind: coachbook::model::ReplyKind::Reply,
        }),
    );
    for c in "Friday works.".chars() {
        update(
            &mut model,
            Action::Edit(coachbook::tui::editor::EditKey::Char(c)),
        );
    }
    let flow = |model: &Model| match &model.overlay {
        Overlay::Triage(flow) => (**flow).clone(),
        other => panic!("triage is open, not {other:?}"),
    };
    let send = Action::Command(Command::FlowConfirm);
    assert_eq!(update(&mut model, send.clone()).len(), 1);
    assert_eq!(flow(&model).state, SaveState::Saving);
    assert!(update(&mut model, send.clone()).is_empty());
    update(
        &mut model,
        Action::Triage(TriageResult::Refused("no address for the client".into())),
    );
    let after = flow(&model);
    assert_eq!(
        after.state,
        SaveState::Failed("no address for the client".into())
    );
    let TriageStep::EditReply(draft) = &after.step else {
        panic!("still editing the reply");
    };
    assert_eq!(draft.editor.text(), "Friday works.\n");
    assert_eq!(draft.subject.value(), "Re: Friday");
}
