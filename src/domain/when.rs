//! Reading the times a coach types: WHEN (`2026-11-23 14:00`, `tomorrow 14:00`,
//! `mon 9:30`, `+2h`, `20 min ago`, `now`) and DAY (`2026-11-23`, `today`,
//! `yesterday`, `tomorrow`, `mon`), in the coach's time zone.
//!
//! Local times that do not exist (the spring-forward gap) are refused; local
//! times that happen twice (the autumn fall-back) take the first occurrence
//! and say so in a note.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
    Weekday,
};
use chrono_tz::Tz;

use crate::domain::bounds;
use crate::error::BadInput;
use crate::text::quoted;

/// A parsed instant, with a note for the coach when the reading needed a choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instant {
    pub at: DateTime<Utc>,
    pub note: Option<String>,
}

/// Turn a local date and time in `tz` into an instant (in the accepted years).
pub fn local_instant(date: NaiveDate, time: NaiveTime, tz: Tz) -> Result<Instant, BadInput> {
    bounds::day(date)?;
    let local = date.and_time(time);
    match tz.from_local_datetime(&local) {
        LocalResult::Single(at) => Ok(Instant {
            at: at.with_timezone(&Utc),
            note: None,
        }),
        LocalResult::Ambiguous(first, second) => Ok(Instant {
            at: first.with_timezone(&Utc),
            note: Some(format!(
                "{} happens twice in {} (clocks go back); taking the first, {} ({}), not {} ({})",
                local.format("%Y-%m-%d %H:%M"),
                tz.name(),
                first.format("%H:%M"),
                first.format("%Z"),
                second.format("%H:%M"),
                second.format("%Z"),
            )),
        }),
        LocalResult::None => Err(BadInput(format!(
            "{} does not exist in {} (clocks spring forward over it); pick a time outside the gap",
            local.format("%Y-%m-%d %H:%M"),
            tz.name()
        ))),
    }
}

/// The instant of a local time, or the first one after it when the local
/// time falls in a daylight-saving gap (some zones skip midnight itself).
pub fn first_instant_at_or_after(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    let mut probe = local;
    for _ in 0..(26 * 4) {
        match tz.from_local_datetime(&probe) {
            LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => {
                return at.with_timezone(&Utc);
            }
            LocalResult::None => probe += Duration::minutes(15),
        }
    }
    Utc.from_utc_datetime(&local)
}

/// The first instant of a local day: usually midnight.
pub fn start_of_day(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    first_instant_at_or_after(date.and_time(NaiveTime::MIN), tz)
}

/// The instants a local day covers: `[start, next day's start)`.
pub fn day_bounds(date: NaiveDate, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let next = date.succ_opt().unwrap_or(date);
    (start_of_day(date, tz), start_of_day(next, tz))
}

/// The local date of an instant in `tz`.
pub fn local_date(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// Read a DAY: `2026-11-23`, `today`, `yesterday`, `tomorrow`, or a weekday
/// (`mon`, `monday`: today if it is that day, else the next one).
pub fn parse_day(text: &str, now: DateTime<Utc>, tz: Tz) -> Result<NaiveDate, BadInput> {
    let today = local_date(now, tz);
    let word = text.trim().to_ascii_lowercase();
    if word.is_empty() {
        return Err(BadInput(
            "a day is needed (e.g. 2026-11-23, today, mon)".into(),
        ));
    }
    let step = |days: i64| {
        today
            .checked_add_signed(Duration::days(days))
            .ok_or_else(|| {
                BadInput(format!(
                    "{today} moved by {days} days is outside the calendar"
                ))
            })
            .and_then(|day| Ok(bounds::day(day)?))
    };
    match word.as_str() {
        "today" => return step(0),
        "yesterday" => return step(-1),
        "tomorrow" => return step(1),
        _ => {}
    }
    if let Some(weekday) = parse_weekday(&word) {
        return Ok(bounds::day(next_weekday(today, weekday))?);
    }
    parse_iso_date(&word).ok_or_else(|| {
        BadInput(format!(
            "cannot read {} as a day (use 2026-11-23, today, yesterday, tomorrow or mon)",
            quoted(text.trim())
        ))
    })?
}

/// Read a WHEN. Relative forms count from `now`; day-and-time forms are local
/// times in `tz`. A weekday with a time means the next such moment after now.
pub fn parse_when(text: &str, now: DateTime<Utc>, tz: Tz) -> Result<Instant, BadInput> {
    let trimmed = text.trim();
    let lower = trimmed.to_ascii_lowercase();
    let unreadable = || {
        BadInput(format!(
            "cannot read {} as a time (use 2026-11-23 14:00, tomorrow 14:00, mon 9:30, +2h, 20 min ago or now)",
            quoted(trimmed)
        ))
    };
    if lower.is_empty() {
        return Err(BadInput(
            "a time is needed (e.g. tomorrow 14:00, +2h, now)".into(),
        ));
    }
    if lower == "now" {
        return Ok(Instant {
            at: now,
            note: None,
        });
    }
    if let Some(rest) = lower.strip_prefix('+') {
        let span = parse_span(rest).ok_or_else(unreadable)?;
        return Ok(Instant {
            at: bounds::shift(now, bounds::span(span)?)?,
            note: None,
        });
    }
    if let Some(rest) = lower
        .strip_suffix("ago")
        .or_else(|| lower.strip_prefix('-'))
    {
        let span = parse_span(rest).ok_or_else(unreadable)?;
        return Ok(Instant {
            at: bounds::shift(now, -bounds::span(span)?)?,
            note: None,
        });
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(trimmed) {
        return Ok(Instant {
            at: bounds::instant(at.with_timezone(&Utc))?,
            note: None,
        });
    }
    if let Some((date, time)) = lower.split_once('t').filter(|(d, _)| d.len() == 10)
        && let Some(Ok(date)) = parse_iso_date(date)
    {
        let time = parse_clock(time)?.ok_or_else(unreadable)?;
        return local_instant(date, time, tz);
    }

    let words: Vec<&str> = lower.split_whitespace().collect();
    let (day_words, time_word) = match words.as_slice() {
        [time] => (None, *time),
        [time, meridiem @ ("am" | "pm")] => {
            return parse_when(&format!("{time}{meridiem}"), now, tz);
        }
        [day, time] => (Some(*day), *time),
        [day, time, meridiem @ ("am" | "pm")] => {
            return parse_when(&format!("{day} {time}{meridiem}"), now, tz);
        }
        _ => return Err(unreadable()),
    };
    let Some(time) = parse_clock(time_word)? else {
        if day_words.is_none() && (parse_iso_date(time_word).is_some() || is_day_word(time_word)) {
            return Err(BadInput(format!(
                "{} is a day; add a time, e.g. '{} 14:00'",
                quoted(trimmed),
                crate::text::cut(trimmed, 20)
            )));
        }
        return Err(unreadable());
    };
    let today = local_date(now, tz);
    let date = match day_words {
        None => today,
        Some(day) => {
            if let Some(weekday) = parse_weekday(day) {
                let date = next_weekday(today, weekday);
                if local_instant(date, time, tz).is_ok_and(|i| i.at <= now) {
                    date.checked_add_signed(Duration::days(7)).unwrap_or(date)
                } else {
                    date
                }
            } else {
                parse_day(day, now, tz)?
            }
        }
    };
    local_instant(date, time, tz)
}

fn is_day_word(word: &str) -> bool {
    matches!(word, "today" | "yesterday" | "tomorrow") || parse_weekday(word).is_some()
}

/// `Some(Ok)` for a valid `YYYY-MM-DD`, `Some(Err)` for one in that shape
/// that names no real date (31 February), `None` for another shape.
fn parse_iso_date(text: &str) -> Option<Result<NaiveDate, BadInput>> {
    let parts: Vec<&str> = text.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    if y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
        return None;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return None;
    };
    Some(
        NaiveDate::from_ymd_opt(y, m, d)
            .ok_or_else(|| BadInput(format!("there is no day {text} in the calendar")))
            .and_then(|date| Ok(bounds::day(date)?)),
    )
}

/// Read a clock time: `14:00`, `9:30`, `14:00:30`, `9`, `2pm`, `2:30pm`.
/// `Ok(None)` when the text is not shaped like a time at all.
fn parse_clock(text: &str) -> Result<Option<NaiveTime>, BadInput> {
    let (digits, meridiem) = if let Some(rest) = text.strip_suffix("am") {
        (rest, Some(false))
    } else if let Some(rest) = text.strip_suffix("pm") {
        (rest, Some(true))
    } else {
        (text, None)
    };
    let parts: Vec<&str> = digits.split(':').collect();
    if parts.is_empty()
        || parts.len() > 3
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Ok(None);
    }
    let number = |i: usize| {
        parts
            .get(i)
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(0)
    };
    let (mut hour, minute, second) = (number(0), number(1), number(2));
    let impossible = || BadInput(format!("there is no time {text} on the clock"));
    if let Some(pm) = meridiem {
        if hour == 0 || hour > 12 {
            return Err(impossible());
        }
        hour = match (hour, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
    }
    NaiveTime::from_hms_opt(hour, minute, second)
        .map(Some)
        .ok_or_else(impossible)
}

/// Read a span: `2h`, `30m`, `30 min`, `1h30m`, `2 days`, `1w`. `None` for
/// text of another shape, or a sum too big for any calendar (the caller
/// bounds it further with `bounds::span`).
pub fn parse_span(text: &str) -> Option<Duration> {
    let compact: String = text.split_whitespace().collect();
    if compact.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    let mut rest = compact.as_str();
    while !rest.is_empty() {
        let digits_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits_end == 0 {
            return None;
        }
        let amount: i64 = rest[..digits_end].parse().unwrap_or(i64::MAX);
        rest = &rest[digits_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_end];
        rest = &rest[unit_end..];
        let minutes_per = match unit {
            "m" | "min" | "mins" | "minute" | "minutes" => 1,
            "h" | "hr" | "hrs" | "hour" | "hours" => 60,
            "d" | "day" | "days" => 24 * 60,
            "w" | "week" | "weeks" => 7 * 24 * 60,
            _ => return None,
        };
        // A sum past what a number holds saturates: the caller's bound
        // (`bounds::span`) then refuses it as too long, not as unreadable.
        total = total.saturating_add(amount.saturating_mul(minutes_per));
    }
    Some(Duration::try_minutes(total).unwrap_or(Duration::MAX))
}

pub fn parse_weekday(word: &str) -> Option<Weekday> {
    let day = match word {
        "mon" | "monday" => Weekday::Mon,
        "tue" | "tues" | "tuesday" => Weekday::Tue,
        "wed" | "wednesday" => Weekday::Wed,
        "thu" | "thur" | "thurs" | "thursday" => Weekday::Thu,
        "fri" | "friday" => Weekday::Fri,
        "sat" | "saturday" => Weekday::Sat,
        "sun" | "sunday" => Weekday::Sun,
        _ => return None,
    };
    Some(day)
}

/// `from` itself when it is that weekday, else the next one.
fn next_weekday(from: NaiveDate, weekday: Weekday) -> NaiveDate {
    let ahead = (7 + weekday.num_days_from_monday() as i64
        - from.weekday().num_days_from_monday() as i64)
        % 7;
    from.checked_add_signed(Duration::days(ahead))
        .unwrap_or(from)
}

/// Show an instant as a local time for the coach: `2026-11-23 14:00`.
pub fn show_local(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// RFC 3339 with the zone's offset, as the JSON contract wants.
pub fn rfc3339_in(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// A naive local date-time, for messages.
pub fn naive_local(at: DateTime<Utc>, tz: Tz) -> NaiveDateTime {
    at.with_timezone(&tz).naive_local()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Berlin;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|d| d.with_timezone(&Utc))
            .expect("test instant")
    }

    // Sunday 22 November 2026, 15:00 in Berlin (CET, +01:00).
    fn now() -> DateTime<Utc> {
        at("2026-11-22T14:00:00Z")
    }

    fn when(text: &str) -> Result<DateTime<Utc>, BadInput> {
        parse_when(text, now(), Berlin).map(|i| i.at)
    }

    #[test]
    fn reads_every_when_form_in_the_coachs_zone() {
        assert_eq!(when("2026-11-23 14:00"), Ok(at("2026-11-23T13:00:00Z")));
        assert_eq!(when("tomorrow 14:00"), Ok(at("2026-11-23T13:00:00Z")));
        assert_eq!(when("mon 9:30"), Ok(at("2026-11-23T08:30:00Z")));
        assert_eq!(when("+2h"), Ok(at("2026-11-22T16:00:00Z")));
        assert_eq!(when("+1h30m"), Ok(at("2026-11-22T15:30:00Z")));
        assert_eq!(when("now"), Ok(now()));
        assert_eq!(when("20 min ago"), Ok(at("2026-11-22T13:40:00Z")));
        assert_eq!(when("2pm"), Ok(at("2026-11-22T13:00:00Z")));
        assert_eq!(when("tomorrow 2:30 pm"), Ok(at("2026-11-23T13:30:00Z")));
        assert_eq!(when("2026-11-23T14:00"), Ok(at("2026-11-23T13:00:00Z")));
        assert_eq!(
            when("2026-11-23T14:00:00+01:00"),
            Ok(at("2026-11-23T13:00:00Z"))
        );
    }

    #[test]
    fn a_weekday_with_a_time_already_past_today_means_next_week() {
        // It is Sunday 15:00: "sun 9:00" has passed, "sun 18:00" has not.
        assert_eq!(when("sun 9:00"), Ok(at("2026-11-29T08:00:00Z")));
        assert_eq!(when("sun 18:00"), Ok(at("2026-11-22T17:00:00Z")));
    }

    #[test]
    fn reads_every_day_form() {
        let day = |t: &str| parse_day(t, now(), Berlin);
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
        assert_eq!(day("2026-11-23"), Ok(date(2026, 11, 23)));
        assert_eq!(day("today"), Ok(date(2026, 11, 22)));
        assert_eq!(day("yesterday"), Ok(date(2026, 11, 21)));
        assert_eq!(day("tomorrow"), Ok(date(2026, 11, 23)));
        assert_eq!(day("mon"), Ok(date(2026, 11, 23)));
        assert_eq!(day("Sunday"), Ok(date(2026, 11, 22)));
    }

    #[test]
    fn the_day_follows_the_coachs_zone_not_utc() {
        // 23:30 UTC on the 22nd is already the 23rd in Berlin.
        let late = at("2026-11-22T23:30:00Z");
        assert_eq!(
            parse_day("today", late, Berlin),
            Ok(NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"))
        );
    }

    #[test]
    fn impossible_dates_and_times_are_refused_with_a_reason() {
        assert_eq!(
            when("2026-02-31 10:00").unwrap_err().0,
            "there is no day 2026-02-31 in the calendar"
        );
        assert_eq!(
            when("tomorrow 25:00").unwrap_err().0,
            "there is no time 25:00 on the clock"
        );
        assert!(when("tomorrow 10:61").is_err());
        assert!(when("13pm").is_err());
        assert!(when("next week sometime").is_err());
        assert!(when("").is_err());
        assert!(when("+").is_err());
        assert!(parse_day("someday", now(), Berlin).is_err());
        assert!(parse_day("2026-13-01", now(), Berlin).is_err());
    }

    #[test]
    fn a_day_without_a_time_asks_for_the_time() {
        assert_eq!(
            when("tomorrow").unwrap_err().0,
            "'tomorrow' is a day; add a time, e.g. 'tomorrow 14:00'"
        );
    }

    #[test]
    fn the_spring_forward_gap_is_refused() {
        // Berlin skips 02:00-03:00 on 29 March 2026.
        let err = when("2026-03-29 02:30").unwrap_err();
        assert_eq!(
            err.0,
            "2026-03-29 02:30 does not exist in Europe/Berlin (clocks spring forward over it); pick a time outside the gap"
        );
        assert_eq!(when("2026-03-29 03:00"), Ok(at("2026-03-29T01:00:00Z")));
    }

    #[test]
    fn an_ambiguous_autumn_time_takes_the_first_and_says_so() {
        // Berlin repeats 02:00-03:00 on 25 October 2026.
        let parsed = parse_when("2026-10-25 02:30", now(), Berlin).expect("parses");
        assert_eq!(parsed.at, at("2026-10-25T00:30:00Z"));
        let note = parsed.note.expect("a note");
        assert!(note.contains("happens twice"), "{note}");
        assert!(note.contains("CEST"), "{note}");
    }

    #[test]
    fn day_bounds_cover_23_and_25_hour_days() {
        let spring = NaiveDate::from_ymd_opt(2026, 3, 29).expect("date");
        let (start, end) = day_bounds(spring, Berlin);
        assert_eq!((end - start).num_hours(), 23);
        let autumn = NaiveDate::from_ymd_opt(2026, 10, 25).expect("date");
        let (start, end) = day_bounds(autumn, Berlin);
        assert_eq!((end - start).num_hours(), 25);
    }

    #[test]
    fn a_midnight_inside_a_gap_starts_the_day_after_the_gap() {
        // Santiago springs forward at 00:00 on 6 September 2026.
        let tz: Tz = "America/Santiago".parse().expect("zone");
        let date = NaiveDate::from_ymd_opt(2026, 9, 6).expect("date");
        let start = start_of_day(date, tz);
        assert_eq!(
            start.with_timezone(&tz).format("%H:%M").to_string(),
            "01:00"
        );
    }

    #[test]
    fn spans_read_common_units() {
        assert_eq!(parse_span("90m"), Some(Duration::minutes(90)));
        assert_eq!(parse_span("2 days"), Some(Duration::days(2)));
        assert_eq!(parse_span("1w"), Some(Duration::weeks(1)));
        assert_eq!(parse_span("h"), None);
        assert_eq!(parse_span("5 parsecs"), None);
    }
}
