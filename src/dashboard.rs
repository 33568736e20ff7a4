//! What the coach sees at a glance: today's sessions, the requests still
//! waiting for an answer (by reply-by), and the follow-ups that slipped.
//! Shared by `coachbook today` and the TUI's dashboard.

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;
use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::config::Config;
use crate::domain::hours::{ReplyClock, WorkingDays};
use crate::domain::when::day_bounds;
use crate::model::{AgreementStatus, ClientId, ClientStatus, FollowUp, Request, Session};
use crate::review::RiskReason;
use crate::store::{
    AwaitingCounts, ClientQueries, FollowUpQueries, PartnerQueries, Queries, RequestQueries,
    SessionQueries, WindowQueries,
};

/// How far back "moved lately" looks.
pub const MOVES_LOOKBACK_DAYS: i64 = 90;
/// A request is flagged once this share of its target is used.
pub const WARN_PERCENT: i64 = 75;

#[derive(Debug, Clone, PartialEq)]
pub struct DaySheet {
    pub date: NaiveDate,
    pub now: DateTime<Utc>,
    pub sessions: Vec<SessionRow>,
    pub requests: Vec<RequestRow>,
    /// Put aside but not forgotten: still snoozed (reply-by ahead) and
    /// waiting on the client. Counted in the pane title and the status bar.
    pub snoozed: Vec<RequestRow>,
    pub waiting: Vec<RequestRow>,
    pub followups: Vec<FollowUpRow>,
    /// The at-risk reasons of the clients on the sheet who have any.
    pub at_risk: BTreeMap<ClientId, Vec<RiskReason>>,
    /// On a first window (see `load_window`): the requests awaiting a reply
    /// that are counted but not in `requests`. `None`: the whole day.
    pub window: Option<AwaitingCounts>,
}

/// What a first window holds: the first `requests` requests awaiting a
/// reply as rows (the rest counted), and the at-risk marks of the clients
/// of every session, of those rows and of the first `followups` follow-ups:
/// the rows a first frame shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub requests: usize,
    pub followups: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SessionRow {
    pub session: Session,
    /// Short warnings: "agreement unsigned", "moved 2x lately", "first session".
    pub warnings: Vec<String>,
    /// What is at stake for the client now, if noted.
    pub context: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RequestRow {
    pub request: Request,
    pub overdue: bool,
    /// Minutes to the reply-by (negative when overdue).
    pub minutes_left: i64,
    /// Share of the target used, in percent; `None` on a sheet loaded for
    /// JSON ([`load_for_json`]), which does not show it.
    pub percent_used: Option<i64>,
    /// The client's context note; `None` too on a sheet for JSON.
    pub context: Option<String>,
}

impl RequestRow {
    pub fn warn(&self) -> bool {
        !self.overdue && self.percent_used.is_some_and(|used| used >= WARN_PERCENT)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpRow {
    pub followup: FollowUp,
    pub overdue: bool,
}

impl DaySheet {
    pub fn overdue_requests(&self) -> usize {
        self.requests.iter().filter(|r| r.overdue).count() + self.unloaded().overdue
    }

    /// How many requests await a reply, those of a first window's rest
    /// included.
    pub fn request_count(&self) -> usize {
        self.requests.len() + self.unloaded().requests
    }

    /// Whether this is only a first window of the day.
    pub fn is_window(&self) -> bool {
        self.window.is_some()
    }

    fn unloaded(&self) -> AwaitingCounts {
        self.window.unwrap_or_default()
    }

    pub fn overdue_followups(&self) -> usize {
        self.followups.iter().filter(|f| f.overdue).count()
    }

    /// The at-risk reasons of a client on the sheet (empty: none).
    pub fn risk_of(&self, client_id: Option<ClientId>) -> &[RiskReason] {
        client_id
            .and_then(|id| self.at_risk.get(&id))
            .map_or(&[], Vec::as_slice)
    }
}

/// Gather the three panes for `date` (sessions) as seen at `now`.
pub fn load(
    store: &impl Queries,
    config: &Config,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<DaySheet> {
    load_window(store, config, date, now, None)
}

/// `load` for `today --json`: the same rows, without what its contract
/// leaves out (each request's share of the target used, found by walking
/// the working hours, and the client's context note).
pub fn load_for_json(
    store: &impl Queries,
    config: &Config,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<DaySheet> {
    load_sheet(store, config, date, now, None, Shown::Json)
}

/// What a sheet is loaded for: a screen or text shows each request's
/// progress and context note, JSON does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    Screen,
    Json,
}

/// `load`, or with a `window` only what a first frame shows (see
/// [`Window`]): the requests past it are counted exactly in `window`, so
/// every count on the sheet is the whole day's; sessions and follow-ups are
/// whole. The TUI's first frame; the full load follows.
pub fn load_window(
    store: &impl Queries,
    config: &Config,
    date: NaiveDate,
    now: DateTime<Utc>,
    window: Option<Window>,
) -> Result<DaySheet> {
    load_sheet(store, config, date, now, window, Shown::Screen)
}

fn load_sheet(
    store: &impl Queries,
    config: &Config,
    date: NaiveDate,
    now: DateTime<Utc>,
    window: Option<Window>,
    shown: Shown,
) -> Result<DaySheet> {
    let (day_start, day_end) = day_bounds(date, config.tz);
    let today = crate::domain::when::local_date(now, config.tz);
    let since = now - Duration::days(MOVES_LOOKBACK_DAYS);

    let mut sessions = Vec::new();
    for session in store.sessions_between(day_start, day_end)? {
        let client = store.client(session.client_id)?;
        // A client the coach parted ways with has left the dashboard.
        if client.status == ClientStatus::Ended {
            continue;
        }
        let mut warnings = Vec::new();
        if let Some(agreement) = store.agreement(session.client_id)?
            && matches!(
                agreement.status,
                AgreementStatus::Drafted | AgreementStatus::Sent
            )
        {
            warnings.push("agreement unsigned".to_string());
        }
        let moves = store.coach_moves_since(session.client_id, since)?;
        if moves > 0 {
            warnings.push(format!("moved {moves}x lately"));
        }
        if !store.has_session_before(session.client_id, session.start)? {
            warnings.push("first session".to_string());
        }
        sessions.push(SessionRow {
            context: client.current_context(today).map(str::to_string),
            session,
            warnings,
        });
    }

    let (awaiting, counted, snoozed, waiting) = match window {
        None => {
            let panes = store.requests_on_dashboard(now)?;
            (panes.awaiting, None, panes.snoozed, panes.waiting)
        }
        Some(window) => {
            let (snoozed, waiting) = store.requests_put_aside(now)?;
            (
                store.requests_awaiting_reply_first(now, window.requests)?,
                Some(store.requests_awaiting_reply_counts(now)?),
                snoozed,
                waiting,
            )
        }
    };
    let mut rows = RowMaker::new(
        config,
        now,
        awaiting.iter().chain(&snoozed).chain(&waiting),
        shown,
    );
    let requests = awaiting
        .into_iter()
        .map(|r| rows.row(store, r))
        .collect::<Result<Vec<_>>>()?;
    let snoozed = snoozed
        .into_iter()
        .map(|r| rows.row(store, r))
        .collect::<Result<Vec<_>>>()?;
    let waiting = waiting
        .into_iter()
        .map(|r| rows.row(store, r))
        .collect::<Result<Vec<_>>>()?;

    let followups: Vec<FollowUpRow> = store
        .followups_due_before(day_bounds(today, config.tz).1)?
        .into_iter()
        .map(|followup| FollowUpRow {
            overdue: followup.due < now,
            followup,
        })
        .collect();

    let on_sheet = sessions
        .iter()
        .map(|r: &SessionRow| r.session.client_id)
        .chain(
            requests
                .iter()
                .filter_map(|r: &RequestRow| r.request.client_id),
        )
        .chain(
            followups
                .iter()
                .take(window.map_or(usize::MAX, |w| w.followups))
                .map(|r: &FollowUpRow| r.followup.client_id),
        );
    let at_risk = crate::care::risk::reasons_by_client(store, on_sheet, now)?;
    let unloaded = counted.map(|all| AwaitingCounts {
        requests: all.requests.saturating_sub(requests.len()),
        overdue: all
            .overdue
            .saturating_sub(requests.iter().filter(|r| r.overdue).count()),
    });
    // A window that holds every row and mark is the whole day.
    let whole = window
        .is_none_or(|w| unloaded.is_none_or(|u| u.requests == 0) && followups.len() <= w.followups);
    let window = if whole { None } else { unloaded };
    Ok(DaySheet {
        date,
        now,
        sessions,
        requests,
        snoozed,
        waiting,
        followups,
        at_risk,
        window,
    })
}

/// A request as its dashboard row: time left, share of the target used, and
/// the client's context note.
pub fn request_row(
    store: &impl Queries,
    config: &Config,
    request: Request,
    now: DateTime<Utc>,
) -> Result<RequestRow> {
    RowMaker::new(config, now, std::iter::once(&request), Shown::Screen).row(store, request)
}

/// Makes the rows of a pane of requests: the working days between the
/// oldest one and the latest reply-by are looked up once (not walked for
/// every row), and each client's context is read once.
struct RowMaker {
    clock: ReplyClock,
    days: WorkingDays,
    now: DateTime<Utc>,
    today: NaiveDate,
    contexts: HashMap<ClientId, Option<String>>,
    shown: Shown,
}

impl RowMaker {
    fn new<'a>(
        config: &Config,
        now: DateTime<Utc>,
        requests: impl Iterator<Item = &'a Request>,
        shown: Shown,
    ) -> RowMaker {
        let clock = config.reply_clock();
        let today = crate::domain::when::local_date(now, config.tz);
        let (mut first, mut last) = (now, now);
        // JSON walks no working days: an empty table.
        for request in requests.filter(|_| shown == Shown::Screen) {
            first = first.min(request.received_at);
            last = last.max(request.reply_by);
        }
        let days = WorkingDays::covering(
            &clock.hours,
            clock.tz,
            crate::domain::when::local_date(first, clock.tz),
            crate::domain::when::local_date(last, clock.tz),
        );
        RowMaker {
            clock,
            days,
            now,
            today,
            contexts: HashMap::new(),
            shown,
        }
    }

    fn row(&mut self, store: &impl Queries, request: Request) -> Result<RequestRow> {
        let context = match request.client_id.filter(|_| self.shown == Shown::Screen) {
            Some(id) => match self.contexts.get(&id) {
                Some(context) => context.clone(),
                None => {
                    let context = store
                        .client(id)?
                        .current_context(self.today)
                        .map(str::to_string);
                    self.contexts.insert(id, context.clone());
                    context
                }
            },
            None => None,
        };
        let now = self.now;
        Ok(RequestRow {
            overdue: request.reply_by < now && request.first_reply_at.is_none(),
            minutes_left: (request.reply_by - now).num_minutes(),
            percent_used: (self.shown == Shown::Screen).then(|| {
                self.clock.percent_used_in(
                    &self.days,
                    request.received_at,
                    request.reply_by,
                    request.urgency,
                    now,
                )
            }),
            context,
            request,
        })
    }
}

/// "2h 05m", "3d 4h", "45m": a compact span for narrow panes.
pub fn short_span(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let m = minutes.abs();
    if m >= 24 * 60 {
        format!("{sign}{}d {}h", m / (24 * 60), (m % (24 * 60)) / 60)
    } else if m >= 60 {
        format!("{sign}{}h {:02}m", m / 60, m % 60)
    } else {
        format!("{sign}{m}m")
    }
}

#[cfg(test)]
mod tests {
    use super::short_span;

    #[test]
    fn spans_are_compact_and_signed() {
        assert_eq!(short_span(45), "45m");
        assert_eq!(short_span(125), "2h 05m");
        assert_eq!(short_span(-90), "-1h 30m");
        assert_eq!(short_span(3 * 24 * 60 + 4 * 60), "3d 4h");
    }
}
