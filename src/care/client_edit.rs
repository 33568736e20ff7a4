//! Editing a client's record: the details (name, mail addresses, phone,
//! time zone, notes) and the context note with the day it stops mattering.
//! Shared by `coachbook client edit` and the client view's two forms. Every
//! value is bounded here (`domain::bounds`), and an edit is reduced to what
//! really differs from the record, so one edit is one change of the book.

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::domain::bounds;
use crate::error::BadInput;
use crate::model::Client;

/// What happens to the context note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextChange {
    /// A note that matters until the end of `until` in the coach's zone.
    Set {
        text: String,
        until: NaiveDate,
    },
    Clear,
}

/// A checked edit of one client: only what changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientEdit {
    pub name: Option<String>,
    pub add_emails: Vec<String>,
    pub remove_emails: Vec<String>,
    /// `Some(None)` removes the phone.
    pub phone: Option<Option<String>>,
    pub tz: Option<Tz>,
    pub notes: Option<String>,
    pub context: Option<ContextChange>,
}

/// A time zone by its IANA name.
pub fn time_zone(text: &str) -> Result<Tz, BadInput> {
    text.trim().parse::<Tz>().map_err(|_| {
        BadInput(format!(
            "unknown time zone {} (use an IANA name such as Europe/London)",
            crate::text::quoted(text)
        ))
    })
}

/// A context note and its last day: both needed, the day not yet past.
pub fn context(
    text: &str,
    until: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<ContextChange, BadInput> {
    let text = bounds::context(text)?;
    let Some(until) = until else {
        return Err(BadInput(
            "a context note needs the day it stops mattering (--until DAY, e.g. fri or 2026-11-27)"
                .into(),
        ));
    };
    let until = bounds::day(until)?;
    if until < today {
        return Err(BadInput(format!(
            "the context would already be over: {until} is before today ({today})"
        )));
    }
    Ok(ContextChange::Set { text, until })
}

impl ClientEdit {
    pub fn is_empty(&self) -> bool {
        *self == ClientEdit::default()
    }

    /// The edit reduced to what differs from `client`, every address
    /// checked: an address to remove must be the client's, one to add is
    /// well formed, and the client keeps at most 20.
    pub fn against(self, client: &Client) -> Result<ClientEdit, BadInput> {
        let name = match self.name {
            Some(name) => {
                let name = crate::text::name_field(&name, "a client")?;
                (name != client.name).then_some(name)
            }
            None => None,
        };
        let mut remove_emails = Vec::new();
        for email in &self.remove_emails {
            let email = email.trim().to_lowercase();
            if !client.emails.contains(&email) {
                return Err(BadInput(format!(
                    "{} is not one of {}'s addresses ({})",
                    crate::text::quoted(&email),
                    client.name,
                    if client.emails.is_empty() {
                        "they have none".to_string()
                    } else {
                        client.emails.join(", ")
                    }
                )));
            }
            if !remove_emails.contains(&email) {
                remove_emails.push(email);
            }
        }
        let mut add_emails = Vec::new();
        for email in &self.add_emails {
            let email = bounds::email(email)?;
            if remove_emails.contains(&email) {
                return Err(BadInput(format!("{email} is both added and removed")));
            }
            if !client.emails.contains(&email) && !add_emails.contains(&email) {
                add_emails.push(email);
            }
        }
        let kept = client.emails.len() - remove_emails.len() + add_emails.len();
        if kept > bounds::MAX_EMAILS {
            return Err(BadInput(format!(
                "{} would have {kept} mail addresses (at most {})",
                client.name,
                bounds::MAX_EMAILS
            )));
        }
        let phone = match self.phone {
            Some(phone) => {
                let phone = match phone {
                    Some(text) => bounds::phone(&text)?,
                    None => None,
                };
                (phone != client.phone).then_some(phone)
            }
            None => None,
        };
        let notes = match self.notes {
            Some(notes) => {
                let notes = bounds::notes(&notes)?;
                (notes != client.notes).then_some(notes)
            }
            None => None,
        };
        let context = match self.context {
            Some(ContextChange::Clear) => client.context.is_some().then_some(ContextChange::Clear),
            Some(ContextChange::Set { text, until }) => {
                let same = client.context.as_deref() == Some(text.as_str())
                    && client.context_until == Some(until);
                (!same).then_some(ContextChange::Set { text, until })
            }
            None => None,
        };
        Ok(ClientEdit {
            name,
            add_emails,
            remove_emails,
            phone,
            tz: self.tz.filter(|tz| *tz != client.tz),
            notes,
            context,
        })
    }

    /// What changes, in words: "name, phone, context".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.name.is_some() {
            parts.push("name".to_string());
        }
        for email in &self.add_emails {
            parts.push(format!("+{email}"));
        }
        for email in &self.remove_emails {
            parts.push(format!("-{email}"));
        }
        if let Some(phone) = &self.phone {
            parts.push(
                if phone.is_some() {
                    "phone"
                } else {
                    "phone removed"
                }
                .into(),
            );
        }
        if let Some(tz) = self.tz {
            parts.push(format!("time zone {}", tz.name()));
        }
        if self.notes.is_some() {
            parts.push("notes".into());
        }
        match &self.context {
            Some(ContextChange::Set { until, .. }) => parts.push(format!("context until {until}")),
            Some(ContextChange::Clear) => parts.push("context cleared".into()),
            None => {}
        }
        parts.join(", ")
    }
}

const DETAILS_HELP: &str = "# Email: one or more addresses, separated by commas\n\
# Phone: empty removes it · Time zone: an IANA name such as Europe/London\n\
# Notes: every line below it\n";

/// The details form's starting text, filled from the record.
pub fn details_form(client: &Client) -> String {
    format!(
        "Name: {}\nEmail: {}\nPhone: {}\nTime zone: {}\n{DETAILS_HELP}Notes:\n{}",
        client.name,
        client.emails.join(", "),
        client.phone.as_deref().unwrap_or(""),
        client.tz.name(),
        client.notes
    )
}

/// Read the details form: every field it names is set as given (the
/// addresses become the list to keep), then reduced against the record.
pub fn parse_details_form(text: &str, client: &Client) -> Result<ClientEdit, BadInput> {
    let mut edit = ClientEdit::default();
    let mut notes: Option<Vec<&str>> = None;
    let mut emails: Option<Vec<String>> = None;
    for line in text.lines() {
        if let Some(notes) = &mut notes {
            notes.push(line);
            continue;
        }
        let trimmed = line.trim();
        if trimmed.starts_with('#') || trimmed.is_empty() {
            continue;
        }
        let Some((label, value)) = trimmed.split_once(':') else {
            return Err(BadInput(format!(
                "{} is not a field of the form (Name, Email, Phone, Time zone, Notes)",
                crate::text::quoted(trimmed)
            )));
        };
        let value = value.trim();
        match label.trim().to_lowercase().as_str() {
            "name" => edit.name = Some(value.to_string()),
            "email" | "emails" => {
                emails = Some(
                    value
                        .split([',', ';', ' '])
                        .map(str::trim)
                        .filter(|e| !e.is_empty())
                        .map(str::to_string)
                        .collect(),
                )
            }
            "phone" => edit.phone = Some((!value.is_empty()).then(|| value.to_string())),
            "time zone" | "tz" => edit.tz = Some(time_zone(value)?),
            "notes" => {
                notes = Some(if value.is_empty() {
                    Vec::new()
                } else {
                    vec![value]
                })
            }
            other => {
                return Err(BadInput(format!(
                    "{} is not a field of the form (Name, Email, Phone, Time zone, Notes)",
                    crate::text::quoted(other)
                )));
            }
        }
    }
    if let Some(notes) = notes {
        edit.notes = Some(notes.join("\n"));
    }
    if let Some(emails) = emails {
        let wanted: Vec<String> = emails
            .iter()
            .map(|e| bounds::email(e))
            .collect::<Result<_, _>>()?;
        edit.remove_emails = client
            .emails
            .iter()
            .filter(|e| !wanted.contains(e))
            .cloned()
            .collect();
        edit.add_emails = wanted;
    }
    edit.against(client)
}

const CONTEXT_HELP: &str = "# What is at stake for the client now, on one line, and the last day it\n\
# matters (2026-11-27, fri, tomorrow). Empty both lines to remove the note.\n";

/// The context form's starting text.
pub fn context_form(client: &Client) -> String {
    format!(
        "At stake: {}\nUntil: {}\n{CONTEXT_HELP}",
        client.context.as_deref().unwrap_or(""),
        client
            .context_until
            .map(|d| d.to_string())
            .unwrap_or_default()
    )
}

/// Read the context form; `day` reads the Until line (DAY words).
pub fn parse_context_form(
    text: &str,
    client: &Client,
    today: NaiveDate,
    day: impl Fn(&str) -> Result<NaiveDate, BadInput>,
) -> Result<ClientEdit, BadInput> {
    let mut stake = String::new();
    let mut until = String::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        match line.split_once(':') {
            Some((label, value)) if label.trim().eq_ignore_ascii_case("at stake") => {
                stake = value.trim().to_string();
            }
            Some((label, value)) if label.trim().eq_ignore_ascii_case("until") => {
                until = value.trim().to_string();
            }
            _ => {
                return Err(BadInput(format!(
                    "{} is not a field of the form (At stake, Until)",
                    crate::text::quoted(line)
                )));
            }
        }
    }
    let change = if stake.is_empty() && until.is_empty() {
        ContextChange::Clear
    } else {
        let until = if until.is_empty() {
            None
        } else {
            Some(day(&until)?)
        };
        context(&stake, until, today)?
    };
    ClientEdit {
        context: Some(change),
        ..ClientEdit::default()
    }
    .against(client)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ClientStatus;

    fn dana() -> Client {
        Client {
            id: 1,
            name: "Dana Whitfield".into(),
            emails: vec!["dana@example.com".into()],
            phone: Some("+1 555 0100".into()),
            tz: chrono_tz::America::Chicago,
            status: ClientStatus::Active,
            notes: "Prefers mornings".into(),
            context: None,
            context_until: None,
            parting: None,
        }
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn an_unchanged_form_changes_nothing() {
        let client = dana();
        let edit = parse_details_form(&details_form(&client), &client).unwrap();
        assert!(edit.is_empty(), "{edit:?}");
        let today = day("2026-11-23");
        let edit =
            parse_context_form(&context_form(&client), &client, today, |_| Ok(today)).unwrap();
        assert!(edit.is_empty(), "{edit:?}");
    }

    #[test]
    fn the_details_form_sets_what_it_names() {
        let client = dana();
        let form = details_form(&client)
            .replace("Phone: +1 555 0100", "Phone: ")
            .replace(
                "Email: dana@example.com",
                "Email: dana@work.example, DANA@example.com",
            )
            .replace("America/Chicago", "Europe/Berlin")
            .replace("Prefers mornings", "Prefers mornings\nand tea");
        let edit = parse_details_form(&form, &client).unwrap();
        assert_eq!(edit.add_emails, vec!["dana@work.example".to_string()]);
        assert!(edit.remove_emails.is_empty());
        assert_eq!(edit.phone, Some(None));
        assert_eq!(edit.tz, Some(chrono_tz::Europe::Berlin));
        assert_eq!(edit.notes.as_deref(), Some("Prefers mornings\nand tea"));
        let form = details_form(&client).replace("Email: dana@example.com", "Email: ");
        let edit = parse_details_form(&form, &client).unwrap();
        assert_eq!(edit.remove_emails, vec!["dana@example.com".to_string()]);
    }

    #[test]
    fn bad_values_are_refused_with_a_reason() {
        let client = dana();
        let form = details_form(&client).replace("America/Chicago", "Mars/Olympus");
        assert!(
            parse_details_form(&form, &client)
                .unwrap_err()
                .0
                .contains("unknown time zone")
        );
        let form = details_form(&client).replace("+1 555 0100", "call me");
        assert!(
            parse_details_form(&form, &client)
                .unwrap_err()
                .0
                .contains("not a phone number")
        );
        let form = details_form(&client).replace("Name: Dana Whitfield", "Name: ");
        assert!(
            parse_details_form(&form, &client)
                .unwrap_err()
                .0
                .contains("needs a name")
        );
        let form = format!("Colour: red\n{}", details_form(&client));
        assert!(parse_details_form(&form, &client).is_err());
        let edit = ClientEdit {
            remove_emails: vec!["other@example.com".into()],
            ..ClientEdit::default()
        };
        assert!(edit.against(&client).unwrap_err().0.contains("not one of"));
    }

    #[test]
    fn a_context_needs_a_day_not_yet_past() {
        let client = dana();
        let today = day("2026-11-23");
        let parse = |form: &str| parse_context_form(form, &client, today, |t| Ok(day(t)));
        let edit = parse("At stake: Board vote\nUntil: 2026-11-27").unwrap();
        assert_eq!(
            edit.context,
            Some(ContextChange::Set {
                text: "Board vote".into(),
                until: day("2026-11-27")
            })
        );
        assert!(
            parse("At stake: Board vote\nUntil: ")
                .unwrap_err()
                .0
                .contains("--until")
        );
        assert!(
            parse("At stake: Board vote\nUntil: 2026-11-22")
                .unwrap_err()
                .0
                .contains("before today")
        );
        assert!(
            parse("At stake: \nUntil: 2026-11-27")
                .unwrap_err()
                .0
                .contains("empty")
        );
        // Clearing a note that is not there changes nothing.
        assert!(parse("At stake: \nUntil: ").unwrap().is_empty());
    }
}
