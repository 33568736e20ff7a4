//! Working hours and reply-by clocks. A crisis is measured in clock time; the
//! other urgencies in working time, so a normal request that arrives on
//! Friday at 16:30 is due on Monday at 16:30 (with Mon-Fri 09:00-17:00).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

use super::when::{first_instant_at_or_after, local_date};
use crate::model::Urgency;

/// The coach's working week, in the coach's time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingHours {
    /// Monday first.
    pub days: [bool; 7],
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Default for WorkingHours {
    fn default() -> Self {
        WorkingHours {
            days: [true, true, true, true, true, false, false],
            start: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN),
            end: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or(NaiveTime::MIN),
        }
    }
}

/// The longest stretch searched for working time; a year covers every sane
/// week (config validation insists on at least one working day).
const SEARCH_DAYS: i64 = 400;

impl WorkingHours {
    pub fn works_on(&self, day: Weekday) -> bool {
        self.days
            .get(day.num_days_from_monday() as usize)
            .copied()
            .unwrap_or(false)
    }

    /// Minutes in one working day: what "1d" means for a working-time target.
    pub fn day_minutes(&self) -> i64 {
        (self.end - self.start).num_minutes().max(1)
    }

    /// The working window of a local date, if the coach works that day.
    /// A start or end inside a daylight-saving gap moves to the gap's end.
    pub fn window(&self, date: NaiveDate, tz: Tz) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.works_on(date.weekday()) {
            return None;
        }
        let open = first_instant_at_or_after(date.and_time(self.start), tz);
        let close = first_instant_at_or_after(date.and_time(self.end), tz);
        (open < close).then_some((open, close))
    }

    /// The instant `minutes` of working time after `from`.
    pub fn add_working_minutes(&self, from: DateTime<Utc>, minutes: i64, tz: Tz) -> DateTime<Utc> {
        let mut remaining = Duration::minutes(minutes.max(0));
        if remaining.is_zero() {
            return from;
        }
        let mut date = local_date(from, tz);
        for _ in 0..SEARCH_DAYS {
            if let Some((open, close)) = self.window(date, tz) {
                let begin = open.max(from);
                if begin < close {
                    let available = close - begin;
                    if remaining <= available {
                        return begin + remaining;
                    }
                    remaining -= available;
                }
            }
            date += Duration::days(1);
        }
        from + remaining
    }

    /// Working minutes between two instants (0 when `to` is not after `from`).
    pub fn working_minutes_between(&self, from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz) -> i64 {
        if to <= from {
            return 0;
        }
        let mut total = Duration::zero();
        let mut date = local_date(from, tz);
        let last = local_date(to, tz);
        while date <= last {
            if let Some((open, close)) = self.window(date, tz) {
                let begin = open.max(from);
                let end = close.min(to);
                if begin < end {
                    total += end - begin;
                }
            }
            date += Duration::days(1);
        }
        total.num_minutes()
    }
}

/// The working windows of a run of days, with running totals, so the
/// working time between two instants inside the run is two lookups and two
/// clipped windows, not a walk over every day between them. Built once for
/// a pane of requests; gives exactly what [`WorkingHours::working_minutes_between`]
/// gives (the same windows, summed the same way), and falls back to it for
/// instants outside the run.
#[derive(Debug, Clone)]
pub struct WorkingDays {
    hours: WorkingHours,
    tz: Tz,
    first: NaiveDate,
    windows: Vec<Option<(DateTime<Utc>, DateTime<Utc>)>>,
    /// `before[i]`: the working time of the whole days before day `i`.
    before: Vec<Duration>,
}

/// The longest run of days a [`WorkingDays`] holds (beyond it, the walk).
pub const MAX_TABLE_DAYS: i64 = 3 * 366;

impl WorkingDays {
    /// The days from `first` to `last` (at most [`MAX_TABLE_DAYS`] of them,
    /// counted back from `last`).
    pub fn covering(
        hours: &WorkingHours,
        tz: Tz,
        first: NaiveDate,
        last: NaiveDate,
    ) -> WorkingDays {
        let first = last
            .checked_sub_signed(Duration::days(MAX_TABLE_DAYS))
            .map_or(first, |earliest| first.max(earliest));
        WorkingDays::spanning(hours, tz, first, last)
    }

    /// Every day from `first` to `last`, however many (the caller bounds
    /// them: the review, by the range it was asked for).
    pub fn spanning(
        hours: &WorkingHours,
        tz: Tz,
        first: NaiveDate,
        last: NaiveDate,
    ) -> WorkingDays {
        let mut windows = Vec::new();
        let mut before = vec![Duration::zero()];
        let mut total = Duration::zero();
        let mut date = first;
        while date <= last {
            let window = hours.window(date, tz);
            if let Some((open, close)) = window {
                total += close - open;
            }
            windows.push(window);
            before.push(total);
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        WorkingDays {
            hours: hours.clone(),
            tz,
            first,
            windows,
            before,
        }
    }

    /// The zone the windows are in.
    pub fn tz(&self) -> Tz {
        self.tz
    }

    fn index(&self, date: NaiveDate) -> Option<usize> {
        usize::try_from((date - self.first).num_days())
            .ok()
            .filter(|i| *i < self.windows.len())
    }

    /// Working minutes between two instants (0 when `to` is not after `from`).
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        self.between_on(
            (from, local_date(from, self.tz)),
            (to, local_date(to, self.tz)),
        )
    }

    /// [`WorkingDays::between`] with each instant's local date given (the
    /// caller knows it: `local_date` of it in this table's zone).
    pub fn between_on(
        &self,
        (from, from_date): (DateTime<Utc>, NaiveDate),
        (to, to_date): (DateTime<Utc>, NaiveDate),
    ) -> i64 {
        if to <= from {
            return 0;
        }
        let (Some(a), Some(b)) = (self.index(from_date), self.index(to_date)) else {
            return self.hours.working_minutes_between(from, to, self.tz);
        };
        let clipped = |i: usize| -> Duration {
            match self.windows.get(i).copied().flatten() {
                Some((open, close)) => {
                    let begin = open.max(from);
                    let end = close.min(to);
                    if begin < end {
                        end - begin
                    } else {
                        Duration::zero()
                    }
                }
                None => Duration::zero(),
            }
        };
        let mut total = clipped(a);
        if b > a {
            // Every window strictly between the two days lies inside (from, to).
            let whole = match (self.before.get(b), self.before.get(a + 1)) {
                (Some(upto), Some(after_first)) => *upto - *after_first,
                _ => return self.hours.working_minutes_between(from, to, self.tz),
            };
            total += whole + clipped(b);
        }
        total.num_minutes()
    }
}

/// How long a request may wait for its first reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Clock minutes: every minute counts, nights and weekends too.
    Clock(i64),
    /// Working minutes: only time inside working hours counts.
    Working(i64),
}

impl Target {
    pub fn minutes(self) -> i64 {
        match self {
            Target::Clock(m) | Target::Working(m) => m,
        }
    }
}

/// The reply-by targets per urgency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyTargets {
    pub crisis: Target,
    pub urgent: Target,
    pub normal: Target,
    pub low: Target,
}

impl ReplyTargets {
    /// PRODUCT.md's defaults: crisis 1 h (clock), urgent 4 working hours,
    /// normal 1 working day, low 3 working days.
    pub fn defaults(hours: &WorkingHours) -> Self {
        let day = hours.day_minutes();
        ReplyTargets {
            crisis: Target::Clock(60),
            urgent: Target::Working(4 * 60),
            normal: Target::Working(day),
            low: Target::Working(3 * day),
        }
    }

    pub fn for_urgency(&self, urgency: Urgency) -> Target {
        match urgency {
            Urgency::Crisis => self.crisis,
            Urgency::Urgent => self.urgent,
            Urgency::Normal => self.normal,
            Urgency::Low => self.low,
        }
    }
}

/// The coach's reply-by rules: working hours, targets and the time zone.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplyClock {
    pub hours: WorkingHours,
    pub targets: ReplyTargets,
    pub tz: Tz,
}

impl ReplyClock {
    /// The deadline for the first reply to a request received at `received`.
    pub fn reply_by(&self, received: DateTime<Utc>, urgency: Urgency) -> DateTime<Utc> {
        self.deadline_after(received, self.targets.for_urgency(urgency))
    }

    fn deadline_after(&self, from: DateTime<Utc>, target: Target) -> DateTime<Utc> {
        match target {
            Target::Clock(minutes) => from + Duration::minutes(minutes),
            Target::Working(minutes) => self.hours.add_working_minutes(from, minutes, self.tz),
        }
    }

    /// The deadline after a pause (waiting on the client) from `paused_at` to
    /// `resumed_at`: the time that was left when the clock stopped, counted
    /// again from the resumption.
    pub fn resume(
        &self,
        reply_by: DateTime<Utc>,
        urgency: Urgency,
        paused_at: DateTime<Utc>,
        resumed_at: DateTime<Utc>,
    ) -> DateTime<Utc> {
        match self.targets.for_urgency(urgency) {
            Target::Clock(_) => {
                let left = (reply_by - paused_at).max(Duration::zero());
                resumed_at + left
            }
            Target::Working(_) => {
                let left = self
                    .hours
                    .working_minutes_between(paused_at, reply_by, self.tz);
                self.hours.add_working_minutes(resumed_at, left, self.tz)
            }
        }
    }

    /// The share of the target used at `now`, in percent (100 = due now).
    pub fn percent_used(
        &self,
        received: DateTime<Utc>,
        reply_by: DateTime<Utc>,
        urgency: Urgency,
        now: DateTime<Utc>,
    ) -> i64 {
        let days = WorkingDays::covering(
            &self.hours,
            self.tz,
            local_date(received, self.tz),
            local_date(reply_by.max(now), self.tz),
        );
        self.percent_used_in(&days, received, reply_by, urgency, now)
    }

    /// [`ReplyClock::percent_used`] with the working days looked up in
    /// `days` (built once for a whole pane).
    pub fn percent_used_in(
        &self,
        days: &WorkingDays,
        received: DateTime<Utc>,
        reply_by: DateTime<Utc>,
        urgency: Urgency,
        now: DateTime<Utc>,
    ) -> i64 {
        let (total, used) = match self.targets.for_urgency(urgency) {
            Target::Clock(_) => (
                (reply_by - received).num_minutes(),
                (now - received).num_minutes(),
            ),
            Target::Working(_) => (
                days.between(received, reply_by),
                days.between(received, now),
            ),
        };
        if now >= reply_by {
            return 100.max(used * 100 / total.max(1));
        }
        (used * 100 / total.max(1)).min(99)
    }
}

#[cfg(test)]
mod working_days_tests {
    use super::*;
    use proptest::prelude::*;

    const ZONES: [Tz; 7] = [
        chrono_tz::Europe::Berlin,
        chrono_tz::America::Sao_Paulo,
        chrono_tz::Australia::Lord_Howe,
        chrono_tz::Asia::Tehran,
        chrono_tz::America::Santiago,
        chrono_tz::Africa::Casablanca,
        chrono_tz::America::St_Johns,
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// The table gives what the day-by-day walk gives, minute for
        /// minute, in zones with odd and frequent clock changes and working
        /// days that start or end inside a change.
        #[test]
        fn the_table_agrees_with_the_walk(
            zone in 0usize..ZONES.len(),
            days in proptest::array::uniform7(any::<bool>()),
            start_minute in 0u32..(24 * 60 - 1),
            length in 1u32..(24 * 60),
            from_offset in 0i64..(2 * 366 * 24 * 60),
            span in 0i64..(400 * 24 * 60),
            table_before in 0i64..40,
            table_after in 0i64..40,
            seconds in 0i64..60,
        ) {
            let tz = ZONES[zone];
            let end_minute = (start_minute + length).min(24 * 60 - 1);
            prop_assume!(end_minute > start_minute);
            let hours = WorkingHours {
                days,
                start: NaiveTime::from_hms_opt(start_minute / 60, start_minute % 60, 0).unwrap(),
                end: NaiveTime::from_hms_opt(end_minute / 60, end_minute % 60, 0).unwrap(),
            };
            let origin: DateTime<Utc> = "2025-01-01T00:00:00Z".parse().unwrap();
            let from = origin + Duration::minutes(from_offset) + Duration::seconds(seconds);
            let to = from + Duration::minutes(span);
            let table = WorkingDays::covering(
                &hours,
                tz,
                local_date(from, tz) - Duration::days(table_before) + Duration::days(20),
                local_date(to, tz) + Duration::days(table_after) - Duration::days(20),
            );
            let walked = hours.working_minutes_between(from, to, tz);
            prop_assert_eq!(table.between(from, to), walked);
            prop_assert_eq!(table.between(to, from), 0);
        }
    }

    #[test]
    fn percent_used_is_the_same_through_a_table_built_for_a_pane() {
        let hours = WorkingHours::default();
        let clock = ReplyClock {
            targets: ReplyTargets::defaults(&hours),
            hours,
            tz: chrono_tz::Europe::Berlin,
        };
        let now: DateTime<Utc> = "2026-11-23T13:20:00Z".parse().unwrap();
        let table = WorkingDays::covering(
            &clock.hours,
            clock.tz,
            local_date(now, clock.tz) - Duration::days(400),
            local_date(now, clock.tz) + Duration::days(30),
        );
        for minutes_ago in (0..500 * 24 * 60).step_by(997) {
            let received = now - Duration::minutes(minutes_ago);
            for urgency in Urgency::ALL.iter().copied() {
                let reply_by = clock.reply_by(received, urgency);
                let walk = old_percent_used(&clock, received, reply_by, urgency, now);
                assert_eq!(clock.percent_used(received, reply_by, urgency, now), walk);
                assert_eq!(
                    clock.percent_used_in(&table, received, reply_by, urgency, now),
                    walk
                );
            }
        }
    }

    /// The walk as it was before the table.
    fn old_percent_used(
        clock: &ReplyClock,
        received: DateTime<Utc>,
        reply_by: DateTime<Utc>,
        urgency: Urgency,
        now: DateTime<Utc>,
    ) -> i64 {
        let (total, used) = match clock.targets.for_urgency(urgency) {
            Target::Clock(_) => (
                (reply_by - received).num_minutes(),
                (now - received).num_minutes(),
            ),
            Target::Working(_) => (
                clock
                    .hours
                    .working_minutes_between(received, reply_by, clock.tz),
                clock.hours.working_minutes_between(received, now, clock.tz),
            ),
        };
        if now >= reply_by {
            return 100.max(used * 100 / total.max(1));
        }
        (used * 100 / total.max(1)).min(99)
    }
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

    fn clock() -> ReplyClock {
        let hours = WorkingHours::default();
        ReplyClock {
            targets: ReplyTargets::defaults(&hours),
            hours,
            tz: Berlin,
        }
    }

    #[test]
    fn a_normal_request_on_friday_afternoon_is_due_monday_afternoon() {
        // Friday 27 November 2026, 16:30 Berlin.
        let received = at("2026-11-27T16:30:00+01:00");
        assert_eq!(
            clock().reply_by(received, Urgency::Normal),
            at("2026-11-30T16:30:00+01:00")
        );
    }

    #[test]
    fn a_crisis_counts_clock_hours_even_at_night() {
        let received = at("2026-11-28T23:10:00+01:00"); // Saturday night
        assert_eq!(
            clock().reply_by(received, Urgency::Crisis),
            at("2026-11-29T00:10:00+01:00")
        );
    }

    #[test]
    fn urgent_waits_for_the_working_day_to_start() {
        let received = at("2026-11-24T07:00:00+01:00"); // Tuesday before hours
        assert_eq!(
            clock().reply_by(received, Urgency::Urgent),
            at("2026-11-24T13:00:00+01:00")
        );
        let late = at("2026-11-24T15:00:00+01:00"); // 2 h today, 2 h tomorrow
        assert_eq!(
            clock().reply_by(late, Urgency::Urgent),
            at("2026-11-25T11:00:00+01:00")
        );
    }

    #[test]
    fn low_spans_three_working_days_over_a_weekend() {
        let received = at("2026-11-26T10:00:00+01:00"); // Thursday
        assert_eq!(
            clock().reply_by(received, Urgency::Low),
            at("2026-12-01T10:00:00+01:00")
        );
    }

    #[test]
    fn working_time_is_wall_clock_across_daylight_saving() {
        // Friday 23 October 16:00 CEST; Berlin falls back on Sunday 25th.
        let received = at("2026-10-23T16:00:00+02:00");
        assert_eq!(
            clock().reply_by(received, Urgency::Normal),
            at("2026-10-26T16:00:00+01:00")
        );
        // Friday 27 March 16:00 CET; Berlin springs forward on Sunday 29th.
        let received = at("2026-03-27T16:00:00+01:00");
        assert_eq!(
            clock().reply_by(received, Urgency::Normal),
            at("2026-03-30T16:00:00+02:00")
        );
    }

    #[test]
    fn a_crisis_across_the_spring_gap_is_one_real_hour() {
        let received = at("2026-03-29T01:30:00+01:00");
        let due = clock().reply_by(received, Urgency::Crisis);
        assert_eq!(due, at("2026-03-29T03:30:00+02:00"));
    }

    #[test]
    fn working_minutes_between_skips_nights_and_weekends() {
        let hours = WorkingHours::default();
        let from = at("2026-11-27T16:00:00+01:00"); // Friday
        let to = at("2026-11-30T10:00:00+01:00"); // Monday
        assert_eq!(hours.working_minutes_between(from, to, Berlin), 120);
        assert_eq!(hours.working_minutes_between(to, from, Berlin), 0);
    }

    #[test]
    fn a_pause_gives_back_the_time_that_was_left() {
        let clock = clock();
        let received = at("2026-11-24T09:00:00+01:00");
        let due = clock.reply_by(received, Urgency::Urgent); // 13:00
        // Paused at 10:00 with 3 working hours left, resumed Wednesday 16:00.
        let resumed = clock.resume(
            due,
            Urgency::Urgent,
            at("2026-11-24T10:00:00+01:00"),
            at("2026-11-25T16:00:00+01:00"),
        );
        assert_eq!(resumed, at("2026-11-26T11:00:00+01:00"));
    }

    #[test]
    fn percent_used_reaches_100_at_the_deadline() {
        let clock = clock();
        let received = at("2026-11-24T09:00:00+01:00");
        let due = clock.reply_by(received, Urgency::Urgent);
        let at_3h = at("2026-11-24T12:00:00+01:00");
        assert_eq!(
            clock.percent_used(received, due, Urgency::Urgent, at_3h),
            75
        );
        assert_eq!(clock.percent_used(received, due, Urgency::Urgent, due), 100);
    }
}
