//! Byte encodings that mail and terminals need: base64, quoted-printable and
//! RFC 2047 encoded words. Hand-written because each is a few lines and the
//! crate would otherwise pull a dependency for them.

const BASE64_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding, no line breaks.
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let byte = |n: usize| u32::from(chunk.get(n).copied().unwrap_or(0));
        let group = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        for position in 0..4 {
            if position <= chunk.len() {
                let index = (group >> (18 - 6 * position)) & 0x3f;
                if let Some(&symbol) = BASE64_ALPHABET.get(index as usize) {
                    out.push(char::from(symbol));
                }
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Quoted-printable (RFC 2045) with CRLF line ends and lines of at most 76
/// characters, so long or 8-bit lines survive any mail relay.
///
/// Any line ending in the input becomes CRLF. A `.` or `From ` at the start
/// of a line is encoded too, because some transports and mbox files treat
/// those specially.
pub fn quoted_printable(text: &str) -> String {
    const MAX_LINE: usize = 76;
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut lines = normalized.split('\n').peekable();
    while let Some(line) = lines.next() {
        let bytes = line.as_bytes();
        let mut width = 0;
        for (index, &byte) in bytes.iter().enumerate() {
            let at_line_end = index + 1 == bytes.len();
            let literal = match byte {
                b'=' => false,
                b' ' | b'\t' => !at_line_end,
                b'.' => index != 0,
                b'F' => !(index == 0 && line.starts_with("From ")),
                33..=126 => true,
                _ => false,
            };
            let token_width = if literal { 1 } else { 3 };
            // Leave room for the "=" of a soft break, unless this is the
            // last token of the line.
            let limit = if at_line_end { MAX_LINE } else { MAX_LINE - 1 };
            if width + token_width > limit {
                out.push_str("=\r\n");
                width = 0;
            }
            if literal {
                out.push(char::from(byte));
            } else {
                out.push_str(&format!("={byte:02X}"));
            }
            width += token_width;
        }
        if lines.peek().is_some() {
            out.push_str("\r\n");
        }
    }
    out
}

/// A header value as RFC 2047 encoded words (`=?UTF-8?B?...?=`), never
/// splitting a UTF-8 character, joined by folding white space, so that no
/// header line exceeds 78 characters. `first_line_used` is how much of the
/// first line the header name (and anything before the words) already takes.
pub fn encoded_words(text: &str, first_line_used: usize) -> String {
    const MAX_LINE: usize = 78;
    // "=?UTF-8?B?" and "?=".
    const WORD_OVERHEAD: usize = 12;
    // Input bytes that fit a line with `used` characters taken already; at
    // least one character's worth so every word makes progress.
    let budget = |used: usize| (MAX_LINE.saturating_sub(used + WORD_OVERHEAD) / 4 * 3).max(4);
    let mut words = Vec::new();
    let mut max_bytes = budget(first_line_used);
    let mut start = 0;
    let mut end = 0;
    for (index, ch) in text.char_indices() {
        let next = index + ch.len_utf8();
        if next - start > max_bytes && end > start {
            words.push(&text[start..end]);
            start = end;
            // Continuation lines begin with one space.
            max_bytes = budget(1);
        }
        end = next;
    }
    if start < text.len() {
        words.push(&text[start..]);
    }
    words
        .iter()
        .map(|word| format!("=?UTF-8?B?{}?=", base64(word.as_bytes())))
        .collect::<Vec<_>>()
        .join("\r\n ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (input, expected) in cases {
            assert_eq!(base64(input.as_bytes()), expected, "input {input:?}");
        }
    }

    #[test]
    fn quoted_printable_keeps_lines_short_and_escapes() {
        let long = "é".repeat(60);
        let encoded = quoted_printable(&format!("a=b \n{long}\nend "));
        for line in encoded.split("\r\n") {
            assert!(line.len() <= 76, "line too long: {line}");
        }
        assert!(encoded.starts_with("a=3Db=20\r\n"));
        assert!(encoded.ends_with("end=20"));
    }

    #[test]
    fn quoted_printable_protects_dot_and_from_at_line_start() {
        let encoded = quoted_printable(".\nFrom here\nA.B");
        assert_eq!(encoded, "=2E\r\n=46rom here\r\nA.B");
    }

    #[test]
    fn quoted_printable_encodes_trailing_space() {
        assert_eq!(quoted_printable("hi "), "hi=20");
        assert_eq!(quoted_printable("hi \nyo"), "hi=20\r\nyo");
    }

    #[test]
    fn encoded_words_are_short_and_whole_characters() {
        let text = "Réunion: ünïcødé ".repeat(8);
        let encoded = encoded_words(&text, "Subject: ".len());
        for (index, word) in encoded.split("\r\n ").enumerate() {
            let used = if index == 0 { "Subject: ".len() } else { 1 };
            assert!(used + word.len() <= 78, "line too long: {word}");
            assert!(word.starts_with("=?UTF-8?B?") && word.ends_with("?="));
        }
    }
}
