//! Where coachbook keeps its files, per platform (via `directories`).

use std::path::PathBuf;

fn base() -> Option<directories::BaseDirs> {
    directories::BaseDirs::new()
}

/// `<data dir>/coachbook`: the book, backups, the outbox, the log.
pub fn data_dir() -> PathBuf {
    base()
        .map(|b| b.data_dir().join("coachbook"))
        .unwrap_or_else(|| PathBuf::from(".coachbook"))
}

/// `<config dir>/coachbook`: config.toml and template overrides.
pub fn config_dir() -> PathBuf {
    base()
        .map(|b| b.config_dir().join("coachbook"))
        .unwrap_or_else(|| PathBuf::from(".coachbook"))
}

/// The real book: `COACHBOOK_DB`, else `<data dir>/coachbook/book.sqlite`.
pub fn default_book() -> PathBuf {
    match std::env::var_os("COACHBOOK_DB") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => data_dir().join("book.sqlite"),
    }
}

/// The demo book: its own file, never the real book.
pub fn demo_book() -> PathBuf {
    data_dir().join("demo.sqlite")
}
