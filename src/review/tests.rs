//! The review's figures against hand-computed values.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Berlin;

use super::*;
use crate::domain::hours::{ReplyClock, ReplyTargets, WorkingHours};
use crate::model::{
    Channel, ClientStatus, FollowUp, FollowUpKind, MovedBy, Owner, Request, RequestStatus,
    Resolution, Session, SessionStatus,
};
use crate::store::SessionMove;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .map(|d| d.with_timezone(&Utc))
        .expect("test instant")
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("test date")
}

fn clock() -> ReplyClock {
    let hours = WorkingHours::default();
    ReplyClock {
        targets: ReplyTargets::defaults(&hours),
        hours,
        tz: Berlin,
    }
}

/// A request received at `received`, with its reply-by from the default
/// clock, answered `answer_after` clock minutes later (or not at all).
fn request(id: i64, received: &str, urgency: Urgency, answer_after: Option<i64>) -> Request {
    let received_at = at(received);
    let first_reply_at = answer_after.map(|m| received_at + chrono::Duration::minutes(m));
    Request {
        id,
        client_id: Some(1),
        client_name: "Ada Lovelace".into(),
        unknown_sender: None,
        received_at,
        channel: Channel::Email,
        urgency,
        status: if first_reply_at.is_some() {
            RequestStatus::Answered
        } else {
            RequestStatus::Open
        },
        subject: None,
        body: "hello".into(),
        reply_by: clock().reply_by(received_at, urgency),
        first_reply_at,
        snoozed_until: None,
        waiting_since: None,
        closed_at: None,
        handed_off: false,
        undelivered: None,
    }
}

fn review_of(requests: Vec<Request>, from: &str, to: &str, now: &str) -> Review {
    let input = ReviewInput {
        requests,
        ..ReviewInput::default()
    };
    let range = ReviewRange::new(date(from), date(to)).expect("range");
    compute(&input, range, &clock(), at(now))
}

const MONDAY: &str = "2026-11-23";
const EVENING: &str = "2026-11-23T20:00:00+01:00";

#[test]
fn nearest_rank_takes_the_value_at_the_rounded_up_rank() {
    assert_eq!(nearest_rank(&[], 50), None);
    assert_eq!(nearest_rank(&[7], 50), Some(7));
    assert_eq!(nearest_rank(&[7], 90), Some(7));
    // Odd: rank ⌈2.5⌉ = 3 and ⌈4.5⌉ = 5.
    assert_eq!(nearest_rank(&[10, 20, 30, 40, 50], 50), Some(30));
    assert_eq!(nearest_rank(&[10, 20, 30, 40, 50], 90), Some(50));
    // Even: rank ⌈2⌉ = 2 and ⌈3.6⌉ = 4.
    assert_eq!(nearest_rank(&[10, 20, 30, 40], 50), Some(20));
    assert_eq!(nearest_rank(&[10, 20, 30, 40], 90), Some(40));
    // Ten values: ranks 5 and 9 exactly.
    let ten: Vec<i64> = (1..=10).collect();
    assert_eq!(nearest_rank(&ten, 50), Some(5));
    assert_eq!(nearest_rank(&ten, 90), Some(9));
}

#[test]
fn no_requests_gives_empty_figures_and_an_empty_trend() {
    let review = review_of(vec![], MONDAY, MONDAY, EVENING);
    assert_eq!(review.requests.len(), 0);
    assert_eq!(review.first_reply, ReplyTimes::default());
    assert!(review.within_target.iter().all(|s| s.total == 0));
    assert!(review.breaches.is_empty() && review.unanswered.is_empty());
    assert_eq!(review.daily_medians.len(), 14);
    assert_eq!(review.daily_medians[0].date, date("2026-11-10"));
    assert_eq!(review.daily_medians[13].date, date(MONDAY));
    assert!(
        review
            .daily_medians
            .iter()
            .all(|d| d.median_minutes.is_none())
    );
}

#[test]
fn a_single_answered_request_is_its_own_median_p90_and_max() {
    let review = review_of(
        vec![request(
            1,
            "2026-11-23T10:00:00+01:00",
            Urgency::Urgent,
            Some(25),
        )],
        MONDAY,
        MONDAY,
        EVENING,
    );
    let expected = ReplyTimes {
        count: 1,
        median_minutes: Some(25),
        p90_minutes: Some(25),
        max_minutes: Some(25),
    };
    assert_eq!(review.first_reply, expected);
    assert_eq!(review.first_reply_working, expected);
}

#[test]
fn an_odd_count_of_answers() {
    let review = review_of(
        vec![
            request(1, "2026-11-23T09:00:00+01:00", Urgency::Normal, Some(30)),
            request(2, "2026-11-23T10:00:00+01:00", Urgency::Normal, Some(90)),
            request(3, "2026-11-23T11:00:00+01:00", Urgency::Normal, Some(10)),
        ],
        MONDAY,
        MONDAY,
        EVENING,
    );
    // Sorted 10, 30, 90: rank 2 and rank ⌈2.7⌉ = 3.
    assert_eq!(review.first_reply.median_minutes, Some(30));
    assert_eq!(review.first_reply.p90_minutes, Some(90));
    assert_eq!(review.first_reply.max_minutes, Some(90));
    assert_eq!(review.first_reply.count, 3);
}

#[test]
fn an_even_count_of_answers() {
    let review = review_of(
        vec![
            request(1, "2026-11-23T09:00:00+01:00", Urgency::Normal, Some(80)),
            request(2, "2026-11-23T09:30:00+01:00", Urgency::Normal, Some(20)),
            request(3, "2026-11-23T10:00:00+01:00", Urgency::Normal, Some(40)),
            request(4, "2026-11-23T10:30:00+01:00", Urgency::Normal, Some(10)),
        ],
        MONDAY,
        MONDAY,
        EVENING,
    );
    // Sorted 10, 20, 40, 80: rank 2 and rank ⌈3.6⌉ = 4 (no averaging).
    assert_eq!(review.first_reply.median_minutes, Some(20));
    assert_eq!(review.first_reply.p90_minutes, Some(80));
    assert_eq!(review.first_reply.max_minutes, Some(80));
}

#[test]
fn a_request_answered_after_midnight_belongs_to_the_day_it_came_in() {
    // Monday 23:30 crisis, answered Tuesday 00:15: 45 clock minutes, none of
    // them working minutes, and within the one-hour target.
    let late = request(1, "2026-11-23T23:30:00+01:00", Urgency::Crisis, Some(45));
    let monday = review_of(
        vec![late.clone()],
        MONDAY,
        MONDAY,
        "2026-11-24T09:00:00+01:00",
    );
    assert_eq!(monday.requests.len(), 1);
    assert_eq!(monday.first_reply.median_minutes, Some(45));
    assert_eq!(monday.first_reply_working.median_minutes, Some(0));
    let crisis = monday.share(Urgency::Crisis).expect("crisis share");
    assert_eq!((crisis.met, crisis.total), (1, 1));
    assert_eq!(monday.daily_medians[13].median_minutes, Some(45));

    let tuesday = review_of(
        vec![late],
        "2026-11-24",
        "2026-11-24",
        "2026-11-24T09:00:00+01:00",
    );
    assert_eq!(tuesday.requests.len(), 0);
    assert_eq!(tuesday.first_reply.count, 0);
}

#[test]
fn working_minutes_skip_the_weekend() {
    // Friday 16:00 normal request, answered Monday 10:00: 66 hours on the
    // clock, two working hours (Friday 16-17, Monday 9-10).
    let review = review_of(
        vec![request(
            1,
            "2026-11-20T16:00:00+01:00",
            Urgency::Normal,
            Some(66 * 60),
        )],
        "2026-11-20",
        "2026-11-20",
        EVENING,
    );
    assert_eq!(review.first_reply.median_minutes, Some(3960));
    assert_eq!(review.first_reply_working.median_minutes, Some(120));
    // The reply-by is Monday 16:00 (one working day), so this was in time.
    assert_eq!(review.requests[0].target_minutes, 72 * 60);
    assert_eq!(review.requests[0].verdict, Verdict::Met);
}

#[test]
fn the_autumn_dst_day_has_25_hours_and_all_of_them_count() {
    // Sunday 25 October 2026, Berlin falls back at 03:00 CEST to 02:00 CET.
    let day = "2026-10-25";
    let requests = vec![
        // 00:10 CEST: the day's first minutes (still 24 October in UTC).
        request(1, "2026-10-25T00:10:00+02:00", Urgency::Crisis, Some(20)),
        // 02:30 CET, the second 02:30 of the night.
        request(2, "2026-10-25T02:30:00+01:00", Urgency::Crisis, Some(40)),
        // 23:50 CET: the day's last minutes.
        request(3, "2026-10-25T23:50:00+01:00", Urgency::Crisis, Some(30)),
        // 00:05 CET on Monday: not this day.
        request(4, "2026-10-26T00:05:00+01:00", Urgency::Crisis, Some(5)),
        // 23:55 CEST on Saturday: not this day either.
        request(5, "2026-10-24T23:55:00+02:00", Urgency::Crisis, Some(5)),
    ];
    let review = review_of(requests, day, day, "2026-10-27T12:00:00+01:00");
    let ids: Vec<i64> = review.requests.iter().map(|o| o.id).collect();
    assert_eq!(ids, vec![1, 2, 3]);
    assert_eq!(review.first_reply.median_minutes, Some(30));
    assert_eq!(review.first_reply.p90_minutes, Some(40));
}

#[test]
fn the_spring_dst_day_has_23_hours() {
    // Sunday 29 March 2026: 02:00 CET jumps to 03:00 CEST.
    let day = "2026-03-29";
    let requests = vec![
        request(1, "2026-03-29T00:30:00+01:00", Urgency::Crisis, Some(15)),
        request(2, "2026-03-29T03:30:00+02:00", Urgency::Crisis, Some(25)),
        request(3, "2026-03-29T23:59:00+02:00", Urgency::Crisis, Some(35)),
        request(4, "2026-03-30T00:00:00+02:00", Urgency::Crisis, Some(45)),
    ];
    let review = review_of(requests, day, day, "2026-03-30T12:00:00+02:00");
    let ids: Vec<i64> = review.requests.iter().map(|o| o.id).collect();
    assert_eq!(ids, vec![1, 2, 3]);
    assert_eq!(review.first_reply.median_minutes, Some(25));
}

#[test]
fn within_target_counts_late_replies_and_overdue_silence_as_breaches() {
    let now = "2026-11-23T15:00:00+01:00";
    let mut closed = request(6, "2026-11-23T09:00:00+01:00", Urgency::Crisis, None);
    closed.status = RequestStatus::Closed;
    let mut waiting = request(7, "2026-11-23T09:05:00+01:00", Urgency::Crisis, None);
    waiting.status = RequestStatus::WaitingOnClient;
    let requests = vec![
        // Answered exactly at the reply-by: met.
        request(1, "2026-11-23T09:00:00+01:00", Urgency::Crisis, Some(60)),
        // A minute late: missed.
        request(2, "2026-11-23T10:00:00+01:00", Urgency::Crisis, Some(61)),
        // Urgent, silent, reply-by 13:30 passed: missed and still waiting.
        request(3, "2026-11-23T09:30:00+01:00", Urgency::Urgent, None),
        // Normal, silent, reply-by tomorrow: pending, not counted yet.
        request(4, "2026-11-23T11:00:00+01:00", Urgency::Normal, None),
        // Low, answered within three working days.
        request(5, "2026-11-23T12:00:00+01:00", Urgency::Low, Some(30)),
        closed,
        waiting,
    ];
    let review = review_of(requests, MONDAY, MONDAY, now);
    let share = |u| {
        let s = review.share(u).expect("share");
        (s.met, s.total)
    };
    assert_eq!(share(Urgency::Crisis), (1, 2));
    assert_eq!(share(Urgency::Urgent), (0, 1));
    assert_eq!(share(Urgency::Normal), (0, 0));
    assert_eq!(share(Urgency::Low), (1, 1));

    // In order of receipt.
    let breaches: Vec<i64> = review.breaches.iter().map(|o| o.id).collect();
    assert_eq!(breaches, vec![3, 2]);
    let late = &review.breaches[1];
    assert_eq!(
        (
            late.waited_minutes,
            late.target_minutes,
            late.late_minutes()
        ),
        (Some(61), 60, 1)
    );
    let silent = &review.breaches[0];
    assert_eq!(silent.waited_minutes, Some(330)); // 09:30 to 15:00
    assert_eq!(silent.target_minutes, 240);

    // Still unanswered, oldest first; closed and waiting-on-client are not.
    let unanswered: Vec<i64> = review.unanswered.iter().map(|o| o.id).collect();
    assert_eq!(unanswered, vec![3, 4]);
    assert_eq!(review.requests.len(), 7);
    assert_eq!(review.first_reply.count, 3);
}

fn session(id: i64, status: SessionStatus) -> Session {
    Session {
        id,
        client_id: 1,
        client_name: "Ada Lovelace".into(),
        start: at("2026-11-23T10:00:00+01:00"),
        minutes: 60,
        place: None,
        status,
        moved_by: None,
        series_id: None,
        ical_uid: format!("{id}@test"),
        ical_sequence: 0,
        event_uid: None,
        recurrence_id: None,
        ical_source: None,
        changed_in_calendar: false,
        notes: String::new(),
    }
}

fn moved(session_id: i64, by: MovedBy) -> SessionMove {
    SessionMove {
        session_id,
        client_id: 1,
        moved_by: by,
        reason: None,
        from_start: at("2026-11-23T10:00:00+01:00"),
        to_start: None,
        moved_at: at("2026-11-22T10:00:00+01:00"),
    }
}

fn followup(id: i64, kind: FollowUpKind, due: &str, done: Option<&str>) -> FollowUp {
    FollowUp {
        id,
        client_id: 1,
        client_name: "Ada Lovelace".into(),
        due: at(due),
        text: "call back".into(),
        owner: Owner::Coach,
        kind,
        request_id: None,
        session_id: None,
        done_at: done.map(at),
        callback: false,
    }
}

#[test]
fn sessions_promises_and_followups_are_counted_by_outcome() {
    let now = at("2026-11-23T17:00:00+01:00");
    let sessions = vec![
        session(1, SessionStatus::Held),
        session(2, SessionStatus::Held),
        session(3, SessionStatus::Cancelled),
        session(4, SessionStatus::NoShow),
        session(5, SessionStatus::Booked),
    ];
    // Session 10 moved twice by the coach counts once; 11 by the client.
    let moves = vec![
        moved(10, MovedBy::Coach),
        moved(10, MovedBy::Coach),
        moved(11, MovedBy::Client),
    ];
    let followups = vec![
        followup(
            1,
            FollowUpKind::Promise,
            "2026-11-23T15:00:00+01:00",
            Some("2026-11-23T14:00:00+01:00"),
        ),
        followup(
            2,
            FollowUpKind::Promise,
            "2026-11-23T11:00:00+01:00",
            Some("2026-11-23T12:00:00+01:00"),
        ),
        followup(3, FollowUpKind::Promise, "2026-11-23T12:00:00+01:00", None),
        followup(4, FollowUpKind::Promise, "2026-11-23T19:00:00+01:00", None),
        followup(5, FollowUpKind::Action, "2026-11-23T09:00:00+01:00", None),
    ];
    let input = ReviewInput {
        sessions: session_counts(&sessions, &moves),
        promises: promise_counts(&followups, now),
        followups: followup_counts(&followups, now),
        ..ReviewInput::default()
    };
    let range = ReviewRange::day(date(MONDAY));
    let review = compute(&input, range, &clock(), now);
    assert_eq!(
        review.sessions,
        SessionCounts {
            held: 2,
            rescheduled_by_coach: 1,
            rescheduled_by_client: 1,
            cancelled: 1,
            no_show: 1,
            booked: 1,
        }
    );
    assert_eq!(
        review.promises,
        PromiseCounts {
            kept: 1,
            broken: 2,
            pending: 1
        }
    );
    assert_eq!(
        review.followups,
        FollowUpCounts {
            done: 2,
            overdue: 2,
            pending: 1
        }
    );
}

fn facts(status: ClientStatus) -> ClientFacts {
    let now = at("2026-11-23T17:00:00+01:00");
    ClientFacts {
        client_id: 1,
        name: "Ada Lovelace".into(),
        status,
        now,
        last_contact: Some(now - chrono::Duration::days(3)),
        booked_ahead: 1,
        coach_moves: 0,
        missed_reply_bys: 0,
        overdue_client_actions: 0,
        agreement_unsigned: false,
        no_shows: 0,
    }
}

#[test]
fn at_risk_names_every_reason_and_skips_paused_clients() {
    let fine = facts(ClientStatus::Active);
    assert!(risk_reasons(&fine).is_empty());

    let mut worried = facts(ClientStatus::Active);
    worried.last_contact = Some(worried.now - chrono::Duration::days(21));
    worried.booked_ahead = 0;
    worried.coach_moves = 2;
    worried.missed_reply_bys = 1;
    let reasons: Vec<String> = risk_reasons(&worried)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        reasons,
        vec![
            "no contact for 21 days",
            "nothing booked in the next 14 days",
            "moved by the coach 2x in 90 days",
            "a missed reply-by in the last 30 days",
        ]
    );

    let mut almost = facts(ClientStatus::Active);
    almost.last_contact = Some(almost.now - chrono::Duration::days(20));
    almost.coach_moves = 1;
    assert!(risk_reasons(&almost).is_empty());

    let mut never = facts(ClientStatus::Active);
    never.last_contact = None;
    assert_eq!(
        risk_reasons(&never),
        vec![RiskReason::NoContact { days: None }]
    );

    let mut paused = worried.clone();
    paused.status = ClientStatus::Paused;
    assert!(risk_reasons(&paused).is_empty());

    let listed = at_risk_clients(&[fine, paused, worried]);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].reasons.len(), 4);
}

#[test]
fn missed_reply_bys_look_back_thirty_days_from_now() {
    let now = at("2026-11-23T17:00:00+01:00");
    let requests = vec![
        // Answered late, reply-by two days ago: counts.
        request(1, "2026-11-20T09:00:00+01:00", Urgency::Crisis, Some(90)),
        // Answered late, but its reply-by is 40 days back: too old.
        request(2, "2026-10-14T09:00:00+01:00", Urgency::Crisis, Some(90)),
        // In time: does not count.
        request(3, "2026-11-20T09:00:00+01:00", Urgency::Crisis, Some(30)),
        // Silent past the reply-by: counts.
        request(4, "2026-11-23T09:00:00+01:00", Urgency::Crisis, None),
    ];
    let missed = missed_reply_bys(&requests, now);
    assert_eq!(missed.get(&1), Some(&2));
}

#[test]
fn the_trend_puts_each_median_on_its_day() {
    let requests = vec![
        request(1, "2026-11-10T09:00:00+01:00", Urgency::Crisis, Some(10)),
        request(2, "2026-11-20T09:00:00+01:00", Urgency::Crisis, Some(50)),
        request(3, "2026-11-20T10:00:00+01:00", Urgency::Crisis, Some(20)),
        // Before the trend's first day: left out.
        request(4, "2026-11-09T09:00:00+01:00", Urgency::Crisis, Some(99)),
    ];
    let review = review_of(requests, MONDAY, MONDAY, EVENING);
    let trend = &review.daily_medians;
    assert_eq!(trend[0].date, date("2026-11-10"));
    assert_eq!((trend[0].answered, trend[0].median_minutes), (1, Some(10)));
    assert_eq!(
        (trend[10].answered, trend[10].median_minutes),
        (2, Some(20))
    );
    assert_eq!(trend.iter().map(|d| d.answered).sum::<usize>(), 3);
}

#[test]
fn a_range_must_run_forward() {
    assert!(ReviewRange::new(date("2026-11-23"), date("2026-11-22")).is_err());
    let one = ReviewRange::new(date(MONDAY), date(MONDAY)).expect("one day");
    assert!(one.is_one_day());
}

/// The book's side: `gather` asks the store for the right instants on a
/// daylight-saving day, and replies, moves and apologies reach the figures.
#[test]
fn gather_reads_a_dst_day_from_the_book() {
    use crate::config::Config;
    use crate::model::{DeliveryState, ReplyKind};
    use crate::store::{NewClient, NewReply, NewRequest, Store};

    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("book.sqlite")).expect("book");
    let mut config = Config::defaults();
    config.tz = Berlin;
    let clock = config.reply_clock();
    let now = at("2026-10-27T12:00:00+01:00");
    let received = [
        ("2026-10-24T23:59:00+02:00", Some(10)),
        ("2026-10-25T00:00:00+02:00", Some(20)),
        ("2026-10-25T02:30:00+01:00", Some(40)),
        ("2026-10-25T23:59:00+01:00", None),
        ("2026-10-26T00:00:00+01:00", Some(5)),
    ];
    store
        .change("test", "test book", now, |tx| {
            let client = tx.add_client(
                &NewClient {
                    name: "Ada Lovelace".into(),
                    ..NewClient::default()
                },
                Berlin,
            )?;
            for (when, answer) in received {
                let received_at = at(when);
                let id = tx.add_request(
                    &NewRequest {
                        client_id: Some(client),
                        unknown_sender: None,
                        received_at,
                        channel: Channel::Phone,
                        urgency: Urgency::Crisis,
                        subject: None,
                        body: "help".into(),
                        message_id: None,
                    },
                    &clock,
                )?;
                if let Some(minutes) = answer {
                    tx.add_reply(&NewReply {
                        client_id: Some(client),
                        partner_id: None,
                        request_id: Some(id),
                        session_id: None,
                        kind: ReplyKind::Apology,
                        sent_at: received_at + chrono::Duration::minutes(minutes),
                        to_addr: None,
                        subject: None,
                        body: "sorry for the wait".into(),
                        message_id: None,
                        delivery: DeliveryState::Sent,
                    })?;
                }
            }
            Ok(())
        })
        .expect("written");

    let range = ReviewRange::day(date("2026-10-25"));
    let review = gather(&store, &config, range, now).expect("review");
    assert_eq!(review.requests.len(), 3);
    assert_eq!(review.first_reply.count, 2);
    assert_eq!(review.first_reply.median_minutes, Some(20));
    assert_eq!(review.first_reply.max_minutes, Some(40));
    // The silent one at 23:59 is a breach and still unanswered.
    assert_eq!(review.breaches.len(), 1);
    assert_eq!(review.unanswered.len(), 1);
    // Apologies are counted by when they were sent: the 23:59 Saturday
    // one went out at 00:09 Sunday.
    assert_eq!(review.apologies_sent, 3);
    assert_eq!(review.at_risk.len(), 1);
}

/// Issue 9: how a request stopped never makes the review kinder.
#[test]
fn closing_or_waiting_after_the_reply_by_keeps_the_breach_and_before_it_does_not() {
    // Crisis at 10:00: reply by 11:00.
    let base = request(1, "2026-11-23T10:00:00+01:00", Urgency::Crisis, None);
    let stopped = |status, at_text: &str| {
        let at_time = at(at_text);
        Request {
            status,
            closed_at: (status == RequestStatus::Closed).then_some(at_time),
            waiting_since: (status == RequestStatus::WaitingOnClient).then_some(at_time),
            ..base.clone()
        }
    };
    let cases = [
        (
            stopped(RequestStatus::Closed, "2026-11-23T12:00:00+01:00"),
            Verdict::Missed,
            Resolution::ClosedWithoutReply,
            Some(120),
        ),
        (
            stopped(RequestStatus::Closed, "2026-11-23T10:30:00+01:00"),
            Verdict::NotJudged,
            Resolution::ClosedWithoutReply,
            None,
        ),
        (
            stopped(RequestStatus::WaitingOnClient, "2026-11-23T11:30:00+01:00"),
            Verdict::Missed,
            Resolution::StillWaiting,
            Some(90),
        ),
        (
            stopped(RequestStatus::WaitingOnClient, "2026-11-23T10:15:00+01:00"),
            Verdict::NotJudged,
            Resolution::StillWaiting,
            None,
        ),
    ];
    for (request, verdict, resolution, waited) in cases {
        let review = review_of(vec![request.clone()], MONDAY, MONDAY, EVENING);
        let outcome = &review.requests[0];
        assert_eq!(outcome.verdict, verdict, "{request:?}");
        assert_eq!(outcome.resolution, resolution);
        assert_eq!(outcome.waited_minutes, waited, "waited until it stopped");
        assert_eq!(
            review.breaches.len(),
            usize::from(verdict == Verdict::Missed)
        );
    }
    // A hand-off whose note was delivered late: answered by hand-off, missed.
    let handed = Request {
        status: RequestStatus::Answered,
        first_reply_at: Some(at("2026-11-23T11:20:00+01:00")),
        handed_off: true,
        ..base
    };
    let review = review_of(vec![handed], MONDAY, MONDAY, EVENING);
    assert_eq!(review.requests[0].resolution, Resolution::HandedOff);
    assert_eq!(review.requests[0].verdict, Verdict::Missed);
}

/// The review reads only the range's rows and the columns its figures use;
/// the figures are those of a review over the whole rows (bodies, texts and
/// every reply read), on the demo book, for a day, a month and ten years.
#[test]
fn the_lean_reads_give_the_figures_of_the_whole_rows() {
    use crate::config::Config;
    use crate::domain::when::start_of_day;
    use crate::model::ReplyKind;
    use crate::store::{
        ClientQueries, FollowUpQueries, RequestFilter, RequestQueries, SessionQueries, Store,
    };

    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("book.sqlite")).expect("book");
    let mut config = Config::defaults();
    config.tz = Berlin;
    let now = at("2026-11-23T14:20:00+01:00");
    crate::demo::generate(&mut store, &config, now).expect("demo book");
    // What the demo book lacks and the lean reads find apart from the rows:
    // a delivered hand-off (and a partner brief waiting, which does not
    // count), a hand-off still in the outbox, a failed reply retried into
    // the outbox, apologies, a promise kept late and one due to the second
    // of `now`, and moves by both sides of one session.
    let extra = rusqlite::Connection::open(dir.path().join("book.sqlite")).expect("book");
    extra
        .execute_batch(
            "CREATE TEMP TABLE picked AS SELECT id, client_id, row_number() OVER (ORDER BY received_at DESC) AS n \
               FROM requests WHERE client_id IS NOT NULL AND first_reply_at IS NOT NULL;
             INSERT INTO replies (client_id, request_id, kind, sent_at, body, delivery, created_at, delivered_at)
               SELECT client_id, id, 'hand-off', '2026-11-22T10:00:00Z', 'x', 'sent', '2026-11-22T10:00:00Z', '2026-11-22T10:00:00Z' FROM picked WHERE n = 1;
             INSERT INTO replies (client_id, request_id, kind, sent_at, body, delivery, created_at)
               SELECT client_id, id, 'partner-brief', '2026-11-22T10:00:00Z', 'x', 'outbox', '2026-11-22T10:00:00Z' FROM picked WHERE n = 1;
             INSERT INTO replies (client_id, request_id, kind, sent_at, body, delivery, created_at)
               SELECT client_id, id, 'hand-off', '2026-11-22T11:00:00Z', 'x', 'outbox', '2026-11-22T11:00:00Z' FROM picked WHERE n = 2;
             INSERT INTO replies (client_id, request_id, kind, sent_at, body, delivery, created_at)
               SELECT client_id, id, 'reply', '2026-11-22T12:00:00Z', 'x', 'failed', '2026-11-22T12:00:00Z' FROM picked WHERE n = 3;
             INSERT INTO replies (client_id, request_id, kind, sent_at, body, delivery, created_at)
               SELECT client_id, id, 'reply', '2026-11-22T13:00:00Z', 'x', 'outbox', '2026-11-22T13:00:00Z' FROM picked WHERE n = 3;
             INSERT INTO replies (client_id, request_id, kind, sent_at, body, delivery, created_at)
               SELECT client_id, id, 'reply', '2026-11-20T13:00:00Z', 'x', 'failed', '2026-11-20T13:00:00Z' FROM picked WHERE n = 4;
             INSERT INTO replies (client_id, kind, sent_at, body, delivery, created_at, delivered_at)
               SELECT client_id, 'apology', '2026-11-23T09:00:00Z', 'sorry', 'sent', '2026-11-23T09:00:00Z', '2026-11-23T09:00:00Z' FROM picked WHERE n <= 2;
             INSERT INTO followups (client_id, due_at, text, owner, kind, done_at, created_at)
               SELECT client_id, '2026-11-23T10:00:00Z', 'late', 'coach', 'promise', '2026-11-23T11:00:00Z', '2026-11-20T10:00:00Z' FROM picked WHERE n = 1;
             INSERT INTO followups (client_id, due_at, text, owner, kind, created_at)
               SELECT client_id, '2026-11-23T13:20:00Z', 'to the second', 'coach', 'promise', '2026-11-20T10:00:00Z' FROM picked WHERE n = 2;
             INSERT INTO session_moves (session_id, client_id, moved_by, from_start, moved_at)
               SELECT id, client_id, 'client', start_at, '2026-11-20T10:00:00Z' FROM sessions WHERE id IN (SELECT session_id FROM session_moves);",
        )
        .expect("extra rows");
    drop(extra);
    let cases = [
        ("2026-11-23", "2026-11-23", now),
        (
            "2026-11-23",
            "2026-11-23",
            now + chrono::Duration::milliseconds(500),
        ),
        ("2026-11-17", "2026-11-23", now),
        ("2026-10-24", "2026-11-23", now),
        ("2025-11-24", "2026-11-23", now),
        ("2016-11-25", "2026-11-23", now),
    ];
    let mut seen = (false, false, false);
    for (from, to, now) in cases {
        let range = ReviewRange::new(date(from), date(to)).expect("range");
        let start = start_of_day(range.from, Berlin);
        let end = start_of_day(range.to + chrono::Duration::days(1), Berlin);
        let trend = start_of_day(range.to - chrono::Duration::days(TREND_DAYS - 1), Berlin);
        let sessions = store.sessions_between(start, end).expect("sessions");
        let moves = store.moves_of_sessions_between(start, end).expect("moves");
        let followups = store.followups_due_between(start, end).expect("follow-ups");
        let whole = ReviewInput {
            requests: store
                .requests(RequestFilter::ReceivedBetween(start.min(trend), end))
                .expect("requests"),
            sessions: session_counts(&sessions, &moves),
            apologies_sent: store
                .replies_between(start, end)
                .expect("replies")
                .iter()
                .filter(|r| r.kind == ReplyKind::Apology)
                .count(),
            promises: promise_counts(&followups, now),
            followups: followup_counts(&followups, now),
            clients: facts_of_clients(
                &store,
                store
                    .clients()
                    .expect("clients")
                    .into_iter()
                    .filter(|c| c.status == ClientStatus::Active)
                    .map(|c| (c.id, c.name, c.status))
                    .collect(),
                now,
            )
            .expect("facts"),
            endings: gather(&store, &config, range, now).expect("review").endings,
        };
        assert!(
            !whole.requests.is_empty(),
            "{from}: the demo book has requests"
        );
        let reference = compute(&whole, range, &config.reply_clock(), now);
        seen.0 |= reference
            .requests
            .iter()
            .any(|o| o.resolution == crate::model::Resolution::HandedOff);
        seen.1 |= reference.requests.iter().any(|o| o.undelivered.is_some());
        seen.2 |= reference.apologies_sent > 0 && reference.promises.broken > 0;
        assert_eq!(
            gather(&store, &config, range, now).expect("review"),
            reference,
            "{from}..{to} at {now}"
        );
    }
    assert_eq!(seen, (true, true, true), "the extra rows were reviewed");
}

/// Reviews in zones with odd offsets and clock changes (instants on both
/// sides of them), with names that need escaping or quoting, empty and
/// full lists, every shape of request, and partings.
fn odd_reviews() -> Vec<Review> {
    let zones: [chrono_tz::Tz; 8] = [
        Berlin,
        chrono_tz::Australia::Lord_Howe,
        chrono_tz::America::St_Johns,
        chrono_tz::America::Santiago,
        chrono_tz::Asia::Kathmandu,
        chrono_tz::Asia::Kolkata,
        chrono_tz::Pacific::Chatham,
        chrono_tz::UTC,
    ];
    let names = [
        "Ada Lovelace",
        "Zoë \"Z\" Ålund \\ ☃",
        "tab\there\u{1}\u{7f}",
        "someone@mail.example",
        "Comma, Ltd",
        "two\r\nlines\u{1b}[2J",
        "\u{202e}reversed",
        "",
    ];
    let mut reviews = Vec::new();
    for tz in zones {
        let clock = ReplyClock { tz, ..clock() };
        let mut requests = Vec::new();
        // Every 7h13m for two years: across each change of the clock.
        let mut received = at("2025-01-01T00:00:00Z");
        for id in 0..2500 {
            let mut r = request(
                id,
                "2025-01-01T00:00:00Z",
                Urgency::ALL[id as usize % 4],
                None,
            );
            r.received_at = received;
            r.reply_by = clock.reply_by(received, r.urgency);
            r.client_name = names[id as usize % names.len()].to_string();
            match id % 5 {
                0 => {}
                1 => {
                    r.first_reply_at = Some(received + chrono::Duration::minutes(id * 37 % 5000));
                    r.status = RequestStatus::Answered;
                }
                2 => {
                    r.status = RequestStatus::Closed;
                    r.closed_at = Some(received + chrono::Duration::minutes(90));
                }
                3 => r.undelivered = Some(crate::model::DeliveryState::Outbox),
                _ => {
                    r.first_reply_at = Some(received + chrono::Duration::minutes(3000));
                    r.handed_off = true;
                }
            }
            requests.push(r);
            received += chrono::Duration::minutes(7 * 60 + 13);
        }
        let now = at("2026-11-23T13:20:00Z");
        for (from, to, input) in [
            (
                "2025-01-01",
                "2026-12-31",
                ReviewInput {
                    requests: requests.clone(),
                    endings: vec![
                        Ending {
                            client: "Comma, \"Quoted\"\u{1b}".into(),
                            ended_at: at("2026-03-01T10:00:00Z"),
                            reason: "moved\nabroad".into(),
                            refund_cents: Some(12_050),
                            referral: Some("Partner, Inc".into()),
                        },
                        Ending {
                            client: "Plain".into(),
                            ended_at: at("2026-04-05T02:30:00Z"),
                            reason: String::new(),
                            refund_cents: None,
                            referral: None,
                        },
                    ],
                    ..ReviewInput::default()
                },
            ),
            ("2026-11-23", "2026-11-23", ReviewInput::default()),
        ] {
            let range = ReviewRange::new(date(from), date(to)).expect("range");
            reviews.push(compute(&input, range, &clock, now));
        }
    }
    reviews
}

/// The JSON the command writes, field by field, is `serde_json`'s pretty
/// text of [`json::ReviewJson`] byte for byte, for every review of
/// [`odd_reviews`].
#[test]
fn the_written_json_is_serde_jsons_pretty_text() {
    for review in odd_reviews() {
        let mut written = Vec::new();
        json::write_review_json(&review, &mut written).expect("written");
        let mut reference = serde_json::to_vec_pretty(&json::ReviewJson(&review)).expect("serde");
        reference.push(b'\n');
        assert_eq!(
            String::from_utf8_lossy(&written),
            String::from_utf8_lossy(&reference),
            "{} {}",
            review.tz,
            review.range.from
        );
    }
}

/// The CSV the command writes, field by field, is the `csv` crate's text
/// (record by record, RFC 4180 quoting) through the terminal's sanitizer,
/// byte for byte, for every review of [`odd_reviews`].
#[test]
fn the_written_csv_is_the_csv_crates_text_made_visible() {
    let mut quoted = false;
    for review in odd_reviews() {
        let written = csv_rows::review_csv(&review).expect("written");
        let mut reference = Vec::new();
        csv_rows::write_review_csv_by_records(&review, &mut reference).expect("csv");
        let reference = String::from_utf8(reference).expect("utf-8");
        quoted |= reference.contains("\"Comma, Ltd\"") && reference.contains("\"two\r\nlines");
        assert_eq!(
            written,
            crate::text::visible(&reference),
            "{} {}",
            review.tz,
            review.range.from
        );
    }
    assert!(quoted, "names that need quotes were written");
}

/// Instants written digit by digit read as `rfc3339_in` writes them: every
/// 17 minutes for two years, across every change of the clock, in zones
/// with odd offsets.
#[test]
fn instants_are_written_as_rfc3339_in_writes_them() {
    for tz in [
        Berlin,
        chrono_tz::Australia::Lord_Howe,
        chrono_tz::America::St_Johns,
        chrono_tz::Pacific::Chatham,
        chrono_tz::America::Sao_Paulo,
        chrono_tz::America::Santiago,
        chrono_tz::Asia::Kathmandu,
        chrono_tz::UTC,
    ] {
        let mut text = json::InstantText::new(tz);
        let mut instant = at("2025-01-01T00:00:07Z");
        while instant < at("2027-01-01T00:00:00Z") {
            assert_eq!(
                String::from_utf8_lossy(text.of(instant)),
                crate::domain::when::rfc3339_in(instant, tz),
                "{tz}"
            );
            instant += chrono::Duration::minutes(17);
        }
        // Long before and after: the old offsets and years far out.
        for far in [
            "1900-01-01T00:00:00Z",
            "1911-03-15T12:34:56Z",
            "2200-12-31T23:59:59Z",
        ] {
            assert_eq!(
                String::from_utf8_lossy(text.of(at(far))),
                crate::domain::when::rfc3339_in(at(far), tz)
            );
        }
    }
}

/// The figures found by selection are those of the sorted list, for lists
/// of every length up to 300 (ties, negatives, runs of one value).
#[test]
fn reply_times_by_selection_are_those_of_the_sorted_list() {
    for len in 0..300usize {
        let values: Vec<i64> = (0..len)
            .map(|i| ((i * 7919 + len * 31) % 97) as i64 - 20 + (i % 3 == 0) as i64 * 1000)
            .collect();
        let mut sorted = values.clone();
        sorted.sort_unstable();
        assert_eq!(
            ReplyTimes::of(values),
            ReplyTimes {
                count: len,
                median_minutes: nearest_rank(&sorted, 50),
                p90_minutes: nearest_rank(&sorted, 90),
                max_minutes: sorted.last().copied(),
            },
            "{len}"
        );
    }
}
