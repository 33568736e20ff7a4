//! The coach's domain: clients, sessions, requests, replies, follow-ups,
//! agreements and partners, as plain Rust types. No SQL, no terminal.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::error::BadInput;

/// Declares a closed set of words stored in the book and typed by the coach.
/// A closed set of words (urgency, channel, owner…): what the command
/// line lists as the allowed values and reads case-insensitively.
pub trait Word {
    fn words() -> Vec<&'static str>;
    /// The stored spelling of a word as typed, or why it is none of them.
    fn normalise(text: &str) -> Result<&'static str, BadInput>;
}

/// A closed set of words as the book stores them: each word's one
/// spelling, for reading a stored row without parsing (see
/// `store::read_word`).
pub trait StoredWord: Copy + 'static {
    const WORDS: &'static [Self];
    fn spelling(self) -> &'static str;
}

macro_rules! word_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }

            /// Whether `text` is one of the words exactly as the book stores them.
            pub fn is_stored_word(text: &str) -> bool {
                Self::ALL.iter().any(|v| v.as_str() == text)
            }

            /// Parse the word as typed (case-insensitive, `-` and `_` alike).
            pub fn parse(text: &str) -> Result<Self, BadInput> {
                // The book's own spelling, as every stored row has it: no
                // allocation (a ten-year review reads 100,000 of them).
                if let Some(word) = Self::ALL.iter().find(|v| v.as_str() == text) {
                    return Ok(*word);
                }
                let wanted = text.trim().to_ascii_lowercase().replace('-', "_");
                $(if wanted == $word.replace('-', "_") { return Ok($name::$variant); })+
                let known: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                Err(BadInput(format!(
                    "unknown {} {} (expected one of: {})",
                    $what, $crate::text::quoted(text), known.join(", ")
                )))
            }
        }

        impl $crate::model::StoredWord for $name {
            const WORDS: &'static [$name] = Self::ALL;
            fn spelling(self) -> &'static str {
                self.as_str()
            }
        }

        impl $crate::model::Word for $name {
            fn words() -> Vec<&'static str> {
                Self::ALL.iter().map(|v| v.as_str()).collect()
            }
            fn normalise(text: &str) -> Result<&'static str, BadInput> {
                Self::parse(text).map(Self::as_str)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

word_enum!(
    /// Whether the coach is currently working with a client.
    ClientStatus, "client status" { Active => "active", Paused => "paused", Ended => "ended" }
);

word_enum!(
    /// What became of a booked session.
    SessionStatus, "session status" {
        Booked => "booked",
        Held => "held",
        Rescheduled => "rescheduled",
        Cancelled => "cancelled",
        NoShow => "no-show",
    }
);

word_enum!(
    /// Who asked for a session to move.
    MovedBy, "mover" { Coach => "coach", Client => "client" }
);

word_enum!(
    /// How a client's message reached the coach.
    Channel, "channel" {
        Email => "email",
        Phone => "phone",
        Text => "text",
        Voicemail => "voicemail",
        InPerson => "in-person",
        Other => "other",
    }
);

word_enum!(
    /// How fast a request needs its first answer; ordered most urgent first.
    Urgency, "urgency" { Crisis => "crisis", Urgent => "urgent", Normal => "normal", Low => "low" }
);

word_enum!(
    /// Where a request stands. `history`: imported old mail (or mail the
    /// coach's own imported mail had answered already), kept for the record
    /// and the review, never waiting on the dashboard.
    RequestStatus, "request status" {
        Open => "open",
        WaitingOnClient => "waiting",
        Snoozed => "snoozed",
        Answered => "answered",
        Closed => "closed",
        History => "history",
    }
);

word_enum!(
    /// Who owes a follow-up.
    Owner, "owner" { Coach => "coach", Client => "client" }
);

word_enum!(
    /// What kind of thing is due.
    FollowUpKind, "follow-up kind" {
        Action => "action",
        Promise => "promise",
        Agreement => "agreement",
        CheckIn => "check-in",
    }
);

word_enum!(
    /// What a reply was for.
    ReplyKind, "reply kind" {
        Reply => "reply",
        Acknowledgement => "acknowledgement",
        Apology => "apology",
        HandOff => "hand-off",
        PartnerBrief => "partner-brief",
        Options => "options",
        Recap => "recap",
        Reminder => "reminder",
        CheckIn => "check-in",
        Parting => "parting",
    }
);

word_enum!(
    /// Whether a reply left the coach's hands.
    DeliveryState, "delivery state" {
        Recorded => "recorded",
        Sent => "sent",
        Outbox => "outbox",
        Failed => "failed",
    }
);

word_enum!(
    /// The coaching agreement's life: it must go out and come back signed.
    AgreementStatus, "agreement status" {
        Drafted => "drafted",
        Sent => "sent",
        Signed => "signed",
        Countersigned => "countersigned",
    }
);

word_enum!(
    /// How often a series of sessions repeats.
    /// How often a series of sessions repeats; monthly is by weekday of the
    /// month ("the 2nd Tuesday"), taken from the first session.
    Repeat, "repeat" { Weekly => "weekly", Fortnightly => "fortnightly", Monthly => "monthly" }
);

impl Repeat {
    /// The days between sessions; for monthly the shortest gap (the book's
    /// `series.every_days`, kept for older readers; `series.repeat` rules).
    pub fn days(self) -> i64 {
        match self {
            Repeat::Weekly => 7,
            Repeat::Fortnightly => 14,
            Repeat::Monthly => 28,
        }
    }
}

/// A series to book: how it repeats, how many, on whose wall clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Repeating {
    pub repeat: Repeat,
    pub count: i64,
    pub tz: Tz,
}

pub type ClientId = i64;

#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    pub id: ClientId,
    pub name: String,
    pub emails: Vec<String>,
    pub phone: Option<String>,
    pub tz: Tz,
    pub status: ClientStatus,
    pub notes: String,
    /// What is at stake for the client right now ("pitch on Friday").
    pub context: Option<String>,
    pub context_until: Option<NaiveDate>,
    /// Set when the coach parted ways with the client.
    pub parting: Option<Parting>,
}

/// How a client's work with the coach ended: recorded, never erased by a
/// reactivation (a later end replaces it).
#[derive(Debug, Clone, PartialEq)]
pub struct Parting {
    pub ended_at: DateTime<Utc>,
    pub reason: String,
    /// Refunded, in cents of the coach's currency.
    pub refund_cents: Option<i64>,
    pub referral_partner_id: Option<i64>,
}

impl Client {
    pub fn first_name(&self) -> &str {
        self.name.split_whitespace().next().unwrap_or(&self.name)
    }

    /// The context note, if it has not expired on `today`.
    pub fn current_context(&self, today: NaiveDate) -> Option<&str> {
        if self.context_until.is_some_and(|until| until < today) {
            return None;
        }
        self.context
            .as_deref()
            .filter(|text| !text.trim().is_empty())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub id: i64,
    pub client_id: ClientId,
    pub client_name: String,
    pub start: DateTime<Utc>,
    pub minutes: i64,
    pub place: Option<String>,
    pub status: SessionStatus,
    pub moved_by: Option<MovedBy>,
    pub series_id: Option<i64>,
    pub ical_uid: String,
    pub ical_sequence: i64,
    /// What the coach noted about the session (after it was held).
    pub notes: String,
    /// The calendar event it belongs to: its series' UID, or the UID of the
    /// event it was imported from; `None` for a lone session booked here.
    pub event_uid: Option<String>,
    /// Its original start within that event's series (RECURRENCE-ID).
    pub recurrence_id: Option<String>,
    /// Where it was imported from (a file path, or a vdir file).
    pub ical_source: Option<String>,
    /// Its last move or cancellation was read from the coach's calendar.
    pub changed_in_calendar: bool,
}

impl Session {
    pub fn end(&self) -> DateTime<Utc> {
        self.start + chrono::Duration::minutes(self.minutes)
    }

    /// The status as the coach reads it: "moved in calendar", "cancelled in
    /// calendar" when the change came from the coach's calendar, "moved
    /// (client)" while waiting for a new time.
    pub fn status_text(&self) -> String {
        match (self.status, self.changed_in_calendar, self.moved_by) {
            (SessionStatus::Booked, true, _) => "moved in calendar".into(),
            (SessionStatus::Cancelled, true, Some(MovedBy::Client)) => {
                "cancelled in calendar (client)".into()
            }
            (SessionStatus::Cancelled, true, _) => "cancelled in calendar".into(),
            (SessionStatus::Rescheduled, _, Some(by)) => format!("moved ({by})"),
            (status, _, _) => status.to_string(),
        }
    }

    /// The status in the dashboard's narrow column: "moved (cal)",
    /// "canc. (cal)" when the calendar moved or cancelled it.
    pub fn status_short(&self) -> String {
        match (self.status, self.changed_in_calendar) {
            (SessionStatus::Booked, true) => "moved (cal)".into(),
            (SessionStatus::Cancelled, true) => "canc. (cal)".into(),
            _ => self.status_text(),
        }
    }

    /// Whether the session still takes up time in the calendar.
    pub fn occupies_time(&self) -> bool {
        matches!(self.status, SessionStatus::Booked | SessionStatus::Held)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub id: i64,
    pub client_id: Option<ClientId>,
    /// The client's name, or the sender's address when nobody matched.
    pub client_name: String,
    pub unknown_sender: Option<String>,
    pub received_at: DateTime<Utc>,
    pub channel: Channel,
    pub urgency: Urgency,
    pub status: RequestStatus,
    pub subject: Option<String>,
    pub body: String,
    pub reply_by: DateTime<Utc>,
    pub first_reply_at: Option<DateTime<Utc>>,
    pub snoozed_until: Option<DateTime<Utc>>,
    pub waiting_since: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// A hand-off note to the client was delivered.
    pub handed_off: bool,
    /// A reply to it still waits for delivery (failed, or in the outbox):
    /// until it is delivered the request counts as unanswered.
    pub undelivered: Option<DeliveryState>,
}

impl Request {
    /// The mail subject, else the first non-empty line of the text.
    pub fn summary(&self) -> String {
        if let Some(subject) = self.subject.as_deref().map(str::trim)
            && !subject.is_empty()
        {
            return subject.to_string();
        }
        self.body
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("")
            .to_string()
    }

    pub fn first_reply_minutes(&self) -> Option<i64> {
        self.first_reply_at
            .map(|at| (at - self.received_at).num_minutes())
    }

    /// Still waiting for the coach (open, or snoozed for later).
    pub fn awaits_coach(&self) -> bool {
        matches!(self.status, RequestStatus::Open | RequestStatus::Snoozed)
    }

    /// Why putting it aside until `until` (`None`: waiting on the client,
    /// open-ended) would let a crisis or urgent request slip past its
    /// reply-by unanswered; `None` when that is fine.
    pub fn put_aside_risk(&self, until: Option<DateTime<Utc>>) -> Option<String> {
        if self.first_reply_at.is_some()
            || !matches!(self.urgency, Urgency::Crisis | Urgency::Urgent)
        {
            return None;
        }
        match until {
            Some(until) if until <= self.reply_by => None,
            _ => Some(format!(
                "request #{} is {} and unanswered; this puts it aside past its reply-by",
                self.id, self.urgency
            )),
        }
    }

    /// Old mail imported as history that no reply reached: its wait runs on
    /// (the client never got an answer), though it waits on no dashboard.
    pub fn never_answered(&self) -> bool {
        self.first_reply_at.is_none() && self.status == RequestStatus::History
    }

    /// How the request ended (or that it has not). A history request no
    /// reply reached was never answered.
    pub fn resolution(&self) -> Resolution {
        Resolution::of(self.first_reply_at.is_some(), self.handed_off, self.status)
    }

    /// When its wait for a first reply stopped without one: closed, or set
    /// waiting on the client (the clock paused). `None` while it runs.
    pub fn stopped_without_reply_at(&self) -> Option<DateTime<Utc>> {
        stopped_without_reply(
            self.first_reply_at,
            self.status,
            self.closed_at,
            self.waiting_since,
            self.received_at,
        )
    }
}

/// The rule of [`Request::stopped_without_reply_at`], for an instant of
/// any form (the review's rows keep seconds): no reply, and closed (at
/// `closed_at`) or set waiting on the client (at `waiting_since`), each
/// else the receipt.
pub fn stopped_without_reply<T: Copy>(
    first_reply_at: Option<T>,
    status: RequestStatus,
    closed_at: Option<T>,
    waiting_since: Option<T>,
    received_at: T,
) -> Option<T> {
    if first_reply_at.is_some() {
        return None;
    }
    match status {
        RequestStatus::Closed => Some(closed_at.unwrap_or(received_at)),
        RequestStatus::WaitingOnClient => Some(waiting_since.unwrap_or(received_at)),
        _ => None,
    }
}

word_enum!(
    /// How a request ended: only a reply that reached the client answers it.
    Resolution, "resolution" {
        Answered => "answered",
        HandedOff => "handed off",
        ClosedWithoutReply => "closed without reply",
        StillWaiting => "still waiting",
        NeverAnswered => "never answered",
    }
);

impl Resolution {
    /// How a request ended, from whether a reply reached the client, a
    /// hand-off note was delivered, and its status.
    pub fn of(answered: bool, handed_off: bool, status: RequestStatus) -> Resolution {
        match (answered, status) {
            (true, _) if handed_off => Resolution::HandedOff,
            (true, _) => Resolution::Answered,
            (false, RequestStatus::Closed) => Resolution::ClosedWithoutReply,
            (false, RequestStatus::History) => Resolution::NeverAnswered,
            (false, _) => Resolution::StillWaiting,
        }
    }

    /// One word for narrow columns: answered, handed, closed, waiting.
    pub fn short(self) -> &'static str {
        match self {
            Resolution::Answered => "answered",
            Resolution::HandedOff => "handed",
            Resolution::ClosedWithoutReply => "closed",
            Resolution::StillWaiting => "waiting",
            Resolution::NeverAnswered => "never",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub id: i64,
    pub client_id: Option<ClientId>,
    pub partner_id: Option<i64>,
    pub request_id: Option<i64>,
    pub session_id: Option<i64>,
    pub kind: ReplyKind,
    pub sent_at: DateTime<Utc>,
    pub subject: Option<String>,
    pub body: String,
    pub delivery: DeliveryState,
    pub delivery_note: Option<String>,
    pub to_addr: Option<String>,
    pub message_id: Option<String>,
    /// When it reached the client; `None` while it failed or waits in the outbox.
    pub delivered_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FollowUp {
    pub id: i64,
    pub client_id: ClientId,
    pub client_name: String,
    pub due: DateTime<Utc>,
    pub text: String,
    pub owner: Owner,
    pub kind: FollowUpKind,
    pub request_id: Option<i64>,
    /// The session an action item came out of.
    pub session_id: Option<i64>,
    pub done_at: Option<DateTime<Utc>>,
    /// Doing it is the answer to its request (call a crisis client back).
    pub callback: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Agreement {
    pub id: i64,
    pub client_id: ClientId,
    pub status: AgreementStatus,
    pub drafted_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub signed_at: Option<DateTime<Utc>>,
    pub countersigned_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Partner {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notes: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_parse_case_insensitively_and_list_the_choices_when_unknown() {
        assert_eq!(Urgency::parse("Crisis"), Ok(Urgency::Crisis));
        assert_eq!(Channel::parse("in_person"), Ok(Channel::InPerson));
        assert_eq!(SessionStatus::parse("no-show"), Ok(SessionStatus::NoShow));
        let err = Urgency::parse("asap").unwrap_err();
        assert_eq!(
            err.0,
            "unknown urgency 'asap' (expected one of: crisis, urgent, normal, low)"
        );
    }

    #[test]
    fn urgency_orders_most_urgent_first() {
        assert!(Urgency::Crisis < Urgency::Urgent);
        assert!(Urgency::Normal < Urgency::Low);
    }
}
