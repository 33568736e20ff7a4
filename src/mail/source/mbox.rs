//! A streaming mbox reader. The separator and escaping policy is documented
//! on the parent module.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use super::{MailItem, SourceError};
use crate::intake::limits::MAX_MESSAGE_BYTES;
use crate::mail::headers::starts_with_header_field;

const BOM: &[u8] = b"\xEF\xBB\xBF";

pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// The longest line read at once.
const MAX_LINE_BYTES: u64 = 1024 * 1024;

/// Reads one message per `next()`; holds at most one message and one line
/// of look-ahead in memory.
pub(crate) struct MboxReader<R> {
    input: R,
    path: PathBuf,
    /// A line read ahead to decide whether the line before it is a separator.
    lookahead: Option<Vec<u8>>,
    /// The first message, read by `open` to tell an empty mbox apart.
    first: Option<MailItem>,
    separators_seen: usize,
    done: bool,
    /// A line buffer handed back after use, so reading a line allocates
    /// only when a line is longer than any before it.
    spare: Vec<u8>,
    /// The size of the last message, to size the next one's buffer.
    last_len: usize,
    /// Whether runs of plain lines are copied from the read buffer whole
    /// ([`MboxReader::copy_plain_lines`]); off only in tests, to compare.
    whole_runs: bool,
}

impl<R: BufRead> MboxReader<R> {
    /// Start reading; an mbox without a single non-empty message is an error.
    pub(crate) fn open(input: R, path: &Path) -> Result<Self, SourceError> {
        let mut reader = MboxReader {
            input,
            path: path.to_path_buf(),
            lookahead: None,
            first: None,
            separators_seen: 0,
            done: false,
            spare: Vec::new(),
            last_len: 0,
            whole_runs: true,
        };
        reader.skip_first_separator()?;
        match reader.read_next_message() {
            Some(Ok(item)) => reader.first = Some(item),
            Some(Err(error)) => return Err(error),
            None => {
                return Err(SourceError::EmptyMbox {
                    path: path.to_path_buf(),
                });
            }
        }
        Ok(reader)
    }

    fn skip_first_separator(&mut self) -> Result<(), SourceError> {
        while let Some(line) = self.read_line()? {
            let line = strip_bom(&line);
            if is_blank(line) {
                continue;
            }
            if !line.starts_with(b"From ") {
                // The caller sniffed "From "; keep the line as message text anyway.
                self.lookahead = Some(line.to_vec());
            }
            self.separators_seen = 1;
            break;
        }
        Ok(())
    }

    fn read_line(&mut self) -> Result<Option<Vec<u8>>, SourceError> {
        if let Some(line) = self.lookahead.take() {
            return Ok(Some(line));
        }
        let mut line = std::mem::take(&mut self.spare);
        line.clear();
        if self.read_line_into(&mut line)? == 0 {
            self.spare = line;
            return Ok(None);
        }
        Ok(Some(line))
    }

    /// Append the next line (through its `\n`, or up to [`MAX_LINE_BYTES`],
    /// or to the end of input) to `buf`, straight from the reader's buffer;
    /// the number of bytes appended, 0 at the end of input. A line past the
    /// cap is read in pieces: memory stays bounded even on a file without
    /// line ends. What `take(MAX_LINE_BYTES).read_until(b'\n', buf)` reads.
    /// What the reader holds buffered, refilled first when it is empty (an
    /// interrupted read is tried again); empty at the end of input.
    fn buffered(&mut self) -> Result<&[u8], SourceError> {
        loop {
            match self.input.fill_buf() {
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(error) => {
                    return Err(SourceError::Io {
                        path: self.path.clone(),
                        source: error,
                    });
                }
                Ok([]) => return Ok(&[]),
                Ok(_) => break,
            }
        }
        // Not empty: this hands back the same buffer, without a read.
        self.input.fill_buf().map_err(|error| SourceError::Io {
            path: self.path.clone(),
            source: error,
        })
    }

    fn read_line_into(&mut self, buf: &mut Vec<u8>) -> Result<usize, SourceError> {
        let mut read = 0usize;
        loop {
            let available = self.buffered()?;
            if available.is_empty() {
                return Ok(read);
            }
            let room = (MAX_LINE_BYTES as usize).saturating_sub(read);
            let window = available
                .get(..room.min(available.len()))
                .unwrap_or_default();
            let (used, done) = match memchr::memchr(b'\n', window) {
                Some(end) => (end + 1, true),
                None => (window.len(), window.len() == room),
            };
            buf.extend_from_slice(window.get(..used).unwrap_or_default());
            self.input.consume(used);
            read += used;
            if done {
                return Ok(read);
            }
        }
    }

    fn peek_line(&mut self) -> Result<Option<&[u8]>, SourceError> {
        if self.lookahead.is_none() {
            self.lookahead = self.read_line()?;
        }
        Ok(self.lookahead.as_deref())
    }

    /// The next non-empty message, skipping empty entries between separators.
    fn read_next_message(&mut self) -> Option<Result<MailItem, SourceError>> {
        while !self.done {
            let number = self.separators_seen;
            match self.read_message_body() {
                Err(error) => {
                    self.done = true;
                    return Some(Err(error));
                }
                Ok(raw) if raw.iter().all(u8::is_ascii_whitespace) => continue,
                Ok(raw) => {
                    return Some(Ok(MailItem {
                        label: format!("mbox message {number}"),
                        raw,
                    }));
                }
            }
        }
        None
    }

    /// Read lines up to the next separator (consumed) or the end of input.
    /// Each line is read straight into the message; a separator is cut off
    /// again, a `>From ` line unquoted in place.
    fn read_message_body(&mut self) -> Result<Vec<u8>, SourceError> {
        // Room for a message twice the last one's size (at least 4 KiB), so
        // a longer one seldom has to grow.
        let mut raw = Vec::with_capacity(self.last_len.saturating_mul(2).clamp(4096, 1 << 20));
        let mut previous_blank = false;
        loop {
            if self.whole_runs && self.lookahead.is_none() && (raw.len() as u64) < MAX_MESSAGE_BYTES
            {
                self.copy_plain_lines(&mut raw, &mut previous_blank)?;
            }
            let start = raw.len();
            // A message past the cap keeps its first 64 MiB (headers and
            // text come first); the rest is read and dropped.
            let keep = (start as u64) < MAX_MESSAGE_BYTES;
            let mut dropped = Vec::new();
            let target = if keep { &mut raw } else { &mut dropped };
            match self.lookahead.take() {
                Some(line) => target.extend_from_slice(&line),
                None => {
                    if self.read_line_into(target)? == 0 {
                        break;
                    }
                }
            }
            let line = if keep {
                raw.get(start..).unwrap_or_default()
            } else {
                dropped.as_slice()
            };
            if previous_blank && self.is_separator(line)? {
                self.separators_seen += 1;
                raw.truncate(start);
                drop_final_blank_line(&mut raw);
                self.last_len = raw.len();
                return Ok(raw);
            }
            previous_blank = is_blank(line);
            if keep && unescape_from(line).len() < line.len() {
                raw.remove(start);
            }
        }
        self.done = true;
        drop_final_blank_line(&mut raw);
        Ok(raw)
    }

    /// Copy the whole lines at the front of the read buffer that cannot be
    /// a separator or an escaped `From ` (they start with neither `F` nor
    /// `>`) into `raw` at once, as long as the message stays under its cap;
    /// `previous_blank` tells whether the last of them was blank. What the
    /// line-by-line loop of [`MboxReader::read_message_body`] does with
    /// them, without its work per line. Stops at the first other line, at
    /// a line not whole in the buffer, and at the end of input.
    fn copy_plain_lines(
        &mut self,
        raw: &mut Vec<u8>,
        previous_blank: &mut bool,
    ) -> Result<(), SourceError> {
        loop {
            let available = self.buffered()?;
            let room = usize::try_from(MAX_MESSAGE_BYTES.saturating_sub(raw.len() as u64))
                .unwrap_or(usize::MAX);
            let mut end = 0;
            let mut blank = *previous_blank;
            while let Some(&first) = available.get(end) {
                if first == b'F' || first == b'>' {
                    break;
                }
                let Some(line_len) = available
                    .get(end..)
                    .and_then(|rest| memchr::memchr(b'\n', rest))
                    .map(|at| at + 1)
                else {
                    break;
                };
                if line_len as u64 > MAX_LINE_BYTES || end + line_len > room {
                    break;
                }
                blank = is_blank(available.get(end..end + line_len).unwrap_or_default());
                end += line_len;
            }
            if end == 0 {
                return Ok(());
            }
            raw.extend_from_slice(available.get(..end).unwrap_or_default());
            self.input.consume(end);
            *previous_blank = blank;
        }
    }

    fn is_separator(&mut self, line: &[u8]) -> Result<bool, SourceError> {
        match envelope_line(line) {
            Envelope::None => Ok(false),
            Envelope::Dated => Ok(true),
            // Without a date, only a header right after it makes it a separator.
            Envelope::Undated => Ok(self.peek_line()?.is_none_or(starts_with_header_field)),
        }
    }
}

impl<R: BufRead> Iterator for MboxReader<R> {
    type Item = Result<MailItem, SourceError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(first) = self.first.take() {
            return Some(Ok(first));
        }
        self.read_next_message()
    }
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn is_blank(line: &[u8]) -> bool {
    trim_line_end(line).is_empty()
}

/// `>From ` → `From `, `>>From ` → `>From ` (mboxrd); other lines unchanged.
fn unescape_from(line: &[u8]) -> &[u8] {
    let quotes = line.iter().take_while(|&&b| b == b'>').count();
    let rest = line.get(quotes..).unwrap_or_default();
    if quotes > 0 && rest.starts_with(b"From ") {
        line.get(1..).unwrap_or_default()
    } else {
        line
    }
}

/// Remove the empty line mbox writers put between messages.
fn drop_final_blank_line(raw: &mut Vec<u8>) {
    for ending in [&b"\r\n\r\n"[..], b"\n\n"] {
        if raw.ends_with(ending) {
            raw.truncate(raw.len() - ending.len() / 2);
            return;
        }
    }
}

/// How much a `From ` line looks like an mbox envelope line.
#[derive(Debug, PartialEq, Eq)]
enum Envelope {
    /// Not `From <one-token sender> [asctime date]`, e.g. "From Russia with love".
    None,
    /// `From <sender>` alone (`From -`, Gmail's `From 1844…@xxx`).
    Undated,
    /// `From <sender> <asctime-like date>`.
    Dated,
}

fn envelope_line(line: &[u8]) -> Envelope {
    let Some(rest) = trim_line_end(line).strip_prefix(b"From ") else {
        return Envelope::None;
    };
    if rest.is_ascii() {
        // The same words as `split_whitespace` gives (the only white space
        // in ASCII is tab, LF, vertical tab, form feed, CR and space), cut
        // from the bytes without decoding characters.
        return envelope_of(ascii_words(rest));
    }
    envelope_of(
        String::from_utf8_lossy(rest)
            .split_whitespace()
            .map(str::as_bytes),
    )
}

/// `split_whitespace` of ASCII bytes, each word as its bytes.
fn ascii_words(ascii: &[u8]) -> impl Iterator<Item = &[u8]> + Clone {
    ascii
        .split(|b| matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' '))
        .filter(|word| !word.is_empty())
}

/// The envelope kind of a `From ` line, from the words after `From `
/// (each as its bytes).
fn envelope_of<'a>(mut words: impl Iterator<Item = &'a [u8]> + Clone) -> Envelope {
    if words.next().is_none() {
        return Envelope::None;
    }
    // The date words, looked at without collecting them (an mbox has one
    // of these lines per message).
    if words.clone().next().is_none() {
        Envelope::Undated
    } else if looks_like_asctime(words) {
        Envelope::Dated
    } else {
        Envelope::None
    }
}

/// "Thu Jan  1 00:00:00 1970", "Fri Sep 26 17:18:40 +0000 2025" and the like:
/// a month name, a time and a four-digit year, in any order.
fn looks_like_asctime<'a>(words: impl Iterator<Item = &'a [u8]> + Clone) -> bool {
    const MONTHS: [&[u8]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    // One pass over the words (each test asks whether any word passes it).
    let (mut has_month, mut has_time, mut has_year) = (false, false, false);
    for w in words {
        has_month = has_month || (w.len() == 3 && MONTHS.iter().any(|m| w.eq_ignore_ascii_case(m)));
        has_time = has_time || is_clock_time(w);
        has_year = has_year || (w.len() == 4 && w.iter().all(u8::is_ascii_digit));
        if has_month && has_time && has_year {
            return true;
        }
    }
    has_month && has_time && has_year
}

fn is_clock_time(word: &[u8]) -> bool {
    // Cheap refusals first: 3 to 8 bytes, a digit first.
    if !(3..=8).contains(&word.len()) || !word.first().is_some_and(u8::is_ascii_digit) {
        return false;
    }
    let parts = word.split(|&b| b == b':');
    (2..=3).contains(&parts.clone().count())
        && parts
            .clone()
            .all(|p| (1..=2).contains(&p.len()) && p.iter().all(u8::is_ascii_digit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(mbox: &str) -> Vec<String> {
        let reader = match MboxReader::open(mbox.as_bytes(), Path::new("test.mbox")) {
            Ok(reader) => reader,
            Err(error) => panic!("mbox did not open: {error}"),
        };
        reader
            .map(|item| match item {
                Ok(item) => String::from_utf8_lossy(&item.raw).into_owned(),
                Err(error) => panic!("read failed: {error}"),
            })
            .collect()
    }

    #[test]
    fn envelope_lines_are_recognised() {
        assert_eq!(envelope_line(b"From -\n"), Envelope::Undated);
        assert_eq!(
            envelope_line(b"From 1844347792267117879@xxx\r\n"),
            Envelope::Undated
        );
        assert_eq!(
            envelope_line(b"From alice@example.org Thu Jan  1 00:00:00 1970\n"),
            Envelope::Dated
        );
        assert_eq!(
            envelope_line(b"From 1844@xxx Fri Sep 26 17:18:40 +0000 2025\n"),
            Envelope::Dated
        );
        assert_eq!(envelope_line(b"From Russia with love\n"), Envelope::None);
        assert_eq!(envelope_line(b"From here on, we agree\n"), Envelope::None);
        assert_eq!(envelope_line(b"From \n"), Envelope::None);
        assert_eq!(envelope_line(b"From: alice@example.org\n"), Envelope::None);
    }

    #[test]
    fn a_dated_separator_needs_no_header_after_it() {
        let mbox = "From -\nSubject: a\n\nx\n\nFrom b@x Thu Jan  1 00:00:01 1970\n\nheaderless\n";
        assert_eq!(messages(mbox), ["Subject: a\n\nx\n", "\nheaderless\n"]);
    }

    #[test]
    fn splits_on_separators_and_drops_the_gap_line() {
        let mbox = "From a@x Thu Jan  1 00:00:00 1970\nSubject: one\n\nbody one\n\n\
                    From b@x Thu Jan  1 00:00:01 1970\nSubject: two\n\nbody two\n";
        assert_eq!(
            messages(mbox),
            ["Subject: one\n\nbody one\n", "Subject: two\n\nbody two\n"]
        );
    }

    #[test]
    fn unescapes_one_level_of_from_quoting() {
        let mbox = "From -\nSubject: q\n\n>From the start\n>>From quoted\n> From not escaped\n";
        assert_eq!(
            messages(mbox),
            ["Subject: q\n\nFrom the start\n>From quoted\n> From not escaped\n"]
        );
    }

    #[test]
    fn body_from_lines_stay_in_the_body() {
        let mbox = "From -\nSubject: bond\n\nFavourite film:\n\nFrom Russia with love\nYear: 1963\n\n\
                    From here\non it is plain text\n";
        let found = messages(mbox);
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("\nFrom Russia with love\nYear: 1963\n"));
        assert!(found[0].contains("\nFrom here\non it"));
    }

    #[test]
    fn a_from_line_not_after_a_blank_line_is_body() {
        let mbox = "From -\nSubject: a\n\nline\nFrom b@x Thu Jan  1 00:00:01 1970\nSubject: b\n";
        assert_eq!(messages(mbox).len(), 1);
    }

    #[test]
    fn crlf_bom_and_missing_final_blank_line() {
        let mbox =
            "\u{feff}From -\r\nSubject: one\r\n\r\nbody\r\n\r\nFrom -\r\nSubject: two\r\n\r\nlast";
        assert_eq!(
            messages(mbox),
            ["Subject: one\r\n\r\nbody\r\n", "Subject: two\r\n\r\nlast"]
        );
    }

    #[test]
    fn blank_lines_before_the_first_separator_are_ignored() {
        let mbox = "\u{feff}\n\r\nFrom -\nSubject: one\n\nx\n";
        let reader = MboxReader::open(mbox.as_bytes(), Path::new("t"));
        let items: Vec<MailItem> = reader.into_iter().flatten().flatten().collect();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].label, "mbox message 1");
        assert_eq!(items[0].raw, b"Subject: one\n\nx\n");
    }

    #[test]
    fn labels_count_separators() {
        let mbox = "From -\nSubject: one\n\nx\n\nFrom -\nSubject: two\n\ny\n";
        let reader = MboxReader::open(mbox.as_bytes(), Path::new("t"));
        let labels: Vec<String> = reader
            .into_iter()
            .flatten()
            .flatten()
            .map(|item| item.label)
            .collect();
        assert_eq!(labels, ["mbox message 1", "mbox message 2"]);
    }

    #[test]
    fn lines_split_across_read_buffers_read_the_same() {
        // Lines are taken straight from the reader's buffer: a line, a
        // separator or a `>From ` cut by the end of a buffer reads the same.
        let mboxes = [
            "From a@x Thu Jan  1 00:00:00 1970\nSubject: one\n\nbody one\n\n\
             From b@x Thu Jan  1 00:00:01 1970\nSubject: two\n\nbody two\n",
            "From -\nSubject: q\n\n>From the start\n>>From quoted\n> From not escaped\n",
            "\u{feff}From -\r\nSubject: one\r\n\r\nbody\r\n\r\nFrom -\r\nSubject: two\r\n\r\nlast",
            "From -\nSubject: a\n\nx\n\nFrom b@x Thu Jan  1 00:00:01 1970\n\nheaderless\n",
            "From -\nSubject: bond\n\nFavourite film:\n\nFrom Russia with love\nYear: 1963\n\n\
             From -\nSubject: two\n\nno final line end",
        ];
        for mbox in mboxes {
            let whole = messages(mbox);
            for capacity in [1, 2, 3, 5, 7, 16] {
                let input = std::io::BufReader::with_capacity(capacity, mbox.as_bytes());
                let read: Vec<String> = match MboxReader::open(input, Path::new("t")) {
                    Ok(reader) => reader
                        .map(|item| match item {
                            Ok(item) => String::from_utf8_lossy(&item.raw).into_owned(),
                            Err(error) => panic!("read failed: {error}"),
                        })
                        .collect(),
                    Err(error) => panic!("mbox did not open: {error}"),
                };
                assert_eq!(read, whole, "buffer of {capacity} bytes: {mbox:?}");
            }
        }
    }

    fn read_all<R: BufRead>(input: R, whole_runs: bool) -> Vec<Result<Vec<u8>, String>> {
        let mut reader = MboxReader {
            input,
            path: PathBuf::from("t"),
            lookahead: None,
            first: None,
            separators_seen: 0,
            done: false,
            spare: Vec::new(),
            last_len: 0,
            whole_runs,
        };
        if let Err(error) = reader.skip_first_separator() {
            return vec![Err(error.to_string())];
        }
        std::iter::from_fn(|| reader.read_next_message())
            .map(|item| item.map(|item| item.raw).map_err(|error| error.to_string()))
            .collect()
    }

    #[test]
    fn clock_times_are_told_as_the_split_test_tells_them() {
        let plain = |word: &str| {
            let parts = word.split(':');
            (2..=3).contains(&parts.clone().count())
                && parts
                    .clone()
                    .all(|p| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
        };
        let words = crate::testing::every_text(&["1", "23", ":", "a", "456", " ", "0"], 6);
        let mut times = 0;
        for word in &words {
            assert_eq!(is_clock_time(word.as_bytes()), plain(word), "{word:?}");
            times += usize::from(plain(word));
        }
        assert!(times > 50, "only {times} times");
    }

    #[test]
    fn ascii_words_are_split_whitespace() {
        let bytes: Vec<u8> = (0u8..=127).collect();
        for &a in &bytes {
            for &b in &bytes {
                let text = String::from_utf8(vec![b'x', a, b'y', b, a]).expect("ascii");
                let ours: Vec<&[u8]> = ascii_words(text.as_bytes()).collect();
                let std: Vec<&[u8]> = text.split_whitespace().map(str::as_bytes).collect();
                assert_eq!(ours, std, "{text:?}");
            }
        }
    }

    #[test]
    fn whole_runs_of_plain_lines_read_as_line_by_line() {
        let mut mboxes: Vec<Vec<u8>> = [
            "From a@x Thu Jan  1 00:00:00 1970\nSubject: one\n\nbody one\n\n\
             From b@x Thu Jan  1 00:00:01 1970\nSubject: two\n\nbody two\n",
            "From -\nSubject: q\n\n>From the start\n>>From quoted\n> From not escaped\nF\n\nF\n",
            "\u{feff}From -\r\nSubject: one\r\n\r\nbody\r\n\r\nFrom -\r\nSubject: two\r\n\r\nlast",
            "From -\nSubject: a\n\nx\n\nFrom b@x Thu Jan  1 00:00:01 1970\n\nheaderless\n",
            "From -\nSubject: bond\n\nFavourite film:\n\nFrom Russia with love\nYear: 1963\n\n\
             From -\nSubject: two\n\nno final line end",
            "From -\n\n\n\nFrom -\nX: y\n\r\n\r\nFrom -\n\rFrom -\nA: b\n\n \nFrom -\nB: c\n",
        ]
        .iter()
        .map(|mbox| mbox.as_bytes().to_vec())
        .collect();
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let real = std::env::var_os("COACHBOOK_REAL_FIXTURES").map(|f| Path::new(&f).join("mbox"));
        for folder in std::iter::once(fixtures).chain(real) {
            for path in crate::testing::files_under(&folder) {
                if path.extension().is_some_and(|ext| ext == "mbox") {
                    mboxes.push(std::fs::read(&path).expect("fixture"));
                }
            }
        }
        assert!(mboxes.len() > 8, "only {} mboxes", mboxes.len());
        for mbox in &mboxes {
            let line_by_line = read_all(mbox.as_slice(), false);
            for capacity in [1, 2, 3, 5, 7, 16, 100, 8192, 64 * 1024] {
                let input = std::io::BufReader::with_capacity(capacity, mbox.as_slice());
                assert_eq!(
                    read_all(input, true),
                    line_by_line,
                    "buffer of {capacity} bytes: {:?}",
                    String::from_utf8_lossy(mbox.get(..200.min(mbox.len())).unwrap_or_default())
                );
            }
        }
    }

    #[test]
    fn a_line_past_the_cap_is_read_in_pieces_and_kept_whole() {
        let long = "x".repeat(MAX_LINE_BYTES as usize * 2 + 5);
        let mbox = format!("From -\nSubject: big\n\n{long}\nend\n\nFrom -\nSubject: two\n\ny\n");
        let found = messages(&mbox);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0], format!("Subject: big\n\n{long}\nend\n"));
        assert_eq!(found[1], "Subject: two\n\ny\n");
    }

    #[test]
    fn an_mbox_with_only_separators_is_empty() {
        let result = MboxReader::open("From -\n\nFrom -\n".as_bytes(), Path::new("t"));
        assert!(matches!(result, Err(SourceError::EmptyMbox { .. })));
    }
}
