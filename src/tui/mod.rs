//! The dashboard: a ratatui terminal UI over the book.
//!
//! One direction of flow: terminal event → keymap (`input`, `keymap`) →
//! `Action` → pure `update` on the `Model` → `Effect`s run against the book
//! (`effects`) → results back as actions → `view` draws. `app` is the loop.

pub mod action;
pub mod app;
pub mod calendar_sync;
pub mod early;
pub mod editor;
pub mod effects;
pub mod flows;
pub mod frames;
pub mod input;
pub mod keymap;
pub mod layout;
pub mod model;
pub mod theme;
pub mod update;
pub mod view;
pub mod visible;

use std::io::stdout;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Result;
use ratatui::Terminal;
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::execute;

use crate::clock::Clock;
use crate::config::Config;
use crate::store::Store;
use early::Loading;

/// The terminal's output buffer: a whole frame of a large dashboard
/// (120x40 with colours is about 20 KiB when every cell changes).
const FRAME_BUFFER: usize = 64 << 10;

#[derive(Debug, Clone, Default)]
pub struct TuiOptions {
    /// Capture the mouse (off by default so the terminal's selection works).
    pub mouse: bool,
}

/// Run the TUI on a book already open (the demo book) until the coach quits.
pub fn run(store: Store, config: Config, clock: Clock, options: TuiOptions) -> Result<()> {
    run_opening(
        move |start| load_on_worker(move || Ok(store), start),
        config,
        clock,
        options,
    )
}

/// Run the TUI on the book at `book` until the coach quits: the book is
/// opened and its first window loaded on another thread while this one
/// sets up the terminal (see [`run_opening`]): the main thread, if
/// [`early::run_if_dashboard`] began reading this book there before the
/// command line was parsed, else a worker.
pub fn run_book(book: PathBuf, config: Config, clock: Clock, options: TuiOptions) -> Result<()> {
    run_opening(
        move |start| match early::take(&book) {
            Some((reader, loading)) => match reader.send(start) {
                Ok(()) => Ok(loading),
                // The main thread is gone (it cannot be, short of a
                // panic): open as if it had never begun.
                Err(std::sync::mpsc::SendError(start)) => {
                    load_on_worker(move || Store::open(&book), start)
                }
            },
            None => load_on_worker(move || Store::open(&book), start),
        },
        config,
        clock,
        options,
    )
}

/// The first window's worker: `open`, then `start` on the book it opened.
fn load_on_worker(
    open: impl FnOnce() -> Result<Store> + Send + 'static,
    start: early::Start,
) -> std::io::Result<Loading> {
    std::thread::Builder::new()
        .name("first-window".into())
        .spawn(move || open().map(start))
        .map(Loading::Worker)
}

/// Run the TUI until the coach quits. A bad `[keys]` section is refused (as
/// `BadInput`) before the terminal is touched. `load` hands another thread
/// what builds the dashboard with its first window of the day (`App::new`)
/// on the book it opens, while this thread enters the alternate screen and
/// starts reading the terminal: the two overlap on a second core. A worker
/// returns the dashboard, and this thread runs it; the main thread, which
/// read the book early ([`early::run_if_dashboard`]), is sent the terminal
/// and runs it itself. A book that cannot be opened leaves the terminal as
/// it was and is the error returned.
fn run_opening(
    load: impl FnOnce(early::Start) -> std::io::Result<Loading>,
    config: Config,
    clock: Clock,
    options: TuiOptions,
) -> Result<()> {
    let keymap = Arc::new(keymap::Keymap::with_overrides(&config.keys)?);
    let theme = theme::Theme::from_env();
    let size = ratatui::crossterm::terminal::size()?;
    let loading = load(Box::new(move |store| {
        Box::new(app::App::new(
            store,
            config,
            clock,
            keymap,
            theme,
            (size.0, size.1),
        ))
    }))?;
    // ratatui's terminal writes to stdout as is (a lock and a line-buffer
    // check per escape sequence, a write(2) per KiB); ours collects a
    // frame's escapes in one buffer and writes them when the draw flushes,
    // in one go.
    let mut terminal = match enter_terminal().and_then(|()| {
        Terminal::new(frames::FrameBackend::new(
            std::io::BufWriter::with_capacity(FRAME_BUFFER, stdout()),
        ))
    }) {
        Ok(terminal) => terminal,
        Err(err) => {
            ratatui::restore();
            // The main thread learns it from the closed channel.
            if let Loading::Worker(worker) = loading {
                let _ = worker.join();
            }
            return Err(err.into());
        }
    };
    // The first poll installs the resize (SIGWINCH) handler and opens the
    // terminal's event source: done while the book loads.
    let input = set_up_input(&options)
        .and_then(|()| Ok(event::poll(std::time::Duration::ZERO).map(|_| ())?));
    let stopped = || anyhow::anyhow!("the dashboard stopped while loading the book");
    let result = match loading {
        Loading::Worker(worker) => {
            let loaded = worker.join().map_err(|_| stopped()).and_then(|app| app);
            input.and(loaded).and_then(|mut app| app.run(&mut terminal))
        }
        Loading::Main { ready, done } => match ready.send(early::ReadyTerminal { terminal, input })
        {
            Ok(()) => done.recv().map_err(|_| stopped()).and_then(|ended| ended),
            Err(_) => Err(stopped()),
        },
    };
    if options.mouse {
        let _ = execute!(stdout(), DisableMouseCapture);
    }
    let _ = execute!(stdout(), DisableBracketedPaste);
    ratatui::restore();
    result
}

/// What `ratatui::try_init` does to the terminal, without the terminal
/// value it returns: a panic hook that restores the terminal before the
/// panic is reported, raw mode, the alternate screen. (`try_init`'s own
/// terminal, for crossterm's backend, would be dropped unused at once:
/// two buffers of every cell made and freed, and one more look-up of the
/// terminal's size, on the way to the first frame.)
fn enter_terminal() -> std::io::Result<()> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        ratatui::restore();
        hook(info);
    }));
    ratatui::crossterm::terminal::enable_raw_mode()?;
    execute!(stdout(), ratatui::crossterm::terminal::EnterAlternateScreen)
}

/// Bracketed paste (a paste arrives as text, so a newline in it never
/// presses Enter, never submits a form) and, if asked for, the mouse; both
/// are undone on exit and on panic.
fn set_up_input(options: &TuiOptions) -> Result<()> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(stdout(), DisableBracketedPaste);
        hook(info);
    }));
    execute!(stdout(), EnableBracketedPaste)?;
    if options.mouse {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = execute!(stdout(), DisableMouseCapture);
            hook(info);
        }));
        execute!(stdout(), EnableMouseCapture)?;
    }
    Ok(())
}
