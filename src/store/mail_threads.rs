//! Lookups for mail intake: is a message already in the book, and which
//! request does a thread of Message-IDs lead back to.

use std::collections::HashSet;

use crate::store::Conn;
use anyhow::Result;
use rusqlite::OptionalExtension;

use super::Queries;
use crate::model::ClientId;

/// The request a reply answers, with the request's client (if known).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThreadedRequest {
    pub request_id: i64,
    pub client_id: Option<ClientId>,
}

/// Which of a JSON array of Message-IDs a request or a reply carries.
pub(super) const KNOWN_MESSAGE_IDS: &str = "SELECT j.value FROM json_each(?1) j \
     WHERE EXISTS (SELECT 1 FROM requests WHERE message_id = j.value) \
        OR EXISTS (SELECT 1 FROM replies WHERE message_id = j.value)";

pub trait MailThreadQueries: Queries {
    /// True when a request or a reply already carries this Message-ID.
    fn message_id_known(&self, message_id: &str) -> Result<bool> {
        let known: bool = self.cached_row(
            "SELECT EXISTS (SELECT 1 FROM requests WHERE message_id = ?1) \
                 OR EXISTS (SELECT 1 FROM replies WHERE message_id = ?1)",
            [message_id],
            |r| r.get(0),
        )?;
        Ok(known)
    }

    /// The Message-IDs among `ids` that a request or a reply already
    /// carries: one statement for a whole batch of mail (the ids go in as
    /// one JSON array), each id looked up on the UNIQUE indexes.
    fn known_message_ids(&self, ids: &[&str]) -> Result<HashSet<String>> {
        if ids.is_empty() {
            return Ok(HashSet::new());
        }
        let list = serde_json::to_string(ids)?;
        let mut stmt = self.conn().prepare_cached(KNOWN_MESSAGE_IDS)?;
        let known = stmt
            .query_map([list], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<HashSet<String>>>()?;
        Ok(known)
    }

    /// SQLite's `data_version` of the book: the same value read twice on
    /// one connection means no other connection committed in between, so
    /// what was read in between still holds.
    fn commits_by_others(&self) -> Result<i64> {
        Ok(self
            .conn()
            .pragma_query_value(None, "data_version", |r| r.get(0))?)
    }

    /// Follow a thread back to the request it answers. `thread` lists the
    /// Message-IDs to try, nearest first (In-Reply-To, then References from
    /// the newest). Each id may name a request, or a reply whose request is
    /// then taken. Every lookup is on a UNIQUE index.
    fn request_in_thread(&self, thread: &[String]) -> Result<Option<ThreadedRequest>> {
        let conn = self.conn();
        let mut by_request =
            conn.prepare_cached("SELECT id, client_id FROM requests WHERE message_id = ?1")?;
        let mut by_reply = conn.prepare_cached(
            "SELECT r.id, r.client_id FROM replies p JOIN requests r ON r.id = p.request_id \
             WHERE p.message_id = ?1",
        )?;
        for message_id in thread {
            let read = |r: &rusqlite::Row| {
                Ok(ThreadedRequest {
                    request_id: r.get(0)?,
                    client_id: r.get(1)?,
                })
            };
            if let Some(found) = by_request.query_row([message_id], read).optional()? {
                return Ok(Some(found));
            }
            if let Some(found) = by_reply.query_row([message_id], read).optional()? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }
}

impl<T: Queries> MailThreadQueries for T {}
