//! Bringing outside mail into the book.
//!
//! [`mail`] turns the messages of a mail source (one `.eml`, a Maildir, an
//! mbox) into requests and replies; [`watch`] notices new files in a Maildir
//! as a mail syncer drops them. The policy decisions live in
//! [`incoming`]: what a message becomes, its Message-ID when it has none,
//! its urgency and its time.

pub mod calendar;
pub mod contacts;
pub mod ics;
pub mod incoming;
pub mod limits;
pub mod mail;
pub mod watch;
