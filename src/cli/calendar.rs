//! `coachbook import ics|contacts PATH` and `coachbook export ics`.
//!
//! The file is read and checked before the book is opened: a missing file,
//! a folder, an empty file or one that is no calendar (no vCard) is one
//! line, exit code 2, and the book is not touched.

use std::path::Path;

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::Ctx;
use super::args::{ExportCommand, SyncCommand};
use super::output;
use crate::compose::calendar_file::{Entry, calendar_text};
use crate::domain::when::{day_bounds, rfc3339_in};
use crate::error::BadInput;
use crate::intake::calendar::{self, CalendarImportSummary, ImportSource};
use crate::intake::contacts::{self, ContactsSummary};
use crate::intake::ics::{Skipped, expand_calendar, read_calendar};
use crate::store::ClientQueries;
use crate::sync::entries::{BookEntry, Which, book_entries};
use crate::sync::vdir::{Counts, SyncReport, sync_vdir};

/// The default expansion window around today, in days.
const WINDOW_BEFORE_DAYS: i64 = 30;
const WINDOW_AFTER_DAYS: i64 = 90;

/// The longest import window, in days (a century).
const MAX_WINDOW_DAYS: i64 = 100 * 366;

/// A text file to import: there, a regular file, within its cap, not empty.
fn read_text(path: &Path, what: &str, cap: u64) -> Result<String> {
    use crate::intake::limits::{ReadError, read_capped};
    if !path.exists() {
        return Err(BadInput(format!("{}: no such file", path.display())).into());
    }
    let bytes = match read_capped(path, cap, what) {
        Ok(bytes) => bytes,
        Err(ReadError::Refused(why)) => return Err(why.into()),
        Err(ReadError::Io(err)) => {
            return Err(err).with_context(|| format!("cannot read {}", path.display()));
        }
    };
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(BadInput(format!("{} is empty", path.display())).into());
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

pub fn import_ics(
    ctx: &Ctx,
    path: &Path,
    from: Option<&str>,
    to: Option<&str>,
    json: bool,
) -> Result<()> {
    let today = ctx.today();
    let from_day = match from {
        Some(text) => ctx.day(text)?,
        None => today - Duration::days(WINDOW_BEFORE_DAYS),
    };
    let to_day = match to {
        Some(text) => ctx.day(text)?,
        None => today + Duration::days(WINDOW_AFTER_DAYS),
    };
    if to_day < from_day {
        return Err(BadInput(format!("--to {to_day} is before --from {from_day}")).into());
    }
    // Repeating events are expanded inside the window: keep it to a century.
    if (to_day - from_day).num_days() > MAX_WINDOW_DAYS {
        return Err(BadInput(format!(
            "the window {from_day} to {to_day} is longer than the 100 years an import expands"
        ))
        .into());
    }
    let tz = ctx.config.tz;
    let (window_start, _) = day_bounds(from_day, tz);
    let (_, window_end) = day_bounds(to_day, tz);
    let text = read_text(
        path,
        "a calendar file",
        crate::intake::limits::MAX_ICS_BYTES,
    )?;
    let parsed = read_calendar(&text);
    if !parsed.saw_vcalendar {
        return Err(BadInput(format!(
            "{} is not an iCalendar file (no BEGIN:VCALENDAR)",
            path.display()
        ))
        .into());
    }
    if parsed.events.is_empty() {
        return Err(BadInput(format!("{} holds no events (no VEVENT)", path.display())).into());
    }
    let expansion = expand_calendar(&parsed, window_start, window_end, tz);
    let mut store = ctx.open()?;
    let clients = store.clients()?;
    let label = format!("import ics {}", file_name(path));
    // Each item remembers the file it came from, so importing the file again
    // updates, cancels and removes; an unchanged file writes nothing at all.
    let source_name = std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string();
    let source = ImportSource {
        name: &source_name,
        full: true,
        trust: false,
        also: &[],
    };
    let summary = store.change_if_any("import ics", &label, ctx.now(), |tx| {
        calendar::record(tx, expansion, &clients, &ctx.config.addresses, Some(source))
    })?;
    crate::log::line(&format!(
        "import ics: events={} occurrences={} sessions={} busy={} free={} duplicates={} updated={} cancelled={} removed={} skipped={}",
        summary.events,
        summary.occurrences,
        summary.sessions,
        summary.busy,
        summary.free,
        summary.duplicates,
        summary.updated,
        summary.cancelled,
        summary.removed,
        summary.skipped.len()
    ));
    let window = (window_start, window_end);
    if json {
        output::print_json(&ics_json(&summary, path, window, tz));
    } else {
        say!("{}", ics_text(&summary, path, (from_day, to_day)));
    }
    Ok(())
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn skipped_json(skipped: &[Skipped]) -> Vec<Value> {
    skipped
        .iter()
        .map(|s| json!({"item": s.item, "reason": s.reason}))
        .collect()
}

fn ics_json(
    summary: &CalendarImportSummary,
    path: &Path,
    window: (DateTime<Utc>, DateTime<Utc>),
    tz: chrono_tz::Tz,
) -> Value {
    json!({
        "source": path.display().to_string(),
        "from": rfc3339_in(window.0, tz),
        "to": rfc3339_in(window.1, tz),
        "events": summary.events,
        "occurrences": summary.occurrences,
        "imported": summary.imported(),
        "duplicates": summary.duplicates,
        "skipped": skipped_json(&summary.skipped),
        "sessions": summary.sessions,
        "busy": summary.busy,
        "free": summary.free,
        "updated": summary.updated,
        "cancelled": summary.cancelled,
        "removed": summary.removed,
    })
}

fn ics_text(
    summary: &CalendarImportSummary,
    path: &Path,
    days: (chrono::NaiveDate, chrono::NaiveDate),
) -> String {
    let mut text = format!(
        "imported {} of {} occurrences ({} events) from {}, {} to {}: {} sessions, {} busy\n",
        summary.imported(),
        summary.occurrences,
        summary.events,
        path.display(),
        days.0,
        days.1,
        summary.sessions,
        summary.busy
    );
    if summary.duplicates > 0 {
        text.push_str(&format!("{} already in the book\n", summary.duplicates));
    }
    if summary.free > 0 {
        text.push_str(&format!("{} marked free, not recorded\n", summary.free));
    }
    if summary.updated + summary.cancelled + summary.removed > 0 {
        text.push_str(&format!(
            "{} updated, {} cancelled, {} removed (gone from the calendar)\n",
            summary.updated, summary.cancelled, summary.removed
        ));
    }
    push_skipped(&mut text, &summary.skipped);
    text
}

fn push_skipped(text: &mut String, skipped: &[Skipped]) {
    if skipped.is_empty() {
        return;
    }
    text.push_str(&format!("skipped {}:\n", skipped.len()));
    for s in skipped {
        text.push_str(&format!("  {}: {}\n", s.item, s.reason));
    }
}

pub fn import_contacts(ctx: &Ctx, path: &Path, json: bool) -> Result<()> {
    let text = read_text(path, "a vCard file", crate::intake::limits::MAX_VCF_BYTES)?;
    if !text.to_ascii_uppercase().contains("BEGIN:VCARD") {
        return Err(BadInput(format!(
            "{} is not a vCard file (no BEGIN:VCARD)",
            path.display()
        ))
        .into());
    }
    let (cards, unreadable) = contacts::read_vcards(&text);
    let mut store = ctx.open()?;
    // Each batch is one change; the disk is flushed once, after the last
    // (or after the one that failed), not once per batch.
    store.defer_sync()?;
    let recorded = record_contacts(ctx, &mut store, path, &cards);
    let synced = store.end_deferred_sync();
    let mut summary = recorded?;
    synced?;
    summary.cards += unreadable.len();
    summary.skipped.splice(0..0, unreadable);
    if json {
        output::print_json(&contacts_json(&summary, path));
    } else {
        say!("{}", contacts_text(&summary, path));
    }
    Ok(())
}

/// The cards into the book, [`contacts::BATCH_SIZE`] to a change.
fn record_contacts(
    ctx: &Ctx,
    store: &mut crate::store::Store,
    path: &Path,
    cards: &[contacts::Contact],
) -> Result<ContactsSummary> {
    let mut summary = ContactsSummary::default();
    let batches = cards.len().div_ceil(contacts::BATCH_SIZE);
    for (number, batch) in cards.chunks(contacts::BATCH_SIZE).enumerate() {
        let label = if batches > 1 {
            format!(
                "import contacts {} (part {} of {batches})",
                file_name(path),
                number + 1
            )
        } else {
            format!("import contacts {}", file_name(path))
        };
        let recorded = summary.cards;
        store
            .change("import contacts", &label, ctx.now(), |tx| {
                contacts::record(tx, batch, ctx.config.tz, &mut summary)
            })
            .with_context(|| {
                if recorded > 0 {
                    format!("the first {recorded} cards were recorded; the rest were not")
                } else {
                    "no card was recorded".to_string()
                }
            })?;
    }
    Ok(summary)
}

fn contacts_json(summary: &ContactsSummary, path: &Path) -> Value {
    json!({
        "source": path.display().to_string(),
        "cards": summary.cards,
        "imported": summary.imported,
        "updated": summary.updated,
        "duplicates": summary.duplicates,
        "skipped": skipped_json(&summary.skipped),
    })
}

fn contacts_text(summary: &ContactsSummary, path: &Path) -> String {
    let mut text = format!(
        "{} cards from {}: {} new clients, {} clients updated, {} already in the book\n",
        summary.cards,
        path.display(),
        summary.imported,
        summary.updated,
        summary.duplicates
    );
    push_skipped(&mut text, &summary.skipped);
    text
}

pub fn export(ctx: &Ctx, command: ExportCommand) -> Result<()> {
    match command {
        ExportCommand::Ics { out, force } => {
            let existing = out
                .as_deref()
                .map(|path| crate::files::check_destination(path, &ctx.book, force))
                .transpose()?;
            let store = ctx.open()?;
            let now = ctx.now();
            let entries = book_entries(
                &store,
                now - Duration::days(30),
                now + Duration::days(3660),
                &ctx.config,
                Which::Occupying,
                |_| true,
            )?;
            let sessions: usize = entries.iter().map(|e| e.session_ids.len()).sum();
            let ics = sessions_ics(&entries, now);
            match out {
                None => print!("{ics}"), // iCalendar text: its writer escapes controls
                Some(path) => {
                    let existing = existing.unwrap_or(crate::files::Existing::Keep);
                    crate::files::write_file(&path, ics.as_bytes(), existing)?;
                    warnln!("coachbook: wrote {sessions} sessions to {}", path.display());
                }
            }
            Ok(())
        }
    }
}

/// One VCALENDAR (METHOD:PUBLISH, named "Coaching sessions"): each lone
/// session with its UID and SEQUENCE, each series as RRULE + EXDATE +
/// overrides on the coach's wall clock.
pub fn sessions_ics(entries: &[BookEntry], now: DateTime<Utc>) -> String {
    let entries: Vec<Entry> = entries.iter().map(|e| e.entry.clone()).collect();
    calendar_text(&entries, now, Some("PUBLISH")).replacen(
        "METHOD:PUBLISH\r\n",
        "METHOD:PUBLISH\r\nX-WR-CALNAME:Coaching sessions\r\n",
        1,
    )
}

pub fn sync(ctx: &Ctx, command: SyncCommand) -> Result<()> {
    match command {
        SyncCommand::Vdir { path, json } => {
            let Some(folder) = path.or_else(|| ctx.config.vdir.clone()) else {
                return Err(BadInput(
                    "sync vdir needs a folder: coachbook sync vdir PATH, or [calendar] vdir = \"PATH\" in the config"
                        .into(),
                )
                .into());
            };
            let mut store = ctx.open()?;
            let report = sync_vdir(&mut store, &folder, &ctx.config, ctx.now())?;
            if json {
                output::print_json(&sync_json(&report, &folder));
            } else {
                sayln!("{}", report.summary_line(&folder));
                for line in report.conflicts.iter().chain(&report.problems) {
                    sayln!("  {line}");
                }
            }
            Ok(())
        }
    }
}

fn sync_json(report: &SyncReport, folder: &Path) -> Value {
    let counts = |c: &Counts| json!({"added": c.added, "updated": c.updated, "cancelled": c.cancelled, "removed": c.removed});
    json!({
        "vdir": folder.display().to_string(),
        "to_folder": counts(&report.to_folder),
        "to_book": counts(&report.to_book),
        "conflicts": report.conflicts,
        "problems": report.problems,
    })
}
