//! The review screen drawn at 120x40, and its selection.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Europe::Berlin;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::*;
use crate::domain::hours::{ReplyClock, ReplyTargets, WorkingHours};
use crate::model::{Channel, ClientStatus, Request, RequestStatus, Urgency};
use crate::review::{ClientFacts, ReviewInput, ReviewRange, compute};

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

const NAMES: [&str; 5] = [
    "Amara Okafor",
    "Sofia Lindqvist",
    "Kwame Mensah",
    "Priya Raghunathan",
    "Mateo García",
];

/// Two weeks of requests up to Monday 23 November 2026: answered at
/// varying speeds, some late, and a few still waiting at 17:30.
fn two_weeks() -> Review {
    let clock = clock();
    let now = at("2026-11-23T17:30:00+01:00");
    let first = at("2026-11-10T09:00:00+01:00");
    let mut requests = Vec::new();
    for n in 0..60_i64 {
        let received_at = first + Duration::minutes(n * 311);
        let urgency = Urgency::ALL[(n % 4) as usize];
        let reply_by = clock.reply_by(received_at, urgency);
        let waited = [20, 95, 240, 600, 1500][(n % 5) as usize] + n;
        let answer = received_at + Duration::minutes(waited);
        let first_reply_at = (answer < now && n % 4 != 3).then_some(answer);
        requests.push(Request {
            id: 100 + n,
            client_id: Some(1 + n % 5),
            client_name: NAMES[(n % 5) as usize].into(),
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
            reply_by,
            first_reply_at,
            snoozed_until: None,
            waiting_since: None,
            closed_at: None,
            handed_off: false,
            undelivered: None,
        });
    }
    let clients = NAMES
        .iter()
        .enumerate()
        .map(|(n, name)| ClientFacts {
            client_id: 1 + n as i64,
            name: (*name).into(),
            status: ClientStatus::Active,
            now,
            last_contact: Some(now - Duration::days(if n == 1 { 25 } else { 2 })),
            booked_ahead: usize::from(n != 1),
            coach_moves: if n == 0 { 2 } else { 0 },
            missed_reply_bys: usize::from(n < 2),
            overdue_client_actions: 0,
            agreement_unsigned: false,
            no_shows: 0,
        })
        .collect();
    let input = ReviewInput {
        requests,
        clients,
        ..ReviewInput::default()
    };
    let from = NaiveDate::from_ymd_opt(2026, 11, 16).expect("date");
    let to = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
    let range = ReviewRange::new(from, to).expect("range");
    compute(&input, range, &clock, now)
}

fn draw(review: &Review, state: &mut ReviewViewState) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    terminal
        .draw(|frame| draw_review(frame, frame.area(), review, state))
        .expect("drawn");
    terminal
}

#[test]
fn the_review_screen_at_120_by_40() {
    let review = two_weeks();
    let mut state = ReviewViewState::default();
    let terminal = draw(&review, &mut state);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn the_list_scrolls_to_keep_the_selection_in_view() {
    let review = two_weeks();
    let mut state = ReviewViewState::default();
    state.select_last(&review);
    let terminal = draw(&review, &mut state);
    assert!(state.offset > 0, "scrolled down to the last row");
    insta::assert_snapshot!(terminal.backend());
    let last = review.unanswered.last().map(|o| o.id);
    assert_eq!(state.selected_request(&review), last);
}

#[test]
fn selection_moves_through_breaches_then_unanswered() {
    let review = two_weeks();
    let mut state = ReviewViewState::default();
    assert_eq!(
        state.selected_request(&review),
        review.breaches.first().map(|o| o.id)
    );
    state.select_by(&review, review.breaches.len() as isize);
    assert_eq!(
        state.selected_request(&review),
        review.unanswered.first().map(|o| o.id)
    );
    state.select_previous();
    state.select_first();
    state.select_previous();
    assert_eq!(state.selected, 0);
    for _ in 0..500 {
        state.select_next(&review);
    }
    assert_eq!(state.selected, request_rows(&review).len() - 1);
}

#[test]
fn an_empty_review_draws_and_opens_nothing() {
    let review = compute(
        &ReviewInput::default(),
        ReviewRange::day(NaiveDate::from_ymd_opt(2026, 11, 23).expect("date")),
        &clock(),
        at("2026-11-23T17:30:00+01:00"),
    );
    let mut state = ReviewViewState::default();
    state.select_next(&review);
    let terminal = draw(&review, &mut state);
    assert_eq!(state.selected_request(&review), None);
    let text = format!("{}", terminal.backend());
    assert!(text.contains("none: every reply-by was met"));
    assert!(text.contains("no requests"));
}
