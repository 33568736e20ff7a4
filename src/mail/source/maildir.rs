//! Reading a Maildir folder: the files in `cur/` and `new/`.

use std::path::{Path, PathBuf};

use super::{MailItem, SourceError};

/// Lists the message files when opened, reads each one only when asked.
pub(crate) struct MaildirReader {
    files: std::vec::IntoIter<PathBuf>,
}

impl MaildirReader {
    pub(crate) fn open(folder: &Path) -> Result<Self, SourceError> {
        let subfolders: Vec<PathBuf> = ["cur", "new"]
            .iter()
            .map(|name| folder.join(name))
            .filter(|path| path.is_dir())
            .collect();
        if subfolders.is_empty() {
            return Err(SourceError::NotMaildir {
                path: folder.to_path_buf(),
            });
        }
        let mut files = Vec::new();
        for subfolder in &subfolders {
            files.extend(message_files(subfolder)?);
        }
        // Maildir names start with the delivery time, so name order is
        // close to arrival order, whichever of cur/ and new/ a file is in.
        files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
        Ok(MaildirReader {
            files: files.into_iter(),
        })
    }
}

/// Regular files in one Maildir subfolder, without dotfiles.
fn message_files(subfolder: &Path) -> Result<Vec<PathBuf>, SourceError> {
    let io_error = |source| SourceError::Io {
        path: subfolder.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(subfolder).map_err(io_error)? {
        let entry = entry.map_err(io_error)?;
        let is_dotfile = entry.file_name().to_string_lossy().starts_with('.');
        let is_file = entry.path().is_file(); // follows symlinks, as mail tools do
        if is_file && !is_dotfile {
            files.push(entry.path());
        }
    }
    Ok(files)
}

impl Iterator for MaildirReader {
    type Item = Result<MailItem, SourceError>;

    fn next(&mut self) -> Option<Self::Item> {
        let path = self.files.next()?;
        let label = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        Some(super::read_message_file(&path).map(|raw| MailItem { label, raw }))
    }
}
