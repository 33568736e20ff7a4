//! vCards (2.1, 3.0, 4.0) into clients.
//!
//! Read per card: the name (FN, else N as "Given Family"), every EMAIL,
//! the first TEL (a PREF one if marked). vCard 2.1 quoted-printable values
//! (with soft line breaks that continue on an unindented line) are decoded
//! in their CHARSET; PHOTO, KEY, LOGO and SOUND data are never decoded.
//!
//! Into the book: a card matches a client by any of its addresses, else by
//! the exact name (case-insensitive, one client only). A match gains the
//! card's missing addresses and, if it has none, the phone; a match that
//! gains nothing is a duplicate. No match: a new client in the coach's
//! time zone. A card without a name is skipped, as is an address that
//! already belongs to another client.

use std::collections::HashMap;

use anyhow::Result;
use chrono_tz::Tz;

use crate::intake::ics::Skipped;
use crate::intake::ics::lines::{ContentLine, parse_line, split_unescaped, unescape_text, unfold};
use crate::model::ClientId;
use crate::store::{ClientQueries, NewClient, Tx};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contact {
    /// The card's first line, for messages.
    pub line_no: usize,
    pub name: String,
    pub emails: Vec<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactsSummary {
    pub cards: usize,
    /// New clients.
    pub imported: usize,
    /// Existing clients that gained an address or a phone.
    pub updated: usize,
    pub duplicates: usize,
    pub skipped: Vec<Skipped>,
}

/// The cards of a vCard file, and those that could not be read.
pub fn read_vcards(text: &str) -> (Vec<Contact>, Vec<Skipped>) {
    let mut contacts = Vec::new();
    let mut skipped = Vec::new();
    let mut card: Option<(usize, Vec<ContentLine>)> = None;
    for (line_no, raw) in join_soft_breaks(unfold(text)) {
        let Ok(line) = parse_line(line_no, &raw) else {
            continue; // stray data (a base64 tail, a garbage line): not ours
        };
        match (
            line.name.as_str(),
            line.value.trim().to_ascii_uppercase().as_str(),
        ) {
            ("BEGIN", "VCARD") => card = Some((line_no, Vec::new())),
            ("END", "VCARD") => {
                if let Some((start, lines)) = card.take() {
                    match contact(start, &lines) {
                        Ok(c) => contacts.push(c),
                        Err(reason) => skipped.push(Skipped {
                            item: format!("card at line {start}"),
                            reason,
                        }),
                    }
                }
            }
            _ => {
                if let Some((_, lines)) = card.as_mut() {
                    lines.push(line);
                }
            }
        }
    }
    if let Some((start, _)) = card {
        skipped.push(Skipped {
            item: format!("card at line {start}"),
            reason: "not closed by END:VCARD (is the file cut short?)".into(),
        });
    }
    (contacts, skipped)
}

/// vCard 2.1 quoted-printable: a value ending in `=` continues on the next
/// line, which is not indented.
fn join_soft_breaks(lines: Vec<(usize, String)>) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut continuing = false;
    for (line_no, raw) in lines {
        if continuing && let Some(last) = out.last_mut() {
            last.1.pop(); // the soft break's '='
            last.1.push_str(&raw);
        } else {
            out.push((line_no, raw));
        }
        continuing = out
            .last()
            .is_some_and(|(_, l)| is_quoted_printable(l) && l.ends_with('='));
    }
    out
}

fn is_quoted_printable(raw: &str) -> bool {
    raw.split(':')
        .next()
        .is_some_and(|head| head.to_ascii_uppercase().contains("QUOTED-PRINTABLE"))
}

fn contact(line_no: usize, lines: &[ContentLine]) -> Result<Contact, String> {
    let text = |line: &ContentLine| -> String {
        if line.has_param_value("ENCODING", "QUOTED-PRINTABLE") {
            let bytes = decode_quoted_printable(&line.value);
            crate::mail::decode_charset(&bytes, line.param("CHARSET"))
        } else {
            line.value.clone()
        }
    };
    let formatted = lines
        .iter()
        .find(|l| l.name == "FN")
        .map(|l| unescape_text(&text(l)).trim().to_string())
        .filter(|n| !n.is_empty());
    let structured = lines.iter().find(|l| l.name == "N").map(|l| {
        let parts: Vec<String> = split_unescaped(&text(l), ';')
            .iter()
            .map(|p| unescape_text(p).trim().to_string())
            .collect();
        let given = parts.get(1).cloned().unwrap_or_default();
        let family = parts.first().cloned().unwrap_or_default();
        format!("{given} {family}").trim().to_string()
    });
    let name = formatted
        .or(structured.filter(|n| !n.is_empty()))
        .ok_or("no name (FN or N)")?;
    // The boundary for a card's name: one line, at most 200 characters.
    let name = crate::text::name_field(&name, "a contact").map_err(|err| err.0)?;
    let mut emails: Vec<String> = Vec::new();
    for line in lines.iter().filter(|l| l.name == "EMAIL") {
        let email = text(line)
            .trim()
            .trim_start_matches("mailto:")
            .to_lowercase();
        if email.contains('@') && !email.contains(char::is_whitespace) && !emails.contains(&email) {
            emails.push(email);
        }
    }
    let phones: Vec<&ContentLine> = lines.iter().filter(|l| l.name == "TEL").collect();
    let phone = phones
        .iter()
        .find(|l| l.has_param_value("TYPE", "PREF") || l.param("PREF").is_some())
        .or(phones.first())
        .map(|l| crate::text::one_line_field(text(l).trim().trim_start_matches("tel:")))
        .filter(|p| !p.is_empty());
    Ok(Contact {
        line_no,
        name,
        emails,
        phone,
    })
}

fn decode_quoted_printable(value: &str) -> Vec<u8> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if byte == b'='
            && let Some(hex) = bytes.get(i + 1..i + 3)
            && let Ok(hex) = std::str::from_utf8(hex)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(byte);
        i += 1;
    }
    out
}

/// How many cards one change of the book records: a big address book is
/// written in short transactions, so another process's write never waits
/// long for the book.
pub const BATCH_SIZE: usize = 500;

/// The clients as a card is matched against them: loaded once per batch,
/// kept up to date as cards add clients and phones.
struct ClientIndex {
    /// Lower-cased trimmed name to the clients of that name.
    by_name: HashMap<String, Vec<ClientId>>,
    has_phone: HashMap<ClientId, bool>,
}

impl ClientIndex {
    fn load(tx: &Tx) -> Result<ClientIndex> {
        let mut index = ClientIndex {
            by_name: HashMap::new(),
            has_phone: HashMap::new(),
        };
        for (id, name, has_phone) in tx.client_keys()? {
            index.add(&name, id, has_phone);
        }
        Ok(index)
    }

    fn add(&mut self, name: &str, id: ClientId, has_phone: bool) {
        self.by_name.entry(name_key(name)).or_default().push(id);
        self.has_phone.insert(id, has_phone);
    }

    /// A card's client: by any of its addresses, else by its exact name
    /// when one client only has it.
    fn find(&self, tx: &Tx, card: &Contact) -> Result<Option<ClientId>> {
        for email in &card.emails {
            if let Some(owner) = tx.client_by_email(email)? {
                return Ok(Some(owner));
            }
        }
        Ok(
            match self.by_name.get(&name_key(&card.name)).map(Vec::as_slice) {
                Some([one]) => Some(*one),
                _ => None,
            },
        )
    }
}

fn name_key(name: &str) -> String {
    name.trim().to_ascii_lowercase()
}

fn is_address(email: &str) -> bool {
    let email = email.trim();
    email.contains('@') && !email.contains(char::is_whitespace)
}

/// Record one batch of cards in the change `tx`, adding to `summary`.
pub fn record(
    tx: &Tx,
    contacts: &[Contact],
    default_tz: Tz,
    summary: &mut ContactsSummary,
) -> Result<()> {
    let mut index = ClientIndex::load(tx)?;
    for card in contacts {
        summary.cards += 1;
        let item = format!("{} (line {})", card.name, card.line_no);
        let mut addresses = Vec::new();
        for email in &card.emails {
            if is_address(email) {
                addresses.push(email.trim().to_lowercase());
            } else {
                summary.skipped.push(Skipped {
                    item: item.clone(),
                    reason: format!("'{}' is not a mail address", email.trim()),
                });
            }
        }
        let Some(existing) = index.find(tx, card)? else {
            let mut emails: Vec<String> = Vec::new();
            for email in addresses {
                if emails.contains(&email) {
                    continue;
                }
                match tx.client_by_email(&email)? {
                    Some(owner) => summary.skipped.push(Skipped {
                        item: item.clone(),
                        reason: format!("{email} already belongs to client {owner}"),
                    }),
                    None => emails.push(email),
                }
            }
            let id = tx.add_client(
                &NewClient {
                    name: card.name.clone(),
                    emails,
                    phone: card.phone.clone(),
                    ..NewClient::default()
                },
                default_tz,
            )?;
            index.add(&card.name, id, card.phone.is_some());
            summary.imported += 1;
            continue;
        };
        let mut gained = false;
        for email in &addresses {
            match tx.client_by_email(email)? {
                Some(owner) if owner == existing => {}
                Some(_) => summary.skipped.push(Skipped {
                    item: item.clone(),
                    reason: format!("{email} already belongs to another client"),
                }),
                None => {
                    tx.add_client_email(existing, email)?;
                    gained = true;
                }
            }
        }
        let has_phone = index.has_phone.get(&existing).copied().unwrap_or(true);
        if !has_phone && let Some(phone) = &card.phone {
            tx.set_client_phone_if_missing(existing, phone)?;
            index.has_phone.insert(existing, true);
            gained = true;
        }
        if gained {
            summary.updated += 1;
        } else {
            summary.duplicates += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_21_quoted_printable_with_soft_breaks_and_skips_photos() {
        let text = "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=\r\nens\r\n\
                    TEL;WORK;VOICE:+49 30 1234\r\nEMAIL;PREF;INTERNET:Jens@Example.ORG\r\n\
                    PHOTO;TYPE=JPEG;ENCODING=BASE64:\r\n /9j/4AAQSkZJRgABAQEAYABgAAD\r\n AAAA\r\n\r\nEND:VCARD\r\n";
        let (cards, skipped) = read_vcards(text);
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!(
            cards,
            vec![Contact {
                line_no: 1,
                name: "Jens Müller".into(),
                emails: vec!["jens@example.org".into()],
                phone: Some("+49 30 1234".into()),
            }]
        );
    }

    #[test]
    fn reads_30_and_40_with_groups_and_escapes() {
        let text = "BEGIN:VCARD\nVERSION:3.0\nFN:Doe\\, Jane\nN:Doe;Jane;;;\nitem1.EMAIL;TYPE=INTERNET:jane@x.org\n\
                    EMAIL;TYPE=work:jane@work.x.org\nEND:VCARD\nBEGIN:VCARD\nVERSION:4.0\nFN:Kim Lee\n\
                    TEL;VALUE=uri;TYPE=cell:tel:+1-555-0100\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nEMAIL:x@y.z\nEND:VCARD\n";
        let (cards, skipped) = read_vcards(text);
        assert_eq!(cards.len(), 2);
        assert_eq!(cards[0].name, "Doe, Jane");
        assert_eq!(cards[0].emails, ["jane@x.org", "jane@work.x.org"]);
        assert_eq!(cards[1].phone.as_deref(), Some("+1-555-0100"));
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].reason, "no name (FN or N)");
    }
}
