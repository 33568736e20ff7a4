//! Decoding never loses a character: the From and Subject of every message
//! we have (the real fixtures under COACHBOOK_REAL_FIXTURES, the repo's own
//! mail fixtures and the quirks in tests/fixtures/mail_quirks/) decoded by
//! coachbook and by Python's `email` package (policy=email.policy.default),
//! which reads raw 8-bit bytes inside encoded words in the word's charset.
//!
//! Needs `python3` on PATH (`.ci/run` makes sure of it); without it the test
//! says so and fails, so a missing tool is never a silent pass.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use coachbook::mail::{parse_message, read_source};
use serde_json::Value;

/// Prints one JSON line per message: file, index in the file, subject, the
/// first From's display name and address, and whether Python itself had to
/// give up on some bytes (surrogate escapes or U+FFFD).
const PYTHON: &str = r#"
import email, email.policy, json, mailbox, sys

def lossy(text):
    return any(0xDC80 <= ord(c) <= 0xDCFF or c == '\ufffd' for c in text)

def clean(text):
    return ''.join('\ufffd' if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)

def report(path, index, msg):
    subject = msg['subject']
    subject = None if subject is None else str(subject)
    name = addr = None
    try:
        sender = msg['from']
        if sender is not None and sender.addresses:
            name = sender.addresses[0].display_name or None
            addr = sender.addresses[0].addr_spec.lower()
    except Exception:
        pass
    texts = [t for t in (subject, name) if t]
    message_id = str(msg['message-id'] or '').strip().strip('<>').strip() or None
    print(json.dumps({
        'path': path, 'index': index,
        'subject': None if subject is None else clean(subject),
        'from_name': None if name is None else clean(name),
        'from_addr': addr,
        'message_id': message_id,
        'lossy': any(lossy(t) for t in texts),
    }))

for path in sys.argv[1:]:
    if path.endswith('.mbox'):
        box = mailbox.mbox(path, factory=lambda f: email.message_from_binary_file(f, policy=email.policy.default), create=False)
        for index, msg in enumerate(box):
            report(path, index, msg)
    else:
        with open(path, 'rb') as f:
            report(path, 0, email.message_from_bytes(f.read(), policy=email.policy.default))
"#;

fn files_in(folder: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_in(&path, out);
        } else if path
            .extension()
            .is_some_and(|ext| ext == "eml" || ext == "mbox")
        {
            out.push(path);
        }
    }
}

fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn from_and_subject_match_python_email_for_every_message() {
    let mut files = Vec::new();
    match std::env::var_os("COACHBOOK_REAL_FIXTURES") {
        Some(folder) => files_in(Path::new(&folder), &mut files),
        None => println!("real fixtures: skipped (COACHBOOK_REAL_FIXTURES is not set)"),
    }
    let own = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    files_in(&own, &mut files);
    assert!(
        files
            .iter()
            .any(|f| f.ends_with("raw_8bit_in_encoded_words.eml")),
        "the quirk fixtures are missing"
    );

    let python = Command::new("python3")
        .arg("-c")
        .arg(PYTHON)
        .args(&files)
        .output()
        .unwrap_or_else(|err| {
            panic!("python3 is needed for this test and could not be run ({err}); install python3 (.ci/run does)")
        });
    assert!(
        python.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&python.stderr)
    );
    let stdout = String::from_utf8(python.stdout).unwrap();
    let expected: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();

    let mut compared = 0;
    let mut python_lossy = 0;
    let mut failures = Vec::new();
    for file in &files {
        let Ok(source) = read_source(file) else {
            continue;
        };
        let ours: Vec<_> = source
            .filter_map(Result::ok)
            .map(|item| parse_message(&item.raw).ok())
            .collect();
        let theirs: Vec<&Value> = expected
            .iter()
            .filter(|e| e["path"] == file.to_string_lossy().as_ref())
            .collect();
        let same_split = ours.len() == theirs.len();
        if !same_split {
            // The mbox splitting policies differ (coachbook's is documented
            // in mail::source: a BOM, unescaped `From ` lines); messages are
            // then paired by Message-ID only.
            println!(
                "{}: coachbook reads {} messages, Python {}; pairing by Message-ID",
                file.display(),
                ours.len(),
                theirs.len()
            );
        }
        for (position, message) in ours.iter().enumerate() {
            let Some(message) = message else { continue };
            let by_id = message.message_id.as_deref().and_then(|id| {
                theirs
                    .iter()
                    .find(|t| t["message_id"].as_str() == Some(id))
                    .copied()
            });
            let paired = by_id.or_else(|| same_split.then(|| theirs[position]));
            let Some(theirs) = paired else { continue };
            let label = format!("{} #{}", file.display(), theirs["index"]);
            let our_subject = message.subject.clone().unwrap_or_default();
            let our_name = message
                .from
                .as_ref()
                .and_then(|a| a.name.clone())
                .unwrap_or_default();
            let our_addr = message.from.as_ref().map(|a| a.email.clone());
            for (what, ours) in [("subject", &our_subject), ("from name", &our_name)] {
                assert!(
                    !ours.contains('\u{fffd}'),
                    "{label}: our {what} lost a character: {ours:?}"
                );
            }
            if theirs["lossy"] == true {
                // Python gave up on raw 8-bit bytes outside encoded words;
                // ours (message charset, UTF-8, Latin-1) is checked above.
                python_lossy += 1;
                println!("{label}: Python could not decode all bytes; coachbook: {our_subject:?}");
                continue;
            }
            let their_subject = theirs["subject"].as_str().unwrap_or_default();
            let their_name = theirs["from_name"].as_str().unwrap_or_default();
            if squeeze(&our_subject) != squeeze(their_subject) {
                failures.push(format!(
                    "{label}: subject {our_subject:?}, Python {their_subject:?}"
                ));
            }
            if squeeze(&our_name) != squeeze(their_name) {
                failures.push(format!(
                    "{label}: from name {our_name:?}, Python {their_name:?}"
                ));
            }
            if let Some(their_addr) = theirs["from_addr"].as_str()
                && our_addr.as_deref() != Some(their_addr)
            {
                failures.push(format!(
                    "{label}: from address {our_addr:?}, Python {their_addr:?}"
                ));
            }
            compared += 1;
        }
    }
    println!(
        "compared From and Subject of {compared} messages in {} files with Python's email package ({python_lossy} where Python lost bytes)",
        files.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(compared >= 5, "too few messages compared: {compared}");
}
