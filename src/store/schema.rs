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
        sql: V3_STRUCTURED_UNDO,
        generated: Some(v3_structured_undo_triggers),
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

/// The undo log holds data, not SQL: which table, which row, what to do
/// (`delete` an inserted row, `update` columns back, `insert` a deleted row)
/// and the old values as a JSON object. Undo builds its statements from the
/// tracked tables and their real columns only, so a hand-edited book cannot
/// make undo run SQL of its own. Rows written before this migration keep
/// their `sql` and `op` NULL; undo refuses them.
const V3_STRUCTURED_UNDO: &str = r#"
ALTER TABLE undo_log ADD COLUMN op TEXT;
ALTER TABLE undo_log ADD COLUMN tbl TEXT;
ALTER TABLE undo_log ADD COLUMN row_id INTEGER;
ALTER TABLE undo_log ADD COLUMN vals TEXT;
"#;

fn v3_structured_undo_triggers(conn: &Connection) -> rusqlite::Result<String> {
    structured_triggers_for(conn, TRACKED_TABLES)
}

/// Undo triggers that record data, not SQL (replacing any older ones). A
/// later migration that adds a tracked table, or a column to one, calls
/// this for that table; `triggers_for` is kept only for migrations 1 and 2.
pub fn structured_triggers_for(conn: &Connection, tables: &[&str]) -> rusqlite::Result<String> {
    let mut sql = String::new();
    for table in tables {
        for kind in ["insert", "update", "delete"] {
            sql.push_str(&format!("DROP TRIGGER IF EXISTS {table}_undo_{kind};\n"));
        }
        let columns = column_names(conn, table)?;
        let current = "(SELECT max(id) FROM changes)";
        sql.push_str(&format!(
            "CREATE TRIGGER {table}_undo_insert AFTER INSERT ON {table} BEGIN \
             INSERT INTO undo_log (change_id, sql, op, tbl, row_id) \
             VALUES ({current}, '', 'delete', '{table}', NEW.rowid); END;\n"
        ));
        let changed: Vec<String> = columns
            .iter()
            .map(|c| format!("SELECT '{c}' AS k, OLD.{c} AS v WHERE OLD.{c} IS NOT NEW.{c}"))
            .collect();
        sql.push_str(&format!(
            "CREATE TRIGGER {table}_undo_update AFTER UPDATE ON {table} BEGIN \
             INSERT INTO undo_log (change_id, sql, op, tbl, row_id, vals) \
             VALUES ({current}, '', 'update', '{table}', OLD.rowid, \
             (SELECT json_group_object(k, v) FROM ({}))); END;\n",
            changed.join(" UNION ALL ")
        ));
        let values: Vec<String> = columns.iter().map(|c| format!("'{c}', OLD.{c}")).collect();
        sql.push_str(&format!(
            "CREATE TRIGGER {table}_undo_delete AFTER DELETE ON {table} BEGIN \
             INSERT INTO undo_log (change_id, sql, op, tbl, row_id, vals) \
             VALUES ({current}, '', 'insert', '{table}', OLD.rowid, json_object({})); END;\n",
            values.join(", ")
        ));
    }
    Ok(sql)
}

/// The columns of a tracked table, for undo to check names against.
pub fn tracked_columns(conn: &Connection, table: &str) -> rusqlite::Result<Option<Vec<String>>> {
    match TRACKED_TABLES.iter().find(|t| **t == table) {
        Some(known) => column_names(conn, known).map(Some),
        None => Ok(None),
    }
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
