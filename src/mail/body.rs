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

/// Decode body bytes from their declared charset. Undeclared or US-ASCII
/// bodies that are valid UTF-8 are read as UTF-8 (mailers send 8-bit UTF-8
/// without saying so); an unknown label falls back to UTF-8, then windows-1252.
pub(crate) fn decode_charset(bytes: &[u8], declared: Option<&str>) -> String {
    let label = declared.map(str::trim).unwrap_or("");
    let claims_ascii = label.is_empty() || label.eq_ignore_ascii_case("us-ascii");
    if claims_ascii && let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_string();
    }
    if let Some(charset) = Charset::for_label_no_replacement(label.as_bytes()) {
        return charset.decode_without_bom_handling(bytes).0.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => match Charset::for_label(b"windows-1252") {
            Some(windows_1252) => windows_1252
                .decode_without_bom_handling(bytes)
                .0
                .into_owned(),
            None => String::from_utf8_lossy(bytes).into_owned(),
        },
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
    }
}
