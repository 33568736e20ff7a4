//! coachbook: a terminal client book for a solo coach.

pub mod compose;
pub mod mail;
pub mod domain;
pub mod error;
pub mod model;
