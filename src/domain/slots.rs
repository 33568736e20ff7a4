//! Finding free slots to offer a client whose session has to move: inside the
//! coach's working hours, clashing with no session (with a buffer around
//! each), and at a humane hour in the *client's* time zone.

use chrono::{DateTime, Duration, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;

use super::hours::WorkingHours;
use super::when::local_date;

/// What to look for.
#[derive(Debug, Clone)]
pub struct SlotSearch {
    /// The length of the session to place.
    pub minutes: i64,
    /// Nothing earlier than this (usually now).
    pub not_before: DateTime<Utc>,
    /// How many days ahead to look.
    pub within_days: i64,
    /// Free time kept before and after every other session.
    pub buffer_minutes: i64,
    /// Slots start on this grid of the coach's local clock.
    pub step_minutes: i64,
    /// The client's zone and the local hours the client can be asked to meet.
    pub client_tz: Tz,
    pub client_earliest: NaiveTime,
    pub client_latest: NaiveTime,
    /// How many slots to propose.
    pub count: usize,
}

impl SlotSearch {
    /// The defaults of the emergency flow: 3 slots within 7 days, 15 minutes
    /// of buffer, on the half hour, 08:00-20:00 for the client.
    pub fn new(minutes: i64, not_before: DateTime<Utc>, client_tz: Tz) -> Self {
        SlotSearch {
            minutes,
            not_before,
            within_days: 7,
            buffer_minutes: 15,
            step_minutes: 30,
            client_tz,
            client_earliest: NaiveTime::from_hms_opt(8, 0, 0).unwrap_or(NaiveTime::MIN),
            client_latest: NaiveTime::from_hms_opt(20, 0, 0).unwrap_or(NaiveTime::MIN),
            count: 3,
        }
    }
}

/// A span of time already taken.
pub type Busy = (DateTime<Utc>, DateTime<Utc>);

/// Propose up to `search.count` start instants, soonest first, preferring one
/// per day so the client has a real choice; same-day slots fill in when there
/// are not enough days.
pub fn free_slots(
    search: &SlotSearch,
    busy: &[Busy],
    hours: &WorkingHours,
    coach_tz: Tz,
) -> Vec<DateTime<Utc>> {
    let all = fitting_starts(search, busy, hours, coach_tz);
    let mut chosen: Vec<DateTime<Utc>> = Vec::new();
    for start in &all {
        if chosen.len() == search.count {
            break;
        }
        let day = local_date(*start, coach_tz);
        if !chosen.iter().any(|c| local_date(*c, coach_tz) == day) {
            chosen.push(*start);
        }
    }
    for start in &all {
        if chosen.len() >= search.count {
            break;
        }
        let far_enough = chosen
            .iter()
            .all(|c| (*c - *start).num_minutes().abs() >= search.minutes);
        if far_enough {
            chosen.push(*start);
        }
    }
    chosen.sort();
    chosen
}

/// Every start on the grid that fits, in order.
fn fitting_starts(
    search: &SlotSearch,
    busy: &[Busy],
    hours: &WorkingHours,
    coach_tz: Tz,
) -> Vec<DateTime<Utc>> {
    let length = Duration::minutes(search.minutes.max(1));
    let buffer = Duration::minutes(search.buffer_minutes.max(0));
    let step = Duration::minutes(search.step_minutes.max(5));
    let horizon = search.not_before + Duration::days(search.within_days);
    let mut starts = Vec::new();
    let mut date = local_date(search.not_before, coach_tz);
    while date <= local_date(horizon, coach_tz) {
        if let Some((open, close)) = hours.window(date, coach_tz) {
            let mut start = open;
            while start + length <= close {
                let end = start + length;
                let ok = start >= search.not_before
                    && end <= horizon
                    && humane_for_client(search, start, end)
                    && !busy
                        .iter()
                        .any(|(b_start, b_end)| start < *b_end + buffer && *b_start - buffer < end);
                if ok {
                    starts.push(start);
                }
                start += step;
            }
        }
        date += Duration::days(1);
    }
    starts
}

fn humane_for_client(search: &SlotSearch, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
    let local_start = start.with_timezone(&search.client_tz);
    let local_end = end.with_timezone(&search.client_tz);
    let minutes_of = |t: NaiveTime| t.hour() * 60 + t.minute();
    local_start.date_naive() == local_end.date_naive()
        && minutes_of(local_start.time()) >= minutes_of(search.client_earliest)
        && minutes_of(local_end.time()) <= minutes_of(search.client_latest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America::New_York, Asia::Tokyo, Europe::Berlin};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|d| d.with_timezone(&Utc))
            .expect("test instant")
    }

    fn busy(start: &str, minutes: i64) -> Busy {
        (at(start), at(start) + Duration::minutes(minutes))
    }

    #[test]
    fn proposes_one_slot_per_day_inside_working_hours() {
        // Monday 23 November 2026, 08:00 Berlin; nothing booked.
        let search = SlotSearch::new(60, at("2026-11-23T08:00:00+01:00"), Berlin);
        let slots = free_slots(&search, &[], &WorkingHours::default(), Berlin);
        assert_eq!(
            slots,
            vec![
                at("2026-11-23T09:00:00+01:00"),
                at("2026-11-24T09:00:00+01:00"),
                at("2026-11-25T09:00:00+01:00"),
            ]
        );
    }

    #[test]
    fn keeps_a_buffer_around_booked_sessions() {
        let search = SlotSearch::new(60, at("2026-11-23T08:00:00+01:00"), Berlin);
        let booked = [busy("2026-11-23T09:00:00+01:00", 60)];
        let slots = free_slots(&search, &booked, &WorkingHours::default(), Berlin);
        // 10:00 would touch the 09:00-10:00 session; 10:30 leaves 30 minutes.
        assert_eq!(slots[0], at("2026-11-23T10:30:00+01:00"));
    }

    #[test]
    fn never_past_the_end_of_the_working_day_or_over_a_weekend() {
        // Friday 16:30: a 60-minute slot no longer fits today.
        let search = SlotSearch::new(60, at("2026-11-27T16:30:00+01:00"), Berlin);
        let slots = free_slots(&search, &[], &WorkingHours::default(), Berlin);
        assert_eq!(slots[0], at("2026-11-30T09:00:00+01:00"));
    }

    #[test]
    fn respects_the_clients_waking_hours() {
        // A New York client: 08:00 there is 14:00 in Berlin.
        let search = SlotSearch::new(60, at("2026-11-23T08:00:00+01:00"), New_York);
        let slots = free_slots(&search, &[], &WorkingHours::default(), Berlin);
        assert_eq!(slots[0], at("2026-11-23T14:00:00+01:00"));
        // A Tokyo client: 20:00 there is 12:00 in Berlin, so a slot ends by then.
        let search = SlotSearch::new(60, at("2026-11-23T08:00:00+01:00"), Tokyo);
        let slots = free_slots(&search, &[], &WorkingHours::default(), Berlin);
        for slot in slots {
            let end = (slot + Duration::minutes(60)).with_timezone(&Tokyo);
            assert!(end.hour() < 20 || (end.hour() == 20 && end.minute() == 0));
        }
    }

    #[test]
    fn working_hours_follow_the_local_clock_across_daylight_saving() {
        // Berlin falls back on Sunday 25 October 2026: Monday 09:00 is CET.
        let search = SlotSearch::new(60, at("2026-10-23T17:00:00+02:00"), Berlin);
        let slots = free_slots(&search, &[], &WorkingHours::default(), Berlin);
        assert_eq!(slots[0], at("2026-10-26T09:00:00+01:00"));
        // For a New York client the US change is a week later (1 November).
        let search = SlotSearch::new(60, at("2026-10-26T08:00:00+01:00"), New_York);
        let slots = free_slots(&search, &[], &WorkingHours::default(), Berlin);
        // Berlin is only 5 hours ahead this week: 08:00 in New York is 13:00.
        assert_eq!(slots[0], at("2026-10-26T13:00:00+01:00"));
    }

    #[test]
    fn a_full_week_gives_no_slot() {
        let start = at("2026-11-23T00:00:00+01:00");
        let booked = [(start, start + Duration::days(8))];
        let search = SlotSearch::new(60, start, Berlin);
        assert!(free_slots(&search, &booked, &WorkingHours::default(), Berlin).is_empty());
    }

    #[test]
    fn fills_with_same_day_slots_when_days_run_out() {
        let search = SlotSearch {
            within_days: 0,
            ..SlotSearch::new(60, at("2026-11-23T08:00:00+01:00"), Berlin)
        };
        let search = SlotSearch {
            within_days: 1,
            not_before: at("2026-11-23T15:00:00+01:00"),
            ..search
        };
        let slots = free_slots(&search, &[], &WorkingHours::default(), Berlin);
        assert_eq!(slots.len(), 3);
        assert_eq!(slots[0], at("2026-11-23T15:00:00+01:00"));
        assert_eq!(slots[1], at("2026-11-23T16:00:00+01:00"));
        assert_eq!(slots[2], at("2026-11-24T09:00:00+01:00"));
    }
}
