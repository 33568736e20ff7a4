//! Copies of the book: `coachbook backup` and the automatic daily backup.
//!
//! A copy is written by `VACUUM INTO` to a temporary name next to its final
//! one, fsynced, checked with `PRAGMA integrity_check`, and only then given
//! its name. So a failed copy (a full disk, a kill) leaves no file that
//! looks like a backup: it never counts among the kept ones and never stops
//! a retry.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::NaiveDate;
use rusqlite::{Connection, OpenFlags};

use crate::files::{Existing, TEMP_MARKER, TempFile};

/// How many daily backups of a book are kept.
pub const KEEP_DAILY: usize = 14;

/// The page cache of the daily backup's connections, in KiB (SQLite's
/// default is 2,000): the copy runs inside the dashboard's process, reads
/// each page about once, and its cache would otherwise stay in the
/// dashboard's memory.
const DAILY_CACHE_KIB: i64 = 256;

/// Copy the book behind `conn` to `dest`, verified, mode 0600.
pub fn copy_book(conn: &Connection, dest: &Path, existing: Existing) -> Result<()> {
    let temp = TempFile::create(dest)?;
    conn
        // VACUUM INTO takes a missing or empty file; ours is empty and 0600.
        .execute("VACUUM INTO ?1", [temp.path().to_string_lossy().as_ref()])
        .with_context(|| format!("cannot write the backup to {}", dest.display()))?;
    temp.sync()?;
    verify_copy(temp.path())
        .with_context(|| format!("the backup written to {} did not verify", dest.display()))?;
    temp.commit(existing)
}

/// `PRAGMA integrity_check` on a copy: "ok" or the first problem.
fn verify_copy(path: &Path) -> Result<()> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // Each page is read about once: a small cache does as well.
    conn.pragma_update(None, "cache_size", -DAILY_CACHE_KIB)?;
    let first: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if first != "ok" {
        anyhow::bail!("integrity check: {first}");
    }
    Ok(())
}

/// The folder the daily backups go to: `backups/` next to the book.
pub fn folder(book: &Path) -> PathBuf {
    match book.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.join("backups"),
        _ => PathBuf::from("backups"),
    }
}

/// The stem daily backups of this book are named after (`book` for
/// `book.sqlite`), so two books in one folder never share a backup.
fn stem(book: &Path) -> String {
    book.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "book".into())
}

/// `backups/<stem>-<DAY>.sqlite`.
pub fn daily_path(book: &Path, day: NaiveDate) -> PathBuf {
    folder(book).join(format!("{}-{day}.sqlite", stem(book)))
}

/// The day of a daily backup of this book, from its file name.
fn daily_day(book_stem: &str, name: &str) -> Option<NaiveDate> {
    let day = name
        .strip_prefix(book_stem)?
        .strip_prefix('-')?
        .strip_suffix(".sqlite")?;
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

/// A file that can count as a backup: a whole SQLite file. (Every copy is
/// verified before it gets its name; this catches what older versions or
/// other hands left, such as an empty file.)
fn looks_whole(path: &Path) -> bool {
    use std::io::Read as _;
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let mut header = [0u8; 16];
    file.read_exact(&mut header).is_ok()
        && &header == b"SQLite format 3\0"
        && file.metadata().is_ok_and(|m| m.is_file() && m.len() >= 512)
}

/// The daily backups of a book that count, oldest first.
pub fn daily_backups(book: &Path) -> Vec<(NaiveDate, PathBuf)> {
    let book_stem = stem(book);
    let Ok(entries) = std::fs::read_dir(folder(book)) else {
        return Vec::new();
    };
    let mut found: Vec<(NaiveDate, PathBuf)> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?;
            let day = daily_day(&book_stem, name)?;
            looks_whole(&path).then_some((day, path))
        })
        .collect();
    found.sort();
    found
}

/// The newest backup that counts, for messages about a damaged book.
pub fn newest(book: &Path) -> Option<PathBuf> {
    daily_backups(book).pop().map(|(_, path)| path)
}

/// Whether today's backup of `book` is still to be taken.
pub fn daily_due(book: &Path, today: NaiveDate) -> bool {
    !looks_whole(&daily_path(book, today))
}

/// Today's backup, if it is missing or not whole: copy the book (through
/// its own read-only connection, so it can run beside the TUI) and keep the
/// latest [`KEEP_DAILY`]. Returns whether a copy was made.
pub fn daily(book: &Path, today: NaiveDate) -> Result<bool> {
    let dest = daily_path(book, today);
    if looks_whole(&dest) {
        return Ok(false);
    }
    let folder = folder(book);
    {
        use std::os::unix::fs::DirBuilderExt as _;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&folder)
            .with_context(|| format!("cannot create the folder {}", folder.display()))?;
    }
    remove_stale_temporaries(&folder);
    let conn = Connection::open_with_flags(
        book,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "cache_size", -DAILY_CACHE_KIB)?;
    copy_book(&conn, &dest, Existing::Replace)?;
    let kept = daily_backups(book);
    let surplus = kept.len().saturating_sub(KEEP_DAILY);
    for (_, old) in kept.into_iter().take(surplus) {
        let _ = std::fs::remove_file(old);
    }
    Ok(true)
}

/// Temporary copies a killed process left behind (older than an hour, so a
/// copy another process is writing right now is left alone).
fn remove_stale_temporaries(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let is_temp = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with('.') && n.contains(TEMP_MARKER));
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 3600);
        if is_temp && stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daily_names_follow_the_book() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(
            daily_path(Path::new("/x/book.sqlite"), day),
            PathBuf::from("/x/backups/book-2026-11-23.sqlite")
        );
        assert_eq!(
            daily_path(Path::new("/x/work.db"), day),
            PathBuf::from("/x/backups/work-2026-11-23.sqlite")
        );
        assert_eq!(daily_day("book", "book-2026-11-23.sqlite"), Some(day));
        assert_eq!(daily_day("book", "bookish-2026-11-23.sqlite"), None);
        assert_eq!(daily_day("work", "book-2026-11-23.sqlite"), None);
    }
}
