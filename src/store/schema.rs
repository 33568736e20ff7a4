//! The book's schema as a list of migrations applied in order on
//! `PRAGMA user_version`. A shipped migration is never edited: a change to the
//! schema is a new entry at the end. A book from a newer coachbook is refused.

use rusqlite::Connection;

/// Marks a SQLite file as a coachbook book ("CBK1").
pub const APPLICATION_ID: i64 = 0x4342_4B31;

/// Tables whose every change is recorded in the undo log.
pub const TRACKED_TABLES: &[&str] = &[
    "clients",
    "client_emails",
    "partners",
    "series",
    "sessions",
    "session_moves",
    "requests",
    "replies",
    "followups",
    "agreements",
    "busy",
];

/// The tables migration 1 made and tracked (its triggers must not change).
const V1_TRACKED_TABLES: &[&str] = &[
    "clients",
    "client_emails",
    "partners",
    "series",
    "sessions",
    "session_moves",
    "requests",
    "replies",
    "followups",
    "agreements",
];

/// One step of the schema: SQL, then (optionally) generated SQL.
pub struct Migration {
    pub sql: &'static str,
    pub generated: Option<fn(&Connection) -> rusqlite::Result<String>>,
}

/// The structured undo step (`STRUCTURED_UNDO`) remakes every tracked
/// table's triggers from its columns; it stays after every step that adds
/// columns, and a later step that adds columns remakes them with
/// `structured_undo_triggers` too.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        sql: V1_BOOK,
        generated: Some(undo_triggers),
    },
    Migration {
        sql: V2_BUSY,
        generated: Some(v2_undo_triggers),
    },
    Migration {
        sql: CARE,
        generated: Some(care_undo_triggers),
    },
    Migration {
        sql: DELIVERED_REPLIES,
        generated: Some(delivered_undo_triggers),
    },
    Migration {
        sql: CALENDAR_SYNC,
        generated: Some(calendar_undo_triggers),
    },
    Migration {
        sql: STRUCTURED_UNDO,
        generated: Some(structured_undo_triggers),
    },
    Migration {
        sql: SEARCH_INDEXES,
        generated: None,
    },
    Migration {
        sql: HISTORY_STATUS,
        generated: Some(history_status_rebuilt),
    },
    Migration {
        sql: MAIL_REFERENCES,
        generated: Some(mail_references_triggers),
    },
    Migration {
        sql: REVIEW_INDEXES,
        generated: None,
    },
    Migration {
        sql: DASHBOARD_INDEXES,
        generated: None,
    },
    Migration {
        sql: REPLY_BY_STATUS_INDEX,
        generated: None,
    },
    Migration {
        sql: NOT_MET_INDEX,
        generated: None,
    },
    Migration {
        sql: WAITING_COVERED,
        generated: None,
    },
    Migration {
        sql: UNDO_OUT_OF_THE_SCHEMA,
        generated: Some(without_undo_triggers),
    },
];

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

const V1_BOOK: &str = r#"
CREATE TABLE clients (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL CHECK (length(trim(name)) > 0),
    phone         TEXT,
    tz            TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'ended')),
    notes         TEXT NOT NULL DEFAULT '',
    context       TEXT,
    context_until TEXT,
    parting_note  TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX clients_name ON clients (name COLLATE NOCASE);

CREATE TABLE client_emails (
    email     TEXT PRIMARY KEY COLLATE NOCASE,
    client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE
);
CREATE INDEX client_emails_client ON client_emails (client_id);

CREATE TABLE partners (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL CHECK (length(trim(name)) > 0),
    email      TEXT,
    phone      TEXT,
    notes      TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

CREATE TABLE series (
    id         INTEGER PRIMARY KEY,
    client_id  INTEGER NOT NULL REFERENCES clients (id),
    every_days INTEGER NOT NULL CHECK (every_days > 0),
    count      INTEGER NOT NULL CHECK (count > 0)
);

CREATE TABLE requests (
    id             INTEGER PRIMARY KEY,
    client_id      INTEGER REFERENCES clients (id),
    unknown_sender TEXT,
    received_at    TEXT NOT NULL,
    channel        TEXT NOT NULL CHECK (channel IN ('email', 'phone', 'text', 'voicemail', 'in-person', 'other')),
    urgency        TEXT NOT NULL CHECK (urgency IN ('crisis', 'urgent', 'normal', 'low')),
    status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'waiting', 'snoozed', 'answered', 'closed')),
    subject        TEXT,
    body           TEXT NOT NULL,
    reply_by       TEXT NOT NULL,
    first_reply_at TEXT,
    snoozed_until  TEXT,
    waiting_since  TEXT,
    message_id     TEXT UNIQUE,
    closed_at      TEXT,
    created_at     TEXT NOT NULL,
    CHECK (client_id IS NOT NULL OR unknown_sender IS NOT NULL)
);
-- The dashboard's requests pane: only the few still waiting, by deadline.
CREATE INDEX requests_waiting ON requests (reply_by) WHERE status IN ('open', 'snoozed', 'waiting');
CREATE INDEX requests_received ON requests (received_at);
CREATE INDEX requests_client ON requests (client_id, received_at);

CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    client_id     INTEGER NOT NULL REFERENCES clients (id),
    series_id     INTEGER REFERENCES series (id),
    request_id    INTEGER REFERENCES requests (id),
    start_at      TEXT NOT NULL,
    minutes       INTEGER NOT NULL CHECK (minutes > 0),
    place         TEXT,
    status        TEXT NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'held', 'rescheduled', 'cancelled', 'no-show')),
    ical_uid      TEXT NOT NULL UNIQUE,
    ical_sequence INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);
CREATE INDEX sessions_start ON sessions (start_at);
CREATE INDEX sessions_client_start ON sessions (client_id, start_at);

-- Every move of a session: who asked, why, from when to when (NULL: not yet agreed).
CREATE TABLE session_moves (
    id         INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    client_id  INTEGER NOT NULL REFERENCES clients (id),
    moved_by   TEXT NOT NULL CHECK (moved_by IN ('coach', 'client')),
    reason     TEXT,
    from_start TEXT NOT NULL,
    to_start   TEXT,
    moved_at   TEXT NOT NULL
);
CREATE INDEX session_moves_client ON session_moves (client_id, moved_at);
CREATE INDEX session_moves_from ON session_moves (from_start);

CREATE TABLE replies (
    id            INTEGER PRIMARY KEY,
    client_id     INTEGER REFERENCES clients (id),
    partner_id    INTEGER REFERENCES partners (id),
    request_id    INTEGER REFERENCES requests (id),
    session_id    INTEGER REFERENCES sessions (id),
    kind          TEXT NOT NULL CHECK (kind IN ('reply', 'acknowledgement', 'apology', 'hand-off', 'partner-brief', 'options', 'recap')),
    sent_at       TEXT NOT NULL,
    to_addr       TEXT,
    subject       TEXT,
    body          TEXT NOT NULL,
    message_id    TEXT UNIQUE,
    delivery      TEXT NOT NULL DEFAULT 'recorded' CHECK (delivery IN ('recorded', 'sent', 'outbox', 'failed')),
    delivery_note TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX replies_request ON replies (request_id);
CREATE INDEX replies_client ON replies (client_id, sent_at);
CREATE INDEX replies_sent ON replies (sent_at);
CREATE INDEX replies_undelivered ON replies (id) WHERE delivery = 'failed';

CREATE TABLE followups (
    id         INTEGER PRIMARY KEY,
    client_id  INTEGER NOT NULL REFERENCES clients (id),
    request_id INTEGER REFERENCES requests (id),
    due_at     TEXT NOT NULL,
    text       TEXT NOT NULL CHECK (length(trim(text)) > 0),
    owner      TEXT NOT NULL CHECK (owner IN ('coach', 'client')),
    kind       TEXT NOT NULL CHECK (kind IN ('action', 'promise', 'agreement', 'check-in')),
    done_at    TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX followups_pending ON followups (due_at) WHERE done_at IS NULL;
CREATE INDEX followups_client ON followups (client_id, due_at);

CREATE TABLE agreements (
    id               INTEGER PRIMARY KEY,
    client_id        INTEGER NOT NULL REFERENCES clients (id),
    status           TEXT NOT NULL CHECK (status IN ('drafted', 'sent', 'signed', 'countersigned')),
    drafted_at       TEXT NOT NULL,
    sent_at          TEXT,
    signed_at        TEXT,
    countersigned_at TEXT
);
CREATE INDEX agreements_client ON agreements (client_id);

-- The append-only change log: what changed, when, by which command.
CREATE TABLE changes (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    command   TEXT NOT NULL,
    summary   TEXT NOT NULL,
    undoes    INTEGER REFERENCES changes (id),
    undone_at TEXT
);

-- For each change, the SQL that reverts it, filled by triggers.
CREATE TABLE undo_log (
    id        INTEGER PRIMARY KEY,
    change_id INTEGER NOT NULL REFERENCES changes (id),
    sql       TEXT NOT NULL
);
CREATE INDEX undo_log_change ON undo_log (change_id);
"#;

/// Busy time from the coach's own calendar (`import ics`): blocks that
/// free-slot finding avoids. `ical_uid` is `<UID>/<occurrence>`, so a second
/// import of the same calendar adds nothing.
const V2_BUSY: &str = r#"
CREATE TABLE busy (
    id         INTEGER PRIMARY KEY,
    start_at   TEXT NOT NULL,
    end_at     TEXT NOT NULL CHECK (end_at >= start_at),
    all_day    INTEGER NOT NULL DEFAULT 0 CHECK (all_day IN (0, 1)),
    summary    TEXT NOT NULL DEFAULT '',
    ical_uid   TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE INDEX busy_start ON busy (start_at);
"#;

/// Care between sessions (issue 11): session notes, action items tied to
/// the session they came from, the record of a parting, and replies of the
/// new kinds (reminder, check-in, parting). SQLite cannot change a CHECK,
/// so `replies` is rebuilt with the same columns plus `about_start` (the
/// session start a reminder was for: one reminder per session and time).
const CARE: &str = r#"
ALTER TABLE sessions ADD COLUMN notes TEXT NOT NULL DEFAULT '';
ALTER TABLE followups ADD COLUMN session_id INTEGER REFERENCES sessions (id);
ALTER TABLE clients ADD COLUMN ended_at TEXT;
ALTER TABLE clients ADD COLUMN refund_cents INTEGER CHECK (refund_cents IS NULL OR refund_cents >= 0);
ALTER TABLE clients ADD COLUMN referral_partner_id INTEGER REFERENCES partners (id);
CREATE INDEX followups_session ON followups (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX clients_ended ON clients (ended_at) WHERE ended_at IS NOT NULL;

CREATE TABLE replies_v3 (
    id            INTEGER PRIMARY KEY,
    client_id     INTEGER REFERENCES clients (id),
    partner_id    INTEGER REFERENCES partners (id),
    request_id    INTEGER REFERENCES requests (id),
    session_id    INTEGER REFERENCES sessions (id),
    kind          TEXT NOT NULL CHECK (kind IN ('reply', 'acknowledgement', 'apology', 'hand-off', 'partner-brief', 'options', 'recap', 'reminder', 'check-in', 'parting')),
    sent_at       TEXT NOT NULL,
    to_addr       TEXT,
    subject       TEXT,
    body          TEXT NOT NULL,
    message_id    TEXT UNIQUE,
    delivery      TEXT NOT NULL DEFAULT 'recorded' CHECK (delivery IN ('recorded', 'sent', 'outbox', 'failed')),
    delivery_note TEXT,
    created_at    TEXT NOT NULL,
    about_start   TEXT
);
INSERT INTO replies_v3 (id, client_id, partner_id, request_id, session_id, kind, sent_at, to_addr,
    subject, body, message_id, delivery, delivery_note, created_at)
  SELECT id, client_id, partner_id, request_id, session_id, kind, sent_at, to_addr,
    subject, body, message_id, delivery, delivery_note, created_at FROM replies;
DROP TABLE replies;
ALTER TABLE replies_v3 RENAME TO replies;
CREATE INDEX replies_request ON replies (request_id);
CREATE INDEX replies_client ON replies (client_id, sent_at);
CREATE INDEX replies_sent ON replies (sent_at);
CREATE INDEX replies_undelivered ON replies (id) WHERE delivery = 'failed';
CREATE INDEX replies_session ON replies (session_id) WHERE session_id IS NOT NULL;
-- A session gets one reminder for each time it is booked at, never two.
CREATE UNIQUE INDEX replies_reminder_once ON replies (session_id, about_start) WHERE kind = 'reminder';
"#;

/// The tables migration 3 changed: their undo triggers are made again so
/// they cover the new columns (replies lost its triggers with the rebuild).
const CARE_RETRIGGERED: &[&str] = &["sessions", "followups", "clients", "replies"];

fn care_undo_triggers(conn: &Connection) -> rusqlite::Result<String> {
    let mut sql = String::new();
    for table in CARE_RETRIGGERED {
        for event in ["insert", "update", "delete"] {
            sql.push_str(&format!("DROP TRIGGER IF EXISTS {table}_undo_{event};\n"));
        }
    }
    sql.push_str(&triggers_for(conn, CARE_RETRIGGERED)?);
    Ok(sql)
}

/// The undo log holds data, not SQL: which table, which row, what to do
/// (`delete` an inserted row, `update` columns back, `insert` a deleted row)
/// and the old values as a JSON object. Undo builds its statements from the
/// tracked tables and their real columns only, so a hand-edited book cannot
/// make undo run SQL of its own. Rows written before this migration keep
/// their `sql` and `op` NULL; undo refuses them.
const STRUCTURED_UNDO: &str = r#"
ALTER TABLE undo_log ADD COLUMN op TEXT;
ALTER TABLE undo_log ADD COLUMN tbl TEXT;
ALTER TABLE undo_log ADD COLUMN row_id INTEGER;
ALTER TABLE undo_log ADD COLUMN vals TEXT;
"#;

/// Indexes for the questions asked once per row (issue 14): a session's
/// moves, a client's put-aside requests (asked for every new request), a
/// request's follow-ups (asked for every reply), follow-ups by due day
/// (the review's range). Indexes only: no column
/// changes, so the undo triggers stay as they are.
const SEARCH_INDEXES: &str = r#"
CREATE INDEX IF NOT EXISTS session_moves_session ON session_moves (session_id);
CREATE INDEX IF NOT EXISTS requests_snoozed_client ON requests (client_id) WHERE status = 'snoozed';
CREATE INDEX IF NOT EXISTS requests_waiting_client ON requests (client_id) WHERE status = 'waiting';
CREATE INDEX IF NOT EXISTS followups_request ON followups (request_id) WHERE request_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS followups_due ON followups (due_at);
"#;

/// What the review reads of a range, from the index alone (no row of the
/// table, whose bodies are most of the book): requests by receipt with the
/// columns it judges, sessions by start with their status, moves by their
/// original start with who moved which session, follow-ups by due date
/// with kind and done time (each replaces the index on the same leading
/// column, so writes keep one index there). Apologies by sending, delivered
/// hand-offs and replies still waiting for delivery are partial indexes of
/// rare rows. Indexes only: the undo triggers stay as they are.
const REVIEW_INDEXES: &str = r#"
DROP INDEX IF EXISTS requests_received;
CREATE INDEX requests_review ON requests (received_at, id, client_id, unknown_sender, channel,
    urgency, status, reply_by, first_reply_at, snoozed_until, waiting_since, closed_at);
DROP INDEX IF EXISTS sessions_start;
CREATE INDEX sessions_start_status ON sessions (start_at, status);
DROP INDEX IF EXISTS session_moves_from;
CREATE INDEX session_moves_from_by ON session_moves (from_start, moved_by, session_id);
DROP INDEX IF EXISTS followups_due;
CREATE INDEX followups_due_kind ON followups (due_at, kind, done_at);
CREATE INDEX replies_apologies ON replies (sent_at) WHERE kind = 'apology';
CREATE INDEX replies_handed_off ON replies (request_id) WHERE kind = 'hand-off' AND delivered_at IS NOT NULL;
CREATE INDEX replies_awaiting_delivery ON replies (request_id, delivery, kind)
    WHERE delivered_at IS NULL AND delivery IN ('failed', 'outbox');
"#;

/// (v11) What `today` asks on every launch, answered from indexes alone: whether
/// a client has a check-in open or made lately, and their open action items
/// (follow-ups by client and kind); whether a request of theirs was answered
/// by its reply-by (requests by client and receipt, with the reply-by and
/// the first reply); a client's sessions of one status in a range (by client
/// and start, with the status); the active clients by name, and the
/// agreements out for signature (what care generation starts from), so a
/// book of thousands of past clients costs what one of its few active ones
/// does. The two widened indexes keep their names and
/// serve every query their first columns served.
const DASHBOARD_INDEXES: &str = "\
     CREATE INDEX followups_client_kind \
       ON followups (client_id, kind, done_at, due_at, created_at); \
     DROP INDEX requests_client; \
     CREATE INDEX requests_client ON requests (client_id, received_at, reply_by, first_reply_at); \
     DROP INDEX sessions_client_start; \
     CREATE INDEX sessions_client_start ON sessions (client_id, start_at, status); \
     CREATE INDEX clients_status ON clients (status, name COLLATE NOCASE); \
     CREATE INDEX agreements_sent ON agreements (client_id) WHERE status = 'sent';";

/// (v12) Whether a client's recent requests missed their reply-by, from
/// the index alone: a request never answered missed it only if its wait was
/// not stopped (closed or set waiting), so the status joins the instants in
/// `requests_client` (before, each such request of a busy client read its
/// row: a page of the table each). The index keeps its name and serves
/// every query its first columns served.
const REPLY_BY_STATUS_INDEX: &str = "\
     DROP INDEX requests_client; \
     CREATE INDEX requests_client \
       ON requests (client_id, received_at, reply_by, first_reply_at, status);";

/// (v13) The requests not answered by their reply-by (answered late, or
/// not answered at all), by client and reply-by: what a client's missed
/// reply-bys of the last 30 days are counted from, on every `today` and
/// first frame. Most requests are answered in time and are not in it, and
/// the scan is the window of reply-bys, not twice that of receipts. An
/// index only: the undo triggers stay as they are.
const NOT_MET_INDEX: &str = "\
     CREATE INDEX requests_not_met \
       ON requests (client_id, reply_by, received_at, first_reply_at, status) \
       WHERE first_reply_at IS NULL OR first_reply_at > reply_by;";

/// The partial index of waiting requests carries what the dashboard's
/// counts and its put-aside filter read (status, snooze, first reply): a
/// book with thousands of requests waiting counts them from the index alone
/// instead of reading each one's row. `id` after `reply_by` keeps the
/// index in the dashboard's order (reply-by, then id).
const WAITING_COVERED: &str = "\
     DROP INDEX requests_waiting; \
     CREATE INDEX requests_waiting \
       ON requests (reply_by, id, status, snoozed_until, first_reply_at) \
       WHERE status IN ('open', 'snoozed', 'waiting');";

/// A mail request's thread (its References, oldest first, space
/// separated), so the reply's References carry the whole thread and the
/// client's mail program threads it.
const MAIL_REFERENCES: &str = "ALTER TABLE requests ADD COLUMN mail_references TEXT;";

fn mail_references_triggers(conn: &Connection) -> rusqlite::Result<String> {
    structured_triggers_for(conn, &["requests"])
}

fn structured_undo_triggers(conn: &Connection) -> rusqlite::Result<String> {
    structured_triggers_for(conn, TRACKED_TABLES)
}

/// Undo triggers that record data, not SQL (replacing any older ones), in
/// the book's schema: what migrations 6 to 14 made (migration 15 drops
/// them again, see [`recording_triggers`]).
pub fn structured_triggers_for(conn: &Connection, tables: &[&str]) -> rusqlite::Result<String> {
    let mut sql = String::new();
    for table in tables {
        sql.push_str(&drop_undo_triggers(table));
        sql.push_str(&data_triggers(conn, table, "CREATE TRIGGER", table)?);
    }
    Ok(sql)
}

/// The undo triggers a connection records its changes with (issue 14).
/// They live in the connection's TEMP schema, not in the book's: SQLite
/// parses a book's whole schema at every open, and 33 triggers were most of
/// it, paid by every read (a `today`, a dashboard's first frame) for a
/// write it might never make. So a book holds none (migration 15), and
/// [`crate::store::Store`] makes these before its first change, the same
/// triggers that migration 6 put in the book, on the `main` tables: a
/// change records exactly what it recorded before. A TEMP trigger may
/// watch another schema's table, and its body finds `undo_log` and
/// `changes` in the book (the TEMP schema has neither). Only coachbook
/// records: an edit in the `sqlite3` shell is not logged into the last
/// change, as it was by triggers in the book.
pub fn recording_triggers(conn: &Connection) -> rusqlite::Result<String> {
    let mut sql = String::new();
    for table in TRACKED_TABLES {
        sql.push_str(&data_triggers(
            conn,
            table,
            "CREATE TEMP TRIGGER IF NOT EXISTS",
            &format!("main.{table}"),
        )?);
    }
    Ok(sql)
}

/// The three triggers that record `table`'s changes as data (`create` is
/// the statement's start, `on` the table it watches).
fn data_triggers(
    conn: &Connection,
    table: &str,
    create: &str,
    on: &str,
) -> rusqlite::Result<String> {
    let mut sql = String::new();
    let columns = column_names(conn, table)?;
    let current = "(SELECT max(id) FROM changes)";
    sql.push_str(&format!(
        "{create} {table}_undo_insert AFTER INSERT ON {on} BEGIN \
         INSERT INTO undo_log (change_id, sql, op, tbl, row_id) \
         VALUES ({current}, '', 'delete', '{table}', NEW.rowid); END;\n"
    ));
    let changed: Vec<String> = columns
        .iter()
        .map(|c| format!("SELECT '{c}' AS k, OLD.{c} AS v WHERE OLD.{c} IS NOT NEW.{c}"))
        .collect();
    sql.push_str(&format!(
        "{create} {table}_undo_update AFTER UPDATE ON {on} BEGIN \
         INSERT INTO undo_log (change_id, sql, op, tbl, row_id, vals) \
         VALUES ({current}, '', 'update', '{table}', OLD.rowid, \
         (SELECT json_group_object(k, v) FROM ({}))); END;\n",
        changed.join(" UNION ALL ")
    ));
    let values: Vec<String> = columns.iter().map(|c| format!("'{c}', OLD.{c}")).collect();
    sql.push_str(&format!(
        "{create} {table}_undo_delete AFTER DELETE ON {on} BEGIN \
         INSERT INTO undo_log (change_id, sql, op, tbl, row_id, vals) \
         VALUES ({current}, '', 'insert', '{table}', OLD.rowid, json_object({})); END;\n",
        values.join(", ")
    ));
    Ok(sql)
}

/// SQL that drops `table`'s three undo triggers, where they exist.
fn drop_undo_triggers(table: &str) -> String {
    ["insert", "update", "delete"]
        .iter()
        .map(|kind| format!("DROP TRIGGER IF EXISTS {table}_undo_{kind};\n"))
        .collect()
}

/// The columns of a tracked table, for undo to check names against.
pub fn tracked_columns(conn: &Connection, table: &str) -> rusqlite::Result<Option<Vec<String>>> {
    match TRACKED_TABLES.iter().find(|t| **t == table) {
        Some(known) => column_names(conn, known).map(Some),
        None => Ok(None),
    }
}

/// A reply answers a request only once it reached the client: `delivered_at`
/// is when it did (sent by the send command, marked sent after the outbox,
/// found in the coach's own mail, or given by phone or in person). A
/// request's `first_reply_at` is the earliest delivered reply, so a failed or
/// outboxed reply no longer counts. The undo triggers of `replies` and
/// `requests` are dropped first (so this backfill is not logged into the
/// last change) and made again with the new column. Follow-ups learn which
/// reply made a promise and whether doing one is the answer (`callback`).
const DELIVERED_REPLIES: &str = r#"
DROP TRIGGER IF EXISTS replies_undo_insert;
DROP TRIGGER IF EXISTS replies_undo_update;
DROP TRIGGER IF EXISTS replies_undo_delete;
DROP TRIGGER IF EXISTS requests_undo_insert;
DROP TRIGGER IF EXISTS requests_undo_update;
DROP TRIGGER IF EXISTS requests_undo_delete;
DROP TRIGGER IF EXISTS followups_undo_insert;
DROP TRIGGER IF EXISTS followups_undo_update;
DROP TRIGGER IF EXISTS followups_undo_delete;
-- The reply that made a promise (a later reply keeps it), and whether
-- doing a follow-up is itself the answer (a crisis client called back).
ALTER TABLE followups ADD COLUMN made_by_reply INTEGER REFERENCES replies (id);
ALTER TABLE followups ADD COLUMN callback INTEGER NOT NULL DEFAULT 0 CHECK (callback IN (0, 1));
ALTER TABLE replies ADD COLUMN delivered_at TEXT;
UPDATE replies SET delivered_at = sent_at WHERE delivery IN ('sent', 'recorded');
UPDATE requests SET first_reply_at = (
    SELECT min(p.delivered_at) FROM replies p
    WHERE p.request_id = requests.id AND p.kind != 'partner-brief' AND p.delivered_at IS NOT NULL);
UPDATE requests SET status = 'open' WHERE status = 'answered' AND first_reply_at IS NULL;
"#;

fn delivered_undo_triggers(conn: &Connection) -> rusqlite::Result<String> {
    triggers_for(conn, &["replies", "requests", "followups"])
}

/// Calendar sync (issue 12): where each imported session or busy block came
/// from and which version of it the book holds, so a re-import updates,
/// cancels and removes instead of counting duplicates; series that repeat on
/// a wall clock under one UID; and the state of each vdir file after the last
/// sync, so a sync can tell which side changed.
const CALENDAR_SYNC: &str = r#"
-- An imported session (and busy block): the file or vdir it came from
-- (NULL: booked here), the version read (LAST-MODIFIED, else DTSTAMP, UTC),
-- the event's own UID and, for an occurrence of a series, its RECURRENCE-ID
-- (UTC or a date). A lone event is found by its UID even after it moved.
ALTER TABLE sessions ADD COLUMN ical_source TEXT;
ALTER TABLE sessions ADD COLUMN ical_stamp TEXT;
ALTER TABLE sessions ADD COLUMN event_uid TEXT;
ALTER TABLE sessions ADD COLUMN recurrence_id TEXT;
CREATE INDEX sessions_ical_source ON sessions (ical_source) WHERE ical_source IS NOT NULL;
CREATE INDEX sessions_event_uid ON sessions (event_uid, recurrence_id) WHERE event_uid IS NOT NULL;

ALTER TABLE busy ADD COLUMN source TEXT;
ALTER TABLE busy ADD COLUMN ical_sequence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE busy ADD COLUMN ical_stamp TEXT;
ALTER TABLE busy ADD COLUMN event_uid TEXT;
ALTER TABLE busy ADD COLUMN recurrence_id TEXT;
CREATE INDEX busy_source ON busy (source) WHERE source IS NOT NULL;
CREATE INDEX busy_event_uid ON busy (event_uid, recurrence_id) WHERE event_uid IS NOT NULL;

-- A series repeats on the wall clock of `tz` ('weekly', 'fortnightly',
-- 'monthly' by weekday of the month; NULL in older books: every_days) and
-- goes to calendars as one event with this UID and SEQUENCE.
ALTER TABLE series ADD COLUMN repeat TEXT CHECK (repeat IN ('weekly', 'fortnightly', 'monthly'));
ALTER TABLE series ADD COLUMN tz TEXT;
ALTER TABLE series ADD COLUMN ical_uid TEXT;
ALTER TABLE series ADD COLUMN ical_sequence INTEGER NOT NULL DEFAULT 0;
CREATE INDEX series_ical_uid ON series (ical_uid) WHERE ical_uid IS NOT NULL;

-- 'calendar' when a move was read from the coach's calendar.
ALTER TABLE session_moves ADD COLUMN via TEXT CHECK (via IN ('calendar'));

-- What each file of a vdir held at the last sync (not undone with the book:
-- it describes the folder, so the next sync carries an undo to the folder).
CREATE TABLE vdir_items (
    vdir       TEXT NOT NULL,
    file       TEXT NOT NULL,
    uid        TEXT NOT NULL,
    file_hash  TEXT NOT NULL,
    book_hash  TEXT NOT NULL,
    synced_at  TEXT NOT NULL,
    PRIMARY KEY (vdir, file)
);
"#;

/// The undo triggers of the tables migration 3 widened, remade so an undo
/// also puts back the new columns.
fn calendar_undo_triggers(conn: &Connection) -> rusqlite::Result<String> {
    let tables = ["sessions", "busy", "series", "session_moves"];
    let mut sql = String::new();
    for table in tables {
        sql.push_str(&drop_undo_triggers(table));
    }
    sql.push_str(&triggers_for(conn, &tables)?);
    Ok(sql)
}

fn v2_undo_triggers(conn: &Connection) -> rusqlite::Result<String> {
    triggers_for(conn, &["busy"])
}

/// Triggers that record, for every row a change touches, the SQL that puts
/// it back (the technique of sqlite.org's "Automatic Undo/Redo"). Updates
/// record only the columns that changed, so big bodies are not copied.
fn undo_triggers(conn: &Connection) -> rusqlite::Result<String> {
    triggers_for(conn, V1_TRACKED_TABLES)
}

fn triggers_for(conn: &Connection, tables: &[&str]) -> rusqlite::Result<String> {
    let mut sql = String::new();
    for table in tables {
        let columns = column_names(conn, table)?;
        let current = "(SELECT max(id) FROM changes)";
        sql.push_str(&format!(
            "CREATE TRIGGER {table}_undo_insert AFTER INSERT ON {table} BEGIN \
             INSERT INTO undo_log (change_id, sql) VALUES ({current}, \
             'DELETE FROM {table} WHERE rowid = ' || NEW.rowid); END;\n"
        ));
        let sets: Vec<String> = columns
            .iter()
            .map(|c| {
                format!(
                    "CASE WHEN OLD.{c} IS NOT NEW.{c} THEN '{c} = ' || quote(OLD.{c}) || ', ' ELSE '' END"
                )
            })
            .collect();
        sql.push_str(&format!(
            "CREATE TRIGGER {table}_undo_update AFTER UPDATE ON {table} BEGIN \
             INSERT INTO undo_log (change_id, sql) VALUES ({current}, \
             'UPDATE {table} SET ' || {} || 'rowid = rowid WHERE rowid = ' || OLD.rowid); END;\n",
            sets.join(" || ")
        ));
        let values: Vec<String> = columns.iter().map(|c| format!("quote(OLD.{c})")).collect();
        sql.push_str(&format!(
            "CREATE TRIGGER {table}_undo_delete AFTER DELETE ON {table} BEGIN \
             INSERT INTO undo_log (change_id, sql) VALUES ({current}, \
             'INSERT INTO {table} (rowid, {}) VALUES (' || OLD.rowid || ', ' || {} || ')'); END;\n",
            columns.join(", "),
            values.join(" || ', ' || ")
        ));
    }
    Ok(sql)
}

fn column_names(conn: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info({table})"))?;
    let names = stmt
        .query_map([], |row| row.get::<_, String>(1))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(names)
}

/// Imported old mail is history (issue 14): `requests.status` may be
/// `history`. SQLite cannot change a CHECK, so `requests` is rebuilt with
/// the same columns and rows, and every index it had (read from the schema,
/// so an index an earlier step added comes back too) is made again, as are
/// its undo triggers. The migration runs with foreign keys off and checks
/// them before it commits, as SQLite's twelve-step ALTER TABLE procedure says.
const HISTORY_STATUS: &str = r#"
DROP TRIGGER IF EXISTS requests_undo_insert;
DROP TRIGGER IF EXISTS requests_undo_update;
DROP TRIGGER IF EXISTS requests_undo_delete;
CREATE TABLE requests_history (
    id             INTEGER PRIMARY KEY,
    client_id      INTEGER REFERENCES clients (id),
    unknown_sender TEXT,
    received_at    TEXT NOT NULL,
    channel        TEXT NOT NULL CHECK (channel IN ('email', 'phone', 'text', 'voicemail', 'in-person', 'other')),
    urgency        TEXT NOT NULL CHECK (urgency IN ('crisis', 'urgent', 'normal', 'low')),
    status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'waiting', 'snoozed', 'answered', 'closed', 'history')),
    subject        TEXT,
    body           TEXT NOT NULL,
    reply_by       TEXT NOT NULL,
    first_reply_at TEXT,
    snoozed_until  TEXT,
    waiting_since  TEXT,
    message_id     TEXT UNIQUE,
    closed_at      TEXT,
    created_at     TEXT NOT NULL,
    CHECK (client_id IS NOT NULL OR unknown_sender IS NOT NULL)
);
INSERT INTO requests_history (id, client_id, unknown_sender, received_at, channel, urgency, status,
    subject, body, reply_by, first_reply_at, snoozed_until, waiting_since, message_id, closed_at,
    created_at)
  SELECT id, client_id, unknown_sender, received_at, channel, urgency, status,
    subject, body, reply_by, first_reply_at, snoozed_until, waiting_since, message_id, closed_at,
    created_at FROM requests;
"#;

/// The rest of [`HISTORY_STATUS`]: the old table goes, the new one takes its
/// name, and its indexes and undo triggers are made again.
fn history_status_rebuilt(conn: &Connection) -> rusqlite::Result<String> {
    let mut stmt = conn.prepare(
        "SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'requests' \
         AND sql IS NOT NULL ORDER BY name",
    )?;
    let indexes = stmt
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    let mut sql =
        String::from("DROP TABLE requests;\nALTER TABLE requests_history RENAME TO requests;\n");
    for index in indexes {
        sql.push_str(&index);
        sql.push_str(";\n");
    }
    sql.push_str(&structured_triggers_for(conn, &["requests"])?);
    Ok(sql)
}

/// Undo leaves the book's schema (issue 14): its triggers are dropped, and
/// each connection that changes the book records with its own TEMP
/// triggers instead ([`recording_triggers`]). The undo log keeps its rows
/// and its shape: changes made before still undo.
const UNDO_OUT_OF_THE_SCHEMA: &str = "";

fn without_undo_triggers(_: &Connection) -> rusqlite::Result<String> {
    let mut sql = String::new();
    for table in TRACKED_TABLES {
        sql.push_str(&drop_undo_triggers(table));
    }
    Ok(sql)
}
