//! The mail reader on real-world mail from public repositories.
//!
//! Set `COACHBOOK_REAL_FIXTURES` to the folder holding `eml/` and `mbox/`
//! (see SOURCES.md beside them for what each file exercises). Without it,
//! every test says it was skipped and passes. The files are never copied
//! into this repository.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use coachbook::mail::{MailMessage, SourceKind, parse_message, read_source};

fn real_fixtures(test: &str) -> Option<PathBuf> {
    match std::env::var_os("COACHBOOK_REAL_FIXTURES") {
        Some(folder) => Some(PathBuf::from(folder)),
        None => {
            println!("{test}: skipped (COACHBOOK_REAL_FIXTURES is not set)");
            None
        }
    }
}

fn parse_file(path: &Path) -> MailMessage {
    let raw = std::fs::read(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    parse_message(&raw).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn utc(rfc3339: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(rfc3339)
        .ok()
        .map(|date| date.with_timezone(&Utc))
}

/// Subjects, senders and dates as Python's `email` package decodes them with
/// the default policy. Computed once (Python 3.11) in eml/ with:
///
/// ```text
/// python3 -c 'import email, email.policy, glob
/// for f in sorted(glob.glob("*.eml")):
///     m = email.message_from_bytes(open(f,"rb").read(), policy=email.policy.default)
///     a = m["from"].addresses[0] if m["from"] is not None else None
///     print((f, str(m["subject"]), (a.display_name, a.addr_spec) if a else None,
///            m["date"].datetime.isoformat() if m["date"] else None))'
/// ```
/// What Python decoded for one file.
struct PythonDecoded {
    file: &'static str,
    subject: &'static str,
    /// (display name, address)
    from: Option<(&'static str, &'static str)>,
    /// RFC 3339 with the sender's offset
    date: Option<&'static str>,
}

const PYTHON_DECODED: &[PythonDecoded] = &[
    PythonDecoded {
        file: "01_outlook2000_utf8_qp_encoded_to.eml",
        subject: "Die Hasen und die Frösche (Microsoft Outlook 00)",
        from: Some(("Doug Sauder", "doug@example.com")),
        date: Some("2000-05-17T19:27:04-04:00"),
    },
    PythonDecoded {
        file: "02_outlook2000_utf7_charset_and_subject.eml",
        subject: "Die Hasen und die Frösche (Microsoft Outlook 00)",
        from: Some(("Doug Sauder", "doug@example.com")),
        date: Some("2000-05-17T19:18:39-04:00"),
    },
    PythonDecoded {
        file: "03_eudora_multipart_alternative_latin1_qp.eml",
        subject: "Die Hasen und die Frösche",
        from: Some(("Doug Sauder", "dwsauder@example.com")),
        date: Some("2000-05-19T00:29:55-04:00"),
    },
    PythonDecoded {
        file: "04_utf8_base64_subject_8bit_body.eml",
        subject: "こんにちは",
        from: None,
        date: None,
    },
    PythonDecoded {
        file: "05_windows_live_mail_encoded_from_name.eml",
        subject: "[PRJ-OTH] asdf  árvíztűrő tükörfúrógép",
        from: Some(("sendeär", "sender@test.com")),
        date: Some("2014-10-20T14:33:24+02:00"),
    },
    PythonDecoded {
        file: "06_rfc2047_multi_charset_words_to_cc.eml",
        subject: "If you can read this you understand the example.",
        from: Some(("Keith Moore", "moore@cs.utk.edu")),
        date: Some("2014-10-20T14:33:24+02:00"),
    },
    PythonDecoded {
        file: "07_exchange_autoreply_win1250_no_from.eml",
        subject: "Automatyczna odpowiedź: Piotrze, test z 6 miesięcy nauki ciągle na Ciebie czeka",
        from: None,
        date: None,
    },
    PythonDecoded {
        file: "08_gmail_mixed_alternative_base64_attachment.eml",
        subject: "Mail avec fichier attaché de 1ko",
        from: Some(("Name", "name@company.com")),
        date: Some("2013-06-16T17:50:12+02:00"),
    },
    PythonDecoded {
        file: "09_iphone_mail_inline_image_text_blocks.eml",
        subject: "Multiple text blocks",
        from: Some(("Text", "example@example.com")),
        date: Some("2017-10-24T12:40:43+01:00"),
    },
    PythonDecoded {
        file: "10_thunderbird_iso2022jp.eml",
        subject: "日本語メールテスト (testing Japanese emails)",
        from: Some(("Atsushi Eno", "x@x.com")),
        date: Some("2015-07-22T01:02:29+09:00"),
    },
];

#[test]
fn every_eml_parses() {
    let Some(root) = real_fixtures("every_eml_parses") else {
        return;
    };
    let folder = root.join("eml");
    let entries =
        std::fs::read_dir(&folder).unwrap_or_else(|error| panic!("{}: {error}", folder.display()));
    let mut parsed = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|extension| extension == "eml") {
            let source =
                read_source(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
            assert_eq!(
                source.kind(),
                SourceKind::SingleMessage,
                "{}",
                path.display()
            );
            parse_file(&path);
            parsed += 1;
        }
    }
    assert_eq!(parsed, PYTHON_DECODED.len());
}

#[test]
fn subjects_senders_and_dates_match_python() {
    let Some(root) = real_fixtures("subjects_senders_and_dates_match_python") else {
        return;
    };
    for expected in PYTHON_DECODED {
        let file = expected.file;
        let message = parse_file(&root.join("eml").join(file));
        assert_eq!(message.subject.as_deref(), Some(expected.subject), "{file}");
        let sender = message.from.as_ref().map(|address| {
            (
                address.name.as_deref().unwrap_or(""),
                address.email.as_str(),
            )
        });
        assert_eq!(sender, expected.from, "{file}");
        assert_eq!(message.date, expected.date.and_then(utc), "{file}");
    }
}

#[test]
fn bodies_and_flags_of_the_tricky_messages() {
    let Some(root) = real_fixtures("bodies_and_flags_of_the_tricky_messages") else {
        return;
    };
    let eml = |name: &str| parse_file(&root.join("eml").join(name));

    let utf7 = eml("02_outlook2000_utf7_charset_and_subject.eml");
    assert!(
        utf7.body_text
            .starts_with("Die Hasen und die Frösche\n\nDie Hasen klagten einst über")
    );
    assert_eq!(utf7.to[1].name.as_deref(), Some("Jürgen Schmürgen"));

    let eudora = eml("03_eudora_multipart_alternative_latin1_qp.eml");
    assert!(
        eudora
            .body_text
            .contains("sprach ein Redner, \"in steter Furcht")
    );
    assert!(
        !eudora.body_text.contains('<'),
        "the HTML alternative was chosen"
    );

    let japanese_8bit = eml("04_utf8_base64_subject_8bit_body.eml");
    assert_eq!(japanese_8bit.body_text, "人権の無視及");

    let swedish = eml("05_windows_live_mail_encoded_from_name.eml");
    assert!(
        swedish
            .body_text
            .contains("Det här är ett flerdelat meddelande")
    );

    let rfc2047 = eml("06_rfc2047_multi_charset_words_to_cc.eml");
    assert_eq!(rfc2047.to[0].name.as_deref(), Some("Keld Jørn Simonsen"));
    assert_eq!(rfc2047.cc[0].name.as_deref(), Some("André Pirard"));

    let exchange = eml("07_exchange_autoreply_win1250_no_from.eml");
    assert!(exchange.auto_reply);
    assert_eq!((exchange.from, exchange.date), (None, None));
    assert_eq!(exchange.body_text, "toto");

    let iphone = eml("09_iphone_mail_inline_image_text_blocks.eml");
    assert_eq!(
        iphone.body_text,
        "First we have a text block, then we insert an image:\n\n\
         Then we have more text\n\n-- sent from my phone."
    );

    let thunderbird = eml("10_thunderbird_iso2022jp.eml");
    assert!(
        thunderbird
            .body_text
            .ends_with("日本語が\n正常に\n送れているか\nテスト.")
    );

    for message in [utf7, eudora, swedish, rfc2047, iphone, thunderbird] {
        assert!(!message.auto_reply, "{:?}", message.subject);
    }
}

/// One message of MimeKit's expected summary: From, To, Subject, Date lines.
#[derive(Debug, Default)]
struct ExpectedSummary {
    from: String,
    to: String,
    subject: String,
    date: String,
}

fn read_expected_summaries(path: &Path) -> Vec<ExpectedSummary> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let mut summaries: Vec<ExpectedSummary> = Vec::new();
    for line in text.lines() {
        if line.starts_with("From ") {
            summaries.push(ExpectedSummary::default());
        }
        let Some(summary) = summaries.last_mut() else {
            continue;
        };
        let field = |prefix: &str| line.strip_prefix(prefix).map(str::to_string);
        if let Some(value) = field("From: ") {
            summary.from = value;
        } else if let Some(value) = field("To: ") {
            summary.to = value;
        } else if let Some(value) = field("Subject: ") {
            summary.subject = value;
        } else if let Some(value) = field("Date: ") {
            summary.date = value;
        }
    }
    summaries
}

/// `"Sender" <sender@example.com>` → (Sender, sender@example.com).
fn name_and_email(mailbox: &str) -> (String, String) {
    let (name, email) = mailbox.split_once('<').unwrap_or(("", mailbox));
    (
        name.trim().trim_matches('"').to_string(),
        email.trim_end_matches('>').to_lowercase(),
    )
}

#[test]
fn gmail_style_mbox_matches_mimekit_summary() {
    let Some(root) = real_fixtures("gmail_style_mbox_matches_mimekit_summary") else {
        return;
    };
    let mbox = root.join("mbox/gmail_takeout_style_4msgs.mbox");
    let expected =
        read_expected_summaries(&root.join("mbox/gmail_takeout_style_4msgs.expected-summary.txt"));
    assert_eq!(expected.len(), 4);

    let source = read_source(&mbox).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(source.kind(), SourceKind::Mbox);
    let messages: Vec<MailMessage> = source
        .map(|item| {
            let item = item.unwrap_or_else(|error| panic!("{error}"));
            parse_message(&item.raw).unwrap_or_else(|error| panic!("{}: {error}", item.label))
        })
        .collect();
    assert_eq!(messages.len(), expected.len());

    for (message, summary) in messages.iter().zip(&expected) {
        let from = message
            .from
            .as_ref()
            .map(|a| (a.name.clone().unwrap_or_default(), a.email.clone()));
        assert_eq!(from, Some(name_and_email(&summary.from)));
        let to: Vec<(String, String)> = message
            .to
            .iter()
            .map(|a| (a.name.clone().unwrap_or_default(), a.email.clone()))
            .collect();
        assert_eq!(to, [name_and_email(&summary.to)]);
        assert_eq!(message.subject.as_deref(), Some(summary.subject.as_str()));
        let expected_date = DateTime::parse_from_rfc2822(&summary.date)
            .ok()
            .map(|date| date.with_timezone(&Utc));
        assert!(expected_date.is_some(), "oracle date {}", summary.date);
        assert_eq!(message.date, expected_date);
        assert!(message.body_text.starts_with("Body of message "));
    }
}

#[test]
fn unmunged_mbox_keeps_from_russia_in_the_body() {
    let Some(root) = real_fixtures("unmunged_mbox_keeps_from_russia_in_the_body") else {
        return;
    };
    // Our documented policy (src/mail/source.rs): "From Russia with love" is
    // no envelope line, so the BOM-led file holds 2 messages, not MimeKit's 4.
    let mbox = root.join("mbox/unmunged_from_lines_bom.mbox");
    let messages: Vec<MailMessage> = read_source(&mbox)
        .unwrap_or_else(|error| panic!("{error}"))
        .map(|item| {
            let item = item.unwrap_or_else(|error| panic!("{error}"));
            parse_message(&item.raw).unwrap_or_else(|error| panic!("{}: {error}", item.label))
        })
        .collect();
    let subjects: Vec<_> = messages
        .iter()
        .filter_map(|m| m.subject.as_deref())
        .collect();
    assert_eq!(
        subjects,
        [
            "This is a test message with an unmunged From line",
            "Another test message with an unmunged From line",
        ]
    );
    for message in &messages {
        assert!(message.body_text.contains("\n\nFrom Russia with love\n"));
        assert_eq!(
            message.from.as_ref().map(|a| a.email.as_str()),
            Some("jeff@xamarin.com")
        );
    }
    assert!(
        messages[1]
            .body_text
            .contains("From Russia with love\nYear: 1963\n")
    );
}

#[test]
fn truncated_real_messages_never_panic() {
    let Some(root) = real_fixtures("truncated_real_messages_never_panic") else {
        return;
    };
    for expected in PYTHON_DECODED {
        let raw = std::fs::read(root.join("eml").join(expected.file))
            .unwrap_or_else(|error| panic!("{}: {error}", expected.file));
        // Every byte for small files; a spread of cut points for the 52 KB one.
        let step = (raw.len() / 2000).max(1);
        for end in (0..=raw.len()).step_by(step) {
            let _ = parse_message(&raw[..end]);
        }
    }
}
