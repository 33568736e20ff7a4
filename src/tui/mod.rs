//! The dashboard: a ratatui terminal UI over the book.
//!
//! One direction of flow: terminal event → keymap (`input`, `keymap`) →
//! `Action` → pure `update` on the `Model` → `Effect`s run against the book
//! (`effects`) → results back as actions → `view` draws. `app` is the loop.

pub mod action;
pub mod app;
pub mod calendar_sync;
pub mod editor;
pub mod effects;
pub mod flows;
pub mod input;
pub mod keymap;
pub mod layout;
pub mod model;
pub mod theme;
pub mod update;
pub mod view;
pub mod visible;

use std::io::stdout;
use std::sync::Arc;

use anyhow::Result;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::execute;

use crate::clock::Clock;
use crate::config::Config;
use crate::store::Store;

#[derive(Debug, Clone, Default)]
pub struct TuiOptions {
    /// Capture the mouse (off by default so the terminal's selection works).
    pub mouse: bool,
}

/// Run the TUI until the coach quits. A bad `[keys]` section is refused (as
/// `BadInput`) before the terminal is touched.
pub fn run(store: Store, config: Config, clock: Clock, options: TuiOptions) -> Result<()> {
    let keymap = Arc::new(keymap::Keymap::with_overrides(&config.keys)?);
    let theme = theme::Theme::from_env();
    // try_init installs a panic hook that restores the terminal.
    let mut terminal = ratatui::try_init()?;
    // Bracketed paste: a paste arrives as text, so a newline in it never
    // presses Enter (never submits a form). Restored on exit and on panic.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(stdout(), DisableBracketedPaste);
        hook(info);
    }));
    if let Err(err) = execute!(stdout(), EnableBracketedPaste) {
        ratatui::restore();
        return Err(err.into());
    }
    if options.mouse {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = execute!(stdout(), DisableMouseCapture);
            hook(info);
        }));
        if let Err(err) = execute!(stdout(), EnableMouseCapture) {
            ratatui::restore();
            return Err(err.into());
        }
    }
    let result = terminal
        .size()
        .map_err(anyhow::Error::from)
        .and_then(|size| {
            let mut app = app::App::new(
                store,
                config,
                clock,
                keymap,
                theme,
                (size.width, size.height),
            );
            app.run(&mut terminal)
        });
    if options.mouse {
        let _ = execute!(stdout(), DisableMouseCapture);
    }
    let _ = execute!(stdout(), DisableBracketedPaste);
    ratatui::restore();
    result
}
