//! The sane range of every number and time that comes from outside: the
//! command line, the config, mail, calendars, contacts and the book itself.
//! A value is checked here where it enters; past that line the program holds
//! only values inside these bounds, so date arithmetic on them cannot
//! overflow.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use crate::error::BadInput;

/// The first year an instant may fall in.
pub const FIRST_YEAR: i32 = 1900;
/// The last year an instant may fall in.
pub const LAST_YEAR: i32 = 2200;
/// The longest `+N` / `N ago` span, and the longest DURATION read from a
/// calendar: five years.
pub const MAX_SPAN_DAYS: i64 = 5 * 366;
/// The longest session, in minutes (a whole day).
pub const MAX_SESSION_MINUTES: i64 = 24 * 60;
/// The most free times a reply or an apology may offer.
pub const MAX_OPTIONS: usize = 5;

/// Why a value is outside its bounds: one line for the coach.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct OutOfRange(pub String);

impl From<OutOfRange> for BadInput {
    fn from(err: OutOfRange) -> BadInput {
        BadInput(err.0)
    }
}

/// Whether a day lies in the years coachbook accepts.
pub fn date_in_range(date: NaiveDate) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&date.year())
}

/// An instant in the years coachbook accepts, or why not.
pub fn instant(at: DateTime<Utc>) -> Result<DateTime<Utc>, OutOfRange> {
    if date_in_range(at.date_naive()) {
        Ok(at)
    } else {
        Err(OutOfRange(format!(
            "{} is outside the years {FIRST_YEAR}-{LAST_YEAR} coachbook accepts",
            at.format("%Y-%m-%d %H:%M UTC")
        )))
    }
}

/// A day in the years coachbook accepts, or why not.
pub fn day(date: NaiveDate) -> Result<NaiveDate, OutOfRange> {
    if date_in_range(date) {
        Ok(date)
    } else {
        Err(OutOfRange(format!(
            "{date} is outside the years {FIRST_YEAR}-{LAST_YEAR} coachbook accepts"
        )))
    }
}

/// A span of at most five years (either way), or why not.
pub fn span(span: Duration) -> Result<Duration, OutOfRange> {
    if span.abs() <= Duration::days(MAX_SPAN_DAYS) {
        Ok(span)
    } else {
        Err(OutOfRange(format!(
            "a span of {} days is longer than the {MAX_SPAN_DAYS} days (five years) coachbook accepts",
            span.num_days()
        )))
    }
}

/// `at` moved by `by`, inside the accepted years; never overflows.
pub fn shift(at: DateTime<Utc>, by: Duration) -> Result<DateTime<Utc>, OutOfRange> {
    let moved = at.checked_add_signed(by).ok_or_else(|| {
        OutOfRange(format!(
            "{} moved by {} days is outside the calendar",
            at.format("%Y-%m-%d"),
            by.num_days()
        ))
    })?;
    instant(moved)
}

/// A session length: 1 to 1440 minutes.
pub fn session_minutes(minutes: i64) -> Result<i64, OutOfRange> {
    if (1..=MAX_SESSION_MINUTES).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(OutOfRange(format!(
            "a session lasts 1 to {MAX_SESSION_MINUTES} minutes (a positive number), not {minutes}"
        )))
    }
}

/// `--minutes` on the command line (clap value parser).
pub fn parse_session_minutes(text: &str) -> Result<i64, String> {
    let minutes = text
        .trim()
        .parse::<i64>()
        .map_err(|_| format!("a session lasts 1 to {MAX_SESSION_MINUTES} minutes"))?;
    session_minutes(minutes).map_err(|err| err.0)
}

/// `--options` on the command line (clap value parser): 1 to 5 free times.
pub fn parse_option_count(text: &str) -> Result<usize, String> {
    text.trim()
        .parse::<usize>()
        .ok()
        .filter(|count| (1..=MAX_OPTIONS).contains(count))
        .ok_or_else(|| format!("--options must be 1 to {MAX_OPTIONS} (free times to offer)"))
}

/// `demo --years` (clap value parser): 1 to 100 years of practice.
pub fn parse_years(text: &str) -> Result<u32, String> {
    let most = crate::demo::years::MAX_YEARS;
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|years| (1..=most).contains(years))
        .ok_or_else(|| format!("--years must be a whole number from 1 to {most}"))
}

/// `demo --mbox` (clap value parser): how many messages to write.
pub fn parse_mbox_count(text: &str) -> Result<usize, String> {
    let most = crate::demo::mbox::MAX_MESSAGES;
    text.trim()
        .parse::<usize>()
        .ok()
        .filter(|count| (1..=most).contains(count))
        .ok_or_else(|| format!("--mbox must be a whole number from 1 to {most}"))
}

/// The longest mail address (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// The most mail addresses one client may have.
pub const MAX_EMAILS: usize = 20;
/// The longest phone number, with its spaces and an extension.
pub const MAX_PHONE_CHARS: usize = 40;
/// The longest context note ("what is at stake now"): a line, not a file.
pub const MAX_CONTEXT_CHARS: usize = 300;
/// The longest notes kept with a client.
pub const MAX_NOTES_CHARS: usize = 20_000;

/// A mail address as it enters the book: trimmed, lower-cased, one `@`
/// with something on both sides, no spaces or control characters, at most
/// 254 characters.
pub fn email(text: &str) -> Result<String, OutOfRange> {
    let email = text.trim().to_lowercase();
    let count = email.chars().count();
    if count > MAX_EMAIL_CHARS {
        return Err(OutOfRange(format!(
            "a mail address of {count} characters is too long (at most {MAX_EMAIL_CHARS})"
        )));
    }
    let well_formed = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && !domain.is_empty() && !domain.contains('@')
    }) && !email
        .chars()
        .any(|ch| ch.is_whitespace() || crate::text::is_unsafe(ch));
    if well_formed {
        Ok(email)
    } else {
        Err(OutOfRange(format!(
            "{} is not a mail address (like name@example.org)",
            crate::text::quoted(text)
        )))
    }
}

/// A phone number as it enters the book from the coach: on one line, at
/// most 40 characters, at least three digits, and only digits, spaces,
/// `+ - ( ) . /` and an extension (`x12`, `ext 12`). Empty means none.
pub fn phone(text: &str) -> Result<Option<String>, OutOfRange> {
    let phone = crate::text::one_line_field(text);
    if phone.is_empty() {
        return Ok(None);
    }
    let count = phone.chars().count();
    if count > MAX_PHONE_CHARS {
        return Err(OutOfRange(format!(
            "a phone number of {count} characters is too long (at most {MAX_PHONE_CHARS})"
        )));
    }
    let lower = phone.to_lowercase();
    let rest = lower.replace("ext", "").replace('x', "");
    let digits = rest.chars().filter(char::is_ascii_digit).count();
    let allowed = rest
        .chars()
        .all(|ch| ch.is_ascii_digit() || " +-()./".contains(ch));
    if allowed && digits >= 3 {
        Ok(Some(phone))
    } else {
        Err(OutOfRange(format!(
            "{} is not a phone number (digits, spaces and + - ( ) . / only, like +49 30 1234567)",
            crate::text::quoted(text)
        )))
    }
}

/// A context note: on one line, not empty, at most 300 characters.
pub fn context(text: &str) -> Result<String, OutOfRange> {
    let context = crate::text::one_line_field(text);
    let count = context.chars().count();
    if context.is_empty() {
        Err(OutOfRange(
            "the context note is empty (to remove it, clear the context)".into(),
        ))
    } else if count > MAX_CONTEXT_CHARS {
        Err(OutOfRange(format!(
            "a context note of {count} characters is too long (at most {MAX_CONTEXT_CHARS}): say what is at stake in a line"
        )))
    } else {
        Ok(context)
    }
}

/// A client's notes: any lines, at most 20,000 characters, control
/// characters other than line breaks and tabs removed, the ends trimmed.
pub fn notes(text: &str) -> Result<String, OutOfRange> {
    let notes: String = text
        .replace("\r\n", "\n")
        .chars()
        .filter(|ch| *ch == '\n' || *ch == '\t' || !crate::text::is_unsafe(*ch))
        .collect();
    let notes = notes.trim().to_string();
    let count = notes.chars().count();
    if count > MAX_NOTES_CHARS {
        return Err(OutOfRange(format!(
            "notes of {count} characters are too long (at most {MAX_NOTES_CHARS})"
        )));
    }
    Ok(notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn instants_outside_the_years_are_refused() {
        let ok = Utc.with_ymd_and_hms(2026, 11, 23, 13, 0, 0).unwrap();
        assert_eq!(instant(ok), Ok(ok));
        let far = Utc.with_ymd_and_hms(2201, 1, 1, 0, 0, 0).unwrap();
        assert!(instant(far).unwrap_err().0.contains("1900-2200"));
        assert!(shift(ok, Duration::days(200 * 366)).is_err());
        assert!(shift(ok, Duration::MAX).is_err());
        assert!(shift(DateTime::<Utc>::MAX_UTC, Duration::days(1)).is_err());
    }

    #[test]
    fn session_minutes_and_options_have_bounds() {
        assert_eq!(parse_session_minutes("1440"), Ok(1440));
        assert!(parse_session_minutes("1441").is_err());
        assert!(parse_session_minutes("0").is_err());
        assert!(parse_session_minutes("99999999999999999999").is_err());
        assert_eq!(parse_option_count("5"), Ok(5));
        assert!(parse_option_count("6").is_err());
        assert!(parse_option_count("0").is_err());
    }

    #[test]
    fn client_fields_have_bounds() {
        assert_eq!(email(" Dana@Example.COM "), Ok("dana@example.com".into()));
        for bad in [
            "dana",
            "@example.com",
            "dana@",
            "a b@example.com",
            "a@b@c",
            "a\u{1b}@b",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
        assert!(email(&format!("{}@example.com", "a".repeat(250))).is_err());
        assert_eq!(
            phone("+1 (555) 010-0199 ext 12"),
            Ok(Some("+1 (555) 010-0199 ext 12".into()))
        );
        assert_eq!(phone("  "), Ok(None));
        for bad in ["call me", "12", "+1 555 0100; rm -rf", &"1".repeat(41)] {
            assert!(phone(bad).is_err(), "{bad}");
        }
        assert_eq!(context(" Board\nvote "), Ok("Board vote".into()));
        assert!(context(" ").is_err());
        assert!(context(&"x".repeat(301)).is_err());
        assert_eq!(notes(" a\r\nb\u{1b} "), Ok("a\nb".into()));
        assert!(notes(&"x".repeat(20_001)).is_err());
    }
}
