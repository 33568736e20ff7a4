//! Writing to clients: templates, guardrails, RFC 5322 messages, calendar
//! updates and delivery. A pure library: no database, no terminal UI.

mod delivery;
mod encoding;
mod guardrails;
mod ics;
mod message;
mod template_values;
mod templates;
mod time_text;

pub use delivery::{Delivery, deliver, osc52_copy};
pub use guardrails::{Guardrail, check_reply};
pub use ics::{CalendarEvent, CalendarPerson, session_cancel_ics, session_update_ics};
pub use message::{Mailbox, OutgoingMessage, build_message, new_message_id};
pub use template_values::TemplateValues;
pub use templates::{Rendered, TemplateError, Templates};
pub use time_text::client_time_text;
