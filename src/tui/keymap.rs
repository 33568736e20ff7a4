//! The keymap is data: one table of bindings (key, scope, command,
//! description) drives dispatch, the help overlay and the status-bar hints.
//! The config's `[keys]` section (key text → command name) is laid over it.

use std::collections::BTreeMap;
use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::error::BadInput;
use crate::tui::action::Command;

/// Where a binding applies. The current screen asks the keymap with a chain
/// of scopes, most specific first (see `Model::scopes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Every screen and overlay except a text prompt.
    Anywhere,
    /// The dashboard, whichever pane has the focus.
    Dashboard,
    Sessions,
    Requests,
    FollowUps,
    /// The detail and client views.
    Detail,
    HelpOverlay,
    /// A text prompt: printable keys type text unless bound here.
    Prompt,
    /// The end-of-day review screen.
    ReviewScreen,
    // Emergency reschedule and hand-off (issue 4).
    EmergencyPick,
    EmergencySlots,
    EmergencyApology,
    /// The inline apology editor: printable keys type text unless bound here.
    EmergencyEditor,
    HandoffPreview,
    /// A flow's done or failed screen.
    FlowResult,
    // Triage and quick capture.
    /// A request's detail view (on top of `Detail`).
    RequestDetail,
    /// A triage picker (template, time, urgency): printable keys type.
    Picker,
    /// The reply editor: keys without Ctrl or Alt edit the text.
    ReplyEditor,
    /// The quick-capture form: printable keys type.
    Capture,
    /// The client view (on top of `Detail`).
    ClientView,
    /// The at-risk list.
    AtRiskScreen,
    /// The notes, recap, check-in and parting editors: keys without Ctrl
    /// or Alt edit the text.
    CareEditor,
    /// A held session's notes and action items (on top of `CareEditor`).
    CareNotes,
    /// A one-key question before something that cannot be taken back
    /// (cancel, no-show, snooze a crisis, a note after undo): only its keys act.
    Confirm,
}

impl Scope {
    pub const ALL: &'static [Scope] = &[
        Scope::Anywhere,
        Scope::Dashboard,
        Scope::Sessions,
        Scope::Requests,
        Scope::FollowUps,
        Scope::Detail,
        Scope::HelpOverlay,
        Scope::Prompt,
        Scope::ReviewScreen,
        Scope::EmergencyPick,
        Scope::EmergencySlots,
        Scope::EmergencyApology,
        Scope::EmergencyEditor,
        Scope::HandoffPreview,
        Scope::FlowResult,
        Scope::RequestDetail,
        Scope::Picker,
        Scope::ReplyEditor,
        Scope::Capture,
        Scope::ClientView,
        Scope::AtRiskScreen,
        Scope::CareEditor,
        Scope::CareNotes,
        Scope::Confirm,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Scope::Anywhere => "Anywhere",
            Scope::Dashboard => "Dashboard",
            Scope::Sessions => "Sessions pane",
            Scope::Requests => "Requests pane",
            Scope::FollowUps => "Follow-ups pane",
            Scope::Detail => "Detail and client views",
            Scope::HelpOverlay => "This help",
            Scope::Prompt => "Find-client prompt",
            Scope::ReviewScreen => "Review screen",
            Scope::EmergencyPick => "Emergency: session to free",
            Scope::EmergencySlots => "Emergency: times to offer",
            Scope::EmergencyApology => "Emergency: the apology",
            Scope::EmergencyEditor => "Emergency: editing the apology",
            Scope::HandoffPreview => "Hand-off",
            Scope::FlowResult => "Emergency and hand-off results",
            Scope::RequestDetail => "A request's detail view",
            Scope::Picker => "Triage choices (template, time, urgency)",
            Scope::ReplyEditor => "Reply editor",
            Scope::Capture => "Quick capture",
            Scope::ClientView => "Client view",
            Scope::AtRiskScreen => "At-risk list",
            Scope::CareEditor => "Session notes, recap, check-in and parting editors",
            Scope::CareNotes => "A held session's notes and action items",
            Scope::Confirm => "A question before acting",
        }
    }

    /// Scopes where printable keys type text, so `Anywhere` is not live.
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            Scope::Prompt
                | Scope::EmergencyEditor
                | Scope::Picker
                | Scope::ReplyEditor
                | Scope::Capture
                | Scope::CareEditor
                | Scope::CareNotes
                | Scope::Confirm
        )
    }

    /// Whether one key could be live in both scopes at once.
    pub fn overlaps(self, other: Scope) -> bool {
        use Scope::*;
        let panes = |s: Scope| matches!(s, Sessions | Requests | FollowUps);
        self == other
            || (self == Anywhere && !other.takes_text())
            || (other == Anywhere && !self.takes_text())
            || (self == Dashboard && panes(other))
            || (other == Dashboard && panes(self))
            || matches!(
                (self, other),
                (Detail, RequestDetail)
                    | (RequestDetail, Detail)
                    | (Detail, ClientView)
                    | (ClientView, Detail)
                    | (CareEditor, CareNotes)
                    | (CareNotes, CareEditor)
            )
    }
}

/// A key press, normalised: shift is folded into the character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl Key {
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> Key {
        let mut modifiers = modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        let code = match code {
            // Terminals report ctrl-letters in either case.
            KeyCode::Char(c) if modifiers.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            other => other,
        };
        if code == KeyCode::BackTab {
            modifiers.remove(KeyModifiers::SHIFT);
        }
        Key { code, modifiers }
    }

    pub fn plain(code: KeyCode) -> Key {
        Key::new(code, KeyModifiers::NONE)
    }

    pub fn from_event(event: &KeyEvent) -> Key {
        Key::new(event.code, event.modifiers)
    }

    /// A printable character without ctrl or alt: text in a prompt.
    pub fn typed_char(&self) -> Option<char> {
        match self.code {
            KeyCode::Char(c) if self.modifiers.is_empty() => Some(c),
            _ => None,
        }
    }

    /// Read key text as written in the config: `q`, `G`, `?`, `enter`, `esc`,
    /// `tab`, `shift-tab`, `up`, `pagedown`, `f1`, `space`, `ctrl-r`, `alt-x`.
    pub fn parse(text: &str) -> Result<Key, String> {
        let bad = || format!("'{text}' is not a key (try q, G, ?, enter, esc, tab, up, ctrl-r)");
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = text.trim();
        if rest.is_empty() {
            return Err(bad());
        }
        let mut shift = false;
        loop {
            let lower = rest.to_ascii_lowercase();
            let prefix = ["ctrl-", "c-", "alt-", "a-", "m-", "shift-", "s-"]
                .into_iter()
                .find(|p| lower.starts_with(p) && rest.len() > p.len());
            match prefix {
                Some(p) => {
                    match p {
                        "ctrl-" | "c-" => modifiers |= KeyModifiers::CONTROL,
                        "alt-" | "a-" | "m-" => modifiers |= KeyModifiers::ALT,
                        _ => shift = true,
                    }
                    rest = &rest[p.len()..];
                }
                None => break,
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(if shift { c.to_ascii_uppercase() } else { c }),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" | "ret" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" if shift => KeyCode::BackTab,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "space" => KeyCode::Char(' '),
                "backspace" | "bs" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "insert" | "ins" => KeyCode::Insert,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pageup" | "pgup" => KeyCode::PageUp,
                "pagedown" | "pgdn" => KeyCode::PageDown,
                other => match other.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                    Some(n @ 1..=12) => KeyCode::F(n),
                    _ => return Err(bad()),
                },
            },
        };
        Ok(Key::new(code, modifiers))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Insert => f.write_str("Ins"),
            KeyCode::Up => f.write_str("Up"),
            KeyCode::Down => f.write_str("Down"),
            KeyCode::Left => f.write_str("Left"),
            KeyCode::Right => f.write_str("Right"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub key: Key,
    pub scope: Scope,
    pub command: Command,
    pub description: &'static str,
}

/// The default bindings: vim keys and arrows both.
const DEFAULTS: &[(&str, Scope, Command, &str)] = {
    use Command::*;
    use Scope::*;
    &[
        ("?", Anywhere, Help, "show or hide this help"),
        ("q", Anywhere, Quit, "quit coachbook"),
        ("ctrl-c", Anywhere, Quit, "quit coachbook"),
        ("ctrl-c", Prompt, Quit, "quit coachbook"),
        ("j", Anywhere, Down, "move down (or scroll)"),
        ("down", Anywhere, Down, "move down (or scroll)"),
        ("k", Anywhere, Up, "move up (or scroll)"),
        ("up", Anywhere, Up, "move up (or scroll)"),
        ("g", Anywhere, Top, "go to the first row"),
        ("home", Anywhere, Top, "go to the first row"),
        ("G", Anywhere, Bottom, "go to the last row"),
        ("end", Anywhere, Bottom, "go to the last row"),
        ("ctrl-d", Anywhere, PageDown, "move down a page"),
        ("pagedown", Anywhere, PageDown, "move down a page"),
        ("ctrl-u", Anywhere, PageUp, "move up a page"),
        ("pageup", Anywhere, PageUp, "move up a page"),
        ("ctrl-r", Anywhere, Refresh, "reload from the book"),
        ("tab", Dashboard, NextPane, "focus the next pane"),
        ("shift-tab", Dashboard, PrevPane, "focus the previous pane"),
        ("1", Dashboard, FocusSessions, "focus today's sessions"),
        ("2", Dashboard, FocusRequests, "focus the open requests"),
        ("3", Dashboard, FocusFollowUps, "focus the follow-ups"),
        ("enter", Dashboard, Open, "open the selected item"),
        ("/", Dashboard, FindClient, "jump to a client by name"),
        ("[", Sessions, PrevDay, "show the previous day"),
        ("h", Sessions, PrevDay, "show the previous day"),
        ("left", Sessions, PrevDay, "show the previous day"),
        ("]", Sessions, NextDay, "show the next day"),
        ("l", Sessions, NextDay, "show the next day"),
        ("right", Sessions, NextDay, "show the next day"),
        ("t", Sessions, Today, "back to today"),
        ("esc", Detail, Back, "back to the dashboard"),
        ("/", Detail, FindClient, "jump to a client by name"),
        ("esc", HelpOverlay, Back, "close the help"),
        ("enter", Prompt, PromptSubmit, "open the chosen client"),
        ("esc", Prompt, PromptCancel, "close the prompt"),
        ("down", Prompt, PromptNext, "choose the next match"),
        ("ctrl-n", Prompt, PromptNext, "choose the next match"),
        ("tab", Prompt, PromptNext, "choose the next match"),
        ("up", Prompt, PromptPrev, "choose the previous match"),
        ("ctrl-p", Prompt, PromptPrev, "choose the previous match"),
        ("shift-tab", Prompt, PromptPrev, "choose the previous match"),
        ("backspace", Prompt, PromptErase, "erase a character"),
        (
            "R",
            Dashboard,
            Review,
            "the end-of-day review of the day shown",
        ),
        (
            "enter",
            ReviewScreen,
            Open,
            "open the selected breach or unanswered request",
        ),
        ("esc", ReviewScreen, Back, "back to the dashboard"),
        ("[", ReviewScreen, PrevDay, "review the previous day"),
        ("h", ReviewScreen, PrevDay, "review the previous day"),
        ("]", ReviewScreen, NextDay, "review the next day"),
        ("l", ReviewScreen, NextDay, "review the next day"),
        ("t", ReviewScreen, Today, "review today"),
        // Emergency reschedule, hand-off, undo and delivery (issue 4).
        ("e", Sessions, Emergency, "emergency: free this session"),
        (
            "d",
            Sessions,
            MarkHeld,
            "held: notes, action items and a recap",
        ),
        ("N", Sessions, MarkNoShow, "mark the session a no-show"),
        ("C", Sessions, MarkCancelled, "mark the session cancelled"),
        (
            "!",
            Dashboard,
            Crisis,
            "crisis: free a session for the crisis request",
        ),
        (
            "H",
            Requests,
            Command::Handoff,
            "hand this request to a partner",
        ),
        ("u", Dashboard, Undo, "undo the last change made here"),
        ("D", Dashboard, RetryDelivery, "retry replies not delivered"),
        ("y", Confirm, FlowConfirm, "yes"),
        ("s", Confirm, ConfirmAlternative, "the other choice offered"),
        ("n", Confirm, FlowCancel, "no: leave it as it is"),
        ("esc", Confirm, FlowCancel, "no: leave it as it is"),
        (
            "M",
            Dashboard,
            MarkSent,
            "the outbox reply went out (it answers now)",
        ),
        ("enter", EmergencyPick, FlowNext, "free the chosen session"),
        ("esc", EmergencyPick, Back, "cancel"),
        ("enter", EmergencySlots, FlowNext, "offer these times"),
        ("x", EmergencySlots, DropSlot, "drop the chosen time"),
        ("+", EmergencySlots, MoreSlots, "offer one more time"),
        ("-", EmergencySlots, FewerSlots, "offer one time fewer"),
        (
            "h",
            EmergencySlots,
            HoldSlot,
            "hold the first time for the client",
        ),
        ("esc", EmergencySlots, Back, "back"),
        ("y", EmergencyApology, FlowConfirm, "confirm: save and send"),
        (
            "ctrl-s",
            EmergencyApology,
            FlowConfirm,
            "confirm: save and send",
        ),
        ("i", EmergencyApology, EditInline, "edit the apology here"),
        (
            "enter",
            EmergencyApology,
            EditInline,
            "edit the apology here",
        ),
        (
            "ctrl-e",
            EmergencyApology,
            EditExternally,
            "edit the apology in $EDITOR",
        ),
        ("esc", EmergencyApology, Back, "back to the times"),
        ("esc", EmergencyEditor, StopEditing, "stop editing"),
        (
            "ctrl-s",
            EmergencyEditor,
            FlowConfirm,
            "confirm: save and send",
        ),
        (
            "ctrl-e",
            EmergencyEditor,
            EditExternally,
            "edit the apology in $EDITOR",
        ),
        ("ctrl-c", EmergencyEditor, Quit, "quit coachbook"),
        (
            "enter",
            HandoffPreview,
            FlowNext,
            "preview with the chosen partner",
        ),
        (
            "y",
            HandoffPreview,
            FlowConfirm,
            "confirm: record and send both",
        ),
        ("esc", HandoffPreview, Back, "back"),
        ("enter", FlowResult, Back, "back to the dashboard"),
        ("esc", FlowResult, Back, "back to the dashboard"),
        // Triage of a request, in the requests pane and a request's detail.
        ("r", Requests, Reply, "reply from a template or blank"),
        (
            "a",
            Requests,
            Acknowledge,
            "acknowledge with a promised time",
        ),
        (
            "U",
            Requests,
            SetUrgency,
            "set the urgency (reply-by follows)",
        ),
        ("s", Requests, Snooze, "snooze until a time"),
        (
            "w",
            Requests,
            WaitOnClient,
            "wait on the client (pauses the clock)",
        ),
        ("c", Requests, RaiseToCrisis, "raise to crisis"),
        ("f", Requests, MakeFollowUp, "turn into a follow-up"),
        ("x", Requests, CloseRequest, "close the request"),
        ("r", RequestDetail, Reply, "reply from a template or blank"),
        (
            "a",
            RequestDetail,
            Acknowledge,
            "acknowledge with a promised time",
        ),
        (
            "U",
            RequestDetail,
            SetUrgency,
            "set the urgency (reply-by follows)",
        ),
        ("s", RequestDetail, Snooze, "snooze until a time"),
        (
            "w",
            RequestDetail,
            WaitOnClient,
            "wait on the client (pauses the clock)",
        ),
        ("c", RequestDetail, RaiseToCrisis, "raise to crisis"),
        ("f", RequestDetail, MakeFollowUp, "turn into a follow-up"),
        ("x", RequestDetail, CloseRequest, "close the request"),
        (
            "n",
            Dashboard,
            QuickCapture,
            "log a call or message (quick capture)",
        ),
        ("enter", Picker, FlowConfirm, "take the choice"),
        ("esc", Picker, FlowCancel, "cancel"),
        ("down", Picker, FlowNext, "next choice"),
        ("ctrl-n", Picker, FlowNext, "next choice"),
        ("tab", Picker, FlowNext, "next choice"),
        ("up", Picker, FlowPrev, "previous choice"),
        ("ctrl-p", Picker, FlowPrev, "previous choice"),
        ("shift-tab", Picker, FlowPrev, "previous choice"),
        ("backspace", Picker, FlowErase, "erase a character"),
        ("ctrl-c", Picker, Quit, "quit coachbook"),
        (
            "ctrl-s",
            ReplyEditor,
            FlowConfirm,
            "send (twice past a warning)",
        ),
        ("esc", ReplyEditor, FlowCancel, "cancel the reply"),
        ("ctrl-e", ReplyEditor, EditExternally, "edit in $EDITOR"),
        ("ctrl-c", ReplyEditor, Quit, "quit coachbook"),
        ("enter", Capture, FlowConfirm, "save the request"),
        ("esc", Capture, FlowCancel, "cancel"),
        ("tab", Capture, FieldNext, "next field"),
        ("shift-tab", Capture, FieldPrev, "previous field"),
        ("down", Capture, FlowNext, "next match or choice"),
        ("up", Capture, FlowPrev, "previous match or choice"),
        ("backspace", Capture, FlowErase, "erase a character"),
        ("ctrl-c", Capture, Quit, "quit coachbook"),
        // Care between sessions.
        (
            "A",
            Dashboard,
            AtRiskList,
            "the clients at risk, with their reasons",
        ),
        ("o", Dashboard, OpenClient, "open the selected row's client"),
        ("o", Detail, OpenClient, "open this client's whole story"),
        ("x", FollowUps, FollowUpDone, "mark the follow-up done"),
        (
            "m",
            FollowUps,
            CheckInMessage,
            "write the check-in message to this client",
        ),
        ("enter", AtRiskScreen, Open, "open the client's story"),
        ("esc", AtRiskScreen, Back, "back to the dashboard"),
        ("s", ClientView, AgreementSent, "agreement: sent today"),
        (
            "S",
            ClientView,
            AgreementSigned,
            "agreement: signed by the client",
        ),
        (
            "K",
            ClientView,
            AgreementCountersigned,
            "agreement: countersigned",
        ),
        (
            "m",
            ClientView,
            CheckInMessage,
            "write the check-in message",
        ),
        (
            "E",
            ClientView,
            EndClient,
            "part ways: reason, refund, referral, final note",
        ),
        (
            "r",
            ClientView,
            ReactivateClient,
            "work with an ended client again",
        ),
        (
            "ctrl-s",
            CareEditor,
            FlowConfirm,
            "next: the recap / send (twice past a warning)",
        ),
        (
            "ctrl-o",
            CareNotes,
            SaveWithoutRecap,
            "save the notes without a recap",
        ),
        ("ctrl-e", CareEditor, EditExternally, "edit in $EDITOR"),
        ("esc", CareEditor, FlowCancel, "cancel"),
        ("ctrl-c", CareEditor, Quit, "quit coachbook"),
    ]
};

/// The config's word for "this key does nothing".
pub const UNBIND: &str = "none";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Keymap {
    pub fn defaults() -> Keymap {
        let bindings = DEFAULTS
            .iter()
            .map(|(key, scope, command, description)| Binding {
                // The table is checked by a test; a typo there is a bug.
                key: Key::parse(key).unwrap_or(Key::plain(KeyCode::Null)),
                scope: *scope,
                command: *command,
                description,
            })
            .collect();
        Keymap { bindings }
    }

    /// The defaults with the config's `[keys]` laid over them. A key given a
    /// command replaces what that key did where the command applies; the
    /// command's other keys stay. `key = "none"` unbinds a key everywhere.
    /// An unknown command, a bad key or two commands on one key is refused.
    pub fn with_overrides(overrides: &BTreeMap<String, String>) -> Result<Keymap, BadInput> {
        let fail = |what: String| BadInput(format!("config [keys]: {what}"));
        let defaults = Keymap::defaults();
        let mut keymap = defaults.clone();
        let mut given: Vec<(Key, &str, Option<Command>)> = Vec::new();
        for (text, name) in overrides {
            let key = Key::parse(text).map_err(fail)?;
            let command = if name.trim().eq_ignore_ascii_case(UNBIND) {
                None
            } else {
                Some(Command::from_name(name).ok_or_else(|| {
                    let known: Vec<&str> = Command::ALL.iter().map(|c| c.name()).collect();
                    fail(format!(
                        "unknown action '{name}' for key '{text}' (known: {}, {UNBIND})",
                        known.join(", ")
                    ))
                })?)
            };
            if let Some((_, other_text, other)) = given.iter().find(|(k, _, _)| *k == key)
                && *other != command
            {
                return Err(fail(format!(
                    "'{other_text}' and '{text}' are the same key ({key}) but name different actions"
                )));
            }
            given.push((key, text.as_str(), command));
        }
        for (key, _, command) in &given {
            let Some(command) = command else {
                keymap.bindings.retain(|b| b.key != *key);
                continue;
            };
            let homes = defaults.home_scopes(*command);
            let scopes: Vec<Scope> = homes
                .into_iter()
                // A plain letter stays typeable in the prompt.
                .filter(|s| {
                    !s.takes_text() || command.is_prompt_command() || key.typed_char().is_none()
                })
                .collect();
            keymap
                .bindings
                .retain(|b| !(b.key == *key && scopes.iter().any(|s| s.overlaps(b.scope))));
            let description = defaults.description(*command);
            for scope in scopes {
                keymap.bindings.push(Binding {
                    key: *key,
                    scope,
                    command: *command,
                    description,
                });
            }
        }
        if let Some(conflict) = keymap.conflicts().first() {
            return Err(fail(conflict.clone()));
        }
        Ok(keymap)
    }

    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The command a key means in the given chain of scopes (most specific
    /// first), if any.
    pub fn command_for(&self, scopes: &[Scope], key: Key) -> Option<Command> {
        scopes.iter().find_map(|scope| {
            self.bindings
                .iter()
                .find(|b| b.scope == *scope && b.key == key)
                .map(|b| b.command)
        })
    }

    /// The keys that reach `command` in the chain of scopes.
    pub fn keys_for(&self, scopes: &[Scope], command: Command) -> Vec<Key> {
        let mut keys = Vec::new();
        for scope in scopes {
            for b in self.bindings.iter().filter(|b| b.scope == *scope) {
                if b.command == command
                    && !keys.contains(&b.key)
                    && self.command_for(scopes, b.key) == Some(command)
                {
                    keys.push(b.key);
                }
            }
        }
        keys
    }

    /// Status-bar hints for the chain of scopes: (keys, hint), help first,
    /// then the most specific scope's commands, quit last.
    pub fn hints(&self, scopes: &[Scope]) -> Vec<(String, &'static str)> {
        let mut commands: Vec<Command> = Vec::new();
        for scope in scopes {
            for b in self.bindings.iter().filter(|b| b.scope == *scope) {
                if b.command.hinted() && !commands.contains(&b.command) {
                    commands.push(b.command);
                }
            }
        }
        let rank = |c: &Command| match c {
            Command::Help => 0,
            Command::Quit => 2,
            _ => 1,
        };
        commands.sort_by_key(rank);
        commands
            .into_iter()
            .filter_map(|command| {
                let keys = self.keys_for(scopes, command);
                let first = keys.first()?;
                Some((first.to_string(), command.hint()))
            })
            .collect()
    }

    /// The help overlay's sections: per scope, (keys, description) rows.
    pub fn help_sections(&self) -> Vec<(Scope, Vec<(String, &'static str)>)> {
        let mut sections = Vec::new();
        for scope in Scope::ALL {
            let mut rows: Vec<(Command, Vec<String>, &'static str)> = Vec::new();
            for b in self.bindings.iter().filter(|b| b.scope == *scope) {
                match rows.iter_mut().find(|(c, _, _)| *c == b.command) {
                    Some((_, keys, _)) => keys.push(b.key.to_string()),
                    None => rows.push((b.command, vec![b.key.to_string()], b.description)),
                }
            }
            if !rows.is_empty() {
                let rows = rows
                    .into_iter()
                    .map(|(_, keys, description)| (keys.join(", "), description))
                    .collect();
                sections.push((*scope, rows));
            }
        }
        sections
    }

    /// Scopes where `command` has a default binding.
    fn home_scopes(&self, command: Command) -> Vec<Scope> {
        let mut scopes: Vec<Scope> = Vec::new();
        for b in self.bindings.iter().filter(|b| b.command == command) {
            if !scopes.contains(&b.scope) {
                scopes.push(b.scope);
            }
        }
        scopes
    }

    fn description(&self, command: Command) -> &'static str {
        self.bindings
            .iter()
            .find(|b| b.command == command)
            .map_or(command.hint(), |b| b.description)
    }

    /// Keys that mean two different commands in scopes live at once.
    pub fn conflicts(&self) -> Vec<String> {
        let mut found = Vec::new();
        for (i, a) in self.bindings.iter().enumerate() {
            for b in self.bindings.iter().skip(i + 1) {
                if a.key == b.key && a.command != b.command && a.scope.overlaps(b.scope) {
                    found.push(format!(
                        "key '{}' would mean both '{}' ({}) and '{}' ({})",
                        a.key,
                        a.command.name(),
                        a.scope.title().to_lowercase(),
                        b.command.name(),
                        b.scope.title().to_lowercase()
                    ));
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overrides(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const DASHBOARD: &[Scope] = &[Scope::Sessions, Scope::Dashboard, Scope::Anywhere];

    #[test]
    fn the_default_table_parses_and_has_no_conflicts() {
        for (text, ..) in DEFAULTS {
            assert!(Key::parse(text).is_ok(), "{text}");
        }
        assert_eq!(Keymap::defaults().conflicts(), Vec::<String>::new());
    }

    #[test]
    fn every_command_has_a_default_key() {
        let keymap = Keymap::defaults();
        for command in Command::ALL {
            assert!(
                keymap.bindings().iter().any(|b| b.command == *command),
                "{command:?} has no key"
            );
            assert_eq!(Command::from_name(command.name()), Some(*command));
        }
    }

    #[test]
    fn keys_parse_from_config_text() {
        let key = |t: &str| Key::parse(t).expect(t);
        assert_eq!(key("G"), Key::plain(KeyCode::Char('G')));
        assert_eq!(key("shift-g"), Key::plain(KeyCode::Char('G')));
        assert_eq!(key("shift-tab"), Key::plain(KeyCode::BackTab));
        assert_eq!(
            key("Ctrl-R"),
            Key::new(KeyCode::Char('r'), KeyModifiers::CONTROL)
        );
        assert_eq!(key("-"), Key::plain(KeyCode::Char('-')));
        assert_eq!(key("f5"), Key::plain(KeyCode::F(5)));
        assert!(Key::parse("hyper-x").is_err());
        assert!(Key::parse("").is_err());
    }

    #[test]
    fn shift_is_folded_into_the_character_from_terminal_events() {
        let event = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&event), Key::plain(KeyCode::Char('G')));
        let event = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&event), Key::plain(KeyCode::BackTab));
    }

    #[test]
    fn the_most_specific_scope_wins() {
        let keymap = Keymap::defaults();
        let esc = Key::plain(KeyCode::Esc);
        assert_eq!(
            keymap.command_for(&[Scope::Prompt], esc),
            Some(Command::PromptCancel)
        );
        assert_eq!(
            keymap.command_for(&[Scope::Detail, Scope::Anywhere], esc),
            Some(Command::Back)
        );
        assert_eq!(keymap.command_for(DASHBOARD, esc), None);
        let q = Key::plain(KeyCode::Char('q'));
        assert_eq!(keymap.command_for(&[Scope::Prompt], q), None);
    }

    #[test]
    fn an_override_rebinds_a_key_and_keeps_the_commands_other_keys() {
        let keymap =
            Keymap::with_overrides(&overrides(&[("x", "quit"), ("h", "help")])).expect("valid");
        let key = |c| Key::plain(KeyCode::Char(c));
        assert_eq!(keymap.command_for(DASHBOARD, key('x')), Some(Command::Quit));
        assert_eq!(keymap.command_for(DASHBOARD, key('q')), Some(Command::Quit));
        // h was previous-day in the sessions pane; now it is help everywhere.
        assert_eq!(keymap.command_for(DASHBOARD, key('h')), Some(Command::Help));
        // A letter bound to quit still types in the prompt.
        assert_eq!(keymap.command_for(&[Scope::Prompt], key('x')), None);
        let help = keymap.help_sections();
        assert!(
            help.iter()
                .any(|(_, rows)| rows.iter().any(|(k, _)| k.contains('x')))
        );
    }

    #[test]
    fn none_unbinds_a_key() {
        let keymap = Keymap::with_overrides(&overrides(&[("q", "none")])).expect("valid");
        assert_eq!(
            keymap.command_for(DASHBOARD, Key::plain(KeyCode::Char('q'))),
            None
        );
    }

    #[test]
    fn unknown_actions_bad_keys_and_conflicts_are_one_line_refusals() {
        let err = Keymap::with_overrides(&overrides(&[("x", "qiut")])).expect_err("unknown");
        assert!(
            err.0
                .starts_with("config [keys]: unknown action 'qiut' for key 'x'"),
            "{}",
            err.0
        );
        let err = Keymap::with_overrides(&overrides(&[("hyper-x", "quit")])).expect_err("bad key");
        assert!(err.0.contains("'hyper-x' is not a key"), "{}", err.0);
        let err = Keymap::with_overrides(&overrides(&[("G", "top"), ("shift-g", "bottom")]))
            .expect_err("same key twice");
        assert!(err.0.contains("are the same key"), "{}", err.0);
        assert!(!err.0.contains('\n'));
    }

    #[test]
    fn hints_follow_the_bindings_in_effect() {
        let keymap = Keymap::with_overrides(&overrides(&[("n", "next-day")])).expect("valid");
        let hints = keymap.hints(DASHBOARD);
        assert_eq!(hints.first().map(|h| h.1), Some("help"));
        assert_eq!(hints.last().map(|h| h.1), Some("quit"));
        assert!(
            hints.iter().any(|(k, h)| k == "]" && *h == "next day"),
            "{hints:?}"
        );
        let requests = keymap.hints(&[Scope::Requests, Scope::Dashboard, Scope::Anywhere]);
        assert!(!requests.iter().any(|(_, h)| *h == "next day"));
    }
}
