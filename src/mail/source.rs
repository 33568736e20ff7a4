//! Where mail comes from: one message file, a Maildir folder or an mbox file.
//!
//! [`read_source`] looks at the path and picks the reader:
//! - a folder with `cur/` and/or `new/` is a **Maildir**: both are read (in
//!   file-name order, which for Maildir names is roughly arrival order);
//!   `tmp/`, dotfiles and subfolders (Maildir++ `.Folder`s) are skipped. An
//!   empty Maildir is a valid, empty source;
//! - a file starting with `From ` (after an optional UTF-8 BOM) is an **mbox**,
//!   unless its name ends in `.eml`: that is one message saved with its
//!   envelope line;
//! - any other file whose first line is a header field is **one message**
//!   (`.eml`, or any RFC 5322 file whatever its name).
//!
//! # mbox policy
//!
//! Messages are read one at a time, so a large mbox is never held in memory
//! whole. CRLF and LF line ends are both accepted, a missing blank line at the
//! end is fine, and a leading UTF-8 BOM is ignored.
//!
//! **Separators.** The first line of the file is always a separator. Any
//! later line is a separator only when it starts with `From `, follows an
//! empty line, and looks like an envelope line, which is one of:
//! - `From <sender> <date>`: a single-token sender (`user@host`, `-`,
//!   `MAILER-DAEMON`) and an asctime-like date (a month name, an `hh:mm`
//!   time and a four-digit year, in any order), the classic form;
//! - `From <sender>` alone, *and the next line is a header field*
//!   (`Name: value`) or the end of the file. Real exports write this form:
//!   `From -` (Thunderbird) and `From 1844…@xxx` (Gmail-style), so the date
//!   cannot be required.
//!
//! So an unescaped body line such as "From Russia with love" stays in the
//! body: "with love" is no date, even when the next line looks like a header
//! ("Year: 1963"). The cost: a body line of exactly `From <one word>` after an
//! empty line and directly followed by a `Name: value` line would still split
//! the message. (MimeKit, by contrast, splits at every `From ` line after an
//! empty line and finds 4 messages in its unmunged test mbox; this reader
//! finds 2.)
//!
//! **Escaping.** Lines written as `>From `, `>>From ` … are unescaped by one
//! `>` (mboxrd). The empty line that mbox writers put before each separator
//! is not part of the message and is dropped.

mod maildir;
mod mbox;

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use super::headers::{header_block, skip_leading_blank_lines, starts_with_header_field};

/// One raw message from a source, with a label to name it in a summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailItem {
    /// The file name, or `mbox message N` (1-based) for an mbox entry.
    pub label: String,
    pub raw: Vec<u8>,
}

/// What kind of source a path turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    SingleMessage,
    Maildir,
    Mbox,
}

/// Why a path cannot be read as mail. Each variant is one clear line.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{}: no such file or folder", .path.display())]
    NotFound { path: PathBuf },
    #[error("{}: a folder, but not a Maildir (it has no cur/ or new/ folder)", .path.display())]
    NotMaildir { path: PathBuf },
    #[error("{}: a binary file (it contains NUL bytes), not mail", .path.display())]
    Binary { path: PathBuf },
    #[error("{}: not mail (neither an mbox nor a message starting with headers)", .path.display())]
    NotMail { path: PathBuf },
    #[error("{}: the file is empty", .path.display())]
    EmptyFile { path: PathBuf },
    #[error("{}: the mbox holds no messages", .path.display())]
    EmptyMbox { path: PathBuf },
    #[error("{}: cannot read: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
    /// Not read at all: a device, FIFO or socket, or a file past its cap.
    #[error("{reason}")]
    Refused { path: PathBuf, reason: String },
}

impl SourceError {
    /// True when the path itself is wrong (missing, not mail, empty), as
    /// opposed to a failure to read it: the command line exits with 2, not 1.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, SourceError::Io { .. })
    }

    fn io(path: &Path, source: io::Error) -> Self {
        SourceError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// The messages of one source, yielded one at a time. A message that cannot
/// be read (say, one unreadable Maildir file) is an `Err` item; reading goes on.
pub struct MailSource {
    kind: SourceKind,
    items: Items,
}

enum Items {
    Single(Option<MailItem>),
    Maildir(maildir::MaildirReader),
    Mbox(mbox::MboxReader<BufReader<File>>),
}

impl MailSource {
    pub fn kind(&self) -> SourceKind {
        self.kind
    }
}

impl Iterator for MailSource {
    type Item = Result<MailItem, SourceError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.items {
            Items::Single(item) => item.take().map(Ok),
            Items::Maildir(reader) => reader.next(),
            Items::Mbox(reader) => reader.next(),
        }
    }
}

/// The mbox reader's buffer: a file read in 64 KiB pieces, not 8 KiB.
const MBOX_BUFFER_BYTES: usize = 64 * 1024;

/// How many leading bytes decide what a file is.
const SNIFF_LEN: u64 = 8192;

/// Open `path` as a mail source; see the module documentation for how the
/// kind is recognised.
pub fn read_source(path: &Path) -> Result<MailSource, SourceError> {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return Err(SourceError::NotFound {
                path: path.to_path_buf(),
            });
        }
        Err(error) => return Err(SourceError::io(path, error)),
    };
    crate::intake::limits::refuse_odd_kind(path, "mail").map_err(|err| SourceError::Refused {
        path: path.to_path_buf(),
        reason: err.0,
    })?;
    if metadata.is_dir() {
        let reader = maildir::MaildirReader::open(path)?;
        return Ok(MailSource {
            kind: SourceKind::Maildir,
            items: Items::Maildir(reader),
        });
    }
    match sniff(path)? {
        SourceKind::Mbox if !has_eml_extension(path) => {
            let file = File::open(path).map_err(|error| SourceError::io(path, error))?;
            let reader =
                mbox::MboxReader::open(BufReader::with_capacity(MBOX_BUFFER_BYTES, file), path)?;
            Ok(MailSource {
                kind: SourceKind::Mbox,
                items: Items::Mbox(reader),
            })
        }
        _ => {
            let raw = read_message_file(path)?;
            Ok(MailSource {
                kind: SourceKind::SingleMessage,
                items: Items::Single(Some(MailItem {
                    label: file_name_label(path),
                    raw,
                })),
            })
        }
    }
}

/// One message file (an .eml, a Maildir file), at most 64 MiB.
pub(crate) fn read_message_file(path: &Path) -> Result<Vec<u8>, SourceError> {
    use crate::intake::limits::{MAX_MESSAGE_BYTES, ReadError, read_capped};
    read_capped(path, MAX_MESSAGE_BYTES, "one mail message").map_err(|err| match err {
        ReadError::Refused(why) => SourceError::Refused {
            path: path.to_path_buf(),
            reason: why.0,
        },
        ReadError::Io(source) => SourceError::io(path, source),
    })
}

/// Decide from the first bytes whether a file is an mbox or one message.
fn sniff(path: &Path) -> Result<SourceKind, SourceError> {
    let file = File::open(path).map_err(|error| SourceError::io(path, error))?;
    let mut head = Vec::new();
    file.take(SNIFF_LEN)
        .read_to_end(&mut head)
        .map_err(|error| SourceError::io(path, error))?;
    let path = path.to_path_buf();
    let head = skip_leading_blank_lines(mbox::strip_bom(&head));
    if head.iter().all(u8::is_ascii_whitespace) {
        return Err(SourceError::EmptyFile { path });
    }
    let kind = if head.starts_with(b"From ") {
        Some(SourceKind::Mbox)
    } else if starts_with_header_field(head) {
        Some(SourceKind::SingleMessage)
    } else {
        None
    };
    // A NUL byte is binary data unless it sits in a message body, where a
    // binary-encoded attachment may legally carry it.
    let nul_where_text_belongs = match kind {
        Some(_) => header_block(head).contains(&0),
        None => head.contains(&0),
    };
    match kind {
        _ if nul_where_text_belongs => Err(SourceError::Binary { path }),
        Some(kind) => Ok(kind),
        None => Err(SourceError::NotMail { path }),
    }
}

fn has_eml_extension(path: &Path) -> bool {
    path.extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("eml"))
}

fn file_name_label(path: &Path) -> String {
    path.file_name()
        .unwrap_or(path.as_os_str())
        .to_string_lossy()
        .into_owned()
}
