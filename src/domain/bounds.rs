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
}
