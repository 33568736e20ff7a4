//! The readable text of a message: which MIME parts to show and how to decode them.

use charset::Charset;
use mailparse::body::Body;
use mailparse::{DispositionType, ParsedContentType, ParsedMail};

use super::html;
use super::scan::TopLevel;

/// A message or one of its parts: read by [`TopLevel`], or by mailparse
/// (what that reader leaves). Both answer what `ParsedMail` answers.
#[derive(Clone, Copy)]
pub(crate) enum Node<'p, 'a> {
    Top(&'p TopLevel<'a>),
    Part(&'p ParsedMail<'a>),
}

impl<'p, 'a> Node<'p, 'a> {
    pub(crate) fn ctype(self) -> &'p ParsedContentType {
        match self {
            Node::Top(top) => top.ctype(),
            Node::Part(part) => &part.ctype,
        }
    }

    /// Its parts, in order.
    pub(crate) fn subparts(self) -> Vec<Node<'p, 'a>> {
        match self {
            Node::Top(top) => top.subparts.iter().map(Node::Top).collect(),
            Node::Part(part) => part.subparts.iter().map(Node::Part).collect(),
        }
    }

    fn is_attachment(self) -> bool {
        match self {
            Node::Top(top) => top.is_attachment(),
            Node::Part(part) => {
                part.get_content_disposition().disposition == DispositionType::Attachment
            }
        }
    }

    fn body_encoded(self) -> Body<'p> {
        match self {
            Node::Top(top) => top.body_encoded(),
            Node::Part(part) => part.get_body_encoded(),
        }
    }
}

/// A piece of text from one leaf part, remembering whether it was HTML.
/// An HTML part is turned into text only when it is looked at: most mail
/// is multipart/alternative with a plain part first, whose HTML twin is
/// then never read.
struct TextBlock<'p, 'a> {
    text: Text<'p, 'a>,
    from_html: bool,
}

enum Text<'p, 'a> {
    Ready(String),
    /// An HTML part not yet decoded and turned into text.
    Html(Node<'p, 'a>),
}

impl TextBlock<'_, '_> {
    /// The block's text, HTML turned into text on first use.
    fn text(&mut self) -> &str {
        if let Text::Html(part) = self.text {
            self.text = Text::Ready(html::to_text(&decoded_text(part)));
        }
        match &self.text {
            Text::Ready(text) => text,
            Text::Html(_) => "",
        }
    }

    fn has_text(&mut self) -> bool {
        !self.text().trim().is_empty()
    }

    fn into_text(mut self) -> String {
        self.text();
        match self.text {
            Text::Ready(text) => text,
            Text::Html(_) => String::new(),
        }
    }
}

/// The text a coach should read: text/plain preferred, HTML turned into
/// text when a message (or an alternative) has nothing else, and the text
/// parts of a mixed message (iPhone text / image / text) joined in order.
pub(crate) fn readable_text(message: Node<'_, '_>) -> String {
    let mut blocks = text_blocks(message);
    if blocks.len() == 1
        && let Some(block) = blocks.pop()
    {
        // One block: its own text trimmed in place, not copied.
        let mut text = block.into_text();
        let trim = ['\n', ' ', '\t'];
        let end = text.trim_end_matches(trim).len();
        text.truncate(end);
        let start = text.len() - text.trim_start_matches(trim).len();
        text.drain(..start);
        return text;
    }
    let mut joined = String::new();
    for block in &mut blocks {
        let text = block.text().trim_matches(['\n', ' ', '\t']);
        if text.is_empty() {
            continue;
        }
        if !joined.is_empty() {
            joined.push_str("\n\n");
        }
        joined.push_str(text);
    }
    joined
}

fn text_blocks<'p, 'a>(part: Node<'p, 'a>) -> Vec<TextBlock<'p, 'a>> {
    // Compared without a lower-cased copy (the same answer: only ASCII
    // letters are folded either way).
    let mimetype = part.ctype().mimetype.as_str();
    if mimetype.eq_ignore_ascii_case("multipart/alternative") {
        return best_alternative(part.subparts());
    }
    if mimetype
        .get(..10)
        .is_some_and(|kind| kind.eq_ignore_ascii_case("multipart/"))
    {
        return part.subparts().into_iter().flat_map(text_blocks).collect();
    }
    if part.is_attachment() {
        return Vec::new();
    }
    if mimetype.eq_ignore_ascii_case("text/plain") {
        vec![TextBlock {
            text: Text::Ready(decoded_text(part)),
            from_html: false,
        }]
    } else if mimetype.eq_ignore_ascii_case("text/html") {
        vec![TextBlock {
            text: Text::Html(part),
            from_html: true,
        }]
    } else {
        Vec::new()
    }
}

/// The first alternative that has plain text; else the last one with any
/// text (RFC 2046 puts the richest form last). An HTML alternative is read
/// only when no plain one has text.
fn best_alternative<'p, 'a>(alternatives: Vec<Node<'p, 'a>>) -> Vec<TextBlock<'p, 'a>> {
    let mut not_plain = Vec::new();
    for alternative in alternatives {
        let mut blocks = text_blocks(alternative);
        if blocks.iter().all(|block| !block.from_html) {
            if blocks.iter_mut().any(TextBlock::has_text) {
                return blocks;
            }
        } else {
            not_plain.push(blocks);
        }
    }
    while let Some(mut blocks) = not_plain.pop() {
        if blocks.iter_mut().any(TextBlock::has_text) {
            return blocks;
        }
    }
    Vec::new()
}

/// The part's body after transfer decoding and charset decoding, with `\n` line ends.
fn decoded_text(part: Node<'_, '_>) -> String {
    let body = part.body_encoded();
    // `ParsedMail::get_body_raw`, falling back to the undecoded bytes: a
    // body whose transfer encoding is broken still has bytes worth showing.
    let decoded = match &body {
        Body::Base64(encoded) | Body::QuotedPrintable(encoded) => encoded.get_decoded().ok(),
        _ => None,
    };
    let bytes: &[u8] = match (&decoded, &body) {
        (Some(decoded), _) => decoded,
        (None, Body::Base64(body) | Body::QuotedPrintable(body)) => body.get_raw(),
        (None, Body::SevenBit(body) | Body::EightBit(body)) => body.get_raw(),
        (None, Body::Binary(body)) => body.get_raw(),
    };
    let declared = part.ctype().params.get("charset").map(String::as_str);
    let text = decode_charset(bytes, declared);
    if text.contains("\r\n") {
        text.replace("\r\n", "\n")
    } else {
        text
    }
}

/// Decode body bytes from their declared charset.
///
/// Mailers lie about charsets, so: an undeclared, US-ASCII or UTF-8 body is
/// read as UTF-8, with any byte that is not valid UTF-8 read as windows-1252
/// (Windows Live Mail puts Latin-1 "=E4" into parts it labels UTF-8). An
/// unknown label is treated the same way.
pub(crate) fn decode_charset(bytes: &[u8], declared: Option<&str>) -> String {
    if utf8_like(declared) {
        // The label is not even looked up: read as UTF-8 whatever it names.
        return utf8_with_windows_1252_fallback(bytes);
    }
    let label = declared.map(str::trim).unwrap_or("").to_ascii_lowercase();
    match Charset::for_label_no_replacement(label.as_bytes()) {
        Some(charset) => charset.decode_without_bom_handling(bytes).0.into_owned(),
        _ => utf8_with_windows_1252_fallback(bytes),
    }
}

/// Whether [`decode_charset`] reads bytes labelled so as UTF-8: no label,
/// US-ASCII or UTF-8 (then ASCII text decodes to itself).
pub(crate) fn utf8_like(declared: Option<&str>) -> bool {
    let label = declared.map(str::trim).unwrap_or("");
    ["", "us-ascii", "ascii", "utf-8", "utf8"]
        .iter()
        .any(|like| label.eq_ignore_ascii_case(like))
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

    fn body_of(parts: &[(&str, &str)]) -> String {
        let mut raw = String::from(
            "From: a@x.example\nContent-Type: multipart/alternative; boundary=\"b\"\n\n",
        );
        for (mimetype, text) in parts {
            raw.push_str(&format!(
                "--b\nContent-Type: {mimetype}; charset=utf-8\n\n{text}\n"
            ));
        }
        raw.push_str("--b--\n");
        let parsed = mailparse::parse_mail(raw.as_bytes()).expect("mail");
        readable_text(Node::Part(&parsed))
    }

    #[test]
    fn the_first_plain_alternative_with_text_wins_else_the_last_with_any() {
        assert_eq!(
            body_of(&[("text/html", "<p>rich</p>"), ("text/plain", "plain")]),
            "plain"
        );
        assert_eq!(
            body_of(&[("text/plain", "plain"), ("text/html", "<p>rich</p>")]),
            "plain"
        );
        assert_eq!(
            body_of(&[("text/plain", " \n "), ("text/html", "<p>rich</p>")]),
            "rich"
        );
        assert_eq!(
            body_of(&[("text/html", "<p>first</p>"), ("text/html", "<p>last</p>")]),
            "last"
        );
        assert_eq!(
            body_of(&[("text/html", "<p>first</p>"), ("text/html", "<p> </p>")]),
            "first"
        );
        assert_eq!(body_of(&[("text/html", "<br>"), ("image/png", "x")]), "");
        assert_eq!(
            body_of(&[("TEXT/PLAIN", "upper"), ("text/html", "<p>rich</p>")]),
            "upper"
        );
    }
}
