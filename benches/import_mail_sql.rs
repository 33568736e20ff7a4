//! The SQL floor of a mail import: the rows an import wrote, inserted again
//! into the book as it was before the import, in one transaction, with
//! prepared statements, the book's pragmas and the undo triggers a
//! coachbook connection records with (`schema::recording_triggers`) firing.
//!
//! "The same rows" means: the change-log rows, the requests and the replies
//! the import added, in the state the import left them (a request answered
//! by an imported reply carries its `first_reply_at` and status already, so
//! the floor does no UPDATE), and the undo-log rows the triggers write for
//! them. The floor does not parse mail, look up senders or threads, check
//! Message-IDs, or commit once per batch of 500: that is the import's own
//! work, which the ratio measures.
//!
//! Run by `benches/import_mail.sh`, or by hand:
//! `IMPORT_BASE=before.sqlite IMPORT_RESULT=after.sqlite cargo bench --bench import_mail_sql`
//! (ROUNDS, default 10). Prints min / median / max milliseconds.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::Instant;

use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

/// The tables an import writes, in the order their rows can go in.
const TABLES: &[&str] = &["changes", "requests", "replies"];

fn max_id(conn: &Connection, table: &str) -> i64 {
    conn.query_row(
        &format!("SELECT coalesce(max(id), 0) FROM {table}"),
        [],
        |r| r.get(0),
    )
    .expect("max id")
}

/// The rows of `table` in `result` that `base` does not have.
fn added_rows(base: &Connection, result: &Connection, table: &str) -> (usize, Vec<Vec<Value>>) {
    let from = max_id(base, table);
    let mut stmt = result
        .prepare(&format!("SELECT * FROM {table} WHERE id > ?1 ORDER BY id"))
        .expect("select");
    let columns = stmt.column_count();
    let rows = stmt
        .query_map([from], |r| {
            (0..columns).map(|i| r.get::<_, Value>(i)).collect()
        })
        .expect("rows")
        .collect::<rusqlite::Result<Vec<Vec<Value>>>>()
        .expect("rows");
    (columns, rows)
}

fn main() {
    // The floor starts as coachbook does (its heap on huge pages).
    coachbook::heap::use_huge_pages(coachbook::heap::Heap::Command);
    let base_path = std::env::var("IMPORT_BASE").unwrap_or_default();
    let result_path = std::env::var("IMPORT_RESULT").unwrap_or_default();
    if base_path.is_empty() || result_path.is_empty() {
        eprintln!(
            "import_mail_sql: set IMPORT_BASE and IMPORT_RESULT (see benches/import_mail.sh); skipped"
        );
        return;
    }
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10);
    let base = Connection::open(&base_path).expect("base");
    let result = Connection::open(&result_path).expect("result");
    let data: Vec<(&str, usize, Vec<Vec<Value>>)> = TABLES
        .iter()
        .map(|table| {
            let (columns, rows) = added_rows(&base, &result, table);
            (*table, columns, rows)
        })
        .collect();
    drop(base);
    drop(result);
    let counts: Vec<String> = data
        .iter()
        .map(|(t, _, rows)| format!("{} {t}", rows.len()))
        .collect();
    println!("the same rows: {}", counts.join(", "));

    let dir = tempfile::tempdir().expect("temp dir");
    let mut times = Vec::new();
    for _ in 0..rounds {
        let copy = dir.path().join("floor.sqlite");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", copy.display()));
        }
        std::fs::copy(&base_path, &copy).expect("copy the base book");
        let mut conn = Connection::open(&copy).expect("open");
        // The book's own pragmas (Store::open).
        conn.pragma_update(None, "journal_mode", "WAL")
            .expect("wal");
        conn.pragma_update(None, "foreign_keys", "ON").expect("fk");
        conn.pragma_update(None, "synchronous", "FULL")
            .expect("sync");
        let triggers = coachbook::store::schema::recording_triggers(&conn).expect("triggers");
        conn.execute_batch(&triggers).expect("undo triggers");
        let started = Instant::now();
        let tx = conn.transaction().expect("begin");
        for (table, columns, rows) in &data {
            let marks: Vec<String> = (1..=*columns).map(|n| format!("?{n}")).collect();
            let mut stmt = tx
                .prepare(&format!(
                    "INSERT INTO {table} VALUES ({})",
                    marks.join(", ")
                ))
                .expect("insert");
            for row in rows {
                stmt.execute(params_from_iter(row.iter())).expect("row");
            }
        }
        tx.commit().expect("commit");
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        let undo: i64 = conn
            .query_row("SELECT count(*) FROM undo_log", [], |r| r.get(0))
            .expect("undo rows");
        assert!(undo > 0, "the undo triggers fired");
    }
    times.sort_by(f64::total_cmp);
    let median = times[(times.len() - 1) / 2];
    println!(
        "SQL floor, one transaction ({rounds} rounds): min {:.1} ms, median {median:.1} ms, max {:.1} ms",
        times[0],
        times[times.len() - 1]
    );
}
