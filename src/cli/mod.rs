//! The command line: parse, open the book, run one command, print the
//! result. Bad input is one line on stderr and exit code 2; the book is
//! changed only by a command that succeeds, in one transaction.

/// Print human-readable text through the one terminal sanitizer
/// (`crate::text::visible`): control characters, ESC, C1 codes, DEL and bidi
/// overrides from names, texts and mail headers are shown as escapes.
/// JSON output uses `println!` on serde's text, and stays exact.
macro_rules! say {
    ($($arg:tt)*) => { print!("{}", $crate::text::visible(&format!($($arg)*))) };
}

/// `say!` with a line end.
macro_rules! sayln {
    ($($arg:tt)*) => { println!("{}", $crate::text::visible(&format!($($arg)*))) };
}

/// A note on stderr, through the same sanitizer.
macro_rules! warnln {
    ($($arg:tt)*) => { eprintln!("{}", $crate::text::visible(&format!($($arg)*))) };
}

mod args;
mod books;
mod calendar;
mod care;
mod clients;
mod flows;
mod followups;
mod import;
mod output;
mod partners;
mod progress;
mod requests;
mod review;
mod sessions;

use std::path::PathBuf;

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use clap::Parser;

pub use args::Cli;
use args::Command;

use crate::clock::Clock;
use crate::config::Config;
use crate::domain::lookup::find_client;
use crate::domain::when::{parse_day, parse_when};
use crate::error::{BadInput, exit_code, one_line};
use crate::model::Client;
use crate::store::{ClientQueries, Store};

/// Run the program; returns the process exit code.
pub fn main() -> i32 {
    let code = run_line();
    // A dashboard's book opened before the line was read, for a line that
    // turned out to be something else: closed before the exit.
    crate::tui::early::discard();
    code
}

fn run_line() -> i32 {
    // A plain launch of the dashboard was read before this thread began
    // (`tui::early`); any other line is clap's.
    let cli = match crate::tui::early::plain_line() {
        Some(line) => Cli {
            db: line.db,
            config: line.config,
            demo: false,
            mouse: line.mouse,
            command: None,
        },
        None => match Cli::try_parse() {
            Ok(cli) => cli,
            Err(err) => return usage_error(err),
        },
    };
    let started = std::time::Instant::now();
    let label = command_label(&cli);
    let result = run(cli);
    let code = match &result {
        Ok(()) => 0,
        Err(err) => {
            crate::store::discard_unused_new_books();
            eprintln!("coachbook: {}", one_line(err));
            exit_code(err)
        }
    };
    crate::log::record(&label, started.elapsed(), code, result.as_ref().err());
    code
}

/// clap's help and version go to stdout with code 0; a usage error is one
/// line (the first of clap's message) and code 2.
fn usage_error(err: clap::Error) -> i32 {
    use clap::error::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = err.print();
        return if err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
            2
        } else {
            0
        };
    }
    eprintln!("coachbook: {}", crate::text::error_line(&usage_line(&err)));
    2
}

/// clap's usage error on one line: its first line, the missing arguments
/// it lists below it, and "did you mean" when it has a suggestion.
fn usage_line(err: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let rendered = err.render().to_string();
    let mut lines = rendered.lines().filter(|l| !l.trim().is_empty());
    let mut line = lines
        .next()
        .unwrap_or("bad usage")
        .trim_start_matches("error: ")
        .trim_end_matches(':')
        .to_string();
    if err.kind() == ErrorKind::MissingRequiredArgument {
        let missing: Vec<&str> = lines
            .take_while(|l| l.starts_with("  ") && !l.trim_start().starts_with("tip:"))
            .map(str::trim)
            .collect();
        if !missing.is_empty() {
            line.push_str(": ");
            line.push_str(&missing.join(", "));
        }
    }
    let mut suggestions = Vec::new();
    for kind in [ContextKind::SuggestedSubcommand, ContextKind::SuggestedArg] {
        match err.get(kind) {
            Some(ContextValue::String(s)) => suggestions.push(format!("'{s}'")),
            Some(ContextValue::Strings(list)) => {
                suggestions.extend(list.iter().map(|s| format!("'{s}'")));
            }
            _ => {}
        }
    }
    if !suggestions.is_empty() {
        line.push_str(&format!("; did you mean {}?", suggestions.join(" or ")));
    }
    format!("{line} (see --help)")
}

fn command_label(cli: &Cli) -> String {
    match &cli.command {
        None if cli.demo => "tui --demo".into(),
        None => "tui".into(),
        Some(command) => {
            let debug = format!("{command:?}");
            debug
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .take(2)
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        }
    }
}

/// What every command needs: the settings, the clock, and where the book is.
pub struct Ctx {
    pub config: Config,
    pub clock: Clock,
    pub book: PathBuf,
}

impl Ctx {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Open the book; today's backup is taken before its first change.
    pub fn open(&self) -> Result<Store> {
        let mut store = Store::open(&self.book)?;
        store.backup_before_first_change(self.today());
        Ok(store)
    }

    /// A WHEN in the coach's zone; a note (ambiguous autumn time) goes to stderr.
    pub fn when(&self, text: &str) -> Result<DateTime<Utc>, BadInput> {
        let instant = parse_when(text, self.now(), self.config.tz)?;
        if let Some(note) = instant.note {
            eprintln!("coachbook: note: {}", crate::text::error_line(&note));
        }
        Ok(instant.at)
    }

    pub fn day(&self, text: &str) -> Result<NaiveDate, BadInput> {
        parse_day(text, self.now(), self.config.tz)
    }

    pub fn today(&self) -> NaiveDate {
        crate::domain::when::local_date(self.now(), self.config.tz)
    }

    /// A due time: a WHEN, or a bare DAY meaning the end of that working day.
    pub fn due(&self, text: &str) -> Result<DateTime<Utc>, BadInput> {
        if let Ok(instant) = parse_when(text, self.now(), self.config.tz)
            && let Some(note) = instant.note
        {
            eprintln!("coachbook: note: {note}");
        }
        crate::care::held::due_from(text, self.now(), &self.config)
    }

    pub fn client(&self, store: &Store, query: &str) -> Result<Client> {
        let id = find_client(query, &store.client_names()?)?;
        store.client(id)
    }
}

pub fn parse_id(text: &str, what: &str) -> Result<i64, BadInput> {
    text.trim()
        .trim_start_matches('#')
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            BadInput(format!(
                "{} is not a {what} id (a whole number like 12)",
                crate::text::quoted(text)
            ))
        })
}

fn run(cli: Cli) -> Result<()> {
    let clock = Clock::from_env()?;
    let config = Config::load(cli.config.as_deref())?;
    if cli.demo {
        if cli.command.is_some() {
            return Err(BadInput(
                "--demo opens the dashboard; for a demo book file use 'coachbook demo --db PATH'"
                    .into(),
            )
            .into());
        }
        let book = crate::paths::demo_book();
        let ctx = Ctx {
            config,
            clock,
            book,
        };
        books::write_demo(&ctx, true, false)?;
        let store = ctx.open()?;
        return crate::tui::run(
            store,
            ctx.config,
            ctx.clock,
            crate::tui::TuiOptions { mouse: cli.mouse },
        );
    }
    let book = cli.db.clone().unwrap_or_else(crate::paths::default_book);
    let ctx = Ctx {
        config,
        clock,
        book,
    };
    let Some(command) = cli.command else {
        let mouse = cli.mouse || ctx.config.mouse;
        return crate::tui::run_book(
            ctx.book,
            ctx.config,
            ctx.clock,
            crate::tui::TuiOptions { mouse },
        );
    };
    match command {
        Command::Demo {
            force,
            years: None,
            mbox: None,
            ..
        } => books::write_demo(&ctx, force, true),
        Command::Demo {
            force,
            years: Some(years),
            ..
        } => books::write_years(&ctx, years, force),
        Command::Demo {
            force,
            mbox: Some(count),
            out,
            ..
        } => books::write_demo_mbox(&ctx, count, out.as_deref(), force),
        Command::Today { date, json } => books::today(&ctx, date.as_deref(), json),
        Command::Client(c) => clients::client(&ctx, c),
        Command::Session(c) => sessions::session(&ctx, c),
        Command::Request(c) => requests::request(&ctx, c),
        Command::Followup(c) => followups::followup(&ctx, c),
        Command::Partner(c) => partners::partner(&ctx, c),
        Command::Agreement { step, client, at } => {
            care::agreement(&ctx, &step, &client, at.as_deref())
        }
        Command::Emergency {
            session_id,
            for_client,
            options,
            template,
            hold,
            dry_run,
            force,
        } => flows::emergency(
            &ctx,
            &session_id,
            for_client.as_deref(),
            options,
            &template,
            flows::EmergencyChoices {
                hold,
                dry_run,
                force,
            },
        ),
        Command::Undo {
            change_id,
            notify,
            force,
        } => flows::undo(&ctx, change_id.as_deref(), notify, force),
        Command::Deliver {
            mark_sent: Some(id),
            at,
            ..
        } => flows::mark_sent(&ctx, &id, at.as_deref()),
        Command::Deliver { reply_id, .. } => flows::redeliver(&ctx, reply_id.as_deref()),
        Command::Review(args) => review::review(&ctx, args),
        Command::Backup { out, force } => books::backup(&ctx, out, force),
        Command::Check => books::check(&ctx),
        Command::Import(c) => import::import(&ctx, c),
        Command::Export(c) => calendar::export(&ctx, c),
        Command::Sync(c) => calendar::sync(&ctx, c),
    }
}
