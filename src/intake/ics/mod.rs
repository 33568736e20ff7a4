//! Reading the coach's calendar export (iCalendar) event by event.
//!
//! [`lines`] unfolds and splits content lines (also for vCards), [`parse`]
//! gathers VEVENTs and VTIMEZONEs wherever they are in the file, [`event`]
//! reads one event, [`zones`] places wall times, [`rrule`] repeats them.
//! [`expand`] turns it all into the occurrences inside a window: repeated,
//! minus EXDATEs, with RECURRENCE-ID overrides in place of the instances
//! they replace, wherever the override stands in the file.

pub mod event;
pub mod lines;
pub mod parse;
pub mod rrule;
pub mod zones;

mod windows_zones;

mod expand;

pub use expand::{Expansion, Occurrence, Skipped, expand_calendar};
pub use parse::{Calendar, read_calendar};
