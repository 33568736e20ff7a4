//! The message's own header block read in one pass, and its body split into
//! MIME parts, giving exactly what `mailparse::parse_mail` gives for them.
//!
//! mailparse reads a header block byte by byte, and every look-up by name
//! (it looks up `Content-Type` and `Content-Transfer-Encoding` itself)
//! decodes each key as Latin-1 into a new string. The import reads the top
//! level of every message, so that level is read here: each field found
//! with `memchr` (the same state machine as `mailparse::parse_header`),
//! looked up on raw keys. The parts of a multipart message are split on
//! their boundary lines as mailparse splits them and read the same way;
//! mailparse still reads each Content-Type, Content-Disposition and
//! transfer encoding, and decodes any header value that is not plain ASCII.
//!
//! Whatever this reader does not take on (a header block mailparse refuses,
//! `multipart/digest`, parts nested deeper than [`MAX_NESTING`]) is left to
//! `mailparse::parse_mail` whole, so the answer, errors included, is
//! mailparse's own.

use std::cell::OnceCell;

use memchr::memmem;

use mailparse::body::Body;
use mailparse::{MailHeader, ParsedContentType};

/// One header field of the top-level block: its key and value as mailparse
/// cuts them (`get_key_raw`, `get_value_raw`), and the whole field.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field<'a> {
    key: &'a [u8],
    value: &'a [u8],
    /// The field's bytes from its key to the end of its last line.
    whole: &'a [u8],
}

/// A header field as the decoders read it: raw key, raw value (folding
/// included), and mailparse's own decoded value (`get_value`).
pub(crate) trait RawHeader {
    fn key_raw(&self) -> &[u8];
    fn value_raw(&self) -> &[u8];
    /// The value exactly as `MailHeader::get_value` decodes it.
    fn mailparse_value(&self) -> String;
}

impl RawHeader for MailHeader<'_> {
    fn key_raw(&self) -> &[u8] {
        self.get_key_raw()
    }
    fn value_raw(&self) -> &[u8] {
        self.get_value_raw()
    }
    fn mailparse_value(&self) -> String {
        self.get_value()
    }
}

impl RawHeader for Field<'_> {
    fn key_raw(&self) -> &[u8] {
        self.key
    }
    fn value_raw(&self) -> &[u8] {
        self.value
    }
    fn mailparse_value(&self) -> String {
        // mailparse reads a field from its first byte on; cut out alone it
        // is read the same (the reader looks no further than its last line).
        mailparse::parse_header(self.whole)
            .map(|(header, _)| header.get_value())
            .unwrap_or_default()
    }
}

/// A message (or one of its parts): its header fields, content type, own
/// body bytes and (for a multipart one) its parts, as mailparse reads them.
pub(crate) struct TopLevel<'a> {
    /// The bytes it was read from (`ParsedMail::raw_bytes`; compared in tests).
    #[cfg(test)]
    pub raw: &'a [u8],
    pub fields: Vec<Field<'a>>,
    /// Its Content-Type, read on first use where it cannot name a
    /// multipart type (most HTML twins of a plain part are never looked at).
    ctype: OnceCell<ParsedContentType>,
    /// The body (for a multipart message: the text before its first part).
    pub body: &'a [u8],
    pub subparts: Vec<TopLevel<'a>>,
}

/// How deep parts may nest here; deeper ones go to mailparse whole (it has
/// a recursion limit of its own, 100, which this keeps well clear of).
pub(crate) const MAX_NESTING: usize = 32;

impl<'a> TopLevel<'a> {
    /// The message read as `mailparse::parse_mail` reads it, or `None` when
    /// that is left to mailparse (see the module documentation).
    pub(crate) fn read(raw: &'a [u8]) -> Option<Self> {
        Self::read_part(raw, 0)
    }

    /// A part `depth` levels down, read as mailparse reads a part of a
    /// message that is not a digest.
    fn read_part(raw: &'a [u8], depth: usize) -> Option<Self> {
        if depth > MAX_NESTING {
            return None;
        }
        let (fields, ix_body) = scan_fields(raw)?;
        let may_be_multipart =
            first(&fields, "Content-Type").is_some_and(|field| may_name_multipart(field.value));
        let mut top = TopLevel {
            #[cfg(test)]
            raw,
            fields,
            ctype: OnceCell::new(),
            body: raw.get(ix_body..).unwrap_or_default(),
            subparts: Vec::new(),
        };
        if !may_be_multipart {
            return Some(top);
        }
        let ctype = content_type(&top.fields);
        if raw.len() > ix_body
            && ctype.mimetype.starts_with("multipart")
            && let Some(boundary) = ctype.params.get("boundary")
        {
            if ctype.mimetype == "multipart/digest" {
                return None;
            }
            let boundary = format!("--{boundary}");
            let (subparts, body_end) = split_parts(raw, ix_body, boundary.as_bytes(), depth)?;
            top.subparts = subparts;
            top.body = raw.get(ix_body..body_end).unwrap_or_default();
        }
        top.ctype = OnceCell::from(ctype);
        Some(top)
    }

    /// The Content-Type as mailparse reads it (`ParsedMail::ctype`).
    pub(crate) fn ctype(&self) -> &ParsedContentType {
        self.ctype.get_or_init(|| content_type(&self.fields))
    }

    /// The body as `ParsedMail::get_body_encoded` gives it.
    pub(crate) fn body_encoded(&self) -> Body<'_> {
        let transfer_encoding = first(&self.fields, "Content-Transfer-Encoding")
            .map(|field| super::headers::lowercase(&super::headers::header_value_in_place(field)));
        Body::new(self.body, self.ctype(), &transfer_encoding)
    }

    /// Whether `Content-Disposition` says attachment, as
    /// `ParsedMail::get_content_disposition` reads it.
    pub(crate) fn is_attachment(&self) -> bool {
        first(&self.fields, "Content-Disposition").is_some_and(|field| {
            mailparse::parse_content_disposition(&super::headers::header_value_in_place(field))
                .disposition
                == mailparse::DispositionType::Attachment
        })
    }
}

/// mailparse's reading of the first Content-Type (the default without one).
fn content_type(fields: &[Field<'_>]) -> ParsedContentType {
    first(fields, "Content-Type")
        .map(|field| parse_content_type(&super::headers::header_value_in_place(field)))
        .unwrap_or_default()
}

/// `mailparse::parse_content_type`'s answer. A value without `*` and `\`
/// has no RFC 2231 parameter (extended or continued: its key ends in `*`
/// or `*N`) and no escaped quote, so mailparse only splits it at the
/// semicolons outside quotes, trims, lower-cases the type and the keys,
/// and takes the quotes off a quoted value (the last of two same keys
/// wins). That is read here, without its parameter decoding's maps and
/// lists; anything else goes to mailparse.
pub(crate) fn parse_content_type(value: &str) -> ParsedContentType {
    if memchr::memchr2(b'*', b'\\', value.as_bytes()).is_some() {
        return mailparse::parse_content_type(value);
    }
    let mut params = std::collections::BTreeMap::new();
    let mut mimetype = None;
    let mut take = |token: &str| {
        if mimetype.is_none() {
            mimetype = Some(super::headers::lowercase(token.trim()));
        } else if let Some(eq) = token.find('=') {
            let key = super::headers::lowercase(token.get(..eq).unwrap_or_default().trim());
            let raw = token.get(eq + 1..).unwrap_or_default().trim();
            let quoted = raw.len() > 1 && raw.starts_with('"') && raw.ends_with('"');
            let unquoted = if quoted {
                raw.get(1..raw.len() - 1).unwrap_or_default()
            } else {
                raw
            };
            params.insert(key, unquoted.to_string());
        }
    };
    // Split at each `;` outside quotes (a quote toggles; without `\`
    // nothing is escaped).
    let mut start = 0;
    let mut in_quote = false;
    for (at, byte) in value.bytes().enumerate() {
        if byte == b'"' {
            in_quote = !in_quote;
        } else if byte == b';' && !in_quote {
            take(value.get(start..at).unwrap_or_default());
            start = at + 1;
        }
    }
    take(value.get(start..).unwrap_or_default());
    let charset = params
        .get("charset")
        .cloned()
        .unwrap_or_else(|| "us-ascii".to_string());
    ParsedContentType {
        mimetype: mimetype.unwrap_or_default(),
        charset,
        params,
    }
}

/// Whether a raw Content-Type value may read as a multipart type: it says
/// `multipart` (any case), or it is decoded by mailparse (non-ASCII, an
/// encoded word). An ASCII value is only unfolded (a space for each line
/// break), so a type it names is written in it as one run of bytes.
fn may_name_multipart(value: &[u8]) -> bool {
    !value.is_ascii()
        || super::words::has_encoded_word_start(value)
        // Only where an `m` is: found with memchr, not at every byte.
        || memchr::memchr2_iter(b'm', b'M', value).any(|at| {
            value
                .get(at..at + 9)
                .is_some_and(|window| window.eq_ignore_ascii_case(b"multipart"))
        })
}

fn first<'f, 'a>(fields: &'f [Field<'a>], name: &str) -> Option<&'f Field<'a>> {
    fields
        .iter()
        .find(|field| field.key.eq_ignore_ascii_case(name.as_bytes()))
}

/// The header fields and where the body starts, as `mailparse::parse_headers`
/// reads them; `None` where it gives an error.
pub(crate) fn scan_fields(raw: &[u8]) -> Option<(Vec<Field<'_>>, usize)> {
    let mut fields = Vec::with_capacity(24);
    let mut ix = 0;
    loop {
        match raw.get(ix) {
            None => break,
            Some(b'\n') => {
                ix += 1;
                break;
            }
            Some(b'\r') => {
                if raw.get(ix + 1) == Some(&b'\n') {
                    ix += 2;
                    break;
                }
                // A lone CR where a field should start.
                return None;
            }
            Some(_) => {}
        }
        let rest = raw.get(ix..)?;
        let (field, used) = scan_field(rest)?;
        fields.push(field);
        ix += used;
    }
    Some((fields, ix))
}

/// One field at the start of `data` and the bytes it takes, as
/// `mailparse::parse_header` reads it; `None` where it gives an error.
fn scan_field<'a>(data: &'a [u8]) -> Option<(Field<'a>, usize)> {
    if *data.first()? == b' ' {
        // A continuation line with no field before it.
        return None;
    }
    let empty_value = |key: &'a [u8], used: usize| -> Option<(Field<'a>, usize)> {
        let whole = data.get(..used).unwrap_or_default();
        Some((
            Field {
                key,
                value: &[],
                whole,
            },
            used,
        ))
    };
    let Some(stop) = memchr::memchr2(b':', b'\n', data) else {
        // No colon and no line end: all key, no value.
        return empty_value(data, data.len());
    };
    let key = data.get(..stop)?;
    if data.get(stop) == Some(&b'\n') {
        // A line without a colon: all key, no value.
        return empty_value(key, stop + 1);
    }
    let mut value_start = stop + 1;
    while data.get(value_start) == Some(&b' ') {
        value_start += 1;
    }
    if value_start >= data.len() {
        return empty_value(key, data.len());
    }
    // The field runs to the end of the first line not followed by a
    // continuation line (one starting with a space or tab).
    let mut end = data.len();
    let mut from = value_start;
    while let Some(offset) = data
        .get(from..)
        .and_then(|rest| memchr::memchr(b'\n', rest))
    {
        let line_end = from + offset + 1;
        match data.get(line_end) {
            Some(b' ' | b'\t') => from = line_end,
            _ => {
                end = line_end;
                break;
            }
        }
    }
    let taken = data.get(value_start..end)?;
    let value_len = taken
        .iter()
        .rposition(|&b| b != b'\r' && b != b'\n')
        .map_or(0, |last| last + 1);
    Some((
        Field {
            key,
            value: taken.get(..value_len)?,
            whole: data.get(..end)?,
        },
        end,
    ))
}

/// mailparse's `strip_trailing_crlf`: the line end before a boundary
/// belongs to the boundary.
fn strip_trailing_crlf(raw: &[u8], start: usize, mut ix: usize) -> usize {
    if ix > start && raw.get(ix - 1) == Some(&b'\n') {
        ix -= 1;
        if ix > start && raw.get(ix - 1) == Some(&b'\r') {
            ix -= 1;
        }
    }
    ix
}

/// The first `key` at or after `start` that starts a line (or sits at `start`).
fn find_line_prefix(raw: &[u8], start: usize, finder: &memmem::Finder<'_>) -> Option<usize> {
    let mut from = start;
    loop {
        let ix = from + finder.find(raw.get(from..)?)?;
        if ix == start || raw.get(ix.wrapping_sub(1)) == Some(&b'\n') {
            return Some(ix);
        }
        from = ix + 1;
    }
}

/// mailparse's `parse_multipart`: the parts between boundary lines, each
/// read as mailparse reads it, and where the preamble ends. `None` when a
/// part is one this reader leaves (the whole message then goes to mailparse).
fn split_parts<'a>(
    raw: &'a [u8],
    ix_body: usize,
    boundary: &[u8],
    depth: usize,
) -> Option<(Vec<TopLevel<'a>>, usize)> {
    let mut subparts = Vec::new();
    let mut body_end = ix_body;
    let boundary_finder = memmem::Finder::new(boundary);
    if let Some(boundary_start) = find_line_prefix(raw, ix_body, &boundary_finder) {
        body_end = strip_trailing_crlf(raw, ix_body, boundary_start);
        let mut boundary_end = boundary_start + boundary.len();
        while let Some(part_start) = raw
            .get(boundary_end..)
            .and_then(|rest| memchr::memchr(b'\n', rest))
            .map(|offset| boundary_end + offset + 1)
        {
            let part_boundary = find_line_prefix(raw, part_start, &boundary_finder);
            let part_end = part_boundary
                .map(|ix| strip_trailing_crlf(raw, part_start, ix))
                .unwrap_or(raw.len());
            subparts.push(TopLevel::read_part(
                raw.get(part_start..part_end)?,
                depth + 1,
            )?);
            boundary_end = part_boundary.map_or(raw.len(), |ix| ix + boundary.len());
            if boundary_end + 2 > raw.len()
                || raw.get(boundary_end..boundary_end + 2) == Some(b"--")
            {
                break;
            }
        }
    }
    Some((subparts, body_end))
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use mailparse::MailHeaderMap;

    use super::*;

    #[test]
    fn multipart_is_spotted_where_every_window_would_spot_it() {
        let windows = |value: &[u8]| {
            !value.is_ascii()
                || crate::mail::words::has_encoded_word_start(value)
                || value
                    .windows(9)
                    .any(|window| window.eq_ignore_ascii_case(b"multipart"))
        };
        let values = crate::testing::every_sequence(
            &[
                "multi",
                "MultiPart",
                "part",
                "m",
                "M",
                "/",
                "=?",
                "é",
                "; a=b",
            ],
            4,
        );
        let mut spotted = 0;
        for value in &values {
            assert_eq!(may_name_multipart(value), windows(value), "{value:?}");
            spotted += usize::from(windows(value));
        }
        assert!(spotted > 1000, "only {spotted} spotted");
    }
    use crate::mail::message::{parse_message, parse_message_by_mailparse};

    fn body_parts<'b>(body: &Body<'b>) -> (&'static str, &'b [u8]) {
        match body {
            Body::Base64(body) => ("base64", body.get_raw()),
            Body::QuotedPrintable(body) => ("quoted-printable", body.get_raw()),
            Body::SevenBit(body) => ("7bit", body.get_raw()),
            Body::EightBit(body) => ("8bit", body.get_raw()),
            Body::Binary(body) => ("binary", body.get_raw()),
        }
    }

    /// What the lean reader answers for `raw` is what mailparse answers:
    /// the fields (or the error), the top level's type, body and parts,
    /// and the whole decoded message. Returns whether the lean reader took
    /// the message on (else it went to mailparse whole).
    fn same_as_mailparse(raw: &[u8], what: &str) -> bool {
        match (scan_fields(raw), mailparse::parse_headers(raw)) {
            (None, Err(_)) => {}
            (Some((fields, ix)), Ok((headers, their_ix))) => {
                assert_eq!(ix, their_ix, "{what}: where the body starts");
                assert_eq!(fields.len(), headers.len(), "{what}: how many fields");
                for (field, header) in fields.iter().zip(&headers) {
                    assert_eq!(field.key_raw(), header.get_key_raw(), "{what}");
                    assert_eq!(field.value_raw(), header.get_value_raw(), "{what}");
                    assert_eq!(field.mailparse_value(), header.get_value(), "{what}");
                }
            }
            (ours, theirs) => panic!(
                "{what}: the scan {} but mailparse {}",
                if ours.is_some() {
                    "reads it"
                } else {
                    "refuses it"
                },
                if theirs.is_ok() {
                    "reads it"
                } else {
                    "refuses it"
                },
            ),
        }
        let top = TopLevel::read(raw);
        if let Some(top) = &top {
            let parsed = mailparse::parse_mail(raw)
                .unwrap_or_else(|error| panic!("{what}: mailparse refuses it: {error}"));
            same_part(top, &parsed, what);
        }
        assert_eq!(
            parse_message(raw),
            parse_message_by_mailparse(raw),
            "{what}: the decoded message"
        );
        top.is_some()
    }

    /// A part read here is the part mailparse read, down to its leaves.
    fn same_part(ours: &TopLevel<'_>, theirs: &mailparse::ParsedMail<'_>, what: &str) {
        assert_eq!(ours.raw, theirs.raw_bytes, "{what}: the part's bytes");
        let our_fields: Vec<(&[u8], &[u8])> = ours
            .fields
            .iter()
            .map(|field| (field.key_raw(), field.value_raw()))
            .collect();
        let their_fields: Vec<(&[u8], &[u8])> = theirs
            .headers
            .iter()
            .map(|header| (header.get_key_raw(), header.get_value_raw()))
            .collect();
        assert_eq!(our_fields, their_fields, "{what}: the part's fields");
        assert_eq!(ours.ctype().mimetype, theirs.ctype.mimetype, "{what}");
        assert_eq!(ours.ctype().charset, theirs.ctype.charset, "{what}");
        assert_eq!(ours.ctype().params, theirs.ctype.params, "{what}");
        assert_eq!(
            body_parts(&ours.body_encoded()),
            body_parts(&theirs.get_body_encoded()),
            "{what}: the body"
        );
        if let Body::QuotedPrintable(encoded) = theirs.get_body_encoded() {
            assert_eq!(
                crate::mail::body::decode_quoted_printable(encoded.get_raw()),
                encoded.get_decoded().unwrap_or_default(),
                "{what}: the quoted-printable body"
            );
        }
        assert_eq!(
            ours.is_attachment(),
            theirs.get_content_disposition().disposition == mailparse::DispositionType::Attachment,
            "{what}"
        );
        assert_eq!(
            headers_of(&ours.fields),
            theirs.headers.get_all_values("Content-Type"),
            "{what}"
        );
        assert_eq!(
            ours.subparts.len(),
            theirs.subparts.len(),
            "{what}: how many parts"
        );
        for (our_part, their_part) in ours.subparts.iter().zip(&theirs.subparts) {
            same_part(our_part, their_part, what);
        }
    }

    fn headers_of(fields: &[Field<'_>]) -> Vec<String> {
        crate::mail::headers::all_headers(fields, "Content-Type")
            .map(crate::mail::headers::header_value)
            .collect()
    }

    /// Messages that take the scanner's every branch: folding, encoded
    /// words in several charsets, duplicates, no space after the colon,
    /// CRLF and LF, 8-bit bytes, no body, huge fields, lines without a
    /// colon, a lone CR, a continuation line first, multipart edge cases.
    fn quirks() -> Vec<Vec<u8>> {
        let mut quirks: Vec<Vec<u8>> = [
            "From: a@x.example\nSubject: plain\n\nbody\n",
            "From:a@x.example\r\nSubject:no space\r\nTo:\tb@y.example\r\n\r\nbody\r\n",
            "From: a@x.example\r\nSubject: folded\r\n  over two\r\n\tlines\r\n\r\nbody",
            "From: a@x.example\nSubject: =?utf-8?q?Fr=C3=B6sche?= =?iso-8859-2?q?=B1?=\n =?koi8-r?b?8NLJ18XU?= =?shift_jis?b?k/qWe4zq?=\n\nx\n",
            "From: =?windows-1252?q?Ren=E9?= <r@x.example>\nTo: =?utf-8?b?w6k=?= <e@x.example>, c@y.example\n\n",
            "Subject: one\nSUBJECT: two\nsubject: three\nFrom: a@x.example\nFrom: b@x.example\n\n",
            "Subject: only headers\nFrom: a@x.example",
            "Subject: only headers\nFrom: a@x.example\n",
            "Subject: only headers\r\nFrom: a@x.example\r\n\r\n",
            "From: a@x.example\nSubject:\n\nempty subject\n",
            "From: a@x.example\nSubject:    \n\n",
            "From: a@x.example\nSubject:   ",
            "From: a@x.example\nSubject:",
            "From: a@x.example\nno colon on this line\nSubject: after\n\n",
            "From: a@x.example\nno colon at the end",
            "From: a@x.example\nSubject: trailing blanks   \t\n \n\t\n\nbody\n",
            "From: a@x.example\nSubject: cr\rinside\n\n",
            "From: a@x.example\r\nSubject: lone\r\r\nTo: b@x.example\r\n\r\n",
            "From: a@x.example\n\rSubject: a lone CR starts a field\n\n",
            " From: a@x.example\n\n",
            "\tFrom: a@x.example\n\n",
            ":\n\n",
            "From : a@x.example\nSubject  :  spaced\n\n",
            "From: a@x.example\nContent-Type: multipart/alternative; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nplain\n--b\nContent-Type: text/html\n\n<p>rich</p>\n--b--\nepilogue\n",
            "From: a@x.example\nContent-Type: multipart/mixed; boundary=b\n\npreamble\r\n--b\r\n\r\nfirst\r\n--b\r\nContent-Disposition: attachment\r\n\r\nsecond\r\n--b--",
            "From: a@x.example\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nno closing boundary\n",
            "From: a@x.example\nContent-Type: multipart/mixed; boundary=b\n\nno boundary at all\n",
            "From: a@x.example\nContent-Type: multipart/mixed; boundary=b\n\n--b",
            "From: a@x.example\nContent-Type: multipart/mixed; boundary=b\n\n--b\n",
            "From: a@x.example\nContent-Type: multipart/mixed; boundary=b\n\n--b\n",
            "From: a@x.example\nContent-Type: multipart/mixed; boundary=b\n\nx--b\n--bb\nnot a part start\n--b\n\npart\n--b-",
            "From: a@x.example\nContent-Type: multipart/mixed; boundary=b\n\n--b\n space starts the part\n--b--\n",
            "From: a@x.example\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\rlone CR\n--b--\n",
            "From: a@x.example\nContent-Type: multipart/mixed\n\nno boundary parameter\n",
            "From: a@x.example\nContent-Type: multipart/mixed; boundary=b\n",
            "From: a@x.example\nContent-Type: multipart/digest; boundary=b\n\n--b\n\nFrom: c@x.example\n\ninner\n--b--\n",
            "From: a@x.example\nContent-Type: MULTIPART/Alternative; Boundary=\"b\"\nContent-Type: text/plain\n\n--b\n\nfirst type wins\n--b--\n",
            "From: a@x.example\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: Quoted-Printable\n\nFr=F6sche\n",
            "From: a@x.example\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: BASE64\n\nR3LDvMOfZQ==\n",
            "From: a@x.example\nContent-Transfer-Encoding: base64\n\n!!! not base64 !!!\n",
            "From: a@x.example\nContent-Type: text/html\nContent-Disposition: attachment; filename=x.html\n\n<p>attached</p>\n",
            "From: a@x.example\nContent-Type: text/html\nContent-Disposition: inline\n\n<p>shown</p>\n",
            "From: a@x.example\nContent-Type: =?utf-8?q?text/plain?=\n\nencoded type\n",
            "From: a@x.example\nContent-Type: =?utf-8?q?multipart/mixed?=; boundary=b\n\n--b\n\nan encoded multipart type\n--b--\n",
            "From: a@x.example\nContent-Type: multipart/\r\n alternative; boundary=b\n\n--b\n\nfolded type\n--b--\n",
            "From: a@x.example\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/alternative; boundary=c\n\n--c\nContent-Type: text/plain\n\ninner plain\n--c\nContent-Type: text/html\n\n<p>inner</p>\n--c--\n--b\nContent-Type: image/png\n\nxx\n--b--\n",
        ]
        .iter()
        .map(|text| text.as_bytes().to_vec())
        .collect();
        quirks
            .push(b"From: a@x.example\nSubject: Latin-1 Fr\xF6sche\nX-Raw: \xFF\xFE\n\n".to_vec());
        quirks.push(b"Fr\xF6m: a@x.example\nSubject: 8-bit key\n\n".to_vec());
        quirks.push(b"From: a@x.example\nSubject: =?iso-8859-1?q?raw \xF6 inside?=\n\n".to_vec());
        // Huge fields: a subject of 60,000 bytes folded every 60, and
        // 5,000 small fields.
        let mut huge = b"From: a@x.example\nSubject: start".to_vec();
        for _ in 0..1_000 {
            huge.extend_from_slice(
                b"\r\n =?utf-8?q?w=C3=B6rd_word_word_word_word_word_word_word?=",
            );
        }
        huge.extend_from_slice(b"\r\n\r\nbody\r\n");
        quirks.push(huge);
        let mut many = b"From: a@x.example\n".to_vec();
        for index in 0..5_000 {
            many.extend_from_slice(format!("X-Field-{index}: value {index}\n").as_bytes());
        }
        many.extend_from_slice(b"Subject: last\n\nbody\n");
        quirks.push(many);
        // Nested deeper than the lean reader goes: left to mailparse.
        let mut nested = String::from("From: a@x.example\n");
        for depth in 0..=MAX_NESTING {
            nested.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=b{depth}x\n\n--b{depth}x\n"
            ));
        }
        nested.push_str("Content-Type: text/plain\n\ndeep\n");
        quirks.push(nested.into_bytes());
        quirks
    }

    /// Every message of the files: an mbox's messages one by one, any
    /// other file whole.
    fn messages_of(files: &[PathBuf]) -> Vec<(String, Vec<u8>)> {
        let mut messages = Vec::new();
        for path in files {
            let name = path.display().to_string();
            if path.extension().is_some_and(|ext| ext == "mbox") {
                // (An empty mbox is refused as a source: no messages.)
                let Ok(source) = crate::mail::read_source(path) else {
                    continue;
                };
                for item in source.flatten() {
                    messages.push((format!("{name}: {}", item.label), item.raw));
                }
            } else if let Ok(raw) = std::fs::read(path) {
                messages.push((name, raw));
            }
        }
        messages
    }

    fn check_all(messages: &[(String, Vec<u8>)]) -> usize {
        let mut taken = 0;
        for (what, raw) in messages {
            let raw = crate::mail::headers::skip_leading_blank_lines(raw);
            if same_as_mailparse(raw, what) {
                taken += 1;
            }
            // Every cut of the header block (and a little past it).
            let header_len = crate::mail::headers::header_block(raw).len();
            let step = (raw.len() / 200).max(97);
            let every_byte = if header_len <= 4096 {
                raw.len().min(header_len + 64)
            } else {
                0
            };
            let cuts = (0..every_byte).chain((every_byte..raw.len()).step_by(step));
            for end in cuts {
                same_as_mailparse(&raw[..end], &format!("{what}, first {end} bytes"));
            }
        }
        taken
    }

    #[test]
    fn content_types_are_read_as_mailparse_reads_them() {
        // Every value built from these pieces, up to five long, then
        // 30,000 longer random ones: quotes (balanced or not), semicolons
        // inside and outside quotes, keys in any case and twice, no `=`,
        // empty tokens, non-ASCII, and the `*` and `\` that go to mailparse.
        let pieces = [
            "text/plain",
            " Multipart/Alternative",
            " ",
            "\t",
            ";",
            "=",
            "\"",
            "charset",
            "CharSet",
            "utf-8",
            "boundary",
            "\"=_alt_1\"",
            "x;y",
            "é",
            "name*",
            "\\\"",
            "a=b",
            "=?utf-8?q?x?=",
            "K",
        ];
        let check = |value: &str| {
            let ours = parse_content_type(value);
            let theirs = mailparse::parse_content_type(value);
            assert_eq!(ours.mimetype, theirs.mimetype, "{value:?}");
            assert_eq!(ours.charset, theirs.charset, "{value:?}");
            assert_eq!(ours.params, theirs.params, "{value:?}");
        };
        let mut values = crate::testing::every_text(&pieces, 4);
        values.extend(crate::testing::random_texts(
            &pieces,
            30_000,
            0x9E37_79B9_7F4A_7C15,
            60,
            4,
        ));
        for value in &values {
            check(value);
        }
        // And every Content-Type of the quirks and the repo's fixtures.
        let files = crate::testing::files_under(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
        );
        let mut raws: Vec<Vec<u8>> = messages_of(&files)
            .into_iter()
            .map(|(_, raw)| raw)
            .collect();
        raws.extend(quirks());
        let mut seen = 0;
        for raw in &raws {
            for line in String::from_utf8_lossy(raw).lines() {
                if let Some(value) = line
                    .get(..13)
                    .filter(|key| key.eq_ignore_ascii_case("content-type:"))
                    .and_then(|_| line.get(13..))
                {
                    check(value);
                    seen += 1;
                }
            }
        }
        assert!(seen > 50, "only {seen} Content-Type lines");
    }

    #[test]
    fn the_lean_reader_reads_the_quirks_as_mailparse_does() {
        let quirks: Vec<(String, Vec<u8>)> = quirks()
            .into_iter()
            .enumerate()
            .map(|(index, raw)| (format!("quirk {index}"), raw))
            .collect();
        let taken = check_all(&quirks);
        // Most are read here; the refused ones, the digest and the deep
        // nesting go to mailparse.
        assert!(taken >= quirks.len() - 8, "only {taken} taken on");
        let deep = quirks
            .last()
            .map(|(_, raw)| raw.as_slice())
            .unwrap_or_default();
        assert!(
            TopLevel::read(deep).is_none(),
            "deep nesting goes to mailparse"
        );
    }

    #[test]
    fn the_lean_reader_reads_the_repos_fixtures_as_mailparse_does() {
        let mut files = crate::testing::files_under(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
        );
        // Every mail file: not the calendars, cards and configs beside them.
        files.retain(|path| {
            !path
                .extension()
                .is_some_and(|ext| ["ics", "vcf", "toml", "md"].iter().any(|not| ext == *not))
        });
        let messages = messages_of(&files);
        assert!(messages.len() > 30, "only {} messages", messages.len());
        let taken = check_all(&messages);
        assert!(taken * 10 >= messages.len() * 9, "only {taken} taken on");
    }

    #[test]
    fn the_lean_reader_reads_the_real_fixtures_as_mailparse_does() {
        let Some(folder) = std::env::var_os("COACHBOOK_REAL_FIXTURES") else {
            println!("real fixtures: skipped (COACHBOOK_REAL_FIXTURES is not set)");
            return;
        };
        let mut files = Vec::new();
        for kind in ["eml", "mbox"] {
            files.extend(crate::testing::files_under(&Path::new(&folder).join(kind)));
        }
        files.retain(|path| {
            path.extension()
                .is_some_and(|ext| ext == "eml" || ext == "mbox")
        });
        let messages = messages_of(&files);
        assert!(messages.len() >= 10, "only {} messages", messages.len());
        let taken = check_all(&messages);
        assert!(taken * 10 >= messages.len() * 9, "only {taken} taken on");
    }
}
