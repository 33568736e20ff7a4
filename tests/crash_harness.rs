//! The crash harness: a child process makes writes of every kind, one after
//! the other, and reports each one it saw committed (a line in a report
//! file, fsynced); the parent SIGKILLs it (and the coachbook it is running)
//! at random moments. After every kill: `PRAGMA integrity_check` is ok,
//! every reported write is in the book, and the book's invariants hold.
//! Then the full-disk case on a small tmpfs.
//!
//! `cargo test --test crash_harness` runs 200 kills;
//! `COACHBOOK_CRASH_KILLS=1000 cargo test --release --test crash_harness`
//! is the long run. `COACHBOOK_CRASH_SEED` repeats a run.
//!
//! This is a test binary without the libtest harness (see Cargo.toml), so
//! its figures are printed in CI.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::Write as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OptionalExtension};

const NOW: &str = "2026-11-23T14:20:00+01:00";
const CHILD_ENV: &str = "COACHBOOK_CRASH_CHILD";
/// At most this many cycles per child (it is killed long before).
const CYCLES_PER_CHILD: u64 = 1000;
const MAIL_PER_BATCH: usize = 3;
/// Every so many kills, every write ever reported is looked for again.
const FULL_CHECK_EVERY: usize = 20;

fn main() {
    if let Ok(dir) = std::env::var(CHILD_ENV) {
        let first: u64 = std::env::var("COACHBOOK_CRASH_FIRST_TAG")
            .ok()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let step: usize = std::env::var("COACHBOOK_CRASH_FIRST_STEP")
            .ok()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        if let Err(error) = child(Path::new(&dir), first, step) {
            eprintln!("crash child: {error}");
            std::process::exit(3);
        }
        return;
    }
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if !filter.is_empty()
        && !filter
            .iter()
            .any(|f| "crash_harness full_disk".contains(f.as_str()))
    {
        return; // `cargo test some_other_test` runs nothing here
    }
    let kills: usize = std::env::var("COACHBOOK_CRASH_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(200);
    let seed: u64 = std::env::var("COACHBOOK_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
                | 1
        });
    let started = Instant::now();
    let figures = crash_run(kills, seed);
    println!(
        "crash harness: {} kills, {} writes reported committed ({}), {} checks after kills, {} facts checked, nothing lost; seed {seed}, {:.1}s",
        figures.kills,
        figures.reported.values().sum::<usize>(),
        figures
            .reported
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        figures.checks,
        figures.facts,
        started.elapsed().as_secs_f64()
    );
    full_disk();
    println!("crash harness: passed");
}

// ---------------------------------------------------------------- the book

struct Setup {
    _dir: tempfile::TempDir,
    work: PathBuf,
    db: PathBuf,
    config: PathBuf,
}

fn coachbook(setup: &Setup) -> Command {
    coachbook_in(&setup.work, &setup.db, &setup.config)
}

fn coachbook_in(work: &Path, db: &Path, config: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_coachbook"));
    command
        .arg("--db")
        .arg(db)
        .env("COACHBOOK_NOW", NOW)
        .env("COACHBOOK_CONFIG", config)
        .env("XDG_DATA_HOME", work.join("data"))
        .env("XDG_CONFIG_HOME", work.join("config"))
        .env_remove("COACHBOOK_DB")
        .stdin(Stdio::null());
    command
}

fn run_ok(mut command: Command, args: &[&str]) {
    let out = command.args(args).output().expect("coachbook runs");
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn setup_in(dir: tempfile::TempDir) -> Setup {
    let work = dir.path().to_path_buf();
    let config = work.join("config.toml");
    std::fs::write(
        &config,
        "[coach]\nname = \"Sam Rivera\"\naddresses = [\"sam@example.org\"]\ntime_zone = \"Europe/Berlin\"\n",
    )
    .expect("config");
    let setup = Setup {
        db: work.join("book.sqlite"),
        config,
        work,
        _dir: dir,
    };
    for args in [
        &[
            "client",
            "add",
            "Amara Okafor",
            "--email",
            "amara@example.org",
        ][..],
        &["client", "add", "Chen Wei", "--email", "chen@example.org"][..],
        &["partner", "add", "Pat Lee", "--email", "pat@example.org"][..],
    ] {
        run_ok(coachbook(&setup), args);
    }
    setup
}

// ---------------------------------------------------------------- the child

/// One write reported committed.
fn report(file: &mut std::fs::File, line: &str) -> std::io::Result<()> {
    file.write_all(format!("{line}\n").as_bytes())?;
    file.sync_data()
}

/// Run coachbook; Ok(stdout) when it succeeded.
fn child_run(work: &Path, args: &[&str]) -> Result<String, String> {
    let db = work.join("book.sqlite");
    let config = work.join("config.toml");
    let out = coachbook_in(work, &db, &config)
        .args(args)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn lookup(work: &Path, sql: &str, param: &str) -> Result<i64, String> {
    let conn = Connection::open(work.join("book.sqlite")).map_err(|e| e.to_string())?;
    conn.busy_timeout(Duration::from_secs(10))
        .map_err(|e| e.to_string())?;
    conn.query_row(sql, [param], |r| r.get(0))
        .map_err(|e| format!("{sql} [{param}]: {e}"))
}

fn slot(tag: u64) -> String {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 24)
        .and_then(|d| d.checked_add_days(chrono::Days::new(tag / 8)))
        .unwrap_or_default();
    format!("{day} {:02}:00", 9 + tag % 8)
}

fn mbox(tag: u64) -> String {
    let mut text = String::new();
    for n in 0..MAIL_PER_BATCH {
        text.push_str(&format!(
            "From amara@example.org Mon Nov 23 09:00:00 2026\n\
             From: Amara Okafor <amara@example.org>\n\
             To: Sam <sam@example.org>\n\
             Subject: Batch {tag} note {n}\n\
             Date: Mon, 23 Nov 2026 09:0{n}:00 +0100\n\
             Message-ID: <n{n}-b{tag}@crash.example.org>\n\n\
             Note {n} of batch {tag}.\n\n"
        ));
    }
    text
}

fn ics(tag: u64) -> String {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
        .and_then(|d| d.checked_add_days(chrono::Days::new(tag % 60)))
        .unwrap_or_default()
        .format("%Y%m%d");
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//crash//EN\r\nBEGIN:VEVENT\r\nUID:crash-{tag}\r\n\
         DTSTAMP:20261101T000000Z\r\nDTSTART:{day}T070000Z\r\nDTEND:{day}T073000Z\r\n\
         SUMMARY:Dentist {tag}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

/// The kinds of write, in the order a child makes them.
const STEPS: usize = 7;
/// What the report calls them.
const KINDS: [&str; 8] = [
    "capture",
    "reply",
    "emergency",
    "handoff",
    "mail",
    "ics",
    "followup",
    "undo",
];

/// Writes of every kind, cycle after cycle, until killed. Each child starts
/// at another kind, so every kind is cut short by some kill.
fn child(work: &Path, first: u64, first_step: usize) -> Result<(), String> {
    let mut log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(work.join("report.txt"))
        .map_err(|e| e.to_string())?;
    for (step, tag) in (first_step..).zip(first..first + CYCLES_PER_CHILD) {
        write_one(work, &mut log, tag, step % STEPS)?;
    }
    Ok(())
}

fn write_one(work: &Path, log: &mut std::fs::File, tag: u64, step: usize) -> Result<(), String> {
    let e = |e: std::io::Error| e.to_string();
    match step {
        0 => {
            // Quick capture.
            child_run(
                work,
                &[
                    "request",
                    "add",
                    "Amara",
                    &format!("crash capture {tag}"),
                    "--channel",
                    "phone",
                ],
            )?;
            report(log, &format!("capture {tag}")).map_err(e)?;
        }
        1 => {
            // A request, then a reply with delivery to the outbox.
            child_run(
                work,
                &["request", "add", "Amara", &format!("crash ask {tag}")],
            )?;
            let request = lookup(
                work,
                "SELECT id FROM requests WHERE body = ?1",
                &format!("crash ask {tag}"),
            )?;
            child_run(
                work,
                &[
                    "request",
                    "reply",
                    &request.to_string(),
                    "--text",
                    &format!("crash reply {tag}"),
                ],
            )?;
            report(log, &format!("reply {tag} {request}")).map_err(e)?;
        }
        2 => {
            // An emergency: the session is freed with an apology and becomes
            // the crisis call of another client.
            let booked = child_run(work, &["session", "add", "Amara", &slot(tag)])?;
            let session: i64 = booked
                .split('#')
                .nth(1)
                .and_then(|rest| rest.split(':').next())
                .and_then(|id| id.parse().ok())
                .ok_or_else(|| format!("no session id in {booked}"))?;
            child_run(work, &["emergency", &session.to_string(), "--for", "Chen"])?;
            report(log, &format!("emergency {tag} {session}")).map_err(e)?;
        }
        3 => {
            // A crisis request handed off to the partner.
            child_run(
                work,
                &[
                    "request",
                    "add",
                    "Chen",
                    &format!("crash crisis {tag}"),
                    "--urgency",
                    "crisis",
                ],
            )?;
            let crisis = lookup(
                work,
                "SELECT id FROM requests WHERE body = ?1",
                &format!("crash crisis {tag}"),
            )?;
            child_run(
                work,
                &[
                    "request",
                    "handoff",
                    &crisis.to_string(),
                    "--partner",
                    "Pat",
                ],
            )?;
            report(log, &format!("handoff {tag} {crisis}")).map_err(e)?;
        }
        4 => {
            let mail = work.join(format!("mail-{tag}.mbox"));
            std::fs::write(&mail, mbox(tag)).map_err(e)?;
            child_run(work, &["import", "mail", &mail.to_string_lossy()])?;
            report(log, &format!("mail {tag}")).map_err(e)?;
        }
        5 => {
            let calendar = work.join(format!("cal-{tag}.ics"));
            std::fs::write(&calendar, ics(tag)).map_err(e)?;
            child_run(work, &["import", "ics", &calendar.to_string_lossy()])?;
            report(log, &format!("ics {tag}")).map_err(e)?;
        }
        _ => {
            // A follow-up, then its undo (in this process, through the library).
            child_run(
                work,
                &[
                    "followup",
                    "add",
                    "Amara",
                    "2026-12-01",
                    &format!("undo target {tag}"),
                ],
            )?;
            let change = lookup(
                work,
                "SELECT max(id) FROM changes WHERE command = ?1",
                "followup add",
            )?;
            report(log, &format!("followup {tag} {change}")).map_err(e)?;
            let now = chrono::DateTime::parse_from_rfc3339(NOW)
                .map_err(|e| e.to_string())?
                .with_timezone(&chrono::Utc);
            let mut store = coachbook::store::Store::open(&work.join("book.sqlite"))
                .map_err(|e| e.to_string())?;
            store.undo(change, now).map_err(|e| e.to_string())?;
            drop(store);
            report(log, &format!("undo {tag} {change}")).map_err(e)?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- the parent

#[derive(Default)]
struct Figures {
    kills: usize,
    checks: usize,
    facts: usize,
    reported: BTreeMap<String, usize>,
}

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn crash_run(kills: usize, seed: u64) -> Figures {
    let setup = setup_in(tempfile::tempdir().expect("temp dir"));
    let mut rng = Rng(seed);
    let mut window_ms: u64 = 150;
    let mut checked_before = 0;
    let mut figures = Figures {
        kills,
        ..Figures::default()
    };
    for kill in 0..kills {
        let mut child = Command::new(std::env::current_exe().expect("own path"))
            .env(CHILD_ENV, &setup.work)
            .env(
                "COACHBOOK_CRASH_FIRST_TAG",
                (kill as u64 * CYCLES_PER_CHILD).to_string(),
            )
            .env("COACHBOOK_CRASH_FIRST_STEP", (kill % STEPS).to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .expect("child starts");
        // Most kills land inside a coachbook process, some in this child's
        // own undo or between two commands. The window adapts to the
        // machine's speed so that a child commits about one write before
        // its kill: on a busy machine a fixed window would kill every child
        // while it is still starting.
        std::thread::sleep(Duration::from_millis(5 + rng.below(window_ms)));
        if let Ok(Some(status)) = child.try_wait() {
            let out = child.wait_with_output().expect("output");
            panic!(
                "the child stopped by itself ({status}): {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let killed = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .status()
            .expect("kill runs");
        assert!(killed.success(), "kill failed");
        let _ = child.wait();
        let before: usize = figures.reported.values().sum();
        let full = (kill + 1) % FULL_CHECK_EVERY == 0 || kill + 1 == kills;
        figures.facts += check(&setup, &mut figures.reported, &mut checked_before, full);
        figures.checks += 1;
        let after: usize = figures.reported.values().sum();
        window_ms = if after > before {
            (window_ms * 9 / 10).max(40)
        } else {
            (window_ms * 6 / 5).min(600)
        };
    }
    let missing: Vec<&str> = KINDS
        .iter()
        .copied()
        .filter(|k| !figures.reported.contains_key(*k))
        .collect();
    if !missing.is_empty() {
        println!(
            "crash harness: note: no {} was reported committed in this run (raise COACHBOOK_CRASH_KILLS)",
            missing.join(", no ")
        );
    }
    // Whatever the kills did, the book is healthy for coachbook itself and
    // today's backup is whole.
    let out = coachbook(&setup).arg("check").output().expect("check runs");
    assert!(
        out.status.success(),
        "coachbook check: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let backup = setup.work.join("backups/book-2026-11-23.sqlite");
    let conn = Connection::open(&backup).expect("today's backup is there");
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity");
    assert_eq!(ok, "ok", "today's backup is whole");
    figures
}

fn count(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> i64 {
    conn.query_row(sql, params, |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Every fact the book must hold after a kill; returns how many were checked.
/// Writes reported before `checked_before` were found after an earlier
/// kill; they are looked for again only on a full check (every
/// `FULL_CHECK_EVERY` kills and at the end), which keeps the run linear.
fn check(
    setup: &Setup,
    reported: &mut BTreeMap<String, usize>,
    checked_before: &mut usize,
    full: bool,
) -> usize {
    let conn = Connection::open(&setup.db).expect("the book opens after a kill");
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity check runs");
    assert_eq!(ok, "ok", "integrity after a kill");
    let fk: Option<String> = conn
        .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
        .optional()
        .expect("foreign key check");
    assert_eq!(fk, None, "no row points at a missing row");
    let mut facts = 2;
    // The invariants, over the whole book.
    let invariants: [(&str, &str); 7] = [
        (
            "a rescheduled session without its apology",
            "SELECT count(*) FROM sessions s WHERE s.status = 'rescheduled' AND NOT EXISTS \
             (SELECT 1 FROM replies r WHERE r.session_id = s.id AND r.kind = 'apology')",
        ),
        (
            "a crisis session without the apology that freed its slot",
            "SELECT count(*) FROM sessions c JOIN clients k ON k.id = c.client_id WHERE k.name = 'Chen Wei' \
             AND NOT EXISTS (SELECT 1 FROM sessions s JOIN replies r ON r.session_id = s.id AND r.kind = 'apology' \
             WHERE s.start_at = c.start_at AND s.status = 'rescheduled')",
        ),
        (
            "an apology for a session that was not moved",
            "SELECT count(*) FROM replies r JOIN sessions s ON s.id = r.session_id \
             WHERE r.kind = 'apology' AND s.status <> 'rescheduled'",
        ),
        (
            "a reply without its request, or a request whose delivered reply left no first reply",
            "SELECT count(*) FROM replies r LEFT JOIN requests q ON q.id = r.request_id \
             WHERE r.kind = 'reply' AND r.request_id IS NOT NULL AND (q.id IS NULL \
             OR (r.delivered_at IS NOT NULL AND (q.first_reply_at IS NULL OR q.first_reply_at > r.delivered_at)))",
        ),
        (
            "a crisis call booked without the client in crisis being told (or a call-back)",
            "SELECT count(*) FROM sessions c JOIN clients k ON k.id = c.client_id WHERE k.name = 'Chen Wei' \
             AND NOT EXISTS (SELECT 1 FROM replies r WHERE r.session_id = c.id AND r.client_id = c.client_id) \
             AND NOT EXISTS (SELECT 1 FROM followups f WHERE f.client_id = c.client_id AND f.callback = 1)",
        ),
        (
            "a hand-off note without its partner brief (or the other way)",
            "SELECT abs((SELECT count(*) FROM replies WHERE kind = 'hand-off') - \
             (SELECT count(*) FROM replies WHERE kind = 'partner-brief'))",
        ),
        (
            "a half mail batch",
            "SELECT count(*) FROM (SELECT substr(message_id, instr(message_id, '-b')) AS batch, count(*) AS n \
             FROM requests WHERE message_id LIKE '%crash.example.org%' GROUP BY batch HAVING n <> 3)",
        ),
    ];
    for (what, sql) in invariants {
        assert_eq!(count(&conn, sql, []), 0, "after a kill: {what}");
        facts += 1;
    }
    // Delivered replies have their message whole in the outbox.
    let outbox = setup.work.join("data/coachbook/outbox");
    if let Ok(entries) = std::fs::read_dir(&outbox) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".eml") {
                let text = std::fs::read_to_string(entry.path()).expect("read .eml");
                assert!(
                    text.contains("\r\n\r\n")
                        && text.ends_with('\n')
                        && text.contains("Message-ID:"),
                    "a half-written message in the outbox: {name}"
                );
                facts += 1;
            }
        }
    }
    // Every write the child reported committed is in the book.
    let report = std::fs::read_to_string(setup.work.join("report.txt")).unwrap_or_default();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let complete = match report.rfind('\n') {
        Some(end) => report.get(..end).unwrap_or(""),
        None => "",
    };
    let undone: Vec<String> = complete
        .lines()
        .filter(|l| l.starts_with("undo "))
        .map(|l| l.split(' ').nth(1).unwrap_or("").to_string())
        .collect();
    let lines: Vec<&str> = complete.lines().collect();
    for (number, line) in lines.iter().enumerate() {
        *seen
            .entry(line.split(' ').next().unwrap_or("").to_string())
            .or_default() += 1;
        if number < *checked_before && !full {
            continue;
        }
        let words: Vec<&str> = line.split(' ').collect();
        let (kind, tag) = (
            words.first().copied().unwrap_or(""),
            words.get(1).copied().unwrap_or(""),
        );
        let present = match kind {
            "capture" => {
                count(
                    &conn,
                    "SELECT count(*) FROM requests WHERE body = ?1 AND channel = 'phone'",
                    [format!("crash capture {tag}")],
                ) == 1
            }
            // In the outbox, not yet sent: recorded whole, not yet an answer.
            "reply" => {
                count(
                    &conn,
                    "SELECT count(*) FROM replies r JOIN requests q ON q.id = r.request_id \
                     WHERE r.body LIKE ?1 AND q.id = ?2 AND r.delivery = 'outbox' \
                     AND r.delivered_at IS NULL AND q.first_reply_at IS NULL",
                    (
                        format!("%crash reply {tag}%"),
                        words.get(2).copied().unwrap_or("0"),
                    ),
                ) == 1
            }
            "emergency" => {
                count(
                    &conn,
                    "SELECT count(*) FROM sessions s WHERE s.id = ?1 AND s.status = 'rescheduled' \
                     AND EXISTS (SELECT 1 FROM replies r WHERE r.session_id = s.id AND r.kind = 'apology') \
                     AND EXISTS (SELECT 1 FROM sessions c JOIN clients k ON k.id = c.client_id \
                                 WHERE k.name = 'Chen Wei' AND c.start_at = s.start_at)",
                    [words.get(2).copied().unwrap_or("0")],
                ) == 1
            }
            "handoff" => {
                count(
                    &conn,
                    "SELECT count(*) FROM replies WHERE request_id = ?1 AND kind = 'hand-off'",
                    [words.get(2).copied().unwrap_or("0")],
                ) == 1
            }
            "mail" => {
                count(
                    &conn,
                    "SELECT count(*) FROM requests WHERE message_id LIKE ?1",
                    [format!("%-b{tag}@crash.example.org%")],
                ) == 3
            }
            "ics" => {
                count(
                    &conn,
                    "SELECT count(*) FROM busy WHERE ical_uid LIKE ?1",
                    [format!("crash-{tag}/%")],
                ) >= 1
            }
            "followup" => {
                let there = count(
                    &conn,
                    "SELECT count(*) FROM followups WHERE text = ?1",
                    [format!("undo target {tag}")],
                );
                let change = words.get(2).copied().unwrap_or("0");
                let undone_at = count(
                    &conn,
                    "SELECT count(*) FROM changes WHERE id = ?1 AND undone_at IS NOT NULL",
                    [change],
                );
                // Present, unless its undo committed (reported or not).
                (there == 1 && undone_at == 0) || (there == 0 && undone_at == 1)
            }
            "undo" => {
                count(
                    &conn,
                    "SELECT count(*) FROM followups WHERE text = ?1",
                    [format!("undo target {tag}")],
                ) == 0
                    && count(
                        &conn,
                        "SELECT count(*) FROM changes WHERE id = ?1 AND undone_at IS NOT NULL",
                        [words.get(2).copied().unwrap_or("0")],
                    ) == 1
            }
            other => panic!("unknown report line {other}"),
        };
        assert!(
            present,
            "a reported write is missing after a kill: {line} (undone tags: {})",
            undone.len()
        );
        facts += 1;
    }
    *reported = seen;
    *checked_before = lines.len();
    facts
}

// ---------------------------------------------------------------- full disk

/// On a tmpfs too small for the next write: a clear line, the book as it
/// was, no half file; with room again, the same command succeeds.
fn full_disk() {
    let mount = tempfile::tempdir().expect("mount point");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=3m", "tmpfs"])
        .arg(mount.path())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        println!("crash harness: full disk SKIPPED (cannot mount a tmpfs here; run as root)");
        return;
    }
    let result = std::panic::catch_unwind(|| full_disk_on(mount.path()));
    let _ = Command::new("umount").arg(mount.path()).status();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

fn full_disk_on(root: &Path) {
    let work = root.join("work");
    std::fs::create_dir(&work).expect("folder");
    let dir = tempfile::tempdir_in(&work).expect("temp dir");
    let setup = setup_in(dir);
    let command = |args: &[&str]| {
        let out = coachbook(&setup).args(args).output().expect("runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Fill the disk.
    let dump_before = dump(&setup.db);
    let filler = root.join("filler");
    {
        let mut file = std::fs::File::create(&filler).expect("filler");
        let block = vec![0u8; 64 * 1024];
        while file.write_all(&block).is_ok() {}
        let _ = file.sync_all();
    }
    let mut checks = 0;
    // A mail import big enough to need new pages, read from outside the
    // full disk.
    let source = tempfile::tempdir().expect("source folder");
    let mail = source.path().join("many.mbox");
    std::fs::write(&mail, (0..400).map(mbox).collect::<String>()).expect("mbox");
    let mail = mail.to_string_lossy().into_owned();
    let (code, stderr) = command(&["import", "mail", &mail]);
    assert_eq!(code, 1, "a full disk is a failure: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains("disk is full"),
        "says the disk is full: {stderr}"
    );
    checks += 2;
    let out = setup.work.join("copy.sqlite");
    let (code, stderr) = command(&["backup", "--out", &out.to_string_lossy()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("disk is full"), "{stderr}");
    assert!(!out.exists(), "a failed backup leaves no file");
    let leftovers: Vec<String> = std::fs::read_dir(&setup.work)
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("coachbook-tmp"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temporary file is left: {leftovers:?}"
    );
    checks += 4;
    // With room again, the same commands succeed.
    std::fs::remove_file(&filler).expect("free the disk");
    assert_eq!(dump(&setup.db), dump_before, "the book is as it was");
    checks += 1;
    let (code, stderr) = command(&["import", "mail", &mail]);
    assert_eq!(code, 0, "retry: {stderr}");
    let conn = Connection::open(&setup.db).expect("open");
    assert_eq!(
        count(&conn, "SELECT count(*) FROM requests", []),
        400 * MAIL_PER_BATCH as i64,
        "the retry imported everything"
    );
    let (code, stderr) = command(&["backup", "--out", &out.to_string_lossy()]);
    assert_eq!(code, 0, "retry: {stderr}");
    checks += 2;
    println!(
        "crash harness: full disk on a 3 MB tmpfs: {checks} checks passed (a clear line, nothing lost, no half file, the retry succeeds)"
    );
}

fn dump(db: &Path) -> String {
    let conn = Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open for dump");
    let mut out = String::new();
    for table in ["clients", "requests", "replies", "sessions", "changes"] {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))
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
    out
}
