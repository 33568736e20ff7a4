//! A small book with a fixed "now" for the dashboard's tests: sessions around
//! the now-line, an overdue and a nearly-due request, overdue follow-ups.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use coachbook::clock::Clock;
use coachbook::config::Config;
use coachbook::model::{AgreementStatus, Channel, FollowUpKind, Owner, Urgency};
use coachbook::store::{NewClient, NewFollowUp, NewRequest, NewSession, Store};
use coachbook::tui::app::App;
use coachbook::tui::input;
use coachbook::tui::keymap::Keymap;
use coachbook::tui::theme::Theme;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

/// Monday 23 November 2026, 14:20 in Berlin.
pub const NOW: &str = "2026-11-23T14:20:00+01:00";

pub const CONFIG: &str = "[coach]\nname = \"Sam Rivera\"\ntime_zone = \"Europe/Berlin\"\n";

pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .map(|d| d.with_timezone(&Utc))
        .expect("instant")
}

pub fn now() -> DateTime<Utc> {
    at(NOW)
}

pub struct Book {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub config_path: PathBuf,
    pub config: Config,
}

impl Book {
    /// An empty book and its config file.
    pub fn empty() -> Book {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("book.sqlite");
        let config_path = dir.path().join("config.toml");
        std::fs::write(&config_path, CONFIG).expect("config");
        let config = Config::parse(CONFIG, &config_path).expect("config parses");
        drop(Store::open(&db).expect("book opens"));
        Book {
            dir,
            db,
            config_path,
            config,
        }
    }

    /// The fixture book.
    pub fn new() -> Book {
        let book = Book::empty();
        let mut store = book.open();
        fill(&mut store, &book.config);
        book
    }

    pub fn open(&self) -> Store {
        Store::open(&self.db).expect("book opens")
    }

    /// The dashboard on this book at `NOW`, `columns` x `rows`.
    pub fn app(&self, columns: u16, rows: u16) -> App {
        self.app_with(columns, rows, Keymap::defaults())
    }

    /// As the loop has it before the first key: the first frame's window
    /// loaded, then what is due made and the whole day loaded.
    pub fn app_with(&self, columns: u16, rows: u16, keymap: Keymap) -> App {
        let mut app = self.first_frame_app(columns, rows, keymap);
        app.after_first_frame();
        app
    }

    /// The dashboard as its first frame is drawn: only the first window of
    /// the day loaded, nothing made yet.
    pub fn first_frame_app(&self, columns: u16, rows: u16, keymap: Keymap) -> App {
        App::new(
            self.open(),
            self.config.clone(),
            Clock::Fixed(now()),
            Arc::new(keymap),
            Theme::colored(),
            (columns, rows),
        )
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

fn fill(store: &mut Store, config: &Config) {
    let clock = config.reply_clock();
    store
        .change("fixture", "the dashboard's test book", now(), |tx| {
            let client = |name: &str, tz: chrono_tz::Tz, email: &str, context: Option<(&str, &str)>| {
                tx.add_client(
                    &NewClient {
                        name: name.into(),
                        emails: vec![email.into()],
                        tz: Some(tz),
                        context: context.map(|(c, _)| c.to_string()),
                        context_until: context.and_then(|(_, until)| until.parse().ok()),
                        ..NewClient::default()
                    },
                    config.tz,
                )
            };
            let amara = client(
                "Amara Okafor",
                chrono_tz::Europe::London,
                "amara@example.org",
                Some(("Pitch to investors on Friday", "2026-11-27")),
            )?;
            let chen = client("Chen Wei", chrono_tz::Asia::Shanghai, "chen@example.org", None)?;
            let sofia = client(
                "Sofia Lindqvist",
                chrono_tz::Europe::Stockholm,
                "sofia@example.se",
                Some(("Father in hospital; may cancel at short notice", "2026-12-06")),
            )?;
            let mateo = client("Mateo García", chrono_tz::Europe::Madrid, "mateo@example.es", None)?;

            let session = |client_id, start: &str, minutes| {
                tx.add_sessions(
                    &NewSession {
                        client_id,
                        start: at(start),
                        minutes,
                        place: Some("Video call".into()),
                        request_id: None,
                    },
                    None,
                )
            };
            session(amara, "2026-11-16T09:00:00+01:00", 50)?;
            session(amara, "2026-11-23T09:00:00+01:00", 50)?;
            session(chen, "2026-11-23T11:00:00+01:00", 60)?;
            session(sofia, "2026-11-23T15:00:00+01:00", 50)?;
            session(mateo, "2026-11-23T17:00:00+01:00", 50)?;
            session(chen, "2026-11-24T10:00:00+01:00", 60)?;
            tx.set_agreement(sofia, AgreementStatus::Sent, at("2026-11-20T10:00:00+01:00"))?;

            let request = |client_id, at_text: &str, channel, urgency, subject: Option<&str>, body: &str| {
                tx.add_request(
                    &NewRequest {
                        client_id,
                        unknown_sender: client_id.is_none().then(|| "j.doe@example.com".to_string()),
                        received_at: at(at_text),
                        channel,
                        urgency,
                        subject: subject.map(str::to_string),
                        body: body.into(),
                        message_id: None,
                    },
                    &clock,
                )
            };
            request(
                Some(sofia),
                "2026-11-23T13:50:00+01:00",
                Channel::Phone,
                Urgency::Crisis,
                None,
                "Panic attack at work this morning; can we talk today?\nShe sounded shaken.",
            )?;
            request(
                Some(amara),
                "2026-11-20T10:00:00+01:00",
                Channel::Email,
                Urgency::Urgent,
                Some("Can we move Friday's session?"),
                "Hi Sam,\n\nThe investors moved the pitch. Could we meet on Thursday instead of Friday?\n\nAmara",
            )?;
            request(
                Some(mateo),
                "2026-11-20T15:00:00+01:00",
                Channel::Text,
                Urgency::Normal,
                None,
                "Could you send me the reading you mentioned?",
            )?;
            request(
                Some(chen),
                "2026-11-23T09:00:00+01:00",
                Channel::Email,
                Urgency::Normal,
                Some("Homework question"),
                "Should I journal every day or only after sessions?",
            )?;
            request(
                None,
                "2026-11-23T08:00:00+01:00",
                Channel::Email,
                Urgency::Low,
                Some("Do you have space for a new client?"),
                "A friend recommended you.",
            )?;

            let followup = |client_id, due: &str, text: &str, owner, kind| {
                tx.add_followup(&NewFollowUp {
                    client_id,
                    request_id: None,
                    due: at(due),
                    text: text.into(),
                    owner,
                    kind,
                    made_by_reply: None,
                    callback: false,
                })
            };
            followup(amara, "2026-11-21T12:00:00+01:00", "Send the three-month plan", Owner::Coach, FollowUpKind::Promise)?;
            followup(mateo, "2026-11-23T10:00:00+01:00", "Check in after the move", Owner::Coach, FollowUpKind::CheckIn)?;
            followup(chen, "2026-11-23T17:00:00+01:00", "Try the morning routine", Owner::Client, FollowUpKind::Action)?;
            Ok(())
        })
        .expect("fixture written");
}

/// A key press as the terminal would report it: "j", "G", "enter", "tab".
pub fn key(text: &str) -> Event {
    let code = match text {
        "enter" => KeyCode::Enter,
        "esc" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "backspace" => KeyCode::Backspace,
        "down" => KeyCode::Down,
        "up" => KeyCode::Up,
        "end" => KeyCode::End,
        "home" => KeyCode::Home,
        other => KeyCode::Char(other.chars().next().expect("a key")),
    };
    let modifiers = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        KeyCode::BackTab => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    Event::Key(KeyEvent::new(code, modifiers))
}

/// Feed keys through the keymap into the app, as the loop does.
pub fn press(app: &mut App, keys: &[&str]) {
    for text in keys {
        if let Some(action) = input::action_for(app.model(), &key(text)) {
            app.dispatch(action);
        }
    }
}

/// Type text into a prompt: each character is a key press.
pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        let keys = [c.to_string()];
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        press(app, &keys);
    }
}
