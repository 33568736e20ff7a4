//! A zone's offset from UTC, looked up once per UTC day: the review turns
//! every instant of its range into a local date (and the exports into local
//! text), and chrono-tz's look-up (a binary search of the zone's changes)
//! for each one was a tenth of a ten-year review.
//!
//! A day whose offset is the same at its first and its last second is taken
//! to keep it all day: it assumes a zone never changes its offset and back
//! within one UTC day (none has; two changes a few hours apart would be
//! needed). A day the clock changes on looks up the instant itself. So local
//! dates come out as `local_date` gives them, also where they are not in
//! the order of the instants (a clock set back over midnight, as in
//! America/Santiago): nothing here assumes they are.

use chrono::{DateTime, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use crate::domain::when::local_date;

/// How many UTC days are remembered (by day number modulo this).
const SLOTS: usize = 64;

/// Days from 0001-01-01 (chrono's day 1 of the common era) to 1970-01-01.
const UNIX_EPOCH_DAY_FROM_CE: i64 = 719_163;

pub(crate) struct DayOffsets {
    tz: Tz,
    /// Days seen lately, by day number modulo [`SLOTS`].
    days: [Day; SLOTS],
}

/// One UTC day: its number, its offset in seconds east of UTC (`None` when
/// it changes during the day) and, when steady, the local dates it touches
/// (the day before it, itself, the day after it).
#[derive(Clone, Copy)]
struct Day {
    number: i64,
    offset: Option<i32>,
    dates: [NaiveDate; 3],
    /// `dates` are the day's (false beyond chrono's calendar).
    calendar: bool,
}

impl DayOffsets {
    pub(crate) fn new(tz: Tz) -> DayOffsets {
        DayOffsets {
            tz,
            days: [Day {
                number: i64::MIN,
                offset: None,
                dates: [NaiveDate::MIN; 3],
                calendar: false,
            }; SLOTS],
        }
    }

    pub(crate) fn tz(&self) -> Tz {
        self.tz
    }

    fn offset_at(&self, seconds: i64) -> Option<i32> {
        DateTime::from_timestamp(seconds, 0).map(|t| {
            self.tz
                .offset_from_utc_datetime(&t.naive_utc())
                .fix()
                .local_minus_utc()
        })
    }

    /// The remembered UTC day `number` (looked up when it is not).
    #[inline]
    fn day(&mut self, number: i64) -> Day {
        let slot = usize::try_from(number.rem_euclid(SLOTS as i64)).unwrap_or(0);
        if let Some(day) = self.days.get(slot)
            && day.number == number
        {
            return *day;
        }
        self.look_up(slot, number)
    }

    /// Day `number` looked up in the zone, remembered in `slot`.
    #[cold]
    #[inline(never)]
    fn look_up(&mut self, slot: usize, number: i64) -> Day {
        let start = self.offset_at(number * 86_400);
        let offset = start.filter(|s| Some(*s) == self.offset_at(number * 86_400 + 86_399));
        let date = |n: i64| {
            i32::try_from(n + UNIX_EPOCH_DAY_FROM_CE)
                .ok()
                .and_then(NaiveDate::from_num_days_from_ce_opt)
        };
        let dates = [date(number - 1), date(number), date(number + 1)];
        let day = match dates {
            [Some(before), Some(this), Some(after)] => Day {
                number,
                offset,
                dates: [before, this, after],
                calendar: true,
            },
            // Beyond chrono's calendar: looked up instant by instant.
            _ => Day {
                number,
                offset: None,
                dates: [NaiveDate::MIN; 3],
                calendar: false,
            },
        };
        if let Some(entry) = self.days.get_mut(slot) {
            *entry = day;
        }
        day
    }

    /// The zone's offset at the instant `seconds` since 1970 (UTC), in
    /// seconds east of UTC (`None` only for an instant chrono cannot hold,
    /// which the store never gives).
    pub(crate) fn offset_of(&mut self, seconds: i64) -> Option<i32> {
        // A day the clock changes on: the offset of the instant itself.
        self.day(seconds.div_euclid(86_400))
            .offset
            .or_else(|| self.offset_at(seconds))
    }

    /// The instant `seconds` since 1970 (UTC), its date from the day's
    /// (`DateTime::from_timestamp` of it, without working the date out).
    pub(crate) fn utc(&mut self, seconds: i64) -> Option<DateTime<Utc>> {
        let day = self.day(seconds.div_euclid(86_400));
        let time = u32::try_from(seconds.rem_euclid(86_400))
            .ok()
            .and_then(|s| chrono::NaiveTime::from_num_seconds_from_midnight_opt(s, 0))?;
        match day.dates {
            [_, date, _] if day.calendar => Some(date.and_time(time).and_utc()),
            _ => DateTime::from_timestamp(seconds, 0),
        }
    }

    /// The local date of `at`: what `local_date(at, tz)` gives.
    pub(crate) fn local_date(&mut self, at: DateTime<Utc>) -> NaiveDate {
        self.local_date_of(at.timestamp())
            .unwrap_or_else(|| local_date(at, self.tz))
    }

    /// [`DayOffsets::local_date`] of an instant in seconds since 1970 (UTC)
    /// (`None` only for one chrono cannot hold, which the store never gives).
    pub(crate) fn local_date_of(&mut self, seconds: i64) -> Option<NaiveDate> {
        let day = self.day(seconds.div_euclid(86_400));
        if let Some(offset) = day.offset {
            // Offsets are less than a day: the day before, this one or the next.
            let shift = (seconds.rem_euclid(86_400) + i64::from(offset)).div_euclid(86_400);
            if let Some(date) = usize::try_from(shift + 1)
                .ok()
                .and_then(|i| day.dates.get(i))
            {
                return Some(*date);
            }
        }
        DateTime::from_timestamp(seconds, 0).map(|at| local_date(at, self.tz))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every 7 minutes for three years, in zones whose clocks change at
    /// midnight (local dates that run backwards: Santiago), by half an hour
    /// (Lord Howe), by odd offsets (Kathmandu, Chatham), or not at all:
    /// the same local dates as `local_date`.
    #[test]
    fn local_dates_are_local_dates_in_every_kind_of_zone() {
        let zones: [Tz; 8] = [
            chrono_tz::Europe::Berlin,
            chrono_tz::America::Santiago,
            chrono_tz::Australia::Lord_Howe,
            chrono_tz::Asia::Kathmandu,
            chrono_tz::Pacific::Chatham,
            chrono_tz::America::St_Johns,
            chrono_tz::Africa::Casablanca,
            chrono_tz::UTC,
        ];
        for tz in zones {
            let mut offsets = DayOffsets::new(tz);
            let mut at = DateTime::parse_from_rfc3339("2024-01-01T00:00:13Z")
                .map(|t| t.with_timezone(&Utc))
                .expect("instant");
            let end = DateTime::parse_from_rfc3339("2027-01-01T00:00:00Z")
                .map(|t| t.with_timezone(&Utc))
                .expect("instant");
            while at < end {
                assert_eq!(offsets.local_date(at), local_date(at, tz), "{tz} {at}");
                assert_eq!(offsets.utc(at.timestamp()), Some(at), "{tz} {at}");
                at += chrono::Duration::minutes(7);
            }
            // Far before and after, and each side of a change to the second.
            for text in [
                "1900-01-01T00:00:00Z",
                "1911-03-15T12:34:56Z",
                "2200-12-31T23:59:59Z",
                "2026-04-05T02:59:59Z",
                "2026-04-05T03:00:00Z",
                "2026-09-06T03:59:59Z",
                "2026-09-06T04:00:00Z",
            ] {
                let at = DateTime::parse_from_rfc3339(text)
                    .map(|t| t.with_timezone(&Utc))
                    .expect("instant");
                assert_eq!(offsets.local_date(at), local_date(at, tz), "{tz} {at}");
            }
        }
    }
}
