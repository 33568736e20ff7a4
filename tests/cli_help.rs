//! A command line that explains itself: every argument of every command has
//! help text, every free-form value an example, every closed set of values
//! is listed; a misspelt command gets a suggestion; lists are whole when
//! piped.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use clap::CommandFactory;
use coachbook::cli::Cli;
use common::Book;

/// Every command, with its path ("coachbook session move").
fn walk(command: &clap::Command, path: &str, out: &mut Vec<(String, clap::Command)>) {
    out.push((path.to_string(), command.clone()));
    for sub in command.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        walk(sub, &format!("{path} {}", sub.get_name()), out);
    }
}

fn commands() -> Vec<(String, clap::Command)> {
    let mut cli = Cli::command();
    cli.build();
    let mut out = Vec::new();
    walk(&cli, "coachbook", &mut out);
    out
}

#[test]
fn every_argument_of_every_command_has_help_and_an_example_or_its_values() {
    let mut missing = Vec::new();
    for (path, command) in commands() {
        if command.get_about().is_none() {
            missing.push(format!("{path}: no about text"));
        }
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            if matches!(id, "help" | "version") {
                continue;
            }
            let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            if help.trim().is_empty() {
                missing.push(format!("{path}: {id} has no help text"));
                continue;
            }
            let takes_value = arg.get_num_args().is_some_and(|n| n.takes_values());
            let listed = !arg.get_possible_values().is_empty();
            if takes_value && !listed && !help.contains("e.g.") {
                missing.push(format!(
                    "{path}: {id} takes a value but its help gives no example (e.g. …) and lists no values"
                ));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn closed_sets_of_values_are_listed_in_the_help() {
    let book = Book::new();
    for (args, words) in [
        (
            &["request", "add", "--help"][..],
            &["in-person", "voicemail", "crisis", "low"][..],
        ),
        (
            &["followup", "add", "--help"],
            &["coach", "client", "check-in"],
        ),
        (
            &["session", "mark", "--help"],
            &["held", "no-show", "cancelled"],
        ),
        (
            &["session", "add", "--help"],
            &["weekly", "fortnightly", "monthly"],
        ),
        (
            &["agreement", "--help"],
            &["sent", "signed", "countersigned"],
        ),
        (&["review", "--help"], &["text", "md", "csv", "json"]),
    ] {
        let help = book.ok(args);
        for word in words {
            assert!(
                help.contains(word),
                "{args:?} does not list {word}:\n{help}"
            );
        }
        assert!(
            help.contains("e.g.") || help.contains("Example"),
            "{args:?}: no example"
        );
    }
}

#[test]
fn every_group_lists_all_its_subcommands() {
    let book = Book::new();
    for (path, command) in commands() {
        let subs: Vec<&str> = command
            .get_subcommands()
            .map(|s| s.get_name())
            .filter(|n| *n != "help")
            .collect();
        if subs.is_empty() {
            continue;
        }
        let mut args: Vec<&str> = path.split(' ').skip(1).collect();
        args.push("--help");
        let help = book.ok(&args);
        for sub in subs {
            assert!(
                help.lines().any(|l| l.trim_start().starts_with(sub)),
                "{path} --help does not list {sub}:\n{help}"
            );
        }
    }
    assert!(book.ok(&["session", "--help"]).contains("mark"));
}

#[test]
fn a_misspelt_command_gets_a_suggestion_and_exit_2() {
    let book = Book::new();
    for (args, suggestion) in [
        (&["sesion"][..], "'session'"),
        (&["session", "mvoe", "3", "now"], "'move'"),
        (&["client", "eddit", "dana"], "'edit'"),
        (&["followup", "doen", "3"], "'done'"),
    ] {
        let run = book.run(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("did you mean") && run.stderr.contains(suggestion),
            "{args:?}: {}",
            run.stderr
        );
        assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    }
    // A misspelt value of a closed set lists the values.
    let run = book.run(&["request", "add", "Dana", "hi", "--urgency", "urgnet"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("crisis, urgent, normal, low"),
        "{}",
        run.stderr
    );
    // A missing argument is named on the one line.
    let run = book.run(&["session", "move"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("<ID>"), "{}", run.stderr);
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
}

#[test]
fn piped_lists_are_not_truncated() {
    let book = Book::new();
    let name = "Maximiliane Alexandra von Hohenzollern-Sigmaringen";
    let email = "maximiliane.alexandra.von.hohenzollern@very-long-domain.example.org";
    book.ok(&["client", "add", name, "--email", email]);
    let text = "Could we please talk about the long contract negotiation before the board meets on Thursday afternoon?";
    book.ok(&["request", "add", "Maximiliane", text]);
    book.ok(&["followup", "add", "Maximiliane", "tomorrow", text]);
    book.ok(&["session", "add", "Maximiliane", "tomorrow 10:00"]);
    for (args, wanted) in [
        (&["client", "list"][..], &[name, email][..]),
        (&["request", "list"], &[name, text]),
        (&["followup", "list"], &[name, text]),
        (&["session", "list"], &[name]),
        (&["today", "--date", "tomorrow"], &[name]),
        (&["today"], &[name, text]),
    ] {
        let out = book.ok(args);
        for want in wanted {
            assert!(out.contains(want), "{args:?} cut {want:?}:\n{out}");
        }
        assert!(!out.contains('…'), "{args:?} has an ellipsis:\n{out}");
    }
}
