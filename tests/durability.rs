//! Two writers at once never see "database is locked"; a process killed in
//! the middle of a change leaves no half-done change behind.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::Book;

#[test]
fn two_processes_writing_at_once_both_succeed() {
    let book = Book::new();
    book.ok(&["client", "add", "Amara Okafor"]);
    book.ok(&["client", "add", "Chen Wei"]);
    let writers: Vec<_> = ["Amara", "Chen"]
        .into_iter()
        .map(|client| {
            let book_db = book.db.clone();
            let config = book.config.clone();
            let data = book.dir.path().join("data");
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                for n in 0..25 {
                    let out = std::process::Command::new(env!("CARGO_BIN_EXE_coachbook"))
                        .args(["request", "add", client, &format!("message {n}"), "--db"])
                        .arg(&book_db)
                        .env("COACHBOOK_NOW", common::NOW)
                        .env("COACHBOOK_CONFIG", &config)
                        .env("XDG_DATA_HOME", &data)
                        .output()
                        .expect("runs");
                    if !out.status.success() {
                        failures.push(String::from_utf8_lossy(&out.stderr).into_owned());
                    }
                }
                failures
            })
        })
        .collect();
    for writer in writers {
        let failures = writer.join().expect("writer thread");
        assert!(failures.is_empty(), "a writer failed: {failures:?}");
    }
    let requests = book.json(&["request", "list", "--json"]);
    assert_eq!(requests.as_array().expect("list").len(), 50);
}

/// An mbox of `count` small messages from one client.
fn mbox(count: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for n in 0..count {
        let _ = write!(
            out,
            "From amara@example.org Mon Nov 23 09:{:02}:00 2026\n\
             From: Amara Okafor <amara@example.org>\n\
             To: Sam <sam@example.org>\n\
             Subject: Note {n}\n\
             Date: Mon, 23 Nov 2026 09:{:02}:00 +0100\n\
             Message-ID: <note-{n}@example.org>\n\n\
             A short note, number {n}.\n\n",
            n % 60,
            n % 60
        );
    }
    out
}

#[test]
fn a_killed_import_leaves_whole_batches_only() {
    let book = Book::new();
    book.ok(&[
        "client",
        "add",
        "Amara Okafor",
        "--email",
        "amara@example.org",
    ]);
    let path = book.dir.path().join("big.mbox");
    std::fs::write(&path, mbox(3000)).expect("mbox");
    let mut child = book
        .command(&["import", "mail", path.to_str().expect("utf-8 path")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    // Kill it as soon as the first batch is in (or when it ends by itself).
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        let conn = rusqlite::Connection::open(&book.db).expect("open");
        let n: i64 = conn
            .query_row("SELECT count(*) FROM requests", [], |r| r.get(0))
            .unwrap_or(0);
        if n > 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
    let check = book.run(&["check"]);
    assert_eq!(
        check.code, 0,
        "the book is healthy after a kill: {}",
        check.stdout
    );
    let conn = rusqlite::Connection::open(&book.db).expect("open");
    let requests: i64 = conn
        .query_row("SELECT count(*) FROM requests", [], |r| r.get(0))
        .expect("count");
    // Imports are recorded in changes of up to 500 messages: a kill keeps
    // the batches that committed and none of the one in progress.
    eprintln!("requests after the kill: {requests}");
    assert_eq!(requests % 500, 0, "whole batches only: {requests}");
    // A second import finishes the job without duplicates.
    book.ok(&["import", "mail", path.to_str().expect("utf-8 path")]);
    let requests: i64 = conn
        .query_row("SELECT count(*) FROM requests", [], |r| r.get(0))
        .expect("count");
    assert_eq!(requests, 3000);
}
