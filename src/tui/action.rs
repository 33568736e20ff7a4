//! What flows through the dashboard: commands the coach can bind to keys,
//! actions that `update` consumes, and effects it asks the loop to run.
//!
//! To add a flow (emergency reschedule, triage, review): add its commands
//! here (with a name, so `[keys]` can rebind them), its state as a `Screen`
//! or `Overlay` variant in `model.rs`, its keys in `keymap.rs`, and any store
//! work as an `Effect` whose result comes back as an `Action`.

use chrono::{DateTime, NaiveDate, Utc};

use crate::dashboard::{DaySheet, RequestRow};
use crate::model::ClientId;
use crate::review::Review;
use crate::tui::editor::EditKey;
use crate::tui::flows::work::{FlowEvent, FlowWork};
use crate::tui::flows::{TriageEffect, TriageResult};
use crate::tui::model::ClientCard;

/// Declares the bindable commands with their config names and short hints.
macro_rules! commands {
    ($($variant:ident => $name:literal, $hint:literal;)+) => {
        /// What the coach can ask for with a key; the bindable half of [`Action`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Command { $($variant),+ }

        impl Command {
            pub const ALL: &'static [Command] = &[$(Command::$variant),+];

            /// The name used in the config file's `[keys]` section.
            pub fn name(self) -> &'static str {
                match self { $(Command::$variant => $name),+ }
            }

            /// A word or two for the status-bar hints.
            pub fn hint(self) -> &'static str {
                match self { $(Command::$variant => $hint),+ }
            }

            pub fn from_name(name: &str) -> Option<Command> {
                let wanted = name.trim().to_ascii_lowercase().replace('_', "-");
                Command::ALL.iter().copied().find(|c| c.name() == wanted)
            }
        }
    };
}

commands! {
    Quit => "quit", "quit";
    Help => "help", "help";
    NextPane => "next-pane", "next pane";
    PrevPane => "prev-pane", "prev pane";
    FocusSessions => "focus-sessions", "sessions";
    FocusRequests => "focus-requests", "requests";
    FocusFollowUps => "focus-followups", "follow-ups";
    Down => "down", "down";
    Up => "up", "up";
    Top => "top", "top";
    Bottom => "bottom", "bottom";
    PageDown => "page-down", "page down";
    PageUp => "page-up", "page up";
    Open => "open", "open";
    Back => "back", "back";
    PrevDay => "prev-day", "prev day";
    NextDay => "next-day", "next day";
    Today => "today", "today";
    FindClient => "find-client", "find client";
    Refresh => "refresh", "reload";
    PromptSubmit => "prompt-submit", "choose";
    PromptCancel => "prompt-cancel", "cancel";
    PromptNext => "prompt-next", "next match";
    PromptPrev => "prompt-prev", "prev match";
    PromptErase => "prompt-erase", "erase";
    Review => "review", "review";
    // How a session went (sessions pane).
    MarkHeld => "mark-held", "held";
    MarkNoShow => "mark-no-show", "no-show";
    MarkCancelled => "mark-cancelled", "cancelled";
    // Emergency reschedule, hand-off, undo and delivery (issue 4).
    Emergency => "emergency", "free session";
    Crisis => "crisis", "crisis";
    Undo => "undo", "undo";
    Handoff => "handoff", "hand off";
    RetryDelivery => "retry-delivery", "retry delivery";
    MarkSent => "mark-sent", "mark reply sent";
    ConfirmAlternative => "confirm-alternative", "other choice";
    FlowNext => "flow-next", "next";
    DropSlot => "drop-slot", "drop slot";
    MoreSlots => "more-slots", "more slots";
    FewerSlots => "fewer-slots", "fewer slots";
    HoldSlot => "hold-slot", "hold 1st slot";
    EditInline => "edit", "edit";
    StopEditing => "stop-editing", "done editing";
    // Triage of a request and quick capture (flows/triage.rs, flows/capture.rs).
    Reply => "reply", "reply";
    Acknowledge => "acknowledge", "acknowledge";
    SetUrgency => "set-urgency", "urgency";
    Snooze => "snooze", "snooze";
    WaitOnClient => "wait-on-client", "waiting";
    RaiseToCrisis => "raise-to-crisis", "crisis";
    MakeFollowUp => "make-followup", "follow-up";
    CloseRequest => "close-request", "close";
    QuickCapture => "quick-capture", "new request";
    FlowConfirm => "flow-confirm", "confirm";
    FlowCancel => "flow-cancel", "cancel";
    FlowPrev => "flow-prev", "previous";
    FlowErase => "flow-erase", "erase";
    FieldNext => "field-next", "next field";
    FieldPrev => "field-prev", "prev field";
    EditExternally => "edit-externally", "$EDITOR";
    // Care between sessions (flows/care.rs).
    AtRiskList => "at-risk", "at risk";
    OpenClient => "open-client", "client";
    AgreementSent => "agreement-sent", "agreement sent";
    AgreementSigned => "agreement-signed", "signed";
    AgreementCountersigned => "agreement-countersigned", "countersigned";
    CheckInMessage => "check-in-message", "check in";
    EndClient => "end-client", "part ways";
    ReactivateClient => "reactivate-client", "reactivate";
    EditClient => "edit-client", "edit details";
    EditContext => "edit-context", "edit context";
    FollowUpDone => "followup-done", "done";
    SaveWithoutRecap => "save-without-recap", "save, no recap";
    // Sessions and follow-ups from the dashboard (flows/session.rs, flows/followup.rs).
    BookSession => "book-session", "book";
    MoveSession => "move-session", "move";
    FollowUpMoveDue => "followup-move", "move due";
    FollowUpSnooze => "followup-snooze", "snooze";
    FollowUpAdd => "followup-add", "add follow-up";
    AllFollowUps => "followups-all", "all follow-ups";
}

impl Command {
    /// Whether the status bar mentions it (moving around is left to the help).
    pub fn hinted(self) -> bool {
        !matches!(
            self,
            Command::Down
                | Command::Up
                | Command::Top
                | Command::Bottom
                | Command::PageDown
                | Command::PageUp
                | Command::FocusSessions
                | Command::FocusRequests
                | Command::FocusFollowUps
                | Command::PrevPane
                | Command::Refresh
                | Command::PromptErase
                | Command::PromptPrev
                // Announced where they matter: the notice after a change,
                // the status bar's line of replies not delivered.
                | Command::Undo
                | Command::MarkHeld
                | Command::MarkNoShow
                | Command::MarkCancelled
                | Command::RetryDelivery
                | Command::MarkSent
                | Command::FlowPrev
                | Command::FlowErase
                | Command::FieldPrev
                | Command::FollowUpDone
                // In the help and the list's own hints; the client view's
                // bar keeps its way back.
                | Command::FollowUpAdd
        )
    }

    /// Commands that edit the find-client prompt; only these may take a
    /// printable key there, so the coach can still type every letter.
    pub fn is_prompt_command(self) -> bool {
        matches!(
            self,
            Command::PromptSubmit
                | Command::PromptCancel
                | Command::PromptNext
                | Command::PromptPrev
                | Command::PromptErase
                | Command::FlowConfirm
                | Command::FlowCancel
                | Command::FlowNext
                | Command::FlowPrev
                | Command::FlowErase
                | Command::FieldNext
                | Command::FieldPrev
                | Command::EditExternally
                | Command::SaveWithoutRecap
        )
    }
}

/// Everything `update` reacts to: the coach's commands, the clock, the book
/// and the terminal, and the results of effects.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Command(Command),
    /// A printable character typed into a prompt.
    Type(char),
    /// The clock reached a new minute: the now-line and overdue marks move.
    Tick(DateTime<Utc>),
    /// Another process wrote to the book.
    BookChanged,
    Resize(u16, u16),
    /// A left click at a terminal cell (mouse mode only).
    Click {
        column: u16,
        row: u16,
    },
    ScrollDown,
    ScrollUp,
    /// Results of effects.
    DayLoaded(Box<DaySheet>),
    /// The day could not be read from the book (a damaged or hand-edited
    /// row): the panes say so instead of "loading…".
    DayFailed {
        date: NaiveDate,
        reason: String,
    },
    ClientLoaded(Box<ClientCard>),
    ClientNamesLoaded(Vec<(ClientId, String)>),
    /// A session's outcome was recorded (the change, what it said), or why not.
    SessionMarked(Result<(i64, String), String>),
    /// The end-of-day review for the day it was asked for.
    ReviewLoaded(Box<Review>),
    /// One request, opened from the review.
    RequestLoaded(Box<RequestRow>),
    /// An effect failed; shown as a notice, never a crash.
    Failed(String),
    /// The calendar sync ran: a line to show when it changed something, or
    /// why it failed.
    CalendarSynced(Result<Option<String>, String>),
    // Emergency reschedule, hand-off, undo and delivery (issue 4).
    /// A keystroke for the text editor that has the focus.
    Edit(EditKey),
    /// Text pasted into the terminal (bracketed paste): inserted where the
    /// focus is, never a key press, so it never submits anything.
    Paste(String),
    /// The text back from `$EDITOR`, or why it could not be edited there.
    EditedExternally(Result<String, String>),
    /// The result of a flow's work against the book.
    Flow(Box<FlowEvent>),
    /// Results of triage and quick-capture effects.
    Triage(TriageResult),
    /// The dashboard opened on the book: load the first window of the day.
    Start,
    /// The first frame is on the terminal: make what became due while the
    /// dashboard was closed (the day reloads if anything was made).
    FirstFrameShown,
    /// Load the whole day if only its first window is loaded.
    LoadRest,
    /// Results of the care flows' effects.
    Care(crate::tui::flows::care::CareResult),
    /// Results of the session flows' effects.
    Session(Box<crate::tui::flows::session::SessionResult>),
    /// Results of the follow-up flows' effects.
    FollowUp(Box<crate::tui::flows::followup::FollowUpResult>),
}

/// Work against the book that `update` asks for; the loop runs it and feeds
/// the result back as an [`Action`].
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// The three panes for `date`, as seen at `now`.
    LoadDay { date: NaiveDate, now: DateTime<Utc> },
    /// `LoadDay` with only what the first frame shows (the first rows of
    /// the requests and their marks, every count exact;
    /// `dashboard::load_window`).
    LoadFirstWindow {
        date: NaiveDate,
        now: DateTime<Utc>,
        window: crate::dashboard::Window,
    },
    /// A client's card and their latest `history` entries.
    LoadClient { client_id: ClientId, history: i64 },
    /// Every client's name, for the find-client prompt.
    LoadClientNames,
    /// Record how a session went: held, no-show or cancelled.
    MarkSession {
        session_id: i64,
        outcome: crate::model::SessionStatus,
        /// Cancelled: send the client the cancellation note.
        notify: bool,
        now: DateTime<Utc>,
    },
    /// The review of one day, as seen at `now`.
    LoadReview { date: NaiveDate, now: DateTime<Utc> },
    /// One request as a dashboard row (to open it from the review).
    LoadRequest { request_id: i64, now: DateTime<Utc> },
    /// Triage and quick-capture work against the book.
    Triage(TriageEffect),
    /// Care between sessions: notes, recaps, agreements, check-ins, partings.
    Care(crate::tui::flows::care::CareEffect),
    // Emergency reschedule, hand-off, undo and delivery (issue 4).
    /// A flow's work against the book (see `tui::flows::work`).
    Flow(Box<FlowWork>),
    /// Work on the terminal itself, done by the app loop.
    Terminal(TerminalWork),
    /// Book, move or cancel sessions (see `tui::flows::session`).
    Session(Box<crate::tui::flows::session::SessionWork>),
    /// Follow-ups: move, snooze, add, the list of all open ones.
    FollowUp(crate::tui::flows::followup::FollowUpWork),
}

/// What only the app loop can do, because it owns the terminal.
#[derive(Debug, Clone, PartialEq)]
pub enum TerminalWork {
    /// Leave the alternate screen, edit the text in `$EDITOR`, come back.
    EditExternally(String),
    /// Put the text on the clipboard with OSC 52.
    CopyToClipboard(String),
}
