//! Care between sessions: what happens after a session (notes, action
//! items, the recap), the agreement's steps and its chase, check-ins for
//! clients drifting away, reminders the day before, at-risk reasons where
//! the coach looks, and a clean parting. Shared by the command line and the
//! dashboard; SQL stays in the store, sending in `outgoing`.

pub mod agreement;
pub mod client_edit;
pub mod generate;
pub mod held;
pub mod message;
pub mod parting;
pub mod risk;
pub mod story;

pub use generate::{Generated, generate};
