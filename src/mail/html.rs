//! HTML mail turned into readable plain text.
//!
//! Not a browser: enough to read what a client wrote. Tags are dropped,
//! paragraphs and line breaks kept, entities decoded, and the content of
//! `script`, `style`, `head` and comments dropped.

/// How much vertical space an element asks for around itself.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Break {
    None,
    Line,
    Paragraph,
}

mod entities;

use entities::decode_entities;

/// Elements whose content is never shown.
const HIDDEN: &[&str] = &["script", "style", "head", "title", "template", "noscript"];

pub(crate) fn to_text(html: &str) -> String {
    let mut writer = TextWriter::default();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        writer.text(&rest[..open]);
        rest = &rest[open..];
        rest = if let Some(after) = rest.strip_prefix("<!--") {
            after.find("-->").map_or("", |end| &after[end + 3..])
        } else {
            match Tag::parse(rest) {
                Some((tag, after)) => writer.tag(&tag, after),
                None => {
                    // A lone '<' (as in "a < b") is text.
                    writer.text("<");
                    &rest[1..]
                }
            }
        };
    }
    writer.text(rest);
    writer.finish()
}

struct Tag {
    name: String,
    closing: bool,
}

impl Tag {
    /// Parse the tag at the start of `input` (which starts with '<');
    /// returns the tag and the input after its '>'.
    fn parse(input: &str) -> Option<(Tag, &str)> {
        let inner = &input[1..];
        let closing = inner.starts_with('/');
        let name_start = if closing { &inner[1..] } else { inner };
        let name: String = name_start
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!' || *c == '?')
            .collect();
        if name.is_empty() {
            return None;
        }
        let end = tag_end(inner)?;
        let tag = Tag {
            name: name.to_ascii_lowercase(),
            closing,
        };
        Some((tag, &inner[end + 1..]))
    }
}

/// Index of the '>' closing a tag, skipping quoted attribute values.
fn tag_end(inner: &str) -> Option<usize> {
    let mut quote = None;
    for (index, c) in inner.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if q == c => quote = None,
            (None, '>') => return Some(index),
            _ => {}
        }
    }
    None
}

fn break_for(name: &str) -> Break {
    match name {
        "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote" | "ul" | "ol" | "table"
        | "hr" | "pre" => Break::Paragraph,
        "br" | "div" | "li" | "tr" | "section" | "article" | "header" | "footer" | "dt" | "dd"
        | "address" | "center" | "form" => Break::Line,
        _ => Break::None,
    }
}

#[derive(Default)]
struct TextWriter {
    out: String,
    pending_break: Option<Break>,
    pending_space: bool,
    in_pre: bool,
}

impl TextWriter {
    /// Handle a tag; returns where parsing continues (after hidden content).
    fn tag<'a>(&mut self, tag: &Tag, after: &'a str) -> &'a str {
        if !tag.closing && HIDDEN.contains(&tag.name.as_str()) {
            return skip_past_closing(after, &tag.name);
        }
        if tag.name == "pre" {
            self.in_pre = !tag.closing;
        }
        match break_for(&tag.name) {
            Break::None if matches!(tag.name.as_str(), "td" | "th") => self.pending_space = true,
            Break::None => {}
            wanted => self.request_break(wanted),
        }
        if tag.name == "li" && !tag.closing {
            self.write_words("- ");
        }
        after
    }

    fn request_break(&mut self, wanted: Break) {
        self.pending_break = Some(self.pending_break.map_or(wanted, |b| b.max(wanted)));
        self.pending_space = false;
    }

    fn text(&mut self, raw: &str) {
        if raw.is_empty() {
            return;
        }
        let decoded = decode_entities(raw);
        if self.in_pre {
            self.flush_break();
            self.out.push_str(&decoded.replace("\r\n", "\n"));
            return;
        }
        if decoded.starts_with(char::is_whitespace) {
            self.pending_space = true;
        }
        let mut words = decoded.split_whitespace().peekable();
        while let Some(word) = words.next() {
            self.write_words(word);
            if words.peek().is_some() {
                self.pending_space = true;
            }
        }
        if decoded.ends_with(char::is_whitespace) {
            self.pending_space = true;
        }
    }

    fn write_words(&mut self, words: &str) {
        if self.flush_break() {
            self.pending_space = false;
        }
        if self.pending_space && !self.out.is_empty() && !self.out.ends_with([' ', '\n']) {
            self.out.push(' ');
        }
        self.pending_space = false;
        self.out.push_str(words);
    }

    /// Write a requested line or paragraph break; true if one was written.
    fn flush_break(&mut self) -> bool {
        let Some(wanted) = self.pending_break.take() else {
            return false;
        };
        if self.out.is_empty() {
            return true;
        }
        let trimmed_len = self.out.trim_end_matches([' ', '\t']).len();
        self.out.truncate(trimmed_len);
        let newlines_present = self.out.len() - self.out.trim_end_matches('\n').len();
        let newlines_wanted = if wanted == Break::Paragraph { 2 } else { 1 };
        for _ in newlines_present..newlines_wanted {
            self.out.push('\n');
        }
        true
    }

    fn finish(self) -> String {
        self.out.trim().to_string()
    }
}

/// Skip to just after `</name ...>`, or to the end when it never closes.
/// `<head>` also ends where `<body` starts, since `</head>` may be omitted.
fn skip_past_closing<'a>(input: &'a str, name: &str) -> &'a str {
    let closing = format!("</{name}");
    if name == "head"
        && let Some(body) = find_ignoring_ascii_case(input, "<body")
        && find_ignoring_ascii_case(input, &closing).is_none_or(|close| body < close)
    {
        return &input[body..];
    }
    match find_ignoring_ascii_case(input, &closing) {
        Some(start) => {
            let rest = &input[start..];
            rest.find('>').map_or("", |end| &rest[end + 1..])
        }
        None => "",
    }
}

fn find_ignoring_ascii_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_line_breaks_survive() {
        let html = "<html><body><p>Hello Sam,</p><p>Can we move\n Friday?<br>Thanks,<br/>Ana</p></body></html>";
        assert_eq!(
            to_text(html),
            "Hello Sam,\n\nCan we move Friday?\nThanks,\nAna"
        );
    }

    #[test]
    fn script_style_head_and_comments_are_dropped() {
        let html = "<head><title>T</title><style>p{color:red}</style></head>\
                    <!-- hidden --><script>alert('x')</script><div>Visible</div>";
        assert_eq!(to_text(html), "Visible");
    }

    #[test]
    fn entities_are_decoded() {
        assert_eq!(
            to_text(
                "Caf&eacute; &amp; Fr&ouml;sche &quot;ok&quot;&nbsp;&#8364;5 &#x263A; &bogus; a < b"
            ),
            "Café & Frösche \"ok\" €5 ☺ &bogus; a < b"
        );
    }

    #[test]
    fn list_items_get_a_dash() {
        assert_eq!(
            to_text("<ul><li>one</li><li>two</li></ul>after"),
            "- one\n- two\n\nafter"
        );
    }

    #[test]
    fn quoted_angle_brackets_in_attributes_do_not_end_the_tag() {
        assert_eq!(
            to_text(r#"<a title="a > b" href="x">link</a> text"#),
            "link text"
        );
    }

    #[test]
    fn head_without_its_closing_tag_ends_at_body() {
        assert_eq!(to_text("<HEAD><TITLE>x</TITLE><BODY>Shown</BODY>"), "Shown");
    }

    #[test]
    fn unclosed_hidden_element_drops_the_rest() {
        assert_eq!(to_text("before<script>never closed"), "before");
    }
}
