//! RRULE (RFC 5545 §3.3.10), read here and expanded by the `rrule` crate:
//! FREQ=YEARLY..HOURLY with INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY,
//! BYMONTH, BYSETPOS, BYHOUR/BYMINUTE/BYSECOND, BYWEEKNO, BYYEARDAY and
//! WKST. A malformed rule is refused with a reason, so the event is skipped
//! rather than expanded wrongly (and the rest of the file still counts).
//!
//! Expansion runs on the event's wall clock (the crate sees wall times as
//! UTC), so a weekly 09:00 stays 09:00 across a DST change; the caller turns
//! each wall time into an instant. COUNT and UNTIL are applied here: COUNT
//! counts DTSTART as the first instance (RFC 5545 §3.8.5.3), and an UNTIL in
//! UTC is compared with each instance's instant.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freq {
    Hourly,
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
    pub by_month: Vec<u32>,
    /// The rule without COUNT, UNTIL and X- parts, as the crate reads it.
    engine: String,
}

/// How many instances one event may have at most (a daily event for 270
/// years); past it the expansion stops.
const MAX_INSTANCES: usize = 100_000;
/// A larger INTERVAL is no real calendar's; refusing it keeps dates in range.
const MAX_INTERVAL: u32 = 1_000;
/// Keys handed to the crate as written, after a check of their numbers.
const NUMBER_LISTS: &[(&str, i32, i32)] = &[
    ("BYSETPOS", -366, 366),
    ("BYHOUR", 0, 23),
    ("BYMINUTE", 0, 59),
    ("BYSECOND", 0, 60),
    ("BYWEEKNO", -53, 53),
    ("BYYEARDAY", -366, 366),
    ("BYMONTHDAY", -31, 31),
];

pub fn parse_rule(value: &str) -> Result<Rule, String> {
    let mut rule = Rule {
        freq: Freq::Daily,
        interval: 1,
        count: None,
        until: None,
        by_day: Vec::new(),
        by_month: Vec::new(),
        engine: String::new(),
    };
    let mut freq = None;
    let mut engine: Vec<String> = Vec::new();
    for part in value.trim().split(';').filter(|p| !p.is_empty()) {
        let Some((key, val)) = part.split_once('=') else {
            return Err(format!("RRULE part '{part}' is not KEY=VALUE"));
        };
        let key = key.trim().to_ascii_uppercase();
        let val = val.trim();
        let bad = || format!("RRULE {key}={val} is not understood");
        match key.as_str() {
            "FREQ" => {
                freq = Some(match val.to_ascii_uppercase().as_str() {
                    "HOURLY" => Freq::Hourly,
                    "DAILY" => Freq::Daily,
                    "WEEKLY" => Freq::Weekly,
                    "MONTHLY" => Freq::Monthly,
                    "YEARLY" => Freq::Yearly,
                    _ => return Err(format!("RRULE FREQ={val} is not supported")),
                });
                engine.push(format!("FREQ={}", val.to_ascii_uppercase()));
            }
            "INTERVAL" => {
                rule.interval = val
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_INTERVAL).contains(n))
                    .ok_or_else(bad)?;
                engine.push(format!("INTERVAL={}", rule.interval));
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
                    .ok_or_else(bad)?;
                engine.push(format!(
                    "BYDAY={}",
                    val.to_ascii_uppercase().replace(' ', "")
                ));
            }
            "BYMONTH" => {
                rule.by_month = val
                    .split(',')
                    .map(|m| m.trim().parse().ok().filter(|m| (1..=12).contains(m)))
                    .collect::<Option<_>>()
                    .ok_or_else(bad)?;
                engine.push(format!("BYMONTH={val}"));
            }
            "WKST" => {
                weekday(val).ok_or_else(bad)?;
                engine.push(format!("WKST={}", val.to_ascii_uppercase()));
            }
            k if k.starts_with("X-") => {}
            k => {
                let Some((_, low, high)) = NUMBER_LISTS.iter().find(|(name, _, _)| *name == k)
                else {
                    return Err(format!("RRULE {k} is not supported"));
                };
                let ok = val.split(',').all(|n| {
                    n.trim()
                        .parse::<i32>()
                        .is_ok_and(|n| (*low..=*high).contains(&n) && (n != 0 || *low >= 0))
                });
                if !ok {
                    return Err(bad());
                }
                engine.push(format!("{k}={}", val.replace(' ', "")));
            }
        }
    }
    rule.freq = freq.ok_or("RRULE has no FREQ")?;
    if !matches!(rule.freq, Freq::Monthly | Freq::Yearly)
        && rule.by_day.iter().any(|(n, _)| n.is_some())
    {
        return Err("RRULE BYDAY with a number needs FREQ=MONTHLY or YEARLY".into());
    }
    rule.engine = engine.join(";");
    if !month_days_can_meet(value) {
        return Err("RRULE picks no day at all (BYMONTHDAY never falls in BYMONTH)".into());
    }
    if !year_parts_can_meet(value) {
        return Err(
            "RRULE picks no day at all (BYYEARDAY or BYWEEKNO never falls in BYMONTH)".into(),
        );
    }
    if !set_positions_can_meet(value, rule.freq) {
        return Err(
            "RRULE picks no instance at all (BYSETPOS past the instances of a period)".into(),
        );
    }
    // Let the crate check what it will expand (with any start: the checks
    // that depend on DTSTART only fill in defaults).
    let probe = Utc
        .with_ymd_and_hms(2000, 1, 3, 9, 0, 0)
        .single()
        .ok_or("no probe start")?;
    rule.set_from(probe.naive_utc())?;
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

impl Rule {
    fn set_from(&self, start: NaiveDateTime) -> Result<rrule::RRuleSet, String> {
        let parsed: rrule::RRule<rrule::Unvalidated> = self
            .engine
            .parse()
            .map_err(|err| format!("RRULE {}: {err}", self.engine))?;
        // `limit`: a rule that picks no day in a long stretch stops after
        // the crate's bounded number of empty periods instead of walking to
        // the year 10,000 (seconds for one event).
        parsed
            .build(rrule::Tz::UTC.from_utc_datetime(&start))
            .map(rrule::RRuleSet::limit)
            .map_err(|err| format!("RRULE {}: {err}", self.engine))
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
    (n != 0 && n.abs() <= 53).then_some((Some(n), day))
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
/// an instant, as RFC 5545 says). Each instance comes once, however many
/// parts of the rule make it (`BYDAY=MO,1MO`).
pub fn expand(
    rule: &Rule,
    start: NaiveDateTime,
    to_utc: &dyn Fn(NaiveDateTime) -> DateTime<Utc>,
    stop_after: DateTime<Utc>,
) -> Vec<NaiveDateTime> {
    let mut out = Vec::new();
    let past_until = |at: NaiveDateTime| match rule.until {
        None => false,
        Some(Until::Date(day)) => at.date() > day,
        Some(Until::Local(local)) => at > local,
        Some(Until::Utc(instant)) => to_utc(at) > instant,
    };
    let accept = |at: NaiveDateTime, out: &mut Vec<NaiveDateTime>| -> bool {
        if past_until(at) || to_utc(at) > stop_after || out.len() >= MAX_INSTANCES {
            return false;
        }
        out.push(at);
        rule.count.is_none_or(|count| out.len() < count as usize)
    };
    if rule.count == Some(0) || !accept(start, &mut out) {
        return out;
    }
    let Ok(set) = rule.set_from(start) else {
        return out;
    };
    let mut last = start;
    for at in &set {
        let at = at.naive_utc();
        if at <= last {
            continue;
        }
        last = at;
        if !accept(at, &mut out) {
            break;
        }
    }
    out
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
        assert!(parse_rule("FREQ=MINUTELY").is_err());
        assert!(parse_rule("FREQ=MONTHLY;BYSETPOS=0;BYDAY=MO").is_err());
        assert!(parse_rule("FREQ=DAILY;BYHOUR=25").is_err());
        assert!(parse_rule("FREQ=WEEKLY;BYDAY=1MO").is_err());
        assert!(parse_rule("BYDAY=MO").is_err());
        assert!(parse_rule("FREQ=WEEKLY;BYDAY=XX").is_err());
        assert!(parse_rule("FREQ=WEEKLY;INTERVAL=0").is_err());
        assert!(parse_rule("FREQ=WEEKLY;INTERVAL=4000000000").is_err());
        assert!(parse_rule("FREQ=WEEKLY;X-NAME=1;BYDAY=MO").is_ok());
    }

    #[test]
    fn outlooks_last_weekday_of_the_month_by_setpos() {
        assert_eq!(
            run(
                "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3",
                "20260130T100000"
            ),
            ["20260130T1000", "20260227T1000", "20260331T1000"]
        );
    }

    #[test]
    fn by_hour_and_minute_and_hourly() {
        assert_eq!(
            run(
                "FREQ=DAILY;BYHOUR=9,14;BYMINUTE=30;COUNT=4",
                "20260201T093000"
            ),
            [
                "20260201T0930",
                "20260201T1430",
                "20260202T0930",
                "20260202T1430"
            ]
        );
        assert_eq!(
            run("FREQ=HOURLY;INTERVAL=3;COUNT=3", "20260201T090000"),
            ["20260201T0900", "20260201T1200", "20260201T1500"]
        );
    }

    #[test]
    fn by_week_number_and_year_day() {
        // ISO week 1 of 2027 starts on Monday 4 January.
        assert_eq!(
            run("FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO;COUNT=2", "20260105T080000"),
            ["20260105T0800", "20270104T0800"]
        );
        assert_eq!(
            run("FREQ=YEARLY;BYYEARDAY=1,-1;COUNT=3", "20260101T080000"),
            ["20260101T0800", "20261231T0800", "20270101T0800"]
        );
    }

    #[test]
    fn a_day_named_twice_is_one_instance_and_spends_count_once() {
        // BYDAY=MO,1MO: the first Monday is named twice; it comes once and
        // COUNT counts it once. (The crate, like Python's dateutil, which
        // recurring-ical-events uses, reads the numbered day as the filter:
        // checked with `rrulestr("FREQ=MONTHLY;BYDAY=MO,1MO;COUNT=5")`.)
        assert_eq!(
            run("FREQ=MONTHLY;BYDAY=MO,1MO;COUNT=5", "20260202T100000"),
            [
                "20260202T1000",
                "20260302T1000",
                "20260406T1000",
                "20260504T1000",
                "20260601T1000"
            ]
        );
    }

    #[test]
    fn unbounded_rules_stop_at_the_window() {
        let rule = parse_rule("FREQ=DAILY").expect("rule");
        let stop = at("20260110T000000").and_utc();
        let got = expand(&rule, at("20260101T090000"), &|l| l.and_utc(), stop);
        assert_eq!(got.len(), 9);
    }
}

/// The numbers of a rule part (`BYMONTHDAY=1,-1`), if the rule has it.
fn part_numbers(value: &str, key: &str) -> Option<Vec<i32>> {
    value.split(';').find_map(|part| {
        let (k, v) = part.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(key)
            .then(|| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
    })
}

/// Whether some BYSETPOS can pick an instance: a period (a day, a week, a
/// month, a year) holds at most so many candidates, and a position past
/// them all never matches (the expander would search for ever).
fn set_positions_can_meet(value: &str, freq: Freq) -> bool {
    let Some(positions) = part_numbers(value, "BYSETPOS") else {
        return true;
    };
    let count = |key: &str| part_numbers(value, key).map(|n| n.len().max(1));
    let weekdays = value.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("BYDAY")
            .then(|| v.split(',').count())
    });
    let (days_in_period, weeks, months) = match freq {
        Freq::Daily => (1, 1, 1),
        Freq::Weekly => (7, 1, 1),
        Freq::Monthly => (31, 5, 1),
        Freq::Yearly => (366, 53, 12),
        // An hour holds the times it names; nothing cheap to bound there.
        Freq::Hourly => return true,
    };
    let mut days = days_in_period;
    if let Some(n) = weekdays {
        days = days.min(n * weeks);
    }
    if let Some(n) = count("BYMONTHDAY") {
        days = days.min(n * months);
    }
    let times = count("BYHOUR").unwrap_or(1)
        * count("BYMINUTE").unwrap_or(1)
        * count("BYSECOND").unwrap_or(1);
    let most = days.saturating_mul(times);
    positions
        .iter()
        .any(|p| usize::try_from(p.unsigned_abs()).is_ok_and(|p| p <= most))
}

/// Whether a BYYEARDAY or BYWEEKNO can fall in one of BYMONTH's months,
/// in a common or a leap year (generously: a week may reach three days
/// into the months either side).
fn year_parts_can_meet(value: &str) -> bool {
    let Some(months) = part_numbers(value, "BYMONTH") else {
        return true;
    };
    // The first and last day of the year each month covers, common and leap.
    let span = |month: i32, leap: bool| -> (i32, i32) {
        let lengths = [
            31,
            if leap { 29 } else { 28 },
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ];
        let before: i32 = lengths
            .iter()
            .take(usize::try_from(month - 1).unwrap_or(0))
            .sum();
        let length = lengths
            .get(usize::try_from(month - 1).unwrap_or(0))
            .copied()
            .unwrap_or(31);
        (before + 1, before + length)
    };
    let covers = |first: i32, last: i32| {
        [false, true].iter().any(|leap| {
            let year = if *leap { 366 } else { 365 };
            months.iter().any(|m| {
                let (from, to) = span(*m, *leap);
                let (first, last) = (
                    if first < 0 { year + 1 + first } else { first },
                    if last < 0 { year + 1 + last } else { last },
                );
                first <= to && last >= from
            })
        })
    };
    if let Some(days) = part_numbers(value, "BYYEARDAY")
        && !days.iter().any(|d| covers(*d, *d))
    {
        return false;
    }
    // Days of the year a week can touch; before day 1 is last December,
    // past the year's end is next January.
    let week_touches = |first: i32, last: i32| {
        [false, true].iter().any(|leap| {
            let year = if *leap { 366 } else { 365 };
            months.iter().any(|m| {
                let (from, to) = span(*m, *leap);
                let inside = first.max(1) <= to && last.min(year) >= from;
                let december = first < 1 && *m == 12;
                let january = last > year && *m == 1;
                inside || december || january
            })
        })
    };
    if let Some(weeks) = part_numbers(value, "BYWEEKNO")
        && !weeks.iter().any(|w| {
            let w = if *w < 0 { 53 + 1 + w } else { *w };
            week_touches((w - 1) * 7 - 3, w * 7 + 3)
        })
    {
        return false;
    }
    true
}

/// Whether a rule's BYMONTHDAY can ever fall in its BYMONTH (the 30th of
/// February never does): such a rule would make the expander search
/// thousands of years for nothing.
fn month_days_can_meet(value: &str) -> bool {
    let (Some(days), Some(months)) = (
        part_numbers(value, "BYMONTHDAY"),
        part_numbers(value, "BYMONTH"),
    ) else {
        return true;
    };
    // The longest each month can be (February in a leap year).
    let longest = |month: i32| match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    months
        .iter()
        .any(|m| days.iter().any(|d| d.unsigned_abs() <= longest(*m)))
}

#[cfg(test)]
mod feasibility_tests {
    use super::*;

    #[test]
    fn a_rule_that_picks_no_day_is_refused_at_once() {
        assert!(parse_rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30").is_err());
        assert!(parse_rule("FREQ=DAILY;BYMONTH=4,6;BYMONTHDAY=31").is_err());
        assert!(parse_rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29").is_ok());
        assert!(parse_rule("FREQ=YEARLY;BYMONTH=2,3;BYMONTHDAY=30").is_ok());
        assert!(parse_rule("FREQ=MONTHLY;BYMONTHDAY=-1").is_ok());
        assert!(parse_rule("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6").is_err());
        assert!(parse_rule("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1").is_ok());
        assert!(parse_rule("FREQ=WEEKLY;BYDAY=MO;BYSETPOS=2").is_err());
        assert!(parse_rule("FREQ=YEARLY;BYYEARDAY=60;BYMONTH=1").is_err());
        assert!(parse_rule("FREQ=YEARLY;BYYEARDAY=60;BYMONTH=2,3").is_ok());
        assert!(parse_rule("FREQ=YEARLY;BYYEARDAY=-1;BYMONTH=12").is_ok());
        assert!(parse_rule("FREQ=YEARLY;BYWEEKNO=1;BYMONTH=6").is_err());
        assert!(parse_rule("FREQ=YEARLY;BYWEEKNO=1;BYMONTH=12").is_ok());
        assert!(parse_rule("FREQ=YEARLY;BYWEEKNO=20;BYMONTH=5").is_ok());
    }
}
