//! Clients and their mail addresses.

use anyhow::Result;
use chrono::NaiveDate;
use chrono_tz::Tz;
use rusqlite::{OptionalExtension, params};

use super::{Queries, Tx, read_opt_ts, read_tz, read_word, ts};
use crate::error::BadInput;
use crate::model::{Client, ClientId, ClientStatus, Parting};

#[derive(Debug, Clone, Default)]
pub struct NewClient {
    pub name: String,
    pub emails: Vec<String>,
    pub phone: Option<String>,
    pub tz: Option<Tz>,
    pub notes: String,
    pub context: Option<String>,
    pub context_until: Option<NaiveDate>,
}

const CLIENT_COLUMNS: &str = "id, name, phone, tz, status, notes, context, context_until, \
     ended_at, parting_note, refund_cents, referral_partner_id";

fn client_from_row(row: &rusqlite::Row) -> rusqlite::Result<Client> {
    let until: Option<String> = row.get(7)?;
    Ok(Client {
        id: row.get(0)?,
        name: row.get(1)?,
        emails: Vec::new(),
        phone: row.get(2)?,
        tz: read_tz(row, 3)?,
        status: read_word(row, 4, ClientStatus::parse)?,
        notes: row.get(5)?,
        context: row.get(6)?,
        context_until: until.and_then(|d| d.parse().ok()),
        parting: read_opt_ts(row, 8)?.map(|ended_at| Parting {
            ended_at,
            reason: String::new(),
            refund_cents: None,
            referral_partner_id: None,
        }),
    })
    .and_then(|mut client| {
        if let Some(parting) = &mut client.parting {
            parting.reason = row.get::<_, Option<String>>(9)?.unwrap_or_default();
            parting.refund_cents = row.get(10)?;
            parting.referral_partner_id = row.get(11)?;
        }
        Ok(client)
    })
}

pub trait ClientQueries: Queries {
    /// Every client's id and name: what lookup by name works on.
    fn client_names(&self) -> Result<Vec<(ClientId, String)>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT id, name FROM clients ORDER BY name COLLATE NOCASE")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn client(&self, id: ClientId) -> Result<Client> {
        let mut client = self
            .cached_row(
                &format!("SELECT {CLIENT_COLUMNS} FROM clients WHERE id = ?1"),
                [id],
                client_from_row,
            )
            .optional()?
            .ok_or_else(|| BadInput(format!("no client has id {id}")))?;
        client.emails = self.client_emails(id)?;
        Ok(client)
    }

    fn client_emails(&self, id: ClientId) -> Result<Vec<String>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT email FROM client_emails WHERE client_id = ?1 ORDER BY rowid",
        )?;
        let rows = stmt
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn clients(&self) -> Result<Vec<Client>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {CLIENT_COLUMNS} FROM clients ORDER BY name COLLATE NOCASE"
        ))?;
        let mut clients: Vec<Client> = stmt
            .query_map([], client_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT client_id, email FROM client_emails ORDER BY rowid")?;
        let emails: Vec<(ClientId, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let position: std::collections::HashMap<ClientId, usize> =
            clients.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
        for (id, email) in emails {
            if let Some(c) = position.get(&id).and_then(|&i| clients.get_mut(i)) {
                c.emails.push(email);
            }
        }
        Ok(clients)
    }

    /// Clients who parted ways in `[from, to)`, by when.
    fn endings_between(
        &self,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Client>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {CLIENT_COLUMNS} FROM clients WHERE ended_at >= ?1 AND ended_at < ?2 \
             ORDER BY ended_at, id"
        ))?;
        let rows = stmt
            .query_map([ts(from), ts(to)], client_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Every client's id, name and whether they have a phone: what matching
    /// a contact card needs, without loading whole clients.
    fn client_keys(&self) -> Result<Vec<(ClientId, String, bool)>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT id, name, phone IS NOT NULL FROM clients")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The client a mail address belongs to.
    fn client_by_email(&self, email: &str) -> Result<Option<ClientId>> {
        // Cached: an address book import asks this once per address.
        Ok(self
            .conn()
            .prepare_cached("SELECT client_id FROM client_emails WHERE email = ?1")?
            .query_row([email.trim()], |r| r.get(0))
            .optional()?)
    }
}

impl<T: Queries> ClientQueries for T {}

impl Tx<'_> {
    pub fn add_client(&self, client: &NewClient, default_tz: Tz) -> Result<ClientId> {
        let name = crate::text::name_field(&client.name, "a client")?;
        let tz = client.tz.unwrap_or(default_tz);
        self.conn
            .prepare_cached(
                "INSERT INTO clients (name, phone, tz, notes, context, context_until, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                name,
                client
                    .phone
                    .as_deref()
                    .map(crate::text::one_line_field)
                    .filter(|p| !p.is_empty()),
                tz.name(),
                client.notes,
                client.context.as_deref().map(crate::text::one_line_field),
                client.context_until.map(|d| d.to_string()),
                ts(self.now),
            ])?;
        let id = self.conn.last_insert_rowid();
        for email in &client.emails {
            self.add_client_email(id, email)?;
        }
        Ok(id)
    }

    pub fn add_client_email(&self, id: ClientId, email: &str) -> Result<()> {
        let email = email.trim().to_lowercase();
        if !email.contains('@') || email.contains(char::is_whitespace) {
            return Err(BadInput(format!(
                "{} is not a mail address",
                crate::text::quoted(&email)
            ))
            .into());
        }
        if let Some(owner) = self.client_by_email(&email)? {
            if owner == id {
                return Ok(());
            }
            let other = self.client(owner)?;
            return Err(BadInput(format!("{email} already belongs to {}", other.name)).into());
        }
        self.conn
            .prepare_cached("INSERT INTO client_emails (email, client_id) VALUES (?1, ?2)")?
            .execute(params![email, id])?;
        Ok(())
    }

    /// Give a client a phone number, unless they have one already.
    pub fn set_client_phone_if_missing(&self, id: ClientId, phone: &str) -> Result<()> {
        self.run(
            "UPDATE clients SET phone = ?1 WHERE id = ?2 AND phone IS NULL",
            params![crate::text::one_line_field(phone), id],
        )?;
        Ok(())
    }

    pub fn set_client_status(
        &self,
        id: ClientId,
        status: ClientStatus,
        note: Option<&str>,
    ) -> Result<()> {
        self.run(
            "UPDATE clients SET status = ?1, parting_note = coalesce(?2, parting_note) WHERE id = ?3",
            params![status.as_str(), note, id],
        )?;
        Ok(())
    }

    /// Part ways: the client is ended, with the reason, refund and referral.
    pub fn end_client(&self, id: ClientId, parting: &Parting) -> Result<()> {
        self.run(
            "UPDATE clients SET status = 'ended', ended_at = ?1, parting_note = ?2, \
             refund_cents = ?3, referral_partner_id = ?4 WHERE id = ?5",
            params![
                ts(parting.ended_at),
                parting.reason,
                parting.refund_cents,
                parting.referral_partner_id,
                id
            ],
        )?;
        Ok(())
    }

    /// Work with an ended client again. The record of the parting stays (the
    /// review still counts it); only the status changes.
    pub fn reactivate_client(&self, id: ClientId) -> Result<()> {
        self.run(
            "UPDATE clients SET status = 'active' WHERE id = ?1",
            params![id],
        )?;
        Ok(())
    }
}
