//! Decoding and source reading on the small hand-made fixtures in
//! tests/fixtures/mail/, one per quirk real mail has.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use coachbook::mail::{
    Address, MailError, MailItem, MailMessage, SourceError, SourceKind, parse_message, read_source,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/mail")
        .join(name)
}

fn parse_fixture(name: &str) -> MailMessage {
    let raw = std::fs::read(fixture(name)).unwrap_or_else(|error| panic!("{name}: {error}"));
    parse_message(&raw).unwrap_or_else(|error| panic!("{name}: {error}"))
}

fn items(path: &Path) -> Vec<MailItem> {
    let source = read_source(path).unwrap_or_else(|error| panic!("{error}"));
    source
        .map(|item| item.unwrap_or_else(|error| panic!("{error}")))
        .collect()
}

fn subjects(items: &[MailItem]) -> Vec<String> {
    items
        .iter()
        .map(|item| match parse_message(&item.raw) {
            Ok(message) => message.subject.unwrap_or_default(),
            Err(error) => panic!("{}: {error}", item.label),
        })
        .collect()
}

#[test]
fn rfc2047_words_across_charsets_are_joined() {
    let message = parse_fixture("rfc2047_multi_charset.eml");
    assert_eq!(
        message.subject.as_deref(),
        Some("If you can read this you understand the example. and café time")
    );
    assert_eq!(
        message.from,
        Some(Address {
            name: Some("Ana García".into()),
            email: "ana.garcia@example.org".into()
        })
    );
    let to: Vec<_> = message.to.iter().map(|a| a.email.as_str()).collect();
    assert_eq!(to, ["keld@example.dk", "coach@example.org"]);
    assert_eq!(message.to[0].name.as_deref(), Some("Keld Jørn Simonsen"));
    assert_eq!(message.cc[0].name.as_deref(), Some("André Pirard"));
    assert_eq!(message.cc[0].email, "pirard@example.be");
    assert_eq!(
        message.message_id.as_deref(),
        Some("multi-charset@example.org")
    );
    assert_eq!(message.in_reply_to, ["earlier@example.org"]);
    assert_eq!(
        message.references,
        ["first@example.org", "earlier@example.org"]
    );
    assert_eq!(
        message.date.map(|d| d.to_rfc3339()),
        Some("2026-11-23T08:15:00+00:00".into())
    );
    assert_eq!(message.body_text, "Plain body.");
}

#[test]
fn quoted_printable_soft_breaks_are_joined() {
    let message = parse_fixture("qp_soft_breaks_latin1.eml");
    assert_eq!(message.subject.as_deref(), Some("Grüße"));
    assert_eq!(
        message.body_text,
        "Die Hasen klagten einst über ihre mißliche Lage, sprach ein Redner, \
         und das ist eine sehr lange Zeile, die weich umbrochen wurde. \nZweite Zeile."
    );
}

#[test]
fn base64_bodies_are_decoded() {
    let message = parse_fixture("base64_utf8_body.eml");
    assert_eq!(
        message.body_text,
        "Hi Sam,\nCan we move Thursday's session? Ça va bien, merci.\n— Ana"
    );
}

#[test]
fn iso_2022_jp_subject_and_body() {
    let message = parse_fixture("iso2022jp.eml");
    assert_eq!(message.subject.as_deref(), Some("日本語のテスト (testing)"));
    assert_eq!(message.body_text, "日本語が\n正常に送れているか");
}

#[test]
fn utf7_subject_name_and_body() {
    let message = parse_fixture("utf7.eml");
    assert_eq!(
        message.subject.as_deref(),
        Some("Die Hasen und die Frösche")
    );
    assert_eq!(message.to[0].name.as_deref(), Some("Jürgen Schmürgen"));
    assert_eq!(
        message.body_text,
        "Die Hasen klagten einst über ihre mißliche Lage; wir leben."
    );
}

#[test]
fn windows_1250_subject_and_body() {
    let message = parse_fixture("windows1250.eml");
    assert_eq!(
        message.subject.as_deref(),
        Some("Pytanie o sesję: możemy przesunąć na środę?")
    );
    assert_eq!(
        message.body_text,
        "Dzień dobry, czy możemy przesunąć sesję na środę?"
    );
}

#[test]
fn raw_utf8_in_headers_is_read_as_utf8() {
    let message = parse_fixture("raw_utf8_headers.eml");
    assert_eq!(message.subject.as_deref(), Some("Grüße aus Köln — 日本"));
    assert_eq!(
        message.from.and_then(|from| from.name).as_deref(),
        Some("Zoë Müller")
    );
}

#[test]
fn html_only_mail_becomes_readable_text() {
    let message = parse_fixture("html_only.eml");
    assert_eq!(
        message.body_text,
        "Hi Sam,\n\nI’m struggling this week & would love a call.\nFriday?\n\nCafé <3 €"
    );
}

#[test]
fn text_parts_around_an_inline_image_are_joined_in_order() {
    let message = parse_fixture("iphone_split_text.eml");
    assert_eq!(
        message.body_text,
        "Before the picture.\n\nAfter the picture."
    );
}

#[test]
fn auto_reply_signals() {
    assert!(parse_fixture("auto_submitted.eml").auto_reply);
    assert!(parse_fixture("precedence_bulk.eml").auto_reply);
    assert!(parse_fixture("automatic_reply_subject.eml").auto_reply);
    assert!(!parse_fixture("precedence_list_human.eml").auto_reply);
    assert!(!parse_fixture("rfc2047_multi_charset.eml").auto_reply);
}

#[test]
fn missing_from_and_date_are_none() {
    let message = parse_fixture("no_from_no_date.eml");
    assert_eq!(message.from, None);
    assert_eq!(message.date, None);
    assert_eq!(message.subject.as_deref(), Some("nobody sent this"));
    assert_eq!(message.body_text, "Orphan text.");
}

#[test]
fn unparseable_input_gives_a_short_error() {
    assert_eq!(parse_message(b""), Err(MailError::Empty));
    assert_eq!(parse_message(b" \r\n\n"), Err(MailError::Empty));
    let binary = parse_message(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    assert!(matches!(binary, Err(MailError::NotMail(_))));
    let secret = "Shopping list: my private notes";
    match parse_message(secret.as_bytes()) {
        Err(error @ MailError::NotMail(_)) => {
            assert!(!error.to_string().contains("private"), "{error}");
        }
        other => panic!("expected NotMail, got {other:?}"),
    }
}

#[test]
fn eml_with_an_envelope_line_is_one_message() {
    let path = fixture("envelope_line.eml");
    let source = read_source(&path).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(source.kind(), SourceKind::SingleMessage);
    let found = items(&path);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].label, "envelope_line.eml");
    assert_eq!(subjects(&found), ["saved from mbox"]);
}

#[test]
fn mbox_separator_policy_keeps_body_from_lines() {
    let found = items(&fixture("separator_policy.mbox"));
    assert_eq!(subjects(&found), ["one", "two", "three"]);
    let labels: Vec<_> = found.iter().map(|item| item.label.as_str()).collect();
    assert_eq!(
        labels,
        ["mbox message 1", "mbox message 2", "mbox message 3"]
    );
    let first = parse_message(&found[0].raw).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(
        first.body_text,
        "My favourite film:\n\nFrom Russia with love\nYear: 1963\n\n\
         From here\non it is plain text.\nFrom the escaped line\n>From a doubly escaped line"
    );
    assert_eq!(
        first.from.map(|from| from.email).as_deref(),
        Some("alice@example.org")
    );
}

#[test]
fn mbox_with_bom_crlf_and_no_final_blank_line() {
    let found = items(&fixture("bom_crlf.mbox"));
    assert_eq!(subjects(&found), ["first", "second"]);
    assert_eq!(
        found[0].raw,
        b"From: a@example.org\r\nSubject: first\r\n\r\nOne.\r\n"
    );
    assert_eq!(
        found[1].raw,
        b"From: b@example.org\r\nSubject: second\r\n\r\nTwo."
    );
}

#[test]
fn maildir_reads_cur_and_new_but_not_tmp_or_dotfiles() {
    let path = fixture("maildir");
    let source = read_source(&path).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(source.kind(), SourceKind::Maildir);
    let found = items(&path);
    let labels: Vec<_> = found.iter().map(|item| item.label.as_str()).collect();
    assert_eq!(labels, ["1700000001.M1P1.host:2,S", "1700000002.M2P2.host"]);
    assert_eq!(subjects(&found), ["in cur", "in new"]);
}

#[test]
fn bad_sources_give_distinct_errors() {
    let missing = read_source(&fixture("does-not-exist.mbox"));
    assert!(matches!(missing, Err(SourceError::NotFound { .. })));

    let not_maildir = read_source(&fixture("maildir/cur"));
    assert!(matches!(not_maildir, Err(SourceError::NotMaildir { .. })));

    let empty_mbox = read_source(&fixture("empty.mbox"));
    assert!(matches!(empty_mbox, Err(SourceError::EmptyMbox { .. })));

    let not_mail = read_source(&fixture("not_mail.txt"));
    assert!(matches!(not_mail, Err(SourceError::NotMail { .. })));
}

#[test]
fn binary_and_empty_files_are_refused() {
    let folder = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
    let binary = folder.path().join("photo.jpg");
    let empty = folder.path().join("empty.eml");
    std::fs::write(&binary, b"\xff\xd8\xff\xe0\0\x10JFIF\0").unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&empty, b"").unwrap_or_else(|e| panic!("{e}"));

    let error = read_source(&binary).err();
    assert!(
        matches!(error, Some(SourceError::Binary { .. })),
        "{error:?}"
    );
    let error = read_source(&empty).err();
    assert!(
        matches!(error, Some(SourceError::EmptyFile { .. })),
        "{error:?}"
    );
}

#[test]
fn error_messages_are_one_line_and_name_the_path() {
    let error = read_source(&fixture("empty.mbox"))
        .err()
        .map(|error| error.to_string())
        .unwrap_or_default();
    assert!(error.contains("empty.mbox"), "{error}");
    assert!(error.contains("no messages"), "{error}");
    assert!(!error.contains('\n'), "{error}");
}

#[test]
fn nul_bytes_in_a_binary_body_are_not_fatal() {
    let raw = b"From: a@example.org\nSubject: scan\nContent-Type: multipart/mixed; boundary=b\n\n\
--b\nContent-Type: text/plain\n\nSee the scan.\n\
--b\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: binary\n\n\0\x01\0\x02\n--b--\n";
    let message = parse_message(raw).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(message.body_text, "See the scan.");
    assert!(matches!(
        parse_message(b"From: a@example.org\nX-Bad: \0\n\nbody"),
        Err(MailError::NotMail(_))
    ));
}

#[test]
fn only_read_failures_are_not_bad_input() {
    let missing = read_source(&fixture("nope")).err();
    assert!(missing.is_some_and(|error| error.is_bad_input()));
    let io = SourceError::Io {
        path: fixture("x"),
        source: std::io::Error::other("disk on fire"),
    };
    assert!(!io.is_bad_input());
}

/// Mail arrives cut off (full disks, interrupted downloads): every prefix of
/// every fixture must give a message or an error, never a panic.
#[test]
fn truncated_messages_never_panic() {
    let folder = fixture("");
    let entries = std::fs::read_dir(&folder).unwrap_or_else(|error| panic!("{error}"));
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        let raw = std::fs::read(&path).unwrap_or_else(|error| panic!("{error}"));
        for end in 0..=raw.len() {
            let _ = parse_message(&raw[..end]);
        }
    }
}

#[test]
fn odd_case_duplicated_and_folded_headers() {
    let raw = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/mail_quirks/odd_case_duplicates_folded.eml"),
    )
    .unwrap();
    let message = parse_message(&raw).unwrap();
    let emails = |list: &[Address]| list.iter().map(|a| a.email.clone()).collect::<Vec<_>>();
    let from = message.from.clone().unwrap();
    assert_eq!(from.email, "jane.doe@example.org");
    assert_eq!(from.name.as_deref(), Some("Doe, Jane"));
    // Every To and Cc header counts, in order; the folding is no address.
    assert_eq!(
        emails(&message.to),
        ["sam@coach.example", "b@x.example", "c@y.example"]
    );
    assert_eq!(emails(&message.cc), ["q@z.example", "d@w.example"]);
    // The first Subject and Message-ID count; folding keeps its blanks.
    assert_eq!(message.subject.as_deref(), Some("Folded  over\ttwo lines"));
    assert_eq!(message.message_id.as_deref(), Some("odd.case@x.example"));
    assert_eq!(message.in_reply_to, ["a@x.example"]);
    assert_eq!(message.references, ["r1@x.example", "r2@x.example"]);
    assert_eq!(
        message.date,
        chrono::DateTime::from_timestamp(1_475_417_182, 0)
    );
    assert!(message.important);
    assert!(!message.auto_reply);
    assert_eq!(message.body_text, "Body line one.\nBody line two.");
}
