//! Noticing new mail in a Maildir as a syncer (mbsync, offlineimap) drops
//! it: a cheap listing of `new/` and `cur/` every few seconds.
//!
//! Files are remembered by their Maildir *unique name*, the part before the
//! `:2,FLAGS` info suffix, so a message a mail client moves from `new/` to
//! `cur/` (and renames with its flags) is not seen twice. Maildir writers
//! put a file in `tmp/` first and move it in when complete, so whatever is
//! listed is whole. Polling, not inotify: it works the same on every file
//! system (network mounts included) and costs two `readdir`s per round.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};

use crate::mail::SourceError;

/// How often the folder is listed.
pub const POLL_INTERVAL: std::time::Duration = std::time::Duration::from_secs(2);

pub struct MaildirWatch {
    folder: PathBuf,
    seen: HashSet<String>,
}

impl MaildirWatch {
    /// Start watching `folder`; every file already there counts as seen.
    pub fn open(folder: &Path) -> Result<MaildirWatch, SourceError> {
        if !folder.exists() {
            return Err(SourceError::NotFound {
                path: folder.to_path_buf(),
            });
        }
        if !folder.join("new").is_dir() && !folder.join("cur").is_dir() {
            return Err(SourceError::NotMaildir {
                path: folder.to_path_buf(),
            });
        }
        let mut watch = MaildirWatch {
            folder: folder.to_path_buf(),
            seen: HashSet::new(),
        };
        let present = watch.new_files().map_err(|source| SourceError::Io {
            path: folder.to_path_buf(),
            source,
        })?;
        for file in &present {
            watch.mark_seen(file);
        }
        Ok(watch)
    }

    /// Message files not seen yet, in name (roughly arrival) order.
    pub fn new_files(&self) -> io::Result<Vec<PathBuf>> {
        let mut files = Vec::new();
        for sub in ["new", "cur"] {
            let dir = self.folder.join(sub);
            let entries = match std::fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
                Err(error) => return Err(error),
            };
            for entry in entries {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') || self.seen.contains(unique_name(&name)) {
                    continue;
                }
                if entry.path().is_file() {
                    files.push(entry.path());
                }
            }
        }
        files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
        files.dedup_by(|a, b| same_message(a, b));
        Ok(files)
    }

    /// Remember a file, so it is not offered again (under any flags).
    pub fn mark_seen(&mut self, file: &Path) {
        if let Some(name) = file.file_name() {
            self.seen
                .insert(unique_name(&name.to_string_lossy()).to_string());
        }
    }
}

/// The Maildir unique name: the file name without its `:2,FLAGS` info
/// (or `;2,FLAGS` / `!2,FLAGS`, which some systems use instead of `:`).
pub fn unique_name(file_name: &str) -> &str {
    file_name
        .find([':', ';', '!'])
        .map_or(file_name, |at| &file_name[..at])
}

fn same_message(a: &Path, b: &Path) -> bool {
    let name = |p: &Path| {
        p.file_name()
            .map(|n| unique_name(&n.to_string_lossy()).to_string())
    };
    name(a) == name(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn maildir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for sub in ["new", "cur", "tmp"] {
            std::fs::create_dir(dir.path().join(sub)).expect("subfolder");
        }
        dir
    }

    fn names(files: &[PathBuf]) -> Vec<String> {
        files
            .iter()
            .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect()
    }

    #[test]
    fn unique_names_drop_the_info_suffix() {
        assert_eq!(unique_name("1700.M1P2.host:2,S"), "1700.M1P2.host");
        assert_eq!(unique_name("1700.M1P2.host!2,S"), "1700.M1P2.host");
        assert_eq!(unique_name("1700.M1P2.host"), "1700.M1P2.host");
    }

    #[test]
    fn files_present_at_the_start_are_not_new_and_moves_are_not_new_again() {
        let dir = maildir();
        std::fs::write(dir.path().join("cur/1.a.host:2,S"), "x").expect("write");
        let mut watch = MaildirWatch::open(dir.path()).expect("a Maildir");
        assert!(watch.new_files().expect("listing").is_empty());

        std::fs::write(dir.path().join("new/2.b.host"), "x").expect("write");
        std::fs::write(dir.path().join("tmp/3.c.host"), "x").expect("write");
        std::fs::write(dir.path().join("new/.hidden"), "x").expect("write");
        let found = watch.new_files().expect("listing");
        assert_eq!(names(&found), vec!["2.b.host"]);
        watch.mark_seen(&found[0]);

        std::fs::rename(
            dir.path().join("new/2.b.host"),
            dir.path().join("cur/2.b.host:2,S"),
        )
        .expect("move");
        assert!(watch.new_files().expect("listing").is_empty());
    }

    #[test]
    fn a_folder_that_is_no_maildir_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(matches!(
            MaildirWatch::open(dir.path()),
            Err(SourceError::NotMaildir { .. })
        ));
        assert!(matches!(
            MaildirWatch::open(&dir.path().join("missing")),
            Err(SourceError::NotFound { .. })
        ));
    }
}
