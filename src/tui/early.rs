//! The dashboard's book, opened before the command line is parsed.
//!
//! A launch of the dashboard spends its first millisecond or two in clap,
//! the config and the terminal's set-up, and then waits for SQLite to read
//! the book's schema (a few thousand lines of SQL: the undo triggers) and
//! the first window of the day. Where the line can only be a launch of the
//! dashboard on a book that is already there, [`run_if_dashboard`],
//! called first thing in `main`, turns the work around: the command line,
//! the config and the terminal go to a thread of their own, and the main
//! thread, already running, starts the book's read at once. The dashboard
//! ([`super::run_book`]) hands it what it needs to build the first window ([`take`]) and then the
//! terminal it set up, and the main thread builds the window, draws it and
//! runs the dashboard: no thread has to be woken between the schema, the
//! window and the first frame.
//!
//! Only the part of opening that writes nothing runs before the line is
//! parsed ([`Store::open_without_writing`]): nothing is created, migrated
//! or changed until the dashboard's own open goes on. A line that turns
//! out to be something else (a usage error, another book) drops it
//! ([`discard`]), and the book is as it was.

use std::ffi::OsString;
use std::io::{BufWriter, Stdout};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc;
use std::thread::JoinHandle;

use super::frames::FrameBackend;
use anyhow::Result;
use ratatui::Terminal;

use super::app::App;
use crate::store::Store;

/// What builds the dashboard's first window on the book, once the line and
/// the config are read.
pub(super) type Start = Box<dyn FnOnce(Store) -> Box<App> + Send>;

/// The dashboard's terminal.
pub(super) type Term = Terminal<FrameBackend<BufWriter<Stdout>>>;

/// The terminal, set up, for the thread that runs the dashboard; `input`
/// says whether its input could be set up.
pub(super) struct ReadyTerminal {
    pub(super) terminal: Term,
    pub(super) input: Result<()>,
}

/// Where the dashboard is being built.
pub(super) enum Loading {
    /// On a worker thread, which returns it: this thread runs it.
    Worker(JoinHandle<Result<Box<App>>>),
    /// On the main thread, which opened the book early: it is sent the
    /// terminal, runs the dashboard and says how it ended.
    Main {
        ready: mpsc::Sender<ReadyTerminal>,
        done: mpsc::Receiver<Result<()>>,
    },
}

/// The main thread's read of a book, for the dashboard to take.
struct Early {
    book: PathBuf,
    start: mpsc::Sender<Start>,
    loading: Loading,
}

static EARLY: Mutex<Option<Early>> = Mutex::new(None);

/// Run the program with the book read on this thread (see the module), if
/// `args` (the program's name first) can only be a launch of the dashboard
/// on a book: nothing but `--db PATH`, `--config PATH` and `--mouse` (each
/// as clap reads them). Returns the exit code, or `None` for any other line
/// (a subcommand, `--demo`, `--help`, a flag clap would refuse), which is
/// left to clap and the usual open on this thread. Call from `main`, before
/// any other thread is spawned.
pub fn run_if_dashboard(args: impl IntoIterator<Item = OsString>) -> Option<i32> {
    let book = book_of(args)?;
    let (start, started) = mpsc::channel::<Start>();
    let (ready, ready_terminal) = mpsc::channel::<ReadyTerminal>();
    let (done, ended) = mpsc::channel::<Result<()>>();
    {
        let mut slot = EARLY.lock().ok()?;
        *slot = Some(Early {
            book: book.clone(),
            start,
            loading: Loading::Main { ready, done: ended },
        });
    }
    // The line, the config and the terminal: as deep a stack as main's.
    let Ok(line) = std::thread::Builder::new()
        .name("command-line".into())
        .stack_size(8 << 20)
        .spawn(crate::cli::main)
    else {
        discard();
        return None;
    };
    let opened = Store::open_without_writing(&book);
    // Dropped unused (the line was something else, or another book): the
    // read connection closes here, as any reader's does.
    if let Ok(start) = started.recv() {
        let outcome = run_dashboard(opened, &book, start, &ready_terminal);
        // Nobody listening: the dashboard's thread already gave up.
        let _ = done.send(outcome);
    }
    Some(line.join().unwrap_or(1))
}

/// Finish the open, build the first window, and run the dashboard on the
/// terminal the dashboard's thread sends once it is set up.
fn run_dashboard(
    opened: Option<crate::store::Opened>,
    book: &Path,
    start: Start,
    ready_terminal: &mpsc::Receiver<ReadyTerminal>,
) -> Result<()> {
    let store = match opened {
        Some(opened) => opened.finish()?,
        None => Store::open(book)?,
    };
    let mut app = start(store);
    // No terminal: its set-up failed, and the error is already on its way.
    let Ok(ReadyTerminal {
        mut terminal,
        input,
    }) = ready_terminal.recv()
    else {
        return Ok(());
    };
    input?;
    app.run(&mut terminal)
}

/// The book's read begun for `book`, if [`run_if_dashboard`] began one
/// for that very path; one begun for another path is dropped.
pub(super) fn take(book: &Path) -> Option<(mpsc::Sender<Start>, Loading)> {
    let early = EARLY.lock().ok()?.take()?;
    (early.book == book).then_some((early.start, early.loading))
}

/// Drop the book's read if no dashboard took it (`cli::main` calls it on
/// every way out): the main thread then closes its reader.
pub fn discard() {
    drop(EARLY.lock().ok().and_then(|mut slot| slot.take()));
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
