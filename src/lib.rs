//! coachbook: a terminal client book for a solo coach.

pub mod cli;
pub mod clock;
pub mod compose;
pub mod config;
pub mod dashboard;
pub mod demo;
pub mod domain;
pub mod error;
pub mod flows;
pub mod intake;
pub mod log;
pub mod mail;
pub mod model;
pub mod outgoing;
pub mod paths;
pub mod review;
pub mod store;
pub mod sync;
pub mod tui;
