//! Choosing a time: a few presets with their resolved times, or a typed
//! WHEN ("tomorrow 14:00", "+2h", "mon 9:30"). Pure, so tests can pick.

use chrono::{DateTime, Datelike, Duration, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;

use crate::domain::when::{first_instant_at_or_after, local_date, naive_local, parse_when};
use crate::tui::editor::{Edit, EditKey, TextEditor};

#[derive(Debug, Clone, PartialEq)]
pub struct TimePicker {
    /// (label, instant), soonest first.
    pub presets: Vec<(String, DateTime<Utc>)>,
    /// The typed WHEN; chosen when `chosen == presets.len()`.
    pub typed: TextEditor,
    pub chosen: usize,
}

impl TimePicker {
    fn new(mut presets: Vec<(String, DateTime<Utc>)>) -> TimePicker {
        presets.sort_by_key(|(_, at)| *at);
        TimePicker {
            presets,
            typed: TextEditor::default(),
            chosen: 0,
        }
    }

    /// PRODUCT.md's snooze presets: 1 h, this evening, tomorrow 09:00,
    /// next Monday 09:00.
    pub fn snooze(now: DateTime<Utc>, tz: Tz) -> TimePicker {
        let mut presets = vec![("in 1 hour".to_string(), now + Duration::hours(1))];
        let evening = at_local(now, tz, 0, 18, 0);
        if evening > now + Duration::hours(1) {
            presets.push(("this evening".to_string(), evening));
        }
        presets.push(("tomorrow 09:00".to_string(), at_local(now, tz, 1, 9, 0)));
        presets.push(("next Monday 09:00".to_string(), next_monday_nine(now, tz)));
        TimePicker::new(presets)
    }

    /// A concrete time to promise an answer by: in 1 h, about the next round
    /// hour at least 30 minutes away (while the day lasts), tomorrow 09:00.
    pub fn promise(now: DateTime<Utc>, tz: Tz) -> TimePicker {
        let mut presets = vec![("in 1 hour".to_string(), now + Duration::hours(1))];
        let local = naive_local(now + Duration::minutes(30), tz);
        let next_round_hour = local.hour() + 1;
        if next_round_hour <= 19
            && local_date(now + Duration::minutes(30), tz) == local_date(now, tz)
        {
            let at = at_local(now, tz, 0, next_round_hour, 0);
            presets.push((format!("about {next_round_hour}:00 today"), at));
        }
        presets.push(("tomorrow 09:00".to_string(), at_local(now, tz, 1, 9, 0)));
        TimePicker::new(presets)
    }

    /// When a follow-up is due: tomorrow 09:00, next Monday 09:00, in a week.
    pub fn due(now: DateTime<Utc>, tz: Tz) -> TimePicker {
        TimePicker::new(vec![
            ("tomorrow 09:00".to_string(), at_local(now, tz, 1, 9, 0)),
            ("next Monday 09:00".to_string(), next_monday_nine(now, tz)),
            ("in a week, 09:00".to_string(), at_local(now, tz, 7, 9, 0)),
        ])
    }

    /// Typing goes to the WHEN line and chooses it.
    pub fn type_char(&mut self, c: char) {
        self.edit(&Edit::Key(EditKey::Char(c)));
    }

    pub fn erase(&mut self) {
        self.edit(&Edit::Key(EditKey::Backspace));
    }

    /// A keystroke or a paste into the WHEN line, which it chooses.
    pub fn edit(&mut self, edit: &Edit) {
        self.typed.input(edit);
        self.chosen = self.presets.len();
    }

    pub fn next(&mut self) {
        self.chosen = (self.chosen + 1).min(self.presets.len());
    }

    pub fn prev(&mut self) {
        self.chosen = self.chosen.saturating_sub(1);
    }

    pub fn typing(&self) -> bool {
        self.chosen == self.presets.len()
    }

    /// The chosen instant, which must be still to come.
    pub fn choice(&self, now: DateTime<Utc>, tz: Tz) -> Result<DateTime<Utc>, String> {
        let at = match self.presets.get(self.chosen) {
            Some((_, at)) => *at,
            None => {
                parse_when(&self.typed.value(), now, tz)
                    .map_err(|e| e.0)?
                    .at
            }
        };
        if at <= now {
            return Err("that time has passed: choose one still to come".into());
        }
        Ok(at)
    }
}

/// `days` from today at `hour:minute` local time (the first valid instant
/// at or after it, across a daylight-saving gap).
fn at_local(now: DateTime<Utc>, tz: Tz, days: i64, hour: u32, minute: u32) -> DateTime<Utc> {
    let date = local_date(now, tz) + Duration::days(days);
    let time = NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN);
    first_instant_at_or_after(date.and_time(time), tz)
}

fn next_monday_nine(now: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
    let today = local_date(now, tz).weekday();
    let days = 7 - i64::from(today.num_days_from_monday());
    at_local(now, tz, days, 9, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn monday_1420() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T14:20:00+01:00")
            .map(|d| d.with_timezone(&Utc))
            .expect("instant")
    }

    #[test]
    fn snooze_presets_resolve_in_the_coachs_zone() {
        let tz = chrono_tz::Europe::Berlin;
        let picker = TimePicker::snooze(monday_1420(), tz);
        let shown: Vec<String> = picker
            .presets
            .iter()
            .map(|(label, at)| format!("{label} {}", at.with_timezone(&tz).format("%a %H:%M")))
            .collect();
        assert_eq!(
            shown,
            [
                "in 1 hour Mon 15:20",
                "this evening Mon 18:00",
                "tomorrow 09:00 Tue 09:00",
                "next Monday 09:00 Mon 09:00"
            ]
        );
    }

    #[test]
    fn a_typed_time_must_be_readable_and_still_to_come() {
        let tz = chrono_tz::Europe::Berlin;
        let mut picker = TimePicker::promise(monday_1420(), tz);
        for c in "+2h".chars() {
            picker.type_char(c);
        }
        assert!(picker.typing());
        assert_eq!(
            picker.choice(monday_1420(), tz),
            Ok(monday_1420() + Duration::hours(2))
        );
        picker.typed = TextEditor::single_line("1 hour ago");
        assert!(picker.choice(monday_1420(), tz).is_err());
        picker.typed = TextEditor::single_line("someday");
        assert!(picker.choice(monday_1420(), tz).is_err());
    }
}
