//! Checks on every outgoing text: dismissive phrasing, and a refusal that
//! leaves the client with nothing to say yes to.

use std::fmt;
use std::ops::Range;

/// Phrases that make a client feel dismissed or blamed. Matched
/// case-insensitively on whole words, whatever the white space between them.
const DISMISSIVE_PHRASES: &[&str] = &[
    "patience",
    "patiently",
    "be patient",
    "as i said",
    "as i mentioned",
    "as previously mentioned",
    "as previously stated",
    "as stated",
    "like i said",
    "per my last email",
    "per my last message",
    "per my previous email",
    "calm down",
    "not my fault",
    "not my problem",
    "you should have",
    "you should've",
    "obviously",
    "i already told you",
    "i've already told you",
    "i have already told you",
    "you need to understand",
    "with all due respect",
];

/// Words that say "I can't do that".
const REFUSALS: &[&str] = &[
    "can't",
    "cannot",
    "can not",
    "unable",
    "not able",
    "won't be able",
    "will not be able",
    "not possible",
];

/// Phrases that start like a refusal but are warmth ("I can't wait to see
/// you"), so they never count as one.
const NOT_REFUSALS: &[&str] = &[
    "can't wait",
    "cannot wait",
    "can't thank",
    "cannot thank",
    "can't believe",
    "can't tell you how",
];

/// Words that offer the client another way forward.
const ALTERNATIVES: &[&str] = &[
    "instead",
    "alternatively",
    "alternative",
    "how about",
    "what about",
    "could we",
    "we could",
    "would it work",
    "would that work",
    "i can offer",
    "option",
    "options",
    "tomorrow",
    "next week",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Something in an outgoing text the coach should look at before sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Guardrail {
    /// Phrasing that reads as dismissive or blaming. `phrase` is the text as
    /// written; `at` is its byte range in the checked text.
    DismissivePhrase { phrase: String, at: Range<usize> },
    /// A refusal ("can't", "unable"…) with no time, option or other way
    /// forward offered. `refusal` is the first refusal as written.
    NoAlternativeOffered { refusal: String, at: Range<usize> },
}

impl Guardrail {
    /// One line for the preview.
    pub fn message(&self) -> String {
        match self {
            Guardrail::DismissivePhrase { phrase, .. } => {
                format!("\"{phrase}\" can read as dismissive; say what you will do and when")
            }
            Guardrail::NoAlternativeOffered { refusal, .. } => {
                format!("\"{refusal}\" with no alternative: offer a concrete time or option")
            }
        }
    }
}

impl fmt::Display for Guardrail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// Every guardrail the text raises, in order of appearance.
pub fn check_reply(text: &str) -> Vec<Guardrail> {
    let folded = FoldedText::new(text);
    let mut found = Vec::new();
    let mut taken: Vec<Range<usize>> = Vec::new();
    // Longest phrases first so "i have already told you" wins over its
    // shorter overlaps.
    let mut phrases = DISMISSIVE_PHRASES.to_vec();
    phrases.sort_by_key(|phrase| std::cmp::Reverse(phrase.len()));
    for phrase in phrases {
        for at in folded.find_all(phrase) {
            if taken.iter().any(|other| overlaps(other, &at)) {
                continue;
            }
            taken.push(at.clone());
            found.push(Guardrail::DismissivePhrase {
                phrase: text[at.clone()].to_string(),
                at,
            });
        }
    }
    if let Some(at) = first_refusal(&folded)
        && !offers_alternative(text, &folded)
    {
        found.push(Guardrail::NoAlternativeOffered {
            refusal: text[at.clone()].to_string(),
            at,
        });
    }
    found.sort_by_key(|guardrail| match guardrail {
        Guardrail::DismissivePhrase { at, .. } | Guardrail::NoAlternativeOffered { at, .. } => {
            at.start
        }
    });
    found
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

fn first_refusal(folded: &FoldedText) -> Option<Range<usize>> {
    let warm_starts: Vec<usize> = NOT_REFUSALS
        .iter()
        .flat_map(|phrase| folded.find_all(phrase))
        .map(|at| at.start)
        .collect();
    REFUSALS
        .iter()
        .flat_map(|refusal| folded.find_all(refusal))
        .filter(|at| !warm_starts.contains(&at.start))
        .min_by_key(|at| at.start)
}

fn offers_alternative(text: &str, folded: &FoldedText) -> bool {
    ALTERNATIVES
        .iter()
        .any(|word| !folded.find_all(word).is_empty())
        || has_clock_time(text)
        || has_list_item(text)
}

/// `14:00`, `9:30`, `3pm`, `10 am`.
fn has_clock_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(index, byte)| {
        let after_digit = index
            .checked_sub(1)
            .and_then(|before| bytes.get(before))
            .is_some_and(u8::is_ascii_digit);
        if !byte.is_ascii_digit() || after_digit {
            return false;
        }
        let digits = bytes
            .iter()
            .skip(index)
            .take_while(|b| b.is_ascii_digit())
            .count();
        let rest = text.get(index + digits..).unwrap_or_default();
        let colon_minutes = rest.len() >= 3
            && rest.starts_with(':')
            && rest
                .as_bytes()
                .get(1..3)
                .is_some_and(|pair| pair.iter().all(u8::is_ascii_digit));
        let meridiem = {
            let lower = rest.trim_start_matches(' ').to_ascii_lowercase();
            lower.starts_with("am") || lower.starts_with("pm")
        };
        digits <= 2 && (colon_minutes || meridiem)
    })
}

/// A bulleted or numbered line: the shape of an option list.
fn has_list_item(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim_start();
        if line.starts_with(['-', '*', '•']) {
            return line.chars().nth(1).is_some_and(char::is_whitespace);
        }
        let digits = line.chars().take_while(char::is_ascii_digit).count();
        digits > 0 && line[digits..].starts_with(['.', ')'])
    })
}

/// The text lower-cased, with typographic apostrophes made plain and runs
/// of white space made single spaces, remembering where each character came
/// from so matches can be reported in the original text.
struct FoldedText {
    chars: Vec<char>,
    /// Byte range in the original text of each folded character.
    origins: Vec<Range<usize>>,
}

impl FoldedText {
    fn new(text: &str) -> Self {
        let mut chars = Vec::with_capacity(text.len());
        let mut origins: Vec<Range<usize>> = Vec::with_capacity(text.len());
        for (index, ch) in text.char_indices() {
            let origin = index..index + ch.len_utf8();
            if ch.is_whitespace() {
                if chars.last() == Some(&' ') {
                    if let Some(last) = origins.last_mut() {
                        *last = last.start..origin.end;
                    }
                } else {
                    chars.push(' ');
                    origins.push(origin);
                }
                continue;
            }
            let ch = if matches!(ch, '\u{2019}' | '\u{2018}' | '\u{02bc}') {
                '\''
            } else {
                ch
            };
            for lower in ch.to_lowercase() {
                chars.push(lower);
                origins.push(origin.clone());
            }
        }
        FoldedText { chars, origins }
    }

    /// Byte ranges in the original text of whole-word matches of `phrase`
    /// (already lower case, single spaces).
    fn find_all(&self, phrase: &str) -> Vec<Range<usize>> {
        let needle: Vec<char> = phrase.chars().collect();
        if needle.is_empty() || needle.len() > self.chars.len() {
            return Vec::new();
        }
        let is_word = |ch: char| ch.is_alphanumeric() || ch == '\'';
        (0..=self.chars.len() - needle.len())
            .filter(|&start| {
                let end = start + needle.len();
                self.chars.get(start..end) == Some(&needle[..])
                    && start
                        .checked_sub(1)
                        .and_then(|before| self.chars.get(before))
                        .is_none_or(|&before| !is_word(before))
                    && self.chars.get(end).is_none_or(|&next| !is_word(next))
            })
            .filter_map(|start| {
                let end = start + needle.len() - 1;
                Some(self.origins.get(start)?.start..self.origins.get(end)?.end)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrases(text: &str) -> Vec<String> {
        check_reply(text)
            .into_iter()
            .filter_map(|guardrail| match guardrail {
                Guardrail::DismissivePhrase { phrase, .. } => Some(phrase),
                Guardrail::NoAlternativeOffered { .. } => None,
            })
            .collect()
    }

    fn refuses_without_alternative(text: &str) -> bool {
        check_reply(text)
            .iter()
            .any(|g| matches!(g, Guardrail::NoAlternativeOffered { .. }))
    }

    #[test]
    fn flags_each_dismissive_phrase_as_written() {
        let text =
            "Thanks for your Patience. As I said, per my last email you\nshould have booked.";
        assert_eq!(
            phrases(text),
            vec![
                "Patience",
                "As I said",
                "per my last email",
                "you\nshould have"
            ]
        );
    }

    #[test]
    fn reports_byte_ranges_in_the_original_text() {
        let text = "Héllo — please CALM DOWN.";
        let found = check_reply(text);
        let Some(Guardrail::DismissivePhrase { phrase, at }) = found.first() else {
            panic!("expected a dismissive phrase, got {found:?}");
        };
        assert_eq!(phrase, "CALM DOWN");
        assert_eq!(&text[at.clone()], "CALM DOWN");
    }

    #[test]
    fn respects_word_boundaries() {
        assert!(phrases("My patient friend, the relaxation class, unobviously fine.").is_empty());
        assert!(phrases("Alias I said nothing").is_empty());
        assert_eq!(phrases("(obviously)"), vec!["obviously"]);
    }

    #[test]
    fn typographic_apostrophes_match() {
        assert_eq!(
            phrases("I’ve already told you twice."),
            vec!["I’ve already told you"]
        );
    }

    #[test]
    fn longer_phrase_wins_over_its_overlap() {
        assert_eq!(
            phrases("I have already told you."),
            vec!["I have already told you"]
        );
    }

    #[test]
    fn gracious_text_raises_nothing() {
        let text = "Thank you for writing. I will get back to you by 15:00 today \
                    with a plan. I am grateful for your understanding.";
        assert!(check_reply(text).is_empty());
    }

    #[test]
    fn refusal_without_alternative_is_flagged() {
        assert!(refuses_without_alternative("Sorry, I can't do Saturdays."));
        assert!(refuses_without_alternative("I cannot make that work."));
        assert!(refuses_without_alternative(
            "I am unable to help with this."
        ));
        assert!(refuses_without_alternative("I’m not able to meet then."));
        assert!(refuses_without_alternative("I won’t be able to join."));
        let found = check_reply("Sorry, I CAN'T do it.");
        assert_eq!(
            found,
            vec![Guardrail::NoAlternativeOffered {
                refusal: "CAN'T".to_string(),
                at: 9..14
            }]
        );
    }

    #[test]
    fn refusal_with_an_alternative_passes() {
        assert!(!refuses_without_alternative(
            "I can't do Saturday; how about Monday?"
        ));
        assert!(!refuses_without_alternative(
            "I can't do 9, but 14:30 works."
        ));
        assert!(!refuses_without_alternative(
            "I cannot do that. Could we try 3 pm?"
        ));
        assert!(!refuses_without_alternative(
            "I'm unable to; instead I can call you."
        ));
        assert!(!refuses_without_alternative(
            "I can't do that, but here are some times:\n- Tue 10:00\n- Wed 11:00"
        ));
        assert!(!refuses_without_alternative(
            "Unable then.\n1) a call\n2) a note"
        ));
    }

    #[test]
    fn no_refusal_no_flag() {
        assert!(!refuses_without_alternative(
            "I can't wait to hear how it went."
        ));
        assert!(!refuses_without_alternative("I can’t thank you enough."));
        assert!(refuses_without_alternative(
            "I can't wait, and I can't help."
        ));
        assert!(!refuses_without_alternative("See you soon."));
        assert!(!refuses_without_alternative("Cantor sets are fun."));
    }

    #[test]
    fn every_guardrail_has_a_one_line_message() {
        let found = check_reply("Patience, as I said. I can't.");
        assert_eq!(found.len(), 3);
        for guardrail in found {
            let message = guardrail.message();
            assert!(!message.is_empty() && !message.contains('\n'));
        }
    }
}
