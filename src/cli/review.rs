//! `coachbook review`: the end-of-day review as text, Markdown, CSV or JSON.

use std::io::Write as _;

use anyhow::Result;

use super::Ctx;
use super::args::ReviewArgs;
use super::output::VisibleOut;
use crate::error::BadInput;
use crate::review::{self, ReviewRange};

/// The forms the review can be printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewFormat {
    Text,
    Markdown,
    Csv,
    Json,
}

impl ReviewFormat {
    pub fn parse(text: &str) -> Result<ReviewFormat, BadInput> {
        match text.trim().to_ascii_lowercase().as_str() {
            "text" | "txt" => Ok(ReviewFormat::Text),
            "md" | "markdown" => Ok(ReviewFormat::Markdown),
            "csv" => Ok(ReviewFormat::Csv),
            "json" => Ok(ReviewFormat::Json),
            _ => Err(BadInput(format!(
                "unknown format '{text}' (expected one of: text, md, csv, json)"
            ))),
        }
    }
}

/// The days asked for: `--date DAY`, or `--from DAY --to DAY` (either may
/// be left out: `--to` defaults to today, `--from` to the `--to` day).
pub fn review_range(ctx: &Ctx, args: &ReviewArgs) -> Result<ReviewRange, BadInput> {
    if args.date.is_some() && (args.from.is_some() || args.to.is_some()) {
        return Err(BadInput(
            "--date names one day; use either --date or --from/--to".into(),
        ));
    }
    if let Some(date) = &args.date {
        return Ok(ReviewRange::day(ctx.day(date)?));
    }
    let to = match &args.to {
        Some(to) => ctx.day(to)?,
        None => ctx.today(),
    };
    let from = match &args.from {
        Some(from) => ctx.day(from)?,
        None => to,
    };
    ReviewRange::new(from, to)
}

pub fn review(ctx: &Ctx, args: ReviewArgs) -> Result<()> {
    let format = ReviewFormat::parse(&args.format)?;
    let range = review_range(ctx, &args)?;
    let store = ctx.open()?;
    let review = store.snapshot(|book| review::gather(book, &ctx.config, range, ctx.now()))?;
    // Written as it is made, never held whole: a ten-year review in JSON
    // or CSV is many megabytes. Text goes through `say!`'s sanitizer.
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match format {
        ReviewFormat::Text => {
            VisibleOut::new(&mut out).write_all(review::text::review_text(&review).as_bytes())?
        }
        ReviewFormat::Markdown => VisibleOut::new(&mut out)
            .write_all(review::markdown::review_markdown(&review).as_bytes())?,
        // Its text fields pass the same sanitizer as it writes them.
        ReviewFormat::Csv => review::csv_rows::write_review_csv(&review, &mut out)?,
        ReviewFormat::Json => review::json::write_review_json(&review, &mut out)?,
    }
    out.flush()?;
    Ok(())
}
