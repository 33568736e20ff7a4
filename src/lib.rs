//! coachbook: a terminal client book for a solo coach.

pub mod compose;
pub mod config;
pub mod domain;
pub mod error;
pub mod mail;
pub mod model;
pub mod paths;
pub mod store;
