//! `coachbook import mail PATH [--json] [--watch]`: mail into the book.
//!
//! The source is opened and checked before the book is: a missing path, a
//! folder that is no Maildir, a binary file or an empty mbox is one line,
//! exit code 2, and the book is not even opened.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::{Value, json};

use super::Ctx;
use super::args::ImportCommand;
use super::output::{self, fit};
use super::progress::ProgressBar;
use crate::error::BadInput;
use crate::intake::incoming::Read;
use crate::intake::mail::{
    BATCH_SIZE, HISTORY_DAYS, MailImportSummary, MailIntake, Origin, Outcome, import_source, read,
    record_one,
};
use crate::intake::watch::{MaildirWatch, POLL_INTERVAL};
use crate::mail::{MailItem, SourceError, SourceKind, read_source};
use crate::store::{ClientQueries, Store};

pub fn import(ctx: &Ctx, command: ImportCommand) -> Result<()> {
    match command {
        ImportCommand::Mail {
            path,
            json,
            watch,
            since,
        } => {
            let intake = intake(ctx, since.as_deref())?;
            if watch {
                watch_mail(ctx, &path, json, &intake)
            } else {
                import_mail(ctx, &path, json, false, &intake).map(|_| ())
            }
        }
        ImportCommand::Ics {
            path,
            from,
            to,
            json,
        } => super::calendar::import_ics(ctx, &path, from.as_deref(), to.as_deref(), json),
        ImportCommand::Contacts { path, json } => {
            super::calendar::import_contacts(ctx, &path, json)
        }
    }
}

fn source_error(error: SourceError) -> anyhow::Error {
    if error.is_bad_input() {
        BadInput(error.to_string()).into()
    } else {
        error.into()
    }
}

/// What the import needs; `since` (a DAY, default 14 days ago) starts the
/// mail that still waits: older mail is recorded as history. A day after
/// today is refused.
fn intake(ctx: &Ctx, since: Option<&str>) -> Result<MailIntake> {
    let now = ctx.now();
    let tz = ctx.config.tz;
    let since = match since {
        Some(text) => {
            let day = ctx
                .day(text)
                .map_err(|err| BadInput(format!("--since: {}", err.0)))?;
            if day > crate::domain::when::local_date(now, tz) {
                return Err(BadInput(format!(
                    "--since {day} is after today: mail from the future cannot be history"
                ))
                .into());
            }
            crate::domain::when::start_of_day(day, tz)
        }
        None => crate::domain::bounds::shift(now, -chrono::Duration::days(HISTORY_DAYS))
            .map_err(|err| BadInput(err.to_string()))?,
    };
    Ok(MailIntake {
        coach_addresses: ctx.config.addresses.clone(),
        clock: ctx.config.reply_clock(),
        now,
        since,
        batch_size: BATCH_SIZE,
    })
}

/// Import the whole source and print its summary (as JSON on one line when
/// `one_line`, so a watcher's output is JSON Lines throughout).
fn import_mail(
    ctx: &Ctx,
    path: &Path,
    json: bool,
    one_line: bool,
    intake: &MailIntake,
) -> Result<MailImportSummary> {
    let source = read_source(path).map_err(source_error)?;
    let origin = Origin {
        path: path.to_path_buf(),
        kind: source.kind(),
    };
    let mut store = ctx.open()?;
    if ctx.config.addresses.is_empty() {
        warnln!(
            "coachbook: note: the config names none of the coach's own addresses \
             (coach.addresses), so no mail is taken for a reply from the coach"
        );
    }
    let started = std::time::Instant::now();
    let mut bar = ProgressBar::new(source_bytes(&origin));
    let result = import_source(&mut store, source, &origin, intake, &mut |n, bytes| {
        bar.update(n, bytes)
    });
    bar.finish();
    let summary = result?;
    crate::log::line(&format!(
        "import mail: kind={} messages={} imported={} duplicates={} auto_replies={} skipped={} batches={} ms={}",
        kind_word(origin.kind),
        summary.messages,
        summary.imported(),
        summary.duplicates,
        summary.auto_replies,
        summary.skipped.len(),
        summary.batches,
        started.elapsed().as_millis()
    ));
    if json && one_line {
        println!("{}", summary_json(&summary, &origin));
    } else if json {
        output::print_json(&summary_json(&summary, &origin));
    } else {
        say!("{}", summary_text(&summary, &origin));
    }
    Ok(summary)
}

/// Import what is there, then every new file as it arrives, each in its own
/// change, one line per message. Ctrl-C ends it; nothing is half-recorded,
/// since each message is one transaction.
fn watch_mail(ctx: &Ctx, folder: &Path, json: bool, first: &MailIntake) -> Result<()> {
    if folder.is_file() {
        return Err(BadInput(format!(
            "{}: --watch needs a Maildir folder, not a file",
            folder.display()
        ))
        .into());
    }
    // Listed before the first import: a file landing in between is offered
    // again and found to be a duplicate, never missed.
    let mut watch = MaildirWatch::open(folder).map_err(source_error)?;
    import_mail(ctx, folder, json, true, first)?;
    warnln!(
        "coachbook: watching {} for new mail (Ctrl-C stops)",
        folder.display()
    );
    let origin = Origin {
        path: folder.to_path_buf(),
        kind: SourceKind::Maildir,
    };
    let mut store = ctx.open()?;
    loop {
        std::thread::sleep(POLL_INTERVAL);
        let files = watch
            .new_files()
            .with_context(|| format!("cannot list {}", folder.display()))?;
        for file in files {
            let label = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let raw = match std::fs::read(&file) {
                Ok(raw) => raw,
                // Moved to cur/ by a mail client meanwhile: found there next round.
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue,
                Err(error) => {
                    watch.mark_seen(&file);
                    let outcome = Outcome::Skipped(format!("cannot read: {error}"));
                    print_watch_line(&watch_line(ctx, &store, &label, None, &outcome, json), json);
                    continue;
                }
            };
            let item = MailItem { label, raw };
            // Each message is judged at its own arrival: new mail is never
            // history unless it is older than --since.
            let intake = MailIntake {
                now: ctx.now(),
                ..first.clone()
            };
            let (at, outcome) = match read(&item, &origin, &intake) {
                Read::Mail(incoming) => match record_one(&mut store, &incoming, &intake) {
                    Ok(outcome) => (Some(incoming.at), outcome),
                    Err(error) => {
                        // Say why and try again next round (the book may be busy).
                        warnln!(
                            "coachbook: {}: {}",
                            item.label,
                            crate::error::one_line(&error)
                        );
                        continue;
                    }
                },
                Read::AutoReply => (None, Outcome::AutoReply),
                Read::Unreadable(reason) => (None, Outcome::Skipped(reason)),
            };
            watch.mark_seen(&file);
            print_watch_line(
                &watch_line(ctx, &store, &item.label, at, &outcome, json),
                json,
            );
        }
    }
}

/// JSON lines exact (serde escaped them), text lines through the sanitizer.
fn print_watch_line(line: &str, json: bool) {
    if json {
        println!("{line}");
    } else {
        sayln!("{line}");
    }
}

/// One line for one message: what it became, never its text.
fn watch_line(
    ctx: &Ctx,
    store: &Store,
    label: &str,
    at: Option<chrono::DateTime<chrono::Utc>>,
    outcome: &Outcome,
    json: bool,
) -> String {
    let tz = ctx.config.tz;
    let client_name = |id: Option<i64>| id.and_then(|id| store.client(id).ok()).map(|c| c.name);
    if json {
        let mut line = match outcome {
            Outcome::Request {
                id,
                client_id,
                unknown_sender,
                history,
            } => json!({"outcome": "request", "id": id, "client": client_name(*client_id),
                        "unknown_sender": unknown_sender, "history": history}),
            Outcome::Reply {
                id,
                client_id,
                request_id,
                ..
            } => json!({"outcome": "reply", "id": id, "client": client_name(*client_id),
                        "request": request_id}),
            Outcome::Duplicate => json!({"outcome": "duplicate"}),
            Outcome::AutoReply => json!({"outcome": "auto_reply"}),
            Outcome::CoachToOthers => json!({"outcome": "coach_to_others"}),
            Outcome::Skipped(reason) => json!({"outcome": "skipped", "reason": reason}),
        };
        crate::review::json::set(&mut line, "item", json!(label));
        if let Some(at) = at {
            crate::review::json::set(
                &mut line,
                "at",
                json!(crate::domain::when::rfc3339_in(at, tz)),
            );
        }
        return line.to_string();
    }
    let when = at.map_or_else(String::new, |at| format!("{}  ", output::local(at, tz)));
    match outcome {
        Outcome::Request {
            id,
            client_id,
            unknown_sender,
            history,
        } => {
            let from = client_name(*client_id)
                .or_else(|| {
                    unknown_sender
                        .as_ref()
                        .map(|a| format!("unknown sender {a}"))
                })
                .unwrap_or_default();
            let history = if *history {
                " (history: older than --since)"
            } else {
                ""
            };
            format!("{when}request #{id} from {}{history}", fit(&from, 60))
        }
        Outcome::Reply {
            id,
            client_id,
            request_id,
            ..
        } => {
            let to = client_name(*client_id).unwrap_or_else(|| "an unknown sender".into());
            match request_id {
                Some(request) => format!(
                    "{when}reply #{id} to {}, answering request #{request}",
                    fit(&to, 60)
                ),
                None => format!(
                    "{when}reply #{id} to {} (no request in its thread)",
                    fit(&to, 60)
                ),
            }
        }
        Outcome::Duplicate => format!("already in the book: {label}"),
        Outcome::AutoReply => format!("auto-reply skipped: {label}"),
        Outcome::CoachToOthers => format!("sent by the coach to no client, not recorded: {label}"),
        Outcome::Skipped(reason) => format!("skipped {label}: {reason}"),
    }
}

fn kind_word(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::SingleMessage => "message",
        SourceKind::Maildir => "maildir",
        SourceKind::Mbox => "mbox",
    }
}

/// How many bytes the source holds, for the progress bar (0: unknown).
fn source_bytes(origin: &Origin) -> u64 {
    match origin.kind {
        SourceKind::Maildir => ["new", "cur"]
            .iter()
            .filter_map(|sub| std::fs::read_dir(origin.path.join(sub)).ok())
            .flatten()
            .filter_map(|entry| entry.ok()?.metadata().ok())
            .filter(|meta| meta.is_file())
            .map(|meta| meta.len())
            .sum(),
        _ => std::fs::metadata(&origin.path).map_or(0, |meta| meta.len()),
    }
}

pub fn summary_json(summary: &MailImportSummary, origin: &Origin) -> Value {
    json!({
        "source": origin.path.display().to_string(),
        "kind": kind_word(origin.kind),
        "messages": summary.messages,
        "imported": summary.imported(),
        "duplicates": summary.duplicates,
        "skipped": summary.skipped.iter()
            .map(|s| json!({"item": s.item, "reason": s.reason}))
            .collect::<Vec<_>>(),
        "requests": summary.requests,
        "replies": summary.replies,
        "unknown_senders": summary.unknown_senders,
        "history": summary.history,
        "auto_replies": summary.auto_replies,
        "unthreaded_replies": summary.unthreaded_replies,
        "coach_to_others": summary.coach_to_others,
        "batches": summary.batches,
    })
}

pub fn summary_text(summary: &MailImportSummary, origin: &Origin) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut text = format!(
        "imported {} of {} from {} ({})",
        summary.imported(),
        plural(summary.messages, "message", "messages"),
        origin.path.display(),
        kind_word(origin.kind)
    );
    let mut kinds = Vec::new();
    if summary.requests > 0 {
        let mut part = plural(summary.requests, "request", "requests");
        if summary.unknown_senders > 0 {
            part.push_str(&format!(
                " ({} from {})",
                summary.unknown_senders,
                if summary.unknown_senders == 1 {
                    "an unknown sender"
                } else {
                    "unknown senders"
                }
            ));
        }
        kinds.push(part);
        if summary.history > 0 {
            kinds.push(format!(
                "{} as history (older than --since, or answered by your own mail), not waiting",
                summary.history
            ));
        }
    }
    if summary.replies > 0 {
        let mut part = plural(summary.replies, "reply", "replies");
        if summary.unthreaded_replies > 0 {
            part.push_str(&format!(
                " ({} with no request in the thread)",
                summary.unthreaded_replies
            ));
        }
        kinds.push(part);
    }
    if !kinds.is_empty() {
        text.push_str(": ");
        text.push_str(&kinds.join(", "));
    }
    text.push('\n');
    let mut others = Vec::new();
    if summary.duplicates > 0 {
        others.push(format!(
            "{} already in the book",
            plural(summary.duplicates, "duplicate", "duplicates")
        ));
    }
    if summary.auto_replies > 0 {
        others.push(format!(
            "{} skipped",
            plural(summary.auto_replies, "auto-reply", "auto-replies")
        ));
    }
    if summary.coach_to_others > 0 {
        others.push(format!(
            "{} by the coach to no client, not recorded",
            plural(summary.coach_to_others, "mail", "mails")
        ));
    }
    if !others.is_empty() {
        text.push_str(&others.join(", "));
        text.push('\n');
    }
    if summary.batches > 1 {
        text.push_str(&format!(
            "recorded in {} changes of up to {BATCH_SIZE} messages each\n",
            summary.batches
        ));
    }
    if !summary.skipped.is_empty() {
        text.push_str(&format!(
            "skipped {} that could not be read:\n",
            plural(summary.skipped.len(), "message", "messages")
        ));
        for skipped in &summary.skipped {
            text.push_str(&format!("  {}: {}\n", skipped.item, skipped.reason));
        }
    }
    text
}
