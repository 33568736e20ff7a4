//! Repeating sessions on the coach's wall clock: "Tuesdays 10:00" in Berlin
//! stays 10:00 after the clocks change, and "the 2nd Tuesday" is found in
//! each month. The same pattern is written to calendars as an RRULE.

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;

use super::when::{first_instant_at_or_after, naive_local};
use crate::model::Repeat;

/// Where in its month a day falls, as a calendar says it: `2TU` is the 2nd
/// Tuesday; a 5th weekday is written `-1` (the last), which every month has.
pub fn month_position(day: NaiveDate) -> (i32, Weekday) {
    let nth = i32::try_from(day.day0() / 7 + 1).unwrap_or(1);
    (if nth >= 5 { -1 } else { nth }, day.weekday())
}

/// The nth (1..4 from the start, -1 the last) `weekday` of a month.
pub fn nth_weekday_of(year: i32, month: u32, nth: i32, weekday: Weekday) -> Option<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    if nth > 0 {
        let ahead =
            (7 + weekday.num_days_from_monday() - first.weekday().num_days_from_monday()) % 7;
        let day =
            first.checked_add_signed(Duration::days(i64::from(ahead) + 7 * i64::from(nth - 1)))?;
        (day.month() == month).then_some(day)
    } else {
        let last = first.checked_add_months(Months::new(1))?.pred_opt()?;
        let back = (7 + last.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
        last.checked_sub_signed(Duration::days(i64::from(back)))
    }
}

/// The starts of a series of `count` from `first`, each at the same wall
/// clock time in `tz` (a time in a spring-forward gap moves to just after it).
pub fn series_starts(
    first: DateTime<Utc>,
    repeat: Repeat,
    count: i64,
    tz: Tz,
) -> Vec<DateTime<Utc>> {
    let wall = naive_local(first, tz);
    let (nth, weekday) = month_position(wall.date());
    let mut out = Vec::new();
    for n in 0..count.max(0) {
        let day = match repeat {
            Repeat::Weekly | Repeat::Fortnightly => Duration::try_days(repeat.days() * n)
                .and_then(|step| wall.date().checked_add_signed(step)),
            Repeat::Monthly => u32::try_from(n)
                .ok()
                .and_then(|n| wall.date().with_day(1)?.checked_add_months(Months::new(n)))
                .and_then(|month| nth_weekday_of(month.year(), month.month(), nth, weekday)),
        };
        let Some(day) = day else { break };
        out.push(first_instant_at_or_after(day.and_time(wall.time()), tz));
    }
    out
}

/// The RRULE of a series (without COUNT or UNTIL).
pub fn rrule_of(repeat: Repeat, first: DateTime<Utc>, tz: Tz) -> String {
    let day = naive_local(first, tz).date();
    match repeat {
        Repeat::Weekly => format!("FREQ=WEEKLY;BYDAY={}", weekday_code(day.weekday())),
        Repeat::Fortnightly => {
            format!(
                "FREQ=WEEKLY;INTERVAL=2;BYDAY={}",
                weekday_code(day.weekday())
            )
        }
        Repeat::Monthly => {
            let (nth, weekday) = month_position(day);
            format!("FREQ=MONTHLY;BYDAY={nth}{}", weekday_code(weekday))
        }
    }
}

pub fn weekday_code(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

/// "2nd Tuesday", "last Friday": how the coach reads a monthly series.
pub fn month_position_words(day: NaiveDate) -> String {
    let (nth, weekday) = month_position(day);
    let ordinal = match nth {
        1 => "1st",
        2 => "2nd",
        3 => "3rd",
        4 => "4th",
        _ => "last",
    };
    format!("{ordinal} {}", weekday_name(weekday))
}

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("instant")
            .with_timezone(&Utc)
    }

    #[test]
    fn weekly_stays_at_ten_in_berlin_across_the_end_of_march() {
        let berlin = chrono_tz::Europe::Berlin;
        // Tuesday 17 March 2026, 10:00 CET.
        let starts = series_starts(utc("2026-03-17T09:00:00Z"), Repeat::Weekly, 4, berlin);
        let walls: Vec<String> = starts
            .iter()
            .map(|s| {
                s.with_timezone(&berlin)
                    .format("%m-%d %H:%M %Z")
                    .to_string()
            })
            .collect();
        assert_eq!(
            walls,
            [
                "03-17 10:00 CET",
                "03-24 10:00 CET",
                "03-31 10:00 CEST",
                "04-07 10:00 CEST"
            ]
        );
        assert_eq!(starts[2], utc("2026-03-31T08:00:00Z"));
    }

    #[test]
    fn monthly_keeps_the_weekday_of_the_month() {
        let berlin = chrono_tz::Europe::Berlin;
        // 2nd Tuesday: 10 Nov 2026, then 8 Dec, 12 Jan, 9 Feb.
        let starts = series_starts(utc("2026-11-10T09:00:00Z"), Repeat::Monthly, 4, berlin);
        let days: Vec<String> = starts
            .iter()
            .map(|s| {
                s.with_timezone(&berlin)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .collect();
        assert_eq!(
            days,
            [
                "2026-11-10 10:00",
                "2026-12-08 10:00",
                "2027-01-12 10:00",
                "2027-02-09 10:00"
            ]
        );
        assert_eq!(
            rrule_of(Repeat::Monthly, starts[0], berlin),
            "FREQ=MONTHLY;BYDAY=2TU"
        );
        assert_eq!(
            month_position_words(NaiveDate::from_ymd_opt(2026, 11, 10).expect("day")),
            "2nd Tuesday"
        );
        // A 5th Friday is "the last Friday", which every month has.
        let last = NaiveDate::from_ymd_opt(2026, 10, 30).expect("day");
        assert_eq!(month_position(last), (-1, Weekday::Fri));
        assert_eq!(
            nth_weekday_of(2026, 11, -1, Weekday::Fri),
            NaiveDate::from_ymd_opt(2026, 11, 27)
        );
    }
}
