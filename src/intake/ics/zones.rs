//! Time zones of a calendar file: IANA names through chrono-tz, Windows
//! names through CLDR's whole windowsZones table, and names only the file's
//! own VTIMEZONE explains, through its observances (yearly rules up to
//! their UNTIL, and RDATE onsets).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use super::windows_zones::WINDOWS_ZONES;

use crate::domain::when::first_instant_at_or_after;

/// Where a DATE-TIME's wall clock is.
#[derive(Debug, Clone, PartialEq)]
pub enum EventZone {
    Utc,
    /// No zone: the coach's wall clock.
    Floating,
    Iana(Tz),
    /// From a VTIMEZONE that names no zone chrono-tz knows.
    Custom(CustomZone),
}

impl EventZone {
    /// The instant of a wall-clock time in this zone; a time in a DST gap
    /// moves to the first instant after it.
    pub fn to_utc(&self, local: NaiveDateTime, coach: Tz) -> DateTime<Utc> {
        match self {
            EventZone::Utc => Utc.from_utc_datetime(&local),
            EventZone::Floating => first_instant_at_or_after(local, coach),
            EventZone::Iana(tz) => first_instant_at_or_after(local, *tz),
            EventZone::Custom(zone) => {
                Utc.from_utc_datetime(&(local - Duration::seconds(zone.offset_at(local))))
            }
        }
    }
}

/// One STANDARD or DAYLIGHT block of a VTIMEZONE.
#[derive(Debug, Clone, PartialEq)]
pub struct Observance {
    /// Local onset (DTSTART).
    pub onset: NaiveDateTime,
    /// TZOFFSETTO in seconds east of UTC.
    pub offset_to: i64,
    pub offset_from: i64,
    /// A yearly rule: (month, nth weekday: 1..5 or -1..-5, weekday).
    pub yearly: Option<(u32, i32, Weekday)>,
    /// The rule's UNTIL as a local time: no onset of the rule after it.
    pub until: Option<NaiveDateTime>,
    /// RDATEs: further local onsets.
    pub extra_onsets: Vec<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CustomZone {
    pub observances: Vec<Observance>,
}

impl CustomZone {
    /// The offset (seconds east of UTC) in force at a local time: that of
    /// the observance with the latest onset at or before it.
    pub fn offset_at(&self, local: NaiveDateTime) -> i64 {
        let mut best: Option<(NaiveDateTime, i64)> = None;
        for obs in &self.observances {
            for onset in obs.onsets_near(local) {
                if onset <= local && best.is_none_or(|(b, _)| onset > b) {
                    best = Some((onset, obs.offset_to));
                }
            }
        }
        match best {
            Some((_, offset)) => offset,
            None => self
                .observances
                .iter()
                .min_by_key(|o| o.onset)
                .map_or(0, |o| o.offset_from),
        }
    }
}

impl Observance {
    /// Onsets that may be the latest one at or before `local`.
    fn onsets_near(&self, local: NaiveDateTime) -> Vec<NaiveDateTime> {
        let mut onsets = vec![self.onset];
        onsets.extend(self.extra_onsets.iter().copied());
        if let Some((month, nth, weekday)) = self.yearly {
            for year in [local.year() - 1, local.year()] {
                if let Some(day) = nth_weekday(year, month, nth, weekday) {
                    let onset = day.and_time(self.onset.time());
                    if onset >= self.onset && self.until.is_none_or(|until| onset <= until) {
                        onsets.push(onset);
                    }
                }
            }
        }
        onsets
    }
}

/// The nth (1..5 from the start, -1..-5 from the end) weekday of a month.
pub fn nth_weekday(year: i32, month: u32, nth: i32, weekday: Weekday) -> Option<NaiveDate> {
    let days: Vec<NaiveDate> = (1..=31)
        .filter_map(|d| NaiveDate::from_ymd_opt(year, month, d))
        .filter(|d| d.weekday() == weekday)
        .collect();
    let index = if nth > 0 {
        usize::try_from(nth - 1).ok()?
    } else {
        days.len().checked_sub(usize::try_from(-nth).ok()?)?
    };
    days.get(index).copied()
}

/// `+0100`, `-075258`, `+05:30` → seconds east of UTC.
pub fn parse_offset(text: &str) -> Option<i64> {
    let text = text.trim();
    let (sign, digits) = match text.chars().next()? {
        '+' => (1, &text[1..]),
        '-' => (-1, &text[1..]),
        _ => (1, text),
    };
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    if !(digits.len() == 4 || digits.len() == 6) || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let hours: i64 = digits[0..2].parse().ok()?;
    let minutes: i64 = digits[2..4].parse().ok()?;
    let seconds: i64 = digits.get(4..6).map_or(Some(0), |s| s.parse().ok())?;
    Some(sign * (hours * 3600 + minutes * 60 + seconds))
}

/// A TZID as written, cleaned: quotes and backslash escapes removed.
pub fn clean_tzid(tzid: &str) -> String {
    tzid.trim()
        .trim_matches('"')
        .replace('\\', "")
        .trim()
        .to_string()
}

/// An IANA zone from a TZID, also inside a path-like prefix
/// (`/mozilla.org/20050126_1/Europe/Berlin`, `/freeassociation.sourceforge.net/Tzfile/Europe/Paris`).
pub fn iana_zone(tzid: &str) -> Option<Tz> {
    let tzid = clean_tzid(tzid);
    if let Ok(tz) = tzid.parse::<Tz>() {
        return Some(tz);
    }
    let parts: Vec<&str> = tzid.split('/').filter(|p| !p.is_empty()).collect();
    for take in [3, 2, 1] {
        if parts.len() >= take
            && let Some(tail) = parts.get(parts.len() - take..)
            && let Ok(tz) = tail.join("/").parse::<Tz>()
        {
            return Some(tz);
        }
    }
    windows_zone(&tzid)
}

/// Windows zone names as Outlook and Exchange write them: the whole CLDR
/// table, plus the display name some Outlook versions write for UTC.
fn windows_zone(name: &str) -> Option<Tz> {
    if name.eq_ignore_ascii_case("Coordinated Universal Time") {
        return Some(Tz::UTC);
    }
    let iana = WINDOWS_ZONES
        .iter()
        .find(|(windows, _)| windows.eq_ignore_ascii_case(name))
        .map(|(_, iana)| *iana)?;
    iana.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cldr_windows_zone_names_a_known_iana_zone() {
        assert!(WINDOWS_ZONES.len() >= 139, "{}", WINDOWS_ZONES.len());
        for (windows, iana) in WINDOWS_ZONES {
            assert!(iana_zone(windows).is_some(), "{windows} -> {iana}");
        }
        assert_eq!(
            iana_zone("Arabic Standard Time"),
            Some(chrono_tz::Asia::Baghdad)
        );
        assert_eq!(iana_zone("UTC-11"), Some(chrono_tz::Etc::GMTPlus11));
        assert_eq!(iana_zone("Coordinated Universal Time"), Some(Tz::UTC));
    }

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%S").expect("test time")
    }

    #[test]
    fn offsets_with_seconds() {
        assert_eq!(parse_offset("-075258"), Some(-(7 * 3600 + 52 * 60 + 58)));
        assert_eq!(parse_offset("+0100"), Some(3600));
        assert_eq!(parse_offset("+05:30"), Some(5 * 3600 + 30 * 60));
        assert_eq!(parse_offset("garbage"), None);
    }

    #[test]
    fn names_resolve_iana_windows_and_prefixed() {
        assert_eq!(iana_zone("Europe/Berlin"), Some(chrono_tz::Europe::Berlin));
        assert_eq!(
            iana_zone("W. Europe Standard Time"),
            Some(chrono_tz::Europe::Berlin)
        );
        assert_eq!(
            iana_zone("/mozilla.org/20050126_1/America/New_York"),
            Some(chrono_tz::America::New_York)
        );
        assert_eq!(iana_zone("Kuala Lumpur\\, Singapore"), None);
    }

    #[test]
    fn a_custom_vtimezone_with_yearly_rules_follows_dst() {
        let zone = CustomZone {
            observances: vec![
                Observance {
                    onset: at("16010101T030000"),
                    offset_to: 3600,
                    offset_from: 7200,
                    yearly: Some((10, -1, Weekday::Sun)),
                    until: None,
                    extra_onsets: vec![],
                },
                Observance {
                    onset: at("16010101T020000"),
                    offset_to: 7200,
                    offset_from: 3600,
                    yearly: Some((3, -1, Weekday::Sun)),
                    until: None,
                    extra_onsets: vec![],
                },
            ],
        };
        assert_eq!(zone.offset_at(at("20260115T090000")), 3600);
        assert_eq!(zone.offset_at(at("20260715T090000")), 7200);
        // 29 March 2026 is the last Sunday of March.
        assert_eq!(zone.offset_at(at("20260329T013000")), 3600);
        assert_eq!(zone.offset_at(at("20260329T030000")), 7200);
        let utc = EventZone::Custom(zone).to_utc(at("20260715T090000"), chrono_tz::UTC);
        assert_eq!(utc.to_rfc3339(), "2026-07-15T07:00:00+00:00");
    }
}
