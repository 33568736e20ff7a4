//! The size cap of every input coachbook reads, checked before reading, and
//! the refusal of anything that is not a regular file. A device
//! (`/dev/zero`), a FIFO or a socket never ends; reading one would grow
//! memory without bound or hang, so it is refused by its kind before it is
//! opened.
//!
//! | input | cap |
//! |---|---|
//! | `.ics` calendar | 64 MiB |
//! | `.vcf` contacts | 32 MiB |
//! | one mail message (`.eml`, a Maildir file, one mbox entry) | 64 MiB (an mbox entry past it is cut) |
//! | a mail header block | 1 MiB; one header value decoded: 64 KiB |
//! | an mbox file | no cap: read one message at a time |
//! | config file, one template | 1 MiB |

use std::io::Read;
use std::path::Path;

use crate::error::BadInput;

pub const MIB: u64 = 1024 * 1024;
pub const MAX_ICS_BYTES: u64 = 64 * MIB;
pub const MAX_VCF_BYTES: u64 = 32 * MIB;
pub const MAX_MESSAGE_BYTES: u64 = 64 * MIB;
pub const MAX_CONFIG_BYTES: u64 = MIB;
pub const MAX_TEMPLATE_BYTES: u64 = MIB;

/// What a path is, when it is not a regular file or folder.
fn odd_kind(meta: &std::fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let kind = meta.file_type();
    if kind.is_fifo() {
        Some("a FIFO (named pipe)")
    } else if kind.is_char_device() {
        Some("a character device")
    } else if kind.is_block_device() {
        Some("a block device")
    } else if kind.is_socket() {
        Some("a socket")
    } else {
        None
    }
}

/// Refuse a path that is a device, FIFO or socket (following symlinks).
/// Folders and regular files pass; a missing path is left to the caller.
pub fn refuse_odd_kind(path: &Path, what: &str) -> Result<(), BadInput> {
    match std::fs::metadata(path) {
        Ok(meta) => match odd_kind(&meta) {
            Some(kind) => Err(BadInput(format!(
                "{} is {kind}, not {what}; coachbook reads regular files only",
                path.display()
            ))),
            None => Ok(()),
        },
        Err(_) => Ok(()),
    }
}

/// Read a whole regular file of at most `cap` bytes, refusing a bigger one,
/// a folder and any other kind before reading.
pub fn read_capped(path: &Path, cap: u64, what: &str) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    refuse_odd_kind(path, what).map_err(ReadError::Refused)?;
    if meta.is_dir() {
        return Err(ReadError::Refused(BadInput(format!(
            "{} is a folder, not {what}",
            path.display()
        ))));
    }
    if meta.len() > cap {
        return Err(ReadError::Refused(too_big(path, meta.len(), cap, what)));
    }
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // The file may grow while it is read: never past the cap.
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::Refused(too_big(
            path,
            bytes.len() as u64,
            cap,
            what,
        )));
    }
    Ok(bytes)
}

fn too_big(path: &Path, len: u64, cap: u64, what: &str) -> BadInput {
    BadInput(format!(
        "{} is {} MiB; the most coachbook reads as {what} is {} MiB",
        path.display(),
        len.div_ceil(MIB),
        cap / MIB
    ))
}

/// Why `read_capped` read nothing.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The coach named something coachbook will not read (exit 2).
    #[error(transparent)]
    Refused(BadInput),
    #[error(transparent)]
    Io(std::io::Error),
}
