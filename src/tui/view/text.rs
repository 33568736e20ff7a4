//! Small text helpers shared by the views: local times, spans, wrapping.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// `14:05` in the given zone.
pub fn clock(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%H:%M").to_string()
}

/// `Mon 23 Nov 14:05` in the given zone.
pub fn day_and_clock(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%a %d %b %H:%M").to_string()
}

/// `Mon 23 Nov`.
pub fn day(date: NaiveDate) -> String {
    date.format("%a %d %b").to_string()
}

/// Greedy word wrap to `width` columns (by characters); paragraphs kept,
/// words longer than a line cut.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        let mut used = 0;
        for word in paragraph.split_whitespace() {
            let mut word: Vec<char> = word.chars().collect();
            while word.len() > width {
                if used > 0 {
                    lines.push(std::mem::take(&mut line));
                    used = 0;
                }
                let rest = word.split_off(width);
                lines.push(word.into_iter().collect());
                word = rest;
            }
            let len = word.len();
            if used > 0 && used + 1 + len > width {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            if used > 0 {
                line.push(' ');
                used += 1;
            }
            line.extend(word);
            used += len;
        }
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_words_keeps_paragraphs_and_cuts_long_words() {
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
        assert_eq!(wrap("a\n\nb", 10), vec!["a", "", "b"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), vec![""]);
        assert_eq!(wrap("x y", 0), vec!["x", "y"]);
    }
}
