//! Reading client mail: .eml files, Maildir folders and mbox files, decoded into plain messages.
//!
//! This module is a pure library: it reads files and bytes and returns domain
//! values. It never touches the book, the terminal or the network, and it never
//! logs message bodies.
//!
//! - [`parse_message`] turns the raw bytes of one RFC 5322 message into a
//!   [`MailMessage`]: headers decoded from any charset (RFC 2047 encoded words,
//!   raw 8-bit UTF-8), the body as plain text (text/plain preferred, HTML
//!   turned into readable text otherwise) and an auto-reply flag.
//! - [`read_source`] opens an `.eml` file, a Maildir folder or an mbox file
//!   and yields the raw messages in it, one [`MailItem`] at a time.
//!
//! # Auto-replies
//!
//! A message counts as an auto-reply when one of these *headers* says so
//! (RFC 3834 and the de-facto headers real responders add):
//! - `Auto-Submitted` with any value other than `no`;
//! - `X-Autoreply` or `X-Autorespond` present (any value but `no`);
//! - `Precedence: auto_reply`, `bulk` or `junk`.
//!
//! `Precedence: list` is *not* an auto-reply: a client writing through a
//! mailing list or group is still a person who deserves an answer, and a
//! missed client costs more than one stray request.
//!
//! As a secondary signal, a subject that *starts* with a prefix that
//! vacation responders put there ("Automatic reply:", "Auto-Reply:",
//! "Out of Office:", "Out of Office AutoReply:", and the same in a few
//! common languages, e.g. Exchange's Polish "Automatyczna odpowiedź:") also
//! counts. Only the exact responder prefix with its colon matches, at the very
//! start of the subject, so "Re: Automatic reply: …" (a human answering an
//! auto-reply) or "Out of office next week?" stay ordinary mail.
//!
//! # mbox separators
//!
//! See [`source`] for the documented policy on unescaped `From ` lines.

mod auto_reply;
mod body;
mod headers;
mod html;
mod message;
mod scan;
pub mod source;
pub mod words;

pub(crate) use body::decode_charset;
pub(crate) use message::marked_important;
pub use message::{Address, MailError, MailMessage, parse_message};
pub use source::{MailItem, MailSource, SourceError, SourceKind, read_source};
