//! The coach's multi-step flows, as plans computed from the book (pure
//! reads) and applied in one transaction. The command line and the TUI both
//! drive them.

pub mod booking;
pub mod cancel;
pub mod emergency;
pub mod handoff;
pub mod moving;
pub mod reassure;
pub mod reply;
