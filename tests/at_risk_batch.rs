//! The at-risk facts worked out for many clients at once (the dashboard's
//! reload, the review, `client list --at-risk`) are the facts the per-client
//! queries give, client by client, and the dashboard's marks are the
//! review's reasons.

// Tests may unwrap and index: a panic there is a failed test, not a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use coachbook::config::Config;
use coachbook::model::{AgreementStatus, ClientId, FollowUpKind, Owner, SessionStatus};
use coachbook::review::{ClientFacts, facts_of_clients, risk_reasons};
use coachbook::store::{
    ClientQueries, FollowUpQueries, PartnerQueries, RequestQueries, SessionQueries, Store,
};

fn demo_book(dir: &tempfile::TempDir, now: DateTime<Utc>) -> (Store, Config) {
    let config = Config::parse(
        "[coach]\ntime_zone = \"Europe/Berlin\"\n",
        &dir.path().join("config.toml"),
    )
    .unwrap();
    let mut store = Store::open(&dir.path().join("book.sqlite")).unwrap();
    coachbook::demo::generate(&mut store, &config, now).unwrap();
    (store, config)
}

fn demo_now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T14:20:00+01:00")
        .unwrap()
        .into()
}

/// The facts of one client the way they were read before the batch: one
/// query per fact, through the per-client indexes.
fn one_by_one(store: &Store, id: ClientId, now: DateTime<Utc>) -> ClientFacts {
    let client = store.client(id).unwrap();
    let booked_ahead = store
        .client_sessions_between(id, now, now + Duration::days(14))
        .unwrap()
        .iter()
        .filter(|s| s.status == SessionStatus::Booked)
        .count();
    let recent = store
        .client_requests_received_since(id, now - Duration::days(60))
        .unwrap();
    let missed_reply_bys = coachbook::review::missed_reply_bys(&recent, now)
        .get(&id)
        .copied()
        .unwrap_or(0);
    let overdue_client_actions = store
        .client_followups(id)
        .unwrap()
        .iter()
        .filter(|f| {
            f.done_at.is_none()
                && f.owner == Owner::Client
                && f.kind == FollowUpKind::Action
                && f.due < now
        })
        .count();
    let agreement_unsigned = store
        .agreement(id)
        .unwrap()
        .is_some_and(|a| matches!(a.status, AgreementStatus::Drafted | AgreementStatus::Sent));
    let no_shows = store
        .client_sessions_between(id, now - Duration::days(90), now)
        .unwrap()
        .iter()
        .filter(|s| s.status == SessionStatus::NoShow)
        .count();
    ClientFacts {
        client_id: id,
        name: client.name,
        status: client.status,
        now,
        last_contact: store.last_contact(id, now).unwrap(),
        booked_ahead,
        coach_moves: store
            .coach_moves_since(id, now - Duration::days(90))
            .unwrap(),
        missed_reply_bys,
        overdue_client_actions,
        agreement_unsigned,
        no_shows,
    }
}

#[test]
fn the_batch_gives_every_client_the_facts_the_per_client_queries_give() {
    let dir = tempfile::tempdir().unwrap();
    let made_at = demo_now();
    let (store, _) = demo_book(&dir, made_at);
    let clients: Vec<_> = store
        .clients()
        .unwrap()
        .into_iter()
        .map(|c| (c.id, c.name, c.status))
        .collect();
    assert!(clients.len() > 5, "the demo book has clients");
    // Several moments: the demo's own, weeks later (silence grows, bookings
    // run out) and weeks before (no-shows and moves not yet in the window).
    for now in [
        made_at,
        made_at + Duration::days(20),
        made_at - Duration::days(30),
    ] {
        let batch = facts_of_clients(&store, clients.clone(), now).unwrap();
        assert_eq!(batch.len(), clients.len());
        let mut any_reason = false;
        for facts in &batch {
            assert_eq!(
                *facts,
                one_by_one(&store, facts.client_id, now),
                "client {} at {now}",
                facts.name
            );
            any_reason |= !risk_reasons(facts).is_empty();
        }
        assert!(any_reason, "someone is at risk at {now}");
    }
}

#[test]
fn the_dashboards_marks_are_the_reviews_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let now = demo_now();
    let (store, config) = demo_book(&dir, now);
    let date = coachbook::domain::when::local_date(now, config.tz);
    let sheet = coachbook::dashboard::load(&store, &config, date, now).unwrap();
    let listed = coachbook::care::risk::at_risk(&store, now).unwrap();

    let on_sheet: BTreeSet<ClientId> = sheet
        .sessions
        .iter()
        .map(|r| r.session.client_id)
        .chain(sheet.requests.iter().filter_map(|r| r.request.client_id))
        .chain(sheet.followups.iter().map(|r| r.followup.client_id))
        .collect();
    assert!(!sheet.at_risk.is_empty(), "the demo sheet shows ⚑ marks");
    for id in &on_sheet {
        let review = listed
            .iter()
            .find(|a| a.client_id == *id)
            .map(|a| a.reasons.clone())
            .unwrap_or_default();
        assert_eq!(sheet.risk_of(Some(*id)), review.as_slice(), "client {id}");
        assert_eq!(
            coachbook::care::risk::reasons_of(&store, *id, now).unwrap(),
            review,
            "client {id} in the client view"
        );
    }
    // Nobody off the sheet is marked on it.
    assert!(sheet.at_risk.keys().all(|id| on_sheet.contains(id)));
}
