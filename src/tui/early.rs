//! The dashboard's book, opened before the command line is parsed.
//!
//! A launch of the dashboard spends its first millisecond or two in clap,
//! the config and the terminal's set-up, and then waits for SQLite to read
//! the book's schema (a few thousand lines of SQL: the undo triggers) and
//! the first window of the day. [`start`], called first thing in `main`,
//! begins that read on the worker thread at once, where the line can only
//! be a launch of the dashboard on a book that is already there; the
//! dashboard ([`super::run_book`]) then hands the worker what it needs to
//! build the first window ([`take`]).
//!
//! Only the part of opening that writes nothing runs before the line is
//! parsed ([`Store::open_without_writing`]): nothing is created, migrated
//! or changed until the dashboard's own open goes on. A line that turns
//! out to be something else (a usage error, another book) drops it
//! ([`discard`]), and the book is as it was.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc;
use std::thread::JoinHandle;

use anyhow::Result;

use super::app::App;
use crate::store::Store;

/// What the worker needs, once the line and the config are read, to build
/// the dashboard's first window.
pub(super) type Start = Box<dyn FnOnce(Store) -> Box<App> + Send>;

/// The worker that opens the book and builds the dashboard.
pub(super) type Loading = JoinHandle<Result<Box<App>>>;

/// The worker of a launch started early.
pub(super) struct Early {
    book: PathBuf,
    start: mpsc::Sender<Start>,
    loading: Loading,
}

static EARLY: Mutex<Option<Early>> = Mutex::new(None);

/// Start opening the book now if `args` (the program's name first) can
/// only be a launch of the dashboard on a book: nothing but `--db PATH`,
/// `--config PATH` and `--mouse` (each as clap reads them). Anything else
/// (a subcommand, `--demo`, `--help`, a flag clap would refuse) is left to
/// clap and the usual open. Call before any other thread is spawned.
pub fn start(args: impl IntoIterator<Item = OsString>) {
    let Some(book) = book_of(args) else {
        return;
    };
    let (start, started) = mpsc::channel::<Start>();
    let path = book.clone();
    let spawned = std::thread::Builder::new()
        .name("first-window".into())
        .spawn(move || {
            let opened = Store::open_without_writing(&path);
            // Dropped (the line was something else): the read connection
            // closes here, as any reader's does.
            let start = started
                .recv()
                .map_err(|_| anyhow::anyhow!("the dashboard did not start"))?;
            let store = match opened {
                Some(opened) => opened.finish()?,
                None => Store::open(&path)?,
            };
            Ok(start(store))
        });
    if let (Ok(loading), Ok(mut slot)) = (spawned, EARLY.lock()) {
        *slot = Some(Early {
            book,
            start,
            loading,
        });
    }
}

/// The worker started for `book`, if [`start`] started one for that very
/// path; one started for another path is discarded.
pub(super) fn take(book: &Path) -> Option<(mpsc::Sender<Start>, Loading)> {
    let early = EARLY.lock().ok()?.take()?;
    if early.book == book {
        Some((early.start, early.loading))
    } else {
        finish_unused(early);
        None
    }
}

/// Drop a worker no dashboard took, and wait for it to close its reader,
/// so that nothing it opened outlives the process (`cli::main` calls it on
/// every way out).
pub fn discard() {
    let early = EARLY.lock().ok().and_then(|mut slot| slot.take());
    if let Some(early) = early {
        finish_unused(early);
    }
}

fn finish_unused(early: Early) {
    drop(early.start);
    let _ = early.loading.join();
}

/// The book a line opens the dashboard on, if that is all it can be.
fn book_of(args: impl IntoIterator<Item = OsString>) -> Option<PathBuf> {
    let mut book = None;
    let mut args = args.into_iter().skip(1);
    while let Some(arg) = args.next() {
        let text = arg.to_str()?;
        if text == "--db" {
            book = Some(PathBuf::from(args.next()?));
        } else if let Some(path) = text.strip_prefix("--db=") {
            book = Some(PathBuf::from(path));
        } else if text == "--config" {
            args.next()?;
        } else if text != "--mouse" && !text.starts_with("--config=") {
            return None;
        }
    }
    book.or_else(|| Some(crate::paths::default_book()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book_for(line: &str) -> Option<PathBuf> {
        book_of(line.split(' ').map(OsString::from))
    }

    #[test]
    fn only_a_plain_launch_of_the_dashboard_opens_early() {
        assert_eq!(
            book_for("coachbook --db /tmp/b.sqlite --mouse"),
            Some(PathBuf::from("/tmp/b.sqlite"))
        );
        assert_eq!(
            book_for("coachbook --config /tmp/c.toml --db=/tmp/b.sqlite"),
            Some(PathBuf::from("/tmp/b.sqlite"))
        );
        assert_eq!(book_for("coachbook"), Some(crate::paths::default_book()));
        for line in [
            "coachbook --demo",
            "coachbook --help",
            "coachbook -V",
            "coachbook --db",
            "coachbook --db /tmp/b.sqlite today",
            "coachbook --mouse --bogus",
            "coachbook review --db /tmp/b.sqlite",
        ] {
            assert_eq!(book_for(line), None, "{line}");
        }
    }
}
