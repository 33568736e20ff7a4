//! What the review reads, and nothing more: the rows of the range with the
//! columns its figures use. No message body, subject or follow-up text is
//! read (a ten-year range has 50,000 requests; their bodies are most of the
//! book), and apologies are counted by SQLite rather than read.

use crate::store::Conn;
use anyhow::Result;
use chrono::{DateTime, Utc};

use super::followups::{FOLLOWUP_SELECT, followup_from_row};
use super::requests::{REQUEST_SELECT, request_from_row};
use super::{Queries, ts};
use crate::model::{FollowUp, Request};

/// The request columns with subject and body left out (NULL and '': an
/// empty `String` allocates nothing).
fn request_select() -> String {
    REQUEST_SELECT.replacen("r.subject, r.body,", "NULL, '',", 1)
}

/// The follow-up columns with the text left out.
fn followup_select() -> String {
    FOLLOWUP_SELECT.replacen("f.text,", "'',", 1)
}

pub trait ReviewQueries: Queries {
    /// Requests received in `[from, to)`, by receipt, without their subject
    /// or body (`subject` is `None`, `body` empty): what the review judges.
    fn requests_to_review(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Request>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{} WHERE r.received_at >= ?1 AND r.received_at < ?2 ORDER BY r.received_at, r.id",
            request_select()
        ))?;
        let rows = stmt
            .query_map([ts(from), ts(to)], request_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Follow-ups due in `[from, to)`, done or not, without their text.
    fn followups_to_review(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<FollowUp>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{} WHERE f.due_at >= ?1 AND f.due_at < ?2 ORDER BY f.due_at, f.id",
            followup_select()
        ))?;
        let rows = stmt
            .query_map([ts(from), ts(to)], followup_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Apologies sent in `[from, to)`.
    fn apologies_sent_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<usize> {
        let count: i64 = self.conn().prepare_cached(
            "SELECT count(*) FROM replies WHERE sent_at >= ?1 AND sent_at < ?2 AND kind = 'apology'",
        )?
        .query_row([ts(from), ts(to)], |r| r.get(0))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }
}

impl<T: Queries> ReviewQueries for T {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_review_selects_leave_out_only_the_texts() {
        let requests = request_select();
        assert_ne!(requests, REQUEST_SELECT, "the body is still read");
        assert!(!requests.contains("r.body") && !requests.contains("r.subject"));
        let followups = followup_select();
        assert_ne!(followups, FOLLOWUP_SELECT, "the text is still read");
        assert!(!followups.contains("f.text"));
    }
}
