//! The dashboard: a ratatui terminal UI over the book.

use anyhow::Result;

use crate::clock::Clock;
use crate::config::Config;
use crate::store::Store;

#[derive(Debug, Clone, Default)]
pub struct TuiOptions {
    /// Capture the mouse (off by default so the terminal's selection works).
    pub mouse: bool,
}

/// Run the TUI until the coach quits.
pub fn run(store: Store, config: Config, clock: Clock, options: TuiOptions) -> Result<()> {
    let _ = (store, config, clock, options);
    anyhow::bail!("the dashboard is not built yet")
}
