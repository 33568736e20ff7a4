//! No raw control character from stored or outside text reaches the
//! terminal: every human-readable output shows them as visible escapes, an
//! error quotes at most ~80 characters, JSON stays exact JSON.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::Book;

/// What must never be printed raw.
fn unsafe_char(ch: char) -> bool {
    (ch.is_control() && ch != '\n' && ch != '\t')
        || matches!(ch, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn assert_clean(what: &str, text: &str) {
    if let Some(ch) = text.chars().find(|c| unsafe_char(*c)) {
        panic!("{what} printed a raw {ch:?}:\n{text}");
    }
}

const HOSTILE: &str = "hi \u{1b}]0;pwned\u{7} \u{1b}[2J there \u{9b}31m \u{7f} \u{202e}evil\r";

fn hostile_book() -> Book {
    let book = Book::new();
    book.ok(&[
        "client",
        "add",
        "Eve\u{1b}[31m\nNext\u{202e}",
        "--email",
        "eve@example.com",
    ]);
    book.ok(&["request", "add", "Eve", HOSTILE, "--at", "20 min ago"]);
    book.ok(&["followup", "add", "Eve", "tomorrow", HOSTILE]);
    book.ok(&[
        "session",
        "add",
        "Eve",
        "tomorrow 10:00",
        "--place",
        "room\u{1b}[2J 4",
    ]);
    let mail = book.dir.path().join("hostile.eml");
    std::fs::write(
        &mail,
        "From: =?utf-8?q?Mallory=1B]0;x=07?= <mallory@example.net>\n\
         Subject: =?utf-8?q?clear=1B[2Jscreen?= \u{1b}[H\n\
         Message-ID: <hostile@example.net>\nDate: Mon, 23 Nov 2026 09:00:00 +0100\n\n\
         Body with \u{1b}]2;title\u{7}.\n",
    )
    .unwrap();
    let summary = book.ok(&["import", "mail", mail.to_str().unwrap()]);
    assert_clean("import summary", &summary);
    book
}

#[test]
fn names_with_line_breaks_and_controls_are_normalised_where_they_enter() {
    let book = hostile_book();
    let clients = book.json(&["client", "list", "--json"]);
    let name = clients[0]["name"].as_str().unwrap();
    assert_eq!(name, "Eve [31m Next", "{clients}");
    // Too long a name is refused whole.
    let before = book.dump();
    let long = "N".repeat(5000);
    let run = book.run(&["client", "add", &long]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.len() < 400, "{}", run.stderr);
    assert_eq!(book.dump(), before);
}

#[test]
fn every_text_output_shows_controls_as_escapes() {
    let book = hostile_book();
    for args in [
        &["today"][..],
        &["request", "list"],
        &["client", "list"],
        &["client", "show", "Eve"],
        &["followup", "list"],
        &["session", "list"],
        &["review"],
        &["review", "--format", "md"],
        &["review", "--format", "csv"],
    ] {
        let out = book.ok(args);
        assert_clean(&format!("{args:?}"), &out);
    }
    let requests = book.ok(&["request", "list"]);
    assert!(requests.contains("\\x1b]0;pwned\\x07"), "{requests}");
    let today = book.ok(&["today"]);
    assert!(today.contains("\\x1b"), "{today}");
}

#[test]
fn json_keeps_the_exact_text() {
    let book = hostile_book();
    let requests = book.json(&["request", "list", "--json"]);
    let texts: Vec<String> = requests
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.to_string())
        .collect();
    assert!(
        requests
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.to_string().contains("\\u001b]0;pwned")),
        "{texts:?}"
    );
}

#[test]
fn an_error_quotes_a_short_visible_piece_of_a_hostile_argument() {
    let book = hostile_book();
    let before = book.dump();
    let hostile = format!("\u{1b}]0;pwned\u{7}{}", "x".repeat(100_000));
    for args in [
        vec!["session", "add", "Eve", hostile.as_str()],
        vec!["request", "close", hostile.as_str()],
        vec!["client", "show", hostile.as_str()],
        vec!["request", "add", "Eve", "x", "--channel", hostile.as_str()],
        vec!["today", "--date", hostile.as_str()],
        vec!["review", "--format", hostile.as_str()],
    ] {
        let run = book.run(&args);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(
            run.stderr.chars().count() < 400,
            "{} chars",
            run.stderr.len()
        );
        assert_clean("error line", run.stderr.trim_end());
        assert_eq!(book.dump(), before);
    }
}
