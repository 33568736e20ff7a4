//! Running the real binary on a temporary book, with a fixed clock and config.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Monday 23 November 2026, 14:20 in Berlin.
pub const NOW: &str = "2026-11-23T14:20:00+01:00";

pub struct Book {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub config: PathBuf,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Book {
    pub fn new() -> Book {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("book.sqlite");
        let config = dir.path().join("config.toml");
        std::fs::write(
            &config,
            "[coach]\nname = \"Sam Rivera\"\naddresses = [\"sam@example.org\"]\ntime_zone = \"Europe/Berlin\"\n",
        )
        .expect("config");
        Book { dir, db, config }
    }

    /// A book filled by `coachbook demo`.
    pub fn demo() -> Book {
        let book = Book::new();
        let run = book.run(&["demo"]);
        assert_eq!(run.code, 0, "demo failed: {}", run.stderr);
        book
    }

    pub fn command(&self, args: &[&str]) -> Command {
        self.command_on(&self.db, args)
    }

    /// The command on another book path.
    pub fn command_on(&self, db: &Path, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_coachbook"));
        command
            .args(args)
            .arg("--db")
            .arg(db)
            .env("COACHBOOK_NOW", NOW)
            .env("COACHBOOK_CONFIG", &self.config)
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env_remove("COACHBOOK_DB");
        command
    }

    pub fn run(&self, args: &[&str]) -> Run {
        finish(self.command(args).output().expect("runs"))
    }

    /// Run and insist on success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert_eq!(run.code, 0, "{args:?} failed: {}", run.stderr);
        run.stdout
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.ok(args);
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}): {out}"))
    }

    pub fn dump(&self) -> String {
        dump(&self.db)
    }
}

pub fn finish(output: Output) -> Run {
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Every row of every table, in order: equal dumps mean an unchanged book.
pub fn dump(db: &Path) -> String {
    dump_except(db, &[])
}

/// Like `dump`, leaving out some tables (undo adds to the change log, say).
pub fn dump_except(db: &Path, left_out: &[&str]) -> String {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open for dump");
    let mut out = String::new();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .expect("tables")
        .query_map([], |r| r.get::<_, String>(0))
        .expect("rows")
        .collect::<Result<Vec<_>, _>>()
        .expect("names")
        .into_iter()
        .filter(|t| !left_out.contains(&t.as_str()))
        .collect();
    for table in tables {
        out.push_str(&format!("[{table}]\n"));
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM \"{table}\" ORDER BY rowid"))
            .expect("select");
        let columns = stmt.column_count();
        let rows = stmt
            .query_map([], |row| {
                let mut line = Vec::new();
                for i in 0..columns {
                    let value: rusqlite::types::Value = row.get(i)?;
                    line.push(format!("{value:?}"));
                }
                Ok(line.join("|"))
            })
            .expect("rows");
        for row in rows {
            out.push_str(&row.expect("row"));
            out.push('\n');
        }
    }
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version");
    out.push_str(&format!("user_version={version}\n"));
    out
}
