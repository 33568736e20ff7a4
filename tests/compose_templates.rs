//! Templates: shipped defaults, strict rendering, overrides.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;

use coachbook::compose::{Guardrail, TemplateError, TemplateValues, Templates, check_reply};

fn full_values() -> TemplateValues {
    TemplateValues {
        client_first_name: Some("Ada".to_string()),
        client_name: Some("Ada Lovelace".to_string()),
        client_contact: Some("ada@example.com, +44 20 7946 0000".to_string()),
        old_time: Some("Tuesday 24 November, 14:00 (London time, GMT)".to_string()),
        session_time: Some("Monday 23 November, 10:00 (London time, GMT)".to_string()),
        next_time: Some("Monday 30 November, 10:00 (London time, GMT)".to_string()),
        options: vec![
            "Wednesday 25 November, 09:00 (London time, GMT)".to_string(),
            "Thursday 26 November, 15:30 (London time, GMT)".to_string(),
        ],
        action_items: vec![
            "Draft the pitch outline".to_string(),
            "Book the call with your manager".to_string(),
        ],
        coach_name: Some("Sam Rivera".to_string()),
        signature: Some("Warmly,\nSam".to_string()),
        promised_time: Some("today, 15:00 (London time, GMT)".to_string()),
        partner_name: Some("Jo Baker".to_string()),
        partner_contact: Some("jo@example.net".to_string()),
        context: Some("Pitch to investors on Friday".to_string()),
        request_summary: Some("Can we talk today?".to_string()),
        ..TemplateValues::default()
    }
}

fn shipped() -> Templates {
    Templates::load(None).expect("shipped templates load")
}

#[test]
fn ships_the_fourteen_templates() {
    assert_eq!(
        shipped().names(),
        vec![
            "acknowledgement",
            "check_in",
            "crisis_booked",
            "emergency_apology",
            "handoff_client",
            "options",
            "parting",
            "partner_brief",
            "recap",
            "reminder",
            "reschedule",
            "session_cancelled",
            "session_moved",
            "session_stands"
        ]
    );
}

#[test]
fn every_shipped_template_renders_fully_and_raises_no_guardrail() {
    let templates = shipped();
    for name in templates.names() {
        let rendered = templates
            .render(&name, &full_values())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!rendered.subject.is_empty(), "{name}: empty subject");
        assert!(
            !rendered.subject.contains('\n'),
            "{name}: multi-line subject"
        );
        for text in [&rendered.subject, &rendered.body] {
            assert!(
                !text.contains("{{") && !text.contains("{%"),
                "{name}: {text}"
            );
            let guardrails = check_reply(text);
            assert!(guardrails.is_empty(), "{name} raises {guardrails:?}");
        }
        assert!(
            rendered.body.ends_with("Warmly,\nSam\n"),
            "{name}: {}",
            rendered.body
        );
        assert!(
            !rendered.body.contains("\n\n\n"),
            "{name} has stray blank lines:\n{}",
            rendered.body
        );
    }
}

#[test]
fn emergency_apology_is_gracious_and_concrete() {
    let rendered = shipped()
        .render("emergency_apology", &full_values())
        .expect("renders");
    let body = &rendered.body;
    assert!(body.starts_with("Dear Ada,\n"));
    assert!(body.contains("emergency"));
    assert!(
        body.contains("I would beg you to let me reschedule this so that I can address it fully")
    );
    assert!(body.contains("Tuesday 24 November, 14:00 (London time, GMT)"));
    assert!(body.contains("- Wednesday 25 November, 09:00 (London time, GMT)\n"));
    assert!(body.contains("- Thursday 26 November, 15:30 (London time, GMT)\n"));
    assert!(!body.to_lowercase().contains("patien"));
    assert!(rendered.subject.contains("Tuesday 24 November, 14:00"));
}

#[test]
fn a_missing_value_is_refused_by_name() {
    let values = TemplateValues {
        promised_time: None,
        ..full_values()
    };
    let error = shipped()
        .render("acknowledgement", &values)
        .expect_err("must refuse");
    assert_eq!(
        error.to_string(),
        "template acknowledgement needs a value for promised_time"
    );
    assert!(matches!(error, TemplateError::MissingValue { .. }));
}

#[test]
fn an_empty_value_counts_as_missing() {
    for blank in ["", "   "] {
        let values = TemplateValues {
            client_first_name: Some(blank.to_string()),
            ..full_values()
        };
        let error = shipped()
            .render("emergency_apology", &values)
            .expect_err("must refuse");
        assert_eq!(
            error.to_string(),
            "template emergency_apology needs a value for client_first_name"
        );
    }
}

#[test]
fn an_empty_option_list_counts_as_missing() {
    let values = TemplateValues {
        options: vec![String::new()],
        ..full_values()
    };
    let error = shipped()
        .render("emergency_apology", &values)
        .expect_err("must refuse");
    assert_eq!(
        error.to_string(),
        "template emergency_apology needs a value for options"
    );
}

#[test]
fn the_missing_value_in_the_subject_is_named() {
    let values = TemplateValues {
        old_time: None,
        ..full_values()
    };
    let error = shipped()
        .render("reschedule", &values)
        .expect_err("must refuse");
    assert_eq!(
        error.to_string(),
        "template reschedule needs a value for old_time"
    );
}

#[test]
fn optional_values_shape_the_text_when_given() {
    let templates = shipped();
    let with = templates
        .render("acknowledgement", &full_values())
        .expect("renders");
    assert_eq!(with.subject, "Re: Can we talk today?");
    let without = templates
        .render(
            "acknowledgement",
            &TemplateValues {
                request_summary: None,
                ..full_values()
            },
        )
        .expect("renders without the optional summary");
    assert_eq!(without.subject, "Your message");

    let recap = templates
        .render(
            "recap",
            &TemplateValues {
                next_time: None,
                ..full_values()
            },
        )
        .expect("renders without a next session");
    assert!(!recap.body.contains("We meet again"));
    assert!(
        recap
            .body
            .contains("- Draft the pitch outline\n- Book the call")
    );
}

#[test]
fn an_unknown_template_lists_the_known_ones() {
    let error = shipped()
        .render("apology", &full_values())
        .expect_err("unknown");
    let text = error.to_string();
    assert!(text.starts_with("no template named apology; known templates: acknowledgement, "));
    assert!(text.contains("emergency_apology"));
}

#[test]
fn the_coach_folder_overrides_and_adds_templates() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(
        dir.path().join("emergency_apology.txt"),
        "Subject: Sorry, {{ client_first_name }}\r\n\r\nHi {{ client_first_name }}, {{ options | join(\" or \") }}?\r\n{{ signature }}\r\n",
    )
    .expect("write override");
    fs::write(
        dir.path().join("check_in.txt"),
        "Subject: Thinking of you\n\nHi {{ client_first_name }}{% if room is defined %}, in {{ room }}{% endif %}.\n",
    )
    .expect("write new template");
    fs::write(dir.path().join("notes.md"), "not a template").expect("write other file");

    let templates = Templates::load(Some(dir.path())).expect("loads");
    assert!(templates.names().contains(&"check_in".to_string()));
    assert!(!templates.names().contains(&"notes".to_string()));
    assert_eq!(
        templates.source_file("emergency_apology"),
        Some(dir.path().join("emergency_apology.txt"))
    );

    let rendered = templates
        .render("emergency_apology", &full_values())
        .expect("override renders");
    assert_eq!(rendered.subject, "Sorry, Ada");
    assert_eq!(
        rendered.body,
        "Hi Ada, Wednesday 25 November, 09:00 (London time, GMT) or Thursday 26 November, 15:30 (London time, GMT)?\nWarmly,\nSam\n"
    );

    // Templates not overridden keep the shipped text.
    let reschedule = templates
        .render("reschedule", &full_values())
        .expect("shipped renders");
    assert!(reschedule.body.contains("I need to move our session"));

    let mut values = full_values();
    values
        .extra
        .insert("room".to_string(), "the blue room".to_string());
    let check_in = templates.render("check_in", &values).expect("renders");
    assert_eq!(check_in.body, "Hi Ada, in the blue room.\n");
}

#[test]
fn an_override_with_a_syntax_error_names_its_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("recap.txt");
    fs::write(&file, "Subject: Recap\n\nHello {{ client_first_name \n").expect("write");
    let error = Templates::load(Some(dir.path())).expect_err("syntax error");
    assert!(
        error.to_string().contains(&file.display().to_string()),
        "{error}"
    );
    assert!(matches!(error, TemplateError::BadFile { .. }));
}

#[test]
fn an_override_without_a_subject_line_names_its_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("options.txt");
    fs::write(&file, "Hello {{ client_first_name }}\n").expect("write");
    let error = Templates::load(Some(dir.path())).expect_err("no subject");
    let text = error.to_string();
    assert!(text.contains(&file.display().to_string()), "{text}");
    assert!(text.contains("Subject:"), "{text}");
}

#[test]
fn a_templates_folder_that_does_not_exist_yet_means_no_overrides() {
    let dir = tempfile::tempdir().expect("temp dir");
    let templates = Templates::load(Some(&dir.path().join("not-yet"))).expect("loads");
    assert_eq!(templates.names(), shipped().names());
}

#[test]
fn an_override_placeholder_without_a_value_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(
        dir.path().join("acknowledgement.txt"),
        "Subject: Hello\n\nHi {{ client_first_name }}, about {{ context }}: by {{ promised_time }}.\n",
    )
    .expect("write");
    let templates = Templates::load(Some(dir.path())).expect("loads");
    let values = TemplateValues {
        context: None,
        promised_time: Some(String::new()),
        ..full_values()
    };
    let error = templates
        .render("acknowledgement", &values)
        .expect_err("refused");
    assert_eq!(
        error.to_string(),
        "template acknowledgement needs a value for context"
    );
}

#[test]
fn shipped_options_template_offers_alternatives_after_its_refusal() {
    let rendered = shipped()
        .render("options", &full_values())
        .expect("renders");
    assert!(rendered.body.contains("can't"));
    assert!(
        !check_reply(&rendered.body)
            .iter()
            .any(|g| matches!(g, Guardrail::NoAlternativeOffered { .. }))
    );
}

/// A coach's template runs in a sandbox: a loop that does not end, a
/// recursion without end and a huge output are each one clear error, fast.
#[test]
fn a_runaway_template_is_stopped_by_its_limits() {
    let cases = [
        (
            "loops",
            "Subject: Hi\n\n{% for a in range(100000) %}{% for b in range(100000) %}{{ a }}{% endfor %}{% endfor %}\n",
            "does too much work",
        ),
        (
            "recursion",
            "Subject: Hi\n\n{% macro deep(n) %}{{ deep(n + 1) }}{% endmacro %}{{ deep(0) }}\n",
            "could not be rendered",
        ),
        (
            "huge",
            "Subject: Hi\n\n{% for a in range(1000) %}{{ 'x' * 100000 }}{% endfor %}\n",
            "longer than 256 KB",
        ),
    ];
    for (name, source, says) in cases {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::write(dir.path().join(format!("{name}.txt")), source).expect("write");
        let templates = Templates::load(Some(dir.path())).expect("loads");
        let started = std::time::Instant::now();
        let err = templates.render(name, &full_values()).expect_err("stopped");
        assert!(err.to_string().contains(says), "{name}: {err}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{name} was stopped quickly"
        );
    }
}
