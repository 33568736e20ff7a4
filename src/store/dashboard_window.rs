//! The dashboard's first window of requests: the TUI draws its first frame
//! from the first rows of the requests awaiting a reply and their exact
//! counts, then loads the rest (a messy book has thousands of open
//! requests, and making a row of each is most of a launch).

use crate::store::Conn;
use anyhow::Result;
use chrono::{DateTime, Utc};

use super::requests::{REQUEST_SELECT, request_line_from_row};
use super::{Queries, ts};
use crate::model::Request;

/// Which requests await a reply at `?1`: the condition of
/// `RequestQueries::requests_awaiting_reply`, served by the same partial
/// index on the requests still waiting.
const AWAITING: &str = "r.status IN ('open', 'snoozed', 'waiting') \
     AND (r.status = 'open' OR (r.status = 'snoozed' \
       AND (r.snoozed_until <= ?1 OR r.reply_by <= ?1)))";

/// The requests awaiting a reply, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AwaitingCounts {
    pub requests: usize,
    /// Past their reply-by and never answered (the dashboard's overdue).
    pub overdue: usize,
}

pub trait WindowQueries: Queries {
    /// The first `limit` requests of `requests_awaiting_reply(now)`, in its
    /// order (reply-by, then id), bodies cut the same way.
    fn requests_awaiting_reply_first(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Request>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{REQUEST_SELECT} WHERE {AWAITING} ORDER BY r.reply_by, r.id LIMIT ?2"
        ))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(rusqlite::params![ts(now), limit], request_line_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// How many requests await a reply at `now`, and how many of them are
    /// overdue (reply-by before `now`, no first reply): the counts of the
    /// whole `requests_awaiting_reply(now)`, read from the index alone.
    fn requests_awaiting_reply_counts(&self, now: DateTime<Utc>) -> Result<AwaitingCounts> {
        let (requests, overdue): (i64, i64) = self.cached_row(
            &format!(
                "SELECT count(*), coalesce(sum(r.reply_by < ?1 AND r.first_reply_at IS NULL), 0) \
                 FROM requests r WHERE {AWAITING}"
            ),
            [ts(now)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(AwaitingCounts {
            requests: usize::try_from(requests).unwrap_or(0),
            overdue: usize::try_from(overdue).unwrap_or(0),
        })
    }
}

impl<T: Queries> WindowQueries for T {}
