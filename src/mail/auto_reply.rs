//! Telling machine-sent replies (vacation notices, bulk mail) from client mail.
//! The policy is documented on the `mail` module.

use super::headers::first_value;
use super::scan::RawHeader;

/// Subject prefixes that vacation responders write, compared case-insensitively
/// at the very start of the subject.
const RESPONDER_SUBJECT_PREFIXES: &[&str] = &[
    "automatic reply:",
    "auto-reply:",
    "autoreply:",
    "auto reply:",
    "out of office:",
    "out of office autoreply:",
    "out of office reply:",
    "automatische antwort:",
    "réponse automatique :",
    "réponse automatique:",
    "respuesta automática:",
    "risposta automatica:",
    "automatisch antwoord:",
    "resposta automática:",
    "automatyczna odpowiedź:",
    "automatická odpověď:",
    "автоматический ответ:",
];

pub(crate) fn is_auto_reply<H: RawHeader>(headers: &[H], subject: Option<&str>) -> bool {
    headers_say_auto_reply(headers) || subject.is_some_and(subject_says_auto_reply)
}

fn headers_say_auto_reply<H: RawHeader>(headers: &[H]) -> bool {
    let value_of =
        |name: &str| first_value(headers, name).map(|value| value.trim().to_ascii_lowercase());
    let auto_submitted = value_of("Auto-Submitted").is_some_and(|v| !v.is_empty() && v != "no");
    let responder_header = ["X-Autoreply", "X-Autorespond"]
        .iter()
        .any(|name| value_of(name).is_some_and(|v| v != "no"));
    let precedence = value_of("Precedence")
        .is_some_and(|v| matches!(v.as_str(), "auto_reply" | "bulk" | "junk"));
    auto_submitted || responder_header || precedence
}

fn subject_says_auto_reply(subject: &str) -> bool {
    let subject = subject.trim_start();
    // An ASCII first letter is its own lower case: one that starts no
    // prefix settles it without lower-casing the subject.
    if let Some(&first) = subject.as_bytes().first()
        && first.is_ascii()
        && !RESPONDER_SUBJECT_PREFIXES
            .iter()
            .any(|prefix| prefix.as_bytes().first() == Some(&first.to_ascii_lowercase()))
    {
        return false;
    }
    let subject = super::headers::lowercase(subject);
    RESPONDER_SUBJECT_PREFIXES
        .iter()
        .any(|prefix| subject.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_letter_shortcut_answers_as_the_whole_comparison() {
        let whole = |subject: &str| {
            let subject = subject.trim_start().to_lowercase();
            RESPONDER_SUBJECT_PREFIXES
                .iter()
                .any(|prefix| subject.starts_with(prefix))
        };
        let mut subjects = crate::testing::every_text(
            &[
                "Auto",
                "-reply:",
                " ",
                "OUT OF OFFICE:",
                "R",
                "é",
                "Réponse automatique :",
                "\u{212a}",
                "x",
                "А",
            ],
            4,
        );
        subjects.extend(RESPONDER_SUBJECT_PREFIXES.iter().map(|p| p.to_uppercase()));
        let mut auto = 0;
        for subject in &subjects {
            assert_eq!(
                subject_says_auto_reply(subject),
                whole(subject),
                "{subject:?}"
            );
            auto += usize::from(whole(subject));
        }
        assert!(auto > 100, "only {auto} auto replies");
    }

    fn detect(raw: &str) -> bool {
        let (headers, _) = mailparse::parse_headers(raw.as_bytes()).unwrap_or_default();
        let subject = first_value(&headers, "Subject");
        is_auto_reply(&headers, subject.as_deref())
    }

    #[test]
    fn auto_submitted_other_than_no_is_an_auto_reply() {
        assert!(detect("Auto-Submitted: auto-replied\n\n"));
        assert!(detect("Auto-Submitted: auto-generated; comment\n\n"));
        assert!(!detect("Auto-Submitted: no\n\n"));
        assert!(!detect("Auto-Submitted: No \n\n"));
    }

    #[test]
    fn responder_headers_are_auto_replies() {
        assert!(detect("X-Autoreply: yes\n\n"));
        assert!(detect("X-Autorespond: Out of office\n\n"));
    }

    #[test]
    fn precedence_bulk_junk_auto_reply_count_but_list_does_not() {
        assert!(detect("Precedence: bulk\n\n"));
        assert!(detect("Precedence: junk\n\n"));
        assert!(detect("Precedence: auto_reply\n\n"));
        assert!(!detect("Precedence: list\n\n"));
    }

    #[test]
    fn responder_subject_prefix_is_a_secondary_signal() {
        assert!(detect("Subject: Automatic reply: Session on Friday\n\n"));
        assert!(detect("Subject: Out of Office: back Monday\n\n"));
        assert!(detect("Subject: Automatyczna odpowiedź: test\n\n"));
        assert!(!detect(
            "Subject: Re: Automatic reply: Session on Friday\n\n"
        ));
        assert!(!detect("Subject: Out of office next week?\n\n"));
        assert!(!detect("Subject: Can we talk?\n\n"));
    }
}
