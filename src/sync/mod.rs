//! The book and the coach's calendar, both ways: the book's sessions as
//! calendar entries ([`entries`]), and two-way sync with a vdir, the folder
//! of one .ics file per event that vdirsyncer and khal share ([`vdir`]).

pub mod entries;
pub mod vdir;
