//! Two-way sync with a vdir: a folder of `.ics` files, one calendar object
//! each, that vdirsyncer keeps in step with a CalDAV calendar and khal reads.
//!
//! - Sessions booked in coachbook are **the book's files**: one per session
//!   (or per series: RRULE, EXDATE and overrides), named by the UID, with the
//!   client as ATTENDEE, the coach as ORGANIZER and a SEQUENCE that rises
//!   with each change. Each is written atomically: a temporary file in the
//!   same folder, fsync, rename, fsync of the folder.
//! - Every other file is **the calendar's**: read like `import ics` (a
//!   session when a client is in it, else busy time), its items kept under
//!   the file's name, removed when the file goes. coachbook never writes it.
//! - What each file held at the last sync is kept in the book
//!   (`vdir_items`: a hash of the file and of the book's version), so a sync
//!   knows which side changed: a book's file changed in the folder moves or
//!   cancels its sessions (a deleted file cancels them); a change in the
//!   book rewrites the file. When both changed, the later change wins (the
//!   folder's by the file's time, the book's by its change log) and the
//!   report names it.

use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, TimeZone, Utc};
use sha2::{Digest, Sha256};

use super::entries::{BookEntry, Which, book_entries};
use crate::compose::calendar_file::calendar_text;
use crate::config::Config;
use crate::error::BadInput;
use crate::intake::calendar::{self, CalendarImportSummary, ImportSource};
use crate::intake::ics::{expand_calendar, read_calendar};
use crate::model::{Client, MovedBy};
use crate::store::{ClientQueries, Store, Tx, VdirItem, VdirQueries};

/// A calendar file larger than this is no single event: skipped, named.
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// How far back and ahead the book's sessions are written and read.
const DAYS_BEFORE: i64 = 30;
const DAYS_AFTER: i64 = 730;
/// The state of a book's file the calendar deleted (kept so it stays deleted).
const DELETED: &str = "deleted";

/// What one direction of a sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub added: usize,
    pub updated: usize,
    pub cancelled: usize,
    pub removed: usize,
}

impl Counts {
    pub fn total(&self) -> usize {
        self.added + self.updated + self.cancelled + self.removed
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncReport {
    /// Files written to or removed from the folder.
    pub to_folder: Counts,
    /// Sessions and busy blocks the folder added, moved, cancelled, removed.
    pub to_book: Counts,
    /// Both sides changed: which one won, one line each.
    pub conflicts: Vec<String>,
    /// Files that could not be read (the rest of the sync went on).
    pub problems: Vec<String>,
}

impl SyncReport {
    /// One line: "vdir ~/cal: to the folder 1 added; to the book 1 moved".
    pub fn summary_line(&self, folder: &Path) -> String {
        let part = |c: &Counts, moved: &str| {
            let mut bits = Vec::new();
            for (n, word) in [
                (c.added, "added"),
                (c.updated, moved),
                (c.cancelled, "cancelled"),
                (c.removed, "removed"),
            ] {
                if n > 0 {
                    bits.push(format!("{n} {word}"));
                }
            }
            if bits.is_empty() {
                "nothing".to_string()
            } else {
                bits.join(", ")
            }
        };
        let mut line = format!(
            "synced {}: to the folder {}; to the book {}",
            folder.display(),
            part(&self.to_folder, "updated"),
            part(&self.to_book, "moved or changed")
        );
        if !self.conflicts.is_empty() {
            line.push_str(&format!("; {} changed on both sides", self.conflicts.len()));
        }
        if !self.problems.is_empty() {
            line.push_str(&format!("; {} files unreadable", self.problems.len()));
        }
        line
    }
}

/// A file in the folder as read now.
struct FolderFile {
    text: String,
    hash: String,
    modified: Option<DateTime<Utc>>,
}

/// The folder's name in the book: its full path.
fn folder_key(folder: &Path) -> String {
    std::fs::canonicalize(folder)
        .unwrap_or_else(|_| folder.to_path_buf())
        .display()
        .to_string()
}

/// The source name of the items read from one of the calendar's files.
fn source_name(vdir: &str, file: &str) -> String {
    format!("vdir:{vdir}/{file}")
}

/// A file name for a UID: what a vdir allows, else a hash of it.
pub fn file_name_for(uid: &str) -> String {
    let safe = !uid.is_empty()
        && uid.len() <= 200
        && uid
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@' | '+'))
        && !uid.starts_with('.');
    if safe {
        format!("{uid}.ics")
    } else {
        format!("{}.ics", hash_text(uid.as_bytes()))
    }
}

fn hash_text(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The book's version of an entry, without its DTSTAMP, for comparing.
fn book_hash(entry: &BookEntry) -> String {
    let text = calendar_text(
        std::slice::from_ref(&entry.entry),
        DateTime::UNIX_EPOCH,
        None,
    );
    hash_text(text.as_bytes())
}

fn read_folder(folder: &Path, problems: &mut Vec<String>) -> Result<HashMap<String, FolderFile>> {
    let mut files = HashMap::new();
    let listing = std::fs::read_dir(folder)
        .with_context(|| format!("cannot read the folder {}", folder.display()))?;
    for item in listing {
        let item = item.with_context(|| format!("cannot read the folder {}", folder.display()))?;
        let name = item.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !name.ends_with(".ics") {
            continue;
        }
        let meta = match item.metadata() {
            Ok(meta) if meta.is_file() => meta,
            _ => continue,
        };
        if meta.len() > MAX_FILE_BYTES {
            problems.push(format!("{name}: larger than 4 MB, not read"));
            continue;
        }
        let bytes = match std::fs::read(item.path()) {
            Ok(bytes) => bytes,
            Err(err) => {
                problems.push(format!("{name}: cannot read it: {err}"));
                continue;
            }
        };
        files.insert(
            name,
            FolderFile {
                hash: hash_text(&bytes),
                text: String::from_utf8_lossy(&bytes).into_owned(),
                modified: meta.modified().ok().map(DateTime::<Utc>::from),
            },
        );
    }
    Ok(files)
}

/// Write `text` to `folder/name` atomically: a temporary file in the same
/// folder, fsync, rename over the old one, fsync of the folder.
pub fn write_atomically(folder: &Path, name: &str, text: &str) -> Result<()> {
    let target = folder.join(name);
    let temp = folder.join(format!(".{name}.coachbook-{}.tmp", std::process::id()));
    let result = (|| -> Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)
            .with_context(|| format!("cannot write {}", temp.display()))?;
        file.write_all(text.as_bytes())
            .with_context(|| format!("cannot write {}", temp.display()))?;
        file.sync_all()
            .with_context(|| format!("cannot write {}", temp.display()))?;
        std::fs::rename(&temp, &target)
            .with_context(|| format!("cannot replace {}", target.display()))?;
        std::fs::File::open(folder)
            .and_then(|dir| dir.sync_all())
            .with_context(|| format!("cannot sync the folder {}", folder.display()))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Sync the book with the vdir `folder`, in one change of the book (none
/// when nothing changed: an idle sync leaves the book byte-identical).
pub fn sync_vdir(
    store: &mut Store,
    folder: &Path,
    config: &Config,
    now: DateTime<Utc>,
) -> Result<SyncReport> {
    if !folder.is_dir() {
        return Err(BadInput(format!(
            "{}: no such folder (a vdir is a folder of .ics files; create it, or point vdirsyncer at it)",
            folder.display()
        ))
        .into());
    }
    let vdir = folder_key(folder);
    let mut report = SyncReport::default();
    let files = read_folder(folder, &mut report.problems)?;
    let clients = store.clients()?;
    let label = format!("sync vdir {}", folder.display());
    let window = (
        now - Duration::days(DAYS_BEFORE),
        now + Duration::days(DAYS_AFTER),
    );
    let report = store.change_if_any("sync vdir", &label, now, |tx| {
        let sync = Sync {
            tx,
            folder,
            vdir: &vdir,
            config,
            clients: &clients,
            now,
            window,
        };
        sync.run(&files, report)
    })?;
    crate::log::line(&format!(
        "sync vdir: to folder {:?}, to book {:?}, conflicts {}, problems {}",
        report.to_folder,
        report.to_book,
        report.conflicts.len(),
        report.problems.len()
    ));
    Ok(report)
}

struct Sync<'a> {
    tx: &'a Tx<'a>,
    folder: &'a Path,
    vdir: &'a str,
    config: &'a Config,
    clients: &'a [Client],
    now: DateTime<Utc>,
    window: (DateTime<Utc>, DateTime<Utc>),
}

impl Sync<'_> {
    fn book_entries(&self) -> Result<Vec<BookEntry>> {
        book_entries(
            self.tx,
            self.window.0,
            self.window.1,
            self.config,
            Which::All,
            |s| s.ical_source.is_none(),
        )
    }

    fn run(
        &self,
        files: &HashMap<String, FolderFile>,
        mut report: SyncReport,
    ) -> Result<SyncReport> {
        let state: HashMap<String, VdirItem> = self
            .tx
            .vdir_items(self.vdir)?
            .into_iter()
            .map(|item| (item.file.clone(), item))
            .collect();
        // A folder emptied wholesale (a sync tool that lost its state, a
        // mount missing) is not the coach deleting every session: refuse to
        // read it as that, as vdirsyncer refuses to empty a storage. (One
        // file gone, the last one, is an ordinary deletion.)
        let held_before = state.values().filter(|s| s.file_hash != DELETED).count();
        if files.is_empty() && held_before > 1 {
            report.problems.push(format!(
                "the folder is empty but held {held_before} files at the last sync; nothing was cancelled or written \
                 (check the folder and vdirsyncer, then sync again)"
            ));
            return Ok(report);
        }
        let entries = self.book_entries()?;
        // Each book entry's file: where it was written before, else its UID's name.
        let by_uid: HashMap<&str, &str> = state
            .values()
            .filter(|s| s.book_hash != "-")
            .map(|s| (s.uid.as_str(), s.file.as_str()))
            .collect();
        let file_of = |entry: &BookEntry| {
            by_uid
                .get(entry.entry.uid.as_str())
                .map_or_else(|| file_name_for(&entry.entry.uid), |f| (*f).to_string())
        };
        let mut book_files: HashSet<String> = HashSet::new();
        // Folder → book, for the book's own files, first: then the book's
        // entries are made again from what the book holds after it.
        let mut folder_won: HashSet<String> = HashSet::new();
        for entry in &entries {
            let file = file_of(entry);
            book_files.insert(file.clone());
            let Some(last) = state.get(&file) else {
                continue;
            };
            let book_changed = last.book_hash != book_hash(entry);
            let on_disk = files.get(&file);
            let folder_changed = match on_disk {
                Some(now_there) => now_there.hash != last.file_hash,
                None => last.file_hash != DELETED,
            };
            if !folder_changed {
                continue;
            }
            let folder_time = on_disk.and_then(|f| f.modified).unwrap_or(self.now);
            if book_changed {
                let book_time = self.tx.last_change_since(last.synced_at)?;
                let folder_wins = book_time.is_none_or(|b| folder_time > b);
                report.conflicts.push(format!(
                    "{}: changed in coachbook and in the calendar since the last sync; kept {} (the later change)",
                    entry.entry.summary,
                    if folder_wins { "the calendar's" } else { "coachbook's" }
                ));
                if !folder_wins {
                    continue;
                }
            }
            folder_won.insert(file.clone());
            match on_disk {
                Some(changed) => {
                    let summary =
                        self.read_file(&file, changed, Some(&entry.session_ids), &mut report)?;
                    add_to_book(&mut report.to_book, &summary);
                }
                None => {
                    for id in &entry.session_ids {
                        if self.tx.cancel_session_from_calendar(
                            *id,
                            MovedBy::Coach,
                            "deleted from the calendar",
                        )? {
                            report.to_book.cancelled += 1;
                        }
                    }
                }
            }
        }
        // Book → folder: entries new or changed in the book.
        let entries = self.book_entries()?;
        let mut written_uids = HashSet::new();
        for entry in &entries {
            let file = file_of(entry);
            book_files.insert(file.clone());
            written_uids.insert(entry.entry.uid.clone());
            let hash_now = book_hash(entry);
            let last = state.get(&file);
            if folder_won.contains(&file) {
                // The folder's version stands; remember the book's reading of it.
                let file_hash = files
                    .get(&file)
                    .map_or(DELETED.to_string(), |f| f.hash.clone());
                self.tx
                    .set_vdir_item(self.vdir, &file, &entry.entry.uid, &file_hash, &hash_now)?;
                continue;
            }
            if last.is_some_and(|l| l.book_hash == hash_now) {
                continue;
            }
            let text = calendar_text(std::slice::from_ref(&entry.entry), self.now, None);
            write_atomically(self.folder, &file, &text)?;
            if last.is_some() || files.contains_key(&file) {
                let cancelled = entry.entry.events.first().is_some_and(|e| e.cancelled);
                if cancelled {
                    report.to_folder.cancelled += 1;
                } else {
                    report.to_folder.updated += 1;
                }
            } else {
                report.to_folder.added += 1;
            }
            self.tx.set_vdir_item(
                self.vdir,
                &file,
                &entry.entry.uid,
                &hash_text(text.as_bytes()),
                &hash_now,
            )?;
        }
        // The book's files whose sessions are gone from the book (an undone
        // booking): removed from the folder if the calendar did not change them.
        for last in state.values().filter(|s| s.book_hash != "-") {
            if book_files.contains(&last.file) || written_uids.contains(&last.uid) {
                continue;
            }
            if self.tx.calendar_uid_in_book(&last.uid)? {
                continue; // outside the window: left as it is
            }
            if let Some(on_disk) = files.get(&last.file)
                && on_disk.hash == last.file_hash
            {
                std::fs::remove_file(self.folder.join(&last.file))
                    .with_context(|| format!("cannot remove {}", last.file))?;
                report.to_folder.removed += 1;
            }
            self.tx.remove_vdir_item(self.vdir, &last.file)?;
        }
        // The calendar's own files: new or changed ones read, gone ones removed.
        for (name, file) in files {
            if book_files.contains(name) {
                continue;
            }
            let last = state.get(name);
            if last.is_some_and(|l| l.file_hash == file.hash) {
                continue;
            }
            let summary = self.read_file(name, file, None, &mut report)?;
            add_to_book(&mut report.to_book, &summary);
            let uid = read_calendar(&file.text)
                .events
                .first()
                .and_then(|e| e.prop("UID").map(|p| p.value.trim().to_string()))
                .unwrap_or_default();
            self.tx
                .set_vdir_item(self.vdir, name, &uid, &file.hash, "-")?;
        }
        let all_time = (
            Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0)
                .single()
                .unwrap_or(self.window.0),
            Utc.with_ymd_and_hms(9999, 12, 31, 0, 0, 0)
                .single()
                .unwrap_or(self.window.1),
        );
        for last in state.values().filter(|s| s.book_hash == "-") {
            if files.contains_key(&last.file) {
                continue;
            }
            let source = source_name(self.vdir, &last.file);
            let summary = calendar::record(
                self.tx,
                crate::intake::ics::Expansion {
                    // All time, as the book writes instants (years 0001-9999).
                    window: Some((all_time.0, all_time.1)),
                    ..Default::default()
                },
                self.clients,
                &self.config.addresses,
                Some(ImportSource {
                    name: &source,
                    full: true,
                    trust: true,
                    also: &[],
                }),
            )?;
            report.to_book.removed += summary.removed;
            self.tx.remove_vdir_item(self.vdir, &last.file)?;
        }
        Ok(report)
    }

    /// Read one file of the folder into the book. `owned`: the sessions of a
    /// book's file, which the folder's version replaces whatever its SEQUENCE.
    fn read_file(
        &self,
        name: &str,
        file: &FolderFile,
        owned: Option<&[i64]>,
        report: &mut SyncReport,
    ) -> Result<CalendarImportSummary> {
        let parsed = read_calendar(&file.text);
        if !parsed.saw_vcalendar || parsed.events.is_empty() {
            report
                .problems
                .push(format!("{name}: no calendar event in it"));
            return Ok(CalendarImportSummary::default());
        }
        let expansion = expand_calendar(&parsed, self.window.0, self.window.1, self.config.tz);
        for skipped in &expansion.skipped {
            report
                .problems
                .push(format!("{name}: {}: {}", skipped.item, skipped.reason));
        }
        let source = source_name(self.vdir, name);
        calendar::record(
            self.tx,
            expansion,
            self.clients,
            &self.config.addresses,
            Some(ImportSource {
                name: &source,
                full: true,
                trust: owned.is_some(),
                also: owned.unwrap_or(&[]),
            }),
        )
    }
}

fn add_to_book(counts: &mut Counts, summary: &CalendarImportSummary) {
    counts.added += summary.sessions + summary.busy;
    counts.updated += summary.updated;
    counts.cancelled += summary.cancelled;
    counts.removed += summary.removed;
}
