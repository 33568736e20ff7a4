//! The book: one SQLite file holding the whole practice. This module owns the
//! connection, the migrations and every query; the rest of the program speaks
//! in domain types.
//!
//! Every change goes through [`Store::change`]: one `BEGIN IMMEDIATE`
//! transaction that first writes a row to the change log, so triggers can
//! record how to revert it (the connection's own TEMP triggers, made before
//! its first change: `schema::recording_triggers`), and undo is one step.

pub mod backup;
mod busy;
mod calendar_items;
mod clients;
mod dashboard_window;
mod followups;
mod mail_threads;
mod open_check;
mod partners;
mod requests;
mod review_rows;
mod risk_facts;
pub mod schema;
mod sessions;
mod undo;
mod verify;

use std::fs::OpenOptions;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};

pub use busy::{BusyBlock, BusyQueries, NewBusy};
pub use calendar_items::{
    CalendarItemQueries, KeyedBusy, KeyedSession, Provenance, SourceItem, VdirItem, VdirQueries,
    Version,
};
pub use clients::{ClientQueries, NewClient};
pub use dashboard_window::{AwaitingCounts, WindowQueries};
pub use followups::{FollowUpMark, FollowUpQueries, NewFollowUp};
pub use mail_threads::{MailThreadQueries, ThreadedRequest};
pub use open_check::{check_damaged, discard_unused_new_books, is_damaged};
pub use partners::PartnerQueries;
pub use requests::{
    DashboardRequests, NewReply, NewRequest, RequestFields, RequestFilter, RequestInserts,
    RequestQueries,
};
pub use review_rows::{FollowUpTally, ReviewQueries, ReviewRequests, ReviewRow, SessionTally};
pub use risk_facts::{RiskCounts, RiskCountsAsked, RiskFactQueries};
pub use sessions::{
    EMERGENCY_REASON, NewSession, Series, SessionMove, SessionQueries, recurrence_text,
};

use crate::error::BadInput;
use schema::{APPLICATION_ID, MIGRATIONS, latest_version};
use undo::UndoStep;

/// How long a writer waits for another process's transaction before giving
/// up. Transactions here last milliseconds, so this is generous.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Statements kept compiled per connection: every distinct statement of a
/// long change (a day's load, an import) fits, so none is compiled twice.
const STATEMENT_CACHE: usize = 128;

pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The day whose backup is due before the first change, if armed.
    daily_backup: Option<NaiveDate>,
    /// Changes commit without a disk flush until [`Store::end_deferred_sync`].
    sync_deferred: bool,
    /// Whether this connection's undo triggers are made (before its first
    /// change: a process that only reads never parses them).
    undo_triggers_made: bool,
}

/// Read access, shared by the store and by a change in progress. The raw
/// connection stays inside this module: reaching it takes a `StoreOnly`,
/// which nothing outside `store` can make, so every query lives here.
pub trait Queries {
    #[doc(hidden)]
    fn connection(&self, key: StoreOnly) -> &Connection;

    /// Whether any change in the log was made by `command` (e.g. "demo").
    fn has_change_by(&self, command: &str) -> Result<bool> {
        Ok(self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM changes WHERE command = ?1)",
            [command],
            |r| r.get(0),
        )?)
    }
}

/// The key to the raw connection; only the store can make one.
pub struct StoreOnly(());

/// The store's own way to the connection behind any `Queries`.
pub(in crate::store) trait Conn {
    fn conn(&self) -> &Connection;

    /// One row through the connection's statement cache: a query asked once
    /// per row of a pane or an import is compiled once, not every time.
    fn cached_row<T, P, F>(&self, sql: &str, params: P, row: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    {
        self.conn().prepare_cached(sql)?.query_row(params, row)
    }
}

impl<T: Queries + ?Sized> Conn for T {
    fn conn(&self) -> &Connection {
        self.connection(StoreOnly(()))
    }
}

impl Queries for Store {
    fn connection(&self, _: StoreOnly) -> &Connection {
        &self.conn
    }
}

/// Reads inside one read transaction (see [`Store::snapshot`]).
pub struct Snapshot<'a> {
    conn: &'a Connection,
}

impl Queries for Snapshot<'_> {
    fn connection(&self, _: StoreOnly) -> &Connection {
        self.conn
    }
}

/// A change in progress: write access inside one transaction.
pub struct Tx<'a> {
    conn: &'a Connection,
    pub change_id: i64,
    pub now: DateTime<Utc>,
}

impl Queries for Tx<'_> {
    fn connection(&self, _: StoreOnly) -> &Connection {
        self.conn
    }
}

impl Tx<'_> {
    /// Run one write through the connection's statement cache: a change of
    /// thousands of rows (an import, a generated book) compiles each
    /// statement, and the undo triggers it fires, once.
    fn run<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.conn.prepare_cached(sql)?.execute(params)
    }
}

/// One row of the change log.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub command: String,
    pub summary: String,
    pub undone: bool,
}

/// What an undo reverted, and whose client was already told of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Undone {
    pub change: Change,
    /// Sessions a delivered message was about: their client holds the undone
    /// version and should get a "please disregard" note.
    pub to_reassure: Vec<i64>,
    /// Clients who were sent a booking the undo removed (a crisis call):
    /// each gets a follow-up for the coach to tell them, and their names.
    pub told_of_removed: Vec<String>,
}

impl Store {
    /// Hands the text of every statement the store prepares from now on to
    /// `seen` (`None` stops): how `tests/query_plans.rs` finds every query
    /// the dashboard and the review run. The text is the SQL with its `?`
    /// placeholders, never a value from the book.
    #[doc(hidden)]
    pub fn trace_statements(&self, seen: Option<fn(&str)>) {
        use rusqlite::trace::{TraceEvent, TraceEventCodes};
        use std::sync::Mutex;
        static SEEN: Mutex<Option<fn(&str)>> = Mutex::new(None);
        fn forward(event: TraceEvent<'_>) {
            // Trigger programs come as "-- TRIGGER name": part of the
            // write that fired them.
            if let TraceEvent::Stmt(_, text) = event
                && !text.starts_with("--")
                && let Ok(slot) = SEEN.lock()
                && let Some(seen) = *slot
            {
                seen(text);
            }
        }
        if let Ok(mut slot) = SEEN.lock() {
            *slot = seen;
        }
        match seen {
            Some(_) => self
                .conn
                .trace_v2(TraceEventCodes::SQLITE_TRACE_STMT, Some(forward)),
            None => self.conn.trace_v2(TraceEventCodes::empty(), None),
        }
    }

    /// Open (or create) the book at `path`. Anything that is not a
    /// coachbook book (a folder, a FIFO, a device, a dangling symlink, a file
    /// that is not SQLite, another application's database, a book from a
    /// newer coachbook) is refused by what it is before SQLite opens it, and
    /// left byte for byte as it was; a damaged book is named as damaged.
    pub fn open(path: &Path) -> Result<Store> {
        let found = open_check::inspect(path)?;
        let new_book = match found {
            open_check::Found::Missing => {
                create_private_file(path)?;
                Some(open_check::NewBook::Missing)
            }
            open_check::Found::Empty { mode } => Some(open_check::NewBook::Empty { mode }),
            open_check::Found::Sqlite { .. } => None,
        };
        if let Some(new_book) = new_book {
            open_check::remember_new_book(path, new_book);
        }
        let ours = matches!(found, open_check::Found::Sqlite { ours: true });
        Store::open_found(path).map_err(|err| open_check::explain_open_failure(err, path, ours))
    }

    /// The part of [`Store::open`] that writes nothing, ahead of the rest:
    /// only for a book that is there and is coachbook's (anything else is
    /// `None`, and so is any failure: `Store::open` then opens as always and
    /// says what is wrong). The dashboard starts it before its command line
    /// is parsed (`tui::early`), so SQLite reads the book's schema while
    /// clap and the config are read; [`Opened::finish`] does the rest.
    /// Nothing is created, migrated or changed until then; dropped, the
    /// connection closes as any reader's does.
    pub fn open_without_writing(path: &Path) -> Option<Opened> {
        match open_check::inspect(path) {
            Ok(open_check::Found::Sqlite { ours: true }) => Store::connect(path).ok(),
            _ => None,
        }
    }

    fn open_found(path: &Path) -> Result<Store> {
        Store::connect(path)?.finish_found()
    }

    /// Connect and read the schema (the first statement parses it): checks
    /// only, no write.
    fn connect(path: &Path) -> Result<Opened> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("cannot open the book at {}", path.display()))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // Plans never read bound values (a `LIMIT ?`, a variable against a
        // partial index's condition): else SQLite marks the statement, and
        // every new value bound to it compiles the statement again at its
        // next step, a kept statement as a new one (the dashboard's requests
        // at every reload).
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        refuse_foreign_or_newer(&conn, path)?;
        Ok(Opened {
            conn,
            path: path.to_path_buf(),
        })
    }
}

/// A book connected and its schema read, nothing written yet
/// ([`Store::open_without_writing`]).
pub struct Opened {
    conn: Connection,
    path: PathBuf,
}

impl Opened {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The rest of [`Store::open`]: the book's settings, its migration (if
    /// its schema is older), its mode kept 0600. A failure is named as
    /// `Store::open` names it.
    pub fn finish(self) -> Result<Store> {
        let path = self.path.clone();
        self.finish_found()
            .map_err(|err| open_check::explain_open_failure(err, &path, true))
    }

    fn finish_found(self) -> Result<Store> {
        let Opened { conn, path } = self;
        conn.pragma_update(None, "journal_mode", "WAL")
            .with_context(|| format!("cannot write to the book at {}", path.display()))?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let mut store = Store {
            conn,
            path,
            daily_backup: None,
            sync_deferred: false,
            undo_triggers_made: false,
        };
        store
            .migrate()
            .with_context(|| format!("cannot prepare the book at {}", store.path.display()))?;
        // Keep the book private even if something loosened its mode.
        let _ = std::fs::set_permissions(&store.path, std::fs::Permissions::from_mode(0o600));
        Ok(store)
    }
}

impl Store {
    /// Leave the connection open until the process exits, for a command
    /// that has finished with the book and is about to exit: closing would
    /// free the parsed schema statement by statement and, as the last
    /// connection, remove the WAL files that the next open makes again.
    /// Every change is committed by then, and the exit releases the locks;
    /// the next open finds the files as after any exit. Only while the WAL
    /// holds nothing: what it holds (this process's changes, a migration's,
    /// another's) is checkpointed into the book by the close, or every
    /// later first open would read it all again to rebuild its index.
    pub fn leave_to_exit(self) {
        if std::fs::metadata(self.wal_path()).is_ok_and(|m| m.len() == 0) {
            std::mem::forget(self);
        }
    }

    /// Take today's backup before the first change this process makes (a
    /// command that only reads never copies the book).
    pub fn backup_before_first_change(&mut self, today: NaiveDate) {
        self.daily_backup = Some(today);
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The book's write-ahead log, next to it.
    fn wal_path(&self) -> PathBuf {
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        PathBuf::from(wal)
    }

    /// For a run of changes that make one piece of work (an import in
    /// batches): each change still commits whole, so a killed process
    /// leaves whole changes only, but the disk is flushed once, by
    /// [`Store::end_deferred_sync`], not once per change. Until then a power
    /// cut may lose the run's last changes, never part of one (SQLite's WAL
    /// with `synchronous = NORMAL`). Call `end_deferred_sync` whether the
    /// run succeeded or not.
    pub fn defer_sync(&mut self) -> Result<()> {
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        // The WAL may grow through the import (every page its batches
        // share is copied into the book once, not once per checkpoint);
        // it is checkpointed at the end.
        self.conn
            .pragma_update(None, "wal_autocheckpoint", 20_000)?;
        self.sync_deferred = true;
        Ok(())
    }

    /// Make every change since [`Store::defer_sync`] durable, as a
    /// `synchronous = FULL` commit would have, and flush each later change
    /// again. What those changes wrote is in the WAL file, or already in the
    /// book through a checkpoint (which flushes both): flushing the WAL file
    /// once covers them all.
    pub fn end_deferred_sync(&mut self) -> Result<()> {
        if !std::mem::take(&mut self.sync_deferred) {
            return Ok(());
        }
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        self.conn.pragma_update(None, "wal_autocheckpoint", 1_000)?;
        let wal = self.wal_path();
        match std::fs::File::open(&wal) {
            Ok(file) => file
                .sync_data()
                .with_context(|| format!("cannot flush the book's journal {}", wal.display())),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(err)
                .with_context(|| format!("cannot flush the book's journal {}", wal.display())),
        }
    }

    fn migrate(&mut self) -> Result<()> {
        // The common case, an up-to-date book, writes nothing at all.
        if self.schema_version()? == latest_version() {
            return Ok(());
        }
        // A step may rebuild a table others refer to (SQLite cannot change
        // a CHECK): foreign keys are off while the steps run (the pragma is
        // a no-op inside a transaction) and checked before the commit.
        self.conn.pragma_update(None, "foreign_keys", "OFF")?;
        let result = self.run_migrations();
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        result
    }

    fn run_migrations(&mut self) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        open_check::refuse_version(&self.path, version)?;
        for (index, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(migration.sql)?;
            if let Some(generate) = migration.generated {
                let sql = generate(&tx)?;
                tx.execute_batch(&sql)?;
            }
            tx.pragma_update(None, "user_version", index as i64 + 1)?;
        }
        let broken: Option<String> = tx
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .optional()?;
        if let Some(table) = broken {
            return Err(anyhow::anyhow!(
                "the book's references in {table} do not hold; it was left as it was"
            ));
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
        Ok(())
    }

    /// The schema version of the open book.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Run `read` inside one read transaction: every query in it sees the
    /// book as it was when the first one ran, even if another coachbook
    /// commits meanwhile (a dashboard's panes and counts agree with each
    /// other), and the book is locked and checked for changes once instead
    /// of once per query. Nothing is written: the transaction ends with a
    /// rollback, whether `read` succeeds or fails.
    pub fn snapshot<T>(&self, read: impl FnOnce(&Snapshot<'_>) -> Result<T>) -> Result<T> {
        let tx = self.conn.unchecked_transaction()?;
        let result = read(&Snapshot { conn: &tx });
        tx.rollback()?;
        result
    }

    /// Changes whenever another connection commits: the dashboard polls it.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .pragma_query_value(None, "data_version", |r| r.get(0))?)
    }

    /// Run `apply` as one change of the book: all of it or nothing.
    pub fn change<T>(
        &mut self,
        command: &str,
        summary: &str,
        now: DateTime<Utc>,
        apply: impl FnOnce(&Tx) -> Result<T>,
    ) -> Result<T> {
        if let Some(today) = self.daily_backup.take()
            && let Err(err) = backup::daily(&self.path, today)
        {
            crate::log::line(&format!(
                "daily backup failed: {}",
                crate::error::one_line(&err)
            ));
        }
        self.record_undo()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO changes (at, command, summary) VALUES (?1, ?2, ?3)",
            (ts(now), command, summary),
        )?;
        let change = Tx {
            change_id: tx.last_insert_rowid(),
            conn: &tx,
            now,
        };
        let out = apply(&change)?;
        tx.commit()?;
        open_check::book_changed(&self.path);
        Ok(out)
    }

    /// Make this connection's undo triggers, once, before its first change
    /// (see [`schema::recording_triggers`]): every row a change touches is
    /// then recorded in the undo log inside the change's own transaction.
    fn record_undo(&mut self) -> Result<()> {
        if !self.undo_triggers_made {
            let sql = schema::recording_triggers(&self.conn)?;
            self.conn
                .execute_batch(&sql)
                .context("cannot prepare the undo log")?;
            self.undo_triggers_made = true;
        }
        Ok(())
    }

    /// Like [`Store::change`], but a change that touched no row (besides its
    /// own log entry) is rolled back: the book stays byte-identical and the
    /// change log gets no empty row. For imports and syncs run again.
    pub fn change_if_any<T>(
        &mut self,
        command: &str,
        summary: &str,
        now: DateTime<Utc>,
        apply: impl FnOnce(&Tx) -> Result<T>,
    ) -> Result<T> {
        self.record_undo()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO changes (at, command, summary) VALUES (?1, ?2, ?3)",
            (ts(now), command, summary),
        )?;
        let before = tx.total_changes();
        let change = Tx {
            change_id: tx.last_insert_rowid(),
            conn: &tx,
            now,
        };
        let out = apply(&change)?;
        if tx.total_changes() == before {
            tx.rollback()?;
        } else {
            tx.commit()?;
        }
        Ok(out)
    }

    /// Revert change `id` in one step; returns what was undone.
    pub fn undo(&mut self, id: i64, now: DateTime<Utc>) -> Result<Change> {
        Ok(self.undo_truthfully(id, now)?.change)
    }

    /// Revert change `id`, without rewinding what a client already holds:
    /// a reply that went out (sent, in the outbox, or given in person) stays
    /// recorded; a session's calendar SEQUENCE never goes down or repeats
    /// (it rises past the last one sent). Returns the sessions whose client
    /// was told of the change and now needs a "please disregard" note.
    pub fn undo_truthfully(&mut self, id: i64, now: DateTime<Utc>) -> Result<Undone> {
        let change = self
            .change_by_id(id)?
            .ok_or_else(|| BadInput(format!("there is no change {id} to undo")))?;
        if change.undone {
            return Err(BadInput(format!(
                "change {id} ({}) was already undone",
                change.summary
            ))
            .into());
        }
        let summary = format!("undo: {}", change.summary);
        let to_reassure = self.change("undo", &summary, now, |tx| {
            let steps: Vec<UndoStep> = {
                let mut stmt = tx.conn.prepare(
                    "SELECT id, op, tbl, row_id, vals FROM undo_log WHERE change_id = ?1 ORDER BY id DESC",
                )?;
                stmt.query_map([id], |r| {
                    Ok(UndoStep {
                        id: r.get(0)?,
                        op: r.get(1)?,
                        table: r.get(2)?,
                        row_id: r.get(3)?,
                        values: r.get(4)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?
            };
            // Rows of `table` the change inserted (`delete` undoes them) or
            // updated.
            let rows = |op: &str, table: &str| -> Vec<i64> {
                steps
                    .iter()
                    .filter(|s| s.op.as_deref() == Some(op) && s.table.as_deref() == Some(table))
                    .filter_map(|s| s.row_id)
                    .collect()
            };
            let inserted_replies = rows("delete", "replies");
            let inserted_sessions = rows("delete", "sessions");
            let inserted_requests = rows("delete", "requests");
            let updated_sessions = rows("update", "sessions");
            let updated_requests = rows("update", "requests");
            // Replies that reached someone are facts: they stay.
            let mut kept: Vec<(i64, Option<i64>, Option<i64>)> = Vec::new();
            for reply in &inserted_replies {
                let row: Option<(String, Option<i64>, Option<i64>)> = tx
                    .conn
                    .query_row(
                        "SELECT delivery, session_id, request_id FROM replies WHERE id = ?1",
                        [reply],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .optional()?;
                if let Some((delivery, session, request)) = row
                    && delivery != "failed"
                {
                    kept.push((*reply, session, request));
                }
            }
            let sequences: Vec<(i64, i64)> = updated_sessions
                .iter()
                .filter_map(|s| {
                    tx.conn
                        .query_row(
                            "SELECT ical_sequence FROM sessions WHERE id = ?1",
                            [s],
                            |r| r.get(0),
                        )
                        .ok()
                        .map(|seq| (*s, seq))
                })
                .collect();
            // Whoever was sent a booking the undo removes (the crisis call)
            // still holds its invitation: the coach is reminded to tell them.
            let mut told_of_removed: Vec<(i64, String)> = Vec::new();
            for (_, session, _) in &kept {
                if let Some(session) = session.filter(|s| inserted_sessions.contains(s)) {
                    let who: Option<(i64, String)> = tx
                        .conn
                        .query_row(
                            "SELECT c.id, c.name FROM sessions s JOIN clients c ON c.id = s.client_id \
                             WHERE s.id = ?1",
                            [session],
                            |r| Ok((r.get(0)?, r.get(1)?)),
                        )
                        .optional()?;
                    if let Some(who) = who.filter(|w| !told_of_removed.contains(w)) {
                        told_of_removed.push(who);
                    }
                }
            }
            // A kept reply about a row the undo removes loses that link only.
            for (reply, session, request) in &kept {
                if session.is_some_and(|s| inserted_sessions.contains(&s)) {
                    tx.conn.execute(
                        "UPDATE replies SET session_id = NULL WHERE id = ?1",
                        [reply],
                    )?;
                }
                if request.is_some_and(|r| inserted_requests.contains(&r)) {
                    tx.conn.execute(
                        "UPDATE replies SET request_id = NULL WHERE id = ?1",
                        [reply],
                    )?;
                }
            }
            for step in &steps {
                let keeps = step.op.as_deref() == Some("delete")
                    && step.table.as_deref() == Some("replies")
                    && kept.iter().any(|(reply, _, _)| Some(*reply) == step.row_id);
                if keeps {
                    continue;
                }
                undo::revert(tx.conn, step).map_err(|reason| {
                    BadInput(format!(
                        "change {id} cannot be undone: undo log row {} {reason}",
                        step.id
                    ))
                })?;
            }
            for (session, sequence) in &sequences {
                tx.conn.execute(
                    "UPDATE sessions SET ical_sequence = ?1 WHERE id = ?2 AND ical_sequence <= ?1",
                    (sequence + 1, session),
                )?;
            }
            let mut requests: Vec<i64> = updated_requests;
            requests.extend(kept.iter().filter_map(|(_, _, r)| *r));
            requests.retain(|r| !inserted_requests.contains(r));
            requests.sort_unstable();
            requests.dedup();
            for request in requests {
                tx.refresh_answer(request)?;
            }
            tx.conn.execute(
                "UPDATE changes SET undone_at = ?1 WHERE id = ?2",
                (ts(tx.now), id),
            )?;
            tx.conn.execute(
                "UPDATE changes SET undoes = ?1 WHERE id = ?2",
                (id, tx.change_id),
            )?;
            let mut told: Vec<i64> = kept
                .iter()
                .filter_map(|(_, session, _)| *session)
                .filter(|s| updated_sessions.contains(s))
                .collect();
            told.sort_unstable();
            told.dedup();
            for (client_id, name) in &told_of_removed {
                tx.add_followup(&NewFollowUp {
                    client_id: *client_id,
                    request_id: None,
                    due: tx.now,
                    text: format!(
                        "Tell {name} the call booked for them was undone: they hold its invitation"
                    ),
                    owner: crate::model::Owner::Coach,
                    kind: crate::model::FollowUpKind::Promise,
                    made_by_reply: None,
                    callback: false,
                })?;
            }
            Ok((told, told_of_removed.into_iter().map(|(_, n)| n).collect()))
        })?;
        let (to_reassure, told_of_removed) = to_reassure;
        Ok(Undone {
            change,
            to_reassure,
            told_of_removed,
        })
    }

    /// The latest change that can be undone (not an undo, not yet undone,
    /// not a delivery record).
    pub fn last_undoable_change(&self) -> Result<Option<Change>> {
        let id: Option<i64> = self
            .conn
            .query_row(
                "SELECT max(id) FROM changes WHERE undone_at IS NULL AND command != 'undo' \
                 AND command != 'deliver'",
                [],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        match id {
            Some(id) => self.change_by_id(id),
            None => Ok(None),
        }
    }

    pub fn change_by_id(&self, id: i64) -> Result<Option<Change>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, at, command, summary, undone_at IS NOT NULL FROM changes WHERE id = ?1",
                [id],
                |r| {
                    Ok(Change {
                        id: r.get(0)?,
                        at: read_ts(r, 1)?,
                        command: r.get(2)?,
                        summary: r.get(3)?,
                        undone: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    /// The latest changes, newest first.
    pub fn recent_changes(&self, limit: i64) -> Result<Vec<Change>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, at, command, summary, undone_at IS NOT NULL FROM changes ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt
            .query_map([limit], |r| {
                Ok(Change {
                    id: r.get(0)?,
                    at: read_ts(r, 1)?,
                    command: r.get(2)?,
                    summary: r.get(3)?,
                    undone: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// SQLite's own checks plus the book's: problems found, empty when healthy.
    pub fn check(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        for line in stmt.query_map([], |r| r.get::<_, String>(0))? {
            let line = line?;
            if line != "ok" {
                problems.push(format!("integrity: {line}"));
            }
        }
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
            let (table, rowid) = row?;
            problems.push(format!("{table} row {rowid} points at a missing row"));
        }
        problems.extend(verify::stored_values(&self.conn)?);
        let version = self.schema_version()?;
        if version != latest_version() {
            problems.push(format!(
                "schema version {version}, expected {}",
                latest_version()
            ));
        }
        Ok(problems)
    }

    /// Copy the whole book, consistently and verified, to `dest` (mode 0600).
    pub fn backup_to(&self, dest: &Path, existing: crate::files::Existing) -> Result<()> {
        backup::copy_book(&self.conn, dest, existing)
    }
}

fn refuse_foreign_or_newer(conn: &Connection, path: &Path) -> Result<()> {
    // SQLite errors pass through as they are: `open_check` tells damage
    // from other failures.
    let app_id: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let objects: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
    if app_id != APPLICATION_ID && (app_id != 0 || objects > 0) {
        return Err(open_check::foreign(path).into());
    }
    open_check::refuse_version(path, version)?;
    Ok(())
}

/// Create the book file 0600, in a folder made 0700 when we make it.
fn create_private_file(path: &Path) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.exists()
    {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(parent)
            .with_context(|| format!("cannot create the folder {}", parent.display()))?;
    }
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create the book at {}", path.display()))?;
    Ok(())
}

use std::os::unix::fs::DirBuilderExt as _;

/// Instants are stored as UTC text that sorts as it reads: `2026-11-23T13:00:00Z`.
pub fn ts(at: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    let year = at.year();
    if !(0..=9999).contains(&year) {
        // chrono writes a sign and more digits out there.
        return at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    }
    // The same text as the format above, written without parsing it for
    // every instant (each imported message stores three).
    let mut out = String::with_capacity(20);
    let digits = |out: &mut String, value: u32, width: u32| {
        for place in (0..width).rev() {
            let digit = value / 10u32.pow(place) % 10;
            out.push(char::from(b'0' + digit as u8));
        }
    };
    digits(&mut out, year.unsigned_abs(), 4);
    out.push('-');
    digits(&mut out, at.month(), 2);
    out.push('-');
    digits(&mut out, at.day(), 2);
    out.push('T');
    digits(&mut out, at.hour(), 2);
    out.push(':');
    digits(&mut out, at.minute(), 2);
    out.push(':');
    // A leap second (nanosecond past 10^9) shows as second 60, as chrono's %S does.
    digits(&mut out, at.second() + at.nanosecond() / 1_000_000_000, 2);
    out.push('Z');
    out
}

/// A stored instant: the form [`ts`] writes read digit by digit, anything
/// else by the RFC 3339 parser; `None` when it does not parse or lies outside the
/// accepted years (so no later date arithmetic on it can overflow).
pub(crate) fn parse_ts(text: &str) -> Option<DateTime<Utc>> {
    canonical_instant(text.as_bytes()).or_else(|| {
        let at = DateTime::parse_from_rfc3339(text).ok()?.with_timezone(&Utc);
        crate::domain::bounds::instant(at).ok()
    })
}

/// The store's own form (`2026-11-23T13:20:00Z`: ASCII digits and
/// separators only, so never a question of UTF-8) in the accepted years,
/// or None.
pub(super) fn canonical_instant(b: &[u8]) -> Option<DateTime<Utc>> {
    let (date, time) = split_instant(b)?;
    Some(NaiveDateTime::new(canonical_date(date)?, canonical_time(time)?).and_utc())
}

/// `YYYY-MM-DD` and `Thh:mm:ssZ` of a 20-byte text.
pub(super) fn split_instant(b: &[u8]) -> Option<([u8; 10], [u8; 10])> {
    let (date, time) = b.split_at_checked(10)?;
    Some((date.try_into().ok()?, time.try_into().ok()?))
}

fn digit(c: u8) -> Option<u32> {
    c.is_ascii_digit().then(|| u32::from(c - b'0'))
}

/// `YYYY-MM-DD`, a real day in the years coachbook accepts.
pub(super) fn canonical_date(text: [u8; 10]) -> Option<NaiveDate> {
    let [y1, y2, y3, y4, dash1, mo1, mo2, dash2, d1, d2] = text;
    if dash1 != b'-' || dash2 != b'-' {
        return None;
    }
    let year = ((digit(y1)? * 10 + digit(y2)?) * 10 + digit(y3)?) * 10 + digit(y4)?;
    let year = i32::try_from(year).ok()?;
    if !(crate::domain::bounds::FIRST_YEAR..=crate::domain::bounds::LAST_YEAR).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(
        year,
        digit(mo1)? * 10 + digit(mo2)?,
        digit(d1)? * 10 + digit(d2)?,
    )
}

/// `Thh:mm:ssZ`, a time of day; a leap second (`:60`) is None: it goes to
/// the RFC 3339 parser, which knows what to do.
pub(super) fn canonical_time(text: [u8; 10]) -> Option<NaiveTime> {
    let [t, h1, h2, colon1, mi1, mi2, colon2, s1, s2, z] = text;
    if t != b'T' || colon1 != b':' || colon2 != b':' || z != b'Z' {
        return None;
    }
    let second = digit(s1)? * 10 + digit(s2)?;
    if second >= 60 {
        return None;
    }
    NaiveTime::from_hms_opt(
        digit(h1)? * 10 + digit(h2)?,
        digit(mi1)? * 10 + digit(mi2)?,
        second,
    )
}

/// A stored session length, inside its bounds.
pub(crate) fn read_minutes(row: &rusqlite::Row, index: usize) -> rusqlite::Result<i64> {
    let minutes: i64 = row.get(index)?;
    crate::domain::bounds::session_minutes(minutes)
        .map_err(|_| bad_column(index, &minutes.to_string()))
}

pub(crate) fn read_ts(row: &rusqlite::Row, index: usize) -> rusqlite::Result<DateTime<Utc>> {
    // The store's own form, read from SQLite's bytes (no UTF-8 check:
    // it is ASCII or not this form); anything else as `parse_ts` reads it.
    if let rusqlite::types::ValueRef::Text(bytes) = row.get_ref(index)?
        && let Some(at) = canonical_instant(bytes)
    {
        return Ok(at);
    }
    let text = text_at(row, index)?;
    parse_ts(text).ok_or_else(|| bad_column(index, text))
}

pub(crate) fn read_opt_ts(
    row: &rusqlite::Row,
    index: usize,
) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let text = match row.get_ref(index)? {
        rusqlite::types::ValueRef::Null => None,
        // As `read_ts`: the store's own form straight from the bytes.
        rusqlite::types::ValueRef::Text(bytes) if let Some(at) = canonical_instant(bytes) => {
            return Ok(Some(at));
        }
        _ => Some(text_at(row, index)?),
    };
    text.map(|t| parse_ts(t).ok_or_else(|| bad_column(index, t)))
        .transpose()
}

/// A text column borrowed from SQLite's row: reading a word or an instant
/// allocates nothing. Anything but text fails as reading a `String` would.
fn text_at<'r>(row: &'r rusqlite::Row, index: usize) -> rusqlite::Result<&'r str> {
    let value = row.get_ref(index)?;
    match value.as_str() {
        Ok(text) => Ok(text),
        Err(err) => match row.get::<_, String>(index) {
            Err(same) => Err(same),
            Ok(_) => Err(rusqlite::Error::FromSqlConversionFailure(
                index,
                value.data_type(),
                Box::new(err),
            )),
        },
    }
}

/// Read a stored word into its enum: the book's own spelling (every row
/// it writes) is matched on SQLite's bytes, without a UTF-8 check or a
/// copy; anything else goes through `parse`, as typed words do.
pub(crate) fn read_word<T: crate::model::StoredWord>(
    row: &rusqlite::Row,
    index: usize,
    parse: impl Fn(&str) -> Result<T, BadInput>,
) -> rusqlite::Result<T> {
    if let rusqlite::types::ValueRef::Text(bytes) = row.get_ref(index)?
        && let Some(word) = T::WORDS.iter().find(|w| w.spelling().as_bytes() == bytes)
    {
        return Ok(*word);
    }
    let text = text_at(row, index)?;
    parse(text).map_err(|_| bad_column(index, text))
}

pub(crate) fn read_tz(row: &rusqlite::Row, index: usize) -> rusqlite::Result<chrono_tz::Tz> {
    let text: String = row.get(index)?;
    text.parse().map_err(|_| bad_column(index, &text))
}

/// A stored value the program cannot use (a damaged or hand-edited row).
/// Its message is the whole line the coach sees, so it names the way out;
/// like any value from outside that is out of bounds, it is bad input
/// (exit code 2).
fn bad_column(index: usize, text: &str) -> rusqlite::Error {
    // Without a column index, rusqlite shows the message alone.
    rusqlite::Error::FromSqlConversionFailure(
        usize::MAX,
        rusqlite::types::Type::Text,
        Box::new(BadInput(format!(
            "the book holds a value coachbook cannot read, {} (column {index}); run 'coachbook check' to find the row",
            crate::text::quoted(text)
        ))),
    )
}

#[cfg(test)]
mod tests;
