//! Delivery through a send command or into the outbox folder.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::os::unix::fs::PermissionsExt;

use coachbook::compose::{Delivery, deliver};

const MESSAGE: &[u8] =
    b"From: Sam <sam@example.org>\r\nTo: ada@example.com\r\nSubject: Hi\r\n\r\nHello\r\n";

#[test]
fn a_send_command_gets_the_message_on_stdin() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sent_file = dir.path().join("sent.eml");
    let command = format!("cat > '{}'", sent_file.display());
    let outbox = dir.path().join("outbox");
    let delivery = deliver(MESSAGE, Some(&command), &outbox, "reply-1");
    assert_eq!(
        delivery,
        Delivery::Sent {
            command: command.clone()
        }
    );
    assert_eq!(fs::read(&sent_file).expect("sent file"), MESSAGE);
    assert!(
        !outbox.exists(),
        "a sent message is not also put in the outbox"
    );
}

#[test]
fn a_large_message_is_fed_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sent_file = dir.path().join("sent.eml");
    let command = format!("cat > '{}'", sent_file.display());
    let big = vec![b'x'; 1 << 20];
    let delivery = deliver(&big, Some(&command), dir.path(), "reply-big");
    assert!(matches!(delivery, Delivery::Sent { .. }), "{delivery:?}");
    assert_eq!(fs::read(&sent_file).expect("sent file").len(), big.len());
}

#[test]
fn a_failing_send_command_is_a_failure_with_its_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let delivery = deliver(
        MESSAGE,
        Some("cat > /dev/null; echo 'msmtp: authentication failed' >&2; exit 1"),
        dir.path(),
        "reply-2",
    );
    let Delivery::Failed { reason } = delivery else {
        panic!("expected failure, got {delivery:?}");
    };
    assert!(reason.contains("exited 1"), "{reason}");
    assert!(reason.contains("authentication failed"), "{reason}");
    assert!(!reason.contains('\n'));
    assert_eq!(fs::read_dir(dir.path()).expect("dir").count(), 0);
}

#[test]
fn exit_1_without_output_is_a_failure() {
    let dir = tempfile::tempdir().expect("temp dir");
    let delivery = deliver(MESSAGE, Some("exit 1"), dir.path(), "reply-3");
    assert!(matches!(delivery, Delivery::Failed { .. }), "{delivery:?}");
}

#[test]
fn a_missing_send_command_is_a_failure() {
    let dir = tempfile::tempdir().expect("temp dir");
    let delivery = deliver(
        MESSAGE,
        Some("coachbook-no-such-mailer --send"),
        dir.path(),
        "reply-4",
    );
    let Delivery::Failed { reason } = delivery else {
        panic!("expected failure, got {delivery:?}");
    };
    assert!(reason.contains("exited 127"), "{reason}");
}

#[test]
fn without_a_send_command_the_message_goes_to_a_private_outbox() {
    let dir = tempfile::tempdir().expect("temp dir");
    let outbox = dir.path().join("coachbook-outbox");
    let delivery = deliver(MESSAGE, None, &outbox, "2026-11-24-reply-5");
    let expected = outbox.join("2026-11-24-reply-5.eml");
    assert_eq!(
        delivery,
        Delivery::Outbox {
            path: expected.clone()
        }
    );
    assert_eq!(fs::read(&expected).expect("outbox file"), MESSAGE);
    let mode =
        |path: &std::path::Path| fs::metadata(path).expect("metadata").permissions().mode() & 0o777;
    assert_eq!(mode(&outbox), 0o700);
    assert_eq!(mode(&expected), 0o600);
}

#[test]
fn the_outbox_never_overwrites_an_earlier_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = deliver(b"first", None, dir.path(), "reply");
    let second = deliver(b"second", None, dir.path(), "reply");
    assert_eq!(
        first,
        Delivery::Outbox {
            path: dir.path().join("reply.eml")
        }
    );
    assert_eq!(
        second,
        Delivery::Outbox {
            path: dir.path().join("reply-2.eml")
        }
    );
    assert_eq!(
        fs::read(dir.path().join("reply.eml")).expect("first"),
        b"first"
    );
}

#[test]
fn a_blank_send_command_means_the_outbox() {
    let dir = tempfile::tempdir().expect("temp dir");
    let delivery = deliver(MESSAGE, Some("  "), dir.path(), "reply-6");
    assert!(matches!(delivery, Delivery::Outbox { .. }), "{delivery:?}");
}

#[test]
fn an_outbox_that_cannot_be_made_is_a_failure() {
    let dir = tempfile::tempdir().expect("temp dir");
    let blocker = dir.path().join("file");
    fs::write(&blocker, "not a folder").expect("write");
    let delivery = deliver(MESSAGE, None, &blocker.join("outbox"), "reply-7");
    let Delivery::Failed { reason } = delivery else {
        panic!("expected failure, got {delivery:?}");
    };
    assert!(reason.contains("outbox"), "{reason}");
}

#[test]
fn every_delivery_has_a_one_line_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    for delivery in [
        deliver(MESSAGE, Some("cat > /dev/null"), dir.path(), "a"),
        deliver(MESSAGE, None, dir.path(), "b"),
        deliver(MESSAGE, Some("exit 3"), dir.path(), "c"),
    ] {
        let message = delivery.message();
        assert!(!message.is_empty() && !message.contains('\n'), "{message}");
    }
}
