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
        Body::Base64(encoded) => encoded.get_decoded().ok(),
        Body::QuotedPrintable(encoded) => Some(decode_quoted_printable(encoded.get_raw())),
        _ => None,
    };
    let bytes: &[u8] = match (&decoded, &body) {
        (Some(decoded), _) => decoded,
        (None, Body::Base64(body) | Body::QuotedPrintable(body)) => body.get_raw(),
        (None, Body::SevenBit(body) | Body::EightBit(body)) => body.get_raw(),
        (None, Body::Binary(body)) => body.get_raw(),
    };
    let declared = part.ctype().params.get("charset").map(String::as_str);
    crlf_to_lf(decode_charset(bytes, declared))
}

/// `text.replace("\r\n", "\n")`, in place: each CR found with memchr, and
/// dropped where a LF follows it.
fn crlf_to_lf(text: String) -> String {
    let mut bytes = text.into_bytes();
    let mut write = 0;
    let mut read = 0;
    while let Some(at) = bytes
        .get(read..)
        .and_then(|rest| memchr::memchr(b'\r', rest))
    {
        let cr = read + at;
        if bytes.get(cr + 1) == Some(&b'\n') {
            bytes.copy_within(read..cr, write);
            write += cr - read;
            read = cr + 1; // The LF is copied with the next run.
        } else {
            bytes.copy_within(read..=cr, write);
            write += cr + 1 - read;
            read = cr + 1;
        }
    }
    let len = bytes.len();
    bytes.copy_within(read..len, write);
    bytes.truncate(write + len - read);
    // Only a CR before a LF was taken out: still UTF-8.
    String::from_utf8(bytes)
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
}

/// A quoted-printable body decoded as mailparse decodes it
/// (`quoted_printable::decode` in its robust mode, which never fails):
/// bytes other than tab, CR, LF and printable ASCII dropped; each line
/// (`str::lines`) trimmed at its end; `=XY` with two hex digits a byte, any
/// other `=` kept with what follows; `=` at a line end joins the lines;
/// lines otherwise joined with CRLF, and a final line end kept. The runs
/// without `=` are copied whole.
pub(crate) fn decode_quoted_printable(input: &[u8]) -> Vec<u8> {
    let kept = |b: u8| matches!(b, b'\t' | b'\r' | b'\n' | b' '..=b'~');
    let filtered_copy: Vec<u8>;
    let filtered: &[u8] = if input.iter().all(|&b| kept(b)) {
        input
    } else {
        filtered_copy = input.iter().copied().filter(|&b| kept(b)).collect();
        &filtered_copy
    };
    let mut decoded = Vec::with_capacity(filtered.len());
    // None before the first line ends; Some(true): a line break is due
    // before the next line; Some(false): one was just written.
    let mut add_line_break: Option<bool> = None;
    for line in filtered.split_inclusive(|&b| b == b'\n') {
        let line = match line.strip_suffix(b"\n") {
            Some(line) => line.strip_suffix(b"\r").unwrap_or(line),
            None => line,
        };
        let end = line
            .iter()
            .rposition(|&b| !matches!(b, b' ' | b'\t' | b'\r'))
            .map_or(0, |last| last + 1);
        let mut rest = line.get(..end).unwrap_or_default();
        if add_line_break == Some(true) {
            decoded.extend_from_slice(b"\r\n");
            add_line_break = Some(false);
        }
        loop {
            let Some(at) = memchr::memchr(b'=', rest) else {
                decoded.extend_from_slice(rest);
                add_line_break = Some(true);
                break;
            };
            decoded.extend_from_slice(rest.get(..at).unwrap_or_default());
            let Some(&upper) = rest.get(at + 1) else {
                break; // A soft line break.
            };
            let Some(&lower) = rest.get(at + 2) else {
                decoded.extend_from_slice(&[b'=', upper]);
                add_line_break = Some(true);
                break;
            };
            match (hex_value(upper), hex_value(lower)) {
                (Some(high), Some(low)) => decoded.push(high << 4 | low),
                _ => decoded.extend_from_slice(&[b'=', upper, lower]),
            }
            rest = rest.get(at + 3..).unwrap_or_default();
        }
    }
    if filtered.ends_with(b"\n") && add_line_break == Some(true) {
        decoded.extend_from_slice(b"\r\n");
    }
    decoded
}

fn hex_value(digit: u8) -> Option<u8> {
    (digit as char)
        .to_digit(16)
        .and_then(|value| u8::try_from(value).ok())
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

    #[test]
    fn line_ends_become_lf_as_replace_makes_them() {
        let pieces = ["\r", "\n", "\r\n", "a", "ä", "\r\r\n", "\n\r"];
        let texts = crate::testing::every_text(&pieces, 6);
        for text in texts {
            assert_eq!(
                crlf_to_lf(text.clone()),
                text.replace("\r\n", "\n"),
                "{text:?}"
            );
        }
    }

    /// mailparse's own decoding of a quoted-printable body.
    fn mailparse_qp(body: &[u8]) -> Vec<u8> {
        let mut raw = b"Content-Transfer-Encoding: quoted-printable\r\n\r\n".to_vec();
        raw.extend_from_slice(body);
        let parsed = mailparse::parse_mail(&raw).expect("mail");
        parsed.get_body_raw().expect("robust decoding never fails")
    }

    #[test]
    fn quoted_printable_is_decoded_as_mailparse_decodes_it() {
        // Every body of up to five of these pieces, then 40,000 longer
        // random ones: soft breaks, `=` before one or no byte, bad and
        // lower-case hex, trailing blanks, CR alone, CRLF and LF, bytes
        // that are dropped (8-bit, NUL, vertical tab), `==41`.
        let pieces: [&[u8]; 17] = [
            b"=",
            b"A",
            b"f",
            b"3D",
            b"=E4",
            b"=e4",
            b"g",
            b" ",
            b"\t",
            b"\r",
            b"\n",
            b"\r\n",
            b"\xC3\xA4",
            b"\0",
            b"\x0b",
            b"x=\r\n",
            b"=4",
        ];
        let mut bodies = crate::testing::every_sequence(&pieces, 4);
        bodies.extend(crate::testing::random_sequences(
            &pieces,
            40_000,
            0x2545_F491_4F6C_DD1D,
            58,
            5,
        ));
        for body in &bodies {
            assert_eq!(
                decode_quoted_printable(body),
                mailparse_qp(body),
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
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
