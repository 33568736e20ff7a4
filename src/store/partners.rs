//! Backup partners and coaching agreements.

use crate::store::Conn;
use anyhow::Result;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Queries, Tx, read_opt_ts, read_ts, read_word, ts};
use crate::error::BadInput;
use crate::model::{Agreement, AgreementStatus, ClientId, ClientStatus, Partner};

fn partner_from_row(row: &rusqlite::Row) -> rusqlite::Result<Partner> {
    Ok(Partner {
        id: row.get(0)?,
        name: row.get(1)?,
        email: row.get(2)?,
        phone: row.get(3)?,
        notes: row.get(4)?,
    })
}

fn agreement_from_row(r: &rusqlite::Row) -> rusqlite::Result<Agreement> {
    Ok(Agreement {
        id: r.get(0)?,
        client_id: r.get(1)?,
        status: read_word(r, 2, AgreementStatus::parse)?,
        sent_at: read_opt_ts(r, 3)?,
        signed_at: read_opt_ts(r, 4)?,
        drafted_at: read_ts(r, 5)?,
        countersigned_at: read_opt_ts(r, 6)?,
    })
}

/// An agreement awaiting signature and its client's name and status
/// (`None`: no client has its `client_id`).
#[derive(Debug, Clone, PartialEq)]
pub struct AwaitingSignature {
    pub agreement: Agreement,
    pub client: Option<(String, ClientStatus)>,
}

pub trait PartnerQueries: Queries {
    fn partners(&self) -> Result<Vec<Partner>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT id, name, email, phone, notes FROM partners ORDER BY name")?;
        let rows = stmt
            .query_map([], partner_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn partner(&self, id: i64) -> Result<Partner> {
        self.cached_row(
            "SELECT id, name, email, phone, notes FROM partners WHERE id = ?1",
            [id],
            partner_from_row,
        )
        .optional()?
        .ok_or_else(|| BadInput(format!("no partner has id {id}")).into())
    }

    /// The latest agreement of each client, where it went out and is not
    /// signed yet, with its client's name and status: what the chase works
    /// on. Only clients who may be chased come back (a paused or ended
    /// client's agreement is left in the book, not read), and an agreement
    /// whose client is missing comes back without one, for the caller to
    /// name it.
    fn agreements_awaiting_signature(&self) -> Result<Vec<AwaitingSignature>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT a.id, a.client_id, a.status, a.sent_at, a.signed_at, a.drafted_at, \
             a.countersigned_at, c.id, c.name, c.status \
             FROM agreements a INDEXED BY agreements_sent LEFT JOIN clients c ON c.id = a.client_id \
             WHERE a.status = 'sent' \
             AND a.id = (SELECT max(b.id) FROM agreements b WHERE b.client_id = a.client_id) \
             AND (c.id IS NULL OR c.status NOT IN ('paused', 'ended')) \
             ORDER BY a.id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                let client = match r.get::<_, Option<ClientId>>(7)? {
                    Some(_) => Some((r.get(8)?, read_word(r, 9, ClientStatus::parse)?)),
                    None => None,
                };
                Ok(AwaitingSignature {
                    agreement: agreement_from_row(r)?,
                    client,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The client's latest agreement, if any.
    fn agreement(&self, client_id: ClientId) -> Result<Option<Agreement>> {
        Ok(self
            .cached_row(
                "SELECT id, client_id, status, sent_at, signed_at, drafted_at, countersigned_at \
                 FROM agreements \
                 WHERE client_id = ?1 ORDER BY id DESC LIMIT 1",
                [client_id],
                agreement_from_row,
            )
            .optional()?)
    }
}

impl<T: Queries> PartnerQueries for T {}

impl Tx<'_> {
    pub fn add_partner(&self, name: &str, email: Option<&str>, phone: Option<&str>) -> Result<i64> {
        let name = crate::text::name_field(name, "a partner")?;
        let email = email.map(crate::text::one_line_field);
        let phone = phone.map(crate::text::one_line_field);
        self.run(
            "INSERT INTO partners (name, email, phone, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![name, email, phone, ts(self.now)],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Record the agreement's state; `at` is when it reached that state.
    pub fn set_agreement(
        &self,
        client_id: ClientId,
        status: AgreementStatus,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        let existing = self.agreement(client_id)?;
        let id = match existing {
            Some(a) => a.id,
            None => {
                self.run(
                    "INSERT INTO agreements (client_id, status, drafted_at) VALUES (?1, 'drafted', ?2)",
                    params![client_id, ts(at)],
                )?;
                self.conn.last_insert_rowid()
            }
        };
        let column = match status {
            AgreementStatus::Drafted => "drafted_at",
            AgreementStatus::Sent => "sent_at",
            AgreementStatus::Signed => "signed_at",
            AgreementStatus::Countersigned => "countersigned_at",
        };
        self.run(
            &format!("UPDATE agreements SET status = ?1, {column} = ?2 WHERE id = ?3"),
            params![status.as_str(), ts(at), id],
        )?;
        Ok(id)
    }
}
