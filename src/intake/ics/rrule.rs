//! RRULE (RFC 5545 §3.3.10), the part calendars of a coach's day use:
//! FREQ=DAILY/WEEKLY/MONTHLY/YEARLY with INTERVAL, COUNT, UNTIL, BYDAY,
//! BYMONTHDAY, BYMONTH and WKST. Anything else (BYSETPOS, BYHOUR, …) is
//! refused, so an event is skipped rather than expanded wrongly.
//!
//! Expansion runs on the event's wall clock, so a weekly 09:00 stays 09:00
//! across a DST change; the caller turns each wall time into an instant.

use chrono::{
    DateTime, Datelike, Duration, Months, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday,
};

use super::zones::nth_weekday;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freq {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

/// The end of a rule, as written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Until {
    Date(NaiveDate),
    Utc(DateTime<Utc>),
    Local(NaiveDateTime),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub freq: Freq,
    pub interval: u32,
    pub count: Option<u32>,
    pub until: Option<Until>,
    /// (ordinal, weekday): `2MO` is (Some(2), Mon), `-1FR` is (Some(-1), Fri).
    pub by_day: Vec<(Option<i32>, Weekday)>,
    pub by_month_day: Vec<i32>,
    pub by_month: Vec<u32>,
    pub week_start: Weekday,
}

/// How many periods (days, weeks, months) expansion walks at most.
const MAX_PERIODS: u32 = 40_000;
/// A larger INTERVAL is no real calendar's; refusing it keeps dates in range.
const MAX_INTERVAL: u32 = 1_000;

pub fn parse_rule(value: &str) -> Result<Rule, String> {
    let mut rule = Rule {
        freq: Freq::Daily,
        interval: 1,
        count: None,
        until: None,
        by_day: Vec::new(),
        by_month_day: Vec::new(),
        by_month: Vec::new(),
        week_start: Weekday::Mon,
    };
    let mut freq = None;
    for part in value.trim().split(';').filter(|p| !p.is_empty()) {
        let Some((key, val)) = part.split_once('=') else {
            return Err(format!("RRULE part '{part}' is not KEY=VALUE"));
        };
        let bad = || format!("RRULE {key}={val} is not understood");
        match key.trim().to_ascii_uppercase().as_str() {
            "FREQ" => {
                freq = Some(match val.to_ascii_uppercase().as_str() {
                    "DAILY" => Freq::Daily,
                    "WEEKLY" => Freq::Weekly,
                    "MONTHLY" => Freq::Monthly,
                    "YEARLY" => Freq::Yearly,
                    _ => return Err(format!("RRULE FREQ={val} is not supported")),
                })
            }
            "INTERVAL" => {
                rule.interval = val
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_INTERVAL).contains(n))
                    .ok_or_else(bad)?
            }
            "COUNT" => rule.count = Some(val.parse().map_err(|_| bad())?),
            "UNTIL" => {
                let until = parse_until(val).ok_or_else(bad)?;
                crate::domain::bounds::day(until.date())
                    .map_err(|err| format!("RRULE UNTIL: {err}"))?;
                rule.until = Some(until);
            }
            "BYDAY" => {
                rule.by_day = val
                    .split(',')
                    .map(parse_by_day)
                    .collect::<Option<_>>()
                    .ok_or_else(bad)?
            }
            "BYMONTHDAY" => {
                rule.by_month_day = val
                    .split(',')
                    .map(|d| {
                        d.trim()
                            .parse()
                            .ok()
                            .filter(|d: &i32| (1..=31).contains(&d.abs()))
                    })
                    .collect::<Option<_>>()
                    .ok_or_else(bad)?
            }
            "BYMONTH" => {
                rule.by_month = val
                    .split(',')
                    .map(|m| m.trim().parse().ok().filter(|m| (1..=12).contains(m)))
                    .collect::<Option<_>>()
                    .ok_or_else(bad)?
            }
            "WKST" => rule.week_start = weekday(val).ok_or_else(bad)?,
            k if k.starts_with("X-") => {}
            other => return Err(format!("RRULE {other} is not supported")),
        }
    }
    rule.freq = freq.ok_or("RRULE has no FREQ")?;
    if rule.freq != Freq::Monthly
        && rule.freq != Freq::Yearly
        && rule.by_day.iter().any(|(n, _)| n.is_some())
    {
        return Err("RRULE BYDAY with a number needs FREQ=MONTHLY or YEARLY".into());
    }
    if rule.freq == Freq::Yearly && rule.by_month.is_empty() && !rule.by_day.is_empty() {
        return Err("RRULE FREQ=YEARLY with BYDAY but no BYMONTH is not supported".into());
    }
    Ok(rule)
}

impl Until {
    /// The day it names, as written.
    fn date(&self) -> NaiveDate {
        match self {
            Until::Date(day) => *day,
            Until::Utc(at) => at.date_naive(),
            Until::Local(local) => local.date(),
        }
    }
}

fn parse_until(text: &str) -> Option<Until> {
    let text = text.trim();
    if let Some(utc) = text.strip_suffix('Z') {
        let local = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").ok()?;
        return Some(Until::Utc(local.and_utc()));
    }
    if text.len() == 8 {
        return NaiveDate::parse_from_str(text, "%Y%m%d")
            .ok()
            .map(Until::Date);
    }
    NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%S")
        .ok()
        .map(Until::Local)
}

fn parse_by_day(text: &str) -> Option<(Option<i32>, Weekday)> {
    let text = text.trim();
    if text.len() < 2 {
        return None;
    }
    let (number, day) = text.split_at(text.len() - 2);
    let day = weekday(day)?;
    if number.is_empty() {
        return Some((None, day));
    }
    let n: i32 = number.trim_start_matches('+').parse().ok()?;
    (n != 0 && n.abs() <= 5).then_some((Some(n), day))
}

fn weekday(text: &str) -> Option<Weekday> {
    Some(match text.trim().to_ascii_uppercase().as_str() {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

/// The wall-clock starts of a rule from `start` (itself always the first),
/// stopping at COUNT, UNTIL or the first start whose instant is after
/// `stop_after`. `to_utc` places a wall time (UNTIL in UTC is compared as
/// an instant, as RFC 5545 says).
pub fn expand(
    rule: &Rule,
    start: NaiveDateTime,
    to_utc: &dyn Fn(NaiveDateTime) -> DateTime<Utc>,
    stop_after: DateTime<Utc>,
) -> Vec<NaiveDateTime> {
    let mut out = Vec::new();
    let time = start.time();
    let past_until = |at: NaiveDateTime| match rule.until {
        None => false,
        Some(Until::Date(day)) => at.date() > day,
        Some(Until::Local(local)) => at > local,
        Some(Until::Utc(instant)) => to_utc(at) > instant,
    };
    let accept = |at: NaiveDateTime, out: &mut Vec<NaiveDateTime>| -> bool {
        if past_until(at) || to_utc(at) > stop_after {
            return false;
        }
        out.push(at);
        rule.count.is_none_or(|count| out.len() < count as usize)
    };
    if rule.count == Some(0) || !accept(start, &mut out) {
        return out;
    }
    for period in 0..MAX_PERIODS {
        // A rule that picks no day at all (the 30th of February) would
        // otherwise search all 40,000 periods: stop once a period begins
        // after the window (or past the last year coachbook accepts).
        match period_start(rule, start.date(), period) {
            Some(first) if crate::domain::bounds::date_in_range(first) => {
                if to_utc(first.and_time(NaiveTime::MIN)) > stop_after {
                    return out;
                }
            }
            _ => return out,
        }
        let mut days = period_days(rule, start.date(), period);
        days.sort();
        for day in days {
            let at = day.and_time(time);
            if at <= start {
                continue;
            }
            if !rule.by_month.is_empty() && !rule.by_month.contains(&day.month()) {
                continue;
            }
            if !accept(at, &mut out) {
                return out;
            }
        }
    }
    out
}

/// The first day of the `period`-th period after `start`'s (or a day no
/// later than any it holds).
fn period_start(rule: &Rule, start: NaiveDate, period: u32) -> Option<NaiveDate> {
    let step = i64::from(period) * i64::from(rule.interval);
    match rule.freq {
        Freq::Daily => start.checked_add_signed(Duration::try_days(step)?),
        Freq::Weekly => start.checked_add_signed(Duration::try_weeks(step)? - Duration::days(7)),
        Freq::Monthly => first_of_month(start, step),
        Freq::Yearly => NaiveDate::from_ymd_opt(
            i32::try_from(i64::from(start.year()).checked_add(step)?).ok()?,
            1,
            1,
        ),
    }
}

/// The candidate days of the `period`-th period after `start`'s.
fn period_days(rule: &Rule, start: NaiveDate, period: u32) -> Vec<NaiveDate> {
    let step = i64::from(period) * i64::from(rule.interval);
    match rule.freq {
        Freq::Daily => {
            let Some(day) = Duration::try_days(step).and_then(|d| start.checked_add_signed(d))
            else {
                return vec![];
            };
            let fits = (rule.by_day.is_empty()
                || rule.by_day.iter().any(|(_, w)| *w == day.weekday()))
                && month_day_fits(rule, day);
            if fits { vec![day] } else { vec![] }
        }
        Freq::Weekly => {
            let back = (7 + start.weekday().num_days_from_monday()
                - rule.week_start.num_days_from_monday())
                % 7;
            let Some(week) = Duration::try_weeks(step)
                .and_then(|w| start.checked_add_signed(w - Duration::days(i64::from(back))))
            else {
                return vec![];
            };
            let weekdays: Vec<Weekday> = if rule.by_day.is_empty() {
                vec![start.weekday()]
            } else {
                rule.by_day.iter().map(|(_, w)| *w).collect()
            };
            (0..7)
                .filter_map(|d| week.checked_add_signed(Duration::days(d)))
                .filter(|d| weekdays.contains(&d.weekday()))
                .collect()
        }
        Freq::Monthly => {
            let Some(first) = first_of_month(start, step) else {
                return vec![];
            };
            month_days(rule, first.year(), first.month(), start.day())
        }
        Freq::Yearly => {
            let Ok(year) = i32::try_from(i64::from(start.year()) + step) else {
                return vec![];
            };
            let months = if rule.by_month.is_empty() {
                vec![start.month()]
            } else {
                rule.by_month.clone()
            };
            months
                .into_iter()
                .flat_map(|m| month_days(rule, year, m, start.day()))
                .collect()
        }
    }
}

fn first_of_month(start: NaiveDate, months: i64) -> Option<NaiveDate> {
    let first = start.with_day(1)?;
    first.checked_add_months(Months::new(u32::try_from(months).ok()?))
}

/// The days of one month a MONTHLY (or YEARLY-in-a-month) rule picks.
fn month_days(rule: &Rule, year: i32, month: u32, start_day: u32) -> Vec<NaiveDate> {
    let all: Vec<NaiveDate> = (1..=31)
        .filter_map(|d| NaiveDate::from_ymd_opt(year, month, d))
        .collect();
    if !rule.by_day.is_empty() {
        let mut days: Vec<NaiveDate> = rule
            .by_day
            .iter()
            .flat_map(|(nth, weekday)| match nth {
                Some(n) => nth_weekday(year, month, *n, *weekday).into_iter().collect(),
                None => all
                    .iter()
                    .copied()
                    .filter(|d| d.weekday() == *weekday)
                    .collect::<Vec<_>>(),
            })
            .filter(|d| month_day_fits(rule, *d))
            .collect();
        days.dedup();
        return days;
    }
    if !rule.by_month_day.is_empty() {
        return all
            .into_iter()
            .filter(|d| month_day_fits(rule, *d))
            .collect();
    }
    // No BY part: the start's day of the month; a month without it has none.
    NaiveDate::from_ymd_opt(year, month, start_day)
        .into_iter()
        .collect()
}

fn month_day_fits(rule: &Rule, day: NaiveDate) -> bool {
    if rule.by_month_day.is_empty() {
        return true;
    }
    let len = days_in_month(day);
    rule.by_month_day.iter().any(|&d| {
        let wanted = if d > 0 { d } else { len + 1 + d };
        wanted == day.day() as i32
    })
}

fn days_in_month(day: NaiveDate) -> i32 {
    (28..=31)
        .rev()
        .find(|d| NaiveDate::from_ymd_opt(day.year(), day.month(), *d as u32).is_some())
        .unwrap_or(28)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%S").expect("test time")
    }

    fn run(rule: &str, start: &str) -> Vec<String> {
        let rule = parse_rule(rule).expect("rule parses");
        let far = at("21000101T000000").and_utc();
        expand(&rule, at(start), &|local| local.and_utc(), far)
            .iter()
            .map(|d| d.format("%Y%m%dT%H%M").to_string())
            .collect()
    }

    #[test]
    fn daily_with_count() {
        assert_eq!(
            run("FREQ=DAILY;COUNT=3", "20260201T100000"),
            ["20260201T1000", "20260202T1000", "20260203T1000"]
        );
    }

    #[test]
    fn weekly_byday_interval_until() {
        let got = run(
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;UNTIL=20260305T235959Z",
            "20260203T090000",
        );
        assert_eq!(
            got,
            [
                "20260203T0900",
                "20260205T0900",
                "20260217T0900",
                "20260219T0900",
                "20260303T0900",
                "20260305T0900"
            ]
        );
    }

    #[test]
    fn weekly_starts_on_the_dtstart_weekday_by_default() {
        assert_eq!(
            run("FREQ=WEEKLY;COUNT=2", "20260206T080000"),
            ["20260206T0800", "20260213T0800"]
        );
    }

    #[test]
    fn monthly_nth_weekday_and_month_days() {
        assert_eq!(
            run("FREQ=MONTHLY;BYDAY=-1FR;COUNT=3", "20260130T100000"),
            ["20260130T1000", "20260227T1000", "20260327T1000"]
        );
        assert_eq!(
            run("FREQ=MONTHLY;COUNT=3", "20260131T100000"),
            ["20260131T1000", "20260331T1000", "20260531T1000"]
        );
        assert_eq!(
            run("FREQ=MONTHLY;BYMONTHDAY=1,-1;COUNT=3", "20260201T100000"),
            ["20260201T1000", "20260228T1000", "20260301T1000"]
        );
    }

    #[test]
    fn yearly_anniversary() {
        assert_eq!(
            run("FREQ=YEARLY;COUNT=2", "20260322T000000"),
            ["20260322T0000", "20270322T0000"]
        );
    }

    #[test]
    fn until_as_a_date_is_inclusive() {
        assert_eq!(run("FREQ=DAILY;UNTIL=20260203", "20260201T100000").len(), 3);
    }

    #[test]
    fn malformed_rules_are_refused() {
        assert!(parse_rule("RRULE:AnythingRandom;FREQ=WEEKLY;BYDAY=FR,MO").is_err());
        assert!(parse_rule("FREQ=HOURLY").is_err());
        assert!(parse_rule("FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO").is_err());
        assert!(parse_rule("BYDAY=MO").is_err());
        assert!(parse_rule("FREQ=WEEKLY;BYDAY=XX").is_err());
        assert!(parse_rule("FREQ=WEEKLY;INTERVAL=0").is_err());
        assert!(parse_rule("FREQ=WEEKLY;INTERVAL=4000000000").is_err());
        assert!(parse_rule("FREQ=WEEKLY;X-NAME=1;BYDAY=MO").is_ok());
    }

    #[test]
    fn unbounded_rules_stop_at_the_window() {
        let rule = parse_rule("FREQ=DAILY").expect("rule");
        let stop = at("20260110T000000").and_utc();
        let got = expand(&rule, at("20260101T090000"), &|l| l.and_utc(), stop);
        assert_eq!(got.len(), 9);
    }
}
