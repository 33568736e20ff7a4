//! Answering a mail from the dashboard: the subject starts as "Re: <their
//! subject>" (one "Re:", decoded from RFC 2047), can be edited, and the sent
//! message carries In-Reply-To and References so it threads in the client's
//! mail program. The send command saves what it is given; the message is
//! read back with mailparse and, for the threading headers, Python's `email`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::Arc;

use coachbook::clock::Clock;
use coachbook::config::Config;
use coachbook::store::Store;
use coachbook::tui::app::App;
use coachbook::tui::input;
use coachbook::tui::keymap::Keymap;
use coachbook::tui::theme::Theme;
use common::Book;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

const MAIL: &str = "From: Lena Vogel <lena@example.de>\r\n\
To: Sam Rivera <sam@example.org>\r\n\
Subject: =?UTF-8?Q?Re:_AW:_Termin_=C3=A4ndern?=\r\n\
Date: Mon, 23 Nov 2026 09:12:00 +0100\r\n\
Message-ID: <m3@client.example>\r\n\
In-Reply-To: <m2@client.example>\r\n\
References: <m1@coach.example>\r\n <m2@client.example>\r\n\
\r\n\
Could we move Thursday to Friday?\r\n";

fn press(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
    let event = Event::Key(KeyEvent::new(code, modifiers));
    if let Some(action) = input::action_for(app.model(), &event) {
        app.dispatch(action);
    }
}

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c), KeyModifiers::NONE);
    }
}

/// The book with Lena's mail imported and a send command saving messages.
fn answered_book() -> (Book, std::path::PathBuf) {
    let book = Book::new();
    book.ok(&["client", "add", "Lena Vogel", "--email", "lena@example.de"]);
    let mail = book.dir.path().join("lena.eml");
    std::fs::write(&mail, MAIL).unwrap();
    book.ok(&["import", "mail", mail.to_str().unwrap()]);
    let sent = book.dir.path().join("sent");
    std::fs::create_dir_all(&sent).unwrap();
    let mut config = std::fs::read_to_string(&book.config).unwrap();
    config.push_str(&format!(
        "[delivery]\nsend_command = \"cat > {}/reply.eml\"\n",
        sent.display()
    ));
    std::fs::write(&book.config, config).unwrap();
    (book, sent)
}

fn app(book: &Book) -> App {
    let text = std::fs::read_to_string(&book.config).unwrap();
    let config = Config::parse(&text, &book.config).unwrap();
    let now = chrono::DateTime::parse_from_rfc3339(common::NOW)
        .unwrap()
        .with_timezone(&chrono::Utc);
    // As the loop has it before the first key.
    let mut app = App::new(
        Store::open(&book.db).unwrap(),
        config,
        Clock::Fixed(now),
        Arc::new(Keymap::defaults()),
        Theme::colored(),
        (120, 40),
    );
    app.after_first_frame();
    app
}

/// Open the reply editor on the only request, blank reply.
fn open_reply(app: &mut App) {
    keys(app, "2r");
    press(app, KeyCode::Enter, KeyModifiers::NONE);
}

fn draft_subject(app: &App) -> String {
    match &app.model().overlay {
        coachbook::tui::model::Overlay::Triage(flow) => match &flow.step {
            coachbook::tui::flows::TriageStep::EditReply(draft) => draft.subject.value(),
            other => panic!("not editing a reply: {other:?}"),
        },
        other => panic!("no triage open: {other:?}"),
    }
}

#[test]
fn a_reply_to_a_mail_threads_under_its_subject_and_references() {
    let (book, sent) = answered_book();
    let mut app = app(&book);
    open_reply(&mut app);
    assert_eq!(draft_subject(&app), "Re: Termin ändern");
    keys(&mut app, "Friday at 10 works.");
    // Tab to the subject, add to it, Tab back to the text.
    press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    press(&mut app, KeyCode::End, KeyModifiers::NONE);
    keys(&mut app, " (Friday)");
    press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    keys(&mut app, " See you then.");
    press(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);

    let raw = std::fs::read(sent.join("reply.eml")).expect("the reply was sent");
    let message = mailparse::parse_mail(&raw).unwrap();
    let header = |name: &str| {
        message
            .headers
            .iter()
            .find(|h| h.get_key_ref() == name)
            .map(|h| h.get_value())
    };
    assert_eq!(
        header("Subject").as_deref(),
        Some("Re: Termin ändern (Friday)")
    );
    assert_eq!(
        header("In-Reply-To").as_deref(),
        Some("<m3@client.example>")
    );
    let references = header("References").unwrap();
    assert_eq!(
        references.split_whitespace().collect::<Vec<_>>(),
        [
            "<m1@coach.example>",
            "<m2@client.example>",
            "<m3@client.example>"
        ]
    );
    let body = message.get_body().unwrap();
    assert!(body.contains("Friday at 10 works. See you then."), "{body}");

    // The same headers as Python's `email` reads them.
    let python = std::process::Command::new("python3")
        .arg("-c")
        .arg(
            "import sys, email, email.policy\n\
             m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)\n\
             print(m['Subject']); print(m['In-Reply-To']); print(' '.join(str(m['References']).split()))",
        )
        .arg(sent.join("reply.eml"))
        .output();
    match python {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8(out.stdout).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(
                lines,
                [
                    "Re: Termin ändern (Friday)",
                    "<m3@client.example>",
                    "<m1@coach.example> <m2@client.example> <m3@client.example>"
                ]
            );
        }
        Ok(out) => panic!("python3 failed: {}", String::from_utf8_lossy(&out.stderr)),
        Err(err) => panic!("python3 is needed for this test ({err}); .ci/run installs it"),
    }
}

#[test]
fn the_subject_passes_the_same_guardrails_as_the_text() {
    let (book, sent) = answered_book();
    let mut app = app(&book);
    open_reply(&mut app);
    keys(&mut app, "Friday works.");
    let warnings = |app: &App| match &app.model().overlay {
        coachbook::tui::model::Overlay::Triage(flow) => match &flow.step {
            coachbook::tui::flows::TriageStep::EditReply(draft) => draft.warnings.clone(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    assert!(warnings(&app).is_empty(), "{:?}", warnings(&app));
    press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    press(&mut app, KeyCode::Char('a'), KeyModifiers::CONTROL);
    keys(&mut app, "Please calm down: ");
    assert!(!warnings(&app).is_empty(), "a scolding subject is flagged");
    // One Ctrl-S past a warning does not send.
    press(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(!sent.join("reply.eml").exists());
}

#[test]
fn a_request_that_did_not_come_by_mail_is_answered_under_the_default_subject() {
    let book = Book::new();
    book.ok(&["client", "add", "Lena Vogel", "--email", "lena@example.de"]);
    book.ok(&[
        "request",
        "add",
        "Lena Vogel",
        "Call me back",
        "--channel",
        "phone",
    ]);
    let mut app = app(&book);
    open_reply(&mut app);
    assert_eq!(draft_subject(&app), "A note from your coach");
}
