//! Header text decoded from the raw bytes, so no character is lost (RFC 2047
//! with the quirks real mailers write):
//!
//! - an encoded word `=?charset?Q|B?text?=` is read in its own charset,
//!   *including* raw 8-bit bytes inside it (older Outlook and Eudora write
//!   `=?iso-8859-1?q?Fr\xF6sche?=`);
//! - adjacent encoded words in one charset are joined as bytes before
//!   decoding, so a character split across two words survives; the
//!   whitespace between encoded words is dropped;
//! - unencoded 8-bit text is read in the message's charset, else as UTF-8,
//!   else (byte by byte) as Latin-1/windows-1252.
//!
//! One pass over the bytes: linear in the header's length, and the header
//! is cut at [`MAX_HEADER_VALUE_BYTES`] before decoding.

use super::body::decode_charset;

/// The most bytes of one header value that are decoded (a subject of
/// 200,000 encoded words is cut here, not read for minutes).
pub const MAX_HEADER_VALUE_BYTES: usize = 64 * 1024;

/// The longest encoded word looked for (RFC 2047 says 75; real ones run
/// longer, none this long). Bounds the look-ahead, so decoding stays linear.
const MAX_WORD_BYTES: usize = 4096;

enum Piece<'a> {
    Text(&'a [u8]),
    Word {
        charset: &'a str,
        bytes: Vec<u8>,
        /// The word as written, `=?` to `?=`.
        written: &'a [u8],
    },
}

/// The header value without folding, cut at the cap.
fn unfold(raw: &[u8]) -> Vec<u8> {
    let raw = raw.get(..MAX_HEADER_VALUE_BYTES).unwrap_or(raw);
    // The runs between line-end bytes copied whole (most values have none).
    let mut unfolded = Vec::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = memchr::memchr2(b'\r', b'\n', rest) {
        unfolded.extend_from_slice(rest.get(..at).unwrap_or_default());
        rest = rest.get(at + 1..).unwrap_or_default();
    }
    unfolded.extend_from_slice(rest);
    unfolded
}

/// Whether `bytes` hold `=?`, the start of every encoded word.
pub(crate) fn has_encoded_word_start(bytes: &[u8]) -> bool {
    next_encoded_word_start(bytes).is_some()
}

/// Where the first `=?` in `bytes` starts.
fn next_encoded_word_start(bytes: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = bytes
        .get(from..)
        .and_then(|rest| memchr::memchr(b'=', rest))
    {
        if bytes.get(from + at + 1) == Some(&b'?') {
            return Some(from + at);
        }
        from += at + 1;
    }
    None
}

/// Decode a raw header value (as it stands after `Name:`, folding included).
pub fn decode_header(raw: &[u8], message_charset: Option<&str>) -> String {
    let unfolded = unfold(raw);
    match plain_ascii(unfolded, message_charset) {
        Ok(text) => text,
        Err(unfolded) => assemble(split(&unfolded), message_charset),
    }
}

/// An unfolded value in ASCII without `=?`, read in a charset that reads
/// ASCII as itself: it has no encoded word and decodes to itself (what
/// `split` and `assemble` would give, without their work). Else the bytes back.
fn plain_ascii(unfolded: Vec<u8>, message_charset: Option<&str>) -> Result<String, Vec<u8>> {
    if !unfolded.is_ascii()
        || has_encoded_word_start(&unfolded)
        || !super::body::utf8_like(message_charset)
    {
        return Err(unfolded);
    }
    String::from_utf8(unfolded).map_err(std::string::FromUtf8Error::into_bytes)
}

/// An address header made ready for an address parser: unencoded 8-bit
/// text decoded to UTF-8, and each encoded word that carries raw 8-bit
/// bytes rewritten as a clean base64 word in its own charset. The parser
/// then sees the structure (quotes, commas, `<>`) before any word is
/// decoded, as RFC 2047 wants.
pub fn clean_address_header(raw: &[u8], message_charset: Option<&str>) -> String {
    let unfolded = match plain_ascii(unfold(raw), message_charset) {
        Ok(text) => return text,
        Err(unfolded) => unfolded,
    };
    let mut out = String::with_capacity(unfolded.len());
    for piece in split(&unfolded) {
        match piece {
            Piece::Text(text) => out.push_str(&decode_charset(text, message_charset)),
            Piece::Word { written, .. } if written.is_ascii() => {
                out.push_str(&String::from_utf8_lossy(written));
            }
            Piece::Word { charset, bytes, .. } => {
                out.push_str(&format!(
                    "=?{charset}?B?{}?=",
                    crate::compose::encoding::base64(&bytes)
                ));
            }
        }
    }
    out
}

fn split(unfolded: &[u8]) -> Vec<Piece<'_>> {
    let mut pieces: Vec<Piece<'_>> = Vec::new();
    let mut text_start = 0;
    let mut at = 0;
    while at < unfolded.len() {
        // The next `=?` found at once, not byte by byte.
        let Some(found) = unfolded.get(at..).and_then(next_encoded_word_start) else {
            break;
        };
        at += found;
        if let Some((charset, bytes, end)) = encoded_word(unfolded, at) {
            if text_start < at {
                pieces.push(Piece::Text(
                    unfolded.get(text_start..at).unwrap_or_default(),
                ));
            }
            let written = unfolded.get(at..end).unwrap_or_default();
            pieces.push(Piece::Word {
                charset,
                bytes,
                written,
            });
            at = end;
            text_start = end;
        } else {
            at += 1;
        }
    }
    if text_start < unfolded.len() {
        pieces.push(Piece::Text(unfolded.get(text_start..).unwrap_or_default()));
    }
    pieces
}

fn assemble(pieces: Vec<Piece<'_>>, message_charset: Option<&str>) -> String {
    let mut out = String::new();
    // The run of encoded-word bytes not yet decoded, and its charset.
    let mut run: Vec<u8> = Vec::new();
    let mut run_charset: Option<&str> = None;
    let mut pieces = pieces.into_iter().peekable();
    let mut after_word = false;
    while let Some(piece) = pieces.next() {
        match piece {
            Piece::Word { charset, bytes, .. } => {
                if run_charset.is_some_and(|open| !open.eq_ignore_ascii_case(charset)) {
                    out.push_str(&decode_charset(&run, run_charset));
                    run.clear();
                }
                run_charset = Some(charset);
                run.extend_from_slice(&bytes);
                after_word = true;
                if is_stateful(charset) {
                    // Each word ends in the initial state; joined, the
                    // escape back and the next escape out read as an error.
                    out.push_str(&decode_charset(&run, run_charset));
                    run.clear();
                }
            }
            Piece::Text(text) => {
                let blank = text.iter().all(|b| *b == b' ' || *b == b'\t');
                let word_follows = matches!(pieces.peek(), Some(Piece::Word { .. }));
                if blank && after_word && word_follows {
                    continue; // Whitespace between encoded words is not text.
                }
                if run_charset.is_some() {
                    out.push_str(&decode_charset(&run, run_charset));
                    run.clear();
                    run_charset = None;
                }
                out.push_str(&decode_charset(text, message_charset));
                after_word = false;
            }
        }
    }
    if run_charset.is_some() {
        out.push_str(&decode_charset(&run, run_charset));
    }
    out
}

/// Charsets whose words each end by returning to the initial state
/// (ISO-2022-JP and kin, UTF-7): decoded word by word, never joined.
fn is_stateful(charset: &str) -> bool {
    let lower = charset.to_ascii_lowercase();
    lower.starts_with("iso-2022") || lower.starts_with("csiso2022") || lower == "utf-7"
}

/// The encoded word starting at `start` (which holds `=?`): its charset,
/// decoded bytes and the index after its closing `?=`.
fn encoded_word(bytes: &[u8], start: usize) -> Option<(&str, Vec<u8>, usize)> {
    let end_of_window = bytes.len().min(start + MAX_WORD_BYTES);
    let window = bytes.get(start + 2..end_of_window)?;
    let charset_len = window.iter().position(|b| *b == b'?')?;
    let charset = std::str::from_utf8(window.get(..charset_len)?).ok()?;
    if charset.is_empty() || charset.bytes().any(|b| b <= b' ' || b >= 0x7f) {
        return None;
    }
    // RFC 2231 adds a language: `utf-8*de`.
    let charset = charset.split('*').next().unwrap_or(charset);
    let rest = window.get(charset_len + 1..)?;
    let (&encoding, rest) = rest.split_first()?;
    let rest = rest.strip_prefix(b"?")?;
    // The first `?=`: each `?` found with memchr (no searcher built per word).
    let text_len = memchr::memchr_iter(b'?', rest).find(|&at| rest.get(at + 1) == Some(&b'='))?;
    let text = rest.get(..text_len)?;
    if text.iter().any(|b| *b == b' ' || *b == b'\t') {
        return None; // An encoded word holds no whitespace.
    }
    let decoded = match encoding.to_ascii_uppercase() {
        b'Q' => decode_q(text),
        b'B' => decode_b(text)?,
        _ => return None,
    };
    // `=?` + charset + `?` + encoding + `?` + text + `?=`.
    let end = start + 2 + charset_len + 3 + text_len + 2;
    Some((charset, decoded, end))
}

fn hex(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Q encoding: `_` is a space, `=XX` a byte, every other byte itself (raw
/// 8-bit bytes included).
fn decode_q(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut at = 0;
    while let Some(&byte) = text.get(at) {
        match byte {
            b'_' => out.push(b' '),
            b'=' => {
                if let (Some(high), Some(low)) = (
                    text.get(at + 1).copied().and_then(hex),
                    text.get(at + 2).copied().and_then(hex),
                ) {
                    out.push(high << 4 | low);
                    at += 3;
                    continue;
                }
                out.push(b'=');
            }
            other => out.push(other),
        }
        at += 1;
    }
    out
}

/// B encoding: base64, lenient about padding; `None` when it is not base64.
fn decode_b(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 3);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &byte in text {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_8bit_bytes_inside_a_word_are_read_in_its_charset() {
        assert_eq!(
            decode_header(b"=?iso-8859-1?q?Die_Hasen_und_die_Fr\xF6sche?=", None),
            "Die Hasen und die Frösche"
        );
        assert_eq!(
            decode_header(b"=?utf-8?Q?Fr\xC3\xB6sche?=", None),
            "Frösche"
        );
    }

    #[test]
    fn adjacent_words_join_and_text_keeps_its_spaces() {
        assert_eq!(
            decode_header(
                b"=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
                None
            ),
            "If you can read this you understand the example."
        );
        // A UTF-8 character split across two words.
        assert_eq!(
            decode_header(b"=?utf-8?q?Fr=C3?= =?utf-8?q?=B6sche?=", None),
            "Frösche"
        );
        assert_eq!(
            decode_header(b"[PRJ] asdf  =?utf-8?Q?=C3=A1rv?= end", None),
            "[PRJ] asdf  árv end"
        );
        assert_eq!(decode_header(b"a =?bad word?= b", None), "a =?bad word?= b");
    }

    #[test]
    fn address_headers_keep_their_structure() {
        assert_eq!(
            clean_address_header(
                b"=?iso-8859-1?q?M\xFCller?= <m@x.example>, b@x.example",
                None
            ),
            "=?iso-8859-1?B?TfxsbGVy?= <m@x.example>, b@x.example"
        );
        assert_eq!(
            clean_address_header(b"=?utf-8?Q?Heinz_M=C3=BCller?= <m@x>", None),
            "=?utf-8?Q?Heinz_M=C3=BCller?= <m@x>"
        );
        assert_eq!(clean_address_header(b"J\xF6rg <j@x>", None), "Jörg <j@x>");
    }

    #[test]
    fn unencoded_8bit_text_uses_the_message_charset_then_utf8_then_latin1() {
        assert_eq!(decode_header(b"Fr\xF6sche", Some("iso-8859-1")), "Frösche");
        assert_eq!(decode_header("Frösche".as_bytes(), None), "Frösche");
        assert_eq!(decode_header(b"Fr\xF6sche", None), "Frösche");
        assert_eq!(
            decode_header(b"odpowied\x9F", Some("windows-1250")),
            "odpowiedź"
        );
    }

    #[test]
    fn a_huge_header_is_cut_and_decoded_in_one_pass() {
        let words = "=?utf-8?q?w=C3=B6rd?= ".repeat(200_000);
        let decoded = decode_header(words.as_bytes(), None);
        assert!(decoded.starts_with("wördwörd"));
        assert!(decoded.len() <= MAX_HEADER_VALUE_BYTES);
    }

    #[test]
    fn plain_ascii_text_decodes_as_the_general_reader_does() {
        let values: [&[u8]; 9] = [
            b"Need to move our call",
            b"",
            b"folded\r\n over",
            b"almost =\r\n?utf-8?q?word?=",
            b"=?utf-8?q?Fr=C3=B6sche?=",
            b"a = ? b",
            b"\"Sam Coach\" <sam@coach.example>",
            b"Fr\xF6sche",
            b"  spaced\t ",
        ];
        let charsets = [
            None,
            Some("utf-8"),
            Some(" UTF-8 "),
            Some("us-ascii"),
            Some("iso-8859-1"),
            Some("utf-16"),
            Some("iso-2022-jp"),
        ];
        for value in values {
            for charset in charsets {
                let general = assemble(split(&unfold(value)), charset);
                assert_eq!(
                    decode_header(value, charset),
                    general,
                    "{value:?} {charset:?}"
                );
                let mut clean = String::new();
                for piece in split(&unfold(value)) {
                    match piece {
                        Piece::Text(text) => clean.push_str(&decode_charset(text, charset)),
                        Piece::Word { written, .. } => {
                            clean.push_str(&String::from_utf8_lossy(written));
                        }
                    }
                }
                if value.is_ascii() {
                    assert_eq!(clean_address_header(value, charset), clean, "{value:?}");
                }
            }
        }
    }
}
