//! Where a binding applies: the screens and overlays of the dashboard.

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
    /// The book, move and cancel forms: printable keys type.
    SessionForm,
    /// The note to the client about a moved or cancelled session.
    SessionNote,
    /// The follow-up forms (move the due time, snooze, add): printable keys type.
    FollowUpForm,
    /// The list of all open follow-ups.
    FollowUpList,
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
        Scope::SessionForm,
        Scope::SessionNote,
        Scope::FollowUpForm,
        Scope::FollowUpList,
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
            Scope::SessionForm => "Book, move or cancel a session",
            Scope::SessionNote => "The note about a moved or cancelled session",
            Scope::FollowUpForm => "A follow-up's due time, snooze or a new one",
            Scope::FollowUpList => "All open follow-ups",
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
                | Scope::SessionForm
                | Scope::SessionNote
                | Scope::FollowUpForm
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
