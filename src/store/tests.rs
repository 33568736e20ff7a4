//! Tests of the book itself: migrations, refusals, transactions and undo.

use std::os::unix::fs::PermissionsExt;

use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::domain::hours::{ReplyClock, ReplyTargets, WorkingHours};
use crate::model::{Channel, Urgency};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
        .map(|d| d.with_timezone(&Utc))
        .expect("instant")
}

fn clock() -> ReplyClock {
    let hours = WorkingHours::default();
    ReplyClock {
        targets: ReplyTargets::defaults(&hours),
        hours,
        tz: chrono_tz::Europe::Berlin,
    }
}

fn new_book() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("books").join("book.sqlite");
    (dir, path)
}

#[test]
fn a_new_book_is_private_and_at_the_latest_schema() {
    let (_dir, path) = new_book();
    let store = Store::open(&path).expect("opens");
    assert_eq!(store.schema_version().expect("version"), latest_version());
    let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let folder = path.parent().expect("parent");
    let mode = std::fs::metadata(folder)
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);
    assert!(store.check().expect("check").is_empty());
}

#[test]
fn opening_twice_migrates_once_and_keeps_the_data() {
    let (_dir, path) = new_book();
    let mut store = Store::open(&path).expect("opens");
    store
        .change("test", "add", now(), |tx| {
            tx.add_client(
                &NewClient {
                    name: "Amara Okafor".into(),
                    ..NewClient::default()
                },
                chrono_tz::UTC,
            )
        })
        .expect("adds");
    drop(store);
    let store = Store::open(&path).expect("opens again");
    assert_eq!(store.schema_version().expect("version"), latest_version());
    assert_eq!(store.client_names().expect("names").len(), 1);
}

#[test]
fn a_book_from_a_newer_coachbook_is_refused_and_untouched() {
    let (_dir, path) = new_book();
    drop(Store::open(&path).expect("opens"));
    {
        let conn = Connection::open(&path).expect("raw open");
        conn.pragma_update(None, "user_version", latest_version() + 1)
            .expect("bump");
    }
    let before = std::fs::read(&path).expect("read");
    let err = Store::open(&path).err().expect("refused");
    assert!(err.to_string().contains("newer coachbook"), "{err}");
    assert_eq!(crate::error::exit_code(&err), 2);
    assert_eq!(std::fs::read(&path).expect("read"), before);
}

#[test]
fn foreign_and_non_sqlite_files_are_refused_and_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = dir.path().join("notes.sqlite");
    std::fs::write(&text, "just some notes\n").expect("write");
    let err = Store::open(&text).err().expect("refused");
    assert!(err.to_string().contains("not a SQLite file"), "{err}");
    assert_eq!(std::fs::read(&text).expect("read"), b"just some notes\n");

    let other = dir.path().join("other.sqlite");
    {
        let conn = Connection::open(&other).expect("raw open");
        conn.execute_batch("CREATE TABLE songs (title TEXT)")
            .expect("schema");
    }
    let before = std::fs::read(&other).expect("read");
    let err = Store::open(&other).err().expect("refused");
    assert!(err.to_string().contains("another application"), "{err}");
    assert_eq!(std::fs::read(&other).expect("read"), before);
}

#[test]
fn a_failed_change_leaves_nothing_behind() {
    let (_dir, path) = new_book();
    let mut store = Store::open(&path).expect("opens");
    let result: Result<()> = store.change("test", "half", now(), |tx| {
        tx.add_client(
            &NewClient {
                name: "Chen Wei".into(),
                ..NewClient::default()
            },
            chrono_tz::UTC,
        )?;
        Err(BadInput("stop".into()).into())
    });
    assert!(result.is_err());
    assert!(store.client_names().expect("names").is_empty());
    assert!(store.recent_changes(5).expect("changes").is_empty());
}

#[test]
fn undo_reverts_a_whole_change_in_one_step() {
    let (_dir, path) = new_book();
    let mut store = Store::open(&path).expect("opens");
    let (client, session) = store
        .change("test", "setup", now(), |tx| {
            let client = tx.add_client(
                &NewClient {
                    name: "Sofia Lind".into(),
                    emails: vec!["sofia@example.org".into()],
                    ..NewClient::default()
                },
                chrono_tz::UTC,
            )?;
            let ids = tx.add_sessions(
                &NewSession {
                    client_id: client,
                    start: now() + Duration::hours(2),
                    minutes: 60,
                    place: None,
                    request_id: None,
                },
                None,
            )?;
            Ok((client, ids[0]))
        })
        .expect("setup");
    let before = store.session(session).expect("session");
    let change = store
        .change("emergency", "move and answer", now(), |tx| {
            tx.move_session(session, None, MovedBy::Coach, Some("emergency"))?;
            let request = tx.add_request(
                &NewRequest {
                    client_id: Some(client),
                    unknown_sender: None,
                    received_at: now(),
                    channel: Channel::Phone,
                    urgency: Urgency::Crisis,
                    subject: None,
                    body: "Please call".into(),
                    message_id: None,
                },
                &clock(),
            )?;
            Ok((tx.change_id, request))
        })
        .expect("change");
    assert_eq!(
        store.session(session).expect("session").status,
        SessionStatus::Rescheduled
    );
    let undone = store.undo(change.0, now()).expect("undo");
    assert_eq!(undone.summary, "move and answer");
    // Everything back, except the calendar SEQUENCE: it never goes down,
    // so whoever saw the moved version takes the restored one as newer.
    let after = store.session(session).expect("session");
    assert!(after.ical_sequence > before.ical_sequence);
    assert_eq!(
        crate::model::Session {
            ical_sequence: before.ical_sequence,
            ..after
        },
        before
    );
    assert!(store.request(change.1).is_err());
    assert_eq!(
        store
            .coach_moves_since(client, now() - Duration::days(90))
            .expect("moves"),
        0
    );
    let again = store.undo(change.0, now()).expect_err("refused");
    assert!(again.to_string().contains("already undone"), "{again}");
}

#[test]
fn the_first_reply_answers_a_request_and_a_new_message_wakes_a_snooze() {
    let (_dir, path) = new_book();
    let mut store = Store::open(&path).expect("opens");
    let clock = clock();
    let (client, first) = store
        .change("test", "setup", now(), |tx| {
            let client = tx.add_client(
                &NewClient {
                    name: "Amir Haddad".into(),
                    ..NewClient::default()
                },
                chrono_tz::UTC,
            )?;
            let request = NewRequest {
                client_id: Some(client),
                unknown_sender: None,
                received_at: now(),
                channel: Channel::Email,
                urgency: Urgency::Normal,
                subject: Some("Question".into()),
                body: "Can we talk?".into(),
                message_id: None,
            };
            let id = tx.add_request(&request, &clock)?;
            tx.set_request_status(id, RequestStatus::Snoozed, Some(now() + Duration::hours(5)))?;
            Ok((client, id))
        })
        .expect("setup");
    assert!(
        store
            .requests_awaiting_reply(now())
            .expect("pane")
            .is_empty()
    );
    assert_eq!(
        store
            .requests_awaiting_reply(now() + Duration::hours(6))
            .expect("pane")
            .len(),
        1
    );
    store
        .change("test", "again", now(), |tx| {
            tx.add_request(
                &NewRequest {
                    client_id: Some(client),
                    unknown_sender: None,
                    received_at: now() + Duration::minutes(30),
                    channel: Channel::Text,
                    urgency: Urgency::Urgent,
                    subject: None,
                    body: "Still there?".into(),
                    message_id: None,
                },
                &clock,
            )
        })
        .expect("again");
    assert_eq!(store.requests_awaiting_reply(now()).expect("pane").len(), 2);
    store
        .change("test", "reply", now(), |tx| {
            tx.add_reply(&NewReply {
                client_id: Some(client),
                partner_id: None,
                request_id: Some(first),
                session_id: None,
                kind: ReplyKind::Reply,
                sent_at: now() + Duration::minutes(45),
                to_addr: None,
                subject: None,
                body: "Yes, tomorrow at 10?".into(),
                message_id: None,
                delivery: DeliveryState::Recorded,
            })
        })
        .expect("reply");
    let request = store.request(first).expect("request");
    assert_eq!(request.status, RequestStatus::Answered);
    assert_eq!(request.first_reply_minutes(), Some(45));
}

use crate::model::{DeliveryState, MovedBy, ReplyKind, RequestStatus, SessionStatus};

#[test]
fn imported_busy_time_blocks_slots_and_undoes_in_one_step() {
    let (_dir, path) = new_book();
    let mut store = Store::open(&path).expect("open");
    let start = now() + Duration::hours(2);
    let change_id = store
        .change("import ics", "import ics week.ics", now(), |tx| {
            tx.add_busy(&NewBusy {
                start,
                end: start + Duration::hours(1),
                all_day: false,
                summary: "Dentist".into(),
                ical_uid: "dentist@test/20261123T120000Z".into(),
            })?;
            Ok(tx.change_id)
        })
        .expect("import");
    assert!(
        store
            .calendar_key_known("dentist@test/20261123T120000Z")
            .expect("known")
    );
    let busy = store
        .busy_between(now(), now() + Duration::days(1))
        .expect("busy");
    assert_eq!(busy, vec![(start, start + Duration::hours(1))]);
    store.undo(change_id, now()).expect("undo");
    assert!(
        store
            .busy_between(now(), now() + Duration::days(1))
            .expect("busy")
            .is_empty()
    );
}

#[test]
fn a_book_at_an_older_schema_is_migrated_forward_with_its_data() {
    let (_dir, path) = new_book();
    std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
    {
        // A book as the first release wrote it: migration 1 only.
        let conn = Connection::open(&path).expect("raw open");
        conn.execute_batch(MIGRATIONS[0].sql).expect("v1 schema");
        if let Some(generate) = MIGRATIONS[0].generated {
            conn.execute_batch(&generate(&conn).expect("v1 triggers"))
                .expect("v1 triggers");
        }
        conn.pragma_update(None, "user_version", 1)
            .expect("version");
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .expect("id");
        conn.execute_batch(
            "INSERT INTO changes (at, command, summary) VALUES ('2026-01-01T00:00:00Z', 'client add', 'add');
             INSERT INTO clients (name, tz, created_at) VALUES ('Chen Wei', 'UTC', '2026-01-01T00:00:00Z');",
        )
        .expect("a client");
    }
    let store = Store::open(&path).expect("migrates");
    assert_eq!(store.schema_version().expect("version"), latest_version());
    assert!(
        latest_version() > 1,
        "this test wants a later migration to apply"
    );
    assert_eq!(
        store.client_names().expect("names"),
        vec![(1, "Chen Wei".to_string())]
    );
    assert!(store.check().expect("check").is_empty());
}

/// A book whose change 2 added one client (change 1 is the setup).
fn book_with_one_added_client() -> (tempfile::TempDir, PathBuf, Store, i64) {
    let (dir, path) = new_book();
    let mut store = Store::open(&path).expect("opens");
    let change = store
        .change("test", "add", now(), |tx| {
            tx.add_client(
                &NewClient {
                    name: "Ada Ng".into(),
                    ..NewClient::default()
                },
                chrono_tz::UTC,
            )?;
            Ok(tx.change_id)
        })
        .expect("add");
    (dir, path, store, change)
}

#[test]
fn undo_log_holds_data_and_undo_puts_every_kind_of_row_back() {
    let (_dir, _path, mut store, _) = book_with_one_added_client();
    let id = store.client_names().expect("names")[0].0;
    let edit = store
        .change("test", "edit and delete", now(), |tx| {
            tx.conn.execute(
                "UPDATE clients SET notes = 'it''s 1 -- ok' WHERE id = ?1",
                [id],
            )?;
            tx.conn.execute("DELETE FROM clients WHERE id = ?1", [id])?;
            Ok(tx.change_id)
        })
        .expect("edit");
    let sql_text: i64 = store
        .conn
        .query_row(
            "SELECT count(*) FROM undo_log WHERE change_id = ?1 AND sql <> ''",
            [edit],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(sql_text, 0, "no SQL text is stored any more");
    store.undo(edit, now()).expect("undo");
    let client = store.client(id).expect("back");
    assert_eq!(client.name, "Ada Ng");
    assert_eq!(
        client.notes, "",
        "the update before the delete is undone too"
    );
}

#[test]
fn a_hand_edited_undo_log_cannot_run_sql_of_its_own() {
    let hostile = [
        // An old-style row: SQL text that undo used to execute.
        (
            "UPDATE undo_log SET op = NULL, sql = 'DROP TABLE partners'",
            "older coachbook",
        ),
        (
            "UPDATE undo_log SET tbl = 'sqlite_master'",
            "does not touch",
        ),
        (
            "UPDATE undo_log SET tbl = 'partners; DROP TABLE partners'",
            "does not touch",
        ),
        (
            "UPDATE undo_log SET op = 'DROP TABLE partners'",
            "unknown step",
        ),
        (
            "UPDATE undo_log SET op = 'update', vals = '{\"name = 1; DROP TABLE partners; --\": 1}'",
            "unknown column",
        ),
        (
            "UPDATE undo_log SET op = 'insert', vals = 'DROP TABLE partners'",
            "not a JSON object",
        ),
    ];
    for (edit, says) in hostile {
        let (_dir, path, mut store, change) = book_with_one_added_client();
        store.conn.execute_batch(edit).expect("hand edit");
        let before = tables(&store);
        let err = store.undo(change, now()).expect_err("refused");
        assert!(crate::error::exit_code(&err) == 2, "{err:#}");
        assert!(format!("{err:#}").contains(says), "{edit}: {err:#}");
        assert_eq!(tables(&store), before, "{edit}");
        assert!(
            !store
                .change_by_id(change)
                .expect("read")
                .expect("there")
                .undone
        );
        drop(store);
        assert!(Store::open(&path).is_ok());
    }
}

fn tables(store: &Store) -> Vec<String> {
    let mut stmt = store
        .conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .expect("prepare");
    stmt.query_map([], |r| r.get(0))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("names")
}

#[test]
fn a_negative_schema_version_is_refused_untouched() {
    let (_dir, path, store, _) = book_with_one_added_client();
    store
        .conn
        .pragma_update(None, "user_version", -3)
        .expect("set");
    drop(store);
    let before = std::fs::read(&path).expect("read");
    let err = Store::open(&path).err().expect("refused");
    assert!(
        format!("{err}").contains("unknown schema version (-3)"),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).expect("read"), before);
}

#[test]
fn the_put_aside_clients_of_a_mail_batch_come_from_the_waiting_index() {
    let (_dir, path) = new_book();
    let store = Store::open(&path).expect("open");
    let plan: Vec<String> = store
        .conn()
        .prepare(&format!(
            "EXPLAIN QUERY PLAN {}",
            super::requests::PUT_ASIDE_CLIENTS
        ))
        .expect("plan")
        .query_map([], |r| r.get::<_, String>(3))
        .expect("plan rows")
        .collect::<rusqlite::Result<_>>()
        .expect("plan rows");
    assert_eq!(
        plan,
        vec!["SCAN requests USING INDEX requests_waiting".to_string()],
        "only the few requests still waiting are read, never every request"
    );
}

#[test]
fn the_history_migration_allows_history_and_keeps_every_row_and_reference() {
    let (_dir, path) = new_book();
    let mut store = Store::open(&path).expect("open");
    let id = store
        .change("test", "history", now(), |tx| {
            tx.insert_request(
                &NewRequest {
                    client_id: None,
                    unknown_sender: Some("old@example.org".into()),
                    received_at: now() - Duration::days(400),
                    channel: Channel::Email,
                    urgency: Urgency::Normal,
                    subject: Some("old".into()),
                    body: "old mail".into(),
                    message_id: Some("old@example.org".into()),
                },
                &clock(),
                crate::model::RequestStatus::History,
            )
        })
        .expect("insert");
    let request = store.request(id).expect("read");
    assert_eq!(request.status, crate::model::RequestStatus::History);
    assert!(
        store
            .requests_awaiting_reply(now())
            .expect("pane")
            .is_empty()
    );
    let fk: Option<String> = store
        .conn()
        .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
        .optional()
        .expect("check");
    assert_eq!(fk, None);
    let on: i64 = store
        .conn()
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .expect("pragma");
    assert_eq!(on, 1, "foreign keys are on again after the migrations");
}

#[test]
fn a_batch_of_message_ids_is_looked_up_on_the_unique_indexes() {
    let (_dir, path) = new_book();
    let mut store = Store::open(&path).expect("open");
    let plan: Vec<String> = store
        .conn()
        .prepare(&format!(
            "EXPLAIN QUERY PLAN {}",
            super::mail_threads::KNOWN_MESSAGE_IDS
        ))
        .expect("plan")
        .query_map(["[]"], |r| r.get::<_, String>(3))
        .expect("plan rows")
        .collect::<rusqlite::Result<_>>()
        .expect("plan rows");
    let searched = |table: &str| {
        plan.iter().any(|line| {
            line.starts_with(&format!(
                "SEARCH {table} USING COVERING INDEX sqlite_autoindex_{table}"
            ))
        })
    };
    assert!(searched("requests") && searched("replies"), "{plan:?}");
    assert!(
        !plan
            .iter()
            .any(|line| line.starts_with("SCAN requests") || line.starts_with("SCAN replies")),
        "{plan:?}"
    );
    // What it answers: the ids a request or a reply carries, none other.
    store
        .change("test", "mail", now(), |tx| {
            let request = tx.insert_request(
                &NewRequest {
                    client_id: None,
                    unknown_sender: Some("a@example.org".into()),
                    received_at: now(),
                    channel: Channel::Email,
                    urgency: Urgency::Normal,
                    subject: Some("hello".into()),
                    body: "hello".into(),
                    message_id: Some("req@example.org".into()),
                },
                &clock(),
                crate::model::RequestStatus::Open,
            )?;
            tx.add_reply(&NewReply {
                client_id: None,
                partner_id: None,
                request_id: Some(request),
                session_id: None,
                kind: crate::model::ReplyKind::Reply,
                sent_at: now(),
                to_addr: Some("a@example.org".into()),
                subject: None,
                body: "yes".into(),
                message_id: Some("rep@example.org".into()),
                delivery: crate::model::DeliveryState::Sent,
            })
        })
        .expect("write");
    let known = store
        .known_message_ids(&[
            "rep@example.org",
            "new@example.org",
            "req@example.org",
            "it's \"odd\"",
        ])
        .expect("look up");
    let mut known: Vec<String> = known.into_iter().collect();
    known.sort();
    assert_eq!(known, ["rep@example.org", "req@example.org"]);
    assert!(store.known_message_ids(&[]).expect("none").is_empty());
}

/// The dashboard's one read of its request panes gives what the two
/// queries of the panes give, in the same order: on the demo book with
/// snoozes ending and reply-bys falling on the very second of `now`, snoozes
/// with no end, and waiting requests, at whole seconds and between them.
#[test]
fn the_dashboards_one_read_of_requests_is_the_awaiting_and_put_aside_panes() {
    let (_dir, path) = new_book();
    let mut store = Store::open(&path).expect("open");
    let config = crate::config::Config::parse(
        "[coach]\ntime_zone = \"Europe/Berlin\"\n",
        &path.with_file_name("config.toml"),
    )
    .expect("config");
    let start = now();
    crate::demo::generate(&mut store, &config, start).expect("demo book");
    let client: i64 = store
        .conn()
        .query_row("SELECT min(id) FROM clients", [], |r| r.get(0))
        .expect("a client");
    let half = Duration::milliseconds(500);
    let instants: Vec<DateTime<Utc>> = [-2, 0, 1, 5]
        .into_iter()
        .map(|days| start + Duration::days(days))
        .flat_map(|at| [at, at + half])
        .collect();
    for &at in &instants {
        for status in ["open", "snoozed", "waiting", "answered"] {
            for (until, reply_by) in [
                (Some(at), at + Duration::hours(1)),
                (Some(at + Duration::hours(1)), at),
                (Some(at + Duration::hours(1)), at + Duration::hours(2)),
                (None, at + Duration::hours(1)),
                (None, at),
                (Some(at - Duration::hours(1)), at - Duration::hours(2)),
            ] {
                store
                    .conn()
                    .execute(
                        "INSERT INTO requests (client_id, received_at, channel, urgency, status, \
                         body, reply_by, snoozed_until, waiting_since, created_at) \
                         VALUES (?1, ?2, 'email', 'normal', ?3, 'b', ?4, ?5, ?2, ?2)",
                        rusqlite::params![
                            client,
                            ts(reply_by - Duration::days(1)),
                            status,
                            ts(reply_by),
                            until.map(ts)
                        ],
                    )
                    .expect("request added");
            }
        }
    }
    for at in instants {
        let panes = store.requests_on_dashboard(at).expect("one read");
        let (snoozed, waiting) = store.requests_put_aside(at).expect("put aside");
        assert_eq!(
            panes.awaiting,
            store.requests_awaiting_reply(at).expect("awaiting"),
            "at {at}"
        );
        assert_eq!(panes.snoozed, snoozed, "at {at}");
        assert_eq!(panes.waiting, waiting, "at {at}");
        assert!(!panes.snoozed.is_empty() && !panes.waiting.is_empty());
    }
}

#[test]
fn a_snapshot_sees_one_state_of_the_book_while_another_process_writes() {
    let (_dir, path) = new_book();
    let add = |store: &mut Store, name: &str| {
        store
            .change("test", "add", now(), |tx| {
                tx.add_client(
                    &NewClient {
                        name: name.into(),
                        ..NewClient::default()
                    },
                    chrono_tz::UTC,
                )
            })
            .expect("adds");
    };
    let mut reader = Store::open(&path).expect("opens");
    add(&mut reader, "Amara Okafor");
    let mut writer = Store::open(&path).expect("a second connection");
    let (first, second) = reader
        .snapshot(|book| {
            let first = book.client_names()?.len();
            // Another coachbook commits between two reads of one snapshot.
            add(&mut writer, "Bruno Costa");
            Ok((first, book.client_names()?.len()))
        })
        .expect("reads");
    assert_eq!((first, second), (1, 1), "both reads see the same book");
    assert_eq!(
        reader.client_names().expect("names").len(),
        2,
        "after the snapshot the commit is seen"
    );
    // A snapshot writes nothing and holds no lock: the writer goes on.
    add(&mut writer, "Chen Li");
    assert_eq!(reader.client_names().expect("names").len(), 3);
}

#[test]
fn a_stored_instant_is_written_as_chrono_writes_it() {
    let chrono_text = |at: DateTime<Utc>| at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut instants: Vec<DateTime<Utc>> = [
        "2026-11-23T14:20:00Z",
        "1970-01-01T00:00:00Z",
        "0999-12-31T23:59:59Z",
        "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "2016-12-31T23:59:60Z",
        "2026-03-29T01:05:09.999Z",
    ]
    .iter()
    .map(|text| {
        chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.fZ")
            .expect("instant")
            .and_utc()
    })
    .collect();
    instants.push(DateTime::<Utc>::MIN_UTC);
    instants.push(DateTime::<Utc>::MAX_UTC);
    for seconds in (-100_000_000_000i64..300_000_000_000).step_by(7_777_777_777) {
        instants.push(DateTime::from_timestamp(seconds, 0).expect("instant"));
    }
    let mut at = now();
    for _ in 0..5000 {
        instants.push(at);
        at += Duration::seconds(3_599);
    }
    for at in instants {
        assert_eq!(ts(at), chrono_text(at), "{at:?}");
    }
}

/// Stored instants read by integer math are what chrono's RFC 3339 parser
/// reads, inside the accepted years: every month and odd day of years at
/// and past the bounds, times at and past their ends, and text in other
/// forms (which go to chrono).
#[test]
fn stored_instants_are_read_as_chrono_reads_them() {
    use chrono::{DateTime, Utc};
    let chrono_reads = |text: &str| {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .and_then(|d| crate::domain::bounds::instant(d.with_timezone(&Utc)).ok())
    };
    let mut texts: Vec<String> = [
        "2026-11-23T13:00:00z",
        "2026-11-23t13:00:00Z",
        "2026-11-23T13:00:00+00:00",
        "2026-11-23T14:00:00+01:00",
        "2026-11-23T13:00:00.5Z",
        "2026-11-23T23:59:60Z",
        "2026-11-23 13:00:00Z",
        "+2026-11-23T13:00:00Z",
        "2026-1a-23T13:00:00Z",
        "2026-11-23T13:00:00Z ",
        "２０２６-11-23T13:00:00Z",
        "",
    ]
    .iter()
    .map(|t| t.to_string())
    .collect();
    let mut valid = 0;
    for year in [
        0, 1899, 1900, 1999, 2000, 2024, 2026, 2100, 2200, 2201, 9999,
    ] {
        for month in 0..=13 {
            for day in [0, 1, 9, 28, 29, 30, 31, 32] {
                for time in [
                    "00:00:00", "23:59:59", "24:00:00", "12:60:00", "12:00:60", "07:05:09",
                ] {
                    texts.push(format!("{year:04}-{month:02}-{day:02}T{time}Z"));
                }
            }
        }
    }
    for text in &texts {
        let read = super::parse_ts(text);
        valid += usize::from(read.is_some());
        assert_eq!(read, chrono_reads(text), "{text:?}");
    }
    assert!(valid > 1000, "too few valid instants compared: {valid}");
}

/// The dashboard's panes read the state of each request's latest reply not
/// yet delivered once for the pane; each request shows what the per-row
/// look-up of `REQUEST_SELECT` shows: failed or in the outbox (the later
/// reply wins), never a brief to a partner, never once delivered.
#[test]
fn the_dashboards_undelivered_replies_are_those_of_each_request() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("book.sqlite")).expect("opens");
    let config = crate::config::Config::parse(
        "[coach]\ntime_zone = \"Europe/Berlin\"\n",
        &dir.path().join("config.toml"),
    )
    .expect("config");
    crate::demo::generate(&mut store, &config, now()).expect("demo book");
    let waiting: Vec<(i64, Option<i64>)> = store
        .requests(crate::store::RequestFilter::NotDone)
        .expect("requests")
        .iter()
        .map(|r| (r.id, r.client_id))
        .collect();
    assert!(waiting.len() >= 5, "too few waiting requests: {waiting:?}");
    let reply =
        |(request, client): (i64, Option<i64>), kind: &str, delivery: &str, delivered: bool| {
            store
                .conn()
                .execute(
                    "INSERT INTO replies (client_id, request_id, kind, sent_at, body, delivery, \
                 created_at, delivered_at) VALUES (?1, ?2, ?3, ?4, 'b', ?5, ?4, ?6)",
                    rusqlite::params![
                        client,
                        request,
                        kind,
                        ts(now()),
                        delivery,
                        delivered.then(|| ts(now()))
                    ],
                )
                .expect("reply added");
        };
    let w = |n: usize| waiting[n];
    reply(w(0), "reply", "failed", false);
    reply(w(0), "reply", "outbox", false);
    reply(w(1), "partner-brief", "failed", false);
    reply(w(2), "reply", "failed", false);
    reply(w(2), "reply", "sent", true);
    reply(w(3), "reply", "outbox", false);
    reply(w(3), "acknowledgement", "failed", false);
    reply(w(4), "hand-off", "sent", true);
    let per_row: std::collections::BTreeMap<i64, (Option<crate::model::DeliveryState>, bool)> =
        store
            .requests(crate::store::RequestFilter::NotDone)
            .expect("requests")
            .into_iter()
            .map(|r| (r.id, (r.undelivered, r.handed_off)))
            .collect();
    let panes = store.requests_on_dashboard(now()).expect("panes");
    let on_panes: std::collections::BTreeMap<i64, (Option<crate::model::DeliveryState>, bool)> =
        panes
            .awaiting
            .iter()
            .chain(&panes.snoozed)
            .chain(&panes.waiting)
            .map(|r| (r.id, (r.undelivered, r.handed_off)))
            .collect();
    assert_eq!(on_panes, per_row);
    use crate::model::DeliveryState::{Failed, Outbox};
    let of = |n: usize| per_row[&w(n).0];
    assert_eq!(
        [of(0), of(1), of(2), of(3), of(4)],
        [
            (Some(Outbox), false),
            (None, false),
            (Some(Failed), false),
            (Some(Failed), false),
            (None, true)
        ]
    );
}

#[test]
fn commits_by_others_move_only_when_another_connection_commits() {
    // The import trusts the Message-IDs it asked before a change when this
    // has not moved: its own commits must not move it, another's must.
    let (_dir, path) = new_book();
    let mut store = Store::open(&path).expect("open");
    let first = store.commits_by_others().expect("version");
    store
        .change("test", "own write", now(), |tx| {
            tx.run(
                "INSERT INTO clients (name, tz, created_at) VALUES ('Ann', 'UTC', ?1)",
                [ts(now())],
            )?;
            Ok(())
        })
        .expect("own change");
    assert_eq!(store.commits_by_others().expect("version"), first);
    let mut other = Store::open(&path).expect("second connection");
    other
        .change("test", "their write", now(), |tx| {
            tx.run(
                "INSERT INTO clients (name, tz, created_at) VALUES ('Bo', 'UTC', ?1)",
                [ts(now())],
            )?;
            Ok(())
        })
        .expect("their change");
    let after = store.commits_by_others().expect("version");
    assert_ne!(after, first);
    store
        .change("test", "inside", now(), |tx| {
            assert_eq!(tx.commits_by_others()?, after, "inside a change too");
            Ok(())
        })
        .expect("inside");
}

/// A book as coachbook 14 left it: every migration up to 14 (the undo
/// triggers in the book's schema), with change 1 adding a client, recorded
/// by those triggers.
fn a_v14_book_with_a_change_its_triggers_logged() -> (tempfile::TempDir, PathBuf) {
    let (dir, path) = new_book();
    std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
    let conn = Connection::open(&path).expect("raw open");
    for (index, migration) in MIGRATIONS.iter().enumerate().take(14) {
        conn.execute_batch(migration.sql).expect("schema");
        if let Some(generate) = migration.generated {
            conn.execute_batch(&generate(&conn).expect("generated"))
                .expect("generated");
        }
        conn.pragma_update(None, "user_version", index as i64 + 1)
            .expect("version");
    }
    conn.pragma_update(None, "application_id", APPLICATION_ID)
        .expect("id");
    conn.execute_batch(
        "INSERT INTO changes (at, command, summary) VALUES ('2026-01-01T00:00:00Z', 'client add', 'add Chen Wei');
         INSERT INTO clients (name, tz, created_at) VALUES ('Chen Wei', 'UTC', '2026-01-01T00:00:00Z');
         INSERT INTO client_emails (email, client_id) VALUES ('chen@example.org', 1);",
    )
    .expect("a client");
    let logged: i64 = conn
        .query_row(
            "SELECT count(*) FROM undo_log WHERE change_id = 1",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(
        logged, 2,
        "the v14 triggers logged the client and the address"
    );
    (dir, path)
}

/// The one number `sql` answers.
fn number(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).expect(sql)
}

fn triggers_in(conn: &Connection, schema: &str) -> i64 {
    number(
        conn,
        &format!("SELECT count(*) FROM {schema} WHERE type = 'trigger'"),
    )
}

#[test]
fn a_v14_book_loses_its_triggers_and_its_old_changes_still_undo() {
    let (_dir, path) = a_v14_book_with_a_change_its_triggers_logged();
    let mut store = Store::open(&path).expect("migrates");
    assert_eq!(store.schema_version().expect("version"), latest_version());
    assert_eq!(triggers_in(&store.conn, "sqlite_schema"), 0);
    store.undo(1, now()).expect("the old change undoes");
    assert!(store.client_names().expect("names").is_empty());
    let addresses = number(&store.conn, "SELECT count(*) FROM client_emails");
    assert_eq!(addresses, 0);
    // The undo itself was recorded, by this connection's own triggers:
    // undoing the undo brings the client back.
    let undo_id = number(&store.conn, "SELECT max(id) FROM changes");
    store.undo(undo_id, now()).expect("undo the undo");
    assert_eq!(
        store.client_names().expect("names"),
        vec![(1, "Chen Wei".to_string())]
    );
    assert!(store.check().expect("check").is_empty());
}

#[test]
fn only_a_connection_that_changes_the_book_makes_undo_triggers_and_only_for_itself() {
    let (_dir, path, mut store, _) = book_with_one_added_client();
    assert_eq!(triggers_in(&store.conn, "sqlite_schema"), 0);
    // Three per tracked table, in this connection's TEMP schema.
    assert_eq!(
        triggers_in(&store.conn, "sqlite_temp_schema"),
        3 * schema::TRACKED_TABLES.len() as i64
    );
    let reader = Store::open(&path).expect("opens");
    reader.client_names().expect("reads");
    assert_eq!(triggers_in(&reader.conn, "sqlite_temp_schema"), 0);
    // An edit by another program (the sqlite3 shell) is not logged into
    // coachbook's last change, so undoing that change undoes only it.
    let last: i64 = number(&store.conn, "SELECT max(id) FROM changes");
    let before: i64 = number(&store.conn, "SELECT count(*) FROM undo_log");
    let shell = Connection::open(&path).expect("raw open");
    shell
        .execute("UPDATE clients SET notes = 'by hand'", [])
        .expect("edit");
    let after: i64 = number(&store.conn, "SELECT count(*) FROM undo_log");
    assert_eq!(after, before);
    store.undo(last, now()).expect("undo");
    assert!(store.client_names().expect("names").is_empty());
}

#[test]
fn every_tracked_table_is_recorded_by_the_connection_triggers() {
    let (_dir, path) = new_book();
    let mut store = Store::open(&path).expect("opens");
    store
        .change("test", "nothing yet", now(), |_| Ok(()))
        .expect("change");
    for table in schema::TRACKED_TABLES {
        for kind in ["insert", "update", "delete"] {
            let name = format!("{table}_undo_{kind}");
            let watched: String = store
                .conn
                .query_row(
                    "SELECT tbl_name FROM sqlite_temp_schema WHERE type = 'trigger' AND name = ?1",
                    [&name],
                    |r| r.get(0),
                )
                .unwrap_or_else(|_| panic!("{name} is made"));
            assert_eq!(watched, *table);
        }
    }
}

/// Words and instants read from SQLite's bytes (the book's own spelling
/// and form) read as parsing their text reads them; other spellings and
/// forms still go through the parsers, and what neither reads is the
/// same error.
#[test]
fn stored_words_and_instants_read_as_their_text_parses() {
    use crate::model::RequestStatus;
    let conn = rusqlite::Connection::open_in_memory().expect("memory");
    let read = |value: &str| -> (Result<RequestStatus, String>, Result<DateTime<Utc>, String>) {
        conn.query_row("SELECT ?1, ?1", [value], |row| {
            Ok((
                read_word(row, 0, RequestStatus::parse).map_err(|e| e.to_string()),
                read_ts(row, 1).map_err(|e| e.to_string()),
            ))
        })
        .expect("row")
    };
    for word in [
        "open", "waiting", "Waiting", " open", "WAITING", "bogus", "", "ope",
    ] {
        let (read_back, _) = read(word);
        let parsed = RequestStatus::parse(word).map_err(|_| ());
        assert_eq!(
            read_back.as_ref().map_err(|_| ()),
            parsed.as_ref().map_err(|_| ()),
            "{word:?}"
        );
        if parsed.is_err() {
            assert!(
                read_back.is_err_and(|e| e.contains("cannot read")),
                "{word:?}"
            );
        }
    }
    for text in [
        "2026-11-23T13:20:00Z",
        "2026-11-23T14:20:00+01:00",
        "2026-11-23T13:20:00.5Z",
        "2016-12-31T23:59:60Z",
        "2026-02-30T13:20:00Z",
        "2026-11-23 13:20:00Z",
        "1066-10-14T09:00:00Z",
        "not an instant",
    ] {
        let (_, read_back) = read(text);
        assert_eq!(read_back.as_ref().ok(), parse_ts(text).as_ref(), "{text:?}");
    }
}

/// The SQLite coachbook is built with (`.cargo/config.toml`) counts no
/// memory statistics and keeps each connection's page cache its own: with
/// either, every allocation or every page touched takes a global mutex.
#[test]
fn sqlite_is_built_without_global_memory_locks() {
    let conn = rusqlite::Connection::open_in_memory().expect("opens");
    let options: Vec<String> = conn
        .prepare("PRAGMA compile_options")
        .expect("pragma")
        .query_map([], |r| r.get(0))
        .expect("options")
        .collect::<rusqlite::Result<_>>()
        .expect("read");
    assert!(
        options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
        "{options:?}"
    );
    assert!(
        !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
        "{options:?}"
    );
}
