//! Domain rules as plain Rust: no SQL, no terminal. Every function takes the
//! clock and the time zone as arguments, so tests can fix both.

pub mod bounds;
pub mod clash;
pub mod hours;
pub mod lookup;
pub mod series;
pub mod slots;
pub mod when;
