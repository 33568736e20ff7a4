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
//!
//! Such a line is read here once, as clap would read it ([`PlainLine`]),
//! and the command-line thread takes it from here ([`plain_line`]) instead
//! of building clap's whole parser (every subcommand and its arguments) to
//! find that the line names none.

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

/// A line that can only open the dashboard: what clap reads from it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlainLine {
    pub db: Option<PathBuf>,
    pub config: Option<PathBuf>,
    pub mouse: bool,
}

/// The main thread's read of a book, for the dashboard to take.
struct Early {
    line: PlainLine,
    book: PathBuf,
    start: mpsc::Sender<Start>,
    loading: Loading,
}

static EARLY: Mutex<Option<Early>> = Mutex::new(None);

/// Run the program with the book read on this thread (see the module), if
/// `args` (the program's name first) can only be a launch of the dashboard
/// on a book: nothing but `--db PATH`, `--config PATH` and `--mouse`, each
/// once, as clap reads them ([`plain_line_of`]). Returns the exit code, or `None` for any other line
/// (a subcommand, `--demo`, `--help`, a flag clap would refuse), which is
/// left to clap and the usual open on this thread. Call from `main`, before
/// any other thread is spawned.
pub fn run_if_dashboard(args: impl IntoIterator<Item = OsString>) -> Option<i32> {
    let line = plain_line_of(args)?;
    let book = line.db.clone().unwrap_or_else(crate::paths::default_book);
    let (start, started) = mpsc::channel::<Start>();
    let (ready, ready_terminal) = mpsc::channel::<ReadyTerminal>();
    let (done, ended) = mpsc::channel::<Result<()>>();
    {
        let mut slot = EARLY.lock().ok()?;
        *slot = Some(Early {
            line,
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

/// The line [`run_if_dashboard`] began the book's read for, if it did:
/// the command-line thread runs the dashboard on it without clap.
pub fn plain_line() -> Option<PlainLine> {
    Some(EARLY.lock().ok()?.as_ref()?.line.clone())
}

/// The line as clap reads it, if it can only open the dashboard: nothing
/// but `--db PATH`, `--config PATH` (or `--db=PATH`, `--config=PATH`) and
/// `--mouse`, each at most once, every path UTF-8, not empty and not
/// starting with `-`. Anything else (a repeat, which clap refuses; a
/// value clap might read otherwise) is `None`, left to clap.
fn plain_line_of(args: impl IntoIterator<Item = OsString>) -> Option<PlainLine> {
    fn path(value: &str) -> Option<PathBuf> {
        (!value.is_empty() && !value.starts_with('-')).then(|| PathBuf::from(value))
    }
    fn once(slot: &mut Option<PathBuf>, value: Option<PathBuf>) -> Option<()> {
        match slot {
            Some(_) => None,
            None => {
                *slot = Some(value?);
                Some(())
            }
        }
    }
    let mut line = PlainLine::default();
    let mut args = args.into_iter().skip(1);
    while let Some(arg) = args.next() {
        let text = arg.to_str()?;
        if text == "--mouse" {
            if std::mem::replace(&mut line.mouse, true) {
                return None;
            }
            continue;
        }
        let (name, value) = match text.split_once('=') {
            Some((name, value)) => (name, value.to_string()),
            None => (text, args.next()?.into_string().ok()?),
        };
        match name {
            "--db" => once(&mut line.db, path(&value))?,
            "--config" => once(&mut line.config, path(&value))?,
            _ => return None,
        }
    }
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_of(line: &str) -> Option<PlainLine> {
        plain_line_of(line.split(' ').map(OsString::from))
    }

    #[test]
    fn only_a_plain_launch_of_the_dashboard_opens_early() {
        assert_eq!(
            line_of("coachbook --db /tmp/b.sqlite --mouse"),
            Some(PlainLine {
                db: Some(PathBuf::from("/tmp/b.sqlite")),
                config: None,
                mouse: true,
            })
        );
        assert_eq!(
            line_of("coachbook --config /tmp/c.toml --db=/tmp/b.sqlite"),
            Some(PlainLine {
                db: Some(PathBuf::from("/tmp/b.sqlite")),
                config: Some(PathBuf::from("/tmp/c.toml")),
                mouse: false,
            })
        );
        assert_eq!(line_of("coachbook"), Some(PlainLine::default()));
        for line in [
            "coachbook --demo",
            "coachbook --help",
            "coachbook -V",
            "coachbook --db",
            "coachbook --db /tmp/b.sqlite today",
            "coachbook --mouse --bogus",
            "coachbook review --db /tmp/b.sqlite",
            "coachbook --db /tmp/a.sqlite --db /tmp/b.sqlite",
            "coachbook --mouse --mouse",
            "coachbook --config=/tmp/c.toml --config /tmp/d.toml",
            "coachbook --db -x",
            "coachbook --db=",
            "coachbook --db=-x",
            "coachbook --mouse=true",
            "coachbook -- --db /tmp/b.sqlite",
        ] {
            assert_eq!(line_of(line), None, "{line}");
        }
    }

    /// Every line read without clap is read as clap reads it; the lines
    /// left to clap include those it refuses.
    #[test]
    fn a_plain_line_is_what_clap_reads() {
        use clap::Parser as _;
        for line in [
            "coachbook",
            "coachbook --mouse",
            "coachbook --db /tmp/b.sqlite",
            "coachbook --db=/tmp/b.sqlite --mouse --config /tmp/c.toml",
            "coachbook --config=/tmp/c.toml --db /tmp/with=sign.sqlite",
            "coachbook --mouse --db b.sqlite --config=c.toml",
        ] {
            let plain = line_of(line).unwrap_or_else(|| panic!("{line} is plain"));
            let cli = crate::cli::Cli::try_parse_from(line.split(' '))
                .unwrap_or_else(|err| panic!("clap refuses {line}: {err}"));
            assert_eq!(
                (
                    cli.db,
                    cli.config,
                    cli.mouse,
                    cli.demo,
                    cli.command.is_none()
                ),
                (plain.db, plain.config, plain.mouse, false, true),
                "{line}"
            );
        }
        for line in [
            "coachbook --db /tmp/a.sqlite --db /tmp/b.sqlite",
            "coachbook --mouse --mouse",
        ] {
            assert!(line_of(line).is_none(), "{line}");
            assert!(
                crate::cli::Cli::try_parse_from(line.split(' ')).is_err(),
                "{line}"
            );
        }
    }
}
