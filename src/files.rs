//! Every file coachbook writes goes through here, so none is ever left half
//! written: the bytes go to a temporary name in the same folder, are
//! fsynced, then renamed over (or linked to) the final name, and the folder
//! is fsynced. A failure at any step removes the temporary file and leaves
//! the old file, if any, whole.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::{MetadataExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result};

use crate::error::BadInput;

/// What to do when the final name is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Refuse: the caller asked for a new file (`--out` without `--force`).
    Keep,
    /// Replace it in one step (`--force`, or a file coachbook owns).
    Replace,
}

/// The marker in the names of temporary files, so a leftover from a killed
/// process is recognisable.
pub const TEMP_MARKER: &str = ".coachbook-tmp";

/// Write `bytes` to `path` (mode 0600) so that a crash or a full disk leaves
/// either the old file or the new one, never a mix or an empty file.
pub fn write_file(path: &Path, bytes: &[u8], existing: Existing) -> Result<()> {
    let temp = TempFile::create(path)?;
    {
        let mut file = temp.open_for_writing()?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    temp.commit(existing)
}

/// Write `bytes` under the first of `names` (all in one folder) that is
/// free, never over an existing file; returns the name used.
pub fn write_new_file(names: impl IntoIterator<Item = PathBuf>, bytes: &[u8]) -> Result<PathBuf> {
    let mut names = names.into_iter().peekable();
    let first = names
        .peek()
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("no file name to write to"))?;
    let temp = TempFile::create(&first)?;
    {
        let mut file = temp.open_for_writing()?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .with_context(|| format!("cannot write {}", first.display()))?;
    }
    for name in names {
        match std::fs::hard_link(temp.path(), &name) {
            Ok(()) => {
                drop(temp); // removes the temporary name; the data stays linked
                sync_folder(&folder_of(&name))?;
                return Ok(name);
            }
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(error) => {
                return Err(error).with_context(|| format!("cannot write {}", name.display()));
            }
        }
    }
    Err(anyhow::anyhow!(
        "no free file name in {}",
        folder_of(&first).display()
    ))
}

/// A temporary file next to its final name; removed on drop unless committed.
pub struct TempFile {
    temp: PathBuf,
    dest: PathBuf,
    committed: bool,
}

impl TempFile {
    /// Reserve a temporary name in `dest`'s folder; the file is created
    /// empty, 0600.
    pub fn create(dest: &Path) -> Result<TempFile> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let name = dest
            .file_name()
            .ok_or_else(|| BadInput(format!("{} names no file", dest.display())))?;
        let folder = folder_of(dest);
        for _ in 0..100 {
            let mut temp_name = OsString::from(".");
            temp_name.push(name);
            temp_name.push(format!(
                "{TEMP_MARKER}-{}-{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed)
            ));
            let temp = folder.join(temp_name);
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&temp)
            {
                Ok(_) => {
                    return Ok(TempFile {
                        temp,
                        dest: dest.to_path_buf(),
                        committed: false,
                    });
                }
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(error) => {
                    return Err(error).with_context(|| {
                        format!("cannot write in the folder {}", folder.display())
                    });
                }
            }
        }
        Err(anyhow::anyhow!(
            "cannot find a free temporary name in {}",
            folder.display()
        ))
    }

    /// Where the bytes go before the commit.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    fn open_for_writing(&self) -> Result<File> {
        OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&self.temp)
            .with_context(|| format!("cannot write {}", self.dest.display()))
    }

    /// Flush the temporary file to disk (for one filled by someone else, such
    /// as SQLite's `VACUUM INTO`).
    pub fn sync(&self) -> Result<()> {
        File::open(&self.temp)
            .and_then(|f| f.sync_all())
            .with_context(|| format!("cannot write {}", self.dest.display()))
    }

    /// Give the file its final name and make that durable.
    pub fn commit(mut self, existing: Existing) -> Result<()> {
        match existing {
            Existing::Replace => std::fs::rename(&self.temp, &self.dest)
                .with_context(|| format!("cannot write {}", self.dest.display()))?,
            Existing::Keep => {
                // A hard link fails if the name is taken, where rename would
                // silently replace a file that appeared meanwhile.
                match std::fs::hard_link(&self.temp, &self.dest) {
                    Ok(()) => {}
                    Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                        return Err(exists_already(&self.dest).into());
                    }
                    Err(error) => {
                        return Err(error)
                            .with_context(|| format!("cannot write {}", self.dest.display()));
                    }
                }
                let _ = std::fs::remove_file(&self.temp);
            }
        }
        self.committed = true;
        sync_folder(&folder_of(&self.dest))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// The refusal for a taken name.
pub fn exists_already(path: &Path) -> BadInput {
    BadInput(format!(
        "{} exists already; add --force to replace it, or choose another name",
        path.display()
    ))
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// fsync a folder, so a rename in it survives a power cut.
pub fn sync_folder(folder: &Path) -> Result<()> {
    File::open(folder)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("cannot write in the folder {}", folder.display()))
}

/// Check that `dest` may receive a new file: not a folder, not the book or
/// its journal files (by any spelling, through any symlink or hard link),
/// and not an existing file unless `--force`.
pub fn check_destination(dest: &Path, book: &Path, force: bool) -> Result<Existing> {
    if is_book_file(dest, book) {
        return Err(BadInput(format!(
            "{} is the book itself (or its journal); refusing to write over it",
            dest.display()
        ))
        .into());
    }
    match std::fs::symlink_metadata(dest) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => {
            return Err(error).with_context(|| format!("cannot look at {}", dest.display()));
        }
        Ok(meta) if meta.is_dir() => {
            return Err(BadInput(format!(
                "{} is a folder; name a file to write",
                dest.display()
            ))
            .into());
        }
        Ok(_) if !force => return Err(exists_already(dest).into()),
        Ok(_) => return Ok(Existing::Replace),
    }
    let folder = folder_of(dest);
    if !folder.is_dir() {
        return Err(BadInput(format!("the folder {} does not exist", folder.display())).into());
    }
    Ok(Existing::Keep)
}

/// Whether `candidate` names the book or one of its -wal, -shm or -journal
/// files.
pub fn is_book_file(candidate: &Path, book: &Path) -> bool {
    let Some(book) = resolve(book) else {
        return false;
    };
    let Some(candidate_resolved) = resolve(candidate) else {
        return false;
    };
    let candidate_meta = std::fs::metadata(candidate).ok();
    ["", "-wal", "-shm", "-journal"].iter().any(|suffix| {
        let mut name = book.clone().into_os_string();
        name.push(suffix);
        let journal = PathBuf::from(name);
        if journal == candidate_resolved {
            return true;
        }
        // The same file under another name (a hard link).
        match (&candidate_meta, std::fs::metadata(&journal)) {
            (Some(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    })
}

/// The absolute, symlink-free spelling of a path that may not exist yet (its
/// folder must).
fn resolve(path: &Path) -> Option<PathBuf> {
    if let Ok(full) = std::fs::canonicalize(path) {
        return Some(full);
    }
    let name = path.file_name()?;
    let folder = std::fs::canonicalize(folder_of(path)).ok()?;
    Some(folder.join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_replaces_whole_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.ics");
        write_file(&path, b"first", Existing::Keep).unwrap();
        assert!(write_file(&path, b"second", Existing::Keep).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        write_file(&path, b"second", Existing::Replace).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "only the final file is left");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn the_book_is_recognised_by_any_spelling() {
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("book.sqlite");
        std::fs::write(&book, b"x").unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let odd = sub.join("../book.sqlite");
        assert!(is_book_file(&odd, &book));
        assert!(is_book_file(&dir.path().join("book.sqlite-wal"), &book));
        assert!(is_book_file(&dir.path().join("./book.sqlite-shm"), &book));
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&book, &link).unwrap();
        assert!(is_book_file(&link, &book));
        let hard = dir.path().join("hard");
        std::fs::hard_link(&book, &hard).unwrap();
        assert!(is_book_file(&hard, &book));
        assert!(!is_book_file(&dir.path().join("other.ics"), &book));
    }
}
