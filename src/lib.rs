//! coachbook: a terminal client book for a solo coach.

// Unit tests may unwrap and index: a panic there is a failed test.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod care;
pub mod cli;
pub mod clock;
pub mod compose;
pub mod config;
pub mod dashboard;
pub mod demo;
pub mod domain;
pub mod error;
pub mod files;
pub mod flows;
pub mod heap;
pub mod intake;
pub mod json_text;
pub mod log;
pub mod mail;
pub mod model;
pub mod outgoing;
pub mod paths;
pub mod review;
pub mod store;
pub mod sync;
#[cfg(test)]
mod testing;
pub mod text;
pub mod tui;
