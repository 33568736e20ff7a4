//! coachbook: a terminal client book for a solo coach.

pub mod clock;
pub mod compose;
pub mod config;
pub mod dashboard;
pub mod domain;
pub mod error;
pub mod mail;
pub mod model;
pub mod paths;
pub mod store;
pub mod tui;
