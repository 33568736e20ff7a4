//! `coachbook sync vdir`: the book and a folder of .ics files, both ways.
//! The book's sessions become files; a file edited, cancelled or deleted in
//! the folder updates the book; other events become busy time. With the
//! Python tools on PATH (installed by .ci/run), the same folder is synced by
//! vdirsyncer with a second folder and listed by khal; each such test says
//! "skipped: … not installed" when a tool is missing.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::Book;
use serde_json::Value;
use sha2::{Digest, Sha256};

fn book() -> (Book, PathBuf) {
    let book = Book::new();
    book.ok(&[
        "client",
        "add",
        "Ann Example",
        "--email",
        "ann@work.example",
    ]);
    let folder = book.dir.path().join("calendar");
    std::fs::create_dir(&folder).expect("vdir");
    (book, folder)
}

fn sync(book: &Book, folder: &Path) -> Value {
    book.json(&["sync", "vdir", &folder.display().to_string(), "--json"])
}

fn files(folder: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(folder)
        .expect("folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ics"))
        .collect();
    out.sort();
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .expect("file")
        .replace("\r\n ", "")
}

fn hash(path: &Path) -> Vec<u8> {
    Sha256::digest(std::fs::read(path).expect("book")).to_vec()
}

fn sessions(book: &Book) -> Vec<(String, String)> {
    book.json(&[
        "session",
        "list",
        "--from",
        "2026-11-20",
        "--to",
        "2027-03-31",
        "--json",
    ])
    .as_array()
    .expect("list")
    .iter()
    .map(|s| {
        (
            s["start"].as_str().unwrap_or("").to_string(),
            s["status"].as_str().unwrap_or("").to_string(),
        )
    })
    .collect()
}

#[test]
fn sessions_go_to_the_folder_and_changes_there_come_back() {
    let (book, folder) = book();
    book.ok(&["session", "add", "Ann", "2026-11-26 10:00"]);
    let first = sync(&book, &folder);
    assert_eq!(first["to_folder"]["added"], 1, "{first}");
    let written = files(&folder);
    assert_eq!(written.len(), 1);
    let text = read(&written[0]);
    let uid = text
        .lines()
        .find_map(|l| l.strip_prefix("UID:"))
        .expect("UID")
        .to_string();
    assert_eq!(
        written[0].file_name().and_then(|n| n.to_str()),
        Some(format!("{uid}.ics").as_str()),
        "the file is named by its UID"
    );
    assert!(text.contains("ATTENDEE;CN=\"Ann Example\""), "{text}");
    assert!(
        text.contains("ORGANIZER;CN=\"Sam Rivera\":mailto:sam@example.org"),
        "{text}"
    );
    assert!(text.contains("SEQUENCE:0"), "{text}");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&written[0]).expect("meta").permissions(),
    ) & 0o777;
    assert_eq!(mode, 0o600);

    // Nothing changed: the sync writes nothing, the book stays byte-identical.
    let before = hash(&book.db);
    let idle = sync(&book, &folder);
    assert_eq!(idle["to_folder"]["added"], 0, "{idle}");
    assert_eq!(idle["to_book"]["updated"], 0, "{idle}");
    assert_eq!(hash(&book.db), before);

    // Moved in the folder (as khal or a CalDAV client would): moved in the book.
    let moved = std::fs::read_to_string(&written[0])
        .expect("file")
        .replace("DTSTART:20261126T090000Z", "DTSTART:20261127T130000Z")
        .replace("DTEND:20261126T100000Z", "DTEND:20261127T140000Z");
    std::fs::write(&written[0], moved).expect("edit");
    let back = sync(&book, &folder);
    assert_eq!(back["to_book"]["updated"], 1, "{back}");
    assert_eq!(
        sessions(&book),
        vec![(
            "2026-11-27T14:00:00+01:00".to_string(),
            "booked".to_string()
        )]
    );
    let shown = book.ok(&["session", "list", "--from", "2026-11-20"]);
    assert!(shown.contains("moved in calendar"), "{shown}");

    // Moved in the book: the file follows, with a higher SEQUENCE.
    book.ok(&["session", "move", "1", "2026-11-30 09:00"]);
    let out = sync(&book, &folder);
    assert_eq!(out["to_folder"]["updated"], 1, "{out}");
    let text = read(&written[0]);
    assert!(text.contains("DTSTART:20261130T080000Z"), "{text}");
    assert!(text.contains("SEQUENCE:1"), "{text}");

    // Deleted in the folder: cancelled in the book, and it stays deleted.
    std::fs::remove_file(&written[0]).expect("delete");
    let gone = sync(&book, &folder);
    assert_eq!(gone["to_book"]["cancelled"], 1, "{gone}");
    assert_eq!(sessions(&book)[0].1, "cancelled");
    let again = sync(&book, &folder);
    assert_eq!(again["to_folder"]["added"], 0, "{again}");
    assert!(files(&folder).is_empty());
}

fn busy(book: &Book) -> Vec<(String, String)> {
    let conn =
        rusqlite::Connection::open_with_flags(&book.db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open");
    let mut stmt = conn
        .prepare("SELECT summary, start_at FROM busy ORDER BY start_at")
        .expect("query");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("busy")
}

#[test]
fn other_events_become_busy_time_and_go_when_their_file_goes() {
    let (book, folder) = book();
    let dentist = folder.join("dentist.ics");
    std::fs::write(
        &dentist,
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:dentist@test\r\n\
         DTSTAMP:20261120T090000Z\r\nDTSTART;TZID=Europe/Berlin:20261124T150000\r\n\
         DTEND;TZID=Europe/Berlin:20261124T160000\r\nSUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .expect("write");
    let first = sync(&book, &folder);
    assert_eq!(first["to_book"]["added"], 1, "{first}");
    assert_eq!(
        busy(&book),
        vec![("Dentist".to_string(), "2026-11-24T14:00:00Z".to_string())]
    );
    // Unchanged: nothing read again.
    let idle = sync(&book, &folder);
    assert_eq!(idle["to_book"]["added"], 0, "{idle}");
    std::fs::remove_file(&dentist).expect("delete");
    let gone = sync(&book, &folder);
    assert_eq!(gone["to_book"]["removed"], 1, "{gone}");
    assert!(busy(&book).is_empty());
    // coachbook never wrote the calendar's file.
    assert!(!dentist.exists());
}

#[test]
fn a_series_is_one_file_and_both_sides_changing_keeps_the_later() {
    let (book, folder) = book();
    book.ok(&[
        "session",
        "add",
        "Ann",
        "2026-11-24 10:00",
        "--repeat",
        "weekly",
        "--count",
        "4",
    ]);
    sync(&book, &folder);
    let written = files(&folder);
    assert_eq!(written.len(), 1, "a series is one file");
    let text = read(&written[0]);
    assert!(
        text.contains("RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=4"),
        "{text}"
    );
    assert!(
        text.contains("DTSTART;TZID=Europe/Berlin:20261124T100000"),
        "{text}"
    );

    // One occurrence moved in the book, another cancelled: an override and an EXDATE.
    book.ok(&["session", "move", "2", "2026-12-02 11:00"]);
    book.ok(&["session", "mark", "3", "cancelled"]);
    sync(&book, &folder);
    let text = read(&written[0]);
    assert!(
        text.contains("RECURRENCE-ID;TZID=Europe/Berlin:20261201T100000"),
        "{text}"
    );
    assert!(
        text.contains("DTSTART;TZID=Europe/Berlin:20261202T110000"),
        "{text}"
    );
    assert!(
        text.contains("EXDATE;TZID=Europe/Berlin:20261208T100000"),
        "{text}"
    );

    // Both sides change the last occurrence; the folder's edit is later.
    book.ok(&["session", "move", "4", "2026-12-15 12:00"]);
    let edited = std::fs::read_to_string(&written[0]).expect("file").replace(
        "END:VCALENDAR",
        "BEGIN:VEVENT\r\nUID:UIDHERE\r\nDTSTAMP:20261123T150000Z\r\nRECURRENCE-ID;TZID=Europe/Berlin:20261215T100000\r\n\
         DTSTART;TZID=Europe/Berlin:20261215T160000\r\nDTEND;TZID=Europe/Berlin:20261215T170000\r\n\
         SEQUENCE:5\r\nSUMMARY:Coaching\r\nEND:VEVENT\r\nEND:VCALENDAR",
    );
    let uid = read(&written[0])
        .lines()
        .find_map(|l| l.strip_prefix("UID:").map(str::to_string))
        .expect("uid");
    std::fs::write(&written[0], edited.replace("UIDHERE", &uid)).expect("edit");
    let out = sync(&book, &folder);
    assert_eq!(out["conflicts"].as_array().map(Vec::len), Some(1), "{out}");
    assert!(
        out["conflicts"][0]
            .as_str()
            .unwrap_or("")
            .contains("kept the calendar's"),
        "{out}"
    );
    let last = sessions(&book).pop().expect("a session");
    assert_eq!(last.0, "2026-12-15T16:00:00+01:00");
}

#[test]
fn an_emptied_folder_cancels_nothing() {
    let (book, folder) = book();
    book.ok(&["session", "add", "Ann", "2026-11-26 10:00"]);
    book.ok(&["session", "add", "Ann", "2026-11-27 10:00"]);
    sync(&book, &folder);
    for file in files(&folder) {
        std::fs::remove_file(file).expect("delete");
    }
    let out = sync(&book, &folder);
    assert_eq!(out["to_book"]["cancelled"], 0, "{out}");
    assert!(
        out["problems"][0]
            .as_str()
            .unwrap_or("")
            .contains("the folder is empty"),
        "{out}"
    );
    assert!(sessions(&book).iter().all(|(_, status)| status == "booked"));
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let (book, folder) = book();
    let missing = folder.join("nope");
    let run = book.run(&["sync", "vdir", &missing.display().to_string()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no such folder"), "{}", run.stderr);
    let run = book.run(&["sync", "vdir"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("[calendar] vdir"), "{}", run.stderr);
}

/// A Python tool from .ci/run's environment, or why the test is skipped.
fn tool(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        eprintln!("skipped: {name} not installed (bash .ci/run installs it from PyPI)");
    }
    found
}

#[test]
fn vdirsyncer_carries_the_folder_both_ways_and_khal_lists_the_sessions() {
    let (Some(vdirsyncer), Some(khal)) = (tool("vdirsyncer"), tool("khal")) else {
        return;
    };
    let (book, folder) = book();
    book.ok(&[
        "session",
        "add",
        "Ann",
        "2026-11-24 10:00",
        "--repeat",
        "weekly",
        "--count",
        "3",
    ]);
    book.ok(&[
        "session",
        "add",
        "Ann",
        "2026-11-26 15:00",
        "--place",
        "Zoom",
    ]);
    sync(&book, &folder);

    let base = book.dir.path();
    let other = base.join("other");
    std::fs::create_dir(&other).expect("second folder");
    let status = base.join("vdirsyncer-status");
    let config = base.join("vdirsyncer.conf");
    std::fs::write(
        &config,
        format!(
            "[general]\nstatus_path = \"{}\"\n\n[pair cal]\na = \"book\"\nb = \"other\"\ncollections = null\nconflict_resolution = \"a wins\"\n\n\
             [storage book]\ntype = \"filesystem\"\npath = \"{}\"\nfileext = \".ics\"\n\n\
             [storage other]\ntype = \"filesystem\"\npath = \"{}\"\nfileext = \".ics\"\n",
            status.display(),
            folder.display(),
            other.display()
        ),
    )
    .expect("vdirsyncer config");
    let run_vdirsyncer = |args: &[&str]| {
        let out = Command::new(&vdirsyncer)
            .arg("--config")
            .arg(&config)
            .args(args)
            .output()
            .expect("vdirsyncer runs");
        assert!(
            out.status.success(),
            "vdirsyncer {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run_vdirsyncer(&["discover"]);
    run_vdirsyncer(&["sync"]);
    assert_eq!(
        files(&other).len(),
        2,
        "both calendar objects reached the other side"
    );

    // khal reads the book's folder.
    let khal_config = base.join("khal.conf");
    std::fs::write(
        &khal_config,
        format!(
            "[calendars]\n[[coaching]]\npath = {}\n\n[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\n\
             longdateformat = %Y-%m-%d\ndatetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n\
             local_timezone = Europe/Berlin\ndefault_timezone = Europe/Berlin\n",
            folder.display()
        ),
    )
    .expect("khal config");
    let khal_list = || {
        let out = Command::new(&khal)
            .arg("-c")
            .arg(&khal_config)
            .args(["list", "--format", "{start} {title}", "2026-11-23", "30d"])
            .env("XDG_DATA_HOME", base.join("khal-data"))
            .output()
            .expect("khal runs");
        assert!(
            out.status.success(),
            "khal: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let listed = khal_list();
    for when in [
        "2026-11-24 10:00",
        "2026-12-01 10:00",
        "2026-12-08 10:00",
        "2026-11-26 15:00",
    ] {
        assert!(
            listed.contains(&format!("{when} Coaching: Ann Example")),
            "khal lists {when}:\n{listed}"
        );
    }

    // A move on the other side comes back through vdirsyncer into the book.
    let lone = files(&other)
        .into_iter()
        .find(|p| !read(p).contains("RRULE"))
        .expect("the lone session");
    let moved = std::fs::read_to_string(&lone)
        .expect("file")
        .replace("DTSTART:20261126T140000Z", "DTSTART:20261127T100000Z")
        .replace("DTEND:20261126T150000Z", "DTEND:20261127T110000Z")
        .replace("SEQUENCE:0", "SEQUENCE:1");
    std::fs::write(&lone, moved).expect("edit");
    run_vdirsyncer(&["sync"]);
    let back = sync(&book, &folder);
    assert_eq!(back["to_book"]["updated"], 1, "{back}");
    assert!(
        sessions(&book).contains(&(
            "2026-11-27T11:00:00+01:00".to_string(),
            "booked".to_string()
        )),
        "{:?}",
        sessions(&book)
    );
    // And a move in the book goes out through vdirsyncer to the other side.
    book.ok(&["session", "move", "1", "2026-11-24 11:00"]);
    sync(&book, &folder);
    run_vdirsyncer(&["sync"]);
    let series = files(&other)
        .into_iter()
        .find(|p| read(p).contains("RRULE"))
        .expect("the series");
    let text = read(&series);
    assert!(
        text.contains("RECURRENCE-ID;TZID=Europe/Berlin:20261124T100000"),
        "{text}"
    );
    assert!(khal_list().contains("2026-11-24 11:00 Coaching: Ann Example"));
}
