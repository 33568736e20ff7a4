//! The readable text of a message: which MIME parts to show and how to decode them.

use charset::Charset;
use mailparse::body::Body;
use mailparse::{DispositionType, ParsedMail};

use super::html;

/// A piece of text from one leaf part, remembering whether it was HTML.
struct TextBlock {
    text: String,
    from_html: bool,
}

/// The text a coach should read: text/plain preferred, HTML turned into
/// text when a message (or an alternative) has nothing else, and the text
/// parts of a mixed message (iPhone text / image / text) joined in order.
pub(crate) fn readable_text(message: &ParsedMail<'_>) -> String {
    let blocks = text_blocks(message);
    let texts: Vec<&str> = blocks
        .iter()
        .map(|block| block.text.trim_matches(['\n', ' ', '\t']))
        .filter(|text| !text.is_empty())
        .collect();
    texts.join("\n\n")
}

fn text_blocks(part: &ParsedMail<'_>) -> Vec<TextBlock> {
    let mimetype = part.ctype.mimetype.to_ascii_lowercase();
    if mimetype == "multipart/alternative" {
        return best_alternative(&part.subparts);
    }
    if mimetype.starts_with("multipart/") {
        return part.subparts.iter().flat_map(text_blocks).collect();
    }
    if part.get_content_disposition().disposition == DispositionType::Attachment {
        return Vec::new();
    }
    match mimetype.as_str() {
        "text/plain" => vec![TextBlock {
            text: decoded_text(part),
            from_html: false,
        }],
        "text/html" => vec![TextBlock {
            text: html::to_text(&decoded_text(part)),
            from_html: true,
        }],
        _ => Vec::new(),
    }
}

/// The first alternative that has plain text; else the last one with any
/// text (RFC 2046 puts the richest form last).
fn best_alternative(alternatives: &[ParsedMail<'_>]) -> Vec<TextBlock> {
    let candidates: Vec<Vec<TextBlock>> = alternatives
        .iter()
        .map(text_blocks)
        .filter(|blocks| blocks.iter().any(|block| !block.text.trim().is_empty()))
        .collect();
    let plain = candidates
        .iter()
        .position(|blocks| blocks.iter().all(|block| !block.from_html));
    match plain {
        Some(index) => candidates.into_iter().nth(index).unwrap_or_default(),
        None => candidates.into_iter().last().unwrap_or_default(),
    }
}

/// The part's body after transfer decoding and charset decoding, with `\n` line ends.
fn decoded_text(part: &ParsedMail<'_>) -> String {
    let bytes = part.get_body_raw().unwrap_or_else(|_| undecoded_body(part));
    let declared = part.ctype.params.get("charset").map(String::as_str);
    decode_charset(&bytes, declared).replace("\r\n", "\n")
}

/// A body whose transfer encoding is broken still has bytes worth showing.
fn undecoded_body(part: &ParsedMail<'_>) -> Vec<u8> {
    match part.get_body_encoded() {
        Body::Base64(body) | Body::QuotedPrintable(body) => body.get_raw().to_vec(),
        Body::SevenBit(body) | Body::EightBit(body) => body.get_raw().to_vec(),
        Body::Binary(body) => body.get_raw().to_vec(),
    }
}

/// Decode body bytes from their declared charset.
///
/// Mailers lie about charsets, so: an undeclared, US-ASCII or UTF-8 body is
/// read as UTF-8, with any byte that is not valid UTF-8 read as windows-1252
/// (Windows Live Mail puts Latin-1 "=E4" into parts it labels UTF-8). An
/// unknown label is treated the same way.
pub(crate) fn decode_charset(bytes: &[u8], declared: Option<&str>) -> String {
    let label = declared.map(str::trim).unwrap_or("").to_ascii_lowercase();
    let utf8_like = matches!(label.as_str(), "" | "us-ascii" | "ascii" | "utf-8" | "utf8");
    match Charset::for_label_no_replacement(label.as_bytes()) {
        Some(charset) if !utf8_like => charset.decode_without_bom_handling(bytes).0.into_owned(),
        _ => utf8_with_windows_1252_fallback(bytes),
    }
}

fn utf8_with_windows_1252_fallback(mut bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len());
    loop {
        match std::str::from_utf8(bytes) {
            Ok(valid) => {
                text.push_str(valid);
                return text;
            }
            Err(error) => {
                let (valid, rest) = bytes.split_at(error.valid_up_to());
                text.push_str(std::str::from_utf8(valid).unwrap_or_default());
                let bad_len = error.error_len().unwrap_or(rest.len());
                let (bad, after) = rest.split_at(bad_len);
                text.push_str(&decode_windows_1252(bad));
                bytes = after;
            }
        }
    }
}

fn decode_windows_1252(bytes: &[u8]) -> String {
    match Charset::for_label(b"windows-1252") {
        Some(charset) => charset.decode_without_bom_handling(bytes).0.into_owned(),
        None => String::from_utf8_lossy(bytes).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undeclared_utf8_is_read_as_utf8() {
        assert_eq!(decode_charset("Grüße".as_bytes(), None), "Grüße");
        assert_eq!(
            decode_charset("Grüße".as_bytes(), Some("us-ascii")),
            "Grüße"
        );
    }

    #[test]
    fn declared_charsets_are_honoured() {
        assert_eq!(decode_charset(b"Fr\xF6sche", Some("iso-8859-1")), "Frösche");
        assert_eq!(
            decode_charset(b"odpowied\x9F", Some("windows-1250")),
            "odpowiedź"
        );
        assert_eq!(decode_charset(b"Fr+APY-sche", Some("utf-7")), "Frösche");
        assert_eq!(
            decode_charset(b"\x1b$BF|K\\8l\x1b(B", Some("ISO-2022-JP")),
            "日本語"
        );
    }

    #[test]
    fn unknown_or_lying_labels_fall_back() {
        assert_eq!(decode_charset(b"caf\xE9", Some("x-unknown")), "café");
        assert_eq!(decode_charset(b"caf\xE9", None), "café");
        assert_eq!(
            decode_charset("Grüße, caf\u{e9} ".as_bytes(), Some("UTF-8")),
            "Grüße, café "
        );
        assert_eq!(
            decode_charset(b"Det h\xE4r \xC3\xA4r", Some("utf-8")),
            "Det här är"
        );
        assert_eq!(decode_charset(b"cut \xC3", Some("utf-8")), "cut Ã");
    }
}
