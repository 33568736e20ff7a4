//! Session times as a client reads them: in the client's own time zone,
//! named so there is no doubt which zone is meant.

use chrono::{DateTime, Offset, Utc};
use chrono_tz::Tz;

/// `Tuesday 24 November, 14:00 (London time, GMT)`: the instant in the
/// client's zone, with the zone's place name and its abbreviation at that
/// instant (so it reads BST in summer and GMT in winter).
pub fn client_time_text(instant: DateTime<Utc>, tz: Tz) -> String {
    let local = instant.with_timezone(&tz);
    let when = local.format("%A %-d %B, %H:%M");
    let offset_seconds = local.offset().fix().local_minus_utc();
    let abbreviation = zone_abbreviation(&local.format("%Z").to_string(), offset_seconds);
    match zone_place(tz) {
        Some(place) => format!("{when} ({place} time, {abbreviation})"),
        None => format!("{when} ({abbreviation})"),
    }
}

/// The place a zone is named after: `America/New_York` → `New York`.
/// Zones that are not places (`UTC`, `Etc/GMT+5`, `EST5EDT`) have none.
fn zone_place(tz: Tz) -> Option<String> {
    let name = tz.name();
    if name.starts_with("Etc/") {
        return None;
    }
    let (_, place) = name.rsplit_once('/')?;
    Some(place.replace('_', " "))
}

/// Zones without a customary abbreviation show a bare offset such as
/// `+04`; a client reads `UTC+4` more easily.
fn zone_abbreviation(abbreviation: &str, offset_seconds: i32) -> String {
    if !abbreviation.starts_with(['+', '-']) {
        return abbreviation.to_string();
    }
    let sign = if offset_seconds < 0 { '-' } else { '+' };
    let minutes = offset_seconds.unsigned_abs() / 60;
    match (minutes / 60, minutes % 60) {
        (0, 0) => "UTC".to_string(),
        (hours, 0) => format!("UTC{sign}{hours}"),
        (hours, rest) => format!("UTC{sign}{hours}:{rest:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .expect("valid test instant")
    }

    #[test]
    fn london_in_winter_reads_gmt() {
        assert_eq!(
            client_time_text(utc(2026, 11, 24, 14, 0), chrono_tz::Europe::London),
            "Tuesday 24 November, 14:00 (London time, GMT)"
        );
    }

    #[test]
    fn berlin_across_the_spring_change() {
        // 2026-03-29 01:00 UTC is when Berlin moves from CET to CEST.
        let berlin = chrono_tz::Europe::Berlin;
        assert_eq!(
            client_time_text(utc(2026, 3, 29, 0, 59), berlin),
            "Sunday 29 March, 01:59 (Berlin time, CET)"
        );
        assert_eq!(
            client_time_text(utc(2026, 3, 29, 1, 0), berlin),
            "Sunday 29 March, 03:00 (Berlin time, CEST)"
        );
    }

    #[test]
    fn new_york_autumn_repeats_an_hour_with_different_abbreviations() {
        // 2026-11-01: 01:30 happens twice in New York, first EDT then EST.
        let new_york = chrono_tz::America::New_York;
        assert_eq!(
            client_time_text(utc(2026, 11, 1, 5, 30), new_york),
            "Sunday 1 November, 01:30 (New York time, EDT)"
        );
        assert_eq!(
            client_time_text(utc(2026, 11, 1, 6, 30), new_york),
            "Sunday 1 November, 01:30 (New York time, EST)"
        );
    }

    #[test]
    fn kolkata_has_a_half_hour_offset() {
        assert_eq!(
            client_time_text(utc(2026, 6, 15, 9, 0), chrono_tz::Asia::Kolkata),
            "Monday 15 June, 14:30 (Kolkata time, IST)"
        );
    }

    #[test]
    fn sydney_summer_is_in_january() {
        let sydney = chrono_tz::Australia::Sydney;
        assert_eq!(
            client_time_text(utc(2026, 1, 12, 23, 0), sydney),
            "Tuesday 13 January, 10:00 (Sydney time, AEDT)"
        );
        assert_eq!(
            client_time_text(utc(2026, 7, 13, 0, 0), sydney),
            "Monday 13 July, 10:00 (Sydney time, AEST)"
        );
        // 2026-04-05 03:00 AEDT the clocks go back to 02:00 AEST (16:00 UTC).
        assert_eq!(
            client_time_text(utc(2026, 4, 4, 15, 59), sydney),
            "Sunday 5 April, 02:59 (Sydney time, AEDT)"
        );
        assert_eq!(
            client_time_text(utc(2026, 4, 4, 16, 0), sydney),
            "Sunday 5 April, 02:00 (Sydney time, AEST)"
        );
    }

    #[test]
    fn zones_without_abbreviation_or_place() {
        assert_eq!(
            client_time_text(utc(2026, 6, 15, 9, 0), chrono_tz::Asia::Dubai),
            "Monday 15 June, 13:00 (Dubai time, UTC+4)"
        );
        assert_eq!(
            client_time_text(utc(2026, 6, 15, 9, 0), chrono_tz::UTC),
            "Monday 15 June, 09:00 (UTC)"
        );
        assert_eq!(
            client_time_text(utc(2026, 6, 15, 9, 0), chrono_tz::Asia::Kathmandu),
            "Monday 15 June, 14:45 (Kathmandu time, UTC+5:45)"
        );
    }
}
