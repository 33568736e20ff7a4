use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::*;
use crate::intake::ics::read_calendar;

const BERLIN: Tz = chrono_tz::Europe::Berlin;

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("test instant")
        .with_timezone(&Utc)
}

fn wide() -> (DateTime<Utc>, DateTime<Utc>) {
    (
        Utc.with_ymd_and_hms(1990, 1, 1, 0, 0, 0)
            .single()
            .expect("start"),
        Utc.with_ymd_and_hms(2040, 1, 1, 0, 0, 0)
            .single()
            .expect("end"),
    )
}

fn run(text: &str) -> Expansion {
    let (from, to) = wide();
    expand_calendar(&read_calendar(text), from, to, BERLIN)
}

fn cal(body: &str) -> String {
    format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{body}END:VCALENDAR\r\n")
}

fn starts(exp: &Expansion) -> Vec<String> {
    exp.occurrences
        .iter()
        .map(|o| o.start.format("%Y-%m-%dT%H:%MZ").to_string())
        .collect()
}

#[test]
fn exdate_removes_instances_and_duration_sets_the_end() {
    let exp = run(&cal(
        "BEGIN:VEVENT\r\nUID:x\r\nDTSTART;TZID=Australia/Brisbane:20060101T120000\r\nDURATION:PT1H\r\n\
         RRULE:FREQ=DAILY;COUNT=7\r\nEXDATE;TZID=Australia/Brisbane:20060103T120000\r\n\
         EXDATE;TZID=Australia/Brisbane:20060104T120000\r\nEND:VEVENT\r\n",
    ));
    assert_eq!(exp.occurrences.len(), 5);
    let first = &exp.occurrences[0];
    assert_eq!(first.start, utc("2006-01-01T02:00:00Z"));
    assert_eq!(first.end - first.start, chrono::Duration::hours(1));
    assert_eq!(first.key, "x/20060101T020000Z");
}

#[test]
fn a_folded_comma_separated_exdate_list() {
    let exp = run(&cal(
        "BEGIN:VEVENT\r\nUID:y\r\nDTSTART;TZID=Pacific Standard Time:20200721T120000\r\n\
         DTEND;TZID=Pacific Standard Time:20200721T130000\r\nRRULE:FREQ=WEEKLY;COUNT=4;BYDAY=TU,TH\r\n\
         EXDATE;TZID=Pacific Standard Time:20200721T120000,20200723T120000,20200728T\r\n 120000\r\nEND:VEVENT\r\n",
    ));
    assert_eq!(starts(&exp), ["2020-07-30T19:00Z"]);
}

#[test]
fn an_override_before_its_master_replaces_the_instance() {
    let exp = run(&cal(
        "BEGIN:VEVENT\r\nUID:g\r\nRECURRENCE-ID;TZID=America/New_York:20260202T100000\r\n\
         DTSTART;TZID=America/New_York:20260202T140000\r\nDTEND;TZID=America/New_York:20260202T150000\r\n\
         SUMMARY:Edited Title\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:g\r\nDTSTART;TZID=America/New_York:20260201T100000\r\n\
         DTEND;TZID=America/New_York:20260201T110000\r\nRRULE:FREQ=DAILY;COUNT=3\r\nSUMMARY:Initial Title\r\nEND:VEVENT\r\n",
    ));
    assert_eq!(exp.occurrences.len(), 3);
    let moved = &exp.occurrences[1];
    assert_eq!(moved.summary, "Edited Title");
    assert_eq!(moved.start, utc("2026-02-02T19:00:00Z"));
    // Keyed by the instance it replaces, so a later move keeps the key.
    assert_eq!(moved.key, "g/20260202T150000Z");
    assert_eq!(exp.occurrences[2].summary, "Initial Title");
}

#[test]
fn a_cancelled_override_removes_its_instance() {
    let exp = run(&cal(
        "BEGIN:VEVENT\r\nUID:c\r\nDTSTART:20260201T100000Z\r\nDTEND:20260201T110000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:c\r\nRECURRENCE-ID:20260202T100000Z\r\nDTSTART:20260202T100000Z\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n",
    ));
    assert_eq!(starts(&exp), ["2026-02-01T10:00Z", "2026-02-03T10:00Z"]);
}

#[test]
fn weekly_expansion_keeps_the_wall_clock_across_dst() {
    // 09:00 Berlin: 08:00 UTC in winter, 07:00 UTC after 29 March 2026.
    let exp = run(&cal(
        "BEGIN:VEVENT\r\nUID:d\r\nDTSTART;TZID=Europe/Berlin:20260319T090000\r\nDTEND;TZID=Europe/Berlin:20260319T100000\r\n\
         RRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\n",
    ));
    assert_eq!(
        starts(&exp),
        [
            "2026-03-19T08:00Z",
            "2026-03-26T08:00Z",
            "2026-04-02T07:00Z"
        ]
    );
}

#[test]
fn floating_times_are_the_coachs_and_utc_is_utc() {
    let exp = run(&cal(
        "BEGIN:VEVENT\r\nUID:f\r\nDTSTART:20260701T090000\r\nDTEND:20260701T100000\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:u\r\nDTSTART:20260701T090000Z\r\nDTEND:20260701T100000Z\r\nEND:VEVENT\r\n",
    ));
    assert_eq!(starts(&exp), ["2026-07-01T07:00Z", "2026-07-01T09:00Z"]);
}

#[test]
fn all_day_events_cover_their_days_in_the_coachs_zone() {
    let exp = run(&cal(
        "BEGIN:VEVENT\r\nUID:h\r\nDTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261226\r\nSUMMARY:Holidays\r\nEND:VEVENT\r\n",
    ));
    let o = &exp.occurrences[0];
    assert!(o.all_day);
    assert_eq!(o.start, utc("2026-12-23T23:00:00Z"));
    assert_eq!(o.end, utc("2026-12-25T23:00:00Z"));
    assert_eq!(o.key, "h/20261224");
}

#[test]
fn an_all_day_override_with_a_date_time_recurrence_id() {
    let exp = run(&cal(
        "BEGIN:VEVENT\r\nUID:e\r\nDTSTART;VALUE=DATE:20260219\r\nDTEND;VALUE=DATE:20260220\r\n\
         RRULE:FREQ=WEEKLY;UNTIL=20260305T220000Z;BYDAY=TU,TH\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:e\r\nRECURRENCE-ID;TZID=W. Europe Standard Time:20260226T000000\r\n\
         DTSTART;VALUE=DATE:20260227\r\nDTEND;VALUE=DATE:20260228\r\nEND:VEVENT\r\n",
    ));
    let keys: Vec<&str> = exp.occurrences.iter().map(|o| o.key.as_str()).collect();
    // 19, 24, 26 (moved to 27), 3 and 5 March.
    assert_eq!(
        keys,
        [
            "e/20260219",
            "e/20260224",
            "e/20260226",
            "e/20260303",
            "e/20260305"
        ]
    );
    assert_eq!(exp.occurrences[2].start, utc("2026-02-26T23:00:00Z"));
}

#[test]
fn a_vtimezone_only_name_uses_the_files_offsets() {
    let exp = run(&cal(
        "BEGIN:VEVENT\r\nUID:k\r\nDTSTART;TZID=\"Kuala Lumpur, Singapore\":20081031T093000\r\n\
         DTEND;TZID=\"Kuala Lumpur, Singapore\":20081031T094000\r\nEND:VEVENT\r\n\
         BEGIN:VTIMEZONE\r\nTZID:Kuala Lumpur\\, Singapore\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\n\
         TZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n",
    ));
    assert_eq!(starts(&exp), ["2008-10-31T01:30Z"]);
}

#[test]
fn malformed_events_are_skipped_with_a_reason_and_the_rest_stays() {
    let exp = run(&cal(
        "BEGIN:VEVENT\r\nUID:bad1\r\nSUMMARY:Broken rule\r\nDTSTART:20260101T090000Z\r\nRRULE:RRULE:AnythingRandom;FREQ=WEEKLY\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:bad2\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:bad3\r\nDTSTART;TZID=Nowhere/Special:20260101T090000\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:good\r\nDTSTART:20260101T090000Z\r\nEND:VEVENT\r\n",
    ));
    assert_eq!(exp.events, 4);
    assert_eq!(exp.occurrences.len(), 1);
    let reasons: Vec<&str> = exp.skipped.iter().map(|s| s.reason.as_str()).collect();
    assert!(reasons[0].contains("not KEY=VALUE"), "{reasons:?}");
    assert!(exp.skipped[0].item.contains("Broken rule"));
    assert_eq!(reasons[1], "no DTSTART");
    assert!(reasons[2].contains("unknown time zone"), "{reasons:?}");
}

#[test]
fn the_malformed_quote_line_is_recovered() {
    let exp = run(&cal(
        "BEGIN:VEVENT\r\nUID:q\r\nDTSTART;TZID=\"W. Europe Standard Time:20200609T090000\"\r\n\
         DTEND;TZID=W. Europe Standard Time:20200609T093000\r\nEND:VEVENT\r\n",
    ));
    assert_eq!(starts(&exp), ["2020-06-09T07:00Z"]);
}

#[test]
fn the_window_limits_unbounded_rules() {
    let text = cal(
        "BEGIN:VEVENT\r\nUID:w\r\nDTSTART:20200101T090000Z\r\nDTEND:20200101T100000Z\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\n",
    );
    let exp = expand_calendar(
        &read_calendar(&text),
        utc("2026-11-01T00:00:00Z"),
        utc("2026-11-08T00:00:00Z"),
        BERLIN,
    );
    assert_eq!(exp.occurrences.len(), 7);
}

/// A VTIMEZONE with history, as Apple and Thunderbird write it: the US rules
/// before 2007 end with UNTIL, the new ones start in 2007, and one change is
/// an RDATE. Without UNTIL the old "last Sunday of October" would end summer
/// time a week early every year.
#[test]
fn vtimezone_rules_end_at_their_until_and_rdates_count() {
    let zone = "BEGIN:VTIMEZONE\r\nTZID:Eastern (custom)\r\n\
        BEGIN:DAYLIGHT\r\nDTSTART:19870405T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\n\
        RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU;UNTIL=20060402T070000Z\r\nEND:DAYLIGHT\r\n\
        BEGIN:STANDARD\r\nDTSTART:19671029T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\n\
        RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU;UNTIL=20061029T060000Z\r\nEND:STANDARD\r\n\
        BEGIN:DAYLIGHT\r\nDTSTART:20070311T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\n\
        RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\nEND:DAYLIGHT\r\n\
        BEGIN:STANDARD\r\nDTSTART:20071104T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\n\
        RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\nEND:STANDARD\r\n\
        BEGIN:DAYLIGHT\r\nDTSTART:19940106T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\n\
        RDATE:19950223T020000\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";
    let event = |uid: &str, at: &str| {
        format!(
            "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART;TZID=Eastern (custom):{at}\r\nDURATION:PT1H\r\nEND:VEVENT\r\n"
        )
    };
    let exp = run(&cal(&format!(
        "{zone}{}{}{}",
        // 28 Oct 2026: after the old last-Sunday rule's date, still summer time.
        event("a", "20261028T090000"),
        // 5 Nov 2026: after the first Sunday of November, winter time.
        event("b", "20261105T090000"),
        // 1 Mar 1995: after an RDATE onset of summer time (23 Feb 1995, an
        // early start as in the US in 1974-75), before the April rule.
        event("c", "19950301T090000"),
    )));
    assert_eq!(
        starts(&exp),
        [
            "1995-03-01T13:00Z",
            "2026-10-28T13:00Z",
            "2026-11-05T14:00Z"
        ]
    );
}
