//! Structured header fields: addresses, message ids, dates.

use chrono::{DateTime, Utc};
use mailparse::{MailAddr, SingleInfo};

use super::message::Address;
use super::scan::RawHeader;

/// The bytes after any empty lines at the start (some exports add them).
pub(crate) fn skip_leading_blank_lines(raw: &[u8]) -> &[u8] {
    let start = raw
        .iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .unwrap_or(raw.len());
    raw.get(start..).unwrap_or_default()
}

/// The header block: everything before the first empty line.
pub(crate) fn header_block(raw: &[u8]) -> &[u8] {
    // Each line start found with memchr, not byte by byte.
    let mut line_start = 0;
    while let Some(line) = raw.get(line_start..) {
        if line.starts_with(b"\n") || line.starts_with(b"\r\n") {
            return raw.get(..line_start).unwrap_or_default();
        }
        match memchr::memchr(b'\n', line) {
            Some(end) => line_start += end + 1,
            None => break,
        }
    }
    raw
}

/// Whether the first line is a header field (`Name: value`), the one thing
/// every RFC 5322 message has and random text or binary files rarely do.
pub(crate) fn starts_with_header_field(raw: &[u8]) -> bool {
    let line_end = raw.iter().position(|&b| b == b'\n').unwrap_or(raw.len());
    let first_line = raw.get(..line_end).unwrap_or_default();
    let Some(colon) = first_line.iter().position(|&b| b == b':') else {
        return false;
    };
    let name = trim_trailing_blanks(first_line.get(..colon).unwrap_or_default());
    !name.is_empty() && name.iter().all(|b| (33..=126).contains(b))
}

fn trim_trailing_blanks(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(0, |last| last + 1);
    bytes.get(..end).unwrap_or_default()
}

/// Whether a header is called `name` (ASCII case ignored). The same answer
/// as mailparse's `MailHeaderMap` (which compares the key decoded as
/// Latin-1: a non-ASCII byte never matches an ASCII name either way),
/// without decoding every key for every look-up.
fn is_named<H: RawHeader>(header: &H, name: &str) -> bool {
    header.key_raw().eq_ignore_ascii_case(name.as_bytes())
}

/// The first header called `name`.
pub(crate) fn first_header<'h, H: RawHeader>(headers: &'h [H], name: &str) -> Option<&'h H> {
    headers.iter().find(|header| is_named(*header, name))
}

/// Every header called `name`, in order.
pub(crate) fn all_headers<'h, H: RawHeader>(
    headers: &'h [H],
    name: &'h str,
) -> impl Iterator<Item = &'h H> {
    headers.iter().filter(move |header| is_named(*header, name))
}

/// The value of the first header called `name`, as [`header_value`] reads it.
pub(crate) fn first_value<H: RawHeader>(headers: &[H], name: &str) -> Option<String> {
    first_header(headers, name).map(header_value)
}

/// A header's value exactly as mailparse's `get_value` gives it: folding
/// removed (each line trimmed at its start, lines joined with a space),
/// encoded words decoded. A value in plain ASCII without `=?` has no
/// encoded word, so it is unfolded here without mailparse's tokenizer.
pub(crate) fn header_value<H: RawHeader>(header: &H) -> String {
    header_value_in_place(header).into_owned()
}

/// [`header_value`], borrowed from the header where it is a one-line plain
/// ASCII value (what most header values are): no copy to read it once.
pub(crate) fn header_value_in_place<H: RawHeader>(header: &H) -> std::borrow::Cow<'_, str> {
    let raw = header.value_raw();
    if raw.is_ascii()
        && !super::words::has_encoded_word_start(raw)
        && let Ok(text) = std::str::from_utf8(raw)
    {
        if memchr::memchr(b'\n', raw).is_none() {
            // One line: what `lines` gives for it, trimmed at its start.
            return std::borrow::Cow::Borrowed(text.trim_start());
        }
        let mut value = String::with_capacity(text.len());
        for (index, line) in text.lines().enumerate() {
            if index > 0 {
                value.push(' ');
            }
            value.push_str(line.trim_start());
        }
        return std::borrow::Cow::Owned(value);
    }
    std::borrow::Cow::Owned(header.mailparse_value())
}

/// All mailboxes named in every header called `name`, groups flattened.
pub(crate) fn addresses<H: RawHeader>(
    headers: &[H],
    name: &str,
    charset: Option<&str>,
) -> Vec<Address> {
    gather(headers, name, |header| addresses_in(header, charset))
}

/// What `each` finds in every header called `name`, in order: the first
/// header's list itself (most messages have one such header), the others'
/// appended to it.
fn gather<H: RawHeader, T>(headers: &[H], name: &str, each: impl Fn(&H) -> Vec<T>) -> Vec<T> {
    let mut all = Vec::new();
    for header in all_headers(headers, name) {
        let found = each(header);
        if all.is_empty() {
            all = found;
        } else {
            all.extend(found);
        }
    }
    all
}

fn addresses_in<H: RawHeader>(header: &H, charset: Option<&str>) -> Vec<Address> {
    let raw = header.value_raw();
    if let Some(text) = plain_address_list(raw, charset)
        && let Some(mailboxes) = simple_mailboxes(text)
    {
        return mailboxes
            .into_iter()
            .filter_map(address_from_info)
            .collect();
    }
    let clean = super::words::clean_address_header(raw, charset);
    if let Some(mailboxes) = simple_mailboxes(&clean) {
        return mailboxes
            .into_iter()
            .filter_map(address_from_info)
            .collect();
    }
    match mailparse::addrparse(&clean) {
        Ok(list) => list
            .iter()
            .flat_map(|addr| match addr {
                MailAddr::Single(info) => vec![info.clone()],
                MailAddr::Group(group) => group.addrs.clone(),
            })
            .filter_map(address_from_info)
            .collect(),
        Err(_) => addresses_leniently(&super::words::decode_header(header.value_raw(), charset)),
    }
}

/// A one-line ASCII value within the cap, without `=?`, in a charset that
/// reads ASCII as itself: its own clean form (what `clean_address_header`
/// gives back for it), read in place instead of copied.
fn plain_address_list<'r>(raw: &'r [u8], charset: Option<&str>) -> Option<&'r str> {
    let plain = raw.len() <= super::words::MAX_HEADER_VALUE_BYTES
        && raw.is_ascii()
        && memchr::memchr2(b'\r', b'\n', raw).is_none()
        && !super::words::has_encoded_word_start(raw)
        && super::body::utf8_like(charset);
    plain.then(|| std::str::from_utf8(raw).ok()).flatten()
}

/// The mailboxes of the plainest address lists, read without the general
/// parser: comma-separated `"Name" <addr>`, `<addr>` or a bare `addr`
/// token, in ASCII with only spaces and tabs between. Exactly what
/// `mailparse::addrparse` answers for them (the quoted name as written,
/// the address between the brackets); `None` for anything else (comments,
/// groups, unquoted names, escapes, an address without `@`), which goes to
/// the general parser.
fn simple_mailboxes(list: &str) -> Option<Vec<SingleInfo>> {
    let bytes = list.as_bytes();
    let blank = |b: u8| b == b' ' || b == b'\t';
    let skip_blanks = |mut at: usize| {
        while bytes.get(at).copied().is_some_and(blank) {
            at += 1;
        }
        at
    };
    let mut mailboxes = Vec::new();
    let mut at = skip_blanks(0);
    loop {
        let (name, addr, after) = match bytes.get(at)? {
            b'"' => {
                let name_end = at + 1 + bytes.get(at + 1..)?.iter().position(|&b| b == b'"')?;
                let name = list.get(at + 1..name_end)?;
                if !name.bytes().all(|b| blank(b) || (b' '..=b'~').contains(&b))
                    || name.contains('\\')
                {
                    return None;
                }
                let open = skip_blanks(name_end + 1);
                if bytes.get(open) != Some(&b'<') {
                    return None;
                }
                let (addr, after) = bracketed(list, open)?;
                (Some(name.to_string()), addr, after)
            }
            b'<' => {
                let (addr, after) = bracketed(list, at)?;
                (None, addr, after)
            }
            _ => {
                let end = at
                    + bytes
                        .get(at..)?
                        .iter()
                        .position(|&b| !is_token_byte(b))
                        .unwrap_or(bytes.len() - at);
                let token = list.get(at..end).filter(|token| !token.is_empty())?;
                (None, token, end)
            }
        };
        if !addr.contains('@') {
            return None;
        }
        mailboxes.push(SingleInfo {
            display_name: name,
            addr: addr.to_string(),
        });
        at = skip_blanks(after);
        match bytes.get(at) {
            None => return Some(mailboxes),
            Some(b',') => at = skip_blanks(at + 1),
            Some(_) => return None,
        }
        // A comma with nothing after it goes to the general parser.
        bytes.get(at)?;
    }
}

/// `<addr>` at `open`: the address (printable ASCII, no blanks) and the
/// index after `>`.
fn bracketed(list: &str, open: usize) -> Option<(&str, usize)> {
    let rest = list.as_bytes().get(open + 1..)?;
    let len = rest.iter().position(|&b| b == b'>')?;
    let addr = list.get(open + 1..open + 1 + len)?;
    addr.bytes()
        .all(|b| (b'!'..=b'~').contains(&b) && b != b'<')
        .then_some((addr, open + 2 + len))
}

/// A byte of a bare address token: letters, digits and `.@_+-`.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'@' | b'_' | b'+' | b'-')
}

fn address_from_info(info: SingleInfo) -> Option<Address> {
    let email = lower_trimmed(info.addr);
    if email.is_empty() {
        return None;
    }
    // The parser leaves encoded words in a display name as written.
    // A name without an encoded word or a line end decodes to itself.
    let name = info
        .display_name
        .map(|name| {
            if super::words::has_encoded_word_start(name.as_bytes())
                || memchr::memchr2(b'\r', b'\n', name.as_bytes()).is_some()
            {
                super::words::decode_header(name.as_bytes(), None)
            } else {
                name
            }
        })
        .map(|name| {
            let trimmed = name.trim().trim_matches('"').trim();
            if trimmed.len() == name.len() {
                // Nothing to cut: the name itself, not a copy.
                name
            } else {
                trimmed.to_string()
            }
        })
        .filter(|name| !name.is_empty());
    Some(Address { name, email })
}

/// `text.to_lowercase()`: for ASCII byte for byte, without the Unicode tables.
pub(crate) fn lowercase(text: &str) -> String {
    if text.is_ascii() {
        text.to_ascii_lowercase()
    } else {
        text.to_lowercase()
    }
}

/// `text.trim().to_lowercase()`, in place for ASCII (where lower-casing is
/// byte for byte the same).
fn lower_trimmed(mut text: String) -> String {
    if !text.is_ascii() {
        return text.trim().to_lowercase();
    }
    let end = text.trim_end().len();
    text.truncate(end);
    let start = text.len() - text.trim_start().len();
    text.drain(..start);
    text.make_ascii_lowercase();
    text
}

/// Fallback for address headers the strict parser rejects: keep whatever
/// looks like an address so the sender can still be matched to a client.
fn addresses_leniently(value: &str) -> Vec<Address> {
    value
        .split(',')
        .filter_map(|piece| {
            let (name, email) = match (piece.find('<'), piece.rfind('>')) {
                (Some(open), Some(close)) if open < close => {
                    (piece[..open].trim(), piece[open + 1..close].trim())
                }
                _ => ("", piece.trim()),
            };
            email.contains('@').then(|| Address {
                name: Some(name.trim_matches('"').trim().to_string()).filter(|n| !n.is_empty()),
                email: email.to_lowercase(),
            })
        })
        .collect()
}

/// Message ids from every header called `name`, without `<>`. Ids written
/// without brackets (some Exchange servers do) are kept if they contain `@`.
pub(crate) fn message_ids<H: RawHeader>(headers: &[H], name: &str) -> Vec<String> {
    gather(headers, name, |header| {
        ids_in(&header_value_in_place(header))
    })
}

fn ids_in(value: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else { break };
        let id = after[..close].trim();
        if !id.is_empty() {
            ids.push(id.to_string());
        }
        rest = &after[close + 1..];
    }
    if ids.is_empty() {
        ids = value
            .split_whitespace()
            .filter(|token| token.contains('@'))
            .map(str::to_string)
            .collect();
    }
    ids
}

/// The Date header in UTC; `None` when it is missing or unreadable.
pub(crate) fn date<H: RawHeader>(headers: &[H]) -> Option<DateTime<Utc>> {
    let header = first_header(headers, "Date")?;
    // Its trimmed raw value in the common form is what `header_value` and
    // `trim` leave of it (ASCII, one line, no `=?`): read without copying.
    if let Some(date) = common_date(header.value_raw().trim_ascii()) {
        return Some(date);
    }
    let value = header_value_in_place(header);
    let value = value.trim();
    if let Ok(date) = DateTime::parse_from_rfc2822(value) {
        return Some(date.with_timezone(&Utc));
    }
    // mailparse copes with the looser forms real clients write, but answers
    // 0 (1970) for text that holds no date at all.
    let seconds = mailparse::dateparse(value).ok().filter(|&s| s > 0)?;
    DateTime::from_timestamp(seconds, 0)
}

/// The common RFC 5322 form `Www, D Mon YYYY HH:MM:SS +HHMM` (weekday
/// optional, one or two day digits, single spaces), read directly: the same
/// instant `DateTime::parse_from_rfc2822` gives for it. `None` for any other
/// text, a weekday that is not the date's, a year before 1000 (chrono reads
/// short years its own way), a leap second or an offset beyond ±23:59; the
/// general path reads those.
fn common_date(text: &[u8]) -> Option<DateTime<Utc>> {
    use chrono::{Datelike, FixedOffset, NaiveDate, TimeZone};
    const DAYS: [&[u8; 3]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let number = |digits: &[u8]| -> Option<u32> {
        digits.iter().try_fold(0u32, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    };
    let (weekday, rest) = match text.get(3) {
        Some(b',') => {
            let name = text.get(..3)?;
            let day = DAYS.iter().position(|d| d.as_slice() == name)?;
            (Some(day), text.get(4..)?.strip_prefix(b" ")?)
        }
        _ => (None, text),
    };
    // "D Mon YYYY HH:MM:SS +HHMM" or with two day digits: 25 or 26 bytes.
    let day_len = match rest.len() {
        25 => 1,
        26 => 2,
        _ => return None,
    };
    let (day, rest) = rest.split_at_checked(day_len)?;
    let rest = rest.strip_prefix(b" ")?;
    let (month, rest) = rest.split_at_checked(3)?;
    let month = MONTHS.iter().position(|m| m.as_slice() == month)?;
    let rest = rest.strip_prefix(b" ")?;
    let (year, rest) = rest.split_at_checked(4)?;
    let rest = rest.strip_prefix(b" ")?;
    let (hour, rest) = rest.split_at_checked(2)?;
    let rest = rest.strip_prefix(b":")?;
    let (minute, rest) = rest.split_at_checked(2)?;
    let rest = rest.strip_prefix(b":")?;
    let (second, rest) = rest.split_at_checked(2)?;
    let rest = rest.strip_prefix(b" ")?;
    let (sign, offset) = rest.split_first()?;
    let (offset_hours, offset_minutes) = offset.split_at_checked(2)?;
    let (year, hour, minute, second) = (
        number(year)?,
        number(hour)?,
        number(minute)?,
        number(second)?,
    );
    let (offset_hours, offset_minutes) = (number(offset_hours)?, number(offset_minutes)?);
    if year < 1000 || hour > 23 || minute > 59 || second > 59 || offset_hours > 23 {
        return None;
    }
    if offset_minutes > 59 {
        return None;
    }
    let offset_seconds = i32::try_from(offset_hours * 3600 + offset_minutes * 60).ok()?;
    let offset = match sign {
        b'+' => FixedOffset::east_opt(offset_seconds)?,
        b'-' => FixedOffset::west_opt(offset_seconds)?,
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(year).ok()?,
        u32::try_from(month).ok()? + 1,
        number(day)?,
    )?;
    if weekday
        .is_some_and(|w| Some(w) != usize::try_from(date.weekday().num_days_from_monday()).ok())
    {
        return None;
    }
    let local = date.and_hms_opt(hour, minute, second)?;
    Some(
        offset
            .from_local_datetime(&local)
            .single()?
            .with_timezone(&Utc),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    use mailparse::MailHeader;

    #[test]
    fn a_plain_address_list_is_its_own_clean_form() {
        let long = format!("a@b.example, {}", "x".repeat(70_000));
        let values: Vec<&[u8]> = vec![
            b"\"Chen Kapoor 282\" <chen.kapoor282@example.org>",
            b"a@b.example",
            b" a@b.example ,\t<c@d.example>",
            b"\"A\r\n B\" <a@b.example>",
            b"=?utf-8?q?x?= <a@b.example>",
            b"=? <a@b.example>",
            b"M\xFCller <m@x.example>",
            b"",
            b"\r",
            long.as_bytes(),
        ];
        let mut plain = 0;
        for value in values {
            for charset in [
                None,
                Some("utf-8"),
                Some("US-ASCII"),
                Some("iso-8859-1"),
                Some("utf-16"),
            ] {
                if let Some(text) = plain_address_list(value, charset) {
                    plain += 1;
                    assert_eq!(
                        text,
                        crate::mail::words::clean_address_header(value, charset),
                        "{value:?} in {charset:?}"
                    );
                }
            }
        }
        assert!(plain >= 9, "only {plain} plain");
    }

    #[test]
    fn the_header_block_ends_where_the_line_by_line_reading_ends_it() {
        let by_lines = |raw: &[u8]| -> usize {
            let mut line_start = 0;
            for line in raw.split_inclusive(|&b| b == b'\n') {
                if line == b"\n" || line == b"\r\n" {
                    return line_start;
                }
                line_start += line.len();
            }
            raw.len()
        };
        let texts = crate::testing::every_sequence(&["\n", "\r\n", "\r", "a", ": ", "x\n"], 7);
        for raw in &texts {
            assert_eq!(header_block(raw).len(), by_lines(raw), "{raw:?}");
        }
    }

    #[test]
    fn lowercase_is_to_lowercase() {
        let mut texts =
            crate::testing::every_text(&["A", "z", "Q-", "\u{7f}", " ", "İ", "Σ", "é"], 5);
        texts.extend((0u8..128).map(|b| char::from(b).to_string()));
        for text in &texts {
            assert_eq!(lowercase(text), text.to_lowercase(), "{text:?}");
        }
    }

    /// The Date as read before the common form had a path of its own.
    fn date_by_the_general_path(headers: &[MailHeader<'_>]) -> Option<DateTime<Utc>> {
        let value = first_value(headers, "Date")?;
        let value = value.trim();
        if let Ok(date) = DateTime::parse_from_rfc2822(value) {
            return Some(date.with_timezone(&Utc));
        }
        let seconds = mailparse::dateparse(value).ok().filter(|&s| s > 0)?;
        DateTime::from_timestamp(seconds, 0)
    }

    /// Every `Date:` value of the mail files under `folder`.
    fn dates_under(folder: &std::path::Path) -> Vec<Vec<u8>> {
        let mut values = Vec::new();
        for file in crate::testing::files_under(folder) {
            let Ok(bytes) = std::fs::read(&file) else {
                continue;
            };
            for line in bytes.split(|&b| b == b'\n') {
                if let Some(value) = line.strip_prefix(b"Date:") {
                    values.push(value.to_vec());
                }
            }
        }
        values
    }

    #[test]
    fn the_common_date_form_is_read_as_chrono_and_mailparse_read_it() {
        let step = |state: u64| {
            state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407)
        };
        let mut state = 7u64;
        let mut pick = |n: u64| {
            state = step(state);
            (state >> 33) % n
        };
        let days = [
            "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "mon", "Xyz",
        ];
        let months = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            "nov", "Foo",
        ];
        let mut values: Vec<Vec<u8>> = Vec::new();
        // Dates near the common form: right and wrong weekdays, days past
        // the month's end, hours, minutes, seconds and offsets out of
        // range, short years, other spacing, comments, zones by name.
        for _ in 0..200_000 {
            let mut text = String::new();
            text.push_str([" ", "", "  ", "\t", "\u{b}"][pick(5) as usize]);
            if pick(4) != 0 {
                text.push_str(days[pick(days.len() as u64) as usize]);
                text.push_str([", ", ",", ",  ", " , "][(pick(8) / 5) as usize]);
            }
            let day = pick(33);
            if day < 10 && pick(2) == 0 {
                text.push_str(&format!("0{day}"));
            } else {
                text.push_str(&day.to_string());
            }
            text.push_str([" ", "  "][(pick(20) / 19) as usize]);
            text.push_str(months[pick(months.len() as u64) as usize]);
            let year = [1970 + pick(80), 900 + pick(200), pick(100), 9990 + pick(10)]
                [(pick(10) / 8) as usize];
            text.push_str(&format!(" {year}"));
            text.push_str(&format!(" {:02}:{:02}", pick(26), pick(62)));
            if pick(10) != 0 {
                text.push_str(&format!(":{:02}", pick(62)));
            }
            match pick(12) {
                0 => text.push_str(" GMT"),
                1 => text.push_str(" +0100 (CET)"),
                2 => text.push_str(" +01:00"),
                _ => text.push_str(&format!(
                    " {}{:02}{:02}",
                    ["+", "-"][pick(2) as usize],
                    [pick(15), pick(30)][(pick(10) / 9) as usize],
                    [0, 30, 45, pick(70)][pick(4) as usize]
                )),
            }
            text.push_str(["", " ", "\r\n", "x"][(pick(20) / 6).min(3) as usize]);
            values.push(text.into_bytes());
        }
        let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let fixtures = dates_under(&here);
        assert!(fixtures.len() > 20, "only {} fixture dates", fixtures.len());
        values.extend(fixtures);
        match std::env::var_os("COACHBOOK_REAL_FIXTURES") {
            Some(folder) => values.extend(dates_under(std::path::Path::new(&folder))),
            None => println!("real fixtures: skipped (COACHBOOK_REAL_FIXTURES is not set)"),
        }
        let mut common = 0;
        for value in &values {
            let mut field = b"Date:".to_vec();
            field.extend_from_slice(value);
            field.extend_from_slice(b"\n");
            let (header, _) = mailparse::parse_header(&field).expect("a header");
            let headers = [header];
            if common_date(value.trim_ascii()).is_some() {
                common += 1;
            }
            assert_eq!(
                date(&headers),
                date_by_the_general_path(&headers),
                "{:?}",
                String::from_utf8_lossy(value)
            );
        }
        assert!(common >= 10_000, "only {common} in the common form");
    }

    fn header_map(raw: &str) -> Vec<MailHeader<'_>> {
        mailparse::parse_headers(raw.as_bytes())
            .map(|(headers, _)| headers)
            .unwrap_or_default()
    }

    #[test]
    fn an_address_is_trimmed_and_lower_cased_as_to_lowercase_does() {
        for text in [
            "",
            "   ",
            "Ana@Example.ORG",
            " \t Ana.Q@Example.org \r\n",
            "\u{b}x@Y.z\u{c}",
            "ÄNNE@BEISPIEL.DE",
            " \u{a0}İ@x.example\u{2003}",
            "KELVIN\u{212a}@x.example",
        ] {
            assert_eq!(
                lower_trimmed(text.to_string()),
                text.trim().to_lowercase(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn header_block_ends_at_the_first_empty_line() {
        assert_eq!(
            header_block(b"A: 1\r\nB: 2\r\n\r\nbody\n"),
            b"A: 1\r\nB: 2\r\n"
        );
        assert_eq!(header_block(b"A: 1\n"), b"A: 1\n");
        assert_eq!(skip_leading_blank_lines(b"\r\n\nA: 1\n"), b"A: 1\n");
    }

    #[test]
    fn recognises_a_header_field_line() {
        assert!(starts_with_header_field(b"Subject: hi\n\nbody"));
        assert!(starts_with_header_field(b"Subject : obsolete space\n"));
        assert!(!starts_with_header_field(b"Hello there: friend\n"));
        assert!(!starts_with_header_field(b"just text\n"));
        assert!(!starts_with_header_field(b": no name\n"));
    }

    #[test]
    fn addresses_are_lower_cased_and_names_decoded() {
        let headers =
            header_map("To: =?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <Keld@DKUUG.dk>, bob@X.org\n\n");
        let to = addresses(&headers, "To", None);
        assert_eq!(
            to,
            vec![
                Address {
                    name: Some("Keld Jørn Simonsen".into()),
                    email: "keld@dkuug.dk".into()
                },
                Address {
                    name: None,
                    email: "bob@x.org".into()
                },
            ]
        );
    }

    #[test]
    fn encoded_comma_in_a_name_does_not_split_the_address() {
        let headers = header_map("From: =?utf-8?Q?Doe=2C_Jane?= <jane@example.org>\n\n");
        let from = addresses(&headers, "From", None);
        assert_eq!(from.len(), 1);
        assert_eq!(from[0].name.as_deref(), Some("Doe, Jane"));
    }

    #[test]
    fn groups_are_flattened() {
        let headers = header_map("To: team: a@x.org, b@x.org;\n\n");
        let emails: Vec<_> = addresses(&headers, "To", None)
            .into_iter()
            .map(|a| a.email)
            .collect();
        assert_eq!(emails, ["a@x.org", "b@x.org"]);
    }

    #[test]
    fn message_ids_lose_their_brackets() {
        let headers = header_map(
            "References: <a@x>\n <b@y> <c@z>\nIn-Reply-To: <c@z> (comment)\nMessage-ID: bare@host\n\n",
        );
        assert_eq!(message_ids(&headers, "References"), ["a@x", "b@y", "c@z"]);
        assert_eq!(message_ids(&headers, "In-Reply-To"), ["c@z"]);
        assert_eq!(message_ids(&headers, "Message-ID"), ["bare@host"]);
    }

    #[test]
    fn dates_are_read_in_utc() {
        let headers = header_map("Date: Sun, 02 Oct 2016 07:06:22 -0700 (PDT)\n\n");
        let expected = DateTime::from_timestamp(1_475_417_182, 0);
        assert_eq!(date(&headers), expected);
        assert_eq!(date(&header_map("Date: not a date\n\n")), None);
    }

    /// Every message file of the repo's mail fixtures, plus the quirks a
    /// lean scan could get wrong.
    fn header_corpus() -> Vec<Vec<u8>> {
        let mut corpus: Vec<Vec<u8>> = [
            "Subject: plain\n\n",
            "Subject: folded\r\n  over two\r\n\tlines\r\n\r\n",
            "Subject:   leading and trailing  \n\n",
            "Subject: a\n \n b\n\n",
            "SUBJECT: odd case\nsubject: twice\n\n",
            "Subject : space before the colon\n\n",
            "Subject: tab\t\tinside\x0b\n\n",
            "Subject: =?utf-8?q?Fr=C3=B6sche?= and text\n\n",
            "Subject: almost =\r\n ?utf-8?q?word?=\n\n",
            "Subject: 8-bit Fr\u{f6}sche\n\n",
            "Message-ID:\n <id@host>\n\n",
            "References: <a@x>\r\n\t<b@y>\r\n <c@z>\r\n\r\n",
            "Date: Sun, 02 Oct 2016 07:06:22 -0700 (PDT)\n\n",
            "X-Empty:\n\n",
        ]
        .iter()
        .map(|text| text.as_bytes().to_vec())
        .collect();
        corpus.push(b"Subject: Latin-1 Fr\xF6sche\n\n".to_vec());
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut folders = vec![root];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else if let Ok(bytes) = std::fs::read(&path) {
                    corpus.push(bytes);
                }
            }
        }
        corpus
    }

    #[test]
    fn header_values_and_look_ups_are_mailparses_own() {
        use mailparse::MailHeaderMap;
        let mut compared = 0;
        for raw in header_corpus() {
            let Ok((headers, _)) = mailparse::parse_headers(&raw) else {
                continue;
            };
            for header in &headers {
                assert_eq!(header_value(header), header.get_value(), "{raw:?}");
                // The import looks up ASCII names only (a key in Latin-1
                // matches no ASCII name either way).
                let name = header.get_key();
                if !name.is_ascii() {
                    assert!(first_header(&headers, &name.to_ascii_lowercase()).is_none());
                    continue;
                }
                assert_eq!(first_value(&headers, &name), headers.get_first_value(&name));
                let lower = name.to_ascii_lowercase();
                assert_eq!(
                    first_value(&headers, &lower),
                    headers.get_first_value(&lower)
                );
                let ours: Vec<String> = all_headers(&headers, &name).map(header_value).collect();
                assert_eq!(ours, headers.get_all_values(&name));
                compared += 1;
            }
        }
        assert!(compared > 300, "only {compared} headers compared");
    }

    #[test]
    fn the_plainest_address_lists_read_as_addrparse_reads_them() {
        let pieces = [
            "\"Chen Kapoor 282\" <chen.kapoor282@example.org>",
            "\"Imani (website form)\" <prospect96@unknown.example>",
            "<b@y.example>",
            "c@z.example",
            "C.Dot+tag@Z.example",
            " ",
            "\t",
            ",",
            "\"\" <d@e.example>",
            "\"Doe, Jane\" <j@x.example>",
            "\"x\"<y@z.example>",
            "\"=?utf-8?Q?M=C3=BCller?=\" <m@x.example>",
            "\"q\\\"\" <q@x.example>",
            "(comment)",
            "team: a@x.example;",
            "a@x.example b",
            "<a b@x.example>",
            "\"n\" x <a@x.example>",
            "Unquoted Name <u@x.example>",
            "no-at-sign",
            "<no-at>",
            "\"open",
            "<open@x",
            "\"a\"  \t <spaced@x.example>",
            ";",
            "\u{e9}@x.example",
        ];
        let mut seed: u64 = 14;
        let mut next = |bound: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            usize::try_from(seed >> 33).unwrap_or(0) % bound
        };
        let mut fast = 0;
        for round in 0..20_000 {
            let count = 1 + round % 4;
            let list: String = (0..count).map(|_| pieces[next(pieces.len())]).collect();
            let Some(ours) = simple_mailboxes(&list) else {
                continue;
            };
            fast += 1;
            let theirs: Vec<MailAddr> = ours.into_iter().map(MailAddr::Single).collect();
            let parsed = mailparse::addrparse(&list).map(|list| list.into_inner());
            assert_eq!(parsed.as_ref().ok(), Some(&theirs), "{list:?}");
        }
        assert!(fast > 1000, "the plain reading was taken {fast} times");
        for common in [
            "\"Sam Coach\" <sam@coach.example>",
            "sam@coach.example",
            "<sam@coach.example>, \"B\" <b@x.example>",
        ] {
            assert!(simple_mailboxes(common).is_some(), "{common}");
        }
        for other in [
            "Sam Coach <sam@coach.example>",
            "sam@coach.example (Sam)",
            "team: a@x.example;",
            "a@x.example,",
            "\"J\u{f6}rg\" <j@x.example>",
        ] {
            assert!(simple_mailboxes(other).is_none(), "{other}");
        }
    }
}
