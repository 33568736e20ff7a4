//! Files coachbook writes never destroy data, and opening a book says what
//! is wrong with it: each refusal through the real binary, one line, the
//! right exit code, every file byte for byte as it was.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Book, Run, dump};

fn small_book() -> Book {
    let book = Book::new();
    book.ok(&[
        "client",
        "add",
        "Amara Okafor",
        "--email",
        "amara@example.org",
    ]);
    book.ok(&["session", "add", "Amara", "2026-11-25 10:00"]);
    book
}

fn refused(run: &Run, code: i32, says: &str) {
    assert_eq!(run.code, code, "exit code: {}", run.stderr);
    assert_eq!(
        run.stderr.trim_end().lines().count(),
        1,
        "one line: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains(says),
        "expected '{says}' in: {}",
        run.stderr
    );
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("read")
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn export_and_backup_refuse_an_existing_file_unless_forced() {
    let book = small_book();
    let out = book.dir.path().join("sessions.ics");
    std::fs::write(&out, "my own calendar\n").expect("write");
    for args in [vec!["export", "ics", "--out"], vec!["backup", "--out"]] {
        let mut args: Vec<&str> = args;
        let out_text = out.to_string_lossy().into_owned();
        args.push(&out_text);
        let run = book.run(&args);
        refused(&run, 2, "exists already; add --force");
        assert_eq!(bytes(&out), b"my own calendar\n");
    }
    book.ok(&["export", "ics", "--out", &out.to_string_lossy(), "--force"]);
    let ics = String::from_utf8(bytes(&out)).expect("text");
    assert!(ics.starts_with("BEGIN:VCALENDAR"), "{ics}");
    let mode = std::fs::metadata(&out).expect("meta").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    book.ok(&["backup", "--out", &out.to_string_lossy(), "--force"]);
    assert!(bytes(&out).starts_with(b"SQLite format 3\0"));
    let mode = std::fs::metadata(&out).expect("meta").permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "a backup is private");
    assert!(
        !names_in(book.dir.path())
            .iter()
            .any(|n| n.contains("coachbook-tmp")),
        "no temporary file is left: {:?}",
        names_in(book.dir.path())
    );
}

#[test]
fn the_book_and_its_journal_are_refused_by_any_spelling_even_with_force() {
    let book = small_book();
    let dir = book.dir.path();
    std::fs::create_dir(dir.join("sub")).expect("dir");
    std::os::unix::fs::symlink(&book.db, dir.join("link.ics")).expect("symlink");
    // Keep a -wal around while the dump is taken, to compare against.
    let before = dump(&book.db);
    let book_bytes = bytes(&book.db);
    let spellings = [
        book.db.clone(),
        dir.join("sub/../book.sqlite"),
        dir.join("./book.sqlite"),
        dir.join("link.ics"),
        dir.join("book.sqlite-wal"),
        dir.join("book.sqlite-shm"),
    ];
    for target in &spellings {
        let target = target.to_string_lossy().into_owned();
        for args in [
            vec!["export", "ics", "--out", &target, "--force"],
            vec!["backup", "--out", &target, "--force"],
            vec!["export", "ics", "--out", &target],
        ] {
            let run = book.run(&args);
            refused(&run, 2, "is the book itself");
        }
    }
    assert_eq!(bytes(&book.db), book_bytes);
    assert_eq!(dump(&book.db), before);
}

#[test]
fn backups_are_verified_named_after_the_book_and_taken_by_the_first_write_of_the_day() {
    let book = Book::new();
    let other_db = book.dir.path().join("work.sqlite");
    let backups = book.dir.path().join("backups");
    // A command that only reads takes no backup.
    book.ok(&["client", "list"]);
    assert!(!backups.join("book-2026-11-23.sqlite").exists());
    // What a failed backup of an older version left: an empty file. It
    // counts for nothing and does not stop today's backup.
    std::fs::create_dir_all(&backups).expect("folder");
    std::fs::write(backups.join("book-2026-11-23.sqlite"), b"").expect("empty");
    book.ok(&["client", "add", "Amara Okafor"]);
    let daily = backups.join("book-2026-11-23.sqlite");
    assert!(
        bytes(&daily).starts_with(b"SQLite format 3\0"),
        "today's backup was taken"
    );
    // The second write of the day leaves it alone.
    let first = bytes(&daily);
    book.ok(&["client", "add", "Chen Wei"]);
    assert_eq!(bytes(&daily), first);
    // A second book in the same folder gets its own backup.
    let run = common::finish(
        book.command_on(&other_db, &["client", "add", "Dana Kim"])
            .output()
            .expect("runs"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        backups.join("work-2026-11-23.sqlite").exists(),
        "{:?}",
        names_in(&backups)
    );
    // Fourteen whole backups are kept; an empty one never counts among them.
    for day in 1..=20 {
        let name = format!("book-2026-10-{day:02}.sqlite");
        if day % 5 == 0 {
            std::fs::write(backups.join(&name), b"").expect("empty");
        } else {
            std::fs::copy(&daily, backups.join(&name)).expect("copy");
        }
    }
    std::fs::remove_file(&daily).expect("remove");
    book.ok(&["client", "add", "Eli Moss"]);
    let whole: Vec<String> = names_in(&backups)
        .into_iter()
        .filter(|n| n.starts_with("book-") && !bytes(&backups.join(n)).is_empty())
        .collect();
    assert_eq!(whole.len(), 14, "{whole:?}");
    assert!(whole.contains(&"book-2026-11-23.sqlite".to_string()));
    assert!(
        !whole.contains(&"book-2026-10-01.sqlite".to_string()),
        "the oldest went"
    );
}

/// Run with a deadline: a FIFO as the book must not hang the command.
fn run_within(book: &Book, db: &Path, args: &[&str], limit: Duration) -> Run {
    let mut child = book
        .command_on(db, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return common::finish(child.wait_with_output().expect("output"));
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} on {} hung", db.display());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn what_is_not_a_regular_file_is_refused_by_kind_before_any_open() {
    let book = Book::new();
    let dir = book.dir.path();
    let fifo = dir.join("book.fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(
        made.is_ok_and(|s| s.success()),
        "mkfifo is needed for this test"
    );
    let dangling = dir.join("dangling.sqlite");
    std::os::unix::fs::symlink(dir.join("nowhere/book.sqlite"), &dangling).expect("symlink");
    let folder = dir.join("folder.sqlite");
    std::fs::create_dir(&folder).expect("dir");
    let cases: [(PathBuf, &str); 4] = [
        (fifo.clone(), "is a named pipe (FIFO), not a book file"),
        (
            PathBuf::from("/dev/null"),
            "is a character device, not a book file",
        ),
        (dangling.clone(), "is a symbolic link to"),
        (folder.clone(), "is a directory, not a book file"),
    ];
    for (path, says) in &cases {
        for args in [&["today"][..], &["client", "add", "Ada"][..]] {
            let run = run_within(&book, path, args, Duration::from_secs(10));
            refused(&run, 2, says);
        }
    }
    assert!(std::fs::symlink_metadata(&fifo).is_ok());
    assert!(
        !dir.join("nowhere").exists(),
        "nothing was created behind the link"
    );
    assert!(names_in(&folder).is_empty());
}

#[test]
fn a_read_only_book_or_folder_is_named_as_such() {
    let book = small_book();
    let before = bytes(&book.db);
    std::fs::set_permissions(&book.db, std::fs::Permissions::from_mode(0o400)).expect("chmod");
    let run = book.run(&["client", "add", "Ada"]);
    refused(&run, 1, "is read-only (mode 400)");
    assert_eq!(bytes(&book.db), before);
    std::fs::set_permissions(&book.db, std::fs::Permissions::from_mode(0o600)).expect("chmod");

    let folder = book.dir.path().join("locked");
    std::fs::create_dir(&folder).expect("dir");
    let inner = folder.join("book.sqlite");
    std::fs::copy(&book.db, &inner).expect("copy");
    let inner_before = bytes(&inner);
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o500)).expect("chmod");
    let run = common::finish(book.command_on(&inner, &["today"]).output().expect("runs"));
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    refused(&run, 1, "is read-only; coachbook keeps the book's journal");
    assert_eq!(bytes(&inner), inner_before);
    assert_eq!(names_in(&folder), vec!["book.sqlite".to_string()]);
}

#[test]
fn a_damaged_book_is_told_apart_from_other_files() {
    let book = small_book();
    book.ok(&["client", "add", "Chen Wei"]); // takes today's backup
    // Check the book back into one file, then damage its first page's tree.
    {
        let conn = rusqlite::Connection::open(&book.db).expect("open");
        conn.pragma_update(None, "journal_mode", "DELETE")
            .expect("no wal");
    }
    let mut damaged = bytes(&book.db);
    for byte in damaged.iter_mut().skip(100).take(400) {
        *byte = 0xA5;
    }
    std::fs::write(&book.db, &damaged).expect("damage");
    for args in [&["today"][..], &["client", "add", "Ada"][..]] {
        let run = book.run(args);
        refused(&run, 1, "is damaged");
        assert!(run.stderr.contains("`coachbook check`"), "{}", run.stderr);
        assert!(
            run.stderr.contains("the newest backup is ")
                && run.stderr.contains("book-2026-11-23.sqlite"),
            "{}",
            run.stderr
        );
        assert_eq!(bytes(&book.db), damaged);
    }
    let run = book.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("integrity"),
        "check says what is wrong: {}",
        run.stdout
    );
    assert_eq!(bytes(&book.db), damaged);

    // Another program's database, and a file that is not SQLite at all.
    let other = Book::new();
    {
        let conn = rusqlite::Connection::open(&other.db).expect("open");
        conn.execute_batch("PRAGMA application_id = 7; CREATE TABLE photos (path TEXT);")
            .expect("schema");
    }
    let before = bytes(&other.db);
    refused(
        &other.run(&["today"]),
        2,
        "another application's SQLite database",
    );
    assert_eq!(bytes(&other.db), before);
    std::fs::write(&other.db, b"not a database at all, just text\n").expect("write");
    refused(&other.run(&["today"]), 2, "not a SQLite file");
    assert_eq!(bytes(&other.db), b"not a database at all, just text\n");
}

#[test]
fn a_refused_command_never_turns_an_empty_or_missing_file_into_a_book() {
    let book = Book::new();
    std::fs::write(&book.db, b"").expect("empty");
    std::fs::set_permissions(&book.db, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    for args in [
        &["client", "show", "Nobody"][..],
        &["request", "add", "Nobody", "hello"][..],
        &["session", "add", "Nobody", "tomorrow 10:00"][..],
    ] {
        let run = book.run(args);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert_eq!(bytes(&book.db), b"", "{args:?} left the empty file empty");
        let mode = std::fs::metadata(&book.db)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644, "and its mode as it was");
        let journal: Vec<String> = names_in(book.dir.path())
            .into_iter()
            .filter(|n| n.starts_with("book.sqlite-") || n == "backups")
            .collect();
        assert!(journal.is_empty(), "{journal:?}");
    }
    std::fs::remove_file(&book.db).expect("remove");
    let run = book.run(&["client", "show", "Nobody"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!book.db.exists(), "a refused command creates no book");
    // A command that succeeds makes the book as before.
    book.ok(&["client", "add", "Ada Ng"]);
    assert!(bytes(&book.db).starts_with(b"SQLite format 3\0"));
}

#[test]
fn an_unknown_or_negative_schema_version_is_refused_untouched() {
    for version in [-1, 999] {
        let book = small_book();
        {
            let conn = rusqlite::Connection::open(&book.db).expect("open");
            conn.pragma_update(None, "user_version", version)
                .expect("set");
        }
        let before = bytes(&book.db);
        let run = book.run(&["client", "add", "Ada"]);
        let says = if version < 0 {
            "unknown schema version (-1)"
        } else {
            "newer coachbook"
        };
        refused(&run, 2, says);
        assert_eq!(bytes(&book.db), before);
    }
}

/// A vCard file of `count` cards, each with its own name and address.
fn vcards(count: usize) -> String {
    let mut text = String::new();
    for n in 0..count {
        text.push_str(&format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Client {n}\r\nEMAIL:client{n}@example.org\r\nTEL:+49 30 {n}\r\nEND:VCARD\r\n"
        ));
    }
    text
}

#[test]
fn a_big_contacts_import_lets_another_process_write_meanwhile() {
    let book = Book::new();
    book.ok(&["client", "add", "Amara Okafor"]);
    let cards = book.dir.path().join("contacts.vcf");
    std::fs::write(&cards, vcards(5000)).expect("write");
    let import = book
        .command(&["import", "contacts", &cards.to_string_lossy(), "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut writes = 0;
    let mut failures = Vec::new();
    let started = Instant::now();
    while writes < 10 && started.elapsed() < Duration::from_secs(60) {
        let run = book.run(&["request", "add", "Amara", &format!("call {writes}")]);
        if run.code != 0 {
            failures.push(run.stderr);
        }
        writes += 1;
    }
    let import = common::finish(import.wait_with_output().expect("import"));
    assert_eq!(import.code, 0, "{}", import.stderr);
    assert!(
        failures.is_empty(),
        "a concurrent write failed: {failures:?}"
    );
    let summary: serde_json::Value = serde_json::from_str(&import.stdout).expect("json");
    assert_eq!(summary["imported"], 5000);
    // A second import of the same file finds every card already there.
    let again = book.json(&["import", "contacts", &cards.to_string_lossy(), "--json"]);
    assert_eq!(again["duplicates"], 5000);
    assert_eq!(again["imported"], 0);
}

/// A value in the book that coachbook cannot read (a hand-edited or damaged
/// row) is bad input like any other from outside: one line naming the way
/// out, exit code 2, the book as it was, for each command that reads it.
#[test]
fn a_stored_value_out_of_bounds_is_one_line_and_exit_2() {
    let book = small_book();
    book.ok(&["request", "add", "Amara", "Can we talk?"]);
    // Another session ahead, so nothing comes due when the first is damaged.
    book.ok(&["session", "add", "Amara", "2026-11-26 10:00"]);
    let first = |table: &str| format!("rowid = (SELECT min(rowid) FROM {table})");
    for (table, column, value) in [
        ("requests", "received_at", "someday"),
        ("requests", "reply_by", "2026-02-30T10:00:00Z"),
        ("requests", "urgency", "whenever"),
        ("sessions", "start_at", "2026-11-23T12:61:00Z"),
    ] {
        let conn = rusqlite::Connection::open(&book.db).unwrap();
        let old: String = conn
            .query_row(
                &format!("SELECT {column} FROM {table} WHERE {}", first(table)),
                [],
                |r| r.get(0),
            )
            .unwrap();
        // (Checks the book holds only by a bypass of its constraints.)
        conn.execute_batch("PRAGMA ignore_check_constraints = ON")
            .unwrap();
        conn.execute(
            &format!("UPDATE {table} SET {column} = ?1 WHERE {}", first(table)),
            [value],
        )
        .unwrap();
        drop(conn);
        let before = dump(&book.db);
        for args in [
            &["today", "--json"][..],
            &["request", "list", "--json"],
            &["review", "--from", "2026-11-01", "--to", "2026-11-30"],
        ] {
            // (A receipt that is not an instant sorts outside every range
            // a review asks for; the review counts sessions in SQL, and the
            // request list has none.)
            if (column == "received_at" || table == "sessions") && args[0] != "today" {
                continue;
            }
            let run = book.run(args);
            assert_eq!(run.code, 2, "{table}.{column} {args:?}: {}", run.stderr);
            refused(&run, 2, "cannot read");
            assert!(run.stderr.contains(value), "{args:?}: {}", run.stderr);
        }
        assert_eq!(dump(&book.db), before, "{table}.{column}");
        let conn = rusqlite::Connection::open(&book.db).unwrap();
        conn.execute(
            &format!("UPDATE {table} SET {column} = ?1 WHERE {}", first(table)),
            [old],
        )
        .unwrap();
    }
}

/// A v12 book: the fixture book with the last migration taken back.
fn v12_book() -> Book {
    let book = small_book();
    let conn = rusqlite::Connection::open(&book.db).expect("open");
    conn.execute_batch("DROP INDEX requests_not_met; PRAGMA user_version = 12;")
        .expect("v12");
    drop(conn);
    book
}

/// The dashboard starts reading its book before the command line and the
/// config are read (`tui::early`): a launch refused for either must still
/// leave an older book as it was, unmigrated, byte for byte, and no side
/// file of SQLite's next to it.
#[test]
fn a_refused_dashboard_launch_leaves_an_older_book_as_it_was() {
    let book = v12_book();
    let before = bytes(&book.db);
    let files = names_in(book.dir.path());
    // A config that cannot be read, then a line clap refuses (a second
    // --db, added by `command` after these arguments).
    let good = std::fs::read_to_string(&book.config).expect("config");
    std::fs::write(&book.config, "[coach]\ntime_zone = \"Mars/Olympus\"\n").expect("config");
    let run = book.run(&[]);
    refused(&run, 2, "Mars/Olympus");
    std::fs::write(&book.config, good).expect("config");
    let elsewhere = book.dir.path().join("other.sqlite");
    let run = book.run(&["--db", elsewhere.to_str().expect("path")]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    for what in ["a bad config", "a refused line"] {
        assert!(bytes(&book.db) == before, "the book changed after {what}");
        assert_eq!(names_in(book.dir.path()), files, "after {what}");
    }
    let conn = rusqlite::Connection::open(&book.db).expect("open");
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version");
    assert_eq!(version, 12, "not migrated");
}
