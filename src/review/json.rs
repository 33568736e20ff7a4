//! The review as JSON: PRODUCT.md's contract (`from`, `to`,
//! `requests_received`, `first_reply`, `within_target`, `breaches`,
//! `unanswered`, `sessions`, `at_risk`) plus figures scripts may want:
//! working-hours times, apologies, promises, follow-ups, the daily trend and
//! every request. Instants carry the coach's offset; durations are minutes.

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value, json};

use super::offsets::DayOffsets;
use super::{ReplyTimes, RequestOutcome, Review};
use crate::domain::when::rfc3339_in;

/// The review as a JSON value (tests and callers that want to look inside).
/// The command streams [`ReviewJson`] instead, which writes the same text
/// without building the tree.
pub fn review_json(review: &Review) -> Value {
    serde_json::to_value(ReviewJson(review)).unwrap_or(Value::Null)
}

/// Write the review as pretty JSON (and a line end) to `out`, one request
/// at a time: a ten-year review never holds its JSON in memory. The text is
/// [`ReviewJson`]'s through `serde_json::to_writer_pretty`, byte for byte
/// (test `the_written_json_is_serde_jsons_pretty_text`); the lists of
/// requests, most of it, are written field by field from fixed pieces.
pub fn write_review_json(review: &Review, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let Value::Object(head) = review_json_head(review) else {
        return Err(std::io::Error::other("the review's JSON is not an object"));
    };
    out.write_all(b"{")?;
    let mut first = true;
    let mut entry = |out: &mut dyn std::io::Write, key: &str| -> std::io::Result<()> {
        out.write_all(if first { b"\n  " } else { b",\n  " })?;
        first = false;
        write_str(out, key)?;
        out.write_all(b": ")
    };
    for (key, value) in &head {
        match key.as_str() {
            "breaches" | "unanswered" | "requests" => {
                let (list, shape) = match key.as_str() {
                    "breaches" => (&review.breaches, Shape::Breach),
                    "unanswered" => (&review.unanswered, Shape::Unanswered),
                    _ => (&review.requests, Shape::Request),
                };
                entry(out, key)?;
                write_outcomes(out, review, list, shape)?;
            }
            _ => {
                entry(out, key)?;
                // Pretty text one level in: every line after the first indented.
                let text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
                let mut lines = text.split('\n');
                if let Some(line) = lines.next() {
                    out.write_all(line.as_bytes())?;
                }
                for line in lines {
                    out.write_all(b"\n  ")?;
                    out.write_all(line.as_bytes())?;
                }
            }
        }
    }
    out.write_all(if first { b"}\n" } else { b"\n}\n" })
}

/// Every field of the review but the lists of requests (left `null`, in
/// their place): small, and written through `serde_json`.
fn review_json_head(review: &Review) -> Value {
    let empty = Review {
        requests: Vec::new(),
        breaches: Vec::new(),
        unanswered: Vec::new(),
        ..review_without_lists(review)
    };
    let mut head = review_json(&empty);
    if let Value::Object(map) = &mut head {
        for key in ["breaches", "unanswered", "requests"] {
            if let Some(value) = map.get_mut(key) {
                *value = Value::Null;
            }
        }
        if let Some(count) = map.get_mut("requests_received") {
            *count = json!(review.requests.len());
        }
    }
    head
}

/// The review with empty lists of requests (copied without them).
fn review_without_lists(review: &Review) -> Review {
    Review {
        range: review.range,
        tz: review.tz,
        now: review.now,
        requests: Vec::new(),
        first_reply: review.first_reply,
        first_reply_working: review.first_reply_working,
        within_target: review.within_target.clone(),
        breaches: Vec::new(),
        unanswered: Vec::new(),
        sessions: review.sessions,
        apologies_sent: review.apologies_sent,
        promises: review.promises,
        followups: review.followups,
        at_risk: review.at_risk.clone(),
        endings: review.endings.clone(),
        daily_medians: review.daily_medians.clone(),
    }
}

/// A list of requests as `serde_json` prints it two levels in: each object
/// made in a reused buffer, written out in pieces of about 8 KiB.
fn write_outcomes(
    out: &mut dyn std::io::Write,
    review: &Review,
    list: &[RequestOutcome],
    shape: Shape,
) -> std::io::Result<()> {
    const CHUNK: usize = 8 * 1024;
    if list.is_empty() {
        return out.write_all(b"[]");
    }
    let tz = review.tz;
    let mut instant = InstantText::new(tz);
    let mut names = EscapedNames::default();
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + 1024);
    buf.push(b'[');
    for (n, o) in list.iter().enumerate() {
        buf.extend_from_slice(if n == 0 { b"\n    {" } else { b",\n    {" });
        buf.extend_from_slice(b"\n      \"request\": ");
        push_int(&mut buf, o.id);
        buf.extend_from_slice(b",\n      \"client\": ");
        buf.extend_from_slice(names.of(&o.client));
        match shape {
            Shape::Breach => {
                buf.extend_from_slice(b",\n      \"waited_minutes\": ");
                push_opt_int(&mut buf, o.waited_minutes);
                buf.extend_from_slice(b",\n      \"target_minutes\": ");
                push_int(&mut buf, o.target_minutes);
            }
            Shape::Unanswered => {
                buf.extend_from_slice(b",\n      \"waiting_minutes\": ");
                push_opt_int(&mut buf, o.waited_minutes);
            }
            Shape::Request => {}
        }
        buf.extend_from_slice(b",\n      \"urgency\": ");
        push_word(&mut buf, o.urgency.as_str());
        buf.extend_from_slice(b",\n      \"received_at\": \"");
        buf.extend_from_slice(instant.of_seconds(o.received_at));
        buf.extend_from_slice(b"\",\n      \"reply_by\": \"");
        buf.extend_from_slice(instant.of_seconds(o.reply_by));
        buf.extend_from_slice(b"\",\n      \"first_reply_at\": ");
        match o.first_reply_at {
            Some(at) => {
                buf.push(b'"');
                buf.extend_from_slice(instant.of_seconds(at));
                buf.push(b'"');
            }
            None => buf.extend_from_slice(b"null"),
        }
        buf.extend_from_slice(b",\n      \"waited_working_minutes\": ");
        push_opt_int(&mut buf, o.waited_working_minutes);
        buf.extend_from_slice(b",\n      \"within_target\": ");
        buf.extend_from_slice(match o.verdict.within_target() {
            Some(true) => b"true",
            Some(false) => b"false",
            None => b"null",
        });
        buf.extend_from_slice(b",\n      \"resolution\": ");
        push_word(&mut buf, o.resolution.as_str());
        buf.extend_from_slice(b",\n      \"undelivered\": ");
        match o.undelivered {
            Some(d) => push_word(&mut buf, d.as_str()),
            None => buf.extend_from_slice(b"null"),
        }
        match shape {
            Shape::Breach => {}
            Shape::Unanswered => {
                buf.extend_from_slice(b",\n      \"overdue\": ");
                buf.extend_from_slice(if o.overdue_at(review.now) {
                    b"true"
                } else {
                    b"false"
                });
            }
            Shape::Request => {
                buf.extend_from_slice(b",\n      \"waited_minutes\": ");
                push_opt_int(&mut buf, o.waited_minutes);
                buf.extend_from_slice(b",\n      \"target_minutes\": ");
                push_int(&mut buf, o.target_minutes);
            }
        }
        buf.extend_from_slice(b"\n    }");
        if buf.len() >= CHUNK {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    buf.extend_from_slice(b"\n  ]");
    out.write_all(&buf)
}

/// The JSON strings of the clients' names, each escaped once: the outcomes
/// of a review share one name per client (by its `Arc`), so a name is
/// known by where it is.
#[derive(Default)]
struct EscapedNames {
    /// Where each name's text starts and ends in `text`, by its address.
    at: std::collections::HashMap<usize, (usize, usize), ByAddress>,
    text: Vec<u8>,
}

impl EscapedNames {
    fn of(&mut self, name: &std::sync::Arc<str>) -> &[u8] {
        let address = std::sync::Arc::as_ptr(name).cast::<u8>() as usize;
        let (start, end) = match self.at.get(&address) {
            Some(span) => *span,
            None => {
                let start = self.text.len();
                crate::json_text::push_str(&mut self.text, name);
                self.at.insert(address, (start, self.text.len()));
                (start, self.text.len())
            }
        };
        self.text.get(start..end).unwrap_or_default()
    }
}

/// Hashes an address by one multiplication (addresses are distinct; no
/// one outside chooses them).
type ByAddress = std::hash::BuildHasherDefault<AddressHasher>;

#[derive(Default)]
struct AddressHasher(u64);

impl std::hash::Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_usize(&mut self, n: usize) {
        // The high bits folded down: an address's low bits are all zero.
        let mixed = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = mixed ^ (mixed >> 29);
    }
}

/// One of coachbook's own words (urgency, resolution, delivery: lower-case
/// ASCII letters and hyphens, nothing to escape) between quotes.
fn push_word(buf: &mut Vec<u8>, word: &'static str) {
    buf.push(b'"');
    buf.extend_from_slice(word.as_bytes());
    buf.push(b'"');
}

fn push_int(buf: &mut Vec<u8>, n: i64) {
    if n < 0 {
        buf.push(b'-');
    }
    buf.extend_from_slice(decimal(n.unsigned_abs(), &mut [0u8; 20]));
}

fn push_opt_int(buf: &mut Vec<u8>, n: Option<i64>) {
    match n {
        Some(n) => push_int(buf, n),
        None => buf.extend_from_slice(b"null"),
    }
}

/// A JSON string, escaped as `serde_json` escapes it.
fn write_str(out: &mut dyn std::io::Write, text: &str) -> std::io::Result<()> {
    serde_json::to_writer(out, text).map_err(std::io::Error::other)
}

/// The decimal digits of `n`, written into the end of `digits`.
pub(crate) fn decimal(n: u64, digits: &mut [u8; 20]) -> &[u8] {
    let mut at = digits.len();
    let mut rest = n;
    // Two digits at a time while there are more than two.
    while rest >= 100 && at >= 2 {
        at -= 2;
        if let Some(pair) = digits.get_mut(at..at + 2) {
            pair.copy_from_slice(&two_digits((rest % 100) as u32));
        }
        rest /= 100;
    }
    loop {
        at -= 1;
        if let Some(slot) = digits.get_mut(at) {
            *slot = b'0' + (rest % 10) as u8;
        }
        rest /= 10;
        if rest == 0 || at == 0 {
            break;
        }
    }
    digits.get(at..).unwrap_or_default()
}

/// [`rfc3339_in`] for many instants in one zone, into one reused buffer:
/// the digits written directly, the zone's offset from [`DayOffsets`]; an
/// unusual year or an offset with seconds goes to `rfc3339_in`.
pub(crate) struct InstantText {
    offsets: DayOffsets,
    /// The last text, when `rfc3339_in` wrote it.
    text: String,
    /// The last text, when written here (ASCII); its first 11 bytes
    /// (`YYYY-MM-DDT`) are those of local day `day`.
    digits: [u8; 25],
    day: Option<i64>,
    /// The `YYYY-MM-DDT` of the last few local days (a request's receipt,
    /// reply-by and reply alternate between a day or two), round robin.
    dates: [(i64, [u8; 11]); RECENT_DAYS],
    next: usize,
}

/// How many local days' date digits [`InstantText`] remembers.
const RECENT_DAYS: usize = 4;

impl InstantText {
    pub(crate) fn new(tz: chrono_tz::Tz) -> InstantText {
        InstantText {
            offsets: DayOffsets::new(tz),
            text: String::new(),
            digits: [0; 25],
            day: None,
            // Never matched: no local day of an instant is i64::MIN.
            dates: [(i64::MIN, [0; 11]); RECENT_DAYS],
            next: 0,
        }
    }

    /// The instant's text (ASCII), as `rfc3339_in` writes it.
    pub(crate) fn of(&mut self, at: chrono::DateTime<chrono::Utc>) -> &[u8] {
        self.of_seconds(at.timestamp())
    }

    /// [`InstantText::of`] of a stored instant (seconds since 1970 UTC).
    pub(crate) fn of_seconds(&mut self, seconds: i64) -> &[u8] {
        let local = self
            .offsets
            .offset_of(seconds)
            .filter(|offset| offset % 60 == 0)
            .and_then(|offset| Some((seconds.checked_add(i64::from(offset))?, offset)));
        if let Some((seconds, offset)) = local
            && self.local_text(seconds, offset)
        {
            return &self.digits;
        }
        self.text = rfc3339_in(super::utc(seconds), self.offsets.tz());
        self.text.as_bytes()
    }

    /// `YYYY-MM-DDTHH:MM:SS+HH:MM` of the local time `local` (seconds since
    /// 1970 on the local clock) at `offset` seconds east of UTC into
    /// `digits` (the date part only when the day changed), or false for a
    /// year outside 0..=9999 (left to chrono).
    fn local_text(&mut self, local: i64, offset: i32) -> bool {
        let days = local.div_euclid(86_400);
        if self.day != Some(days) {
            let date = match self.dates.iter().find(|(day, _)| *day == days) {
                Some((_, date)) => *date,
                None => {
                    let (year, month, day) = civil_from_days(days);
                    let (Ok(year @ 0..=9999), Ok(month), Ok(day)) = (
                        u32::try_from(year),
                        u32::try_from(month),
                        u32::try_from(day),
                    ) else {
                        return false;
                    };
                    let [y1, y2] = two_digits(year / 100);
                    let [y3, y4] = two_digits(year % 100);
                    let [mo1, mo2] = two_digits(month);
                    let [d1, d2] = two_digits(day);
                    let date = [y1, y2, y3, y4, b'-', mo1, mo2, b'-', d1, d2, b'T'];
                    if let Some(slot) = self.dates.get_mut(self.next) {
                        *slot = (days, date);
                    }
                    self.next = (self.next + 1) % RECENT_DAYS;
                    date
                }
            };
            if let Some(digits) = self.digits.get_mut(..11) {
                digits.copy_from_slice(&date);
            }
            self.day = Some(days);
        }
        let second_of_day = u32::try_from(local.rem_euclid(86_400)).unwrap_or(0);
        let minutes = offset.unsigned_abs() / 60;
        let [h1, h2] = two_digits(second_of_day / 3600);
        let [mi1, mi2] = two_digits(second_of_day / 60 % 60);
        let [s1, s2] = two_digits(second_of_day % 60);
        let [oh1, oh2] = two_digits(minutes / 60);
        let [om1, om2] = two_digits(minutes % 60);
        let sign = if offset < 0 { b'-' } else { b'+' };
        if let Some(time) = self.digits.get_mut(11..) {
            time.copy_from_slice(&[
                h1, h2, b':', mi1, mi2, b':', s1, s2, sign, oh1, oh2, b':', om1, om2,
            ]);
        }
        true
    }
}

/// `n` (below 100) as two ASCII digits.
fn two_digits(n: u32) -> [u8; 2] {
    [b'0' + (n / 10 % 10) as u8, b'0' + (n % 10) as u8]
}

/// Year, month and day of a day counted from 1970-01-01 in the proleptic
/// Gregorian calendar (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The review, serialized field by field in the contract's order.
pub struct ReviewJson<'a>(pub &'a Review);

impl Serialize for ReviewJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let review = self.0;
        let tz = review.tz;
        let mut within_target = Map::new();
        for share in &review.within_target {
            within_target.insert(
                share.urgency.as_str().to_string(),
                json!({"met": share.met, "total": share.total}),
            );
        }
        let s = &review.sessions;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("from", &review.range.from.to_string())?;
        map.serialize_entry("to", &review.range.to.to_string())?;
        map.serialize_entry("time_zone", tz.name())?;
        map.serialize_entry("as_of", &rfc3339_in(review.now, tz))?;
        map.serialize_entry("requests_received", &review.requests.len())?;
        map.serialize_entry("first_reply", &times_json(&review.first_reply))?;
        map.serialize_entry(
            "first_reply_working",
            &times_json(&review.first_reply_working),
        )?;
        map.serialize_entry("within_target", &within_target)?;
        map.serialize_entry(
            "breaches",
            &Outcomes(review, &review.breaches, Shape::Breach),
        )?;
        map.serialize_entry(
            "unanswered",
            &Outcomes(review, &review.unanswered, Shape::Unanswered),
        )?;
        map.serialize_entry(
            "sessions",
            &json!({
                "held": s.held,
                "rescheduled_by_coach": s.rescheduled_by_coach,
                "rescheduled_by_client": s.rescheduled_by_client,
                "cancelled": s.cancelled,
                "no_show": s.no_show,
                "booked": s.booked,
            }),
        )?;
        map.serialize_entry(
            "at_risk",
            &review
                .at_risk
                .iter()
                .map(|a| {
                    json!({
                        "client": a.client,
                        "client_id": a.client_id,
                        "reasons": a.reasons.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    })
                })
                .collect::<Vec<_>>(),
        )?;
        map.serialize_entry(
            "endings",
            &review
                .endings
                .iter()
                .map(|e| {
                    json!({
                        "client": e.client,
                        "ended_at": rfc3339_in(e.ended_at, review.tz),
                        "reason": e.reason,
                        "refund": e.refund_cents.map(super::amount),
                        "referral": e.referral,
                    })
                })
                .collect::<Vec<_>>(),
        )?;
        map.serialize_entry("endings_count", &review.endings.len())?;
        map.serialize_entry("refunds_total", &super::amount(review.refunds_cents()))?;
        map.serialize_entry("apologies_sent", &review.apologies_sent)?;
        map.serialize_entry(
            "promises",
            &json!({
                "kept": review.promises.kept,
                "broken": review.promises.broken,
                "pending": review.promises.pending,
            }),
        )?;
        map.serialize_entry(
            "followups",
            &json!({
                "done": review.followups.done,
                "overdue": review.followups.overdue,
                "pending": review.followups.pending,
            }),
        )?;
        map.serialize_entry(
            "daily_median_first_reply",
            &review
                .daily_medians
                .iter()
                .map(|d| {
                    json!({
                        "date": d.date.to_string(),
                        "answered": d.answered,
                        "median_minutes": d.median_minutes,
                    })
                })
                .collect::<Vec<_>>(),
        )?;
        map.serialize_entry(
            "requests",
            &Outcomes(review, &review.requests, Shape::Request),
        )?;
        map.end()
    }
}

/// Which list a request is shown in: each has its own first fields.
#[derive(Clone, Copy)]
enum Shape {
    Breach,
    Unanswered,
    Request,
}

/// A list of requests, serialized one object at a time.
struct Outcomes<'a>(&'a Review, &'a [RequestOutcome], Shape);

impl Serialize for Outcomes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.1.len()))?;
        for outcome in self.1 {
            seq.serialize_element(&OutcomeJson(self.0, outcome, self.2))?;
        }
        seq.end()
    }
}

struct OutcomeJson<'a>(&'a Review, &'a RequestOutcome, Shape);

impl Serialize for OutcomeJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let OutcomeJson(review, o, shape) = *self;
        let tz = review.tz;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("request", &o.id)?;
        map.serialize_entry("client", &*o.client)?;
        match shape {
            Shape::Breach => {
                map.serialize_entry("waited_minutes", &o.waited_minutes)?;
                map.serialize_entry("target_minutes", &o.target_minutes)?;
            }
            Shape::Unanswered => map.serialize_entry("waiting_minutes", &o.waited_minutes)?,
            Shape::Request => {}
        }
        map.serialize_entry("urgency", o.urgency.as_str())?;
        map.serialize_entry("received_at", &rfc3339_in(super::utc(o.received_at), tz))?;
        map.serialize_entry("reply_by", &rfc3339_in(super::utc(o.reply_by), tz))?;
        map.serialize_entry(
            "first_reply_at",
            &o.first_reply_at.map(|at| rfc3339_in(super::utc(at), tz)),
        )?;
        map.serialize_entry("waited_working_minutes", &o.waited_working_minutes)?;
        map.serialize_entry("within_target", &o.verdict.within_target())?;
        map.serialize_entry("resolution", o.resolution.as_str())?;
        map.serialize_entry("undelivered", &o.undelivered.map(|d| d.as_str()))?;
        match shape {
            Shape::Breach => {}
            Shape::Unanswered => map.serialize_entry("overdue", &o.overdue_at(review.now))?,
            Shape::Request => {
                map.serialize_entry("waited_minutes", &o.waited_minutes)?;
                map.serialize_entry("target_minutes", &o.target_minutes)?;
            }
        }
        map.end()
    }
}

fn times_json(times: &ReplyTimes) -> Value {
    json!({
        "count": times.count,
        "median_minutes": times.median_minutes,
        "p90_minutes": times.p90_minutes,
        "max_minutes": times.max_minutes,
    })
}

/// Set `key` of a JSON object (replacing any value there); other values are left alone.
pub(crate) fn set(value: &mut Value, key: &str, field: Value) {
    if let Value::Object(map) = value {
        map.insert(key.to_owned(), field);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words put between quotes as they are need no escaping: the
    /// same text as serde_json's, for every urgency, resolution and
    /// delivery state.
    #[test]
    fn words_are_written_as_serde_json_writes_them() {
        let words = crate::model::Urgency::ALL
            .iter()
            .map(|w| w.as_str())
            .chain(crate::model::Resolution::ALL.iter().map(|w| w.as_str()))
            .chain(crate::model::DeliveryState::ALL.iter().map(|w| w.as_str()));
        for word in words {
            let mut out = Vec::new();
            push_word(&mut out, word);
            assert_eq!(out, serde_json::to_vec(word).expect("serde"), "{word:?}");
        }
    }

    #[test]
    fn whole_numbers_are_written_as_serde_json_writes_them() {
        let powers = (0..19).map(|p| 10i64.pow(p));
        let near_powers = powers.flat_map(|p| [p - 1, p, p + 1, -p, 1 - p]);
        let numbers = [0, 7, -7, 10, 99, 100, -100, 123_456_789, i64::MAX, i64::MIN]
            .into_iter()
            .chain(near_powers)
            .chain(0..20_000);
        for n in numbers {
            let mut out = Vec::new();
            push_int(&mut out, n);
            assert_eq!(out, serde_json::to_vec(&n).expect("serde"), "{n}");
        }
    }
}
