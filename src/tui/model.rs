//! Everything the dashboard shows, as plain data. `update` changes it, the
//! view reads it; neither the store nor the terminal is in here.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::dashboard::{DaySheet, FollowUpRow, RequestRow, SessionRow};
use crate::domain::when::local_date;
use crate::model::{Client, ClientId};
use crate::review::Review;
use crate::review::view::ReviewViewState;
use crate::tui::flows::{CaptureForm, TriageFlow};
use crate::tui::keymap::{Keymap, Scope};

/// The three dashboard panes, in Tab order.
/// The selected row of each pane, indexed by the pane itself (no index can
/// be out of range).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursors {
    sessions: usize,
    requests: usize,
    followups: usize,
}

impl std::ops::Index<Pane> for Cursors {
    type Output = usize;
    fn index(&self, pane: Pane) -> &usize {
        match pane {
            Pane::Sessions => &self.sessions,
            Pane::Requests => &self.requests,
            Pane::FollowUps => &self.followups,
        }
    }
}

impl std::ops::IndexMut<Pane> for Cursors {
    fn index_mut(&mut self, pane: Pane) -> &mut usize {
        match pane {
            Pane::Sessions => &mut self.sessions,
            Pane::Requests => &mut self.requests,
            Pane::FollowUps => &mut self.followups,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Sessions,
    Requests,
    FollowUps,
}

impl Pane {
    pub const ALL: [Pane; 3] = [Pane::Sessions, Pane::Requests, Pane::FollowUps];

    pub fn index(self) -> usize {
        match self {
            Pane::Sessions => 0,
            Pane::Requests => 1,
            Pane::FollowUps => 2,
        }
    }

    pub fn next(self) -> Pane {
        match self {
            Pane::Sessions => Pane::Requests,
            Pane::Requests => Pane::FollowUps,
            Pane::FollowUps => Pane::Sessions,
        }
    }

    pub fn prev(self) -> Pane {
        self.next().next()
    }

    pub fn scope(self) -> Scope {
        match self {
            Pane::Sessions => Scope::Sessions,
            Pane::Requests => Scope::Requests,
            Pane::FollowUps => Scope::FollowUps,
        }
    }
}

/// Data that an effect is still fetching.
#[derive(Debug, Clone, PartialEq)]
pub enum Loadable<T> {
    Loading,
    Ready(T),
}

impl<T> Loadable<T> {
    pub fn ready(&self) -> Option<&T> {
        match self {
            Loadable::Ready(value) => Some(value),
            Loadable::Loading => None,
        }
    }
}

/// A client as the detail and client views show them.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientCard {
    pub client: Client,
    /// Latest requests, replies and sessions, newest first.
    pub history: Vec<(DateTime<Utc>, String)>,
    /// The whole story (agreement, sessions with notes, follow-ups by
    /// owner, timeline, reschedules, at-risk reasons).
    pub story: Option<Box<crate::care::story::Story>>,
}

/// The item a detail view is about: a copy of its dashboard row.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Session(SessionRow),
    Request(RequestRow),
    FollowUp(FollowUpRow),
}

impl Item {
    pub fn client_id(&self) -> Option<ClientId> {
        match self {
            Item::Session(row) => Some(row.session.client_id),
            Item::Request(row) => row.request.client_id,
            Item::FollowUp(row) => Some(row.followup.client_id),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub item: Item,
    /// `None` for a request from an unknown sender.
    pub client: Option<Loadable<ClientCard>>,
    /// Whether the item has left the dashboard since it was opened.
    pub gone: bool,
    pub scroll: u16,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClientView {
    pub client_id: ClientId,
    pub card: Loadable<ClientCard>,
    pub scroll: u16,
}

/// The end-of-day review of one day.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewView {
    pub date: NaiveDate,
    pub review: Loadable<Review>,
    pub state: ReviewViewState,
}

/// The main area. New full-screen flows (review, emergency reschedule) are
/// more variants, each holding its own state machine.
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    Dashboard,
    Detail(Box<Detail>),
    Client(Box<ClientView>),
    Review(Box<ReviewView>),
    // Emergency reschedule and hand-off (issue 4).
    Emergency(Box<crate::tui::flows::emergency::Emergency>),
    Handoff(Box<crate::tui::flows::handoff::Handoff>),
    /// The clients at risk, with their reasons.
    AtRisk(Box<AtRiskView>),
    /// Every open follow-up, not only those due.
    FollowUps(Box<crate::tui::flows::followup::FollowUpListView>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct AtRiskView {
    pub clients: Loadable<Vec<crate::review::AtRisk>>,
    pub chosen: usize,
}

/// A change this TUI session made, for `u`.
#[derive(Debug, Clone, PartialEq)]
pub struct UndoEntry {
    pub change_id: i64,
    /// Whether a message already went out (undo cannot unsend it).
    pub delivered: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FindClient {
    /// The typed part of a name: a one-line field (undo, word motions,
    /// a paste that never opens).
    pub query: crate::tui::editor::TextEditor,
    pub names: Loadable<Vec<(ClientId, String)>>,
    /// Best match first.
    pub matches: Vec<(ClientId, String)>,
    pub chosen: usize,
}

/// Drawn over the screen; takes the keys while open.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    None,
    Help {
        scroll: u16,
    },
    FindClient(Box<FindClient>),
    /// A triage step on one request (reply, acknowledge, snooze…).
    Triage(Box<TriageFlow>),
    /// The quick-capture form.
    Capture(Box<CaptureForm>),
    /// Notes and recap, a check-in message, a parting (flows/care.rs).
    Care(Box<crate::tui::flows::care::CareFlow>),
    /// A one-key question before acting.
    Confirm(Box<Confirm>),
    /// Book, move or cancel a session (flows/session.rs).
    Session(Box<crate::tui::flows::session::SessionFlow>),
    /// Move, snooze or add a follow-up (flows/followup.rs).
    FollowUp(Box<crate::tui::flows::followup::FollowUpFlow>),
}

/// A question before something that cannot be taken back: `y` runs `yes`,
/// `s` runs `alternative` (when offered), `n` or Esc leaves everything as it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub question: String,
    pub yes: (String, Vec<crate::tui::action::Effect>),
    pub alternative: Option<(String, Vec<crate::tui::action::Effect>)>,
    /// Said when the coach says no.
    pub declined: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The injected clock's time, as of the last tick.
    pub now: DateTime<Utc>,
    /// The coach's time zone.
    pub tz: Tz,
    /// The day the sessions pane shows.
    pub day: NaiveDate,
    /// `None` until the first load finishes.
    pub sheet: Option<DaySheet>,
    pub focus: Pane,
    /// The selected row of each pane.
    pub cursor: Cursors,
    pub screen: Screen,
    pub overlay: Overlay,
    pub notice: Option<Notice>,
    /// Why the day on screen could not be loaded, until a load succeeds.
    pub day_error: Option<String>,
    /// Terminal size (columns, rows); mouse hits and scroll limits use it.
    pub size: (u16, u16),
    pub keymap: Arc<Keymap>,
    pub quit: bool,
    /// Changes this session made, newest last (issue 4).
    pub undo_stack: Vec<UndoEntry>,
    /// Replies recorded but not delivered: (reply id, to whom).
    pub undelivered: Vec<(i64, String)>,
    /// The screens the coach came through to the one shown, newest last:
    /// Back (and the end of a flow) returns to the last, else the dashboard.
    pub came_from: Vec<Screen>,
}

/// How deep the way back goes (review → request → client → flow …).
const CAME_FROM_DEPTH: usize = 8;

impl Model {
    pub fn new(now: DateTime<Utc>, tz: Tz, size: (u16, u16), keymap: Arc<Keymap>) -> Model {
        Model {
            now,
            tz,
            day: local_date(now, tz),
            sheet: None,
            focus: Pane::Sessions,
            cursor: Cursors::default(),
            screen: Screen::Dashboard,
            overlay: Overlay::None,
            notice: None,
            day_error: None,
            size,
            keymap,
            quit: false,
            undo_stack: Vec::new(),
            undelivered: Vec::new(),
            came_from: Vec::new(),
        }
    }

    /// Show `screen`, remembering the one it was opened from (unless that
    /// is the dashboard, where every way back ends anyway).
    pub fn go_to(&mut self, screen: Screen) {
        let from = std::mem::replace(&mut self.screen, screen);
        if !matches!(from, Screen::Dashboard) {
            if self.came_from.len() >= CAME_FROM_DEPTH {
                self.came_from.remove(0);
            }
            self.came_from.push(from);
        }
    }

    /// Back to where the coach came from, or the dashboard. The screen
    /// returned to is loaded afresh (something may have changed on the
    /// way): the effects say what to load.
    pub fn go_back(&mut self) -> Vec<crate::tui::action::Effect> {
        use crate::tui::action::Effect;
        self.screen = self.came_from.pop().unwrap_or(Screen::Dashboard);
        match &mut self.screen {
            Screen::Review(view) => vec![Effect::LoadReview {
                date: view.date,
                now: self.now,
            }],
            Screen::Client(view) => vec![Effect::LoadClient {
                client_id: view.client_id,
                history: crate::tui::update::CLIENT_HISTORY,
            }],
            Screen::Detail(detail) => detail
                .item
                .client_id()
                .map(|client_id| Effect::LoadClient {
                    client_id,
                    history: crate::tui::update::DETAIL_HISTORY,
                })
                .into_iter()
                .collect(),
            _ => Vec::new(),
        }
    }

    pub fn today(&self) -> NaiveDate {
        local_date(self.now, self.tz)
    }

    /// Where keys are looked up, most specific first.
    pub fn scopes(&self) -> Vec<Scope> {
        match (&self.overlay, &self.screen) {
            (Overlay::FindClient(_), _) => vec![Scope::Prompt],
            (Overlay::Triage(flow), _) => vec![flow.scope()],
            (Overlay::Capture(_), _) => vec![Scope::Capture],
            (Overlay::Care(flow), _) => flow.scopes(),
            (Overlay::Confirm(_), _) => vec![Scope::Confirm],
            (Overlay::Session(flow), _) => flow.scopes(),
            (Overlay::FollowUp(flow), _) => flow.scopes(),
            (Overlay::Help { .. }, _) => vec![Scope::HelpOverlay, Scope::Anywhere],
            (Overlay::None, Screen::Dashboard) => {
                vec![self.focus.scope(), Scope::Dashboard, Scope::Anywhere]
            }
            (Overlay::None, Screen::Detail(detail)) if matches!(detail.item, Item::Request(_)) => {
                vec![Scope::RequestDetail, Scope::Detail, Scope::Anywhere]
            }
            (Overlay::None, Screen::Client(_)) => {
                vec![Scope::ClientView, Scope::Detail, Scope::Anywhere]
            }
            (Overlay::None, Screen::Detail(_)) => vec![Scope::Detail, Scope::Anywhere],
            (Overlay::None, Screen::AtRisk(_)) => vec![Scope::AtRiskScreen, Scope::Anywhere],
            (Overlay::None, Screen::FollowUps(_)) => vec![Scope::FollowUpList, Scope::Anywhere],
            (Overlay::None, Screen::Review(_)) => vec![Scope::ReviewScreen, Scope::Anywhere],
            (Overlay::None, Screen::Emergency(emergency)) => {
                crate::tui::flows::emergency::scopes(emergency)
            }
            (Overlay::None, Screen::Handoff(handoff)) => {
                crate::tui::flows::handoff::scopes(handoff)
            }
        }
    }

    /// How many rows a pane has.
    pub fn rows(&self, pane: Pane) -> usize {
        let Some(sheet) = &self.sheet else { return 0 };
        match pane {
            Pane::Sessions => sheet.sessions.len(),
            Pane::Requests => sheet.requests.len(),
            Pane::FollowUps => sheet.followups.len(),
        }
    }

    /// The selected row of `pane` as an item, if it has rows.
    pub fn selected_item(&self, pane: Pane) -> Option<Item> {
        let sheet = self.sheet.as_ref()?;
        let at = self.cursor[pane];
        match pane {
            Pane::Sessions => sheet.sessions.get(at).cloned().map(Item::Session),
            Pane::Requests => sheet.requests.get(at).cloned().map(Item::Request),
            Pane::FollowUps => sheet.followups.get(at).cloned().map(Item::FollowUp),
        }
    }

    /// Where the now-line goes among the sessions: before the first session
    /// that has not started yet. Only on today's sheet.
    pub fn now_line_at(&self) -> Option<usize> {
        let sheet = self.sheet.as_ref()?;
        if sheet.date != self.today() {
            return None;
        }
        Some(
            sheet
                .sessions
                .iter()
                .position(|row| row.session.start > self.now)
                .unwrap_or(sheet.sessions.len()),
        )
    }
}
