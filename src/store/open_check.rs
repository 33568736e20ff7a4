//! What the book file is, before SQLite opens it, and what went wrong when
//! opening fails: each kind of problem gets its own line, and the file is
//! left byte for byte as it was.

use std::io::Read as _;
use std::os::unix::fs::{FileTypeExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Result;
use rusqlite::Connection;

use super::schema::{APPLICATION_ID, latest_version};
use crate::error::BadInput;

/// What is at the book's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// Nothing: a new book is created.
    Missing,
    /// An empty file: a new book is written into it.
    Empty { mode: u32 },
    /// A SQLite file; `ours` when its header carries coachbook's id.
    Sqlite { ours: bool },
}

/// A book this process created, to be put back as it was if the command
/// fails before anything is recorded in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewBook {
    Missing,
    Empty { mode: u32 },
}

/// The book is a coachbook book that SQLite reports as damaged.
#[derive(Debug)]
pub struct Damaged(pub String);

impl std::fmt::Display for Damaged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Damaged {}

/// Whether an error says the book is damaged.
pub fn is_damaged(err: &anyhow::Error) -> bool {
    err.chain().any(|e| e.downcast_ref::<Damaged>().is_some())
}

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Look at the path without opening anything that could block (a FIFO) or
/// change (SQLite creating a journal).
pub fn inspect(path: &Path) -> Result<Found> {
    let shown = path.display();
    let link = match std::fs::symlink_metadata(path) {
        Ok(link) => link,
        // Missing, or a path through a plain file: creating it says why not.
        Err(error)
            if matches!(
                error.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            return Ok(Found::Missing);
        }
        Err(error) => {
            return Err(anyhow::Error::from(error).context(format!("cannot look at {shown}")));
        }
    };
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(error) if link.file_type().is_symlink() => {
            let target = std::fs::read_link(path)
                .map(|t| t.display().to_string())
                .unwrap_or_else(|_| "?".into());
            return Err(BadInput(format!(
                "{shown} is a symbolic link to {target}, which cannot be reached ({error}); refusing to create a book there"
            ))
            .into());
        }
        Err(error) => {
            return Err(anyhow::Error::from(error).context(format!("cannot look at {shown}")));
        }
    };
    let kind = meta.file_type();
    let not_a_file = if kind.is_dir() {
        Some("a directory")
    } else if kind.is_fifo() {
        Some("a named pipe (FIFO)")
    } else if kind.is_socket() {
        Some("a socket")
    } else if kind.is_char_device() {
        Some("a character device")
    } else if kind.is_block_device() {
        Some("a block device")
    } else if !kind.is_file() {
        Some("not a regular file")
    } else {
        None
    };
    if let Some(what) = not_a_file {
        return Err(BadInput(format!("{shown} is {what}, not a book file")).into());
    }
    let mode = meta.permissions().mode();
    if mode & 0o200 == 0 {
        anyhow::bail!(
            "the book at {shown} is read-only (mode {:o}); make it writable (chmod u+w) to use it",
            mode & 0o777
        );
    }
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if let Ok(folder_meta) = std::fs::metadata(&folder)
        && folder_meta.permissions().mode() & 0o200 == 0
    {
        anyhow::bail!(
            "the folder {} is read-only; coachbook keeps the book's journal (-wal, -shm) beside the book and needs to write there",
            folder.display()
        );
    }
    let mut header = [0u8; 100];
    let read = read_up_to(path, &mut header)?;
    if read == 0 {
        return Ok(Found::Empty { mode });
    }
    let magic = header.get(..16);
    if read < 16 || magic != Some(SQLITE_HEADER.as_slice()) {
        return Err(BadInput(format!(
            "{shown} is not a coachbook book (not a SQLite file); refusing to touch it"
        ))
        .into());
    }
    let word = |at: usize| -> Option<[u8; 4]> { header.get(at..at + 4)?.try_into().ok() };
    let (Some(version), Some(app_id)) = (word(60), word(68)) else {
        return Err(damaged(path, "its header is cut short").into());
    };
    if read < 100 {
        return Err(damaged(path, "its header is cut short").into());
    }
    let app_id = i64::from(u32::from_be_bytes(app_id));
    let version = i64::from(i32::from_be_bytes(version));
    let ours = app_id == APPLICATION_ID;
    if app_id != 0 && !ours {
        return Err(foreign(path).into());
    }
    refuse_version(path, version)?;
    Ok(Found::Sqlite { ours })
}

fn read_up_to(path: &Path, buf: &mut [u8]) -> Result<usize> {
    let mut file = std::fs::File::open(path)
        .map_err(|e| anyhow::Error::from(e).context(format!("cannot read {}", path.display())))?;
    let mut read = 0;
    while let Some(rest) = buf.get_mut(read..) {
        if rest.is_empty() {
            break;
        }
        match file.read(rest) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(
                    anyhow::Error::from(e).context(format!("cannot read {}", path.display()))
                );
            }
        }
    }
    Ok(read)
}

pub fn foreign(path: &Path) -> BadInput {
    BadInput(format!(
        "{} is not a coachbook book (another application's SQLite database); refusing to touch it",
        path.display()
    ))
}

/// A schema version this build cannot read: negative, or from a newer build.
pub fn refuse_version(path: &Path, version: i64) -> Result<(), BadInput> {
    if version < 0 {
        return Err(BadInput(format!(
            "{} has an unknown schema version ({version}); refusing to change it",
            path.display()
        )));
    }
    if version > latest_version() {
        return Err(BadInput(format!(
            "{} was written by a newer coachbook (schema {version}; this one knows up to {}); refusing to change it",
            path.display(),
            latest_version()
        )));
    }
    Ok(())
}

fn damaged(path: &Path, why: &str) -> Damaged {
    let backup = match super::backup::newest(path) {
        Some(newest) => format!("the newest backup is {}", newest.display()),
        None => format!(
            "there is no backup in {}",
            super::backup::folder(path).display()
        ),
    };
    Damaged(format!(
        "the book at {} is damaged ({why}); `coachbook check` lists what is wrong, and {backup}",
        path.display()
    ))
}

/// Turn a SQLite failure on opening into what it means for the coach.
pub fn explain_open_failure(err: anyhow::Error, path: &Path, ours: bool) -> anyhow::Error {
    use rusqlite::ErrorCode;
    let code = err
        .chain()
        .find_map(|e| match e.downcast_ref::<rusqlite::Error>() {
            Some(rusqlite::Error::SqliteFailure(f, _)) => Some(f.code),
            _ => None,
        });
    match code {
        Some(ErrorCode::DatabaseCorrupt) | Some(ErrorCode::NotADatabase) if ours => {
            let why = err
                .chain()
                .find_map(|e| e.downcast_ref::<rusqlite::Error>())
                .map(|e| e.to_string())
                .unwrap_or_else(|| "SQLite cannot read it".into());
            damaged(path, &why).into()
        }
        Some(ErrorCode::NotADatabase) => BadInput(format!(
            "{} is not a coachbook book (not a readable SQLite file); refusing to touch it",
            path.display()
        ))
        .into(),
        Some(ErrorCode::DatabaseCorrupt) => BadInput(format!(
            "{} is not a coachbook book (a damaged SQLite file of another kind); refusing to touch it",
            path.display()
        ))
        .into(),
        Some(ErrorCode::ReadOnly) => err.context(format!(
            "the book at {} cannot be written (a read-only file system or file?)",
            path.display()
        )),
        _ => err,
    }
}

/// Books this process created or filled from an empty file.
static NEW_BOOKS: Mutex<Vec<(PathBuf, NewBook)>> = Mutex::new(Vec::new());

pub fn remember_new_book(path: &Path, new_book: NewBook) {
    if let Ok(mut books) = NEW_BOOKS.lock() {
        books.push((path.to_path_buf(), new_book));
    }
}

/// A change was committed: the book is a real one now.
pub fn book_changed(path: &Path) {
    if let Ok(mut books) = NEW_BOOKS.lock() {
        books.retain(|(p, _)| p != path);
    }
}

/// After a failed command: put back as it was (missing, or an empty file
/// with its old mode) every book this process created that still records
/// no change, so a refused command never turns an empty file into a book.
/// Call it once every `Store` is closed.
pub fn discard_unused_new_books() {
    let books = match NEW_BOOKS.lock() {
        Ok(mut books) => std::mem::take(&mut *books),
        Err(_) => return,
    };
    for (path, new_book) in books {
        if !records_nothing(&path) {
            continue;
        }
        let removed = match new_book {
            NewBook::Missing => std::fs::remove_file(&path).is_ok(),
            NewBook::Empty { mode } => std::fs::OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(&path)
                .and_then(|_| {
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
                })
                .is_ok(),
        };
        if removed {
            for suffix in ["-wal", "-shm"] {
                let mut name = path.clone().into_os_string();
                name.push(suffix);
                let _ = std::fs::remove_file(PathBuf::from(name));
            }
        }
    }
}

/// Whether the book holds no recorded change (by anyone).
fn records_nothing(path: &Path) -> bool {
    let Ok(conn) = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return false;
    };
    conn.query_row("SELECT count(*) FROM changes", [], |r| r.get::<_, i64>(0))
        .is_ok_and(|n| n == 0)
}

/// What SQLite's own check finds in a damaged book, read-only.
pub fn check_damaged(path: &Path) -> Vec<String> {
    let conn = match Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY) {
        Ok(conn) => conn,
        Err(error) => return vec![format!("integrity: {error}")],
    };
    let lines = conn.prepare("PRAGMA integrity_check").and_then(|mut stmt| {
        stmt.query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<String>>>()
    });
    match lines {
        Ok(lines) => lines
            .into_iter()
            .filter(|l| l != "ok")
            .take(20)
            .map(|l| format!("integrity: {l}"))
            .collect(),
        Err(error) => vec![format!("integrity: {error}")],
    }
}
