//! Writing to clients: templates, guardrails, RFC 5322 messages, calendar
//! updates and delivery. A pure library: no database, no terminal UI.
//!
//! The emergency reschedule, end to end:
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use coachbook::compose::*;
//!
//! let templates = Templates::load(None)?;
//! let london = chrono_tz::Europe::London;
//! let at = |d, h| Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).single().expect("valid");
//! let values = TemplateValues {
//!     client_first_name: Some("Ada".into()),
//!     old_time: Some(client_time_text(at(24, 14), london)),
//!     options: vec![client_time_text(at(25, 9), london)],
//!     signature: Some("Warmly,\nSam".into()),
//!     ..TemplateValues::default()
//! };
//! let rendered = templates.render("emergency_apology", &values)?;
//! assert!(check_reply(&rendered.body).is_empty());
//!
//! let sam = Mailbox { name: "Sam Rivera".into(), address: "sam@example.org".into() };
//! let ada = Mailbox { name: "Ada Lovelace".into(), address: "ada@example.com".into() };
//! let moved = CalendarEvent {
//!     uid: "session-42@coachbook".into(),
//!     sequence: 1, // one more than the last version the client got
//!     stamp: at(23, 8),
//!     start: at(25, 9),
//!     end: at(25, 10),
//!     summary: "Coaching with Sam Rivera".into(),
//!     description: None,
//!     location: None,
//!     organizer: CalendarPerson { name: sam.name.clone(), email: sam.address.clone() },
//!     attendee: CalendarPerson { name: ada.name.clone(), email: ada.address.clone() },
//!     recurrence_id: None,
//! };
//! let message = build_message(&OutgoingMessage {
//!     message_id: new_message_id(&sam.address, at(23, 8)),
//!     from: sam,
//!     to: ada,
//!     subject: rendered.subject,
//!     body: rendered.body,
//!     date: at(23, 8).fixed_offset(),
//!     in_reply_to: None,
//!     references: Vec::new(),
//!     calendar: Some(session_update_ics(&moved)),
//! });
//! // Then: deliver(&message, config.send_command, &config.outbox, "reply-17")
//! # assert!(!message.is_empty());
//! # Ok::<(), TemplateError>(())
//! ```

pub mod calendar_file;
mod delivery;
pub(crate) mod encoding;
mod guardrails;
mod ics;
mod message;
mod template_values;
mod templates;
mod time_text;

pub use delivery::{Delivery, deliver, osc52_copy};
pub use guardrails::{Guardrail, check_reply};
pub use ics::{
    CalendarEvent, CalendarPerson, escape_text, fold_line, session_cancel_ics, session_update_ics,
    sessions_ics,
};
pub use message::{Mailbox, OutgoingMessage, build_message, new_message_id};
pub use template_values::TemplateValues;
pub use templates::{Rendered, TemplateError, Templates};
pub use time_text::client_time_text;
