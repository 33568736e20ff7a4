//! `coachbook check` beyond SQLite's own checks: every stored instant, word
//! and id must read back as the program expects. A hand-edited or damaged
//! book is named row by row here, instead of failing later in a pane.

use rusqlite::Connection;
use rusqlite::types::ValueRef;

use super::parse_ts;
use crate::domain::bounds;
use crate::model::{
    AgreementStatus, Channel, ClientStatus, DeliveryState, FollowUpKind, MovedBy, Owner, ReplyKind,
    RequestStatus, SessionStatus, Urgency,
};

/// What a column must hold.
#[derive(Clone, Copy)]
enum Kind {
    /// An instant (`2026-11-23T13:00:00Z`) in the accepted years.
    Instant,
    /// A day (`2026-11-23`) in the accepted years.
    Day,
    /// One of a closed set of words, exactly as stored.
    Word(fn(&str) -> bool, &'static str),
    /// An IANA time zone name.
    Zone,
    /// A row id: a whole number above zero.
    Id,
    /// A session length: 1 to 1440 minutes.
    Minutes,
}

use Kind::{Day, Id, Instant, Minutes, Word, Zone};

/// Every column the program reads as something other than free text.
/// Nullable columns are checked when they hold a value.
const COLUMNS: &[(&str, &str, Kind)] = &[
    ("clients", "id", Id),
    ("clients", "tz", Zone),
    (
        "clients",
        "status",
        Word(ClientStatus::is_stored_word, "client status"),
    ),
    ("clients", "context_until", Day),
    ("clients", "created_at", Instant),
    ("client_emails", "client_id", Id),
    ("partners", "id", Id),
    ("partners", "created_at", Instant),
    ("series", "id", Id),
    ("series", "client_id", Id),
    ("requests", "id", Id),
    ("requests", "client_id", Id),
    ("requests", "received_at", Instant),
    (
        "requests",
        "channel",
        Word(Channel::is_stored_word, "channel"),
    ),
    (
        "requests",
        "urgency",
        Word(Urgency::is_stored_word, "urgency"),
    ),
    (
        "requests",
        "status",
        Word(RequestStatus::is_stored_word, "request status"),
    ),
    ("requests", "reply_by", Instant),
    ("requests", "first_reply_at", Instant),
    ("requests", "snoozed_until", Instant),
    ("requests", "waiting_since", Instant),
    ("requests", "closed_at", Instant),
    ("requests", "created_at", Instant),
    ("sessions", "id", Id),
    ("sessions", "client_id", Id),
    ("sessions", "series_id", Id),
    ("sessions", "request_id", Id),
    ("sessions", "start_at", Instant),
    ("sessions", "minutes", Minutes),
    (
        "sessions",
        "status",
        Word(SessionStatus::is_stored_word, "session status"),
    ),
    ("sessions", "created_at", Instant),
    ("session_moves", "id", Id),
    ("session_moves", "session_id", Id),
    ("session_moves", "client_id", Id),
    (
        "session_moves",
        "moved_by",
        Word(MovedBy::is_stored_word, "mover"),
    ),
    ("session_moves", "from_start", Instant),
    ("session_moves", "to_start", Instant),
    ("session_moves", "moved_at", Instant),
    ("replies", "id", Id),
    ("replies", "client_id", Id),
    ("replies", "partner_id", Id),
    ("replies", "request_id", Id),
    ("replies", "session_id", Id),
    (
        "replies",
        "kind",
        Word(ReplyKind::is_stored_word, "reply kind"),
    ),
    ("replies", "sent_at", Instant),
    (
        "replies",
        "delivery",
        Word(DeliveryState::is_stored_word, "delivery state"),
    ),
    ("replies", "created_at", Instant),
    ("followups", "id", Id),
    ("followups", "client_id", Id),
    ("followups", "request_id", Id),
    ("followups", "due_at", Instant),
    ("followups", "owner", Word(Owner::is_stored_word, "owner")),
    (
        "followups",
        "kind",
        Word(FollowUpKind::is_stored_word, "follow-up kind"),
    ),
    ("followups", "done_at", Instant),
    ("followups", "created_at", Instant),
    ("agreements", "id", Id),
    ("agreements", "client_id", Id),
    (
        "agreements",
        "status",
        Word(AgreementStatus::is_stored_word, "agreement status"),
    ),
    ("agreements", "drafted_at", Instant),
    ("agreements", "sent_at", Instant),
    ("agreements", "signed_at", Instant),
    ("agreements", "countersigned_at", Instant),
    ("changes", "id", Id),
    ("changes", "at", Instant),
    ("changes", "undoes", Id),
    ("changes", "undone_at", Instant),
    ("busy", "id", Id),
    ("busy", "start_at", Instant),
    ("busy", "end_at", Instant),
    ("busy", "created_at", Instant),
];

/// At most this many problems are listed per column (a count follows).
const LISTED_PER_COLUMN: usize = 20;

/// Why a stored value does not read, or `None` when it does.
fn problem(kind: Kind, value: ValueRef<'_>) -> Option<String> {
    let text = match value {
        ValueRef::Text(bytes) => Some(String::from_utf8_lossy(bytes)),
        _ => None,
    };
    let shown = || match value {
        ValueRef::Null => "NULL".to_string(),
        ValueRef::Integer(number) => number.to_string(),
        ValueRef::Real(number) => number.to_string(),
        ValueRef::Text(bytes) => crate::text::quoted(&String::from_utf8_lossy(bytes)),
        ValueRef::Blob(bytes) => format!("a blob of {} bytes", bytes.len()),
    };
    match kind {
        Instant => match text {
            Some(text) if parse_ts(&text).is_some() => None,
            Some(text) if chrono::DateTime::parse_from_rfc3339(&text).is_ok() => Some(format!(
                "{} is outside the years {}-{}",
                crate::text::quoted(&text),
                bounds::FIRST_YEAR,
                bounds::LAST_YEAR
            )),
            _ => Some(format!("{} is not an instant", shown())),
        },
        Day => match text.as_deref().map(str::parse::<chrono::NaiveDate>) {
            Some(Ok(day)) if bounds::date_in_range(day) => None,
            Some(Ok(_)) => Some(format!("{} is outside the accepted years", shown())),
            _ => Some(format!("{} is not a day", shown())),
        },
        Word(is_word, what) => match text {
            Some(text) if is_word(&text) => None,
            _ => Some(format!("{} is not a {what}", shown())),
        },
        Zone => match text {
            Some(text) if text.parse::<chrono_tz::Tz>().is_ok() => None,
            _ => Some(format!("{} is not a time zone", shown())),
        },
        Id => match value {
            ValueRef::Integer(id) if id > 0 => None,
            _ => Some(format!("{} is not an id", shown())),
        },
        Minutes => match value {
            ValueRef::Integer(minutes) if bounds::session_minutes(minutes).is_ok() => None,
            _ => Some(format!(
                "{} is not a session length (1-{} minutes)",
                shown(),
                bounds::MAX_SESSION_MINUTES
            )),
        },
    }
}

/// Every stored value that does not read back, one line each.
pub fn stored_values(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut problems = Vec::new();
    for &(table, column, kind) in COLUMNS {
        let mut stmt = conn.prepare(&format!(
            "SELECT rowid, \"{column}\" FROM \"{table}\" WHERE \"{column}\" IS NOT NULL ORDER BY rowid"
        ))?;
        let mut rows = stmt.query([])?;
        let mut found = 0usize;
        while let Some(row) = rows.next()? {
            let rowid: i64 = row.get(0)?;
            if let Some(why) = problem(kind, row.get_ref(1)?) {
                found += 1;
                if found <= LISTED_PER_COLUMN {
                    problems.push(format!("{table} row {rowid}: {column} {why}"));
                }
            }
        }
        if found > LISTED_PER_COLUMN {
            problems.push(format!(
                "{table}: {} more rows with a bad {column}",
                found - LISTED_PER_COLUMN
            ));
        }
    }
    Ok(problems)
}
