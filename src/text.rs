//! The one sanitizer between stored or outside text and a terminal. Names,
//! request texts and mail headers come from clients and their mail programs;
//! none of their control characters (ESC sequences that retitle the window
//! or clear the screen, C1 codes, DEL, carriage returns that overwrite a
//! line, bidi overrides that reorder it) may reach the terminal raw. Each is
//! shown as a visible escape instead: `\x1b`, `\u{202e}`.
//!
//! JSON output does not pass here: serde escapes what JSON needs and a
//! program reading it wants the exact text.

use std::borrow::Cow;
use std::fmt::Write;

/// How many characters of an offending value an error line quotes.
pub const QUOTE_CHARS: usize = 80;
/// The longest error line printed (the rest is cut with an ellipsis).
pub const ERROR_LINE_CHARS: usize = 400;

/// Whether `ch` must never reach a terminal raw (line breaks and tabs
/// aside, which `visible` keeps and `visible_line` escapes).
pub fn is_unsafe(ch: char) -> bool {
    ch.is_control()
        || matches!(ch,
            // Bidi embeddings, overrides and isolates; the Arabic letter mark.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}'
            // Line and paragraph separators break lines on some terminals.
            | '\u{2028}' | '\u{2029}')
}

fn escape(ch: char, out: &mut String) {
    let code = u32::from(ch);
    let _ = if code < 0x100 {
        write!(out, "\\x{code:02x}")
    } else {
        write!(out, "\\u{{{code:x}}}")
    };
}

fn sanitize(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if all_safe(text, &keep) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for ch in text.chars() {
        if is_unsafe(ch) && !keep(ch) {
            escape(ch, &mut out);
        } else {
            out.push(ch);
        }
    }
    Cow::Owned(out)
}

/// Whether no character of `text` needs an escape: runs of printable ASCII
/// (never unsafe) are skipped a byte at a time, every other character is
/// judged by [`is_unsafe`] and `keep`.
fn all_safe(text: &str, keep: &impl Fn(char) -> bool) -> bool {
    let mut rest = text;
    loop {
        let Some(at) = rest.bytes().position(|b| !(0x20..0x7f).contains(&b)) else {
            return true;
        };
        // Every byte before `at` is ASCII, so `at` starts a character.
        let mut chars = rest.get(at..).unwrap_or_default().chars();
        let Some(ch) = chars.next() else {
            return true;
        };
        if is_unsafe(ch) && !keep(ch) {
            return false;
        }
        rest = chars.as_str();
    }
}

/// Multi-line text for the terminal: line feeds and tabs stay, every other
/// control or reordering character becomes a visible escape.
pub fn visible(text: &str) -> Cow<'_, str> {
    sanitize(text, |ch| ch == '\n' || ch == '\t')
}

/// One line for the terminal: like `visible`, and line breaks escaped too.
pub fn visible_line(text: &str) -> Cow<'_, str> {
    sanitize(text, |_| false)
}

/// At most `max` characters of `text`, with an ellipsis when cut.
pub fn cut(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((end, _)) => {
            let keep = text
                .char_indices()
                .nth(max.saturating_sub(1))
                .map_or(end, |(at, _)| at);
            Cow::Owned(format!("{}…", text.get(..keep).unwrap_or_default()))
        }
    }
}

/// At most `width` display cells of `text` (wide characters take two,
/// combining marks none), with an ellipsis when cut.
pub fn cut_cells(text: &str, width: usize) -> Cow<'_, str> {
    use unicode_width::UnicodeWidthChar;
    let cells: usize = text.chars().map(|c| c.width().unwrap_or(0)).sum();
    if cells <= width {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut used = 0;
    for ch in text.chars() {
        let w = ch.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(ch);
    }
    if width > 0 {
        out.push('…');
    }
    Cow::Owned(out)
}

/// An outside value as an error quotes it: in single quotes, on one line,
/// visible, at most 80 characters.
pub fn quoted(value: &str) -> String {
    format!("'{}'", cut(&visible_line(value), QUOTE_CHARS))
}

/// A single-line field (a name, a subject, a place) as it enters the book:
/// line breaks, tabs and other control characters become single spaces,
/// runs of spaces collapse, the ends are trimmed.
pub fn one_line_field(text: &str) -> String {
    // Printable ASCII with single spaces inside is already one line (no
    // white space but the space, nothing unsafe): the text itself.
    let bytes = text.as_bytes();
    if bytes.iter().all(|b| (b' '..=b'~').contains(b))
        && bytes.first() != Some(&b' ')
        && bytes.last() != Some(&b' ')
        && memchr::memmem::find(bytes, b"  ").is_none()
    {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for word in text
        .split(|ch: char| ch.is_whitespace() || is_unsafe(ch))
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The longest name (of a client or partner) the book takes.
pub const MAX_NAME_CHARS: usize = 200;

/// A name as it enters the book: on one line (`one_line_field`), not
/// empty, at most 200 characters; `what` names it in the refusal.
pub fn name_field(text: &str, what: &str) -> Result<String, crate::error::BadInput> {
    let name = one_line_field(text);
    if name.is_empty() {
        return Err(crate::error::BadInput(format!("{what} needs a name")));
    }
    let count = name.chars().count();
    if count > MAX_NAME_CHARS {
        return Err(crate::error::BadInput(format!(
            "a name of {count} characters is too long (at most {MAX_NAME_CHARS}): {}",
            quoted(&name)
        )));
    }
    Ok(name)
}

/// An error line for the terminal: visible, every quoted run ('…') cut to
/// 80 characters, the whole line to 400.
pub fn error_line(line: &str) -> String {
    let line = visible_line(line);
    let mut out = String::with_capacity(line.len().min(ERROR_LINE_CHARS * 4));
    let mut quote = String::new();
    let mut in_quote = false;
    for ch in line.chars() {
        if ch == '\'' {
            if in_quote {
                out.push_str(&cut(&quote, QUOTE_CHARS));
                quote.clear();
            }
            in_quote = !in_quote;
            out.push(ch);
        } else if in_quote {
            quote.push(ch);
        } else {
            out.push(ch);
        }
    }
    // An unclosed quote (an apostrophe in a word): keep it, cut.
    out.push_str(&cut(&quote, QUOTE_CHARS));
    cut(&out, ERROR_LINE_CHARS).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_line_field_keeps_plain_text_as_the_word_loop_writes_it() {
        let pieces = [
            " ", "  ", "a", "Re:", "\t", "\n", "\u{7f}", "\u{1}", "ä", "\u{2028}", "~",
        ];
        let texts = crate::testing::every_text(&pieces, 5);
        for text in texts {
            let words: Vec<&str> = text
                .split(|ch: char| ch.is_whitespace() || is_unsafe(ch))
                .filter(|w| !w.is_empty())
                .collect();
            assert_eq!(one_line_field(&text), words.join(" "), "{text:?}");
        }
    }

    /// The byte-run shortcut gives the char-by-char answer for every
    /// character of the first planes (and the bidi and separator ones),
    /// alone, between ASCII and next to other non-ASCII text.
    #[test]
    fn the_ascii_shortcut_judges_as_every_character_would() {
        let naive = |text: &str, keep: &dyn Fn(char) -> bool| {
            !text.chars().any(|ch| is_unsafe(ch) && !keep(ch))
        };
        let keeps: [&dyn Fn(char) -> bool; 2] = [&|ch| ch == '\n' || ch == '\t', &|_| false];
        for keep in keeps {
            for code in (0..0x3100u32).chain(0x1f600..0x1f610) {
                let Some(ch) = char::from_u32(code) else {
                    continue;
                };
                for text in [
                    ch.to_string(),
                    format!("ab{ch}cd"),
                    format!("Lucía {ch}"),
                    format!("{ch}漢字\u{202e}"),
                ] {
                    assert_eq!(all_safe(&text, &keep), naive(&text, keep), "{text:?}");
                }
            }
        }
    }
    use super::*;

    #[test]
    fn escapes_are_shown_not_sent() {
        assert_eq!(
            visible("a\x1b]0;pwned\x07b\u{9b}c\x7f\u{202e}d\r\ne\tf"),
            "a\\x1b]0;pwned\\x07b\\x9bc\\x7f\\u{202e}d\\x0d\ne\tf"
        );
        assert_eq!(visible_line("a\nb"), "a\\x0ab");
        assert!(matches!(visible("Frösche ✓"), Cow::Borrowed(_)));
    }

    #[test]
    fn quotes_are_short_and_on_one_line() {
        let long = "x".repeat(100_000);
        let quoted = quoted(&long);
        assert_eq!(quoted.chars().count(), 80 + 2);
        let line = error_line(&format!("cannot read '{long}' as a time"));
        assert!(line.chars().count() < 120, "{line}");
        assert!(line.ends_with("' as a time"));
        assert_eq!(one_line_field(" Ann\n\tExample\u{1b} "), "Ann Example");
    }
}
