//! The commands that read and change the book.

use std::path::PathBuf;

use anyhow::Result;

use super::Ctx;
use super::output;
use crate::error::BadInput;
use crate::store::{ClientQueries, Store};

pub fn write_demo(ctx: &Ctx, force: bool, announce: bool) -> Result<()> {
    let mut store = make_room_for_demo(ctx, force)?;
    let summary = crate::demo::generate(&mut store, &ctx.config, ctx.now())?;
    if announce {
        sayln!("wrote a demo book to {}: {summary}", ctx.book.display());
    }
    Ok(())
}

/// `demo --years N`: a whole career's book, for measuring.
pub fn write_years(ctx: &Ctx, years: u32, force: bool) -> Result<()> {
    let mut store = make_room_for_demo(ctx, force)?;
    let summary = crate::demo::years::write_years(&mut store, &ctx.config, ctx.now(), years)?;
    sayln!("wrote a demo book to {}: {summary}", ctx.book.display());
    Ok(())
}

/// `demo --mbox N --out PATH`: a year of mail from the demo book's clients.
pub fn write_demo_mbox(
    ctx: &Ctx,
    count: usize,
    out: Option<&std::path::Path>,
    force: bool,
) -> Result<()> {
    let out = out.ok_or_else(|| BadInput("--mbox needs --out PATH".into()))?;
    let existing = crate::files::check_destination(out, &ctx.book, force)?;
    if !ctx.book.is_file() {
        return Err(BadInput(format!(
            "there is no book at {}; write one first with 'coachbook demo --years N --db PATH'",
            ctx.book.display()
        ))
        .into());
    }
    let store = Store::open(&ctx.book)?;
    // The file names the book's clients: only a generated book may lend them.
    if !crate::demo::is_demo(&store)? {
        return Err(BadInput(format!(
            "{} is not a demo book; --mbox writes mail from a demo book's clients only",
            ctx.book.display()
        ))
        .into());
    }
    let clients: Vec<crate::demo::mbox::Sender> = store
        .clients()?
        .into_iter()
        .filter(|c| c.status == crate::model::ClientStatus::Active)
        .filter_map(|c| {
            c.emails.first().map(|email| crate::demo::mbox::Sender {
                name: c.name.clone(),
                email: email.clone(),
            })
        })
        .collect();
    let coach = crate::demo::mbox::Sender {
        name: ctx.config.coach_name.clone(),
        email: ctx
            .config
            .addresses
            .first()
            .cloned()
            .unwrap_or_else(|| "coach@example.org".into()),
    };
    let mut bytes = Vec::new();
    let summary = crate::demo::mbox::write_mbox(&mut bytes, &clients, &coach, ctx.now(), count)?;
    crate::files::write_file(out, &bytes, existing)?;
    sayln!("wrote {}: {summary}", out.display());
    if ctx.config.addresses.is_empty() {
        sayln!(
            "note: the coach's replies come from {}; list it in [coach] addresses for 'import mail' to count them as replies",
            coach.email
        );
    }
    Ok(())
}

/// Open an empty book at the demo path, having removed a demo book there
/// (`--force`); a real book is never touched.
fn make_room_for_demo(ctx: &Ctx, force: bool) -> Result<Store> {
    let path = &ctx.book;
    if path.is_dir() {
        return Err(BadInput(format!(
            "{} is a directory, not a book file",
            path.display()
        ))
        .into());
    }
    if path.exists() {
        if !force {
            return Err(BadInput(format!(
                "{} exists already; add --force to replace it with a demo book",
                path.display()
            ))
            .into());
        }
        // Only ever replace a demo book or an empty file, never a real book.
        let store = Store::open(path)?;
        if !crate::demo::is_demo(&store)? && !store.client_names()?.is_empty() {
            return Err(BadInput(format!(
                "{} holds a real book; refusing to replace it with a demo",
                path.display()
            ))
            .into());
        }
        drop(store);
        for suffix in ["", "-wal", "-shm"] {
            let file = PathBuf::from(format!("{}{suffix}", path.display()));
            if file.exists() {
                std::fs::remove_file(&file)?;
            }
        }
    }
    Store::open(path)
}

pub fn today(ctx: &Ctx, date: Option<&str>, json: bool) -> Result<()> {
    let date = match date {
        Some(text) => ctx.day(text)?,
        None => ctx.today(),
    };
    let mut store = ctx.open()?;
    super::care::generate(ctx, &mut store)?;
    let sheet = store.snapshot(|book| {
        if json {
            crate::dashboard::load_for_json(book, &ctx.config, date, ctx.now())
        } else {
            crate::dashboard::load(book, &ctx.config, date, ctx.now())
        }
    })?;
    if json {
        output::print_json_text(output::today_json_text(&sheet, ctx.config.tz));
    } else {
        say!(
            "{}",
            output::for_stdout(&output::today_text(&sheet, &ctx.config))
        );
    }
    // The dashboard is printed: the process ends next.
    store.leave_to_exit();
    Ok(())
}

pub fn backup(ctx: &Ctx, out: Option<PathBuf>, force: bool) -> Result<()> {
    let (dest, existing) = match out {
        Some(out) => {
            let existing = crate::files::check_destination(&out, &ctx.book, force)?;
            (out, existing)
        }
        None => {
            let folder = crate::store::backup::folder(&ctx.book);
            create_private_folder(&folder)?;
            let stem = ctx
                .book
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "book".into());
            let name = format!("{stem}-{}.sqlite", ctx.now().format("%Y%m%dT%H%M%SZ"));
            (folder.join(name), crate::files::Existing::Keep)
        }
    };
    let store = ctx.open()?;
    store.backup_to(&dest, existing)?;
    sayln!("backed up the book to {} (verified)", dest.display());
    Ok(())
}

fn create_private_folder(folder: &std::path::Path) -> Result<()> {
    use anyhow::Context as _;
    use std::os::unix::fs::DirBuilderExt as _;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(folder)
        .with_context(|| format!("cannot create the folder {}", folder.display()))
}

pub fn check(ctx: &Ctx) -> Result<()> {
    let store = match ctx.open() {
        Ok(store) => store,
        Err(err) if crate::store::is_damaged(&err) => {
            // Say what SQLite finds, without changing the file.
            for problem in crate::store::check_damaged(&ctx.book) {
                sayln!("{problem}");
            }
            return Err(err);
        }
        Err(err) => return Err(err),
    };
    let problems = store.check()?;
    if problems.is_empty() {
        sayln!(
            "the book at {} is healthy (schema {})",
            store.path().display(),
            store.schema_version()?
        );
        Ok(())
    } else {
        for problem in &problems {
            sayln!("{problem}");
        }
        anyhow::bail!("the book has {} problem(s)", problems.len())
    }
}
