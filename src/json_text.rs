//! JSON text written straight into a buffer, byte for byte as
//! `serde_json::to_string_pretty` writes the same values (two spaces a
//! level, `": "` after a key, `[]` and `{}` when empty), for outputs with
//! thousands of rows whose shape is known: no tree of values or derived
//! serializer between the rows and the text.

/// A pretty JSON text being written: values are written in order, each
/// after `key` (in an object) or `item` (in an array).
#[derive(Debug, Default)]
pub struct Pretty {
    out: Vec<u8>,
    /// For each open object or array, whether it has a value yet.
    open: Vec<bool>,
}

impl Pretty {
    pub fn new() -> Pretty {
        Pretty::default()
    }

    /// A text expected to take about `bytes` bytes.
    pub fn with_capacity(bytes: usize) -> Pretty {
        Pretty {
            out: Vec::with_capacity(bytes),
            open: Vec::new(),
        }
    }

    /// The text; every byte written came from `&str`s and ASCII.
    pub fn into_string(self) -> String {
        String::from_utf8(self.out)
            .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned())
    }

    pub fn begin_object(&mut self) -> &mut Pretty {
        self.out.push(b'{');
        self.open.push(false);
        self
    }

    pub fn end_object(&mut self) -> &mut Pretty {
        self.end(b'}')
    }

    pub fn begin_array(&mut self) -> &mut Pretty {
        self.out.push(b'[');
        self.open.push(false);
        self
    }

    pub fn end_array(&mut self) -> &mut Pretty {
        self.end(b']')
    }

    /// The next key of the open object: a name written in the program
    /// (the shape is known), with nothing to escape, so it is copied as it
    /// is, without the look at each byte a value gets (most strings of a
    /// dashboard's text are its keys).
    pub fn key(&mut self, key: &'static str) -> &mut Pretty {
        debug_assert!(!needs_escape(key.as_bytes()), "{key:?} needs escaping");
        self.next_value();
        self.out.reserve(key.len() + 4);
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\": ");
        self
    }

    /// The next item of the open array.
    pub fn item(&mut self) -> &mut Pretty {
        self.next_value();
        self
    }

    pub fn str(&mut self, text: &str) -> &mut Pretty {
        push_str(&mut self.out, text);
        self
    }

    /// A string known to need no escaping (digits, letters, `:+-`): an
    /// instant's RFC 3339 text.
    pub fn plain_str(&mut self, text: &[u8]) -> &mut Pretty {
        debug_assert!(text.iter().all(|b| *b >= 0x20 && *b != b'"' && *b != b'\\'));
        self.out.push(b'"');
        self.out.extend_from_slice(text);
        self.out.push(b'"');
        self
    }

    pub fn opt_str(&mut self, text: Option<&str>) -> &mut Pretty {
        match text {
            Some(text) => self.str(text),
            None => self.null(),
        }
    }

    pub fn int(&mut self, n: i64) -> &mut Pretty {
        let mut digits = itoa::Buffer::new();
        self.out.extend_from_slice(digits.format(n).as_bytes());
        self
    }

    pub fn opt_int(&mut self, n: Option<i64>) -> &mut Pretty {
        match n {
            Some(n) => self.int(n),
            None => self.null(),
        }
    }

    pub fn bool(&mut self, value: bool) -> &mut Pretty {
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
        self
    }

    pub fn null(&mut self) -> &mut Pretty {
        self.out.extend_from_slice(b"null");
        self
    }

    /// An array of strings.
    pub fn strs(&mut self, list: &[String]) -> &mut Pretty {
        self.begin_array();
        for text in list {
            self.item().str(text);
        }
        self.end_array()
    }

    fn next_value(&mut self) {
        if let Some(has) = self.open.last_mut() {
            if *has {
                self.out.push(b',');
            }
            *has = true;
        }
        self.newline();
    }

    fn end(&mut self, close: u8) -> &mut Pretty {
        if self.open.pop() == Some(true) {
            self.newline();
        }
        self.out.push(close);
        self
    }

    fn newline(&mut self) {
        /// Two spaces a level, copied in one go for the usual depths.
        const SPACES: &[u8; 32] = b"                                ";
        self.out.push(b'\n');
        let mut left = 2 * self.open.len();
        while left > 0 {
            let run = left.min(SPACES.len());
            self.out
                .extend_from_slice(SPACES.get(..run).unwrap_or_default());
            left -= run;
        }
    }
}

/// A JSON string, escaped as `serde_json` escapes it: text with nothing to
/// escape is put between quotes as it is, the rest goes through serde_json.
pub fn push_str(buf: &mut Vec<u8>, text: &str) {
    if needs_escape(text.as_bytes()) {
        if serde_json::to_writer(&mut *buf, text).is_err() {
            // Writing a `&str` into a `Vec` cannot fail; should it ever, the
            // text is still a valid (empty) JSON string.
            buf.extend_from_slice(b"\"\"");
        }
        return;
    }
    buf.reserve(text.len() + 2);
    buf.push(b'"');
    buf.extend_from_slice(text.as_bytes());
    buf.push(b'"');
}

/// Whether any byte of `bytes` is one JSON escapes: a control character
/// (below 0x20), `"` or `\`. Looked at eight bytes at a time (one `u64`
/// each, with the bit tricks of "Bit Twiddling Hacks"), the last few
/// padded to eight with a letter: most texts written have nothing to
/// escape, and a byte-by-byte test costs several instructions a byte.
fn needs_escape(bytes: &[u8]) -> bool {
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if any_to_escape(u64::from_ne_bytes(word)) {
            return true;
        }
    }
    let rest = chunks.remainder();
    let mut word = [b'a'; 8];
    if let Some(head) = word.get_mut(..rest.len()) {
        head.copy_from_slice(rest);
    }
    any_to_escape(u64::from_ne_bytes(word))
}

/// Whether any of the eight bytes of `word` is below 0x20, `"` or `\`.
/// Each test is exact for the word as a whole: `has_zero` is true when
/// some byte is zero, and `(word - 0x20 each) & !word & 0x80 each` when
/// some byte is below 0x20 (the trick holds for bounds up to 0x80).
fn any_to_escape(word: u64) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let has_zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGH != 0;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGH != 0;
    below_space
        || has_zero(word ^ (ONES * u64::from(b'"')))
        || has_zero(word ^ (ONES * u64::from(b'\\')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const STRINGS: [&str; 12] = [
        "a text longer than eight bytes, with nothing to escape",
        "twelve bytes\"",
        "eight by\\tes and more\u{1f}",
        "",
        "Ada Lovelace",
        "Zoë Ålund ☃ 日本",
        "say \"hi\"",
        "back\\slash",
        "tab\there\nand a line",
        "\u{1}\u{1f}\u{7f}\u{80}\u{2028}\u{1b}[31m",
        "someone@mail.example",
        "</script>",
    ];

    /// The eight-bytes-at-a-time test finds each byte to escape (and no
    /// other) at every place of texts of every length up to three words,
    /// around the bounds of the test (0x1f and 0x20, 0x7f and 0x80, 0xff).
    #[test]
    fn bytes_to_escape_are_found_wherever_they_are() {
        let plain = |b: u8| b >= 0x20 && b != b'"' && b != b'\\';
        for len in 0..=24 {
            for at in 0..len {
                for b in [
                    0x00, 0x01, 0x1f, 0x20, b'"', b'\\', b'!', b'#', 0x5b, 0x5d, 0x7f, 0x80, 0xff,
                ] {
                    for fill in [b'a', 0x20, 0x21, 0xff] {
                        let mut bytes = vec![fill; len];
                        bytes[at] = b;
                        let expected = !bytes.iter().all(|&b| plain(b));
                        assert_eq!(needs_escape(&bytes), expected, "{bytes:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        for text in STRINGS {
            let mut out = Vec::new();
            push_str(&mut out, text);
            assert_eq!(out, serde_json::to_vec(text).expect("serde"), "{text:?}");
        }
    }

    /// Nested objects and arrays, empty and not, with every kind of value:
    /// the same text as serde_json's pretty printer.
    #[test]
    fn pretty_text_is_serde_jsons_pretty_text() {
        let mut p = Pretty::new();
        p.begin_object();
        p.key("date").str("2026-11-23");
        p.key("empty").begin_array().end_array();
        p.key("rows").begin_array();
        for (n, text) in STRINGS.iter().enumerate() {
            let n = i64::try_from(n).expect("small");
            p.item().begin_object();
            p.key("id").int(n * 1_000_003 - 7);
            p.key("text").str(text);
            p.key("at").plain_str(b"2026-11-23T14:20:00+01:00");
            p.key("none").opt_str(None);
            p.key("some").opt_int(Some(-n));
            p.key("flag").bool(n % 2 == 0);
            p.key("list").strs(
                &STRINGS[..n as usize]
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>(),
            );
            p.key("nothing").begin_object().end_object();
            p.end_object();
        }
        p.end_array();
        p.key("max").int(i64::MAX);
        p.key("min").int(i64::MIN);
        p.end_object();
        let rows: Vec<serde_json::Value> = STRINGS
            .iter()
            .enumerate()
            .map(|(n, text)| {
                let n = i64::try_from(n).expect("small");
                let mut row = serde_json::Map::new();
                row.insert("id".into(), json!(n * 1_000_003 - 7));
                row.insert("text".into(), json!(text));
                row.insert("at".into(), json!("2026-11-23T14:20:00+01:00"));
                row.insert("none".into(), serde_json::Value::Null);
                row.insert("some".into(), json!(-n));
                row.insert("flag".into(), json!(n % 2 == 0));
                row.insert("list".into(), json!(STRINGS[..n as usize]));
                row.insert("nothing".into(), json!({}));
                serde_json::Value::Object(row)
            })
            .collect();
        let mut whole = serde_json::Map::new();
        whole.insert("date".into(), json!("2026-11-23"));
        whole.insert("empty".into(), json!([]));
        whole.insert("rows".into(), serde_json::Value::Array(rows));
        whole.insert("max".into(), json!(i64::MAX));
        whole.insert("min".into(), json!(i64::MIN));
        assert_eq!(
            p.into_string(),
            serde_json::to_string_pretty(&serde_json::Value::Object(whole)).expect("serde")
        );
    }
}
