//! coachbook: a terminal client book for a solo coach.

pub mod compose;
pub mod mail;
